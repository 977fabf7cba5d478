"""同意接收办理通知 at the kiosk and the sealed phone in the hub (docs/notify.md).

The kiosk asks only where the hall runs a notifier; the consent rides on ``ticket.issue`` as
``notify_consent``; the hub seals the full number bound to the ticket, shows it only to the
``notify`` role, never keeps it in clear, and purges it with the case's retention."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from hallq import messages
from hub.config import load_hall
from hub.hall import Device, Hall, Role
from hub.publisher import catalog
from hub.security import sealed
from hub.security.purge import purge
from hub.service import HubService
from hub.store import Store
from kiosk.model import Field, KioskModel, Screen, Send
from kiosk.printing import PrinterState
from launcher.local_hall import open_all_day
from launcher.samples import sample_hall_path
from tests.kiosk.conftest import SAMPLE_ID, FakeClock

PHONE = "13912345678"
KEY = b"k" * 32


def with_notifier(hall: Hall) -> Hall:
    return dataclasses.replace(hall, devices={**hall.devices, "N1": Device("N1", Role.NOTIFY)})


SAMPLE = load_hall(sample_hall_path())


def kiosk(hall: Hall) -> KioskModel:
    m = KioskModel("K1", clock=FakeClock(1000.0))
    m.set_catalog(catalog(hall))
    m.set_broker(True)
    m.set_printer(PrinterState(True, "ok", checked=True))
    m.open_matter("id-card")
    m.answer(0)
    m.take_ticket()
    for c in SAMPLE_ID + PHONE:
        m.key(c)
    return m


def sent(m: KioskModel) -> dict[str, Any]:
    effects = m.take_effects()
    assert len(effects) == 1
    assert isinstance(effects[0], Send)
    return effects[0].args


def test_the_consent_is_one_tap_and_rides_on_the_issue() -> None:
    m = kiosk(with_notifier(SAMPLE))
    assert m.catalog is not None
    assert m.catalog.has_notifier
    assert m.notify_consent is False  # never ticked for the citizen
    m.toggle_consent()
    assert m.notify_consent is True
    m.submit()
    args = sent(m)
    assert args["phone"] == PHONE
    assert args["notify_consent"] is True


def test_without_the_tap_the_issue_carries_no_consent() -> None:
    m = kiosk(with_notifier(SAMPLE))
    m.toggle_consent()
    m.toggle_consent()  # changed their mind
    m.submit()
    assert "notify_consent" not in sent(m)


def test_a_consent_without_a_number_is_refused_locally() -> None:
    m = kiosk(with_notifier(SAMPLE))
    m.fields[Field.PHONE] = ""
    m.toggle_consent()
    assert m.field is Field.PHONE
    m.submit()
    assert "手机号码" in m.error
    assert m.take_effects() == []
    assert m.visible is Screen.IDENTIFY


def test_no_consent_is_asked_or_sent_where_no_notifier_runs() -> None:
    m = kiosk(dataclasses.replace(SAMPLE, devices={k: d for k, d in SAMPLE.devices.items() if d.role != "notify"}))
    assert m.catalog is not None
    assert not m.catalog.has_notifier
    m.toggle_consent()  # even if it were set, nothing is sent without a notifier to send it
    m.submit()
    assert "notify_consent" not in sent(m)


def test_idle_reset_forgets_the_consent() -> None:
    m = kiosk(with_notifier(SAMPLE))
    m.toggle_consent()
    m.take_ticket()
    assert m.notify_consent is False


# ---------------------------------------------------------------- the hub


def issue(service: HubService, rid: str, **extra: Any) -> dict[str, Any]:
    args = {"matter": "id-card", "situation": "first", **extra}
    body = json.dumps({"v": 1, "id": rid, "op": "ticket.issue", "args": args}).encode()
    out = service.handle("K1", body)
    assert out.reply is not None
    answer: dict[str, Any] = json.loads(out.reply)
    return answer


def ask(service: HubService, device: str, op: str, args: dict[str, Any]) -> dict[str, Any]:
    out = service.handle(device, json.dumps({"v": 1, "id": f"{op}-{args}", "op": op, "args": args}).encode())
    assert out.reply is not None
    answer: dict[str, Any] = json.loads(out.reply)
    return answer


@pytest.fixture
def service(tmp_path: Path) -> HubService:
    hall = open_all_day(with_notifier(SAMPLE))
    return HubService(hall, Store(tmp_path / "hall.db", durable=False), KEY, FakeClock(1_795_000_000.0))


def test_with_consent_the_number_is_sealed_and_only_the_notifier_reads_it(service: HubService,
                                                                            tmp_path: Path) -> None:
    yes = issue(service, "r1", phone=PHONE, notify_consent=True)
    no = issue(service, "r2", phone="13700001111")
    assert yes["ok"], yes
    assert no["ok"], no
    ticket = yes["result"]["ticket"]["id"]
    assert yes["result"]["ticket"]["phone_masked"] == "139****5678"
    watch = ask(service, "N1", "notify.watch", {})
    items = [messages.decode(messages.NotifyItem, json.dumps(i).encode()) for i in watch["result"]["items"]]
    assert [i.ticket for i in items] == [ticket]  # only the consenting citizen
    assert items[0].state == "waiting"
    assert items[0].ahead == 0
    assert ask(service, "N1", "notify.phone", {"ticket": ticket})["result"]["phone"] == PHONE
    other = no["result"]["ticket"]["id"]
    assert ask(service, "N1", "notify.phone", {"ticket": other})["error"]["code"] == "no_consent"
    for device in ("K1", *(d for d, dev in service.hall.devices.items() if dev.role is not Role.NOTIFY)):
        refused = ask(service, device, "notify.phone", {"ticket": ticket})
        assert refused["error"]["code"] == "forbidden", device
    blob = service.store.phone(ticket)
    assert blob is not None
    assert sealed.unseal_phone(KEY, ticket, blob) == PHONE
    with pytest.raises(ValueError, match="does not open"):
        sealed.unseal_phone(KEY, other, blob)  # bound to its ticket
    service.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for f in tmp_path.glob("hall.db*"):
        data = f.read_bytes()
        assert PHONE.encode() not in data, f.name
        assert PHONE.encode("utf-16-le") not in data, f.name
        assert b"13700001111" not in data, f.name


def test_a_consent_without_a_mobile_number_issues_nothing(service: HubService) -> None:
    service.tick()  # the day starts (its own events) before the refused commands
    before = service.store.last_seq()
    for rid, phone in (("a", ""), ("b", "12345")):
        refused = issue(service, rid, phone=phone, notify_consent=True)
        assert refused["error"]["code"] == "bad_args"
        assert "手机号码" in refused["error"]["message"]
    assert service.store.last_seq() == before
    assert service.core.tickets == {}


def test_the_sealed_number_goes_with_the_retention(service: HubService) -> None:
    ticket = issue(service, "r1", phone=PHONE, notify_consent=True)["result"]["ticket"]["id"]
    day = dt.date.fromisoformat(service.core.day)
    assert purge(service.store.path, 0, today=day).phones == 0  # not older than the cut
    assert purge(service.store.path, 0, today=day + dt.timedelta(days=1)).phones == 1  # hallq purge
    assert service.store.phone(ticket) is None
    assert ask(service, "N1", "notify.phone", {"ticket": ticket})["error"]["code"] == "no_consent"


def test_the_number_stays_while_its_case_is_open(service: HubService) -> None:
    """受理 opened a case: the number is kept past the day's retention until the case is closed."""
    ticket = issue(service, "r1", phone=PHONE, notify_consent=True)["result"]["ticket"]["id"]
    front = next(d for d, dev in service.hall.devices.items() if dev.role is Role.PAD and dev.window == "S01")
    assert ask(service, front, "window.open", {"window": "S01", "staff": "1001", "pin": "1234"})["ok"]
    assert ask(service, front, "ticket.call_next", {"window": "S01"})["ok"]
    assert ask(service, front, "ticket.outcome", {"window": "S01", "outcome": "accepted"})["ok"]
    opened = ask(service, front, "case.accept", {"window": "S01", "ticket": ticket})
    assert opened["ok"], opened
    watch = ask(service, "N1", "notify.watch", {})["result"]["items"]
    assert watch[0]["case"] == opened["result"]["case"]["id"]
    assert watch[0]["case_state"] == "accepted"
    later = dt.date.fromisoformat(service.core.day) + dt.timedelta(days=400)
    assert purge(service.store.path, 0, today=later).phones == 0  # the case is open: kept
    assert service.store.phone(ticket) is not None
