"""Random command sequences against the case core (hypothesis).

Each example drives a :class:`CaseBook` with random commands over a few cases — right and wrong
departments, right and wrong ID hashes, every delivery method, a clock that mostly moves on and
sometimes goes back. After every step: a refused command left the book exactly as it was; an
accepted one left every case in a legal state (its history is a path through the one transition
table, final stays final, decided/closed fields agree with the state, department actions came from
the case's department, a pickup without a proxy matched the applicant's hash). At the end a replay
of the events rebuilds the same book.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hub import case_events as ce
from hub.cases import DECIDED, FINAL, TRANSITIONS, CaseBook, CaseError, CaseState, Material, MaterialForm
from tests.cases.case_helpers import ADDRESS_REF, APPLICANT_HASH, GA, MS, OTHER_HASH, at, book_snapshot, new_book

CASES = ("C0", "C1", "C2")
DEPTS = (MS, GA)
c = st.sampled_from(CASES)
dep = st.sampled_from(DEPTS)
own = st.sampled_from(["own", "own", "own", "other"])  # the case's department, or the other one
COMMANDS = st.one_of(
    st.tuples(st.just("accept"), c, dep, st.sampled_from(["promised", "immediate"]), st.integers(0, 4),
              st.sampled_from(["pickup", "locker", "mail"]), st.booleans(), st.booleans()),
    st.tuples(st.just("pick_up"), c),
    st.tuples(st.just("sign"), c, own),
    st.tuples(st.just("notify"), c, own, st.integers(-1, 10)),
    st.tuples(st.just("receive_correction"), c),
    st.tuples(st.just("approve"), c, own),
    st.tuples(st.just("deny"), c, own, st.booleans()),
    st.tuples(st.just("send_out"), c, own),
    st.tuples(st.just("receive_result"), c),
    st.tuples(st.just("collect"), c, st.sampled_from([APPLICANT_HASH, OTHER_HASH, ""]), st.booleans(), st.booleans()),
    st.tuples(st.just("locker"), c, st.sampled_from(["", "B-12"])),
    st.tuples(st.just("post"), c, st.sampled_from(["", "SF000111"])),
    st.tuples(st.just("change_delivery"), c, st.sampled_from(["pickup", "locker", "mail", "boat"])),
    st.tuples(st.just("done_on_spot"), c),
    st.tuples(st.just("wait"), st.sampled_from([60, 3600, 5 * 3600, 86400, 3 * 86400, -600])),
)
# "advance": one of the legal next actions of the case's state, with sound arguments 4 times in 5
ADVANCE = st.tuples(st.just("advance"), c, st.integers(0, 5), st.sampled_from([True, True, True, True, False]))
STEPS = st.one_of(ADVANCE, ADVANCE, COMMANDS)


PREFERENCE = ["pick_up", "sign", "approve", "send_out", "receive_result", "collect", "locker", "post",
              "receive_correction", "notify_correction", "deny", "done_on_spot"]


def advance(book: CaseBook, cmd: tuple[Any, ...]) -> tuple[Any, ...]:
    """The "advance" step as a plain command: a legal next action of the case, arguments sound or not."""
    _, case, pick, sound = cmd
    state = book.cases[case].state if case in book.cases else CaseState.ACCEPTED
    legal = sorted((a for (s, a) in TRANSITIONS if s is state and a != "change_delivery"), key=PREFERENCE.index)
    legal = legal or ["sign"]
    action = legal[pick % len(legal)]
    delivery = book.cases[case].delivery.value if case in book.cases else "pickup"
    if action in ("sign", "approve", "send_out"):
        return (action, case, "own" if sound else "other")
    if action == "notify_correction":
        return ("notify", case, "own" if sound else "other", 5 if sound else -1)
    if action == "deny":
        return ("deny", case, "own" if sound else "other", sound)
    if action in ("collect", "locker", "post") and sound and delivery != {"collect": "pickup", "locker": "locker",
                                                                          "post": "mail"}[action]:
        action = {"pickup": "collect", "locker": "locker", "mail": "post"}[delivery]
    if action == "collect":
        return ("collect", case, APPLICANT_HASH if sound else OTHER_HASH, False, False)
    if action == "locker":
        return ("locker", case, "B-12" if sound else "")
    if action == "post":
        return ("post", case, "SF000111" if sound else "")
    return (action, case)


def run(book: CaseBook, now: float, cmd: tuple[Any, ...]) -> list[ce.CaseEvent]:
    kind, *a = cmd
    if kind in ("sign", "notify", "approve", "deny", "send_out"):
        mine = book.cases[a[0]].department if a[0] in book.cases else MS
        a[1] = mine if a[1] == "own" else next(d for d in DEPTS if d != mine)
    if kind == "accept":
        case, department, k, days, delivery, with_hash, with_box = a
        return book.accept(now, case=case, ticket=f"t-{case}", matter="m", situation="s", department=department,
                           kind=k, promised_days=days, window="S01", id_hash=APPLICANT_HASH if with_hash else "",
                           materials=[Material("申请书"), Material("身份证", MaterialForm.COPY, 2)], delivery=delivery,
                           compartment="A-01" if with_box and delivery == "locker" else "",
                           address_ref=ADDRESS_REF if delivery == "mail" else "")
    if kind == "pick_up":
        return book.pick_up(now, a[0])
    if kind == "sign":
        return book.sign(now, a[0], department=a[1])
    if kind == "notify":
        deadline = book.day_of(now) + dt.timedelta(days=a[2])
        return book.notify_correction(now, a[0], department=a[1], reasons=["缺少签字"], deadline=deadline)
    if kind == "receive_correction":
        return book.receive_correction(now, a[0], window="S05", materials=[Material("补正说明")])
    if kind == "approve":
        return book.approve(now, a[0], department=a[1])
    if kind == "deny":
        return book.deny(now, a[0], department=a[1], reasons=["不符合条件"] if a[2] else [])
    if kind == "send_out":
        return book.send_out(now, a[0], department=a[1])
    if kind == "receive_result":
        return book.receive_result(now, a[0], window="S10")
    if kind == "collect":
        case, id_hash, proxy, authorised = a
        return book.collect(now, case, window="S10", id_hash=id_hash, proxy=proxy,
                            authorisation="WT-1" if authorised else "")
    if kind == "locker":
        return book.locker(now, a[0], compartment=a[1])
    if kind == "post":
        return book.post(now, a[0], tracking=a[1])
    if kind == "change_delivery":
        method = a[1]
        return book.change_delivery(now, a[0], delivery=method, address_ref=ADDRESS_REF if method == "mail" else "")
    assert kind == "done_on_spot"
    return book.done_on_spot(now, a[0], window="S02")


def check_case_invariants(book: CaseBook) -> None:
    for case in book.cases.values():
        state = CaseState.ACCEPTED
        for e in case.history[1:]:
            assert (state, e.action) in TRANSITIONS, (state, e.action)
            state = TRANSITIONS[(state, e.action)]
            if isinstance(e, ce.CaseSigned | ce.CaseCorrectionNotified | ce.CaseApproved | ce.CaseDenied
                          | ce.CaseResultSent):
                assert e.department == case.department
        assert state is case.state
        times = [e.at for e in case.history]
        assert times == sorted(times)
        assert (case.decided_at is not None) == (case.state in DECIDED)
        assert (case.closed_at is not None) == (case.state in FINAL)
        if case.decided_at is not None:
            assert case.signed_at is not None and case.signed_at <= case.decided_at
            assert case.decision in ("approved", "denied")
        assert case.due >= book.day_of(case.accepted_at)
        if case.kind.value == "immediate":
            assert case.promised_days == 0


# the opening: each case accepted with sound arguments, so the random part reaches every stage
OPENING = st.tuples(*(st.tuples(st.just("accept"), st.just(case), dep, st.sampled_from(["promised", "immediate"]),
                                st.integers(1, 4), st.sampled_from(["pickup", "locker", "mail"]), st.booleans(),
                                st.booleans()) for case in CASES))


def drive(commands: list[tuple[Any, ...]]) -> CaseBook:
    """Run the commands on a fresh book, checking after each step; return the book."""
    book = new_book()
    now = at(9, 28, 9)  # the week before 国庆: the clock runs through the holiday and the 调休 Saturday
    log: list[ce.CaseEvent] = []
    for step in commands:
        if step[0] == "wait":
            now += step[1]
            continue
        cmd = advance(book, step) if step[0] == "advance" else step
        before = book_snapshot(book)
        final_before = {k: v.state for k, v in book.cases.items() if v.state in FINAL}
        try:
            events = run(book, now, cmd)
        except CaseError as exc:
            event(f"refused {exc.code}")
            assert book_snapshot(book) == before, cmd
            continue
        event(f"done {cmd[0]}")
        assert events
        log += events
        for k, state in final_before.items():
            assert book.cases[k].state is state  # final stays final
        for e in events:
            if isinstance(e, ce.CaseCollected) and not e.proxy:
                assert book.cases[e.case].id_hash in ("", cmd[2])  # only the applicant
            if isinstance(e, ce.CaseCollected) and e.proxy:
                assert e.authorisation
        check_case_invariants(book)
    again = new_book()
    for e in log:
        again.apply(ce.case_event_from_dict(json.loads(json.dumps(e.to_dict()))))
    assert book_snapshot(again) == book_snapshot(book)
    return book


def _opening(o: tuple[Any, ...]) -> tuple[Any, ...]:
    return (*o[:4], 0 if o[3] == "immediate" else o[4], *o[5:])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPENING, st.lists(STEPS, min_size=40, max_size=80))
def test_no_command_sequence_reaches_an_illegal_state(opening: tuple[tuple[Any, ...], ...],
                                                     rest: list[tuple[Any, ...]]) -> None:
    drive([_opening(o) for o in opening] + rest)


# one case walked along its legal moves, arguments sound 4 times in 5, a wait now and then: reaches the hand-offs
WALK = st.one_of(st.tuples(st.just("advance"), st.just("C0"), st.integers(0, 5),
                           st.sampled_from([True, True, True, True, False])),
                 st.tuples(st.just("wait"), st.sampled_from([3600, 86400])))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPENING, st.lists(WALK, min_size=25, max_size=40))
def test_a_case_walked_along_its_legal_moves_stays_legal_to_the_end(opening: tuple[tuple[Any, ...], ...],
                                                                   walk: list[tuple[Any, ...]]) -> None:
    book = drive([_opening(opening[0]), *walk])
    event(f"ended {book.cases['C0'].state.value}")
