"""Fixtures for the printer tests: hardware stand-ins started per test."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.printers.printer_fakes import PtyPrinter, TcpPrinter


@pytest.fixture
def tcp_printer() -> Iterator[TcpPrinter]:
    p = TcpPrinter()
    yield p
    p.close()


@pytest.fixture
def pty_printer() -> Iterator[PtyPrinter]:
    p = PtyPrinter()
    yield p
    p.close()


@pytest.fixture
def fake_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``lp`` and ``lpstat`` scripts on PATH; a job's bytes land in the returned file."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    spool = tmp_path / "spool.bin"
    scripts = {
        "lp": f'#!/bin/sh\ncat >> "{spool}"\n',
        "lpstat": (
            "#!/bin/sh\ncase \"$1\" in\n"
            "  -e) echo hallq-raw ;;\n"
            "  -v) echo 'device for hallq-raw: socket://127.0.0.1:9100' ;;\n"
            "  -d) echo 'system default destination: hallq-raw' ;;\n"
            "  -p) [ \"$2\" = hallq-raw ] && echo 'printer hallq-raw is idle.  enabled since today' || exit 1 ;;\n"
            "esac\n"
        ),
    }
    for name, body in scripts.items():
        f = bindir / name
        f.write_text(body)
        f.chmod(f.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return spool
