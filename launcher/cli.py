"""``hallq``: one command for every part of the hall (hub, devices, tools).

This module builds the parser, lets each device package add its own subcommand, hands the devices
what only the roof may start (a hall in-process for ``--demo``), and renders screenshot scenes.
The hall IT's commands are in :mod:`launcher.hub_commands`, ``hallq demo`` in :mod:`launcher.demo`.
Subcommands import what they need lazily, so ``hallq config check`` works without Qt and
a kiosk does not load the hub's SQLite code.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from launcher.demo import cmd_demo
from launcher.hub_commands import (
    DEFAULT_LISTEN,
    cmd_appointments_import,
    cmd_config_check,
    cmd_hash_pin,
    cmd_hub,
    cmd_mosquitto_config,
    cmd_purge,
    cmd_state,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args)
    if getattr(args, "verbose", False):
        os.environ["HALLQ_VERBOSE"] = "1"  # device apps started from here (demo) keep Qt's own messages too
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hallq",
                                     description="政务服务大厅排队叫号系统 hallq (hall queueing over MQTT)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--log-file", help="write logs to this file, rotated (JSON lines; no personal data)")
    parser.add_argument("--log-json", action="store_true", help="JSON lines on stderr too (one object a line)")
    parser.add_argument("--log-max-bytes", type=int, default=10 * 1024 * 1024, help="rotate the log file at this size")
    parser.add_argument("--log-backups", type=int, default=10, help="rotated log files to keep")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    hub = sub.add_parser("hub", help="run the hall hub (with the embedded broker unless --mqtt is given)")
    _hall_args(hub)
    hub.add_argument("--db", required=True, help="SQLite file of the hall's days (created if missing)")
    hub.add_argument("--key-file", help="secret for hashing ID numbers (default: beside the db, .key)")
    where = hub.add_mutually_exclusive_group()
    where.add_argument("--listen", default=None, help=f"embedded broker address (default {DEFAULT_LISTEN})")
    where.add_argument("--mqtt", default=os.environ.get("HALLQ_MQTT") or None,
                       help="use an external broker instead, e.g. mqtt://hub:secret@127.0.0.1:1883 (default: the "
                            "environment's HALLQ_MQTT, so that a password is not on the command line for `ps` to show)")
    hub.add_argument("--always-open", action="store_true",
                     help="ignore opening hours and expiry times (demos, tests, 24h halls)")
    hub.add_argument("--broker-auth", metavar="DIR",
                     help="embedded broker: enforce the logins and ACL `hallq mosquitto-config` wrote into DIR")
    hub.set_defaults(func=cmd_hub)

    demo = sub.add_parser("demo", help="the whole hall on this machine: broker, hub, sample hall, simulated devices")
    _hall_args(demo, required=False)
    demo.add_argument("--db", help="SQLite file (default: a temporary one)")
    demo.add_argument("--listen", default="127.0.0.1:0", help="embedded broker address (port 0: any free port)")
    demo.add_argument("--headless", action="store_true", help="no windows even if a screen is available")
    demo.add_argument("--web", default="127.0.0.1:0", metavar="HOST:PORT",
                      help="where the citizen's phone page listens (port 0: any free port; \"off\": no page)")
    demo.add_argument("--notify", choices=("on", "off"), default="on",
                      help="run the notifier (hallq notify) against a stand-in SMS gateway that prints each message")
    demo.add_argument("--duration", type=float, default=0, help="stop after this many seconds (0: until Ctrl-C)")
    demo.add_argument("--pace", type=float, default=1.0, help="seconds between simulated actions (default 1)")
    demo.add_argument("--lang", choices=("zh_CN", "en"), help="language of the device windows")
    demo.set_defaults(func=cmd_demo)

    config = sub.add_parser("config", help="check the hall file, hash staff PINs")
    csub = config.add_subparsers(metavar="ACTION")
    check = csub.add_parser("check", help="validate a hall file; every error with its key path and line")
    check.add_argument("path", help="hall file (TOML)")
    check.set_defaults(func=cmd_config_check)
    pin = csub.add_parser("hash-pin", help="print the pin_hash of a staff PIN for the hall file")
    pin.add_argument("pin", nargs="?", help="the PIN (asked for if omitted)")
    pin.set_defaults(func=cmd_hash_pin)

    appts = sub.add_parser("appointments", help="import booked appointments (预约) for check-in at kiosks")
    asub = appts.add_subparsers(metavar="ACTION")
    imp = asub.add_parser("import", help="import a CSV (code,date,start,end,matter,situation,name,id_number,phone)")
    imp.add_argument("csv", help="CSV file, UTF-8")
    _hall_args(imp)
    imp.add_argument("--db", required=True, help="the hub's SQLite file (safe while the hub runs)")
    imp.add_argument("--key-file", help="the hub's ID hashing key (default: beside the db, .key)")
    imp.set_defaults(func=cmd_appointments_import)

    mq = sub.add_parser("mosquitto-config", help="Mosquitto config, password file and ACL file from the hall file")
    _hall_args(mq)
    mq.add_argument("--out", required=True, help="directory to write into (outside the repository)")
    mq.add_argument("--listen", default="127.0.0.1:1883", help="plain listener HOST:PORT (default %(default)s)")
    mq.add_argument("--no-plain", action="store_true", help="TLS listener only")
    mq.add_argument("--tls-port", type=int,
                    help="add a TLS listener on this port (needs --cafile, --certfile, --keyfile)")
    mq.add_argument("--tls-bind", default="0.0.0.0", help="address of the TLS listener (default %(default)s)")
    mq.add_argument("--cafile", help="the hall CA certificate (PEM)")
    mq.add_argument("--certfile", help="the broker's certificate (PEM), signed by the hall CA")
    mq.add_argument("--keyfile", help="the broker's private key (PEM)")
    mq.add_argument("--rotate", action="store_true", help="new passwords for every user (default: keep existing ones)")
    mq.set_defaults(func=cmd_mosquitto_config)

    purge = sub.add_parser("purge", help="blank personal fields of days older than the retention (keeps statistics)")
    purge.add_argument("--db", required=True, help="the hub's SQLite file (safe while the hub runs)")
    _hall_args(purge, required=False)
    purge.add_argument("--older-than-days", type=int,
                       help="retention in days (default: [policy] retention_days of --config, else 90)")
    purge.add_argument("--today", metavar="YYYY-MM-DD",
                       help="count the retention back from this day (default: today in the hall's time zone)")
    purge.add_argument("--vacuum", action="store_true", help="also VACUUM the file afterwards")
    purge.set_defaults(func=cmd_purge)

    state = sub.add_parser("state", help="print the live hall from the hub's retained state")
    _mqtt_args(state)
    state.add_argument("--json", action="store_true", help="machine-readable output")
    state.set_defaults(func=cmd_state)

    for name, issue, text in (("kiosk", 5, "touchscreen ticket kiosk"), ("pad", 6, "window staff pad / guide console"),
                              ("display", 7, "hall screen, window screen, LED bar"),
                              ("simulate", 8, "a whole simulated hall day"),
                              ("notify", 17, "text messages to citizens who asked for them")):
        if not _register_app(name, sub):
            p = sub.add_parser(name, help=f"{text} (not built yet: issue {issue})")
            _mqtt_args(p)
            p.add_argument("rest", nargs=argparse.REMAINDER)
            p.set_defaults(func=_not_yet(name, issue))

    shot = sub.add_parser("screenshot", help="render a device screen to PNG (offscreen), e.g. kiosk-start")
    shot.add_argument("scene", nargs="?", help="scene name; omit to list them")
    shot.add_argument("--out", help="PNG file to write")
    shot.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN")
    shot.add_argument("--config", help="hall file (TOML) to render instead of the sample hall")
    shot.add_argument("--texts", action="store_true", help="also print the texts on the grabbed screen, one a line")
    shot.set_defaults(func=cmd_screenshot)

    from hub.reports.cli import register as register_reports
    from launcher.backup_commands import register as register_backup
    from printers.cli import register as register_printers

    register_printers(sub)
    from launcher.install import register as register_install

    register_install(sub)
    from launcher.doctor import register as register_doctor

    register_doctor(sub)
    from launcher.web_command import register as register_web

    register_web(sub)
    _compose_slip(sub.choices["slip"])
    register_reports(sub)
    register_backup(sub)
    from launcher.standby_commands import register as register_standby

    register_standby(sub)
    from launcher.witness_commands import register as register_witness

    register_witness(sub)
    return parser


APPS = ("kiosk", "pad", "display", "simulate")


def _register_app(name: str, sub: Any) -> bool:
    """Device apps add their own subcommand through ``<package>.cli.register(sub)``."""
    import importlib

    package = "launcher.simulate" if name == "simulate" else name
    try:
        module = importlib.import_module(f"{package}.cli")
    except ModuleNotFoundError as exc:
        if exc.name not in (f"{package}.cli", package):
            raise
        return False
    module.register(sub)
    if name in ("kiosk", "pad", "display"):
        _compose_demo(name, sub.choices[name])
    return True


def _compose_demo(name: str, parser: argparse.ArgumentParser) -> None:
    """``hallq kiosk|pad|display --demo``: the device runs against a whole hall this process starts.

    Starting a hub in-process is the roof's business, so the device's command is handed the means
    (``start_demo_hall`` or, for the display, ``run_demo``) instead of importing it.
    """
    import functools

    run = parser.get_default("func")
    if name == "display":
        parser.set_defaults(func=functools.partial(run, run_demo=_display_demo))
    else:
        parser.set_defaults(func=functools.partial(run, start_demo_hall=_start_local_hall))


def _compose_slip(parser: argparse.ArgumentParser) -> None:
    """``hallq slip --config HALL.toml``: the printers' slip command is handed the hall-file half."""
    import functools

    from launcher.slip import hall_slip

    parser.set_defaults(func=functools.partial(parser.get_default("func"), hall_slip=hall_slip))


