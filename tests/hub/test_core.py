"""The pure domain core (hub.core): every command, every refusal, the calling order, time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from hub import events as ev
from hub.core import DomainError, HallCore, TicketState, WindowState
from hub.hall import Hall
from tests.hub.hub_helpers import STAFF_OF_WINDOW, FakeClock, called_number, issue, make_small_hall, snapshot


@pytest.fixture
def core(small_hall: Hall, clock: FakeClock) -> HallCore:
    c = HallCore(small_hall)
    started = c.tick(clock.now)
    assert [type(e) for e in started] == [ev.DayStarted]
    return c


def opened(core: HallCore, now: float, *windows: str) -> HallCore:
    for w in windows or ("W1", "W2", "W3"):
        core.open_window(now, w, STAFF_OF_WINDOW[w], f"P-{w}")
    return core


def serve(core: HallCore, now: float, window: str, outcome: str = "accepted") -> str:
    """call_next then record an outcome; return the number called."""
    number = called_number(core.call_next(now, window))
    core.outcome(now, window, outcome, reason="材料不全" if outcome == "rejected" else "")
    return number


# ---------------------------------------------------------------- every command, happy path


def test_issue_numbers_per_queue_from_001(core: HallCore, clock: FakeClock) -> None:
    assert [issue(core, clock.now, q) for q in "AABAC"] == ["A001", "A002", "B001", "A003", "C001"]
    t = core.ticket("A002")
    assert t.id == "2026-11-23-A002"
    assert t.state is TicketState.WAITING
    assert core.seq == 5
    assert core.ahead(t) == 1
    assert core.waiting_count("A") == 3


def test_call_next_recall_outcome_evaluate(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now)
    events = core.call_next(clock.now, "W1")
    assert [type(e) for e in events] == [ev.TicketCalled]
    assert core.windows["W1"].current == core.ticket("A001").id
    assert core.ticket("A001").state is TicketState.CALLED
    assert core.ticket("A001").staff == "s1"
    recalled = core.recall(clock.now, "W1")
    assert isinstance(recalled[0], ev.TicketRecalled)
    assert recalled[0].recalls == 1
    out = core.outcome(clock.now, "W1", "accepted", note="ok")
    assert [type(e) for e in out] == [ev.OutcomeRecorded, ev.EvaluationInvited]
    assert core.ticket("A001").state is TicketState.ACCEPTED
    assert core.windows["W1"].current == ""
    assert core.windows["W1"].counts == {"called": 1, "accepted": 1}
    rated = core.evaluate(clock.now, "W1", 5, device="D1")
    assert isinstance(rated[0], ev.EvaluationRecorded)
    assert rated[0].level == 5
    assert core.ticket("A001").evaluation == 5
    assert core.windows["W1"].evaluation == ""


@pytest.mark.parametrize(("outcome", "state", "invites"), [
    ("accepted", TicketState.ACCEPTED, True),
    ("consulted", TicketState.CONSULTED, True),
    ("rejected", TicketState.REJECTED, True),
    ("passed", TicketState.PASSED, False),
])
def test_every_outcome(core: HallCore, clock: FakeClock, outcome: str, state: TicketState, invites: bool) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now)
    core.call_next(clock.now, "W1")
    events = core.outcome(clock.now, "W1", outcome, reason="不符合条件" if outcome == "rejected" else "")
    assert core.ticket("A001").state is state
    assert core.ticket("A001").outcome == outcome
    assert any(isinstance(e, ev.EvaluationInvited) for e in events) is invites
    assert (core.windows["W1"].evaluation == core.ticket("A001").id) is invites


def test_call_ticket_specific_and_passed_back(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now)
    issue(core, clock.now)
    e = core.call_ticket(clock.now, "W1", "A002")[0]
    assert isinstance(e, ev.TicketCalled)
    assert e.how == "specific"
    core.outcome(clock.now, "W1", "passed")
    # 特呼 a passed number back
    core.call_ticket(clock.now, "W1", "A002")
    assert core.ticket("A002").state is TicketState.CALLED


def test_guide_force_call_any_window(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W3")
    issue(core, clock.now, "B")
    e = core.call_ticket(clock.now, "W3", "B001", force=True)[0]
    assert isinstance(e, ev.TicketCalled)
    assert e.how == "guide"
    assert core.windows["W3"].current == core.ticket("B001").id


def test_cancel_and_expire_all(core: HallCore, clock: FakeClock) -> None:
    for _ in range(3):
        issue(core, clock.now)
    core.cancel(clock.now, "A001", "本人放弃", by="G1")
    assert core.ticket("A001").state is TicketState.CANCELLED
    events = core.expire_all(clock.now)
    assert isinstance(events[0], ev.TicketsExpired)
    assert sorted(events[0].tickets) == [core.ticket("A002").id, core.ticket("A003").id]
    assert core.waiting_count("A") == 0
    assert {core.ticket(n).state for n in ("A002", "A003")} == {TicketState.EXPIRED}


def test_verify_priority_moves_to_front(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W2")
    issue(core, clock.now)
    issue(core, clock.now + 1, priority_group="elderly")  # self-declared: not verified yet
    assert core.ticket("A002").priority_verified is False
    core.verify_priority(clock.now + 2, "A002", by="G1")
    t = core.ticket("A002")
    assert t.priority_verified
    assert t.cls == 0
    assert called_number(core.call_next(clock.now + 3, "W2")) == "A002"


def test_issue_priority_without_verification_group_and_guide(core: HallCore, clock: FakeClock) -> None:
    issue(core, clock.now, priority_group="military")  # needs_verification = false
    issue(core, clock.now, priority_group="elderly", channel="guide")
    issue(core, clock.now, priority_group="elderly")
    assert [core.ticket(n).priority_verified for n in ("A001", "A002", "A003")] == [True, True, False]


def test_window_lifecycle(core: HallCore, clock: FakeClock) -> None:
    w = core.windows["W1"]
    assert w.state is WindowState.CLOSED
    core.open_window(clock.now, "W1", "s1", "P1")
    assert (w.state, w.staff, w.device) == (WindowState.OPEN, "s1", "P1")
    core.open_window(clock.now, "W1", "s2", "P1")  # AB岗 handover
    assert core.windows["W1"].staff == "s2"
    core.pause(clock.now, "W1", "午休", by="P1")
    assert (core.windows["W1"].state, core.windows["W1"].reason) == (WindowState.PAUSED, "午休")
    core.resume(clock.now, "W1")
    assert core.windows["W1"].state is WindowState.OPEN
    core.close_window(clock.now, "W1")
    assert (core.windows["W1"].state, core.windows["W1"].staff) == (WindowState.CLOSED, "")


def test_set_queues_changes_what_a_window_calls(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W3")
    issue(core, clock.now, "B")
    with pytest.raises(DomainError) as exc:
        core.call_next(clock.now, "W3")
    assert exc.value.code == "queue_empty"
    core.set_queues(clock.now, "W3", ["B"], ["C"], reason="潮汐")
    assert core.windows["W3"].queues == ("B",)
    assert called_number(core.call_next(clock.now, "W3")) == "B001"


def test_summon_uses_the_matter_department(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now, "B")
    core.call_next(clock.now, "W1")
    e = core.summon(clock.now, "W1", note="需要审批")[0]
    assert isinstance(e, ev.BackOfficeSummoned)
    assert (e.department, e.ticket) == ("市场监管局", core.ticket("B001").id)
    core.outcome(clock.now, "W1", "accepted")
    e2 = core.summon(clock.now, "W1")[0]
    assert e2.department == "政务服务中心"  # the window's own department


def test_skip_evaluation(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now)
    serve(core, clock.now, "W1")
    e = core.skip_evaluation(clock.now, "W1", "D1")[0]
    assert isinstance(e, ev.EvaluationRecorded)
    assert e.level == 0
    assert core.ticket("A001").evaluation == 0


def test_transfer_to_queue_and_to_window(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1", "W3")
    issue(core, clock.now)
    core.call_next(clock.now, "W1")
    e = core.transfer(clock.now, window="W1", to_queue="C", note="不动产")[0]
    assert isinstance(e, ev.TicketTransferred)
    assert (e.from_window, e.to_queue) == ("W1", "C")
    t = core.ticket("A001")
    assert (t.state, t.queue, t.transfers) == (TicketState.WAITING, "C", 1)
    assert core.windows["W1"].current == ""
    assert called_number(core.call_next(clock.now, "W3")) == "A001"
    # a waiting ticket moved by a guide to a window
    issue(core, clock.now)
    core.transfer(clock.now, ticket="A002", to_window="W1", by="G1")
    assert core.ticket("A002").target_window == "W1"
    assert core.direct["W1"]
    assert core.waiting_count("A") == 0


# ---------------------------------------------------------------- every refusal changes nothing


def _at(h: int, m: int = 0) -> Callable[[HallCore, FakeClock], float]:
    return lambda core, clock: clock.set_local(h, m)


Setup = Callable[[HallCore, FakeClock], Any]
Act = Callable[[HallCore, float], Any]


def s_one_called(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now)
    issue(core, clock.now)
    issue(core, clock.now)
    core.call_next(clock.now, "W1")


def s_recalled_twice(core: HallCore, clock: FakeClock) -> None:
    s_one_called(core, clock)
    core.recall(clock.now, "W1")
    core.recall(clock.now, "W1")


def s_retaken_once(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now)
    core.call_next(clock.now, "W1")
    core.outcome(clock.now, "W1", "passed")
    core.retake(clock.now, "A001")
    core.call_next(clock.now, "W1")
    core.outcome(clock.now, "W1", "passed")


def s_quota_full(core: HallCore, clock: FakeClock) -> None:
    for _ in range(3):
        issue(core, clock.now, "C")


def s_person_has_ticket(core: HallCore, clock: FakeClock) -> None:
    issue(core, clock.now, id_hash="h1", id_masked="110105********002X")


def s_served(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now)
    serve(core, clock.now, "W1")


def s_one_called_one_served(core: HallCore, clock: FakeClock) -> None:
    s_one_called(core, clock)
    core.outcome(clock.now, "W1", "accepted")


def s_open(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now)


def s_waiting_b(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now)
    issue(core, clock.now, "B")


def s_nothing(core: HallCore, clock: FakeClock) -> None:
    pass


def s_verified(core: HallCore, clock: FakeClock) -> None:
    issue(core, clock.now, priority_group="military")


def s_after_hours(core: HallCore, clock: FakeClock) -> None:
    issue(core, clock.now)
    clock.set_local(17, 10)


def s_transferred_to_w2(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now)
    issue(core, clock.now)
    core.transfer(clock.now, ticket="A001", to_window="W2")


def s_next_day_untucked(core: HallCore, clock: FakeClock) -> None:
    clock.set_local(9, 0, day_offset=1)  # no tick: the hub forgot to start the day


def s_summon_pending(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now)
    core.summon(clock.now, "W1")


def s_summon_arrived(core: HallCore, clock: FakeClock) -> None:
    s_summon_pending(core, clock)
    core.answer_summon(clock.now, core.day + "-H001", "arrive")


REFUSALS: list[tuple[str, Setup, Act]] = [
    ("unknown_ticket", s_open, lambda c, n: c.call_ticket(n, "W1", "A999")),
    ("unknown_ticket", s_nothing, lambda c, n: c.cancel(n, "Z001", "x")),
    ("window_busy", s_one_called, lambda c, n: c.call_next(n, "W1")),
    ("window_busy", s_one_called, lambda c, n: c.pause(n, "W1", "午休")),
    ("window_busy", s_one_called, lambda c, n: c.close_window(n, "W1")),
    ("queue_empty", s_open, lambda c, n: c.call_next(n, "W1")),
    ("recall_limit", s_recalled_twice, lambda c, n: c.recall(n, "W1")),
    ("retake_limit", s_retaken_once, lambda c, n: c.retake(n, "A001")),
    ("duplicate_ticket", s_person_has_ticket, lambda c, n: c.issue(n, matter="ma", situation="s", id_hash="h1")),
    ("quota_reached", s_quota_full, lambda c, n: c.issue(n, matter="mc", situation="s")),
    ("hall_closed", s_after_hours, lambda c, n: c.issue(n, matter="ma", situation="s")),
    ("reason_required", s_one_called, lambda c, n: c.outcome(n, "W1", "rejected", reason="  ")),
    ("reason_required", s_open, lambda c, n: c.pause(n, "W1", "")),
    ("reason_required", s_one_called, lambda c, n: c.cancel(n, "A002", "")),
    ("reason_required", s_served, lambda c, n: c.evaluate(n, "W1", 1)),
    ("reason_required", s_served, lambda c, n: c.evaluate(n, "W1", 2, reason=" ")),
    ("illegal_state", s_served, lambda c, n: c.cancel(n, "A001", "x")),
    ("illegal_state", s_served, lambda c, n: c.retake(n, "A001")),
    ("illegal_state", s_one_called, lambda c, n: c.retake(n, "A002")),
    ("illegal_state", s_served, lambda c, n: c.call_ticket(n, "W1", "A001")),
    ("illegal_state", s_served, lambda c, n: c.transfer(n, ticket="A001", to_queue="B")),
    ("illegal_state", s_one_called, lambda c, n: c.verify_priority(n, "A001", "elderly")),
    ("not_served_here", s_waiting_b, lambda c, n: c.call_ticket(n, "W3", "B001")),
    ("not_served_here", s_transferred_to_w2, lambda c, n: c.call_ticket(n, "W1", "A001")),
    ("no_ticket_needed", s_nothing, lambda c, n: c.issue(n, matter="mo", situation="s")),
    ("no_ticket_needed", s_nothing, lambda c, n: c.issue(n, matter="mq", situation="s")),
    ("unknown_priority_group", s_nothing, lambda c, n: c.issue(n, matter="ma", situation="s", priority_group="vip")),
    ("unknown_priority_group", s_one_called, lambda c, n: c.verify_priority(n, "A002", "vip")),
    ("unknown_priority_group", s_one_called, lambda c, n: c.verify_priority(n, "A002")),
    ("window_not_open", s_nothing, lambda c, n: c.call_next(n, "W1")),
    ("window_not_open", s_nothing, lambda c, n: c.summon(n, "W1")),
    ("bad_outcome", s_one_called, lambda c, n: c.outcome(n, "W1", "done")),
    ("no_pending_evaluation", s_open, lambda c, n: c.evaluate(n, "W1", 5)),
    ("no_pending_evaluation", s_open, lambda c, n: c.skip_evaluation(n, "W1")),
    ("bad_level", s_served, lambda c, n: c.evaluate(n, "W1", 6)),
    ("bad_level", s_served, lambda c, n: c.evaluate(n, "W1", 0)),
    ("unknown_matter", s_nothing, lambda c, n: c.issue(n, matter="nope", situation="s")),
    ("unknown_situation", s_nothing, lambda c, n: c.issue(n, matter="ma", situation="nope")),
    ("bad_channel", s_nothing, lambda c, n: c.issue(n, matter="ma", situation="s", channel="web")),
    ("bad_channel", s_nothing, lambda c, n: c.issue(n, matter="ma", situation="s", appointment_slot=n)),
    ("unknown_window", s_nothing, lambda c, n: c.call_next(n, "W9")),
    ("unknown_window", s_nothing, lambda c, n: c.issue(n, matter="ma", situation="s", target_window="W9")),
    ("window_state", s_nothing, lambda c, n: c.pause(n, "W1", "午休")),
    ("window_state", s_open, lambda c, n: c.resume(n, "W1")),
    ("window_state", s_nothing, lambda c, n: c.close_window(n, "W1")),
    ("unknown_staff", s_nothing, lambda c, n: c.open_window(n, "W1", "s9")),
    ("not_signed_in", s_nothing, lambda c, n: c.guide_logout(n, "G1")),
    ("staff_elsewhere", s_open, lambda c, n: c.open_window(n, "W2", "s1")),
    ("no_current_ticket", s_open, lambda c, n: c.recall(n, "W1")),
    ("no_current_ticket", s_open, lambda c, n: c.outcome(n, "W1", "accepted")),
    ("no_current_ticket", s_open, lambda c, n: c.transfer(n, window="W1", to_queue="B")),
    ("not_current_ticket", s_one_called, lambda c, n: c.transfer(n, window="W1", ticket="A002", to_queue="B")),
    ("not_current_ticket", s_one_called_one_served, lambda c, n: c.evaluate(n, "W1", 5, ticket="A002")),
    ("bad_target", s_one_called, lambda c, n: c.transfer(n, window="W1")),
    ("bad_target", s_one_called, lambda c, n: c.transfer(n, window="W1", to_queue="B", to_window="W2")),
    ("bad_target", s_one_called, lambda c, n: c.transfer(n, window="W1", to_window="W1")),
    ("bad_target", s_open, lambda c, n: c.set_queues(n, "W1", [])),
    ("bad_target", s_open, lambda c, n: c.set_queues(n, "W1", ["A"], ["A"])),
    ("bad_target", s_open, lambda c, n: c.summon(n, "W2")),
    ("appointment_early", s_nothing, lambda c, n: c.checkin(n, code="Y1", slot=n + 31 * 60, matter="ma",
                                                           situation="s")),
    ("unknown_summon", s_open, lambda c, n: c.answer_summon(n, "2026-11-23-H009", "respond")),
    ("summon_state", s_summon_arrived, lambda c, n: c.answer_summon(n, c.day + "-H001", "respond")),
    ("summon_open", s_summon_pending, lambda c, n: c.summon(n, "W1")),
    ("unknown_queue", s_one_called, lambda c, n: c.transfer(n, window="W1", to_queue="Q")),
    ("unknown_queue", s_open, lambda c, n: c.set_queues(n, "W1", ["Q"])),
    ("already_verified", s_verified, lambda c, n: c.verify_priority(n, "A001", "military")),
    ("day_not_started", s_next_day_untucked, lambda c, n: c.issue(n, matter="ma", situation="s")),
]


@pytest.mark.parametrize(("code", "setup", "act"), REFUSALS,
                         ids=[f"{i:02d}-{code}" for i, (code, _, _) in enumerate(REFUSALS)])
def test_refusal_has_its_code_and_changes_nothing(core: HallCore, clock: FakeClock, code: str, setup: Setup,
                                                  act: Act) -> None:
    setup(core, clock)
    before = snapshot(core)
    with pytest.raises(DomainError) as exc:
        act(core, clock.now)
    assert exc.value.code == code, exc.value
    assert exc.value.message  # Chinese text for the screen
    assert snapshot(core) == before


def test_every_refusal_code_is_covered() -> None:
    import re
    from pathlib import Path

    import hub.core

    sources = Path(hub.core.__file__).parent.glob("*.py")  # the core's package: tickets, windows …
    codes = {c for path in sources for c in re.findall(r'DomainError\("([a-z_]+)"', path.read_text(encoding="utf-8"))}
    assert {"queue_empty", "summon_state", "window_state", "illegal_state"} <= codes
    assert codes - {c for c, _, _ in REFUSALS} == set()


def test_guide_issues_outside_opening_hours(core: HallCore, clock: FakeClock) -> None:
    clock.set_local(17, 10)
    with pytest.raises(DomainError, match="hall_closed"):
        issue(core, clock.now)
    assert issue(core, clock.now, channel="guide") == "A001"


def test_duplicate_only_per_matter_and_free_again_after_service(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now, id_hash="h1")
    assert issue(core, clock.now, matter="ma2", id_hash="h1") == "A002"  # another matter is fine
    serve(core, clock.now, "W1")  # A001 served
    assert issue(core, clock.now, id_hash="h1") == "A003"


def test_duplicate_allowed_when_policy_off(clock: FakeClock) -> None:
    core = HallCore(make_small_hall(one_active_ticket_per_matter=False))
    core.tick(clock.now)
    issue(core, clock.now, id_hash="h1")
    assert issue(core, clock.now, id_hash="h1") == "A002"


# ---------------------------------------------------------------- calling order


def test_transferred_to_window_first(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now)
    for i in range(3):
        issue(core, clock.now + i)
    core.call_ticket(clock.now + 5, "W2", "A003")
    core.transfer(clock.now + 6, window="W2", to_window="W1")
    assert called_number(core.call_next(clock.now + 7, "W1")) == "A003"
    core.outcome(clock.now + 8, "W1", "accepted")
    assert called_number(core.call_next(clock.now + 9, "W1")) == "A001"


def test_stage_one_before_overflow(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W2")
    issue(core, clock.now, "B")  # older, but only in W2's overflow
    issue(core, clock.now + 10, "A")
    issue(core, clock.now + 20, "A")
    assert [serve(core, clock.now + 30, "W2") for _ in range(3)] == ["A001", "A002", "B001"]


def test_verified_priority_first_but_capped_while_normal_waits(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W2")
    t = clock.now
    issue(core, t, matter="ma")          # A001 normal
    issue(core, t + 1, matter="ma2")     # A002 normal
    for i in range(4):                   # A003..A006 verified priority
        issue(core, t + 2 + i, channel="guide", priority_group="elderly")
    order = [serve(core, t + 100, "W2") for _ in range(6)]
    # at most priority_max_consecutive (2) priority calls in a row while normal tickets wait
    assert order == ["A003", "A004", "A001", "A005", "A006", "A002"]


def test_priority_keeps_going_when_no_normal_ticket_waits(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W2")
    for i in range(4):
        issue(core, clock.now + i, channel="guide", priority_group="elderly")
    assert [serve(core, clock.now + 10, "W2") for _ in range(4)] == ["A001", "A002", "A003", "A004"]


def test_priority_cap_holds_across_queues(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now, "B")  # a normal B ticket waits
    for i in range(3):
        issue(core, clock.now + 1 + i, "A", channel="guide", priority_group="elderly")
    assert [serve(core, clock.now + 10, "W1") for _ in range(4)] == ["A001", "A002", "B001", "A003"]


def test_weights_two_to_one_over_a_long_run(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    for i in range(70):
        issue(core, clock.now + i, "A")
        if i < 40:
            issue(core, clock.now + i, "B")
    queues = [serve(core, clock.now + 100, "W1")[0] for _ in range(60)]
    assert Counter(queues) == {"A": 40, "B": 20}
    for start in range(0, 60, 3):  # smooth: every 3 calls are 2 A and 1 B
        assert sorted(queues[start:start + 3]) == ["A", "A", "B"]


def test_weights_fall_back_to_the_only_nonempty_queue(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    for i in range(3):
        issue(core, clock.now + i, "B")
    assert [serve(core, clock.now + 10, "W1") for _ in range(3)] == ["B001", "B002", "B003"]


def test_appointments_get_priority_from_their_slot_not_from_check_in(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W2")
    issue(core, clock.now)  # walk-in at 09:00
    # checked in at 09:05 for the 09:30 slot, and at 09:05:10 for 09:15; a walk-in at 09:06
    issue(core, clock.now + 300, channel="appointment", appointment_slot=clock.now + 1800)
    issue(core, clock.now + 310, channel="appointment", appointment_slot=clock.now + 900, matter="ma2")
    issue(core, clock.now + 360, matter="ma2", channel="kiosk")
    # 09:16: the 09:15 booking is due and goes first; the 09:30 one queues by its check-in (09:05)
    promoted = core.tick(clock.now + 960)
    assert [type(e) for e in promoted] == [ev.AppointmentDue]
    assert [serve(core, clock.now + 960, "W2") for _ in range(4)] == ["A003", "A001", "A002", "A004"]


def test_appointment_not_due_is_called_after_earlier_walk_ins(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W2")
    issue(core, clock.now)  # walk-in at 09:00
    issue(core, clock.now + 60, channel="appointment", appointment_slot=clock.now + 7 * 3600, matter="ma2")  # 16:00
    issue(core, clock.now + 120, channel="kiosk")  # walk-in at 09:02
    assert core.tickets[core.by_number["A002"]].cls == 2  # not the appointment class before 16:00
    assert [serve(core, clock.now + 200, "W2") for _ in range(3)] == ["A001", "A002", "A003"]


def test_oldest_first_even_with_identical_times(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W2")
    for _ in range(5):
        issue(core, clock.now)  # same instant: seq decides, oldest first
    assert [serve(core, clock.now, "W2") for _ in range(5)] == ["A001", "A002", "A003", "A004", "A005"]


def test_oldest_first_across_queues_of_equal_weight(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W2")
    issue(core, clock.now + 5, "A")
    issue(core, clock.now + 1, channel="appointment", appointment_slot=clock.now + 60, matter="ma2")
    issue(core, clock.now + 2, channel="appointment", appointment_slot=clock.now + 60, matter="ma")
    # A002 and A003 share a slot: A002 was first
    assert [serve(core, clock.now + 10, "W2") for _ in range(2)] == ["A002", "A003"]


def test_two_windows_never_get_the_same_ticket(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1", "W2")
    issue(core, clock.now)
    assert called_number(core.call_next(clock.now, "W1")) == "A001"
    with pytest.raises(DomainError) as exc:
        core.call_next(clock.now, "W2")
    assert exc.value.code == "queue_empty"
    with pytest.raises(DomainError) as exc2:
        core.call_ticket(clock.now, "W2", "A001")
    assert exc2.value.code == "illegal_state"


# ---------------------------------------------------------------- retake and transfer


def test_retake_lands_places_back(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W2")
    for i in range(6):
        issue(core, clock.now + i)
    core.call_next(clock.now + 10, "W2")
    core.outcome(clock.now + 11, "W2", "passed")
    events = core.retake(clock.now + 20, "A001", "K1")
    assert isinstance(events[0], ev.TicketRequeued)
    assert events[0].retakes == 1
    t = core.ticket("A001")
    assert t.state is TicketState.WAITING
    assert core.ahead(t) == core.hall.policy.retake_places_back == 2
    assert [serve(core, clock.now + 30, "W2") for _ in range(4)] == ["A002", "A003", "A001", "A004"]


def test_retake_with_few_waiting_goes_to_the_end(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W2")
    issue(core, clock.now)
    issue(core, clock.now + 1)
    core.call_next(clock.now + 2, "W2")
    core.outcome(clock.now + 3, "W2", "passed")
    core.retake(clock.now + 4, "A001")
    assert core.ahead(core.ticket("A001")) == 1


def test_retake_behind_priority_stays_a_normal_ticket(core: HallCore, clock: FakeClock) -> None:
    """Re-inserted right after a priority ticket, a retaken normal ticket must not become 'priority'."""
    opened(core, clock.now, "W2")
    issue(core, clock.now)                                   # A001 normal (will pass)
    issue(core, clock.now + 1, channel="guide", priority_group="elderly")  # A002 priority
    issue(core, clock.now + 2, matter="ma2")                  # A003 normal
    core.call_ticket(clock.now + 3, "W2", "A001")
    core.outcome(clock.now + 4, "W2", "passed")
    # places back = 2 would be after A002, A003; use 1 to land between a priority and a normal ticket
    core.hall = make_small_hall(retake_places_back=1)
    core.retake(clock.now + 5, "A001")
    t = core.ticket("A001")
    assert core.ahead(t) == 1
    assert t.cls != 0, "a retaken normal ticket was moved into the verified-priority class"
    assert [serve(core, clock.now + 6, "W2") for _ in range(3)] == ["A002", "A001", "A003"]


@pytest.mark.parametrize(("keep", "expected"), [(True, ["A001", "B001", "B002"]), (False, ["B001", "B002", "A001"])])
def test_transfer_keeps_or_loses_place(core: HallCore, clock: FakeClock, keep: bool, expected: list[str]) -> None:
    opened(core, clock.now, "W1", "W2")
    issue(core, clock.now)            # A001 at 09:00
    issue(core, clock.now + 60, "B")  # B001, B002 later
    issue(core, clock.now + 61, "B")
    core.call_next(clock.now + 100, "W2")
    core.transfer(clock.now + 200, window="W2", to_queue="B", keep_place=keep)
    assert core.ticket("A001").queue == "B"
    core.close_window(clock.now + 201, "W1")
    core.set_queues(clock.now + 201, "W2", ["B"])
    assert [serve(core, clock.now + 300, "W2") for _ in range(3)] == expected


def test_transfer_default_follows_policy(clock: FakeClock) -> None:
    core = HallCore(make_small_hall(transfer_keeps_place=False))
    core.tick(clock.now)
    opened(core, clock.now, "W2")
    issue(core, clock.now)
    issue(core, clock.now + 60)
    core.call_next(clock.now + 100, "W2")
    core.transfer(clock.now + 200, window="W2", to_queue="A")
    assert core.ticket("A001").order == clock.now + 200
    assert core.ahead(core.ticket("A001")) == 1


# ---------------------------------------------------------------- time: marks, rollover, evaluations


def test_bulk_expiry_at_marks(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    for _ in range(3):
        issue(core, clock.now)
    core.call_next(clock.now, "W1")  # A001 is being served
    assert core.tick(clock.set_local(11, 59)) == []
    events = core.tick(clock.set_local(12, 0))
    assert len(events) == 1
    assert isinstance(events[0], ev.TicketsExpired)
    assert events[0].mark == "12:00"
    assert sorted(core.tickets[t].number for t in events[0].tickets) == ["A002", "A003"]
    assert core.ticket("A001").state is TicketState.CALLED  # the one at the window is not cut off
    assert core.tick(clock.set_local(12, 1)) == []  # each mark once
    issue(core, clock.set_local(13, 0))
    assert core.tick(clock.set_local(16, 0)) == []
    assert core.ticket("A004").state is TicketState.WAITING
    late = core.tick(clock.set_local(17, 30))
    assert [e.mark for e in late] == ["17:30"]  # type: ignore[attr-defined]
    assert core.ticket("A004").state is TicketState.EXPIRED


def test_day_rollover_restarts_numbers_and_expires_leftovers(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now)
    issue(core, clock.now, "B")
    core.call_next(clock.now, "W1")
    old = {core.ticket("A001").id, core.ticket("B001").id}
    events = core.tick(clock.set_local(9, 0, day_offset=1))
    assert isinstance(events[0], ev.DayStarted)
    assert events[0].day == "2026-11-24"
    assert set(events[0].expired) == old
    assert core.tickets == {}
    assert core.windows["W1"].state is WindowState.CLOSED
    assert core.windows["W1"].current == ""
    assert issue(core, clock.now) == "A001"
    assert core.ticket("A001").id == "2026-11-24-A001"


def test_hub_started_after_a_mark_does_not_expire_it(small_hall: Hall, clock: FakeClock) -> None:
    core = HallCore(small_hall)
    core.tick(clock.set_local(12, 30))
    issue(core, clock.now)
    assert core.tick(clock.set_local(12, 31)) == []
    assert core.ticket("A001").state is TicketState.WAITING


def test_bad_evaluation_needs_reason(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now)
    serve(core, clock.now, "W1")
    for level in (1, 2):
        with pytest.raises(DomainError, match="reason_required"):
            core.evaluate(clock.now, "W1", level)
    e = core.evaluate(clock.now, "W1", 2, reason="等候时间长")[0]
    assert (e.level, e.reason) == (2, "等候时间长")  # type: ignore[attr-defined]
    assert core.ticket("A001").evaluation_reason == "等候时间长"


def test_evaluation_timeout_records_level_zero(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now)
    serve(core, clock.now, "W1")
    assert core.tick(clock.advance(59)) == []
    events = core.tick(clock.advance(1))
    assert len(events) == 1
    assert isinstance(events[0], ev.EvaluationRecorded)
    assert (events[0].level, events[0].reason) == (0, "timeout")
    assert core.ticket("A001").evaluation == 0
    with pytest.raises(DomainError, match="no_pending_evaluation"):
        core.evaluate(clock.now, "W1", 5)


def test_new_outcome_supersedes_pending_invite(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now)
    issue(core, clock.now)
    serve(core, clock.now, "W1")
    core.call_next(clock.now, "W1")
    events = core.outcome(clock.now, "W1", "consulted")
    assert [type(e) for e in events] == [ev.EvaluationRecorded, ev.OutcomeRecorded, ev.EvaluationInvited]
    assert (events[0].ticket, events[0].level, events[0].reason) == (core.ticket("A001").id, 0, "superseded")
    assert core.windows["W1"].evaluation == core.ticket("A002").id
    core.evaluate(clock.now, "W1", 4, ticket="A002")
    assert (core.ticket("A001").evaluation, core.ticket("A002").evaluation) == (0, 4)
