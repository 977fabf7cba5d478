"""``hallq web``: the citizen's phone page (web/) as a device of the hall, served by uvicorn.

    hallq web --device W1 --listen 127.0.0.1:8080 [--mqtt mqtt://W1:pw@hub:1883] [--secret-file web.secret]

The broker comes from ``--mqtt`` or the environment's HALLQ_MQTT, as for every device. The app
listens on loopback by default: the hall's reverse proxy (docs/deploy.md) exposes it with TLS;
``--forwarded-allow-ips`` names that proxy so the per-client limits see the phone's address.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path
from typing import Any

DEFAULT_MQTT = "mqtt://127.0.0.1:1883"


def register(sub: Any) -> None:
    p = sub.add_parser("web", help="the citizen's phone page (扫码查询办理进度): a web server as one more device")
    p.add_argument("--device", default="W1", help="this web server's device id in the hall file (role web; default W1)")
    p.add_argument("--listen", default="127.0.0.1:8080", help="HOST:PORT to serve on (default %(default)s)")
    p.add_argument("--mqtt", default=os.environ.get("HALLQ_MQTT") or DEFAULT_MQTT,
                   help="broker URL (default: the environment's HALLQ_MQTT, else %(default)s)")
    p.add_argument("--hall", help="hall id (default: found from the hub's retained catalogue)")
    p.add_argument("--secret-file", help="a file with the key for the rating form's CSRF tokens (made if missing); "
                                         "without it a new key each start, and open forms must be reloaded")
    p.add_argument("--forwarded-allow-ips", default="127.0.0.1",
                   help="proxies whose X-Forwarded-For is trusted for the client's address (default %(default)s)")
    p.set_defaults(func=cmd_web)


def listen_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--listen: expected HOST:PORT such as 127.0.0.1:8080, got {text!r}")
    return host.strip("[]"), int(port)


def secret_from(path: str | None) -> bytes | None:
    """The CSRF key from ``path`` (32 random bytes written there, mode 0600, if it does not exist)."""
    if not path:
        return None
    file = Path(path)
    if not file.exists():
        file.touch(mode=0o600)
        file.write_bytes(secrets.token_bytes(32))
    key = file.read_bytes()
    if len(key) < 16:
        raise ValueError(f"--secret-file {path}: needs at least 16 bytes of key")
    return key


def cmd_web(args: argparse.Namespace) -> int:
    import uvicorn

    from hallq.client import HallClient, discover_hall
    from web.app import create_app
    from web.gateway import Gateway

    try:
        host, port = listen_address(args.listen)
        secret = secret_from(args.secret_file)
        hall = args.hall or discover_hall(args.mqtt)
    except (ValueError, OSError, ConnectionError, TimeoutError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    client = HallClient(args.mqtt, hall, args.device, "web").start(30)
    try:
        app = create_app(Gateway(client), secret=secret)
        server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, proxy_headers=True,
                                               forwarded_allow_ips=args.forwarded_allow_ips, server_header=False,
                                               log_config=None, access_log=False))
        print(f"hallq web: {args.device} of {hall} on http://{host}:{port}/p/<token>", flush=True)
        server.run()
    finally:
        client.stop()
    return 0
