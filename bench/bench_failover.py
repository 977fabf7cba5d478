"""Failover time with the witness: the primary PC dies, the standby takes the lease by itself.

``python bench/bench_failover.py [--rounds 3] [--ttl 5] [--renew 1] [--work DIR]``

Each round, fresh: ``hallq witness``; the primary ``hallq hub`` (embedded broker, same process); the
standby ``hallq standby`` with its own broker; the hall file's ``[ha]`` names the witness. Two kiosks
issue back to back and a pad calls and records 受理, every request retried with its id, on both
brokers (``mqtt://a,b``). Once the witness counts the standby in sync and the hall is busy, the primary
is killed (SIGKILL: hub and broker) and its data directory removed. Measured from the kill: the first
kiosk ticket and the first pad call answered again, and when the witness granted the standby the lease.

Target (issue 16): kiosks issue and pads call again in under 15 s. Expected: lease_ttl_s + up to one
renew_s until the grant (the standby asks once the primary's broker is gone for lease_ttl_s, after
waiting out ack_timeout_ms), then the standby's hub start (loading the day) and the devices' hop.

Then one more round, **the witness PC down**: the same hall, in sync, busy; the witness is killed.
Reported: does the hall keep answering (kiosks and the pad, from one lease after the kill on, while
the primary answers each batch on the standby's ack), and the pad's call latency (median / p95)
before the kill and in that mode.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
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
    path.write_text(text + f'\n[ha]\nwitness = "{witness}"\nlease_ttl_s = {ttl}\nrenew_s = {renew}\n'
                    f'witness_key = "{work / "witness.key"}"\n', encoding="utf-8")
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


def witness_status(port: int, key_file: Path) -> dict[str, Any]:
    from hub.ha.auth import load_key
    from hub.ha.lease_client import WitnessLink

    link = WitnessLink(("127.0.0.1", port), load_key(key_file))
    try:
        return link.ask({"op": "status"}, 3.0)
    finally:
        link.close()


def device_loop(client: HallClient, op_args: list[tuple[str, dict[str, Any]]], stop: threading.Event,
                acked: list[tuple[float, str]], latency: list[tuple[float, str, float]] | None = None) -> None:
    while not stop.is_set():
        for op, args in op_args:
            rid = p.new_request_id()
            while not stop.is_set():
                try:
                    t0 = time.monotonic()
                    client.request(op, args, timeout=0.5, retries=0, request_id=rid)
                    acked.append((time.monotonic(), op))
                    if latency is not None:
                        latency.append((t0, op, time.monotonic() - t0))
                    break
                except RequestTimeout:
                    continue
                except RequestError:
                    time.sleep(0.05)  # queue_empty: nobody waiting yet
                    break


def one_round(work: Path, ttl: float, renew: float, *, witness_down: bool = False) -> dict[str, float]:
    wport = free_port()
    witness = subprocess.Popen([sys.executable, "-m", "launcher", "witness", "--listen", f"127.0.0.1:{wport}",
                                "--state", str(work / "witness.json")], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                               stderr=(work / "witness.log").open("a", encoding="utf-8"))
    assert witness.stdout is not None
    witness.stdout.readline()
    key_file = work / "witness.key"  # made by the witness at its first start, beside its state file
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
        latency: list[tuple[float, str, float]] = []
        issue = [("ticket.issue", {"matter": matter[0], "situation": matter[1]})]
        loops = [(f"K{i}", "kiosk", issue) for i in (1, 2)]
        loops.append(("P-S01", "pad", [("window.open", {"window": "S01", "staff": "1001", "pin": "1234"}),
                                       ("ticket.call_next", {"window": "S01"}),
                                       ("ticket.outcome", {"window": "S01", "outcome": "accepted"})]))
        for device, role, ops in loops:
            client = HallClient(url, hall.id, device, role).start(30)
            threading.Thread(target=device_loop, args=(client, ops, stop, acked, latency), daemon=True).start()
        deadline = time.monotonic() + 60
        while witness_status(wport, key_file)["in_sync"] != ["pc-a", "pc-b"]:
            if time.monotonic() > deadline:
                raise SystemExit("the standby never got in sync")
            time.sleep(0.1)
        time.sleep(3)
        if witness_down:
            return witness_down_phase(witness, ttl, acked, latency)
        primary.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        primary.wait(10)
        shutil.rmtree(pc_a)
        granted = None
        while time.monotonic() < killed + 60:
            if granted is None and witness_status(wport, key_file)["holder"] == "pc-b":
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


def calls(latency: list[tuple[float, str, float]], start: float, end: float) -> list[float]:
    return sorted(d for t, op, d in latency if op == "ticket.call_next" and start <= t < end)


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


def witness_down_phase(witness: subprocess.Popen[str], ttl: float, acked: list[tuple[float, str]],
                       latency: list[tuple[float, str, float]]) -> dict[str, float]:
    """Five seconds as usual, then the witness killed; measured from one lease after the kill for ten."""
    before = time.monotonic()
    time.sleep(5)
    witness.kill()
    witness.wait(10)
    killed = time.monotonic()
    time.sleep(ttl + 1)
    start = time.monotonic()
    time.sleep(10)
    end = time.monotonic()
    normal, lost = calls(latency, before, killed), calls(latency, start, end)
    went_on = {op for t, op in list(acked) if start <= t < end} >= {"ticket.issue", "ticket.call_next"}
    return {"went_on": float(went_on), "normal_p50": pct(normal, 0.5), "normal_p95": pct(normal, 0.95),
            "lost_p50": pct(lost, 0.5), "lost_p95": pct(lost, 0.95), "lost_calls": float(len(lost))}


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
    work = base / "witness-down"
    work.mkdir(parents=True)
    d = one_round(work, args.ttl, args.renew, witness_down=True)
    print("\nthe witness PC down (killed; measured from one lease after, for 10 s)")
    print(table(["hall keeps answering", "pad call latency before (p50 / p95 ms)",
                 "pad call latency, witness lost (p50 / p95 ms)", "calls in 10 s"],
                [["yes" if d["went_on"] else "no", f"{d['normal_p50']:.0f} / {d['normal_p95']:.0f}",
                  f"{d['lost_p50']:.0f} / {d['lost_p95']:.0f}", f"{d['lost_calls']:.0f}"]]))


if __name__ == "__main__":
    main()
