"""Hostile and naive devices (issue 13 §7-8): what a plain paho client pays without TCP_NODELAY,
and how long a pad's 叫号 waits while one kiosk floods the hub.

1. A client written from docs/protocol.md §11 (plain paho, ``ticket.get`` round trips) with and
   without TCP_NODELAY on its socket, against the embedded broker (in the hub's process, as
   ``hallq hub``), a stock Mosquitto (``set_tcp_nodelay`` off) and Mosquitto as generated.
2. A kiosk publishes 2,000 ``ticket.issue`` without waiting; a pad sends ``ticket.call_next``
   behind them. Reported: the pad's round trip and how many kiosk replies had arrived before it,
   with no rate limit and with the sample hall's (120 a minute, 30 at once).

    python bench/bench_hostile.py [--n 200]
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from common import HubProcess, Mosquitto, bench_hall, connect, machine, pct, queue_a, table

from hallq import protocol as p
from hallq.client import RequestError


class PlainClient:
    """The docs' plain paho client, kept connected, one request at a time."""

    def __init__(self, url: str, hall: str, device: str, nodelay: bool) -> None:
        self.t = p.Topics(hall)
        self.device = device
        self._got = threading.Event()
        self._want = ""
        port = int(url.rsplit(":", 1)[1])
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"plain-{uuid.uuid4().hex[:8]}")
        if nodelay:
            self.c.on_socket_open = lambda c, u, sock: sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        ready = threading.Event()
        self.c.on_connect = lambda c, *a: c.subscribe(self.t.reply(device), qos=1)
        self.c.on_subscribe = lambda *a: ready.set()
        self.c.on_message = self._on_message
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        assert ready.wait(10)

    def _on_message(self, c: Any, u: Any, msg: mqtt.MQTTMessage) -> None:
        if json.loads(msg.payload).get("id") == self._want:
            self._got.set()

    def request_ms(self) -> float:
        self._want = p.new_request_id()
        self._got.clear()
        t0 = time.perf_counter()
        self.c.publish(self.t.cmd(self.device), p.Request(self._want, "ticket.get", {"ticket": "A999"}).encode(), qos=1)
        if not self._got.wait(5):
            raise TimeoutError("no reply")
        return (time.perf_counter() - t0) * 1000

    def close(self) -> None:
        self.c.loop_stop()
        self.c.disconnect()


def nodelay_rows(work: Path, n: int) -> list[list[Any]]:
    hall, _ = bench_hall()
    rows: list[list[Any]] = []
    for broker_name in ("embedded", "mosquitto stock", "mosquitto generated"):
        mq = None
        if broker_name.startswith("mosquitto"):
            mq = Mosquitto(work, nodelay=broker_name.endswith("generated"))
        hub = HubProcess(work / f"{uuid.uuid4().hex[:6]}.db", mq.url if mq else None, rate=0)
        try:
            for nodelay in (False, True):
                c = PlainClient(hub.url, hall.id, "K1", nodelay)
                k = n if nodelay else max(20, n // 5)
                for _ in range(5):
                    c.request_ms()  # warm up
                ms = [c.request_ms() for _ in range(k)]
                c.close()
                rows.append([broker_name, "on" if nodelay else "off", k, pct(ms, 0.5), pct(ms, 0.99)])
        finally:
            hub.stop()
            if mq:
                mq.stop()
    return rows


class Flood:
    """A kiosk that publishes ``ticket.issue`` without waiting, counting the replies it gets."""

    def __init__(self, port: int, hall: str) -> None:
        self.t = p.Topics(hall)
        self.replies = 0
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"flood-{uuid.uuid4().hex[:6]}")
        self.c.on_socket_open = lambda c, u, sock: sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        ready = threading.Event()
        self.c.on_connect = lambda c, *a: c.subscribe(self.t.reply("K1"), qos=1)
        self.c.on_subscribe = lambda *a: ready.set()
        self.c.on_message = self._on_message
        self.c.max_queued_messages_set(0)
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        assert ready.wait(10)

    def _on_message(self, *a: Any) -> None:
        self.replies += 1

    def fire(self, n: int, args: dict[str, str]) -> None:
        for _ in range(n):
            self.c.publish(self.t.cmd("K1"), p.Request(p.new_request_id(), "ticket.issue", args).encode(), qos=1)

    def close(self) -> None:
        self.c.loop_stop()
        self.c.disconnect()


def burst_row(mq: Mosquitto, work: Path, rate: int, burst: int) -> list[Any]:
    hall, st = bench_hall()
    hub = HubProcess(work / f"{uuid.uuid4().hex[:6]}.db", mq.url, rate=rate)
    try:
        pad = connect(hub.url, hall, "P-S01")
        pad.request("window.open", {"window": "S01", "staff": st.staff["S01"], "pin": "1234"})
        flood = Flood(mq.port, hall.id)
        flood.fire(burst, queue_a(hall))
        time.sleep(0.05)
        t0 = time.perf_counter()
        try:
            pad.request("ticket.call_next", {"window": "S01"}, timeout=30, retries=0)
        except RequestError as exc:  # queue_empty and the like are answers too
            if exc.code == "timeout":
                raise
        ms = (time.perf_counter() - t0) * 1000
        before = flood.replies
        deadline = time.monotonic() + 60
        while flood.replies < burst and time.monotonic() < deadline:
            time.sleep(0.05)
        flood.close()
        pad.stop()
        return [rate or "off", burst, ms, before, flood.replies]
    finally:
        hub.stop()


def burst_rows(work: Path, burst: int, mosquitto_extra: str) -> list[list[Any]]:
    mq = Mosquitto(work, nodelay=True, extra=mosquitto_extra)
    try:
        return [burst_row(mq, work, rate, burst) for rate in (0, 120)]
    finally:
        mq.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--burst", type=int, default=2000)
    ap.add_argument("--only", choices=("nodelay", "burst"), default="")
    ap.add_argument("--mosquitto-extra", default="", help="lines added to the burst run's mosquitto.conf")
    a = ap.parse_args()
    extra = a.mosquitto_extra.replace("\\n", "\n")
    print(machine(), "| mosquitto extra:", extra.strip().replace("\n", "; ") or "-")
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        if a.only != "burst":
            print(table(["broker", "client TCP_NODELAY", "n", "p50 ms", "p99 ms"], nodelay_rows(work, a.n)))
            print()
        if a.only == "nodelay":
            return
        print(table(["rate_per_minute", "kiosk burst", "pad call ms", "kiosk replies before it", "kiosk replies"],
                    burst_rows(work, a.burst, extra)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
