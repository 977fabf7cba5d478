"""Display tests: a real hall (embedded broker + hub + sample hall) per test, real widgets offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from display.scenes import HallDriver
from hallq.testing import LocalHall


@pytest.fixture
def app(qapp: Any) -> Any:
    from hallq.qt.app import make_app

    return make_app()


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalHall]:
    with LocalHall(db=tmp_path / "hall.db") as hall:
        yield hall


@pytest.fixture
def driver(local: LocalHall) -> HallDriver:
    return HallDriver(local)
