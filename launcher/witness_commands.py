"""``hallq witness``: the lease's witness on a third PC (docs/operations.md, 见证; hub/ha/witness.py).

``hallq witness --listen 0.0.0.0:7700 --state /var/lib/hallq/witness.json`` serves until stopped; its
key (``--key``, default ``witness.key`` beside the state file) is made at the first start, and IT
copies it to both hub PCs (docs/deploy.md: every line on the witness wire carries its MAC);
``hallq witness status --witness host:port --key FILE`` prints who holds the lease, its epoch and the
in-sync set (what IT looks at when the guide console shows a failover alarm);
``hallq witness install`` makes it a systemd service on that PC (``hallq-witness.service``,
``Restart=always``; the files and commands of :mod:`launcher.install`, ``--root``/``--dry-run`` alike).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

DEFAULT_PORT = 7700
DEFAULT_STATE = "/var/lib/hallq/witness.json"
DEFAULT_KEY = "/var/lib/hallq/witness.key"
log = logging.getLogger("hallq.witness")


def register(sub: Any) -> None:
    w = sub.add_parser("witness", help="the lease witness for a primary and a standby hub (third PC)")
    w.add_argument("--listen", default=f"0.0.0.0:{DEFAULT_PORT}", help="HOST:PORT to serve on (default %(default)s)")
    w.add_argument("--state", default=DEFAULT_STATE, help="state file: epoch and in-sync set (default %(default)s)")
    w.add_argument("--key", help="the witness key file, made at the first start (default: witness.key beside --state)")
    w.set_defaults(func=cmd_witness)
    wsub = w.add_subparsers(metavar="ACTION")
    st = wsub.add_parser("status", help="ask a running witness who holds the lease")
    st.add_argument("--witness", required=True, help="HOST:PORT of the witness")
    st.add_argument("--key", default=DEFAULT_KEY, help="the witness key file (default %(default)s; on a hub PC: "
                    "witness.key beside the hall's database)")
    st.add_argument("--json", action="store_true", help="machine-readable output")
    st.set_defaults(func=cmd_witness_status)
    ins = wsub.add_parser("install", help="run the witness as a systemd service on this PC (Debian/Ubuntu)")
    ins.add_argument("--listen", default=f"0.0.0.0:{DEFAULT_PORT}", help="HOST:PORT to serve on (default %(default)s)")
    ins.add_argument("--user", default="hallq", help="the service user (default %(default)s)")
    ins.add_argument("--root", default="/", help="write everything under this directory instead of / (no commands)")
    ins.add_argument("--dry-run", action="store_true", help="print what would be written and run; change nothing")
    ins.add_argument("--hallq", help="path of the hallq command to run (default: this installation's)")
    ins.set_defaults(func=cmd_witness_install)


def cmd_witness(args: argparse.Namespace) -> int:
    from hub.ha.lease_client import parse_address
    from hub.ha.witness import StateFileError, Witness, serve

    try:
        host, port = parse_address(args.listen, any_port=True)
    except ValueError as exc:
        print(f"✗ --listen: {exc}", file=sys.stderr)
        return 2
    from hub.ha import auth

    key_path = Path(args.key) if args.key else Path(args.state).with_name(auth.KEY_NAME)
    try:
        if auth.make_key(key_path):
            print(f"已生成见证密钥 {key_path}：请复制到主、备两台中心电脑（数据库旁，或 [ha] witness_key 所指处）"
                  f"(made the witness key: copy it to both hub PCs)", file=sys.stderr, flush=True)
        key = auth.load_key(key_path)
        witness = Witness(Path(args.state))
    except (StateFileError, auth.KeyFileError, OSError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1

    def started(bound: int) -> None:
        lease = witness.lease
        print(f"hallq witness: listening on {host}:{bound}; epoch {lease.epoch}, last holder "
              f"{lease.holder or '-'}, in sync {', '.join(sorted(lease.in_sync)) or '-'}", flush=True)

    try:
        asyncio.run(serve(witness, host, port, started, key=key))
    except OSError as exc:
        print(f"✗ 见证无法监听 {args.listen} (cannot listen): {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


def cmd_witness_status(args: argparse.Namespace) -> int:
    from hub.ha.auth import load_key
    from hub.ha.lease_client import WitnessLink, WitnessUnreachable, parse_address

    try:
        link = WitnessLink(parse_address(args.witness), load_key(args.key))
        answer = link.ask({"op": "status"}, 3.0)
    except (ValueError, WitnessUnreachable) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    link.close()
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
        return 0
    state = "有效" if answer.get("state") == "held" else "空闲（无人持有）"
    print(f"租约 (lease): {state}；持有者 (holder) {answer.get('holder') or '-'}；第 {answer.get('epoch')} 代 (epoch)")
    print(f"已同步 (in sync): {', '.join(answer.get('in_sync') or []) or '-'}")
    return 0


WITNESS_UNIT = "hallq-witness.service"


def witness_unit(*, hallq: str, user: str, listen: str, state: str) -> str:
    return f"""# Generated by `hallq witness install`; see docs/deploy.md. Re-run the install rather than edit.
[Unit]
Description=hallq lease witness (主备切换 见证)
Documentation=https://github.com/hallq/hallq/blob/main/docs/operations.md
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
# a witness that stops is back within a second: the hubs' leases outlive that (docs/operations.md)
Restart=always
RestartSec=1
User={user}
Group={user}
# the key (witness.key beside the state file) is made at the first start: copy it to both hub PCs
ExecStart={hallq} witness --listen {listen} --state {state}
StateDirectory=hallq
StateDirectoryMode=0750
UMask=0027
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=read-only

[Install]
WantedBy=multi-user.target
"""


def cmd_witness_install(args: argparse.Namespace) -> int:
    import os
    import pwd

    from hub.ha.lease_client import parse_address
    from launcher.install import UNITS, InstallError, Plan, apply, hallq_command

    try:
        parse_address(args.listen)
    except ValueError as exc:
        print(f"✗ --listen: {exc}", file=sys.stderr)
        return 2
    root = Path(args.root).resolve()
    plan = Plan(root)
    plan.file(UNITS / WITNESS_UNIT, witness_unit(hallq=args.hallq or hallq_command(), user=args.user,
                                                 listen=args.listen, state=DEFAULT_STATE))
    real = root == Path("/")
    if real:
        try:
            pwd.getpwnam(args.user)
        except KeyError:
            plan.commands.append(["useradd", "--system", "--home-dir", "/var/lib/hallq", "--no-create-home",
                                  "--shell", "/usr/sbin/nologin", args.user])
    plan.changed_commands += [("", ["systemctl", "daemon-reload"]), ("", ["systemctl", "enable", WITNESS_UNIT]),
                              ("", ["systemctl", "restart", WITNESS_UNIT])]
    if real and not args.dry_run and os.geteuid() != 0:
        print("✗ 需要 root 权限（sudo），或用 --root DIR 写到别处 (needs root)", file=sys.stderr)
        return 1
    try:
        changed = apply(plan, dry_run=args.dry_run)
    except InstallError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    if changed:
        print(f"见证密钥将在首次启动时生成于 {Path(DEFAULT_STATE).with_name('witness.key')}：请复制到主、备两台中心电脑"
              "（docs/deploy.md）(the witness key is made at the first start: copy it to both hub PCs)")
    print("安装完成 (installed)" if changed else "已是最新，无需更改 (already installed: nothing changed)")
    return 0
