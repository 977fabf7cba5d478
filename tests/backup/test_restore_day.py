"""A morning over a real broker (Mosquitto): the hub's own timer takes a copy mid-day, more tickets
follow, the hub stops (and copies again at close), the mid-day copy is restored, the hub starts again
and the hall goes on from the copy: what came after it is gone, as a restore means. A backup disk
that fails is an alarm on ``status/hub`` and a Chinese log line, never a stop."""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest

from hallq.client import HallClient
from hallq.messages import DeviceStatus, decode
from hallq.protocol import ROOT
from hub import backup
from hub.hall import BackupRules, Hall
from hub.store import SCHEMA_VERSION
from launcher.cli import main
from launcher.samples import sample_hall_path
from pad.alerts import alerts
from pad.state import HallState
from tests.conftest import HubRig
from tests.hub.hub_helpers import PIN, FakeClock, local_ts, wait_for

RENEW = {"matter": "id-card", "situation": "renew"}


class Statuses:
    """The retained ``status/hub`` messages as they arrive."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, topic: str, payload: bytes) -> None:
        typed = decode(DeviceStatus, payload)  # what the guide console reads it as
        data = json.loads(payload)
        assert msgspec.to_builtins(typed.backup) == data["backup"]  # every field typed, none dropped
        with self._lock:
            self.items.append(data)

    def last(self) -> dict[str, Any]:
        with self._lock:
            return self.items[-1] if self.items else {}


def rig_with_backups(hall: Hall, url: str, tmp_path: Path, folder: Path) -> HubRig:
    unique = dataclasses.replace(hall, id=f"t{uuid.uuid4().hex[:12]}",
                                 backup=BackupRules(dir=str(folder), every_min=30, keep=10))
    return HubRig(unique, url, tmp_path / "hub.db", FakeClock(local_ts(2026, 11, 23, 9, 0)))


def watch_status(rig: HubRig) -> Statuses:
    seen = Statuses()
    topic = rig.client("G1", "guide").topics.status("hub")
    spy = HallClient(rig.url, rig.hall.id, "spy", "admin", subscriptions=(topic,))
    spy.on_raw(topic, seen)
    rig.clients.append(spy.start(10))
    return seen


def tickets_in(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT number FROM tickets")}
    finally:
        conn.close()


def test_a_mid_day_copy_restored_and_the_hall_goes_on(hall: Hall, mosquitto: str, tmp_path: Path) -> None:
    folder = tmp_path / "nas"
    rig = rig_with_backups(hall, mosquitto, tmp_path, folder)
    conf = tmp_path / "hall.toml"
    conf.write_text(sample_hall_path().read_text(encoding="utf-8"), encoding="utf-8")
    try:
        rig.start_hub()
        statuses = watch_status(rig)
        kiosk, pad = rig.kiosk(), rig.pad("P-S01")
        pad.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN})
        morning = [kiosk.request("ticket.issue", RENEW)["ticket"]["number"] for _ in range(3)]
        for _ in range(2):
            pad.request("ticket.call_next", {"window": "S01"})
            pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})

        # 09:31: the hub's own timer (every 30 min of the hall clock) takes the mid-day copy
        rig.clock.advance(31 * 60)
        [copy] = wait_for(lambda: backup.copies(folder, rig.hall.id), timeout=10)
        assert copy.name == f"{rig.hall.id}-20261123T013100Z.db"
        status = wait_for(lambda: statuses.last().get("backup", {}).get("ok_at") and statuses.last())
        assert status["backup"]["copy"] == copy.name and status["error"] is None
        assert tickets_in(copy) == set(morning)

        afternoon = [kiosk.request("ticket.issue", RENEW)["ticket"]["number"] for _ in range(2)]
        called = pad.request("ticket.call_next", {"window": "S01"})["ticket"]["number"]
        assert called == morning[2]

        # no restore under a running hub: it holds the database's lock
        with pytest.raises(backup.BackupError, match="大厅服务器正在使用"):
            backup.restore(rig.db, copy, rig.clock(), SCHEMA_VERSION)
        assert main(["restore", "--config", str(conf), "--db", str(rig.db), "--from", str(copy)]) == 1
        assert tickets_in(rig.db) == set(morning + afternoon)

        rig.stop_hub()  # …and a copy at close
        at_close = backup.newest(folder, rig.hall.id)
        assert at_close is not None and at_close.name == f"{rig.hall.id}-20261123T013101Z.db"  # same second: next
        assert tickets_in(at_close) == set(morning + afternoon)

        assert main(["restore", "--config", str(conf), "--db", str(rig.db), "--from", str(copy)]) == 0
        [aside] = rig.db.parent.glob("hub.db.before-restore-*[0-9]Z")
        assert tickets_in(aside) == set(morning + afternoon)  # kept aside, never deleted
        assert tickets_in(rig.db) == set(morning)
        assert copy.exists() and backup.integrity(copy) == ""  # the copy itself is left as it was

        rig.start_hub()
        again = pad.request("ticket.call_next", {"window": "S01"})["ticket"]["number"]
        assert again == morning[2]  # waiting in the copy: called again
        pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
        new = kiosk.request("ticket.issue", RENEW)["ticket"]["number"]
        assert new == afternoon[0]  # the afternoon's tickets are gone: their numbers are given again
    finally:
        rig.close()


def test_a_failing_backup_disk_is_an_alarm_not_a_stop(hall: Hall, mosquitto: str, tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "unmounted"
    blocker.write_text("the backup disk is not mounted: a file stands where its folder should be")
    rig = rig_with_backups(hall, mosquitto, tmp_path, blocker / "hallq")
    try:
        with caplog.at_level(logging.ERROR, logger="hallq.hub"):
            rig.start_hub()
            statuses = watch_status(rig)
            kiosk = rig.kiosk()
            kiosk.request("ticket.issue", RENEW)
            rig.clock.advance(31 * 60)
            status = wait_for(lambda: statuses.last().get("error") and statuses.last(), timeout=10)
        assert status["error"] == f"备份失败：无法写入备份目录（{blocker / 'hallq'}）"
        assert "Not a directory" in status["backup"]["detail"]  # the system's words, for IT
        guide = HallState(rig.hall.id)  # the guide console's 提醒 list shows it
        guide.apply(f"{ROOT}/{rig.hall.id}/status/hub", json.dumps(status).encode())
        [alarm] = [a for a in alerts(guide, rig.clock(), {}) if a.kind == "hub"]
        assert (alarm.level, alarm.text) == ("error", f"大厅服务器告警：{status['error']}")
        assert status["backup"]["failed_at"] == rig.clock() and "ok_at" not in status["backup"]
        assert any("备份失败" in r.getMessage() and "大厅照常运行" in r.getMessage() for r in caplog.records)
        assert kiosk.request("ticket.issue", RENEW)["ticket"]["number"]  # the hall goes on

        # the disk comes back: the next copy clears the alarm
        blocker.unlink()
        rig.clock.advance(31 * 60)
        status = wait_for(lambda: statuses.last().get("error") is None and statuses.last().get("backup", {})
                          .get("ok_at") and statuses.last(), timeout=10)
        assert backup.copies(blocker / "hallq", rig.hall.id)
        guide.apply(f"{ROOT}/{rig.hall.id}/status/hub", json.dumps(status).encode())
        assert "hub" not in {a.kind for a in alerts(guide, rig.clock(), {})}
    finally:
        rig.close()
