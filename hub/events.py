"""Domain events: what happened in the hall, as frozen dataclasses.

The core (:mod:`hub.core`) decides which events a command produces and applies them to
its state with :func:`hub.core.HallCore.apply`; the store appends them to the event log,
which alone is enough to rebuild every projection. Events carry everything needed to
replay them (no lookups against config that may have changed since), and never a full
ID number: only the masked form and a keyed hash.

Each class has a stable ``type`` string used on disk and on the wire.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    type: ClassVar[str] = ""
    at: float  # UNIX seconds, from the clock passed to the core

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["type"] = self.type
        return d


@dataclass(frozen=True)
class DayStarted(Event):
    type: ClassVar[str] = "day.started"
    day: str
    expired: tuple[str, ...]  # tickets of the previous day left waiting or called


@dataclass(frozen=True)
class TicketIssued(Event):
    type: ClassVar[str] = "ticket.issued"
    ticket: str  # id: "<day>-<number>"
    number: str
    queue: str
    seq: int  # arrival order in the day (all queues)
    matter: str
    situation: str
    channel: str  # kiosk / appointment / guide / window
    device: str
    priority_group: str
    priority_verified: bool
    appointment_slot: float | None
    applicant_masked: str
    id_masked: str
    id_hash: str
    phone_masked: str
    cls: int  # 0 verified priority, 1 appointment, 2 normal
    order: float
    target_window: str = ""
    appointment: str = ""  # the appointment code checked in (预约签到)
    checkin: str = ""  # on an appointment check-in: on_time / early / late (hub.core.CheckinTiming)


@dataclass(frozen=True)
class TicketCalled(Event):
    type: ClassVar[str] = "ticket.called"
    ticket: str
    window: str
    staff: str
    how: str  # next / specific / guide
    eligible: tuple[str, ...] = ()  # queues the weighted round-robin chose among (how == "next")


@dataclass(frozen=True)
class TicketRecalled(Event):
    type: ClassVar[str] = "ticket.recalled"
    ticket: str
    window: str
    recalls: int


@dataclass(frozen=True)
class OutcomeRecorded(Event):
    type: ClassVar[str] = "ticket.outcome"
    ticket: str
    window: str
    staff: str
    outcome: str  # accepted / consulted / rejected / passed
    reason: str
    note: str


@dataclass(frozen=True)
class TicketTransferred(Event):
    type: ClassVar[str] = "ticket.transferred"
    ticket: str
    from_window: str
    to_queue: str
    to_window: str
    cls: int
    order: float
    note: str
    by: str


@dataclass(frozen=True)
class TicketRequeued(Event):
    """过号取号: a passed ticket goes back to waiting, a few places back."""

    type: ClassVar[str] = "ticket.requeued"
    ticket: str
    cls: int
    order: float
    retakes: int
    device: str


@dataclass(frozen=True)
class TicketCancelled(Event):
    type: ClassVar[str] = "ticket.cancelled"
    ticket: str
    reason: str
    by: str


@dataclass(frozen=True)
class TicketsExpired(Event):
    type: ClassVar[str] = "tickets.expired"
    tickets: tuple[str, ...]
    mark: str  # "12:30", "end-of-day", "guide"


@dataclass(frozen=True)
class PriorityVerified(Event):
    type: ClassVar[str] = "ticket.priority_verified"
    ticket: str
    group: str
    cls: int
    order: float
    by: str


@dataclass(frozen=True)
class AppointmentDue(Event):
    """An appointment ticket checked in before its slot reaches the slot: it moves up to the
    appointment class, ordered by the slot (until then it queued by its check-in time)."""

    type: ClassVar[str] = "ticket.appointment_due"
    ticket: str
    cls: int
    order: float


@dataclass(frozen=True)
class WindowOpened(Event):
    type: ClassVar[str] = "window.opened"
    window: str
    staff: str
    device: str


@dataclass(frozen=True)
class WindowPaused(Event):
    type: ClassVar[str] = "window.paused"
    window: str
    reason: str
    by: str


@dataclass(frozen=True)
class WindowResumed(Event):
    type: ClassVar[str] = "window.resumed"
    window: str
    by: str


@dataclass(frozen=True)
class WindowClosed(Event):
    type: ClassVar[str] = "window.closed"
    window: str
    by: str


@dataclass(frozen=True)
class WindowQueuesChanged(Event):
    """R10: queues assigned at run time (tidal windows, peaks)."""

    type: ClassVar[str] = "window.queues_changed"
    window: str
    queues: tuple[str, ...]
    overflow: tuple[str, ...]
    reason: str
    by: str


@dataclass(frozen=True)
class BackOfficeSummoned(Event):
    """R11: 呼叫后台审批人员."""

    type: ClassVar[str] = "window.summoned"
    window: str
    department: str
    ticket: str
    note: str
    by: str
    summon: str = ""  # the summon's id ("<day>-H001"); empty in logs written before summons had states


@dataclass(frozen=True)
class SummonAnswered(Event):
    """A back-office summon acknowledged: ``state`` responded (已响应) or arrived (已到窗口)."""

    type: ClassVar[str] = "summon.answered"
    summon: str
    window: str
    state: str
    device: str
    staff: str = ""  # the guide signed in at that console, if any


@dataclass(frozen=True)
class SummonEscalated(Event):
    """A summon nobody answered within ``[policy] summon_escalate_min``: an alert for the guide."""

    type: ClassVar[str] = "summon.escalated"
    summon: str
    window: str


@dataclass(frozen=True)
class EvaluationInvited(Event):
    type: ClassVar[str] = "evaluation.invited"
    ticket: str
    window: str
    staff: str


@dataclass(frozen=True)
class EvaluationRecorded(Event):
    type: ClassVar[str] = "evaluation.recorded"
    ticket: str
    window: str
    level: int  # 5 非常满意 … 1 非常不满意; 0 未评价 (timed out)
    reason: str
    device: str


@dataclass(frozen=True)
class OverrideRecorded(Event):
    """A guide's (or admin's) override, for the audit: who (device), what, on what, and why."""

    type: ClassVar[str] = "audit.override"
    op: str
    device: str
    target: str  # the ticket and/or window the override acted on
    reason: str
    staff: str = ""  # the guide signed in at that console (guide.login), if any


@dataclass(frozen=True)
class EvaluationFollowedUp(Event):
    """回访 / 整改 of a 差评 or 未评价 service (any earlier day): what was done, by whom."""

    type: ClassVar[str] = "evaluation.followed_up"
    ticket: str
    result: str  # one of FOLLOWUP_RESULTS
    note: str
    device: str
    staff: str = ""  # the guide signed in at that console, if any
    level: int = 0  # 回访后的评价 (1-5) when result is "rated"
    channel: str = ""  # "web": rated by the citizen on the phone page (progress.rate), not by a guide's call


# why a service has no rating (EvaluationRecorded.reason with level 0), in words
NO_RATING_REASONS = {"timeout": "评价超时", "superseded": "未评价即办理下一位", "": "无评价结果"}
FOLLOWUP_RESULTS = {"rectified": "已整改", "explained": "已沟通解释", "rated": "回访后已评价",
                    "unreachable": "无法联系",
                    # a guide's 回访 call (the 回访 view, with the number from followup.phone): the note is optional
                    "called": "已回访", "no_answer": "未接通", "declined": "拒绝回访"}
CALL_OUTCOMES = ("called", "no_answer", "declined")


@dataclass(frozen=True)
class NotifyClaimed(Event):
    """A notifier claimed one moment's message (``notify.claim``, docs/notify.md) before sending it: at most
    one claim per key, whichever notifier asked first; ``granted`` False when the number was over the day's
    cap (the key is settled all the same: nobody sends it). No number, no text: the ticket names the citizen."""

    type: ClassVar[str] = "notify.claimed"
    ticket: str
    key: str  # the moment (notify/rules.py): <ticket>:near, <case>:pickup, …
    kind: str
    device: str  # the notifier that claimed it
    day: str  # the hall day of the claim (the cap counts per number per hall day)
    granted: bool


@dataclass(frozen=True)
class GuideSignedIn(Event):
    type: ClassVar[str] = "guide.signed_in"
    device: str
    staff: str


@dataclass(frozen=True)
class GuideSignedOut(Event):
    type: ClassVar[str] = "guide.signed_out"
    device: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        DayStarted, TicketIssued, TicketCalled, TicketRecalled, OutcomeRecorded, TicketTransferred,
        TicketRequeued, TicketCancelled, TicketsExpired, PriorityVerified, WindowOpened, WindowPaused,
        WindowResumed, WindowClosed, WindowQueuesChanged, BackOfficeSummoned, EvaluationInvited,
        EvaluationRecorded, OverrideRecorded, GuideSignedIn, GuideSignedOut, EvaluationFollowedUp,
        AppointmentDue, SummonAnswered, SummonEscalated, NotifyClaimed,
    )
}


def event_from_dict(data: dict[str, Any]) -> Event:
    """Inverse of :meth:`Event.to_dict` (tuples come back from JSON as lists)."""
    data = dict(data)
    cls = EVENT_TYPES[data.pop("type")]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for name, value in data.items():
        if isinstance(value, list) and "tuple" in str(fields[name].type):
            data[name] = tuple(value)
    return cls(**data)
