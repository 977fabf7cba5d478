"""Fencing reaches the devices: the hub's epoch in every reply and hub message (docs/protocol.md §3).

After a failover the old primary may still publish one stale reply or state. With real brokers
(the embedded one and Mosquitto) and a test client publishing as the old hub would: a device that
has seen epoch 2 drops what is stamped older (epoch 1, or no epoch at all), keeps using what is
stamped 2, and a request whose only reply was stale is answered on its retry, same id, by the
epoch-2 hub (a real Hub, from its store). A hall without a standby (epoch 0) sends what it always did.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import msgspec

from hallq import messages as m
from hallq import protocol as p
from hallq.client import HallClient
from hub.store import Store
from launcher.local_hall import LocalHall
from tests.conftest import HubRig
from tests.test_messages import Clock, _morning


def wait_until(check: Any, timeout: float = 10.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what or check}")


def stamped(body: dict[str, Any], epoch: int) -> bytes:
    return p.stamp_epoch(p.dump(body), epoch)


class OldAndNewHub:
    """Two plain clients on a hall's topics publishing as an older and a newer hub would."""

    def __init__(self, url: str, hall: str) -> None:
        self.topics = p.Topics(hall)
        self.commands: list[dict[str, Any]] = []
        self.answer: Any = None  # (device, request) -> None: set by a test
        self.client = HallClient(url, hall, "hubs", "admin")
        self.client.on_raw(self.topics.cmds, self._on_command)
        self.client.start(10)

    def _on_command(self, topic: str, payload: bytes) -> None:
        request = json.loads(payload)
        self.commands.append(request)
        if self.answer is not None:
            self.answer(topic.rsplit("/", 1)[-1], request)

    def publish(self, topic: str, body: dict[str, Any], epoch: int, *, retain: bool = True) -> None:
        self.client.publish(topic, stamped(body, epoch), retain=retain)

    def reply(self, device: str, rid: str, result: dict[str, Any], epoch: int) -> None:
        body = {"v": 1, "id": rid, "ok": True, "result": result}
        self.client.publish(self.topics.reply(device), stamped(body, epoch))

    def stop(self) -> None:
        self.client.stop()


def _unique(name: str) -> str:
    return f"e{name}{time.monotonic_ns() % 10**9}"


# ---------------------------------------------------------------- the stamp


def test_the_stamp_is_the_last_field_and_epoch_0_changes_no_byte() -> None:
    body = p.dump({"v": 1, "id": "k1", "ok": True, "result": {"a": [1, {"b": 2}]}})
    assert p.stamp_epoch(body, 0) is body
    assert p.stamp_epoch(body, 3) == body[:-1] + b',"epoch":3}'
    assert json.loads(p.stamp_epoch(body, 3)) == {**json.loads(body), "epoch": 3}
    assert p.stamp_epoch(b"", 3) == b""  # a cleared retained topic stays cleared
    assert p.stamp_epoch(b"{}", 3) == b"{}"
    assert p.epoch_of({"epoch": 3}) == 3
    assert p.epoch_of({}) == p.epoch_of({"epoch": True}) == p.epoch_of({"epoch": "3"}) == p.epoch_of(None) == 0
    reply = m.decode(m.Reply, p.stamp_epoch(body, 3))
    assert reply.epoch == 3
    assert m.encode(reply) == p.stamp_epoch(body, 3)


# ---------------------------------------------------------------- the device side, on real brokers


