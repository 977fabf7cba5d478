"""Stress: is the hub's retained ``presence/hub`` "online" there after every start? (issue 13 §8)

    python bench/stress_online.py [--starts 40] [--mode all] [--devices 6] [--heartbeat 3600]

Day one saw the embedded broker lose the hub's retained "online" in 1 start of 12-20 (devices
then showed the hub offline while it answered). This starts and stops the real hub process
(``bench/hubproc.py``) over and over, with devices connected all along, and after each start
checks what devices see:

* ``fresh``: a new plain paho client subscribes to ``presence/hub`` and must get a retained
  message saying online (what a screen that starts now sees);
* ``devices``: every long-lived device client (``HallClient``, reconnecting by itself across
  restarts) must have "online" as the last ``presence/hub`` it heard.

Both are checked ``--settle`` seconds after the hub is ready and every device has reconnected
(within 15 s: paho backs off 1-10 s after its broker went away), and once more a second later.
``--heartbeat`` is the hub's beat (default 3600 s: no beat, so nothing heals a lost "online"
and the bare symptom shows; 5 is what halls run).

Modes (the hub is stopped alternately with SIGTERM and SIGKILL; ``--restart-gap`` between):

* ``inhub``: the embedded broker inside the hub's process, as ``hallq hub`` runs it; each
  start is a new broker on the same port (every device reconnects, the retained store is new);
* ``apart``: the embedded broker in a process of its own that stays up; only the hub restarts
  (its old connection's last will races the new connection's "online");
* ``mosquitto``: the same against Mosquitto, for comparison.

Exit status 1 if any start lost the "online"; the summary says which check, mode and stop.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from common import ROOT, Mosquitto, bench_hall, machine, wait_port

from hallq import protocol as p
from hallq.client import HallClient
from hub.broker import free_port

RECONNECT_WAIT_S = 15.0
DEVICE_IDS = ("K1", "K2", "P-S01", "P-S02", "D-HALL", "G1", "P-S03", "P-S04")


def spawn_hub(db: Path, url: str, port: int, heartbeat: float) -> subprocess.Popen[str]:
    cmd = [sys.executable, str(ROOT / "bench" / "hubproc.py"), "--db", str(db), "--url", url, "--normal",
           "--heartbeat", str(heartbeat)]
    if port:
        cmd += ["--embedded", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "ready":
            return proc
    raise RuntimeError("hubproc exited before it was ready")


def spawn_embedded(port: int) -> subprocess.Popen[bytes]:
    code = ("import signal, sys; from hub.broker import EmbeddedBroker; "
            "b = EmbeddedBroker('127.0.0.1', int(sys.argv[1])).start(); signal.sigwait([signal.SIGTERM]); b.stop()")
    proc = subprocess.Popen([sys.executable, "-c", code, str(port)], cwd=ROOT)
    wait_port(port)
    return proc


def fresh_presence(port: int, topic: str, wait: float = 2.0) -> Any:
    """What a client that subscribes now gets as the retained ``presence/hub`` (None: nothing)."""
    got: list[Any] = []
    done = threading.Event()
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"look-{uuid.uuid4().hex[:8]}")
    c.on_connect = lambda cl, *a: cl.subscribe(topic, qos=1)

    def on_message(cl: Any, u: Any, msg: mqtt.MQTTMessage) -> None:
        if msg.retain:
            got.append(json.loads(msg.payload) if msg.payload else {})
            done.set()

    c.on_message = on_message
    c.connect("127.0.0.1", port)
    c.loop_start()
    done.wait(wait)
    c.disconnect()
    c.loop_stop()
    return got[0] if got else None


def one_mode(mode: str, starts: int, n_devices: int, heartbeat: float, settle: float, gap: float,
             work: Path) -> list[tuple[int, str, str, str]]:
    hall, _ = bench_hall()
    topic = p.Topics(hall.id).presence(p.HUB)
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    mosq = broker = None
    if mode == "mosquitto":
        mosq = Mosquitto(work)
        port, url = mosq.port, mosq.url
    elif mode == "apart":
        broker = spawn_embedded(port)
    db = work / f"{mode}.db"
    devices: list[HallClient] = []
    lost: list[tuple[int, str, str, str]] = []
    hub = spawn_hub(db, url, port if mode == "inhub" else 0, heartbeat)
    try:
        for d in DEVICE_IDS[:n_devices]:
            c = HallClient(url, hall.id, d, hall.devices[d].role.value, subscriptions=(topic,))
            devices.append(c.start(30))
        for i in range(starts):
            how = "SIGKILL" if i % 2 else "SIGTERM"
            hub.send_signal(signal.SIGKILL if how == "SIGKILL" else signal.SIGTERM)
            hub.wait(15)
            time.sleep(gap)
            hub = spawn_hub(db, url, port if mode == "inhub" else 0, heartbeat)
            ready = time.monotonic()
            # devices reconnect with paho's back-off (1-10 s) after their broker went away
            deadline = ready + RECONNECT_WAIT_S
            while time.monotonic() < deadline and not all(c.connected.is_set() for c in devices):
                time.sleep(0.05)
            time.sleep(settle)
            for look in (0, 1):
                if look:
                    time.sleep(1.0)
                seen = fresh_presence(port, topic)
                if not (seen and seen.get("online")):
                    lost.append((i + 1, how, f"fresh +{look}s", json.dumps(seen)))
                for c in devices:
                    last = c.state.get(topic)
                    if not (c.connected.is_set() and last and last.get("online")):
                        lost.append((i + 1, how, f"device {c.device} +{look}s",
                                     f"{json.dumps(last)} connected={c.connected.is_set()}"))
            print(f"  {mode} start {i + 1}/{starts} after {how}: "
                  + ("ok" if not lost or lost[-1][0] != i + 1 else "LOST"), flush=True)
    finally:
        for c in devices:
            c.stop()
        hub.terminate()
        hub.wait(15)
        if broker is not None:
            broker.terminate()
            broker.wait(15)
        if mosq is not None:
            mosq.stop()
    return lost


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--starts", type=int, default=40)
    ap.add_argument("--mode", choices=("all", "inhub", "apart", "mosquitto"), default="all")
    ap.add_argument("--devices", type=int, default=6)
    ap.add_argument("--heartbeat", type=float, default=3600.0)
    ap.add_argument("--settle", type=float, default=1.5, help="seconds after the hub is ready before looking")
    ap.add_argument("--restart-gap", type=float, default=0.0, help="seconds between the stop and the next start")
    a = ap.parse_args()
    modes = ("inhub", "apart", "mosquitto") if a.mode == "all" else (a.mode,)
    print(f"stress_online ({machine()}): {a.starts} starts per mode, {a.devices} devices, "
          f"heartbeat {a.heartbeat} s", flush=True)
    failed = False
    for mode in modes:
        with tempfile.TemporaryDirectory() as d:
            lost = one_mode(mode, a.starts, a.devices, a.heartbeat, a.settle, a.restart_gap, Path(d))
        starts_lost = sorted({x[0] for x in lost})
        print(f"{mode}: {len(starts_lost)} of {a.starts} starts lost the retained online")
        for start, how, where, what in lost:
            print(f"    start {start} (after {how}) {where}: {what}")
        failed = failed or bool(lost)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
