"""Shared bench plumbing: brokers, the hub as its own process, clients, percentiles, tables.

The hub runs in a process of its own (``bench/hubproc.py``) so the clients that measure it
do not share its interpreter lock. Figures are compared within one run (ratios), since the
machine is shared: see docs/benchmarks.md.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hallq.client import HallClient  # noqa: E402
from hub.broker import free_port  # noqa: E402

MOSQUITTO = "/usr/sbin/mosquitto"


def pct(values: Sequence[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [list(headers)] + [[f"{c:.2f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells[1:])])


def machine() -> str:
    load = os.getloadavg()
    return (f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.3):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing on 127.0.0.1:{port}")


class Mosquitto:
    """Mosquitto as its own process; ``nodelay`` sets its ``set_tcp_nodelay`` (off by default)."""

    def __init__(self, workdir: Path, nodelay: bool = True, extra: str = "") -> None:
        self.port = free_port()
        conf = workdir / "mosquitto.conf"
        conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                        + ("set_tcp_nodelay true\n" if nodelay else "") + extra)
        binary = MOSQUITTO if os.path.exists(MOSQUITTO) else shutil.which("mosquitto") or "mosquitto"
        self.proc = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


class HubProcess:
    """``bench/hubproc.py`` in a subprocess; ``url`` None: it runs its own embedded broker."""

    def __init__(self, db: Path, url: str | None, *, windows: int = 20, at: str = "", durable: bool = True,
                 rate: int = -1, heartbeat: float = 0.0, backup: str = "") -> None:
        self.port = 0 if url else free_port()
        self.url = url or f"mqtt://127.0.0.1:{self.port}"
        cmd = [sys.executable, str(ROOT / "bench" / "hubproc.py"), "--db", str(db), "--windows", str(windows),
               "--url", self.url]
        if not url:
            cmd += ["--embedded", str(self.port)]
        if at:
            cmd += ["--at", at]
        if not durable:
            cmd.append("--normal")
        if rate >= 0:
            cmd += ["--rate", str(rate)]
        if heartbeat:
            cmd += ["--heartbeat", str(heartbeat)]
        if backup:
            cmd += ["--backup", backup]
        self.t_spawn = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=None if os.environ.get("HALLQ_BENCH_DEBUG")
                                     else subprocess.DEVNULL, text=True, cwd=ROOT)
        self.info: dict[str, float] = {}
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            key, _, value = line.strip().partition(" ")
            if key == "ready":
                self.t_ready = time.perf_counter()
                break
            if value:
                self.info[key] = float(value)
        else:
            raise RuntimeError("hubproc exited before it was ready")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def bench_hall(windows: int = 20) -> tuple[Any, Any]:
    """The sample hall, open all day, staffed by the simulator's rules (same in every process)."""
    from hub.config import load_hall
    from launcher.local_hall import open_all_day
    from launcher.samples import sample_hall_path
    from launcher.simulate.model import sim_hall

    hall = open_all_day(load_hall(sample_hall_path()))
    # benches drive devices as fast as they go: without the sample hall's rate limit
    hall = dataclasses.replace(hall, policy=dataclasses.replace(hall.policy, rate_per_minute=0))
    return sim_hall(hall, windows=windows, kiosks=8)


def connect(url: str, hall: Any, device: str, *, subscriptions: tuple[str, ...] = ()) -> HallClient:
    """A client as devices make them (TCP_NODELAY is set by HallClient itself)."""
    return HallClient(url, hall.id, device, hall.devices[device].role.value, subscriptions=subscriptions).start(30)


def queue_a(hall: Any) -> dict[str, str]:
    for m in hall.matters.values():
        for s in m.situations:
            if s.queue == "A" and not (s.online or s.consult_only or s.assist):
                return {"matter": m.id, "situation": s.id}
    raise LookupError("no queue-A situation")
