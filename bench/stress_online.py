"""Stress: is the hub's retained ``presence/hub`` "online" there after every start? (issue 13 §8)

    python bench/stress_online.py [--starts 40] [--mode all] [--devices 6] [--heartbeat 3600]

Day one saw the embedded broker lose the hub's retained "online" in 1 start of 12-20 (devices
then showed the hub offline while it answered). This starts and stops the real hub process
over and over, with devices connected all along, and after each start checks what devices see:

* ``fresh``: a new plain paho client subscribes to ``presence/hub`` and must get a retained
  message saying online (what a screen that starts now sees), ``--settle`` seconds after the
  hub is ready, and again once every device is back;
* ``device``: every long-lived device client (``HallClient``, reconnecting by itself across
  restarts, within 15 s: paho backs off 1-10 s after its broker went away) must have "online"
  as the last ``presence/hub`` it heard, then and a second later.

``--heartbeat`` is the beat of the hub in ``bench/hubproc.py`` (default 3600 s: no beat, so
nothing heals a lost "online" and the bare symptom shows; halls run 5 s). The ``cli`` mode
runs ``hallq hub`` itself, whose beat is 5 s: there only the first look (before the first
beat) shows the bare symptom.

Modes (the hub is stopped alternately with SIGTERM and SIGKILL):

* ``inhub``: the embedded broker inside the hub's process (``bench/hubproc.py --embedded``),
  as ``hallq hub`` runs it: each start is a new broker on the same port (every device
  reconnects, the retained store is new);
* ``cli``: ``python -m launcher hub --listen … --broker-auth DIR`` with the logins and ACL
  ``hallq mosquitto-config`` writes (client id = login), as day one ran it;
* ``apart``: the embedded broker in a process of its own that stays up; only the hub restarts
  (its old connection's last will races the new connection's "online");
* ``mosquitto``: the same against Mosquitto, for comparison.

Exit status 1 if any start lost the "online"; the summary says which look, mode and stop.
"""

from __future__ import annotations

import argparse
import json
import shutil
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
DEVICE_IDS = ("K1", "K2", "P-S01", "P-S02", "D-HALL", "G1", "P-R01")  # in the sample hall file too
LOOKER = "D-S01"  # the fresh client's login in ``cli`` mode (not one of the devices: id = login)


class Rig:
    """A broker and a way to start the hub on it; ``login(device)`` is the device's URL."""

    def __init__(self, mode: str, work: Path, heartbeat: float) -> None:
        self.mode, self.work, self.heartbeat = mode, work, heartbeat
        self.hall, _ = bench_hall()
        self.port = free_port()
        self.db = work / f"{mode}.db"
        self.users: dict[str, str] = {}
        self.keep: subprocess.Popen[bytes] | None = None  # a broker that outlives the hub
        self.mosq: Mosquitto | None = None
        if mode == "mosquitto":
            self.mosq = Mosquitto(work)
            self.port = self.mosq.port
        elif mode == "apart":
            code = ("import signal, sys; from hub.broker import EmbeddedBroker; "
                    "b = EmbeddedBroker('127.0.0.1', int(sys.argv[1])).start(); "
                    "signal.sigwait([signal.SIGTERM]); b.stop()")
            self.keep = subprocess.Popen([sys.executable, "-c", code, str(self.port)], cwd=ROOT)
            wait_port(self.port)
        elif mode == "cli":
            from hub.config import load_hall
            from hub.security.mosquitto import generate
            from launcher.samples import sample_hall_path

            self.hall_file = sample_hall_path()
            self.hall = load_hall(self.hall_file)
            self.auth = work / "auth"
            self.users = generate(self.hall, self.auth, listen=f"127.0.0.1:{self.port}").users

    def url(self, user: str | None = None) -> str:
        cred = f"{user}:{self.users[user]}@" if user and self.users else ""
        return f"mqtt://{cred}127.0.0.1:{self.port}"

    def start_hub(self) -> subprocess.Popen[str]:
        if self.mode == "cli":
            cmd = [sys.executable, "-m", "launcher", "hub", "--config", str(self.hall_file), "--db", str(self.db),
                   "--listen", f"127.0.0.1:{self.port}", "--broker-auth", str(self.auth), "--always-open"]
            ready = "hallq hub:"
        else:
            cmd = [sys.executable, str(ROOT / "bench" / "hubproc.py"), "--db", str(self.db), "--url", self.url(),
                   "--normal", "--heartbeat", str(self.heartbeat)]
            if self.mode == "inhub":
                cmd += ["--embedded", str(self.port)]
            ready = "ready"
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(ready):
                threading.Thread(target=proc.stdout.read, daemon=True).start()  # drain what it prints later
                return proc
        raise RuntimeError(f"the hub ({self.mode}) exited before it was ready")

    def close(self) -> None:
        if self.keep is not None:
            self.keep.terminate()
            self.keep.wait(15)
        if self.mosq is not None:
            self.mosq.stop()


