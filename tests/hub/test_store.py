"""The durable store (hub.store): one transaction per command, idempotent replies, restart, no full IDs at rest."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hallq import idcard
from hub import events as ev
from hub.core import HallCore
from hub.hall import Hall
from hub.service import HubService
from hub.store import Store
from tests.hub.hub_helpers import (
    STAFF_OF_WINDOW,
    FakeClock,
    as_the_old_hub_left_it,
    core_view,
    event_count,
    reply,
    req,
)

KEY = b"k" * 32
VALID_IDS = ("11010519491231002X", "440524188001010014", "34052419800101001X")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "hub.db"


@pytest.fixture
def svc(small_hall: Hall, db: Path, clock: FakeClock) -> Iterator[HubService]:
    store = Store(db, durable=False)
    service = HubService(small_hall, store, KEY, clock)
    yield service
    service.store.close()


def handle_ok(service: HubService, device: str, op: str, args: dict[str, Any] | None = None,
              rid: str | None = None) -> dict[str, Any]:
    r = reply(service.handle(device, req(op, args, rid)))
    assert r["ok"], r
    return dict(r["result"])


def open_window_fast(service: HubService, now: float, window: str) -> None:
    """Open through the core and store (the PIN hash costs ~0.1 s; the wire path is tested elsewhere)."""
    events = service.core.tick(now)
    service.store.record(service.core, events + service.core.open_window(now, window, STAFF_OF_WINDOW[window], f"P{window[-1]}"))


def rows(store: Store, sql: str) -> list[tuple[Any, ...]]:
    return list(store.conn.execute(sql).fetchall())


# ---------------------------------------------------------------- one transaction per command


def test_exception_inside_transaction_leaves_nothing(small_hall: Hall, db: Path, clock: FakeClock) -> None:
    store = Store(db, durable=False)
    core = HallCore(small_hall)
    events = core.tick(clock.now) + issue_events(core, clock.now)
    with pytest.raises(RuntimeError, match="power cut"), store.transaction():
        store.write(core, events, device="K1", request_id="r1")
        assert event_count(store) == len(events)  # written, not committed
        raise RuntimeError("power cut")
    assert event_count(store) == 0
    assert store.tickets() == []
    assert store.windows() == []
    store.close()
    reopened = Store(db)
    assert event_count(reopened) == 0
    assert reopened.tickets() == []
    assert reopened.meta("core") is None
    reopened.close()


def issue_events(core: HallCore, now: float) -> list[Any]:
    return core.issue(now, matter="ma", situation="s", device="K1")


def test_process_killed_mid_transaction_leaves_nothing(db: Path, clock: FakeClock) -> None:
    """A real kill: the child writes events and projections, then dies (os._exit) before COMMIT."""
    script = textwrap.dedent(f"""
        import os, sys
        sys.path[:0] = {sys.path!r}
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from tests.hub.hub_helpers import make_small_hall
        from hub.core import HallCore
        from hub.store import Store
        store = Store({str(db)!r})
        core = HallCore(make_small_hall())
        with store.transaction():
            store.write(core, core.tick({clock.now!r}))
        events = core.issue({clock.now!r}, matter="ma", situation="s")
        store.conn.execute("BEGIN IMMEDIATE")
        store.write(core, events, device="K1", request_id="r1")
        store.conn.execute("INSERT INTO requests(device, id, op, at, reply) VALUES ('K1','r1','x',0,'{{}}')")
        os._exit(9)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60, check=False)
    assert proc.returncode == 9, proc.stderr.decode()
    store = Store(db)
    try:
        types = [e.type for _, e in store.events()]
        assert types == ["day.started"]  # the committed first transaction only
        assert store.tickets() == []
        assert store.stored_reply("K1", "r1") is None
        assert store.meta("core")["counters"]["A"] == 0
    finally:
        store.close()


