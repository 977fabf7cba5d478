"""The hall's domain core: tickets, queues, windows, outcomes, evaluations. No I/O.

Every command is a method taking the time ``now`` (UNIX seconds) from the caller. It
first *decides*, reading state only and raising :class:`DomainError` (with a stable
``code``) if the move is illegal, so a refused command changes nothing. Then it returns
the events it decided on, after *applying* each with :meth:`HallCore.apply`. ``apply``
is the only place state changes, and it is deterministic given the state and the event:
replaying the event log into a fresh core rebuilds the same state (the store relies on
this to rebuild projections, and tests check it).

Where things are: the records and the transition tables in :mod:`hub.core.model`; the day in
memory, the helpers every command reads it with, ``apply`` and the waiting lists in
:mod:`hub.core.state`; the ticket commands and their events in :mod:`hub.core.tickets`, the
calling order in :mod:`hub.core.calling`; windows, guides, 呼叫后台 and 好差评 in
:mod:`hub.core.windows`; here, :class:`HallCore` (all of them) and its timers (:meth:`HallCore.tick`).
Everything is importable from ``hub.core``.

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

import heapq

from hub import events as ev
from hub.core.estimate import refresh as refresh_wait
from hub.core.model import (
    ACTIVE,
    APPOINTMENT,
    EVALUATION_LEVELS,
    FINAL,
    NORMAL,
    OUTCOMES,
    PRIORITY,
    SERVED,
    SUMMON_LABELS,
    SUMMON_OPEN,
    SUMMON_TRANSITIONS,
    TRANSITIONS,
    WINDOW_TRANSITIONS,
    CheckinTiming,
    DomainError,
    Key,
    Summon,
    SummonState,
    Ticket,
    TicketState,
    WindowRuntime,
    WindowState,
    checkin_timing,
)
from hub.core.tickets import TicketDesk
from hub.core.windows import WindowDesk

__all__ = [
    "ACTIVE", "APPOINTMENT", "EVALUATION_LEVELS", "FINAL", "NORMAL", "OUTCOMES", "PRIORITY", "SERVED", "SUMMON_LABELS",
    "SUMMON_OPEN", "SUMMON_TRANSITIONS", "TRANSITIONS", "WINDOW_TRANSITIONS", "CheckinTiming", "DomainError",
    "HallCore", "Key", "Summon", "SummonState", "Ticket", "TicketState", "WindowRuntime", "WindowState",
    "checkin_timing",
]


class HallCore(TicketDesk, WindowDesk):
    """One hall's day: its state (:class:`~hub.core.state.HallState`), the ticket commands
    (:class:`~hub.core.tickets.TicketDesk`), the window commands
    (:class:`~hub.core.windows.WindowDesk`) and the timers."""

    def tick(self, now: float) -> list[ev.Event]:
        """Day rollover, scheduled bulk expiry, evaluation timeouts, the predicted wait's forecast.
        Call before each command."""
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
        refresh_wait(self, now)  # the predicted wait's forecast, at most every 30 s (hub.core.estimate)
        return out
