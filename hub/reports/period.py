"""Report periods (日报/周报/月报) and working days (工作日) for follow-up deadlines.

A week is Monday to Sunday (ISO), a month the calendar month of the given date. Working
days are Monday to Friday, minus the holidays of a holiday file, plus its make-up
workdays (调休上班). The holiday file is plain text, one date a line::

    # 2026 元旦
    2026-01-01
    +2026-01-04      # 调休: a Sunday that is a working day

Blank lines and ``#`` comments are ignored. :func:`parse_holidays` is pure (text in);
reading the file is the caller's business.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

KINDS = {"daily": "日报", "weekly": "周报", "monthly": "月报"}
PERIOD_WORD = {"daily": "本日", "weekly": "本周", "monthly": "本月"}


@dataclass(frozen=True)
class Period:
    kind: str  # daily / weekly / monthly
    first: dt.date
    last: dt.date

    @classmethod
    def of(cls, kind: str, day: dt.date) -> Period:
        if kind == "daily":
            return cls(kind, day, day)
        if kind == "weekly":
            monday = day - dt.timedelta(days=day.weekday())
            return cls(kind, monday, monday + dt.timedelta(days=6))
        if kind == "monthly":
            first = day.replace(day=1)
            nxt = (first + dt.timedelta(days=32)).replace(day=1)
            return cls(kind, first, nxt - dt.timedelta(days=1))
        raise ValueError(f"unknown report kind {kind!r}; expected one of {', '.join(KINDS)}")

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    @property
    def name(self) -> str:
        return KINDS[self.kind]

    @property
    def word(self) -> str:
        """本日 / 本周 / 本月, as 附件8 opens: 本月（X年X月X日——X年X月X日）."""
        return PERIOD_WORD[self.kind]

    def label(self) -> str:
        if self.first == self.last:
            return zh_date(self.first)
        return f"{zh_date(self.first)}——{zh_date(self.last)}"


def zh_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class HolidayFileError(ValueError):
    pass


@dataclass(frozen=True)
class Calendar:
    """Which days are working days (工作日)."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)  # 调休: weekend days worked

    def is_working(self, d: dt.date) -> bool:
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (the day of service itself does not count)."""
        d = start
        left = n
        while left > 0:
            d += dt.timedelta(days=1)
            if self.is_working(d):
                left -= 1
        return d

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative if end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_working(start + dt.timedelta(days=i)))


def parse_holidays(text: str, source: str = "holidays") -> Calendar:
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    errors: list[str] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        plus = line.startswith("+")
        try:
            d = dt.date.fromisoformat(line[1:].strip() if plus else line)
        except ValueError:
            errors.append(f"{source} line {n}: {raw.strip()!r} 不是日期 (expected YYYY-MM-DD or +YYYY-MM-DD)")
            continue
        (workdays if plus else holidays).add(d)
    both = holidays & workdays
    if both:
        errors.append(f"{source}: 既是假日又是调休上班 (both holiday and make-up workday): "
                      + ", ".join(sorted(d.isoformat() for d in both)))
    if errors:
        raise HolidayFileError("\n".join(errors))
    return Calendar(frozenset(holidays), frozenset(workdays))
