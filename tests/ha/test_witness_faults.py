"""The witness and its lease with real processes: restarts, hangs, slowness, cut links.

``hallq witness`` runs as a subprocess; each hub is a stand-in process (tests/ha/holder.py: the
worker's loop over a real LeaseGate) that logs every moment it may answer, with the machine's
monotonic clock, so the tests check the rule itself: the two hubs' answering never overlaps,
the old holder never answers again after the lease passed, and its epoch is the older one.
Links are cut with tests/faults/proxy.py (a partition: bytes swallowed, no refusal). Leases are
short here (ttl 2 s, renewed every 0.25 s) to keep the tests quick; the hall's are 5 s / 1 s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.broker import free_port
from tests.faults.conftest import ROOT, wait_until
from tests.faults.proxy import CutProxy

TTL, RENEW = 2.0, 0.25


class WitnessProc:
    """``hallq witness`` as a subprocess; its key (witness.key beside the state file) is made at the first
    start, and :meth:`ask` signs with it like a hub (hub/ha/auth.py)."""

    def __init__(self, state: Path) -> None:
        self.state, self.port = state, free_port()
        self.key_path = state.with_name("witness.key")
        self.proc: subprocess.Popen[str] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> WitnessProc:
        self.proc = subprocess.Popen([sys.executable, "-m", "launcher", "witness", "--listen", self.address,
                                      "--state", str(self.state)], cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        lines = [self.proc.stdout.readline() for _ in range(1)]
        while not lines[-1].startswith("hallq witness: listening") and lines[-1] and len(lines) < 5:
            lines.append(self.proc.stdout.readline())  # "已生成见证密钥 …" at the first start
        assert lines[-1].startswith("hallq witness: listening"), lines
        return self

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def ask(self, request: dict[str, object]) -> dict[str, object]:
        from hub.ha.auth import load_key
        from hub.ha.lease_client import WitnessLink

        link = WitnessLink(("127.0.0.1", self.port), load_key(self.key_path))
        try:
            return link.ask(dict(request), 3.0)
        finally:
            link.close()


class Holder:
    def __init__(self, witness: str, node: str, out: Path) -> None:
        self.node, self.out = node, out
        key = out.with_name("witness.key")
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.ha.holder", "--witness", witness, "--node", node,
                                      "--key", str(key),
                                      "--out", str(out), "--ttl", str(TTL), "--renew", str(RENEW)],
                                     cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.say_nothing() == "ready"

    def say_nothing(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def say(self, line: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.say_nothing()

    def signal(self, sig: int) -> None:
        os.kill(self.proc.pid, sig)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)

    def answers(self) -> list[tuple[float, int]]:
        if not self.out.exists():
            return []
        rows = []
        for line in self.out.read_text().splitlines():
            t, _node, epoch = line.split()
            rows.append((float(t), int(epoch)))
        return rows

    def holds(self) -> bool:
        rows = self.answers()
        return bool(rows) and time.monotonic() - rows[-1][0] < 0.2


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[dict[str, object]]:
    made: list[object] = []
    parts: dict[str, object] = {"tmp": tmp_path, "made": made}
    yield parts
    for thing in reversed(made):
        if isinstance(thing, Holder):
            if thing.proc.poll() is None:
                thing.signal(signal.SIGCONT)
            thing.kill()
        elif isinstance(thing, WitnessProc):
            thing.kill()
        elif isinstance(thing, CutProxy):
            thing.close()


def witness(rig: dict[str, object]) -> WitnessProc:
    w = WitnessProc(Path(str(rig["tmp"])) / "witness.json").start()
    rig["made"].append(w)  # type: ignore[attr-defined]
    return w


def holder(rig: dict[str, object], address: str, node: str) -> Holder:
    h = Holder(address, node, Path(str(rig["tmp"])) / f"{node}.answers")
    rig["made"].append(h)  # type: ignore[attr-defined]
    return h


def primary_and_standby(rig: dict[str, object], w: WitnessProc, a_address: str | None = None) -> tuple[Holder, Holder]:
    """a holds epoch 1; b is reported in sync and waits (refused while a holds)."""
    a = holder(rig, a_address or w.address, "a")
    wait_until(a.holds, 15, "a to hold the lease")
    b = holder(rig, w.address, "b")
    assert a.say("readmit b 1") == "readmit b"
    wait_until(lambda: "b" in w.ask({"op": "status"})["in_sync"], 5, "b in the in-sync set")  # type: ignore[operator]
    return a, b


def never_together(a: Holder, b: Holder) -> None:
    """Every moment a answered is before b's first, and a answered only under the older epoch."""
    a_rows, b_rows = a.answers(), b.answers()
    assert a_rows
    assert b_rows
    assert max(t for t, _ in a_rows) < min(t for t, _ in b_rows)
    assert {e for _, e in a_rows} == {1}
    assert {e for _, e in b_rows} == {2}


