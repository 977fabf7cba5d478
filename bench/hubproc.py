"""A hub for benchmarks, in its own process: ``python bench/hubproc.py --db X --url URL``.

The bench hall (sample hall, open all day, N staffed windows with pads and evaluators).
``--embedded PORT`` runs the embedded broker in this process, as
``hallq hub`` does by default; ``--at`` pins the hall clock's start (a restart mid-day).
Prints ``load_s``/``start_s`` and then ``ready`` on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--windows", type=int, default=20)
    ap.add_argument("--embedded", type=int, default=0)
    ap.add_argument("--normal", action="store_true", help="synchronous=NORMAL instead of FULL")
    ap.add_argument("--at", default="", help="ISO local time the hall clock starts at")
    ap.add_argument("--rate", type=int, default=-1, help="[policy] rate_per_minute (default: the sample hall's)")
    ap.add_argument("--backup", default="", help="[backup] dir; SIGUSR1 takes a copy now (bench_backup.py)")
    ap.add_argument("--heartbeat", type=float, default=0.0, help="seconds between presence/hub beats (default: 5)")
    a = ap.parse_args()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGUSR1})  # for sigwait, in every thread
    t0 = time.perf_counter()
    from common import bench_hall

    from hub.broker import EmbeddedBroker
    from hub.runtime import Hub

    hall, _ = bench_hall(a.windows)
    if a.rate >= 0:
        import dataclasses

        hall = dataclasses.replace(hall, policy=dataclasses.replace(hall.policy, rate_per_minute=a.rate))
    if a.backup:
        import dataclasses

        from hub.hall import BackupRules

        hall = dataclasses.replace(hall, backup=BackupRules(dir=a.backup, every_min=24 * 60, keep=1000))
    clock = time.time
    if a.at:
        import zoneinfo

        start = dt.datetime.fromisoformat(a.at).replace(tzinfo=zoneinfo.ZoneInfo(hall.timezone)).timestamp()
        wall0 = time.time()

        def clock() -> float:
            return start + time.time() - wall0

    print(f"import_s {time.perf_counter() - t0:.4f}", flush=True)
    broker = EmbeddedBroker("127.0.0.1", a.embedded).start() if a.embedded else None
    t1 = time.perf_counter()
    beat = {"heartbeat_s": a.heartbeat} if a.heartbeat else {}
    hub = Hub(hall, a.db, a.url, clock=clock, durable=not a.normal, **beat)
    print(f"load_s {time.perf_counter() - t1:.4f}", flush=True)
    hub.start(30)
    print(f"start_s {time.perf_counter() - t0:.4f}", flush=True)
    print("ready", flush=True)
    while signal.sigwait([signal.SIGTERM, signal.SIGINT, signal.SIGUSR1]) == signal.SIGUSR1:
        if hub.backups is not None:
            hub.backups.next_at = 0.0  # due now: the worker starts it on its next turn
    print(f"handled {hub.handled} batches {hub.batches}", file=sys.stderr, flush=True)
    hub.stop()
    if broker:
        broker.stop()


if __name__ == "__main__":
    main()
