"""Scale: a day of 20,000 tickets over 100 windows; hub memory and restart time.

``python bench/bench_scale.py [--tickets 20000] [--windows 100]``

1. The day is written by the hall-day simulator through the hub service in-process
   (the same commands, events and projections as over MQTT; synchronous=NORMAL while
   building, since only the resulting database matters here), with a busy profile and
   faster service so 100 windows get through ~20,000 tickets. The per-command cost is
   recorded by how many tickets the day had so far (does ticket 20,000 cost what ticket
   1 did?).
2. The hub restarts on that database as its own process at 17:00 that day (Mosquitto):
   time from spawn until it answers a request, the part spent loading the day
   (Store.load + service), and its RSS; an empty-database hub is the baseline.

Targets (issue): RSS under 100 MB, restart under 1 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import tempfile
import time
from pathlib import Path

from common import HubProcess, Mosquitto, bench_hall, connect, machine, pct, table

from launcher.simulate import devices
from launcher.simulate.model import DEFAULT_PROFILE, Behaviour
from launcher.simulate.run import simulate_day

DAY = dt.date(2026, 11, 23)


def build_day(db: Path, tickets: int, windows: int) -> tuple[dict[str, float], float, int]:
    _hall, _ = bench_hall(windows)
    arrivals = tickets / 0.73  # ~25% of citizens are sent online, to consultation or leave before 12:30/18:30 expiry
    scale = arrivals / sum(DEFAULT_PROFILE.values())
    profile = {h: r * scale for h, r in DEFAULT_PROFILE.items()}
    per_op: list[tuple[int, float]] = []
    orig = devices.ServiceTransport.request
    issued = [0]

    def timed(self, device, op, args, request_id):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return orig(self, device, op, args, request_id)
        finally:
            per_op.append((issued[0], (time.perf_counter() - t0) * 1000))
            if op == "ticket.issue":
                issued[0] += 1

    devices.ServiceTransport.request = timed  # type: ignore[method-assign]
    t0 = time.perf_counter()
    try:
        b = Behaviour(service_scale=0.3, think_s=(3.0, 12.0))
        from hub.config import load_hall
        from launcher.samples import sample_hall_path

        # without the sample hall's rate limit, as every bench: simulated devices keep to it by
        # waiting in wall time, which measured the simulator's patience (274 s instead of 34 s)
        hall = load_hall(sample_hall_path())
        hall = dataclasses.replace(hall, policy=dataclasses.replace(hall.policy, rate_per_minute=0))
        result = simulate_day(hall, DAY, db=db, profile=profile, windows=windows,
                              transport="service", durable=False, behaviour=b, seed=11, kiosks=8)
    finally:
        devices.ServiceTransport.request = orig  # type: ignore[method-assign]
    build_s = time.perf_counter() - t0
    n = result.summary.tickets if result.summary else 0
    buckets: dict[str, float] = {}
    for lo in range(0, max(n, 1), max(n // 5, 1)):
        xs = [ms for k, ms in per_op if lo <= k < lo + max(n // 5, 1)]
        if xs:
            buckets[f"tickets {lo}-{lo + max(n // 5, 1)}"] = pct(xs, 0.5)
    return buckets, build_s, n


def restart(db: Path, url: str, windows: int, at: str) -> tuple[float, float, float, float]:
    """Spawn → first answered request (s), load part (s), RSS after (MB), RSS after a burst (MB)."""
    hall, _ = bench_hall(windows)
    hub = HubProcess(db, url, windows=windows, at=at)
    try:
        k = connect(url, hall, "K1")
        k.request("hall.snapshot", {})
        serving = time.perf_counter() - hub.t_spawn
        rss = hub.rss_mb()
        for _ in range(200):
            k.request("hall.snapshot", {})
        rss2 = hub.rss_mb()
        k.stop()
        return serving, hub.info.get("load_s", float("nan")), rss, rss2
    finally:
        hub.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=20000)
    ap.add_argument("--windows", type=int, default=100)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "day.db"
        buckets, build_s, n = build_day(db, a.tickets, a.windows)
        size = db.stat().st_size / 1e6
        mosq = Mosquitto(Path(tmp))
        try:
            empty = restart(Path(tmp) / "empty.db", mosq.url, a.windows, "2026-11-23T17:00:00")
            full = restart(db, mosq.url, a.windows, "2026-11-23T17:00:00")
        finally:
            mosq.stop()
    print(f"scale: {n} tickets over {a.windows} windows, db {size:.1f} MB, built in {build_s:.0f} s ({machine()})")
    print(table(["hub restarted on", "spawn → serving s", "of which load s", "RSS MB", "RSS after 200 req MB"],
                [["empty database", *empty], [f"the day ({n} tickets)", *full]]))
    print(table(["command cost as the day grows", "ms p50 (service, NORMAL)"], [[k, v] for k, v in buckets.items()]))
    print("targets: RSS < 100 MB, restart < 1 s")


if __name__ == "__main__":
    main()
