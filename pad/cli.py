"""``hallq pad``: the window staff pad (窗口终端) or the guide console (引导台) for one device."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from hallq.qt import device_cli


def register(sub: Any) -> None:
    p = sub.add_parser("pad", help="window staff pad / guide console / back office (叫号, 办理结果, 转移, 暂停, "
                                   "引导台干预, 后台审批)")
    p.add_argument("--device", default="", help="this pad's device id in the hall file (default P-S01, or G1 "
                                                "with --role guide; a back office must name its device)")
    p.add_argument("--window", default="", help="the window this pad serves (default: the device's window "
                                                "in the hall file)")
    p.add_argument("--role", choices=("staff", "guide", "backoffice"), default="staff",
                   help="staff: one window's pad (default); guide: the hall console; backoffice: one "
                        "department's desk (后台审批: its [[devices]] role = \"backoffice\" with a department)")
    device_cli.add_broker_options(p)
    device_cli.add_window_options(p, "1280x800", "tablets; the default size is a 10-inch tablet's")
    device_cli.add_lang_option(p)
    device_cli.add_demo_option(p, "a window pad and a guide console")
    p.set_defaults(func=cmd_pad)


def cmd_pad(args: argparse.Namespace, start_demo_hall: Callable[[], Any] | None = None) -> int:
    """Run the pad; ``--demo`` runs a window pad and a guide console against the hall
    ``start_demo_hall()`` starts (see :func:`hallq.qt.device_cli.demo_hall`)."""
    from hallq.client import discover_hall

    if args.role == "backoffice" and not args.device and not args.demo:
        print("✗ 后台审批终端需要 --device（大厅配置中 role = \"backoffice\" 的设备编号）", file=sys.stderr)
        return 2
    qapp = device_cli.start_qt(args)
    if qapp is None:
        return 2
    width, height = device_cli.parse_size(args.size, "1280x800")
    from pad.app import PadApp

    local = None
    url = args.mqtt
    if args.demo:
        local = device_cli.demo_hall("pad", start_demo_hall)
        if local is None:
            return 2
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
