"""``hallq purge``: blank personal fields of days older than the retention, keep the statistics.

PIPL asks to keep personal data no longer than needed. What the hall keeps per ticket is
already reduced (masked name, masked ID number, keyed hash, masked phone); after the
retention (``[policy] retention_days``, or ``--older-than-days``) even those go:

* ``tickets``: ``applicant_masked``, ``id_masked``, ``id_hash``, ``phone_masked`` → ``''``;
* ``appointments``: ``name_masked``, ``id_masked``, ``id_hash``, ``phone_masked`` → ``''``;
* ``events``: the same keys inside each event's JSON ``data`` (only where present), and a case's
  ``collector_masked``; a case's events only once the case closed before the cut-off;
* ``requests``: stored replies (they quote the ticket) older than the cut-off are deleted;
  they exist for retries within minutes;
* ``case_addresses``: the sealed postal address of a case (邮寄) whose result reached the
  applicant before the cut-off is deleted (an address is kept only while it may be needed).

Counts, times, queues, windows, outcomes and evaluations stay, so every report still works.
One transaction; ``secure_delete`` so freed pages are zeroed, then the WAL is checkpointed
and truncated so the old values do not linger in ``-wal``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from hallq import clock as hallclock

TICKET_FIELDS = ("applicant_masked", "id_masked", "id_hash", "phone_masked")
APPOINTMENT_FIELDS = ("name_masked", "id_masked", "id_hash", "phone_masked")
EVENT_FIELDS = ("applicant_masked", "name_masked", "id_masked", "id_hash", "phone_masked", "collector_masked")


@dataclass(frozen=True)
class PurgeResult:
    cutoff: str  # days before this one were purged
    tickets: int
    appointments: int
    events: int
    requests: int
    addresses: int = 0


def cutoff_day(older_than_days: int, today: dt.date | None = None) -> str:
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    return ((today or hallclock.today()) - dt.timedelta(days=older_than_days)).isoformat()


def purge(db: str | Path, older_than_days: int, *, today: dt.date | None = None, vacuum: bool = False) -> PurgeResult:
    """Blank personal fields of every day before ``today - older_than_days`` (0: all days before today)."""
    cut = cutoff_day(older_than_days, today)
    # stored replies: a day's margin covers every time zone, so UTC midnight of the cut-off day will do
    cut_ts = dt.datetime.fromisoformat(cut).replace(tzinfo=dt.UTC).timestamp() - 86400
    conn = sqlite3.connect(str(db), isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("BEGIN IMMEDIATE")
        try:
            tickets = _blank(conn, "tickets", TICKET_FIELDS, cut)
            appointments = _blank(conn, "appointments", APPOINTMENT_FIELDS, cut)
            events = _scrub_events(conn, cut, cut_ts)
            requests = conn.execute("DELETE FROM requests WHERE at < ?", (cut_ts,)).rowcount
            addresses = _purge_addresses(conn, cut_ts)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if vacuum:
            conn.execute("VACUUM")
    finally:
        conn.close()
    return PurgeResult(cut, tickets, appointments, events, requests, addresses)


def _purge_addresses(conn: sqlite3.Connection, cut_ts: float) -> int:
    """Sealed addresses of cases closed before the cut-off (a database from before cases has none)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='case_addresses'").fetchone() is None:
        return 0
    return conn.execute("DELETE FROM case_addresses WHERE case_id IN "
                        "(SELECT id FROM cases WHERE closed_at IS NOT NULL AND closed_at < ?)", (cut_ts,)).rowcount


def _blank(conn: sqlite3.Connection, table: str, fields: tuple[str, ...], cut: str) -> int:
    sets = ", ".join(f"{f}=''" for f in fields)
    dirty = " OR ".join(f"COALESCE({f}, '') != ''" for f in fields)
    return conn.execute(f"UPDATE {table} SET {sets} WHERE day < ? AND ({dirty})", (cut,)).rowcount


def _scrub_events(conn: sqlite3.Connection, cut: str, cut_ts: float) -> int:
    """Personal fields of older days' events; a case's events wait until the case itself closed before the
    cut-off (a case accepted long ago and not yet collected still needs its applicant's hash at pickup)."""
    paths = ", ".join(f"'$.{f}', ''" for f in EVENT_FIELDS)
    dirty = " OR ".join(f"COALESCE(json_extract(data, '$.{f}'), '') != ''" for f in EVENT_FIELDS)
    keep = ""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='cases'").fetchone() is not None:
        keep = (" AND NOT (type LIKE 'case.%' AND json_extract(data, '$.case') IN "
                "(SELECT id FROM cases WHERE closed_at IS NULL OR closed_at >= ?))")
    return conn.execute(f"UPDATE events SET data=json_replace(data, {paths}) WHERE day < ? AND ({dirty}){keep}",
                        [cut, *([cut_ts] if keep else [])]).rowcount
