"""Run a simulated day: start (or join) a hub, drive the day, summarize the database."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hub.hall import Hall
from launcher.simulate.devices import MqttTransport, ServiceTransport
from launcher.simulate.engine import DayRun, DaySimulator, Progress, SimClock
from launcher.simulate.model import Behaviour, local_ts, sim_hall, staffing_from_config
from launcher.simulate.report import DaySummary, summarize


@dataclass
class SimResult:
    run: DayRun
    summary: DaySummary | None
    url: str
    db: Path | None


def day_start(hall: Hall, day: dt.date) -> float:
    import zoneinfo

    first = min(a for a, _ in hall.policy.opening_hours)
    return local_ts(day, first, zoneinfo.ZoneInfo(hall.timezone)) - 15 * 60


def simulate_day(hall: Hall, day: dt.date, *, db: str | Path | None = None, url: str | None = None,
                 speed: float = 0.0, profile: dict[int, float], windows: int | None = None, seed: int = 1,
                 behaviour: Behaviour | None = None, pin: str = "1234", kiosks: int = 5,
                 progress: Callable[[Progress], None] | None = None, transport: str = "mqtt",
                 durable: bool = True, stop: threading.Event | None = None) -> SimResult:
    """A whole hall day. With ``url`` the hub is someone else's (its clock, its database).

    Without ``url``: an embedded broker on a free loopback port and a hub on ``db`` whose
    clock is the simulator's (``transport="service"`` skips the broker: database only).
    """
    if url:
        clock = SimClock(day_start(hall, day))
        staffing = staffing_from_config(hall, windows)
        if not staffing.windows or not staffing.kiosks:
            raise ValueError("the hall file has no pads with pad staff, or no kiosks: nothing to simulate with")
        tx = MqttTransport(url, hall)
        try:
            sim = DaySimulator(hall, staffing, tx, clock, day, profile=profile, behaviour=behaviour, seed=seed,
                               speed=max(speed, 1.0), pin=pin, progress=progress, stop=stop)
            return SimResult(sim.run(), None, url, None)
        finally:
            tx.close()
    if db is None:
        raise ValueError("simulate_day needs a database path when it runs its own hub")
    from hub.broker import EmbeddedBroker, free_port
    from hub.runtime import Hub, load_key
    from hub.service import HubService
    from hub.store import Store

    big, staffing = sim_hall(hall, windows, kiosks)
    clock = SimClock(day_start(hall, day))
    db = Path(db)
    if transport == "service":
        store = Store(db, durable=durable)
        service = HubService(big, store, load_key(db.with_suffix(".key")), clock)
        try:
            sim = DaySimulator(big, staffing, ServiceTransport(service), clock, day, profile=profile,
                               behaviour=behaviour, seed=seed, speed=speed, progress=progress, stop=stop)
            run = sim.run()
        finally:
            store.close()
        return SimResult(run, summarize(db, day.isoformat(), hall.timezone), "", db)
    broker = EmbeddedBroker("127.0.0.1", free_port()).start()
    hub = None
    tx = MqttTransport(broker.url, big)
    try:
        hub = Hub(big, db, broker.url, clock=clock, durable=durable, tick_interval=0.2)
        hub.start()
        sim = DaySimulator(big, staffing, tx, clock, day, profile=profile, behaviour=behaviour, seed=seed,
                           speed=speed, progress=progress, stop=stop)
        run = sim.run()
    finally:
        tx.close()
        if hub is not None:
            hub.stop()
        broker.stop()
    return SimResult(run, summarize(db, day.isoformat(), hall.timezone), broker.url, db)
