"""Copies of a real hub database: taken while it is written, checked, marked .ok, rotated; a bad
place to write gives a Chinese error and leaves nothing half-made; [backup] in the hall file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest

from hub import backup
from hub.backup import version_of
from hub.config import ConfigError, parse_hall
from hub.hall import BackupRules, Hall
from hub.service import HubService
from hub.store import SCHEMA_VERSION, Store
from launcher.samples import sample_hall_path
from tests.hub.hub_helpers import FakeClock, local_ts, req, wait_for

AT = local_ts(2026, 11, 23, 10, 30)  # 02:30 UTC


def a_day(hall: Hall, db: Path, tickets: int) -> Store:
    store = Store(db, durable=False)
    service = HubService(hall, store, b"k" * 32, FakeClock(local_ts(2026, 11, 23, 9, 0)), rate_limit=False)
    for i in range(tickets):
        service.handle("K1", req("ticket.issue", {"matter": "id-card", "situation": "renew"}, rid=f"r{i}"))
    return store


def test_a_copy_is_checked_marked_and_named_by_the_hall_and_utc_time(hall: Hall, tmp_path: Path) -> None:
    store = a_day(hall, tmp_path / "hub.db", 5)
    path = backup.take(store.path, tmp_path / "copies", "lvliang", AT, keep=3)
    assert path.name == "lvliang-20261123T023000Z.db"
    assert path.with_name(path.name + ".ok").exists()
    assert not list((tmp_path / "copies").glob("*.part"))
    copy = sqlite3.connect(path)
    assert copy.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 5
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert version_of(path) == SCHEMA_VERSION
    assert backup.integrity(path) == ""


def test_rotation_keeps_the_newest_copies_of_this_hall_only(hall: Hall, tmp_path: Path) -> None:
    store = a_day(hall, tmp_path / "hub.db", 1)
    folder = tmp_path / "copies"
    folder.mkdir()
    (folder / "other-20200101T000000Z.db").write_bytes(b"x")  # another hall's copy: not ours to delete
    (folder / "other-20200101T000000Z.db.ok").write_text("ok")
    made = [backup.take(store.path, folder, "lvliang", AT + 60 * i, keep=3) for i in range(5)]
    assert backup.copies(folder, "lvliang") == made[2:]
    assert backup.newest(folder, "lvliang") == made[-1]
    assert not made[0].exists() and not made[0].with_name(made[0].name + ".ok").exists()
    assert (folder / "other-20200101T000000Z.db").exists()


def test_a_copy_taken_while_the_hub_writes_is_whole(hall: Hall, tmp_path: Path) -> None:
    """The writer goes on during the copy (WAL: a reader never blocks it); the copy is one moment."""
    store = a_day(hall, tmp_path / "hub.db", 200)
    stop = threading.Event()
    written = []

    def write() -> None:
        service = HubService(hall, store, b"k" * 32, FakeClock(local_ts(2026, 11, 23, 9, 0)), rate_limit=False)
        i = 0
        while not stop.is_set():
            service.handle("K2", req("ticket.issue", {"matter": "id-card", "situation": "renew"}, rid=f"w{i}"))
            written.append(i)
            i += 1

    t = threading.Thread(target=write)
    t.start()
    try:
        wait_for(lambda: len(written) >= 5)
        path = backup.take(store.path, tmp_path / "copies", "lvliang", AT, keep=3)
    finally:
        stop.set()
        t.join()
    assert len(written) >= 5  # the hub was writing
    copy = sqlite3.connect(path)
    n = copy.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    events = copy.execute("SELECT COUNT(*) FROM events WHERE type='ticket.issued'").fetchone()[0]
    assert 200 <= n == events  # projections and log from the same moment
    assert backup.integrity(path) == ""


def test_a_folder_that_cannot_be_written_is_a_chinese_error_and_no_ok(hall: Hall, tmp_path: Path) -> None:
    store = a_day(hall, tmp_path / "hub.db", 1)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the backup disk should be mounted")
    with pytest.raises(backup.BackupError) as info:
        backup.take(store.path, blocker / "copies", "lvliang", AT, keep=3)
    assert "无法写入备份目录" in str(info.value)
    assert blocker.read_text().startswith("a file")


def test_a_full_disk_is_said_so(hall: Hall, tmp_path: Path) -> None:
    """`hallq backup` with 64 KB of room left (RLIMIT_FSIZE): a short copy is refused, removed, never .ok."""
    store = a_day(hall, tmp_path / "hub.db", 50)
    store.close()
    conf = tmp_path / "hall.toml"
    conf.write_text(sample_hall_path().read_text(encoding="utf-8"), encoding="utf-8")
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            "resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536)); "
            "from launcher.cli import main; sys.exit(main(sys.argv[1:]))")
    out = tmp_path / "copies"
    run = subprocess.run([sys.executable, "-c", code, "backup", "--config", str(conf), "--db", str(tmp_path / "hub.db"),
                          "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "备份失败" in run.stderr and "备份盘已满" in run.stderr, run.stderr
    assert list(out.iterdir()) == []


def test_hallq_backup_writes_into_the_hall_files_backup_dir(hall: Hall, tmp_path: Path) -> None:
    from launcher.cli import main

    a_day(hall, tmp_path / "hub.db", 3).close()
    folder = tmp_path / "nas"
    conf = tmp_path / "hall.toml"
    conf.write_text(sample_hall_path().read_text(encoding="utf-8") + f'\n[backup]\ndir = "{folder}"\nkeep = 2\n',
                    encoding="utf-8")
    assert main(["backup", "--config", str(conf), "--db", str(tmp_path / "hub.db")]) == 0
    [copy] = backup.copies(folder, "lvliang")
    assert sqlite3.connect(copy).execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 3
    no_dir = tmp_path / "plain.toml"
    no_dir.write_text(sample_hall_path().read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["backup", "--config", str(no_dir), "--db", str(tmp_path / "hub.db")]) == 2


def _hall(extra: str) -> Hall:
    text = sample_hall_path().read_text(encoding="utf-8") + extra
    return parse_hall(tomllib.loads(text), text=text)


def test_the_backup_table_of_the_hall_file() -> None:
    assert _hall("").backup == BackupRules(dir="", every_min=30, keep=48)
    assert _hall('\n[backup]\ndir = "/mnt/backup"\n').backup == BackupRules("/mnt/backup", 30, 48)
    assert _hall('\n[backup]\ndir = "/mnt/b"\nevery_min = 10\nkeep = 6\n').backup == BackupRules("/mnt/b", 10, 6)
    with pytest.raises(ConfigError) as info:
        _hall('\n[backup]\ndirr = "/mnt/b"\nevery_min = 0\nkeep = "all"\n')
    text = str(info.value)
    assert "backup.dirr" in text and "did you mean 'dir'" in text
    assert "backup.dir" in text and "缺少必填项" in text
    assert "backup.every_min" in text and "至少为 1 分钟" in text
    assert "backup.keep" in text and "应为整数" in text
    with pytest.raises(ConfigError, match="backup.dir.*应为绝对路径"):  # relative to what? the hub's working dir
        _hall('\n[backup]\ndir = "backups"\n')
    assert _hall('\n[backup]\ndir = "D:\\\\hallq-backup"\n').backup.dir == "D:\\hallq-backup"


def test_a_copy_restored_onto_a_new_empty_disk(hall: Hall, tmp_path: Path) -> None:
    """The hub's disk died: the database and its folder are gone; the copy comes back in their place."""
    store = a_day(hall, tmp_path / "hub.db", 4)
    copy = backup.take(store.path, tmp_path / "nas", "lvliang", AT, keep=3)
    store.close()
    db = tmp_path / "new-disk" / "hallq" / "hub.db"
    aside = backup.restore(db, copy, AT + 3600, SCHEMA_VERSION)
    assert not aside.exists()  # there was nothing to keep aside
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 4
    assert Store(db).tickets() and backup.integrity(copy) == ""


