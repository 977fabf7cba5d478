"""Working days (工作日) for promised dates (承诺时限) and report deadlines.

A 承诺件's time limit is counted in working days: Monday to Friday, minus the public
holidays (法定节假日) and plus the weekend days worked in their place (调休上班). Both change
every year: the State Council publishes the next year's schedule each November, and the
``chinese-calendar`` package (PyPI, maintained since 2017, a release after each announcement)
carries them as data. A hall adds what is its own: local days off (``days_off``) and extra
working days (``extra_working_days``), and it may describe whole years itself (``own_years``:
its days off and extra working days for that year are the whole schedule, the package is not
asked) — so a hall can run into a year the installed package does not know yet.

Counting follows the usual rule for 期间 (the day an act happens does not count, as the
reports' :class:`hub.reports.period.Calendar` also does):

- :meth:`WorkCalendar.add_working_days` ``(d, n)`` is the n-th working day *after* ``d``;
  ``n = 0`` is ``d`` itself (a 即办件 is due the day it is accepted). A 承诺件 accepted on
  Monday with 3 working days is due on Thursday, whatever the time of day.
- :meth:`WorkCalendar.working_days_between` ``(a, b)`` counts the working days in
  ``(a, b]``: Monday → Thursday is 3; negative when ``b`` is before ``a``.

No date is read from the machine here: every date comes from the caller. A date in a year
neither the package nor the hall file knows raises :class:`CalendarRangeError` with words a
hall's IT can act on, instead of silently treating a holiday as a working day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import chinese_calendar
from chinese_calendar import constants as _cc

ONE_DAY = dt.timedelta(days=1)
_MAX_SPAN_DAYS = 366 * 20  # a loop guard: no promised date or report spans twenty years


class CalendarRangeError(ValueError):
    """A date in a year whose holidays nobody told us."""

    def __init__(self, day: dt.date, known: tuple[int, int]) -> None:
        self.day = day
        self.known = known
        super().__init__(
            f"{day.year} 年的法定节假日与调休安排尚未收录（已安装的 chinese-calendar 收录 {known[0]}–{known[1]} 年）："
            f"请升级 chinese-calendar，或在大厅配置文件 [cases] 的 own_years 中写入 {day.year}，"
            f"并把该年的节假日写入 days_off、调休上班日写入 extra_working_days"
            f" (no holiday data for {day.isoformat()}: upgrade chinese-calendar or describe the year in [cases])"
        )


@cache
def library_years() -> tuple[int, int]:
    """The first and last year the installed ``chinese-calendar`` describes."""
    years = [d.year for d in _cc.holidays]
    return min(years), max(years)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: the package's national schedule and the hall's own days."""

    days_off: frozenset[dt.date] = field(default_factory=frozenset)  # 本地休息日 (and own years' holidays)
    extra_working_days: frozenset[dt.date] = field(default_factory=frozenset)  # 本地加班日 / own years' 调休
    own_years: frozenset[int] = field(default_factory=frozenset)  # years the hall file describes wholly

    @classmethod
    def of(cls, days_off: Iterable[dt.date] = (), extra_working_days: Iterable[dt.date] = (),
           own_years: Iterable[int] = ()) -> WorkCalendar:
        off, extra = frozenset(days_off), frozenset(extra_working_days)
        both = off & extra
        if both:
            days = "、".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"既是休息日又是工作日 (both a day off and a working day): {days}")
        return cls(off, extra, frozenset(own_years))

    def covers(self, day: dt.date) -> bool:
        first, last = library_years()
        return day.year in self.own_years or first <= day.year <= last

    def is_working_day(self, day: dt.date) -> bool:
        """True if the hall's departments work on ``day``; :class:`CalendarRangeError` if unknown."""
        if day in self.extra_working_days:
            return True
        if day in self.days_off:
            return False
        if day.year in self.own_years:
            return day.weekday() < 5
        if not self.covers(day):
            raise CalendarRangeError(day, library_years())
        return bool(chinese_calendar.is_workday(day))

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (``start`` itself does not count); ``start`` for n = 0."""
        if n < 0:
            raise ValueError(f"工作日数不能为负数 (n must not be negative), got {n}")
        day, left = start, n
        for _ in range(_MAX_SPAN_DAYS):
            if left == 0:
                return day
            day += ONE_DAY
            if self.is_working_day(day):
                left -= 1
        raise ValueError(f"{n} 个工作日超出可计算范围 (too many working days)")

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]``; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        span = (end - start).days
        if span > _MAX_SPAN_DAYS:
            raise ValueError(f"日期跨度过大 (span too long): {start} → {end}")
        return sum(1 for i in range(1, span + 1) if self.is_working_day(start + dt.timedelta(days=i)))

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        return day if self.is_working_day(day) else self.add_working_days(day, 1)

    def working_seconds_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Seconds of ``[start, end)`` that fall on working days (whole days, not office hours).

        Both ends are aware datetimes in the hall's zone: a folder left in a drawer from Friday
        17:00 to Monday 09:00 has waited 16 working hours (Friday's 7 and Monday's 9), not 64."""
        if end <= start:
            return 0.0
        total, day = 0.0, start.date()
        for _ in range(_MAX_SPAN_DAYS):
            if day > end.date():
                return total
            if self.is_working_day(day):
                lo = max(start, dt.datetime.combine(day, dt.time(), start.tzinfo))
                hi = min(end, dt.datetime.combine(day + ONE_DAY, dt.time(), start.tzinfo))
                total += max(0.0, (hi - lo).total_seconds())
            day += ONE_DAY
        raise ValueError(f"日期跨度过大 (span too long): {start} → {end}")
