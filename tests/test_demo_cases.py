"""``hallq demo`` plays cases (办件) too: 受理 opens them, the simulated 转递人员, back offices and 出件 window
move them, so that the reports and the guide's 办件转递 tab have something to show during a demo."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from hub.config import load_hall
from hub.reports.sources import read_case_rows
from hub.workdays import WorkCalendar, library_years
from launcher.demo import demo_hall
from launcher.samples import sample_hall_path

HALLQ = [sys.executable, "-m", "launcher"]


def test_a_headless_demo_moves_cases_through_sign_and_decision(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    db = tmp_path / "demo.db"
    r = subprocess.run([*HALLQ, "demo", "--headless", "--duration", "40", "--pace", "0.2", "--db", str(db)],
                       capture_output=True, text=True, timeout=120, env=env, check=False)
    assert r.returncode == 0, r.stderr[-3000:]
    steps: dict[str, set[str]] = defaultdict(set)  # case -> the event types the hub wrote for it
    departments: dict[str, str] = {}
    for row in read_case_rows(db):
        steps[str(row.data["case"])].add(str(row.data["type"]))
        if row.data["type"] == "case.accepted":
            departments[str(row.data["case"])] = str(row.data["department"])
    assert steps, r.stdout[-3000:]
    carried = [c for c, s in steps.items() if {"case.accepted", "case.picked_up", "case.signed"} <= s
               and s & {"case.approved", "case.denied"}]
    assert carried, {c: sorted(s) for c, s in steps.items()}
    assert {departments[c] for c in carried} <= {"公安局", "市场监督管理局"}  # the sample hall's back offices
    assert re.search(r"📁 G2: 转递取件 \S+ ", r.stdout)  # the terminal tells every case step
    assert re.search(r"📁 BO-(GA|SJ): 签收 \S+ ", r.stdout)
    opened = int(re.search(r"cases opened (\d+)", r.stdout).group(1))  # type: ignore[union-attr]
    assert opened == sum(1 for s in steps.values() if "case.accepted" in s)
    assert "calendar_unknown" not in r.stdout  # a 承诺件 gets a promised date in any year the demo runs


def test_the_demo_hall_describes_years_the_holiday_package_does_not_know() -> None:
    hall = load_hall(sample_hall_path())
    last = library_years()[1]
    known = demo_hall(hall, dt.date(last, 6, 1))
    assert (known.cases.calendar.own_years if known.cases else frozenset()) == {last + 1}
    later = demo_hall(hall, dt.date(last + 3, 12, 31))
    assert later.cases is not None
    assert later.cases.calendar.own_years == {last + 3, last + 4}
    assert later.cases.calendar.add_working_days(dt.date(last + 3, 12, 31), 1).weekday() < 5
    assert later.policy.opening_hours == ((dt.time(0, 0), dt.time(23, 59, 59)),)  # open all day, as before
    assert not WorkCalendar().covers(dt.date(last + 3, 1, 1))  # the hall file itself is left as it was
    assert hall.cases is None or last + 3 not in hall.cases.calendar.own_years