def test_a_device_that_saw_epoch_2_ignores_older_state_and_uses_the_next_epoch_2(broker_url: str,
                                                                                  caplog: Any) -> None:
    hall = _unique("s")
    t = p.Topics(hall)
    hubs = OldAndNewHub(broker_url, hall)
    seen: list[tuple[str, Any]] = []
    screen = HallClient(broker_url, hall, "D1", "display", subscriptions=(t.catalog, t.windows, t.event("call")))
    screen.on("#", lambda topic, data: seen.append((topic, data)))
    screen.start(10)
    late = HallClient(broker_url, hall, "D2", "display", subscriptions=(t.catalog,))
    try:
        hubs.publish(t.catalog, {"v": 1, "version": "new"}, 2)
        hubs.publish(t.window("S01"), {"v": 1, "seq": 10, "id": "S01", "state": "open"}, 2)
        wait_until(lambda: (screen.state.get(t.window("S01")) or {}).get("seq") == 10, what="the epoch-2 window")
        assert screen.hub_epoch == 2
        caplog.set_level(logging.DEBUG, logger="hallq.client")
        # the old primary's last state (a higher seq, even) and its call event: dropped, not shown
        hubs.publish(t.window("S01"), {"v": 1, "seq": 11, "id": "S01", "state": "paused"}, 1)
        hubs.publish(t.event("call"), {"v": 1, "seq": 11, "number": "A009", "window": "S01"}, 1, retain=False)
        hubs.publish(t.window("S01"), {"v": 1, "seq": 12, "id": "S01", "state": "closed"}, 0)  # no epoch: 0
        wait_until(lambda: screen.stale == 3, what="three stale messages dropped")
        assert screen.state[t.window("S01")]["state"] == "open"
        assert not any(topic == t.event("call") for topic, _ in seen)
        stale_logs = [r for r in caplog.records if getattr(r, "code", "") == "stale_epoch"]
        assert len(stale_logs) == 3
        assert "epoch 1" in stale_logs[0].getMessage()
        # the next epoch-2 message is used
        hubs.publish(t.window("S01"), {"v": 1, "seq": 12, "id": "S01", "state": "paused"}, 2)
        wait_until(lambda: screen.state[t.window("S01")]["state"] == "paused", what="the next epoch-2 window")
        assert screen.state[t.window("S01")]["epoch"] == 2
        assert screen.stale == 3

        # a retained message of the old hub left on the broker does not paint over what a device shows
        hubs.publish(t.window("S02"), {"v": 1, "seq": 13, "id": "S02", "state": "open"}, 1)
        late.start(10)
        wait_until(lambda: late.hub_epoch == 2, what="the late device learns epoch 2 from the catalog")
        late.subscribe(t.windows)  # the broker replays S01 (epoch 2) and S02 (epoch 1, retained)
        wait_until(lambda: t.window("S01") in late.state and late.stale == 1, what="the retained replay")
        assert t.window("S02") not in late.state
    finally:
        late.stop()
        screen.stop()
        hubs.stop()


def test_a_stale_reply_is_dropped_and_the_request_retried_with_its_id(broker_url: str) -> None:
    hall = _unique("r")
    t = p.Topics(hall)
    hubs = OldAndNewHub(broker_url, hall)
    kiosk = HallClient(broker_url, hall, "K1", "kiosk", subscriptions=(t.catalog,)).start(10)
    try:
        hubs.publish(t.catalog, {"v": 1, "version": "new"}, 2)
        wait_until(lambda: kiosk.hub_epoch == 2, what="epoch 2 seen")

        def answer(device: str, request: dict[str, Any]) -> None:
            first = sum(c["id"] == request["id"] for c in hubs.commands) == 1
            if first:  # only the old hub answers the first attempt
                hubs.reply(device, request["id"], {"from": "old"}, 1)
            else:
                hubs.reply(device, request["id"], {"from": "new"}, 2)

        hubs.answer = answer
        assert kiosk.request("hall.snapshot", {}, timeout=0.5, retries=3, request_id="k1-0001") == {"from": "new"}
        attempts = [c for c in hubs.commands if c["id"] == "k1-0001"]
        assert len(attempts) == 2
        assert attempts[0] == attempts[1]
        assert kiosk.stale == 1
    finally:
        kiosk.stop()
        hubs.stop()


# ---------------------------------------------------------------- a real hub of epoch 2


def _epoch_db(path: Path, epoch: int) -> Path:
    store = Store(path, durable=False)
    store.set_meta("epoch", epoch)
    store.close()
    return path


