"""Role × command matrix: every forbidden pair is refused, by the hub and through each secured broker.

The hub decides on the role in the hall file (a kiosk cannot call, a pad and a window screen act
only on their own window, only guides and admins override, displays only evaluate). The broker
binds the command topic to the login, so a device cannot borrow another device's role: that half
is checked by publishing on every other device's topic, with Mosquitto and the generated ACL and
with the embedded broker reading the same files.
"""

from __future__ import annotations

import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from hallq import protocol as p
from hallq.client import HallClient, RequestError
from hub.hall import Device, Hall, Role
from hub.runtime import Hub
from hub.security import acl
from hub.service import HubService
from hub.store import Store
from hub.config import parse_hall
from tests.hub.hub_helpers import PIN, SMALL_HALL, FakeClock, reply, req
from tests.security.sec_helpers import SecureBroker, args_for, secure_broker


def forbidden(device: Device, op: str, window: str) -> bool:
    """The rule the hub must apply, written independently of hub/service.py."""
    spec = p.OPS[op]
    if device.role.value not in spec.roles:
        return True
    if spec.own_window and device.role in (Role.PAD, Role.DISPLAY) and window != device.window:
        return True
    return device.role is Role.KIOSK and op == "ticket.cancel"  # kiosks cancel only their own tickets


def other_window(device: Device) -> str:
    return "W2" if device.window == "W1" else "W1"


def cases(hall: Hall) -> list[tuple[str, str, str]]:
    out = []
    for d in hall.devices.values():
        for op in p.OPS:
            windows = [d.window or "W1", other_window(d)] if "window" in p.OPS[op].args else ["W1"]
            out += [(d.id, op, w) for w in dict.fromkeys(windows)]
    return out


# the small hall and a back office (公安局): every role, without changing the small hall's catalog bytes
BACKOFFICE = ('\n[[devices]]\nid = "B1"\nrole = "backoffice"\ndepartment = "公安局"\n'
              '\n[[devices]]\nid = "WEB1"\nrole = "web"\n'  # and the citizen's phone page (docs/web.md)
              '\n[[devices]]\nid = "N1"\nrole = "notify"\n')  # and the notifier (docs/notify.md)
SMALL = parse_hall(tomllib.loads(SMALL_HALL + BACKOFFICE), text=SMALL_HALL + BACKOFFICE)


def test_small_hall_has_every_role() -> None:
    assert {d.role for d in SMALL.devices.values()} == set(Role)
    assert len(cases(SMALL)) > 250


def test_hub_refuses_every_forbidden_pair(tmp_path: Path, clock: FakeClock) -> None:
    service = HubService(SMALL, Store(tmp_path / "m.db", durable=False), b"k" * 32, clock)
    refused = allowed = 0
    for device, op, window in cases(SMALL):
        body = reply(service.handle(device, req(op, args_for(op, window))))
        code = None if body["ok"] else body["error"]["code"]
        if forbidden(SMALL.devices[device], op, window):
            assert code == "forbidden", (device, op, window, body)
            refused += 1
        else:
            assert code != "forbidden", (device, op, window, body)
            allowed += 1
    assert refused > 100 and allowed > 50


@pytest.mark.parametrize(("device", "op"), [("K1", "ticket.call_next"), ("DH", "ticket.call_next"),
                                            ("P1", "window.set_queues"), ("P1", "ticket.verify_priority"),
                                            ("D1", "ticket.outcome"), ("P2", "ticket.call_next"),
                                            ("P1", "summon.respond"), ("K1", "summon.arrive"),
                                            ("D1", "summon.arrive")])
def test_a_refusal_changes_nothing(tmp_path: Path, clock: FakeClock, device: str, op: str) -> None:
    service = HubService(SMALL, Store(tmp_path / "n.db", durable=False), b"k" * 32, clock)
    service.tick()  # the day starts (its own events) before the refused command
    before = service.store.last_seq()
    body = reply(service.handle(device, req(op, args_for(op, "W1"))))
    assert body["error"]["code"] == "forbidden"
    assert service.store.last_seq() == before


