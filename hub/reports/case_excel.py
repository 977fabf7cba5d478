"""The 办件 sheets of the workbook: 材料转递 (附件8 三), 办结率 (附件8 四), 办件 (per department, live lists).

Written with :class:`hub.reports.sheet.Sheet`'s blocks; the numbers are the
:class:`hub.reports.cases.CaseSection`'s (that is, :mod:`hub.case_figures`'s). A database with no
case events gets one plain sentence on each sheet, never a table of zeros.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.case_figures import CompletionFigures
from hub.cases import STATE_WORDS
from hub.reports.case_text import before_word
from hub.reports.cases import NO_CASES, CaseSection

if TYPE_CHECKING:
    from hub.reports.sheet import Sheet

DASH = "—"
PCT = "0.0"
DECISION_WORDS = {"approved": "办结", "denied": "不予许可"}


def _v(x: Any) -> Any:
    return DASH if x is None else x


def _when(cs: CaseSection, at: float | None) -> str:
    return DASH if at is None else f"{cs.local(at):%Y-%m-%d %H:%M}"


def _none(s: Sheet, cs: CaseSection | None) -> bool:
    if cs is None or not cs.given:
        s.caption("没有办件记录")
        s.note(NO_CASES)
        return True
    return False


def completion_headers(cs: CaseSection) -> list[str]:
    word, before = cs.period.word, before_word(cs.period.kind)
    return [f"{word}受理（件）", f"{before}结转未办结（件）", "按期办结（件）", "按期办结率（%）", "逾期办结（件）",
            "总办结率（%）"]


def completion_values(f: CompletionFigures) -> list[Any]:
    return [f.accepted, f.carried_over, f.on_time, _v(f.on_time_rate), f.late, _v(f.total_rate)]


def total_figures(cs: CaseSection) -> CompletionFigures:
    """The hall's total: the departments' counts added up; its rates by case_figures' own definitions."""
    rows = cs.completion
    return CompletionFigures("合计", sum(f.accepted for f in rows), sum(f.carried_over for f in rows),
                             sum(f.on_time for f in rows), sum(f.late for f in rows))


def sheet_transfers(s: Sheet, cs: CaseSection | None) -> None:
    if _none(s, cs):
        return
    assert cs is not None
    s.caption("各部门材料转递超时件数（转递完成 = 部门签收；申报时间 = 受理时刻）")
    rows = [[t.department, cs.rules.transfer_limit(t.department), len(t.late), len(t.unsigned)] for t in cs.transfers]
    s.table(["部门", "时限（工作日）", "签收超时（件）", "超时仍未签收（件）"], rows,
            total=["合计", DASH, sum(r[2] for r in rows), sum(r[3] for r in rows)])
    s.note("签收超时：本期签收，且晚于受理后第 N 个工作日的同一时刻（N 为时限，默认 1，即附件8“超过了1天”）；"
           f"超时仍未签收：至 {cs.cut_day().isoformat()} 未签收且已过时限（本期未结束时算到报告时刻）。"
           "调休上班日算工作日，法定节假日不算。")
    s.caption("明细")
    detail: list[list[Any]] = []
    for t in cs.transfers:
        for case, kind in [*((c, "签收超时") for c in t.late), *((c, "超时仍未签收") for c in t.unsigned)]:
            c = cs.cases[case]
            detail.append([t.department, case, c.number or DASH, cs.matter(case), _when(cs, c.accepted_at),
                           _when(cs, cs.deadline(case)), _when(cs, c.signed_at) if kind == "签收超时" else "未签收",
                           kind])
    s.table(["部门", "办件", "办件编号", "事项", "受理时间", "签收时限", "签收时间", "情况"], detail)


