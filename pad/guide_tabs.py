"""The guide console's tabs about windows and after-care: 窗口调度 (pause / reopen / close, tidal
queue assignment), 呼叫后台 (the windows' open summons, 已响应 / 已到窗口), 回访整改 (差评 and 未评价
follow-ups) and 操作记录 (this console's audit log).

Each tab is a mixin of :class:`~pad.guide_view.GuideView`: it builds its page, repaints it from
:class:`~pad.guide.GuideConsole` and turns its buttons into the console's commands. What a tab uses
of the view is declared on :class:`GuideTab`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hallq import clock as hallclock
from hallq.i18n import tr
from pad.guide import GuideConsole
from pad.guide_followup import CALL_OUTCOMES, OTHER_RESULTS
from pad.link import Link
from pad.presenter import Command
from pad.tables import AMBER, GREEN, RED, Table, reason_box, split_page
from pad.widgets import button, label


class GuideTab:
    """What every tab uses of the guide view (:class:`~pad.guide_view.GuideView` provides it)."""

    console: GuideConsole
    link: Link | None
    tabs: QTabWidget

    def _send(self, make: Callable[[], Command]) -> Command | None:
        raise NotImplementedError

    def refresh(self) -> None:
        raise NotImplementedError


class WindowsTab(GuideTab):
    """窗口调度: the windows, and pause / resume / close / skip evaluation / set queues on one."""

    def _windows(self) -> QWidget:
        self.window_table = Table("window_table", [("id", "窗口"), ("name", "名称"), ("state_text", "状态"),
                                                   ("staff", "人员"), ("queues", "队列"), ("since", "持续")],
                                  stretch="name", compact=True)
        self.window_table.itemSelectionChanged.connect(
            lambda: self.console.select_window(self.window_table.selected_id()))
        page, col = split_page(self.window_table)
        self.window_title = label(tr("请选择窗口"), "title", wrap=True)
        col.addWidget(self.window_title)
        col.addWidget(label(tr("原因（必填）")))
        self.window_reason = reason_box("window_reason")
        col.addWidget(self.window_reason)
        line = QHBoxLayout()
        self.wpause_btn = button(tr("暂停"), "window_pause", "warn", self._window_pause)
        self.wresume_btn = button(tr("恢复"), "window_resume", "good", self._window_resume)
        self.wclose_btn = button(tr("关闭"), "window_close", "bad", self._window_close)
        self.wskip_btn = button(tr("跳过评价"), "window_skip_evaluation", on_click=self._window_skip)
        for b in (self.wpause_btn, self.wresume_btn, self.wclose_btn, self.wskip_btn):
            line.addWidget(b)
        col.addLayout(line)
        col.addWidget(label(tr("潮汐调度：本窗口服务的队列（第一阶段 / 空闲时兜底）"), wrap=True))
        self.stage_host = QGridLayout()
        col.addLayout(self.stage_host)
        self.stage1: dict[str, QCheckBox] = {}
        self.stage2: dict[str, QCheckBox] = {}
        line2 = QHBoxLayout()
        self.set_queues_btn = button(tr("设置队列"), "set_queues", "good", self._set_queues)
        self.restore_btn = button(tr("恢复默认"), "restore_queues", on_click=self._restore_queues)
        line2.addWidget(self.set_queues_btn)
        line2.addWidget(self.restore_btn)
        col.addLayout(line2)
        col.addStretch(1)
        return page

    def _fill_window_panel(self) -> None:
        c = self.console
        wid = c.selected_window
        state = c.state.windows.get(wid)
        cfg = c.state.window_configs.get(wid)
        idle = c.idle and bool(wid)
        status = state.state if state else "closed"
        serving = state is not None and state.current is not None
        self.window_title.setText(f"{wid} {cfg.name if cfg else ''}" + (tr("（潮汐窗口）") if cfg and cfg.tidal else "")
                                  if wid else tr("请选择窗口"))
        self.wpause_btn.setEnabled(idle and status == "open" and not serving)
        self.wresume_btn.setEnabled(idle and status == "paused")
        self.wclose_btn.setEnabled(idle and status in ("open", "paused") and not serving)
        self.wskip_btn.setEnabled(idle and state is not None and state.evaluation is not None)
        self.set_queues_btn.setEnabled(idle)
        self.restore_btn.setEnabled(idle)
        queues = list(c.state.queues)
        if list(self.stage1) != queues:
            for box in (*self.stage1.values(), *self.stage2.values()):
                box.deleteLater()
            self.stage1 = {q: QCheckBox(q) for q in queues}
            self.stage2 = {q: QCheckBox(q) for q in queues}
            self.stage_host.addWidget(label(tr("第一阶段")), 0, 0)
            self.stage_host.addWidget(label(tr("兜底")), 1, 0)
            for i, q in enumerate(queues):
                self.stage1[q].setObjectName(f"stage1_{q}")
                self.stage2[q].setObjectName(f"stage2_{q}")
                self.stage1[q].setToolTip(c.state.queue_name(q))
                self.stage_host.addWidget(self.stage1[q], 0, i + 1)
                self.stage_host.addWidget(self.stage2[q], 1, i + 1)
        seen = state.queues if state else None
        if wid != getattr(self, "_stages_for", None) or seen != getattr(self, "_stages_seen", None):
            self._stages_for, self._stages_seen = wid, seen
            s1 = set((state.queues if state else []) or (cfg.queues if cfg else []))
            s2 = set((state.overflow if state else []) or (cfg.overflow if cfg else []))
            for q in queues:
                self.stage1[q].setChecked(q in s1)
                self.stage2[q].setChecked(q in s2)

    def _window_skip(self) -> None:
        self._send(lambda: self.console.skip_evaluation(self.console.selected_window,
                                                        self.window_reason.currentText()))

    def _window_pause(self) -> None:
        self._send(lambda: self.console.pause_window(self.console.selected_window, self.window_reason.currentText()))

    def _window_resume(self) -> None:
        self._send(lambda: self.console.resume_window(self.console.selected_window,
                                                      self.window_reason.currentText()))

    def _window_close(self) -> None:
        self._send(lambda: self.console.close_window(self.console.selected_window, self.window_reason.currentText()))

    def _set_queues(self) -> None:
        s1 = [q for q, b in self.stage1.items() if b.isChecked()]
        s2 = [q for q, b in self.stage2.items() if b.isChecked() and q not in s1]
        self._send(lambda: self.console.set_queues(self.console.selected_window, s1, s2,
                                                   self.window_reason.currentText()))

    def _restore_queues(self) -> None:
        self._send(lambda: self.console.restore_queues(self.console.selected_window,
                                                       self.window_reason.currentText()))


class SummonsTab(GuideTab):
    """呼叫后台: open summons, oldest first; a chime for each new or escalated one."""

    sound: Callable[[], None]
    summon_tab: int
    _chimed: int

    def _summons(self) -> QWidget:
        left = QVBoxLayout()
        left.addWidget(label(tr("窗口呼叫后台审批人员：联系部门后点“已响应”，人到窗口后点“已到窗口”（窗口终端同步显示）"),
                             "muted", wrap=True))
        self.summon_table = Table("summons", [("window", "窗口"), ("department", "部门"), ("state_text", "状态"),
                                              ("wait", "等候"), ("ticket", "票号"), ("note", "说明")])
        self.summon_table.itemSelectionChanged.connect(
            lambda: self.console.select_summon(self.summon_table.selected_id()))
        left.addWidget(self.summon_table, 1)
        page, col = split_page(left)
        self.summon_title = label(tr("请选择一条呼叫"), "title", wrap=True)
        col.addWidget(self.summon_title)
        self.respond_btn = button(tr("已响应"), "summon_respond", "good",
                                  lambda: self._send(lambda: self.console.respond_summon(self.console.selected_summon)))
        self.arrive_btn = button(tr("已到窗口"), "summon_arrive", "good",
                                 lambda: self._send(lambda: self.console.arrive_summon(self.console.selected_summon)))
        col.addWidget(self.respond_btn)
        col.addWidget(self.arrive_btn)
        col.addStretch(1)
        return page

    def _fill_summons(self) -> None:
        c = self.console
        rows = c.summon_rows()
        self.summon_table.fill(rows, lambda r: RED if r["escalated"] else GREEN if r["state"] == "responded"
                               else AMBER)
        self.tabs.setTabText(self.summon_tab, tr("呼叫后台（{n}）", n=len(rows)) if rows else tr("呼叫后台"))
        if c.selected_summon and self.summon_table.selected_id() != c.selected_summon:
            self.summon_table.select_id(c.selected_summon)
        s = c.summon
        self.summon_title.setText(tr("{w} 呼叫{d}：{s}，{t}", w=s["window"], d=s["department"], s=s["state_text"],
                                     t=s["wait"]) if s else tr("请选择一条呼叫"))
        idle = c.idle and s is not None
        self.respond_btn.setEnabled(idle and s is not None and s["state"] in ("pending", "escalated"))
        self.arrive_btn.setEnabled(idle)
        if c.chimes > self._chimed:  # one chime per refresh, however many came at once
            self._chimed = c.chimes
            self.sound()


class FollowupsTab(GuideTab):
    """回访整改: 差评 and 未评价 of recent days, and what was done about each."""

    def _followups(self) -> QWidget:
        left = QVBoxLayout()
        head = QHBoxLayout()
        hint = tr("近 10 天的差评与未评价：逐条回访、整改并登记（记入报表与操作记录）；有“可显示”的可点“显示电话”回访")
        head.addWidget(label(hint, "muted", wrap=True), 1)
        self.followups_btn = button(tr("读取清单"), "load_followups", "flat", self._load_followups)
        self.followups_btn.setMaximumWidth(160)
        head.addWidget(self.followups_btn)
        left.addLayout(head)
        self.followup_table = Table("followups", [("day", "时间"), ("number", "票号"), ("window", "窗口"),
                                                  ("staff", "工号"), ("matter", "事项"), ("level", "评价"),
                                                  ("reason", "原因"), ("phone", "电话"), ("status", "回访情况")],
                                    stretch="matter", compact=True)  # ten columns: the matter elides
        self.followup_table.itemSelectionChanged.connect(self._select_followup)
        left.addWidget(self.followup_table, 1)
        page, col = split_page(left)
        self.followup_title = label(tr("请选择一条"), "title", wrap=True)
        col.addWidget(self.followup_title)
        self.followup_phone = label("", "followup_phone", wrap=True)  # the number while shown (pad.guide_followup)
        self.followup_phone.setStyleSheet("font-size: 20px;")
        col.addWidget(self.followup_phone)
        self.phone_btn = button(tr("显示电话"), "show_phone", "", self._show_phone)
        col.addWidget(self.phone_btn)
        col.addWidget(label(tr("结果")))
        self.followup_result = QComboBox()
        self.followup_result.setObjectName("followup_result")
        for key, text in (*CALL_OUTCOMES, *OTHER_RESULTS):
            self.followup_result.addItem(tr(text), key)
        self.followup_result.currentIndexChanged.connect(self._followup_result_changed)
        col.addWidget(self.followup_result)
        self.followup_level = QComboBox()
        self.followup_level.setObjectName("followup_level")
        for level, text in ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")):
            self.followup_level.addItem(tr(text), level)
        col.addWidget(label(tr("回访后的评价（仅“回访后已评价”）")))
        col.addWidget(self.followup_level)
        col.addWidget(label(tr("回访说明（已回访、未接通、拒绝回访可不填；不要写入电话等个人信息）"), wrap=True))
        self.followup_note = QLineEdit()
        self.followup_note.setObjectName("followup_note")
        col.addWidget(self.followup_note)
        self.followup_btn = button(tr("登记回访"), "record_followup", "good", self._record_followup)
        col.addWidget(self.followup_btn)
        col.addStretch(1)
        return page

    def _fill_followups(self) -> None:
        c = self.console
        self.followup_table.fill(c.followup_rows(), lambda r: RED if r["open"] else GREEN)
        chosen = next((f for f in c.followups if f.ticket == c.selected_followup), None)
        self.followup_title.setText(f"{chosen.number}（{chosen.day} {chosen.window}）" if chosen
                                    else tr("请选择一条"))
        self.followups_btn.setEnabled(c.idle)
        self.followup_phone.setText(c.phone_text())
        self.phone_btn.setEnabled(c.idle and chosen is not None and chosen.consent)
        self.followup_btn.setEnabled(c.idle and chosen is not None)
        self.followup_level.setEnabled(self.followup_result.currentData() == "rated")

    def _show_phone(self) -> None:
        self._send(lambda: self.console.show_phone(self.console.selected_followup))

    def _load_followups(self) -> None:
        self._send(self.console.load_followups)

    def _select_followup(self) -> None:
        self.console.selected_followup = self.followup_table.selected_id()
        self.refresh()

    def _followup_result_changed(self, _index: int) -> None:
        self.followup_level.setEnabled(self.followup_result.currentData() == "rated")

    def _record_followup(self) -> None:
        c = self.console
        self._send(lambda: c.record_followup(c.selected_followup, str(self.followup_result.currentData()),
                                             self.followup_note.text(), int(self.followup_level.currentData())))


class AuditTab(GuideTab):
    """操作记录: this console's overrides, who, why and whether the hub took them."""

    def _audit(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(12, 10, 12, 10)
        col.addWidget(label(tr("本引导台的干预操作（大厅服务器同时记录设备与时间）"), "muted"))
        self.audit = Table("audit", [("time", "时间"), ("by", "操作人"), ("what", "操作"), ("reason", "原因"),
                                     ("result", "结果")])
        col.addWidget(self.audit, 1)
        return page

    def _fill_audit(self) -> None:
        rows = []
        for i, e in enumerate(self.console.audit):
            result = {True: tr("已确认"), False: tr("被拒绝"), None: tr("待确认")}[e["ok"]]
            at = hallclock.local(e["at"], self.console.state.timezone)
            rows.append({"id": str(i) + e["rid"], "time": at.strftime("%H:%M:%S"),
                         "by": e["by"], "what": e["what"], "reason": e["reason"], "result": result})
        self.audit.fill(rows, lambda r: RED if r["result"] == tr("被拒绝") else None)
