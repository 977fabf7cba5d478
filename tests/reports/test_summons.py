"""呼叫后台 (R11) in the daily report: a small day of summons, every figure worked out by hand.

2026-11-23 in the small hall, with [policy] summon_escalate_min = 5::

    08:55 W1, W2 open;  08:56 A001 issued (never called: summons do not need a ticket)
    09:00 W1 summons (its own department 政务服务中心)    H001
    09:02 已响应 H001 (2 min);   09:06 已到窗口 H001
    09:10 W2 summons 公安局                              H002
    09:15 tick: H002 unanswered 5 min → escalated;  09:18 已到窗口 H002 with no 已响应 before (8 min)
    09:20 W1 summons 公安局                              H003, never answered
    09:30 tick: H003 escalated
    09:40 W2 summons 公安局                              H004;  09:41 已响应 (1 min), never arrives

公安局: 3 summons, 2 answered (8 and 1 min), 1 arrived, 1 unanswered, 2 escalated; p50 1.0
(nearest rank 1 of 2), p90 8.0, mean 4.5. 政务服务中心: 1, 1, 1, 0, 0; 2.0 min.
Total: 4, 3, 2, 1, 2; answers 1, 2, 8 min: p50 2.0, p90 8.0, mean 11/3.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hub.hall import Hall
from hub.reports.build import Report, Settings, build_report
from hub.reports.cli import main
from hub.reports.period import Period
from hub.reports.sources import read_rows

from .known_day import DAY, DayWriter
from .test_known_day import keyed, table


@pytest.fixture
def summons_db(tmp_path: Path, small: Hall) -> tuple[Path, Hall]:
    hall = dataclasses.replace(small, policy=dataclasses.replace(small.policy, summon_escalate_min=5))
    db = tmp_path / "summons.db"
    d = DayWriter(hall, db)
    d.do((8, 55), "open_window", "W1", "s1")
    d.do((8, 55), "open_window", "W2", "s2")
    d.do((8, 56), "issue", matter="ma", situation="s", device="K1")  # a report needs a ticket in the day
    d.do((9, 0), "summon", "W1")
    h = d.core.day + "-H"
    d.do((9, 2), "answer_summon", h + "001", "respond", "G1", "s2")
    d.do((9, 6), "answer_summon", h + "001", "arrive", "G1", "s2")
    d.do((9, 10), "summon", "W2", "公安局")
    d.do((9, 15), "")
    d.do((9, 18), "answer_summon", h + "002", "arrive", "G1")
    d.do((9, 20), "summon", "W1", "公安局")
    d.do((9, 30), "")
    d.do((9, 40), "summon", "W2", "公安局")
    d.do((9, 41), "answer_summon", h + "004", "respond", "G1")
    d.close()
    return db, hall


@pytest.fixture
def report(summons_db: tuple[Path, Hall]) -> Report:
    db, hall = summons_db
    period = Period.of("daily", DAY)
    return build_report(read_rows(db, period), hall, period, Settings(as_of=DAY))


def test_summon_figures_per_department(report: Report) -> None:
    sm = report.summons
    assert sm is not None
    rows = {r.department: r for r in sm.departments}
    police, centre, total = rows["公安局"], rows["政务服务中心"], sm.total
    assert (police.summoned, police.responded, police.arrived, police.unanswered, police.escalated) == (3, 2, 1, 1, 2)
    assert (police.response.p50, police.response.p90, police.response.mean) == (1.0, 8.0, 4.5)
    assert (centre.summoned, centre.responded, centre.arrived, centre.unanswered, centre.escalated) == (1, 1, 1, 0, 0)
    assert centre.response.mean == 2.0
    assert (total.summoned, total.responded, total.arrived, total.unanswered, total.escalated) == (4, 3, 2, 1, 2)
    assert (total.response.p50, total.response.p90) == (2.0, 8.0)
    assert total.response.mean == pytest.approx(11 / 3)


def test_summon_sheet_and_text(summons_db: tuple[Path, Hall], tmp_path: Path) -> None:
    db, hall = summons_db
    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(hall.text.replace("[policy]\n", "[policy]\nsummon_escalate_min = 5\n", 1), encoding="utf-8")
    out, text = tmp_path / "d.xlsx", tmp_path / "d.md"
    assert main(["daily", "--db", str(db), "--date", DAY.isoformat(), "--out", str(out), "--config", str(hall_file),
                 "--text", str(text), "--as-of", dt.date(2026, 11, 24).isoformat()]) == 0
    rows = keyed(table(load_workbook(out)["呼叫后台"], "各部门呼叫后台"))
    assert rows["公安局"]["呼叫（次）"] == 3 and rows["公安局"]["升级引导台（次）"] == 2
    assert rows["公安局"]["平均响应时长（分钟）"] == 4.5 and rows["公安局"]["升级率"] == pytest.approx(2 / 3)
    assert rows["合计"]["已到窗口（次）"] == 2 and rows["合计"]["未响应（次）"] == 1
    detail = table(load_workbook(out)["呼叫后台"], "明细")
    assert detail[1][1:7] == ["09:00", "W1", "政务服务中心", "09:02", "09:06", "—"]
    assert detail[2][1:7] == ["09:10", "W2", "公安局", "09:18", "09:18", "09:15"]
    body = text.read_text(encoding="utf-8")
    assert "本期窗口呼叫后台4次，已响应3次，平均响应时长3.7分钟；超时未响应升级至引导台2次，至今未响应1次。" in body
    assert "- 公安局：呼叫3次，升级2次，未响应1次。" in body
