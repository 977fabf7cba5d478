"""The predicted wait (hub/core/estimate.py): constructed states, the calling rules it plays, what the
hub publishes, a restarted hub, and one simulated day against the naive baseline. Clocks passed in."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hub.config import load_hall
from hub.core import HallCore, estimate
from hub.core.estimate import REFRESH_S, WaitRange, forecast, predict_ticket, queue_wait, refresh
from hub.core.service_times import DEFAULT_SERVICE_S, OUTLIER_X, ServiceTimes
from hub.hall import Hall
from hub.service import HubService
from hub.store import Store
from launcher.samples import sample_hall_path
from launcher.simulate.model import parse_profile
from launcher.wait_check import simulate
from tests.hub.hub_helpers import STAFF_OF_WINDOW, FakeClock, called_number, issue, req

KEY = b"k" * 32


@pytest.fixture
def core(small_hall: Hall, clock: FakeClock) -> HallCore:
    c = HallCore(small_hall)
    c.tick(clock.now)
    return c


def opened(core: HallCore, now: float, *windows: str) -> None:
    for w in windows:
        core.open_window(now, w, STAFF_OF_WINDOW[w], f"P-{w}")


def minutes(w: WaitRange | None) -> int:
    assert w is not None
    return w.minutes


def test_no_open_window_means_no_estimate(core: HallCore, clock: FakeClock) -> None:
    for _ in range(3):
        issue(core, clock.now, "A")
    assert queue_wait(core, "A", clock.now) is None  # 暂无法估计, not a made-up number
    assert predict_ticket(core, "A002", clock.now) is None
    opened(core, clock.now, "W3")  # serves C, and A only in stage 2
    assert queue_wait(core, "B", clock.now) is None  # nobody open serves B
    assert queue_wait(core, "A", clock.now) is not None
    core.pause(clock.now, "W3", "休息")
    assert queue_wait(core, "A", clock.now) is None  # paused serves nobody
    assert predict_ticket(core, "A001", clock.now) is None


def test_more_windows_shorter_and_a_pause_longer(core: HallCore, clock: FakeClock) -> None:
    for _ in range(8):
        issue(core, clock.now, "A")
    opened(core, clock.now, "W1")
    one = minutes(predict_ticket(core, "A006", clock.now))
    opened(core, clock.now, "W2")
    two = minutes(predict_ticket(core, "A006", clock.now))
    opened(core, clock.now, "W3")
    three = minutes(predict_ticket(core, "A006", clock.now))
    assert one > two > three > 0
    assert two == pytest.approx(one / 2, rel=0.25)  # two windows on A: about half
    core.pause(clock.now, "W2", "临时离开")
    assert minutes(predict_ticket(core, "A006", clock.now)) > three
    assert minutes(queue_wait(core, "A", clock.now)) > minutes(predict_ticket(core, "A006", clock.now))


def test_a_window_busy_with_a_citizen_is_free_when_that_service_ends(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W2")
    issue(core, clock.now, "A")
    core.call_next(clock.now, "W2")
    issue(core, clock.now, "A")  # A002 waits for A001's service (8 minutes, nothing learnt yet)
    start = clock.now + REFRESH_S
    refresh(core, start)  # A001 has been at W2 for 30 s: 7.5 minutes left, then 30 s to call A002
    assert predict_ticket(core, "A002", start) == WaitRange(8, 0, 15, 0)
    later = start + 5 * 60
    refresh(core, later)
    assert minutes(predict_ticket(core, "A002", later)) == 3  # 2.5 minutes left, then 30 s


def test_a_ticket_called_since_the_forecast_moves_the_next_one_by_its_service(core: HallCore,
                                                                             clock: FakeClock) -> None:
    """Between forecasts (30 s) a place is looked up with the calls made since: when the head is called,
    the next ticket does not inherit the head's "at once" but the second place's time."""
    opened(core, clock.now, "W2")
    issue(core, clock.now, "A")
    issue(core, clock.now, "A")
    refresh(core, clock.now)
    before = minutes(predict_ticket(core, "A002", clock.now))
    core.call_next(clock.now, "W2")
    assert core.wait_memo is forecast(core, clock.now)  # still the kept forecast: a call is no window change
    assert minutes(predict_ticket(core, "A002", clock.now)) == before >= 8


def test_the_predicted_order_is_the_order_the_hub_then_calls(core: HallCore, clock: FakeClock,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Weights (W1 serves A:2 B:1), verified priority within priority_max_consecutive (2), a ticket
    transferred to the window: with every service as long as expected, the forecast's order of calls
    is the order call_next then gives, and each predicted minute is when it comes (the forward run
    alone: no jumper comes after these, so their expected work is left out)."""
    monkeypatch.setattr(estimate, "MODEL_ARRIVALS", False)
    for q in "AAAABBB":
        issue(core, clock.now, q)
    for _ in range(3):
        issue(core, clock.now, "A", priority_group="military")  # needs no verification: verified priority
    opened(core, clock.now, "W1", "W3")
    transferred = called_number(core.call_next(clock.now, "W3"))  # W3 takes one of A (its overflow) …
    core.transfer(clock.now, window="W3", to_window="W1")  # … and hands it to W1
    core.close_window(clock.now, "W3")
    start = clock.now
    gap = core.service_times.gap_s
    waiting = [t for t in core.tickets.values() if t.state.value == "waiting"]
    predicted = {t.number: minutes(predict_ticket(core, t.id, start)) for t in waiting}
    order, now = [], start + gap / 2
    while core.waiting["A"] or core.waiting["B"] or core.direct["W1"]:
        order.append(called_number(core.call_next(now, "W1")))
        assert predicted[order[-1]] == round((now - start) / 60), order[-1]
        now += DEFAULT_SERVICE_S
        core.outcome(now, "W1", "accepted")
        now += gap
    assert order[0] == transferred  # the transferred ticket first
    assert sorted(predicted, key=lambda n: (predicted[n], order.index(n))) == order
    assert order.index("B001") < order.index("A004")  # interleaved by the weights, not queue after queue
    assert order.index("A006") < order.index("A001") or order.index("A007") < order.index("A001")  # priority


