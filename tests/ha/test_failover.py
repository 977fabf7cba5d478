"""Machine loss, with real processes: a busy simulated day on the primary PC (hub + Mosquitto) with a
standby PC (``hallq standby`` + its own Mosquitto); the primary's hub AND broker are killed -9 and its
data directory removed; ``hallq standby promote`` takes over.

Measured and asserted: the time from the promote command until a kiosk issues and a pad calls again
(printed; aim < 15 s), every acknowledged command's request id on the standby (lost = 0), no call
shown twice by a hall display that saw both hubs (display/model.py's own model), and the simulated
day goes on to its end on the new hub. Also: the standby killed mid-day, the primary goes on with the
alarm, and the standby catches up on restart.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from display.model import HallBoard
from hallq import protocol as p
from hallq.client import HallClient, RequestError
from hub.config import load_hall
from launcher.simulate.devices import MqttTransport
from launcher.simulate.engine import DaySimulator, SimClock
from launcher.simulate.model import parse_profile, staffing_from_config
from launcher.simulate.run import day_start
from tests.faults.conftest import ROOT, HubProc, MosquittoProc, hall_file, wait_until

DAY = dt.date(2026, 11, 23)  # a Monday of the sample hall's calendar (the hub's clock is the wall's: --always-open)


class Recording:
    """The simulator's transport, noting every acknowledged command (device, request id, op)."""

    def __init__(self, inner: MqttTransport) -> None:
        self.inner = inner
        self.acked: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()

    def request(self, device: str, op: str, args: dict[str, Any], request_id: str) -> dict[str, Any]:
        result = self.inner.request(device, op, args, request_id)
        if not p.OPS[op].query:
            with self.lock:
                self.acked.append((device, request_id, op))
        return result

    def close(self) -> None:
        self.inner.close()


class Display:
    """A hall TV's model on both brokers, counting how often each call is flashed (announced)."""

    def __init__(self, url: str, hall: Any) -> None:
        self.board = HallBoard(p.Topics(hall.id).base, clock=time.monotonic)
        self.flashed: Counter[tuple[Any, ...]] = Counter()
        self.lock = threading.Lock()
        t = p.Topics(hall.id)
        self.client = HallClient(url, hall.id, "D-TV", "display",
                                 subscriptions=(t.catalog, t.calls, t.queues, t.event("call"), t.presence(p.HUB)))
        self.client.on("#", self._on)
        self.client.on_connection(self._conn)

    def _conn(self, up: bool) -> None:
        with self.lock:
            self.board.set_broker(up)

    def _on(self, topic: str, data: Any) -> None:
        with self.lock:
            before = self.board._flash_key
            self.board.apply(topic, data)
            if topic.endswith("/event/call") and self.board._flash_key != before and self.board._flash_key:
                self.flashed[self.board._flash_key] += 1

    def twice(self) -> list[tuple[Any, ...]]:
        with self.lock:
            return [k for k, n in self.flashed.items() if n > 1]


def _standby(config: Path, db: Path, primary: str, own: str, log: Path) -> subprocess.Popen[str]:
    with log.open("a", encoding="utf-8") as out:
        return subprocess.Popen([sys.executable, "-m", "launcher", "standby", "--config", str(config), "--db", str(db),
                                 "--primary", primary, "--mqtt", own, "--always-open"], stdout=out, stderr=out,
                                text=True, cwd=ROOT)


