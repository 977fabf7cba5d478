"""Report figures over case events: 附件8 三 and 四, overdue, stuck and unclaimed cases. No I/O.

Every function takes events (or cases replayed from them), a calendar and the hall's time
zone, and a period or a moment — never today's date — so a report of any month can be
recomputed from the event log alone.

附件8 三 材料转递异常 — "XX部门存在X件办件材料转递完成时间较申报时间超过了1天":
  转递完成 is the department's first 签收 after 受理; 申报时间 is the moment of 受理. "1天" is
  counted in working days (``limit`` in ``[cases] transfer_limit_working_days``): the
  folder is late when it is signed for after the same clock time on the next working day
  (a case accepted on Friday at 16:00 is late from Monday 16:00 on; a 调休 Saturday is a
  working day). A case counts in the period in which it was signed for; cases still not
  signed for at the end of the period and already past their limit are listed beside it
  (``unsigned``), as they are the worse kind of the same anomaly.

附件8 四 办结率异常 — "XX部门本月受理X件，上月结转未办结X件，按期办结X件，按期办结率X%，逾期办结X件，总办结率X%":
  本月受理: cases accepted in the period. 上月结转未办结: accepted before the period and not yet
  办结 when it began. 办结 is a decision — 办结 with a result, 不予许可, or a 即办件 done on the
  spot. 按期办结 / 逾期办结: cases decided in the period on or before / after their promised
  date (moved by 补正). 按期办结率 = 按期办结 ÷ (按期办结 + 逾期办结); 总办结率 = (按期办结 +
  逾期办结) ÷ (本月受理 + 上月结转未办结); both in per cent to one decimal, ``None`` (shown "—")
  when nothing was there to count.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hub import case_events as ce
from hub.cases import UNDECIDED, Case, CaseBook, CaseState
from hub.workdays import WorkCalendar


def replay(events: Iterable[ce.CaseEvent], timezone: str = "Asia/Shanghai",
           until: float | None = None) -> dict[str, Case]:
    """The cases as they stood just before ``until`` (all events if None), rebuilt from the log."""
    book = CaseBook(WorkCalendar(), timezone)
    for e in sorted(events, key=lambda e: e.at):
        if until is not None and e.at >= until:
            break
        book.apply(e)
    return book.cases


def bounds(first: dt.date, last: dt.date, timezone: str) -> tuple[float, float]:
    """UNIX seconds of the start of ``first`` and of the end of ``last`` (exclusive), local time."""
    tz = zoneinfo.ZoneInfo(timezone)
    start = dt.datetime.combine(first, dt.time(), tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz)
    return start.timestamp(), end.timestamp()


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# ---------------------------------------------------------------- 附件8 三

@dataclass(frozen=True)
class TransferAnomaly:
    department: str
    late: tuple[str, ...]  # signed for in the period, more than ``limit`` working days after 受理
    unsigned: tuple[str, ...]  # not signed for by the end of the period, already past the limit


def transfer_deadline(c: Case, calendar: WorkCalendar, timezone: str, limit: int = 1) -> float:
    """When a case's materials must be signed for: ``limit`` working days after 受理, same clock time."""
    tz = zoneinfo.ZoneInfo(timezone)
    local = dt.datetime.fromtimestamp(c.accepted_at, tz)
    day = calendar.add_working_days(local.date(), limit)
    return dt.datetime.combine(day, local.timetz()).timestamp()


def transfer_anomalies(events: Iterable[ce.CaseEvent], calendar: WorkCalendar, timezone: str,
                       first: dt.date, last: dt.date, limit: int = 1,
                       limits: Mapping[str, int] | None = None, now: float | None = None) -> list[TransferAnomaly]:
    """附件8 三 per department (only departments with something to report), by department name.

    ``limit``: working days allowed (``[cases] transfer_limit_working_days``); ``limits``: a
    department's own (``[[cases.departments]]``, :meth:`hub.case_config.CaseRules.transfer_limit`).
    ``now``: for a period not over yet, ``unsigned`` lists only cases already past their limit at
    ``now`` (not those whose limit falls later in the period)."""
    start, end = bounds(first, last, timezone)
    cut = end if now is None else min(end, now)
    late: dict[str, list[str]] = {}
    unsigned: dict[str, list[str]] = {}
    for c in replay(events, timezone, end).values():
        deadline = transfer_deadline(c, calendar, timezone, (limits or {}).get(c.department, limit))
        if c.signed_at is not None and start <= c.signed_at < end and c.signed_at > deadline:
            late.setdefault(c.department, []).append(c.id)
        elif c.signed_at is None and deadline < cut:
            unsigned.setdefault(c.department, []).append(c.id)
    return [TransferAnomaly(d, tuple(late.get(d, ())), tuple(unsigned.get(d, ())))
            for d in sorted(set(late) | set(unsigned))]


