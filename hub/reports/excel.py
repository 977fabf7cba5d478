"""The report as one Excel workbook: a sheet per section, each with a Chinese title and units.

Layout of every sheet: row 1 the section title, row 2 the hall, period and unit, then one
or more blocks (a bold caption, a header row, data rows), notes in grey. Bars are native
Excel charts (they stay live in Excel and LibreOffice); the hour × zone heatmap is a PNG
(:mod:`hub.reports.heatmap`). Missing values are written as "—", never as 0.

Why this file is long (~440 lines): one function per sheet of the workbook, all on one layout
(title, hall/period row, captioned blocks), so that the sheets stay alike; the 办件 sheets are in
hub.reports.case_excel.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.image import Image as XLImage

from hub.reports import case_excel
from hub.reports.build import Report
from hub.reports.evaluations import FollowUp, level_name
from hub.reports.flow import Stat
from hub.reports.heatmap import render_heatmap
from hub.reports.replay import OUTCOME_NAMES
from hub.reports.sheet import DASH, Sheet
from hub.reports.summons import SummonRow
from hub.reports.volumes import VolumeRow
from hub.reports.zones import FULL, NONE, PARTIAL

SHEETS = (
    ("概览", "报告概览"),
    ("叫号-窗口", "一、叫号与办件情况（按窗口，附件8 一1）"),
    ("叫号-队列", "二、叫号与办件情况（按队列）"),
    ("未叫号即办理", "三、未叫号即办理情况（附件8 一2）"),
    ("好差评", "四、好差评情况（附件8 二）"),
    ("差评清单", "五、差评清单及整改时限"),
    ("未评价回访", "六、未评价服务回访清单"),
    ("等候与办理时长", "七、等候时长与办理时长"),
    ("分时段人流", "八、分时段分区域人流与高峰时段"),
    ("调度建议", "九、窗口调度建议（按小时、按队列）"),
    ("无差别受理", "十、无差别受理工作情况（附件6）"),
    ("材料转递", "十一、材料转递情况（附件8 三）"),
    ("办结率", "十二、办结率情况（附件8 四）"),
    ("办件", "十三、办件情况（按部门；逾期未办结、待领取）"),
    ("呼叫后台", "十四、呼叫后台响应情况（按部门）"),
    ("回访号码查看", "十五、回访号码查看记录（按引导人员）"),
    ("数据质量", "十六、数据质量（未能归类的记录）"),
)


def _v(x: Any) -> Any:
    return DASH if x is None else x


def _min(x: float | None) -> Any:
    return DASH if x is None else round(x, 1)


def _subtitle(report: Report, unit: str) -> str:
    return f"{report.hall_name}　{report.period.name}　统计期间：{report.period.label()}　{unit}"


VOLUME_HEADERS = ["叫号（件）", "受理（件）", "咨询（件）", "不予受理（件）", "过号（件）", "转出（件）",
                  "作废/过期（件）",
                  "叫号未结束（件）", "补录·未叫号办理（件）", "系统办件量（件）"]


def _volume_values(r: VolumeRow) -> list[Any]:
    e = r.ends
    return [r.called, e["accepted"], e["consulted"], e["rejected"], e["passed"], e["transferred"], r.other_closed,
            e["open"], r.backfilled, r.served()]


def sheet_overview(s: Sheet, report: Report, sources: dict[str, str]) -> None:
    v, ev, fl = report.volumes.total, report.evaluations.total, report.flow
    s.caption("统计口径与数据来源")
    s.table(["项目", "内容"], [
        ["大厅", report.hall_name],
        ["报告类型", report.period.name],
        ["统计期间", report.period.label()],
        ["有数据的天数（天）", len({t.day for t in report.log.tickets.values()})],
        ["回访时限判定日", report.settings.as_of.isoformat()],
        ["数据来源", sources.get("db", "")],
        ["业务量报送表（附件3）", sources.get("reported") or "未导入（--reported），未作比对"],
        ["大厅配置文件", sources.get("config") or "未提供（--config）"],
        ["节假日文件", sources.get("holidays") or "未提供：仅周六、周日为非工作日"],
    ])
    s.caption("主要指标")
    served = v.served()
    s.table(["指标", "数值", "单位"], [
        ["取号", report.issued, "件"],
        ["叫号", v.called, "件"],
        ["受理", v.ends["accepted"], "件"],
        ["咨询", v.ends["consulted"], "件"],
        ["不予受理", v.ends["rejected"], "件"],
        ["过号", v.ends["passed"], "件"],
        ["补录（未叫号即办理）", v.backfilled, "件"],
        ["系统办件量", served, "件"],
        ["应评价", ev.invited, "次"],
        ["实际评价", ev.rated, "次"],
        ["未评价", ev.unrated, "次"],
        ["差评", ev.bad, "次"],
        ["满意率", _v(ev.satisfaction), "%"],
        ["等候时长中位数", _min(fl.wait_total.p50), "分钟"],
        ["等候时长90分位", _min(fl.wait_total.p90), "分钟"],
        ["办理时长中位数", _min(fl.service_total.p50), "分钟"],
        ["高峰时段", "、".join(f"{h:02d}:00-{h + 1:02d}:00" for h in fl.peaks) or DASH, "时段"],
        *_case_figures(report),
        ["数据质量问题", len(report.issues), "条"],
    ])
    ws = s.ws
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, min_col=1, max_col=2):
        if row[0].value == "满意率" and isinstance(row[1].value, float):
            row[1].number_format = "0.0%"
    s.caption("目录")
    s.table(["工作表", "内容"], [[name, title] for name, title in SHEETS[1:]])


def _case_figures(report: Report) -> list[list[Any]]:
    cs = report.cases
    if cs is None or not cs.given:
        return [["办件跟踪", "无办件记录", DASH]]
    t = case_excel.total_figures(cs)
    return [
        ["办件受理（本期）", t.accepted, "件"],
        ["办件办结（按期 + 逾期）", t.decided, "件"],
        ["按期办结率", _v(t.on_time_rate), "%"],
        ["材料转递超时", sum(len(x.late) + len(x.unsigned) for x in cs.transfers), "件"],
        [f"逾期未办结（截至 {cs.as_of.isoformat()}）", len(cs.overdue), "件"],
    ]


def sheet_windows(s: Sheet, report: Report) -> None:
    vol = report.volumes
    rows, flags = [], []
    for r in vol.windows:
        rep = [_v(r.reported), _v(r.diff), (DASH if r.reported is None else ("不符" if r.mismatches else "相符"))]
        rows.append([r.key, r.name, r.group or DASH, *_volume_values(r), *rep])
        flags.append(bool(r.mismatches))
    t = vol.total
    reported_total = sum(r.reported for r in vol.windows if r.reported is not None) if vol.reported_given else None
    s.caption("各窗口叫号与办件（叫号 = 受理 + 咨询 + 不予受理 + 过号 + 转出 + 作废/过期 + 叫号未结束）")
    head, last = s.table(["窗口编号", "窗口名称", "部门", *VOLUME_HEADERS, "报送业务量（件）",
                          "差额（件，报送−系统）", "比对"],
                         rows, total=["合计", "", "", *_volume_values(t), _v(reported_total), DASH, DASH], flag=flags)
    s.note("系统办件量 = 受理 + 咨询 + 不予受理 + 补录；与部门报送的业务量（附件3）逐窗口比对，不符者标红。")
    s.gap()
    s.caption("业务量报送比对：数据量不符的窗口（附件8 一1）")
    if not vol.reported_given:
        s.note("未导入业务量报送表（--reported FILE），未作比对。")
    else:
        mism = [[r.key, r.name, r.called, r.ends["accepted"], r.ends["consulted"], r.ends["rejected"],
                 r.ends["passed"], r.served(), _v(r.reported), "；".join(r.mismatches)]
                for r in vol.windows if r.mismatches]
        s.table(["窗口编号", "窗口名称", "叫号（件）", "受理（件）", "咨询（件）", "不予受理（件）", "过号（件）",
                 "系统办件量（件）", "报送业务量（件）", "不符情况"], mism)
    if last > head + 1:
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
        chart.title = "各窗口办理结果（件）"
        chart.y_axis.title = "件"
        data = Reference(s.ws, min_col=5, max_col=8, min_row=head, max_row=last - 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(s.ws, min_col=1, min_row=head + 1, max_row=last - 1))
        chart.height, chart.width = 9, 22
        s.ws.add_chart(chart, f"A{s.row + 1}")
        s.row += 20


def sheet_queues(s: Sheet, report: Report) -> None:
    rows = [[r.key, r.name, r.group or DASH, *_volume_values(r)] for r in report.volumes.queues]
    total = report.volumes.total
    s.caption("各队列叫号与办件（按叫号时所在队列；转移后的号计入新队列）")
    s.table(["队列", "队列名称", "区域", *VOLUME_HEADERS], rows, total=["合计", "", "", *_volume_values(total)])


def sheet_no_call(s: Sheet, report: Report) -> None:
    vol = report.volumes
    counts = vol.no_call_by_window()
    names = {r.key: r.name for r in vol.windows}
    s.caption("各窗口未叫号即办理次数（按号计）")
    s.table(["窗口编号", "窗口名称", "未叫号即办理（次）"], [[w, names.get(w, w), n] for w, n in counts.items()],
            total=["合计", "", sum(counts.values())])
    s.caption("明细")
    kinds = {"补录": "补录（无号办理后补记）", "未叫号记录结果": "未叫号记录办理结果", "未叫号评价": "未叫号产生评价"}
    s.table(["窗口编号", "时间", "票号", "情况", "事项", "办理结果", "工号", "备注"], [
        [n.window, report.log.local(n.at).strftime("%Y-%m-%d %H:%M"), n.number, kinds.get(n.kind, n.kind),
         n.matter, OUTCOME_NAMES.get(n.outcome, n.outcome or DASH), n.staff or DASH, n.note or DASH]
        for n in vol.no_call])
    s.note("补录：窗口为未取号的来人办理后补记（ticket.backfill）；系统中没有叫号记录，故列为未叫号即办理。")


def sheet_evaluations(s: Sheet, report: Report) -> None:
    ev = report.evaluations
    rows, flags = [], []
    for r in ev.windows:
        rows.append([r.window, r.name, r.invited, r.rated, r.unrated, r.levels[5], r.levels[4], r.levels[3],
                     r.levels[2], r.levels[1], r.bad, _v(r.satisfaction)])
        flags.append(r.unrated > 0 or r.bad > 0)
    t = ev.total
    s.caption("各窗口应评、实评、未评（一次一评）")
    s.table(["窗口编号", "窗口名称", "应评价（次）", "实际评价（次）", "未评价（次）", "非常满意（次）", "满意（次）",
             "基本满意（次）", "不满意（次）", "非常不满意（次）", "差评（次）", "满意率（%）"], rows,
            total=["合计", "", t.invited, t.rated, t.unrated, t.levels[5], t.levels[4], t.levels[3], t.levels[2],
                   t.levels[1], t.bad, _v(t.satisfaction)], formats={12: "0.0%"}, flag=flags)
    s.note("满意率 = （非常满意 + 满意 + 基本满意）÷ 实际评价；差评 = 不满意 + 非常不满意。有未评价或差评的窗口标红。")


def _follow_rows(report: Report, items: list[FollowUp], unrated: bool) -> list[list[Any]]:
    out = []
    for f in items:
        row = [report.log.local(f.at).strftime("%Y-%m-%d %H:%M"), f.window, f.staff or DASH, f.number, f.matter,
               level_name(f.level), f.reason or DASH]
        if unrated:
            row += [f.applicant or DASH, f.phone or DASH]
        out.append([*row, f.deadline.isoformat(), f.status])
    return out


def sheet_bad(s: Sheet, report: Report) -> None:
    ev = report.evaluations
    s.caption(f"差评清单（整改时限：评价后 {ev.followup_days} 个工作日）")
    s.table(["时间", "窗口编号", "工号", "票号", "事项", "评价等级", "差评原因", "整改期限", "状态"],
            _follow_rows(report, ev.bad, False))
    s.note(f"状态以 {ev.as_of.isoformat()} 判定；已登记的整改与回访（引导台/管理端 evaluation.followup）显示其结果。"
           "评价人身份不予列出。")


def sheet_unrated(s: Sheet, report: Report) -> None:
    ev = report.evaluations
    s.caption(f"未评价服务（应在 {ev.followup_days} 个工作日内与申请人沟通进行评价）")
    s.table(["时间", "窗口编号", "工号", "票号", "事项", "评价等级", "未评价原因", "申请人（脱敏）", "电话（脱敏）",
             "回访期限", "状态"], _follow_rows(report, ev.unrated, True))
    s.note(f"状态以 {ev.as_of.isoformat()} 判定；工作日按周一至周五并扣除节假日文件中的假日、加上调休上班日。")


def _stat_row(label: list[Any], st: Stat) -> list[Any]:
    return [*label, st.n, _min(st.p50), _min(st.p90), _min(st.mean)]


def sheet_times(s: Sheet, report: Report) -> None:
    fl = report.flow
    stat_heads = ["样本（件）", "中位数 p50（分钟）", "90分位 p90（分钟）", "平均（分钟）"]
    fmt = dict.fromkeys(range(3, 8), "0.0")
    s.caption("等候时长（取号 → 首次叫号），按队列")
    s.table(["队列", "队列名称", *stat_heads, "未叫号离开（件）"],
            [[*_stat_row([q, fl.queue_names[q]], fl.wait_queue[q]), fl.never_called[q]] for q in fl.wait_queue],
            total=[*_stat_row(["合计", ""], fl.wait_total), sum(fl.never_called.values())], formats=fmt)
    s.caption("办理时长（叫号 → 受理/咨询/不予受理），按队列")
    s.table(["队列", "队列名称", *stat_heads],
            [_stat_row([q, fl.queue_names[q]], fl.service_queue[q]) for q in fl.service_queue],
            total=_stat_row(["合计", ""], fl.service_total), formats=fmt)
    s.caption("按小时：等候时长（按取号时刻）与办理时长（按叫号时刻）")
    s.table(["时段", "等候样本（件）", "等候 p50（分钟）", "等候 p90（分钟）", "办理样本（件）", "办理 p50（分钟）",
             "办理 p90（分钟）"],
            [[f"{h:02d}:00-{h + 1:02d}:00", fl.wait_hour[h].n, _min(fl.wait_hour[h].p50), _min(fl.wait_hour[h].p90),
              fl.service_hour[h].n, _min(fl.service_hour[h].p50), _min(fl.service_hour[h].p90)] for h in fl.hours],
            formats=fmt)
    s.note("分位数取最近秩：p90 为至少 90% 的样本不超过的最小值。过号不计入办理时长。")


def sheet_flow(s: Sheet, report: Report) -> None:
    fl = report.flow
    by_hour = fl.arrivals_by_hour()
    s.caption("高峰时段")
    peak_rows = [["全大厅", "、".join(f"{h:02d}:00-{h + 1:02d}:00" for h in fl.peaks) or DASH,
                  max(by_hour.values(), default=0)]]
    for zid, name in fl.zones:
        zp = fl.zone_peak(zid)
        peak_rows.append([name, f"{zp[0]:02d}:00-{zp[0] + 1:02d}:00" if zp else DASH, zp[1] if zp else 0])
    s.table(["范围", "高峰时段", "最高时段取号（人）"], peak_rows)
    s.note("高峰时段：取号人数达到最繁忙时段 80% 的时段。")
    s.caption(f"分时段分区域取号人数（人，{fl.days} 天合计）")
    rows = [[f"{h:02d}:00-{h + 1:02d}:00", *[fl.arrivals.get((h, z), 0) for z, _ in fl.zones], by_hour[h]]
            for h in fl.hours]
    totals = ["合计", *[sum(fl.arrivals.get((h, z), 0) for h in fl.hours) for z, _ in fl.zones],
              sum(by_hour.values())]
    head, last = s.table(["时段", *[f"{name}（人）" for _, name in fl.zones], "合计（人）"], rows, total=totals)
    if fl.hours:
        png = render_heatmap(f"{report.hall_name} 分时段分区域取号人数（{report.period.label()}）", fl.hours,
                             fl.zones, fl.arrivals)
        img = XLImage(io.BytesIO(png))
        s.ws.add_image(img, f"A{s.row}")
        s.row += int(img.height / 20) + 2
        chart = BarChart()
        chart.type = "col"
        chart.title = "分时段取号人数（人）"
        chart.y_axis.title = "人"
        n_cols = len(fl.zones) + 2
        chart.add_data(Reference(s.ws, min_col=n_cols, min_row=head, max_row=last - 1), titles_from_data=True)
        chart.set_categories(Reference(s.ws, min_col=1, min_row=head + 1, max_row=last - 1))
        chart.height, chart.width = 8, 20
        s.ws.add_chart(chart, f"A{s.row}")
        s.row += 18


def sheet_staffing(s: Sheet, report: Report) -> None:
    fl = report.flow
    days = f"，{fl.days} 天平均" if fl.days > 1 else ""
    s.caption(f"每小时各队列建议窗口数（目标平均等候 ≤ {fl.target_wait:g} 分钟{days}）")
    rows, flags = [], []
    for r in fl.staffing:
        rows.append([f"{r.hour:02d}:00-{r.hour + 1:02d}:00", r.queue, r.name, round(r.arrivals, 2),
                     _min(r.service_min), _v(r.needed), _min(r.predicted_wait), round(r.open_stage1, 2),
                     round(r.open_any, 2), DASH if r.gap is None else round(r.gap, 2)])
        flags.append(r.gap is not None and r.gap < 0)
    s.table(["时段", "队列", "队列名称", "到达（人/小时）", "平均办理（分钟）", "建议窗口（个）",
             "建议下预计平均等候（分钟）",
             "开放窗口·一段（个）", "开放窗口·含二段（个）", "一段余缺（个）"], rows,
            formats={4: "0.00", 5: "0.0", 7: "0.0", 8: "0.00", 9: "0.00", 10: "0.00"}, flag=flags)
    s.note("建议窗口：按 Erlang C（M/M/n）模型，以本期实测到达率与该队列平均办理时长，"
           "求平均等候不超过目标的最少窗口数。")
    s.note("开放窗口：该小时内开放（未暂停、未关闭）的分钟数 ÷ 60；"
           "一个窗口可服务多个队列，各队列的开放窗口数会重叠计算。"
           "余缺为负（标红）表示一段开放窗口少于建议数。")
    s.caption("每小时全大厅：建议窗口合计与实际开放窗口")
    hours: dict[int, int] = {}
    for r in fl.staffing:
        hours[r.hour] = hours.get(r.hour, 0) + (r.needed or 0)
    s.table(["时段", "建议窗口合计（个）", "实际开放窗口（个）"],
            [[f"{h:02d}:00-{h + 1:02d}:00", hours.get(h, 0), round(fl.open_total.get(h, 0.0), 2)] for h in fl.hours],
            formats={3: "0.00"})
    s.note("各队列建议数直接相加，未考虑一个窗口兼办多个队列带来的合并效应，是偏保守的上限。")


def sheet_zones(s: Sheet, report: Report) -> None:
    z = report.zones
    if z is None:
        s.note("未提供大厅配置文件（--config HALL.toml），无法给出各区域无差别受理情况。")
        return
    s.note(f"截止 {report.period.last.month} 月 {report.period.last.day} 日，进厅事项共 {z.matters} 项，"
           f"共设{'、'.join(z.window_labels)}，无差别受理情况如下：")
    s.gap()
    full = [x for x in z.zones if x.level == FULL]
    part = [x for x in z.zones if x.level == PARTIAL]
    none = [x for x in z.zones if x.level == NONE]
    s.caption("一、区域内完全无差别受理")
    s.table(["序号", "区域名称", "可办事项数量（项）", "窗口数量（个）", "备注"],
            [[i, x.name, x.matters, x.windows, "；".join(x.notes) or DASH] for i, x in enumerate(full, 1)])
    for caption, zones in (("二、区域内部分无差别受理", part), ("三、尚未开展无差别受理", none)):
        s.caption(caption)
        rows: list[list[Any]] = []
        for x in zones:
            for g in x.groups:
                rows.append([len(rows) + 1, x.name, "、".join(g.names), g.matters, len(g.names), "（待填）"])
        s.table(["序号", "区域名称", "子窗口名称", "可办事项数量（项）", "窗口数量（个）", "预计实现无差别时间"], rows)
    s.note("判定依据为大厅配置文件：窗口可办本区域全部队列（含分段兜底的二段队列）为完全无差别；可办其中多个为部分；"
           "只办一个为尚未开展。预计实现时间不在配置文件中，请手工填写。")


def sheet_summons(s: Sheet, report: Report) -> None:
    sm = report.summons
    if sm is None:  # pragma: no cover - build_report always sets it
        return

    def values(r: SummonRow) -> list[Any]:
        rate = r.escalation_rate
        return [r.summoned, r.responded, r.arrived, r.unanswered, r.escalated, DASH if rate is None else rate,
                _min(r.response.p50), _min(r.response.p90), _min(r.response.mean)]

    heads = ["呼叫（次）", "已响应（次）", "已到窗口（次）", "未响应（次）", "升级引导台（次）", "升级率",
             "响应时长 p50（分钟）", "响应时长 p90（分钟）", "平均响应时长（分钟）"]
    fmt = {6: "0.0%", 7: "0.0", 8: "0.0", 9: "0.0"}
    s.caption("各部门呼叫后台次数、响应时长与升级次数")
    s.table(["部门", *heads], [[r.department, *values(r)] for r in sm.departments],
            total=["合计", *values(sm.total)], formats=fmt, flag=[bool(r.escalated) for r in sm.departments])
    s.caption("明细")
    log = report.log

    def hm(at: float | None) -> str:
        return DASH if at is None else log.local(at).strftime("%H:%M")

    s.table(["日期", "呼叫时间", "窗口", "部门", "已响应", "已到窗口", "升级引导台", "响应时长（分钟）"], [
        [x.day, hm(x.at), x.window, x.department, hm(x.responded_at), hm(x.arrived_at), hm(x.escalated_at),
         _min(None if x.response_s is None else x.response_s / 60)] for x in sm.items])
    s.note("响应时长：呼叫 → 首次应答（已响应，或直接记为已到窗口）。升级：超过 [policy] summon_escalate_min 分钟"
           "无人响应，引导台收到提醒。")


def sheet_reveals(s: Sheet, report: Report) -> None:
    """Who looked at which citizen's number for a 回访 call (followup.phone): per guide, then every look."""
    rows = report.reveals.rows
    s.caption("各引导人员查看群众电话号码次数（仅记录票号，不记录号码）")
    s.table(["人员（工号 姓名）", "引导台", "查看次数（次）", "票号"],
            [[r.who, "、".join(r.devices), r.count, "、".join(r.tickets)] for r in rows],
            total=["合计", "", report.reveals.total, ""])
    log = report.log
    s.caption("明细")
    s.table(["日期", "时间", "人员（工号 姓名）", "引导台", "票号"], [
        [log.local(x.at).date().isoformat(), log.local(x.at).strftime("%H:%M:%S"), x.who, x.device, x.ticket]
        for x in report.reveals.items])
    s.note("每次查看由大厅服务器记入审计日志（audit.override，op followup.phone）：引导台、签到人员与票号，"
           "从不记录号码。"
           "“未签到”：大厅未要求签到时，在无人签到的引导台查看。")


