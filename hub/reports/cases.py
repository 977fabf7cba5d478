"""办件 (R15) in the reports: 附件8 三 and 四, the overdue and unclaimed lists, one case's history.

The figures are :mod:`hub.case_figures`'s, not recomputed here. This module only checks the
case events read from the log replay cleanly (an event naming a case never accepted, or a move
the transition table does not allow, is set aside as a data-quality finding instead of breaking
the whole report), calls those functions for the period and for the day the live lists are
judged on (``--as-of``), and keeps what the sheets and the 通报 need to name each case.

Cases live across periods, so a report reads every case event up to the period's end, not only
the period's days. The hall's ``[cases]`` settings (the 附件8 三 limit, per department too; the
working days after which an unclaimed result is listed; local days off) come from the hall file
the report uses (``hall.cases``: a mistake in ``[cases]`` is the hall file's error, with its key
path, before any report is made); without a hall file, :class:`hub.case_config.CaseRules`'s defaults apply.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hub import case_events as ce
from hub.case_config import CaseRules, check_cases
from hub.case_figures import (
    CompletionFigures,
    OverdueCase,
    TransferAnomaly,
    UnclaimedResult,
    bounds,
    completion_figures,
    overdue_cases,
    replay,
    transfer_anomalies,
    transfer_deadline,
    unclaimed_results,
)
from hub.cases import STATE_WORDS, Case, CaseBook
from hub.hall import Hall
from hub.reports.period import Period
from hub.reports.replay import Issue

NO_CASES = "数据库中没有办件记录（没有任何办件事件）：材料转递、办结率、逾期与待领取均无从统计，未作估算。"


@dataclass(frozen=True)
class CaseRow:
    """One case event as read from the log, undecoded (``seq``/``day`` name it in findings)."""

    seq: int
    day: str
    data: dict[str, Any]


def case_rules(hall: Hall | None) -> tuple[CaseRules, list[Issue]]:
    """The hall file's ``[cases]`` settings: ``hall.cases`` as :func:`hub.config.parse_hall` read and
    checked them with the rest of the file (a mistake there is the hall file's error, before any
    report). A :class:`Hall` built by hand (no parsed ``cases``) has its text's ``[cases]`` checked
    here, a problem being a finding; with neither, the defaults."""
    if hall is not None and hall.cases is not None:
        return hall.cases, []
    if hall is None or not hall.text:
        return CaseRules(), []
    departments = {m.department for m in hall.matters.values() if m.department}
    departments |= {w.department for w in hall.windows.values() if w.department}
    rules, problems = check_cases(tomllib.loads(hall.text), departments)
    if problems:
        return CaseRules(), [Issue("办件配置有误", f"大厅文件 {p}；办件按默认设置统计") for p in problems]
    return rules, []


def decode(rows: Iterable[CaseRow], rules: CaseRules, timezone: str) -> tuple[list[ce.CaseEvent], list[Issue]]:
    """The case events that replay cleanly, in time order, and a finding for each other one."""
    decoded: list[tuple[CaseRow, ce.CaseEvent]] = []
    issues: list[Issue] = []
    for r in rows:
        try:
            decoded.append((r, ce.case_event_from_dict(r.data)))
        except (KeyError, TypeError, ValueError) as exc:
            issues.append(Issue("无法识别的办件事件", f"事件 #{r.seq} 类型 {r.data.get('type')!r} 无法解析：{exc}",
                                r.seq, r.day))
    book = CaseBook(rules.calendar, timezone)
    kept: list[ce.CaseEvent] = []
    for r, e in sorted(decoded, key=lambda x: (x[1].at, x[0].seq)):
        if isinstance(e, ce.CaseAccepted) and e.case in book.cases:
            issues.append(Issue("办件事件无法接续", f"事件 #{r.seq}：办件 {e.case} 重复受理，未计入", r.seq, r.day))
            continue
        try:
            book.apply(e)
        except (KeyError, ValueError):
            state = STATE_WORDS[book.cases[e.case].state] if e.case in book.cases else "没有受理记录"
            detail = f"事件 #{r.seq}（{e.type}）：办件 {e.case}（{state}）不能接续此步骤，未计入"
            issues.append(Issue("办件事件无法接续", detail, r.seq, r.day))
            continue
        kept.append(e)
    return kept, issues


@dataclass
class CaseSection:
    """The 办件 part of a report (附件8 三, 四, the live lists)."""

    period: Period
    timezone: str
    rules: CaseRules
    events: int  # case events in the database (0: it has none at all)
    transfers: list[TransferAnomaly]  # 附件8 三
    completion: list[CompletionFigures]  # 附件8 四
    as_of: dt.date  # the live lists are judged at the end of this day
    overdue: list[OverdueCase]
    unclaimed: list[UnclaimedResult]
    cases: dict[str, Case]  # every case known at the later of period end and as_of, to name them
    issues: list[Issue] = field(default_factory=list)
    matter_names: dict[str, str] = field(default_factory=dict)  # from the hall file, by matter id
    judged_at: float = 0.0  # the moment the live lists (and 超时仍未签收 in a period not over) are judged at

    def cut_day(self) -> dt.date:
        """The day 超时仍未签收 is counted to: the period's last day, or the day judged on if earlier."""
        return min(self.period.last, self.local(self.judged_at).date())

    def matter(self, case: str) -> str:
        m = self.cases[case].matter
        return self.matter_names.get(m, m)

    @property
    def given(self) -> bool:
        return self.events > 0

    def local(self, at: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(at, zoneinfo.ZoneInfo(self.timezone))

    def deadline(self, case: str) -> float:
        """When the case's materials had to be signed for (附件8 三)."""
        c = self.cases[case]
        return transfer_deadline(c, self.rules.calendar, self.timezone, self.rules.transfer_limit(c.department))

    def departments(self) -> list[str]:
        names = {f.department for f in self.completion} | {t.department for t in self.transfers}
        names |= {o.department for o in self.overdue} | {u.department for u in self.unclaimed}
        return sorted(names)

    def late_words(self) -> str:
        """"1天" as the seed says it, or the hall's own limit (working days)."""
        n = self.rules.transfer_limit_working_days
        return f"{n}天" if n == 1 else f"{n}个工作日"


def compute_cases(events: list[ce.CaseEvent], rules: CaseRules, timezone: str, period: Period,
                  as_of: dt.date, issues: list[Issue] | None = None, now: float | None = None) -> CaseSection:
    """The section from clean case events (:func:`decode`).

    The live lists are judged at ``now`` (the moment the report runs) if given, else at the end
    of the ``as_of`` day; a period not over by then lists as 超时仍未签收 only cases already past
    their limit at that moment."""
    _, end = bounds(period.first, period.last, timezone)
    if now is None:
        now = bounds(as_of, as_of, timezone)[1] - 0.001  # the last moment of the as-of day
    in_period = [e for e in events if e.at < end]
    limits = {d: r.transfer_limit_working_days for d, r in rules.departments.items()
              if r.transfer_limit_working_days is not None}
    transfers = transfer_anomalies(in_period, rules.calendar, timezone, period.first, period.last,
                                   rules.transfer_limit_working_days, limits, now=now)
    completion = completion_figures(in_period, timezone, period.first, period.last)
    live = replay(events, timezone, until=now).values()
    overdue = overdue_cases(live, rules.calendar, timezone, now)
    unclaimed = unclaimed_results(live, rules.calendar, timezone, now, rules.unclaimed_after_working_days)
    known = replay(events, timezone, until=max(end, now))
    return CaseSection(period, timezone, rules, len(events), transfers, completion, as_of, overdue, unclaimed,
                       known, list(issues or []), judged_at=now)
