"""``hallq standby``: the standby hub on the second PC, and ``promote`` / ``status`` for the hall IT.

``hallq standby --primary URL --config hall.toml --db …`` starts this PC's broker (the devices' second
address, ``mqtt://…@hub-a:1883,hub-b:1883``) and follows the primary (hub/ha/standby.py); nothing
answers devices here until ``hallq standby promote --db …`` (refused while the primary still answers;
``--force`` for a primary known dead). docs/operations.md, 主备切换.

``hallq standby forget NAME --db …`` on the primary's PC, with its hub stopped: a decommissioned standby
stops raising 备用中心未同步 (the hub remembers the last standby that was in sync, ``meta.repl_standby``,
and raises the alarm until it is back). It works on the stopped hub's database under the database's lock
(refused while a hub runs on it: a running hub keeps the name in memory and would write it back), so it
cannot forget a standby that is connected and in sync at that moment: with the hub stopped none is. A
standby that connects again later and catches up is remembered again, as a new one would be.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from launcher.hub_commands import DEFAULT_LISTEN, _load, _split


def register(sub: Any) -> None:
    sb = sub.add_parser("standby", help="run the standby hub on the second PC (follows the primary; promote to take "
                                        "over)")
    sb.add_argument("--config", help="hall file (TOML): the same as the primary's")
    sb.add_argument("--db", help="this PC's SQLite file (created if missing; filled from the primary)")
    sb.add_argument("--primary", default=os.environ.get("HALLQ_PRIMARY") or None,
                    help="the primary's broker, logged in as the standby user, e.g. mqtt://standby:pw@hub-a:1883 "
                         "(default: the environment's HALLQ_PRIMARY, to keep the password off the command line)")
    sb.add_argument("--key-file", help="the primary's ID hashing key, copied here (default: beside the db, .key)")
    where = sb.add_mutually_exclusive_group()
    where.add_argument("--listen", default=None, help=f"this PC's embedded broker (default {DEFAULT_LISTEN})")
    where.add_argument("--mqtt", default=os.environ.get("HALLQ_MQTT") or None,
                       help="this PC's own external broker instead (the hub's login), e.g. mqtt://hub:pw@127.0.0.1:1883")
    sb.add_argument("--broker-auth", metavar="DIR",
                    help="embedded broker: the logins and ACL of hallq mosquitto-config")
    sb.add_argument("--always-open", action="store_true", help="ignore opening hours once promoted (tests, 24h halls)")
    sb.set_defaults(func=cmd_standby)
    ssub = sb.add_subparsers(metavar="ACTION")
    promote = ssub.add_parser("promote", help="make the running standby the hall's hub (on this PC)")
    promote.add_argument("--db", required=True, help="the standby's SQLite file")
    promote.add_argument("--force", action="store_true",
                         help="even if the primary seems to answer or the standby is not in sync: ONLY for a primary "
                              "known dead (two hubs answering at once split the hall)")
    promote.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the standby's answer")
    promote.set_defaults(func=cmd_promote)
    status = ssub.add_parser("status", help="is the standby following, in sync, the primary answering?")
    status.add_argument("--db", required=True, help="the standby's SQLite file")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=cmd_status)
    forget = ssub.add_parser("forget", help="on the primary (hub stopped): stop the 备用中心未同步 alarm for a "
                                            "standby taken out of service")
    forget.add_argument("name", help="the standby's name (its login on the primary's broker; as hallq standby "
                                     "status and the alarm show it, usually 'standby')")
    forget.add_argument("--db", required=True, help="the primary hub's SQLite file (the hub stopped)")
    forget.set_defaults(func=cmd_forget)


def cmd_standby(args: argparse.Namespace) -> int:
    from hub.broker import BrokerError, EmbeddedBroker, free_port
    from hub.ha.standby import Standby
    from hub.store import StoreError
    from launcher.hub_commands import always_open

    missing = [name for name in ("config", "db", "primary") if not getattr(args, name)]
    if missing:
        raise SystemExit("✗ hallq standby 需要 " + "、".join(f"--{m}" for m in missing) + " (missing options)")
    hall = _load(args.config)
    if args.always_open:
        hall = always_open(hall)
    broker = None
    if args.mqtt:
        own = args.mqtt
    else:
        host, port = _split(args.listen or DEFAULT_LISTEN)
        files: dict[str, str] = {}
        login = ""
        if args.broker_auth:
            from hub.security.acl import HUB_USER
            from hub.security.passwords import read_secrets

            auth = Path(args.broker_auth)
            try:
                login = f"{HUB_USER}:{read_secrets(auth / 'passwords.txt')[HUB_USER]}@"
            except (OSError, KeyError):
                raise SystemExit(f"✗ {auth}: no passwords.txt with a hub line (run hallq mosquitto-config)") from None
            files = {"password_file": str(auth / "password_file"), "acl_file": str(auth / "acl_file")}
        broker = EmbeddedBroker(host, port or free_port(host), **files)
        try:
            broker.start()
        except BrokerError as exc:
            raise SystemExit(f"✗ {exc}") from None
        own = broker.url.replace("mqtt://", f"mqtt://{login}", 1)
    try:
        standby = Standby(hall, args.db, args.primary, own, key_path=args.key_file).start()
    except (FileNotFoundError, StoreError) as exc:
        if broker:
            broker.stop()
        raise SystemExit(f"✗ {exc}") from None
    shown = broker.url if broker else "(external broker)"
    print(f"hallq standby: {hall.name} ({hall.id}) follows the primary; this PC's broker {shown}; db {args.db}; "
          f"promote with: hallq standby promote --db {args.db}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    worker = threading.Thread(target=standby.serve_requests, args=(stop,), daemon=True)
    worker.start()
    if hall.ha.witness:  # the standby takes the hall by taking the witness's lease (hub/ha/takeover.py)
        from hub.ha.auth import KeyFileError
        from hub.ha.takeover import LeaseTakeover

        try:
            takeover = LeaseTakeover(standby, hall)
        except KeyFileError as exc:
            stop.set()
            standby.stop()
            if broker:
                broker.stop()
            raise SystemExit(f"✗ {exc}") from None
        threading.Thread(target=takeover.run, args=(stop,), daemon=True).start()
    from hub.ha.standby import STATUS, side_file
    from hub.systemd_notify import SystemdNotifier

    # hallq-standby.service (Type=notify, WatchdogSec): ready once following; a watchdog ping only while the
    # standby's own loop (serve_requests) writes its status every second. Once promoted, the hub inside this
    # process pings from its worker (hub/systemd_notify.py), and this loop stops pinging.
    notifier = SystemdNotifier()
    notifier.ready(f"standby of {hall.id}")
    status_file = side_file(args.db, STATUS)
    try:
        while not stop.wait(min(0.5, notifier.due_in())):
            if standby.hub is None and _age(status_file) < 5:
                notifier.alive()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        worker.join(5)
        standby.stop()
        if broker:
            broker.stop()
    return 0


def cmd_promote(args: argparse.Namespace) -> int:
    from hub.ha.standby import REQUEST, RESULT, STATUS, side_file, write_atomically

    db = Path(args.db)
    status = side_file(db, STATUS)
    if _age(status) > 10:
        print(f"✗ 没有运行中的备用中心使用 {db}（先启动 hallq standby）(no standby runs on this database)",
              file=sys.stderr)
        return 2
    result = side_file(db, RESULT)
    result.unlink(missing_ok=True)
    nonce = secrets.token_hex(8)
    t0 = time.monotonic()
    write_atomically(side_file(db, REQUEST), {"force": args.force, "id": nonce})
    deadline = t0 + args.timeout
    while time.monotonic() < deadline:
        if result.exists():
            answer = json.loads(result.read_text(encoding="utf-8"))
            if answer.get("id") == nonce:
                ok = bool(answer["ok"])
                print(("✓ " if ok else "✗ ") + str(answer["message"]), file=sys.stdout if ok else sys.stderr)
                return 0 if ok else 1
        time.sleep(0.05)
    print(f"✗ 备用中心 {args.timeout:.0f} 秒内未答复 (the standby did not answer)", file=sys.stderr)
    return 1


def _age(status: Path) -> float:
    """Seconds since the standby last wrote its status (the machine's monotonic clock, which every process
    on it shares); infinite without one."""
    try:
        return time.monotonic() - float(json.loads(status.read_text(encoding="utf-8"))["mono"])
    except (OSError, ValueError, KeyError, TypeError):
        return float("inf")


def cmd_status(args: argparse.Namespace) -> int:
    from hub.ha.standby import STATUS, side_file

    path = side_file(Path(args.db), STATUS)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(f"✗ 没有备用中心的状态文件 {path}（hallq standby 未运行？）(no standby status)", file=sys.stderr)
        return 2
    age = _age(path)
    if args.json:
        print(json.dumps({**state, "age_s": round(age, 1)}, ensure_ascii=False))
        return 0
    if state["role"] == "primary":
        print(f"本机已接管为主中心：任期 {state['epoch']}，数据到第 {state['seq']} 条")
        return 0
    if state.get("refused"):
        print(f"✗ 主中心拒绝向本机同步：{state['refused']}", file=sys.stderr)
        return 1
    print(f"备用中心：数据到第 {state['seq']} 条，任期 {state['epoch']}；"
          f"{'已同步（主中心等待本机确认）' if state['in_sync'] else '未同步'}；"
          f"主中心{'在应答' if state['primary_answering'] else '未应答'}"
          f"{'' if state['primary_connected'] else '（连不上主中心的消息服务器）'}"
          f"{'；已停止确认，正在向见证申请租约' if state.get('acks_held') else ''}"
          + ("" if age < 5 else f"；⚠ 状态 {age:.0f} 秒未更新，备用中心可能已停止"))
    return 0 if state["in_sync"] else 1


def cmd_forget(args: argparse.Namespace) -> int:
    from hub.backup import BackupError, exclusive
    from hub.store import StoreError, remembered_standby

    db = Path(args.db)
    if not db.is_file():
        print(f"✗ 数据库 {db} 不存在 (no such database)", file=sys.stderr)
        return 2
    try:
        with exclusive(db):
            known = remembered_standby(db, forget=args.name)
    except BackupError:
        print(f"✗ hallq hub 正在使用数据库 {db}：先停止主中心（sudo systemctl stop hallq-hub），执行 forget 后再启动；"
              "运行中的主中心会把备用中心的名字写回 (a hub runs on this database: stop it first)", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    if not known:
        print(f"✓ 数据库 {db} 没有记住任何备用中心，无需处理 (no standby remembered)")
        return 0
    if known != args.name:
        print(f"✗ 数据库记住的备用中心是 {known}，不是 {args.name}；未做更改 (the remembered standby is {known})",
              file=sys.stderr)
        return 1
    print(f"✓ 已忘记备用中心 {known}：主中心启动后不再提示「备用中心未同步」；若该备用中心以后再连上并同步，"
          f"会重新记住 (forgotten)")
    return 0
