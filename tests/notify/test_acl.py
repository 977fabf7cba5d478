"""The notify role on the broker: what it may read and write (Mosquitto's ACL file and the embedded
broker's plugin decide from the same grants), and on a real broker with passwords that it may ask the
notifier's ops and nothing else, while no other device may ask them."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from hallq import protocol as p
from hallq.client import HallClient, RequestError
from hub.hall import Device, Role
from hub.security import acl
from hub.security.mosquitto import generate
from launcher.hub_commands import start_hall
from tests.hub.hub_helpers import FakeClock, make_small_hall
from tests.security.sec_helpers import open_dir

SMALL = make_small_hall()
HALL = dataclasses.replace(SMALL, devices={**SMALL.devices, "N1": Device("N1", Role.NOTIFY)})


def test_the_notifier_reads_what_it_needs_and_writes_only_its_own_topics() -> None:
    n1 = acl.parse(acl.render(acl.grants(HALL)))["N1"]
    t = p.Topics(HALL.id)
    for topic in (t.queues, t.calls, t.event("call"), t.event("case"), t.reply("N1"), t.catalog):
        assert acl.allowed(n1, topic, "read"), topic
    for topic in (t.reply("K1"), t.window("W1"), t.event("evaluate"), t.event("summon"), t.cmd("K1"),
                  t.status("K1")):
        assert not acl.allowed(n1, topic, "read"), topic
    assert acl.allowed(n1, t.cmd("N1"), "write")
    for topic in (t.cmd("K1"), t.cmd("P1"), t.queues, t.event("call"), t.presence("K1")):
        assert not acl.allowed(n1, topic, "write"), topic


def test_on_a_broker_with_passwords_only_the_notifier_asks_for_numbers(clock: FakeClock) -> None:
    out = open_dir("hallq-notify-acl-")
    try:
        gen = generate(HALL, out)
        hub, broker, _ = start_hall(HALL, str(out / "h.db"), "127.0.0.1:0", None, broker_auth=str(out))
        try:
            def login(device: str, role: str) -> HallClient:
                url = f"mqtt://{device}:{gen.users[device]}@{broker.host}:{broker.port}"
                return HallClient(url, HALL.id, device, role).start(5)

            n1, k1 = login("N1", "notify"), login("K1", "kiosk")
            try:
                assert n1.request("notify.watch") == {"items": []}
                for op, args in (("notify.watch", {}), ("notify.phone", {"ticket": "x"}),
                                 ("notify.claim", {"ticket": "x", "key": "x:near", "kind": "near"})):
                    with pytest.raises(RequestError) as refused:
                        k1.request(op, args)
                    assert refused.value.code == "forbidden"
                with pytest.raises(RequestError) as refused:
                    n1.request("hall.snapshot")
                assert refused.value.code == "forbidden"
            finally:
                n1.stop()
                k1.stop()
        finally:
            hub.stop()
            broker.stop()
    finally:
        shutil.rmtree(out, ignore_errors=True)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_795_000_000.0)
