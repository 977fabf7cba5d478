"""``hallq demo``: the whole hall on this machine: broker, hub, the sample hall, and devices.

Where there is a screen the real kiosk, pad, guide console, screens and one department's back office
(后台审批 BO-GA) run as processes (:data:`DEMO_WINDOWS`),
each scaled as a whole to fit the desktop; the other devices are simulated by the one device simulator,
``hallq simulate``'s engine, played live and fast (:mod:`launcher.simulate.live`), and the window LED
bars run on simulated serial ports. The citizen's phone page (``hallq web``, the hall's ``web``
device) runs as a process too, screen or not, and the slips' QR codes point at it (:func:`with_phone_page`).
So does the notifier (``hallq notify``, the hall's ``notify`` device), sending to a stand-in for the SMS
gateway that prints each message (:mod:`launcher.demo_notify`); some simulated citizens consent to it.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from hallq import clock as hallclock
from launcher.hub_commands import _load, _wait_for_signal, always_open, start_hall

# What the demo opens where there is a screen: a real process per device, as in a hall, at the device's
# real size (width, height), scaled down as a whole (QT_SCALE_FACTOR) where the desktop is smaller.
DEMO_WINDOWS = (
    ("K1", ["kiosk", "--device", "K1", "--printer-override", "dummy", "--size", "1080x1920"], (1080, 1920)),
    ("P-S01", ["pad", "--device", "P-S01", "--size", "1280x800"], (1280, 800)),
    ("G1", ["pad", "--device", "G1", "--role", "guide", "--size", "1280x800"], (1280, 800)),
    ("D-HALL", ["display", "--device", "D-HALL", "--kind", "hall", "--windowed"], (1920, 1080)),
    ("D-S01", ["display", "--device", "D-S01", "--kind", "window", "--windowed"], (1280, 800)),
    ("BO-GA", ["pad", "--device", "BO-GA", "--role", "backoffice", "--size", "1280x800"], (1280, 800)),
)


def _available_screen() -> tuple[int, int, int, int] | None:
    """The desktop's available area (QScreen.availableGeometry), asked of a short-lived Qt process so
    that this one stays free of Qt; None when it cannot tell."""
    import subprocess

    code = ("from PySide6.QtGui import QGuiApplication as A; a = A([]); g = a.primaryScreen().availableGeometry(); "
            "print(g.x(), g.y(), g.width(), g.height())")
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=15, check=True)
        x, y, w, h = (int(v) for v in out.stdout.split()[-4:])
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return x, y, w, h


def demo_scale(size: tuple[int, int], available: tuple[int, int, int, int] | None) -> float:
    """The QT_SCALE_FACTOR that shows a ``size`` window whole on the available area (aspect kept, ≤ 1)."""
    if available is None:
        return 1.0
    from hallq.qt.app import TITLE_BAR

    _x, _y, width, height = available
    return min(1.0, width / size[0], max(1, height - TITLE_BAR) / size[1])
DEMO_STAFF = frozenset({"1001", "2001"})  # left free for the person at the demo's pad and guide console


def demo_hall(hall: Any, today: dt.date) -> Any:
    """The hall as the demo runs it: open all day (``always_open``), and a case calendar for this year and
    the next even where the installed ``chinese-calendar`` has no holidays for them yet (then Monday to
    Friday are working days): the demo runs any day, and a 承诺件 needs a promised date."""
    from hub.case_config import CaseRules
    from hub.workdays import WorkCalendar

    hall = always_open(hall)
    rules = hall.cases or CaseRules()
    unknown = {y for y in (today.year, today.year + 1) if not WorkCalendar().covers(dt.date(y, 1, 1))}
    if not unknown - rules.calendar.own_years:
        return hall
    calendar = dataclasses.replace(rules.calendar, own_years=rules.calendar.own_years | unknown)
    return dataclasses.replace(hall, cases=dataclasses.replace(rules, calendar=calendar))


def with_phone_page(hall: Any, listen: str) -> tuple[Any, str, str] | None:
    """The hall with its slips' QR pointing at the demo's own phone page: ``(hall, device, HOST:PORT)``, or
    None where the hall has no ``web`` device or ``listen`` is ``off``. Port 0 takes a free port now."""
    import socket

    from launcher.web_command import listen_address

    device = next((d.id for d in hall.devices.values() if d.role == "web"), None)
    if device is None or listen == "off":
        return None
    host, port = listen_address(listen) if not listen.endswith(":0") else (listen.rpartition(":")[0], 0)
    if port == 0:
        with socket.socket() as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    where = f"{host}:{port}"
    return dataclasses.replace(hall, progress_url=f"http://{where}/p/{{token}}"), device, where


def cmd_demo(args: argparse.Namespace) -> int:
    import subprocess
    import tempfile

    from hallq.qt.app import QUIET_RULES
    from launcher.demo_notify import DEMO_CONSENT, start_demo_notifier
    from launcher.samples import sample_hall_path
    from launcher.simulate.live import LiveSimulation
    from launcher.simulate.model import Behaviour

    if not args.verbose:  # quiet by default, here (LED bars load Qt multimedia) and in every device app
        os.environ.setdefault("QT_LOGGING_RULES", QUIET_RULES)
    loaded = _load(args.config)
    hall = demo_hall(loaded, hallclock.today(loaded.timezone))
    phone = with_phone_page(hall, getattr(args, "web", "127.0.0.1:0"))
    if phone is not None:
        hall = phone[0]
    db = args.db or str(Path(tempfile.mkdtemp(prefix="hallq-demo-")) / "hall.db")
    has_screen = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform == "win32"
    windows = has_screen and not args.headless
    notify = getattr(args, "notify", "on") != "off"
    if not notify:  # no notifier: the kiosk does not ask for a consent nobody honours
        hall = dataclasses.replace(hall, devices={k: d for k, d in hall.devices.items() if d.role != "notify"})
    hub, broker, url = start_hall(hall, db, args.listen, None)
    print(f"hallq demo: {hall.name} — broker {url}, db {db}", flush=True)
    if not has_screen and not args.headless:
        print("no screen found (DISPLAY unset): running headless — hub, broker and simulated devices.", flush=True)
    print(f"try, in another terminal:  ./hallq.sh state --mqtt {url}", flush=True)
    apps: list[subprocess.Popen[bytes]] = []
    if phone is not None:
        _, web_device, where = phone
        quiet = None if args.verbose else subprocess.DEVNULL  # uvicorn's own lines
        web_argv = ["web", "--device", web_device, "--listen", where, "--mqtt", url, "--hall", hall.id]
        apps.append(subprocess.Popen([sys.executable, "-m", "launcher", *web_argv], stderr=quiet))
        print(f"phone page (扫码查询办理进度, the slips' QR): http://{where}/p/<token> — the first ticket's link is "
              "printed below (📱)", flush=True)
    notifier = None
    if notify:
        hall_file = Path(args.config) if args.config else sample_hall_path()
        notifier = start_demo_notifier(hall, hall_file, url, Path(tempfile.mkdtemp(prefix="hallq-demo-notify-")), _say,
                                       quiet=not args.verbose)
        if notifier is not None:
            print(f"notifier {notifier.device} (hallq notify): messages go to a stand-in for the SMS gateway at "
                  f"{notifier.gateway.url} — nothing is really sent; each one is printed below (💬)", flush=True)
    skip: frozenset[str] = frozenset()
    if windows:
        lang = ["--lang", args.lang] if args.lang else []
        available = _available_screen()
        for device, argv, size in DEMO_WINDOWS:
            if device in hall.devices:
                env = dict(os.environ)
                scale = demo_scale(size, available)
                if scale < 1.0:
                    env["QT_SCALE_FACTOR"] = f"{scale:.3f}"
                apps.append(subprocess.Popen([sys.executable, "-m", "launcher", *argv, "--mqtt", url, "--hall", hall.id,
                                              *lang], env=env))
        skip = frozenset(d for d, _, _ in DEMO_WINDOWS)
        print("windows: kiosk K1, window pad P-S01 (log in: 1001 / PIN 1234), guide console G1 (签到: 2001 / PIN "
              "1234), hall screen, window screen with the evaluator; the other devices are simulated.", flush=True)
        desk = hall.devices.get("BO-GA")
        if desk is not None:
            print(f"back office BO-GA 后台审批（{desk.department}）: 签到 3001 / PIN 1234 (every step records "
                  "the clerk); 签收 a case from 待签收 (or scan its 转递单), then 办结 and 出件转递.", flush=True)
    sim = LiveSimulation(hall, url, pace=args.pace, out=sys.stdout, skip=skip,
                         keep_staff=DEMO_STAFF if windows else frozenset(),
                         behaviour=Behaviour(notify_consent=DEMO_CONSENT) if notifier else None)
    sim.start()
    leds = _demo_leds(hall, url)
    try:
        _wait_for_signal(args.duration)
    finally:
        for app in apps:
            app.terminate()
        for app in apps:
            try:
                app.wait(10)
            except subprocess.TimeoutExpired:
                app.kill()
        for stop in leds:
            stop()
        if notifier is not None:
            notifier.stop()
        sim.stop()
        print(sim.summary(), flush=True)
        hub.stop()
        if broker:
            broker.stop()
    return 0


def _say(text: str) -> None:
    print(text, flush=True)


def _demo_leds(hall: Any, url: str) -> list[Any]:
    """Window LED bars on simulated serial ports (pyserial loop://), printing what each would show."""
    try:
        from launcher.display_demo import simulated_led_bar
    except ImportError:
        return []
    import types

    local = types.SimpleNamespace(url=url, hall=hall)
    stops = []
    for device in hall.devices.values():
        if device.role.value == "display" and device.id.startswith("LED") and device.window:
            runner, simulator = simulated_led_bar(local, device.id, device.window, "", f"LED {device.window}",
                                                  "onbon-bx")
            stops += [runner.stop, simulator.stop]
    return stops
