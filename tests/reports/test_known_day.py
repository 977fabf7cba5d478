"""A hand-built day (conftest.KNOWN_DAY): every figure below was worked out by hand from the script."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from hub.hall import Hall
from hub.reports.build import Report, Settings, build_report
from hub.reports.cli import main
from hub.reports.period import Calendar, Period
from hub.reports.sources import read_rows

from .known_day import DAY


@pytest.fixture
def report(known_db: Path, small: Hall) -> Report:
    period = Period.of("daily", DAY)
    return build_report(read_rows(known_db, period), small, period, Settings(as_of=dt.date(2026, 12, 1)))


def table(ws: Worksheet, caption_start: str) -> list[list[Any]]:
    """The rows (header first) of the table under the caption that starts with ``caption_start``."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and r[0].startswith(caption_start))
    out = []
    for r in rows[start + 1:]:
        if r[0] is None:
            break
        out.append(list(r))
    width = max(len([c for c in out[0] if c is not None]), 1)
    return [r[:width] for r in out]


def keyed(rows: list[list[Any]]) -> dict[Any, dict[str, Any]]:
    head = rows[0]
    return {r[0]: dict(zip(head, r, strict=True)) for r in rows[1:]}


# ---------------------------------------------------------------- calculators


def test_volumes_per_window_and_queue(report: Report) -> None:
    w = {r.key: r for r in report.volumes.windows}
    assert (w["W1"].called, w["W1"].ends["accepted"], w["W1"].ends["consulted"], w["W1"].ends["passed"]) == (5, 3, 1, 1)
    assert (w["W2"].called, w["W2"].ends["rejected"], w["W2"].backfilled, w["W2"].served()) == (1, 1, 1, 2)
    assert (w["W3"].called, w["W3"].ends["consulted"], w["W3"].ends["transferred"], w["W3"].served()) == (2, 1, 1, 1)
    q = {r.key: r for r in report.volumes.queues}
    # C002 was called once in C (then transferred) and once in A
    assert (q["A"].called, q["B"].called, q["C"].called) == (5, 1, 2)
    assert q["A"].backfill["accepted"] == 1
    total = report.volumes.total
    assert total.called == 8 == sum(total.ends.values())


def test_no_call_lists_the_backfill(report: Report) -> None:
    [n] = report.volumes.no_call
    assert (n.window, n.number, n.kind, n.outcome) == ("W2", "A003", "补录", "accepted")
    assert report.volumes.no_call_by_window() == {"W2": 1}


def test_evaluations(report: Report) -> None:
    ev = {r.window: r for r in report.evaluations.windows}
    assert (ev["W1"].invited, ev["W1"].rated, ev["W1"].unrated, ev["W1"].bad) == (4, 3, 1, 1)
    assert (ev["W2"].invited, ev["W2"].rated, ev["W2"].unrated) == (2, 0, 2)
    assert (ev["W3"].invited, ev["W3"].rated, ev["W3"].bad) == (1, 1, 1)
    assert ev["W1"].satisfaction == pytest.approx(2 / 3)
    bad = [(f.number, f.level, f.reason) for f in report.evaluations.bad]
    assert bad == [("C001", 1, "态度差"), ("C002", 2, "等候太久")]
    unrated = [(f.number, f.reason) for f in report.evaluations.unrated]
    assert unrated == [("B001", "评价超时"), ("A003", "评价超时"), ("A002", "未评价即办理下一位")]
    # Monday + 5 working days = next Monday; judged on Tuesday 12-01: one working day late
    assert {f.deadline for f in report.evaluations.bad} == {dt.date(2026, 11, 30)}
    assert report.evaluations.bad[0].status == "已超期1个工作日"
    assert not any(f.applicant for f in report.evaluations.bad)  # the rater is not named


def test_waiting_and_service_times(report: Report) -> None:
    fl = report.flow
    a = fl.wait_queue["A"]  # A001 10, A002 19, A004 2.17 minutes
    assert (a.n, a.p50, a.p90) == (3, 10.0, 19.0)
    assert (fl.wait_queue["C"].p50, fl.wait_queue["C"].p90) == (6.0, 25.0)
    assert fl.never_called == {"A": 0, "B": 1, "C": 0}
    assert (fl.wait_total.n, fl.wait_total.p50, fl.wait_total.p90) == (6, 10.0, 25.0)
    s = fl.service_queue["A"]  # 10, 10, 7, 0.5 minutes
    assert (s.n, s.p50, s.p90, s.mean) == (4, 7.0, 10.0, 6.875)
    assert fl.arrivals == {(9, "Z1"): 3, (9, "Z2"): 2, (10, "Z1"): 2}
    assert fl.peaks == [9]