def test_a_back_office_answers_only_its_own_departments_summons(tmp_path: Path, clock: FakeClock) -> None:
    """呼叫后台 (R11): B1 (公安局) may record 已响应 / 已到窗口 for a summons to 公安局; a summons to
    another department (here the window's own, as a summons with no department falls back to it) is
    refused as forbidden and changes nothing."""
    service = HubService(SMALL, Store(tmp_path / "s.db", durable=False), b"k" * 32, clock)
    assert reply(service.handle("P1", req("window.open", {"window": "W1", "staff": "s1", "pin": PIN})))["ok"]
    police = reply(service.handle("P1", req("window.summon", {"window": "W1", "department": "公安局"})))
    other = reply(service.handle("P1", req("window.summon", {"window": "W1"})))
    assert other["result"]["department"] == "政务服务中心"  # no department given: the window's
    before = service.store.last_seq()
    for op in ("summon.respond", "summon.arrive"):
        refused = reply(service.handle("B1", req(op, {"summon": other["result"]["summon"]["id"]})))
        assert refused["error"]["code"] == "forbidden"
        assert "公安局" in refused["error"]["message"]
    assert service.store.last_seq() == before
    sid = police["result"]["summon"]["id"]
    answered = reply(service.handle("B1", req("summon.respond", {"summon": sid})))
    assert answered["result"]["summon"]["state"] == "responded"
    assert answered["result"]["summon"]["answered_by"] == "B1"
    assert reply(service.handle("B1", req("summon.arrive", {"summon": sid})))["result"]["summon"]["state"] == "arrived"


# ---------------------------------------------------------------- through the brokers


@pytest.fixture(params=["mosquitto", "embedded"], scope="module")
def secured(request: pytest.FixtureRequest) -> Iterator[SecureBroker]:
    with secure_broker(request.param, SMALL) as broker:
        yield broker


@pytest.fixture
def hub(secured: SecureBroker, tmp_path: Path, clock: FakeClock) -> Iterator[Hub]:
    h = Hub(SMALL, tmp_path / "hub.db", secured.url(acl.HUB_USER), clock=clock, durable=False,
            tick_interval=0.2).start()
    yield h
    h.stop()


def _client(secured: SecureBroker, device: str, **kw: Any) -> HallClient:
    return HallClient(secured.url(device), SMALL.id, device, SMALL.devices[device].role.value, **kw).start(10)


def test_every_device_logs_in_with_its_own_password_only(secured: SecureBroker) -> None:
    for device in SMALL.devices:
        _client(secured, device).stop()
    for url in (secured.url(None), secured.url("K1", "wrong-password"), secured.url("nobody", "x")):
        with pytest.raises(ConnectionError):
            HallClient(url, SMALL.id, "K1", "kiosk").start(1)


def test_role_matrix_through_the_broker(secured: SecureBroker, hub: Hub) -> None:
    clients = {d: _client(secured, d) for d in SMALL.devices}
    try:
        checked = 0
        for device, op, window in cases(SMALL):
            try:
                clients[device].request(op, args_for(op, window), timeout=3, retries=0)
                code = None
            except RequestError as exc:
                code = exc.code
            assert code != "timeout", (device, op, window)
            assert (code == "forbidden") == forbidden(SMALL.devices[device], op, window), (device, op, window, code)
            checked += 1
        assert checked == len(cases(SMALL))
    finally:
        for c in clients.values():
            c.stop()


def _raw(secured: SecureBroker, user: str, **will: Any) -> mqtt.Client:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"raw-{user}-{time.monotonic_ns()}")
    c.username_pw_set(user, secured.gen.users[user])
    if will:
        c.will_set(**will)
    connected = threading.Event()
    c.on_connect = lambda *a: connected.set()
    c.connect("127.0.0.1", secured.port)
    c.loop_start()
    assert connected.wait(5)
    return c


