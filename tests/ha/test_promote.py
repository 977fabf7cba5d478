"""Promotion, in-process with real Mosquitto brokers (one per PC): ``Standby.promote`` refuses while the
primary's hub answers, then takes a new epoch and answers on its own broker with the hall as the primary
left it; and the old primary, started again on its old file, hears the new epoch on its broker and does
not answer — not even after another restart (fail back only as a standby, docs/operations.md §6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hallq.client import RequestError
from hub.config import load_hall
from hub.ha.standby import Standby
from hub.runtime import Hub
from hub.store import Store, epoch_of
from launcher.local_hall import open_all_day

from .conftest import hall_file, two_hub_pcs, wait_until
from .test_replication import plain


def test_promote_refuses_while_the_primary_answers_then_takes_over_and_fences_the_old_primary(
        tmp_path: Path) -> None:
    hall: Any = open_all_day(load_hall(hall_file(tmp_path)))
    with two_hub_pcs(tmp_path, hall) as pcs:
        primary, standby, a, b = pcs.primary, pcs.standby, pcs.a, pcs.b
        kiosk = pcs.client(a.url, "K1")
        old: Hub | None = None
        try:
            wait_until(lambda: primary.replicator.in_sync, 20, "the standby in sync")
            tickets = [kiosk.request("ticket.issue", plain(hall))["ticket"] for _ in range(3)]
            wait_until(lambda: standby.replica.primary_answering, 10, "the primary's heartbeat")
            ok, message = standby.promote()
            assert not ok and "主中心仍在应答" in message
            assert standby.hub is None
            primary.stop()  # the primary goes (its broker stays: the case where fencing matters)
            wait_until(lambda: not standby.replica.primary_answering, 10, "the primary's offline presence")
            ok, message = standby.promote()
            assert ok and "已接管" in message, message
            assert standby.hub is not None and standby.hub.gate.epoch == 1
            kiosk_b = pcs.client(b.url, "K1")
            got = kiosk_b.request("ticket.get", {"ticket": tickets[-1]["id"]})["ticket"]
            assert got["number"] == tickets[-1]["number"]
            after = kiosk_b.request("ticket.issue", plain(hall))["ticket"]
            assert after["number"] not in {t["number"] for t in tickets}  # numbering goes on, no repeat
            # the old primary comes back on its old file and its own broker: fenced, it answers nobody
            old = Hub(hall, tmp_path / "a" / "hall.db", a.url, tick_interval=60).start(20)
            wait_until(lambda: old.replicator.fenced == 1, 10, "the old primary fenced by repl/epoch")
            with pytest.raises(RequestError, match="timeout"):
                kiosk.request("ticket.issue", plain(hall), timeout=1.5, retries=0)
            old.stop()
            old = None
            s = Store(tmp_path / "a" / "hall.db")
            assert s.meta("fenced") == 1 and epoch_of(s) == 0
            s.close()
            standby.fence.stop() if standby.fence else None  # even without the notice: still fenced
            a.stop()
            a.start()
            old = Hub(hall, tmp_path / "a" / "hall.db", a.url, tick_interval=60).start(20)
            assert not old.answering()
        finally:
            if old is not None:
                old.stop()


def test_a_hand_promotion_is_refused_where_a_witness_decides(tmp_path: Path) -> None:
    """With ``[ha] witness`` the standby takes the hall only by taking the lease; ``hallq standby promote``
    without --force would answer beside a primary that may hold it, so it is refused and nothing starts."""
    import dataclasses

    hall: Any = open_all_day(load_hall(hall_file(tmp_path)))
    hall = dataclasses.replace(hall, ha=dataclasses.replace(hall.ha, witness="127.0.0.1:7700"))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "hall.key").write_bytes(b"k" * 32)
    standby = Standby(hall, tmp_path / "b" / "hall.db", "mqtt://127.0.0.1:1", "mqtt://127.0.0.1:2")
    ok, message = standby.operator_promote()
    assert not ok and "见证服务" in message and "--force" in message
    assert standby.hub is None
