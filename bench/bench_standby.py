"""What a standby hub costs per command, and how long a 20,000-ticket day takes to rebuild or catch up.

``python bench/bench_standby.py [--seconds 4] [--rounds 3] [--tickets 20000] [--windows 100] [--work DIR]``

1. Cost per command: two hubs in their own processes (``bench/hubproc.py``), each on its own Mosquitto:
   ``alone`` (no standby) and ``standby`` (a standby process follows it, in sync: every batch's replies
   wait for its ack). One client per hub loops kiosk ``ticket.issue`` → pad ``ticket.call_next`` →
   ``ticket.outcome`` and times every request; the rounds alternate between the two hubs in one run
   (the machine is shared: compare the ratio, not absolute figures). Target (issue 16): the call's
   latency with a standby ≤ 2× without.
2. A 20,000-ticket day (built as bench_scale.py builds it): ``rebuild`` — every projection replayed
   from the event log (:func:`hub.store.rebuild`); ``catch-up`` — an empty standby follows a hub on that
   day until in sync (every row over the broker, in pages); ``promote`` — a standby's file opened as a
   hub (today's tickets loaded: what ``hallq standby promote`` does after stopping to follow).

``--follow URL --db X --windows N`` is this script's standby process (internal).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_scale import build_day  # noqa: E402
from common import ROOT, HubProcess, Mosquitto, bench_hall, connect, machine, pct, queue_a, table  # noqa: E402

AT = "2026-11-23T16:30:00"


class Loop(threading.Thread):
    """issue → call → outcome as fast as replies come, while ``go`` is set; (sent at, ms, op) of each."""

    def __init__(self, url: str, hall: Any, staff: str) -> None:
        super().__init__(daemon=True)
        self.kiosk, self.pad = connect(url, hall, "K1"), connect(url, hall, "P-S01")
        self.pad.request("window.open", {"window": "S01", "staff": staff, "pin": "1234"})
        self.args = queue_a(hall)
        self.samples: list[tuple[float, float, str]] = []
        self.go, self.done = threading.Event(), threading.Event()
        self.lock = threading.Lock()

    def timed(self, client: Any, op: str, args: dict[str, object]) -> None:
        self.go.wait()
        t0 = time.perf_counter()
        with contextlib.suppress(Exception):  # a refusal (nothing waiting) is still an answer
            client.request(op, args, timeout=10)
        with self.lock:
            self.samples.append((t0, (time.perf_counter() - t0) * 1000, op))

    def run(self) -> None:
        while not self.done.is_set():
            self.timed(self.kiosk, "ticket.issue", self.args)
            self.timed(self.pad, "ticket.call_next", {"window": "S01"})
            self.timed(self.pad, "ticket.outcome", {"window": "S01", "outcome": "accepted"})

    def between(self, t0: float, t1: float, op: str = "") -> list[float]:
        with self.lock:
            return [ms for at, ms, o in self.samples if t0 <= at < t1 and (not op or o == op)]

    def close(self) -> None:
        self.done.set()
        self.go.set()
        self.join(15)
        self.kiosk.stop()
        self.pad.stop()


def follow(url: str, db: str, windows: int) -> None:
    """The standby process: a Replica of the bench hall on ``db`` until SIGTERM."""
    from hub.ha.repl import Replica

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    hall, _ = bench_hall(windows)
    replica = Replica(hall, db, url).start(30)
    print("ready", flush=True)
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    print(f"batches {replica.applied}", file=sys.stderr, flush=True)
    replica.stop()


def start_follower(url: str, db: Path, windows: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--follow", url, "--db", str(db),
                             "--windows", str(windows)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "ready":
            return proc
    raise RuntimeError("the standby process exited before it was ready")


def in_sync(url: str, hall_id: str, timeout: float) -> float:
    """Seconds until the hub's status/hub says its standby is in sync."""
    from hallq import protocol as p
    from hallq.client import HallClient

    topic = p.Topics(hall_id).status(p.HUB)
    watcher = HallClient(url, hall_id, "G1", "guide", subscriptions=(topic,)).start(30)
    t0 = time.perf_counter()
    try:
        while time.perf_counter() - t0 < timeout:
            if ((watcher.state.get(topic) or {}).get("standby") or {}).get("in_sync"):
                return time.perf_counter() - t0
            time.sleep(0.02)
    finally:
        watcher.stop()
    raise TimeoutError("the standby never got in sync")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def cost(work: Path, a: argparse.Namespace) -> None:
    hall, st = bench_hall(a.windows)
    (work / "m1").mkdir()
    (work / "m2").mkdir()
    m1, m2 = Mosquitto(work / "m1"), Mosquitto(work / "m2")
    alone = HubProcess(work / "alone.db", m1.url, windows=a.windows, at=AT)
    primary = HubProcess(work / "primary.db", m2.url, windows=a.windows, at=AT)
    standby = start_follower(m2.url, work / "standby.db", a.windows)
    loops: dict[str, Loop] = {}
    try:
        in_sync(m2.url, hall.id, 60)
        loops = {"alone": Loop(alone.url, hall, st.staff["S01"]), "standby": Loop(primary.url, hall, st.staff["S01"])}
        phases: dict[str, dict[str, list[float]]] = {k: {"all": []} for k in loops}
        for loop in loops.values():
            loop.start()
        for r in range(a.rounds + 1):  # round 0 warms both up; the order swaps every round
            for name, loop in sorted(loops.items(), reverse=bool(r % 2)):
                loop.go.set()
                t0 = time.perf_counter()
                time.sleep(a.seconds)
                loop.go.clear()
                t1 = time.perf_counter()
                time.sleep(0.3)  # the requests in flight come back
                if r:
                    phases[name]["all"] += loop.between(t0, t1)
                    phases[name].setdefault("call", []).extend(loop.between(t0, t1, "ticket.call_next"))
    finally:
        for loop in loops.values():
            loop.close()
        stop(standby)
        alone.stop()
        primary.stop()
        m1.stop()
        m2.stop()
    rows = []
    for name, ph in phases.items():
        calls, every = ph.get("call", []), ph["all"]
        rows.append([name, len(calls), pct(calls, .5), pct(calls, .99), len(every), pct(every, .5), pct(every, .99)])
    p50 = pct(phases["standby"]["call"], .5) / pct(phases["alone"]["call"], .5)
    p99 = pct(phases["standby"]["call"], .99) / pct(phases["alone"]["call"], .99)
    print(f"standby cost: {a.rounds} rounds of {a.seconds:.0f} s per hub, alternating ({machine()})")
    print(table(["hub", "calls", "call p50 ms", "call p99 ms", "requests", "all p50 ms", "all p99 ms"], rows))
    print(f"with a standby / alone: call p50 ×{p50:.2f}, p99 ×{p99:.2f} (target ≤ 2×)")