def test_staffing_beside_open_windows(report: Report) -> None:
    rows = {(r.hour, r.queue): r for r in report.flow.staffing}
    c9 = rows[(9, "C")]  # λ 2/h, 18 min: one window waits 27 min on average, two 1.8
    assert (c9.needed, round(c9.predicted_wait or 0, 2), c9.open_stage1) == (2, 1.78, 1.0)
    a10 = rows[(10, "A")]  # W1 all hour, W2 paused 10:30-10:45: 1.75 in stage 1, W3 by overflow
    assert (a10.needed, a10.open_stage1, a10.open_any) == (1, 1.75, 2.75)
    assert rows[(11, "A")].open_stage1 == 0.5


def test_a_holiday_moves_the_deadline(known_db: Path, small: Hall) -> None:
    period = Period.of("daily", DAY)
    cal = Calendar(frozenset({dt.date(2026, 11, 25)}))
    r = build_report(read_rows(known_db, period), small, period, Settings(as_of=DAY, calendar=cal, followup_days=3))
    assert {f.deadline for f in r.evaluations.bad} == {dt.date(2026, 11, 27)}  # Wed off: Tue, Thu, Fri
    assert r.evaluations.bad[0].status == "待处理，剩余3个工作日"


def test_reported_volume_mismatch(report: Report, known_db: Path, small: Hall) -> None:
    from hub.reports.volumes import ReportedRow

    period = Period.of("daily", DAY)
    reported = [ReportedRow("W1", 3, DAY), ReportedRow("综合窗口2", 2, None, "", (("accepted", 1),)),
                ReportedRow("W3", 1, DAY), ReportedRow("W9", 4, DAY, line=5),
                ReportedRow("W3", 7, dt.date(2026, 11, 1))]
    r = build_report(read_rows(known_db, period), small, period, Settings(as_of=DAY), reported)
    w = {x.key: x for x in r.volumes.windows}
    assert w["W1"].mismatches == ["业务量报送3件，系统办件量4件"]
    assert w["W1"].diff == -1
    assert w["W2"].mismatches == []
    assert w["W3"].mismatches == []
    kinds = [i.kind for i in r.issues]
    assert kinds == ["报送表期间外", "报送表未知窗口"]


# ---------------------------------------------------------------- the workbook, cell by cell


@pytest.fixture
def workbook(known_db: Path, tmp_path: Path, small_hall_text: str) -> tuple[Path, Path]:
    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(small_hall_text, encoding="utf-8")
    reported = tmp_path / "reported.csv"
    reported.write_text("XX专窗业务量报送表\n日期,窗口,部门,受理（件）,业务量（件）\n"
                        "2026-11-23,W1,政务服务中心,3,3\n2026-11-23,W2,,1,2\n2026-11-23,W3,,,1\n合计,,,,6\n",
                        encoding="utf-8")
    out, text = tmp_path / "r.xlsx", tmp_path / "r.md"
    code = main(["daily", "--db", str(known_db), "--date", "2026-11-23", "--out", str(out), "--config", str(hall_file),
                 "--reported", str(reported), "--text", str(text), "--as-of", "2026-12-01"])
    assert code == 0
    return out, text


def test_window_sheet_cells(workbook: tuple[Path, Path]) -> None:
    wb = load_workbook(workbook[0])
    ws = wb["叫号-窗口"]
    assert ws["A1"].value == "一、叫号与办件情况（按窗口，附件8 一1）"
    assert "单位：件" in ws["A2"].value
    assert "2026年11月23日" in ws["A2"].value
    rows = keyed(table(ws, "各窗口叫号与办件"))
    w1, w2, total = rows["W1"], rows["W2"], rows["合计"]
    cols = ("叫号（件）", "受理（件）", "咨询（件）", "过号（件）", "系统办件量（件）")
    assert [w1[c] for c in cols] == [5, 3, 1, 1, 4]
    assert (w1["报送业务量（件）"], w1["差额（件，报送−系统）"], w1["比对"]) == (3, -1, "不符")
    assert (w2["不予受理（件）"], w2["补录·未叫号办理（件）"], w2["比对"]) == (1, 1, "相符")
    cols = ("叫号（件）", "转出（件）", "系统办件量（件）", "报送业务量（件）")
    assert [total[c] for c in cols] == [8, 1, 7, 6]
    mism = table(ws, "业务量报送比对")
    assert [r[0] for r in mism[1:]] == ["W1"]
    assert mism[1][-1] == "业务量报送3件，系统办件量4件"
    assert ws._charts, "a bar chart of outcomes per window"


