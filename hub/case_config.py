"""The hall file's case settings: the ``[cases]`` table and the case fields of a matter.

Read by the same checker as the rest of the hall file (:mod:`hub.config`): every unknown key,
wrong type or dangling department is reported with its key path, all at once.
:func:`hub.config.parse_hall` makes the two calls, :func:`parse_cases` and
:func:`parse_matter_case_fields` (``"cases"`` is one of its top-level keys, :data:`MATTER_CASE_KEYS`
are among the keys of ``[[matters]]``). :func:`check_cases` runs them alone.

.. code-block:: toml

    [cases]
    transfer_limit_working_days = 1        # 附件8 三: 转递 later than this after 受理 is reported
    correction_deadline_working_days = 10  # 附件5: the deadline a 一次性告知单 offers by default
    unclaimed_after_working_days = 10      # 出件: results waiting this long are listed to call the applicant
    deliveries = ["pickup", "locker", "mail"]        # 现场领取 / 自助柜 / 邮寄 this hall offers
    result_kinds = ["文书", "证书", "备案表", "《制证信息表》"]
    days_off = [2026-12-31]                 # local days off (本地休息日), dates or "YYYY-MM-DD"
    extra_working_days = ["2026-12-26"]     # local extra working days
    own_years = [2027]                      # years described here wholly (holidays and 调休 in the two lists)
    print_completion_notice = true          # 出件: the 办结通知书 prints by itself after a hand-out
                                            # (true: every one; or some: ["pickup", "locker"]; default false)

    [cases.stuck_hours]                     # guide alerts: hours (working days only) at one stage
    accepted = 4
    transferring = 8

    [[cases.departments]]
    name = "市场监督管理局"                  # as the matters' ``department`` says it
    transfer_limit_working_days = 2

    [[matters]]
    # … the matter's own keys, and:
    result_kind = "证书"                     # what the department issues
    inspection = true                       # 评审/勘验 (附件4: 是/否)
    deliveries = ["pickup", "mail"]         # fewer ways than the hall offers, for this matter
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hub.cases import DELIVERY_WORDS, FINAL, CaseState, Delivery
from hub.config_checker import ConfigIssue, _Checker
from hub.workdays import WorkCalendar

DEFAULT_STUCK_HOURS: dict[CaseState, float] = {
    CaseState.ACCEPTED: 4.0,  # a folder at the window not yet picked up
    CaseState.TRANSFERRING: 8.0,  # picked up, not yet signed for
    CaseState.CORRECTION_RECEIVED: 8.0,  # 补正资料 at the window, not yet back with the department
    CaseState.RESULT_TRANSFERRING: 8.0,  # a result sent out, not yet at the 出件 window
}
DEFAULT_RESULT_KINDS = ("文书", "证书", "备案表", "《制证信息表》")
MATTER_CASE_KEYS = ("result_kind", "inspection", "deliveries")
_CASES_KEYS = ("transfer_limit_working_days", "correction_deadline_working_days", "unclaimed_after_working_days",
               "deliveries", "result_kinds", "days_off", "extra_working_days", "own_years", "stuck_hours",
               "departments", "print_completion_notice")


@dataclass(frozen=True)
class DepartmentRules:
    """One department's own case settings (``[[cases.departments]]``)."""

    name: str
    transfer_limit_working_days: int | None = None  # None: the hall's


@dataclass(frozen=True)
class CaseRules:
    """The hall's case settings (``[cases]``); the defaults are those of a hall that writes none."""

    transfer_limit_working_days: int = 1
    correction_deadline_working_days: int = 10
    unclaimed_after_working_days: int = 10
    deliveries: tuple[Delivery, ...] = tuple(Delivery)
    result_kinds: tuple[str, ...] = DEFAULT_RESULT_KINDS
    stuck_hours: dict[CaseState, float] = field(default_factory=lambda: dict(DEFAULT_STUCK_HOURS))
    departments: dict[str, DepartmentRules] = field(default_factory=dict)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    # the hand-outs (by delivery method) after which the 出件 pad prints the 办结通知书 by itself
    print_completion_notice: tuple[Delivery, ...] = ()

    def transfer_limit(self, department: str) -> int:
        """附件8 三's limit for a department: its own if set, else the hall's."""
        own = self.departments.get(department)
        if own is not None and own.transfer_limit_working_days is not None:
            return own.transfer_limit_working_days
        return self.transfer_limit_working_days