def sheet_completion(s: Sheet, cs: CaseSection | None) -> None:
    if _none(s, cs):
        return
    assert cs is not None
    s.caption("各部门办结率（附件8 四）")
    total = total_figures(cs)
    s.table(["部门", *completion_headers(cs)], [[f.department, *completion_values(f)] for f in cs.completion],
            total=["合计", *completion_values(total)], formats={5: PCT, 7: PCT},
            flag=[bool(f.late) for f in cs.completion])
    s.note("办结：办结（出具结果）、不予许可或即办件当场办结。按期 / 逾期：本期办结且办结日不晚于 / 晚于承诺办结日期"
           "（补正期间不计时，承诺日期相应顺延）。按期办结率 = 按期 ÷（按期 + 逾期）；总办结率 =（按期 + 逾期）÷"
           "（本期受理 + 结转未办结）。有逾期办结的部门标红；无可计算者为“—”。")
    s.caption("本期办结明细")
    rows: list[list[Any]] = []
    for f in cs.completion:
        for case, how in [*((c, "按期") for c in f.on_time_cases), *((c, "逾期") for c in f.late_cases)]:
            c = cs.cases[case]
            rows.append([f.department, case, c.number or DASH, cs.matter(case), _when(cs, c.accepted_at),
                         c.due.isoformat(), _when(cs, c.decided_at), DECISION_WORDS.get(c.decision, c.decision), how])
    rows.sort(key=lambda r: (r[0], r[6], r[1]))
    s.table(["部门", "办件", "办件编号", "事项", "受理时间", "承诺办结日期", "办结时间", "结果", "按期/逾期"], rows)


def sheet_cases(s: Sheet, cs: CaseSection | None) -> None:
    if _none(s, cs):
        return
    assert cs is not None
    over: dict[str, int] = {}
    for o in cs.overdue:
        over[o.department] = over.get(o.department, 0) + 1
    unclaimed: dict[str, int] = {}
    for u in cs.unclaimed:
        unclaimed[u.department] = unclaimed.get(u.department, 0) + 1
    figures = {f.department: f for f in cs.completion}
    late = {t.department: t for t in cs.transfers}
    days = cs.rules.unclaimed_after_working_days
    s.caption(f"各部门办件情况（逾期未办结、待领取截至 {cs.as_of.isoformat()}）")
    rows, flags = [], []
    for d in cs.departments():
        f = figures.get(d, CompletionFigures(d, 0, 0, 0, 0))
        t = late.get(d)
        row = [d, *completion_values(f), len(t.late) if t else 0, len(t.unsigned) if t else 0, over.get(d, 0),
               unclaimed.get(d, 0)]
        rows.append(row)
        flags.append(bool(f.late or t or over.get(d)))
    t_late = sum(len(t.late) for t in cs.transfers)
    t_unsigned = sum(len(t.unsigned) for t in cs.transfers)
    s.table(["部门", *completion_headers(cs), "转递签收超时（件）", "超时仍未签收（件）", "逾期未办结（件）",
             f"待领取≥{days}个工作日（件）"], rows,
            total=["合计", *completion_values(total_figures(cs)), t_late, t_unsigned, len(cs.overdue),
                   len(cs.unclaimed)], formats={5: PCT, 7: PCT}, flag=flags)
    s.caption(f"逾期未办结办件（截至 {cs.as_of.isoformat()}，按部门，逾期最久者在前）")
    s.table(["部门", "办件", "办件编号", "事项", "受理时间", "承诺办结日期", "逾期（工作日）", "当前环节"], [
        [o.department, o.case, cs.cases[o.case].number or DASH, cs.matter(o.case),
         _when(cs, cs.cases[o.case].accepted_at), o.due.isoformat(), o.working_days_over, STATE_WORDS[o.state]]
        for o in cs.overdue])
    s.caption(f"待领取办理结果（在出件窗口 {days} 个工作日及以上，应联系申请人）")
    s.table(["部门", "办件", "办件编号", "事项", "待领取起", "已待（工作日）", "申请人（脱敏）"], [
        [u.department, u.case, cs.cases[u.case].number or DASH, cs.matter(u.case), _when(cs, u.ready_since),
         u.working_days, cs.cases[u.case].applicant_masked or DASH] for u in cs.unclaimed])
    s.note(f"天数按工作日计（法定节假日与调休按国务院安排，另加大厅文件 [cases] 中的本地安排）；"
           f"待领取天数的门槛为 [cases] unclaimed_after_working_days（本报告 {days}）。")
