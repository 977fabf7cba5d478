"""A hub that stops answering shows offline on every screen (issue 13 §8).

The hub's MQTT connection lives on paho's thread; its worker can hang (or be starved) while
the connection, and so the retained presence "online", stay up. The worker now re-publishes
``presence/hub`` as a heartbeat, and every client that listens to it (kiosk, pad, guide
console, displays all do, through :class:`hallq.client.HallClient`) reports the hub offline
when the beat stops. Here the worker is held still (:meth:`hub.runtime.Hub.held`) and the
screens' own models (pad/guide state, hall screen board) are fed by a real client.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from display.model import HallBoard
from hallq import protocol as p
from hallq.client import HallClient
from hub.hall import Hall
from hub.runtime import Hub
from pad.state import HallState
from tests.hub.hub_helpers import FakeClock

from .conftest import wait_until

BEAT_S = 0.2
SILENT_S = 1.0


def test_screens_show_a_hub_whose_worker_hangs_offline_and_back(broker_url: str, hall: Hall, tmp_path: Path,
                                                                 clock: FakeClock) -> None:
    hall = dataclasses.replace(hall, id=f"t{uuid.uuid4().hex[:12]}")
    t = p.Topics(hall.id)
    hub = Hub(hall, tmp_path / "hub.db", broker_url, clock=clock, durable=False, tick_interval=0.2,
              heartbeat_s=BEAT_S).start()
    pad_state, board = HallState(hall.id), HallBoard(t.base)
    board.set_broker(True)  # the screen's own connection is fine throughout
    lock = threading.Lock()

    def feed(topic: str, data: Any) -> None:
        with lock:
            pad_state.apply(topic, data)
            board.apply(topic, data)

    screen = HallClient(broker_url, hall.id, "D-HALL", "display", subscriptions=(t.catalog, t.presence(p.HUB)),
                        hub_silent_s=SILENT_S)
    screen.on(t.presence(p.HUB), feed)
    screen.start(10)
    try:
        wait_until(lambda: pad_state.hub_online and board.conn.online, 10, "the hub shown online")
        time.sleep(3 * SILENT_S)  # beats keep it online
        assert pad_state.hub_online
        assert board.conn.online
        with hub.held():
            held_at = time.monotonic()
            wait_until(lambda: not pad_state.hub_online and not board.conn.online, 10 * SILENT_S,
                       "the hub shown offline while its worker hangs")
            # not before a beat was overdue (the last one came up to BEAT_S before the hold)
            assert time.monotonic() - held_at >= (SILENT_S - BEAT_S) * 0.9
            assert hub.client.connected.is_set()  # the connection and its last will never noticed
            assert screen.state[t.presence(p.HUB)]["silent"] is True
        wait_until(lambda: pad_state.hub_online and board.conn.online, 10, "the hub shown online again")
    finally:
        screen.stop()
        hub.stop()


def test_the_hub_s_presence_carries_its_heartbeat(broker_url: str, hall: Hall, tmp_path: Path,
                                                  clock: FakeClock) -> None:
    hall = dataclasses.replace(hall, id=f"t{uuid.uuid4().hex[:12]}")
    t = p.Topics(hall.id)
    hub = Hub(hall, tmp_path / "hub.db", broker_url, clock=clock, durable=False, heartbeat_s=BEAT_S).start()
    beats: list[dict[str, Any]] = []
    watcher = HallClient(broker_url, hall.id, "G1", "guide", subscriptions=(t.presence(p.HUB),))
    watcher.on(t.presence(p.HUB), lambda topic, data: beats.append(data))
    watcher.start(10)
    try:
        wait_until(lambda: len(beats) >= 5, 10, "five heartbeats")
        assert all(b["online"] for b in beats)
        assert beats[-1]["heartbeat_s"] == BEAT_S
        assert p.HUB_SILENT_S >= 2 * p.HUB_HEARTBEAT_S  # a lost beat alone never shows the hub offline
    finally:
        watcher.stop()
        hub.stop()


def test_a_lost_or_stale_retained_online_heals_within_a_beat(broker_url: str, hall: Hall, tmp_path: Path,
                                                             clock: FakeClock) -> None:
    """Whatever drops the hub's retained "online" (a broker that loses it, a late last will of an
    old connection published after it), screens that connect afterwards see the hub online again
    within one heartbeat instead of offline for as long as the hub runs."""
    hall = dataclasses.replace(hall, id=f"t{uuid.uuid4().hex[:12]}")
    t = p.Topics(hall.id)
    hub = Hub(hall, tmp_path / "hub.db", broker_url, clock=clock, durable=False, heartbeat_s=BEAT_S).start()
    vandal = HallClient(broker_url, hall.id, "K1", "kiosk")
    vandal.start(10)
    screens: list[HallClient] = []
    try:
        for stale in (b"", p.presence(False, "hub", 0.0)):  # retained presence cleared, then a stale will
            vandal.mqtt.publish(t.presence(p.HUB), stale, qos=1, retain=True).wait_for_publish(5)
            state = HallState(hall.id)
            screen = HallClient(broker_url, hall.id, "P-S01", "pad", subscriptions=(t.presence(p.HUB),),
                                hub_silent_s=SILENT_S)
            screen.on(t.presence(p.HUB), state.apply)
            screens.append(screen.start(10))
            wait_until(lambda s=state: s.hub_online, 3 * BEAT_S + 5, "the hub shown online again by its beat")
    finally:
        for s in screens:
            s.stop()
        vandal.stop()
        hub.stop()
