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
from hallq.qt import device_cli

log = logging.getLogger("hallq.kiosk")


def register(sub: Any) -> None:
    p = sub.add_parser("kiosk", help="touchscreen ticket kiosk (情形引导, 取号, 过号取号, 预约签到)")
    p.add_argument("--device", default="K1", help="this kiosk's device id in the hall file (default K1)")
    device_cli.add_broker_options(p)
    device_cli.add_window_options(p, "1080x1920", "kiosk mode")
    p.add_argument("--printer-override", default="",
                   help="ignore the hall file's printer: dummy[:ok|near_end|out|offline|cover_open] or file:PATH")
    p.add_argument("--id-reader", default="wedge",
                   help="ID-card reader: wedge (keyboard emulation, default), serial:PORT[@BAUD], or none")
    p.add_argument("--idle", type=float, default=60.0, help="seconds without a touch before returning to start")
    p.add_argument("--outage-grace", type=float, default=30.0,
                   help="seconds a hub or broker outage may last before 暂停取号 covers the screen")
    p.add_argument("--state-dir", help="where the unprinted-ticket record is kept "
                                       "(default: ~/.local/state/hallq)")
    device_cli.add_lang_option(p)
    device_cli.add_demo_option(p, "its kiosk (broker + hub + sample hall)")
    p.set_defaults(func=cmd_kiosk)


def cmd_kiosk(args: argparse.Namespace, start_demo_hall: Callable[[], Any] | None = None) -> int:
    """Run the kiosk; ``--demo`` runs it against the hall ``start_demo_hall()`` starts (see
    :func:`hallq.qt.device_cli.demo_hall`)."""
    from hallq.client import HallClient, discover_hall
    from hallq.qt.app import window_size
    from kiosk.controller import KioskController
    from kiosk.idreader import WedgeDecoder, make_reader
    from kiosk.model import KioskModel
    from kiosk.views import KioskWindow

    app = device_cli.start_qt(args)
    if app is None:
        return 2
    try:
        reader = make_reader(args.id_reader)
    except ValueError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    local = None
    url, hall = args.mqtt, args.hall
    if args.demo:
        local = device_cli.demo_hall("kiosk", start_demo_hall)
        if local is None:
            return 2
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
    model = KioskModel(args.device, clock=hallclock.now, idle_timeout=args.idle,
                       outage_grace=args.outage_grace)
    override = args.printer_override or ("dummy" if args.demo else "")
    controller = KioskController(client, model, spool_path=state_dir / f"kiosk-{args.device}-unprinted.json",
                                 printer_override=override, reader=reader)
    window = KioskWindow(model, reader if isinstance(reader, WedgeDecoder) else None)
    window.setWindowTitle(f"自助取号机 {args.device}")
    if args.fullscreen:
        window.showFullScreen()
    else:
        size = device_cli.parse_size(args.size, "1080x1920")
        window.resize(*window_size(size))  # a 1080×1920 kiosk on a desktop: scaled to fit
        window.show()
    try:
        return int(app.exec())
    finally:
        controller.close()
        if local is not None:
            local.stop()
