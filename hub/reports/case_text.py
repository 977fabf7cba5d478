"""The 办件 paragraphs of the 通报 (附件8 三 材料转递异常, 四 办结率异常, and the live lists).

Sentences keep the seed's words: "XX部门存在X件办件材料转递完成时间较申报时间超过了1天" and
"XX部门本月受理X件，上月结转未办结X件，按期办结X件，按期办结率X%，逾期办结X件，总办结率X%".
A database with no case events says so plainly instead of printing zeros.
"""

from __future__ import annotations

from hub.case_figures import CompletionFigures
from hub.cases import STATE_WORDS
from hub.reports.cases import NO_CASES, CaseSection
from hub.reports.period import zh_date

DASH = "—"
BEFORE = {"daily": "前日", "weekly": "上周", "monthly": "上月"}


def pct(x: float | None) -> str:
    return DASH if x is None else f"{x:.1f}%"


def before_word(kind: str) -> str:
    """上月 (月报) / 上周 / 前日: the period a 结转 case comes from."""
    return BEFORE.get(kind, "上期")


def limit_words(cs: CaseSection, department: str) -> str:
    n = cs.rules.transfer_limit(department)
    return f"{n}天" if n == 1 else f"{n}个工作日"


def transfers(cs: CaseSection | None) -> list[str]:
    out = ["## 三、材料转递异常", ""]
    if cs is None or not cs.given:
        return [*out, NO_CASES, ""]
    n = 0
    for t in cs.transfers:
        if t.late:
            n += 1
            out.append(f"{n}. {t.department}存在{len(t.late)}件办件材料转递完成时间较申报时间超过了"
                       f"{limit_words(cs, t.department)}（{'、'.join(t.late)}）。")
        if t.unsigned:
            n += 1
            out.append(f"{n}. {t.department}有{len(t.unsigned)}件办件受理后超过{limit_words(cs, t.department)}"
                       f"至{zh_date(cs.cut_day())}仍未签收（{'、'.join(t.unsigned)}）。")
    if not n:
        out.append(f"本期未发现办件材料转递完成时间较申报时间超过{limit_words(cs, '')}的情况。")
    return [*out, ""]


def completion_sentence(f: CompletionFigures, word: str, before: str) -> str:
    return (f"{f.department}{word}受理{f.accepted}件，{before}结转未办结{f.carried_over}件，按期办结{f.on_time}件，"
            f"按期办结率{pct(f.on_time_rate)}，逾期办结{f.late}件，总办结率{pct(f.total_rate)}。")


def completion(cs: CaseSection | None) -> list[str]:
    out = ["## 四、办结率异常", ""]
    if cs is None or not cs.given:
        return [*out, NO_CASES, ""]
    word, before = cs.period.word, before_word(cs.period.kind)
    for i, f in enumerate(cs.completion, 1):
        out.append(f"{i}. {completion_sentence(f, word, before)}")
    if not cs.completion:
        out.append(f"{word}没有受理、结转或办结的办件。")
    out.append("")
    out.append("注：按期办结率 = 按期办结 ÷（按期办结 + 逾期办结）；总办结率 =（按期办结 + 逾期办结）÷"
               f"（{word}受理 + {before}结转未办结）；无可计算者记为“{DASH}”。")
    return [*out, ""]


def live_lists(cs: CaseSection | None, number: str) -> list[str]:
    out = [f"## {number}、逾期未办结与待领取办件", ""]
    if cs is None or not cs.given:
        return [*out, NO_CASES, ""]
    when = zh_date(cs.as_of)
    if cs.overdue:
        out.append(f"截至{when}，逾期未办结办件{len(cs.overdue)}件：")
        for o in cs.overdue:
            over = "今日到期" if o.working_days_over == 0 else f"逾期{o.working_days_over}个工作日"
            out.append(f"- {o.department}：{o.case}（{cs.matter(o.case)}，承诺办结日期{zh_date(o.due)}，{over}，"
                       f"{STATE_WORDS[o.state]}）")
    else:
        out.append(f"截至{when}，没有逾期未办结的办件。")
    out.append("")
    days = cs.rules.unclaimed_after_working_days
    if cs.unclaimed:
        out.append(f"办理结果在出件窗口待领取{days}个工作日及以上的办件{len(cs.unclaimed)}件，请联系申请人领取：")
        for u in cs.unclaimed:
            since = cs.local(u.ready_since)
            out.append(f"- {u.department}：{u.case}（{cs.matter(u.case)}，{since:%Y-%m-%d %H:%M} 起待领取，"
                       f"已{u.working_days}个工作日）")
    else:
        out.append(f"截至{when}，没有待领取{days}个工作日及以上的办理结果。")
    return [*out, ""]