def sheet_quality(s: Sheet, report: Report) -> None:
    s.caption(f"未能归类或需要核实的记录（共 {len(report.issues)} 条；不计入上表者均在此列出）")
    s.table(["序号", "类别", "日期", "事件序号", "说明"],
            [[i, x.kind, x.day or DASH, x.seq or DASH, x.detail] for i, x in enumerate(report.issues, 1)])
    counts = report.log.event_counts
    s.caption("本期事件数（按类型）")
    s.table(["事件类型", "条数（条）"], [[k, n] for k, n in sorted(counts.items())],
            total=["合计", sum(counts.values())])


def write_workbook(report: Report, path: str | Path, sources: dict[str, str] | None = None) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    units = {"概览": "单位：见各指标", "等候与办理时长": "单位：分钟", "分时段人流": "单位：人",
             "调度建议": "单位：个（窗口）、人/小时、分钟", "好差评": "单位：次",
             "差评清单": "单位：次（每行一次差评）",
             "未评价回访": "单位：次（每行一次未评价服务）", "无差别受理": "单位：项、个", "数据质量": "单位：条",
             "办结率": "单位：件、%", "办件": "单位：件、%、工作日",
             "呼叫后台": "单位：次、分钟", "回访号码查看": "单位：次"}
    for name, title in SHEETS:
        ws = wb.create_sheet(name)
        unit = units.get(name, "单位：件")
        s = Sheet(ws, f"{report.hall_name}{report.period.name}　{title}" if name == "概览" else title,
                  _subtitle(report, unit))
        if name == "概览":
            sheet_overview(s, report, sources or {})
        elif name == "叫号-窗口":
            sheet_windows(s, report)
        elif name == "叫号-队列":
            sheet_queues(s, report)
        elif name == "未叫号即办理":
            sheet_no_call(s, report)
        elif name == "好差评":
            sheet_evaluations(s, report)
        elif name == "差评清单":
            sheet_bad(s, report)
        elif name == "未评价回访":
            sheet_unrated(s, report)
        elif name == "等候与办理时长":
            sheet_times(s, report)
        elif name == "分时段人流":
            sheet_flow(s, report)
        elif name == "调度建议":
            sheet_staffing(s, report)
        elif name == "无差别受理":
            sheet_zones(s, report)
        elif name == "材料转递":
            case_excel.sheet_transfers(s, report.cases)
        elif name == "办结率":
            case_excel.sheet_completion(s, report.cases)
        elif name == "办件":
            case_excel.sheet_cases(s, report.cases)
        elif name == "呼叫后台":
            sheet_summons(s, report)
        elif name == "回访号码查看":
            sheet_reveals(s, report)
        elif name == "数据质量":
            sheet_quality(s, report)
        ws.freeze_panes = "A4"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
