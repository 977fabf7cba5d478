"""The predicted wait at a day's start and near its end (issue 17): window times seeded from the hall
file's ``service_minutes`` and earlier days' measured times, queue-jumpers' expected work in the
range, and a wait that runs past the hall's expiry said as such (本时段/今日可能无法办理) on the
slip, the kiosk and the phone page. Clocks passed in; real SQLite files."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path
from typing import Any

import msgspec
import pytest

from hallq import i18n
from hallq import messages as m
from hallq.waits import wait_of, wait_words
from hub.config import ConfigError, parse_hall
from hub.core import HallCore, estimate
from hub.core.estimate import predict_ticket, queue_wait
from hub.core.service_times import DEFAULT_SERVICE_S, QUEUE_PRIOR, History, ServiceTimes
from hub.hall import Hall
from hub.service import HubService
from hub.store import Store
from kiosk.printing import slip_for
from printers.layout import TextLine
from tests.hub.hub_helpers import SMALL_HALL, STAFF_OF_WINDOW, FakeClock, issue, local_ts, req
from web.pages import rows

KEY = b"k" * 32
GAP_MIN = 0.5  # the staff's gap between services before anything is learnt (DEFAULT_GAP_S)


def seeded(hall: Hall, queues: dict[str, float] | None = None, matters: dict[str, float] | None = None) -> Hall:
    """The small hall with ``service_minutes`` on some queues and matters."""
    q = {k: dataclasses.replace(v, service_minutes=(queues or {}).get(k, 0.0)) for k, v in hall.queues.items()}
    ms = {k: dataclasses.replace(v, service_minutes=(matters or {}).get(k, 0.0)) for k, v in hall.matters.items()}
    return dataclasses.replace(hall, queues=q, matters=ms)


def started(hall: Hall, now: float, *windows: str) -> HallCore:
    core = HallCore(hall)
    core.tick(now)
    for w in windows:
        core.open_window(now, w, STAFF_OF_WINDOW[w], f"P-{w}")
    return core


def wait(core: HallCore, number: str, now: float) -> estimate.WaitRange:
    w = predict_ticket(core, number, now)
    assert w is not None
    return w


# ------------------------------------------------------------------ the hall file's service_minutes


def _hall_text(queue_extra: str = "", matter_extra: str = "") -> str:
    text = SMALL_HALL.replace('id = "A"\nname = "综合受理"\nzone = "Z1"\n',
                              f'id = "A"\nname = "综合受理"\nzone = "Z1"\n{queue_extra}\n', 1)
    assert text != SMALL_HALL or not queue_extra
    if matter_extra:
        text = text.replace('id = "ma"\n', f'id = "ma"\n{matter_extra}\n', 1)
    return text


def test_service_minutes_are_read_from_the_hall_file() -> None:
    text = _hall_text("service_minutes = 12", "service_minutes = 7.5")
    hall = parse_hall(tomllib.loads(text), text=text)
    assert hall.queues["A"].service_minutes == 12.0
    assert hall.queues["B"].service_minutes == 0.0  # not said: learnt, or the default
    assert hall.matters["ma"].service_minutes == 7.5


@pytest.mark.parametrize("value", ["0", "-3", "500", '"ten"', "true"])
def test_a_bad_service_minutes_is_a_clear_chinese_error_at_its_place(value: str) -> None:
    text = _hall_text(f"service_minutes = {value}")
    with pytest.raises(ConfigError) as err:
        parse_hall(tomllib.loads(text), text=text)
    said = str(err.value)
    assert "queues" in said  # where …
    assert "service_minutes" in said
    assert "预计办理时长应为" in said or "应为数字" in said  # what, in Chinese first
    assert said.count("service_minutes") == 1  # one problem, said once


# ------------------------------------------------------------------ seeding


def test_with_no_history_the_seeded_wait_is_the_hall_files_time_by_place_over_windows(small_hall: Hall,
                                                                                      clock: FakeClock) -> None:
    hall = seeded(small_hall, queues={"A": 12})
    now = clock.now
    core = started(hall, now, "W2")  # W2 serves A (B only in stage 2)
    for _ in range(5):
        issue(core, now, "A")
    # A005 has four before it at one window: 4 × 12 minutes (+ the staff's gaps)
    assert wait(core, "A005", now).minutes == pytest.approx(4 * (12 + GAP_MIN), abs=1)
    core.open_window(now, "W1", "s1", "P-W1")  # two windows on A
    assert wait(core, "A005", now).minutes == pytest.approx(4 * (12 + GAP_MIN) / 2, abs=1)
    plain = started(small_hall, now, "W2")  # no service_minutes: the 8-minute default
    for _ in range(5):
        issue(plain, now, "A")
    assert wait(plain, "A005", now).minutes == pytest.approx(4 * (DEFAULT_SERVICE_S / 60 + GAP_MIN), abs=1)


def test_a_matters_time_says_more_than_its_queues(small_hall: Hall, clock: FakeClock) -> None:
    hall = seeded(small_hall, queues={"A": 12}, matters={"ma": 20})
    core = started(hall, clock.now, "W2")
    for _ in range(3):
        issue(core, clock.now, "A")  # matter ma
    assert core.service_times.service_s("A", "", "ma") == pytest.approx(20 * 60)
    assert core.service_times.service_s("A") == pytest.approx(12 * 60)
    later = clock.now + estimate.REFRESH_S  # a new forecast plays each ticket's matter (between two, at the queue's)
    estimate.refresh(core, later)
    assert wait(core, "A003", later).minutes == pytest.approx(2 * (20 + GAP_MIN), abs=1)


def test_todays_services_draw_the_seed_towards_what_they_take(small_hall: Hall, clock: FakeClock) -> None:
    hall = seeded(small_hall, queues={"A": 12})
    now = clock.now
    core = started(hall, now, "W2")
    for _ in range(QUEUE_PRIOR + 1):
        issue(core, now, "A", matter="ma2")
    predict_ticket(core, "A002", now)  # the first forecast seeds
    for _ in range(QUEUE_PRIOR):  # twenty services of 6 minutes
        core.call_next(now, "W2")
        now += 6 * 60
        core.outcome(now, "W2", "accepted")
    # as many of today's as the prior: halfway between the hall file's 12 and today's 6
    assert core.service_times.service_s("A") == pytest.approx(9 * 60, rel=0.01)


def test_earlier_days_measured_times_seed_the_day_and_blend_with_the_hall_file(small_hall: Hall,
                                                                                tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    friday = FakeClock(local_ts(2026, 11, 20, 9, 0))
    svc = HubService(small_hall, Store(db, durable=False), KEY, friday)
    svc.handle("P1", req("window.open", {"window": "W1", "staff": "s1", "pin": "1234"}))
    for _ in range(3):
        svc.handle("K1", req("ticket.issue", {"matter": "ma", "situation": "s"}))
    for _ in range(3):  # three services of 20 minutes
        svc.handle("P1", req("ticket.call_next", {"window": "W1"}))
        friday.advance(20 * 60)
        svc.handle("P1", req("ticket.outcome", {"window": "W1", "outcome": "accepted"}))
        friday.advance(30)
    [h] = svc.store.service_history("2026-11-20")
    assert (h.queue, h.matter, h.services) == ("A", "ma", 3)
    assert h.mean_s == pytest.approx(20 * 60)
    assert svc.store.service_history("2026-11-19") == []  # only days up to the one asked
    svc.store.close()

    monday = FakeClock(local_ts(2026, 11, 23, 8, 30))
    for hall, expected_min in ((small_hall, 20.0), (seeded(small_hall, queues={"A": 8}), (3 * 20 + 10 * 8) / 13)):
        again = HubService(hall, Store(db, durable=False), KEY, monday)  # a hub started on Monday morning
        again.tick()  # the new day
        again.handle("P1", req("window.open", {"window": "W1", "staff": "s1", "pin": "1234"}))
        for _ in range(3):
            again.handle("K1", req("ticket.issue", {"matter": "ma2", "situation": "s"}))
        w = predict_ticket(again.core, "A003", monday.now)
        assert w is not None
        # nothing finished today: the history (3 services of 20 min), drawn towards the hall file's 8 when it says so
        assert again.core.service_times.service_s("A") == pytest.approx(expected_min * 60, rel=0.01)
        assert w.minutes == pytest.approx(2 * (expected_min + GAP_MIN), abs=1)
        again.store.close()


def test_seeds_ignore_nonsense_history() -> None:
    s = ServiceTimes()
    s.seed(None, {"A": 600.0}, {}, [History("A", "ma", 5, -3.0), History("A", "ma", 0, 100.0)])
    assert s.history == ()
    assert s.service_s("A") == 600.0


# ------------------------------------------------------------------ queue-jumpers


def _queue_with(small_hall: Hall, now: float, jumpers: int) -> HallCore:
    """One window on A; ``jumpers`` verified priority tickets issued in the last hour (already called)
    and ten ordinary ones waiting."""
    core = started(small_hall, now - 1800, "W2")
    for _ in range(jumpers):
        issue(core, now - 1800, "A", priority_group="military")  # needs no verification: jumps at once
    for i in range(jumpers):  # each called and served (then the evaluator's minute runs out)
        core.call_next(now - 1800 + i * 120, "W2")
        core.outcome(now - 1800 + i * 120 + 1, "W2", "accepted")
        core.tick(now - 1800 + i * 120 + 90)
    assert all(t.state.value == "accepted" for t in core.tickets.values())
    core.service_times = ServiceTimes()  # what those one-second services taught is not the point
    core.wait_memo = None
    for _ in range(10):
        issue(core, now, "A")
    return core


def test_a_queue_with_frequent_jumpers_says_a_wider_range_than_one_without(small_hall: Hall,
                                                                         clock: FakeClock) -> None:
    now = clock.now
    jumpy, calm = _queue_with(small_hall, now, 6), _queue_with(small_hall, now, 0)
    a, b = queue_wait(jumpy, "A", now), queue_wait(calm, "A", now)
    assert a is not None
    assert b is not None
    assert a.minutes == b.minutes  # the point is the forward run's: the same ten before it
    # six jumpers in the last half hour, 8.5 minutes each at one window: ρ = 12/h × 8.5 min ≈ 1.7 → 0.5 (capped)
    assert a.hi_min >= b.hi_min + a.minutes  # their expected work (a wait doubled) is in the range's top
    assert a.lo_min == b.lo_min
    assert estimate.jump_rates(jumpy, now) == {"A": pytest.approx(6 / 1800)}
    assert estimate.jump_rates(calm, now) == {}


def test_without_the_arrival_model_both_say_the_same(small_hall: Hall, clock: FakeClock,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(estimate, "MODEL_ARRIVALS", False)
    now = clock.now
    assert queue_wait(_queue_with(small_hall, now, 6), "A", now) == queue_wait(_queue_with(small_hall, now, 0),
                                                                               "A", now)


def test_a_priority_ticket_is_not_jumped(small_hall: Hall, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    now = clock.now
    core = _queue_with(small_hall, now, 6)
    issue(core, now, "A", priority_group="military")
    prio, ordinary = wait(core, "A017", now), wait(core, "A016", now)
    monkeypatch.setattr(estimate, "MODEL_ARRIVALS", False)
    assert wait(core, "A017", now) == prio  # a later priority citizen goes behind it: nothing added
    assert wait(core, "A016", now).hi_min < ordinary.hi_min  # an ordinary one is jumped


# ------------------------------------------------------------------ past the hall's hours


def _long_queue(small_hall: Hall, now: float, n: int) -> HallCore:
    core = started(small_hall, now, "W2")
    for _ in range(n):
        issue(core, now, "A")
    return core


def test_a_wait_past_the_close_says_so(small_hall: Hall) -> None:
    """The small hall voids waiting tickets at 12:00 and 17:30 (its close)."""
    at_1630 = local_ts(2026, 11, 23, 16, 30)
    core = _long_queue(small_hall, at_1630, 10)  # ten at one window: about 80 minutes, past 17:30
    assert wait(core, "A010", at_1630).past_close == "day"
    assert wait(core, "A002", at_1630).past_close == ""  # the second is called in minutes
    at_1100 = local_ts(2026, 11, 23, 11, 0)
    core = _long_queue(small_hall, at_1100, 10)
    assert wait(core, "A010", at_1100).past_close == "session"  # voided at 12:00; the afternoon is another session
    at_0900 = local_ts(2026, 11, 23, 9, 0)
    assert wait(_long_queue(small_hall, at_0900, 10), "A010", at_0900).past_close == ""


def test_the_hub_publishes_past_close_only_when_so(small_hall: Hall, tmp_path: Path) -> None:
    clock = FakeClock(local_ts(2026, 11, 23, 16, 30))
    svc = HubService(small_hall, Store(tmp_path / "hub.db", durable=False), KEY, clock)
    svc.handle("P1", req("window.open", {"window": "W1", "staff": "s1", "pin": "1234"}))
    views: list[dict[str, Any]] = []
    for _ in range(10):
        out = svc.handle("K1", req("ticket.issue", {"matter": "ma", "situation": "s"}))
        views.append(json.loads(out.reply or b"")["result"]["ticket"])
    assert "wait_past_close" not in views[0]  # absent unless so: the wire is as it was
    assert views[-1]["wait_past_close"] == "day"
    assert wait_of(views[-1]) == "今日可能无法办理"
    slip = slip_for(views[-1], "测试大厅", "Asia/Shanghai")
    assert slip.wait_past == "day"
    lines = [b.text for b in slip.to_document(80).blocks if isinstance(b, TextLine)]
    assert "预计等候：今日可能无法办理" in lines  # said instead of a time
    assert not any("分钟" in line for line in lines if line.startswith("预计等候"))
    svc.store.close()


def test_the_words_in_both_languages() -> None:
    assert wait_words(60, 90, past="day") == "今日可能无法办理"
    assert wait_words(60, 90, past="session") == "本时段可能无法办理"
    assert wait_words(60, 90, past="") == "约 60-90 分钟"
    assert wait_words(None, None, past="day") == "暂无法估计"  # no basis stays no basis
    i18n.set_language("en")
    try:
        assert wait_words(60, 90, past="day") == "May not be served today"
        assert wait_words(60, 90, past="day", chinese=True) == "今日可能无法办理"  # a slip
    finally:
        i18n.set_language("zh_CN")
    summary = m.QueueSummary("A", "综合受理", "Z1", 9, 0, 0, [], None, 9, 70, 50, 95, "session")
    assert wait_of(summary) == "本时段可能无法办理"  # the TV's and the kiosk's result screen


def test_the_phone_page_says_it_in_both_languages() -> None:
    view = m.ProgressView("大厅", "Asia/Shanghai", "A010", "2026-11-23", "waiting", "等候中", "事项", "", [], "",
                          9, 75, 110, None, 1, 0, 3, None, None, "day")
    assert ("预计等候", "今日可能无法办理") in rows(view, "zh")
    assert ("Estimated wait", "May not be served today") in rows(view, "en")
    plain = msgspec.structs.replace(view, wait_past_close=msgspec.UNSET)  # an older hub, or not past the close
    assert ("预计等候", "约 75-110 分钟") in rows(plain, "zh")
