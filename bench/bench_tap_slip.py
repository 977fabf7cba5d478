"""Kiosk tap → slip bytes: ``ticket.issue`` over MQTT, the hub's reply, the 附件7 slip rendered to ESC/POS.

``python bench/bench_tap_slip.py [--n 100]``. The path a citizen waits on after the last
tap: the request to the hub (Mosquitto, hub in its own process, durable commit, TCP_NODELAY
workaround on), then kiosk.printing.slip_for + printers' render for an 80 mm native-text
profile. Sending the bytes to a real printer is printer-bound (bench_slip.py: ~1.3 s at
9600 baud for a native slip) and not included.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import HubProcess, Mosquitto, bench_hall, connect, machine, pct, queue_a, table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    a = ap.parse_args()
    from kiosk.printing import slip_for
    from printers.escpos_render import render
    from printers.profiles import get_profile

    profile = get_profile("generic-gb18030")
    hall, _ = bench_hall()
    req, rend, total, size = [], [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        mosq = Mosquitto(Path(tmp))
        hub = HubProcess(Path(tmp) / "t.db", mosq.url)
        try:
            k = connect(mosq.url, hall, "K1")
            for i in range(a.n + 5):
                t0 = time.perf_counter()
                view = k.request("ticket.issue", {**queue_a(hall), "name": "王小明"})["ticket"]
                t1 = time.perf_counter()
                data = render(slip_for(view, hall.name, hall.timezone).to_document(80), profile)
                t2 = time.perf_counter()
                if i >= 5:
                    req.append((t1 - t0) * 1000)
                    rend.append((t2 - t1) * 1000)
                    total.append((t2 - t0) * 1000)
                    size = len(data)
            k.stop()
        finally:
            hub.stop()
            mosq.stop()
    print(f"kiosk tap → slip bytes, ms ({machine()})")
    print(table(["step", "p50", "p99"], [["ticket.issue round trip", pct(req, .5), pct(req, .99)],
                                         ["slip_for + render (80 mm, native)", pct(rend, .5), pct(rend, .99)],
                                         [f"tap → {size} bytes ready", pct(total, .5), pct(total, .99)]]))


if __name__ == "__main__":
    main()
