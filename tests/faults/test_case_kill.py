"""kill -9 the hub while a back office signs for cases: every acknowledged case step survives, once.

The hub is a real subprocess on a real SQLite file. A window accepts six cases; then the
department's back office signs for them one by one, each request keeping its id through every
retry, while the hub is killed with SIGKILL and restarted twice. Afterwards every acknowledged
受理 and 签收 is in the store exactly once (one ``case.signed`` event per case), the ``cases``
projection agrees with the CaseBook replayed from the log, and no case was lost.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from hallq import clock as hallclock
from hallq import protocol as p
from hub.config import load_hall
from hub.store import Store

from .conftest import HubProc, client, hall_file

RENEW = {"matter": "id-card", "situation": "renew"}  # 公安局, queue A
CASES = 6


def test_kill9_while_signing_for_cases_loses_and_duplicates_nothing(broker: Any, tmp_path: Path) -> None:
    config = hall_file(tmp_path, 2)
    # the subprocess runs on the hall clock (a year ahead in the suite): describe that year and the next in the
    # hall file, whatever the installed chinese-calendar knows
    year = hallclock.today().year
    cases = f'\n[cases]\nown_years = [{year}, {year + 1}]\ndays_off = ["{year}-01-01", "{year + 1}-01-01"]\n'
    config.write_text(config.read_text(encoding="utf-8") + cases
                      + '\n[[devices]]\nid = "B-GA"\nrole = "backoffice"\ndepartment = "公安局"\n', encoding="utf-8")
    hall = load_hall(config)
    db = tmp_path / "hall.db"
    hub = HubProc(config, db, broker.url).start()
    kiosk, pad = client(broker.url, hall.id, "K1", "kiosk"), client(broker.url, hall.id, "P-S01", "pad")
    office = client(broker.url, hall.id, "B-GA", "backoffice")
    signed: dict[str, dict[str, Any]] = {}
    failure: list[BaseException] = []
    try:
        pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
        office.request("backoffice.login", {"staff": "3001", "pin": "1234"})  # the hall requires the desk's clerk
        accepted = []
        for _ in range(CASES):
            ticket = kiosk.request("ticket.issue", RENEW)["ticket"]["id"]
            pad.request("ticket.call_next", {"window": "S01"})
            pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
            accepted.append(pad.request("case.accept", {"window": "S01", "ticket": ticket})["case"]["id"])

        def sign_all() -> None:
            try:
                for case in accepted:
                    rid = p.new_request_id()  # one id per step, kept through every retry
                    signed[case] = office.request("case.sign", {"case": case}, request_id=rid, timeout=1.0,
                                                  retries=60)["case"]
                    time.sleep(0.15)
            except BaseException as exc:  # reported by the main thread
                failure.append(exc)

        worker = threading.Thread(target=sign_all, daemon=True)
        worker.start()
        rng = random.Random(11)
        for _ in range(2):
            time.sleep(rng.uniform(0.1, 0.4))
            hub.kill()
            time.sleep(rng.uniform(0.0, 0.3))
            hub.start()
        worker.join(120)
        assert not worker.is_alive(), "the back office never got its answers"
        assert failure == [], failure
    finally:
        hub.stop()
        for c in (kiosk, pad, office):
            c.stop()
    assert hub.starts == 3
    assert set(signed) == set(accepted)
    assert {c["state"] for c in signed.values()} == {"in_review"}
    with sqlite3.connect(db) as conn:
        counts: dict[str, int] = {}
        for (data,) in conn.execute("SELECT data FROM events WHERE type='case.signed'"):
            case = json.loads(data)["case"]
            counts[case] = counts.get(case, 0) + 1
    assert counts == dict.fromkeys(accepted, 1)  # acknowledged once, stored once: no step lost or doubled
    store = Store(db, durable=False)
    try:
        rows = {r["id"]: r["state"] for r in store.cases()}
        assert rows == dict.fromkeys(accepted, "in_review")
        from hub.case_desk import new_book

        book = store.load_cases(new_book(hall))
        assert {c.id: c.state.value for c in book.cases.values()} == rows
    finally:
        store.close()
