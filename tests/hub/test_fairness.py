"""A flooding device does not delay the others (issue 13 §8).

One kiosk sends 2,000 commands at once; a pad's 叫号 sent behind them must be answered long
before the burst drains (the hub serves devices round-robin), and with ``[policy]
rate_per_minute`` on, the kiosk's over-rate commands are refused on arrival and never queue.
The hub's worker is held while the burst arrives, so what is asserted is order and counts,
not how fast this machine is.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from hallq import protocol as p
from hallq.client import BrokerAddress, HallClient
from hub.runtime import BATCH, Hub
from hub.hall import Hall
from tests.hub.hub_helpers import PIN, FakeClock, wait_for

BURST = 2000
ISSUE = {"matter": "hukou-move", "situation": "with-house"}


def _hall(hall: Hall, **policy: Any) -> Hall:
    return dataclasses.replace(hall, id=f"t{uuid.uuid4().hex[:12]}",
                               policy=dataclasses.replace(hall.policy, **policy))


class RawKiosk:
    """A kiosk that fires commands without waiting, counting the replies it gets."""

    def __init__(self, url: str, hall: str, device: str) -> None:
        self.topics = p.Topics(hall)
        self.device = device
        self.codes: list[str] = []
        self._lock = threading.Lock()
        address = BrokerAddress.parse(url)
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"raw-{device}-{uuid.uuid4().hex[:6]}")
        subscribed = threading.Event()
        self.c.on_connect = lambda cl, *a: cl.subscribe(self.topics.reply(device), qos=1)
        self.c.on_subscribe = lambda *a: subscribed.set()
        self.c.on_message = self._on_message
        self.c.max_queued_messages_set(0)
        self.c.max_inflight_messages_set(100)
        self.c.connect(address.host, address.port)
        self.c.loop_start()
        assert subscribed.wait(10)

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        body = p.load(bytes(msg.payload))
        with self._lock:
            self.codes.append(body["error"]["code"] if not body["ok"] else "ok")

    @property
    def replies(self) -> int:
        with self._lock:
            return len(self.codes)

    def burst(self, n: int) -> None:
        infos = [self.c.publish(self.topics.cmd(self.device), p.Request(p.new_request_id(), "ticket.issue",
                                                                          ISSUE).encode(), qos=1)
                 for _ in range(n)]
        for info in infos:
            info.wait_for_publish(30)

    def close(self) -> None:
        self.c.loop_stop()
        self.c.disconnect()


@pytest.fixture
def hubs(tmp_path: Path, clock: FakeClock) -> Iterator[list[Any]]:
    made: list[Any] = []
    yield made
    for thing in reversed(made):
        thing.close() if hasattr(thing, "close") else thing.stop()


def _start(made: list[Any], hall: Hall, url: str, tmp_path: Path, clock: FakeClock) -> tuple[Hub, HallClient]:
    hub = Hub(hall, tmp_path / f"{hall.id}.db", url, clock=clock, durable=False, tick_interval=0.2).start()
    made.append(hub)
    pad = HallClient(url, hall.id, "P-S01", "pad").start(10)
    made.append(pad)
    pad.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN}, timeout=5)
    return hub, pad


def _commands_before(hub: Hub, request_id: str, device: str) -> int:
    """How many of ``device``'s commands the hub handled before the one with ``request_id``
    (from the event log: the order the worker really served them in)."""
    with sqlite3.connect(f"file:{hub.store.path}?mode=ro", uri=True) as db:
        (seq,) = db.execute("SELECT MIN(seq) FROM events WHERE request_id = ?", (request_id,)).fetchone()
        assert seq is not None, "the command left no event"
        (n,) = db.execute("SELECT COUNT(DISTINCT request_id) FROM events WHERE device = ? AND seq < ?",
                          (device, seq)).fetchone()
    return int(n)


def _settled(hub: Hub, device: str) -> int:
    """Wait until ``device``'s queue stopped growing (a stock Mosquitto drops what is over its
    ``max_queued_messages`` for the hub: the burst that arrives may be short of what was sent)."""
    last = -1
    for _ in range(300):
        now = hub._queue.waiting(device)
        if now > 0 and now == last:
            return now
        last = now
        time.sleep(0.2)
    raise AssertionError(f"{device}: queue still changing ({last})")


def test_a_pad_s_call_is_answered_before_a_kiosk_burst_drains(broker_url: str, hall: Hall, tmp_path: Path,
                                                              clock: FakeClock, hubs: list[Any]) -> None:
    hub, pad = _start(hubs, _hall(hall, rate_per_minute=0), broker_url, tmp_path, clock)
    kiosk = RawKiosk(broker_url, hub.hall.id, "K1")
    hubs.append(kiosk)
    answer: dict[str, Any] = {}
    rid = p.new_request_id()
    with hub.held():
        kiosk.burst(BURST)
        queued = _settled(hub, "K1")
        assert queued >= 10 * BATCH  # a real backlog ahead of the pad (first come, it would wait for all)

        def call() -> None:
            answer["result"] = pad.request("ticket.call_next", {"window": "S01"}, timeout=120, retries=0,
                                           request_id=rid)

        caller = threading.Thread(target=call)
        caller.start()
        wait_for(lambda: hub._queue.waiting("P-S01") == 1, timeout=10)
    caller.join(150)
    assert answer["result"]["ticket"]["number"] == "A001"  # the kiosk's first ticket: it was issued first
    # Round-robin: the pad's command went in with the first batches, not behind 2,000 kiosk commands.
    assert _commands_before(hub, rid, "K1") <= 2 * BATCH


def test_over_rate_commands_are_refused_before_they_queue(broker_url: str, hall: Hall, tmp_path: Path,
                                                          clock: FakeClock, hubs: list[Any]) -> None:
    hub, pad = _start(hubs, _hall(hall, rate_per_minute=60, rate_burst=20), broker_url, tmp_path, clock)
    kiosk = RawKiosk(broker_url, hub.hall.id, "K1")
    hubs.append(kiosk)
    handled = hub.handled
    with hub.held():  # the worker answers nothing: the refusals come from the door
        kiosk.burst(BURST)
        arrived = _arrived(hub)
        # Only what the bucket lets in (20 at once, then 1 a second) waits for the worker; the
        # rest is refused as it arrives although the worker answers nothing.
        assert arrived >= BURST // 2  # (a stock Mosquitto may drop some of the burst)
        assert len(hub._queue) <= 100
        assert hub.refused >= arrived - 100
        wait_for(lambda: kiosk.replies > 0, timeout=10)
        assert set(kiosk.codes) == {"rate_limited"}  # the broker may drop some for a slow reader
    result = pad.request("ticket.call_next", {"window": "S01"}, timeout=10, retries=0)
    assert result["ticket"]["number"] == "A001"
    wait_for(lambda: len(hub._queue) == 0, timeout=30)
    assert hub.handled - handled <= 100 + 1  # the let-in few and the pad's call, nothing else


def _arrived(hub: Hub) -> int:
    """Commands the hub has received (refused or queued, plus at most a batch in the held
    worker's hand), once that stopped growing."""
    last = -1
    for _ in range(300):
        now = hub.refused + len(hub._queue)
        if now > 0 and now == last:
            return now
        last = now
        time.sleep(0.2)
    raise AssertionError(f"still arriving ({last})")
