"""Replay the event log into what reports count: calls, outcomes, evaluations, open windows.

The ``tickets`` projection keeps only a ticket's last state, but a ticket can be called,
passed, re-taken and called again, or transferred to another queue: reports need every
call and how each one ended. So reports read the append-only ``events`` table and walk
it once, in order, here. Each call (叫号) ends in exactly one way::

    accepted / consulted / rejected / passed   an outcome recorded at the calling window
    transferred                                转出 to another queue or window
    cancelled / expired                        作废 / 过期 while called
    open                                       still called when the log ends

An outcome with no call before it is 未叫号即办理 (附件8 一2); the hub makes one only for a
补录 (``backfill``: a walk-in recorded after the fact, channel ``window``). Every event
this walk cannot place is kept as an :class:`Issue` for the data-quality section.

Why this file is long (~410 lines): the replay is one pass over the log whose cases (each event
type's effect on a call) must be read together to see that every call ends exactly once.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from hub import events as ev
from hub.hall import Hall

OUTCOME_NAMES = {"accepted": "受理", "consulted": "咨询", "rejected": "不予受理", "passed": "过号"}
SERVED = ("accepted", "consulted", "rejected")
CALL_ENDS = (*OUTCOME_NAMES, "transferred", "cancelled", "expired", "open")


@dataclass(frozen=True)
class LogRow:
    """One row of the events table, undecoded (decoding can fail: that is a finding)."""

    seq: int
    day: str
    data: dict[str, Any]


@dataclass
class TicketInfo:
    id: str
    day: str
    number: str
    queue: str  # at issue
    matter: str
    situation: str
    channel: str
    issued_at: float
    applicant_masked: str = ""
    phone_masked: str = ""

    @property
    def backfill(self) -> bool:
        return self.channel == "window"


@dataclass
class Call:
    ticket: str
    window: str
    staff: str
    queue: str  # the ticket's queue when called (transfers change it)
    at: float
    how: str
    end: str = "open"
    end_at: float | None = None

    @property
    def service_s(self) -> float | None:
        """Call → outcome, for calls that ended in a service (受理/咨询/不予受理)."""
        if self.end in SERVED and self.end_at is not None:
            return self.end_at - self.at
        return None


@dataclass
class Outcome:
    ticket: str
    window: str
    staff: str
    queue: str
    outcome: str
    reason: str
    note: str
    at: float
    call: Call | None  # None: 未叫号即办理


@dataclass
class Evaluation:
    ticket: str
    window: str
    staff: str
    invited_at: float | None  # None: recorded without an invitation (a data-quality finding)
    level: int | None = None  # None: no result yet; 0 未评价; 1..5
    reason: str = ""
    recorded_at: float | None = None


@dataclass
class SummonRecord:
    """呼叫后台 (R11): when a window asked for the back office, and when it was answered."""

    id: str
    day: str
    window: str
    department: str
    at: float
    responded_at: float | None = None  # 已响应 (an arrival without a response counts as both)
    arrived_at: float | None = None  # 已到窗口
    escalated_at: float | None = None  # unanswered too long: the guide was alerted

    @property
    def response_s(self) -> float | None:
        return None if self.responded_at is None else self.responded_at - self.at


@dataclass
class WindowSpan:
    """A stretch of time a window was open (not paused, not closed) with given queues."""

    window: str
    day: str
    start: float
    end: float
    queues: tuple[str, ...]
    overflow: tuple[str, ...]
    staff: str


@dataclass(frozen=True)
class PhoneReveal:
    """A guide's 回访 look at a citizen's number (``audit.override`` with op ``followup.phone``): who,
    where, when and for which ticket; the number itself is never in the log."""

    at: float
    staff: str  # the guide signed in at the console ("" where the hall did not require 签到)
    device: str
    ticket: str


@dataclass(frozen=True)
class Issue:
    """Something the report could not classify (数据质量问题)."""

    kind: str  # short Chinese label
    detail: str
    seq: int = 0
    day: str = ""


@dataclass
class Log:
    tz: zoneinfo.ZoneInfo
    days: list[str] = field(default_factory=list)  # days with events, in order
    tickets: dict[str, TicketInfo] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    spans: list[WindowSpan] = field(default_factory=list)
    summons: dict[str, SummonRecord] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    event_counts: dict[str, int] = field(default_factory=dict)
    unfinished: list[str] = field(default_factory=list)  # tickets still waiting when the log ends
    followed_up: dict[str, int] = field(default_factory=dict)  # 回访/整改 recorded in the period, by result
    phone_reveals: list[PhoneReveal] = field(default_factory=list)  # followup.phone in the period, in order

    def local(self, at: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(at, self.tz)

    def hour(self, at: float) -> int:
        return self.local(at).hour

    def date(self, at: float) -> dt.date:
        return self.local(at).date()

    def ticket_day(self, ticket: str) -> str:
        t = self.tickets.get(ticket)
        return t.day if t else ticket[:10]


def matter_name(hall: Hall | None, matter: str) -> str:
    """The matter's name from the hall file (事项名称), else its id."""
    return hall.matters[matter].name if hall and matter in hall.matters else matter


