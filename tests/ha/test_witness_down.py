"""The hall goes on when the witness PC is down (issue 16): real ``hallq witness``, ``hallq hub`` and
``hallq standby`` processes (the rig of tests/ha/test_witness_failover.py), real devices.

- the witness dies: the primary answers on, batch by batch on its in-sync standby's acks (kiosks issue,
  a pad calls, for more than two leases), ``status/hub`` says 见证服务失联; the witness comes back: the
  primary holds the lease again and the alarm goes;
- the witness dies, then the standby: nothing is answered without an ack, the primary stops (the
  double fault of docs/operations.md §6), and says so;
- the primary is cut off from the witness and from the standby (proxies; devices still reach its
  broker): it stops answering on the first missing ack, the standby takes the lease by itself once
  the primary's heartbeat has been silent a lease long; 0 acknowledged lost, 0 calls shown twice; the
  links heal and the old primary answers nothing (refused by the witness, fenced by the new epoch).

The primary cut from the witness only (the standby reaching both) is in test_witness_failover.py.
"""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from hallq import protocol as p
from hallq.client import HallClient, RequestTimeout
from tests.faults.conftest import wait_until
from tests.faults.test_hub_kill import a_situation

from .test_witness_failover import HALL, KIOSKS, Device, Pair, only_on

LEASE_S = 5.0  # the rig's [ha] lease_ttl_s


class HubStatus:
    """The retained ``status/hub`` on one broker, as the guide console sees it."""

    def __init__(self, port: int) -> None:
        self.last: dict[str, Any] = {}
        self.client = HallClient(f"mqtt://127.0.0.1:{port}", HALL, "D-STATUS", "display").start(30)
        self.client.subscribe(self.client.topics.status(p.HUB), self._on)

    def _on(self, _topic: str, data: Any) -> None:
        if isinstance(data, dict):
            self.last = data

    @property
    def error(self) -> str:
        return str(self.last.get("error") or "")

    def stop(self) -> None:
        self.client.stop()


def answered_after(device: Device, t: float, op: str | None = None) -> list[float]:
    return [at for at, o, _ in device.acked if at > t and (op is None or o == op)]


def test_the_hall_goes_on_while_the_witness_is_down_and_the_lease_returns_with_it(tmp_path: Path) -> None:
    pair = Pair(tmp_path)
    stop = threading.Event()
    status = HubStatus(pair.port_a)
    try:
        matter = a_situation(pair.config)
        kiosk = only_on(pair, pair.port_a, "K1", stop, matter)
        pad = Device(f"mqtt://127.0.0.1:{pair.port_a}", HALL, "P-S01", "pad", stop)
        pad.start()
        pair.in_sync()
        pair.witness.kill()
        down = time.monotonic()
        time.sleep(2 * LEASE_S + 2)  # two leases and more without a witness
        after = down + LEASE_S + 1  # the primary's own lease belief is over by now
        assert answered_after(kiosk, after + LEASE_S, "ticket.issue"), "kiosks stopped issuing"
        assert answered_after(pad, after + LEASE_S, "ticket.call_next"), "the pad stopped calling"
        wait_until(lambda: "见证服务失联" in status.error, 10, "the alarm on status/hub")
        assert "切换保护仍有效" in status.error
        assert status.last["witness"]["mode"] == "witness_lost"
        log_a = (tmp_path / "a.log").read_text(encoding="utf-8")
        assert "witness lost: answering only on the standby's acks" in log_a
        assert "granted this standby the lease" not in (tmp_path / "b.log").read_text(encoding="utf-8")

        pair.witness.start()  # the witness PC is back
        back = time.monotonic()
        wait_until(lambda: pair.witness.ask({"op": "status"})["state"] == "held", 15, "the lease held again")
        answer = pair.witness.ask({"op": "status"})
        assert answer["holder"] == "pc-a"
        assert answer["in_sync"] == ["pc-a", "pc-b"]
        wait_until(lambda: status.error == "", 15, "the alarm to go")
        assert status.last["witness"]["mode"] == "lease"
        wait_until(lambda: answered_after(kiosk, back + 1), 15, "answers after the witness came back")
        stop.set()
        for d in (kiosk, pad):
            d.join(70)
            assert d.failure is None, d.failure
    finally:
        stop.set()
        status.stop()
        pair.close()


