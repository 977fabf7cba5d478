"""Issue 13 §4/§6: a name no font can draw never costs a ticket, and the slip says until when it is valid."""

from __future__ import annotations

import json
from typing import Any

import pytest
import serial

from hub.config import load_hall
from hub.publisher import catalog
from kiosk.catalog import Catalog
from kiosk.idreader import SerialIdReader
from kiosk.printing import FONT_MISSING_TEXT, PrinterState, slip_for
from launcher.samples import sample_hall_path
from printers.escpos_render import render
from printers.fonts import MASK_CHAR
from printers.profiles import get_profile
from tests.kiosk.conftest import MASKED, SAMPLE_ID, KioskRig, slip_text, wait_for
from tests.kiosk.test_flow import walk_to_result
from tests.printers.escpos_reader import parse

EXT_G = "\U00030000"  # CJK Extension G: no font the hall installs (Hanazono A-F, WenQuanYi) has it


def test_a_name_no_font_has_is_masked_on_screen_and_the_slip_still_prints(kiosk: KioskRig) -> None:
    port = serial.serial_for_url("loop://", timeout=0.2)
    reader = SerialIdReader("loop://", serial_factory=lambda *a, **kw: port)
    k = kiosk.start(reader=reader)
    walk_to_result(k)
    k.tap("取号")
    port.write(f"{SAMPLE_ID},{EXT_G}明\r\n".encode())
    wait_for(k.qtbot, lambda: MASKED in k.window.texts())
    shown = " ".join(k.window.texts())
    assert f"已读取身份证：{MASK_CHAR}**" in shown  # the deliberate mask, not a tofu box
    assert EXT_G not in shown
    k.tap("确定取号")
    k.wait_screen("ticket")  # printed: the ticket screen, not a print-failure notice
    assert k.model.ticket is not None
    assert k.model.ticket["applicant"] == f"{EXT_G}**"
    parsed = parse(k.printed)
    assert k.model.ticket["number"] in [ln.text for ln in parsed.lines]
    assert any(r.height == 30 for r in parsed.rasters)  # the name line went out as a raster with □
    assert not json.loads(k.controller.spool.path.read_text() or "{}")  # nothing left unprinted
    got = k.hall.guide("G1").request("ticket.get", {"ticket": k.model.ticket["id"]})["ticket"]
    assert got["state"] == "waiting"


VIEW: dict[str, Any] = {"id": "2026-11-23-A006", "number": "A006", "matter_name": "不动产登记",
                        "windows": ["S01"], "applicant": "张**", "id_masked": MASKED, "ahead": 0,
                        "issued_at": 1_681_866_000.0, "progress_url": "", "materials": [], "channel": "kiosk"}
# 1_681_866_000 is 2023-04-19 09:00 in Asia/Shanghai


def test_the_sample_halls_slip_says_the_expiry_rule() -> None:
    cat = Catalog.from_json(catalog(load_hall(sample_hall_path())))
    assert cat.expire_at == ("12:30", "18:30")
    assert cat.slip_footer  # the hall's 温馨提示 reach the kiosk
    slip = slip_for(VIEW, cat.hall_name, cat.timezone, expire_at=cat.expire_at, footer=cat.slip_footer)
    text = "".join(slip_text(render(slip.to_document(80), get_profile("generic-gb18030"))).split("\n"))
    assert "本号 12:30 前有效" in text
    assert "票号当天有效" not in text
    assert cat.slip_footer[0][:10] in text
    afternoon = slip_for({**VIEW, "issued_at": VIEW["issued_at"] + 6 * 3600}, cat.hall_name, cat.timezone,
                         expire_at=cat.expire_at)
    assert afternoon.valid_until == "18:30"


def test_no_font_at_all_is_told_to_it_not_to_the_citizen(caplog: pytest.LogCaptureFixture) -> None:
    """Issue 13 §4: the kiosk screen showed `apt-get install …` to the citizen."""
    from printers.errors import FontMissing

    error = FontMissing("未找到中文字体，无法生成预览或位图行。请安装：apt-get install fonts-wqy-microhei")
    with caplog.at_level("ERROR", logger="hallq.kiosk"):
        state = PrinterState.from_error(error)
    assert "apt-get" not in state.message
    assert state.message == FONT_MISSING_TEXT
    assert state.error == "font_missing"  # guides still see the code in the kiosk's status
    assert any("apt-get install fonts-wqy-microhei" in r.getMessage() for r in caplog.records)
