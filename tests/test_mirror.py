"""HallMirror (hallq/mirror.py): every retained topic of a real hub becomes typed state; a malformed
payload is logged with what and where and changes nothing; closing undoes its listener."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hallq import messages as m
from hallq.client import HallClient
from hallq.mirror import Change, HallMirror
from launcher.local_hall import LocalHall
from tests import wire

H = "h1"


def _topic(rest: str) -> str:
    return f"hallq/{H}/{rest}"


def _until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_each_retained_topic_of_a_real_hub_becomes_typed_state(tmp_path: Path) -> None:
    with LocalHall(db=tmp_path / "hall.db") as h:
        hall = h.hall.id
        base = f"hallq/{hall}"
        watcher = HallClient(h.url, hall, "G9", "guide", subscriptions=(
            f"{base}/catalog", f"{base}/state/#", f"{base}/presence/+", f"{base}/status/+", f"{base}/event/+"))
        mirror = HallMirror(hall)
        changes: list[Change] = []
        lock = threading.Lock()

        def heard(change: Change) -> None:
            with lock:
                changes.append(change)

        mirror.subscribe(heard)
        mirror.attach(watcher)
        watcher.start()
        try:
            kiosk, pad = h.client("K1"), h.client("P-S01")
            kiosk.set_status({"printer": {"online": True, "paper": "near_end"}})
            pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
            kiosk.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house"})
            pad.request("ticket.call_next", {"window": "S01"})
            _until(lambda: mirror.windows.get("S01") is not None and mirror.windows["S01"].current is not None
                   and bool(mirror.calls) and "K1" in mirror.status)
        finally:
            watcher.stop()
        assert isinstance(mirror.catalog, m.Catalog) and mirror.ready
        assert mirror.catalog.hall.id == hall and mirror.hall_name == h.hall.name
        assert mirror.matters["hukou-move"].situations[0].id
        assert mirror.window_configs["S01"].name == h.hall.windows["S01"].name
        s01 = mirror.windows["S01"]
        assert isinstance(s01, m.WindowState) and s01.state == "open"
        assert s01.staff is not None and s01.staff.id == "1001"
        assert s01.current is not None and s01.current.matter == "hukou-move"
        assert isinstance(mirror.queue_state[s01.current.queue], m.QueueSummary)
        assert mirror.day
        assert mirror.calls[0].window == "S01" and mirror.calls[0].number == s01.current.number
        assert mirror.hub_online and mirror.presence["K1"].online and mirror.presence["K1"].role == "kiosk"
        assert mirror.status["K1"].printer == m.PrinterReport(online=True, paper="near_end")
        kinds = {c.kind for c in changes}
        assert {"catalog", "queues", "window", "calls", "presence", "status", "event"} <= kinds
        call = next(c for c in changes if c.kind == "event" and c.name == "call")
        assert isinstance(call.message, m.Call) and call.message.window == "S01"


def test_a_malformed_payload_is_logged_and_changes_nothing(caplog: pytest.LogCaptureFixture) -> None:
    mirror = HallMirror(H)
    good = wire.queues({"day": "2026-11-23", "queues": [{"id": "A", "name": "户籍", "waiting": 3}]})
    expected = m.QueuesState(**{**good, "queues": [m.QueueSummary(**good["queues"][0])]})
    assert mirror.feed(_topic("state/queues"), good) == Change("queues", "", expected)
    assert mirror.queue_state["A"].waiting == 3
    heard: list[Change] = []
    mirror.subscribe(heard.append)
    bad = {**good, "queues": [{**good["queues"][0], "waiting": "many"}]}
    with caplog.at_level(logging.WARNING, logger="hallq.mirror"):
        assert mirror.feed(_topic("state/queues"), bad) is None
        assert mirror.feed(_topic("state/queues"), json.dumps(bad).encode()) is None  # raw bytes too
        assert mirror.feed(_topic("state/window/S01"), b"{not json") is None
        assert mirror.feed(_topic("presence/K1"), {"online": True}) is None  # fields missing
    assert mirror.queue_state["A"].waiting == 3 and mirror.day == "2026-11-23"  # untouched
    assert mirror.windows == {} and mirror.presence == {}
    assert heard == [] and mirror.malformed == 4
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4
    assert "state/queues" in lines[0] and "QueuesState" in lines[0] and "$.queues[0].waiting" in lines[0]
    assert "state/window/S01" in lines[2]
    assert "presence/K1" in lines[3] and "missing required field" in lines[3]


def test_feed_keeps_each_topic_and_an_empty_payload_clears_it() -> None:
    mirror = HallMirror(H)
    mirror.feed(_topic("catalog"), wire.catalog({"hall": {"id": H, "name": "大厅", "timezone": "Asia/Shanghai"},
                                                 "queues": [{"id": "A", "name": "户籍"}],
                                                 "windows": [{"id": "S01", "name": "综合窗口1"}],
                                                 "priority_groups": [{"id": "elderly", "name": "老年人"}]}))
    assert (mirror.queue_name("A"), mirror.window_name("S01"), mirror.group_name("elderly")) == \
        ("户籍", "综合窗口1", "老年人")
    assert mirror.queue_name("Z") == "Z" and mirror.timezone == "Asia/Shanghai"
    mirror.feed(_topic("state/window/S01"), json.dumps(wire.window(
        {"id": "S01", "state": "paused", "reason": "午休"})).encode())
    assert mirror.windows["S01"].reason == "午休"
    mirror.feed(_topic("presence/hub"), wire.presence(True, role="hub"))
    assert mirror.hub_online
    mirror.feed(_topic("state/calls"), {"v": 1, "seq": 2, "calls": [wire.call({"number": "A002", "window": "S01"})]})
    assert [c.number for c in mirror.calls] == ["A002"]
    mirror.feed(_topic("status/K1"), wire.status({"printer": {"paper": "out"}}))
    assert mirror.status["K1"].printer == m.PrinterReport(paper="out")
    assert mirror.feed(_topic("state/window/S01"), None) == Change("window", "S01", None)
    assert mirror.feed(_topic("presence/hub"), b"") == Change("presence", "hub", None)
    assert "S01" not in mirror.windows and not mirror.hub_online
    rated = {"v": 1, "window": "S01", "ticket": "t1", "level": 5, "label": "非常满意", "at": 1.0}
    event = mirror.feed(_topic("event/evaluated"), rated)
    assert event is not None and event.message == m.EvaluatedEvent(**rated)
    assert mirror.feed("hallq/other/state/queues", {}) is None  # another hall
    assert mirror.feed(_topic("cmd/K1"), {"op": "x"}) is None and mirror.feed(_topic("reply/K1"), {}) is None


def test_close_undoes_the_listener_on_the_client(tmp_path: Path) -> None:
    with LocalHall(db=tmp_path / "hall.db") as h:
        hall = h.hall.id
        client = HallClient(h.url, hall, "G9", "guide", subscriptions=(f"hallq/{hall}/presence/+",))
        mirror = HallMirror(hall).attach(client)
        client.start()
        try:
            _until(lambda: mirror.hub_online)
            mirror.close()
            mirror.close()  # twice is harmless
            h.client("K1")
            _until(lambda: client.state.get(f"hallq/{hall}/presence/K1") is not None)
            assert "K1" not in mirror.presence  # the client heard it; the closed mirror did not
            assert client._listeners == []  # nothing of the mirror is left on the client
        finally:
            client.stop()


def test_attach_seeds_from_what_the_client_already_holds(tmp_path: Path) -> None:
    with LocalHall(db=tmp_path / "hall.db") as h:
        hall = h.hall.id
        client = h.client("G9", "guide", subscriptions=(f"hallq/{hall}/catalog",))
        _until(lambda: f"hallq/{hall}/catalog" in client.state)
        mirror = HallMirror(hall).attach(client)
        assert mirror.catalog is not None and mirror.catalog.hall.id == hall
        mirror.close()
