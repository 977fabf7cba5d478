"""The hall-day simulator: its model, a day through the hub service, and the CLI through MQTT."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import zoneinfo
from pathlib import Path

import pytest

from hallq import idcard
from hub.config import load_hall
from hub.hall import Role
from launcher.cli import main
from launcher.samples import sample_hall_path
from launcher.simulate.model import (
    DEFAULT_PROFILE,
    arrivals,
    fake_id_number,
    parse_profile,
    sessions,
    sim_hall,
)
from launcher.simulate.report import summarize
from launcher.simulate.run import simulate_day

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def hall():  # type: ignore[no-untyped-def]
    return load_hall(sample_hall_path())


def test_profile_forms() -> None:
    assert parse_profile(None) == DEFAULT_PROFILE
    assert parse_profile("9:100, 14:50") == {9: 100.0, 14: 50.0}
    scaled = parse_profile("85")
    assert max(scaled.values()) == pytest.approx(85)
    assert scaled[10] > scaled[9] > scaled[8]  # the morning peak keeps its shape
    for bad in ("25:10", "9:-1", "x", "-3"):
        with pytest.raises(ValueError):  # noqa: PT011 - the message is for people
            parse_profile(bad)


def test_arrivals_follow_the_profile_inside_opening_hours(hall) -> None:  # type: ignore[no-untyped-def]
    open_sessions = sessions(hall, DAY, TZ)
    times = list(arrivals({9: 600, 12: 600, 15: 300}, open_sessions, DAY, TZ, random.Random(3)))
    hours = [dt.datetime.fromtimestamp(t, TZ).hour for t in times]
    assert all(any(a <= t < b for a, b in open_sessions) for t in times)
    assert 12 not in hours  # lunch: the hall is closed whatever the profile says
    assert 500 < hours.count(9) < 700
    assert 220 < hours.count(15) < 380
    assert times == sorted(times)


def test_fake_id_numbers_pass_the_gb11643_check() -> None:
    rng = random.Random(1)
    assert all(idcard.is_valid_id(fake_id_number(rng)) for _ in range(200))


def test_sim_hall_staffs_every_window_and_grows_the_hall(hall) -> None:  # type: ignore[no-untyped-def]
    big, st = sim_hall(hall, windows=30)
    assert len(st.windows) == 30
    assert len(set(st.staff.values())) == 30
    assert {"W001", "W011"} <= set(big.windows)
    for w in st.windows:
        assert big.devices[st.pads[w]].role is Role.PAD
        assert big.devices[st.pads[w]].window == w
        assert big.devices[st.evaluators[w]].window == w
    small, st3 = sim_hall(hall, windows=3)
    served = {q for w in st3.windows for q in small.windows[w].queues}
    assert len(st3.windows) == 3
    assert len(served) >= 3


def test_a_day_through_the_hub_service(hall, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    profile = parse_profile("40")
    result = simulate_day(hall, DAY, db=tmp_path / "day.db", profile=profile, transport="service", seed=5)
    s = result.summary
    assert s is not None
    c = result.run.counts
    assert s.tickets == c["issued"] > 100
    assert s.states["accepted"]
    assert s.states["consulted"]
    assert s.states["passed"] is not None
    assert s.states["waiting"] == 0
    assert s.states["called"] == 0
    assert sum(v for k, v in s.evaluations.items() if k) == c["rated"] > 0
    assert s.waits_s
    assert min(s.waits_s) >= 0
    conn = sqlite3.connect(tmp_path / "day.db")
    try:
        ats = [r[0] for r in conn.execute("SELECT at FROM events")]
        ids = {r[0]: r[1] for r in conn.execute("SELECT id, number FROM tickets")}
    finally:
        conn.close()
    # events carry the simulated day's times, in the hall's time zone
    assert {dt.datetime.fromtimestamp(a, TZ).date() for a in ats} == {DAY}
    assert min(dt.datetime.fromtimestamp(a, TZ).time() for a in ats) >= dt.time(8, 15)
    for tid, number in result.run.acknowledged.items():
        assert ids[tid] == number
    again = simulate_day(hall, DAY, db=tmp_path / "again.db", profile=profile, transport="service", seed=5)
    assert again.summary is not None
    assert again.summary.states == s.states


def test_cli_simulate_through_broker_and_hub(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "day.db"
    code = main(["simulate", "--db", str(db), "--day", "2026-11-24", "--speed", "0", "--arrivals-per-hour",
                 "9:40,10:30,14:20", "--windows", "6", "--seed", "2"])
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0, out + captured.err
    assert "wait (issue → first call): mean" in out
    assert "受理 accepted" in out
    assert "tickets" in out
    s = summarize(db, "2026-11-24")
    assert s.tickets > 20
    assert s.states["accepted"] > 0


def test_cli_refuses_without_db(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--speed", "0"]) == 2
    assert "--db" in capsys.readouterr().err