@pytest.mark.parametrize(("copy_meta", "current_meta", "restored"), [
    ({"epoch": 1}, {"epoch": 3}, {"epoch": 3, "fenced": 0}),  # copy from before a promotion: devices saw 3
    ({"epoch": 1}, {"epoch": 1, "fenced": 2}, {"epoch": 1, "fenced": 2}),  # an old primary stays fenced
    ({"epoch": 4, "fenced": 5}, {"epoch": 2}, {"epoch": 4, "fenced": 5}),  # never lowered by the restore
])
def test_a_restore_keeps_the_higher_epoch_and_fence(hall: Hall, tmp_path: Path, copy_meta: dict[str, int],
                                                     current_meta: dict[str, int], restored: dict[str, int]) -> None:
    """Devices drop an older hub's messages (hallq/client.py): a hub restarted on a copy from before a
    promotion must not come back under an older epoch, nor an old primary's copy lose its fence."""
    from hub.store import epoch_of

    store = a_day(hall, tmp_path / "hub.db", 2)
    for key, value in copy_meta.items():
        store.set_meta(key, value)
    store.conn.commit()
    copy = backup.take(store.path, tmp_path / "nas", "lvliang", AT, keep=3)
    for key in ("epoch", "fenced"):
        store.set_meta(key, current_meta.get(key, 0))
    store.conn.commit()
    store.close()
    backup.restore(tmp_path / "hub.db", copy, AT + 60, SCHEMA_VERSION)
    back = Store(tmp_path / "hub.db")
    try:
        assert epoch_of(back) == restored["epoch"]
        assert int(back.meta("fenced") or 0) == restored["fenced"]
        assert len(back.tickets()) == 2  # the copy's day, not the replaced file's
    finally:
        back.close()


