"""How good is the predicted wait? Simulated days through the real hub, each ticket's prediction
at issue time against the wait it really had (issue 17; ``bench/bench_wait.py`` prints the table,
``tests/hub/test_estimate.py`` holds one short day to it).

A day is played by the simulator engine (:mod:`launcher.simulate.engine`) against the hub's
service in-process (no broker: the figures are about the estimate, not the wire), on a SQLite
file, with the simulator's clock. Every ``ticket.issue`` reply carries the hub's prediction
(``wait_min``, the range ``wait_lo_min``-``wait_hi_min``); at the same moment the naive baseline
is worked out from the same hub's state: people ahead × the average window time per ticket so far
(call to outcome, the same default before any) ÷ the open windows serving the ticket's queue. The
real wait is from issue to the ticket's first call. Tickets never called (expired at 12:30, or
no window ever served them) and tickets neither method could estimate are left out.

``pauses``: (window, from, to) in local "HH:MM": the window pauses (暂停) at ``from`` — after
the citizen it is serving, as staff do — and resumes at ``to``.

What the estimator may use, to measure what each part adds (the calls, and so the real waits,
are the same whatever it predicts): ``seeded=False`` drops the hall file's ``service_minutes``;
``history_days``: that many earlier days (other citizens) are played first on the same database,
so the hub starts the day with measured times (``Store.service_history``); ``arrivals=False``
turns off the jumpers' expected work (:data:`hub.core.estimate.MODEL_ARRIVALS`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.core import WindowState, estimate
from hub.core.service_times import DEFAULT_SERVICE_S
from hub.hall import Hall
from hub.runtime import load_key
from hub.service import HubService
from hub.store import Store
from launcher.simulate.devices import ServiceTransport
from launcher.simulate.engine import DaySimulator, SimClock
from launcher.simulate.model import Behaviour, local_ts, sim_hall
from launcher.simulate.run import day_start


@dataclass
class Prediction:
    ticket: str
    queue: str
    issued_at: float
    ahead: int
    hub_min: float | None  # the hub's point estimate (minutes)
    lo_min: float | None
    hi_min: float | None
    naive_min: float | None  # the baseline
    called_at: float | None = None

    @property
    def real_min(self) -> float | None:
        return None if self.called_at is None else (self.called_at - self.issued_at) / 60


@dataclass
class DayErrors:
    """Absolute errors (minutes) of both methods over the same tickets."""

    name: str
    tickets: int
    mean_wait_min: float
    hub_p50: float
    hub_p90: float
    naive_p50: float
    naive_p90: float
    in_range: float  # share of real waits inside the hub's range
    predictions: list[Prediction] = field(default_factory=list, repr=False)

    @property
    def gain_p50(self) -> float:
        """How much smaller the hub's median error is than the baseline's (0.4: 40 % smaller)."""
        return 1 - self.hub_p50 / self.naive_p50 if self.naive_p50 else 0.0

    @property
    def gain_p90(self) -> float:
        return 1 - self.hub_p90 / self.naive_p90 if self.naive_p90 else 0.0


class _Watching(ServiceTransport):
    """The hub in-process, with every issue's prediction and baseline and every first call noted."""

    def __init__(self, service: HubService, clock: SimClock) -> None:
        super().__init__(service)
        self.clock = clock
        self.predictions: dict[str, Prediction] = {}
        self._started: dict[str, float] = {}  # window → when its current ticket was called
        self._durations: list[float] = []

    def request(self, device: str, op: str, args: dict[str, Any], request_id: str) -> dict[str, Any]:
        result = super().request(device, op, args, request_id)
        now = self.clock.now
        if op == "ticket.issue":
            t = result["ticket"]
            self.predictions[t["id"]] = Prediction(
                t["id"], t["queue"], now, t.get("ahead", 0), t.get("wait_min"), t.get("wait_lo_min"),
                t.get("wait_hi_min"), self.naive(t["queue"], t.get("ahead", 0)))
        elif op in ("ticket.call_next", "ticket.call"):
            t = result["ticket"]
            p = self.predictions.get(t["id"])
            if p is not None and p.called_at is None:
                p.called_at = now
            self._started[t["window"]] = now
        elif op in ("ticket.outcome", "ticket.transfer") and args.get("window") in self._started:
            self._durations.append(now - self._started.pop(args["window"]))
        return result

    def naive(self, queue: str, ahead: int) -> float | None:
        """People ahead × average window time per ticket ÷ open windows serving the queue."""
        core = self.service.core
        open_windows = sum(1 for w in core.windows.values()
                           if w.state is WindowState.OPEN and (queue in w.queues or queue in w.overflow))
        if not open_windows:
            return None
        mean = statistics.fmean(self._durations) if self._durations else DEFAULT_SERVICE_S
        return ahead * mean / open_windows / 60


