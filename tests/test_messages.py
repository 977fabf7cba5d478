"""The typed messages (hallq/messages.py) hold to what a real hub publishes and replies, both ways.

A hall runs a morning through every kind of operation while a listener records every message
on the hall's topic tree. Each one must decode as its topic's type, and encoding the decoded
message must give back the same JSON: a field the hub sends that the definitions miss (or get
the type of wrong) fails here.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path
from typing import Any

import msgspec
import pytest

from hallq import messages as m
from hallq.client import HallClient, RequestError
from hallq.protocol import ROOT, Topics
from launcher.local_hall import LocalHall

TZ = dt.timezone(dt.timedelta(hours=8))


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=TZ).timestamp()

    def __call__(self) -> float:
        self.now += 0.5
        return self.now


def _drop_unset(obj: Any) -> Any:
    return json.loads(m.encode(obj))


def _morning(h: LocalHall) -> None:
    kiosk, pad, screen = h.client("K1"), h.client("P-S01"), h.client("D-S01")
    guide = h.guide()
    kiosk.set_status({"printer": {"online": True, "paper": "ok"}})
    pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
    a = kiosk.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house",
                                       "name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"})
    kiosk.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house", "priority_group": "elderly"})
    kiosk.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house"})
    kiosk.request("ticket.get", {"ticket": a["ticket"]["number"]})
    guide.request("ticket.reprint", {"ticket": a["ticket"]["number"], "device": "K1"})
    guide.request("tickets.list", {"queue": "A"})
    guide.request("hall.snapshot", {})
    called = pad.request("ticket.call_next", {"window": "S01"})
    pad.request("ticket.recall", {"window": "S01"})
    summon = pad.request("window.summon", {"window": "S01", "department": "公安局", "note": "请审批人员到窗口"})
    guide.request("summon.respond", {"summon": summon["summon"]["id"]})  # event/summon and window state again
    pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
    case = pad.request("case.accept", {"window": "S01", "ticket": called["ticket"]["id"],
                                       "materials": [{"name": "居民户口簿", "count": 2}]})["case"]
    assert msgspec.to_builtins(msgspec.convert(case, m.CaseView)) == case  # the case view, field for field
    guide.request("case.pick_up", {"case": case["id"]})  # event/case again
    screen.request("evaluation.submit", {"window": "S01", "level": 5})
    pad.request("ticket.call_next", {"window": "S01"})
    pad.request("ticket.outcome", {"window": "S01", "outcome": "passed"})
    pad.request("window.pause", {"window": "S01", "reason": "休息"})
    pad.request("window.resume", {"window": "S01"})
    with pytest.raises(RequestError):
        pad.request("ticket.recall", {"window": "S01"})  # nothing called: an error reply
    guide.request("window.set_queues", {"window": "S02", "queues": ["A", "B"], "reason": "高峰"})
    guide.request("followups.list", {})
    pad.request("window.close", {"window": "S01"})


def test_every_message_a_hub_publishes_decodes_as_its_type_and_encodes_back(tmp_path: Path) -> None:
    got: list[tuple[str, bytes]] = []
    lock = threading.Lock()
    with LocalHall(db=tmp_path / "hall.db", clock=Clock()) as h:
        topics = Topics(h.hall.id)
        spy = HallClient(h.url, h.hall.id, "spy", "admin", subscriptions=(f"{ROOT}/{h.hall.id}/#",))

        def record(topic: str, payload: bytes) -> None:
            with lock:
                got.append((topic, payload))

        spy.on_raw(f"{ROOT}/{h.hall.id}/#", record)
        spy.start()
        try:
            _morning(h)
            time.sleep(0.5)
        finally:
            spy.stop()
    seen: dict[str, int] = {}
    for topic, payload in got:
        kind = m.message_type(topics, topic)
        if kind is None:
            assert topics.parse(topic)[0] == "cmd", topic  # only commands are untyped here (protocol.OPS)
            continue
        try:
            msg = m.decode(kind, payload)
        except msgspec.ValidationError as exc:
            pytest.fail(f"{topic}: {exc}\n{payload.decode()}")
        assert _drop_unset(msg) == json.loads(payload), f"{topic}: a field is missing from {kind.__name__}"
        seen[kind.__name__] = seen.get(kind.__name__, 0) + 1
    expected = {"Catalog", "QueuesState", "WindowState", "CallsState", "Call", "Presence", "DeviceStatus",
                "PriorityEvent", "EvaluateEvent", "EvaluatedEvent", "SummonEvent", "ReprintEvent", "Reply",
                "CaseEvent"}
    assert expected <= set(seen), f"never published: {sorted(expected - set(seen))}"


def test_a_wrong_payload_says_what_and_where() -> None:
    payload = json.dumps({"v": 1, "seq": 3, "day": "2026-11-23",
                          "queues": [{"id": "A", "name": "户籍", "zone": "Z1", "waiting": "3", "priority": 0,
                                      "pending_priority": 0, "next": [], "oldest_issued_at": None,
                                      "issued": 3}]}).encode()
    with pytest.raises(msgspec.ValidationError, match=r"Expected `int`, got `str` - at `\$.queues\[0\].waiting`"):
        m.decode(m.QueuesState, payload)
    with pytest.raises(LookupError, match="no message type"):
        m.decode_published(Topics("h1"), "hallq/h1/cmd/K1", b"{}")
    with pytest.raises(ValueError, match="not under"):
        m.decode_published(Topics("h1"), "hallq/other/state/queues", b"{}")


def test_a_kiosks_printer_status_is_typed_and_its_bytes_do_not_change() -> None:
    """status/<device>: a kiosk's ``printer`` is a PrinterReport (what guides' alerts read); the kiosk
    writes it through the same type and the bytes stay as before; a wrong type says where."""
    from hallq.protocol import dump
    from kiosk.printing import PrinterState

    payload = dump({"v": 1, "at": 1.0, **PrinterState(True, "near_end", "paper_near_end", "纸将用完", False,
                                                       True).as_status()})
    assert payload == ('{"v":1,"at":1.0,"printer":{"online":true,"paper":"near_end","error":"paper_near_end",'
                       '"message":"纸将用完","blocking":false}}').encode()
    status = m.decode(m.DeviceStatus, payload)
    assert status.printer == m.PrinterReport(online=True, paper="near_end", error="paper_near_end",
                                             message="纸将用完", blocking=False)
    fine = m.decode(m.DeviceStatus, dump({"v": 1, "at": 1.0, **PrinterState(True, "ok").as_status()}))
    assert isinstance(fine.printer, m.PrinterReport)
    assert fine.printer.error is None
    with pytest.raises(msgspec.ValidationError, match=r"Expected `str`, got `int` - at `\$.printer.paper`"):
        m.decode(m.DeviceStatus, b'{"v":1,"at":1.0,"printer":{"paper":3}}')