def day(work: Path, a: argparse.Namespace) -> None:
    from hub.store import Store, rebuild

    hall, _ = bench_hall(a.windows)
    db = work / "day.db"
    _, build_s, n = build_day(db, a.tickets, a.windows)
    source = Store(db)
    events = source.last_seq()
    t0 = time.perf_counter()
    rebuild(source, work / "rebuilt.db", hall).close()
    rebuild_s = time.perf_counter() - t0
    source.close()
    mosq = Mosquitto(work)
    hub = HubProcess(db, mosq.url, windows=a.windows, at=AT)
    t0 = time.perf_counter()
    follower = start_follower(mosq.url, work / "follower.db", a.windows)
    try:
        in_sync(mosq.url, hall.id, 900)
        catch_up_s = time.perf_counter() - t0  # from the standby process's start
    finally:
        stop(follower)
        hub.stop()
        mosq.stop()
    t0 = time.perf_counter()
    promoted = HubProcess(work / "follower.db", None, windows=a.windows, at=AT)
    promote_s = time.perf_counter() - t0
    promoted.stop()
    size = db.stat().st_size / 1e6
    print(f"a {n}-ticket day: {events} events, db {size:.1f} MB, built in {build_s:.0f} s ({machine()})")
    print(table(["step", "seconds"], [["rebuild: every projection from the log", rebuild_s],
                                      ["catch-up: an empty standby in sync over the broker", catch_up_s],
                                      ["promote: the standby's file opened as a hub, answering", promote_s]]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tickets", type=int, default=20000)
    ap.add_argument("--windows", type=int, default=100)
    ap.add_argument("--work", help="work directory (default: a temporary one)")
    ap.add_argument("--skip-day", action="store_true", help="only the cost per command")
    ap.add_argument("--follow", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.follow:
        follow(a.follow, a.db, a.windows)
        return
    with tempfile.TemporaryDirectory(dir=a.work) as tmp:
        cost(Path(tmp), a)
        if not a.skip_day:
            day(Path(tmp), a)


if __name__ == "__main__":
    main()
