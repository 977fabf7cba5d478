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
ALPHA = 0.05  # weight of the newest sample: about the last 20 tickets of a queue (or matter) count most
WINDOW_ALPHA = 0.03
WINDOW_PRIOR = 30  # a window's own speed counts half after this many services
MAX_GAP_S = 300.0  # a longer gap was a break, not the rhythm of work: not learnt
QUEUE_PRIOR = 20  # a queue's own mean counts as much as the hall's after this many services
MATTER_PRIOR = 20  # a matter's own mean counts as much as its queue's after this many services
MAX_SERVICE_S = 3 * 3600.0  # longer: a window left open over lunch, not a service


class _Served(Protocol):
    queue: str
    matter: str
    window: str
    called_at: float | None
    finished_at: float | None
    outcome: str


@dataclass
class ServiceTimes:
    """Decaying averages of window time per ticket (per queue, per window) and of the gap."""

    by_queue: dict[str, float] = field(default_factory=dict)  # seconds a ticket of the queue takes
    by_matter: dict[str, float] = field(default_factory=dict)  # seconds a ticket of the matter (事项) takes
    counts: dict[str, int] = field(default_factory=dict)  # samples per queue / matter ("m:" + matter)
    factor: dict[str, float] = field(default_factory=dict)  # per window: its times / the queues' averages
    gap_s: float = DEFAULT_GAP_S
    all_s: float = DEFAULT_SERVICE_S  # the hall's mean over every queue
    samples: int = 0
    gap_samples: int = 0
    relearnt: bool = False  # learn_from has run (a restarted hub)
    _called: dict[str, float] = field(default_factory=dict)  # window → when its current ticket was called
    _free: dict[str, float] = field(default_factory=dict)  # window → when it became free with people waiting
    _ratio: dict[str, float] = field(default_factory=dict)  # window → decaying mean of its times / expected

    def service_s(self, queue: str, window: str = "", matter: str = "") -> float:
        """Expected window time of one ticket of ``queue`` for ``matter`` at ``window``.

        Each level is drawn towards the one above while it has few samples (the hall → the queue →
        the matter): a queue's first service of the day may be a 40-minute one, and the estimate
        must not say 40 minutes a head for it (an early, loud error the naive baseline never makes).
        """
        base = self.overall_s()
        nq = self.counts.get(queue, 0)
        if nq:
            base = (nq * self.by_queue[queue] + QUEUE_PRIOR * base) / (nq + QUEUE_PRIOR)
        nm = self.counts.get("m:" + matter, 0) if matter else 0
        if nm:  # what the citizen came for says more than the queue, once it has a few samples
            base = (nm * self.by_matter[matter] + MATTER_PRIOR * base) / (nm + MATTER_PRIOR)
        return base * self.factor.get(window, 1.0)

    def overall_s(self) -> float:
        """The hall's decaying mean over every queue (the default before anything is learnt)."""
        return self.all_s if self.samples else DEFAULT_SERVICE_S

    # -------------------------------------------------------------- fed by the events

    def on_call(self, window: str, at: float) -> None:
        free = self._free.pop(window, None)
        if free is not None and 0 <= at - free <= MAX_GAP_S:
            self.gap_s += ALPHA * ((at - free) - self.gap_s)
            self.gap_samples += 1
        self._called[window] = at

    def on_done(self, window: str, queue: str, at: float, backlog: bool, matter: str = "") -> None:
        """The window's ticket of ``queue`` (for ``matter``) left it (outcome or transfer) at ``at``;
        ``backlog``: people were still waiting for this window (so the gap until its next call is
        the rhythm of work, not an idle window)."""
        called = self._called.pop(window, None)
        if backlog:
            self._free[window] = at
        if called is None or not 0 < at - called <= MAX_SERVICE_S:
            return
        self.learn(queue, window, at - called, matter)

    def learn(self, queue: str, window: str, seconds: float, matter: str = "") -> None:
        if window and queue in self.by_queue:  # this window against what any window takes for it
            expected = self.service_s(queue, "", matter)
            n = self.counts.get("w:" + window, 0) + 1
            self.counts["w:" + window] = n
            self._ratio[window] = self._ratio.get(window, 1.0) + WINDOW_ALPHA * (seconds / expected
                                                                                 - self._ratio.get(window, 1.0))
            # drawn towards 1 while it has few samples; a window is not 4 times slower than the others
            self.factor[window] = min(2.0, max(0.5, 1 + (self._ratio[window] - 1) * n / (n + WINDOW_PRIOR)))
        self.all_s = _mean({"*": self.all_s} if self.samples else {}, self.counts, "*", "*", seconds)
        _mean(self.by_queue, self.counts, queue, queue, seconds)
        if matter:
            _mean(self.by_matter, self.counts, matter, "m:" + matter, seconds)
        self.samples += 1

    def forget(self, window: str) -> None:
        """A pause or a log-out: what was running at the window is no sample."""
        self._called.pop(window, None)
        self._free.pop(window, None)

    def learn_from(self, tickets: Iterable[_Served]) -> None:
        """Relearn from today's finished tickets (a hub restarted mid-day), in the order finished."""
        self.relearnt = True
        done = sorted((t.finished_at, t.finished_at - t.called_at, t.queue, t.window, t.matter) for t in tickets
                      if t.called_at is not None and t.finished_at is not None and t.window and t.outcome)
        for _, seconds, queue, window, matter in done:
            if 0 < seconds <= MAX_SERVICE_S:
                self.learn(queue, window, seconds, matter)


def _mean(means: dict[str, float], counts: dict[str, int], key: str, count_key: str, x: float) -> float:
    """A decaying mean that starts as the plain mean (weight 1/n until that is below ALPHA)."""
    n = counts.get(count_key, 0) + 1
    counts[count_key] = n
    old = means.get(key, x)
    means[key] = old + max(ALPHA, 1 / n) * (x - old)
    return means[key]
