"""JSON work on the hub's hot path: the standard library vs msgspec (hallq/messages.py).

``python bench/bench_messages.py [--n 20000]``. The payloads are the hub's own: a window's
retained state with a ticket in service, the queues' state of the sample hall and a reply,
taken from a real in-process hall. Each is decoded and encoded ``n`` times:

* ``json``: ``json.loads`` / ``json.dumps(ensure_ascii=False, separators=…)`` as ``hallq.protocol``
  does today, producing dicts;
* ``msgspec typed``: decoding into the Structs of ``hallq.messages`` (validated, typed) and encoding
  them back.

Ratios in one run are what to compare (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec

from bench.common import machine, table
from hallq import messages as m
from hallq.protocol import Topics
from launcher.local_hall import LocalHall


def _payloads() -> dict[str, tuple[type[Any], bytes]]:
    with LocalHall(db=Path(tempfile.mkdtemp()) / "hall.db") as h:
        topics = Topics(h.hall.id)
        kiosk, pad = h.client("K1"), h.client("P-S01")
        pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
        for _ in range(5):
            kiosk.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house", "name": "张三"})
        pad.request("ticket.call_next", {"window": "S01"})
        hub = h.hub
        assert hub is not None
        svc = hub.service
        state = msgspec.to_builtins(svc.publisher.window(svc.core, "S01", svc.seq, svc.clock()))
        window = json.dumps(state, ensure_ascii=False).encode()
        queues = svc.publisher.queues_payload(svc.core, svc.seq)
        reply = json.dumps({"v": 1, "id": "x" * 32, "ok": True, "result": {"ticket": state["current"]}},
                           ensure_ascii=False).encode()
        assert m.message_type(topics, topics.window("S01")) is m.WindowState
    return {"window state": (m.WindowState, window), "queues state": (m.QueuesState, queues),
            "reply": (m.Reply, reply)}


def _time(fn: Any, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000)
    args = ap.parse_args()
    rows = []
    for name, (kind, payload) in _payloads().items():
        obj = json.loads(payload)
        typed = m.decode(kind, payload)
        dec_json = _time(lambda p=payload: json.loads(p), args.n)
        enc_json = _time(lambda o=obj: json.dumps(o, ensure_ascii=False, separators=(",", ":")).encode(), args.n)
        dec_ms = _time(lambda k=kind, p=payload: m.decode(k, p), args.n)
        enc_ms = _time(lambda t=typed: m.encode(t), args.n)
        rows.append([name, len(payload), f"{dec_json:.1f}", f"{dec_ms:.1f}", f"{dec_json / dec_ms:.1f}×",
                     f"{enc_json:.1f}", f"{enc_ms:.1f}", f"{enc_json / enc_ms:.1f}×"])
    print(machine())
    print(table(["payload", "bytes", "json decode µs", "msgspec typed decode µs", "ratio",
                 "json encode µs", "msgspec encode µs", "ratio"], rows))


if __name__ == "__main__":
    main()
