"""Issue 13 §6: simulated devices behave like real ones, and a run the hub refused says so."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import sqlite3
from collections import Counter
from pathlib import Path

from hub.config import load_hall
from launcher.samples import sample_hall_path
from launcher.simulate.cli import refusal_report
from launcher.simulate.engine import DayRun
from launcher.simulate.model import Behaviour, parse_profile
from launcher.simulate.run import simulate_day

DAY = dt.date(2026, 11, 23)


def test_devices_keep_to_the_rate_limit_and_every_command_is_answered(tmp_path: Path) -> None:
    """rate_per_minute = 120 (docs/config.md's advice) with a small burst: the hub would refuse a
    device that sends as fast as it can; simulated devices pace themselves and retry, so nothing
    is refused and every ticket the kiosks were told about is in the hub's database."""
    base = load_hall(sample_hall_path())
    hall = dataclasses.replace(base, policy=dataclasses.replace(base.policy, rate_per_minute=120, rate_burst=4))
    db = tmp_path / "day.db"
    result = simulate_day(hall, DAY, db=db, profile=parse_profile("9:50"), transport="service", seed=3,
                          windows=3, kiosks=2)
    run = result.run
    assert run.errors == Counter(), run.errors
    assert run.refused() == 0
    assert run.counts["issued"] > 20
    assert run.paced_s > 0  # the kiosks did have to wait for their rate
    conn = sqlite3.connect(db)
    try:
        stored = dict(conn.execute("SELECT id, number FROM tickets").fetchall())
    finally:
        conn.close()
    assert stored == run.acknowledged


def test_the_guide_signs_in_before_verifying_green_channel_tickets(tmp_path: Path) -> None:
    hall = load_hall(sample_hall_path())
    assert hall.policy.guide_sign_in_required
    result = simulate_day(hall, DAY, db=tmp_path / "day.db", profile=parse_profile("9:80,10:80"),
                          transport="service", seed=4, windows=3, behaviour=Behaviour(priority=0.4))
    c = result.run.counts
    assert c["guide_signed_in"] == 1
    assert c["priority_verified"] > 0
    assert result.run.errors == Counter(), result.run.errors


def test_a_run_with_refusals_is_reported_loudly_with_a_non_zero_code() -> None:
    run = DayRun(errors=Counter({"arrive:rate_limited": 500, "verify:not_signed_in": 18}))
    out = io.StringIO()
    assert refusal_report(run, out) == 1
    text = out.getvalue()
    assert "518" in text
    assert "arrive: rate_limited" in text
    assert "verify: not_signed_in" in text
    quiet = io.StringIO()
    assert refusal_report(DayRun(), quiet) == 0
    assert quiet.getvalue() == ""
