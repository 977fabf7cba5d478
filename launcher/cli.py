"""``hallq``: one command for every part of the hall (hub, devices, tools).

Subcommands import what they need lazily, so ``hallq config check`` works without Qt and
a kiosk does not load the hub's SQLite code.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hallq import clock as hallclock

DEFAULT_LISTEN = "127.0.0.1:1883"


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
    where.add_argument("--mqtt", help="use an external broker instead, e.g. mqtt://hub:secret@127.0.0.1:1883")
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
                              ("simulate", 8, "a whole simulated hall day")):
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
    from printers.cli import register as register_printers

    register_printers(sub)
    _compose_slip(sub.choices["slip"])
    register_reports(sub)
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


# ---------------------------------------------------------------- config


def _load(path: str | None) -> Any:
    from hub.config import ConfigError, load_hall
    from launcher.samples import sample_hall_path

    try:
        return load_hall(path or sample_hall_path())
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(1) from None


def cmd_config_check(args: argparse.Namespace) -> int:
    from hub.config import ConfigError, load_hall

    try:
        hall = load_hall(args.path)
    except ConfigError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    situations = sum(len(m.situations) for m in hall.matters.values())
    print(f"✓ {args.path}: {hall.name} ({hall.id}) — {len(hall.zones)} zones, {len(hall.queues)} queues, "
          f"{len(hall.windows)} windows, {len(hall.matters)} matters, {situations} situations, "
          f"{len(hall.devices)} devices, {len(hall.staff)} staff; version {hall.version}")
    return 0


def cmd_hash_pin(args: argparse.Namespace) -> int:
    import getpass

    from hub.config import hash_pin

    pin = args.pin or getpass.getpass("PIN: ")
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        print("PIN 应为 4-12 位数字 (a PIN is 4-12 digits)", file=sys.stderr)
        return 1
    print(hash_pin(pin))
    return 0


def always_open(hall: Any) -> Any:
    policy = dataclasses.replace(hall.policy, opening_hours=((dt.time(0, 0), dt.time(23, 59, 59)),), expire_at=())
    return dataclasses.replace(hall, policy=policy)


# ---------------------------------------------------------------- hub


def _split(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise SystemExit(f"--listen must be HOST:PORT, got {listen!r}")
    return host, int(port)


def start_hall(hall: Any, db: str, listen: str | None, mqtt: str | None, key_file: str | None = None,
               broker_auth: str | None = None) -> Any:
    """Broker (unless external) + hub; returns (hub, broker or None, url)."""
    from hub.bridge import Hub
    from hub.broker import BrokerError, EmbeddedBroker, free_port

    broker = None
    if mqtt:
        url = mqtt
    else:
        host, port = _split(listen or DEFAULT_LISTEN)
        files: dict[str, str] = {}
        hub_login = ""
        if broker_auth:
            from hub.security.acl import HUB_USER
            from hub.security.passwords import read_secrets

            auth = Path(broker_auth)
            try:
                hub_login = f"{HUB_USER}:{read_secrets(auth / 'passwords.txt')[HUB_USER]}@"
            except (OSError, KeyError):
                raise SystemExit(f"✗ {auth}: no passwords.txt with a hub line (run hallq mosquitto-config)") from None
            files = {"password_file": str(auth / "password_file"), "acl_file": str(auth / "acl_file")}
        broker = EmbeddedBroker(host, port or free_port(host), **files)
        try:
            broker.start()
        except BrokerError as exc:
            raise SystemExit(f"✗ {exc}\n  (is another broker on that port? use --listen HOST:PORT or --mqtt URL)"
                             ) from None
        url = broker.url.replace("mqtt://", f"mqtt://{hub_login}", 1)
    try:
        hub = Hub(hall, db, url, key_path=key_file).start()
    except ConnectionError as exc:
        if broker:
            broker.stop()
        raise SystemExit(f"✗ {exc}") from None
    return hub, broker, url


def _wait_for_signal(duration: float = 0) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait(duration or None)


def cmd_hub(args: argparse.Namespace) -> int:
    hall = _load(args.config)
    if args.always_open:
        hall = always_open(hall)
    if args.broker_auth and args.mqtt:
        raise SystemExit("✗ --broker-auth is for the embedded broker; an external broker has its own files")
    hub, broker, url = start_hall(hall, args.db, args.listen, args.mqtt, args.key_file, args.broker_auth)
    shown = broker.url if broker else _hide_password(url)
    print(f"hallq hub: {hall.name} ({hall.id}) on {shown}, db {args.db}; Ctrl-C to stop", flush=True)
    skipped = hub.store.quarantined()
    if skipped:
        print(f"⚠ {len(skipped)} 条记录无法读回，已跳过并记入 quarantine 表 ({len(skipped)} row(s) skipped at start, "
              f"see the quarantine table and docs/deploy.md): "
              + ", ".join(f"{q['what']} {q['key']} (event {q['seq']})" for q in skipped[:5]), flush=True)
    try:
        _wait_for_signal()
    finally:
        hub.stop()
        if broker:
            broker.stop()
    return 0


# ---------------------------------------------------------------- demo


# What the demo opens where there is a screen: a real process per device, as in a hall, at the device's
# real size (width, height), scaled down as a whole (QT_SCALE_FACTOR) where the desktop is smaller.
DEMO_WINDOWS = (
    ("K1", ["kiosk", "--device", "K1", "--printer-override", "dummy", "--size", "1080x1920"], (1080, 1920)),
    ("P-S01", ["pad", "--device", "P-S01", "--size", "1280x800"], (1280, 800)),
    ("G1", ["pad", "--device", "G1", "--role", "guide", "--size", "1280x800"], (1280, 800)),
    ("D-HALL", ["display", "--device", "D-HALL", "--kind", "hall", "--windowed"], (1920, 1080)),
    ("D-S01", ["display", "--device", "D-S01", "--kind", "window", "--windowed"], (1280, 800)),
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


def cmd_demo(args: argparse.Namespace) -> int:
    import subprocess
    import tempfile

    from hallq.qt.app import QUIET_RULES
    from launcher.demo import Simulation

    if not args.verbose:  # quiet by default, here (LED bars load Qt multimedia) and in every device app
        os.environ.setdefault("QT_LOGGING_RULES", QUIET_RULES)
    hall = always_open(_load(args.config))
    db = args.db or str(Path(tempfile.mkdtemp(prefix="hallq-demo-")) / "hall.db")
    has_screen = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform == "win32"
    windows = has_screen and not args.headless
    hub, broker, url = start_hall(hall, db, args.listen, None)
    print(f"hallq demo: {hall.name} — broker {url}, db {db}", flush=True)
    if not has_screen and not args.headless:
        print("no screen found (DISPLAY unset): running headless — hub, broker and simulated devices.", flush=True)
    print(f"try, in another terminal:  ./hallq.sh state --mqtt {url}", flush=True)
    apps: list[subprocess.Popen[bytes]] = []
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
        print("windows: kiosk K1, window pad P-S01 (log in: 1001 / PIN 1234), guide console G1, hall screen, "
              "window screen with the evaluator; the other devices are simulated.", flush=True)
    sim = Simulation(hall, url, pace=args.pace, out=sys.stdout, skip=skip,
                     keep_staff=DEMO_STAFF if windows else frozenset())
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
        sim.stop()
        print(sim.summary(), flush=True)
        hub.stop()
        if broker:
            broker.stop()
    return 0


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


def cmd_appointments_import(args: argparse.Namespace) -> int:
    from hub.appointments import AppointmentFileError, parse_appointments
    from hub.bridge import load_key
    from hub.store import Store

    hall = _load(args.config)
    try:
        text = Path(args.csv).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"✗ {args.csv}: cannot read as UTF-8 text: {exc}", file=sys.stderr)
        return 1
    key = load_key(args.key_file or Path(args.db).with_suffix(".key"))
    try:
        rows = parse_appointments(text, hall, key, source=args.csv)
    except AppointmentFileError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    store = Store(args.db)
    try:
        count = store.add_appointments(rows)
    finally:
        store.close()
    print(f"✓ imported {count} appointment(s) into {args.db}")
    return 0


def _hide_password(url: str) -> str:
    from urllib.parse import urlparse

    u = urlparse(url)
    return url.replace(f":{u.password}@", ":***@", 1) if u.password else url


def _setup_logging(args: argparse.Namespace) -> None:
    from hallq import logs

    level = logging.DEBUG if getattr(args, "verbose", False) else logging.INFO
    if getattr(args, "log_file", None) or getattr(args, "log_json", False):
        logs.setup(level=level, log_file=args.log_file, json_lines=True if args.log_json else None,
                   max_bytes=args.log_max_bytes, backups=args.log_backups)
    else:
        logs.basic(level)


# ---------------------------------------------------------------- security


def cmd_mosquitto_config(args: argparse.Namespace) -> int:
    from hub.security.mosquitto import TlsListener, chown_for_mosquitto, generate

    hall = _load(args.config)
    tls = None
    if args.tls_port:
        if not (args.cafile and args.certfile and args.keyfile):
            print("✗ --tls-port needs --cafile, --certfile and --keyfile", file=sys.stderr)
            return 2
        tls = TlsListener(args.tls_port, str(Path(args.cafile).resolve()), str(Path(args.certfile).resolve()),
                          str(Path(args.keyfile).resolve()), args.tls_bind)
    elif args.no_plain:
        print("✗ --no-plain needs a TLS listener (--tls-port …)", file=sys.stderr)
        return 2
    try:
        gen = generate(hall, args.out, listen=args.listen, tls=tls, rotate=args.rotate,
                       plain_listener=not args.no_plain)
    except ValueError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    owned = chown_for_mosquitto(gen)
    print(f"✓ {gen.directory}: mosquitto.conf, password_file, acl_file for {len(gen.users)} users "
          f"(hub, monitor, {len(gen.users) - 2} devices)")
    print(f"  plain passwords for the devices: {gen.secrets} (mode 0600; hand each device only its line)")
    if not owned:
        print(f"  then, as root: chown mosquitto: {gen.password_file} {gen.acl_file} {gen.conf}")
    print(f"  run: mosquitto -c {gen.conf}   (see docs/deploy.md)")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from hub.security.purge import purge

    hall = _load(args.config) if args.config else None
    days = args.older_than_days
    if days is None:
        days = hall.policy.retention_days if hall else 90
    try:
        today = dt.date.fromisoformat(args.today) if args.today else hallclock.today(hall.timezone if hall else None)
    except ValueError:
        print(f"✗ --today {args.today!r}: expected a date such as 2026-11-23", file=sys.stderr)
        return 2
    if not Path(args.db).exists():
        print(f"✗ {args.db}: no such database", file=sys.stderr)
        return 1
    try:
        result = purge(args.db, days, today=today, vacuum=args.vacuum)
    except ValueError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    logging.getLogger("hallq.purge").info("purged before %s", result.cutoff, extra=dataclasses.asdict(result))
    print(f"✓ personal fields blanked for days before {result.cutoff}: {result.tickets} tickets, "
          f"{result.appointments} appointments, {result.events} events; {result.requests} stored replies deleted")
    return 0


# ---------------------------------------------------------------- state


def cmd_state(args: argparse.Namespace) -> int:
    from hallq import protocol as p
    from hallq.client import HallClient, discover_hall

    try:
        hall_id = args.hall or discover_hall(args.mqtt)
        client = HallClient(args.mqtt, hall_id, f"state-{os.getpid()}", "admin",
                            subscriptions=(f"{p.ROOT}/{hall_id}/#",))
        client.start()
    except (ConnectionError, LookupError, ValueError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    t = client.topics
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and (t.catalog not in client.state or t.queues not in client.state):
        time.sleep(0.05)
    time.sleep(0.2)
    client.stop()
    if t.catalog not in client.state:
        print(f"✗ no hub state for hall {hall_id} on {args.mqtt}", file=sys.stderr)
        return 1
    state = client.state
    windows = [v for k, v in sorted(state.items()) if k.startswith(t.base + "/state/window/") and v]
    presence = {k.rsplit("/", 1)[-1]: v for k, v in state.items() if k.startswith(t.base + "/presence/") and v}
    if args.json:
        print(json.dumps({"queues": state.get(t.queues), "windows": windows, "presence": presence},
                         ensure_ascii=False, indent=2))
        return 0
    print(render_state(state[t.catalog], state.get(t.queues) or {}, windows, presence))
    return 0


_WSTATE = {"open": "开放", "paused": "暂停", "closed": "关闭"}


def render_state(catalog: dict[str, Any], queues: dict[str, Any], windows: list[dict[str, Any]],
                 presence: dict[str, Any]) -> str:
    lines = [f"{catalog['hall']['name']}  {queues.get('day', '')}  (seq {queues.get('seq', 0)})", "",
             "队列 queue         等候 waiting  已取 issued  下一个 next"]
    for q in queues.get("queues", []):
        nxt = " ".join(q["next"][:3])
        lines.append(f"  {q['id']:<2} {_pad(q['name'], 14)} {q['waiting']:>5}  {q['issued']:>8}   {nxt}")
    lines += ["", "窗口 window               状态 state  工作人员 staff  当前 current"]
    for w in windows:
        cur = w["current"]["number"] if w.get("current") else "-"
        staff = w["staff"]["name"] if w.get("staff") else "-"
        reason = f"({w['reason']})" if w.get("reason") else ""
        lines.append(f"  {w['id']:<4} {_pad(w['name'], 18)} {_WSTATE.get(w['state'], w['state'])}{reason:<6} "
                     f"{_pad(staff, 10)} {cur}")
    online = sorted(d for d, v in presence.items() if v.get("online"))
    lines += ["", f"在线设备 online: {', '.join(online) or '-'}"]
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """Pad to a display width where CJK characters take two columns."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
