"""The repl topics through each secured broker: the standby logs in as ``standby`` and replicates; a device
login can neither read the hall's rows there nor forge a batch or an ack."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hallq.client import HallClient
from hub.ha import repl
from hub.runtime import Hub
from hub.security import acl
from hub.store import repl_cursor
from tests.hub.hub_helpers import FakeClock, make_small_hall
from tests.security.sec_helpers import SecureBroker, secure_broker

from .conftest import wait_until

SMALL = make_small_hall()


@pytest.fixture(params=["mosquitto", "embedded"])
def secured(request: pytest.FixtureRequest) -> Iterator[SecureBroker]:
    with secure_broker(request.param, SMALL) as broker:
        yield broker


def test_the_standby_replicates_with_its_login_and_a_device_cannot_touch_the_repl_topics(secured: SecureBroker,
                                                                                  tmp_path: Path,
                                                                                  clock: FakeClock) -> None:
    hub = Hub(SMALL, tmp_path / "a.db", secured.url(acl.HUB_USER), clock=clock, durable=False,
              tick_interval=0.2).start(10)
    replica = repl.Replica(SMALL, tmp_path / "b.db", secured.url(acl.STANDBY_USER), name=acl.STANDBY_USER).start(10)
    kiosk_id = next(d for d, dev in SMALL.devices.items() if dev.role.value == "kiosk")
    seen: list[bytes] = []
    kiosk = HallClient(secured.url(kiosk_id), SMALL.id, kiosk_id, "kiosk").start(10)
    try:
        kiosk.subscribe(repl.topic(kiosk.topics, "#"))
        kiosk.on_raw(repl.topic(kiosk.topics, "#"), lambda _t, b: seen.append(b))
        wait_until(lambda: hub.replicator.in_sync, 20, "the standby in sync through the secured broker")
        cursor = dict(replica.cursor)
        kiosk.publish(repl.topic(kiosk.topics, "batch"), b'{"epoch": 99, "after": {}, "upto": {"seq": 9}, "rows": {}}')
        kiosk.publish(repl.topic(kiosk.topics, "ack"), b'{"standby": "x", "epoch": 99, "cursor": {}}')
        hub.replicator.wake()
        time.sleep(1.0)
        assert hub.replicator.fenced == 0  # the forged ack never reached the hub
        assert replica.cursor == cursor == repl_cursor(hub.store)
        assert seen == []  # nor did the kiosk read a row
    finally:
        kiosk.stop()
        replica.stop()
        hub.stop()
