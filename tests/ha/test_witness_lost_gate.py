"""LeaseGate's witness-lost mode (hub/ha/lease_client.py), on a real ``hallq witness`` process.

An *unreachable* witness is not a *refusal*: a hub that held the lease when its witness went away
answers on, but only while its standby is in sync and has acked everything (``watch_standby``);
a refusal stops it at once. Short leases (ttl 2 s, renewed every 0.25 s) keep these quick; the
whole hall on this mode is in tests/ha/test_witness_down.py.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from hub.ha.auth import load_key
from hub.ha.lease_client import LEASE, STOPPED, WITNESS_LOST, LeaseGate
from tests.faults.conftest import wait_until
from tests.faults.proxy import CutProxy

from .test_witness_faults import WitnessProc

TTL, RENEW = 2.0, 0.25


@pytest.fixture
def made(tmp_path: Path) -> Any:
    things: list[Any] = []
    yield things
    for thing in reversed(things):
        if isinstance(thing, LeaseGate):
            thing.close()
        elif isinstance(thing, WitnessProc):
            thing.kill()
        elif isinstance(thing, CutProxy):
            thing.close()


def gate(made: list[Any], w: WitnessProc, node: str, address: str | None = None,
         standby: dict[str, bool] | None = None) -> LeaseGate:
    g = LeaseGate(address or w.address, node, ttl=TTL, renew_s=RENEW, key=load_key(w.key_path))
    if standby is not None:
        g.watch_standby(lambda: standby["ok"])
    made.append(g)
    return g.start()


def test_a_holder_whose_witness_dies_answers_only_while_its_standby_acks(tmp_path: Path, made: list[Any]) -> None:
    w = WitnessProc(tmp_path / "witness.json").start()
    made.append(w)
    standby = {"ok": True}
    a = gate(made, w, "a", standby=standby)
    assert a.wait_holding(10)
    assert (a.mode, a.alarm) == (LEASE, None)
    w.kill()
    wait_until(lambda: a.mode != LEASE, TTL + 2, "the lease belief to lapse")
    assert a.mode == WITNESS_LOST
    assert a.may_answer()
    assert a.alarm is not None
    assert "见证服务失联" in a.alarm.text
    assert "切换保护仍有效" in a.alarm.text
    assert a.witness_error is not None
    assert a.drop_standby("standby", 0.5) is False  # a missing ack cannot be dropped: the batch waits
    standby["ok"] = False  # the standby stopped acking (or went): nothing more is answered
    assert not a.may_answer()
    assert a.mode == STOPPED
    assert a.alarm is not None
    assert "暂停应答" in a.alarm.text
    standby["ok"] = True  # its ack came after all
    assert a.may_answer()
    w.start()  # the witness is back: the lease again, same epoch (nobody else held it)
    wait_until(lambda: a.mode == LEASE, 10, "the lease to be held again")
    assert a.alarm is None
    assert a.epoch == 1
    assert a.witness_error is None


def test_with_no_standby_in_sync_the_holder_stops_as_before(tmp_path: Path, made: list[Any]) -> None:
    w = WitnessProc(tmp_path / "witness.json").start()
    made.append(w)
    a = gate(made, w, "a", standby={"ok": False})
    assert a.wait_holding(10)
    w.kill()
    time.sleep(TTL + 0.5)
    assert not a.may_answer()
    assert a.mode == STOPPED
    assert a.alarm is not None and "备用中心未同步" in a.alarm.text


def test_a_hub_that_never_held_the_lease_does_not_answer_on_acks(tmp_path: Path, made: list[Any]) -> None:
    w = WitnessProc(tmp_path / "witness.json").start()
    made.append(w)
    address = w.address
    w.kill()
    a = gate(made, w, "a", address=address, standby={"ok": True})
    time.sleep(4 * RENEW)
    assert not a.may_answer()
    assert a.mode == STOPPED
    assert a.alarm is None


def test_a_refusal_ends_the_witness_lost_mode_at_once(tmp_path: Path, made: list[Any]) -> None:
    """a is cut from the witness and answers on acks; b (in sync) takes the lease once a's grant expired;
    the link heals: the witness tells a ``held`` and a stops at once, acks or not."""
    w = WitnessProc(tmp_path / "witness.json").start()
    made.append(w)
    link = CutProxy(("127.0.0.1", w.port))
    made.append(link)
    a = gate(made, w, "a", address=link.address, standby={"ok": True})
    assert a.wait_holding(10)
    asked = {"b": False}
    b = LeaseGate(w.address, "b", ttl=TTL, renew_s=RENEW, key=load_key(w.key_path), may_acquire=lambda: asked["b"])
    made.append(b)
    b.start()
    asked["b"] = True  # b asks (refused: held), so the witness knows it; then a vouches for it
    a.standby_in_sync("standby", 1)
    wait_until(lambda: w.ask({"op": "status"})["in_sync"] == ["a", "b"], 10, "b in the in-sync set")
    link.cut()
    wait_until(b.may_answer, TTL * 3, "b to take the lease")
    assert a.mode == WITNESS_LOST  # a cannot know yet: it answers on its standby's acks (b stopped them: takeover.py)
    assert b.epoch == 2
    link.heal()
    wait_until(lambda: a.mode == STOPPED, 10, "a to hear the refusal")
    assert not a.may_answer()
    assert a.seen == 2
    assert a.alarm is None  # not "lost": refused
