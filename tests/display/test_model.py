"""Pure models (no Qt): hall board, evaluator state machine, LED texts, LED runner over a real hall."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import msgspec
import pytest
import serial

from display.evaluator import Evaluator, Stage
from display.led import LedDriver, SerialLink
from display.led.protocols import LineText
from display.led.simulator import LedSimulator
from display.led_runner import LedRunner
from display.model import HallBoard, WindowBoard, led_hall_text, led_window_text
from hallq.client import HallClient
from hallq.messages import WindowState
from launcher.local_hall import LocalHall
from launcher.scenes.display import HallDriver
from tests import wire
from tests.display.display_helpers import FakeClock

BASE = "hallq/h"
ROOT = Path(__file__).resolve().parents[2]


def _call(n: int, window: str = "S01", zone: str = "Z1", recall: int = 0, at: float = 100.0) -> dict[str, object]:
    return wire.call({"ticket": f"T{n}", "number": f"A{n:03d}", "window": window, "window_name": window,
                      "zone": zone, "recall": recall, "at": at})


def _online(board: HallBoard | WindowBoard) -> None:
    board.set_broker(True)
    board.apply(f"{BASE}/presence/hub", wire.presence(True))


def test_pure_modules_never_import_qt() -> None:
    for name in ("model.py", "evaluator.py", "phrases.py", "tts.py", "voice.py", "audio.py", "led_runner.py",
                 *(f"led/{p.name}" for p in (ROOT / "display/led").glob("*.py"))):
        tree = ast.parse((ROOT / "display" / name).read_text(encoding="utf-8"))
        mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not any(m.startswith("PySide6") or m.startswith("hallq.qt") for m in mods), name


def test_hall_board_filters_by_zone_and_flashes_new_calls() -> None:
    clock = FakeClock(100.0)
    b = HallBoard(BASE, "Z1", flash_s=10, clock=clock)
    _online(b)
    b.apply(f"{BASE}/state/calls", {"v": 1, "seq": 1, "calls": [_call(2, "R01", "Z2"), _call(1)]})
    assert [c.number for c in b.calls] == ["A001"] and not b.flashing()
    b.apply(f"{BASE}/event/call", _call(3, "S02"))
    assert b.latest is not None and b.latest.number == "A003" and b.flashing()
    b.apply(f"{BASE}/event/call", _call(3, "S02"))  # duplicate delivery
    assert [c.number for c in b.calls] == ["A003", "A001"]
    clock.advance(11)
    assert not b.flashing()
    assert not b.apply(f"{BASE}/event/call", _call(4, "R01", "Z2"))


def test_offline_board_drops_volatile_data_and_ignores_stale_retained() -> None:
    b = HallBoard(BASE, "", clock=FakeClock())
    _online(b)
    b.apply(f"{BASE}/state/calls", {"v": 1, "seq": 1, "calls": [_call(1)]})
    assert b.set_broker(False) and not b.online and b.calls == []
    b.set_broker(True)
    b.apply(f"{BASE}/presence/hub", wire.presence(False))  # broker back, hub still down
    assert not b.online
    assert not b.apply(f"{BASE}/state/calls", {"v": 1, "seq": 1, "calls": [_call(1)]}) and b.calls == []


def _window(data: dict[str, object]) -> WindowState:
    return msgspec.convert(wire.window(data), WindowState)


def _pending(ticket: str = "T1", at: float = 1000.0, timeout: int = 60) -> WindowState:
    return _window({"state": "open", "evaluation": {"ticket": ticket, "number": "A001", "invited_at": at,
                                                    "timeout_s": timeout}})


def test_evaluator_good_rating_sends_at_once() -> None:
    clock = FakeClock(1000.0)
    e = Evaluator("S01", clock)
    assert e.on_window_state(_pending())
    assert e.stage is Stage.RATING and e.seconds_left() == 60
    sub = e.choose(5)
    assert sub is not None and sub.op == "evaluation.submit" and sub.args == {"window": "S01", "level": 5,
                                                                              "ticket": "T1"}
    assert e.stage is Stage.SENDING
    assert e.on_reply(sub, True) is None and e.stage is Stage.THANKS
    e.on_window_state(_pending())  # a late retained state for the same ticket does not ask again
    assert e.stage is Stage.THANKS
    clock.advance(6)
    e.tick()
    assert e.stage is Stage.IDLE


def test_evaluator_bad_rating_needs_a_listed_reason() -> None:
    e = Evaluator("S01", FakeClock(1000.0))
    e.on_window_state(_pending())
    assert e.choose(1) is None and e.stage is Stage.REASON
    assert e.choose_reason("随便写的") is None
    sub = e.choose_reason("服务态度差")
    assert sub is not None and sub.args["level"] == 1 and sub.args["reason"] == "服务态度差"


def test_evaluator_timeout_skips_and_unknown_outcomes_retry_with_the_same_id() -> None:
    clock = FakeClock(1000.0)
    e = Evaluator("S01", clock)
    e.on_window_state(_pending(at=990.0))  # invited 10 s ago: 50 s left
    assert e.seconds_left() == 50
    clock.advance(49)
    assert e.tick() is None
    clock.advance(1)
    sub = e.tick()
    assert sub is not None and sub.op == "evaluation.skip"
    again = e.on_reply(sub, False, "timeout")
    assert again is sub
    assert e.on_reply(sub, False, "no_pending_evaluation") is None and e.stage is Stage.IDLE


def test_evaluator_stops_asking_when_resolved_elsewhere() -> None:
    e = Evaluator("S01", FakeClock(1000.0))
    e.on_window_state(_pending())
    assert e.on_window_state(_window({"state": "open", "evaluation": None})) and e.stage is Stage.IDLE


def test_led_texts() -> None:
    w = WindowBoard(BASE, "S01")
    assert led_window_text(w) == "S01"
    _online(w)
    w.apply(f"{BASE}/state/window/S01", wire.window({"state": "open", "current": {"number": "A001"}}))
    assert led_window_text(w) == "A001 请到S01"
    w.apply(f"{BASE}/state/window/S01", wire.window({"state": "paused", "reason": "午休", "current": None}))
    assert led_window_text(w) == "暂停服务"
    h = HallBoard(BASE, clock=FakeClock())
    _online(h)
    h.apply(f"{BASE}/state/calls", {"v": 1, "seq": 1, "calls": [_call(2, "S02"), _call(1)]})
    assert led_hall_text(h) == "请A002号到S02窗口　请A001号到S01窗口"


def test_led_runner_follows_the_window_over_a_real_hall(tmp_path: Path) -> None:
    from display.app import subscriptions

    with LocalHall(db=tmp_path / "hall.db") as local:
        d = HallDriver(local)
        port = serial.serial_for_url("loop://", timeout=0.05)
        sim = LedSimulator(LineText(), port=port).start()
        client = HallClient(local.url, local.hall.id, "LED-S01", "display",
                            subscriptions=subscriptions(local.hall.id, "led-window", "S01"))
        runner = LedRunner(client, LedDriver(LineText(), SerialLink("loop://", opener=lambda *a, **k: port)),
                           window="S01").start()
        try:
            d.issue("A", 2)
            d.open("S01")
            d.call("S01")
            assert sim.wait_for("A001 请到S01", timeout=10)
            d.pad("S01").request("ticket.outcome", {"window": "S01", "outcome": "passed"})
            d.pause("S01", "午间休息")
            assert sim.wait_for("暂停服务", timeout=10)
        finally:
            runner.stop()
            sim.stop()


def test_a_malformed_message_leaves_the_board_as_it_was(caplog: pytest.LogCaptureFixture) -> None:
    b = HallBoard(BASE, "", clock=FakeClock())
    _online(b)
    b.apply(f"{BASE}/state/calls", {"v": 1, "seq": 1, "calls": [_call(1)]})
    with caplog.at_level(logging.WARNING, logger="hallq.mirror"):
        assert not b.apply(f"{BASE}/state/calls", {"v": 1, "seq": 2, "calls": [{**_call(2), "recall": "again"}]})
        assert not b.apply(f"{BASE}/presence/hub", {"online": False})  # no v, role, at: not a presence
    assert [c.number for c in b.calls] == ["A001"] and b.online
    assert "$.calls[0].recall" in caplog.records[0].getMessage()