def test_a_damaged_copy_is_not_restored_and_the_database_stays(hall: Hall, tmp_path: Path) -> None:
    store = a_day(hall, tmp_path / "hub.db", 2)
    copy = backup.take(store.path, tmp_path / "nas", "lvliang", AT, keep=3)
    store.close()
    data = bytearray(copy.read_bytes())
    data[4096 * 2:4096 * 4] = b"\xff" * 8192  # pages of the copy overwritten: a failing backup disk
    copy.write_bytes(bytes(data))
    before = (tmp_path / "hub.db").read_bytes()
    with pytest.raises(backup.BackupError, match="校验失败，未恢复"):
        backup.restore(tmp_path / "hub.db", copy, AT + 60, SCHEMA_VERSION)
    assert (tmp_path / "hub.db").read_bytes() == before
    assert not list(tmp_path.glob("hub.db.before-restore-*"))


def test_hallq_restore_latest_takes_the_newest_checked_copy(hall: Hall, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from launcher.cli import main

    folder = tmp_path / "nas"
    conf = tmp_path / "hall.toml"
    conf.write_text(sample_hall_path().read_text(encoding="utf-8") + f'\n[backup]\ndir = "{folder}"\n',
                    encoding="utf-8")
    store = a_day(hall, tmp_path / "hub.db", 2)
    backup.take(store.path, folder, "lvliang", AT, keep=5)
    store.close()
    store = a_day(hall, tmp_path / "hub.db", 3)  # the same request ids r0, r1 again, and r2: three in all
    newest = backup.take(store.path, folder, "lvliang", AT + 60, keep=5)
    store.close()
    (folder / "lvliang-20991231T000000Z.db").write_bytes(b"no .ok: never checked")  # not trusted, not taken
    db = tmp_path / "restored" / "hub.db"
    capsys.readouterr()
    assert main(["restore", "--config", str(conf), "--db", str(db), "--from", "latest"]) == 0
    assert str(newest) in capsys.readouterr().out
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 3  # the older copy: 2
    empty = tmp_path / "empty.toml"
    empty.write_text(sample_hall_path().read_text(encoding="utf-8") + f'\n[backup]\ndir = "{tmp_path / "none"}"\n',
                     encoding="utf-8")
    assert main(["restore", "--config", str(empty), "--db", str(db), "--from", "latest"]) == 1
    assert "没有本大厅" in capsys.readouterr().err
