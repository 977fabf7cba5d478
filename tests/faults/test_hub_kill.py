"""kill -9 the hub in the middle of a burst of ticket requests, many times in a row.

Several kiosks issue tickets back to back; each request keeps its request id through
every retry (the only safe retry: the hub answers a repeated id with the first answer).
The hub is a real subprocess killed with SIGKILL at random moments and restarted on the
same database. Afterwards every acknowledged ticket exists exactly once, with the number
it was acknowledged with, numbers are contiguous (A001…A0nn, no gap, no repeat) and the
event log agrees with the projections.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from hallq import protocol as p
from hallq.client import RequestError, RequestTimeout
from hub.config import load_hall

from .conftest import HubProc, client, hall_file

ROUNDS = 6
KIOSKS = 4
DEADLINE_S = 90.0  # a request that never gets an answer fails the test instead of hanging


def a_situation(config: Path) -> tuple[str, str]:
    hall = load_hall(config)
    for m in hall.matters.values():
        for s in m.situations:
            if s.queue == "A" and not (s.online or s.consult_only or s.assist):
                return m.id, s.id
    raise AssertionError("the sample hall has no plain queue-A situation")


class Kiosk(threading.Thread):
    """Issues tickets until told to stop; retries each request with its own id until answered."""

    def __init__(self, url: str, hall: str, device: str, matter: tuple[str, str], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.c = client(url, hall, device, "kiosk")
        self.matter = matter
        self.stop_flag = stop
        self.acked: dict[str, dict[str, Any]] = {}  # request id -> ticket as acknowledged
        self.retries = 0
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop_flag.is_set():
                rid = p.new_request_id()
                args = {"matter": self.matter[0], "situation": self.matter[1]}
                deadline = time.monotonic() + DEADLINE_S
                while True:
                    try:
                        self.acked[rid] = self.c.request("ticket.issue", args, timeout=0.5, retries=0,
                                                         request_id=rid)["ticket"]
                        break
                    except RequestTimeout:
                        self.retries += 1
                        if time.monotonic() > deadline:
                            raise
        except (RequestError, AssertionError) as exc:
            self.failure = exc


def check_day(db: Path, acked: dict[str, dict[str, Any]]) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT id, number, queue FROM tickets").fetchall()
        issued = conn.execute("SELECT data FROM events WHERE type='ticket.issued'").fetchall()
        requests = conn.execute("SELECT device, id, COUNT(*) FROM requests WHERE op='ticket.issue' "
                                "GROUP BY device, id HAVING COUNT(*) > 1").fetchall()
    finally:
        conn.close()
    by_id = {r[0]: r[1] for r in rows}
    assert len(by_id) == len(rows)
    assert not requests, f"a request id stored twice: {requests}"
    assert len(issued) == len(rows), "event log and tickets disagree"
    # every acknowledged ticket exists, with the number it was acknowledged with
    for rid, t in acked.items():
        assert by_id.get(t["id"]) == t["number"], f"acknowledged {t['number']} (request {rid}) is lost"
    # no two requests were given the same ticket
    ack_ids = [t["id"] for t in acked.values()]
    assert len(set(ack_ids)) == len(ack_ids), "two requests were acknowledged with the same ticket"
    # every request was answered, so every ticket in the database was acknowledged: nothing extra
    assert set(by_id) == set(ack_ids), f"tickets nobody asked for: {sorted(set(by_id) - set(ack_ids))[:5]}"
    numbers = sorted(int(n[1:]) for n in by_id.values())
    assert numbers == list(range(1, len(numbers) + 1)), "ticket numbers have a gap or a repeat"
    return {"tickets": len(rows)}


@pytest.mark.slow
def test_kill9_hub_mid_burst_loses_and_duplicates_nothing(broker: Any, tmp_path: Path) -> None:
    config = hall_file(tmp_path, KIOSKS)
    hall = load_hall(config)
    db = tmp_path / "hall.db"
    hub = HubProc(config, db, broker.url).start()
    stop = threading.Event()
    kiosks = [Kiosk(broker.url, hall.id, f"K{i}", a_situation(config), stop) for i in range(1, KIOSKS + 1)]
    rng = random.Random(7)
    try:
        for k in kiosks:
            k.start()
        acked_before: list[int] = []
        for _ in range(ROUNDS):
            time.sleep(rng.uniform(0.4, 1.2))  # a burst under way
            hub.kill()
            acked_before.append(sum(len(k.acked) for k in kiosks))
            time.sleep(rng.uniform(0.0, 0.4))  # clients keep retrying into the void
            hub.start()
        time.sleep(1.0)
        stop.set()
        for k in kiosks:
            k.join(DEADLINE_S + 10)
            assert not k.is_alive(), "a kiosk never got its answer"
            assert k.failure is None, f"{k.c.device}: {k.failure}"
    finally:
        stop.set()
        hub.stop()
        for k in kiosks:
            k.c.stop()
    acked = {rid: t for k in kiosks for rid, t in k.acked.items()}
    result = check_day(db, acked)
    assert result["tickets"] > acked_before[0] > 0, "the burst did not get going"
    assert sum(k.retries for k in kiosks) > 0, "no request was ever in flight during a kill"
    assert hub.starts == ROUNDS + 1
