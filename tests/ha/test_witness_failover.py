"""Two hub PCs and a witness, all real processes: the dangerous cases of issue 16.

The primary PC dies mid-day; the standby takes the witness's lease by itself and the hall goes on.
The primary hangs (SIGSTOP), then wakes: it answers nothing. The primary is only slow: it keeps the
hall. The link primary↔witness is cut: the primary keeps the hall on its standby's acks, the standby
does not take over (the witness PC down altogether: tests/ha/test_witness_down.py). The link
primary↔standby is cut: the primary has the witness drop the standby and goes on, and when the
primary dies after that, the stale standby never takes the hall. In detail, for the first:

Real processes throughout: ``hallq witness``; the primary ``hallq hub`` with its embedded broker;
``hallq standby`` with its own broker, following the primary; the hall file names the witness
(``[ha]``, the default 5 s lease renewed every second), so nobody runs ``hallq standby promote``.
Four kiosks issue tickets back to back and a window pad calls and records 受理, each retrying with
its request id; a hall display listens on both brokers. Then the primary's hub and broker are
killed (SIGKILL: one process) and its data directory deleted. Measured and asserted:

- time until a kiosk issues and a pad calls again (printed; under 15 s);
- every acknowledged ticket is in the new primary's file with the number it was acknowledged with,
  every acknowledged call with its ticket called or served there (0 lost);
- no call shown twice (the same ticket's same call announced at two different times), no number
  issued twice;
- the new primary answers under a newer epoch.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from hallq import protocol as p
from hallq.client import HallClient, RequestError, RequestTimeout
from hub.broker import free_port
from tests.faults.conftest import ROOT, hall_file, wait_until
from tests.faults.proxy import CutProxy
from tests.faults.test_hub_kill import a_situation

from .test_witness_faults import WitnessProc

KIOSKS = 4
HALL = "lvliang"  # the sample hall's id
TARGET_S = 15.0


def start(argv: list[str], node: str, log: Path, ready: str) -> subprocess.Popen[str]:
    env = {**os.environ, "HALLQ_HA_NODE": node}
    out = log.open("a", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "launcher", *argv], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=out, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith(ready), f"{line!r}; see {log}"
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    return proc


class Device(threading.Thread):
    """A kiosk issuing, or a pad calling and recording 受理; every request retried with its own id."""

    def __init__(self, url: str, hall: str, device: str, role: str, stop: threading.Event,
                 matter: tuple[str, str] | None = None) -> None:
        super().__init__(daemon=True)
        self.c = HallClient(url, hall, device, role).start(30)
        self.stop_flag, self.matter = stop, matter
        self.acked: list[tuple[float, str, dict[str, Any]]] = []  # (when, op, reply)
        self.failure: BaseException | None = None

    def ask(self, op: str, args: dict[str, Any]) -> dict[str, Any] | None:
        rid = p.new_request_id()
        deadline = time.monotonic() + 60
        while not self.stop_flag.is_set() or op != "ticket.issue":
            try:
                reply = self.c.request(op, args, timeout=0.5, retries=0, request_id=rid)
            except RequestTimeout:
                if time.monotonic() > deadline:
                    raise
                continue
            except RequestError as exc:
                if exc.code == "queue_empty":
                    return None
                raise
            self.acked.append((time.monotonic(), op, reply))
            return reply
        return None

    def run(self) -> None:
        try:
            if self.matter is not None:
                while not self.stop_flag.is_set():
                    self.ask("ticket.issue", {"matter": self.matter[0], "situation": self.matter[1]})
            else:
                self.ask("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
                while not self.stop_flag.is_set():
                    called = self.ask("ticket.call_next", {"window": "S01"})
                    if called is None:
                        time.sleep(0.05)
                        continue
                    self.ask("ticket.outcome", {"window": "S01", "outcome": "accepted"})
        except BaseException as exc:  # reported by the test
            self.failure = exc


class Pair:
    """The witness, the primary (pc-a: hub + embedded broker, one process) and the standby (pc-b)."""

    def __init__(self, tmp_path: Path, *, cut_links: bool = False) -> None:
        """``cut_links``: the primary reaches the witness, and the standby the primary's broker, through
        proxies a test can cut (``witness_link``, ``repl_link``)."""
        self.tmp = tmp_path
        self.witness = WitnessProc(tmp_path / "witness.json").start()
        self.config = hall_file(tmp_path, kiosks=KIOSKS)
        base = self.config.read_text(encoding="utf-8")
        self.config.write_text(base + self._ha(self.witness.address), encoding="utf-8")
        self.port_a, self.port_b = free_port(), free_port()
        self.witness_link = self.repl_link = None
        config_a, primary_for_b = self.config, f"127.0.0.1:{self.port_a}"
        if cut_links:
            self.witness_link = CutProxy(("127.0.0.1", self.witness.port))
            self.repl_link = CutProxy(("127.0.0.1", self.port_a))
            config_a = tmp_path / "hall-a.toml"
            config_a.write_text(base + self._ha(self.witness_link.address), encoding="utf-8")
            primary_for_b = self.repl_link.address
        self.pc_a, self.pc_b = tmp_path / "pc-a", tmp_path / "pc-b"
        self.pc_a.mkdir()
        self.pc_b.mkdir()
        self.url = f"mqtt://127.0.0.1:{self.port_a},127.0.0.1:{self.port_b}"
        self.procs: list[subprocess.Popen[str]] = []
        self.primary = start(["hub", "--config", str(config_a), "--db", str(self.pc_a / "hall.db"), "--listen",
                              f"127.0.0.1:{self.port_a}", "--always-open"], "pc-a", tmp_path / "a.log", "hallq hub:")
        self.procs.append(self.primary)
        shutil.copy(self.pc_a / "hall.key", self.pc_b / "hall.key")  # the standby needs the primary's key
        self.standby = start(["standby", "--config", str(self.config), "--db", str(self.pc_b / "hall.db"),
                              "--primary", f"mqtt://{primary_for_b}", "--listen", f"127.0.0.1:{self.port_b}",
                              "--always-open"], "pc-b", tmp_path / "b.log", "hallq standby:")
        self.procs.append(self.standby)

    def _ha(self, witness: str) -> str:
        return (f'\n[ha]\nwitness = "{witness}"\nlease_ttl_s = 5\nrenew_s = 1\n'
                f'witness_key = "{self.witness.key_path}"\n')

    def in_sync(self) -> None:
        wait_until(lambda: self.witness.ask({"op": "status"})["in_sync"] == ["pc-a", "pc-b"], 30,
                   "the witness to count the standby in sync")

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGCONT)
                proc.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(10)
        for link in (self.witness_link, self.repl_link):
            if link is not None:
                link.close()
        self.witness.kill()


def test_the_standby_takes_the_lease_when_the_primary_pc_dies_and_nothing_acknowledged_is_lost(
        tmp_path: Path) -> None:
    pair = Pair(tmp_path)
    witness, primary, standby, config, url = pair.witness, pair.primary, pair.standby, pair.config, pair.url
    devices: list[Device] = []
    stop = threading.Event()
    try:
        shown: dict[tuple[str, int], set[tuple[str, float]]] = defaultdict(set)
        display = HallClient(url, HALL, "D-HALL", "display").start(30)

        def on_call(_topic: str, data: Any) -> None:
            if isinstance(data, dict) and "ticket" in data:
                shown[(data["ticket"], data["recall"])].add((data["window"], data["at"]))

        display.subscribe(display.topics.event("call"), on_call)
        matter = a_situation(config)
        devices = [Device(url, HALL, f"K{i}", "kiosk", stop, matter) for i in range(1, KIOSKS + 1)]
        devices.append(Device(url, HALL, "P-S01", "pad", stop))
        for d in devices:
            d.start()
        pair.in_sync()
        time.sleep(3)  # a busy hall, in sync
        assert witness.ask({"op": "status"})["holder"] == "pc-a"
        before = sum(len(d.acked) for d in devices)
        assert before > 20, before

        primary.send_signal(signal.SIGKILL)  # its hub and its broker: one process
        killed = time.monotonic()
        primary.wait(10)
        shutil.rmtree(pair.pc_a)  # and its disk

        def again(role_ops: tuple[str, ...]) -> float | None:
            times = [t for d in devices for t, op, _ in d.acked if op in role_ops and t > killed]
            return min(times) - killed if times else None

        wait_until(lambda: again(("ticket.issue",)) is not None and again(("ticket.call_next",)) is not None, 60,
                   "kiosks to issue and the pad to call again")
        time.sleep(2)
        stop.set()
        for d in devices:
            d.join(70)
        failures = [d.failure for d in devices if d.failure is not None]
        assert not failures, failures
        issue_s, call_s = again(("ticket.issue",)), again(("ticket.call_next",))
        print(f"\nfailover with the witness: kiosks issue again after {issue_s:.1f} s, pads call again after "
              f"{call_s:.1f} s (lease 5 s, renewed every 1 s)")
        assert issue_s is not None
        assert issue_s < TARGET_S, issue_s
        assert call_s is not None
        assert call_s < TARGET_S, call_s
        status = witness.ask({"op": "status"})
        assert status["holder"] == "pc-b"
        assert status["epoch"] == 2
        assert "granted this standby the lease" in (tmp_path / "b.log").read_text(encoding="utf-8")  # by itself

        standby.send_signal(signal.SIGTERM)
        standby.wait(30)
        conn = sqlite3.connect(pair.pc_b / "hall.db")
        try:
            tickets = {row[0]: (row[1], row[2]) for row in conn.execute("SELECT id, number, state FROM tickets")}
        finally:
            conn.close()
        issued = [r["ticket"] for d in devices for _, op, r in d.acked if op == "ticket.issue"]
        lost = [t for t in issued if t["id"] not in tickets or tickets[t["id"]][0] != t["number"]]
        assert not lost, f"{len(lost)} acknowledged ticket(s) lost or renumbered: {lost[:3]}"
        numbers = [number for number, _ in tickets.values()]
        assert len(numbers) == len(set(numbers)), "a number was issued twice"
        called = [r["ticket"]["id"] for d in devices for _, op, r in d.acked if op == "ticket.call_next"]
        assert called
        assert all(tickets[t][1] in ("called", "accepted") for t in called)
        twice = {k: v for k, v in shown.items() if len(v) > 1}
        assert not twice, f"calls shown twice: {twice}"
        assert shown, "the display saw no call"
        display.stop()
    finally:
        stop.set()
        pair.close()


def test_a_hung_primary_hub_is_replaced_and_after_it_wakes_answers_nothing(tmp_path: Path) -> None:
    """SIGSTOP the primary (hub and broker hang, the PC is still there): the standby takes the lease;
    SIGCONT: the old hub's lease lapsed on its own clock, so a kiosk left on its broker gets no answer,
    and the witness refuses it the hall back (its epoch is the old one)."""
    pair = Pair(tmp_path)
    stop = threading.Event()
    try:
        matter = a_situation(pair.config)
        kiosk = Device(pair.url, HALL, "K1", "kiosk", stop, matter)
        kiosk.start()
        pair.in_sync()
        pair.primary.send_signal(signal.SIGSTOP)
        hung = time.monotonic()
        wait_until(lambda: pair.witness.ask({"op": "status"})["holder"] == "pc-b", 60, "the standby to take the lease")
        wait_until(lambda: any(t > hung for t, _, _ in kiosk.acked), 30, "the kiosk to be answered again")
        pair.primary.send_signal(signal.SIGCONT)
        left_behind = HallClient(f"mqtt://127.0.0.1:{pair.port_a}", HALL, "K2", "kiosk").start(30)
        try:
            rid = p.new_request_id()
            for _ in range(3):  # the old hub is up and connected to its broker, and says nothing
                with contextlib.suppress(RequestTimeout):
                    reply = left_behind.request("ticket.issue", {"matter": matter[0], "situation": matter[1]},
                                                timeout=2.0, retries=0, request_id=rid)
                    raise AssertionError(f"the fenced primary answered: {reply}")
        finally:
            left_behind.stop()
        assert pair.primary.poll() is None  # it is alive: silent, not dead
        status = pair.witness.ask({"op": "status"})
        assert status["holder"] == "pc-b"
        assert status["epoch"] == 2
        log = (tmp_path / "a.log").read_text(encoding="utf-8")
        assert "lost lease as pc-a (epoch 1)" in log
        stop.set()
        kiosk.join(70)
        assert kiosk.failure is None, kiosk.failure
    finally:
        stop.set()
        pair.close()


def only_on(pair: Pair, port: int, device: str, stop: threading.Event, matter: tuple[str, str]) -> Device:
    """A kiosk that knows one broker only: what the hub on that PC answers, and when."""
    kiosk = Device(f"mqtt://127.0.0.1:{port}", HALL, device, "kiosk", stop, matter)
    kiosk.start()
    return kiosk


def test_a_primary_that_is_only_slow_keeps_the_hall(tmp_path: Path) -> None:
    pair = Pair(tmp_path)
    stop = threading.Event()
    try:
        matter = a_situation(pair.config)
        on_a = only_on(pair, pair.port_a, "K1", stop, matter)
        pair.in_sync()
        for _ in range(5):  # a few hundred ms of stall at a time: a long fsync, a swapping PC
            pair.primary.send_signal(signal.SIGSTOP)
            time.sleep(0.4)
            pair.primary.send_signal(signal.SIGCONT)
            time.sleep(0.6)
        time.sleep(6)  # longer than a lease
        status = pair.witness.ask({"op": "status"})
        assert status["holder"] == "pc-a"
        assert status["epoch"] == 1
        assert status["in_sync"] == ["pc-a", "pc-b"]
        recent = [t for t, _, _ in on_a.acked if t > time.monotonic() - 2]
        assert recent, "the slow primary stopped answering"
        assert "granted this standby the lease" not in (tmp_path / "b.log").read_text(encoding="utf-8")
    finally:
        stop.set()
        pair.close()


def test_a_primary_cut_off_from_the_witness_keeps_the_hall_on_its_standby_s_acks(tmp_path: Path) -> None:
    """Only the link primary↔witness is cut; the standby reaches the witness and the primary: the primary's
    lease lapses, it answers on (each batch after the standby's ack: hub/ha/lease_client.py, witness lost),
    and the standby, which hears the primary's heartbeat, never asks for the lease."""
    pair = Pair(tmp_path, cut_links=True)
    stop = threading.Event()
    try:
        matter = a_situation(pair.config)
        on_a = only_on(pair, pair.port_a, "K1", stop, matter)
        on_b = only_on(pair, pair.port_b, "K2", stop, matter)
        pair.in_sync()
        assert not on_b.acked  # the standby answers nothing while the primary holds the lease
        assert pair.witness_link is not None
        pair.witness_link.cut()
        cut = time.monotonic()
        time.sleep(3 * 5 + 2)  # three leases
        late = [t for t, _, _ in on_a.acked if t > cut + 2 * 5]
        assert late, "the primary stopped answering although its standby acks"
        assert not on_b.acked, "the standby answered beside the primary"
        assert "granted this standby the lease" not in (tmp_path / "b.log").read_text(encoding="utf-8")
        assert "witness lost: answering only on the standby's acks" in (tmp_path / "a.log").read_text(
            encoding="utf-8")
        status = pair.witness.ask({"op": "status"})
        assert (status["holder"], status["epoch"], status["state"]) == ("pc-a", 1, "free")
        pair.witness_link.heal()
        wait_until(lambda: pair.witness.ask({"op": "status"})["state"] == "held", 15, "the lease held again")
        assert pair.witness.ask({"op": "status"})["holder"] == "pc-a"
    finally:
        stop.set()
        pair.close()


def test_a_primary_that_lost_its_standby_goes_on_alone_and_the_stale_standby_never_takes_over(
        tmp_path: Path) -> None:
    pair = Pair(tmp_path, cut_links=True)
    stop = threading.Event()
    try:
        matter = a_situation(pair.config)
        on_a = only_on(pair, pair.port_a, "K1", stop, matter)
        on_b = only_on(pair, pair.port_b, "K2", stop, matter)
        pair.in_sync()
        assert pair.repl_link is not None
        pair.repl_link.cut()  # the network between the two hub PCs
        cut = time.monotonic()
        wait_until(lambda: pair.witness.ask({"op": "status"})["in_sync"] == ["pc-a"], 20,
                   "the primary to have the witness drop its standby")
        wait_until(lambda: [t for t, _, _ in on_a.acked if t > cut + 1.5], 20, "the primary to go on alone")
        pair.primary.send_signal(signal.SIGKILL)  # and now the primary PC dies too
        pair.primary.wait(10)
        time.sleep(12)  # two leases and more
        status = pair.witness.ask({"op": "status"})
        assert status["holder"] == "pc-a"
        assert status["state"] == "free"
        assert status["epoch"] == 1
        assert not on_b.acked, "the stale standby answered: it would lack the primary's last tickets"
        assert "granted this standby the lease" not in (tmp_path / "b.log").read_text(encoding="utf-8")
    finally:
        stop.set()
        pair.close()
