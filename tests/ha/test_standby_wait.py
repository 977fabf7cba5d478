"""A standby promoted after a failover predicts the same wait (预计等候) as the primary did.

The wait rests on window times learnt from the day's services. The standby applies the primary's
events as they come (its core learns with the same arithmetic), and a promoted standby starts a hub
on its own file (``Store.load`` rebuilds today's learning from the events): for the same citizen at
the same hall time, both must say what the primary said. Real brokers, real hubs on real files, one
clock passed in to all of them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from hallq.client import HallClient
from hub.config import load_hall
from hub.core.estimate import REFRESH_S
from hub.store import repl_cursor
from launcher.local_hall import open_all_day
from tests.hub.hub_helpers import FakeClock, local_ts

from .conftest import hall_file, two_hub_pcs, wait_until
from .test_replication import plain


def waits(kiosk: HallClient, numbers: list[str]) -> dict[str, tuple[Any, ...]]:
    out = {}
    for n in numbers:
        t = kiosk.request("ticket.get", {"ticket": n})["ticket"]
        out[n] = (t["ahead"], t["wait_min"], t["wait_lo_min"], t["wait_hi_min"], t.get("wait_past_close"))
    return out


def test_a_promoted_standby_predicts_the_wait_the_primary_predicted(tmp_path: Path) -> None:
    hall: Any = open_all_day(load_hall(hall_file(tmp_path)))
    clock = FakeClock(local_ts(2026, 11, 23, 9, 0))
    options = {"clock": clock, "tick_interval": 0.2, "durable": False}
    with two_hub_pcs(tmp_path, hall, **options) as pcs:
        primary, standby, a, b = pcs.primary, pcs.standby, pcs.a, pcs.b
        kiosk, pad = pcs.client(a.url, "K1"), pcs.client(a.url, "P-S01")
        wait_until(lambda: primary.replicator.in_sync, 20, "the standby in sync")
        pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
        numbers = [kiosk.request("ticket.issue", plain(hall))["ticket"]["number"] for _ in range(9)]
        for minutes in (7, 16, 4, 11):  # services the hub learns from, with the staff's gaps between
            pad.request("ticket.call_next", {"window": "S01"})
            clock.advance(minutes * 60)
            pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
            clock.advance(40)
        pad.request("ticket.call_next", {"window": "S01"})  # one at the window: its elapsed time counts
        clock.advance(3 * 60 + REFRESH_S)  # the forecast the answers come from is of this moment
        waiting = numbers[5:]
        said = waits(kiosk, waiting)
        assert [v[0] for v in said.values()] == [0, 1, 2, 3]
        assert all(v[1] is not None and v[1] > 0 for v in said.values())
        assert said[waiting[-1]][1] > said[waiting[0]][1]
        learnt = primary.service.core.service_times
        assert (learnt.samples, learnt.gap_samples) == (4, 4)  # it did learn today
        wait_until(lambda: standby.replica.cursor == repl_cursor(primary.store), 10, "the last batch on the standby")
        assert dataclasses.asdict(standby.replica.core.service_times) == dataclasses.asdict(learnt)

        primary.stop()
        wait_until(lambda: not standby.replica.primary_answering, 10, "the primary's offline presence")
        ok, message = standby.promote()
        assert ok, message
        kiosk_b = pcs.client(b.url, "K1")
        assert waits(kiosk_b, waiting) == said  # the same hall time: the same words for the same citizens