def _issue(hall: Any) -> dict[str, str]:
    for matter in hall.matters.values():
        for s in matter.situations:
            if s.queue == "A" and not (s.online or s.consult_only or s.assist):
                return {"matter": matter.id, "situation": s.id}
    raise AssertionError("no plain queue-A situation")


def test_a_request_whose_only_reply_was_stale_is_answered_by_the_epoch_2_hub_on_retry(
        make_rig: Any, broker_url: str, tmp_path: Path) -> None:
    rig: HubRig = make_rig(broker_url)
    _epoch_db(rig.db, 2)
    hub = rig.start_hub()
    assert hub.gate.epoch == 2
    t = p.Topics(rig.hall.id)
    old = OldAndNewHub(broker_url, rig.hall.id)
    display = rig.client("D-S01", "display", listen={t.queues: lambda *_: None})
    kiosk = rig.kiosk()
    try:
        first = kiosk.request("ticket.issue", _issue(rig.hall))
        assert kiosk.hub_epoch == 2  # the reply carried it
        issued = first["ticket"]["number"]

        def waiting() -> list[str]:
            queues = (display.state.get(t.queues) or {}).get("queues", [])
            return [n for q in queues if q["id"] == "A" for n in q["next"]]

        # the queues after the issue (the hub's repaint at connect came first, also under epoch 2)
        wait_until(lambda: issued in waiting(), what="state/queues after the issue")
        shown = display.state[t.queues]
        assert shown["epoch"] == 2
        # the old primary's retained queues (more waiting, a higher seq): the display keeps the hub's
        old.publish(t.queues, {**shown, "seq": shown["seq"] + 5, "queues": [], "epoch": 1}, 1)
        wait_until(lambda: display.stale >= 1, what="the old queues dropped")
        assert display.state[t.queues] == shown

        # the old primary answers the kiosk's request first (a ticket the new hub never issued) while the
        # epoch-2 hub is held; the kiosk drops that reply and its retry, same id, gets the real answer
        rid = "k1-stale-0001"
        old.answer = lambda device, request: old.reply(device, request["id"], {"ticket": {"number": "Z999"}}, 1) \
            if request["id"] == rid and device == "K1" else None
        out: list[Any] = []
        with hub.held():
            worker = threading.Thread(target=lambda: out.append(kiosk.request(
                "ticket.issue", _issue(rig.hall), timeout=1.0, retries=5, request_id=rid)))
            worker.start()
            wait_until(lambda: kiosk.stale >= 1, what="the stale reply dropped")
            old.answer = None
            # nothing more answers it: the kiosk waits out the attempt and sends it again, the same id
            wait_until(lambda: sum(c["id"] == rid for c in old.commands) >= 2, what="the retry")
            assert not out
        worker.join(15)
        assert out, "the request was not answered after the hub went on"
        number = out[0]["ticket"]["number"]
        assert number != "Z999"
        assert number.startswith("A")
        assert sum(c["id"] == rid for c in old.commands) >= 2  # retried with the same id
        # answered from the hub's store on any later retry: the same ticket, one request row
        assert kiosk.request("ticket.issue", _issue(rig.hall), request_id=rid)["ticket"]["number"] == number
        rows = hub.store.conn.execute("SELECT COUNT(*) FROM requests WHERE device='K1' AND id=?", (rid,)).fetchone()
        assert rows[0] == 1
    finally:
        old.stop()


def test_a_hall_without_a_standby_sends_no_epoch(make_rig: Any, broker_url: str) -> None:
    rig: HubRig = make_rig(broker_url)
    hub = rig.start_hub()
    assert hub.gate.epoch == 0
    t = p.Topics(rig.hall.id)
    raw: list[tuple[str, bytes]] = []
    spy = HallClient(broker_url, rig.hall.id, "spy", "admin")
    spy.on_raw(f"{t.base}/#", lambda topic, payload: raw.append((topic, payload)))
    spy.start(10)
    rig.clients.append(spy)
    kiosk = rig.kiosk()
    kiosk.request("ticket.issue", _issue(rig.hall))
    wait_until(lambda: any(topic == t.reply("K1") for topic, _ in raw), what="the reply")
    wait_until(lambda: any(topic == t.queues for topic, _ in raw), what="state/queues")
    assert raw
    assert not any(b'"epoch"' in payload for topic, payload in raw if "/status/" not in topic)
    assert kiosk.hub_epoch == 0
    assert kiosk.stale == 0


