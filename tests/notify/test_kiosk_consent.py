"""The consent on the real kiosk (Qt, offscreen) against a real hub: one tap, the ticket taken, the number
readable by the notifier; in 长者模式 the consent sits beside the phone field and 确定取号 stays on the
first screen (tests/kiosk/test_screens.py holds the same for the ID screen without a notifier)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.config import load_hall
from hub.hall import Device, Role
from launcher.local_hall import LocalHall, open_all_day
from launcher.samples import sample_hall_path
from tests.kiosk.conftest import SAMPLE_ID, KioskRig, kiosk  # noqa: F401  (the kiosk tests' fixture, on this hall)

PHONE = "13912345678"


@pytest.fixture
def local_hall(embedded_broker: str, tmp_path: Path) -> Iterator[LocalHall]:
    hall = open_all_day(load_hall(sample_hall_path()))
    hall = dataclasses.replace(hall, id=f"n{uuid.uuid4().hex[:10]}",
                               devices={**hall.devices, "N1": Device("N1", Role.NOTIFY)})
    lh = LocalHall(hall, tmp_path / "hall.db", url=embedded_broker).start()
    yield lh
    lh.stop()


def _to_identify(k: KioskRig, elder: bool) -> None:
    if not elder:
        k.model.open_matter("id-card")
        k.model.answer(0)  # 第一次办身份证
        k.model.take_ticket()
        k.wait_screen("identify")
        return
    k.tap("老年人/特殊群体")  # the elderly group turns 长者模式 on, and adds the green-channel note
    k.tap("65周岁以上老年人")
    k.wait_screen("matters")
    k.window.button("居民身份证申领、换领、补领").click()
    k.wait_screen("question")
    k.tap("第一次办身份证")
    k.tap("取号")
    k.wait_screen("identify")


@pytest.mark.parametrize("elder", [False, True])
def test_one_tap_consent_then_the_ticket_and_the_notifier_reads_the_number(kiosk: KioskRig,  # noqa: F811
                                                                          elder: bool, local_hall: LocalHall) -> None:
    k = kiosk.start()
    _to_identify(k, elder)
    assert k.model.elder is elder
    k.type_keys(SAMPLE_ID + PHONE)
    k.tap("☐ 同意接收短信通知" if elder else "☐ 同意接收短信通知（点此同意）")
    assert k.model.notify_consent
    k.qtbot.wait(50)
    ok: Any = k.window.button("确定取号")
    page = k.window.current_page()
    assert page.area is not None
    bottom = ok.mapTo(page.area.viewport(), ok.rect().bottomLeft()).y()
    assert bottom <= page.area.viewport().height(), (bottom, page.area.viewport().height())
    from PySide6.QtWidgets import QLabel

    words = [w for w in page.findChildren(QLabel) if "不同意" in w.text() and "删除" in w.text()]
    assert len(words) == 1, [w.text() for w in words]  # what is sent, that it may be declined, how long kept
    end = words[0].mapTo(page.area.viewport(), words[0].rect().bottomLeft()).y()
    assert end <= page.area.viewport().height(), ("the consent's words are cut off", end)  # read without scrolling
    ok.click()  # 确定取号 (the screen's own button, shown whole above the fold: checked just above)
    k.wait_screen("ticket")
    assert k.model.ticket is not None
    ticket = k.model.ticket["id"]
    assert local_hall.client("N1").request("notify.phone", {"ticket": ticket})["phone"] == PHONE
