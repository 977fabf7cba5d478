"""Throughput: ticket issues and calls one hub sustains with full durability, and p99 at 10% load.

``python bench/bench_throughput.py [--seconds 10]``. Every operation is a durable command
(WAL + synchronous=FULL: events, projections and the stored reply in one fsynced commit).

1. hub service alone (in-process, no MQTT): ms per command, FULL vs NORMAL, so the cost of
   the fsync is visible;
2. over MQTT (Mosquitto, hub in its own process, TCP_NODELAY workaround on): kiosks issue
   and pads call + record outcomes in closed loops for ``--seconds``; ops/s;
3. open loop at 10% of that rate: the latency each request sees (p50/p99).

Target (issue): over 1,000 durable operations a second on this 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import HubProcess, Mosquitto, bench_hall, connect, machine, pct, queue_a, table

from hallq import protocol as p
from hallq.client import RequestError

PADS = ("S01", "S02", "S03", "S04", "S05", "S06")
KIOSKS = ("K1", "K2", "K3", "K4")


def service_alone(hall: Any, st: Any, n: int) -> list[list[Any]]:
    from hub.service import HubService
    from hub.store import Store

    rows = []
    for durable in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "s.db", durable=durable)
            svc = HubService(hall, store, b"k" * 32)

            def run(device: str, op: str, args: dict[str, Any], svc: Any = svc) -> float:
                t0 = time.perf_counter()
                svc.handle(device, p.Request(p.new_request_id(), op, args).encode())
                return (time.perf_counter() - t0) * 1000

            issue = [run("K1", "ticket.issue", queue_a(hall)) for _ in range(n)]
            run("P-S01", "window.open", {"window": "S01", "staff": st.staff["S01"], "pin": "1234"})
            call, outcome = [], []
            for _ in range(n // 2):
                call.append(run("P-S01", "ticket.call_next", {"window": "S01"}))
                outcome.append(run("P-S01", "ticket.outcome", {"window": "S01", "outcome": "accepted"}))
            store.close()
        every = issue + call + outcome
        rows.append(["service alone", "FULL" if durable else "NORMAL", pct(issue, .5), pct(call, .5),
                     pct(outcome, .5), 1000 / (sum(every) / len(every))])
    return rows


def prefill(db: Path, hall: Any, n: int) -> None:
    """A stock of waiting tickets so pads never find the queue empty (written before the hub starts)."""
    from hub.service import HubService
    from hub.store import Store

    store = Store(db, durable=False)
    svc = HubService(hall, store, b"k" * 32)
    for _ in range(n):
        svc.handle("K2", p.Request(p.new_request_id(), "ticket.issue", queue_a(hall)).encode())
    store.close()


class Loop(threading.Thread):
    def __init__(self, c: Any, ops: list[tuple[str, dict[str, Any]]], until: float, gap: float = 0.0) -> None:
        super().__init__(daemon=True)
        self.c, self.ops, self.until, self.gap = c, ops, until, gap
        self.done: dict[str, int] = {}
        self.lat: list[float] = []
        self.refused = 0

    def run(self) -> None:
        rng = random.Random(id(self))
        # open loop: Poisson arrivals from a random phase, so the clients do not fire in step
        nxt = time.perf_counter() + (rng.uniform(0, self.gap) if self.gap else 0.0)
        while time.perf_counter() < self.until:
            for op, args in self.ops:
                if self.gap:  # keep to the schedule, measure from the scheduled moment
                    nxt += rng.expovariate(1 / self.gap)
                    time.sleep(max(0.0, nxt - time.perf_counter()))
                t0 = time.perf_counter()
                try:
                    self.c.request(op, args, timeout=10, retries=0)
                    self.done[op] = self.done.get(op, 0) + 1
                except RequestError:
                    self.refused += 1
                self.lat.append((time.perf_counter() - (nxt if self.gap else t0)) * 1000)


def over_mqtt(hall: Any, st: Any, seconds: float) -> tuple[list[list[Any]], list[list[Any]]]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "t.db"
        prefill(db, hall, 300)
        mosq = Mosquitto(Path(tmp))
        hub = HubProcess(db, mosq.url)
        try:
            pads = {w: connect(mosq.url, hall, st.pads[w]) for w in PADS}
            kiosks = {k: connect(mosq.url, hall, k) for k in KIOSKS}
            for w, c in pads.items():
                c.request("window.open", {"window": w, "staff": st.staff[w], "pin": "1234"})

            def loops(until: float, gap_issue: float = 0.0, gap_pad: float = 0.0) -> list[Loop]:
                ls = [Loop(c, [("ticket.issue", queue_a(hall))], until, gap_issue) for c in kiosks.values()]
                ls += [Loop(c, [("ticket.call_next", {"window": w}),
                                ("ticket.outcome", {"window": w, "outcome": "accepted"})], until, gap_pad)
                       for w, c in pads.items()]
                for x in ls:
                    x.start()
                for x in ls:
                    x.join(seconds + 30)
                return ls

            t0 = time.perf_counter()
            ls = loops(t0 + seconds)
            wall = time.perf_counter() - t0
            total: dict[str, int] = {}
            for x in ls:
                for k, v in x.done.items():
                    total[k] = total.get(k, 0) + v
            ops = sum(total.values())
            rate = ops / wall
            lat = [v for x in ls for v in x.lat]
            closed = [["closed loop", len(ls), wall, total.get("ticket.issue", 0) / wall,
                       total.get("ticket.call_next", 0) / wall, rate, pct(lat, .5), pct(lat, .99)]]
            # 10% of the sustained rate, spread over the same clients (an open loop)
            per_client = rate * 0.10 / len(ls)
            t1 = time.perf_counter()
            ls = loops(t1 + seconds, 1 / per_client, 1 / per_client)
            wall = time.perf_counter() - t1
            lat = [v for x in ls for v in x.lat]
            ops10 = sum(sum(x.done.values()) for x in ls)
            closed.append(["open loop at 10%", len(ls), wall, float("nan"), float("nan"), ops10 / wall,
                           pct(lat, .5), pct(lat, .99)])
            rss = hub.rss_mb()
            for c in [*pads.values(), *kiosks.values()]:
                c.stop()
        finally:
            hub.stop()
            mosq.stop()
    return closed, [["hub RSS after the runs (MB)", rss]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--n", type=int, default=400)
    a = ap.parse_args()
    hall, st = bench_hall()
    print(f"throughput ({machine()})")
    print(table(["path", "sync", "issue ms p50", "call ms p50", "outcome ms p50", "ops/s (1 thread)"],
                service_alone(hall, st, a.n)))
    print()
    rows, extra = over_mqtt(hall, st, a.seconds)
    print(table(["over MQTT (Mosquitto, FULL)", "clients", "s", "issues/s", "calls/s", "durable ops/s",
                 "latency p50 ms", "latency p99 ms"], rows))
    print(table(["", "value"], extra))
    print("target: > 1,000 durable ops/s; p99 at 10% of that rate")


if __name__ == "__main__":
    main()