@dataclass(frozen=True)
class MatterCaseFields:
    """A matter's case fields in ``[[matters]]``."""

    result_kind: str = ""  # "": the department says at 办结
    inspection: bool = False  # 评审/勘验
    deliveries: tuple[Delivery, ...] = ()  # (): every way the hall offers


def _days(c: _Checker, d: dict[str, Any], key: str, path: str) -> frozenset[dt.date]:
    raw = d.get(key, [])
    where = f"{path}.{key}"
    if not isinstance(raw, list):
        c.error(where, f"应为日期列表 (expected a list of dates), got {raw!r}")
        return frozenset()
    out: set[dt.date] = set()
    for i, v in enumerate(raw):
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            out.add(v)
        elif isinstance(v, str):
            try:
                out.add(dt.date.fromisoformat(v))
            except ValueError:
                c.error(f"{where}[{i}]", f"日期格式应为 YYYY-MM-DD (expected a date), got {v!r}")
        else:
            c.error(f"{where}[{i}]", f"应为日期 (expected a date), got {v!r}")
    return frozenset(out)


def _deliveries(c: _Checker, d: dict[str, Any], path: str, default: tuple[Delivery, ...],
                key: str = "deliveries") -> tuple[Delivery, ...]:
    if key not in d:
        return default
    out: list[Delivery] = []
    for i, raw in enumerate(c.strings(d, key, path)):
        try:
            out.append(Delivery(raw))
        except ValueError:
            allowed = ", ".join(f"{m.value} ({w})" for m, w in DELIVERY_WORDS.items())
            c.error(f"{path}.{key}[{i}]", f"未知送达方式 (unknown delivery {raw!r}); allowed: {allowed}")
    if isinstance(d[key], list) and not d[key]:
        c.error(f"{path}.{key}", "至少需要一种送达方式 (at least one delivery method)")
    return tuple(dict.fromkeys(out))


def _count(c: _Checker, d: dict[str, Any], key: str, path: str, default: int, low: int, high: int) -> int:
    value = c.get(d, key, path, int, default=default)
    if not low <= value <= high:
        c.error(f"{path}.{key}", f"应为 {low}-{high} 个工作日 (working days, {low}-{high}), got {value}")
    return value


def parse_cases(c: _Checker, data: Any, departments: Iterable[str] = ()) -> CaseRules:
    """``[cases]`` into :class:`CaseRules`, recording every problem on ``c``.

    ``departments``: the department names the hall's matters and windows use; a
    ``[[cases.departments]]`` entry naming another one is reported (a typo would silently
    leave that department on the hall's limits)."""
    path = "cases"
    d = c.table(data, path, _CASES_KEYS)
    base = CaseRules()
    kwargs: dict[str, Any] = {
        "transfer_limit_working_days": _count(c, d, "transfer_limit_working_days", path,
                                              base.transfer_limit_working_days, 0, 30),
        "correction_deadline_working_days": _count(c, d, "correction_deadline_working_days", path,
                                                   base.correction_deadline_working_days, 1, 366),
        "unclaimed_after_working_days": _count(c, d, "unclaimed_after_working_days", path,
                                               base.unclaimed_after_working_days, 1, 366),
        "deliveries": _deliveries(c, d, path, base.deliveries),
    }
    kinds = c.strings(d, "result_kinds", path) if "result_kinds" in d else base.result_kinds
    if "result_kinds" in d and not kinds:
        c.error(f"{path}.result_kinds", "至少需要一种办理结果类型 (at least one result kind)")
    kwargs["result_kinds"] = tuple(dict.fromkeys(k.strip() for k in kinds if k.strip()))
    kwargs["stuck_hours"] = _stuck_hours(c, d.get("stuck_hours", {}), f"{path}.stuck_hours")
    kwargs["departments"] = _departments(c, d, path, set(departments))
    kwargs["calendar"] = _calendar(c, d, path)
    kwargs["print_completion_notice"] = _print_completion(c, d, path, kwargs["deliveries"])
    return CaseRules(**kwargs)


def _print_completion(c: _Checker, d: dict[str, Any], path: str,
                      offered: tuple[Delivery, ...]) -> tuple[Delivery, ...]:
    """``print_completion_notice``: ``true`` (after every hand-out the hall offers), ``false``, or the
    delivery methods whose hand-out prints it (``["pickup", "locker"]``)."""
    key = "print_completion_notice"
    raw = d.get(key, False)
    if isinstance(raw, bool):
        return offered if raw else ()
    if not isinstance(raw, list):
        c.error(f"{path}.{key}", f"应为 true/false 或送达方式列表，如 [\"pickup\", \"locker\"] "
                                 f"(expected true, false or a list of delivery methods), got {raw!r}")
        return ()
    if not raw:
        return ()
    ways = _deliveries(c, d, path, (), key)
    for i, m in enumerate(ways):
        if m not in offered:
            c.error(f"{path}.{key}[{i}]", f"大厅未开通该送达方式 (the hall does not offer {m.value}: "
                                         f"see [cases] deliveries)")
    return ways


