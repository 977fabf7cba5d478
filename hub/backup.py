"""Copies of the hall's database: online backups, their checks and rotation, restore, the hub's lock.

A copy is taken with SQLite's backup API from a connection of its own, 1 MB a step, all steps in
one read transaction (one snapshot; in WAL mode a reader never blocks the hub's writer), each
step flushed to disk before the next, so commands go on while the pages are copied
(:func:`copy_db`; ``bench/bench_backup.py`` measures it). A copy is first written
as ``<name>.part``, checked with ``PRAGMA integrity_check``, renamed to
``<hall id>-<UTC YYYYMMDDTHHMMSSZ>.db`` and only then marked with a sibling ``.ok`` file; the
newest ``keep`` checked copies of the hall are kept. ``hallq doctor`` reads the age of the newest
``.ok``.

While a hub runs on a database it holds a shared ``flock`` on ``<db>.lock``; :func:`restore`
needs the exclusive lock, so it refuses while any hub has the file open (a killed hub's lock goes
with its process). Nothing here reads the wall clock: the time of a copy is passed in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from hub.hall import BackupRules

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock (the hub runs on Linux; docs/operations.md)
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("hallq.hub")

NAME = re.compile(r"^(?P<hall>[A-Za-z0-9_-]+)-(?P<stamp>\d{8}T\d{6}Z)\.db$")
LOCK_SUFFIX = ".lock"


class BackupError(Exception):
    """A copy, a check or a restore failed. ``words``: what happened, in short Chinese (the guide
    console shows it); ``str()`` adds the details (the path, the system's error) for the log."""

    def __init__(self, words: str, detail: str = "") -> None:
        super().__init__(f"{words} ({detail})" if detail else words)
        self.words = words


def stamp(at: float) -> str:
    """``YYYYMMDDTHHMMSSZ`` (UTC) of a hall-clock time: the copies' names sort by time."""
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def copy_name(hall_id: str, at: float) -> str:
    return f"{hall_id}-{stamp(at)}.db"


# ---------------------------------------------------------------- one copy


STEP_PAGES = 256  # 1 MB of 4 KB pages per step
STEP_SLEEP = 0.005


def copy_db(source: Path, target: Path, *, pages: int = STEP_PAGES, sleep: float = STEP_SLEEP) -> None:
    """``source`` copied page by page into a new file ``target`` (SQLite's online backup), then
    flushed to disk.

    One read transaction is held over every step, so all steps copy the same snapshot (a writer on
    another connection then never makes the backup start over) and, in WAL mode, the hub's writer
    is never blocked. Each step's pages are flushed to disk before the next (``fdatasync``): a copy
    that let 100 MB of dirty pages pile up made the kernel write them all at once, and the hub's own
    commit (``fsync`` of its WAL) waited behind them for up to ~130 ms (bench/bench_backup.py)."""
    if not source.exists():
        raise BackupError(f"找不到数据库 {source}", "database not found")
    target.unlink(missing_ok=True)
    src = sqlite3.connect(str(source), isolation_level=None, check_same_thread=False)
    fd: list[int] = []

    def flushed(_status: int, _remaining: int, _total: int) -> None:
        if not fd and target.exists():
            fd.append(os.open(target, os.O_RDONLY))
        if fd:
            os.fdatasync(fd[0])

    try:
        src.execute("PRAGMA busy_timeout=5000")
        src.execute("BEGIN")  # one snapshot for every step (read-only: WAL never blocks the writer)
        src.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        dst = sqlite3.connect(str(target))
        try:
            dst.execute("PRAGMA synchronous=OFF")  # flushed step by step above, and once at the end
            src.backup(dst, pages=pages, sleep=sleep, progress=flushed)
            dst.execute("PRAGMA journal_mode=DELETE")  # a copy is one self-contained file
        finally:
            dst.close()
    finally:
        for handle in fd:
            os.close(handle)
        if src.in_transaction:
            src.execute("COMMIT")
        src.close()
    with open(target, "rb+") as f:
        os.fsync(f.fileno())


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of a copy: "" when sound, else what SQLite found (first lines)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchmany(5)]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return str(exc)
    if rows != ["ok"]:
        return "; ".join(rows)
    if not {"events", "meta"} <= tables:
        return "不是 hallq 数据库 (no events/meta tables)"
    return ""


def words(exc: BaseException) -> tuple[str, str]:
    """(short Chinese words, the details) of a failed write: a full disk is said so."""
    text = str(exc)
    full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
    if full or "disk is full" in text:
        return "备份盘已满", text
    if isinstance(exc, sqlite3.Error) and "I/O" in text:
        return "写入备份时磁盘出错（备份盘已满或损坏）", text
    if isinstance(exc, PermissionError):
        return "没有写入备份目录的权限", text
    if isinstance(exc, OSError):
        return "无法写入备份目录", text
    return "备份出错", text


