"""Call latency: a pad's call_next → the call event at a hall display, beside the bare broker.

``python bench/bench_call_latency.py [--n 300]``. For each broker (the embedded amqtt one,
inside the hub's process as ``hallq hub`` runs it; Mosquitto as its own process, with
``set_tcp_nodelay true`` as docs/deploy.md configures it; hallq's clients set TCP_NODELAY):

* bare: publish → receive at another client through the broker (QoS 1), the broker's own
  one-hop round trip, measured in the same run with the same clients' settings;
* call: the pad sends ``ticket.call_next`` → the display receives ``event/call``: two hops
  plus the hub (decode, decide, commit with synchronous=FULL, publish).

Target (MISSION): the hub adds no more than the broker's own round trip: call/bare ≤ 2.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from common import HubProcess, Mosquitto, bench_hall, connect, machine, pct, queue_a, table

from hallq import protocol as p


def bare_rtt(url: str, hall, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    topic = f"hallq/{hall.id}/bench/rtt"
    got = threading.Event()
    sub = connect(url, hall, "D-S01")
    sub.mqtt.on_message = lambda *a: got.set()
    sub.mqtt.subscribe(topic, 1)
    pub = connect(url, hall, "K8")
    time.sleep(0.3)
    out = []
    for i in range(n + 10):
        got.clear()
        t0 = time.perf_counter()
        pub.mqtt.publish(topic, b"x" * 200, qos=1)
        if not got.wait(5):
            raise TimeoutError("bare round trip lost")
        if i >= 10:
            out.append((time.perf_counter() - t0) * 1000)
    sub.stop()
    pub.stop()
    return out


def call_latency(url: str, hall, staff: str, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    t = p.Topics(hall.id)
    kiosk = connect(url, hall, "K1")
    pad = connect(url, hall, "P-S01")
    got = threading.Event()
    seen: list[float] = []

    def on_call(topic: str, data: object) -> None:
        seen.append(time.perf_counter())
        got.set()

    screen = connect(url, hall, "D-HALL")
    screen.subscribe(t.event("call"), on_call)
    args = queue_a(hall)
    for _ in range(n + 10):
        kiosk.request("ticket.issue", args)
    pad.request("window.open", {"window": "S01", "staff": staff, "pin": "1234"})
    out = []
    for i in range(n + 10):
        got.clear()
        t0 = time.perf_counter()
        pad.request("ticket.call_next", {"window": "S01"})
        if not got.wait(5):
            raise TimeoutError("call event lost")
        if i >= 10:
            out.append((seen[-1] - t0) * 1000)
        pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
    for c in (kiosk, pad, screen):
        c.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    a = ap.parse_args()
    hall, st = bench_hall()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for broker in ("embedded", "mosquitto"):
            n = a.n
            mosq = Mosquitto(Path(tmp)) if broker == "mosquitto" else None
            db = Path(tmp) / f"{broker}.db"
            hub = HubProcess(db, mosq.url if mosq else None)
            try:
                bare = bare_rtt(hub.url, hall, n)
                call = call_latency(hub.url, hall, st.staff["S01"], n)
            finally:
                hub.stop()
                if mosq:
                    mosq.stop()
            b50, b99, c50, c99 = pct(bare, .5), pct(bare, .99), pct(call, .5), pct(call, .99)
            rows.append([broker, n, b50, b99, c50, c99, c50 / b50, c99 / b99])
    print(f"call latency, ms ({machine()})")
    print(table(["broker", "n", "bare p50", "bare p99", "call p50", "call p99", "ratio p50",
                 "ratio p99"], rows))
    print("target: ratio ≤ 2 (the hub adds no more than the broker's own round trip)")


if __name__ == "__main__":
    main()
