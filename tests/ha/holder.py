"""A hub's stand-in for the witness tests: a process that answers only while its LeaseGate says so.

``python -m tests.ha.holder --witness HOST:PORT --node a --out FILE`` appends a line
``<monotonic seconds> <node> <epoch>`` every 10 ms in which ``may_answer()`` is true (the time is
taken *before* the question, as a worker asks before it answers). CLOCK_MONOTONIC is one clock
for every process of the machine, so two holders' lines can be compared. Commands on stdin, one a
line: ``drop B`` (prints ``drop B True|False``), ``readmit B [SEQ]``, ``epoch`` (prints ``epoch N seen M True|False``),
``quit`` (releases the lease). This is the hub's worker loop without the hall; the end-to-end test
runs the real hubs.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

from hub.ha.auth import load_key
from hub.ha.lease_client import LeaseGate


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--witness", required=True)
    ap.add_argument("--node", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ttl", type=float, default=2.0)
    ap.add_argument("--renew", type=float, default=0.25)
    ap.add_argument("--epoch", type=int, default=0)
    ap.add_argument("--key", required=True, help="the witness key file")
    args = ap.parse_args()
    gate = LeaseGate(args.witness, args.node, ttl=args.ttl, renew_s=args.renew, epoch=args.epoch,
                     key=load_key(args.key)).start()
    stop = threading.Event()

    def answer() -> None:
        with open(args.out, "a", encoding="utf-8") as out:
            while not stop.is_set():
                t = time.monotonic()
                if gate.may_answer():
                    out.write(f"{t:.6f} {args.node} {gate.epoch}\n")
                    out.flush()
                time.sleep(0.01)

    worker = threading.Thread(target=answer, daemon=True)
    worker.start()
    print("ready", flush=True)
    for line in sys.stdin:
        word = line.split()
        if not word:
            continue
        if word[0] == "drop":
            print(f"drop {word[1]} {gate.drop_standby(word[1], 2.0)}", flush=True)
        elif word[0] == "readmit":
            gate.standby_in_sync(word[1], int(word[2]) if len(word) > 2 else 0)
            print(f"readmit {word[1]}", flush=True)
        elif word[0] == "epoch":
            print(f"epoch {gate.epoch} seen {gate.seen} {gate.may_answer()}", flush=True)
        elif word[0] == "quit":
            break
    stop.set()
    worker.join(1)
    gate.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