def test_evaluation_and_time_sheets_cells(workbook: tuple[Path, Path]) -> None:
    wb = load_workbook(workbook[0])
    ev = keyed(table(wb["好差评"], "各窗口应评"))
    assert [ev["W1"][k] for k in ("应评价（次）", "实际评价（次）", "未评价（次）", "差评（次）")] == [4, 3, 1, 1]
    assert [ev["合计"][k] for k in ("应评价（次）", "实际评价（次）", "未评价（次）", "差评（次）")] == [7, 4, 3, 2]
    bad = table(wb["差评清单"], "差评清单")
    assert [(r[3], r[5], r[6], r[7], r[8]) for r in bad[1:]] == [
        ("C001", "非常不满意", "态度差", "2026-11-30", "已超期1个工作日"),
        ("C002", "不满意", "等候太久", "2026-11-30", "已超期1个工作日")]
    times = keyed(table(wb["等候与办理时长"], "等候时长"))
    assert [times["A"][k] for k in ("样本（件）", "中位数 p50（分钟）", "90分位 p90（分钟）")] == [3, 10.0, 19.0]
    assert times["B"]["未叫号离开（件）"] == 1
    no_call = keyed(table(wb["未叫号即办理"], "各窗口未叫号即办理次数"))
    assert no_call["W2"]["未叫号即办理（次）"] == 1


def test_flow_staffing_zone_and_placeholder_sheets(workbook: tuple[Path, Path]) -> None:
    wb = load_workbook(workbook[0])
    flow = keyed(table(wb["分时段人流"], "分时段分区域取号人数"))
    nine = flow["09:00-10:00"]
    assert (nine["综合区（人）"], nine["专窗区（人）"], flow["合计"]["合计（人）"]) == (3, 2, 7)
    assert wb["分时段人流"]._images, "the heatmap PNG is embedded"
    staff = table(wb["调度建议"], "每小时各队列建议窗口数")
    c9 = next(r for r in staff if r[0] == "09:00-10:00" and r[1] == "C")
    assert (c9[5], c9[7], c9[9]) == (2, 1.0, -1.0)
    zones = table(wb["无差别受理"], "一、区域内完全无差别受理")
    assert [r[1] for r in zones[1:]] == ["综合区", "专窗区"]
    for name in ("材料转递", "办结率", "办件"):  # the known day has no case events (see test_cases.py)
        texts = [c for r in wb[name].iter_rows(values_only=True) for c in r if c]
        assert any(str(t).startswith("数据库中没有办件记录") for t in texts)
    for ws in wb.worksheets:
        assert (ws["A1"].value and "单位" in (ws["A2"].value or "")) or ws.title in ("概览", "差评清单", "未评价回访")


def test_notice_text_in_the_seed_wording(workbook: tuple[Path, Path]) -> None:
    text = workbook[1].read_text(encoding="utf-8")
    assert "经汇总分析，本日（2026年11月23日）大厅业务异常情况如下：" in text
    assert ("1. 综合窗口1系统记录叫号5件，其中受理3件，咨询1件、不予受理0件、过号1件；"
            "业务量报送3件，数据量不符。") in text
    assert "2. 综合窗口2发现未叫号即办理情况1次。" in text
    assert "综合窗口2系统记录应评价2次，实际评价0次，未评价2次。" in text
    assert "不动产窗口" not in text.split("## 二、好差评异常")[1].split("## 三")[0]  # W3 rated its one service
    assert "## 三、材料转递异常\n\n数据库中没有办件记录" in text
    assert "截止11月23日，进厅事项共4项，共设综合窗口、不动产窗口，无差别受理情况如下：" in text
