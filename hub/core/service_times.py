"""How long a window is taken by one ticket (办理用时), learnt from the day's calls and outcomes.

The predicted wait (:mod:`hub.core.estimate`) needs two numbers: how long a ticket of a queue
occupies a window (from its call to its outcome or transfer, so recalls, no-shows and the walk
to the window are in it), and how long staff take between one outcome and the next call while
people are waiting (the gap). Both are decaying averages (exponentially weighted), so the
estimate follows the hall through the day: per queue, and per window as a speed factor
(this window's times over its queues' averages).

They are fed by the ticket events as :meth:`hub.core.state.HallState.apply` applies them, so a
replay of the log learns the same; a new day keeps what the day before taught (yesterday's
averages are the best seed there is), and with nothing learnt yet the hall averages stand in
(DOMAIN-NOTES: service ~8-11 minutes a citizen). A hub restarted mid-day has loaded its
tickets, not replayed their events: :meth:`ServiceTimes.learn_from` relearns from them once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

DEFAULT_SERVICE_S = 8 * 60.0  # a window's time for one ticket before anything is learnt
DEFAULT_GAP_S = 30.0  # staff between an outcome and the next call, before anything is learnt
ALPHA = 0.08  # weight of the newest sample: about the last 12 tickets of a queue count most
WINDOW_ALPHA = 0.06
MAX_GAP_S = 300.0  # a longer gap was a break, not the rhythm of work: not learnt
MAX_SERVICE_S = 3 * 3600.0  # longer: a window left open over lunch, not a service


class _Served(Protocol):
    queue: str
    window: str
    called_at: float | None
    finished_at: float | None
    outcome: str


@dataclass
class ServiceTimes:
    """Decaying averages of window time per ticket (per queue, per window) and of the gap."""

    by_queue: dict[str, float] = field(default_factory=dict)  # seconds a ticket of the queue takes
    factor: dict[str, float] = field(default_factory=dict)  # per window: its times / the queues' averages
    gap_s: float = DEFAULT_GAP_S
    samples: int = 0
    gap_samples: int = 0
    relearnt: bool = False  # learn_from has run (a restarted hub)
    _called: dict[str, float] = field(default_factory=dict)  # window → when its current ticket was called
    _free: dict[str, float] = field(default_factory=dict)  # window → when it became free with people waiting

    def service_s(self, queue: str, window: str = "") -> float:
        """Expected window time of one ticket of ``queue`` at ``window``."""
        base = self.by_queue.get(queue) or self.overall_s()
        return base * self.factor.get(window, 1.0)

    def overall_s(self) -> float:
        """The mean over the queues learnt (the default before any)."""
        return sum(self.by_queue.values()) / len(self.by_queue) if self.by_queue else DEFAULT_SERVICE_S

    # -------------------------------------------------------------- fed by the events

    def on_call(self, window: str, at: float) -> None:
        free = self._free.pop(window, None)
        if free is not None and 0 <= at - free <= MAX_GAP_S:
            self.gap_s += ALPHA * ((at - free) - self.gap_s)
            self.gap_samples += 1
        self._called[window] = at

    def on_done(self, window: str, queue: str, at: float, backlog: bool) -> None:
        """The window's ticket of ``queue`` left it (outcome or transfer) at ``at``; ``backlog``:
        people were still waiting for this window (so the gap until its next call is work rhythm)."""
        called = self._called.pop(window, None)
        if backlog:
            self._free[window] = at
        if called is None or not 0 < at - called <= MAX_SERVICE_S:
            return
        self.learn(queue, window, at - called)

    def learn(self, queue: str, window: str, seconds: float) -> None:
        before = self.by_queue.get(queue)
        if before is None:
            self.by_queue[queue] = seconds
        else:
            self.by_queue[queue] = before + ALPHA * (seconds - before)
        if window and before:
            old = self.factor.get(window, 1.0)
            ratio = min(4.0, max(0.25, seconds / before))
            self.factor[window] = old + WINDOW_ALPHA * (ratio - old)
        self.samples += 1

    def forget(self, window: str) -> None:
        """A pause or a log-out: what was running at the window is no sample."""
        self._called.pop(window, None)
        self._free.pop(window, None)

    def learn_from(self, tickets: Iterable[_Served]) -> None:
        """Relearn from today's finished tickets (a hub restarted mid-day), in the order finished."""
        self.relearnt = True
        done = sorted((t.finished_at, t.finished_at - t.called_at, t.queue, t.window) for t in tickets
                      if t.called_at is not None and t.finished_at is not None and t.window and t.outcome)
        for _, seconds, queue, window in done:
            if 0 < seconds <= MAX_SERVICE_S:
                self.learn(queue, window, seconds)