def test_a_hung_primary_loses_the_lease_and_answers_nothing_when_it_wakes(rig: dict[str, object]) -> None:
    w = witness(rig)
    a, b = primary_and_standby(rig, w)
    a.signal(signal.SIGSTOP)
    stopped = time.monotonic()
    wait_until(b.holds, 15, "the standby to take the lease")
    took = b.answers()[0][0] - stopped
    assert TTL * 0.9 < took < TTL + 3, took  # not before the old grant lapsed at the witness
    a.signal(signal.SIGCONT)
    woke = time.monotonic()
    time.sleep(1.0)
    assert not [t for t, _ in a.answers() if t > woke], "the old primary answered after it woke"
    assert a.say("epoch") == "epoch 1 seen 2 False"  # fenced: its epoch is the old one; it heard of 2, stays silent
    never_together(a, b)


def test_a_slow_primary_keeps_the_hall(rig: dict[str, object]) -> None:
    w = witness(rig)
    a, b = primary_and_standby(rig, w)
    for _ in range(6):  # a few hundred ms of stall at a time (a swapping PC, a long fsync)
        a.signal(signal.SIGSTOP)
        time.sleep(0.35)
        a.signal(signal.SIGCONT)
        time.sleep(0.3)
    time.sleep(TTL)
    assert not b.answers(), "the standby answered while the primary was only slow"
    assert a.holds()
    assert {e for _, e in a.answers()} == {1}
    assert w.ask({"op": "status"})["holder"] == "a"


def test_a_primary_cut_off_from_the_witness_stops_before_the_standby_starts(rig: dict[str, object]) -> None:
    w = witness(rig)
    link = CutProxy(("127.0.0.1", w.port))
    rig["made"].append(link)  # type: ignore[attr-defined]
    a, b = primary_and_standby(rig, w, link.address)
    link.cut()
    cut = time.monotonic()
    wait_until(b.holds, 15, "the standby to take the lease")
    last_a = max(t for t, _ in a.answers())
    assert last_a < cut + TTL, "the cut-off primary answered past its lease"
    never_together(a, b)
    link.heal()
    healed = time.monotonic()
    time.sleep(1.0)
    assert not [t for t, _ in a.answers() if t > healed], "the old primary took the hall back after the heal"
    assert w.ask({"op": "status"})["holder"] == "b"


def test_a_primary_that_lost_its_standby_drops_it_and_goes_on_and_the_standby_cannot_take_over(
        rig: dict[str, object]) -> None:
    w = witness(rig)
    link = CutProxy(("127.0.0.1", w.port))
    rig["made"].append(link)  # type: ignore[attr-defined]
    a, b = primary_and_standby(rig, w, link.address)
    # the link primary<->standby is cut: the standby's acks stop, the replication asks the gate
    assert a.say("drop b") == "drop b True"
    dropped = time.monotonic()
    assert w.ask({"op": "status"})["in_sync"] == ["a"]
    time.sleep(0.5)
    assert [t for t, _ in a.answers() if t > dropped], "the primary stopped after dropping its standby"
    a.kill()  # and now the primary's machine dies: the stale standby must not take the hall
    time.sleep(TTL * 2.5)
    assert not b.answers()
    refused = w.ask({"op": "acquire", "node": "b", "epoch": 1, "ttl_ms": 2000})
    assert refused["ok"] is False
    assert refused["code"] == "out_of_sync"