def test_failing_projection_rolls_back_the_whole_command(svc: HubService, clock: FakeClock,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    handle_ok(svc, "K1", "ticket.issue", {"matter": "ma", "situation": "s"})
    before_events, before_view = event_count(svc.store), core_view(svc.core)
    real = svc.store._project

    def boom(core: HallCore, events: list[Any]) -> None:
        real(core, events)
        raise OSError("disk full")

    monkeypatch.setattr(svc.store, "_project", boom)
    out = svc.handle("K1", req("ticket.issue", {"matter": "mb", "situation": "s"}, "r-fail"))
    assert reply(out)["error"]["code"] == "internal"
    assert out.publications == []
    assert event_count(svc.store) == before_events
    assert core_view(svc.core) == before_view  # memory reloaded from the database
    assert svc.store.stored_reply("K1", "r-fail") is None
    monkeypatch.undo()
    # the retry with the same id now does the work, once
    again = handle_ok(svc, "K1", "ticket.issue", {"matter": "mb", "situation": "s"}, "r-fail")
    assert again["ticket"]["number"] == "B001"
    assert [t["number"] for t in svc.store.tickets()] == ["A001", "B001"]


def test_a_failure_after_the_write_rolls_the_command_back_too(svc: HubService, clock: FakeClock,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The events and the stored reply were written, then shaping the publications failed: the
    command's own savepoint undoes the writes, so ``internal`` really means nothing changed."""
    handle_ok(svc, "K1", "ticket.issue", {"matter": "ma", "situation": "s"})
    open_window_fast(svc, clock.now, "W1")
    before_events, before_view = event_count(svc.store), core_view(svc.core)

    def boom(core: Any, events: list[Any], seq: int) -> list[Any]:
        raise RuntimeError("a bug after the write")

    monkeypatch.setattr(svc.publisher, "events", boom)
    out = svc.handle("P1", req("ticket.call_next", {"window": "W1"}, "r-late"))
    assert reply(out)["error"]["code"] == "internal"
    assert (reply(out)["id"], out.publications) == ("r-late", [])
    assert event_count(svc.store) == before_events
    assert svc.store.stored_reply("P1", "r-late") is None
    assert core_view(svc.core) == before_view
    assert svc.publisher.recent_calls == []
    monkeypatch.undo()
    again = handle_ok(svc, "P1", "ticket.call_next", {"window": "W1"}, "r-late")
    assert again["ticket"]["number"] == "A001"


def test_a_tick_that_fails_to_commit_leaves_memory_as_the_database(svc: HubService, clock: FakeClock,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    handle_ok(svc, "K1", "ticket.issue", {"matter": "mb", "situation": "s"})
    before_view, day = core_view(svc.core), svc.core.day
    clock.set_local(8, 30, day_offset=1)  # the next morning: the tick starts a new day

    def boom(core: HallCore, events: list[Any]) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(svc.store, "_project", boom)
    with pytest.raises(OSError, match="disk full"):
        svc.tick()
    assert svc.core.day == day
    assert core_view(svc.core) == before_view
    monkeypatch.undo()
    svc.tick()
    assert svc.core.day != day


def test_a_command_that_cannot_be_answered_is_dropped_and_changes_nothing(svc: HubService,
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    before_events, before_view = event_count(svc.store), core_view(svc.core)
    # a topic level that is no device id: there is no reply topic to answer on
    for device in ("K 1", "", "x" * 33, "K1\n", "窗口"):
        out = svc.handle(device, req("ticket.issue", {"matter": "ma", "situation": "s"}))
        assert (out.reply, out.publications, out.ok) == (None, [], False)
    # a failure nobody foresaw, in a payload with no request id to answer: logged, dropped
    monkeypatch.setattr("hub.service.p.decode_request", lambda payload: 1 / 0)
    with caplog.at_level("ERROR", logger="hallq.hub"):
        out = svc.handle("K1", b"{}")
    assert out.reply is None
    assert "dropped a command from K1" in caplog.text
    assert event_count(svc.store) == before_events
    assert core_view(svc.core) == before_view


def test_a_failed_commit_is_rolled_back_not_left_open(small_hall: Hall, db: Path, clock: FakeClock) -> None:
    store = Store(db, durable=False)
    core = HallCore(small_hall)
    store.conn.set_authorizer(lambda action, arg, *_: 1 if (action, arg) == (22, "COMMIT") else 0)  # SQLITE_DENY
    with pytest.raises(Exception, match="not authorized"), store.transaction():
        store.write(core, core.tick(clock.now))
    store.conn.set_authorizer(None)
    assert not store.conn.in_transaction
    assert event_count(store) == 0
    with store.transaction():  # the next transaction works
        store.write(core, [])
    store.close()


def test_start_skips_a_ticket_it_cannot_read_back_and_says_which_event(svc: HubService, small_hall: Hall, db: Path,
                                                                       clock: FakeClock,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    """An older hub took ``"appointment_slot": NaN``; SQLite keeps NaN as NULL, and the queue could not
    be rebuilt: the hub never started again. Now that ticket is left out, loudly, and the rest serves."""
    handle_ok(svc, "K1", "ticket.issue", {"matter": "mb", "situation": "s"})
    for _ in range(2):  # two appointment tickets: loading the queue compares their orders
        events = svc.core.issue(clock.now, matter="ma", situation="s", channel="appointment",
                                appointment_slot=clock.now - 60)
        svc.store.record(svc.core, events)
    nan_seq = as_the_old_hub_left_it(svc.store, f"{svc.core.day}-A001")
    svc.store.close()
    with caplog.at_level("ERROR", logger="hallq.hub"):
        again = HubService(small_hall, Store(db, durable=False), KEY, clock)
    assert f"QUARANTINED ticket {again.core.day}-A001 (event seq {nan_seq}, ticket.issued)" in caplog.text
    assert [(q["what"], q["key"], q["seq"]) for q in again.store.quarantined()] == [
        ("ticket", f"{again.core.day}-A001", nan_seq)]
    assert sorted(t.number for t in again.core.tickets.values()) == ["A002", "B001"]
    issued = reply(again.handle("K1", req("ticket.issue", {"matter": "ma", "situation": "s"})))["result"]["ticket"]
    assert issued["number"] == "A003"  # the skipped number is not handed out again
    again.store.close()


def test_start_skips_a_window_row_and_a_call_event_it_cannot_read(svc: HubService, small_hall: Hall, db: Path,
                                                                  clock: FakeClock) -> None:
    handle_ok(svc, "K1", "ticket.issue", {"matter": "mb", "situation": "s"})
    svc.store.conn.execute("UPDATE windows SET counts='{not json' WHERE id='W1'")
    svc.store.conn.execute("INSERT INTO events(at, day, type, data) VALUES (?, ?, 'ticket.called', '{\"type\": 5}')",
                           (clock.now, svc.core.day))
    bad_seq = svc.store.last_seq()
    svc.store.conn.execute("INSERT INTO events(at, day, type, data) VALUES (?, ?, ?, ?)",
                           (clock.now, svc.core.day, ev.BackOfficeSummoned.type,
                            json.dumps({"type": ev.BackOfficeSummoned.type, "at": clock.now})))  # fields missing
    bad_summon = svc.store.last_seq()
    svc.store.close()
    again = HubService(small_hall, Store(db, durable=False), KEY, clock)
    found = {(q["what"], q["key"]): q for q in again.store.quarantined()}
    assert set(found) == {("window", "W1"), ("event", str(bad_seq)), ("event", str(bad_summon))}
    assert found[("event", str(bad_summon))]["type"] == ev.BackOfficeSummoned.type
    assert (found[("event", str(bad_seq))]["seq"], found[("event", str(bad_seq))]["type"]) == (bad_seq, "ticket.called")
    assert again.core.windows["W1"].state.value == "closed"  # starts closed: staff log in again
    assert again.publisher.recent_calls == []
    again.store.close()


def test_each_command_is_one_transaction(svc: HubService) -> None:
    handle_ok(svc, "K1", "ticket.issue", {"matter": "mb", "situation": "s"})  # the day has started
    n = event_count(svc.store)
    sql: list[str] = []  # what SQLite was told: one BEGIN … COMMIT, savepoints inside it
    svc.store.conn.set_trace_callback(sql.append)
    handle_ok(svc, "K1", "ticket.issue", {"matter": "ma", "situation": "s"}, "one")
    svc.store.conn.set_trace_callback(None)
    ends = [s for s in sql if s.split()[0] in ("BEGIN", "COMMIT", "ROLLBACK")]
    assert ends == ["BEGIN IMMEDIATE", "COMMIT"]
    inside = sql[sql.index("BEGIN IMMEDIATE"):sql.index("COMMIT")]
    assert any(s.startswith("INSERT INTO events") for s in inside)
    assert any(s.startswith("INSERT INTO requests") for s in inside)
    assert not any(s.startswith("ROLLBACK") for s in sql)
    assert [e.type for _, e in svc.store.events(n)] == ["ticket.issued"]
    row = rows(svc.store, "SELECT request_id, device FROM events ORDER BY seq DESC LIMIT 1")[0]
    assert row == ("one", "K1")
    assert svc.store.stored_reply("K1", "one") is not None


# ---------------------------------------------------------------- idempotency


def test_same_request_id_twice_is_byte_identical_and_changes_nothing(svc: HubService, small_hall: Hall,
                                                                    db: Path, clock: FakeClock) -> None:
    payload = req("ticket.issue", {"matter": "ma", "situation": "s"}, "kiosk-1-0001")
    first = svc.handle("K1", payload)
    assert first.ok
    assert first.publications
    n_events, tickets = event_count(svc.store), svc.store.tickets()
    clock.advance(5)
    second = svc.handle("K1", payload)
    assert second.reply == first.reply
    assert second.publications == []
    assert event_count(svc.store) == n_events
    assert svc.store.tickets() == tickets
    # the same id from another device is another request
    other = reply(svc.handle("G1", payload))
    assert other["result"]["ticket"]["number"] == "A002"
    # restart: close the store, open it again, same bytes
    svc.store.close()
    store = Store(db, durable=False)
    svc2 = HubService(small_hall, store, KEY, clock)
    third = svc2.handle("K1", payload)
    assert third.reply == first.reply
    assert event_count(store) == n_events + 2  # G1's ticket and the audit of that guide override
    svc.store = store  # the fixture closes it


def test_a_refusal_is_replayed_too(svc: HubService, clock: FakeClock) -> None:
    open_window_fast(svc, clock.now, "W1")
    payload = req("ticket.call_next", {"window": "W1"}, "pad-1")
    first = svc.handle("P1", payload)
    assert reply(first)["error"]["code"] == "queue_empty"
    handle_ok(svc, "K1", "ticket.issue", {"matter": "ma", "situation": "s"})
    n = event_count(svc.store)
    assert svc.handle("P1", payload).reply == first.reply  # not a second, different answer
    assert event_count(svc.store) == n
    assert svc.core.windows["W1"].current == ""


# ---------------------------------------------------------------- restart mid-day


def build_day(service: HubService, clock: FakeClock) -> None:
    """A busy morning: every kind of state the hub must resume."""
    for w in ("W1", "W2", "W3"):
        open_window_fast(service, clock.now, w)
    for i, (matter, extra) in enumerate([
        ("ma", {}), ("mb", {}), ("ma2", {"id_number": VALID_IDS[0]}), ("mc", {}),
        ("ma", {"id_number": VALID_IDS[1], "priority_group": "elderly"}), ("mb", {"priority_group": "military"}),
        ("ma2", {}), ("mc", {"channel": "appointment", "appointment_slot": clock.now + 3600}),
    ]):
        clock.advance(10 + i)
        device = "G1" if "channel" in extra else "K1"  # kiosks check appointments in by code
        handle_ok(service, device, "ticket.issue", {"matter": matter, "situation": "s", **extra})
    clock.advance(30)
    handle_ok(service, "G1", "ticket.verify_priority", {"ticket": "A003"})
    handle_ok(service, "P1", "ticket.call_next", {"window": "W1"})
    handle_ok(service, "P1", "ticket.recall", {"window": "W1"})
    handle_ok(service, "P1", "ticket.outcome", {"window": "W1", "outcome": "accepted"})  # evaluation pending
    handle_ok(service, "P1", "ticket.call_next", {"window": "W1"})                       # current at W1
    handle_ok(service, "P2", "ticket.call_next", {"window": "W2"})
    handle_ok(service, "P2", "ticket.outcome", {"window": "W2", "outcome": "passed"})
    passed = next(t for t in service.core.tickets.values() if t.state.value == "passed")
    handle_ok(service, "K1", "ticket.retake", {"ticket": passed.number})
    handle_ok(service, "P2", "ticket.call_next", {"window": "W2"})
    handle_ok(service, "P2", "ticket.transfer", {"window": "W2", "to_window": "W3"})
    handle_ok(service, "P3", "ticket.call_next", {"window": "W3"})
    handle_ok(service, "P3", "window.summon", {"window": "W3"})


def test_restart_mid_day_resumes_everything(svc: HubService, small_hall: Hall, db: Path, clock: FakeClock) -> None:
    build_day(svc, clock)
    live = core_view(svc.core)
    assert any(w.evaluation for w in svc.core.windows.values())
    assert sum(len(v) for v in svc.core.waiting.values()) >= 2
    svc.store.close()
    store = Store(db, durable=False)
    loaded = store.load(small_hall)
    assert core_view(loaded) == live
    assert loaded.expired_marks == svc.core.expired_marks
    svc2 = HubService(small_hall, store, KEY, clock)
    assert svc2.publisher.recent_calls == svc.publisher.recent_calls
    svc.store = store
    # and it keeps going where it left off: numbering, waiting order, pending evaluation
    nxt = handle_ok(svc2, "K1", "ticket.issue", {"matter": "ma", "situation": "s"})["ticket"]
    assert nxt["number"] == f"A{svc.core.counters['A'] + 1:03d}"
    handle_ok(svc2, "D1", "evaluation.submit", {"window": "W1", "level": 4})
    dup = reply(svc2.handle("K1", req("ticket.issue", {"matter": "ma2", "situation": "s",
                                                       "id_number": VALID_IDS[0]})))
    assert dup["ok"] or dup["error"]["code"] == "duplicate_ticket"


def test_restart_keeps_one_ticket_per_person(svc: HubService, small_hall: Hall, db: Path, clock: FakeClock) -> None:
    handle_ok(svc, "K1", "ticket.issue", {"matter": "ma", "situation": "s", "id_number": VALID_IDS[2]})
    svc.store.close()
    svc.store = Store(db, durable=False)
    svc2 = HubService(small_hall, svc.store, KEY, clock)
    dup = reply(svc2.handle("K1", req("ticket.issue", {"matter": "ma", "situation": "s",
                                                       "id_number": VALID_IDS[2]})))
    assert dup["error"]["code"] == "duplicate_ticket"


def test_restart_next_morning_starts_a_new_day(svc: HubService, small_hall: Hall, db: Path,
                                               clock: FakeClock) -> None:
    handle_ok(svc, "K1", "ticket.issue", {"matter": "ma", "situation": "s"})
    svc.store.close()
    svc.store = Store(db, durable=False)
    clock.set_local(9, 0, day_offset=1)
    svc2 = HubService(small_hall, svc.store, KEY, clock)
    first = handle_ok(svc2, "K1", "ticket.issue", {"matter": "ma", "situation": "s"})["ticket"]
    assert first["id"] == "2026-11-24-A001"
    states = {t["id"]: t["state"] for t in svc.store.tickets()}
    assert states["2026-11-23-A001"] == "expired"


# ---------------------------------------------------------------- no full ID number at rest


def test_no_full_id_number_in_the_database_files(svc: HubService, db: Path, clock: FakeClock) -> None:
    for i, number in enumerate(VALID_IDS):
        handle_ok(svc, "K1", "ticket.issue", {"matter": "ma" if i % 2 else "mb", "situation": "s",
                                              "id_number": number, "name": "张三", "phone": "13812345678"})
    handle_ok(svc, "K1", "ticket.issue", {"matter": "ma2", "situation": "s", "id_number": VALID_IDS[0].lower()})
    files = [p for p in (db, db.with_name(db.name + "-wal")) if p.exists()]
    assert len(files) == 2  # the WAL holds the recent commits: check it too
    masked = [idcard.mask_id(n) for n in VALID_IDS]

    def check(paths: list[Path]) -> None:
        blob = b"".join(p.read_bytes() for p in paths)
        for number in VALID_IDS:
            for form in (number, number.lower(), number[:17]):
                assert form.encode() not in blob
                assert form.encode("utf-16-le") not in blob
        assert not idcard.looks_like_full_id(blob.decode("latin-1"))
        assert b"13812345678" not in blob

    check(files)
    assert any(m.encode() in b"".join(p.read_bytes() for p in files) for m in masked)  # the search works
    id_columns = rows(svc.store, "SELECT id_masked, id_hash FROM tickets WHERE id_masked != ''")
    assert len(id_columns) == 4
    assert all(len(h) == 64 for _, h in id_columns)
    svc.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    check([p for p in (db, db.with_name(db.name + "-wal")) if p.exists()])


def test_events_on_disk_are_json_and_replayable(svc: HubService) -> None:
    handle_ok(svc, "K1", "ticket.issue", {"matter": "ma", "situation": "s"})
    for (data,) in rows(svc.store, "SELECT data FROM events"):
        assert json.loads(data)["type"]
    assert [e.type for _, e in svc.store.events()] == ["day.started", "ticket.issued"]


def test_cancelling_a_called_ticket_frees_its_window_after_restart(svc: HubService, small_hall: Hall, db: Path,
                                                                  clock: FakeClock) -> None:
    open_window_fast(svc, clock.now, "W1")
    handle_ok(svc, "K1", "ticket.issue", {"matter": "ma", "situation": "s"})
    handle_ok(svc, "P1", "ticket.call_next", {"window": "W1"})
    out = svc.handle("G1", req("ticket.cancel", {"ticket": "A001", "reason": "本人离开"}))
    assert out.ok
    window_pubs = [json.loads(pub.payload) for pub in out.publications if pub.topic == svc.topics.window("W1")]
    assert window_pubs
    assert window_pubs[-1]["current"] is None
    assert [w["current"] for w in svc.store.windows() if w["id"] == "W1"] == [""]
    svc.store.close()
    svc.store = Store(db, durable=False)
    svc2 = HubService(small_hall, svc.store, KEY, clock)
    assert svc2.core.windows["W1"].current == ""
    handle_ok(svc2, "K1", "ticket.issue", {"matter": "ma", "situation": "s"})
    assert handle_ok(svc2, "P1", "ticket.call_next", {"window": "W1"})["ticket"]["number"] == "A002"
