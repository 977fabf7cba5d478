"""Small parts: ID-reader line formats and burst detection, the serial reader, the slip from a
ticket view, the unprinted spool, printer overrides, and the layering rule (no Qt in the core)."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest
import serial

from kiosk.idreader import SerialIdReader, WedgeDecoder, make_reader, parse_line
from kiosk.printing import KioskPrinter, UnprintedSpool, printer_config, slip_for
from printers.escpos_render import render
from tests.kiosk.conftest import MASKED, SAMPLE_ID, slip_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("line", [SAMPLE_ID, f"张三,{SAMPLE_ID}", f"{SAMPLE_ID}|张三|男|汉", SAMPLE_ID.lower() + "\r"])
def test_reader_line_formats(line: str) -> None:
    card = parse_line(line)
    assert card is not None
    assert card.id_number == SAMPLE_ID
    assert card.name in ("", "张三")
    assert SAMPLE_ID not in repr(card)


def test_reader_ignores_lines_without_a_number() -> None:
    assert parse_line("hello 12345") is None
    assert parse_line("1" * 20) is None  # too long: not an ID number


def test_wedge_tells_a_reader_from_a_person() -> None:
    d = WedgeDecoder(max_gap=0.05)
    t = 100.0
    for c in SAMPLE_ID:
        assert d.feed(c, t) is None
        t += 0.01
    card = d.feed("\r", t)
    assert card is not None
    assert card.id_number == SAMPLE_ID
    for c in SAMPLE_ID:  # a person: 0.3 s between keys
        d.feed(c, t)
        t += 0.3
    assert d.feed("\r", t) is None


def test_serial_reader_on_a_loopback_port() -> None:
    port = serial.serial_for_url("loop://", timeout=0.2)
    got: list[str] = []
    reader = SerialIdReader("loop://", serial_factory=lambda *a, **kw: port)
    reader.start(lambda card: got.append(card.id_number))
    try:
        port.write(f"noise\r\n{SAMPLE_ID}\r\n".encode())
        deadline = time.monotonic() + 5
        while not got and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        reader.stop()
    assert got == [SAMPLE_ID]


def test_make_reader_specs() -> None:
    assert make_reader("none") is None
    assert isinstance(make_reader("wedge"), WedgeDecoder)
    r = make_reader("serial:/dev/ttyUSB0@115200")
    assert isinstance(r, SerialIdReader)
    assert r.port == "/dev/ttyUSB0"
    assert r.baudrate == 115200
    with pytest.raises(ValueError, match="unknown ID reader"):
        make_reader("bluetooth")


VIEW = {"id": "2026-11-23-A006", "number": "A006", "matter_name": "不动产登记", "situation_name": "二手房转移登记",
        "windows": ["S01", "S02", "S03"], "applicant": "张**", "id_masked": MASKED, "ahead": 6,
        "issued_at": 1_681_893_900.0, "progress_url": "https://zwfw.example.gov.cn/progress?ticket=A006",
        "materials": ["不动产权证书原件"], "priority_group": "", "channel": "kiosk"}


def test_slip_from_a_ticket_view_has_the_seed_fields() -> None:
    slip = slip_for(VIEW, "吕梁市政务服务中心", "Asia/Shanghai")
    cfg = printer_config({}, "K1", "dummy")
    text = slip_text(render(slip.to_document(cfg.width), cfg.profile))
    for expected in ("吕梁市政务服务中心", "A006", "不动产登记", "S01、S02、S03", "张**", MASKED, "6 人",
                     "2023-04-19 16:45", "票号当天有效", "过号取号"):
        assert expected in text, expected


def test_slip_refuses_a_full_id_number() -> None:
    with pytest.raises(ValueError, match="完整身份证号码"):
        slip_for({**VIEW, "id_masked": SAMPLE_ID}, "大厅", "Asia/Shanghai")


def test_dummy_printer_states_and_bytes() -> None:
    p = KioskPrinter(printer_config({}, "K1", "dummy:near_end"))
    state = p.status()
    assert state.paper == "near_end"
    assert not state.blocking
    assert state.error == "paper_near_end"
    p.print_slip(slip_for(VIEW, "大厅", "Asia/Shanghai"))
    assert "A006" in slip_text(p.output)
    p.set_simulated_state("out")
    assert p.status().as_status()["printer"] == {"online": False, "paper": "out", "error": "paper_out",
                                                 "message": "打印机缺纸，请更换纸卷", "blocking": True}


def test_printer_from_the_catalogue_and_errors() -> None:
    cfg = printer_config({"kiosk1": {"backend": "file", "path": "/tmp/x.bin", "width": 58}}, "kiosk1")
    assert cfg.backend == "file"
    assert cfg.width == 58
    with pytest.raises(ValueError, match="not in the hall"):
        printer_config({}, "kiosk9")
    with pytest.raises(ValueError, match="width"):
        printer_config({"k": {"backend": "dummy", "width": 70}}, "k")


def test_unprinted_spool_survives_a_restart(tmp_path: Path) -> None:
    spool = UnprintedSpool(tmp_path / "s.json")
    spool.add("2026-11-23-A001", "A001", 1.0)
    spool.add("2026-11-23-A002", "A002", 2.0)
    spool.remove("2026-11-23-A001")
    assert list(UnprintedSpool(tmp_path / "s.json").entries()) == ["2026-11-23-A002"]


PURE = ["kiosk/model.py", "kiosk/screens.py", "kiosk/catalog.py", "kiosk/pinyin.py", "kiosk/refusals.py", "kiosk/texts.py",
        "kiosk/printing.py", "kiosk/idreader.py"]


@pytest.mark.parametrize("module", PURE)
def test_kiosk_core_never_imports_qt(module: str) -> None:
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not any(n.startswith("PySide6") for n in names), module
    if module in ("kiosk/model.py", "kiosk/screens.py", "kiosk/catalog.py", "kiosk/pinyin.py"):
        assert not names & {"paho", "socket", "threading", "time", "serial", "escpos"}, module