def room(db: Path, folder: Path) -> None:
    """:class:`BackupError` when ``folder`` has less free space than the database needs."""
    need = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())
    free = shutil.disk_usage(folder).free
    if free < need:
        raise BackupError(f"备份盘空间不足：只剩 {free // 2**20} MB，数据库需要约 {need // 2**20 + 1} MB",
                          f"{folder}: {free} bytes free, {need} needed")


def take(db: Path, folder: Path, hall_id: str, at: float, keep: int, *, pages: int = STEP_PAGES,
         sleep: float = STEP_SLEEP) -> Path:
    """One checked copy of ``db`` in ``folder`` (marked ``.ok``), then the rotation. Raises
    :class:`BackupError`; a failed copy leaves nothing behind but its message."""
    final = folder / copy_name(hall_id, at)
    while final.exists():  # two copies in one second (the timer's and `hallq backup`): the next second's name
        at += 1
        final = folder / copy_name(hall_id, at)
    part = final.with_name(final.name + ".part")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        room(db, folder)
        t0 = time.perf_counter()
        copy_db(db, part, pages=pages, sleep=sleep)
        t1 = time.perf_counter()
        problem = integrity(part)
        if problem:
            raise BackupError("备份副本校验失败", f"integrity check: {problem}")
        t2 = time.perf_counter()
        os.replace(part, final)
        ok = final.with_name(final.name + ".ok")
        ok.write_text(f"integrity_check ok {stamp(at)} bytes={final.stat().st_size} copy_s={t1 - t0:.3f} "
                      f"check_s={t2 - t1:.3f}\n", encoding="utf-8")
        _fsync_dir(folder)
    except BackupError:
        part.unlink(missing_ok=True)
        raise
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        raise BackupError(*words(exc)) from exc
    rotate(folder, hall_id, keep)
    return final


def copies(folder: Path, hall_id: str) -> list[Path]:
    """The hall's checked copies (with their ``.ok``) in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if (m := NAME.match(p.name)) and m["hall"] == hall_id
             and p.with_name(p.name + ".ok").exists()]
    return sorted(found, key=lambda p: p.name)


def newest(folder: Path, hall_id: str) -> Path | None:
    found = copies(folder, hall_id)
    return found[-1] if found else None


def rotate(folder: Path, hall_id: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` checked copies; returns the deleted ones."""
    gone = copies(folder, hall_id)[:-keep] if keep > 0 else []
    for p in gone:
        p.with_name(p.name + ".ok").unlink(missing_ok=True)  # first: a copy without .ok is not trusted
        p.unlink(missing_ok=True)
    return gone


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------- the hub's lock


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + LOCK_SUFFIX)


def hold(db: Path) -> IO[bytes] | None:
    """The running hub's shared lock on its database (kept until the file is closed or the process
    ends). Several hubs of one process (tests) may hold it; :func:`restore` cannot while any does."""
    if fcntl is None:  # pragma: no cover
        return None
    db.parent.mkdir(parents=True, exist_ok=True)
    f = open(lock_path(db), "ab")  # noqa: SIM115 - held for the hub's lifetime
    fcntl.flock(f.fileno(), fcntl.LOCK_SH)
    return f


@contextlib.contextmanager
def exclusive(db: Path) -> Iterator[None]:
    """The database to ourselves, or :class:`BackupError` if a hub is running on it."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    with open(lock_path(db), "ab") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"大厅服务器正在使用数据库 {db}，请先停止 hallq hub 再恢复 "
                              "(a hub is running on this database: stop it first)") from None
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


# ---------------------------------------------------------------- restore


def version_of_conn(conn: sqlite3.Connection) -> int:
    """The schema version of an open hallq database: ``PRAGMA user_version``, else ``meta.schema`` (a
    database of the first releases, schema 1), else 0 (a new, empty file). See :mod:`hub.store`."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version:
        return version
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
    if not has_meta:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
    return int(json.loads(row[0])) if row else 0


