"""``notify.claim`` in the hub (docs/notify.md): one claim per moment whoever asks, answered again for a
retry of the same request, the daily cap counted per number where the numbers are, a key only of its
own ticket, the claims replicated to a standby's file and purged with the sealed number."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from hub.case_desk import new_book
from hub.hall import Device, Role
from hub.security.purge import purge
from hub.service import HubService
from hub.store import Store, apply_repl, repl_cursor, repl_rows
from launcher.local_hall import open_all_day
from tests.kiosk.conftest import FakeClock
from tests.notify.test_consent import KEY, PHONE, SAMPLE, issue, with_notifier


@pytest.fixture
def service(tmp_path: Path) -> HubService:
    hall = with_notifier(SAMPLE)
    hall = dataclasses.replace(hall, devices={**hall.devices, "N2": Device("N2", Role.NOTIFY)})
    return HubService(open_all_day(hall), Store(tmp_path / "hall.db", durable=False), KEY,
                      FakeClock(1_795_000_000.0))


def claim(service: HubService, device: str, ticket: str, kind: str = "near", *, rid: str = "", cap: int = 5,
          key: str = "") -> dict[str, Any]:
    args = {"ticket": ticket, "key": key or f"{ticket}:{kind}", "kind": kind, "cap": cap}
    body = json.dumps({"v": 1, "id": rid or f"{device}-{args['key']}", "op": "notify.claim", "args": args})
    out = service.handle(device, body.encode())
    assert out.reply is not None
    answer: dict[str, Any] = json.loads(out.reply)
    return answer


def test_the_first_claim_of_a_moment_wins_and_every_later_one_is_told_who_holds_it(service: HubService) -> None:
    ticket = issue(service, "r1", phone=PHONE, notify_consent=True)["result"]["ticket"]["id"]
    first = claim(service, "N1", ticket)
    assert first["ok"], first
    assert first["result"]["claim"]["granted"] is True
    assert first["result"]["claim"]["by"] == "N1"
    assert first["result"]["claim"]["today"] == 1
    seq = service.store.last_seq()
    again = claim(service, "N1", ticket)  # the same request id: the stored first reply, nothing new
    assert again == first
    other = claim(service, "N2", ticket)["result"]["claim"]
    assert (other["granted"], other["capped"], other["by"]) == (False, False, "N1")
    mine = claim(service, "N1", ticket, rid="a-new-id")["result"]["claim"]  # a new request from N1 itself
    assert (mine["granted"], mine["by"]) == (False, "N1")
    assert service.store.last_seq() == seq  # refusing a second claim adds no event
    types = [e.type for _, e in service.store.events()]
    assert types.count("notify.claimed") == 1
    rows = service.store.conn.execute("SELECT data FROM events WHERE type='notify.claimed'").fetchall()
    assert json.loads(rows[0][0])["device"] == "N1"
    replies = [r[0] for r in service.store.conn.execute("SELECT reply FROM requests WHERE op='notify.claim'")]
    assert replies
    assert not [text for text in [rows[0][0], *replies] if PHONE in text]  # never the number


def test_the_daily_cap_counts_granted_claims_per_number_across_tickets_and_notifiers(service: HubService) -> None:
    tickets = [issue(service, f"r{i}", phone=PHONE, notify_consent=True)["result"]["ticket"]["id"]
               for i in range(3)]
    other = issue(service, "r9", phone="13700001111", notify_consent=True)["result"]["ticket"]["id"]
    assert claim(service, "N1", tickets[0], cap=2)["result"]["claim"]["granted"]
    assert claim(service, "N2", tickets[1], cap=2)["result"]["claim"]["granted"]
    over = claim(service, "N1", tickets[2], cap=2)["result"]["claim"]
    assert (over["granted"], over["capped"], over["today"]) == (False, True, 2)
    late = claim(service, "N2", tickets[2], cap=5)["result"]["claim"]  # settled: nobody sends it, whatever cap
    assert (late["granted"], late["capped"], late["by"]) == (False, True, "N1")
    assert claim(service, "N1", other, cap=2)["result"]["claim"]["granted"]  # another number: its own count


def test_a_claim_needs_the_consent_and_a_key_of_its_own_ticket(service: HubService) -> None:
    yes = issue(service, "r1", phone=PHONE, notify_consent=True)["result"]["ticket"]["id"]
    no = issue(service, "r2", phone="13700001111")["result"]["ticket"]["id"]
    seq = service.store.last_seq()
    assert claim(service, "N1", no)["error"]["code"] == "no_consent"
    wrong = claim(service, "N1", yes, key=f"{no}:near", rid="another-ticket's key")["error"]
    assert wrong["code"] == "bad_args"
    assert yes in wrong["message"]
    assert claim(service, "N1", yes, key="near")["error"]["code"] == "bad_args"
    assert claim(service, "K1", yes)["error"]["code"] == "forbidden"
    assert service.store.last_seq() == seq
    assert service.store.claim(f"{yes}:near") is None


def test_claims_replicate_to_a_standby_file_and_go_with_the_purged_number(service: HubService,
                                                                         tmp_path: Path) -> None:
    ticket = issue(service, "r1", phone=PHONE, notify_consent=True)["result"]["ticket"]["id"]
    assert claim(service, "N1", ticket)["result"]["claim"]["granted"]
    standby = Store(tmp_path / "standby.db", durable=False)
    core, book = standby.load(service.hall), standby.load_cases(new_book(service.hall))
    apply_repl(standby, repl_rows(service.store, repl_cursor(standby)), [], core, book)
    held = standby.claim(f"{ticket}:near")
    assert held is not None
    assert (held["device"], held["granted"]) == ("N1", 1)
    promoted = HubService(service.hall, standby, KEY, FakeClock(1_795_000_100.0))  # the standby, promoted
    later = claim(promoted, "N2", ticket)["result"]["claim"]
    assert (later["granted"], later["by"]) == (False, "N1")
    day = dt.date.fromisoformat(service.core.day)
    assert purge(service.store.path, 0, today=day + dt.timedelta(days=1)).phones == 1
    assert service.store.claim(f"{ticket}:near") is None
