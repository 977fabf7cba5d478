"""Pure parts: periods and working days, Erlang C, percentiles, 附件3 parsing, 附件6 zone status, the replay."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from hub.config import load_hall
from hub.reports.flow import erlang_c, percentile, windows_needed
from hub.reports.period import Calendar, HolidayFileError, Period, parse_holidays
from hub.reports.replay import LogRow, replay
from hub.reports.reported import ReportedFileError, parse_reported
from hub.reports.zones import FULL, NONE, PARTIAL, compute_zones
from launcher.samples import sample_hall_path


def test_periods() -> None:
    assert Period.of("weekly", dt.date(2026, 11, 25)).first == dt.date(2026, 11, 23)
    assert Period.of("weekly", dt.date(2026, 11, 25)).last == dt.date(2026, 11, 29)
    m = Period.of("monthly", dt.date(2026, 2, 14))
    assert (m.first, m.last, len(m.days)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28), 28)
    assert Period.of("monthly", dt.date(2026, 12, 31)).last == dt.date(2026, 12, 31)
    assert m.label() == "2026年2月1日——2026年2月28日"
    assert m.word == "本月"
    with pytest.raises(ValueError, match="unknown report kind"):
        Period.of("yearly", dt.date(2026, 1, 1))


def test_holiday_file_and_working_days() -> None:
    cal = parse_holidays("# 国庆\n2026-10-01\n2026-10-02  # 周五\n\n+2026-10-10   # 调休上班（周六）\n")
    assert not cal.is_working(dt.date(2026, 10, 1))
    assert cal.is_working(dt.date(2026, 10, 10))
    # Wed 09-30 + 2 working days: Thu, Fri off → Sat 10-10? no: Mon 10-05 is next; Sat 10-03 is a weekend
    assert cal.add_working_days(dt.date(2026, 9, 30), 2) == dt.date(2026, 10, 6)
    assert cal.add_working_days(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 10)  # the 调休 Saturday
    assert Calendar().working_days_between(dt.date(2026, 11, 27), dt.date(2026, 11, 30)) == 1
    with pytest.raises(HolidayFileError, match="line 2"):
        parse_holidays("2026-01-01\n2026-1-32\n")
    with pytest.raises(HolidayFileError, match="both"):
        parse_holidays("2026-01-01\n+2026-01-01\n")


def test_erlang_c_known_values() -> None:
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)  # textbook: a = 2 Erlang, 3 servers
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = ρ
    n, wq = windows_needed(lam=20, mean_service_min=6, target_wait_min=3)  # a = 2
    assert n == 3
    assert wq == pytest.approx(4 / 9 / (3 * 10 - 20) * 60)
    assert windows_needed(0, 5, 10) == (0, 0.0)


def test_percentile_nearest_rank() -> None:
    v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    assert (percentile(v, 50), percentile(v, 90), percentile([4.0], 90)) == (5.0, 9.0, 4.0)


def test_reported_parsing_skips_titles_and_totals() -> None:
    rows = parse_reported([
        ["不动产专窗业务量报送表", None, None], [None, None, None],
        ["报送日期", "窗口名称", "受理（件）", "咨询", "业务量合计（件）"],
        [dt.datetime(2026, 11, 24), "不动产专窗", 10, 2, 12.0], ["2026年11月25日", "R01", "", "", "3"],
        [None, None, None, None, None], ["合计", None, None, None, 15]], "f.xlsx")
    assert [(r.window, r.volume, r.day, r.parts, r.line) for r in rows] == [
        ("不动产专窗", 12, dt.date(2026, 11, 24), (("accepted", 10), ("consulted", 2)), 4),
        ("R01", 3, dt.date(2026, 11, 25), (), 5)]
    with pytest.raises(ReportedFileError, match="缺少列 业务量"):
        parse_reported([["窗口", "件数"], ["R01", 1]], "f.csv")
    with pytest.raises(ReportedFileError, match="找到的列：（无）"):
        parse_reported([], "empty.csv")


def test_zone_status_from_the_hall_file() -> None:
    hall = load_hall(sample_hall_path())
    z = {s.id: s for s in compute_zones(hall).zones}
    assert (z["Z1"].level, z["Z2"].level, z["Z3"].level) == (FULL, NONE, NONE)
    assert z["Z1"].windows == 10
    assert z["Z1"].groups == []
    # 第一阶段: the 不动产 window learns 公积金 too → the 专窗 zone is partly 无差别
    r01 = dataclasses.replace(hall.windows["R01"], overflow=("D",))
    partial = dataclasses.replace(hall, windows={**hall.windows, "R01": r01})
    z2 = next(s for s in compute_zones(partial).zones if s.id == "Z2")
    assert z2.level == PARTIAL
    assert next((g.names, g.level) for g in z2.groups) == (["不动产专窗"], PARTIAL)
    assert z2.groups[0].matters == 7  # 不动产 3 + 公积金 4


def test_replay_keeps_what_it_cannot_place() -> None:
    hall = load_hall(sample_hall_path())
    rows = [
        LogRow(1, "2026-11-23", {"type": "ticket.called", "at": 1.0, "ticket": "2026-11-23-A009", "window": "S01",
                                 "staff": "", "how": "next", "eligible": []}),
        LogRow(2, "2026-11-23", {"type": "mystery.event", "at": 2.0}),
        LogRow(3, "2026-11-23", {"type": "ticket.outcome", "at": 3.0}),
    ]
    log = replay(rows, hall)
    assert [i.kind for i in log.issues] == ["未知票号", "无法识别的事件", "无法识别的事件"]
    assert log.calls == []
    assert log.outcomes == []
