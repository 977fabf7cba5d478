"""One hall's day in memory, and the one way it changes: :meth:`HallState.apply`.

:class:`HallState` holds the day (tickets, the waiting lists in calling order, windows, counters,
summons, who is signed in) and what every command needs to read it: a ticket by id or number, a
window, who is ahead, whether a move is legal. The commands themselves are in
:mod:`hub.core.tickets` and :mod:`hub.core.windows`; each applies the events it decided with
:meth:`HallState.apply`, which hands an event to the ``_on_<type>`` method of whichever part
of the core owns that event. The list keeping (which ticket waits where) is here, because every
part moves tickets on and off the lists.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import zoneinfo

from hallq.protocol import ACTION_WORDS, TICKET_STATE_WORDS, WINDOW_STATE_WORDS
from hub import events as ev
from hub.core.model import (
    NORMAL,
    TRANSITIONS,
    WINDOW_TRANSITIONS,
    DomainError,
    Key,
    Summon,
    Ticket,
    TicketState,
    WindowRuntime,
    WindowState,
)
from hub.core.service_times import ServiceTimes
from hub.hall import Hall


class HallState:
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
        # the predicted wait (hub.core.estimate): window time per ticket learnt from today's events (a
        # new day starts from the seeds and the history the store gives), and the last forecast (a memo)
        self.service_times = ServiceTimes()
        self.service_times.seed_hall(hall)
        self.wait_memo: object | None = None
        self.windows_version = 0  # +1 whenever a window opens, pauses, resumes, closes or changes queues
        self.called_from: dict[str, int] = {}  # tickets called off each queue's list ("w:<id>": a window's own)

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

    def backlog(self, window: str) -> bool:
        """Someone is waiting that this window may call (its queues, either stage, or its own list)."""
        w = self.windows[window]
        return bool(self.direct[window]) or any(self.waiting[q] for q in (*w.queues, *w.overflow))

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

    def _serving_window(self, window: str) -> WindowRuntime:
        w = self.window(window)
        if w.state is not WindowState.OPEN:
            raise DomainError("window_not_open", f"窗口 {window} {WINDOW_STATE_WORDS[w.state.value]}")
        self._free_current(w)
        return w

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
        self.service_times = self.service_times.new_day()  # the store gives the history up to yesterday
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