def version_of(path: str | Path) -> int:
    """:func:`version_of_conn` of a database file, opened read-only."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return version_of_conn(conn)
    finally:
        conn.close()


def restore(db: Path, copy: Path, at: float, schema: int) -> Path:
    """Put ``copy`` in place of ``db``; the current database (with its WAL) is kept aside as
    ``<db>.before-restore-<stamp>``, never deleted. Refuses while a hub runs on ``db``, a copy that
    fails its check, and a copy newer than ``schema`` (this hallq's). Returns where the current database
    went (that path does not exist when there was none)."""
    if not copy.is_file():
        raise BackupError(f"找不到备份副本 {copy} (copy not found)")
    db.parent.mkdir(parents=True, exist_ok=True)  # the hub's disk was replaced: an empty folder, or none
    with exclusive(db):
        problem = integrity(copy)
        if problem:
            raise BackupError(f"备份副本 {copy} 校验失败，未恢复 (the copy failed its check): {problem}")
        found = version_of(copy)
        if found > schema:
            raise BackupError(f"备份副本是第 {found} 版数据库，本程序只认识到第 {schema} 版，请先升级 hallq "
                              f"(the copy's schema {found} is newer than this hallq's {schema})")
        incoming = db.with_name(db.name + ".restoring")
        try:
            copy_db(copy, incoming)
        except (OSError, sqlite3.Error) as exc:
            incoming.unlink(missing_ok=True)
            raise BackupError(*words(exc)) from exc
        aside = db.with_name(f"{db.name}.before-restore-{stamp(at)}")
        for suffix in ("", "-wal", "-shm"):
            current = Path(f"{db}{suffix}")
            if current.exists():
                os.replace(current, Path(f"{aside}{suffix}"))
        os.replace(incoming, db)
        _fsync_dir(db.parent)
    return aside


# ---------------------------------------------------------------- the hub's timer


@dataclass(frozen=True)
class Result:
    at: float
    path: Path | None
    error: str = ""  # the short Chinese words (BackupError.words)
    seconds: float = 0.0
    detail: str = ""  # str() of the error: with the path and the system's words


class Backups:
    """The hub's own copies, every ``every_min`` minutes of the hall clock and at close.

    The hub's worker calls :meth:`poll` on its loop: it starts a copy on a thread of its own when
    one is due (the worker goes on serving commands) and returns the result of a finished one, once,
    so the worker can publish the hub's status. :meth:`close` takes the last copy and waits for it.
    A failure is logged in Chinese and reported; it never stops the hall."""

    def __init__(self, db: Path, rules: BackupRules, hall_id: str, clock: Callable[[], float],
                 monotonic: Callable[[], float]) -> None:
        self.db = db
        self.rules = rules
        self.folder = Path(rules.dir)
        self.hall_id = hall_id
        self.clock = clock
        self.monotonic = monotonic  # the copy's duration
        self.next_at = clock() + rules.every_min * 60
        self.last: Result | None = None
        self.last_ok: Result | None = None
        self._thread: threading.Thread | None = None
        self._done: Result | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def poll(self) -> Result | None:
        """Start a due copy; return a finished copy's result (once)."""
        with self._lock:
            done, self._done = self._done, None
        now = self.clock()
        if not self.running and now >= self.next_at:
            self.next_at = now + self.rules.every_min * 60
            self._thread = threading.Thread(target=self._run, args=(now,), name="hallq-backup", daemon=True)
            self._thread.start()
        return done

    def close(self) -> Result:
        """The copy at close (shutdown): waits for a running one first, then takes its own."""
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._done = None
        return self.once(self.clock())

    def once(self, at: float) -> Result:
        started = self.monotonic()
        try:
            path = take(self.db, self.folder, self.hall_id, at, self.rules.keep)
        except BackupError as exc:
            result = Result(at, None, exc.words, self.monotonic() - started, str(exc))
            log.error("备份失败：%s；大厅照常运行，请检查备份目录 %s (backup failed; the hall goes on)", exc,
                      self.folder, extra={"code": "backup_failed", "dir": str(self.folder)})
        else:
            result = Result(at, path, "", self.monotonic() - started)
            self.last_ok = result
            log.info("备份完成 %s（%.1f 秒）", path, result.seconds,
                     extra={"code": "backup_ok", "path": str(path), "seconds": round(result.seconds, 3)})
        self.last = result
        return result

    def _run(self, at: float) -> None:
        result = self.once(at)
        with self._lock:
            self._done = result

    def status(self) -> dict[str, object]:
        """The ``backup`` table of the hub's ``status/hub`` (and its ``error`` words while failing)."""
        out: dict[str, object] = {"dir": str(self.folder), "every_min": self.rules.every_min}
        if self.last_ok is not None and self.last_ok.path is not None:
            out["ok_at"] = self.last_ok.at
            out["copy"] = self.last_ok.path.name
        if self.last is not None and self.last.error:
            out["error"] = self.last.error
            out["detail"] = self.last.detail
            out["failed_at"] = self.last.at
        return out
