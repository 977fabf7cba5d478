"""``hallq display``: run a hall screen, a window screen (with evaluator) or an LED bar.

    hallq display --device D-HALL --kind hall [--zone Z1] [--portrait]
    hallq display --device D-S01 --kind window [--window S01]
    hallq display --device LED-S01 --kind led --port /dev/ttyUSB0 [--led-protocol onbon-bx]
    hallq display --demo            # a whole hall on this machine, with screens and an LED simulator

Zone and window default to the device's entry in the hall file (read from the hub's
retained catalog).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from typing import Any

from hallq import clock as hallclock
from hallq.qt import device_cli

log = logging.getLogger("hallq.display")


def register(sub: Any) -> None:
    p = sub.add_parser("display", help="hall screen, window screen with 好差评 evaluator, or LED bar",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", help="device id from the hall file (e.g. D-HALL, D-S01, LED-S01)")
    p.add_argument("--kind", choices=("hall", "window", "led"), help="what this device is")
    p.add_argument("--zone", help="hall screen / LED strip: show only this zone's windows")
    p.add_argument("--window", help="window screen / window LED bar: the window id")
    device_cli.add_broker_options(p)
    p.add_argument("--portrait", action="store_true", help="hall screen in portrait (1080×1920)")
    p.add_argument("--windowed", action="store_true", help="a normal window instead of full screen")
    device_cli.add_lang_option(p)
    p.add_argument("--settings", help="display settings file (TOML: [voice], [led], [evaluator]); see docs/display.md")
    voice = p.add_argument_group("voice (hall screens)")
    voice.add_argument("--no-voice", action="store_true", help="do not speak calls")
    voice.add_argument("--voice-clips", help="folder of recorded clips (请.wav A.wav 零.wav …); espeak-ng fills gaps")
    voice.add_argument("--repeat", type=int, help="times each call is spoken (default 2)")
    led = p.add_argument_group("LED bars")
    led.add_argument("--port", help="serial port or pyserial URL: /dev/ttyUSB0, COM3, socket://host:port, loop://")
    led.add_argument("--baud", type=int, default=9600, help="baud rate (default %(default)s)")
    led.add_argument("--led-protocol", default="line", choices=("line", "onbon-bx"), help="controller protocol")
    led.add_argument("--framing", default="stx-etx", choices=("stx-etx", "crlf", "none"),
                     help="line protocol framing (default %(default)s)")
    led.add_argument("--led-address", type=int, help="bar address (line: 0-255 as 2 hex digits; onbon-bx: screen)")
    p.add_argument("--demo", action="store_true", help="start a local hall with simulated devices and show it")
    p.add_argument("--duration", type=float, default=0, help="stop after this many seconds (0: until closed)")
    p.set_defaults(func=run)


def load_settings(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SystemExit(f"✗ {path}: {exc}") from None
    unknown = set(data) - {"voice", "led", "evaluator", "hall_screen"}
    if unknown:
        raise SystemExit(f"✗ {path}: unknown section(s) {', '.join(sorted(unknown))}")
    return data


def run(args: argparse.Namespace, run_demo: Callable[[argparse.Namespace, dict[str, Any]], int] | None = None) -> int:
    """Run one display; ``--demo`` runs ``run_demo`` instead (the ``hallq`` command passes it: a demo starts
    a hub in-process, which is the composition root's business, not the display's)."""
    device_cli.set_language(args)
    settings = load_settings(args.settings)
    if args.demo:
        if run_demo is None:
            print("✗ --demo: start it as  hallq display --demo", file=sys.stderr)
            return 2
        return run_demo(args, settings)
    if not args.device or not args.kind:
        print("✗ give --device and --kind (or --demo)", file=sys.stderr)
        return 2
    from hallq.client import discover_hall

    try:
        hall = args.hall or discover_hall(args.mqtt)
    except (ConnectionError, LookupError, ValueError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    info = device_info(args.mqtt, hall, args.device)
    zone = args.zone if args.zone is not None else info.get("zone", "")
    window = args.window or info.get("window", "")
    if args.kind == "led":
        return run_led(args, settings, hall, window, zone)
    if args.kind == "window" and not window:
        print(f"✗ {args.device}: no window (give --window)", file=sys.stderr)
        return 2
    return run_screen(args, settings, hall, args.kind, window, zone)


def device_info(url: str, hall: str, device: str, timeout: float = 5.0) -> dict[str, Any]:
    """The device's entry in the hub's retained catalog ({} if absent)."""
    from hallq.client import HallClient

    client = HallClient(url, hall, f"{device}-probe", "display", subscriptions=(f"hallq/{hall}/catalog",))
    try:
        client.start(wait=timeout)
    except ConnectionError:
        return {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and client.topics.catalog not in client.state:
        time.sleep(0.05)
    catalog = client.state.get(client.topics.catalog) or {}
    client.stop()
    return next((d for d in catalog.get("devices", []) if d.get("id") == device), {})


def run_screen(args: argparse.Namespace, settings: dict[str, Any], hall: str, kind: str, window: str,
               zone: str) -> int:
    from hallq.qt.app import window_size

    if device_cli.no_screen("✗ no screen (DISPLAY unset); use --kind led for a serial bar or set QT_QPA_PLATFORM"):
        return 1
    app = device_cli.start_app()
    if app is None:
        return 1
    from display.app import HallScreen, WindowScreen, make_announcer, make_client
    from display.evaluator import DEFAULT_REASONS, Evaluator
    from display.hall_view import HallView
    from display.model import HallBoard, WindowBoard
    from display.window_view import WindowView
    from hallq.qt.bridge import QtHall

    client = make_client(args.mqtt, hall, args.device, kind, window)
    qhall = QtHall(client)
    screen: Any
    if kind == "hall":
        hs = settings.get("hall_screen", {})
        board = HallBoard(client.topics.base, zone, recent=int(hs.get("recent", 8)),
                          flash_s=float(hs.get("flash_s", 12)), clock=hallclock.now)
        view: Any = HallView(board, portrait=args.portrait)
        screen = HallScreen(qhall, board, view, make_announcer(args, settings))
        view.ticker.start()
    else:
        es = settings.get("evaluator", {})
        wboard = WindowBoard(client.topics.base, window, hallclock.now)
        evaluator = Evaluator(window, hallclock.now, reasons=tuple(es.get("reasons", DEFAULT_REASONS)),
                              thanks_s=float(es.get("thanks_s", 5)))
        view = WindowView(wboard, evaluator)
        screen = WindowScreen(qhall, wboard, evaluator, view)
    client.start(wait=None)  # connects in the background; the screen says so until it does
    title = {"hall": "大厅综合屏", "window": "窗口屏"}.get(kind, "显示屏")
    view.setWindowTitle(f"{title} {args.device}" + (f"（{window}）" if window else ""))
    if args.windowed:
        view.resize(*window_size((view.width(), view.height())))
        view.show()
    else:
        view.showFullScreen()
    if args.duration:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(int(args.duration * 1000), app.quit)
    signal.signal(signal.SIGINT, lambda *a: app.quit())
    code = app.exec()
    del screen
    qhall.close()
    return int(code)


def led_driver(args: argparse.Namespace, settings: dict[str, Any], port: str) -> Any:
    from display.led import LedDriver, SerialLink, make_protocol

    led = dict(settings.get("led", {}))
    name = led.pop("protocol", args.led_protocol)
    options: dict[str, Any] = dict(led.pop("options", {}))
    if name == "line":
        options.setdefault("framing", args.framing)
    if args.led_address is not None:
        options["address"] = args.led_address
    protocol = make_protocol(name, **options)
    link = SerialLink(led.pop("port", port), int(led.pop("baud", args.baud)),
                      refresh_s=float(led.pop("refresh_s", 60)))
    return LedDriver(protocol, link)


def run_led(args: argparse.Namespace, settings: dict[str, Any], hall: str, window: str, zone: str) -> int:
    from display.app import subscriptions
    from display.led_runner import LedRunner
    from hallq.client import HallClient

    port = args.port or settings.get("led", {}).get("port")
    if not port:
        print("✗ give --port (e.g. /dev/ttyUSB0, COM3, loop://)", file=sys.stderr)
        return 2
    driver = led_driver(args, settings, port)
    kind = "led-window" if window else "led-hall"
    client = HallClient(args.mqtt, hall, args.device, "display", subscriptions=subscriptions(hall, kind, window))
    runner = LedRunner(client, driver, window=window, zone=zone)

    def status(up: bool, error: str) -> None:
        client.set_status({"led": "ok" if up else "offline", "error": error, "port": port})

    driver.link.on_status = status
    runner.start()
    print(f"hallq display: LED {args.device} ({'window ' + window if window else 'hall strip'}) on {port}, "
          f"{driver.protocol.name}; Ctrl-C to stop", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    try:
        stop.wait(args.duration or None)
    except KeyboardInterrupt:
        pass
    finally:
        runner.stop()
    return 0
