"""A simulated month with cases, through one real hub over MQTT: 附件8 三 and 四 and the overdue list
come out non-empty, and agree with the hub's event log recomputed here by hand.

October 2026 in the sample hall: 国庆 (10-01..10-07) is not worked, Saturday 10-10 is (调休), so
the month has 18 working days. A small volume (peak 3 arrivals an hour) keeps it quick.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
import zoneinfo
from collections import Counter
from pathlib import Path

import pytest

from hub.config import load_hall
from hub.reports.build import Report, Settings, build_report
from hub.reports.period import Period
from hub.reports.sources import read_case_rows, read_rows
from launcher.cli import main
from launcher.samples import sample_hall_path
from launcher.simulate.cases import CaseBehaviour, CaseSim, with_back_offices
from launcher.simulate.model import parse_profile, sim_hall
from launcher.simulate.month import MonthResult, month_days, month_of, simulate_month

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
OCT = Period.of("monthly", dt.date(2026, 10, 1))
AS_OF = dt.date(2026, 10, 31)
DECISIONS = ("case.approved", "case.denied", "case.done_on_spot")


def quick_hall():  # type: ignore[no-untyped-def]
    """The sample hall without its rate limit (the simulated devices would wait for it on the wall clock)."""
    hall = load_hall(sample_hall_path())
    return dataclasses.replace(hall, policy=dataclasses.replace(hall.policy, rate_per_minute=0))


@pytest.fixture(scope="module")
def october(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MonthResult]:
    db = tmp_path_factory.mktemp("month") / "oct.db"
    first, last = month_of("2026-10")
    result = simulate_month(quick_hall(), first, last, db=db, profile=parse_profile("3"), windows=8, seed=3)
    return db, result


def report(db: Path) -> Report:
    hall = with_back_offices(sim_hall(quick_hall(), 8, 2)[0])[0]
    return build_report(read_rows(db, OCT), hall, OCT, Settings(as_of=AS_OF), case_rows=read_case_rows(db))


def case_events(db: Path) -> list[dict[str, object]]:
    with sqlite3.connect(db) as conn:
        return [json.loads(d) for (d,) in conn.execute("SELECT data FROM events WHERE type LIKE 'case.%' ORDER BY seq")]


def local_day(at: object) -> dt.date:
    assert isinstance(at, float | int)
    return dt.datetime.fromtimestamp(at, TZ).date()


def test_the_month_runs_its_working_days_without_a_refusal(october: tuple[Path, MonthResult]) -> None:
    _, r = october
    assert r.days[0] == dt.date(2026, 10, 8)  # 国庆 (10-01..07) is not worked
    assert dt.date(2026, 10, 10) in r.days  # the 调休 Saturday is
    assert dt.date(2026, 10, 11) not in r.days
    assert len(r.days) == 18  # 10-08, 09, 10 (调休) and three full weeks
    assert r.errors == Counter()  # the hub answered every ticket and case command
    k = r.cases.counts
    for op in ("case.accept", "case.pick_up", "case.sign", "case.notify_correction", "case.receive_correction",
               "case.approve", "case.send_out", "case.receive_result", "case.collect", "case.done_on_spot"):
        assert k[op] > 0, op
    assert k["case.locker"] + k["case.post"] > 0
    assert r.cases.late_departments


def test_attachment_8_three_and_four_and_the_overdue_list_are_not_empty(october: tuple[Path, MonthResult]) -> None:
    db, r = october
    cs = report(db).cases
    assert cs is not None
    assert cs.given
    assert cs.issues == []
    assert any(t.late for t in cs.transfers)  # 附件8 三: signed more than 1 working day after 受理
    assert sum(f.accepted for f in cs.completion) == r.cases.counts["case.accept"]  # 四: every case opened
    assert sum(f.late for f in cs.completion) > 0
    assert sum(f.on_time for f in cs.completion) > 0
    assert cs.overdue  # past the promised date, not decided on 10-31
    for f in cs.completion:  # the figures agree with each other
        assert f.on_time + f.late == len(f.on_time_cases) + len(f.late_cases)
        assert f.on_time_rate == (None if not f.on_time + f.late else round(100 * f.on_time / (f.on_time + f.late), 1))


def test_the_figures_recomputed_from_the_event_log(october: tuple[Path, MonthResult]) -> None:
    """本月受理, 按期办结 + 逾期办结 (= 办结) and the overdue list, counted here from the raw events."""
    db, r = october
    cs = report(db).cases
    assert cs is not None
    accepted: Counter[str] = Counter()
    decided: Counter[str] = Counter()
    on_time: Counter[str] = Counter()
    department: dict[str, str] = {}
    due: dict[str, dt.date] = {}
    open_cases: set[str] = set()
    for e in case_events(db):
        case = str(e["case"])
        if e["type"] == "case.accepted":
            department[case] = str(e["department"])
            if local_day(e["at"]).month == 10:
                accepted[department[case]] += 1
            open_cases.add(case)
        if "due" in e:  # 受理, and 补正 received (the clock stood still while the materials were away)
            due[case] = dt.date.fromisoformat(str(e["due"]))
        if e["type"] in DECISIONS:
            open_cases.discard(case)
            if local_day(e["at"]).month == 10:
                decided[department[case]] += 1
                on_time[department[case]] += local_day(e["at"]) <= due[case]
    figures = {f.department: f for f in cs.completion}
    assert {d: f.accepted for d, f in figures.items() if f.accepted} == dict(accepted)
    assert {d: f.on_time + f.late for d, f in figures.items() if f.on_time + f.late} == dict(decided)
    assert {d: f.on_time for d, f in figures.items() if f.on_time} == {d: n for d, n in on_time.items() if n}
    assert sum(decided.values()) == sum(r.cases.counts[op] for op in ("case.approve", "case.deny", "case.done_on_spot"))
    overdue = {c for c in open_cases if due[c] < AS_OF}
    assert {o.case for o in cs.overdue} == overdue


def test_the_monthly_report_and_the_archive_from_the_simulated_month(october: tuple[Path, MonthResult],
                                                                   tmp_path: Path) -> None:
    db, r = october
    text = tmp_path / "oct.md"
    assert main(["report", "monthly", "--db", str(db), "--date", "2026-10-15", "--out", str(tmp_path / "oct.xlsx"),
                 "--text", str(text), "--as-of", "2026-10-31"]) == 0
    md = text.read_text(encoding="utf-8")
    three = md.split("## 三、材料转递异常")[1].split("## 四")[0]
    four = md.split("## 四、办结率异常")[1].split("## 五")[0]
    six = md.split("## 六、逾期未办结与待领取办件")[1].split("---")[0]
    assert "存在" in three
    assert "超过了1天" in three
    assert "本月受理" in four
    assert "逾期办结" in four
    assert "截至2026年10月31日，逾期未办结办件" in six
    out = tmp_path / "archive"
    assert main(["report", "case", "--period", "2026-10", "--db", str(db), "--out", str(out)]) == 0
    handed = sum(r.cases.counts[op] for op in ("case.collect", "case.locker", "case.post", "case.done_on_spot"))
    assert len(list(out.glob("*.pdf"))) == handed  # every case closed in October, one PDF each


def test_cli_month_refusals(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["simulate", "--db", str(tmp_path / "x.db"), "--month", "2026-13"]) == 2
    assert "--month 应为 YYYY-MM" in capsys.readouterr().err
    assert main(["simulate", "--db", str(tmp_path / "x.db"), "--days", "3"]) == 2
    assert "--days N needs --day" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_working_days_and_the_case_behaviour_checks() -> None:
    from hub.case_config import CaseRules

    assert month_days(dt.date(2026, 10, 1), dt.date(2026, 10, 11), CaseRules()) == [
        dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 10)]
    with pytest.raises(ValueError, match="0..1"):
        CaseBehaviour(correction=1.5)
    big, st = sim_hall(quick_hall(), 4, 1)
    hall, desks = with_back_offices(big)
    assert all(hall.devices[d].department == dept for dept, d in desks.items())
    sim = CaseSim(hall, st, desks, seed=1)
    sat = dt.datetime(2026, 10, 10, 16, 59, tzinfo=TZ).timestamp()  # the 调休 Saturday, just before closing
    nxt = dt.datetime.fromtimestamp(sim.working(sat + 3600), TZ)
    assert nxt.date() == dt.date(2026, 10, 12)  # Sunday is off: Monday morning
    assert nxt.time() >= min(a for a, _ in hall.policy.opening_hours)


def test_cli_days_through_the_sample_hall(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--day D --days N`` on the sample hall as it is (its rate limit too): Friday 10-09 and the 调休 Saturday."""
    db = tmp_path / "two.db"
    code = main(["simulate", "--db", str(db), "--day", "2026-10-09", "--days", "3", "--speed", "0",
                 "--arrivals-per-hour", "2", "--windows", "6", "--seed", "2", "--quiet"])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert "simulated 3 working days" not in out.out  # Sunday 10-11 is off
    assert "simulated 2 working days" in out.out
    assert "cases: " in out.out
    with sqlite3.connect(db) as conn:
        days = {d for (d,) in conn.execute("SELECT DISTINCT day FROM events WHERE type='case.accepted'")}
    assert days <= {"2026-10-09", "2026-10-10"}
    assert days