def _watch(secured: SecureBroker, user: str, topic_filter: str) -> tuple[mqtt.Client, list[tuple[str, bytes]]]:
    seen: list[tuple[str, bytes]] = []
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"watch-{user}-{time.monotonic_ns()}")
    c.username_pw_set(user, secured.gen.users[user])
    subscribed = threading.Event()
    c.on_message = lambda cl, u, m: seen.append((m.topic, bytes(m.payload)))
    c.on_connect = lambda cl, *a: cl.subscribe(topic_filter, qos=1)
    c.on_subscribe = lambda *a: subscribed.set()
    c.connect("127.0.0.1", secured.port)
    c.loop_start()
    assert subscribed.wait(5)
    return c, seen


def test_no_device_can_speak_for_another(secured: SecureBroker, hub: Hub) -> None:
    """Publishing on another device's command, presence or status topic, or on the hub's state,
    is dropped by the broker: the hub handles nothing, a guide sees nothing."""
    t = p.Topics(SMALL.id)
    # Two watchers: the client id is the login, so while G1 (or ADM) forges, its own login's
    # watcher is pushed off; the other one keeps watching.
    guide, seen = _watch(secured, "G1", f"{t.base}/#")
    admin, seen_by_admin = _watch(secured, "ADM", f"{t.base}/#")
    time.sleep(0.3)
    seen.clear()
    seen_by_admin.clear()
    handled = hub.handled
    try:
        for device in SMALL.devices:
            c = _raw(secured, device)
            for other in [*SMALL.devices, acl.HUB_USER]:
                if other == device:
                    continue
                payload = p.Request(p.new_request_id(), "hall.snapshot", {}).encode()
                c.publish(t.cmd(other), payload, qos=1).wait_for_publish(5)
                c.publish(t.presence(other), b'{"online":false}', qos=1, retain=True).wait_for_publish(5)
                c.publish(t.status(other), b'{"forged":true}', qos=1, retain=True).wait_for_publish(5)
            for topic in (t.queues, t.calls, t.catalog, t.window("W1"), t.event("call"), t.reply("K1")):
                c.publish(topic, b'{"forged":true}', qos=1, retain=True).wait_for_publish(5)
            c.loop_stop()
            c.disconnect()
        time.sleep(0.5)
        assert hub.handled == handled
        assert [x for x in seen + seen_by_admin if b"forged" in x[1] or x[1] == b'{"online":false}'] == []
    finally:
        for w in (guide, admin):
            w.loop_stop()
            w.disconnect()


def test_a_will_on_another_device_s_presence_is_dropped(secured: SecureBroker) -> None:
    t = p.Topics(SMALL.id)
    guide, seen = _watch(secured, "G1", t.presence("P1"))
    try:
        c = _raw(secured, "K1", topic=t.presence("P1"), payload=b'{"forged-will":1}', qos=1, retain=True)
        c.loop_stop()
        c.socket().close()  # die without DISCONNECT: the broker would send the will
        time.sleep(1.0)
        assert [x for x in seen if b"forged-will" in x[1]] == []
    finally:
        guide.loop_stop()
        guide.disconnect()


@pytest.mark.parametrize("device", sorted(SMALL.devices))
def test_each_device_reads_only_its_topics(secured: SecureBroker, hub: Hub, device: str) -> None:
    """Subscribe to the whole hall: only topics the role's grant allows arrive (retained and live)."""
    t = p.Topics(SMALL.id)
    grant = {g.user: g for g in acl.grants(SMALL)}[device]
    watcher, seen = _watch(secured, device, f"{t.base}/#")
    try:
        # something live: an expiry, window states, presence (from another login: one login is
        # one connection, the client id being the login)
        g1 = _client(secured, "ADM" if device == "G1" else "G1")
        g1.request("tickets.expire", {"reason": "test"})
        g1.stop()
        time.sleep(0.5)
        topics = {topic for topic, _ in seen}
        assert t.catalog in topics
        assert all(acl.allowed(grant, topic, "read") for topic in topics), sorted(topics)
        if SMALL.devices[device].role in (Role.KIOSK, Role.DISPLAY) or device.startswith("P"):
            assert not any(topic.startswith(f"{t.base}/cmd/") for topic in topics)
    finally:
        watcher.loop_stop()
        watcher.disconnect()
