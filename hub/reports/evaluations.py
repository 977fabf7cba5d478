"""好差评 (R13, 附件8 二): 应评 / 实评 / 未评 per window, the 差评 list, the 未评价 follow-ups.

应评 is every service the window invited a rating for (the hub invites after 受理/咨询/
不予受理 and after a 补录); 实评 those rated 1-5; 未评 those that ended as 0 (the
evaluator timed out, or the next citizen was called first) or had no result at all when
the log ended. 差评 are levels 1 (非常不满意) and 2 (不满意); each must be handled, and each
未评 service followed up, within ``followup_working_days`` working days of the service
(吕梁: 5; a hall setting). Whether a follow-up was done is not recorded by the hub yet, so
the status says only how the deadline stands on the ``as_of`` day.

The 差评 list leaves out who rated (the rater's identity is not passed on); the follow-up
list carries the masked name and phone the kiosk recorded, to find the service.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hub.core import EVALUATION_LEVELS
from hub.events import FOLLOWUP_RESULTS, NO_RATING_REASONS
from hub.hall import Hall
from hub.reports.period import Calendar
from hub.reports.replay import Log, matter_name


@dataclass
class EvalRow:
    window: str
    name: str
    invited: int = 0  # 应评
    levels: Counter[int] = field(default_factory=Counter)  # 1..5 实评, 0 未评
    web: int = 0  # of 实评: given on the phone page (扫码评价, channel web) after the window's evaluator timed out

    @property
    def rated(self) -> int:  # 实评
        return sum(n for lv, n in self.levels.items() if lv > 0)

    @property
    def unrated(self) -> int:  # 未评
        return self.levels[0]

    @property
    def bad(self) -> int:  # 差评
        return self.levels[1] + self.levels[2]

    @property
    def satisfaction(self) -> float | None:
        """满意率: (非常满意+满意+基本满意) / 实评."""
        return (self.levels[5] + self.levels[4] + self.levels[3]) / self.rated if self.rated else None


@dataclass
class FollowUp:
    """A 差评 to handle or an unrated service to follow up, with its deadline."""

    day: dt.date
    at: float
    window: str
    staff: str
    ticket: str
    number: str
    matter: str
    level: int
    reason: str
    deadline: dt.date
    status: str
    applicant: str = ""
    phone: str = ""


@dataclass
class Evaluations:
    windows: list[EvalRow]
    bad: list[FollowUp]
    unrated: list[FollowUp]
    followup_days: int
    as_of: dt.date

    @property
    def total(self) -> EvalRow:
        t = EvalRow("合计", "合计")
        for r in self.windows:
            t.invited += r.invited
            t.levels.update(r.levels)
            t.web += r.web
        return t


def status(deadline: dt.date, as_of: dt.date, calendar: Calendar) -> str:
    if as_of > deadline:
        return f"已超期{calendar.working_days_between(deadline, as_of)}个工作日"
    left = calendar.working_days_between(as_of, deadline)
    return f"待处理，剩余{left}个工作日" if left else "待处理，今日到期"


def followed_up(f: dict[str, Any], log: Log) -> str:
    """How a 差评/未评价 was closed, for the 状态 column: 已整改（11-25 赵芳：说明）."""
    when = log.local(float(f["at"])).strftime("%m-%d")
    who = f.get("staff") or f.get("device") or ""
    label = FOLLOWUP_RESULTS.get(str(f.get("result")), str(f.get("result")))
    if f.get("result") == "rated":
        label += f"：{EVALUATION_LEVELS.get(int(f.get('level') or 0), '')}"
    return f"{label}（{when} {who}：{f.get('note', '')}）"


def compute_evaluations(log: Log, hall: Hall | None, calendar: Calendar, as_of: dt.date,
                        followup_days: int | None = None,
                        followups: dict[str, dict[str, Any]] | None = None) -> Evaluations:
    days = followup_days if followup_days is not None else (hall.policy.followup_working_days if hall else 5)
    rows: dict[str, EvalRow] = {}
    if hall:
        for w in hall.windows.values():
            rows[w.id] = EvalRow(w.id, w.name)
    bad: list[FollowUp] = []
    unrated: list[FollowUp] = []
    for recorded in log.evaluations:
        e = recorded
        row = rows.setdefault(e.window, EvalRow(e.window, e.window))
        row.invited += 1
        level = e.level or 0
        web = web_rating((followups or {}).get(e.ticket)) if not level else None
        if web is not None:  # left 未评价 at the window, rated later on the phone page: a rating (channel web)
            level, row.web = web[0], row.web + 1
            e = dataclasses.replace(e, level=level, reason=web[1])
        row.levels[level] += 1
        if level not in (0, 1, 2):
            continue
        t = log.tickets[e.ticket]
        at = e.recorded_at or e.invited_at or t.issued_at
        served_day = log.date(e.invited_at or at)
        deadline = calendar.add_working_days(served_day, days)
        item = FollowUp(served_day, at, e.window, e.staff, e.ticket, t.number, matter_name(hall, t.matter), level,
                        (f"{e.reason}（扫码评价）" if web else e.reason) if level
                        else NO_RATING_REASONS.get(e.reason, e.reason), deadline,
                        followed_up((followups or {})[e.ticket], log) if e.ticket in (followups or {}) and not web
                        else status(deadline, as_of, calendar))
        if level:
            item.reason = item.reason or "（未填写原因）"
            bad.append(item)
        else:
            item.applicant, item.phone = t.applicant_masked, t.phone_masked
            unrated.append(item)
    ordered = [rows[k] for k in rows]
    return Evaluations(ordered, sorted(bad, key=lambda f: f.at), sorted(unrated, key=lambda f: f.at), days, as_of)


def web_rating(followup: dict[str, Any] | None) -> tuple[int, str] | None:
    """(level, 差评 reason) of a rating given on the phone page (``evaluation.followed_up`` with channel
    ``web``), or None when the follow-up is a guide's 回访 (or there is none)."""
    if not followup or followup.get("channel") != "web" or followup.get("result") != "rated":
        return None
    level = int(followup.get("level") or 0)
    return (level, str(followup.get("note") or "")) if level in range(1, 6) else None


def level_name(level: int) -> str:
    return EVALUATION_LEVELS.get(level, str(level))
