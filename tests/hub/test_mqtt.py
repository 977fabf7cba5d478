"""The hub over a real broker (embedded amqtt and Mosquitto): devices, retained state, retries, restart, presence."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from hallq.client import HallClient, RequestError
from tests.hub.hub_helpers import PIN, wait_for

ISSUE = {"matter": "hukou-move", "situation": "with-house"}  # queue A in the sample hall


class Inbox:
    """Messages a listener got, thread-safe (paho calls it on its own thread)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, topic: str, data: Any) -> None:
        with self._lock:
            self.items.append((topic, data))

    def payloads(self) -> list[Any]:
        with self._lock:
            return [d for _, d in self.items]


def open_s01(pad: HallClient) -> None:
    pad.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN}, timeout=5)


def test_kiosk_issues_pad_calls_display_hears(running_hub: Any) -> None:
    rig = running_hub
    t = rig.hub.client.topics
    calls = Inbox()
    display = rig.display("D-S01")
    display_calls = Inbox()
    display.subscribe(t.event("call"), display_calls)
    rig.client("D-HALL", "display", listen={t.event("call"): calls})
    kiosk, pad = rig.kiosk("K1"), rig.pad("P-S01")
    issued = kiosk.request("ticket.issue", ISSUE)["ticket"]
    assert (issued["number"], issued["state"]) == ("A001", "waiting")
    assert "S01" in issued["windows"]
    open_s01(pad)
    called = pad.request("ticket.call_next", {"window": "S01"})["ticket"]
    assert called["number"] == "A001"
    assert called["window"] == "S01"
    heard = wait_for(lambda: [c for c in calls.payloads() if c["number"] == "A001"], timeout=10)
    assert heard[0]["text"] == "请A001号到S01窗口办理"
    assert heard[0]["window"] == "S01"
    assert heard[0]["recall"] == 0
    pad.request("ticket.recall", {"window": "S01"})
    recalls = wait_for(lambda: [c for c in calls.payloads() if c["recall"] == 1], timeout=10)
    assert recalls[0]["text"] == "请A001号到S01窗口办理"
    # the evaluator at the window rates the service after the outcome
    pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
    with pytest.raises(RequestError) as exc:
        display.request("evaluation.submit", {"window": "S01", "level": 1})
    assert exc.value.code == "reason_required"
    display.request("evaluation.submit", {"window": "S01", "level": 5})


def test_refusals_arrive_as_request_errors(running_hub: Any) -> None:
    kiosk, pad = running_hub.kiosk("K1"), running_hub.pad("P-S01")
    with pytest.raises(RequestError) as exc:
        kiosk.request("ticket.call_next", {"window": "S01"})
    assert exc.value.code == "forbidden"
    with pytest.raises(RequestError) as exc2:
        pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "0000"})
    assert exc2.value.code == "bad_pin"


def test_retained_state_reaches_a_late_subscriber(running_hub: Any) -> None:
    rig = running_hub
    t = rig.hub.client.topics
    kiosk, pad = rig.kiosk("K1"), rig.pad("P-S01")
    for _ in range(3):
        kiosk.request("ticket.issue", ISSUE)
    open_s01(pad)
    pad.request("ticket.call_next", {"window": "S01"})
    late = rig.client("D-S01", "display", listen={t.window("S01"): Inbox(), t.queues: Inbox(), t.calls: Inbox(),
                                                  t.catalog: Inbox()})

    def window() -> Any:
        w = late.state.get(t.window("S01"))
        return w if w and w.get("current") else None

    w = wait_for(window, timeout=10)
    assert (w["state"], w["current"]["number"], w["staff"]["id"]) == ("open", "A001", "1001")
    queues = wait_for(lambda: late.state.get(t.queues), timeout=10)
    a = next(q for q in queues["queues"] if q["id"] == "A")
    assert (a["waiting"], a["issued"], a["next"]) == (2, 3, ["A002", "A003"])
    calls = wait_for(lambda: late.state.get(t.calls), timeout=10)
    assert calls["calls"][0]["number"] == "A001"
    catalog = wait_for(lambda: late.state.get(t.catalog), timeout=10)
    assert catalog["hall"]["id"] == rig.hall.id
    assert "pbkdf2" not in str(catalog)


