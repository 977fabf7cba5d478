"""``hallq pad``: the window staff pad (窗口终端) or the guide console (引导台) for one device."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("pad", help="window staff pad / guide console (叫号, 办理结果, 转移, 暂停, 引导台干预)")
    p.add_argument("--device", default="", help="this pad's device id in the hall file (default P-S01, or G1 "
                                                "with --role guide)")
    p.add_argument("--window", default="", help="the window this pad serves (default: the device's window "
                                                "in the hall file)")
    p.add_argument("--role", choices=("staff", "guide"), default="staff",
                   help="staff: one window's pad (default); guide: the hall console")
    p.add_argument("--mqtt", default="mqtt://127.0.0.1:1883", help="broker URL (default %(default)s)")
    p.add_argument("--hall", help="hall id (default: found from the hub's retained catalogue)")
    p.add_argument("--size", default="1280x800", help="window size (default 1280x800, a 10-inch tablet)")
    p.add_argument("--fullscreen", action="store_true", help="full screen (tablets)")
    p.add_argument("--lang", choices=("zh_CN", "en"), help="screen language (default: HALLQ_LANG or zh_CN)")
    p.add_argument("--demo", action="store_true",
                   help="start the sample hall in this process and show a window pad and a guide console")
    p.set_defaults(func=cmd_pad)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"--size must look like 1280x800, got {text!r}") from None
    return w, h


def cmd_pad(args: argparse.Namespace, start_demo_hall: Callable[[], Any] | None = None) -> int:
    """Run the pad; with ``--demo`` against the hall ``start_demo_hall()`` starts (the ``hallq``
    command passes it: starting a hub in-process is the composition root's business, not the pad's)."""
    from hallq import i18n
    from hallq.client import discover_hall
    from hallq.qt.app import MissingFont, has_screen, make_app
    if args.lang:
        i18n.set_language(args.lang)
    if not has_screen():
        print("✗ no screen: set DISPLAY (X11/Xvfb) or QT_QPA_PLATFORM=offscreen", file=sys.stderr)
        return 2
    try:
        qapp = make_app()
    except MissingFont as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    width, height = _size(args.size)
    from pad.app import PadApp

    local = None
    url = args.mqtt
    if args.demo:
        if start_demo_hall is None:
            print("✗ --demo: start it as  hallq pad --demo", file=sys.stderr)
            return 2
        local = start_demo_hall()
        url = local.url
        print(f"hallq pad --demo: sample hall on {url} (staff 1001-1003, PIN 1234)", flush=True)
    try:
        hall = args.hall or (local.hall.id if local else discover_hall(url))
    except (ConnectionError, LookupError, ValueError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    roles = [("staff", args.device or "P-S01"), ("guide", "G1")] if args.demo else [
        (args.role, args.device or ("G1" if args.role == "guide" else "P-S01"))]
    apps = []
    try:
        for role, device in roles:
            app = PadApp(url, hall, device, role, window=args.window if role == "staff" else "")
            try:
                app.start(10)
            except ConnectionError as exc:
                print(f"✗ {exc}", file=sys.stderr)
                return 1
            apps.append(app)
            app.view.resize(width, height)
            if args.fullscreen:
                app.view.showFullScreen()
            else:
                app.view.show()
        return int(qapp.exec())
    finally:
        for app in apps:
            app.close()
        if local is not None:
            local.stop()
