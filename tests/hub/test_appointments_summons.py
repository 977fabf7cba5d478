"""预约签到 window (R5) and 呼叫后台 states (R11) in the pure core, with a FakeClock.

The property test drives one window with random walk-ins, appointment check-ins and calls,
and checks every call against a reference order written independently of the core: a
booking is an ordinary arrival (by check-in time) until its slot, and from the slot on it
goes before every ordinary ticket, by slot.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub import events as ev
from hub.core import CheckinTiming, DomainError, HallCore, SummonState, TicketState, checkin_timing
from hub.hall import AppointmentRules
from tests.hub.hub_helpers import FakeClock, local_ts, make_small_hall

MIN = 60.0


def _core(clock: FakeClock, **rules: Any) -> HallCore:
    hall = make_small_hall(summon_escalate_min=5)
    if rules:
        hall = dataclasses.replace(hall, appointments=AppointmentRules(**rules))
    c = HallCore(hall)
    c.tick(clock.now)
    return c


def _checkin(c: HallCore, now: float, slot: float, code: str = "Y1", matter: str = "ma") -> ev.TicketIssued:
    e = c.checkin(now, code=code, slot=slot, matter=matter, situation="s", device="K1")[-1]
    assert isinstance(e, ev.TicketIssued)
    return e


# ---------------------------------------------------------------- the check-in window


@pytest.mark.parametrize(("minutes_before_slot", "timing"), [
    (31, CheckinTiming.EARLY), (30, CheckinTiming.ON_TIME), (0, CheckinTiming.ON_TIME),
    (-15, CheckinTiming.ON_TIME), (-16, CheckinTiming.LATE),
])
def test_checkin_timing_bounds(minutes_before_slot: int, timing: CheckinTiming) -> None:
    slot = 1_000_000.0
    assert checkin_timing(slot - minutes_before_slot * MIN, slot, 30, 15) is timing


def test_early_checkin_is_refused_with_the_time_to_come_back(clock: FakeClock) -> None:
    c = _core(clock)  # 09:00 Asia/Shanghai; the booking is for 16:00
    with pytest.raises(DomainError) as exc:
        _checkin(c, clock.now, clock.now + 7 * 3600)
    assert exc.value.code == "appointment_early"
    assert "16:00" in exc.value.message and "15:30" in exc.value.message
    assert not c.tickets


def test_early_checkin_gets_an_ordinary_ticket_where_the_hall_allows(clock: FakeClock) -> None:
    c = _core(clock, early_gets_ticket=True)
    e = _checkin(c, clock.now, clock.now + 7 * 3600)
    t = c.tickets[e.ticket]
    assert (e.checkin, e.channel, e.appointment, t.appointment_slot, t.cls) == ("early", "appointment", "Y1", None, 2)
    c.tick(clock.now + 8 * 3600 - 1)  # the slot passes: it stays ordinary
    assert c.tickets[e.ticket].cls == 2


def test_late_checkin_is_an_ordinary_ticket_by_check_in_time(clock: FakeClock) -> None:
    c = _core(clock)
    c.issue(clock.now, matter="ma", situation="s")  # a walk-in at 09:00
    e = _checkin(c, clock.now + 60, clock.now - 20 * MIN)  # booked 08:40, came 09:01
    assert e.checkin == "late" and c.tickets[e.ticket].appointment_slot is None
    c.open_window(clock.now + 61, "W2", "s1")
    assert c.call_next(clock.now + 62, "W2")[-1].ticket.endswith("A001")  # type: ignore[attr-defined]


def test_on_time_checkin_after_the_slot_goes_first_at_once(clock: FakeClock) -> None:
    c = _core(clock)
    c.issue(clock.now, matter="ma", situation="s")
    e = _checkin(c, clock.now + 60, clock.now - 10 * MIN)  # booked 08:50, came 09:01: within 15 minutes
    assert (e.checkin, e.cls, e.order) == ("on_time", 1, clock.now - 10 * MIN)


def test_promotion_survives_a_replay_of_the_log(clock: FakeClock) -> None:
    c = _core(clock)
    log: list[ev.Event] = list(c.tick(clock.now))
    log += c.issue(clock.now, matter="ma", situation="s")
    log += c.checkin(clock.now + 60, code="Y1", slot=clock.now + 20 * MIN, matter="ma2", situation="s")
    log += c.tick(clock.now + 20 * MIN)
    assert [type(e) for e in log[-1:]] == [ev.AppointmentDue]
    fresh = HallCore(c.hall)
    fresh.tick(clock.now)
    for e in log:
        fresh.apply(e)
    assert fresh.waiting == c.waiting
    assert [k[0] for k in c.waiting["A"]] == [1, 2]


# ---------------------------------------------------------------- property: the calling order


step = st.one_of(
    st.tuples(st.just("walk_in"), st.integers(0, 240)),
    st.tuples(st.just("checkin"), st.integers(0, 240), st.integers(-25, 45)),  # slot minus now, minutes
    st.tuples(st.just("call"), st.integers(0, 600)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(step, min_size=1, max_size=60))
def test_calls_follow_the_slot_rule(steps: list[tuple[Any, ...]]) -> None:
    clock = FakeClock(local_ts(2026, 11, 23, 8, 5))  # 60 steps of at most 10 minutes end before the 12:00 expiry
    c = _core(clock)
    c.open_window(clock.now, "W2", "s1")  # W2 serves queue A only (B is its overflow; never used here)
    model: dict[str, tuple[float | None, float, int]] = {}  # waiting ticket → (slot if on time, issued, seq)
    codes = 0
    for s in steps:
        now = clock.advance(s[1])
        c.tick(now)
        if s[0] == "walk_in":
            e = c.issue(now, matter="ma", situation="s")[-1]
            assert isinstance(e, ev.TicketIssued)
            model[e.ticket] = (None, now, e.seq)
        elif s[0] == "checkin":
            codes += 1
            slot = now + s[2] * MIN
            timing = checkin_timing(now, slot, 30, 15)
            if timing is CheckinTiming.EARLY:
                with pytest.raises(DomainError, match="appointment_early"):
                    _checkin(c, now, slot, f"Y{codes}")
                continue
            e = _checkin(c, now, slot, f"Y{codes}")
            assert e.checkin == timing.value
            model[e.ticket] = (slot if timing is CheckinTiming.ON_TIME else None, now, e.seq)
        else:
            w = c.windows["W2"]
            if w.current:
                c.outcome(now, "W2", "accepted")
            if not model:
                continue
            called = c.call_next(now, "W2")[-1].ticket  # type: ignore[attr-defined]

            def key(tid: str, at: float = now) -> tuple[int, float, int]:
                slot, issued, seq = model[tid]
                return (0, slot, seq) if slot is not None and slot <= at else (1, issued, seq)

            expected = min(model, key=key)
            assert called == expected, (called, expected)
            slot, issued, _ = model.pop(called)
            for other, (o_slot, o_issued, _) in model.items():
                if slot is not None and slot > now:  # a booking not yet due never passes an earlier arrival
                    assert o_issued >= issued, other
                if o_slot is not None and o_slot <= now:  # a due booking is never left behind an ordinary one
                    assert slot is not None and slot <= now, other
    assert {t for t, x in c.tickets.items() if x.state is TicketState.WAITING} == set(model)


# ---------------------------------------------------------------- 呼叫后台


def test_summon_moves_pending_responded_arrived(clock: FakeClock) -> None:
    c = _core(clock)
    c.open_window(clock.now, "W1", "s1")
    e = c.summon(clock.now, "W1", note="需要审批")[0]
    assert isinstance(e, ev.BackOfficeSummoned) and e.summon == f"{c.day}-H001"
    s = c.summons[e.summon]
    assert s.state is SummonState.PENDING and s.department == "政务服务中心"
    c.answer_summon(clock.now + 90, e.summon, "respond", device="G1", staff="s2")
    assert (s.state, s.responded_at, s.answered_staff) == (SummonState.RESPONDED, clock.now + 90, "s2")
    c.answer_summon(clock.now + 300, e.summon, "arrive", device="G1")
    assert (s.state, s.arrived_at) == (SummonState.ARRIVED, clock.now + 300)
    with pytest.raises(DomainError) as exc:
        c.answer_summon(clock.now + 301, e.summon, "respond")
    assert exc.value.code == "summon_state"
    # closed: the window may summon the same department again
    assert c.summon(clock.now + 400, "W1")[0].summon == f"{c.day}-H002"  # type: ignore[attr-defined]


def test_unanswered_summon_escalates_after_the_configured_minutes(clock: FakeClock) -> None:
    c = _core(clock)  # summon_escalate_min = 5
    c.open_window(clock.now, "W1", "s1")
    sid = c.summon(clock.now, "W1")[0].summon  # type: ignore[attr-defined]
    assert c.tick(clock.advance(4 * MIN + 59)) == []
    escalated = c.tick(clock.advance(1))
    assert [type(e) for e in escalated] == [ev.SummonEscalated]
    assert c.summons[sid].state is SummonState.ESCALATED and c.summons[sid].escalated_at == clock.now
    assert c.tick(clock.advance(600)) == []  # once
    c.answer_summon(clock.now, sid, "respond")
    assert c.summons[sid].state is SummonState.RESPONDED


def test_answered_summon_does_not_escalate(clock: FakeClock) -> None:
    c = _core(clock)
    c.open_window(clock.now, "W1", "s1")
    sid = c.summon(clock.now, "W1")[0].summon  # type: ignore[attr-defined]
    c.answer_summon(clock.now + 60, sid, "respond")
    assert c.tick(clock.advance(3600)) == []


def test_summons_start_afresh_each_day(clock: FakeClock) -> None:
    c = _core(clock)
    c.open_window(clock.now, "W1", "s1")
    c.summon(clock.now, "W1")
    clock.set_local(9, 0, day_offset=1)
    c.tick(clock.now)
    assert c.summons == {}
