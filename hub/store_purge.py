"""The store's purge queries (``hallq purge``, :mod:`hub.security.purge`): blank personal fields in place.

Kept beside :mod:`hub.store` rather than in it only for size. It opens the database file itself
(the hub may be running: a purge is one ``BEGIN IMMEDIATE`` transaction that waits for the hub's
commits), sets ``secure_delete`` so freed pages are zeroed, and checkpoints and truncates the WAL
after the commit so old values do not linger in ``-wal``. Which fields count as personal and
where the cut-off lies is the caller's decision.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PersonalFields:
    """The personal columns (keys, in events' JSON) a purge blanks."""

    tickets: tuple[str, ...]
    appointments: tuple[str, ...]
    events: tuple[str, ...]


def blank_personal(db: str | Path, fields: PersonalFields, cut: str, cut_ts: float, *,
                   vacuum: bool = False) -> tuple[int, int, int, int, int, int]:
    """Blank ``fields`` of days before ``cut``; drop stored replies and closed cases' addresses older
    than ``cut_ts``, and consenting citizens' sealed phones (:func:`_purge_phones`). One transaction.
    Returns (tickets, appointments, events, requests, addresses, phones)."""
    conn = sqlite3.connect(str(db), isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("BEGIN IMMEDIATE")
        try:
            tickets = _blank(conn, "tickets", fields.tickets, cut)
            appointments = _blank(conn, "appointments", fields.appointments, cut)
            events = _scrub_events(conn, fields.events, cut, cut_ts)
            requests = conn.execute("DELETE FROM requests WHERE at < ?", (cut_ts,)).rowcount
            addresses = _purge_addresses(conn, cut_ts)
            phones = _purge_phones(conn, cut, cut_ts)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if vacuum:
            conn.execute("VACUUM")
    finally:
        conn.close()
    return tickets, appointments, events, requests, addresses, phones


def _purge_addresses(conn: sqlite3.Connection, cut_ts: float) -> int:
    """Sealed addresses of cases closed before the cut-off (a database from before cases has none)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='case_addresses'").fetchone() is None:
        return 0
    return conn.execute("DELETE FROM case_addresses WHERE case_id IN "
                        "(SELECT id FROM cases WHERE closed_at IS NOT NULL AND closed_at < ?)", (cut_ts,)).rowcount


def _purge_phones(conn: sqlite3.Connection, cut: str, cut_ts: float) -> int:
    """Sealed phones of consenting citizens (docs/notify.md) of days before ``cut``, but not while the
    ticket's case is open or closed after ``cut_ts`` (its pickup message may still be due), and with them
    the notifiers' claims (``notify_claims``) of those tickets."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='notify_phones'").fetchone() is None:
        return 0
    gone = conn.execute("DELETE FROM notify_phones WHERE day < ? AND ticket NOT IN (SELECT ticket FROM cases "
                        "WHERE ticket IS NOT NULL AND (closed_at IS NULL OR closed_at >= ?))", (cut, cut_ts)).rowcount
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='notify_claims'").fetchone() is not None:
        # the notifiers' claims go with the number they were for (a ticket nobody is messaged about any more)
        conn.execute("DELETE FROM notify_claims WHERE day < ? AND ticket NOT IN (SELECT ticket FROM notify_phones)",
                     (cut,))
    return gone


def _blank(conn: sqlite3.Connection, table: str, fields: tuple[str, ...], cut: str) -> int:
    sets = ", ".join(f"{f}=''" for f in fields)
    dirty = " OR ".join(f"COALESCE({f}, '') != ''" for f in fields)
    return conn.execute(f"UPDATE {table} SET {sets} WHERE day < ? AND ({dirty})", (cut,)).rowcount


def _scrub_events(conn: sqlite3.Connection, fields: tuple[str, ...], cut: str, cut_ts: float) -> int:
    """Personal fields of older days' events; a case's events wait until the case itself closed before the
    cut-off (a case accepted long ago and not yet collected still needs its applicant's hash at pickup)."""
    paths = ", ".join(f"'$.{f}', ''" for f in fields)
    dirty = " OR ".join(f"COALESCE(json_extract(data, '$.{f}'), '') != ''" for f in fields)
    keep = ""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='cases'").fetchone() is not None:
        keep = (" AND NOT (type LIKE 'case.%' AND json_extract(data, '$.case') IN "
                "(SELECT id FROM cases WHERE closed_at IS NULL OR closed_at >= ?))")
    return conn.execute(f"UPDATE events SET data=json_replace(data, {paths}) WHERE day < ? AND ({dirty}){keep}",
                        [cut, *([cut_ts] if keep else [])]).rowcount
