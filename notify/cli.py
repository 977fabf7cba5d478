"""``hallq notify``: run the notifier (通知) for one ``notify`` device of the hall file (docs/notify.md).

It reads ``[notify]`` from the hall file, logs in to the broker as its device, and makes a pass
(:class:`notify.notifier.Notifier`) whenever a call, the queues or a case change, and every
``poll_s`` seconds anyway, at most one pass every :data:`MIN_GAP_S` (a busy hall's queues change many
times a second; the hub limits each device's requests, ``[policy] rate_per_minute``). It keeps no
database: only its record of messages (``--state-dir``).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import tomllib
from pathlib import Path
from typing import Any

log = logging.getLogger("hallq.notify")
MIN_GAP_S = 2.0  # between two passes: events that come sooner are answered by the next pass


def register(sub: Any) -> None:
    p = sub.add_parser("notify", help="text messages to citizens who asked for them at the kiosk (docs/notify.md)")
    p.add_argument("--device", default="N1", help="this notifier's device id in the hall file (default N1)")
    p.add_argument("--config", required=True, help="the hall file (TOML): its [notify] table")
    p.add_argument("--mqtt", default=os.environ.get("HALLQ_MQTT") or "mqtt://127.0.0.1:1883",
                   help="broker URL (default: the environment's HALLQ_MQTT, as `hallq install notify` sets it, "
                        "else mqtt://127.0.0.1:1883)")
    p.add_argument("--hall", help="hall id (default: the hall file's)")
    p.add_argument("--state-dir", default=str(Path.home() / ".local/state/hallq"),
                   help="where the record of sent messages is kept (default %(default)s)")
    p.add_argument("--once", action="store_true", help="one pass, then exit (for a timer or a check)")
    p.set_defaults(func=cmd_notify)


def cmd_notify(args: argparse.Namespace) -> int:
    from hallq.client import HallClient, RequestError
    from notify.config import NotifyConfigError, parse
    from notify.notifier import Notifier
    from notify.record import Record
    from notify.transport import HttpTransport

    path = Path(args.config)
    try:
        doc = tomllib.loads(path.read_text("utf-8"))
        cfg = parse(doc, base=path.parent)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        print(f"✗ {path}: {exc}", file=sys.stderr)
        return 2
    except NotifyConfigError as exc:
        print(f"✗ {path}:\n" + "\n".join(f"  {line}" for line in exc.problems), file=sys.stderr)
        return 2
    hall = args.hall or str(doc.get("hall", {}).get("id", ""))
    client = HallClient(args.mqtt, hall, args.device, "notify")
    wake = threading.Event()
    t = client.topics
    for topic in (t.queues, t.calls, t.event("call"), t.event("case")):
        client.subscribe(topic, lambda _topic, _msg: wake.set())
    stop = threading.Event()
    def on_term(*_: Any) -> None:
        stop.set()
        wake.set()

    signal.signal(signal.SIGTERM, on_term)
    client.start()
    notifier = Notifier(client.request, HttpTransport(cfg.gateway), Record.open(args.state_dir), cfg,
                        device=args.device)
    try:
        while not stop.is_set():
            wake.clear()
            try:
                notifier.run_once()
            except RequestError as exc:  # the hub away or refusing: try again at the next event or poll
                log.warning("notify pass failed: %s", exc.code, extra={"code": exc.code})
            if args.once:
                break
            stop.wait(MIN_GAP_S)
            wake.wait(cfg.poll_s)
    except KeyboardInterrupt:
        pass
    finally:
        client.stop()
    return 0
