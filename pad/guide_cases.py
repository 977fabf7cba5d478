"""The guide console and the cases (办件): 转递取件 and the alerts for cases stuck or overdue. No Qt.

转递人员 (帮办, the hall's 运行科) work from the guide console (docs/cases.md): they scan the 转递单's
code (``case.pick_up``) when they take a folder to its department. The console lists the folders
waiting for them (``cases.list`` view ``to_sign``: 已受理 and 补正已收 wait for a pick-up, 转递中 are
on their way), and asks the hub for two alert lists, again after every ``event/case`` and each
minute (a case becomes stuck as the hours pass, overdue at midnight, with no event):

* ``stuck`` — at one stage longer than the hall file's ``[cases.stuck_hours]`` allow (hours on working
  days; 已受理 4, 转递中 8, 补正已收 8, 出件转递中 8 by default): a warning;
* ``overdue`` — undecided past the promised date: an error, with the working days it is late.

A case both stuck and overdue is said once, as overdue. The hub judges both (its calendar knows
the holidays), so the console only words them.
"""

from __future__ import annotations

from typing import Any

from hallq.i18n import case_word, tr
from hallq.messages import CaseView
from pad.alerts import Alert
from pad.replies import typed_list

WAITING_FOR_PICKUP = ("accepted", "correction_received")
CASE_LISTS = ("to_sign", "stuck", "overdue")  # the cases.list views the console reads


def state_word(c: CaseView) -> str:
    """The case's state in the console's language: the hub's Chinese label, or English by its code."""
    return case_word("state", c.state, c.state_label)


def cases_of(result: dict[str, Any] | None) -> list[CaseView]:
    return typed_list((result or {}).get("cases"), CaseView, "case in cases.list", "cases")


def case_alerts(stuck: list[CaseView], overdue: list[CaseView]) -> list[Alert]:
    """Overdue cases (errors, latest first), then stuck ones (warnings, longest first)."""
    out = []
    late = {c.id for c in overdue}
    for c in sorted(overdue, key=lambda c: (c.days_left, c.id)):
        out.append(Alert("error", "case_overdue", c.id, tr(
            "办件逾期：{c}（{d}，{m}）承诺 {due} 办结，已逾期 {n} 个工作日", c=c.number or c.id, d=c.department,
            m=c.matter_name, due=c.due, n=max(1, -c.days_left))))
    for c in sorted(stuck, key=lambda c: (-c.stage_hours, c.id)):
        if c.id in late:
            continue
        out.append(Alert("warning", "case_stuck", c.id, tr(
            "办件滞留：{c}（{d}）{s}已 {h} 个工作小时", c=c.number or c.id, d=c.department, s=state_word(c),
            h=f"{c.stage_hours:.1f}".rstrip("0").rstrip("."))))
    return out


def pickup_rows(cases: list[CaseView], when: Any) -> list[dict[str, Any]]:
    """The folders waiting at the windows (and those on their way), oldest first."""
    rows = []
    for c in sorted(cases, key=lambda c: (c.since, c.id)):
        rows.append({"id": c.id, "code": c.number or c.id, "matter": c.matter_name, "department": c.department,
                     "state": state_word(c), "window": c.window, "since": when(c.since),
                     "waiting": c.state in WAITING_FOR_PICKUP})
    return rows