class _PausingDay(DaySimulator):
    """The engine's day, with windows pausing for a while (after their current citizen)."""

    def __init__(self, *args: Any, pauses: tuple[tuple[str, str, str], ...] = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._due: set[str] = set()
        for wid, start, end in pauses:
            a, b = (local_ts(self.day, dt.time.fromisoformat(x), self.tz) for x in (start, end))
            self.at(a, "bench_pause", wid, b)

    def _bench_pause(self, wid: str, until: float) -> None:
        self._due.add(wid)
        self.at(until, "resume", wid)
        if self.windows[wid].status == "idle":
            self._pause_now(wid)

    def _pause_now(self, wid: str) -> None:
        self._due.discard(wid)
        self._req(self.st.pads[wid], "window.pause", {"window": wid, "reason": "临时离开"})
        self.windows[wid].status = "paused"

    def _call(self, wid: str) -> None:
        if wid in self._due and self.windows[wid].status == "idle":
            self.windows[wid].pending_call = False
            self._pause_now(wid)
            return
        super()._call(wid)


def simulate(hall: Hall, day: dt.date, profile: dict[int, float], *, name: str = "", windows: int | None = None,
             seed: int = 1, pauses: tuple[tuple[str, str, str], ...] = (), behaviour: Behaviour | None = None,
             db_dir: str | Path | None = None, seeded: bool = True, history_days: int = 0,
             arrivals: bool = True, first_hour: bool = False) -> DayErrors:
    """One simulated day; the errors of both methods over the tickets that were called
    (``first_hour``: only those issued in the day's first hour of tickets)."""
    # devices as fast as the hub answers: without the hall's rate limit (simulated devices keep to it in wall time)
    hall = dataclasses.replace(hall, policy=dataclasses.replace(hall.policy, rate_per_minute=0))
    if not seeded:
        hall = dataclasses.replace(
            hall, queues={k: dataclasses.replace(q, service_minutes=0.0) for k, q in hall.queues.items()},
            matters={k: dataclasses.replace(m, service_minutes=0.0) for k, m in hall.matters.items()})
    big, staffing = sim_hall(hall, windows)
    kept = estimate.MODEL_ARRIVALS
    estimate.MODEL_ARRIVALS = arrivals
    try:
        with tempfile.TemporaryDirectory(dir=db_dir) as tmp:
            db = Path(tmp) / "day.db"
            for back in range(history_days, -1, -1):  # earlier days first (other citizens), then the day measured
                on = day - dt.timedelta(days=back)
                clock = SimClock(day_start(hall, on))
                store = Store(db, durable=False)
                try:
                    service = HubService(big, store, load_key(db.with_suffix(".key")), clock)
                    tx = _Watching(service, clock)
                    _PausingDay(big, staffing, tx, clock, on, profile=profile, behaviour=behaviour,
                                seed=seed + 1000 * back, pauses=pauses).run()
                finally:
                    store.close()
    finally:
        estimate.MODEL_ARRIVALS = kept
    predictions = list(tx.predictions.values())
    if first_hour and predictions:
        start = min(p.issued_at for p in predictions)
        predictions = [p for p in predictions if p.issued_at < start + 3600]
    return errors(name, predictions)


def errors(name: str, predictions: list[Prediction], min_wait: float = 0.0) -> DayErrors:
    """Both methods' absolute errors; ``min_wait``: only tickets that really waited that long (minutes)."""
    done = [p for p in predictions if p.real_min is not None and p.hub_min is not None and p.naive_min is not None
            and p.real_min >= min_wait]
    if not done:
        raise ValueError(f"{name}: no ticket was both predicted and called")
    real = [p.real_min or 0.0 for p in done]
    hub = sorted(abs((p.hub_min or 0.0) - r) for p, r in zip(done, real, strict=True))
    naive = sorted(abs((p.naive_min or 0.0) - r) for p, r in zip(done, real, strict=True))
    inside = sum(1 for p, r in zip(done, real, strict=True) if (p.lo_min or 0) <= r <= (p.hi_min or 0))
    return DayErrors(name, len(done), statistics.fmean(real), _pct(hub, 50), _pct(hub, 90), _pct(naive, 50),
                     _pct(naive, 90), inside / len(done), done)


def _pct(xs: list[float], q: int) -> float:
    return xs[min(len(xs) - 1, round(q / 100 * (len(xs) - 1)))]
