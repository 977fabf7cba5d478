"""The hall's durable store: an append-only event log plus projections, in one SQLite file.

Each command commits in one transaction: its events, the projection rows they touched
(tickets, windows, the day's counters) and the reply stored under the request id. So a
hub killed at any instant either has all of a command or none of it, and a client that
retries with the same request id gets the first reply back, even after a restart.

WAL with ``synchronous=FULL``: a committed command survives power loss (given an honest
disk). Projections are written row by row for what each command touched, never by
rescanning the day, so a command costs the same at ticket 20,000 as at ticket 1.
Restart reads today's tickets and the windows back into a :class:`~hub.core.HallCore`.
The event log alone rebuilds every projection (:func:`rebuild`).

A hub must always start on its own database. A row that cannot be read back (say a ticket
whose order is not a number, written by an older hub that accepted ``NaN``) is left out of
memory, logged as an error naming the event that made it (seq, type) and recorded in the
``quarantine`` table; the hub starts and serves everything else.

All of the hub's SQL lives here (the reports keep their read-only queries in ``hub/reports/``),
which is why it runs past 400 lines: schema, transactions, projections, restart and the few
reads the service needs, each a short section.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from hallq import clock as hallclock
from hub import backup
from hub import case_events as ce
from hub import events as ev
from hub.cases import Case, CaseBook
from hub.core import HallCore, Ticket, TicketState, WindowRuntime, WindowState
from hub.core.service_times import MAX_SERVICE_S, History, ServiceTimes
from hub.hall import Hall
from hub.workdays import WorkCalendar

log = logging.getLogger("hallq.hub")

# The database's schema, in ``PRAGMA user_version`` (and ``meta.schema``). 1: the first releases
# (meta.schema only, no user_version); 2: the case tables (``cases``, ``case_addresses``).
# A new version adds its statements to MIGRATIONS, additive only; docs/operations.md, "升级".
SCHEMA_VERSION = 2

TICKET_COLUMNS = (
    "id", "day", "number", "queue", "seq", "matter", "situation", "channel", "device", "priority_group",
    "priority_verified", "appointment_slot", "applicant_masked", "id_masked", "id_hash", "phone_masked", "cls",
    "ord", "issued_at", "target_window", "state", "window", "staff", "called_at", "first_called_at",
    "finished_at", "outcome", "reason", "recalls", "retakes", "transfers", "evaluation", "evaluation_reason",
)
CASE_COLUMNS = ("id", "number", "state", "department", "matter", "situation", "ticket", "kind", "due", "window",
                "delivery", "address_ref", "accepted_at", "since", "signed_at", "decided_at", "closed_at",
                "updated_at")
WINDOW_COLUMNS = ("id", "state", "reason", "staff", "device", "current", "since", "consecutive_priority", "wrr",
                  "evaluation", "evaluation_at", "counts", "queues", "overflow")

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, at REAL NOT NULL, day TEXT NOT NULL, type TEXT NOT NULL,
    data TEXT NOT NULL, request_id TEXT, device TEXT);
CREATE INDEX IF NOT EXISTS events_day ON events(day);
CREATE TABLE IF NOT EXISTS requests (
    device TEXT NOT NULL, id TEXT NOT NULL, op TEXT NOT NULL, at REAL NOT NULL, reply TEXT NOT NULL,
    PRIMARY KEY (device, id));
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY, day TEXT NOT NULL, number TEXT NOT NULL, queue TEXT NOT NULL, seq INTEGER NOT NULL,
    matter TEXT, situation TEXT, channel TEXT, device TEXT, priority_group TEXT, priority_verified INTEGER,
    appointment_slot REAL, applicant_masked TEXT, id_masked TEXT, id_hash TEXT, phone_masked TEXT,
    cls INTEGER, ord REAL, issued_at REAL, target_window TEXT, state TEXT NOT NULL, window TEXT, staff TEXT,
    called_at REAL, first_called_at REAL, finished_at REAL, outcome TEXT, reason TEXT, recalls INTEGER,
    retakes INTEGER, transfers INTEGER, evaluation INTEGER, evaluation_reason TEXT);
CREATE INDEX IF NOT EXISTS tickets_day ON tickets(day);
CREATE TABLE IF NOT EXISTS appointments (
    code TEXT PRIMARY KEY, day TEXT NOT NULL, slot_start REAL NOT NULL, slot_end REAL NOT NULL,
    matter TEXT NOT NULL, situation TEXT NOT NULL, name_masked TEXT, id_masked TEXT, id_hash TEXT,
    phone_masked TEXT, used_ticket TEXT);
CREATE INDEX IF NOT EXISTS appointments_person ON appointments(id_hash, day);
CREATE TABLE IF NOT EXISTS windows (
    id TEXT PRIMARY KEY, state TEXT, reason TEXT, staff TEXT, device TEXT, current TEXT, since REAL,
    consecutive_priority INTEGER, wrr TEXT, evaluation TEXT, evaluation_at REAL, counts TEXT, queues TEXT,
    overflow TEXT);
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY, number TEXT, state TEXT NOT NULL, department TEXT NOT NULL, matter TEXT, situation TEXT,
    ticket TEXT, kind TEXT, due TEXT, window TEXT, delivery TEXT, address_ref TEXT, accepted_at REAL, since REAL,
    signed_at REAL, decided_at REAL, closed_at REAL, updated_at REAL);
CREATE INDEX IF NOT EXISTS cases_department ON cases(department, state);
CREATE TABLE IF NOT EXISTS case_addresses (
    ref TEXT PRIMARY KEY, case_id TEXT NOT NULL, sealed BLOB NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS notify_phones (
    ticket TEXT PRIMARY KEY, day TEXT NOT NULL, sealed BLOB NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS notify_claims (
    key TEXT PRIMARY KEY, ticket TEXT NOT NULL, kind TEXT NOT NULL, device TEXT NOT NULL, day TEXT NOT NULL,
    granted INTEGER NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS notify_claims_day ON notify_claims(day, granted);
CREATE TABLE IF NOT EXISTS quarantine (
    what TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER, type TEXT, error TEXT NOT NULL, found_at REAL NOT NULL,
    PRIMARY KEY (what, key));
"""

MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: ("""CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY, number TEXT, state TEXT NOT NULL, department TEXT NOT NULL, matter TEXT, situation TEXT,
    ticket TEXT, kind TEXT, due TEXT, window TEXT, delivery TEXT, address_ref TEXT, accepted_at REAL, since REAL,
    signed_at REAL, decided_at REAL, closed_at REAL, updated_at REAL)""",
        "CREATE INDEX IF NOT EXISTS cases_department ON cases(department, state)",
        """CREATE TABLE IF NOT EXISTS case_addresses (
    ref TEXT PRIMARY KEY, case_id TEXT NOT NULL, sealed BLOB NOT NULL, at REAL NOT NULL)""",
        # the sealed phones of consenting citizens (docs/notify.md): idempotent, so a file already at 2 gets it
        # from _DDL on opening and a file at 1 here, without a new schema version
        """CREATE TABLE IF NOT EXISTS notify_phones (
    ticket TEXT PRIMARY KEY, day TEXT NOT NULL, sealed BLOB NOT NULL, at REAL NOT NULL)""",
        # the notifiers' claims (docs/notify.md), a projection of notify.claimed events: the same idempotent way
        """CREATE TABLE IF NOT EXISTS notify_claims (
    key TEXT PRIMARY KEY, ticket TEXT NOT NULL, kind TEXT NOT NULL, device TEXT NOT NULL, day TEXT NOT NULL,
    granted INTEGER NOT NULL, at REAL NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS notify_claims_day ON notify_claims(day, granted)"),
}


class StoreError(Exception):
    pass


class Store:
    """One SQLite file. Not shared between threads: the hub's command thread owns it."""

    def __init__(self, path: str | Path, *, durable: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        self.conn = conn
        self._depth = 0  # open transaction levels (savepoints past the first)
        conn.execute("PRAGMA busy_timeout=5000")
        found = backup.version_of_conn(conn)
        if found > SCHEMA_VERSION:
            conn.close()
            raise StoreError(f"{self.path}: 数据库是第 {found} 版，本程序（hallq）只认识到第 {SCHEMA_VERSION} 版；"
                             f"请安装新版 hallq，或恢复旧的备份 (the database's schema {found} is newer than "
                             f"this hallq's {SCHEMA_VERSION})")
        self.db.enable_wal()
        conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        self.migrated_from = found if 0 < found < SCHEMA_VERSION else 0
        self.kept_before_migration: Path | None = None
        if self.migrated_from:
            self.kept_before_migration = self._migrate(found)
        else:
            conn.executescript(_DDL)
            if found == 0:
                self._stamp_version()

    def close(self) -> None:
        self.conn.close()

    # ------------------------------------------------------------ schema version

    def _stamp_version(self) -> None:
        self.set_meta("schema", SCHEMA_VERSION)
        self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _migrate(self, found: int) -> Path:
        """An older hallq's database brought up to :data:`SCHEMA_VERSION` in place, after a checked
        copy beside it (``<db>.before-v<N>-<stamp>``, kept). Every step only adds (tables, indexes,
        columns with defaults): an old row reads back as it was."""
        when = backup.stamp(hallclock.now())
        kept = self.path.with_name(f"{self.path.name}.before-v{SCHEMA_VERSION}-{when}")
        try:
            backup.copy_db(self.path, kept)
        except (OSError, sqlite3.Error) as exc:
            self.conn.close()
            raise StoreError(f"{self.path}: 升级数据库前无法保存副本，未升级 (no copy before the migration, "
                             f"nothing changed): {' '.join(backup.words(exc))}") from exc
        problem = backup.integrity(kept)
        if problem:
            self.conn.close()
            raise StoreError(f"{self.path}: 升级前的副本校验失败，未升级 (the copy failed its check): {problem}")
        with self.transaction():
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS.get(version, ()):
                    self.conn.execute(statement)
            self._stamp_version()
        self.conn.executescript(_DDL)  # indexes and tables every version has (all IF NOT EXISTS)
        log.warning("数据库已从第 %d 版升级到第 %d 版；升级前的副本：%s", found, SCHEMA_VERSION, kept,
                    extra={"code": "schema_migrated", "from": found, "to": SCHEMA_VERSION, "kept": str(kept)})
        return kept

    # ------------------------------------------------------------ meta

    def meta(self, key: str) -> Any:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_meta(self, key: str, value: Any) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def note_hall_file(self, day: str, version: str, text: str) -> None:
        """Keep the hall file a day ran with (reports of old days use it, not today's file).
        Each version is stored once; ``hall_day:<day>`` lists the versions of that day in order."""
        if not (day and version and text):
            return
        if self.meta(f"hall_file:{version}") is None:
            self.set_meta(f"hall_file:{version}", text)
        versions = self.meta(f"hall_day:{day}") or []
        if not versions or versions[-1] != version:
            self.set_meta(f"hall_day:{day}", [*versions, version])

    # ------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; nested ones become savepoints inside it (the hub's group commit)."""
        if self._depth:
            name = f"sp{self._depth}"
            self.conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
                raise
            finally:
                self._depth -= 1
            self.conn.execute(f"RELEASE {name}")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
            self.conn.execute("COMMIT")  # in here: a failed COMMIT is rolled back, not left open
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0

    def stored_reply(self, device: str, request_id: str) -> bytes | None:
        row = self.conn.execute("SELECT reply FROM requests WHERE device=? AND id=?", (device, request_id)).fetchone()
        return row[0].encode() if row else None

    def record(self, core: HallCore, events: list[ev.Event], *, device: str = "", request_id: str = "",
               op: str = "", reply: bytes | None = None, at: float = 0.0, book: CaseBook | None = None) -> int:
        """Append events, update what they touched and store the reply: one transaction.

        Returns the sequence number of the last event (or the current one if none).
        """
        with self.transaction():
            seq = self.write(core, events, device=device, request_id=request_id, book=book)
            if reply is not None and request_id:
                self.conn.execute("INSERT INTO requests(device, id, op, at, reply) VALUES (?,?,?,?,?)",
                                  (device, request_id, op, at, reply.decode()))
        return seq

    def write(self, core: HallCore, events: list[ev.Event], *, device: str = "", request_id: str = "",
              book: CaseBook | None = None) -> int:
        """The inside of :meth:`record`; callers hold the transaction. Case events (:mod:`hub.case_events`)
        go into the same log; their projection (``cases``) is read off ``book``, which has applied them."""
        cur = self.conn.cursor()
        seq = 0
        for e in events:
            day = e.day if isinstance(e, ev.DayStarted) else core.day
            cur.execute("INSERT INTO events(at, day, type, data, request_id, device) VALUES (?,?,?,?,?,?)",
                        (e.at, day, e.type, json.dumps(e.to_dict(), ensure_ascii=False), request_id or None,
                         device or None))
            seq = cur.lastrowid or seq
        hall_events = [e for e in events if not isinstance(e, ce.CaseEvent)]
        if hall_events:
            self._project(core, hall_events)
        touched_cases = list(dict.fromkeys(e.case for e in events if isinstance(e, ce.CaseEvent)))
        if touched_cases:
            if book is None:
                raise StoreError("case events need the CaseBook that applied them")
            self._project_cases(book, touched_cases)
        return seq or self.last_seq()

    def last_seq(self) -> int:
        row = self.conn.execute("SELECT MAX(seq) FROM events").fetchone()
        return int(row[0] or 0)

    def service_history(self, through_day: str, days: int = 28, *, before: bool = False) -> list[History]:
        """Window time per ticket (call to outcome) measured on the last ``days`` days with tickets up
        to ``through_day`` (``before``: strictly before it), per queue and matter: it seeds the
        predicted wait (hub.core.service_times). A day's learning starts from the days before it:
        :meth:`load` and each new day (:meth:`_project`) ask with ``before``, so a live hub, a hub
        restarted mid-day and a standby hold the same history. One grouped query on the day index."""
        op = "<" if before else "<="
        rows = self.conn.execute(
            "SELECT queue, matter, COUNT(*), AVG(finished_at - called_at) FROM tickets"
            f" WHERE day {op} ? AND day >= (SELECT MIN(d) FROM (SELECT DISTINCT day AS d FROM tickets"
            f" WHERE day {op} ? ORDER BY day DESC LIMIT ?)) AND called_at IS NOT NULL AND finished_at IS NOT NULL"
            " AND outcome != '' AND window != '' AND finished_at - called_at > 0 AND finished_at - called_at <= ?"
            " GROUP BY queue, matter ORDER BY queue, matter",
            (through_day, through_day, days, MAX_SERVICE_S)).fetchall()
        return [History(str(q), str(m or ""), int(n), float(mean)) for q, m, n, mean in rows]

    def learnt_times(self, hall: Hall, day: str) -> ServiceTimes:
        """The predicted wait's window times as the live hub learnt them by the end of ``day``'s log: the
        hall's seeds, the earlier days' history, then ``day``'s ticket and window events replayed in their
        order into a scratch core (the very arithmetic :meth:`HallCore.apply` learns with, and the state it
        reads: who was still waiting when a window finished). An event that no longer replays (the hall
        file dropped its queue or window) teaches nothing; the load reports its row elsewhere."""
        scratch = HallCore(hall)
        scratch.service_times.set_history(self.service_history(day, before=True))
        kinds = tuple(ce.CASE_EVENT_TYPES)
        marks = ", ".join("?" * len(kinds))
        for (data,) in self.conn.execute(f"SELECT data FROM events WHERE day=? AND type NOT IN ({marks})"
                                         " ORDER BY seq", (day, *kinds)):
            try:
                e = ev.event_from_dict(json.loads(data))
                if isinstance(e, ev.DayStarted):  # yesterday's leftovers are not in the scratch core
                    e = dataclasses.replace(e, expired=())
                scratch.apply(e)
            except (TypeError, ValueError, KeyError, AttributeError, IndexError):
                continue
        return scratch.service_times

    # ------------------------------------------------------------ projections

    def _project(self, core: HallCore, events: list[ev.Event]) -> None:
        if any(isinstance(e, ev.DayStarted) for e in events):  # a new day learns from the days before it
            core.service_times.set_history(self.service_history(core.day, before=True))
            core.wait_memo = None  # made with the old history: the next read or tick runs afresh
        tickets, windows, all_windows = touched(events)
        # a cancelled ticket that was being called leaves its window (the event names no window)
        windows += [core.tickets[e.ticket].window for e in events if isinstance(e, ev.TicketCancelled)
                    and e.ticket in core.tickets and core.tickets[e.ticket].window]
        cur = self.conn.cursor()
        for e in events:
            if isinstance(e, ev.TicketIssued) and e.appointment:
                cur.execute("UPDATE appointments SET used_ticket=? WHERE code=?", (e.ticket, e.appointment))
            if isinstance(e, ev.NotifyClaimed):  # first claim of a key wins (the desk refuses a second one)
                cur.execute("INSERT OR IGNORE INTO notify_claims(key, ticket, kind, device, day, granted, at)"
                            " VALUES (?,?,?,?,?,?,?)", (e.key, e.ticket, e.kind, e.device, e.day, int(e.granted), e.at))
            if isinstance(e, ev.DayStarted) and e.expired:
                cur.executemany(
                    "UPDATE tickets SET state='expired', finished_at=?, window='' WHERE id=? AND state IN (?, ?)",
                    [(e.at, tid, TicketState.WAITING.value, TicketState.CALLED.value) for tid in e.expired])
        rows = [ticket_row(core.tickets[t], core.day) for t in tickets if t in core.tickets]
        if rows:
            cur.executemany(_upsert("tickets", TICKET_COLUMNS), rows)
        wins = core.windows.values() if all_windows else [core.windows[w] for w in windows if w in core.windows]
        cur.executemany(_upsert("windows", WINDOW_COLUMNS), [window_row(w) for w in wins])
        state = {"day": core.day, "counters": core.counters, "seq": core.seq,
                 "expired_marks": sorted(core.expired_marks), "guides": core.guides}
        cur.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('core', ?)", (json.dumps(state),))

    def _project_cases(self, book: CaseBook, ids: Iterable[str]) -> None:
        rows = [case_row(book.cases[cid]) for cid in ids if cid in book.cases]
        self.conn.executemany(_upsert("cases", CASE_COLUMNS), rows)

    # ------------------------------------------------------------ cases: restart, addresses, lists

    def load_cases(self, book: CaseBook) -> CaseBook:
        """Every case, rebuilt by replaying the case events of the log in order (a case lives for
        weeks, past any one day: its events are few, and the book must equal what was committed)."""
        kinds = tuple(ce.CASE_EVENT_TYPES)
        marks = ", ".join("?" * len(kinds))
        for seq, type_, data in self.conn.execute(
                f"SELECT seq, type, data FROM events WHERE type IN ({marks}) ORDER BY seq", kinds).fetchall():
            try:
                book.apply(ce.case_event_from_dict(json.loads(data)))
            except (TypeError, ValueError, KeyError, AttributeError) as exc:  # a start must not fail on one event
                self.quarantine("event", str(seq), "", str(exc), int(seq), str(type_))
        return book

    def cases(self, *, department: str = "", states: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The ``cases`` projection, optionally of one department and some states, oldest first."""
        where, args = [], []
        if department:
            where.append("department=?")
            args.append(department)
        chosen = list(states)
        if chosen:
            where.append(f"state IN ({', '.join('?' * len(chosen))})")
            args += chosen
        sql = f"SELECT {', '.join(CASE_COLUMNS)} FROM cases" + (" WHERE " + " AND ".join(where) if where else "")
        return [dict(zip(CASE_COLUMNS, r, strict=True))
                for r in self.conn.execute(sql + " ORDER BY accepted_at, id", args)]

    def put_address(self, ref: str, case: str, sealed: bytes, at: float) -> None:
        """An encrypted postal address (never the words) under its opaque reference."""
        self.conn.execute("INSERT OR REPLACE INTO case_addresses(ref, case_id, sealed, at) VALUES (?,?,?,?)",
                          (ref, case, sealed, at))

    def address(self, ref: str) -> bytes | None:
        row = self.conn.execute("SELECT sealed FROM case_addresses WHERE ref=?", (ref,)).fetchone()
        return bytes(row[0]) if row else None

    def put_phone(self, ticket: str, day: str, sealed: bytes, at: float) -> None:
        """A consenting citizen's phone number, encrypted (never the digits), under its ticket."""
        self.conn.execute("INSERT OR REPLACE INTO notify_phones(ticket, day, sealed, at) VALUES (?,?,?,?)",
                          (ticket, day, sealed, at))

    def phone(self, ticket: str) -> bytes | None:
        row = self.conn.execute("SELECT sealed FROM notify_phones WHERE ticket=?", (ticket,)).fetchone()
        return bytes(row[0]) if row else None

    def phone_tickets(self) -> list[tuple[str, str]]:
        """(ticket, day) of each citizen who asked to be messaged and whose number is still kept, oldest first."""
        return [(r[0], r[1]) for r in self.conn.execute("SELECT ticket, day FROM notify_phones ORDER BY at, ticket")]

    def claim(self, key: str) -> dict[str, Any] | None:
        """The notifiers' claim of one moment's message (``notify.claim``), or None if nobody claimed it."""
        row = self.conn.execute("SELECT ticket, kind, device, day, granted, at FROM notify_claims WHERE key=?",
                                (key,)).fetchone()
        return None if row is None else dict(zip(("ticket", "kind", "device", "day", "granted", "at"), row,
                                                  strict=True))

    def granted_claims(self, day: str) -> list[str]:
        """The ticket of each granted claim of a hall day (one entry per claim), for the cap per number."""
        return [r[0] for r in self.conn.execute("SELECT ticket FROM notify_claims WHERE day=? AND granted=1",
                                                (day,))]

    # ------------------------------------------------------------ restart

    def load(self, hall: Hall) -> HallCore:
        """Today's state as it was committed, for a hub restarting mid-day."""
        core = HallCore(hall)
        state = self.meta("core")
        if not state:
            return core
        core.day = state["day"]
        core.seq = state["seq"]
        core.service_times = self.learnt_times(hall, core.day)  # the predicted wait: as the live hub learnt it
        core.expired_marks = set(state["expired_marks"])
        core.guides = dict(state.get("guides", {}))
        for q, n in state["counters"].items():
            if q in core.counters:
                core.counters[q] = n
        cols = ", ".join(TICKET_COLUMNS)
        for row in self.conn.execute(f"SELECT {cols} FROM tickets WHERE day=?", (core.day,)).fetchall():
            d = dict(zip(TICKET_COLUMNS, row, strict=True))
            try:
                t = row_ticket(d)
            except (TypeError, ValueError, KeyError) as exc:
                self.quarantine("ticket", str(d["id"]), core.day, str(exc))
                continue
            if t.queue not in core.waiting or (t.target_window and t.target_window not in core.direct):
                continue  # the hall file dropped its queue or window since: left as it was
            core.tickets[t.id] = t
            core.by_number[t.number] = t.id
            if t.state is TicketState.WAITING:
                core._list(t)
                core.note_due(t)
            if t.id_hash and t.state in (TicketState.WAITING, TicketState.CALLED):
                core.active_by_person[(t.id_hash, t.matter)] = t.id
        cols = ", ".join(WINDOW_COLUMNS)
        for row in self.conn.execute(f"SELECT {cols} FROM windows").fetchall():
            d = dict(zip(WINDOW_COLUMNS, row, strict=True))
            if d["id"] in core.windows:
                try:
                    core.windows[d["id"]] = row_window(d, core)
                except (TypeError, ValueError, KeyError) as exc:  # the window starts closed
                    self.quarantine("window", str(d["id"]), core.day, str(exc))
        # 呼叫后台 has no projection of its own: today's few summon events rebuild it
        kinds = (ev.BackOfficeSummoned.type, ev.SummonAnswered.type, ev.SummonEscalated.type)
        last = core.last_event_at
        for seq, type_, data in self.conn.execute(
                "SELECT seq, type, data FROM events WHERE day=? AND type IN (?, ?, ?) ORDER BY seq",
                (core.day, *kinds)).fetchall():
            try:
                core.apply(ev.event_from_dict(json.loads(data)))
            except (TypeError, ValueError, KeyError, AttributeError) as exc:  # a start must not fail on one event
                self.quarantine("event", str(seq), core.day, str(exc), int(seq), str(type_))
        core.last_event_at = last
        return core

    # ------------------------------------------------------------ quarantine

    def quarantine(self, what: str, key: str, day: str, error: str, seq: int | None = None,
                   type_: str = "") -> None:
        """Record, loudly, a row or event that could not be read back and was skipped.

        Without ``seq``, the event that made the row is looked up: the first event of ``day``
        naming ``key`` whose data holds a number that is not one (NaN, ±Infinity), else the
        last event naming it.
        """
        if seq is None:
            seq, type_ = self._culprit(day, key)
        log.error("QUARANTINED %s %s (event seq %s, %s): %s; skipped, the hub goes on without it; "
                  "see the quarantine table", what, key, seq, type_ or "?", error,
                  extra={"code": "quarantined", "what": what, "key": key, "seq": seq, "type": type_})
        self.conn.execute("INSERT OR REPLACE INTO quarantine(what, key, seq, type, error, found_at) "
                          "VALUES (?,?,?,?,?,?)", (what, key, seq, type_ or None, error, hallclock.now()))

    def _culprit(self, day: str, key: str) -> tuple[int | None, str]:
        rows = self.conn.execute("SELECT seq, type, data FROM events WHERE day=? AND instr(data, ?) > 0 ORDER BY seq",
                                 (day, json.dumps(key))).fetchall()
        for seq, type_, data in rows:
            if not _finite_json(data):
                return int(seq), str(type_)
        return (int(rows[-1][0]), str(rows[-1][1])) if rows else (None, "")

    def quarantined(self) -> list[dict[str, Any]]:
        cols = ("what", "key", "seq", "type", "error", "found_at")
        return [dict(zip(cols, r, strict=True))
                for r in self.conn.execute(f"SELECT {', '.join(cols)} FROM quarantine ORDER BY found_at, key")]

    # ------------------------------------------------------------ reading

    def events(self, since: int = 0) -> Iterable[tuple[int, ev.Event]]:
        for seq, data in self.conn.execute("SELECT seq, data FROM events WHERE seq>? ORDER BY seq", (since,)):
            yield seq, decode_event(json.loads(data))

    def tickets(self, day: str | None = None) -> list[dict[str, Any]]:
        cols = ", ".join(TICKET_COLUMNS)
        sql = f"SELECT {cols} FROM tickets" + (" WHERE day=?" if day else "") + " ORDER BY day, seq"
        return [dict(zip(TICKET_COLUMNS, r, strict=True)) for r in self.conn.execute(sql, (day,) if day else ())]

    def calls_of(self, day: str, limit: int) -> list[tuple[int, str, str]]:
        """The last ``limit`` calls and recalls of ``day`` in the event log, newest first: (seq, type, data)."""
        return [(int(seq), str(type_), str(data)) for seq, type_, data in self.conn.execute(
            "SELECT seq, type, data FROM events WHERE day=? AND type IN (?, ?) ORDER BY seq DESC LIMIT ?",
            (day, ev.TicketCalled.type, ev.TicketRecalled.type, limit))]

    def evaluation_of(self, ticket: str) -> tuple[bool, int | None]:
        """(the ticket exists on any day, its evaluation level or None if never invited)."""
        row = self.conn.execute("SELECT evaluation FROM tickets WHERE id=?", (ticket,)).fetchone()
        return (row is not None, row[0] if row else None)

    def ticket_record(self, ticket: str) -> dict[str, Any] | None:
        """One ticket of any day as the projection holds it (the phone page's earlier days), or None."""
        row = self.conn.execute(f"SELECT {', '.join(TICKET_COLUMNS)} FROM tickets WHERE id=?", (ticket,)).fetchone()
        return dict(zip(TICKET_COLUMNS, row, strict=True)) if row else None

    def followup_candidates(self, since: str, limit: int = 500) -> list[dict[str, Any]]:
        """Tickets since ``since`` (a day) rated 差评 (1-2) or 未评价 (0), newest first."""
        cols = ("id", "day", "number", "matter", "window", "staff", "evaluation", "evaluation_reason", "finished_at")
        rows = self.conn.execute(f"SELECT {', '.join(cols)} FROM tickets WHERE evaluation IN (0, 1, 2) AND day>=? "
                                 "ORDER BY day DESC, seq DESC LIMIT ?", (since, limit))
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def followups_since(self, since: str) -> dict[str, ev.EvaluationFollowedUp]:
        """The latest 回访/整改 recorded since ``since`` (a day), by ticket."""
        out: dict[str, ev.EvaluationFollowedUp] = {}
        for (data,) in self.conn.execute("SELECT data FROM events WHERE type=? AND day>=? ORDER BY seq",
                                         (ev.EvaluationFollowedUp.type, since)):
            e = ev.event_from_dict(json.loads(data))
            assert isinstance(e, ev.EvaluationFollowedUp)
            out[e.ticket] = e
        return out

    def appointment(self, *, code: str = "", id_hash: str = "", day: str = "") -> dict[str, Any] | None:
        """An appointment by its code, or a person's first unused one on ``day``."""
        cols = ("code", "day", "slot_start", "slot_end", "matter", "situation", "name_masked", "id_masked",
                "id_hash", "phone_masked", "used_ticket")
        if code:
            row = self.conn.execute(f"SELECT {', '.join(cols)} FROM appointments WHERE code=?", (code,)).fetchone()
        else:
            row = self.conn.execute(
                f"SELECT {', '.join(cols)} FROM appointments WHERE id_hash=? AND day=? "
                "ORDER BY used_ticket IS NOT NULL, slot_start LIMIT 1", (id_hash, day)).fetchone()
        return dict(zip(cols, row, strict=True)) if row else None

    def add_appointments(self, rows: list[dict[str, Any]]) -> int:
        """Insert or replace booked appointments (already masked and hashed); one transaction."""
        with self.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO appointments(code, day, slot_start, slot_end, matter, situation, name_masked,"
                " id_masked, id_hash, phone_masked, used_ticket) VALUES (:code, :day, :slot_start, :slot_end,"
                " :matter, :situation, :name_masked, :id_masked, :id_hash, :phone_masked, NULL)", rows)
        return len(rows)

    def windows(self) -> list[dict[str, Any]]:
        cols = ", ".join(WINDOW_COLUMNS)
        return [dict(zip(WINDOW_COLUMNS, r, strict=True))
                for r in self.conn.execute(f"SELECT {cols} FROM windows ORDER BY id")]


def touched(events: Iterable[ev.Event]) -> tuple[list[str], list[str], bool]:
    """Ticket ids and window ids an event list changes; True if every window may have changed."""
    tickets: dict[str, None] = {}
    windows: dict[str, None] = {}
    all_windows = False
    for e in events:
        if isinstance(e, ev.DayStarted):
            all_windows = True
        for name in ("ticket",):
            value = getattr(e, name, "")
            if value:
                tickets[value] = None
        for value in getattr(e, "tickets", ()):
            tickets[value] = None
        for name in ("window", "from_window", "to_window"):
            value = getattr(e, name, "")
            if value:
                windows[value] = None
        if isinstance(e, ev.TicketsExpired):
            all_windows = True  # called tickets may leave their window
    return list(tickets), list(windows), all_windows


def _upsert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT OR REPLACE INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def decode_event(data: dict[str, Any]) -> ev.Event:
    """A stored event of either log: the hall's (tickets, windows) or a case's."""
    if data.get("type") in ce.CASE_EVENT_TYPES:
        return ce.case_event_from_dict(data)
    return ev.event_from_dict(data)


def case_row(c: Case) -> tuple[Any, ...]:
    return (c.id, c.number, c.state.value, c.department, c.matter, c.situation, c.ticket, c.kind.value,
            c.due.isoformat(), c.window, c.delivery.value, c.address_ref, c.accepted_at, c.since, c.signed_at,
            c.decided_at, c.closed_at, c.last_at)


def ticket_row(t: Ticket, day: str) -> tuple[Any, ...]:
    return (
        t.id, day, t.number, t.queue, t.seq, t.matter, t.situation, t.channel, t.device, t.priority_group,
        int(t.priority_verified), t.appointment_slot, t.applicant_masked, t.id_masked, t.id_hash, t.phone_masked,
        t.cls, t.order, t.issued_at, t.target_window, t.state.value, t.window, t.staff, t.called_at,
        t.first_called_at, t.finished_at, t.outcome, t.reason, t.recalls, t.retakes, t.transfers, t.evaluation,
        t.evaluation_reason,
    )


def row_ticket(d: dict[str, Any]) -> Ticket:
    """A tickets row back as a Ticket; ValueError if a number the queue order depends on is not one."""
    for name in ("cls", "seq"):
        if not isinstance(d[name], int):
            raise ValueError(f"{name} is {d[name]!r}, not an integer")
    for name in ("ord", "issued_at"):
        if not isinstance(d[name], int | float) or not math.isfinite(d[name]):
            what = "order" if name == "ord" else name
            raise ValueError(f"{what} is {d[name]!r}, not a number (SQLite stores NaN as NULL)")
    if d["cls"] == 1 and d["appointment_slot"] is None:
        raise ValueError("an appointment ticket without its appointment slot")
    return Ticket(
        id=d["id"], number=d["number"], queue=d["queue"], seq=d["seq"], matter=d["matter"],
        situation=d["situation"], channel=d["channel"], device=d["device"], priority_group=d["priority_group"],
        priority_verified=bool(d["priority_verified"]), appointment_slot=d["appointment_slot"],
        applicant_masked=d["applicant_masked"], id_masked=d["id_masked"], id_hash=d["id_hash"],
        phone_masked=d["phone_masked"], cls=d["cls"], order=d["ord"], issued_at=d["issued_at"],
        target_window=d["target_window"], state=TicketState(d["state"]), window=d["window"], staff=d["staff"],
        called_at=d["called_at"], first_called_at=d["first_called_at"], finished_at=d["finished_at"],
        outcome=d["outcome"], reason=d["reason"], recalls=d["recalls"], retakes=d["retakes"],
        transfers=d["transfers"], evaluation=d["evaluation"], evaluation_reason=d["evaluation_reason"],
    )


def window_row(w: WindowRuntime) -> tuple[Any, ...]:
    return (w.id, w.state.value, w.reason, w.staff, w.device, w.current, w.since, w.consecutive_priority,
            json.dumps(w.wrr), w.evaluation, w.evaluation_at, json.dumps(w.counts), json.dumps(list(w.queues)),
            json.dumps(list(w.overflow)))


def row_window(d: dict[str, Any], core: HallCore) -> WindowRuntime:
    current = d["current"] if d["current"] in core.tickets else ""
    return WindowRuntime(
        id=d["id"], queues=tuple(q for q in json.loads(d["queues"]) if q in core.waiting),
        overflow=tuple(q for q in json.loads(d["overflow"]) if q in core.waiting), state=WindowState(d["state"]),
        reason=d["reason"], staff=d["staff"], device=d["device"], current=current, since=d["since"],
        consecutive_priority=d["consecutive_priority"], wrr=json.loads(d["wrr"]), evaluation=d["evaluation"],
        evaluation_at=d["evaluation_at"], counts=json.loads(d["counts"]),
    )


def _finite_json(data: str) -> bool:
    """Whether a stored event's JSON holds only real numbers (Python's json writes NaN as ``NaN``)."""
    def refuse(_: str) -> Any:
        raise ValueError

    try:
        json.loads(data, parse_constant=refuse)
    except ValueError:
        return False
    return True


def rebuild(source: Store, target_path: str | Path, hall: Hall) -> Store:
    """Replay the whole event log into a fresh store's projections (tickets, windows, meta, cases); the
    sealed case addresses come along as they are."""
    target = Store(target_path, durable=False)
    core = HallCore(hall)
    book = CaseBook(hall.cases.calendar if hall.cases else WorkCalendar(), hall.timezone)
    with target.transaction():
        for _, e in source.events():
            if isinstance(e, ce.CaseEvent):
                book.apply(e)
                target._project_cases(book, [e.case])
            else:
                core.apply(e)
                target._project(core, [e])
        # the sealed addresses are not events: copied as they are (still sealed)
        target.conn.executemany("INSERT OR REPLACE INTO case_addresses(ref, case_id, sealed, at) VALUES (?,?,?,?)",
                                source.conn.execute("SELECT ref, case_id, sealed, at FROM case_addresses").fetchall())
        target.conn.executemany("INSERT OR REPLACE INTO notify_phones(ticket, day, sealed, at) VALUES (?,?,?,?)",
                                source.conn.execute("SELECT ticket, day, sealed, at FROM notify_phones").fetchall())
    return target


# ---------------------------------------------------------------- replication to a standby (hub/ha/repl.py)

# Rows a standby needs besides the events, each table read after its rowid (the cursor): the stored replies
# (a device's retry gets its first answer from the promoted hub too), the sealed case addresses and the
# imported appointments. Projections are not shipped: the standby projects the events itself.
REPL_TABLES: dict[str, tuple[str, ...]] = {
    "requests": ("device", "id", "op", "at", "reply"),
    "case_addresses": ("ref", "case_id", "sealed", "at"),
    "notify_phones": ("ticket", "day", "sealed", "at"),  # consenting citizens' numbers, sealed (docs/notify.md)
    "appointments": ("code", "day", "slot_start", "slot_end", "matter", "situation", "name_masked", "id_masked",
                     "id_hash", "phone_masked", "used_ticket"),
}
EVENT_COLUMNS = ("seq", "at", "day", "type", "data", "request_id", "device")


def repl_cursor(store: Store) -> dict[str, int]:
    """How far this file goes: the last event's seq and each replicated table's highest rowid. The same
    rows give the same cursor on the primary and on its standby (rows are copied with their rowids)."""
    out = {"seq": store.last_seq()}
    for table in REPL_TABLES:
        out[table] = int(store.conn.execute(f"SELECT MAX(rowid) FROM {table}").fetchone()[0] or 0)
    return out


def repl_rows(store: Store, cursor: dict[str, int], limit: int = 2000) -> dict[str, list[list[Any]]]:
    """The rows after ``cursor``, as JSON-ready lists (blobs as hex): up to ``limit`` events and, only once no
    event is left after them, up to ``limit`` rows of each table. So a stored reply never reaches the standby
    before the events of its command (a promoted standby never answers "done" for what it lacks)."""
    events = [list(r) for r in store.conn.execute(
        f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE seq>? ORDER BY seq LIMIT ?",
        (int(cursor.get("seq", 0)), limit))]
    out: dict[str, list[list[Any]]] = {"events": events}
    if len(events) == limit:
        return out
    for table, cols in REPL_TABLES.items():
        out[table] = [[r[0], *(v.hex() if isinstance(v, bytes) else v for v in r[1:])] for r in store.conn.execute(
            f"SELECT rowid, {', '.join(cols)} FROM {table} WHERE rowid>? ORDER BY rowid LIMIT ?",
            (int(cursor.get(table, 0)), limit))]
    return out


def hall_meta(store: Store, days: Iterable[str]) -> list[list[Any]]:
    """The hall files noted for ``days`` (``hall_day:…`` and the ``hall_file:…`` they name), to replicate."""
    out: list[list[Any]] = []
    for day in days:
        versions = store.meta(f"hall_day:{day}") or []
        out.append([f"hall_day:{day}", versions])
        out += [[f"hall_file:{v}", store.meta(f"hall_file:{v}")] for v in versions]
    return [kv for kv in out if kv[1] is not None]


def apply_repl(store: Store, rows: dict[str, list[list[Any]]], meta: list[list[Any]], core: HallCore,
               book: CaseBook) -> dict[str, int]:
    """A standby writes a batch of the primary's rows in one transaction: the tables' rows with their
    rowids, then the events after its own last seq, each applied to ``core``/``book`` and projected as
    :func:`rebuild` does. Idempotent: rows it already has are left as they are. Returns the new cursor."""
    mine = store.last_seq()
    with store.transaction():
        for table, cols in REPL_TABLES.items():
            blob = {"sealed"}
            data = [[r[0], *(bytes.fromhex(v) if c in blob and isinstance(v, str) else v
                             for c, v in zip(cols, r[1:], strict=True))] for r in rows.get(table, [])]
            if data:
                marks = ", ".join("?" * (len(cols) + 1))
                store.conn.executemany(f"INSERT OR REPLACE INTO {table}(rowid, {', '.join(cols)}) VALUES ({marks})",
                                       data)
        for key, value in meta:
            store.set_meta(str(key), value)
        for row in rows.get("events", []):
            if int(row[0]) <= mine:
                continue  # delivered twice: already here
            if int(row[0]) != mine + 1:
                raise StoreError(f"replication gap: event {row[0]} after {mine}")
            store.conn.execute(f"INSERT INTO events({', '.join(EVENT_COLUMNS)}) VALUES (?,?,?,?,?,?,?)", row)
            e = decode_event(json.loads(row[4]))
            if isinstance(e, ce.CaseEvent):
                book.apply(e)
                store._project_cases(book, [e.case])
            else:
                core.apply(e)
                store._project(core, [e])
            mine = int(row[0])
    return repl_cursor(store)


def event_fingerprint(store: Store, seq: int) -> str:
    """What identifies event ``seq`` (its time and type, and a hash of its data); "" for seq 0, "?" if absent."""
    if seq <= 0:
        return ""
    row = store.conn.execute("SELECT at, type, data FROM events WHERE seq=?", (seq,)).fetchone()
    if row is None:
        return "?"
    return f"{row[0]!r}/{row[1]}/{hashlib.sha256(str(row[2]).encode()).hexdigest()[:16]}"


def epoch_of(store: Store) -> int:
    """The fencing token this file last answered (or replicated) under (``meta.epoch``, 0 at first)."""
    return int(store.meta("epoch") or 0)


def remembered_standby(path: str | Path, *, forget: str = "") -> str:
    """The standby a stopped hub's database remembers (``meta.repl_standby``, "" for none: the 备用中心未同步
    alarm is raised until that standby is back in sync); with ``forget`` equal to it, cleared (``hallq standby
    forget``). The file must exist and be a hallq database (:class:`StoreError` otherwise); nothing is created.
    The caller holds the database's lock (:func:`hub.backup.exclusive`): no hub runs on it meanwhile."""
    try:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=rw", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"无法打开数据库 {path} (cannot open): {exc}") from None
    try:
        row = conn.execute("SELECT value FROM meta WHERE key='repl_standby'").fetchone()
        name = str(json.loads(row[0]) or "") if row else ""
        if forget and name == forget:
            with conn:
                conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('repl_standby', ?)", (json.dumps(""),))
        return name
    except sqlite3.Error as exc:
        raise StoreError(f"{path} 不是 hallq 的数据库 (not a hallq database): {exc}") from None
    finally:
        conn.close()
