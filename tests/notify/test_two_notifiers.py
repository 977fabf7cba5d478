"""Two notifiers at once (N1 and N2, say one on each hub PC) against one real hub on an embedded broker and
one loopback stand-in for the SMS gateway: every moment goes out exactly once, whichever notifier claims it
first (``notify.claim``, docs/notify.md); the other writes it ``taken`` in its own record."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.local_hall import LocalHall
from notify.notifier import Notifier
from notify.record import Record
from notify.transport import HttpTransport
from tests.halls import GA_DESK, running, sample_hall_plus
from tests.hub.hub_helpers import FakeClock
from tests.notify.gateway import gateway
from tests.notify.test_notifier import PHONES, RENEW, config, front_desk

N2 = '\n[[devices]]\nid = "N2"\nrole = "notify"\n'  # a second notifier (the standby PC's)


def together(notifiers: list[Notifier]) -> list[BaseException]:
    """One pass of each notifier, started at the same moment on their own threads; what any of them raised."""
    start = threading.Barrier(len(notifiers))
    errors: list[BaseException] = []

    def run(n: Notifier) -> None:
        try:
            start.wait(5)
            n.run_once()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in notifiers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


@pytest.fixture
def hall2(tmp_path: Path, clock: FakeClock) -> Iterator[LocalHall]:
    yield from running(sample_hall_plus(GA_DESK + N2), tmp_path / "hall.db", clock=clock)


def test_two_notifiers_send_each_moment_exactly_once(hall2: LocalHall, tmp_path: Path, clock: FakeClock) -> None:
    kiosk = hall2.client("K1")
    with gateway() as gw:
        cfg = config(gw.url, near=3)
        notifiers = [Notifier(hall2.client(d).request, HttpTransport(cfg.gateway), Record.open(tmp_path / d), cfg,
                              clock=clock, sleep=lambda _s: None, device=d) for d in ("N1", "N2")]
        for phone in PHONES[:4]:
            kiosk.request("ticket.issue", {**RENEW, "phone": phone, "notify_consent": True})
        first = notifiers[0].run_once()
        assert {r for _, r in first} == {"sent"}
        second = notifiers[1].run_once()  # the same moments, all claimed by N1 already
        assert [r for _, r in second] == ["taken"] * len(first)
        front = front_desk(hall2)
        for turn in range(3):  # calls and new tickets, both notifiers passing at the same moment
            if turn:
                front.request("ticket.outcome", {"window": "S01", "outcome": "consulted"})
            front.request("ticket.call_next", {"window": "S01"})
            kiosk.request("ticket.issue", {**RENEW, "phone": PHONES[4], "notify_consent": True})
            assert together(notifiers) == []
        keys = Counter(m["id"] for m in gw.received)
        assert len(keys) >= 10  # 4 near + 3 calls + later near messages: enough to show the point
        assert set(keys.values()) == {1}, [k for k, n in keys.items() if n > 1]
        sent = [r["key"] for n in notifiers for r in n.record.rows() if r["result"] == "sent"]
        assert Counter(sent) == keys  # each sent by exactly one of them, and that one recorded it
        taken = [r for n in notifiers for r in n.record.rows() if r["result"] == "taken"]
        assert {r["by"] for r in taken} <= {"N1", "N2"}
        assert all(r["key"] in keys for r in taken)


def test_a_claim_whose_answer_was_lost_is_sent_by_its_own_notifier_only(hall2: LocalHall, tmp_path: Path,
                                                                        clock: FakeClock) -> None:
    """The hub granted N1's claim but N1 died before writing ``sending`` (so the gateway was never called):
    the restarted N1 sends it; N2 never does."""
    kiosk = hall2.client("K1")
    n1, n2 = hall2.client("N1"), hall2.client("N2")
    with gateway() as gw:
        cfg = config(gw.url)
        ticket = kiosk.request("ticket.issue", {**RENEW, "phone": PHONES[0], "notify_consent": True})["ticket"]["id"]
        claimed = n1.request("notify.claim", {"ticket": ticket, "key": f"{ticket}:near", "kind": "near"})["claim"]
        assert claimed["granted"] is True
        other = Notifier(n2.request, HttpTransport(cfg.gateway), Record.open(tmp_path / "N2"), cfg, clock=clock,
                         device="N2")
        assert other.run_once() == [(f"{ticket}:near", "taken")]
        mine = Notifier(n1.request, HttpTransport(cfg.gateway), Record.open(tmp_path / "N1"), cfg, clock=clock,
                        device="N1")
        assert mine.run_once() == [(f"{ticket}:near", "sent")]
        assert [m["phone"] for m in gw.received] == [PHONES[0]]
        assert mine.run_once() == []
