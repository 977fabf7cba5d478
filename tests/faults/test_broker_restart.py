"""Stop and restart the broker (Mosquitto subprocess, and the embedded one) under a running hall.

Neither broker persists anything here, so a restart loses every session, subscription and
retained message. Afterwards: every client has reconnected by itself, presence says
online again (each client re-announces itself), the hub has re-published its retained
state (queues, windows, recent calls, catalog) and it matches the hub's own state, and a
command sent while the broker was down, retried with its request id, was applied once.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from hallq import protocol as p
from hallq.client import HallClient, RequestTimeout
from hub.config import load_hall
from hub.runtime import Hub
from launcher.local_hall import open_all_day
from launcher.samples import sample_hall_path

from .conftest import client, wait_until

DEVICES = {"K1": "kiosk", "P-S01": "pad", "D-HALL": "display", "D-S01": "display"}


def issue_args(hall: Any) -> dict[str, str]:
    for m in hall.matters.values():
        for s in m.situations:
            if s.queue == "A" and not (s.online or s.consult_only or s.assist):
                return {"matter": m.id, "situation": s.id}
    raise AssertionError("no plain queue-A situation")


def retained(url: str, hall: str, topics: list[str], timeout: float = 10.0) -> dict[str, Any]:
    """What a screen that connects now gets: the broker's retained messages."""
    c = HallClient(url, hall, f"obs{time.monotonic_ns() % 10**8}", "display", subscriptions=(f"hallq/{hall}/#",))
    c.start(20)
    try:
        wait_until(lambda: all(t in c.state for t in topics), timeout, f"retained {topics}")
        time.sleep(0.3)  # the rest of the retained burst
        return dict(c.state)
    finally:
        c.stop()


@pytest.mark.slow
def test_broker_restart_reconnects_repaints_and_applies_retries_once(restartable_broker: Any, tmp_path: Path) -> None:
    broker = restartable_broker
    hall = open_all_day(load_hall(sample_hall_path()))
    hub = Hub(hall, tmp_path / "hall.db", broker.url, tick_interval=0.2)
    hub.start(20)
    t = p.Topics(hall.id)
    clients = {d: client(broker.url, hall.id, d, r, subscriptions=(t.queues, t.windows, t.calls))
               for d, r in DEVICES.items()}
    try:
        kiosk, pad = clients["K1"], clients["P-S01"]
        args = issue_args(hall)
        before = [kiosk.request("ticket.issue", args)["ticket"]["number"] for _ in range(3)]
        pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
        called = pad.request("ticket.call_next", {"window": "S01"})["ticket"]["number"]
        assert called == before[0]

        broker.stop(kill=True)
        wait_until(lambda: not any(c.connected.is_set() for c in clients.values()), 20, "clients to notice")

        # a kiosk issues while the broker is down: its retries (same id) straddle the restart
        rid = p.new_request_id()
        answer: dict[str, Any] = {}

        def issue_through_outage() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    answer.update(kiosk.request("ticket.issue", args, timeout=1.0, retries=0, request_id=rid))
                    return
                except RequestTimeout:
                    continue

        worker = threading.Thread(target=issue_through_outage, daemon=True)
        worker.start()
        time.sleep(1.5)
        broker.start()

        wait_until(lambda: all(c.connected.is_set() for c in clients.values()) and hub.client.connected.is_set(),
                   30, "every client and the hub to reconnect by themselves")
        worker.join(60)
        assert answer, "the command sent during the outage was never answered"
        number = answer["ticket"]["number"]
        # the same id once more, after the fact: the first answer, nothing new
        again = kiosk.request("ticket.issue", args, request_id=rid)["ticket"]["number"]
        assert again == number
        assert hub.service.core.counters["A"] == 4, "the retried command was applied more than once"
        assert sorted([*before, number]) == ["A001", "A002", "A003", "A004"]

        topics = [t.catalog, t.queues, t.window("S01"), t.calls, t.presence("hub"),
                  *(t.presence(d) for d in DEVICES)]
        state = wait_until(lambda: _settled(broker.url, hall.id, topics, hub), 30, "retained state to settle")
        for device in ["hub", *DEVICES]:
            assert state[t.presence(device)]["online"] is True, f"{device} not online again"
        queues = {q["id"]: q for q in state[t.queues]["queues"]}
        live = {q.id: q for q in hub.service.publisher.queues(hub.service.core)}
        assert queues["A"]["waiting"] == live["A"].waiting == 3
        assert queues["A"]["next"] == ["A002", "A003", number] or queues["A"]["next"] == live["A"].next
        window = state[t.window("S01")]
        assert window["state"] == "open"
        assert window["current"]["number"] == called
        assert state[t.calls]["calls"][0]["number"] == called
        # screens that stayed subscribed were repainted too
        screen = clients["D-HALL"]
        wait_until(lambda: (screen.state.get(t.queues) or {}).get("seq") == hub.service.seq, 10,
                   "the hall screen's queues to catch up")
        # an outage after a complete handshake is paho's to reconnect, not the handshake watchdog's
        assert [c.stalls for c in [*clients.values(), hub.client]] == [0] * (len(clients) + 1)
    finally:
        for c in clients.values():
            c.stop()
        hub.stop()


def _settled(url: str, hall: str, topics: list[str], hub: Hub) -> dict[str, Any] | None:
    state = retained(url, hall, topics)
    t = p.Topics(hall)
    online = all((state.get(x) or {}).get("online") for x in topics if x.startswith(t.base + "/presence/"))
    fresh = (state.get(t.queues) or {}).get("seq") == hub.service.seq
    return state if online and fresh else None


def test_embedded_broker_stop_drops_connections(tmp_path: Path) -> None:
    """Stopping the in-process broker right after traffic must disconnect its clients."""
    from .conftest import EmbeddedProc

    hall = open_all_day(load_hall(sample_hall_path()))
    t = p.Topics(hall.id)
    for attempt in range(3):
        b = EmbeddedProc().start()
        hub = Hub(hall, tmp_path / f"hall{attempt}.db", b.url, tick_interval=0.2).start(20)
        clients = [client(b.url, hall.id, d, r, subscriptions=(t.queues, t.windows, t.calls))
                   for d, r in (("K1", "kiosk"), ("P-S01", "pad"), ("D-HALL", "display"))]
        try:
            clients[0].request("ticket.issue", issue_args(hall))
            b.stop()  # at once: the hub's retained publications are still in flight
            wait_until(lambda: not any(c.connected.is_set() for c in [*clients, hub.client]), 10,  # noqa: B023
                       "clients to see the broker gone")
        finally:
            for c in clients:
                c.stop()
            hub.stop()


def test_stop_while_the_connection_is_going_does_not_raise(tmp_path: Path) -> None:
    """A client stopped in the moment between losing its broker and noticing it (paho refuses the offline
    presence then: "not currently connected") stops cleanly; the broker's last will covers the presence.
    The moment is made by holding the client's connected flag up after the broker is gone."""
    from .conftest import MosquittoProc

    broker = MosquittoProc(tmp_path).start()
    c = HallClient(broker.url, "h", "K1", "kiosk").start(10)
    broker.stop(kill=True)
    wait_until(lambda: not c.connected.is_set(), 10, "the client to see its broker go")
    c.connected.set()  # as in the moment before paho notices
    c.stop()  # raised RuntimeError("Message publish failed: The client is not currently connected.")
