"""The things of a hall's day and the states they move through (pure data, no behaviour).

Tickets, windows and 呼叫后台 summons as records; their states as enums; the legal moves of each
as one table (:data:`TRANSITIONS`, :data:`WINDOW_TRANSITIONS`, :data:`SUMMON_TRANSITIONS`: a
pair not in the table is an illegal move); :class:`DomainError`, the one way a command is
refused. The rules that use them are in :mod:`hub.core` (the package's docstring tells the
ticket's life in full).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

Key = tuple[int, float, int, str]  # (cls, order, seq, ticket id)

PRIORITY, APPOINTMENT, NORMAL = 0, 1, 2


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    ACCEPTED = "accepted"  # 受理
    CONSULTED = "consulted"  # 咨询
    REJECTED = "rejected"  # 不予受理
    PASSED = "passed"  # 过号
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class WindowState(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


OUTCOMES = {
    "accepted": TicketState.ACCEPTED,
    "consulted": TicketState.CONSULTED,
    "rejected": TicketState.REJECTED,
    "passed": TicketState.PASSED,
}
SERVED = frozenset({TicketState.ACCEPTED, TicketState.CONSULTED, TicketState.REJECTED})
FINAL = SERVED | {TicketState.PASSED, TicketState.CANCELLED, TicketState.EXPIRED}
ACTIVE = frozenset({TicketState.WAITING, TicketState.CALLED})

# (state, action) -> new state. Anything not here is illegal.
TRANSITIONS: dict[tuple[TicketState, str], TicketState] = {
    (TicketState.WAITING, "call"): TicketState.CALLED,
    (TicketState.PASSED, "call"): TicketState.CALLED,  # 特呼 a passed number back
    (TicketState.CALLED, "recall"): TicketState.CALLED,
    (TicketState.CALLED, "accepted"): TicketState.ACCEPTED,
    (TicketState.CALLED, "consulted"): TicketState.CONSULTED,
    (TicketState.CALLED, "rejected"): TicketState.REJECTED,
    (TicketState.CALLED, "passed"): TicketState.PASSED,
    (TicketState.CALLED, "transfer"): TicketState.WAITING,
    (TicketState.WAITING, "transfer"): TicketState.WAITING,
    (TicketState.PASSED, "retake"): TicketState.WAITING,
    (TicketState.WAITING, "cancel"): TicketState.CANCELLED,
    (TicketState.CALLED, "cancel"): TicketState.CANCELLED,
    (TicketState.WAITING, "expire"): TicketState.EXPIRED,
    (TicketState.CALLED, "expire"): TicketState.EXPIRED,
    (TicketState.WAITING, "verify_priority"): TicketState.WAITING,
}

WINDOW_TRANSITIONS: dict[tuple[WindowState, str], WindowState] = {
    (WindowState.CLOSED, "open"): WindowState.OPEN,
    (WindowState.PAUSED, "open"): WindowState.OPEN,
    (WindowState.OPEN, "open"): WindowState.OPEN,  # AB岗: the B post takes over
    (WindowState.OPEN, "pause"): WindowState.PAUSED,
    (WindowState.PAUSED, "resume"): WindowState.OPEN,
    (WindowState.OPEN, "close"): WindowState.CLOSED,
    (WindowState.PAUSED, "close"): WindowState.CLOSED,
}



class CheckinTiming(StrEnum):
    """Where an appointment check-in falls against its slot's check-in window."""

    EARLY = "early"  # before slot - checkin_early_min
    ON_TIME = "on_time"
    LATE = "late"  # after slot + checkin_late_min


class SummonState(StrEnum):
    PENDING = "pending"  # 待响应
    ESCALATED = "escalated"  # 待响应, and the guide has been alerted
    RESPONDED = "responded"  # 已响应: someone in the back office is coming
    ARRIVED = "arrived"  # 已到窗口 (final)


SUMMON_TRANSITIONS: dict[tuple[SummonState, str], SummonState] = {
    (SummonState.PENDING, "escalate"): SummonState.ESCALATED,
    (SummonState.PENDING, "respond"): SummonState.RESPONDED,
    (SummonState.ESCALATED, "respond"): SummonState.RESPONDED,
    (SummonState.PENDING, "arrive"): SummonState.ARRIVED,
    (SummonState.ESCALATED, "arrive"): SummonState.ARRIVED,
    (SummonState.RESPONDED, "arrive"): SummonState.ARRIVED,
}
SUMMON_OPEN = frozenset({SummonState.PENDING, SummonState.ESCALATED, SummonState.RESPONDED})
SUMMON_LABELS = {SummonState.PENDING: "待响应", SummonState.ESCALATED: "待响应（已提醒引导台）",
                 SummonState.RESPONDED: "已响应", SummonState.ARRIVED: "已到窗口"}


def checkin_timing(now: float, slot: float, early_min: int, late_min: int) -> CheckinTiming:
    """Early, on time or late for a slot starting at ``slot`` (UNIX seconds); the bounds are inside."""
    if now < slot - early_min * 60:
        return CheckinTiming.EARLY
    if now > slot + late_min * 60:
        return CheckinTiming.LATE
    return CheckinTiming.ON_TIME


EVALUATION_LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意", 0: "未评价"}


class DomainError(Exception):
    """An illegal command. ``code`` is stable (clients branch on it); ``message`` is Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(slots=True)  # a busy day holds tens of thousands: slots halve their memory
class Ticket:
    id: str
    number: str
    queue: str
    seq: int
    matter: str
    situation: str
    channel: str
    device: str
    priority_group: str
    priority_verified: bool
    appointment_slot: float | None
    applicant_masked: str
    id_masked: str
    id_hash: str
    phone_masked: str
    cls: int
    order: float
    issued_at: float
    target_window: str = ""
    state: TicketState = TicketState.WAITING
    window: str = ""
    staff: str = ""
    called_at: float | None = None
    first_called_at: float | None = None
    finished_at: float | None = None
    outcome: str = ""
    reason: str = ""
    recalls: int = 0
    retakes: int = 0
    transfers: int = 0
    evaluation: int | None = None  # None: not invited; 0: 未评价; 1..5 levels
    evaluation_reason: str = ""

    @property
    def key(self) -> Key:
        return (self.cls, self.order, self.seq, self.id)


@dataclass(slots=True)
class Summon:
    """呼叫后台 (R11): one request from a window for back-office staff."""

    id: str
    window: str
    department: str
    ticket: str
    note: str
    by: str
    at: float
    state: SummonState = SummonState.PENDING
    escalated_at: float | None = None
    responded_at: float | None = None
    arrived_at: float | None = None
    answered_by: str = ""  # the device (and staff) that acknowledged last
    answered_staff: str = ""


@dataclass
class WindowRuntime:
    id: str
    queues: tuple[str, ...]
    overflow: tuple[str, ...]
    state: WindowState = WindowState.CLOSED
    reason: str = ""
    staff: str = ""
    device: str = ""
    current: str = ""  # ticket id being served
    since: float = 0.0  # when the state last changed
    consecutive_priority: int = 0
    wrr: dict[str, int] = field(default_factory=dict)  # smooth weighted round-robin credit
    evaluation: str = ""  # ticket id whose evaluation is pending
    evaluation_at: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)  # called, accepted, consulted, rejected, passed
