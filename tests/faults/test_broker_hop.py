"""Devices that know two brokers (the hub's and a standby machine's) go where a hub answers.

Real Mosquitto brokers and real hubs: a device connected to a broker on which no hub answers moves
to the next broker within ``hop_after_s``; a device whose broker dies moves by paho's reconnect; a
broker that comes back is not left for another while the hub answers there. The URL form
``mqtt://user:pw@a:1883,b:1884`` is docs/protocol.md §2's.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from hallq import protocol as p
from hallq.client import BrokerAddress, HallClient
from hub.config import load_hall
from hub.runtime import Hub
from launcher.local_hall import open_all_day
from launcher.samples import sample_hall_path

from .conftest import MosquittoProc, wait_until


def test_a_url_with_two_brokers_parses_and_never_shows_the_password() -> None:
    a = BrokerAddress.parse("mqtt://K1:s%40cret@hub-a:1883,hub-b:1884,hub-c?v=5")
    assert a.endpoints == (("hub-a", 1883), ("hub-b", 1884), ("hub-c", 1883))
    assert (a.username, a.password, a.version) == ("K1", "s@cret", 5)
    assert "s@cret" not in repr(a)
    assert "cret" not in repr(a)
    assert "hub-b:1884" in repr(a)
    t = BrokerAddress.parse("mqtts://hub-a,hub-b?ca=/etc/hallq/ca.crt")
    assert t.endpoints == (("hub-a", 8883), ("hub-b", 8883))
    assert t.ca == "/etc/hallq/ca.crt"
    assert BrokerAddress.parse("127.0.0.1:18831").endpoints == (("127.0.0.1", 18831),)
    for bad, words in (("mqtt://hub-a,:1883", "not host[:port]"), ("mqtt://hub-a,b:x", "not host[:port]"),
                       ("mqtt://,hub-b", "before the first comma"), ("mqtt://u:pw@hub-a,hub-b:99999", "not host[:port]")):
        with pytest.raises(ValueError, match=re.escape(words)) as err:
            BrokerAddress.parse(bad)
        assert "pw" not in str(err.value)


def test_a_device_leaves_a_broker_without_a_hub_and_follows_a_dead_broker_to_the_next(tmp_path: Path) -> None:
    hall = open_all_day(load_hall(sample_hall_path()))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = MosquittoProc(tmp_path / "a").start(), MosquittoProc(tmp_path / "b").start()
    hub_b = Hub(hall, tmp_path / "b.db", b.url, tick_interval=0.2).start(20)
    both = f"mqtt://127.0.0.1:{a.port},127.0.0.1:{b.port}"
    ups: list[bool] = []
    pad = HallClient(both, hall.id, "P-S01", "pad", hop_after_s=1.0)
    pad.on_connection(ups.append)
    hub_a: Hub | None = None
    try:
        pad.start(20)
        assert pad.broker == ("127.0.0.1", a.port)  # the first broker answers TCP, but no hub is there
        wait_until(lambda: pad.broker == ("127.0.0.1", b.port) and pad.connected.is_set(), 20, "the hop to B")
        assert [q["id"] for q in pad.request("hall.snapshot", {}, timeout=5)["queues"]] == list(hall.queues)
        assert pad.hops == 1
        # now B's machine goes: its hub and broker die; the hub on A's machine has taken over
        hub_a = Hub(hall, tmp_path / "a.db", a.url, tick_interval=0.2).start(20)
        hub_b.stop()
        b.stop(kill=True)
        t0 = time.monotonic()
        wait_until(lambda: pad.broker == ("127.0.0.1", a.port) and pad.connected.is_set(), 20, "the move to A")
        assert [q["id"] for q in pad.request("hall.snapshot", {}, timeout=5)["queues"]] == list(hall.queues)
        moved_in = time.monotonic() - t0
        assert moved_in < 15, f"took {moved_in:.1f} s to reach the hub on the other broker"
        assert ups.count(False) >= 1
        assert ups[-1] is True
        # and it stays where the hub answers (no hop while the hub beats there)
        hops = pad.hops
        time.sleep(3.0)
        assert pad.hops == hops
        assert pad.broker == ("127.0.0.1", a.port)
    finally:
        pad.stop()
        if hub_a is not None:
            hub_a.stop()
        hub_b.stop()
        a.stop()
        b.stop()


def test_a_single_broker_client_never_hops_and_the_hub_never_hops(tmp_path: Path) -> None:
    hall = open_all_day(load_hall(sample_hall_path()))
    a = MosquittoProc(tmp_path).start()
    pad = HallClient(a.url, hall.id, "P-S01", "pad", hop_after_s=0.5).start(20)
    try:
        time.sleep(2.0)  # no hub anywhere: with one broker there is nowhere to go
        assert pad.hops == 0
        assert pad.connected.is_set()
        assert p.Topics(hall.id).presence(p.HUB) not in pad._subscriptions
    finally:
        pad.stop()
        a.stop()
