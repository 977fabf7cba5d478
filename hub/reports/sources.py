"""Where reports read from: the hub's SQLite file, the 附件3 file, the holiday file.

The database is opened read-only (a report never changes the hall's day, and a mistyped
path must not create an empty database). Events are read by the ``day`` column the store
writes with each event, so a month is one indexed range scan.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

from hallq import clock as hallclock
from hub.reports.cases import CaseRow
from hub.reports.period import Calendar, Period, parse_holidays
from hub.reports.replay import LogRow
from hub.reports.reported import ReportedFileError, parse_reported
from hub.reports.volumes import ReportedRow
from hub.store import SCHEMA_VERSION


class SourceError(Exception):
    """Input a report cannot use; the message is for the person running the report."""


class NoData(SourceError):
    pass


def _connect(db: str | Path) -> sqlite3.Connection:
    path = Path(db)
    if not path.is_file():
        raise SourceError(f"{path}: 数据库文件不存在 (no such database file)")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise SourceError(f"{path}: 不是 hallq 数据库 (not a hallq database: {exc})") from None
    if row is None or json.loads(row[0]) != SCHEMA_VERSION:
        conn.close()
        raise SourceError(f"{path}: 数据库版本不符 (schema {row[0] if row else '?'}, expected {SCHEMA_VERSION})")
    return conn


def read_rows(db: str | Path, period: Period) -> list[LogRow]:
    """The period's events in log order; :class:`NoData` (naming the days there are) if none."""
    conn = _connect(db)
    try:
        rows = [LogRow(seq, day, json.loads(data)) for seq, day, data in conn.execute(
            "SELECT seq, day, data FROM events WHERE day BETWEEN ? AND ? AND type NOT LIKE 'case.%' ORDER BY seq",
            (period.first.isoformat(), period.last.isoformat()))]
        if not any(r.data.get("type") == "ticket.issued" for r in rows):
            first, last, n = conn.execute(
                "SELECT MIN(day), MAX(day), COUNT(DISTINCT day) FROM events WHERE day != ''").fetchone()
            have = f"数据库中有 {n} 天的数据：{first} 至 {last}" if n else "数据库中没有任何数据"
            raise NoData(f"{period.label()}（{period.name}）没有取号记录 (no tickets in {db} for "
                         f"{period.first}..{period.last})；{have}")
        return rows
    finally:
        conn.close()


def read_case_rows(db: str | Path) -> list[CaseRow]:
    """Every case event (``case.*``) in log order, on any day: a case lives across periods."""
    conn = _connect(db)
    try:
        return [CaseRow(seq, day, json.loads(data)) for seq, day, data in conn.execute(
            "SELECT seq, day, data FROM events WHERE type LIKE 'case.%' ORDER BY seq")]
    finally:
        conn.close()


def read_day_tickets(db: str | Path, day: str) -> tuple[list[tuple[Any, ...]], int]:
    """A day's tickets as (state, issued_at, first_called_at, evaluation) rows, and its number of events
    (the simulator's day summary)."""
    conn = _connect(db)
    try:
        rows = conn.execute("SELECT state, issued_at, first_called_at, evaluation FROM tickets WHERE day=?",
                            (day,)).fetchall()
        events = int(conn.execute("SELECT COUNT(*) FROM events WHERE day=?", (day,)).fetchone()[0])
        return rows, events
    finally:
        conn.close()


def read_followups(db: str | Path) -> dict[str, dict[str, Any]]:
    """Every 回访/整改 recorded (``evaluation.followed_up``, on any day), the latest per ticket."""
    conn = _connect(db)
    try:
        out: dict[str, dict[str, Any]] = {}
        for (data,) in conn.execute("SELECT data FROM events WHERE type='evaluation.followed_up' ORDER BY seq"):
            d = json.loads(data)
            out[str(d.get("ticket"))] = d
        return out
    finally:
        conn.close()


def read_hall_snapshot(db: str | Path, period: Period) -> tuple[str, str, str] | None:
    """The hall file the hub ran with during ``period``: (day, version, text) of the latest
    version noted on the period's last day that has one; None if the hub noted none (older
    databases, or a database written without a hall file)."""
    conn = _connect(db)
    try:
        rows = conn.execute("SELECT key, value FROM meta WHERE key BETWEEN ? AND ? ORDER BY key DESC",
                            (f"hall_day:{period.first.isoformat()}", f"hall_day:{period.last.isoformat()}")).fetchall()
        return _first_noted(conn, rows)
    finally:
        conn.close()


def read_latest_hall(db: str | Path) -> tuple[str, str, str] | None:
    """The last hall file the hub noted in ``db``: (day, version, text); None if it noted none."""
    conn = _connect(db)
    try:
        return _first_noted(conn, conn.execute(
            "SELECT key, value FROM meta WHERE key LIKE 'hall_day:%' ORDER BY key DESC").fetchall())
    finally:
        conn.close()


def _first_noted(conn: sqlite3.Connection, days: list[Any]) -> tuple[str, str, str] | None:
    """Of ``hall_day:<day>`` meta rows (newest first), the first whose last hall file version is stored:
    (day, version, text)."""
    for key, value in days:
        versions = json.loads(value)
        if not versions:
            continue
        text = conn.execute("SELECT value FROM meta WHERE key=?", (f"hall_file:{versions[-1]}",)).fetchone()
        if text is not None:
            return key.split(":", 1)[1], str(versions[-1]), str(json.loads(text[0]))
    return None


def read_table(path: str | Path) -> list[list[Any]]:
    """The first sheet of an .xlsx, or a .csv (UTF-8, or GB18030 as Excel saves it in China)."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: 文件不存在 (no such file)")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise SourceError(f"{path}: 无法读取 Excel 文件 ({exc})") from None
        try:
            return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        finally:
            wb.close()
    if suffix == ".csv":
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes nearly anything
            raise SourceError(f"{path}: 无法识别编码 (expected UTF-8 or GB18030)")
        return [list(r) for r in csv.reader(io.StringIO(text))]
    raise SourceError(f"{path}: 业务量报送表应为 .xlsx 或 .csv (got {suffix or 'no extension'})")


def read_reported(path: str | Path) -> list[ReportedRow]:
    try:
        return parse_reported(read_table(path), str(path))
    except ReportedFileError as exc:
        raise SourceError(str(exc)) from None


def read_holidays(path: str | Path | None) -> Calendar:
    if path is None:
        return Calendar()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"{p}: 无法读取假日文件 ({exc.strerror})") from None
    try:
        return parse_holidays(text, str(p))
    except ValueError as exc:
        raise SourceError(str(exc)) from None


def today() -> dt.date:
    return hallclock.today()


def now() -> float:
    """The moment a report runs (the live 办件 lists are judged at it)."""
    return hallclock.now()
