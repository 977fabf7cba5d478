"""LED bars: a contract suite over every protocol, frames over a real pty pair and loop://, dead ports."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import serial

from display.led import LedDriver, SerialLink, make_protocol
from display.led.protocols import BxArea, BxDynamicArea, LineText, crc16_arc
from display.led.simulator import LedSimulator, pty_pair

PROTOCOLS = {
    "line-stx-etx": lambda: LineText("stx-etx"),
    "line-crlf-addressed-xor": lambda: LineText("crlf", address=7, areas=True, checksum="xor"),
    "line-sum": lambda: LineText("stx-etx", checksum="sum"),
    "onbon-bx": lambda: BxDynamicArea(address=1),
    "onbon-bx-wide": lambda: BxDynamicArea(address=300, area=BxArea(width=384, height=32)),
}
TEXTS = ["A001 请到S01", "暂停服务", "请A003号到S02窗口　请A002号到S01窗口　请A001号到R01窗口", "S01", "Z"]
needs_socat = pytest.mark.skipif(shutil.which("socat") is None, reason="socat not installed")


@pytest.fixture(params=sorted(PROTOCOLS))
def protocol(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return PROTOCOLS[request.param]()


# Properties only some framings have: resynchronising after noise needs a start marker, and
# dropping a corrupted frame needs a checksum. Each test runs over exactly the protocols that have it.
WITH_START = sorted(n for n, make in PROTOCOLS.items() if not (isinstance(p := make(), LineText) and not p.start))
WITH_CHECKSUM = sorted(n for n, make in PROTOCOLS.items()
                       if not (isinstance(p := make(), LineText) and p.checksum == "none"))


# ---------------------------------------------------------------- contract: every protocol


@pytest.mark.parametrize("text", TEXTS)
def test_encode_decode_round_trip(protocol, text: str) -> None:  # type: ignore[no-untyped-def]
    frames = protocol.decoder().feed(protocol.encode(text))
    assert [f.text for f in frames] == [text]


def test_frames_split_anywhere_and_glued_together_decode(protocol) -> None:  # type: ignore[no-untyped-def]
    data = b"".join(protocol.encode(t) for t in TEXTS)
    dec = protocol.decoder()
    got = []
    for i in range(0, len(data), 3):
        got += [f.text for f in dec.feed(data[i:i + 3])]
    assert got == TEXTS


@pytest.mark.parametrize("name", WITH_START)
def test_noise_before_a_frame_is_skipped(name: str) -> None:
    protocol = PROTOCOLS[name]()
    frames = protocol.decoder().feed(b"\x00\x17noise" + protocol.encode("A001 请到S01"))
    assert [f.text for f in frames] == ["A001 请到S01"]


def test_text_is_gb2312_and_unencodable_characters_become_a_question_mark(protocol) -> None:  # type: ignore[no-untyped-def]
    frame = protocol.encode("请𠮷女士到S01")
    assert "请".encode("gb2312") in frame
    assert [f.text for f in protocol.decoder().feed(frame)] == ["请？女士到S01"]


def test_control_characters_cannot_break_framing(protocol) -> None:  # type: ignore[no-untyped-def]
    frames = protocol.decoder().feed(protocol.encode("A001\x03\r\n请到S01"))
    assert [f.text for f in frames] == ["A001   请到S01"]


@pytest.mark.parametrize("name", WITH_CHECKSUM)
def test_a_corrupted_frame_is_dropped(name: str) -> None:
    protocol = PROTOCOLS[name]()
    good = protocol.encode("A001 请到S01")
    bad = bytearray(good)
    bad[len(bad) // 2 + 2] ^= 0x01
    frames = protocol.decoder().feed(bytes(bad) + protocol.encode("A002 请到S01"))
    assert [f.text for f in frames] == ["A002 请到S01"]


# ---------------------------------------------------------------- protocol specifics


def test_bx_crc_matches_the_public_ping_frame() -> None:
    """The public BX firmware code's ping frame ends in CRC bytes 68 F8 (CRC-16/ARC, little-endian)."""
    body = bytes.fromhex("01000080000000000000FE02" "0500" "A200010000")
    assert crc16_arc(body).to_bytes(2, "little") == bytes.fromhex("68F8")


def test_bx_frame_layout() -> None:
    frame = BxDynamicArea(address=1).encode("A001 请到S01")
    assert frame[:8] == b"\xa5" * 8 and frame[-1] == 0x5A
    assert frame[8:20] == bytes.fromhex("01000080" "000000" "00" "00" "00" "FE" "02")
    assert frame[22:24] == b"\xa3\x06"  # dynamic area update: RAM, not flash
    inner = frame[8:-1]
    assert b"\xa5" not in inner and b"\x5a" not in inner  # escaped


