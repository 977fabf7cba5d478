"""A device login cannot take the hub's MQTT client id (issue 13 §8).

Before, any device could connect with ``hallq-<hall>-hub``: on Mosquitto the two knocked each
other off for as long as the attacker reconnected; on the embedded broker (amqtt) the hub's
session was taken over and the hub never received a command again, while ``presence/hub``
kept saying online. Now the client id is the login on both brokers (Mosquitto's
``use_username_as_clientid``; the embedded broker does the same before looking the session up).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from hallq import protocol as p
from hallq.client import HallClient
from hub.runtime import Hub
from hub.security import acl
from tests.hub.hub_helpers import FakeClock, make_small_hall
from tests.security.sec_helpers import SecureBroker, secure_broker

SMALL = make_small_hall()


@pytest.fixture(params=["mosquitto", "embedded"])
def secured(request: pytest.FixtureRequest) -> Iterator[SecureBroker]:
    with secure_broker(request.param, SMALL) as broker:
        yield broker


def _impostor(secured: SecureBroker, user: str) -> tuple[mqtt.Client, list[int]]:
    """``user``'s login with the hub's client id, reconnecting by itself whenever it is dropped."""
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"hallq-{SMALL.id}-hub")
    c.username_pw_set(user, secured.gen.users[user])
    c.reconnect_delay_set(min_delay=1, max_delay=1)
    connects: list[int] = []
    c.on_connect = lambda *a: connects.append(1)
    c.connect("127.0.0.1", secured.port)
    c.loop_start()
    return c, connects


def test_a_device_with_the_hub_s_client_id_does_not_silence_the_hub(secured: SecureBroker, tmp_path: Path,
                                                                       clock: FakeClock) -> None:
    hub = Hub(SMALL, tmp_path / "hub.db", secured.url(acl.HUB_USER), clock=clock, durable=False,
              tick_interval=0.2).start()
    pad = HallClient(secured.url("P1"), SMALL.id, "P1", "pad").start(10)
    guide = HallClient(secured.url("G1"), SMALL.id, "G1", "guide", subscriptions=(pad.topics.presence("hub"),))
    guide.start(10)
    impostors = [_impostor(secured, user) for user in ("K1", "P2")]
    try:
        time.sleep(3.0)  # several reconnects of each impostor, if they are being kicked off
        for i in range(5):
            assert "queues" in pad.request("hall.snapshot", {}, timeout=3, retries=0), i
        for c, connects in impostors:
            c.loop_stop()
            c.disconnect()
            assert len(connects) == 1  # never kicked off: the impostor has its own session
        time.sleep(1.0)
        assert "queues" in pad.request("hall.snapshot", {}, timeout=3, retries=0)
        assert hub.client.connected.is_set()
        assert guide.state[pad.topics.presence("hub")]["online"] is True
    finally:
        for c, _ in impostors:
            c.loop_stop()
        guide.stop()
        pad.stop()
        hub.stop()


def test_the_generated_mosquitto_conf_binds_client_ids_to_logins(secured: SecureBroker) -> None:
    assert "use_username_as_clientid true" in secured.gen.conf.read_text().splitlines()


def _watch(secured: SecureBroker, user: str, topic: str) -> tuple[mqtt.Client, list[bytes]]:
    seen: list[bytes] = []
    done = threading.Event()
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"watch-{time.monotonic_ns()}")
    c.username_pw_set(user, secured.gen.users[user])
    c.on_message = lambda cl, u, m: seen.append(bytes(m.payload))
    c.on_connect = lambda cl, *a: cl.subscribe(topic, qos=1)
    c.on_subscribe = lambda *a: done.set()
    c.connect("127.0.0.1", secured.port)
    c.loop_start()
    assert done.wait(5)
    return c, seen


def test_the_hub_reconnecting_over_its_own_open_connection_stays_online(secured: SecureBroker) -> None:
    """The hub's own client id connecting again while its previous connection is still open (a
    reconnect after a half-dead link): the old connection's last will must not land after the new
    retained "online", and the new connection must receive what it subscribes to."""
    t = p.Topics(SMALL.id)

    def hub_connection() -> tuple[mqtt.Client, list[bytes]]:
        got: list[bytes] = []
        ready = threading.Event()
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"hallq-{SMALL.id}-hub", clean_session=False)
        c.username_pw_set(acl.HUB_USER, secured.gen.users[acl.HUB_USER])
        c.will_set(t.presence("hub"), p.presence(False, "hub", 0.0), qos=1, retain=True)
        c.on_message = lambda cl, u, m: got.append(bytes(m.payload))
        c.on_subscribe = lambda *a: ready.set()
        c.on_connect = lambda cl, *a: (cl.publish(t.presence("hub"), p.presence(True, "hub", 1.0), qos=1, retain=True),
                                       cl.subscribe(t.cmds, qos=1))
        c.connect("127.0.0.1", secured.port)
        c.loop_start()
        assert ready.wait(5)
        return c, got

    old, _ = hub_connection()
    old.loop_stop()  # its socket stays open: the broker still counts it connected
    new, got = hub_connection()
    try:
        time.sleep(1.0)
        watcher, seen = _watch(secured, "G1", t.presence("hub"))
        kiosk, _ = _watch(secured, "K1", t.reply("K1"))
        kiosk.publish(t.cmd("K1"), b"ping", qos=1).wait_for_publish(5)
        time.sleep(0.5)
        assert seen
        assert json.loads(seen[-1])["online"] is True
        assert got == [b"ping"]
        for c in (watcher, kiosk):
            c.loop_stop()
            c.disconnect()
    finally:
        new.loop_stop()
        new.disconnect()
        sock = old.socket()
        if sock is not None:
            sock.close()