class _Walk:
    def __init__(self, hall: Hall | None, tz: zoneinfo.ZoneInfo) -> None:
        self.hall = hall
        self.log = Log(tz)
        self.queue_now: dict[str, str] = {}
        self.open_call: dict[str, Call] = {}
        self.state: dict[str, str] = {}  # ticket → waiting/called/final
        self.pending_eval: dict[str, Evaluation] = {}
        self.win_queues: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.open_span: dict[str, WindowSpan] = {}
        self.staff_of: dict[str, str] = {}
        self.last_at: dict[str, float] = {}
        self.day = ""
        self.seq = 0
        self._reset_windows()

    def _reset_windows(self) -> None:
        self.win_queues = {w.id: (w.queues, w.overflow) for w in self.hall.windows.values()} if self.hall else {}

    def issue(self, kind: str, detail: str) -> None:
        self.log.issues.append(Issue(kind, detail, self.seq, self.day))

    # ------------------------------------------------------------ driving

    def row(self, r: LogRow) -> None:
        self.seq = r.seq
        if r.day != self.day:
            self._close_spans()
            self.day = r.day
            if r.day not in self.log.days:
                self.log.days.append(r.day)
        try:
            e = ev.event_from_dict(r.data)
        except (KeyError, TypeError, ValueError) as exc:
            self.issue("无法识别的事件", f"事件 #{r.seq} 类型 {r.data.get('type')!r} 无法解析：{exc}")
            return
        self.log.event_counts[e.type] = self.log.event_counts.get(e.type, 0) + 1
        self.last_at[r.day] = max(self.last_at.get(r.day, e.at), e.at)
        handler = getattr(self, "on_" + e.type.replace(".", "_"), None)
        if handler is not None:
            handler(e)

    def finish(self) -> Log:
        self._close_spans()
        for call in self.open_call.values():
            self.issue("叫号未结束", f"{call.ticket} 在 {call.window} 叫号后日志结束时仍无结果")
        for e in self.pending_eval.values():
            self.issue("评价无结果", f"{e.ticket}（{e.window}）已邀请评价，日志结束时仍无评价结果，按未评价计")
        self.log.unfinished = [t for t, s in self.state.items() if s == "waiting"]
        for t in self.log.unfinished:
            self.issue("号未处理完", f"{t} 日志结束时仍在等候（未叫号、未过期）")
        return self.log

    # ------------------------------------------------------------ helpers

    def _end_call(self, ticket: str, end: str, at: float) -> Call | None:
        call = self.open_call.pop(ticket, None)
        if call is not None:
            call.end, call.end_at = end, at
        return call

    def _known(self, ticket: str, what: str) -> bool:
        if ticket in self.log.tickets:
            return True
        self.issue("未知票号", f"{what} 指向未在本期取号的票 {ticket}")
        return False

    def _close_spans(self) -> None:
        for span in self.open_span.values():
            span.end = max(span.start, self.last_at.get(span.day, span.start))
            self.log.spans.append(span)
        self.open_span.clear()

    def _start_span(self, window: str, at: float, staff: str) -> None:
        if window not in self.win_queues:
            self.issue("未配置的窗口", f"窗口 {window} 不在大厅配置文件中，无法确定其服务队列")
        q, o = self.win_queues.get(window, ((), ()))
        self.open_span[window] = WindowSpan(window, self.day, at, at, q, o, staff)

    def _stop_span(self, window: str, at: float) -> WindowSpan | None:
        span = self.open_span.pop(window, None)
        if span is not None:
            span.end = at
            self.log.spans.append(span)
        return span

    # ------------------------------------------------------------ events

    def on_day_started(self, e: ev.DayStarted) -> None:
        for tid in e.expired:
            self._end_call(tid, "expired", e.at)
            if tid in self.state:
                self.state[tid] = "final"
        self._reset_windows()

    def on_ticket_issued(self, e: ev.TicketIssued) -> None:
        if e.ticket in self.log.tickets:
            self.issue("重复票号", f"票 {e.ticket} 重复取号，以第一次为准")
            return
        self.log.tickets[e.ticket] = TicketInfo(e.ticket, self.day, e.number, e.queue, e.matter, e.situation,
                                                e.channel, e.at, e.applicant_masked, e.phone_masked)
        self.queue_now[e.ticket] = e.queue
        self.state[e.ticket] = "waiting"
        if self.hall and e.queue not in self.hall.queues:
            self.issue("未配置的队列", f"票 {e.ticket} 的队列 {e.queue} 不在大厅配置文件中")

    def on_ticket_called(self, e: ev.TicketCalled) -> None:
        if not self._known(e.ticket, f"窗口 {e.window} 的叫号"):
            return
        prev = self._end_call(e.ticket, "open", e.at)
        if prev is not None:
            self.issue("重复叫号", f"{e.ticket} 在 {prev.window} 叫号未结束时又被 {e.window} 叫号")
        call = Call(e.ticket, e.window, e.staff, self.queue_now[e.ticket], e.at, e.how)
        self.open_call[e.ticket] = call
        self.log.calls.append(call)
        self.state[e.ticket] = "called"

    def on_ticket_outcome(self, e: ev.OutcomeRecorded) -> None:
        if not self._known(e.ticket, f"窗口 {e.window} 的办理结果"):
            return
        if e.outcome not in OUTCOME_NAMES:
            self.issue("未知办理结果", f"{e.ticket} 的办理结果 {e.outcome!r} 不是受理/咨询/不予受理/过号")
            return
        call = self.open_call.get(e.ticket)
        if call is not None and call.window != e.window:
            self.issue("跨窗口办理结果", f"{e.ticket} 由 {call.window} 叫号，却在 {e.window} 记录结果；按未叫号计")
            call = None
        if call is not None:
            self._end_call(e.ticket, e.outcome, e.at)
        self.log.outcomes.append(Outcome(e.ticket, e.window, e.staff, self.queue_now[e.ticket], e.outcome,
                                         e.reason, e.note, e.at, call))
        self.state[e.ticket] = "passed" if e.outcome == "passed" else "final"

    def on_ticket_transferred(self, e: ev.TicketTransferred) -> None:
        if not self._known(e.ticket, "转移"):
            return
        self._end_call(e.ticket, "transferred", e.at)
        self.queue_now[e.ticket] = e.to_queue
        self.state[e.ticket] = "waiting"

    def on_ticket_requeued(self, e: ev.TicketRequeued) -> None:
        if self._known(e.ticket, "过号取号"):
            self.state[e.ticket] = "waiting"

    def on_ticket_cancelled(self, e: ev.TicketCancelled) -> None:
        if self._known(e.ticket, "作废"):
            self._end_call(e.ticket, "cancelled", e.at)
            self.state[e.ticket] = "final"

    def on_tickets_expired(self, e: ev.TicketsExpired) -> None:
        for tid in e.tickets:
            if self._known(tid, "过期"):
                self._end_call(tid, "expired", e.at)
                self.state[tid] = "final"

    def on_window_opened(self, e: ev.WindowOpened) -> None:
        if e.window in self.open_span:  # AB岗: another staff takes over an open window
            span = self.open_span[e.window]
            self.staff_of[e.window] = e.staff
            if span.staff != e.staff:
                self._stop_span(e.window, e.at)
                self._start_span(e.window, e.at, e.staff)
            return
        self.staff_of[e.window] = e.staff
        self._start_span(e.window, e.at, e.staff)

    def on_window_paused(self, e: ev.WindowPaused) -> None:
        self._stop_span(e.window, e.at)

    def on_window_resumed(self, e: ev.WindowResumed) -> None:
        self._start_span(e.window, e.at, self.staff_of.get(e.window, ""))

    def on_window_closed(self, e: ev.WindowClosed) -> None:
        self._stop_span(e.window, e.at)

    def on_window_queues_changed(self, e: ev.WindowQueuesChanged) -> None:
        self.win_queues[e.window] = (e.queues, e.overflow)
        span = self._stop_span(e.window, e.at)
        if span is not None:
            self._start_span(e.window, e.at, span.staff)

    def on_window_summoned(self, e: ev.BackOfficeSummoned) -> None:
        today = sum(1 for s in self.log.summons.values() if s.day == self.day)
        sid = e.summon or f"{self.day}-H{today + 1:03d}"  # logs from before summons had ids
        self.log.summons[sid] = SummonRecord(sid, self.day, e.window, e.department, e.at)

    def _summon(self, sid: str) -> SummonRecord | None:
        s = self.log.summons.get(sid)
        if s is None:
            self.issue("未知呼叫", f"呼叫后台的应答指向未在本期出现的呼叫 {sid}")
        return s

    def on_summon_answered(self, e: ev.SummonAnswered) -> None:
        s = self._summon(e.summon)
        if s is None:
            return
        if s.responded_at is None:
            s.responded_at = e.at
        if e.state == "arrived":
            s.arrived_at = e.at

    def on_summon_escalated(self, e: ev.SummonEscalated) -> None:
        s = self._summon(e.summon)
        if s is not None:
            s.escalated_at = e.at

    def on_evaluation_invited(self, e: ev.EvaluationInvited) -> None:
        if not self._known(e.ticket, "评价邀请"):
            return
        if e.ticket in self.pending_eval:
            self.issue("重复评价邀请", f"{e.ticket} 再次邀请评价，前一次按未评价计")
            self.pending_eval.pop(e.ticket)
        evaluation = Evaluation(e.ticket, e.window, e.staff, e.at)
        self.pending_eval[e.ticket] = evaluation
        self.log.evaluations.append(evaluation)

    def on_evaluation_recorded(self, e: ev.EvaluationRecorded) -> None:
        evaluation = self.pending_eval.pop(e.ticket, None)
        if evaluation is None:
            self.issue("评价无邀请", f"{e.ticket} 在 {e.window} 有评价结果（{e.level}）但没有评价邀请；计入实评")
            evaluation = Evaluation(e.ticket, e.window, "", None)
            self.log.evaluations.append(evaluation)
        if e.level not in range(6):
            self.issue("未知评价等级", f"{e.ticket} 的评价等级 {e.level} 不在 0-5 之间，按未评价计")
        evaluation.level = e.level if e.level in range(6) else 0
        evaluation.reason, evaluation.recorded_at = e.reason, e.at

    def on_evaluation_followed_up(self, e: ev.EvaluationFollowedUp) -> None:
        if e.channel != "web":  # a guide's 回访/整改 (a rating on the phone page is counted as a rating)
            self.log.followed_up[e.result] = self.log.followed_up.get(e.result, 0) + 1


    def on_audit_override(self, e: ev.OverrideRecorded) -> None:
        if e.op == "followup.phone":  # the hub's audit of a revealed number (hub/notify_desk.py)
            self.log.phone_reveals.append(PhoneReveal(e.at, e.staff, e.device, e.target))


def replay(rows: list[LogRow], hall: Hall | None, tz: str = "") -> Log:
    """Walk the rows (in ``seq`` order) once; the hall file gives each window's queues."""
    zone = zoneinfo.ZoneInfo(tz or (hall.timezone if hall else "Asia/Shanghai"))
    walk = _Walk(hall, zone)
    for r in rows:
        walk.row(r)
    return walk.finish()
