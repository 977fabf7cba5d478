"""``hallq witness``: the lease's witness on a third PC (docs/operations.md, 见证; hub/ha/witness.py).

``hallq witness --listen 0.0.0.0:7845 --state /var/lib/hallq/witness.json`` serves until stopped;
``hallq witness status --witness host:port`` prints who holds the lease, its epoch and the
in-sync set (what IT looks at when the guide console shows a failover alarm).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

DEFAULT_PORT = 7845
DEFAULT_STATE = "/var/lib/hallq/witness.json"
log = logging.getLogger("hallq.witness")


def register(sub: Any) -> None:
    w = sub.add_parser("witness", help="the lease witness for a primary and a standby hub (third PC)")
    w.add_argument("--listen", default=f"0.0.0.0:{DEFAULT_PORT}", help="HOST:PORT to serve on (default %(default)s)")
    w.add_argument("--state", default=DEFAULT_STATE, help="state file: epoch and in-sync set (default %(default)s)")
    w.set_defaults(func=cmd_witness)
    wsub = w.add_subparsers(metavar="ACTION")
    st = wsub.add_parser("status", help="ask a running witness who holds the lease")
    st.add_argument("--witness", required=True, help="HOST:PORT of the witness")
    st.add_argument("--json", action="store_true", help="machine-readable output")
    st.set_defaults(func=cmd_witness_status)


def cmd_witness(args: argparse.Namespace) -> int:
    from hub.ha.lease_client import parse_address
    from hub.ha.witness import StateFileError, Witness, serve

    try:
        host, port = parse_address(args.listen, any_port=True)
    except ValueError as exc:
        print(f"✗ --listen: {exc}", file=sys.stderr)
        return 2
    try:
        witness = Witness(Path(args.state))
    except StateFileError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1

    def started(bound: int) -> None:
        lease = witness.lease
        print(f"hallq witness: listening on {host}:{bound}; epoch {lease.epoch}, last holder "
              f"{lease.holder or '-'}, in sync {', '.join(sorted(lease.in_sync)) or '-'}", flush=True)

    try:
        asyncio.run(serve(witness, host, port, started))
    except OSError as exc:
        print(f"✗ 见证无法监听 {args.listen} (cannot listen): {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


def cmd_witness_status(args: argparse.Namespace) -> int:
    from hub.ha.lease_client import WitnessLink, WitnessUnreachable, parse_address

    try:
        link = WitnessLink(parse_address(args.witness))
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
