"""``hallq display --demo``: a local hall driven by simulated kiosks and pads, shown on real screens.

The kiosks, pads and evaluators are ``hallq demo``'s (:class:`~launcher.simulate.live.LiveSimulation`:
the one device simulator, played live), but for the screens this demo shows.

With a screen: the hall TV (zone Z1) and the S01 window screen with its evaluator (tap to
rate). Always: the S01 window-top LED bar and a hall LED strip, each a real driver writing
frames to ``loop://`` that an :class:`~display.led.simulator.LedSimulator` decodes and
prints, and every call's spoken phrase (pinyin) printed as the hall would hear it.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import Any

import msgspec

from display.led import LedDriver, SerialLink, make_protocol
from display.led.simulator import LedSimulator
from display.led_runner import LedRunner
from display.phrases import VoiceSettings, call_phrase
from hallq.client import HallClient
from hallq.messages import Call

PACE = 0.5  # as hallq demo --pace 0.5: the hall screen shows a call every few seconds


def _loop_pair() -> tuple[Any, SerialLink]:
    import serial

    port = serial.serial_for_url("loop://", timeout=0.05)
    return port, SerialLink("loop://", opener=lambda *a, **k: port)


def simulated_led_bar(local: Any, device: str, window: str, zone: str, name: str,
                      protocol: str) -> tuple[LedRunner, LedSimulator]:
    """An LED bar on a simulated serial port (pyserial loop://) that prints what it would show
    (``local`` has the hall's ``url`` and ``hall``; the demos of display and of hallq use it)."""
    from display.app import subscriptions

    port, link = _loop_pair()
    proto = make_protocol(protocol)
    sim = LedSimulator(make_protocol(protocol), port=port,
                       on_frame=lambda f: print(f"💡 {name}: {f.text}", flush=True)).start()
    kind = "led-window" if window else "led-hall"
    client = HallClient(local.url, local.hall.id, device, "display", subscriptions=subscriptions(local.hall.id, kind,
                                                                                                   window))
    runner = LedRunner(client, LedDriver(proto, link), window=window, zone=zone).start()
    return runner, sim


def run_demo(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    from hallq.qt.app import has_screen
    from launcher.local_hall import Cast, LocalHall
    from launcher.simulate.live import LiveSimulation

    local = LocalHall().start()
    print(f"hallq display demo: {local.hall.name} on {local.url}", flush=True)
    screens = has_screen() and "--headless" not in sys.argv
    cast = Cast(local.hall)
    shown = frozenset({cast.device("display", zone=True), cast.device("display", window=True)} if screens else ())
    devices = LiveSimulation(local.hall, local.url, pace=PACE, skip=shown)
    leds = [simulated_led_bar(local, "LED-S01", "S01", "", "S01 窗口条屏", "onbon-bx"),
            simulated_led_bar(local, "LED-HALL", "", "Z1", "大厅通屏", "line")]
    speaker = local.client("D-HALL-voice", "display")
    vs = VoiceSettings()

    def say(_topic: str, payload: Any) -> None:
        phrase = call_phrase(msgspec.convert(payload, Call), vs)
        print(f"📢 {phrase.text}   [{phrase.pinyin}]", flush=True)

    speaker.subscribe(speaker.topics.event("call"), say)
    devices.start()
    try:
        if screens:
            return _screens(local, args, settings)
        threading.Event().wait(args.duration or None)
    except KeyboardInterrupt:
        pass
    finally:
        devices.stop()
        for runner, sim in leds:
            runner.stop()
            sim.stop()
        local.stop()
    return 0


def _screens(local: Any, args: argparse.Namespace, settings: dict[str, Any]) -> int:
    from PySide6.QtCore import QTimer

    from display.app import make_announcer
    from hallq.qt.app import make_app
    from launcher.scenes.display import open_hall_screen, open_window_screen

    app = make_app()
    _, hall_view, _ = open_hall_screen(local, announcer=make_announcer(args, settings))
    _, window_view, _ = open_window_screen(local)
    hall_view.setWindowTitle("hallq — 大厅屏 D-HALL")
    window_view.setWindowTitle("hallq — 窗口屏 S01")
    hall_view.resize(1280, 720)
    hall_view.ticker.start()
    hall_view.show()
    window_view.resize(1024, 640)
    window_view.show()
    if args.duration:
        QTimer.singleShot(int(args.duration * 1000), app.quit)
    return int(app.exec())


def wait(seconds: float) -> None:  # pragma: no cover - interactive helper
    time.sleep(seconds)
