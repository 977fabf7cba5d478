"""Working days: the national schedule from chinese-calendar, the hall's own days on top.

The dates below are the State Council's 2026 schedule as chinese-calendar 1.11 carries it
(checked against its data, not guessed): 春节 2026-02-15..23 with 调休 Saturdays 02-14 and
02-28; 中秋 09-25..27 and 国庆 10-01..07 with 调休 Sunday 09-20 and Saturday 10-10.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from hub.workdays import CalendarRangeError, WorkCalendar, library_years

D = dt.date
NATIONAL = WorkCalendar()
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("day", "working"), [
    (D(2026, 10, 1), False),  # 国庆
    (D(2026, 10, 5), False),  # a Monday inside the holiday
    (D(2026, 10, 8), True),
    (D(2026, 10, 10), True),  # 调休 Saturday
    (D(2026, 10, 11), False),  # an ordinary Sunday
    (D(2026, 9, 20), True),  # 调休 Sunday
    (D(2026, 9, 25), False),  # 中秋 (a Friday)
    (D(2026, 2, 14), True),  # 调休 Saturday before 春节
    (D(2026, 2, 16), False),  # 春节 (a Monday)
    (D(2026, 2, 28), True),  # 调休 Saturday after 春节
    (D(2026, 11, 23), True),
    (D(2026, 11, 28), False),
])
def test_national_schedule(day: dt.date, working: bool) -> None:
    assert NATIONAL.is_working_day(day) is working


def test_promised_dates_count_the_working_days_after_acceptance() -> None:
    # accepted Wednesday 09-30, the eve of 国庆: day 1 is 10-08, day 3 the 调休 Saturday 10-10
    assert NATIONAL.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert NATIONAL.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert NATIONAL.add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)
    # accepted Friday before 春节: the 调休 Saturday is day 1, the next is Tuesday 02-24
    assert NATIONAL.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert NATIONAL.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    # an ordinary week: Monday + 3 = Thursday; 即办件 (0) is the day itself, even on a holiday
    assert NATIONAL.add_working_days(D(2026, 11, 23), 3) == D(2026, 11, 26)
    assert NATIONAL.add_working_days(D(2026, 10, 3), 0) == D(2026, 10, 3)
    with pytest.raises(ValueError, match="负数"):
        NATIONAL.add_working_days(D(2026, 11, 23), -1)


def test_working_days_between_counts_the_half_open_span() -> None:
    assert NATIONAL.working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4  # 10-08, 09, 10, 12
    assert NATIONAL.working_days_between(D(2026, 10, 12), D(2026, 9, 30)) == -4
    assert NATIONAL.working_days_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    assert NATIONAL.working_days_between(D(2026, 11, 23), D(2026, 11, 23)) == 0
    for n in range(12):
        start = D(2026, 9, 18)
        assert NATIONAL.working_days_between(start, NATIONAL.add_working_days(start, n)) == n


def test_the_halls_own_days_off_and_extra_working_days_win() -> None:
    local = WorkCalendar.of(days_off=[D(2026, 10, 9)], extra_working_days=[D(2026, 10, 11)])
    assert not local.is_working_day(D(2026, 10, 9))
    assert local.is_working_day(D(2026, 10, 11))
    assert local.add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 10)
    assert local.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 11)
    with pytest.raises(ValueError, match="既是休息日又是工作日"):
        WorkCalendar.of(days_off=[D(2026, 10, 9)], extra_working_days=[D(2026, 10, 9)])


def test_a_year_nobody_describes_is_a_clear_error_and_a_hall_may_describe_it() -> None:
    last = library_years()[1]
    beyond = D(last + 1, 3, 1)
    with pytest.raises(CalendarRangeError) as exc:
        NATIONAL.is_working_day(beyond)
    assert f"{last + 1} 年的法定节假日" in str(exc.value) and "own_years" in str(exc.value)
    with pytest.raises(CalendarRangeError):  # a promised date running into that year
        NATIONAL.add_working_days(D(last, 12, 20), 30)
    # the hall file writes that year's days off itself: weekdays work, its days off do not
    jan1 = D(last + 1, 1, 1)
    own = WorkCalendar.of(days_off=[jan1], own_years=[last + 1])
    assert not own.is_working_day(jan1)
    later = [jan1 + dt.timedelta(days=i) for i in range(1, 9)]
    first_working = next(d for d in later if d.weekday() < 5)
    assert own.add_working_days(jan1, 1) == first_working


def test_working_seconds_skip_days_off_but_not_the_tiaoxiu_saturday() -> None:
    def at(day: int, hour: int) -> dt.datetime:
        return dt.datetime(2026, 10, day, hour, tzinfo=TZ)

    # Friday 17:00 → Monday 09:00: Friday's 7 h, the 调休 Saturday's 24 h, Sunday none, Monday's 9 h
    assert NATIONAL.working_seconds_between(at(9, 17), at(12, 9)) == 40 * 3600
    # from inside the holiday: only 10-08's first 10 hours count
    assert NATIONAL.working_seconds_between(at(1, 10), at(8, 10)) == 10 * 3600
    assert NATIONAL.working_seconds_between(at(8, 10), at(1, 10)) == 0