def _start_local_hall() -> Any:
    from launcher.local_hall import LocalHall

    return LocalHall().start()


def _display_demo(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    from launcher.display_demo import run_demo

    return run_demo(args, settings)


def cmd_screenshot(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from hallq import i18n

    i18n.set_language(args.lang)
    from launcher.scenes import scenes

    available = scenes()
    if not args.scene:
        print("\n".join(sorted(available)) or "no scenes yet (device apps not built)")
        return 0
    if args.scene not in available:
        print(f"✗ unknown scene {args.scene!r}; available: {', '.join(sorted(available)) or 'none'}", file=sys.stderr)
        return 1
    from hub.config import ConfigError
    from launcher import local_hall

    try:
        local_hall.use_hall_file(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    out = Path(args.out or f"{args.scene}.png")
    try:
        available[args.scene](out)
    except LookupError as exc:  # the hall has no device or matter this scene needs
        print(f"✗ {args.scene}: {exc}", file=sys.stderr)
        return 1
    finally:
        local_hall.use_hall_file(None)
    if args.texts:
        from hallq.qt.app import GRABBED

        print("\n".join(GRABBED[-1] if GRABBED else []))
    print(f"✓ {out}")
    return 0


def _hall_args(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--config", required=required, help="hall file (TOML); see docs/config.md")


def _mqtt_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mqtt", default=f"mqtt://{DEFAULT_LISTEN}", help="broker URL (default %(default)s)")
    p.add_argument("--hall", help="hall id (default: discovered from the hub's catalog)")


def _not_yet(name: str, issue: int) -> Any:
    def run(args: argparse.Namespace) -> int:
        print(f"hallq {name}: 尚未实现 — NOT BUILT YET (tracked in issue {issue}).", file=sys.stderr)
        return 3

    return run


def _setup_logging(args: argparse.Namespace) -> None:
    from hallq import logs

    level = logging.DEBUG if getattr(args, "verbose", False) else logging.INFO
    if getattr(args, "log_file", None) or getattr(args, "log_json", False):
        logs.setup(level=level, log_file=args.log_file, json_lines=True if args.log_json else None,
                   max_bytes=args.log_max_bytes, backups=args.log_backups)
    else:
        logs.basic(level)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