def test_a_drop_the_witness_does_not_confirm_is_false(rig: dict[str, object]) -> None:
    w = witness(rig)
    link = CutProxy(("127.0.0.1", w.port))
    rig["made"].append(link)  # type: ignore[attr-defined]
    a, _b = primary_and_standby(rig, w, link.address)
    link.cut()
    assert a.say("drop b") == "drop b False"  # not confirmed: the primary must not commit alone
    assert "b" in w.ask({"op": "status"})["in_sync"]  # type: ignore[operator]


def test_a_restarted_witness_keeps_the_epoch_and_the_stale_standby(rig: dict[str, object]) -> None:
    w = witness(rig)
    a, b = primary_and_standby(rig, w)
    assert a.say("drop b") == "drop b True"
    w.kill()
    w.start()  # same port, same state file
    time.sleep(TTL)
    status = w.ask({"op": "status"})
    assert status["epoch"] == 1
    assert status["holder"] == "a"
    assert status["in_sync"] == ["a"]
    assert a.holds()
    assert not b.answers()
    a.kill()
    time.sleep(TTL * 2.5)
    assert not b.answers(), "the restarted witness forgot that the standby is stale"


def test_a_restarted_witness_never_grants_an_epoch_twice(rig: dict[str, object]) -> None:
    w = witness(rig)
    a, b = primary_and_standby(rig, w)
    w.kill()
    w.start()
    a.kill()
    wait_until(b.holds, 15, "the standby to take the lease from the restarted witness")
    never_together(a, b)
    w.kill()
    w.start()
    assert w.ask({"op": "status"})["epoch"] == 2


def test_a_witness_with_an_unreadable_state_file_refuses_to_start(tmp_path: Path) -> None:
    state = tmp_path / "witness.json"
    state.write_text("{ half a file", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "launcher", "witness", "--listen", f"127.0.0.1:{free_port()}",
                           "--state", str(state)], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "见证状态文件" in done.stderr
    assert str(state) in done.stderr


def test_a_standby_not_yet_in_sync_never_asks_even_a_fresh_witness(rig: dict[str, object]) -> None:
    """A fresh witness gives the lease to the first hub that asks: a standby that has not followed the
    primary into sync must not be that hub (hub/ha/takeover.py asks only once the replica is in sync)."""
    from hub.ha.auth import load_key
    from hub.ha.lease_client import LeaseGate

    w = witness(rig)
    followed = {"in_sync": False}
    gate = LeaseGate(w.address, "b", ttl=TTL, renew_s=RENEW, may_acquire=lambda: followed["in_sync"],
                     key=load_key(w.key_path)).start()
    try:
        time.sleep(4 * RENEW)
        status = w.ask({"op": "status"})
        assert status["holder"] == ""
        assert status["epoch"] == 0
        assert not gate.may_answer()
        followed["in_sync"] = True
        assert gate.wait_holding(5)
        assert gate.epoch == 1
    finally:
        gate.close()
    assert w.ask({"op": "status"})["state"] == "free"  # a clean close gives the lease back


def test_the_witness_pc_down_stops_the_hall_and_it_resumes_when_the_witness_is_back(rig: dict[str, object]) -> None:
    """A holder with no standby that acks (this stand-in has no replication): with the witness unreachable
    it cannot answer on its standby's acks either (the double fault of operations.md §6), so it stops
    within its lease; it takes the hall back as soon as the witness answers again, and the standby never
    got it. With an in-sync standby the hall goes on instead: tests/ha/test_witness_down.py."""
    w = witness(rig)
    a, b = primary_and_standby(rig, w)
    w.kill()
    down = time.monotonic()
    time.sleep(TTL + 1)
    assert not a.holds()
    last = max(t for t, _ in a.answers())
    assert last - down < TTL
    w.start()
    back = time.monotonic()
    wait_until(a.holds, 10, "the primary to take the hall back")
    assert {e for t, e in a.answers() if t > back} == {1}
    assert not b.answers()
