"""Several hall days in a row (a month) through one hub, with the cases travelling between them.

``hallq simulate --month 2026-11`` (or ``--day D --days N``): one broker and one hub on one
database, the simulator's clock moved from day to day. Each **working day** of the hall's
calendar (``[cases]``: public holidays and 调休 from :mod:`hub.workdays`) is a whole
:class:`~launcher.simulate.engine.DaySimulator` day — kiosks, windows, evaluators, the guide —
and :class:`~launcher.simulate.cases.CaseSim` carries every case opened at a 受理 through its
steps across the days (转递, 签收, 补正, 办结, 出件). Days off are skipped: the hall is shut,
and a case's clock (working days) does not run on them either.

What comes out is a database the monthly report reads as it reads a real hall's: 附件8 三 and 四,
the overdue and unclaimed lists (``hallq report monthly --db …``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hub.case_config import CaseRules
from hub.hall import Hall
from launcher.simulate.cases import CaseBehaviour, CaseRun, CaseSim, with_back_offices
from launcher.simulate.devices import MqttTransport, ServiceTransport, Transport
from launcher.simulate.engine import DaySimulator, Progress, SimClock
from launcher.simulate.model import Behaviour, sim_hall
from launcher.simulate.run import day_start


@dataclass
class MonthResult:
    days: list[dt.date] = field(default_factory=list)  # the working days simulated
    counts: Counter[str] = field(default_factory=Counter)  # the days' counts, added up
    errors: Counter[str] = field(default_factory=Counter)  # everything the hub refused (tickets and cases)
    cases: CaseRun = field(default_factory=CaseRun)
    requests: int = 0
    wall_s: float = 0.0
    db: Path | None = None
    url: str = ""

    def refused(self) -> int:
        return sum(self.errors.values())


def month_days(first: dt.date, last: dt.date, rules: CaseRules) -> list[dt.date]:
    """The hall's working days from ``first`` to ``last`` (both included)."""
    days = []
    d = first
    while d <= last:
        if rules.calendar.is_working_day(d):
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def month_of(text: str) -> tuple[dt.date, dt.date]:
    """``YYYY-MM`` → its first and last day."""
    try:
        first = dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValueError(f"--month 应为 YYYY-MM (a month), 而不是 {text!r}") from None
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def simulate_month(hall: Hall, first: dt.date, last: dt.date, *, db: str | Path, profile: dict[int, float],
                   windows: int | None = None, seed: int = 1, behaviour: Behaviour | None = None,
                   cases: CaseBehaviour | None = None, kiosks: int = 2, speed: float = 0.0,
                   transport: str = "mqtt", durable: bool = False,
                   progress: Callable[[dt.date, Progress], None] | None = None,
                   stop: threading.Event | None = None) -> MonthResult:
    """Every working day from ``first`` to ``last`` through one hub on ``db`` (a broker of its own,
    or ``transport="service"``: the hub's service in-process, the same database)."""
    import time

    from hub.broker import EmbeddedBroker, free_port
    from hub.runtime import Hub, load_key
    from hub.service import HubService
    from hub.store import Store

    big, staffing = sim_hall(hall, windows, kiosks)
    big, desks = with_back_offices(big)
    days = month_days(first, last, big.cases or CaseRules())
    if not days:
        raise ValueError(f"{first}..{last}: no working day in the hall's calendar: nothing to simulate")
    db = Path(db)
    clock = SimClock(day_start(big, days[0]))
    result = MonthResult(db=db)
    case_sim = CaseSim(big, staffing, desks, cases, seed)
    result.cases = case_sim.run
    stop = stop or threading.Event()
    started = time.monotonic()
    broker = hub = store = None
    tx: Transport
    if transport == "service":
        store = Store(db, durable=durable)
        tx = ServiceTransport(HubService(big, store, load_key(db.with_suffix(".key")), clock))
    else:
        broker = EmbeddedBroker("127.0.0.1", free_port()).start()
        result.url = broker.url
        hub = Hub(big, db, broker.url, clock=clock, durable=durable, tick_interval=0.2)
        hub.start()
        tx = MqttTransport(broker.url, big)
    try:
        for n, day in enumerate(days):
            if stop.is_set():
                break
            clock.now = max(clock.now, day_start(big, day))
            shown = None if progress is None else _per_day(progress, day)
            sim = DaySimulator(big, staffing, tx, clock, day, profile=profile, behaviour=behaviour,
                               seed=seed * 1000 + n, speed=speed, progress=shown, stop=stop)
            case_sim.attach(sim)
            run = sim.run()
            result.days.append(day)
            result.counts.update(run.counts)
            result.errors.update(run.errors)
            result.requests += run.requests
    finally:
        tx.close()
        if hub is not None:
            hub.stop()
        if broker is not None:
            broker.stop()
        if store is not None:
            store.close()
    result.wall_s = time.monotonic() - started
    return result


def _per_day(progress: Callable[[dt.date, Progress], None], day: dt.date) -> Callable[[Progress], None]:
    def show(p: Progress) -> None:
        progress(day, p)
    return show
