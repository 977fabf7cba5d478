"""Random days in the small hall (hypothesis): invariants that no sequence of commands may break.

Each example drives the core with a random sequence of commands (refused ones included) and
records accepted events in a Store exactly as the service does, moving a clock through
marks and across midnight. After every step: one ticket at one window at most, waiting lists
hold exactly the waiting tickets, final states stay final. At the end: numbers contiguous
from 001 per queue per day, projections agree with the event log, a replay of the log gives
the live core, ``rebuild`` gives the live projections, and ``Store.load`` gives the live core.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hub import events as ev
from hub.core import FINAL, DomainError, HallCore, TicketState
from hub.store import Store, rebuild
from tests.hub.hub_helpers import STAFF_OF_WINDOW, FakeClock, core_view, local_ts, make_small_hall, snapshot

HALL = make_small_hall()
WINDOWS = ("W1", "W2", "W3")
QUEUE_MATTERS = (("A", "ma"), ("A", "ma2"), ("B", "mb"), ("C", "mc"))

w = st.sampled_from(WINDOWS)
n = st.integers(0, 12)  # a ticket by index into today's tickets (may be out of range → unknown)
BY_KIND = {
    "issue": st.tuples(st.just("issue"), st.sampled_from(QUEUE_MATTERS), st.sampled_from(["", "", "elderly", "military"]),
                       st.sampled_from(["", "", "p1", "p2"]), st.booleans(), st.sampled_from(["kiosk", "kiosk", "guide"])),
    "call_next": st.tuples(st.just("call_next"), w),
    "outcome": st.tuples(st.just("outcome"), w, st.sampled_from(["accepted", "consulted", "rejected", "passed"])),
    "open": st.tuples(st.just("open"), w),
    "call": st.tuples(st.just("call"), w, n),
    "recall": st.tuples(st.just("recall"), w),
    "transfer": st.tuples(st.just("transfer"), w, st.sampled_from(["A", "B", "C", "W1", "W2", "W3"]), st.booleans()),
    "retake": st.tuples(st.just("retake"), n),
    "cancel": st.tuples(st.just("cancel"), n),
    "verify": st.tuples(st.just("verify"), n),
    "pause": st.tuples(st.just("pause"), w),
    "resume": st.tuples(st.just("resume"), w),
    "close": st.tuples(st.just("close"), w),
    "evaluate": st.tuples(st.just("evaluate"), w, st.integers(0, 6)),
    "skip": st.tuples(st.just("skip"), w),
    "wait": st.tuples(st.just("wait"), st.sampled_from([1, 30, 61, 600, 3600])),
    "long_wait": st.tuples(st.just("wait"), st.sampled_from([3 * 3600, 20 * 3600])),
    "expire_all": st.tuples(st.just("expire_all")),
    "summon": st.tuples(st.just("summon"), w, st.sampled_from(["", "公安局"])),
    "answer": st.tuples(st.just("answer"), st.integers(0, 4), st.sampled_from(["respond", "arrive"])),
}
# how often each kind comes up: a busy hall issues, calls and records outcomes most
WEIGHTS = {"issue": 8, "call_next": 8, "outcome": 8, "open": 2, "call": 2, "recall": 2, "transfer": 2, "retake": 3,
           "cancel": 1, "verify": 1, "pause": 1, "resume": 2, "close": 1, "evaluate": 3, "skip": 1, "wait": 3,
           "long_wait": 1, "expire_all": 1, "summon": 1, "answer": 1}
op = st.sampled_from([k for k, n in WEIGHTS.items() for _ in range(n)]).flatmap(BY_KIND.__getitem__)


def number(core: HallCore, i: int) -> str:
    tickets = sorted(core.tickets.values(), key=lambda t: t.seq)
    return tickets[i].number if i < len(tickets) else "Z999"


def run(core: HallCore, now: float, o: tuple[Any, ...]) -> list[ev.Event]:
    kind = o[0]
    match kind:
        case "issue":
            (_q, matter), group, person, appointment, channel = o[1:]
            return core.issue(now, matter=matter, situation="s", priority_group=group, id_hash=person,
                              channel="appointment" if appointment else channel,
                              appointment_slot=now + 600 if appointment else None)
        case "open":
            return core.open_window(now, o[1], STAFF_OF_WINDOW[o[1]], "P")
        case "call_next":
            return core.call_next(now, o[1])
        case "call":
            return core.call_ticket(now, o[1], number(core, o[2]))
        case "recall":
            return core.recall(now, o[1])
        case "outcome":
            return core.outcome(now, o[1], o[2], reason="材料不全")
        case "transfer":
            target = o[2]
            kw = {"to_window": target} if target.startswith("W") else {"to_queue": target}
            return core.transfer(now, window=o[1], keep_place=o[3], **kw)
        case "retake":
            return core.retake(now, number(core, o[1]))
        case "cancel":
            return core.cancel(now, number(core, o[1]), "本人放弃")
        case "verify":
            return core.verify_priority(now, number(core, o[1]), "elderly")
        case "pause":
            return core.pause(now, o[1], "午休")
        case "resume":
            return core.resume(now, o[1])
        case "close":
            return core.close_window(now, o[1])
        case "evaluate":
            return core.evaluate(now, o[1], o[2], reason="态度")
        case "skip":
            return core.skip_evaluation(now, o[1])
        case "expire_all":
            return core.expire_all(now)
        case "summon":
            return core.summon(now, o[1], o[2])
        case "answer":
            ids = list(core.summons)
            return core.answer_summon(now, ids[o[1]] if o[1] < len(ids) else "none", o[2])
    raise AssertionError(kind)


def check_step(core: HallCore, history: dict[str, TicketState]) -> None:
    current = [win.current for win in core.windows.values() if win.current]
    assert len(current) == len(set(current)), "a ticket is current at two windows"
    called = {t.id for t in core.tickets.values() if t.state is TicketState.CALLED}
    assert called == set(current), "a called ticket must be current at exactly one window"
    for wid, win in core.windows.items():
        if win.current:
            assert core.tickets[win.current].window == wid
    listed = [k[3] for lst in (*core.waiting.values(), *core.direct.values()) for k in lst]
    assert len(listed) == len(set(listed)), "a ticket waits in two lists"
    waiting = {t.id for t in core.tickets.values() if t.state is TicketState.WAITING}
    assert set(listed) == waiting
    for lst in (*core.waiting.values(), *core.direct.values()):
        assert lst == sorted(lst)
        assert all(core.tickets[k[3]].key == k for k in lst)
    for q, lst in core.waiting.items():  # the lazily pruned heap agrees with a full scan
        assert core.oldest_waiting(q) == min((core.tickets[k[3]].issued_at for k in lst), default=None), q
    for t in core.tickets.values():
        before = history.get(t.id)
        if before in FINAL and t.state is not before:
            assert before is TicketState.PASSED and t.state in (TicketState.WAITING, TicketState.CALLED), \
                f"{t.number}: final state {before} became {t.state}"
        history[t.id] = t.state


def states_from_log(store: Store) -> dict[str, str]:
    """An independent fold of the event log into each ticket's last state."""
    state: dict[str, str] = {}
    for _, e in store.events():
        match e:
            case ev.TicketIssued() | ev.TicketTransferred() | ev.TicketRequeued():
                state[e.ticket] = "waiting"
            case ev.TicketCalled():
                state[e.ticket] = "called"
            case ev.OutcomeRecorded():
                state[e.ticket] = e.outcome
            case ev.TicketCancelled():
                state[e.ticket] = "cancelled"
            case ev.TicketsExpired():
                state.update(dict.fromkeys(e.tickets, "expired"))
            case ev.DayStarted():
                state.update(dict.fromkeys(e.expired, "expired"))
    return state


