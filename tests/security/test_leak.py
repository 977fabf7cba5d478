"""A simulated day with real ID and phone numbers: none of them may be found anywhere afterwards.

The day runs through the real hub over the embedded broker: appointments imported from a CSV,
kiosks issuing tickets with ID and phone numbers (some ID numbers mistyped), check-in by ID
number, pads calling and recording outcomes, evaluations, slips printed to ESC/POS bytes,
``hallq state`` printing the hall, logs written at DEBUG as JSON lines to a rotating file.
Then the database file, its ``-wal`` and ``-shm``, every log file, every printed byte (read as
UTF-8 and as GB18030) and everything written to stdout/stderr are searched for each number.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from hallq import clock as hallclock
from hallq import idcard, logs
from hallq.client import RequestError
from hub.config import load_hall
from hub.security.purge import purge
from launcher.cli import main
from launcher.local_hall import LocalHall, open_all_day
from launcher.samples import sample_hall_path
from printers.escpos_render import render
from printers.profiles import get_profile
from printers.slip import TicketSlip
from tests.hub.hub_helpers import FakeClock, local_ts
from tests.security.sec_helpers import any_of, valid_id

MATTERS = [("hukou-move", "with-house"), ("id-card", "renew"), ("company-setup", "llc"), ("residence-permit", "first")]


def people(n: int) -> list[dict[str, str]]:
    out = []
    for i in range(n):
        birth = f"19{50 + i % 50:02d}{1 + i % 12:02d}{1 + i % 28:02d}"
        out.append({"name": ["张三丰", "李四", "王小五", "欧阳娜娜"][i % 4] + str(i),
                    "id": valid_id("141002" if i % 2 else "440524", birth, 11 + 2 * i),
                    "phone": f"1{3 + i % 7}{i:03d}{(i * 7919) % 100000:05d}"[:11].ljust(11, "7")})
    return out


def slip_bytes(view: dict[str, Any], hall_name: str) -> bytes:
    slip = TicketSlip(
        hall_name=hall_name, ticket_number=view["number"], matter=view["matter_name"],
        situation=view["situation_name"], windows=view["windows"], applicant_masked=view["applicant"],
        id_masked=view["id_masked"], waiting_ahead=int(view.get("ahead") or 0),
        issued_at=hallclock.local(view["issued_at"]).replace(tzinfo=None), qr_url=view["progress_url"],
        materials=view["materials"], notes=[f"电话 {view['phone_masked']}"])
    return render(slip.to_document(80), get_profile("generic-gb18030"))


@pytest.fixture
def day_dir(tmp_path: Path) -> Path:
    return tmp_path


def test_no_full_id_or_phone_anywhere_after_a_day(day_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
    clock = FakeClock(local_ts(2026, 11, 23, 9, 0))
    hall = open_all_day(load_hall(sample_hall_path()))
    db, log_file = day_dir / "hall.db", day_dir / "logs" / "hallq.log"
    handler = logs.setup(level=logging.DEBUG, log_file=log_file, max_bytes=4_000, backups=50)
    crowd = people(24)
    mistyped = [p["id"][:17] + ("0" if p["id"][17] != "0" else "1") for p in crowd[:3]]  # fail the check
    booked = people(30)[24:]
    printed = bytearray()
    try:
        csv = day_dir / "appointments.csv"
        rows = ["code,date,start,end,matter,situation,name,id_number,phone"]
        rows += [f"YY{i},2026-11-23,09:00,10:00,hukou-move,family,{p['name']},{p['id']},{p['phone']}"
                 for i, p in enumerate(booked)]
        csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
        assert main(["--log-file", str(log_file), "appointments", "import", str(csv),
                     "--config", str(sample_hall_path()), "--db", str(db)]) == 0
        handler = logs.setup(level=logging.DEBUG, log_file=log_file, max_bytes=4_000, backups=50)

        with LocalHall(hall, db, clock=clock) as local:
            kiosks = [local.client("K1"), local.client("K2")]
            pad, guide, screen = local.client("P-S01"), local.guide("G1"), local.client("D-S01")
            pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
            for i, person in enumerate(crowd):
                matter, situation = MATTERS[i % len(MATTERS)]
                view = kiosks[i % 2].request("ticket.issue", {
                    "matter": matter, "situation": situation, "name": person["name"],
                    "id_number": person["id"].lower() if i % 5 == 0 else person["id"], "phone": person["phone"],
                })["ticket"]
                printed += slip_bytes(view, hall.name)
                logging.getLogger("hallq.kiosk").debug("issued %s to %s", view["number"], view["applicant"])
                clock.advance(60)
            for i, wrong in enumerate(mistyped):
                with pytest.raises(RequestError) as err:
                    kiosks[0].request("ticket.issue", {"matter": "id-card", "situation": "renew",
                                                       "id_number": wrong, "phone": crowd[i]["phone"]})
                assert err.value.code == "invalid_id_number"
            with pytest.raises(RequestError):  # same person, same matter, still waiting
                kiosks[1].request("ticket.issue", {"matter": "hukou-move", "situation": "with-house",
                                                   "id_number": crowd[0]["id"], "phone": crowd[0]["phone"]})
            for person in booked[:4]:
                view = kiosks[0].request("appointment.checkin", {"id_number": person["id"]})["ticket"]
                printed += slip_bytes(view, hall.name)
            for _ in range(8):
                called = pad.request("ticket.call_next", {"window": "S01"})["ticket"]
                pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
                screen.request("evaluation.submit", {"window": "S01", "level": 5, "ticket": called["id"]})
                clock.advance(300)
            guide.request("tickets.list", {"state": "all"})
            assert main(["state", "--mqtt", local.url, "--hall", hall.id, "--json"]) == 0
            guide.request("tickets.expire", {"reason": "end of day"})
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    out, err = capfd.readouterr()

    needles = [p["id"] for p in crowd + booked] + [p["id"].lower() for p in crowd + booked] + mistyped
    needles += [p["phone"] for p in crowd + booked]
    assert all(idcard.is_valid_id(p["id"]) for p in crowd + booked)
    places: dict[str, bytes] = {"stdout": out.encode(), "stderr": err.encode(), "slips": bytes(printed)}
    for path in sorted(day_dir.rglob("*")):
        if path.is_file() and path.name != "appointments.csv":  # the booking system's export, input only
            places[str(path.relative_to(day_dir))] = path.read_bytes()
    assert any(name.startswith("hall.db") for name in places)
    assert sum(1 for name in places if name.startswith("logs/")) >= 2, "the log should have rotated"
    leaks = {name: found for name, data in places.items() if (found := any_of(data, needles))}
    assert leaks == {}
    for name, data in places.items():
        for text in (data.decode("utf-8", "ignore"), data.decode("gb18030", "ignore")):
            assert not idcard.looks_like_full_id(text), name
    assert b"141002********" in bytes(printed) or b"440524********" in bytes(printed)  # masked forms were printed

    # the database kept what "one active ticket per person" and the reports need
    with sqlite3.connect(db) as conn:
        masked = conn.execute("SELECT COUNT(*) FROM tickets WHERE id_masked != '' AND id_hash != ''").fetchone()[0]
        assert masked >= len(crowd)


def test_purge_blanks_personal_fields_and_keeps_statistics(tmp_path: Path) -> None:
    clock = FakeClock(local_ts(2026, 11, 20, 9, 0))
    hall = open_all_day(load_hall(sample_hall_path()))
    db = tmp_path / "hall.db"
    crowd = people(6)
    with LocalHall(hall, db, clock=clock) as local:
        kiosk, pad = local.client("K1"), local.client("P-S01")
        pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
        for person in crowd[:3]:
            kiosk.request("ticket.issue", {"matter": "id-card", "situation": "renew", "name": person["name"],
                                           "id_number": person["id"], "phone": person["phone"]})
        pad.request("ticket.call_next", {"window": "S01"})
        pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
        clock.now = local_ts(2026, 11, 23, 9, 0)  # three days later
        for person in crowd[3:]:
            kiosk.request("ticket.issue", {"matter": "id-card", "situation": "renew", "name": person["name"],
                                           "id_number": person["id"], "phone": person["phone"]})

    def counts() -> dict[str, Any]:
        with sqlite3.connect(db) as conn:
            return {
                "per_day": conn.execute("SELECT day, COUNT(*), SUM(state='accepted') FROM tickets GROUP BY day"
                                        " ORDER BY day").fetchall(),
                "events": conn.execute("SELECT COUNT(*) FROM events").fetchone()[0],
                "personal": conn.execute("SELECT day, COUNT(*) FROM tickets WHERE applicant_masked != '' OR "
                                         "id_masked != '' OR id_hash != '' OR phone_masked != '' GROUP BY day"
                                         " ORDER BY day").fetchall(),
            }

    before = counts()
    assert before["personal"] == [("2026-11-20", 3), ("2026-11-23", 3)]
    result = purge(db, 2, today=dt.date(2026, 11, 23))
    assert result.cutoff == "2026-11-21" and result.tickets == 3 and result.events >= 3
    after = counts()
    assert after["per_day"] == before["per_day"] and after["events"] == before["events"]
    assert after["personal"] == [("2026-11-23", 3)]
    with sqlite3.connect(db) as conn:
        old = [r[0] for r in conn.execute("SELECT data FROM events WHERE day='2026-11-20'")]
        assert not any(crowd[0]["name"][0] + "*" in d or "id_hash\":\"" + "a" in d for d in old if "issued" in d)
        assert all('"id_masked":""' in d for d in old if '"id_masked"' in d)
    # statistics still work on purged days (the reports read tickets and events)
    assert main(["purge", "--db", str(db), "--older-than-days", "0", "--today", "2026-11-23"]) == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM tickets WHERE id_hash != ''").fetchone()[0] == 3  # today's stay
