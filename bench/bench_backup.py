"""Backup stall: command latency while the hub copies a 20,000-ticket day, beside no copy at all.

``python bench/bench_backup.py [--tickets 20000] [--windows 100] [--rounds 3] [--work DIR]``

1. The day is built as bench_scale.py builds it (the hall-day simulator through the hub service).
2. The hub runs on it as its own process (``bench/hubproc.py``, synchronous=FULL, Mosquitto) with a
   ``[backup] dir``; one client loops kiosk ``ticket.issue`` → pad ``ticket.call_next`` →
   ``ticket.outcome`` and times every request (send → reply, ms).
3. Rounds, alternating in one run (the machine is shared: compare ratios, not absolute figures):
   ``idle`` — no copy for as long as the last copy took (at least 3 s);
   ``hub copy`` — SIGUSR1 makes the hub's own timer due: the copy runs on the hub's backup thread
   (SQLite's online backup in one step + ``PRAGMA integrity_check`` of the copy);
   ``hallq backup`` — the same copy taken by another process (:func:`hub.backup.take`), as the
   IT person's manual command does;
   ``one step`` — as ``hallq backup`` but the whole database in one backup step and one flush at
   the end (what :func:`hub.backup.copy_db` did first: the comparison for its 1 MB steps).
   A request counts for a phase if it was sent after the phase began and before its copy was
   marked ``.ok``.

Target (issue 16): a copy stalls no command for more than a few ms: max and p99 during a copy close
to idle.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import tempfile
import threading
import time
from pathlib import Path

from bench_scale import build_day
from common import HubProcess, Mosquitto, bench_hall, connect, machine, pct, queue_a, table

from hub import backup

AT = "2026-11-23T16:30:00"


class Loop(threading.Thread):
    """issue → call → outcome, as fast as replies come; (sent at, ms) of every request."""

    def __init__(self, url: str, hall, staff: str) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.kiosk, self.pad = connect(url, hall, "K1"), connect(url, hall, "P-S01")
        self.pad.request("window.open", {"window": "S01", "staff": staff, "pin": "1234"})
        self.args = queue_a(hall)
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def timed(self, client, op: str, args: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        with contextlib.suppress(Exception):  # a refusal (nothing waiting) is still an answer
            client.request(op, args, timeout=10)
        with self.lock:
            self.samples.append((t0, (time.perf_counter() - t0) * 1000))

    def run(self) -> None:
        while not self.stop.is_set():
            self.timed(self.kiosk, "ticket.issue", self.args)
            self.timed(self.pad, "ticket.call_next", {"window": "S01"})
            self.timed(self.pad, "ticket.outcome", {"window": "S01", "outcome": "accepted"})

    def between(self, t0: float, t1: float) -> list[float]:
        with self.lock:
            return [ms for at, ms in self.samples if t0 <= at < t1]

    def close(self) -> None:
        self.stop.set()
        self.join(15)
        self.kiosk.stop()
        self.pad.stop()


def wait_ok(folder: Path, hall_id: str, before: int, timeout: float = 300) -> Path:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        found = backup.copies(folder, hall_id)
        if len(found) > before:
            return found[-1]
        time.sleep(0.005)
    raise TimeoutError("no checked copy appeared")


def ok_fields(copy: Path) -> dict[str, float]:
    text = copy.with_name(copy.name + ".ok").read_text(encoding="utf-8")
    return {k: float(v) for k, _, v in (w.partition("=") for w in text.split()) if v}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=20000)
    ap.add_argument("--windows", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work", help="work directory (default: a temporary one)")
    a = ap.parse_args()
    hall, st = bench_hall(a.windows)
    with tempfile.TemporaryDirectory(dir=a.work) as tmp:
        work = Path(tmp)
        db, folder = work / "day.db", work / "copies"
        _, build_s, n = build_day(db, a.tickets, a.windows)
        size = (db.stat().st_size + (Path(f"{db}-wal").stat().st_size if Path(f"{db}-wal").exists() else 0)) / 1e6
        mosq = Mosquitto(work)
        hub = HubProcess(db, mosq.url, windows=a.windows, at=AT, backup=str(folder))
        loop = Loop(hub.url, hall, st.staff["S01"])
        ways = ("hub copy", "hallq backup", "one step")
        phases: dict[str, list[float]] = {"idle": [], **{w: [] for w in ways}}
        copies: dict[str, list[dict[str, float]]] = {w: [] for w in ways}
        try:
            loop.start()
            time.sleep(2)  # warm
            last_s = 3.0
            for r in range(a.rounds):
                t0 = time.perf_counter()
                time.sleep(max(3.0, last_s))
                phases["idle"] += loop.between(t0, time.perf_counter())
                for how in ways:
                    before = len(backup.copies(folder, hall.id))
                    t0 = time.perf_counter()
                    if how == "hub copy":
                        os.kill(hub.proc.pid, signal.SIGUSR1)
                        copy = wait_ok(folder, hall.id, before)
                    else:  # named in 2001-2002: sorts before the hub's copies (wait_ok takes the newest name)
                        at = 1_000_000_000 + 2 * r + (how == "one step")
                        step = {"pages": -1, "sleep": 0.0} if how == "one step" else {}
                        copy = backup.take(db, folder, hall.id, at, keep=1000, **step)
                    t1 = time.perf_counter()
                    time.sleep(0.2)  # the replies of requests sent just before the end
                    phases[how] += loop.between(t0, t1)
                    fields = ok_fields(copy)
                    fields["wall_s"] = t1 - t0
                    copies[how].append(fields)
                    last_s = t1 - t0
        finally:
            loop.close()
            hub.stop()
            mosq.stop()
    idle = phases["idle"]
    rows = []
    for name, xs in phases.items():
        rows.append([name, len(xs), pct(xs, .5), pct(xs, .99), max(xs) if xs else float("nan"),
                     pct(xs, .99) / pct(idle, .99), (max(xs) / max(idle)) if xs and idle else float("nan")])
    print(f"backup stall: {n} tickets, db {size:.1f} MB, built in {build_s:.0f} s, {a.rounds} rounds ({machine()})")
    print(table(["phase", "requests", "p50 ms", "p99 ms", "max ms", "p99 / idle", "max / idle"], rows))
    crow = []
    for name, runs in copies.items():
        for i, f in enumerate(runs):
            crow.append([name, i + 1, f.get("bytes", 0) / 1e6, f.get("copy_s", float("nan")),
                         f.get("check_s", float("nan")), f["wall_s"]])
    print(table(["copy", "round", "copy MB", "backup API s", "integrity_check s", "start → .ok s"], crow))
    print("target: a copy stalls no command for more than a few ms (max and p99 close to idle)")


if __name__ == "__main__":
    main()
