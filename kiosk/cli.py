"""``hallq kiosk``: run the touchscreen ticket kiosk (自助取号机) for one device of the hall file."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hallq import clock as hallclock

log = logging.getLogger("hallq.kiosk")


def register(sub: Any) -> None:
    p = sub.add_parser("kiosk", help="touchscreen ticket kiosk (情形引导, 取号, 过号取号, 预约签到)")
    p.add_argument("--device", default="K1", help="this kiosk's device id in the hall file (default K1)")
    p.add_argument("--mqtt", default="mqtt://127.0.0.1:1883", help="broker URL (default mqtt://127.0.0.1:1883)")
    p.add_argument("--hall", help="hall id (default: found from the hub's retained catalogue)")
    p.add_argument("--fullscreen", action="store_true", help="full screen, no window frame (kiosk mode)")
    p.add_argument("--size", default="1080x1920", help="window size when not full screen (default 1080x1920)")
    p.add_argument("--printer-override", default="",
                   help="ignore the hall file's printer: dummy[:ok|near_end|out|offline|cover_open] or file:PATH")
    p.add_argument("--id-reader", default="wedge",
                   help="ID-card reader: wedge (keyboard emulation, default), serial:PORT[@BAUD], or none")
    p.add_argument("--idle", type=float, default=60.0, help="seconds without a touch before returning to start")
    p.add_argument("--state-dir", help="where the unprinted-ticket record is kept "
                                       "(default: ~/.local/state/hallq)")
    p.add_argument("--lang", choices=("zh_CN", "en"), help="screen language (default: HALLQ_LANG or zh_CN)")
    p.add_argument("--demo", action="store_true",
                   help="start a whole sample hall in this process (broker + hub) and show its kiosk")
    p.set_defaults(func=cmd_kiosk)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"--size must look like 1080x1920, got {text!r}") from None
    return w, h


def cmd_kiosk(args: argparse.Namespace, start_demo_hall: Callable[[], Any] | None = None) -> int:
    """Run the kiosk; with ``--demo`` against the hall ``start_demo_hall()`` starts (the ``hallq``
    command passes it: starting a hub in-process is the composition root's business, not the kiosk's)."""
    from hallq import i18n
    from hallq.client import HallClient, discover_hall
    from hallq.qt.app import MissingFont, has_screen, make_app, window_size
    from kiosk.controller import KioskController
    from kiosk.idreader import WedgeDecoder, make_reader
    from kiosk.model import KioskModel
    from kiosk.views import KioskWindow

    if args.lang:
        i18n.set_language(args.lang)
    if not has_screen():
        print("✗ no screen: set DISPLAY (X11/Xvfb) or QT_QPA_PLATFORM=offscreen", file=sys.stderr)
        return 2
    try:
        reader = make_reader(args.id_reader)
    except ValueError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    try:
        app = make_app()
    except MissingFont as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    local = None
    url, hall = args.mqtt, args.hall
    if args.demo:
        if start_demo_hall is None:
            print("✗ --demo: start it as  hallq kiosk --demo", file=sys.stderr)
            return 2
        local = start_demo_hall()
        url, hall = local.url, local.hall.id
        print(f"hallq kiosk --demo: {local.hall.name}, broker {url}", flush=True)
    if not hall:
        try:
            hall = discover_hall(url)
        except (ConnectionError, LookupError) as exc:
            print(f"✗ {exc}; pass --hall to start anyway and wait for the hub", file=sys.stderr)
            return 2
    state_dir = Path(args.state_dir or os.path.expanduser("~/.local/state/hallq"))
    if args.demo and not args.state_dir:
        state_dir = Path(tempfile.mkdtemp(prefix="hallq-kiosk-"))
    client = HallClient(url, hall, args.device, "kiosk")
    client.start(wait=None)  # the kiosk shows its offline screen until the broker and hub answer
    model = KioskModel(args.device, clock=hallclock.now, idle_timeout=args.idle)
    override = args.printer_override or ("dummy" if args.demo else "")
    controller = KioskController(client, model, spool_path=state_dir / f"kiosk-{args.device}-unprinted.json",
                                 printer_override=override, reader=reader)
    window = KioskWindow(model, reader if isinstance(reader, WedgeDecoder) else None)
    window.setWindowTitle(f"自助取号机 {args.device}")
    if args.fullscreen:
        window.showFullScreen()
    else:
        window.resize(*window_size(_size(args.size)))  # a 1080×1920 kiosk on a desktop: scaled to fit
        window.show()
    try:
        return int(app.exec())
    finally:
        controller.close()
        if local is not None:
            local.stop()
