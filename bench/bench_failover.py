"""Failover time with the witness: the primary PC dies, the standby takes the lease by itself.

``python bench/bench_failover.py [--rounds 3] [--ttl 5] [--renew 1] [--work DIR]``

Each round, fresh: ``hallq witness``; the primary ``hallq hub`` (embedded broker, same process); the
standby ``hallq standby`` with its own broker; the hall file's ``[ha]`` names the witness. Two kiosks
issue back to back and a pad calls and records 受理, every request retried with its id, on both
brokers (``mqtt://a,b``). Once the witness counts the standby in sync and the hall is busy, the primary
is killed (SIGKILL: hub and broker) and its data directory removed. Measured from the kill: the first
kiosk ticket and the first pad call answered again, and when the witness granted the standby the lease.

Target (issue 16): kiosks issue and pads call again in under 15 s. Expected: lease_ttl_s + up to one
renew_s until the grant, then the standby's hub start (loading the day) and the devices' hop.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import machine, table

from hallq import protocol as p
from hallq.client import HallClient, RequestError, RequestTimeout
from hub.broker import free_port
from hub.config import load_hall
from launcher.samples import sample_hall_path

ROOT = Path(__file__).resolve().parents[1]


def hall_file(work: Path, witness: str, ttl: float, renew: float) -> Path:
    text = sample_hall_path().read_text(encoding="utf-8")
    text = text.replace("\nrate_per_minute = 120 ", "\nrate_per_minute = 0 ", 1)  # kiosks issue back to back
    path = work / "hall.toml"
    path.write_text(text + f'\n[ha]\nwitness = "{witness}"\nlease_ttl_s = {ttl}\nrenew_s = {renew}\n', encoding="utf-8")
    return path


def start(argv: list[str], node: str, log: Path, ready: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "launcher", *argv], cwd=ROOT, text=True,
                            env={**os.environ, "HALLQ_HA_NODE": node}, stdout=subprocess.PIPE,
                            stderr=log.open("a", encoding="utf-8"))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith(ready):
        raise SystemExit(f"{argv[0]} did not start: {line!r}; see {log}")
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc


def witness_status(port: int) -> dict[str, Any]:
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        s.sendall(b'{"op": "status"}\n')
        answer: dict[str, Any] = json.loads(s.makefile("rb").readline())
        return answer


def device_loop(client: HallClient, op_args: list[tuple[str, dict[str, Any]]], stop: threading.Event,
                acked: list[tuple[float, str]]) -> None:
    while not stop.is_set():
        for op, args in op_args:
            rid = p.new_request_id()
            while not stop.is_set():
                try:
                    client.request(op, args, timeout=0.5, retries=0, request_id=rid)
                    acked.append((time.monotonic(), op))
                    break
                except RequestTimeout:
                    continue
                except RequestError:
                    time.sleep(0.05)  # queue_empty: nobody waiting yet
                    break


def one_round(work: Path, ttl: float, renew: float) -> dict[str, float]:
    wport = free_port()
    witness = subprocess.Popen([sys.executable, "-m", "launcher", "witness", "--listen", f"127.0.0.1:{wport}",
                                "--state", str(work / "witness.json")], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                               stderr=(work / "witness.log").open("a", encoding="utf-8"))
    assert witness.stdout is not None
    witness.stdout.readline()
    config = hall_file(work, f"127.0.0.1:{wport}", ttl, renew)
    hall = load_hall(config)
    matter = next((m.id, s.id) for m in hall.matters.values() for s in m.situations
                  if s.queue == "A" and not (s.online or s.consult_only or s.assist))
    pc_a, pc_b = work / "pc-a", work / "pc-b"
    pc_a.mkdir()
    pc_b.mkdir()
    port_a, port_b = free_port(), free_port()
    procs = [witness]
    stop = threading.Event()
    try:
        primary = start(["hub", "--config", str(config), "--db", str(pc_a / "hall.db"), "--listen",
                         f"127.0.0.1:{port_a}", "--always-open"], "pc-a", work / "a.log", "hallq hub:")
        procs.append(primary)
        shutil.copy(pc_a / "hall.key", pc_b / "hall.key")
        procs.append(start(["standby", "--config", str(config), "--db", str(pc_b / "hall.db"), "--primary",
                            f"mqtt://127.0.0.1:{port_a}", "--listen", f"127.0.0.1:{port_b}", "--always-open"],
                           "pc-b", work / "b.log", "hallq standby:"))
        url = f"mqtt://127.0.0.1:{port_a},127.0.0.1:{port_b}"
        acked: list[tuple[float, str]] = []
        issue = [("ticket.issue", {"matter": matter[0], "situation": matter[1]})]
        loops = [(f"K{i}", "kiosk", issue) for i in (1, 2)]
        loops.append(("P-S01", "pad", [("window.open", {"window": "S01", "staff": "1001", "pin": "1234"}),
                                       ("ticket.call_next", {"window": "S01"}),
                                       ("ticket.outcome", {"window": "S01", "outcome": "accepted"})]))
        for device, role, ops in loops:
            client = HallClient(url, hall.id, device, role).start(30)
            threading.Thread(target=device_loop, args=(client, ops, stop, acked), daemon=True).start()
        deadline = time.monotonic() + 60
        while witness_status(wport)["in_sync"] != ["pc-a", "pc-b"]:
            if time.monotonic() > deadline:
                raise SystemExit("the standby never got in sync")
            time.sleep(0.1)
        time.sleep(3)
        primary.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        primary.wait(10)
        shutil.rmtree(pc_a)
        granted = None
        while time.monotonic() < killed + 60:
            if granted is None and witness_status(wport)["holder"] == "pc-b":
                granted = time.monotonic() - killed
            after = {op for t, op in list(acked) if t > killed}
            if granted is not None and {"ticket.issue", "ticket.call_next"} <= after:
                break
            time.sleep(0.05)
        first = {op: min((t for t, o in acked if o == op and t > killed), default=float("nan")) - killed
                 for op in ("ticket.issue", "ticket.call_next")}
        return {"grant": granted or float("nan"), "issue": first["ticket.issue"], "call": first["ticket.call_next"]}
    finally:
        stop.set()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--ttl", type=float, default=5.0, help="[ha] lease_ttl_s")
    ap.add_argument("--renew", type=float, default=1.0, help="[ha] renew_s")
    ap.add_argument("--work", help="directory for the rounds' files (default: a temporary one)")
    args = ap.parse_args()
    base = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="hallq-failover-"))
    rows = []
    for n in range(1, args.rounds + 1):
        work = base / f"round-{n}"
        work.mkdir(parents=True)
        r = one_round(work, args.ttl, args.renew)
        rows.append([n, f"{r['grant']:.1f}", f"{r['issue']:.1f}", f"{r['call']:.1f}"])
        print(f"round {n}: lease granted {r['grant']:.1f} s, kiosk {r['issue']:.1f} s, pad {r['call']:.1f} s",
              flush=True)
    print(f"\n{machine()}; lease_ttl_s {args.ttl}, renew_s {args.renew}; seconds after kill -9 of the primary")
    print(table(["round", "witness grants the standby", "a kiosk issues again", "a pad calls again"], rows))


if __name__ == "__main__":
    main()
