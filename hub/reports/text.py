"""The 通报 texts in the seed's wording (吕梁 附件8 业务异常情况通报, 附件6 无差别受理工作情况通报).

Filled from the same :class:`~hub.reports.build.Report` the workbook is written from, as
Markdown (headings and tables paste into a Word 通报 cleanly). Sentences keep the seed's
words; where the seed has a sentence per window, only windows with an anomaly are named,
and a section with none says so instead of staying empty.
"""

from __future__ import annotations

from hub.events import FOLLOWUP_RESULTS
from hub.reports import case_text
from hub.reports.build import Report
from hub.reports.zones import FULL, NONE, PARTIAL


def _anomaly(report: Report) -> list[str]:
    p = report.period
    vol, ev = report.volumes, report.evaluations
    out = [f"# {report.hall_name}业务异常情况通报", "",
           f"经汇总分析，{p.word}（{p.label()}）大厅业务异常情况如下：", "",
           "## 一、叫号异常", ""]
    n = 0
    if not vol.reported_given:
        n += 1
        out.append(f"{n}. 本期未导入专窗业务量报送表，未作叫号与报送业务量比对。")
    else:
        bad = [r for r in vol.windows if r.mismatches]
        for r in bad:
            n += 1
            e = r.ends
            out.append(f"{n}. {r.name}系统记录叫号{r.called}件，其中受理{e['accepted']}件，咨询{e['consulted']}件、"
                       f"不予受理{e['rejected']}件、过号{e['passed']}件；业务量报送{r.reported}件，数据量不符。")
        if not bad:
            n += 1
            out.append(f"{n}. 各窗口系统记录与业务量报送一致，未发现数据量不符。")
    no_call = vol.no_call_by_window()
    names = {r.key: r.name for r in vol.windows}
    for w, count in no_call.items():
        n += 1
        out.append(f"{n}. {names.get(w, w)}发现未叫号即办理情况{count}次。")
    if not no_call:
        n += 1
        out.append(f"{n}. 未发现未叫号即办理情况。")
    out += ["", "## 二、好差评异常", ""]
    flagged = [er for er in ev.windows if er.unrated]
    for er in flagged:
        out.append(f"{er.name}系统记录应评价{er.invited}次，实际评价{er.rated}次，未评价{er.unrated}次。")
        out.append("")
    if not flagged:
        out += ["各窗口应评价服务均已评价。", ""]
    if ev.total.web:
        out += [f"其中{ev.total.web}次服务在窗口未评价，由群众扫描小票二维码补评（渠道：扫码评价），"
                "已计入实际评价。", ""]
    if ev.bad:
        t = ev.total
        out += [f"本期差评{t.bad}次（不满意{t.levels[2]}次、非常不满意{t.levels[1]}次），应于评价后"
                f"{ev.followup_days}个工作日内完成整改回访，详见报表“差评清单”。", ""]
    out += _followed_up(report.log.followed_up)
    out += case_text.transfers(report.cases) + case_text.completion(report.cases)
    out += _summons(report)
    out += case_text.live_lists(report.cases, "六")
    out += _reveals(report)
    if report.issues:
        out += [f"注：本期有{len(report.issues)}条记录未能归类，详见报表“数据质量”，未计入以上数据。", ""]
    return out


def _followed_up(counts: dict[str, int]) -> list[str]:
    """本期登记的回访/整改, a count per outcome (已回访、未接通、拒绝回访 … as the guides recorded them)."""
    if not counts:
        return []
    order = [r for r in FOLLOWUP_RESULTS if r in counts] + sorted(r for r in counts if r not in FOLLOWUP_RESULTS)
    parts = "、".join(f"{FOLLOWUP_RESULTS.get(r, r)}{counts[r]}次" for r in order)
    return [f"本期登记回访/整改{sum(counts.values())}次：{parts}。", ""]


def _summons(report: Report) -> list[str]:
    sm = report.summons
    out = ["## 五、呼叫后台响应", ""]
    if sm is None or not sm.total.summoned:
        return [*out, "本期窗口未呼叫后台。", ""]
    t = sm.total
    mean = "—" if t.response.mean is None else f"{t.response.mean:.1f}"
    out.append(f"本期窗口呼叫后台{t.summoned}次，已响应{t.responded}次，平均响应时长{mean}分钟；"
               f"超时未响应升级至引导台{t.escalated}次，至今未响应{t.unanswered}次。")
    for r in sm.departments:
        if r.escalated or r.unanswered:
            out.append(f"- {r.department}：呼叫{r.summoned}次，升级{r.escalated}次，未响应{r.unanswered}次。")
    return [*out, ""]


def _reveals(report: Report) -> list[str]:
    """七、回访号码查看记录: per guide, how many citizens' numbers were shown for 回访 and for which tickets."""
    out = ["## 七、回访号码查看记录", ""]
    rows = report.reveals.rows
    if not rows:
        return [*out, "本期引导台未查看群众电话号码。", ""]
    out += [f"本期引导台为回访查看群众电话号码{report.reveals.total}次（仅记录票号，不记录号码），按人员如下：", "",
            "| 序号 | 人员（工号 姓名） | 引导台 | 查看次数 | 票号 |", "|---|---|---|---|---|"]
    out += [f"| {i} | {r.who} | {'、'.join(r.devices)} | {r.count} | {'、'.join(r.tickets)} |"
            for i, r in enumerate(rows, 1)]
    return [*out, ""]


def _zones(report: Report) -> list[str]:
    z = report.zones
    out = [f"# {report.hall_name}无差别受理工作情况通报", ""]
    if z is None:
        return [*out, "未提供大厅配置文件（--config），无法通报各区域无差别受理情况。", ""]
    last = report.period.last
    out += [f"截止{last.month}月{last.day}日，进厅事项共{z.matters}项，共设{'、'.join(z.window_labels)}，"
            "无差别受理情况如下：", "", "## 一、区域内完全无差别受理", "",
            "| 序号 | 区域名称 | 可办事项数量 | 窗口数量 | 备注 |", "|---|---|---|---|---|"]
    full = [x for x in z.zones if x.level == FULL]
    out += [f"| {i} | {x.name} | {x.matters} | {x.windows} | {'；'.join(x.notes)} |" for i, x in enumerate(full, 1)]
    if not full:
        out.append("| — | （无） |  |  |  |")
    for title, level in (("## 二、区域内部分无差别受理", PARTIAL), ("## 三、尚未开展无差别受理", NONE)):
        out += ["", title, "", "| 序号 | 区域名称 | 子窗口名称 | 可办事项数量 | 窗口数量 | 预计实现无差别时间 |",
                "|---|---|---|---|---|---|"]
        i = 0
        for x in z.zones:
            if x.level != level:
                continue
            for g in x.groups:
                i += 1
                out.append(f"| {i} | {x.name} | {'、'.join(g.names)} | {g.matters} | {len(g.names)} |  |")
        if not i:
            out.append("| — | （无） |  |  |  |  |")
    return [*out, ""]


def render_text(report: Report) -> str:
    return "\n".join([*_anomaly(report), "---", "", *_zones(report)])
