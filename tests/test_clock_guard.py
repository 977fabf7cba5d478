"""No code and no test reads the machine's date, time zone or weekday behind the hall's clock.

Every run of the suite is moved a year ahead onto a Sunday in a foreign machine zone
(``tests/conftest.py``); this guard catches the calls that would dodge that move, so a
time bomb fails at review time rather than the week after it was written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hallq import clock
from launcher.cli import main

ROOT = Path(__file__).resolve().parent.parent
CODE = ["hallq", "hub", "kiosk", "pad", "display", "printers", "launcher", "web", "notify", "tests", "bench"]
# The machine's date/zone, read directly. A clock passed in or hallq.clock is the way.
FORBIDDEN = re.compile(
    r"\bdate\.today\(\)|\bdatetime\.(now|today)\(\s*\)|\btime\.(localtime|strftime|ctime)\("
    r"|\bfromtimestamp\(\s*[^,()]*(\([^()]*\))?[^,()]*\)|\.astimezone\(\s*\)")
ALLOWED = {
    "hallq/clock.py",  # the one reader of the machine's time
    "hallq/logs.py",  # log lines carry the machine's own time, with its offset, for IT
    "tests/conftest.py",  # computes the shift from the real date
    "tests/test_clock_guard.py",
}
WALL_TIME = re.compile(r"\btime\.time\(\)|=\s*time\.time\b")


def _sources() -> list[Path]:
    return [p for d in CODE if (ROOT / d).is_dir() for p in (ROOT / d).rglob("*.py")]


def test_no_code_or_test_reads_the_machines_date_or_zone() -> None:
    hits = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line.split("#", 1)[0]):
                hits.append(f"{rel}:{n}: {line.strip()}")
    assert not hits, "use hallq.clock (the hall's zone) or a clock passed in:\n" + "\n".join(hits)


def test_production_code_reads_wall_time_only_through_the_hall_clock() -> None:
    hits = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("tests/", "bench/")) or rel in ALLOWED:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if WALL_TIME.search(line.split("#", 1)[0]):
                hits.append(f"{rel}:{n}: {line.strip()}")
    assert not hits, "wall time comes from hallq.clock.now (or a clock passed in):\n" + "\n".join(hits)


def test_the_guard_catches_what_it_is_for() -> None:
    for bad in ("d = dt.date.today()", "x = datetime.now()", "time.localtime(t)", "dt.datetime.fromtimestamp(at)",
                "dt.datetime.fromtimestamp(float(x))", "now.astimezone()", "time.strftime('%H')"):
        assert FORBIDDEN.search(bad), bad
    for good in ("dt.datetime.fromtimestamp(at, tz)", "dt.datetime.now(tz)", "hallclock.today(hall.timezone)"):
        assert not FORBIDDEN.search(good), good


def test_this_run_is_moved_away_from_today_and_from_the_halls_zone() -> None:
    """tests/conftest.py moved the clock (by default a year ahead, onto a Sunday) and the machine's zone."""
    real = dt.datetime.fromtimestamp(clock.now() - clock.SHIFT, dt.UTC).date()
    assert clock.SHIFT != 0 and clock.today("Asia/Shanghai") != real
    assert os.environ["TZ"] not in ("Asia/Shanghai", "PRC", "Asia/Chongqing")


def test_the_shift_reaches_processes_the_tests_start() -> None:
    out = subprocess.run([sys.executable, "-c", "from hallq import clock; print(clock.today().isoformat())"],
                         capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    assert out == clock.today().isoformat()


def test_a_bad_shift_says_what_and_where() -> None:
    for raw, words in (("tomorrow", "expected a number of seconds"), ("nan", "finite"), ("1e300", "within 100 years")):
        r = subprocess.run([sys.executable, "-c", "import hallq.clock"], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "HALLQ_CLOCK_SHIFT": raw}, check=False)
        assert r.returncode != 0 and "HALLQ_CLOCK_SHIFT" in r.stderr and words in r.stderr, r.stderr


def test_dates_are_the_halls_not_the_machines() -> None:
    at = dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC).timestamp()  # Monday 07:30 in Beijing
    assert clock.local(at, "Asia/Shanghai").date() == dt.date(2026, 11, 23)
    assert clock.local(at, "Asia/Shanghai").weekday() == 0
    assert clock.local(at).utcoffset() == dt.timedelta(hours=8)  # default zone: the hall's, not TZ


def test_purge_today_comes_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "x.db"
    import sqlite3

    sqlite3.connect(db).close()
    assert main(["purge", "--db", str(db), "--today", "23/11/2026"]) == 2
    assert "--today '23/11/2026'" in capsys.readouterr().err
