"""A hand-built day for the report tests, written through the real core and store.

Monday 2026-11-23 in the small hall (tests/hub/hub_helpers.py: W1 serves A,B; W2 A then B;
W3 C then A). Every figure the tests expect is worked out by hand in KNOWN_DAY below.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hub"))
from hub_helpers import local_ts, make_small_hall  # noqa: F401 (make_small_hall: for conftest)

from hub.core import HallCore
from hub.hall import Hall
from hub.store import Store

DAY = dt.date(2026, 11, 23)

KNOWN_DAY = """
08:55 W1 (s1), W2 (s2), W3 (s3) open
09:00 A001 issued   09:02 A002   09:05 B001   09:06 C001   09:10 C002
09:10 W1 calls A001 → 09:20 受理, rated 5 at 09:20:30
09:12 W3 calls C001 → 09:30 咨询, rated 1 (态度差) at 09:30:30             差评
09:21 W1 calls A002 → 09:22 过号; 09:25 过号取号
09:25 W2 calls B001 → 09:40 不予受理 (材料不全); no rating → 0 timeout
09:35 W3 calls C002 → 09:36 transferred to queue A
09:45 W1 calls C002 (now queue A) → 09:55 受理, rated 2 (等候太久) at 09:55:20   差评
10:00 W2 补录 A003 (ma, 受理), rating skipped → 0 timeout
10:05 W1 calls A002 again → 10:12 咨询 (invited)
10:10 A004 issued; 10:12:10 W1 calls A004 → 10:12:40 受理 (A002's rating: 0 superseded); rated 4 at 10:13
10:15 B002 issued, never called → expired at the 12:00 mark
10:30 W2 paused, 10:45 resumed; 11:00 W1, W3 closed; 11:30 W2 closed; 12:01 tick
"""


class DayWriter:
    """Drive the core at given local times and commit each step like the hub does."""

    def __init__(self, hall: Hall, db: Path) -> None:
        self.hall = hall
        self.core = HallCore(hall)
        self.store = Store(db, durable=False)

    def at(self, hh: int, mm: int, ss: int = 0) -> float:
        return local_ts(DAY.year, DAY.month, DAY.day, hh, mm, ss)

    def do(self, when: tuple[int, ...], op: str, *args: Any, **kwargs: Any) -> None:
        now = self.at(*when)
        events = self.core.tick(now)
        if op:
            events += getattr(self.core, op)(now, *args, **kwargs)
        self.store.record(self.core, events)

    def close(self) -> None:
        self.store.close()


def write_known_day(hall: Hall, db: Path) -> None:
    d = DayWriter(hall, db)
    d.do((8, 55), "open_window", "W1", "s1")
    d.do((8, 55), "open_window", "W2", "s2")
    d.do((8, 55), "open_window", "W3", "s3")
    for when, matter in (((9, 0), "ma"), ((9, 2), "ma2"), ((9, 5), "mb"), ((9, 6), "mc"), ((9, 10), "mc")):
        d.do(when, "issue", matter=matter, situation="s", device="K1")
    d.do((9, 10), "call_ticket", "W1", "A001")
    d.do((9, 12), "call_ticket", "W3", "C001")
    d.do((9, 20), "outcome", "W1", "accepted")
    d.do((9, 20, 30), "evaluate", "W1", 5)
    d.do((9, 21), "call_ticket", "W1", "A002")
    d.do((9, 22), "outcome", "W1", "passed")
    d.do((9, 25), "retake", "A002")
    d.do((9, 25), "call_ticket", "W2", "B001")
    d.do((9, 30), "outcome", "W3", "consulted")
    d.do((9, 30, 30), "evaluate", "W3", 1, "态度差")
    d.do((9, 35), "call_ticket", "W3", "C002")
    d.do((9, 36), "transfer", window="W3", to_queue="A")
    d.do((9, 40), "outcome", "W2", "rejected", "材料不全")
    d.do((9, 45), "call_ticket", "W1", "C002")
    d.do((9, 55), "outcome", "W1", "accepted")
    d.do((9, 55, 20), "evaluate", "W1", 2, "等候太久")
    d.do((10, 0), "backfill", "W2", "ma", "s", "accepted")
    d.do((10, 0, 30), "skip_evaluation", "W2")
    d.do((10, 5), "call_ticket", "W1", "A002")
    d.do((10, 10), "issue", matter="ma", situation="s", device="K1")
    d.do((10, 12), "outcome", "W1", "consulted")
    d.do((10, 12, 10), "call_ticket", "W1", "A004")
    d.do((10, 12, 40), "outcome", "W1", "accepted")
    d.do((10, 13), "evaluate", "W1", 4)
    d.do((10, 15), "issue", matter="mb", situation="s", device="K1")
    d.do((10, 30), "pause", "W2", "休息")
    d.do((10, 45), "resume", "W2")
    d.do((11, 0), "close_window", "W1")
    d.do((11, 0), "close_window", "W3")
    d.do((11, 30), "close_window", "W2")
    d.do((12, 1), "")
    d.close()