def check_end(core: HallCore, store: Store, tmp: Path) -> None:
    rows = store.tickets()
    # numbers per queue per day: unique and contiguous from 001
    by_queue: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        prefix = r["number"].rstrip("0123456789")  # the queue it was issued in (a transfer keeps the number)
        by_queue.setdefault((r["day"], prefix), []).append(r["number"])
    for (_day, q), numbers in by_queue.items():
        assert sorted(numbers) == [f"{q}{i:03d}" for i in range(1, len(numbers) + 1)]
    # projections agree with the log
    issued = [e for _, e in store.events() if isinstance(e, ev.TicketIssued)]
    assert len(rows) == len(issued)
    log_states = states_from_log(store)
    assert {r["id"]: r["state"] for r in rows} == log_states
    assert Counter(r["state"] for r in rows) == Counter(log_states.values())
    calls_today = Counter(e.window for _, e in store.events() if isinstance(e, ev.TicketCalled)
                          and e.ticket.startswith(core.day))
    for wrow in store.windows():
        assert json.loads(wrow["counts"]).get("called", 0) == calls_today[wrow["id"]]
    # the log replays into the live core
    replayed = HallCore(HALL)
    for _, e in store.events():
        replayed.apply(e)
    assert core_view(replayed) == core_view(core)
    # restart gives the live core
    assert core_view(store.load(HALL)) == core_view(core)
    # rebuild gives the live projections
    rebuilt = rebuild(store, tmp / f"rebuilt-{store.last_seq()}.db", HALL)
    try:
        assert rebuilt.tickets() == rows
        assert rebuilt.windows() == store.windows()
        assert rebuilt.meta("core") == store.meta("core")
    finally:
        rebuilt.close()


@settings(max_examples=int(os.environ.get("HALLQ_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, min_size=10, max_size=80))
def test_random_days_keep_every_invariant(ops: list[tuple[Any, ...]]) -> None:
    clock = FakeClock(local_ts(2026, 11, 23, 8, 50))
    core = HallCore(HALL)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        store = Store(tmp / "hub.db", durable=False)
        try:
            history: dict[str, TicketState] = {}
            preamble = [("open", "W1"), ("open", "W2"), ("open", "W3"),
                        *[("issue", qm, "", "", False, "kiosk") for qm in QUEUE_MATTERS]]
            for o in [*preamble, *ops]:
                if o[0] == "wait":
                    clock.advance(o[1])
                now = clock.advance(1)
                events = core.tick(now)
                before = snapshot(core)
                try:
                    events += run(core, now, o) if o[0] != "wait" else []
                    event(f"done {o[0]}")
                except DomainError as exc:
                    event(f"refused {o[0]}: {exc.code}")
                    assert snapshot(core) == before, f"refused {o} changed the core"
                store.record(core, events)
                check_step(core, history)
            check_end(core, store, tmp)
        finally:
            store.close()