def test_bx_escapes_bytes_that_look_like_frame_markers() -> None:
    # 0x5A is 'Z'; GB2312 of 讠 is 0xDAA5 (contains A5)
    text = "Z讠Z"
    p = BxDynamicArea()
    frame = p.encode(text)
    assert b"\x5b\x02" in frame and b"\xa6\x02" in frame
    assert [f.text for f in p.decoder().feed(frame)] == [text]


def test_bx_scrolls_text_wider_than_the_area() -> None:
    p = BxDynamicArea(area=BxArea(width=64))  # 4 Chinese characters
    short, long = p.decoder().feed(p.encode("暂停") + p.encode("暂停服务中请稍候"))
    assert not short.scroll and long.scroll


def test_line_address_filters_other_bars_on_the_bus() -> None:
    mine, other = LineText(address=1), LineText(address=2)
    assert mine.decoder().feed(other.encode("A001") + mine.encode("A002"))[0].text == "A002"


def test_make_protocol_by_name() -> None:
    assert make_protocol("onbon-bx", area={"width": 128}).encode("x")
    assert make_protocol("line", framing="crlf").encode("x") == b"x\r\n"
    with pytest.raises(ValueError, match="unknown"):
        make_protocol("vendor-x")


# ---------------------------------------------------------------- over a wire


def test_driver_over_loop_url(protocol) -> None:  # type: ignore[no-untyped-def]
    port = serial.serial_for_url("loop://", timeout=0.05)
    sim = LedSimulator(protocol, port=port).start()
    driver = LedDriver(protocol, SerialLink("loop://", opener=lambda *a, **k: port)).start()
    try:
        driver.show("A001 请到S01")
        assert sim.wait_for("A001 请到S01", timeout=5)
        driver.show("暂停服务")
        assert sim.wait_for("暂停服务", timeout=5)
        assert not driver.show("暂停服务")  # unchanged text is not sent again
    finally:
        driver.stop()
        sim.stop()


@needs_socat
def test_driver_over_a_real_pty_pair(protocol, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pty_pair(tmp_path) as (app_end, bar_end):
        sim = LedSimulator(protocol, bar_end).start()
        driver = LedDriver(protocol, SerialLink(app_end, 9600)).start()
        try:
            for text in TEXTS:
                driver.show(text)
                assert sim.wait_for(text, timeout=5), sim.shown
        finally:
            driver.stop()
            sim.stop()


def test_a_dead_port_never_blocks(tmp_path: Path) -> None:
    states: list[bool] = []
    link = SerialLink(str(tmp_path / "ttyUSB9"), reopen_s=0.1, on_status=lambda up, err: states.append(up))
    driver = LedDriver(LineText(), link).start()
    try:
        t0 = time.monotonic()
        for i in range(200):
            driver.show(f"A{i:03d} 请到S01")
        assert time.monotonic() - t0 < 0.5
        time.sleep(0.3)
        assert not link.connected and link.last_error and states and not any(states)
    finally:
        t0 = time.monotonic()
        driver.stop()
        assert time.monotonic() - t0 < 3.5


@contextlib.contextmanager
def plugged_in(folder: Path, protocol: Any) -> Iterator[LedSimulator]:
    """A bar that is on and listening before the port appears at ``folder/led-app``, as a real
    adapter is plugged into a powered bar. (pyserial flushes input when it opens a port, so a
    simulator opened after the link had written would drop the re-sent frame.)"""
    hidden = folder / "pending"
    hidden.mkdir(exist_ok=True)
    with pty_pair(hidden) as (app_end, bar_end):
        sim = LedSimulator(protocol, bar_end).start()
        try:
            (folder / "led-app").symlink_to(os.readlink(app_end))
            yield sim
        finally:
            sim.stop()
            (folder / "led-app").unlink(missing_ok=True)


@needs_socat
def test_reconnects_when_the_port_comes_back_and_repaints(tmp_path: Path) -> None:
    protocol = BxDynamicArea()
    link = SerialLink(str(tmp_path / "led-app"), reopen_s=0.1, refresh_s=0)
    driver = LedDriver(protocol, link).start()
    try:
        driver.show("A007 请到S01")  # the port does not exist yet
        time.sleep(0.3)
        assert not link.connected
        with plugged_in(tmp_path, protocol) as sim:  # the USB adapter is plugged in
            assert sim.wait_for("A007 请到S01", timeout=5)  # what the bar should show, re-sent
        # unplugged again: writing fails, the link notices and keeps retrying without blocking
        deadline = time.monotonic() + 5
        while link.connected and time.monotonic() < deadline:
            driver.show(f"A{int(time.monotonic() * 1000) % 1000:03d}")
            time.sleep(0.05)
        assert not link.connected
        with plugged_in(tmp_path, protocol) as sim:
            driver.show("A008 请到S01")
            assert sim.wait_for("A008 请到S01", timeout=5)
    finally:
        driver.stop()