# ---------------------------------------------------------------- 附件8 四

@dataclass(frozen=True)
class CompletionFigures:
    department: str
    accepted: int  # 本月受理
    carried_over: int  # 上月结转未办结
    on_time: int  # 按期办结
    late: int  # 逾期办结
    on_time_cases: tuple[str, ...] = ()
    late_cases: tuple[str, ...] = ()

    @property
    def decided(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率 (%)."""
        return _rate(self.on_time, self.decided)

    @property
    def total_rate(self) -> float | None:
        """总办结率 (%)."""
        return _rate(self.decided, self.accepted + self.carried_over)


def completion_figures(events: Iterable[ce.CaseEvent], timezone: str, first: dt.date,
                       last: dt.date) -> list[CompletionFigures]:
    """附件8 四 per department that had a case in the period, by department name."""
    start, end = bounds(first, last, timezone)
    tz = zoneinfo.ZoneInfo(timezone)
    rows: dict[str, dict[str, list[str]]] = {}
    for c in replay(events, timezone, end).values():
        row = rows.setdefault(c.department, {"accepted": [], "carried_over": [], "on_time": [], "late": []})
        if start <= c.accepted_at:
            row["accepted"].append(c.id)
        elif c.decided_at is None or c.decided_at >= start:
            row["carried_over"].append(c.id)
        if c.decided_at is not None and start <= c.decided_at:
            on_time = dt.datetime.fromtimestamp(c.decided_at, tz).date() <= c.due
            row["on_time" if on_time else "late"].append(c.id)
    out = []
    for d in sorted(rows):
        r = rows[d]
        if any(r.values()):
            out.append(CompletionFigures(d, len(r["accepted"]), len(r["carried_over"]), len(r["on_time"]),
                                         len(r["late"]), tuple(r["on_time"]), tuple(r["late"])))
    return out


# ---------------------------------------------------------------- live lists

@dataclass(frozen=True)
class OverdueCase:
    department: str
    case: str
    state: CaseState
    due: dt.date
    working_days_over: int  # 0: due today


def overdue_cases(cases: Iterable[Case], calendar: WorkCalendar, timezone: str, now: float,
                  include_due_today: bool = False) -> list[OverdueCase]:
    """Cases not yet decided whose promised date has passed (逾期未办结), per department, worst first."""
    today = dt.datetime.fromtimestamp(now, zoneinfo.ZoneInfo(timezone)).date()
    out = []
    for c in cases:
        if c.state not in UNDECIDED or c.accepted_at > now:
            continue
        if c.due < today or (include_due_today and c.due == today):
            out.append(OverdueCase(c.department, c.id, c.state, c.due, calendar.working_days_between(c.due, today)))
    return sorted(out, key=lambda o: (o.department, -o.working_days_over, o.due, o.case))


@dataclass(frozen=True)
class StuckCase:
    department: str
    case: str
    state: CaseState
    since: float
    working_hours: float  # hours at this stage, counting working days only


def stuck_cases(cases: Iterable[Case], calendar: WorkCalendar, timezone: str, now: float,
                thresholds: Mapping[CaseState, float]) -> list[StuckCase]:
    """Cases that stayed at one stage longer than its threshold (hours on working days): the guide's alerts."""
    tz = zoneinfo.ZoneInfo(timezone)
    out = []
    for c in cases:
        limit = thresholds.get(c.state)
        if limit is None or c.since > now:
            continue
        hours = calendar.working_seconds_between(dt.datetime.fromtimestamp(c.since, tz),
                                                 dt.datetime.fromtimestamp(now, tz)) / 3600
        if hours > limit:
            out.append(StuckCase(c.department, c.id, c.state, c.since, round(hours, 2)))
    return sorted(out, key=lambda s: (-s.working_hours, s.case))


@dataclass(frozen=True)
class UnclaimedResult:
    department: str
    case: str
    ready_since: float
    working_days: int


def unclaimed_results(cases: Iterable[Case], calendar: WorkCalendar, timezone: str, now: float,
                      days: int) -> list[UnclaimedResult]:
    """Results 待领取 at the 出件 window for ``days`` working days or more (to call the applicant)."""
    tz = zoneinfo.ZoneInfo(timezone)
    today = dt.datetime.fromtimestamp(now, tz).date()
    out = []
    for c in cases:
        if c.state is not CaseState.READY or c.since > now:
            continue
        waited = calendar.working_days_between(dt.datetime.fromtimestamp(c.since, tz).date(), today)
        if waited >= days:
            out.append(UnclaimedResult(c.department, c.id, c.since, waited))
    return sorted(out, key=lambda u: (-u.working_days, u.case))

