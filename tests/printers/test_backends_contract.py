"""One contract over every backend: what is printed arrives byte for byte; status is typed and time-boxed.

Stand-ins: the python-escpos Dummy (with the emulator), a file, a pty serial port, a TCP
printer on 127.0.0.1, the CUPS path through fake ``lp``/``lpstat``; USB has no stand-in, so
only its "device missing" contract is tested.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from printers.backends import check_status, open_printer, print_document
from printers.config import PrinterConfig, parse_printers
from printers.errors import PrinterError
from printers.escpos_render import render
from printers.slip import sample_slip
from tests.printers.printer_fakes import PtyPrinter, TcpPrinter


def cfg(**table: Any) -> PrinterConfig:
    configs, errors = parse_printers({"T": {"width": 58, **table}})
    assert errors == []
    return configs["T"]


Received = Callable[[], bytes]


@pytest.fixture(params=["dummy", "file", "serial", "network", "cups"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[PrinterConfig, Received, Any]:
    kind = request.param
    if kind == "dummy":
        c = cfg(backend="dummy")
        p = open_printer(c)
        return c, lambda: bytes(p.output), p
    if kind == "file":
        out = tmp_path / "lp0"
        c = cfg(backend="file", path=str(out))
        return c, out.read_bytes, None
    if kind == "serial":
        pty = PtyPrinter()
        request.addfinalizer(pty.close)
        return cfg(backend="serial", port=pty.port, baudrate=115200), lambda: _settled(pty.received), None
    if kind == "network":
        tcp = TcpPrinter()
        request.addfinalizer(tcp.close)  # noqa: PT021
        return cfg(backend="network", host="127.0.0.1", tcp_port=tcp.port), lambda: _settled(tcp.received), None
    spool = request.getfixturevalue("fake_lp")
    return cfg(backend="cups", queue="hallq-raw"), spool.read_bytes, None


def _settled(buf: bytearray) -> bytes:
    """Wait until a reader thread stops receiving (at most 2 s)."""
    last, deadline = -1, time.monotonic() + 2
    while time.monotonic() < deadline:
        if len(buf) == last:
            break
        last = len(buf)
        time.sleep(0.1)
    return bytes(buf)


def test_printed_bytes_arrive_unchanged(backend: tuple[PrinterConfig, Received, Any]) -> None:
    c, received, printer = backend
    doc = sample_slip().to_document(58)
    status = print_document(c, doc, printer=printer)
    assert status.error is None
    data = render(doc, c.profile)
    got = received()
    # status queries (DLE EOT n) may precede the job on backends that answer them
    assert got.endswith((data, data + b"\n"))  # lp appends one LF at close
    prefix = got[: got.rfind(data)]
    assert prefix.replace(b"\x10\x04", b"").strip(b"\x01\x02\x04") == b""


def test_status_is_reported_within_the_time_limit(backend: tuple[PrinterConfig, Received, Any]) -> None:
    c, _, printer = backend
    t0 = time.monotonic()
    status = check_status(c, timeout=1.0, printer=printer)
    assert time.monotonic() - t0 < 2.0
    assert status.error is None
    assert status.online is True
    if c.backend in ("dummy", "serial", "network"):
        assert (status.paper, status.cover_open) == ("ok", False)
    else:
        assert status.paper == "unknown"


STATES = [
    ("near_end", "near_end", "paper_near_end", False),
    ("out", "out", "paper_out", True),
    ("offline", "ok", "offline", True),
    ("cover_open", "ok", "cover_open", True),
]


def _answering(kind: str, state: str, request: pytest.FixtureRequest) -> PrinterConfig:
    if kind == "dummy":
        return cfg(backend="dummy", dummy_status=state)
    if kind == "serial":
        pty = PtyPrinter(state)
        request.addfinalizer(pty.close)
        return cfg(backend="serial", port=pty.port)
    tcp = TcpPrinter(state)
    request.addfinalizer(tcp.close)
    return cfg(backend="network", host="127.0.0.1", tcp_port=tcp.port)


@pytest.mark.parametrize("kind", ["dummy", "serial", "network"])
@pytest.mark.parametrize(("state", "paper", "code", "blocking"), STATES)
def test_faults_become_typed_errors(kind: str, state: str, paper: str, code: str, blocking: bool,
                                    request: pytest.FixtureRequest) -> None:
    c = _answering(kind, state, request)
    status = check_status(c, timeout=1.5)
    assert status.error is not None
    assert (status.error.code, status.error.blocking, status.paper) == (code, blocking, paper)
    assert status.error.message
    assert not status.error.message.isascii()
    assert status.cover_open is (state == "cover_open")
    if blocking:
        with pytest.raises(PrinterError) as info:
            print_document(c, sample_slip().to_document(58))
        assert info.value.code == code
    else:
        assert print_document(c, sample_slip().to_document(58)).paper == "near_end"


@pytest.mark.parametrize("kind", ["dummy", "serial", "network"])
def test_a_printer_that_never_answers_times_out(kind: str, request: pytest.FixtureRequest) -> None:
    c = _answering(kind, "silent", request)
    t0 = time.monotonic()
    status = check_status(c, timeout=0.5)
    assert time.monotonic() - t0 < 1.5
    assert status.error is not None
    assert status.error.code == "status_timeout"
    assert status.paper == "unknown"


def test_a_read_that_blocks_forever_is_cut_off() -> None:
    class Stuck:
        def _raw(self, msg: bytes) -> None:
            pass

        def _read(self) -> bytes:
            time.sleep(30)
            return b""

    t0 = time.monotonic()
    status = check_status(cfg(backend="dummy"), timeout=0.3, printer=Stuck())
    assert time.monotonic() - t0 < 1.5
    assert status.error is not None
    assert status.error.code == "status_timeout"


def test_status_query_can_be_switched_off_for_models_that_never_answer(request: pytest.FixtureRequest) -> None:
    tcp = TcpPrinter("silent")
    request.addfinalizer(tcp.close)
    c = cfg(backend="network", host="127.0.0.1", tcp_port=tcp.port, profile="gprinter-no-status")
    t0 = time.monotonic()
    assert print_document(c, sample_slip().to_document(58)).error is None
    assert time.monotonic() - t0 < 1.0
    assert b"\x10\x04" not in _settled(tcp.received)


def _free_port() -> int:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize(
    ("table", "codes"),
    [
        ({"backend": "network", "host": "127.0.0.1"}, {"unreachable"}),  # tcp_port patched to a closed port
        ({"backend": "serial", "port": "/dev/ttyHALLQ-missing"}, {"device_missing"}),
        ({"backend": "usb", "vendor_id": 0x0416, "product_id": 0x5011}, {"device_missing", "backend_unavailable"}),
        ({"backend": "file", "path": "/nonexistent-dir/lp0"}, {"device_missing"}),
        ({"backend": "cups", "queue": "no-such-queue"}, {"device_missing", "backend_unavailable"}),
    ],
)
def test_missing_or_unreachable_devices_fail_fast_and_typed(table: dict[str, Any], codes: set[str]) -> None:
    if table.get("host") == "127.0.0.1":
        table = {**table, "tcp_port": _free_port()}
    c = cfg(**table)
    t0 = time.monotonic()
    status = check_status(c, timeout=0.5)
    assert time.monotonic() - t0 < 1.5
    assert status.error is not None
    assert status.error.code in codes
    assert status.error.where.startswith("打印机 T")
    with pytest.raises(PrinterError) as info:
        print_document(c, sample_slip().to_document(58), check=False)
    assert info.value.code in codes | {"device_missing", "unreachable", "backend_unavailable"}


def test_usb_missing_message_says_what_to_do() -> None:
    status = check_status(cfg(backend="usb", vendor_id=0x0416, product_id=0x5011), timeout=0.5)
    assert status.error is not None
    assert "0416:5011" in status.error.where
    assert "USB" in status.error.message


def test_width_mismatch_is_refused() -> None:
    with pytest.raises(ValueError, match="纸宽"):
        print_document(cfg(backend="dummy"), sample_slip().to_document(80))


def test_something_that_is_not_a_printer_is_a_bad_reply(request: pytest.FixtureRequest) -> None:
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    request.addfinalizer(srv.close)

    def http() -> None:
        conn, _ = srv.accept()
        conn.recv(16)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        time.sleep(1)
        conn.close()

    threading.Thread(target=http, daemon=True).start()
    status = check_status(cfg(backend="network", host="127.0.0.1", tcp_port=srv.getsockname()[1]), timeout=1)
    assert status.error is not None
    assert status.error.code == "bad_reply"
    assert "端口" in status.error.message
