"""A restarted hub, or a standby promoted after a failover, predicts the same wait as the live hub.

The predicted wait (预计等候) rests on window times the hub learns from the day's events. A hub
killed at 11:00 and started again, or a standby that takes over, must not tell the same citizen
something else: what the times hold is a function of what is stored (the seeds, the earlier days'
history, today's events in order), and ``Store.load`` rebuilds them. Random days (hypothesis, the
command mix of tests/hub/test_properties.py, clock jumps and midnight included) check it after every
step on a real SQLite file; a seeded day through the real service checks what the hub answers on
the wire; the bench's whole simulated day checks it at scale.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.config import load_hall
from hub.core import DomainError, HallCore, TicketState
from hub.core.estimate import WaitRange, predict_ticket, queue_wait
from hub.core.service_times import ServiceTimes
from hub.hall import Hall
from hub.runtime import load_key
from hub.service import HubService
from hub.store import Store
from launcher.samples import sample_hall_path
from launcher.simulate.devices import ServiceTransport
from launcher.simulate.engine import DaySimulator, SimClock
from launcher.simulate.model import parse_profile, sim_hall
from launcher.simulate.run import day_start
from tests.hub.hub_helpers import FakeClock, local_ts, req
from tests.hub.test_properties import HALL, QUEUE_MATTERS, op, run

KEY = b"k" * 32


def learnt(times: ServiceTimes) -> dict[str, Any]:
    """Everything the times hold, the hall they were seeded from by id."""
    out = dataclasses.asdict(dataclasses.replace(times, seeded_from=None))
    out["seeded_from"] = getattr(times.seeded_from, "id", None)
    return out


def predictions(core: HallCore, now: float) -> dict[str, WaitRange | None]:
    """Every waiting ticket's predicted wait and every queue's for a new ticket, from a forward run
    at ``now`` (the kept forecast set aside: it is as old as the hub's last tick, not state)."""
    kept, core.wait_memo = core.wait_memo, None
    try:
        out: dict[str, WaitRange | None] = {t.id: predict_ticket(core, t.id, now) for t in core.tickets.values()
                                            if t.state is TicketState.WAITING}
        out |= {"queue " + q: queue_wait(core, q, now) for q in core.waiting}
        return out
    finally:
        core.wait_memo = kept


def assert_same_as_a_restart(core: HallCore, store: Store, hall: Hall, now: float) -> None:
    fresh = store.load(hall)
    assert predictions(fresh, now) == predictions(core, now)
    assert learnt(fresh.service_times) == learnt(core.service_times)


@settings(max_examples=int(os.environ.get("HALLQ_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, min_size=10, max_size=60), st.sampled_from([1, 7, 95, 400]))
def test_a_restart_at_any_point_predicts_what_the_live_hub_predicts(ops: list[tuple[Any, ...]], step: int) -> None:
    clock = FakeClock(local_ts(2026, 11, 23, 8, 50))
    core = HallCore(HALL)
    with tempfile.TemporaryDirectory() as d:
        store = Store(Path(d) / "hub.db", durable=False)
        try:
            preamble = [("open", "W1"), ("open", "W2"), ("open", "W3"),
                        *[("issue", qm, "", "", False, "kiosk") for qm in QUEUE_MATTERS]]
            for o in [*preamble, *ops]:
                if o[0] == "wait":
                    clock.advance(o[1])
                now = clock.advance(step)  # services of seconds to several minutes: learnt, or not
                events = core.tick(now)
                with contextlib.suppress(DomainError):  # a refused command changes nothing
                    events += run(core, now, o) if o[0] != "wait" else []
                store.record(core, events)
                assert_same_as_a_restart(core, store, HALL, now)
        finally:
            store.close()


def test_a_day_through_the_service_answers_the_same_after_a_restart(small_hall: Hall, tmp_path: Path) -> None:
    """Seeded random commands on the wire through the real service over two days; after each, a hub
    started afresh on the file answers ``ticket.get`` with the same wait for every waiting ticket."""
    rng = random.Random(17)
    db = tmp_path / "hub.db"
    clock = FakeClock(local_ts(2026, 11, 20, 8, 30))
    svc = HubService(small_hall, Store(db, durable=False), KEY, clock)
    pads = {"W1": ("P1", "s1"), "W2": ("P2", "s2"), "W3": ("P3", "s3")}
    matters = ["ma", "ma2", "mb", "mc"]
    checked = 0
    try:
        for step in range(260):
            if step == 130:  # the next working day, Monday
                clock.now = local_ts(2026, 11, 23, 8, 30)
            clock.advance(rng.choice([5, 40, 90, 300, 600, 900]))
            w = rng.choice(list(pads))
            pad, staff = pads[w]
            kind = rng.choices(["issue", "call", "outcome", "open", "pause", "resume", "transfer"],
                               [6, 5, 5, 1, 1, 1, 1])[0]
            args: dict[str, Any] = {"window": w}
            match kind:
                case "issue":
                    svc.handle("K1", req("ticket.issue", {"matter": rng.choice(matters), "situation": "s"}))
                case "call":
                    svc.handle(pad, req("ticket.call_next", args))
                case "outcome":
                    svc.handle(pad, req("ticket.outcome", args | {"outcome": rng.choice(["accepted", "passed"])}))
                case "open":
                    svc.handle(pad, req("window.open", args | {"staff": staff, "pin": "1234"}))
                case "pause":
                    svc.handle(pad, req("window.pause", args | {"reason": "午休"}))
                case "resume":
                    svc.handle(pad, req("window.resume", args))
                case "transfer":
                    svc.handle(pad, req("ticket.transfer", args | {"to_queue": rng.choice(["A", "B", "C"])}))
            svc.tick()
            waiting = [t.number for t in svc.core.tickets.values() if t.state is TicketState.WAITING]
            live = {n: ticket_wait(svc, n) for n in waiting}
            again = HubService(small_hall, Store(db, durable=False), KEY, clock)
            try:
                assert {n: ticket_wait(again, n) for n in waiting} == live, f"step {step}"
            finally:
                again.store.close()
            checked += sum(1 for v in live.values() if v[0] is not None)
    finally:
        svc.store.close()
    assert checked > 300  # most steps had tickets waiting at an open window


def ticket_wait(svc: HubService, number: str) -> tuple[Any, ...]:
    """The wait the hub says for a ticket now (the forecast of this moment: its tick just ran)."""
    svc.core.wait_memo = None
    t = json.loads(svc.handle("K1", req("ticket.get", {"ticket": number})).reply or b"")["result"]["ticket"]
    return t["wait_min"], t["wait_lo_min"], t["wait_hi_min"], t.get("wait_past_close")


def test_a_new_day_starts_from_the_history_not_from_yesterdays_learning(small_hall: Hall, tmp_path: Path) -> None:
    """Friday's services are in Monday's history: the live hub that ran on Friday and a hub started on
    Monday morning hold the same times (before, the live hub kept Friday's decaying means)."""
    db = tmp_path / "hub.db"
    clock = FakeClock(local_ts(2026, 11, 20, 9, 0))
    svc = HubService(small_hall, Store(db, durable=False), KEY, clock)
    svc.handle("P1", req("window.open", {"window": "W1", "staff": "s1", "pin": "1234"}))
    for _ in range(4):
        svc.handle("K1", req("ticket.issue", {"matter": "ma", "situation": "s"}))
    for minutes in (5, 25, 10):
        svc.handle("P1", req("ticket.call_next", {"window": "W1"}))
        clock.advance(minutes * 60)
        svc.handle("P1", req("ticket.outcome", {"window": "W1", "outcome": "accepted"}))
    assert svc.core.service_times.samples == 3
    clock.now = local_ts(2026, 11, 23, 8, 30)
    svc.tick()  # Monday
    live = svc.core.service_times
    assert (live.samples, live.by_queue, live.hist_q["A"]) == (0, {}, (3, 40 * 60 / 3))
    again = HubService(small_hall, Store(db, durable=False), KEY, clock)
    try:
        again.tick()
        assert learnt(again.core.service_times) == learnt(live)
    finally:
        again.store.close()
        svc.store.close()


class _Restarting(ServiceTransport):
    """The simulator's hub in-process; every ``every`` requests a hub started afresh on the same file
    must hold the live hub's times and predict its waits."""

    def __init__(self, service: HubService, hall: Hall, db: Path, clock: SimClock, every: int) -> None:
        super().__init__(service)
        self.hall, self.db, self.clock, self.every = hall, db, clock, every
        self.n = self.checked = 0

    def request(self, device: str, op: str, args: dict[str, Any], request_id: str) -> dict[str, Any]:
        out = super().request(device, op, args, request_id)
        self.n += 1
        if self.n % self.every == 0:
            store = Store(self.db, durable=False)
            try:
                assert_same_as_a_restart(self.service.core, store, self.hall, self.clock.now)
            finally:
                store.close()
            self.checked += 1
        return out


def test_two_simulated_busy_days_restart_anywhere_with_the_same_waits(tmp_path: Path) -> None:
    """The simulator's busy day of the sample hall, then the next, through one live hub (the new day
    starts from the history); every 150 requests a fresh load must match it to the last bit."""
    sample = load_hall(sample_hall_path())
    hall, staffing = sim_hall(dataclasses.replace(sample, policy=dataclasses.replace(sample.policy,
                                                                                     rate_per_minute=0)), None)
    db = tmp_path / "day.db"
    first = dt.date(2026, 11, 23)
    clock = SimClock(day_start(hall, first))
    svc = HubService(hall, Store(db, durable=False), load_key(db.with_suffix(".key")), clock)
    tx = _Restarting(svc, hall, db, clock, every=150)
    try:
        for i, day in enumerate((first, first + dt.timedelta(days=1))):
            clock.now = day_start(hall, day)
            DaySimulator(hall, staffing, tx, clock, day, profile=parse_profile("default"), seed=3 + i).run()
        assert svc.core.day == "2026-11-24"
        assert svc.core.service_times.hist_q  # Monday's services are Tuesday's history
    finally:
        svc.store.close()
    assert tx.checked > 20