def test_interleaving_sets_the_minutes(core: HallCore, clock: FakeClock) -> None:
    """W1 alone, A:2 B:1 (smooth weighted round robin: A B A A …): B's first ticket waits for one of
    A's services, not for all six; with B in stage 2 it waits for all of them."""
    for q in "AAAAAAB":
        issue(core, clock.now, q)
    opened(core, clock.now, "W1")
    per = (DEFAULT_SERVICE_S + core.service_times.gap_s) / 60
    b = predict_ticket(core, "B001", clock.now)
    assert b is not None
    assert b.minutes == pytest.approx(1 * per, abs=1.5)  # after A001, not after six
    assert minutes(predict_ticket(core, "A006", clock.now)) == pytest.approx(6 * per, abs=1.5)
    core.set_queues(clock.now, "W1", ["A"], ["B"])  # B now only when A is empty
    assert minutes(predict_ticket(core, "B001", clock.now)) == pytest.approx(6 * per, abs=1.5)


def test_learnt_service_times_move_the_estimate(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W2")
    for _ in range(12):
        issue(core, clock.now, "A")
    now = clock.now
    for _ in range(6):  # each service takes 20 minutes
        core.call_next(now, "W2")
        now += 20 * 60
        core.outcome(now, "W2", "accepted")
    learnt = core.service_times.service_s("A", "W2", "ma")
    assert learnt == pytest.approx(20 * 60)  # the hall's, the queue's and the matter's mean alike
    refresh(core, now)
    assert core.ahead(core.tickets[core.by_number["A012"]]) == 5
    w = predict_ticket(core, "A012", now)  # W2 is free now: five services of about 20 minutes before it
    assert w is not None
    assert w.minutes == pytest.approx(5 * (learnt + core.service_times.gap_s) / 60, abs=2)
    assert w.lo_min <= w.minutes <= w.hi_min
    assert w.lo_min % 5 == 0
    assert w.hi_min % 5 == 0


def test_the_kept_forecast_is_renewed_after_30_s_or_when_windows_change(core: HallCore, clock: FakeClock) -> None:
    opened(core, clock.now, "W1")
    issue(core, clock.now, "A")
    refresh(core, clock.now)
    kept = core.wait_memo
    refresh(core, clock.now + REFRESH_S - 1)
    assert core.wait_memo is kept
    assert forecast(core, clock.now + 5) is kept
    refresh(core, clock.now + REFRESH_S)
    assert core.wait_memo is not kept
    kept = core.wait_memo
    opened(core, clock.now, "W2")
    assert core.wait_memo is not kept  # a window changed: renewed in that command, even within 30 s
    assert forecast(core, clock.now) is core.wait_memo


def test_service_times_relearn_from_tickets_and_ignore_breaks() -> None:
    s = ServiceTimes()
    s.on_call("W1", 0)
    s.on_done("W1", "A", 600, backlog=True, matter="ma")
    s.on_call("W1", 640)  # a 40 s gap with people waiting: learnt
    s.on_done("W1", "A", 640 + 300, backlog=True, matter="ma")
    s.on_call("W1", 940 + 3600)  # an hour: a break, not the rhythm
    assert s.by_queue["A"] == pytest.approx(450)
    assert s.gap_s == pytest.approx(30 + 0.05 * 10)
    assert s.gap_samples == 1
    s.forget("W1")
    s.on_done("W1", "A", 10_000, backlog=False)  # no call known at W1: no sample
    assert s.samples == 2


def test_the_hub_publishes_and_a_restarted_hub_says_the_same(small_hall: Hall, tmp_path: Path,
                                                            clock: FakeClock) -> None:
    db = tmp_path / "hub.db"
    svc = HubService(small_hall, Store(db, durable=False), KEY, clock)
    svc.handle("P1", req("window.open", {"window": "W1", "staff": "s1", "pin": "1234"}))
    for _ in range(5):
        svc.handle("K1", req("ticket.issue", {"matter": "ma", "situation": "s"}))
    for _ in range(3):
        clock.advance(60)
        svc.handle("P1", req("ticket.call_next", {"window": "W1"}))
        clock.advance(11 * 60)
        svc.handle("P1", req("ticket.outcome", {"window": "W1", "outcome": "accepted"}))
    clock.advance(REFRESH_S)
    out = svc.handle("K1", req("ticket.issue", {"matter": "ma", "situation": "s"}))
    ticket = json.loads(out.reply or b"")["result"]["ticket"]
    assert ticket["ahead"] == 2
    assert ticket["wait_lo_min"] <= ticket["wait_min"] <= ticket["wait_hi_min"]
    assert ticket["wait_min"] >= 2 * 11  # learnt: about 12 minutes a ticket, not the default 8
    queues = next(json.loads(pub.payload) for pub in out.publications if pub.topic.endswith("state/queues"))
    a = next(q for q in queues["queues"] if q["id"] == "A")
    assert a["wait_min"] > ticket["wait_min"]  # a new ticket now is behind this one
    b = next(q for q in queues["queues"] if q["id"] == "B")
    assert b["wait_min"] is not None  # W1 serves B too
    c = next(q for q in queues["queues"] if q["id"] == "C")
    assert (c["wait_min"], c["wait_lo_min"], c["wait_hi_min"]) == (None, None, None)  # no open window: 暂无法估计
    svc.store.close()
    again = HubService(small_hall, Store(db, durable=False), KEY, clock)  # projections, not the event log
    out = again.handle("K1", req("ticket.get", {"ticket": ticket["number"]}))
    assert json.loads(out.reply or b"")["result"]["ticket"]["wait_min"] == ticket["wait_min"]
    again.store.close()


def test_one_simulated_day_beats_the_naive_baseline(tmp_path: Path) -> None:
    hall = load_hall(sample_hall_path())
    day = simulate(hall, dt.date(2026, 11, 23), parse_profile("default"), name="busy", seed=1, db_dir=tmp_path)
    assert day.tickets > 200
    assert day.mean_wait_min > 5  # a day with waits worth predicting
    assert day.hub_p90 < day.naive_p90
    assert day.hub_p50 <= day.naive_p50
    assert day.in_range > 0.7


def test_one_absurd_sample_is_clipped_to_three_times_the_expected() -> None:
    """A window left "serving" over lunch (2.5 hours, under MAX_SERVICE_S) is one sample, not a day's
    estimates: it counts as OUTLIER_X (4) times what the queue takes, so the queue's mean moves by
    ALPHA × 3 × 10 minutes, not by ALPHA × 140 minutes (+70 %)."""
    s = ServiceTimes()
    s.seed(None, {"A": 600.0}, {})
    for i in range(25):
        s.on_call("W1", i * 700)
        s.on_done("W1", "A", i * 700 + 600, backlog=False)
    assert s.service_s("A") == pytest.approx(600)
    s.on_call("W1", 20_000)
    s.on_done("W1", "A", 20_000 + 9000, backlog=False)
    assert s.by_queue["A"] == pytest.approx(600 + 0.05 * (OUTLIER_X * 600 - 600))
    assert OUTLIER_X == 4
    assert s.factor["W1"] < 1.05  # the window is not made slow by it either
    clipped = s.by_queue["A"]
    s.on_call("W1", 40_000)
    s.on_done("W1", "A", 40_000 + 1500, backlog=False)  # 25 minutes: long, but a service, learnt as it was
    assert s.by_queue["A"] == pytest.approx(clipped + 0.05 * (1500 - clipped))
