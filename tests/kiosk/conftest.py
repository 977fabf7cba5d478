"""Kiosk fixtures: a real hall (session broker, real hub on a tmp SQLite file, unique hall id),
the real kiosk (client, model, controller, window) on it, and helpers to wait and tap."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hallq import i18n
from hub.config import load_hall
from launcher.local_hall import LocalHall, open_all_day
from launcher.samples import sample_hall_path
from tests.printers.escpos_reader import parse

SAMPLE_ID = "11010519491231002X"  # GB 11643 test vectors, not people
OTHER_ID = "440524188001010014"
MASKED = "110105********002X"


class FakeClock:
    def __init__(self, start: float | None = None) -> None:
        self.now = start if start is not None else time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def wait_for(qtbot: Any, cond: Callable[[], bool], timeout: float = 10.0) -> None:
    qtbot.waitUntil(cond, timeout=int(timeout * 1000))


def slip_text(data: bytes) -> str:
    """The text lines an ESC/POS printer would print, decoded independently from the bytes."""
    return "\n".join(line.text for line in parse(data).lines)


@pytest.fixture
def local_hall(embedded_broker: str, tmp_path: Path) -> Iterator[LocalHall]:
    hall = dataclasses.replace(open_all_day(load_hall(sample_hall_path())), id=f"k{uuid.uuid4().hex[:10]}")
    lh = LocalHall(hall, tmp_path / "hall.db", url=embedded_broker).start()
    yield lh
    lh.stop()


class KioskRig:
    def __init__(self, qtbot: Any, hall: LocalHall, tmp: Path) -> None:
        self.qtbot, self.hall, self.tmp = qtbot, hall, tmp
        self.controller: Any = None

    def start(self, *, printer: str = "dummy", clock: Callable[[], float] = time.time, idle: float = 60.0,
              reprint_grace: float = 60.0, size: tuple[int, int] = (1080, 1920), **kwargs: Any) -> Any:
        from kiosk.controller import KioskController
        from kiosk.model import KioskModel
        from kiosk.views import KioskWindow

        wedge = kwargs.pop("wedge", None)
        self.client = self.hall.client("K1")
        self.model = KioskModel("K1", clock=clock, idle_timeout=idle, reprint_grace=reprint_grace)
        self.controller = KioskController(self.client, self.model, spool_path=self.tmp / "spool.json",
                                          printer_override=printer, request_timeout=kwargs.pop("timeout", 2.0),
                                          **kwargs)
        self.window = KioskWindow(self.model, wedge)
        self.qtbot.addWidget(self.window)
        self.window.resize(*size)
        self.window.show()
        wait_for(self.qtbot, lambda: self.model.online and self.model.printer.checked)
        return self

    def tap(self, text: str) -> None:
        from PySide6.QtCore import Qt

        b = self.window.button(text)
        assert b.isEnabled(), f"button {text!r} is disabled"
        self.qtbot.mouseClick(b, Qt.MouseButton.LeftButton)

    def type_keys(self, text: str) -> None:
        for c in text:
            self.tap(c)

    def screen(self) -> str:
        return self.model.visible.value

    def wait_screen(self, name: str, timeout: float = 10.0) -> None:
        wait_for(self.qtbot, lambda: self.screen() == name, timeout)

    @property
    def printed(self) -> bytes:
        return self.controller.printer.output

    def close(self) -> None:
        if self.controller is not None:
            self.controller.close()


@pytest.fixture
def kiosk(qtbot: Any, local_hall: LocalHall, tmp_path: Path) -> Iterator[KioskRig]:
    i18n.set_language("zh_CN")
    rig = KioskRig(qtbot, local_hall, tmp_path)
    yield rig
    rig.close()
    i18n.set_language("zh_CN")
