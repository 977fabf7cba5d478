"""The hall's domain core: tickets, queues, windows, outcomes, evaluations. No I/O.

Every command is a method taking the time ``now`` (UNIX seconds) from the caller. It
first *decides*, reading state only and raising :class:`DomainError` (with a stable
``code``) if the move is illegal, so a refused command changes nothing. Then it returns
the events it decided on, after *applying* each with :meth:`HallCore.apply`. ``apply``
is the only place state changes, and it is deterministic given the state and the event:
replaying the event log into a fresh core rebuilds the same state (the store relies on
this to rebuild projections, and tests check it).

Ticket life (one transition table, :data:`TRANSITIONS`)::

    issue → waiting ─call→ called ─outcome→ accepted | consulted | rejected   (final)
               ▲  │           │  └─outcome→ passed ─retake→ waiting (limited times)
               │  │           └─transfer→ waiting (another queue or window)
               │  └─cancel/expire→ cancelled | expired                        (final)
               └─ verify_priority (green channel, 绿色通道)

Calling order inside one window (R10, DOMAIN-NOTES): tickets transferred to this window
first; then stage 1 queues, then stage 2 (``overflow``) only when stage 1 is empty. Among
the queues of a stage: verified priority tickets first (at most
``priority_max_consecutive`` in a row while normal tickets wait), then a smooth weighted
round-robin over the queues (``weights``, e.g. A:2 B:1); inside a queue by the key
``(class, order, seq)``: class 0 verified priority, 1 appointment, 2 normal; order is the
arrival time (or the appointment slot); seq breaks ties oldest-first. Commands are
handled one at a time, so a ticket is claimed atomically: two windows never get it.

Appointments (预约签到, R5) check in within a window around the booked slot, from
``[appointments] checkin_early_min`` before it to ``checkin_late_min`` after it
(:func:`checkin_timing`). Earlier is refused with the time to come back (or, if the hall
says so, gets an ordinary ticket); later gets an ordinary ticket. Priority applies from
the slot, not from check-in: a ticket checked in before its slot queues by its check-in
time like anyone else, and :meth:`HallCore.tick` moves it up to the appointment class
(``ticket.appointment_due``) when the slot comes. So a booking for 16:00 never overtakes
walk-ins who came earlier while it is not yet 16:00.

呼叫后台 (R11): a summon has its own life (:data:`SUMMON_TRANSITIONS`)::

    pending 待响应 ─respond→ responded 已响应 ─arrive→ arrived 已到窗口 (final)
       │  └──────────arrive──────────────────────────↗
       └─escalate (after [policy] summon_escalate_min, in tick)→ escalated ─respond/arrive→ …
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from hallq.protocol import ACTION_WORDS, TICKET_STATE_WORDS, WINDOW_STATE_WORDS
from hub import events as ev
from hub.hall import Hall

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


class HallCore:
    """One hall's day. Not thread-safe: the hub feeds it one command at a time."""

    def __init__(self, hall: Hall, day: str = "") -> None:
        self.hall = hall
        self.tz = zoneinfo.ZoneInfo(hall.timezone)
        self.day = day
        self.tickets: dict[str, Ticket] = {}
        self.by_number: dict[str, str] = {}
        self.waiting: dict[str, list[Key]] = {q: [] for q in hall.queues}
        self.direct: dict[str, list[Key]] = {w: [] for w in hall.windows}
        self.windows: dict[str, WindowRuntime] = {
            w.id: WindowRuntime(w.id, w.queues, w.overflow) for w in hall.windows.values()
        }
        self.counters: dict[str, int] = dict.fromkeys(hall.queues, 0)
        self.seq = 0
        self.expired_marks: set[str] = set()
        self.active_by_person: dict[tuple[str, str], str] = {}
        self.last_event_at = 0.0
        self.guides: dict[str, str] = {}  # guide console device → staff signed in there
        self.summons: dict[str, Summon] = {}  # today's 呼叫后台, in the order made
        self._due: list[tuple[float, str]] = []  # (slot, ticket) of appointments checked in before their slot
        # Derived, kept as lists change so summaries never rescan a queue:
        self.pending_priority: dict[str, int] = dict.fromkeys(hall.queues, 0)  # 绿色通道 awaiting a guide
        self.changed_queues: set[str] = set(hall.queues)  # queues whose summary a publisher must redo
        # per queue, (issued_at, ticket) of every ticket that entered its waiting list; entries of
        # tickets that have left are dropped lazily when they reach the top (oldest_waiting)
        self._entered: dict[str, list[tuple[float, str]]] = {q: [] for q in hall.queues}

    # ------------------------------------------------------------------ helpers

    def oldest_waiting(self, queue: str) -> float | None:
        """When the longest-waiting ticket of ``queue`` was issued (None: nobody waits).

        Amortized O(log n): a scan of the list per command grew with the queue (measured in
        bench_throughput with a backlog of thousands)."""
        heap, lst = self._entered[queue], self.waiting[queue]
        if len(heap) > 2 * len(lst) + 64:  # mostly tickets that have left: start again
            heap[:] = [(self.tickets[k[3]].issued_at, k[3]) for k in lst]
            heapq.heapify(heap)
        while heap:
            t = self.tickets.get(heap[0][1])
            if t is not None and t.state is TicketState.WAITING and t.queue == queue and not t.target_window:
                return heap[0][0]
            heapq.heappop(heap)
        return None

    def note_due(self, t: Ticket) -> None:
        """Remember an appointment ticket waiting for its slot (tick promotes it then)."""
        if t.appointment_slot is not None and t.cls == NORMAL:
            heapq.heappush(self._due, (t.appointment_slot, t.id))

    def local(self, now: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(now, self.tz)

    def day_of(self, now: float) -> str:
        return self.local(now).date().isoformat()

    def ticket(self, ref: str) -> Ticket:
        """A ticket by id (``2026-11-23-A001``) or by today's number (``A001``)."""
        tid = ref if ref in self.tickets else self.by_number.get(ref.upper(), "")
        if not tid:
            raise DomainError("unknown_ticket", f"今日没有票号 {ref}")
        return self.tickets[tid]

    def window(self, wid: str) -> WindowRuntime:
        if wid not in self.windows:
            raise DomainError("unknown_window", f"没有窗口 {wid}")
        return self.windows[wid]

    def ahead(self, ticket: Ticket) -> int:
        """People waiting ahead of a waiting ticket in its queue (or window list)."""
        lst = self.direct[ticket.target_window] if ticket.target_window else self.waiting[ticket.queue]
        return bisect.bisect_left(lst, ticket.key)

    def waiting_count(self, queue: str) -> int:
        return len(self.waiting[queue])

    @staticmethod
    def _move(t: Ticket, action: str) -> TicketState:
        new = TRANSITIONS.get((t.state, action))
        if new is None:
            raise DomainError("illegal_state", f"票号 {t.number} {TICKET_STATE_WORDS[t.state.value]}，"
                                              f"不能{ACTION_WORDS[action]}")
        return new

    @staticmethod
    def _wmove(w: WindowRuntime, action: str) -> WindowState:
        new = WINDOW_TRANSITIONS.get((w.state, action))
        if new is None:
            raise DomainError("window_state", f"窗口 {w.id} {WINDOW_STATE_WORDS[w.state.value]}，"
                                              f"不能{ACTION_WORDS[action]}")
        return new

    def _emit(self, *events: ev.Event) -> list[ev.Event]:
        for e in events:
            self.apply(e)
        return list(events)

    def _in_hours(self, now: float) -> bool:
        t = self.local(now).time()
        return any(start <= t <= end for start, end in self.hall.policy.opening_hours)

    def _free_current(self, w: WindowRuntime) -> None:
        if w.current:
            raise DomainError("window_busy", f"窗口 {w.id} 正在办理 {self.tickets[w.current].number}，请先记录办理结果")

    # ------------------------------------------------------------------ time

    def tick(self, now: float) -> list[ev.Event]:
        """Day rollover, scheduled bulk expiry, evaluation timeouts. Call before each command."""
        out: list[ev.Event] = []
        today = self.day_of(now)
        if today != self.day:
            leftover = tuple(t.id for t in self.tickets.values() if t.state in ACTIVE)
            out += self._emit(ev.DayStarted(now, today, leftover))
        local = self.local(now).time()
        for mark in self.hall.policy.expire_at:
            label = mark.strftime("%H:%M")
            if local >= mark and label not in self.expired_marks:
                expired = tuple(k[3] for lst in (*self.waiting.values(), *self.direct.values()) for k in lst)
                out += self._emit(ev.TicketsExpired(now, expired, label))
        timeout = self.hall.policy.evaluation_timeout_s
        for w in self.windows.values():
            if w.evaluation and now - w.evaluation_at >= timeout:
                out += self._emit(ev.EvaluationRecorded(now, w.evaluation, w.id, 0, "timeout", ""))
        while self._due and self._due[0][0] <= now:
            _, tid = heapq.heappop(self._due)
            t = self.tickets.get(tid)
            if t is not None and t.state is TicketState.WAITING and t.cls == NORMAL and not t.target_window:
                out += self._emit(ev.AppointmentDue(now, t.id, APPOINTMENT, float(t.appointment_slot or now)))
        escalate = self.hall.policy.summon_escalate_min * 60
        if escalate:
            for s in self.summons.values():
                if s.state is SummonState.PENDING and now - s.at >= escalate:
                    out += self._emit(ev.SummonEscalated(now, s.id, s.window))
        return out

    # ------------------------------------------------------------------ tickets

    def issue(
        self,
        now: float,
        *,
        matter: str,
        situation: str,
        channel: str = "kiosk",
        device: str = "",
        priority_group: str = "",
        applicant_masked: str = "",
        id_masked: str = "",
        id_hash: str = "",
        phone_masked: str = "",
        appointment_slot: float | None = None,
        assist: bool = False,
        target_window: str = "",
        appointment: str = "",
        checkin: str = "",
    ) -> list[ev.Event]:
        """取号 (R1-R7). ``assist``: the citizen asked for help (帮办代办 queue).

        With ``appointment_slot``: the appointment class from the slot on; before it, ordered
        by ``now`` like a walk-in until :meth:`tick` promotes it."""
        hall = self.hall
        m = hall.matters.get(matter)
        if m is None:
            raise DomainError("unknown_matter", f"没有事项 {matter}")
        s = m.situation(situation)
        if s is None:
            raise DomainError("unknown_situation", f"事项 {m.name} 没有情形 {situation}")
        if channel not in ("kiosk", "appointment", "guide", "window"):
            raise DomainError("bad_channel", f"未知取号渠道 {channel}")
        queue = s.queue
        if (assist or s.assist) and hall.policy.assist_queue:
            queue = hall.policy.assist_queue
        elif s.online or s.consult_only:
            what = "可全程网办" if s.online else "为咨询事项"
            raise DomainError("no_ticket_needed", f"{m.name}（{s.name}）{what}，无需取号")
        if target_window:
            self.window(target_window)
        if channel != "guide" and not self._in_hours(now):
            raise DomainError("hall_closed", "当前不在取号时间内")
        quota = hall.queues[queue].daily_quota
        if quota and self.counters[queue] >= quota:
            raise DomainError("quota_reached", f"{hall.queues[queue].name}今日号源已取完")
        if id_hash and hall.policy.one_active_ticket_per_matter:
            existing = self.active_by_person.get((id_hash, matter))
            if existing:
                number = self.tickets[existing].number
                raise DomainError("duplicate_ticket", f"您已取得{m.name}的号 {number}，请等候叫号")
        verified = False
        if priority_group:
            group = hall.priority_groups.get(priority_group)
            if group is None:
                raise DomainError("unknown_priority_group", f"没有优先群体 {priority_group}")
            verified = channel == "guide" or not group.needs_verification
        if appointment_slot is not None and channel != "appointment":
            raise DomainError("bad_channel", "只有预约签到可以带预约时段")
        if self.day_of(now) != self.day:
            raise DomainError("day_not_started", "新的一天尚未开始，请稍后再试")
        due = appointment_slot is not None and appointment_slot <= now
        cls = PRIORITY if verified else APPOINTMENT if due else NORMAL
        number = _number(queue, self.counters[queue] + 1)
        order = appointment_slot if cls == APPOINTMENT and appointment_slot is not None else now
        return self._emit(ev.TicketIssued(
            now, f"{self.day}-{number}", number, queue, self.seq + 1, matter, situation, channel, device,
            priority_group, verified, appointment_slot, applicant_masked, id_masked, id_hash, phone_masked,
            cls, order, target_window, appointment, checkin,
        ))

    def checkin(
        self,
        now: float,
        *,
        code: str,
        slot: float,
        matter: str,
        situation: str,
        device: str = "",
        applicant_masked: str = "",
        id_masked: str = "",
        id_hash: str = "",
        phone_masked: str = "",
    ) -> list[ev.Event]:
        """预约签到 (R5) of a booking found for today, against its check-in window.

        On time: an appointment ticket (priority from the slot). Late: an ordinary ticket.
        Early: refused with ``appointment_early`` and the time to come back, or an ordinary
        ticket where ``[appointments] early_gets_ticket`` is set."""
        rules = self.hall.appointments
        timing = checkin_timing(now, slot, rules.checkin_early_min, rules.checkin_late_min)
        if timing is CheckinTiming.EARLY and not rules.early_gets_ticket:
            opens = self.local(slot - rules.checkin_early_min * 60)
            raise DomainError("appointment_early", f"您预约的时段是 {self.local(slot):%H:%M}，"
                                                   f"请于 {opens:%H:%M} 以后再来签到。")
        return self.issue(
            now, matter=matter, situation=situation, channel="appointment", device=device,
            applicant_masked=applicant_masked, id_masked=id_masked, id_hash=id_hash, phone_masked=phone_masked,
            appointment_slot=slot if timing is CheckinTiming.ON_TIME else None, appointment=code,
            checkin=timing.value,
        )

    def call_next(self, now: float, window: str, staff: str = "") -> list[ev.Event]:
        w = self._serving_window(window)
        key, eligible = self._pick(w)
        if key is None:
            raise DomainError("queue_empty", "当前没有等候的号")
        return self._emit(ev.TicketCalled(now, key[3], window, staff or w.staff, "next", eligible))

    def call_ticket(self, now: float, window: str, ticket: str, staff: str = "",
                    force: bool = False) -> list[ev.Event]:
        """特呼: call a given number. ``force`` (guides) ignores which queues the window serves."""
        w = self._serving_window(window)
        t = self.ticket(ticket)
        self._move(t, "call")
        serves = t.queue in w.queues or t.queue in w.overflow or t.target_window == window
        if not force and not serves:
            raise DomainError("not_served_here", f"窗口 {window} 不办理 {t.number} 所在队列")
        if t.target_window and t.target_window != window and not force:
            raise DomainError("not_served_here", f"票号 {t.number} 已转至窗口 {t.target_window}")
        return self._emit(ev.TicketCalled(now, t.id, window, staff or w.staff, "guide" if force else "specific"))

    def recall(self, now: float, window: str) -> list[ev.Event]:
        w = self.window(window)
        if not w.current:
            raise DomainError("no_current_ticket", f"窗口 {window} 当前没有叫号")
        t = self.tickets[w.current]
        self._move(t, "recall")
        if t.recalls >= self.hall.policy.recall_limit:
            raise DomainError("recall_limit", f"票号 {t.number} 已重呼 {t.recalls} 次，达到上限")
        return self._emit(ev.TicketRecalled(now, t.id, window, t.recalls + 1))

    def outcome(self, now: float, window: str, outcome: str, reason: str = "", note: str = "",
                staff: str = "") -> list[ev.Event]:
        """过号 / 受理 / 咨询 / 不予受理 for the window's current ticket (R9)."""
        w = self.window(window)
        if not w.current:
            raise DomainError("no_current_ticket", f"窗口 {window} 当前没有叫号")
        if outcome not in OUTCOMES:
            raise DomainError("bad_outcome", "办理结果应为受理、咨询、不予受理或过号")
        if outcome == "rejected" and not reason.strip():
            raise DomainError("reason_required", "不予受理需要选择原因")
        t = self.tickets[w.current]
        self._move(t, outcome)
        out: list[ev.Event] = []
        if w.evaluation:  # the previous citizen left without rating
            out += self._emit(ev.EvaluationRecorded(now, w.evaluation, window, 0, "superseded", ""))
        out += self._emit(ev.OutcomeRecorded(now, t.id, window, staff or w.staff, outcome, reason, note))
        if OUTCOMES[outcome] in SERVED:
            out += self._emit(ev.EvaluationInvited(now, t.id, window, staff or w.staff))
        return out

    def backfill(self, now: float, window: str, matter: str, situation: str, outcome: str, reason: str = "",
                 note: str = "", staff: str = "", device: str = "") -> list[ev.Event]:
        """补录: a service done without a ticket or a call (a walk-in), recorded after the fact.

        It gets a number like any ticket (channel ``window``) so it is counted, and reports
        list it as 未叫号即办理 (附件8 一2): it has an outcome but was never called.
        """
        w = self.window(window)
        if w.state is WindowState.CLOSED:
            raise DomainError("window_not_open", f"窗口 {window} 未开放")
        m = self.hall.matters.get(matter)
        if m is None:
            raise DomainError("unknown_matter", f"没有事项 {matter}")
        s = m.situation(situation)
        if s is None:
            raise DomainError("unknown_situation", f"事项 {m.name} 没有情形 {situation}")
        if outcome not in ("accepted", "consulted", "rejected"):
            raise DomainError("bad_outcome", "补录的办理结果应为受理、咨询或不予受理")
        if outcome == "rejected" and not reason.strip():
            raise DomainError("reason_required", "不予受理需要选择原因")
        if self.day_of(now) != self.day:
            raise DomainError("day_not_started", "新的一天尚未开始，请稍后再试")
        queue = s.queue if s.queue in self.hall.queues else w.queues[0]
        number = _number(queue, self.counters[queue] + 1)
        tid = f"{self.day}-{number}"
        out = self._emit(ev.TicketIssued(now, tid, number, queue, self.seq + 1, matter, situation, "window", device,
                                         "", False, None, "", "", "", "", NORMAL, now, window))
        if w.evaluation:
            out += self._emit(ev.EvaluationRecorded(now, w.evaluation, window, 0, "superseded", ""))
        out += self._emit(ev.OutcomeRecorded(now, tid, window, staff or w.staff, outcome, reason, note or "补录"))
        out += self._emit(ev.EvaluationInvited(now, tid, window, staff or w.staff))
        return out

    def transfer(self, now: float, *, ticket: str = "", window: str = "", to_queue: str = "",
                 to_window: str = "", keep_place: bool | None = None, note: str = "",
                 by: str = "") -> list[ev.Event]:
        """转移: the window's current ticket (``window``) or a waiting one (``ticket``, guides)."""
        if window:
            t = self.tickets.get(self.window(window).current or "")
            if t is None:
                raise DomainError("no_current_ticket", f"窗口 {window} 当前没有叫号")
            if ticket and self.ticket(ticket).id != t.id:
                raise DomainError("not_current_ticket", f"{ticket} 不是窗口 {window} 正在办理的号")
        else:
            t = self.ticket(ticket)
        self._move(t, "transfer")
        if bool(to_queue) == bool(to_window):
            raise DomainError("bad_target", "转移需指定目标队列或目标窗口之一")
        if to_queue and to_queue not in self.hall.queues:
            raise DomainError("unknown_queue", f"没有队列 {to_queue}")
        if to_window:
            self.window(to_window)
            if to_window == window:
                raise DomainError("bad_target", "不能转移到本窗口")
        keep = self.hall.policy.transfer_keeps_place if keep_place is None else keep_place
        cls, order = t.cls, (t.order if keep else now)
        return self._emit(ev.TicketTransferred(now, t.id, t.window if window else "", to_queue or t.queue,
                                               to_window, cls, order, note, by))

    def retake(self, now: float, ticket: str, device: str = "") -> list[ev.Event]:
        """过号取号: back into the queue ``retake_places_back`` places behind the head."""
        t = self.ticket(ticket)
        self._move(t, "retake")
        if t.retakes >= self.hall.policy.retake_limit:
            raise DomainError("retake_limit", f"票号 {t.number} 已过号取号 {t.retakes} 次，请咨询引导台")
        lst = self.direct[t.target_window] if t.target_window else self.waiting[t.queue]
        cls, order = _slot_after(lst, self.hall.policy.retake_places_back, t.cls, now)
        return self._emit(ev.TicketRequeued(now, t.id, cls, order, t.retakes + 1, device))

    def cancel(self, now: float, ticket: str, reason: str, by: str = "") -> list[ev.Event]:
        t = self.ticket(ticket)
        self._move(t, "cancel")
        if not reason.strip():
            raise DomainError("reason_required", "取消需要说明原因")
        return self._emit(ev.TicketCancelled(now, t.id, reason, by))

    def expire_all(self, now: float, mark: str = "guide") -> list[ev.Event]:
        expired = tuple(k[3] for lst in (*self.waiting.values(), *self.direct.values()) for k in lst)
        return self._emit(ev.TicketsExpired(now, expired, mark))

    def verify_priority(self, now: float, ticket: str, group: str = "", by: str = "") -> list[ev.Event]:
        """绿色通道: a guide confirms a self-declared (or assigns a) priority group."""
        t = self.ticket(ticket)
        self._move(t, "verify_priority")
        group = group or t.priority_group
        if group not in self.hall.priority_groups:
            raise DomainError("unknown_priority_group", f"没有优先群体 {group or '(未指定)'}")
        if t.priority_verified and group == t.priority_group:
            raise DomainError("already_verified", f"票号 {t.number} 已是优先号")
        return self._emit(ev.PriorityVerified(now, t.id, group, PRIORITY, t.issued_at, by))

    # ------------------------------------------------------------------ windows

    def _serving_window(self, window: str) -> WindowRuntime:
        w = self.window(window)
        if w.state is not WindowState.OPEN:
            raise DomainError("window_not_open", f"窗口 {window} {WINDOW_STATE_WORDS[w.state.value]}")
        self._free_current(w)
        return w

    def open_window(self, now: float, window: str, staff: str, device: str = "") -> list[ev.Event]:
        w = self.window(window)
        self._wmove(w, "open")
        if staff not in self.hall.staff:
            raise DomainError("unknown_staff", f"没有工号 {staff}")
        elsewhere = next((o.id for o in self.windows.values() if o.staff == staff and o.id != window
                          and o.state is not WindowState.CLOSED), "")
        if elsewhere:
            raise DomainError("staff_elsewhere", f"工号 {staff} 已在窗口 {elsewhere} 登录，请先在该窗口退出")
        return self._emit(ev.WindowOpened(now, window, staff, device))

    def pause(self, now: float, window: str, reason: str, by: str = "") -> list[ev.Event]:
        w = self.window(window)
        self._wmove(w, "pause")
        self._free_current(w)
        if not reason.strip():
            raise DomainError("reason_required", "暂停需要选择原因")
        return self._emit(ev.WindowPaused(now, window, reason, by))

    def resume(self, now: float, window: str, by: str = "") -> list[ev.Event]:
        self._wmove(self.window(window), "resume")
        return self._emit(ev.WindowResumed(now, window, by))

    def close_window(self, now: float, window: str, by: str = "") -> list[ev.Event]:
        w = self.window(window)
        self._wmove(w, "close")
        self._free_current(w)
        return self._emit(ev.WindowClosed(now, window, by))

    def set_queues(self, now: float, window: str, queues: Iterable[str], overflow: Iterable[str] = (),
                   reason: str = "", by: str = "") -> list[ev.Event]:
        """潮汐/候鸟 and peaks: change which queues a window serves, at run time (R10)."""
        self.window(window)
        queues, overflow = tuple(queues), tuple(overflow)
        for q in (*queues, *overflow):
            if q not in self.hall.queues:
                raise DomainError("unknown_queue", f"没有队列 {q}")
        if not queues:
            raise DomainError("bad_target", "窗口至少要服务一个队列")
        if set(queues) & set(overflow):
            raise DomainError("bad_target", "同一队列不能同时在两个阶段")
        return self._emit(ev.WindowQueuesChanged(now, window, queues, overflow, reason, by))

    def guide_login(self, now: float, device: str, staff: str) -> list[ev.Event]:
        """引导人员签到: overrides from this console are audited with this staff member."""
        if staff not in self.hall.staff:
            raise DomainError("unknown_staff", f"没有工号 {staff}")
        return self._emit(ev.GuideSignedIn(now, device, staff))

    def guide_logout(self, now: float, device: str) -> list[ev.Event]:
        if device not in self.guides:
            raise DomainError("not_signed_in", "本引导台当前没有人员签到")
        return self._emit(ev.GuideSignedOut(now, device))

    def summon(self, now: float, window: str, department: str = "", note: str = "", by: str = "") -> list[ev.Event]:
        """呼叫后台 (R11): ask back-office staff of the matter's department to come."""
        w = self.window(window)
        if w.state is WindowState.CLOSED:
            raise DomainError("window_not_open", f"窗口 {window} 未开放")
        t = self.tickets.get(w.current) if w.current else None
        if not department and t is not None:
            department = self.hall.matters[t.matter].department
        department = department or self.hall.windows[window].department
        if not department:
            raise DomainError("bad_target", "请指定要呼叫的后台部门")
        for s in self.summons.values():
            if s.window == window and s.department == department and s.state in SUMMON_OPEN:
                raise DomainError("summon_open", f"已呼叫{department}后台（{SUMMON_LABELS[s.state]}），请稍候")
        sid = f"{self.day}-H{len(self.summons) + 1:03d}"
        return self._emit(ev.BackOfficeSummoned(now, window, department, t.id if t else "", note, by, sid))

    def summon_of(self, ref: str) -> Summon:
        if ref not in self.summons:
            raise DomainError("unknown_summon", f"今日没有呼叫 {ref}")
        return self.summons[ref]

    def answer_summon(self, now: float, summon: str, action: str, device: str = "",
                      staff: str = "") -> list[ev.Event]:
        """已响应 (``respond``) or 已到窗口 (``arrive``) for a summon."""
        s = self.summon_of(summon)
        new = SUMMON_TRANSITIONS.get((s.state, action))
        if new is None:
            done = {"respond": "已响应", "arrive": "已到窗口"}.get(action, action)
            raise DomainError("summon_state", f"该呼叫当前为{SUMMON_LABELS[s.state]}，不能再记为{done}")
        return self._emit(ev.SummonAnswered(now, s.id, s.window, new.value, device, staff))

    def evaluate(self, now: float, window: str, level: int, reason: str = "", ticket: str = "",
                 device: str = "") -> list[ev.Event]:
        """好差评 一次一评 (R13): 5 非常满意 … 1 非常不满意; 1 and 2 are 差评 and need a reason."""
        w = self.window(window)
        if not w.evaluation:
            raise DomainError("no_pending_evaluation", f"窗口 {window} 当前没有待评价的服务")
        if ticket and self.ticket(ticket).id != w.evaluation:
            raise DomainError("not_current_ticket", f"{ticket} 不是窗口 {window} 待评价的服务")
        if level not in (1, 2, 3, 4, 5):
            raise DomainError("bad_level", f"评价等级应为 1-5，收到 {level}")
        if level <= 2 and not reason.strip():
            raise DomainError("reason_required", "差评需要选择原因")
        return self._emit(ev.EvaluationRecorded(now, w.evaluation, window, level, reason, device))

    def skip_evaluation(self, now: float, window: str, device: str = "") -> list[ev.Event]:
        """The evaluator timed out or the citizen left: 未评价."""
        w = self.window(window)
        if not w.evaluation:
            raise DomainError("no_pending_evaluation", f"窗口 {window} 当前没有待评价的服务")
        return self._emit(ev.EvaluationRecorded(now, w.evaluation, window, 0, "timeout", device))

    # ------------------------------------------------------------------ choosing the next ticket

    def _pick(self, w: WindowRuntime) -> tuple[Key | None, tuple[str, ...]]:
        if self.direct[w.id]:
            return self.direct[w.id][0], ()
        weights = self.hall.windows[w.id].weights
        limit = self.hall.policy.priority_max_consecutive
        for stage in (w.queues, w.overflow):
            cands = [q for q in stage if self.waiting[q]]
            if not cands:
                continue
            normal_waiting = [q for q in cands if self.waiting[q][-1][0] != PRIORITY]
            prio_ok = w.consecutive_priority < limit or not normal_waiting
            if prio_ok:
                heads = [self.waiting[q][0] for q in cands if self.waiting[q][0][0] == PRIORITY]
                if heads:
                    return min(heads), ()
            eligible = tuple(cands if prio_ok else normal_waiting)
            q = _wrr_choice(w.wrr, eligible, weights)
            lst = self.waiting[q]
            return (lst[0] if prio_ok else lst[bisect.bisect_left(lst, (APPOINTMENT,))]), eligible
        return None, ()

    # ------------------------------------------------------------------ apply (the only mutator)

    def apply(self, e: ev.Event) -> None:
        handler = getattr(self, "_on_" + e.type.replace(".", "_"))
        handler(e)
        self.last_event_at = e.at

    def _unlist(self, t: Ticket) -> None:
        lst = self.direct[t.target_window] if t.target_window else self.waiting[t.queue]
        i = bisect.bisect_left(lst, t.key)
        if i < len(lst) and lst[i] == t.key:
            del lst[i]
            self.changed_queues.add(t.queue)
            if not t.target_window and t.priority_group and not t.priority_verified:
                self.pending_priority[t.queue] -= 1

    def _list(self, t: Ticket) -> None:
        bisect.insort(self.direct[t.target_window] if t.target_window else self.waiting[t.queue], t.key)
        if not t.target_window:
            heapq.heappush(self._entered[t.queue], (t.issued_at, t.id))
        self.changed_queues.add(t.queue)
        if not t.target_window and t.priority_group and not t.priority_verified:
            self.pending_priority[t.queue] += 1

    def _release(self, t: Ticket) -> None:
        """Leave the active set: off the lists, off the window, off the one-per-person index."""
        if t.state is TicketState.WAITING:
            self._unlist(t)
        if t.state is TicketState.CALLED and self.windows[t.window].current == t.id:
            self.windows[t.window].current = ""
        if t.id_hash and self.active_by_person.get((t.id_hash, t.matter)) == t.id:
            del self.active_by_person[(t.id_hash, t.matter)]

    def _on_day_started(self, e: ev.DayStarted) -> None:
        for tid in e.expired:
            t = self.tickets[tid]
            self._release(t)
            t.state, t.finished_at = TicketState.EXPIRED, e.at
        self.day = e.day
        self.tickets.clear()
        self.by_number.clear()
        self.active_by_person.clear()
        self.counters = dict.fromkeys(self.hall.queues, 0)
        self.waiting = {q: [] for q in self.hall.queues}
        self._entered = {q: [] for q in self.hall.queues}
        self.pending_priority = dict.fromkeys(self.hall.queues, 0)
        self.changed_queues = set(self.hall.queues)
        self.guides = {}  # a new day: everyone signs in again, as staff do at windows
        self.summons = {}
        self._due = []
        self.direct = {w: [] for w in self.hall.windows}
        self.windows = {w.id: WindowRuntime(w.id, w.queues, w.overflow, since=e.at)
                        for w in self.hall.windows.values()}
        self.seq = 0
        self.expired_marks = set()
        # marks already past at the start of the day (a hub started at 19:00) are not due today
        local = self.local(e.at).time()
        self.expired_marks = {m.strftime("%H:%M") for m in self.hall.policy.expire_at if local >= m}

    def _on_ticket_issued(self, e: ev.TicketIssued) -> None:
        t = Ticket(
            id=e.ticket, number=e.number, queue=e.queue, seq=e.seq, matter=e.matter, situation=e.situation,
            channel=e.channel, device=e.device, priority_group=e.priority_group,
            priority_verified=e.priority_verified, appointment_slot=e.appointment_slot,
            applicant_masked=e.applicant_masked, id_masked=e.id_masked, id_hash=e.id_hash,
            phone_masked=e.phone_masked, cls=e.cls, order=e.order, issued_at=e.at, target_window=e.target_window,
        )
        self.tickets[t.id] = t
        self.by_number[t.number] = t.id
        self.counters[t.queue] = max(self.counters[t.queue], int(t.number[len(t.queue):]))
        self.seq = max(self.seq, e.seq)
        if t.id_hash:
            self.active_by_person[(t.id_hash, t.matter)] = t.id
        self.note_due(t)
        self._list(t)

    def _on_ticket_called(self, e: ev.TicketCalled) -> None:
        t = self.tickets[e.ticket]
        w = self.windows[e.window]
        if t.state is TicketState.WAITING:
            self._unlist(t)
        elif t.state is TicketState.PASSED and t.id_hash:
            self.active_by_person[(t.id_hash, t.matter)] = t.id
        t.state, t.window, t.staff, t.called_at, t.recalls = TicketState.CALLED, e.window, e.staff, e.at, 0
        t.outcome, t.finished_at = "", None
        t.first_called_at = t.first_called_at or e.at
        t.target_window = ""
        w.current = t.id
        w.counts["called"] = w.counts.get("called", 0) + 1
        w.consecutive_priority = w.consecutive_priority + 1 if t.priority_verified else 0
        if e.eligible:
            _wrr_commit(w.wrr, e.eligible, self.hall.windows[w.id].weights, t.queue)

    def _on_ticket_recalled(self, e: ev.TicketRecalled) -> None:
        t = self.tickets[e.ticket]
        t.recalls, t.called_at = e.recalls, e.at

    def _on_ticket_outcome(self, e: ev.OutcomeRecorded) -> None:
        t = self.tickets[e.ticket]
        self._release(t)
        t.window, t.staff = e.window, e.staff  # a 补录 ticket was never called: record where it was served
        t.state, t.outcome, t.reason, t.finished_at = OUTCOMES[e.outcome], e.outcome, e.reason, e.at
        w = self.windows[e.window]
        w.counts[e.outcome] = w.counts.get(e.outcome, 0) + 1

    def _on_ticket_transferred(self, e: ev.TicketTransferred) -> None:
        t = self.tickets[e.ticket]
        self._release(t)
        if t.id_hash:
            self.active_by_person[(t.id_hash, t.matter)] = t.id
        t.state, t.queue, t.target_window, t.cls, t.order = TicketState.WAITING, e.to_queue, e.to_window, e.cls, e.order
        t.window, t.called_at, t.recalls = "", None, 0
        t.transfers += 1
        self._list(t)

    def _on_ticket_requeued(self, e: ev.TicketRequeued) -> None:
        t = self.tickets[e.ticket]
        t.state, t.cls, t.order, t.retakes = TicketState.WAITING, e.cls, e.order, e.retakes
        t.outcome, t.finished_at, t.window, t.called_at, t.recalls = "", None, "", None, 0
        if t.id_hash:
            self.active_by_person[(t.id_hash, t.matter)] = t.id
        self._list(t)

    def _on_ticket_cancelled(self, e: ev.TicketCancelled) -> None:
        t = self.tickets[e.ticket]
        self._release(t)
        t.state, t.reason, t.finished_at = TicketState.CANCELLED, e.reason, e.at

    def _on_tickets_expired(self, e: ev.TicketsExpired) -> None:
        for tid in e.tickets:
            t = self.tickets[tid]
            self._release(t)
            t.state, t.finished_at = TicketState.EXPIRED, e.at
        if e.mark not in ("guide", "end-of-day"):
            self.expired_marks.add(e.mark)

    def _on_ticket_priority_verified(self, e: ev.PriorityVerified) -> None:
        t = self.tickets[e.ticket]
        self._unlist(t)
        t.priority_group, t.priority_verified, t.cls, t.order = e.group, True, e.cls, e.order
        self._list(t)

    def _on_window_opened(self, e: ev.WindowOpened) -> None:
        w = self.windows[e.window]
        w.state, w.staff, w.device, w.reason, w.since = WindowState.OPEN, e.staff, e.device, "", e.at

    def _on_window_paused(self, e: ev.WindowPaused) -> None:
        w = self.windows[e.window]
        w.state, w.reason, w.since = WindowState.PAUSED, e.reason, e.at

    def _on_window_resumed(self, e: ev.WindowResumed) -> None:
        w = self.windows[e.window]
        w.state, w.reason, w.since = WindowState.OPEN, "", e.at

    def _on_window_closed(self, e: ev.WindowClosed) -> None:
        w = self.windows[e.window]
        w.state, w.staff, w.device, w.reason, w.since = WindowState.CLOSED, "", "", "", e.at

    def _on_window_queues_changed(self, e: ev.WindowQueuesChanged) -> None:
        w = self.windows[e.window]
        w.queues, w.overflow, w.wrr = e.queues, e.overflow, {}

    def _on_window_summoned(self, e: ev.BackOfficeSummoned) -> None:
        sid = e.summon or f"{self.day}-H{len(self.summons) + 1:03d}"
        self.summons[sid] = Summon(sid, e.window, e.department, e.ticket, e.note, e.by, e.at)

    def _on_summon_answered(self, e: ev.SummonAnswered) -> None:
        s = self.summons[e.summon]
        s.state, s.answered_by, s.answered_staff = SummonState(e.state), e.device, e.staff
        if s.state is SummonState.RESPONDED:
            s.responded_at = e.at
        else:
            s.arrived_at = e.at
            s.responded_at = s.responded_at or e.at

    def _on_summon_escalated(self, e: ev.SummonEscalated) -> None:
        s = self.summons[e.summon]
        s.state, s.escalated_at = SummonState.ESCALATED, e.at

    def _on_ticket_appointment_due(self, e: ev.AppointmentDue) -> None:
        t = self.tickets[e.ticket]
        self._unlist(t)
        t.cls, t.order = e.cls, e.order
        self._list(t)

    def _on_audit_override(self, e: ev.OverrideRecorded) -> None:
        pass  # the audit lives in the event log; no state to change

    def _on_evaluation_followed_up(self, e: ev.EvaluationFollowedUp) -> None:
        pass  # about a ticket of an earlier day, kept in the log for the reports; no state today

    def _on_guide_signed_in(self, e: ev.GuideSignedIn) -> None:
        self.guides = {d: s for d, s in self.guides.items() if s != e.staff}  # one console per guide
        self.guides[e.device] = e.staff

    def _on_guide_signed_out(self, e: ev.GuideSignedOut) -> None:
        self.guides.pop(e.device, None)

    def _on_evaluation_invited(self, e: ev.EvaluationInvited) -> None:
        w = self.windows[e.window]
        w.evaluation, w.evaluation_at = e.ticket, e.at

    def _on_evaluation_recorded(self, e: ev.EvaluationRecorded) -> None:
        t = self.tickets.get(e.ticket)
        if t is not None:
            t.evaluation, t.evaluation_reason = e.level, e.reason
        w = self.windows[e.window]
        if w.evaluation == e.ticket:
            w.evaluation, w.evaluation_at = "", 0.0


def _number(queue: str, n: int) -> str:
    return f"{queue}{n:03d}"


def _slot_after(lst: list[Key], places: int, own_cls: int, now: float) -> tuple[int, float]:
    """A (cls, order) that sorts right after the first ``places`` entries of ``lst``."""
    if len(lst) <= places:
        return (max(own_cls, lst[-1][0]) if lst else own_cls), now
    prev, nxt = lst[places - 1] if places else None, lst[places]
    if prev is None:
        return nxt[0], nxt[1] - 1.0
    if prev[0] != nxt[0]:
        if prev[0] == PRIORITY and own_cls != PRIORITY:  # sort just before nxt: never become "priority"
            return nxt[0], nxt[1] - 1e-3
        return prev[0], prev[1] + 1e-3
    return prev[0], (prev[1] + nxt[1]) / 2


def _wrr_choice(credit: dict[str, int], eligible: tuple[str, ...], weights: dict[str, int]) -> str:
    """Smooth weighted round-robin (as nginx): add each weight, take the highest credit."""
    return max(eligible, key=lambda q: (credit.get(q, 0) + weights.get(q, 1), -eligible.index(q)))


def _wrr_commit(credit: dict[str, int], eligible: tuple[str, ...], weights: dict[str, int], chosen: str) -> None:
    total = 0
    for q in eligible:
        credit[q] = credit.get(q, 0) + weights.get(q, 1)
        total += weights.get(q, 1)
    credit[chosen] = credit.get(chosen, 0) - total