def test_retry_with_the_same_id_gives_one_ticket(running_hub: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rig = running_hub
    kiosk = rig.kiosk("K1")
    service = rig.hub.service
    real = service.handle_batch
    slow_once = threading.Event()

    def slow(batch: list[tuple[str, bytes]]) -> Any:
        if any(device == "K1" for device, _ in batch) and not slow_once.is_set():
            slow_once.set()
            time.sleep(0.8)  # the first answer comes after the client gave up waiting and resent
        return real(batch)

    monkeypatch.setattr(service, "handle_batch", slow)
    ticket = kiosk.request("ticket.issue", ISSUE, timeout=0.3, retries=5, request_id="kiosk-retry-1")["ticket"]
    assert slow_once.is_set()
    assert ticket["number"] == "A001"
    again = kiosk.request("ticket.issue", ISSUE, request_id="kiosk-retry-1")["ticket"]
    assert again["number"] == "A001"
    wait_for(lambda: rig.hub.handled >= 3, timeout=5)  # every copy reached the hub
    snap = kiosk.request("hall.snapshot")
    a = next(q for q in snap["queues"] if q["id"] == "A")
    assert (a["issued"], a["waiting"]) == (1, 1)
    assert kiosk.request("ticket.issue", ISSUE)["ticket"]["number"] == "A002"  # a new id is a new ticket


def test_restarted_hub_republishes_and_keeps_numbering(running_hub: Any) -> None:
    rig = running_hub
    t = rig.hub.client.topics
    kiosk = rig.kiosk("K1")
    assert kiosk.request("ticket.issue", ISSUE)["ticket"]["number"] == "A001"
    rig.stop_hub()
    # wipe the retained queue state, as a broker restarted without persistence would
    kiosk.publish(t.queues, b"", retain=True)
    time.sleep(0.1)
    rig.start_hub()
    late = rig.client("D-S01", "display", listen={t.queues: Inbox()})
    queues = wait_for(lambda: late.state.get(t.queues), timeout=10)
    assert next(q for q in queues["queues"] if q["id"] == "A")["issued"] == 1
    assert kiosk.request("ticket.issue", ISSUE, timeout=5)["ticket"]["number"] == "A002"


def test_presence_online_then_offline_by_last_will(running_hub: Any) -> None:
    rig = running_hub
    t = rig.hub.client.topics
    seen = Inbox()
    rig.client("G1", "guide", listen={t.presences: seen})
    kiosk = rig.kiosk("K1")

    def latest(device: str) -> Any:
        mine = [d for topic, d in seen.items if topic == t.presence(device) and d]
        return mine[-1] if mine else None

    assert wait_for(lambda: (latest("K1") or {}).get("online"), timeout=10) is True
    assert latest("K1")["role"] == "kiosk"
    assert wait_for(lambda: (latest("hub") or {}).get("online"), timeout=10) is True
    # cut the kiosk off: no DISCONNECT packet, the broker sees the socket die and sends the will
    kiosk.mqtt.loop_stop()
    kiosk.connected.clear()
    sock = kiosk.mqtt.socket()
    assert sock is not None
    sock.close()
    wait_for(lambda: latest("K1") and latest("K1")["online"] is False, timeout=30, interval=0.05)
    assert latest("K1")["role"] == "kiosk"


def test_mqtt5_against_mosquitto(mosquitto: str, make_rig: Any) -> None:
    rig = make_rig(mosquitto + "?v=5")
    rig.start_hub()
    assert rig.hub.client.address.version == 5
    t = rig.hub.client.topics
    calls = Inbox()
    rig.client("D-S01", "display", listen={t.event("call"): calls})
    kiosk = rig.kiosk("K1")
    pad = rig.client("P-S01", "pad", url=mosquitto)  # a 3.1.1 pad on the same broker
    assert kiosk.address.version == 5
    assert pad.address.version == 4
    assert kiosk.request("ticket.issue", ISSUE)["ticket"]["number"] == "A001"
    assert kiosk.request("ticket.issue", ISSUE, request_id="v5-same")["ticket"]["number"] == "A002"
    assert kiosk.request("ticket.issue", ISSUE, request_id="v5-same")["ticket"]["number"] == "A002"
    open_s01(pad)
    pad.request("ticket.call_next", {"window": "S01"})
    heard = wait_for(calls.payloads, timeout=10)
    assert heard[0]["text"] == "请A001号到S01窗口办理"