def fresh_presence(rig: Rig, topic: str, wait: float = 2.0) -> Any:
    """What a client that subscribes now gets as the retained ``presence/hub`` (None: nothing)."""
    got: list[Any] = []
    done = threading.Event()
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"look-{uuid.uuid4().hex[:8]}")
    if rig.users:
        c.username_pw_set(LOOKER, rig.users[LOOKER])
    c.on_connect = lambda cl, *a: cl.subscribe(topic, qos=1)

    def on_message(cl: Any, u: Any, msg: mqtt.MQTTMessage) -> None:
        if msg.retain:
            got.append(json.loads(msg.payload) if msg.payload else {})
            done.set()

    c.on_message = on_message
    c.connect("127.0.0.1", rig.port)
    c.loop_start()
    done.wait(wait)
    c.disconnect()
    c.loop_stop()
    return got[0] if got else None


def one_mode(mode: str, starts: int, n_devices: int, heartbeat: float, settle: float,
             work: Path) -> tuple[list[tuple[int, str, str, str]], list[float]]:
    rig = Rig(mode, work, heartbeat)
    topic = p.Topics(rig.hall.id).presence(p.HUB)
    devices: list[HallClient] = []
    lost: list[tuple[int, str, str, str]] = []
    back_s: list[float] = []  # ready → every device reconnected
    hub = rig.start_hub()
    try:
        for d in DEVICE_IDS[:n_devices]:
            c = HallClient(rig.url(d), rig.hall.id, d, rig.hall.devices[d].role.value, subscriptions=(topic,))
            devices.append(c.start(30))
        for i in range(starts):
            how = "SIGKILL" if i % 2 else "SIGTERM"
            hub.send_signal(signal.SIGKILL if how == "SIGKILL" else signal.SIGTERM)
            hub.wait(15)
            hub = rig.start_hub()
            ready = time.monotonic()
            time.sleep(settle)
            seen = fresh_presence(rig, topic)
            if not (seen and seen.get("online")):
                lost.append((i + 1, how, f"fresh {time.monotonic() - ready:.1f}s after ready", json.dumps(seen)))
            while time.monotonic() < ready + RECONNECT_WAIT_S and not all(c.connected.is_set() for c in devices):
                time.sleep(0.05)
            back_s.append(time.monotonic() - ready)
            for look in (0, 1):
                time.sleep(0.5 + look)
                at = f"{time.monotonic() - ready:.1f}s after ready"
                seen = fresh_presence(rig, topic)
                if not (seen and seen.get("online")):
                    lost.append((i + 1, how, f"fresh {at}", json.dumps(seen)))
                for c in devices:
                    last = c.state.get(topic)
                    if not (c.connected.is_set() and last and last.get("online")):
                        lost.append((i + 1, how, f"device {c.device} {at}",
                                     f"{json.dumps(last)} connected={c.connected.is_set()}"))
            print(f"  {mode} start {i + 1}/{starts} after {how}: "
                  + ("LOST" if lost and lost[-1][0] == i + 1 else "ok"), flush=True)
    finally:
        for c in devices:
            c.stop()
        hub.terminate()
        hub.wait(15)
        rig.close()
    return lost, back_s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--starts", type=int, default=40)
    ap.add_argument("--mode", choices=("all", "inhub", "cli", "apart", "mosquitto"), default="all")
    ap.add_argument("--devices", type=int, default=6)
    ap.add_argument("--heartbeat", type=float, default=3600.0)
    ap.add_argument("--settle", type=float, default=0.5, help="seconds after the hub is ready before the first look")
    a = ap.parse_args()
    modes = ("inhub", "cli", "apart", "mosquitto") if a.mode == "all" else (a.mode,)
    print(f"stress_online ({machine()}): {a.starts} starts per mode, {a.devices} devices, "
          f"heartbeat {a.heartbeat} s (cli: 5 s)", flush=True)
    failed = False
    for mode in modes:
        work = Path(tempfile.mkdtemp(prefix="hallq-online-"))
        work.chmod(0o755)
        try:
            lost, back = one_mode(mode, a.starts, a.devices, a.heartbeat, a.settle, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        starts_lost = sorted({x[0] for x in lost})
        back.sort()
        print(f"{mode}: {len(starts_lost)} of {a.starts} starts lost the retained online "
              f"(devices back {back[len(back) // 2]:.1f} s after ready, median; max {back[-1]:.1f} s)")
        for start, how, where, what in lost:
            print(f"    start {start} (after {how}) {where}: {what}")
        failed = failed or bool(lost)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
