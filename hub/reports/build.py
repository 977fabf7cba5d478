"""Every section of a report, computed in order from the period's events. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hub.hall import Hall
from hub.reports.cases import CaseRow, CaseSection, case_rules, compute_cases, decode
from hub.reports.evaluations import Evaluations, compute_evaluations
from hub.reports.flow import Flow, compute_flow
from hub.reports.period import Calendar, Period
from hub.reports.replay import Issue, Log, LogRow, replay
from hub.reports.reveals import Reveals, compute_reveals
from hub.reports.summons import Summons, compute_summons
from hub.reports.volumes import ReportedRow, Volumes, compute_volumes
from hub.reports.zones import ZoneReport, compute_zones
from hub.workdays import CalendarRangeError

DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass
class Settings:
    as_of: dt.date  # the day follow-up deadlines are judged on (usually the day the report runs)
    target_wait_min: float = 10.0
    followup_days: int | None = None  # None: the hall file's policy.followup_working_days (吕梁: 5)
    calendar: Calendar = field(default_factory=Calendar)
    # 回访/整改 recorded so far (evaluation.followup, any day), by ticket: the latest of each
    followups: dict[str, dict[str, Any]] = field(default_factory=dict)
    now: float | None = None  # the moment the live 办件 lists are judged at; None: the end of as_of


@dataclass
class Report:
    hall_name: str
    period: Period
    settings: Settings
    log: Log
    volumes: Volumes
    evaluations: Evaluations
    flow: Flow
    zones: ZoneReport | None  # None: no hall file given
    issues: list[Issue]
    reported_source: str = ""
    hall_given: bool = True
    summons: Summons | None = None  # 呼叫后台 (R11)
    cases: CaseSection | None = None  # 办件 (R15): 附件8 三, 四, overdue and unclaimed lists
    reveals: Reveals = field(default_factory=lambda: Reveals([], []))  # 回访号码查看记录: the manager's audit

    @property
    def issued(self) -> int:
        return len(self.log.tickets)


def build_report(rows: list[LogRow], hall: Hall | None, period: Period, settings: Settings,
                 reported: list[ReportedRow] | None = None, reported_source: str = "",
                 case_rows: list[CaseRow] | None = None) -> Report:
    log = replay(rows, hall)
    issues = list(log.issues)
    cases = build_cases(case_rows or [], hall, period, settings.as_of, settings.now)
    issues += cases.issues
    if hall is None:
        issues.append(Issue("缺少大厅配置",
                            "未提供大厅配置文件（--config）：窗口名称、部门、区域与无差别受理情况无法给出"))
    in_period = None
    if reported is not None:
        in_period = []
        for r in reported:
            if r.day is not None and not period.first <= r.day <= period.last:
                issues.append(Issue("报送表期间外",
                                    f"业务量报送表第 {r.line} 行（{r.window}，{r.day}）不在本期，未计入"))
            else:
                in_period.append(r)
    volumes = compute_volumes(log, hall, in_period)
    issues += volumes.issues
    evaluations = compute_evaluations(log, hall, settings.calendar, settings.as_of, settings.followup_days,
                                      settings.followups)
    flow = compute_flow(log, hall, settings.target_wait_min)
    zones = compute_zones(hall) if hall else None
    return Report(hall.name if hall else "政务服务中心", period, settings, log, volumes, evaluations, flow, zones,
                  issues, reported_source, hall is not None, compute_summons(log, hall), cases,
                  compute_reveals(log, hall))


def build_cases(case_rows: list[CaseRow], hall: Hall | None, period: Period, as_of: dt.date,
                now: float | None = None) -> CaseSection:
    """The 办件 section: the hall's ``[cases]`` rules, the events that replay, the figures."""
    timezone = hall.timezone if hall else DEFAULT_TIMEZONE
    rules, issues = case_rules(hall)
    events, more = decode(case_rows, rules, timezone)
    try:
        section = compute_cases(events, rules, timezone, period, as_of, issues + more, now)
    except CalendarRangeError as exc:
        issues.append(Issue("办件工作日未知", f"{exc}；办件部分未统计"))
        section = compute_cases([], rules, timezone, period, as_of, issues + more)
        section.events = len(events)
    section.matter_names = {m.id: m.name for m in hall.matters.values()} if hall else {}
    return section
