"""How long a window is taken by one ticket (办理用时), learnt from the day's calls and outcomes.

The predicted wait (:mod:`hub.core.estimate`) needs two numbers: how long a ticket of a queue
occupies a window (from its call to its outcome or transfer, so recalls, no-shows and the walk
to the window are in it), and how long staff take between one outcome and the next call while
people are waiting (the gap). Both are decaying averages (exponentially weighted), so the
estimate follows the hall through the day: per queue, and per window as a speed factor
(this window's times over its queues' averages).

Before the day has taught anything, each queue's and matter's mean starts from a seed
(:meth:`ServiceTimes.seed`): the hall file's ``service_minutes`` (预计办理时长, per queue or
matter), drawn towards the times measured on earlier days (:meth:`hub.store.Store.service_history`,
read once when the hub starts) as those have samples; today's services then draw each mean away
from its seed (``QUEUE_PRIOR``, ``MATTER_PRIOR``), so the first hour of a day is neither the
8-minute default nor one early outlier. A sample longer than :data:`OUTLIER_X` times what its queue
(and matter) is expected to take counts as that much (:meth:`ServiceTimes.learn`): a window left
"serving" through a break is not a service, and one such sample must not move the day's estimates.

They are fed by the ticket events as :meth:`hub.core.state.HallState.apply` applies them, and by
nothing else, so what they hold is a function of what is stored: the seeds, the earlier days'
history and today's events in their order. A hub restarted mid-day (kill -9, an upgrade) or a
standby promoted after a failover replays today's events into a scratch core when it loads
(:meth:`hub.store.Store.load`) and predicts, for the same citizen at the same moment, exactly what
the live hub predicted. A new day starts from the seeds and the history alone
(:meth:`ServiceTimes.new_day`; the store adds the day just ended to the history), not from
yesterday's decaying means, as a hub started that morning would. With nothing learnt yet the hall
averages stand in (DOMAIN-NOTES: service ~8-11 minutes a citizen).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
OUTLIER_X = 4.0  # a sample counts at most this many times what the queue (matter) is expected to take
HISTORY_PRIOR = 10  # earlier days' measured mean counts as much as the hall file's after this many services


@dataclass(frozen=True)
class History:
    """Window time measured on earlier days for one queue and matter (``Store.service_history``)."""

    queue: str
    matter: str
    services: int
    mean_s: float


class _Timed(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def service_minutes(self) -> float: ...


class _Hall(Protocol):
    @property
    def queues(self) -> Mapping[str, _Timed]: ...
    @property
    def matters(self) -> Mapping[str, _Timed]: ...


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
    seed_q: dict[str, float] = field(default_factory=dict)  # per queue: the mean before today's samples
    seed_m: dict[str, float] = field(default_factory=dict)  # per matter: the same
    seeded_from: object = None  # the hall the seeds were made from (estimate seeds once per hall)
    history: tuple[History, ...] = ()  # earlier days, kept so a new hall file re-seeds with them
    hist_q: dict[str, tuple[int, float]] = field(default_factory=dict)  # per queue: earlier days' (services, mean)
    hist_m: dict[str, tuple[int, float]] = field(default_factory=dict)  # per matter: the same
    _called: dict[str, float] = field(default_factory=dict)  # window → when its current ticket was called
    _free: dict[str, float] = field(default_factory=dict)  # window → when it became free with people waiting
    _ratio: dict[str, float] = field(default_factory=dict)  # window → decaying mean of its times / expected

    def service_s(self, queue: str, window: str = "", matter: str = "") -> float:
        """Expected window time of one ticket of ``queue`` for ``matter`` at ``window``.

        Each level is drawn towards the one above while it has few samples (the hall → the queue →
        the matter): a queue's first service of the day may be a 40-minute one, and the estimate
        must not say 40 minutes a head for it (an early, loud error the naive baseline never makes).
        """
        base = _drawn(self.seed_q.get(queue) or self.overall_s(), self.hist_q.get(queue))
        nq = self.counts.get(queue, 0)
        if nq:
            base = (nq * self.by_queue[queue] + QUEUE_PRIOR * base) / (nq + QUEUE_PRIOR)
        if matter:  # what the citizen came for says more than the queue, once it has a seed or a few samples
            base = _drawn(self.seed_m.get(matter) or base, self.hist_m.get(matter))
            nm = self.counts.get("m:" + matter, 0)
            if nm:
                base = (nm * self.by_matter[matter] + MATTER_PRIOR * base) / (nm + MATTER_PRIOR)
        return base * self.factor.get(window, 1.0)

    def overall_s(self) -> float:
        """The hall's decaying mean over every queue (the default, or earlier days', before anything
        is learnt today)."""
        return self.all_s if self.samples or self.history else DEFAULT_SERVICE_S

    # -------------------------------------------------------------- seeds

    def seed_hall(self, hall: _Hall) -> None:
        """Seed from a hall file's ``service_minutes`` (per queue, per matter), keeping the history."""
        self.seed(hall, {q.id: q.service_minutes * 60 for q in hall.queues.values()},
                  {m.id: m.service_minutes * 60 for m in hall.matters.values()})

    def set_history(self, history: Iterable[History]) -> None:
        """Earlier days' measured times (the store gives them at a load and at each new day), the
        hall file's seeds kept."""
        self.seed(self.seeded_from, self.seed_q, self.seed_m, history)

    def new_day(self) -> ServiceTimes:
        """What a day starts from: the seeds and the history, nothing learnt. A hub restarted or a standby
        promoted mid-day rebuilds today's learning from today's events alone (``Store.load``), so the
        live hub forgets yesterday's too; yesterday is in the history the store gives for the new day."""
        fresh = ServiceTimes()
        fresh.seed(self.seeded_from, self.seed_q, self.seed_m, self.history)
        return fresh

    def seed(self, hall: object, queue_s: dict[str, float], matter_s: dict[str, float],
             history: Iterable[History] | None = None) -> None:
        """Start each queue's and matter's mean from the hall file's expected time (``queue_s``,
        ``matter_s``: seconds, the hall's ``service_minutes``) and earlier days' measured means
        (``history``; None: keep the history already given)."""
        if history is not None:
            self.history = tuple(h for h in history if h.services > 0 and 0 < h.mean_s <= MAX_SERVICE_S)
        self.seeded_from = hall
        self.seed_q = {k: v for k, v in queue_s.items() if v > 0}
        self.seed_m = {k: v for k, v in matter_s.items() if v > 0}
        self.hist_q, self.hist_m = {}, {}
        for h in self.history:
            for key, acc in ((h.queue, self.hist_q), (h.matter, self.hist_m)):
                if key:
                    n, mean = acc.get(key, (0, 0.0))
                    acc[key] = (n + h.services, (n * mean + h.services * h.mean_s) / (n + h.services))
        if self.history and not self.samples:  # the hall's mean before today: earlier days' over every queue
            n_all = sum(h.services for h in self.history)
            self.all_s = sum(h.services * h.mean_s for h in self.history) / n_all

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
        """One service of ``seconds``, clipped to :data:`OUTLIER_X` times what the queue (and matter) is
        expected to take before it: a window left "serving" over a break, a stuck pad or a clock jump
        gives one absurd sample (2 h where 10 min is usual), and a decaying mean would carry it for the
        next twenty services (+70 % on the queue at weight 1/20, the window's factor up to its cap).
        Clipped, it still says "longer than expected", by at most three times the expected time × the weight
        (3× clipped the simulator's real long services too: bench/bench_wait.py's errors moved both ways)."""
        expected = self.service_s(queue, "", matter)
        seconds = min(seconds, OUTLIER_X * expected)
        if window and queue in self.by_queue:  # this window against what any window takes for it
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


def _drawn(prior: float, measured: tuple[int, float] | None) -> float:
    """A seed drawn towards earlier days' measured mean by their count of services."""
    if measured is None:
        return prior
    n, mean = measured
    return (n * mean + HISTORY_PRIOR * prior) / (n + HISTORY_PRIOR)


def _mean(means: dict[str, float], counts: dict[str, int], key: str, count_key: str, x: float) -> float:
    """A decaying mean that starts as the plain mean (weight 1/n until that is below ALPHA)."""
    n = counts.get(count_key, 0) + 1
    counts[count_key] = n
    old = means.get(key, x)
    means[key] = old + max(ALPHA, 1 / n) * (x - old)
    return means[key]
