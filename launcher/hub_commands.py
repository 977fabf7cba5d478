"""The hall IT's commands: ``hallq hub``, ``config``, ``appointments import``, ``mosquitto-config``,
``purge`` and ``state``; and :func:`start_hall` (broker + hub), which ``hallq demo`` uses too.

Each command imports what it needs lazily, so ``hallq config check`` loads no broker.
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
from pathlib import Path
from typing import Any

from hallq import clock as hallclock

DEFAULT_LISTEN = "127.0.0.1:1883"


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
    from launcher.notify_check import notify_issues

    notify, warnings = notify_issues(args.path)  # [notify]: read by the notifier, not the hub
    try:
        hall = load_hall(args.path)
        if notify:
            raise ConfigError(str(args.path), notify)
    except ConfigError as exc:
        issues = exc.issues + [i for i in notify if i not in exc.issues]
        print(f"✗ {ConfigError(exc.source, issues)}", file=sys.stderr)
        return 1
    situations = sum(len(m.situations) for m in hall.matters.values())
    print(f"✓ {args.path}: {hall.name} ({hall.id}) — {len(hall.zones)} zones, {len(hall.queues)} queues, "
          f"{len(hall.windows)} windows, {len(hall.matters)} matters, {situations} situations, "
          f"{len(hall.devices)} devices, {len(hall.staff)} staff; version {hall.version}")
    for warning in warnings:
        print(f"⚠ {warning}")
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
    from hub.broker import BrokerError, EmbeddedBroker, free_port
    from hub.runtime import Hub

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
    from hub.ha.auth import KeyFileError
    from hub.ha.lease_client import lease_gate
    from hub.store import StoreError

    try:  # [ha] witness: answer only while holding the witness's lease (docs/operations.md)
        gate = lease_gate(hall, db=db)
    except KeyFileError as exc:
        if broker:
            broker.stop()
        raise SystemExit(f"✗ {exc}") from None
    try:
        hub = Hub(hall, db, url, key_path=key_file, gate=gate).start()
    except (ConnectionError, StoreError) as exc:  # StoreError: a database newer than this hallq
        if broker:
            broker.stop()
        raise SystemExit(f"✗ {exc}") from None
    if gate is not None:
        from hub.store import epoch_of

        gate.saw(epoch_of(hub.store))
        gate.start()
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


def cmd_appointments_import(args: argparse.Namespace) -> int:
    from hub.appointments import AppointmentFileError, parse_appointments
    from hub.runtime import load_key
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
          f"{result.appointments} appointments, {result.events} events; {result.requests} stored replies deleted; "
          f"{result.addresses} sealed case addresses deleted; {result.phones} sealed phone numbers deleted")
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
