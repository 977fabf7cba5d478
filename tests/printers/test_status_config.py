"""Status bytes → typed status, the emulator, and hall-file printer tables."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printers.config import PrinterConfig, parse_printers
from printers.errors import ALL_ERRORS
from printers.status import STATES, PrinterEmulator, interpret


@pytest.mark.parametrize(
    ("replies", "online", "paper", "cover", "code"),
    [
        ({1: 0x12, 2: 0x12, 4: 0x12}, True, "ok", False, None),
        ({1: 0x12, 2: 0x12, 4: 0x1E}, True, "near_end", False, "paper_near_end"),
        ({1: 0x1A, 2: 0x32, 4: 0x7E}, False, "out", False, "paper_out"),
        ({1: 0x1A, 2: 0x16, 4: 0x12}, False, "ok", True, "cover_open"),
        ({1: 0x1A}, False, "unknown", None, "offline"),
        ({1: 0x12}, True, "unknown", None, None),  # answers n=1 only
        ({}, False, "unknown", None, "status_timeout"),
        ({1: 0x48}, False, "unknown", None, "bad_reply"),  # "H" from an HTTP server
    ],
)
def test_interpret(replies: dict[int, int], online: bool, paper: str, cover: bool | None, code: str | None) -> None:
    s = interpret(replies, where="K1")
    assert (s.online, s.paper, s.cover_open) == (online, paper, cover)
    assert (s.error.code if s.error else None) == code
    assert s.summary().startswith("在线" if online else "离线")


def test_error_codes_are_unique_and_messages_chinese() -> None:
    codes = [e.code for e in ALL_ERRORS]
    assert len(codes) == len(set(codes))
    assert [e.code for e in ALL_ERRORS if not e.blocking] == ["paper_near_end"]


@given(st.binary(max_size=200), st.integers(min_value=1, max_value=7), st.sampled_from([1, 2, 4]))
def test_emulator_answers_queries_split_across_chunks(noise: bytes, cut: int, n: int) -> None:
    noise = noise.replace(b"\x10", b"")  # no accidental DLE in the noise
    stream = noise + b"\x10\x04" + bytes([n]) + noise
    emu = PrinterEmulator("near_end")
    cut = min(cut, len(stream))
    answer = emu.feed(stream[:cut]) + emu.feed(stream[cut:])
    assert answer == bytes([STATES["near_end"][(1, 2, 4).index(n)]])  # type: ignore[index]
    assert bytes(emu.received) == stream


def test_silent_emulator_never_answers() -> None:
    assert PrinterEmulator("silent").feed(b"\x10\x04\x01\x10\x04\x04") == b""
    with pytest.raises(ValueError, match="unknown printer state"):
        PrinterEmulator("jammed")


def parse_one(table: dict[str, object]) -> tuple[PrinterConfig | None, list[tuple[str, str]]]:
    configs, errors = parse_printers({"K1": table})
    return configs.get("K1"), errors


def test_a_full_network_printer_table() -> None:
    c, errors = parse_one({"backend": "network", "host": "10.0.0.5", "tcp_port": 9100, "width": 58,
                           "profile": "xprinter", "native_qr": False, "cut": "full", "status_timeout": 1})
    assert errors == []
    assert c is not None
    assert (c.host, c.tcp_port, c.width, c.status_timeout) == ("10.0.0.5", 9100, 58, 1.0)
    assert (c.profile.name, c.profile.chinese_mode, c.profile.native_qr, c.profile.cut) == (
        "xprinter", "default", False, "full")
    assert c.where() == "打印机 K1 (network 10.0.0.5:9100)"


def test_defaults() -> None:
    c, errors = parse_one({"backend": "serial", "port": "/dev/ttyS0"})
    assert errors == []
    assert c is not None
    assert (c.baudrate, c.width, c.profile.name, c.profile.chinese_mode) == (9600, 80, "generic-gb18030", "fs")


@pytest.mark.parametrize(
    ("table", "key", "fragment"),
    [
        ({"backend": "serial", "port": "/dev/ttyS0", "baudrate": "fast"}, "printers.K1.baudrate",
         "应为整数 (an integer), got 'fast'"),
        ({"backend": "serial", "port": "/dev/ttyS0", "baudrat": 9600}, "printers.K1.baudrat", "'baudrate'"),
        ({"backend": "serial", "port": "/dev/ttyS0", "baudrate": 9601}, "printers.K1.baudrate", "波特率"),
        ({"backend": "usb", "vendor_id": 0x0416}, "printers.K1.product_id", "required"),
        ({"backend": "usb", "vendor_id": 0x0416, "product_id": 1, "host": "x"}, "printers.K1.host",
         "只适用于 backend = network"),
        ({"backend": "bluetooth"}, "printers.K1.backend", "unknown backend"),
        ({}, "printers.K1.backend", "缺少 backend"),
        ({"backend": "dummy", "width": 76}, "printers.K1.width", "58 或 80"),
        ({"backend": "dummy", "profile": "epson"}, "printers.K1.profile", "epson-tm-t82-cn"),
        ({"backend": "dummy", "native_qr": 1}, "printers.K1.native_qr", "boolean"),
        ({"backend": "dummy", "width": True}, "printers.K1.width", "integer"),
        ({"backend": "dummy", "chinese_mode": "gbk"}, "printers.K1.chinese_mode", "fs / default / utf8"),
        ({"backend": "network", "host": "h", "tcp_port": 70000}, "printers.K1.tcp_port", "1-65535"),
        ({"backend": "dummy", "status_timeout": 0}, "printers.K1.status_timeout", "0.1-30"),
        ({"backend": "dummy", "dummy_status": "jam"}, "printers.K1.dummy_status", "cover_open"),
    ],
)
def test_errors_name_the_key_and_say_what_is_wrong(table: dict[str, object], key: str, fragment: str) -> None:
    c, errors = parse_one(table)
    assert c is None
    assert key in [k for k, _ in errors]
    assert any(fragment in m for k, m in errors if k == key), errors


def test_all_errors_are_reported_at_once_and_good_printers_kept() -> None:
    configs, errors = parse_printers({
        "K1": {"backend": "usb", "vendor_id": 1, "product_id": 2},
        "K2": {"backend": "serial", "prot": "/dev/ttyS0", "baudrate": "x"},
        "W1": "not a table",
    })
    assert list(configs) == ["K1"]
    assert {k for k, _ in errors} == {"printers.K2.prot", "printers.K2.baudrate", "printers.K2.port", "printers.W1"}
