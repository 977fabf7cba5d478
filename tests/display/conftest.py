"""Display tests: a real hall (embedded broker + hub + sample hall) per test, real widgets offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from launcher.local_hall import LocalHall
from launcher.scenes.display import HallDriver


@pytest.fixture
def app(qapp: Any) -> Any:
    from hallq.qt.app import make_app

    return make_app()


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalHall]:
    with LocalHall(db=tmp_path / "hall.db") as hall:
        yield hall
    # clients are stopped: now delete the screens in a known order, not in a random GC cycle later
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    objects = hall.__dict__.pop("_display_objects", [])
    for obj in objects:
        for timer in getattr(obj, "findChildren", lambda *_: [])(QTimer):
            timer.stop()
        if isinstance(obj, QWidget):
            obj.close()
            obj.deleteLater()
    app = QApplication.instance()
    if app is not None:
        app.processEvents()
    objects.clear()
    gc.collect()


@pytest.fixture
def driver(local: LocalHall) -> HallDriver:
    return HallDriver(local)