def _status(db: Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "launcher", "standby", "status", "--db", str(db), "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    import json

    return json.loads(out.stdout) if out.returncode == 0 else {}


PROBES = '\n[[devices]]\nid = "K9"\nrole = "kiosk"\n\n[[devices]]\nid = "P-S03"\nrole = "pad"\nwindow = "S03"\n' \
         '\n[[devices]]\nid = "D-TV"\nrole = "display"\nzone = "Z1"\n'


def _config(tmp_path: Path) -> tuple[Path, Any, Any]:
    """The hall file (sample, no rate limit) with a probe kiosk, pad and TV the simulator does not know."""
    config = hall_file(tmp_path, kiosks=3)
    sim_hall = load_hall(config)
    with config.open("a", encoding="utf-8") as f:
        f.write(PROBES)
    return config, sim_hall, load_hall(config)


def test_kill_the_primary_machine_and_promote_the_standby(tmp_path: Path) -> None:
    config, sim_hall, hall = _config(tmp_path)
    pc_a, pc_b = tmp_path / "pc-a", tmp_path / "pc-b"
    pc_a.mkdir()
    pc_b.mkdir()
    broker_a, broker_b = MosquittoProc(pc_a).start(), MosquittoProc(pc_b).start()
    primary = HubProc(config, pc_a / "hall.db", broker_a.url).start()
    shutil.copy(pc_a / "hall.key", pc_b / "hall.key")  # the ID hashing key goes with the standby (operations.md)
    standby = _standby(config, pc_b / "hall.db", broker_a.url, broker_b.url, pc_b / "standby.log")
    both = f"mqtt://127.0.0.1:{broker_a.port},127.0.0.1:{broker_b.port}"
    display = Display(both, hall)
    display.client.start(30)
    tx = Recording(MqttTransport(both, sim_hall, timeout=5.0, retries=8))
    stop = threading.Event()
    sim = DaySimulator(sim_hall, staffing_from_config(sim_hall, None), tx, SimClock(day_start(hall, DAY)), DAY,
                       profile=parse_profile("9:400,10:400"), seed=7, speed=400.0, stop=stop)
    result: list[Any] = []
    runner = threading.Thread(target=lambda: result.append(sim.run()), daemon=True)
    probes: list[HallClient] = []
    try:
        wait_until(lambda: _status(pc_b / "hall.db").get("in_sync") is not None, 60, "the standby running")
        runner.start()
        # busy: let the day run, and the standby be in sync (the primary waits for its acks)
        wait_until(lambda: len(tx.acked) >= 150, 120, "150 acknowledged commands on the primary")
        wait_until(lambda: _status(pc_b / "hall.db").get("in_sync"), 30, "the standby in sync")
        acked_before = len(tx.acked)
        # the primary PC dies: hub and broker killed -9, its data directory gone
        assert primary.proc is not None
        primary.proc.kill()
        broker_a.stop(kill=True)
        primary.proc.wait(10)
        shutil.rmtree(pc_a)
        t0 = time.monotonic()
        out = subprocess.run([sys.executable, "-m", "launcher", "standby", "promote", "--db", str(pc_b / "hall.db")],
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert out.returncode == 0, out.stderr + out.stdout
        assert "已接管" in out.stdout
        # a new kiosk and a new pad (knowing both addresses) until they are answered
        kiosk = HallClient(both, hall.id, "K9", "kiosk")
        probes.append(kiosk)
        kiosk.start(30)
        issued_in = _until_answered(lambda: kiosk.request("ticket.issue", _plain(hall), timeout=2, retries=0), t0)
        pad = HallClient(both, hall.id, "P-S03", "pad")
        probes.append(pad)
        pad.start(30)
        called_in = _until_answered(lambda: _call(pad, "S03"), t0)
        print(f"\nfailover: promote command → kiosk issues {issued_in:.1f} s, pad calls {called_in:.1f} s "
              f"({acked_before} commands acknowledged before the kill)")
        assert issued_in < 15 and called_in < 15
        runner.join(300)
        assert result, "the simulated day did not end"
        run = result[0]
        assert run.counts["issued"] > 50
    finally:
        stop.set()
        runner.join(30) if runner.is_alive() else None
        for c in probes:
            c.stop()
        tx.close()
        display.client.stop()
        standby.terminate()
        try:
            standby.wait(20)
        except subprocess.TimeoutExpired:
            standby.kill()
        if primary.proc and primary.proc.poll() is None:
            primary.proc.kill()
        broker_a.stop(kill=True)
        broker_b.stop(kill=True)
    # nothing acknowledged is lost: every acked request id is in the standby's file (now the hall's)
    conn = sqlite3.connect(pc_b / "hall.db")
    stored = set(conn.execute("SELECT device, id FROM requests").fetchall())
    conn.close()
    lost = [a for a in tx.acked if (a[0], a[1]) not in stored]
    assert tx.acked and not lost, f"{len(lost)} acknowledged command(s) missing on the standby: {lost[:5]}"
    assert display.flashed, "the display saw no call"
    assert display.twice() == [], "a call was announced twice"


def _plain(hall: Any) -> dict[str, str]:
    for m in hall.matters.values():
        for s in m.situations:
            if s.queue == "A" and not (s.online or s.consult_only or s.assist):
                return {"matter": m.id, "situation": s.id}
    raise AssertionError("no plain queue-A situation")


def _call(pad: HallClient, window: str) -> Any:
    """Open the window (staff 2001, whom the simulator leaves alone) and call its next ticket."""
    pad.request("window.open", {"window": window, "staff": "2001", "pin": "1234"}, timeout=2, retries=0)
    return pad.request("ticket.call_next", {"window": window}, timeout=2, retries=0)


def _until_answered(action: Any, t0: float, limit: float = 60.0) -> float:
    """Seconds from ``t0`` until ``action`` is answered (a timeout: try again, with a new request)."""
    last: BaseException | None = None
    while time.monotonic() - t0 < limit:
        try:
            action()
            return time.monotonic() - t0
        except RequestError as exc:
            if exc.code != "timeout":
                raise
            last = exc
    raise AssertionError(f"no answer within {limit} s: {last}")


def test_the_standby_killed_mid_day_the_primary_goes_on_with_the_alarm_and_the_standby_catches_up(
        tmp_path: Path) -> None:
    config, _, hall = _config(tmp_path)
    broker = MosquittoProc(tmp_path).start()
    primary = HubProc(config, tmp_path / "a.db", broker.url).start()
    shutil.copy(tmp_path / "a.key", tmp_path / "b.key")
    (tmp_path / "pc-b").mkdir()
    own = MosquittoProc(tmp_path / "pc-b").start()
    standby = _standby(config, tmp_path / "b.db", broker.url, own.url, tmp_path / "standby.log")
    t = p.Topics(hall.id)
    guide = HallClient(broker.url, hall.id, "G1", "guide", subscriptions=(t.status(p.HUB),)).start(30)
    kiosk = HallClient(broker.url, hall.id, "K9", "kiosk").start(30)
    issued: list[str] = []
    try:
        wait_until(lambda: _status(tmp_path / "b.db").get("in_sync") is not None, 60, "the standby running")
        for _ in range(5):
            issued.append(kiosk.request("ticket.issue", _plain(hall), timeout=10)["ticket"]["id"])
        wait_until(lambda: (guide.state.get(t.status(p.HUB)) or {}).get("standby", {}).get("in_sync"), 30,
                   "status/hub: the standby in sync")
        standby.kill()  # kill -9: no goodbye
        standby.wait(10)
        t0 = time.monotonic()
        for _ in range(5):  # the primary goes on alone after one ack timeout
            issued.append(kiosk.request("ticket.issue", _plain(hall), timeout=10)["ticket"]["id"])
        alone_in = time.monotonic() - t0
        status = wait_until(lambda: (guide.state.get(t.status(p.HUB)) or {}).get("error"), 10, "the alarm")
        assert "备用中心未同步" in status
        assert alone_in < 10
        standby = _standby(config, tmp_path / "b.db", broker.url, own.url, tmp_path / "standby.log")
        wait_until(lambda: (guide.state.get(t.status(p.HUB)) or {}).get("standby", {}).get("in_sync"), 60,
                   "in sync again after the restart")
        assert (guide.state.get(t.status(p.HUB)) or {}).get("error") is None  # the alarm is cleared
        issued.append(kiosk.request("ticket.issue", _plain(hall), timeout=10)["ticket"]["id"])
        wait_until(lambda: _status(tmp_path / "b.db").get("seq", 0) >= _last_seq(tmp_path / "a.db"), 30,
                   "the standby at the primary's last event")
    finally:
        guide.stop()
        kiosk.stop()
        standby.terminate()
        try:
            standby.wait(20)
        except subprocess.TimeoutExpired:
            standby.kill()
        primary.stop()
        broker.stop(kill=True)
        own.stop(kill=True)
    conn = sqlite3.connect(tmp_path / "b.db")
    have = {r[0] for r in conn.execute("SELECT id FROM tickets")}
    conn.close()
    assert set(issued) <= have


def _last_seq(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT MAX(seq) FROM events").fetchone()[0] or 0)
    finally:
        conn.close()
