"""The witness's answers without sockets (hub/ha/witness.py ``Witness.answer``): a clock passed in."""

from __future__ import annotations

import json
from pathlib import Path

from hub.ha.witness import Witness


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def ask(w: Witness, **request: object) -> dict[str, object]:
    return w.answer(json.dumps(request).encode())


def test_readmit_the_other_hub_means_the_one_that_asked_lately(tmp_path: Path) -> None:
    clock = Clock()
    w = Witness(tmp_path / "w.json", clock=clock)
    assert ask(w, op="acquire", node="pc-a", epoch=0, ttl_ms=5000)["epoch"] == 1
    none = ask(w, op="readmit", node="pc-a", epoch=1, standby="*")
    assert none["code"] == "no_standby"  # no standby has asked: nobody to vouch for
    assert "备用中心" in str(none["message"])
    assert ask(w, op="acquire", node="pc-b", epoch=0, ttl_ms=5000)["code"] == "held"
    clock.t += 1
    assert ask(w, op="readmit", node="pc-a", epoch=1, standby="*")["in_sync"] == ["pc-a", "pc-b"]
    saved = json.loads((tmp_path / "w.json").read_text())
    assert saved["in_sync"] == ["pc-a", "pc-b"]
    assert saved["epoch"] == 1
    assert ask(w, op="drop", node="pc-a", epoch=1, standby="*")["in_sync"] == ["pc-a"]
    clock.t += 60  # a standby silent for a minute is not "lately"
    assert ask(w, op="renew", node="pc-a", epoch=1, ttl_ms=5000)["ok"] is False  # lapsed meanwhile
    assert ask(w, op="acquire", node="pc-a", epoch=1, ttl_ms=5000)["epoch"] == 2
    assert ask(w, op="readmit", node="pc-a", epoch=2, standby="*")["code"] == "no_standby"


def test_a_restarted_witness_holds_the_lease_for_its_last_holder_one_more_ttl(tmp_path: Path) -> None:
    clock = Clock()
    w = Witness(tmp_path / "w.json", clock=clock)
    ask(w, op="acquire", node="pc-a", epoch=0, ttl_ms=4000)
    ask(w, op="readmit", node="pc-a", epoch=1, standby="pc-b")
    again = Witness(tmp_path / "w.json", clock=clock)  # the process restarted (expiry not in the file)
    clock.t += 3.9
    assert ask(again, op="acquire", node="pc-b", epoch=1, ttl_ms=4000)["code"] == "held"
    assert ask(again, op="renew", node="pc-a", epoch=1, ttl_ms=4000)["ok"] is True  # same grant goes on
    third = Witness(tmp_path / "w.json", clock=clock)
    clock.t += 4.0
    granted = ask(third, op="acquire", node="pc-b", epoch=1, ttl_ms=4000)
    assert granted["epoch"] == 2
    assert granted["holder"] == "pc-b"


def test_a_state_file_that_cannot_be_written_grants_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    w = Witness(blocker / "w.json", clock=Clock())
    refused = ask(w, op="acquire", node="pc-a", epoch=0, ttl_ms=5000)
    assert refused["code"] == "state_failed"
    assert ask(w, op="status")["holder"] == ""  # nothing granted


def test_a_flood_of_names_is_forgotten_but_the_standby_asking_now_is_not(tmp_path: Path) -> None:
    clock = Clock()
    w = Witness(tmp_path / "w.json", clock=clock)
    ask(w, op="acquire", node="pc-a", epoch=0, ttl_ms=5000)
    for i in range(1000):
        clock.t += 0.001
        ask(w, op="acquire", node=f"noise-{i}", epoch=0, ttl_ms=5000)
    assert len(w.seen) <= 17
    ask(w, op="acquire", node="pc-b", epoch=0, ttl_ms=5000)
    assert "pc-b" in w.recent_others("pc-a")
