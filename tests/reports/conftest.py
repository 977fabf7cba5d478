"""Fixtures for the report tests: the small hall and the hand-built day (see known_day.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.hall import Hall

from .known_day import make_small_hall, write_known_day


@pytest.fixture
def small() -> Hall:
    return make_small_hall()


@pytest.fixture
def known_db(tmp_path: Path, small: Hall) -> Path:
    db = tmp_path / "known.db"
    write_known_day(small, db)
    return db