def _stuck_hours(c: _Checker, raw: Any, path: str) -> dict[CaseState, float]:
    live = [s.value for s in CaseState if s not in FINAL]
    table = c.table(raw, path, live)
    out = dict(DEFAULT_STUCK_HOURS)
    for key, value in table.items():
        if key not in live:
            continue  # reported by table()
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 24 * 366:
            c.error(f"{path}.{key}", f"应为正数小时 (hours, a positive number), got {value!r}")
            continue
        out[CaseState(key)] = float(value)
    return out


def _departments(c: _Checker, d: dict[str, Any], path: str, known: set[str]) -> dict[str, DepartmentRules]:
    out: dict[str, DepartmentRules] = {}
    seen: dict[str, str] = {}
    for dpath, entry in c.list_of_tables(d, "departments", path):
        c.table(entry, dpath, ("name", "transfer_limit_working_days"))
        name = c.get(entry, "name", dpath, str)
        if not name.strip():
            continue
        c.unique(seen, name, f"{dpath}.name")
        if known and name not in known:
            names = "、".join(sorted(known))
            c.error(f"{dpath}.name", f"没有事项或窗口属于部门 {name!r} (no matter or window names it); known: {names}")
        limit = None
        if "transfer_limit_working_days" in entry:
            limit = _count(c, entry, "transfer_limit_working_days", dpath, 1, 0, 30)
        out[name] = DepartmentRules(name, limit)
    return out


def _calendar(c: _Checker, d: dict[str, Any], path: str) -> WorkCalendar:
    off = _days(c, d, "days_off", path)
    extra = _days(c, d, "extra_working_days", path)
    years: list[int] = []
    raw = d.get("own_years", [])
    if not isinstance(raw, list):
        c.error(f"{path}.own_years", f"应为年份列表 (expected a list of years), got {raw!r}")
        raw = []
    for i, y in enumerate(raw):
        if isinstance(y, bool) or not isinstance(y, int) or not 2000 <= y <= 2100:
            c.error(f"{path}.own_years[{i}]", f"应为 2000-2100 之间的年份 (a year), got {y!r}")
        else:
            years.append(y)
    for day in sorted(off & extra):
        c.error(f"{path}.extra_working_days",
                f"{day.isoformat()} 同时列在 days_off 中 (both a day off and a working day)")
    for y in years:
        if not any(day.year == y for day in off):
            c.error(f"{path}.own_years", f"{y} 年由本文件描述，但 days_off 中没有该年的节假日 "
                                         f"(a year described here needs its holidays in days_off)")
    return WorkCalendar(off - extra, extra, frozenset(years))


def parse_matter_case_fields(c: _Checker, d: dict[str, Any], path: str, rules: CaseRules) -> MatterCaseFields:
    """A ``[[matters]]`` table's case keys (the caller has already checked for unknown keys)."""
    kind = c.get(d, "result_kind", path, str, default="").strip()
    if kind and kind not in rules.result_kinds:
        c.error(f"{path}.result_kind", f"未列入 [cases] result_kinds 的结果类型 (unknown result kind {kind!r}); "
                                       f"allowed: {', '.join(rules.result_kinds)}")
    deliveries = _deliveries(c, d, path, ())
    for i, m in enumerate(deliveries):
        if m not in rules.deliveries:
            c.error(f"{path}.deliveries[{i}]", f"大厅未开通该送达方式 (the hall does not offer {m.value}: "
                                               f"see [cases] deliveries)")
    return MatterCaseFields(kind, c.get(d, "inspection", path, bool, default=False), deliveries)


def check_cases(doc: dict[str, Any], departments: Iterable[str] = ()) -> tuple[CaseRules, list[ConfigIssue]]:
    """The ``[cases]`` table and every matter's case keys of a parsed hall file, with every problem found."""
    c = _Checker()
    rules = parse_cases(c, doc.get("cases", {}), departments)
    matters = doc.get("matters", [])
    if isinstance(matters, list):
        for i, m in enumerate(matters):
            if isinstance(m, dict):
                parse_matter_case_fields(c, m, f"matters[{i}]", rules)
    return rules, list(c.issues)
