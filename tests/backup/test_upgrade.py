"""A database made by an earlier release, opened by today's hallq: migrated in place after a copy,
then a whole day runs on it (issue, call, outcome, a case accepted) and the old day is still in
the reports. A database newer than this hallq is refused in Chinese, naming both versions.

The fixture ``tests/fixtures/hall-v1-e77cbb3.db.gz`` was made by commit e77cbb3 (main before the
case tables existed, schema 1): see tests/fixtures/README.md.
"""

from __future__ import annotations

import dataclasses
import gzip
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

from hub.backup import BackupError, integrity, restore, version_of
from hub.hall import Hall
from hub.store import SCHEMA_VERSION, Store, StoreError
from launcher.cli import main
from launcher.samples import sample_hall_path
from tests.conftest import HubRig
from tests.hub.hub_helpers import PIN, FakeClock, local_ts

FIXTURE = Path(__file__).parents[1] / "fixtures" / "hall-v1-e77cbb3.db.gz"
OLD_DAY = "2026-11-16"  # the Monday the old release simulated
APPLICANT_ID = "11010519491231002X"  # GB 11643-1999 test vector


def old_database(tmp_path: Path) -> Path:
    db = tmp_path / "hall" / "hub.db"
    db.parent.mkdir()
    with gzip.open(FIXTURE) as src, open(db, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return db


def test_the_fixture_is_the_old_release_s() -> None:
    assert FIXTURE.stat().st_size < 300_000
    with gzip.open(FIXTURE) as f:
        assert f.read(16) == b"SQLite format 3\x00"


def test_an_old_database_is_migrated_and_a_day_runs_on_it(hall: Hall, mosquitto: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    db = old_database(tmp_path)
    assert version_of(db) == 1
    old = sqlite3.connect(db)
    old_tickets = {r[0] for r in old.execute("SELECT id FROM tickets WHERE day=?", (OLD_DAY,))}
    assert len(old_tickets) == 16
    assert not old.execute("SELECT 1 FROM sqlite_master WHERE name='cases'").fetchone()  # before the case tables
    old.close()

    unique = dataclasses.replace(hall, id=f"t{uuid.uuid4().hex[:12]}")
    rig = HubRig(unique, mosquitto, db, FakeClock(local_ts(2026, 11, 23, 9, 0)))  # the Monday after
    try:
        hub = rig.start_hub()
        kept = hub.store.kept_before_migration
        assert hub.store.migrated_from == 1 and kept is not None and kept.parent == db.parent
        assert version_of(kept) == 1 and integrity(kept) == ""  # the copy before the upgrade: the old file
        kiosk, pad = rig.kiosk(), rig.pad("P-S01")
        pad.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN})
        ticket = kiosk.request("ticket.issue", {"matter": "id-card", "situation": "renew", "name": "张三",
                                                "id_number": APPLICANT_ID})["ticket"]
        assert pad.request("ticket.call_next", {"window": "S01"})["ticket"]["id"] == ticket["id"]
        pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
        case = pad.request("case.accept", {"window": "S01", "ticket": ticket["id"]})["case"]
        assert (case["state"], case["department"]) == ("accepted", "公安局")
        rig.stop_hub()
    finally:
        rig.close()

    store = Store(db)
    assert store.migrated_from == 0  # once is enough
    assert {t["id"] for t in store.tickets(OLD_DAY)} == old_tickets
    assert [c["id"] for c in store.cases()] == [case["id"]]
    store.close()
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION

    capsys.readouterr()
    out = tmp_path / "report.xlsx"
    assert main(["report", "monthly", "--date", OLD_DAY, "--db", str(db), "--out", str(out),
                 "--as-of", "2026-11-23"]) == 0
    assert "取号 17" in capsys.readouterr().out  # the old day's 16 and today's one
    assert main(["report", "daily", "--date", OLD_DAY, "--db", str(db), "--out", str(out),
                 "--as-of", "2026-11-23"]) == 0
    assert "取号 16" in capsys.readouterr().out


def test_a_database_newer_than_this_hallq_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError) as info:
        Store(db)
    text = str(info.value)
    assert f"数据库是第 {SCHEMA_VERSION + 1} 版" in text and f"只认识到第 {SCHEMA_VERSION} 版" in text
    assert db.read_bytes() == before  # nothing changed
    with pytest.raises(SystemExit) as stopped:  # `hallq hub` says so and stops
        main(["hub", "--config", str(sample_hall_path()), "--db", str(db), "--mqtt", "mqtt://127.0.0.1:1"])
    assert f"数据库是第 {SCHEMA_VERSION + 1} 版" in str(stopped.value.code)
    assert db.read_bytes() == before
    target = tmp_path / "other.db"
    Store(target).close()
    with pytest.raises(BackupError, match=f"第 {SCHEMA_VERSION + 1} 版"):
        restore(target, db, local_ts(2026, 11, 23, 9, 0), SCHEMA_VERSION)
    assert version_of(target) == SCHEMA_VERSION
