"""CPU time per command of the hub service, in-process: the hub's own work, without the disk.

``python bench/bench_cpu.py [--n 800]``. The same commands as ``bench_throughput``'s "service
alone" (``ticket.issue`` ×n, then ``ticket.call_next`` + ``ticket.outcome`` ×n/2 at one
window), on a database in ``/dev/shm`` with synchronous=NORMAL, timed with the process's CPU
clock (``time.process_time``), twice: each command alone (its own transaction, as
``bench_throughput`` runs it) and each inside an outer transaction, as the hub's worker runs
them (group commit: the command's writes sit in a savepoint, and SQLite then copies every page
it changes to a statement journal first, which costs the updates of a call more than the
inserts of an issue). "service alone" times wall clock with an fsync per command, so
its ops/s follow the shared disk's fsync latency (it moved 2× between runs of the same code);
CPU time per command does not.

It imports the hub from the current directory, not from beside this file, so ``bench/ab.py``
can run this one copy on two checkouts at once (on one core, so both see the same load).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path[:0] = [os.path.join(os.getcwd(), "bench"), os.getcwd()]  # the checkout being measured

from common import bench_hall, machine, pct, queue_a, table  # noqa: E402

from hallq import protocol as p  # noqa: E402
from hub.service import HubService  # noqa: E402
from hub.store import Store  # noqa: E402


def run_day(hall: Any, st: Any, n: int, grouped: bool) -> dict[str, list[float]]:
    """CPU µs of each command; ``grouped``: each inside a transaction of its own, as the hub's
    worker runs a batch (``Hub._handle_batch``: one transaction, the commands inside it)."""
    cpu: dict[str, list[float]] = {"ticket.issue": [], "ticket.call_next": [], "ticket.outcome": []}
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        store = Store(Path(tmp) / "cpu.db", durable=False)
        svc = HubService(hall, store, b"k" * 32)

        def run(device: str, op: str, args: dict[str, str]) -> None:
            payload = p.Request(p.new_request_id(), op, args).encode()
            t0 = time.process_time()
            with store.transaction() if grouped else contextlib.nullcontext():
                svc.handle(device, payload)
            if op in cpu:
                cpu[op].append((time.process_time() - t0) * 1e6)

        for _ in range(n):
            run("K1", "ticket.issue", queue_a(hall))
        run("P-S01", "window.open", {"window": "S01", "staff": st.staff["S01"], "pin": "1234"})
        for _ in range(n // 2):
            run("P-S01", "ticket.call_next", {"window": "S01"})
            run("P-S01", "ticket.outcome", {"window": "S01", "outcome": "accepted"})
        store.close()
    return cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=800)
    a = ap.parse_args()
    hall, st = bench_hall()
    rows = []
    for grouped in (False, True):
        cpu = run_day(hall, st, a.n, grouped)
        every = [x for xs in cpu.values() for x in xs]
        path = "in a group commit" if grouped else "alone"
        rows += [[path, op, len(xs), sum(xs) / len(xs), pct(xs, .5)] for op, xs in cpu.items()]
        rows.append([path, "all", len(every), sum(every) / len(every), pct(every, .5)])
    print(f"service CPU per command, µs ({machine()})")
    print(table(["service", "command", "n", "cpu µs mean", "cpu µs p50"], rows))


if __name__ == "__main__":
    main()