def test_witness_down_then_the_standby_down_stops_the_primary(tmp_path: Path) -> None:
    pair = Pair(tmp_path)
    stop = threading.Event()
    status = HubStatus(pair.port_a)
    try:
        matter = a_situation(pair.config)
        kiosk = only_on(pair, pair.port_a, "K1", stop, matter)
        pair.in_sync()
        pair.witness.kill()
        time.sleep(LEASE_S + 2)
        assert answered_after(kiosk, time.monotonic() - 1), "the primary should answer on its standby's acks"
        pair.standby.send_signal(signal.SIGKILL)  # and now the standby PC dies too
        killed = time.monotonic()
        pair.standby.wait(10)
        time.sleep(6)
        late = answered_after(kiosk, killed + 2.5)  # ack timeout 1 s, and a batch in flight
        assert not late, f"the primary answered {len(late)} time(s) with no standby to ack"
        assert pair.primary.poll() is None  # alive, silent
        wait_until(lambda: "暂停应答" in status.error, 10, "the double fault on status/hub")
        assert "witness lost: standby not acking, batch left unanswered" in (tmp_path / "a.log").read_text(
            encoding="utf-8")
    finally:
        stop.set()
        status.stop()
        pair.close()


def test_a_primary_cut_from_witness_and_standby_is_replaced_with_nothing_lost(tmp_path: Path) -> None:
    pair = Pair(tmp_path, cut_links=True)
    stop = threading.Event()
    devices: list[Device] = []
    try:
        shown: dict[tuple[str, int], set[tuple[str, float]]] = defaultdict(set)
        display = HallClient(pair.url, HALL, "D-HALL", "display").start(30)

        def on_call(_topic: str, data: Any) -> None:
            if isinstance(data, dict) and "ticket" in data:
                shown[(data["ticket"], data["recall"])].add((data["window"], data["at"]))

        display.subscribe(display.topics.event("call"), on_call)
        matter = a_situation(pair.config)
        devices = [Device(pair.url, HALL, f"K{i}", "kiosk", stop, matter) for i in range(1, KIOSKS)]
        devices.append(Device(pair.url, HALL, "P-S01", "pad", stop))
        for d in devices:
            d.start()
        on_b = only_on(pair, pair.port_b, f"K{KIOSKS}", stop, matter)  # knows the standby's broker only
        pair.in_sync()
        time.sleep(2)
        assert pair.witness_link is not None
        assert pair.repl_link is not None
        pair.witness_link.cut()  # the primary PC's network to the witness and to the standby
        pair.repl_link.cut()
        cut = time.monotonic()
        wait_until(lambda: on_b.acked, 90, "the standby to take over by itself")
        took = min(t for t, _, _ in on_b.acked) - cut
        wait_until(lambda: all(answered_after(d, cut + took) for d in devices), 60, "every device answered again")
        print(f"\nprimary cut from witness and standby: the standby answers {took:.1f} s after the cut")
        assert "granted this standby the lease" in (tmp_path / "b.log").read_text(encoding="utf-8")
        status = pair.witness.ask({"op": "status"})
        assert (status["holder"], status["epoch"]) == ("pc-b", 2)

        pair.witness_link.heal()  # the old primary's network comes back
        pair.repl_link.heal()
        time.sleep(3)
        left_behind = HallClient(f"mqtt://127.0.0.1:{pair.port_a}", HALL, "K1", "kiosk").start(30)
        try:
            rid = p.new_request_id()
            for _ in range(3):
                with contextlib.suppress(RequestTimeout):
                    reply = left_behind.request("ticket.issue", {"matter": matter[0], "situation": matter[1]},
                                                timeout=2.0, retries=0, request_id=rid)
                    raise AssertionError(f"the old primary answered: {reply}")
        finally:
            left_behind.stop()
        stop.set()
        for d in [*devices, on_b]:
            d.join(70)
        failures = [d.failure for d in [*devices, on_b] if d.failure is not None]
        assert not failures, failures
        display.stop()

        pair.standby.send_signal(signal.SIGTERM)
        pair.standby.wait(30)
        conn = sqlite3.connect(pair.pc_b / "hall.db")
        try:
            tickets = {row[0]: (row[1], row[2]) for row in conn.execute("SELECT id, number, state FROM tickets")}
        finally:
            conn.close()
        issued = [r["ticket"] for d in [*devices, on_b] for _, op, r in d.acked if op == "ticket.issue"]
        assert len(issued) > 20, len(issued)
        lost = [t for t in issued if t["id"] not in tickets or tickets[t["id"]][0] != t["number"]]
        assert not lost, f"{len(lost)} acknowledged ticket(s) lost or renumbered: {lost[:3]}"
        called = [r["ticket"]["id"] for d in devices for _, op, r in d.acked if op == "ticket.call_next"]
        assert called
        assert all(tickets[t][1] in ("called", "accepted") for t in called)
        twice = {k: v for k, v in shown.items() if len(v) > 1}
        assert not twice, f"calls shown twice: {twice}"
    finally:
        stop.set()
        pair.close()