def test_every_message_of_an_epoch_2_hub_carries_it_and_decodes_as_its_type(tmp_path: Path) -> None:
    got: list[tuple[str, bytes]] = []
    lock = threading.Lock()
    with LocalHall(db=_epoch_db(tmp_path / "hall.db", 2), clock=Clock()) as h:
        topics = p.Topics(h.hall.id)
        spy = HallClient(h.url, h.hall.id, "spy", "admin")

        def record(topic: str, payload: bytes) -> None:
            with lock:
                got.append((topic, payload))

        spy.on_raw(f"{topics.base}/#", record)
        spy.start()
        try:
            _morning(h)
            time.sleep(0.5)
        finally:
            spy.stop()
    kinds: set[str] = set()
    for topic, payload in got:
        kind = m.message_type(topics, topic)
        part, rest = topics.parse(topic)
        if kind is None or (part in ("presence", "status") and rest != p.HUB) or not payload:
            continue  # commands, the devices' own presence and status
        msg = m.decode(kind, payload)
        if part == "presence" and not json.loads(payload).get("heartbeat_s"):
            continue  # the hub client's own "online" at connect and its will carry no epoch (protocol.md §1)
        assert msg.epoch == 2, f"{topic}: {payload[:120]!r}"
        assert json.loads(m.encode(msg)) == json.loads(payload), topic
        kinds.add(kind.__name__)
    assert {"Catalog", "QueuesState", "WindowState", "CallsState", "Call", "Reply", "Presence", "SummonEvent",
            "EvaluatedEvent", "CaseEvent"} <= kinds
    assert msgspec.json.decode(b'{"v":1,"id":"x","ok":true,"result":{}}', type=m.Reply).epoch is msgspec.UNSET


def test_an_older_hubs_heartbeat_does_not_keep_a_device_on_its_broker(embedded_broker: str, mosquitto: str) -> None:
    """Two brokers: on the first only an older hub beats (it has not heard it was fenced); a device that
    has seen epoch 2 treats that broker as one where no hub answers and moves to the next one."""
    hall = _unique("h")
    t = p.Topics(hall)
    old, new = OldAndNewHub(embedded_broker, hall), OldAndNewHub(mosquitto, hall)
    beat = {"v": 1, "online": True, "role": "hub", "at": 0.0, "heartbeat_s": 0.2}
    new.publish(t.presence(p.HUB), beat, 2)
    old.publish(t.catalog, {"v": 1, "version": "new"}, 2)  # a newer hub's retained catalog left there
    stop = threading.Event()

    def old_beats() -> None:
        while not stop.wait(0.2):
            old.publish(t.presence(p.HUB), beat, 1)

    beating = threading.Thread(target=old_beats, daemon=True)
    beating.start()
    first, second = (int(u.rsplit(":", 1)[1]) for u in (embedded_broker, mosquitto))
    both = f"mqtt://127.0.0.1:{first},127.0.0.1:{second}"
    device = HallClient(both, hall, "K1", "kiosk", subscriptions=(t.catalog,), hop_after_s=1.0)
    try:
        device.start(10)
        assert device.broker == ("127.0.0.1", first)
        wait_until(lambda: device.broker == ("127.0.0.1", second), 10, "the move to the newer hub's broker")
        assert device.hub_epoch == 2
        assert device.hops == 1
        time.sleep(1.5)  # the epoch-2 beat (retained) keeps it there
        assert device.broker == ("127.0.0.1", second)
        assert device.hops == 1
    finally:
        stop.set()
        beating.join(2)
        device.stop()
        old.stop()
        new.stop()
