"""The guide console screen (引导台): binds tables and buttons to :class:`~pad.guide.GuideConsole`.

Tabs: 大厅总览 (queues, windows, devices, alerts at a glance), 票号 (waiting tickets and the
overrides on one of them), 窗口调度 (pause / reopen / close, tidal queue assignment),
帮办取号 (issue a ticket on a citizen's behalf), 操作记录 (this console's audit log) and 呼叫后台
(the windows' open summons with their wait, 已响应 / 已到窗口; the tab shows how many are open and
:attr:`GuideView.sound` chimes for each new or escalated one).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hallq import clock as hallclock
from hallq.i18n import tr
from pad.chime import Chime
from pad.guide import OVERRIDE_REASONS, Alert, GuideConsole
from pad.link import Link
from pad.presenter import Command, NotAllowed, Notice
from pad.widgets import STYLE, Banner, ElideLabel, button, label, scrolled, set_name

RED, AMBER, GREEN, GREY = QColor("#c53030"), QColor("#b45309"), QColor("#1f9d55"), QColor("#7b8794")
ALERT_MARK, WARN_MARK = "● ", "▲ "
COMPACT_ROW = 26  # px: 19 windows and 11 queues of a district hall fit at 1280×800 without scrolling


class Table(QTableWidget):
    """A read-only table refilled from row dicts; keeps the selection by row id."""

    def __init__(self, name: str, columns: Sequence[tuple[str, str]], stretch: str = "",
                 compact: bool = False) -> None:
        super().__init__(0, len(columns))
        self.setObjectName(name)
        self.keys = [k for k, _ in columns]
        self.setHorizontalHeaderLabels([tr(h) for _, h in columns])
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(not stretch)
        if stretch:  # the names column takes the rest and elides: long names never scroll sideways
            self.horizontalHeader().setSectionResizeMode(self.keys.index(stretch), QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setDefaultSectionSize(COMPACT_ROW if compact else 34)
        if compact:
            self.setStyleSheet("QTableWidget { font-size: 15px; }"
                               "QHeaderView::section { font-size: 14px; padding: 1px; }")
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._last: list[tuple[Any, ...]] = []
        self.ids: list[str] = []

    def fill(self, rows: list[dict[str, Any]], color: Callable[[dict[str, Any]], QColor | None] | None = None) -> None:
        snapshot = [(*tuple(str(r.get(k, "")) for k in ["id", *self.keys]), str(color(r)) if color else "")
                    for r in rows]
        if snapshot == self._last:
            return
        self._last = snapshot
        selected = self.selected_id()
        self.blockSignals(True)
        self.setRowCount(len(rows))
        self.ids = [str(r.get("id", "")) for r in rows]
        for i, r in enumerate(rows):
            c = color(r) if color else None
            for j, k in enumerate(self.keys):
                item = QTableWidgetItem(str(r.get(k, "")))
                if c is not None:
                    item.setForeground(c)
                self.setItem(i, j, item)
        if selected in self.ids:
            self.selectRow(self.ids.index(selected))
        self.blockSignals(False)

    def show_all_rows(self) -> None:
        """Ask for the height that shows every row (the overview's tables are read at a glance)."""
        header = self.horizontalHeader().sizeHint().height()
        self.setMinimumHeight(header + self.rowCount() * self.verticalHeader().defaultSectionSize()
                              + 2 * self.frameWidth() + 2)

    def selected_id(self) -> str:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        if rows and rows[0].row() < len(self.ids):
            return self.ids[rows[0].row()]
        return ""

    def select_id(self, row_id: str) -> None:
        if row_id in self.ids:
            self.selectRow(self.ids.index(row_id))


def reason_box(name: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.setEditable(True)
    box.addItems([""] + [tr(r) for r in OVERRIDE_REASONS])
    line = box.lineEdit()
    if line is not None:
        line.setPlaceholderText(tr("原因（必填）"))
    return box


class GuideView(QWidget):
    def __init__(self, console: GuideConsole, link: Link | None = None) -> None:
        super().__init__()
        self.console = console
        self.link = link
        self.setObjectName("guide_console")
        self.setStyleSheet(STYLE)
        self.setWindowTitle(tr("引导台") + f" {console.device}")
        self.resize(1280, 800)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        self.banner = Banner()
        root.addWidget(self.banner)
        root.addWidget(self._top_bar())
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        # a page taller than the screen scrolls inside its tab; it never grows the window
        self.tabs.addTab(scrolled(self._overview()), tr("大厅总览"))
        self.tabs.addTab(scrolled(self._tickets()), tr("票号与插队"))
        self.tabs.addTab(scrolled(self._windows()), tr("窗口调度"))
        self.tabs.addTab(scrolled(self._issue()), tr("帮办取号"))
        self.tabs.addTab(scrolled(self._followups()), tr("回访整改"))
        self.tabs.addTab(scrolled(self._audit()), tr("操作记录"))
        self.sound: Callable[[], None] = Chime(self)  # the chime for a new or escalated 呼叫后台 (pad/chime.py)
        self._chimed = 0
        self.summon_tab = self.tabs.addTab(scrolled(self._summons()), tr("呼叫后台"))  # last: others keep their places
        root.addWidget(self.tabs, 1)
        self.notice = label("", "notice_info", wrap=True)
        self.notice.setContentsMargins(16, 6, 16, 6)
        root.addWidget(self.notice)
        console.subscribe(self.refresh)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(1000)
        self.refresh()

    # ------------------------------------------------------------ layout

    def _top_bar(self) -> QWidget:
        bar = QWidget()
        bar.setStyleSheet("background: #243b53;")
        row = QHBoxLayout(bar)
        row.setContentsMargins(16, 8, 16, 8)
        self.title = ElideLabel("")  # the hall's name may be long: one line, elided
        self.title.setStyleSheet("color: white; font-size: 24px; font-weight: bold;")
        self.summary = ElideLabel("", "summary")
        self.summary.setStyleSheet("color: #d9e2ec; font-size: 18px;")
        self.conn = label("", "conn_on")
        self.operator = label("")
        self.operator.setStyleSheet("color: #fce588; font-size: 18px;")
        self.sign_btn = button(tr("签到"), "guide_sign", "", self._sign)
        self.sign_btn.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.sign_btn.setMinimumWidth(96)
        row.addWidget(self.title, 2)
        row.addSpacing(24)
        row.addWidget(self.summary, 1)
        row.addWidget(self.operator)
        row.addWidget(self.sign_btn)
        row.addWidget(self.conn)
        return bar

    def _overview(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setContentsMargins(12, 10, 12, 10)
        grid.setSpacing(10)
        self.queues = Table("queues", [("id", "队列"), ("name", "名称"), ("waiting", "等候"),
                                       ("pending_priority", "待核验"), ("longest", "最长等候"), ("next", "下一个")],
                            stretch="name", compact=True)
        self.windows = Table("windows", [("id", "窗口"), ("name", "名称"), ("state_text", "状态"), ("staff", "人员"),
                                         ("current", "当前"), ("queues", "队列"), ("since", "持续")],
                             stretch="name", compact=True)
        self.devices = Table("devices", [("id", "设备"), ("role", "类型"), ("place", "位置"), ("presence", "在线"),
                                         ("health", "状况")], compact=True)
        self.alert_list = QListWidget()
        self.alert_list.setObjectName("alerts")
        self.alert_list.setWordWrap(True)
        # the hall at a glance: every window on the left, every queue and the alerts on the right;
        # devices (offline ones also raise an alert) take what is left and may scroll
        grid.addWidget(self._titled(tr("窗口"), self.windows), 0, 0, 3, 1)
        grid.addWidget(self._titled(tr("队列"), self.queues), 0, 1)
        grid.addWidget(self._titled(tr("提醒"), self.alert_list), 1, 1)
        grid.addWidget(self._titled(tr("设备"), self.devices), 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(0, 5)
        grid.setRowStretch(1, 2)
        grid.setRowStretch(2, 2)
        return page

    @staticmethod
    def _titled(title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(4)
        lab = label(title, "title")
        lab.setStyleSheet("font-size: 18px; font-weight: bold; color: #243b53;")
        col.addWidget(lab)
        col.addWidget(widget, 1)
        return box

    def _summons(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(12, 10, 12, 10)
        left = QVBoxLayout()
        left.addWidget(label(tr("窗口呼叫后台审批人员：联系部门后点“已响应”，人到窗口后点“已到窗口”（窗口终端同步显示）"),
                             "muted", wrap=True))
        self.summon_table = Table("summons", [("window", "窗口"), ("department", "部门"), ("state_text", "状态"),
                                              ("wait", "等候"), ("ticket", "票号"), ("note", "说明")])
        self.summon_table.itemSelectionChanged.connect(
            lambda: self.console.select_summon(self.summon_table.selected_id()))
        left.addWidget(self.summon_table, 1)
        row.addLayout(left, 3)
        panel = QFrame()
        panel.setObjectName("panel")
        col = QVBoxLayout(panel)
        col.setContentsMargins(14, 10, 14, 10)
        self.summon_title = label(tr("请选择一条呼叫"), "title", wrap=True)
        col.addWidget(self.summon_title)
        self.respond_btn = button(tr("已响应"), "summon_respond", "good",
                                  lambda: self._send(lambda: self.console.respond_summon(self.console.selected_summon)))
        self.arrive_btn = button(tr("已到窗口"), "summon_arrive", "good",
                                 lambda: self._send(lambda: self.console.arrive_summon(self.console.selected_summon)))
        col.addWidget(self.respond_btn)
        col.addWidget(self.arrive_btn)
        col.addStretch(1)
        row.addWidget(panel, 2)
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

    def _tickets(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(12, 10, 12, 10)
        self.tickets = Table("tickets", [("number", "票号"), ("queue", "队列"), ("matter", "事项"), ("wait", "已等"),
                                         ("ahead", "前面"), ("priority", "绿色通道"), ("target", "指定窗口"),
                                         ("applicant", "申请人")], stretch="matter")
        self.tickets.itemSelectionChanged.connect(
            lambda: self.console.select_ticket(self.tickets.selected_id()))
        left = QVBoxLayout()
        head = QHBoxLayout()
        self.ticket_search = QLineEdit()
        self.ticket_search.setObjectName("ticket_search")
        self.ticket_search.setPlaceholderText(tr("查找票号或申请人，如 A012"))
        self.ticket_search.setClearButtonEnabled(True)
        self.ticket_search.setMaximumWidth(280)
        self.ticket_search.textChanged.connect(lambda _t: self._fill_tickets())
        self.ticket_search.returnPressed.connect(self._select_first_match)
        head.addWidget(self.ticket_search)
        self.tickets_hint = label("", "muted", wrap=True)
        head.addWidget(self.tickets_hint, 1)
        self.expire_btn = button(tr("清理剩余号"), "expire_all", "bad", self._expire_all)
        self._expire_armed_at = 0.0
        self.expire_btn.setToolTip(tr("闭厅时：所有等候中的号作废（按原因记入审计）"))
        head.addWidget(self.expire_btn)
        self.refresh_btn = button(tr("刷新"), "refresh", "flat", self._refresh_list)
        self.refresh_btn.setMaximumWidth(140)
        head.addWidget(self.refresh_btn)
        left.addLayout(head)
        left.addWidget(self.tickets, 1)
        row.addLayout(left, 3)
        panel = QFrame()
        panel.setObjectName("panel")
        col = QVBoxLayout(panel)
        col.setContentsMargins(14, 10, 14, 10)
        self.ticket_title = label("", "title", wrap=True)
        col.addWidget(self.ticket_title)
        self.ticket_info = label("", "muted", wrap=True)
        col.addWidget(self.ticket_info)
        col.addWidget(label(tr("原因（每项操作必填，记入操作记录）")))
        self.ticket_reason = reason_box("ticket_reason")
        col.addWidget(self.ticket_reason)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.group_box = QComboBox()
        self.group_box.setObjectName("group")
        self.verify_btn = button(tr("核验绿色通道"), "verify", "good", self._verify)
        grid.addWidget(self.group_box, 0, 0)
        grid.addWidget(self.verify_btn, 0, 1)
        self.queue_box = QComboBox()
        self.queue_box.setObjectName("to_queue")
        self.move_queue_btn = button(tr("转到队列"), "move_queue", on_click=self._move_queue)
        grid.addWidget(self.queue_box, 1, 0)
        grid.addWidget(self.move_queue_btn, 1, 1)
        self.window_box = QComboBox()
        self.window_box.setObjectName("to_window")
        self.move_window_btn = button(tr("转到窗口"), "move_window", on_click=self._move_window)
        self.call_to_btn = button(tr("叫到该窗口"), "call_to", "warn", self._call_to)
        grid.addWidget(self.window_box, 2, 0)
        grid.addWidget(self.move_window_btn, 2, 1)
        grid.addWidget(self.call_to_btn, 3, 1)
        self.kiosk_box = QComboBox()
        self.kiosk_box.setObjectName("kiosk")
        self.reprint_btn = button(tr("补打小票"), "reprint", on_click=self._reprint)
        grid.addWidget(self.kiosk_box, 4, 0)
        grid.addWidget(self.reprint_btn, 4, 1)
        self.cancel_btn = button(tr("取消票号"), "cancel", "bad", self._cancel)
        grid.addWidget(self.cancel_btn, 5, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        col.addLayout(grid)
        col.addStretch(1)
        row.addWidget(panel, 2)
        return page

    def _windows(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(12, 10, 12, 10)
        self.window_table = Table("window_table", [("id", "窗口"), ("name", "名称"), ("state_text", "状态"),
                                                   ("staff", "人员"), ("queues", "队列"), ("since", "持续")],
                                  stretch="name", compact=True)
        self.window_table.itemSelectionChanged.connect(
            lambda: self.console.select_window(self.window_table.selected_id()))
        row.addWidget(self.window_table, 3)
        panel = QFrame()
        panel.setObjectName("panel")
        col = QVBoxLayout(panel)
        col.setContentsMargins(14, 10, 14, 10)
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
        row.addWidget(panel, 2)
        return page

    def _issue(self) -> QWidget:
        page = QWidget()
        form = QGridLayout(page)
        form.setContentsMargins(40, 20, 40, 20)
        form.setVerticalSpacing(12)
        self.matter_box = QComboBox()
        self.matter_box.setObjectName("matter")
        self.matter_box.currentIndexChanged.connect(self._fill_situations)
        self.situation_box = QComboBox()
        self.situation_box.setObjectName("situation")
        self.issue_group = QComboBox()
        self.issue_group.setObjectName("issue_group")
        self.issue_name = QLineEdit()
        self.issue_name.setObjectName("issue_name")
        self.issue_name.setPlaceholderText(tr("姓名（可选，小票上脱敏显示）"))
        self.issue_assist = QCheckBox(tr("需要帮办代办"))
        self.issue_assist.setObjectName("issue_assist")
        self.issue_window = QComboBox()
        self.issue_window.setObjectName("issue_window")
        self.issue_reason = reason_box("issue_reason")
        rows = [(tr("事项"), self.matter_box), (tr("情形"), self.situation_box), (tr("绿色通道"), self.issue_group),
                (tr("申请人"), self.issue_name), ("", self.issue_assist), (tr("指定窗口"), self.issue_window),
                (tr("原因"), self.issue_reason)]
        for i, (k, w) in enumerate(rows):
            form.addWidget(label(k), i, 0)
            form.addWidget(w, i, 1)
        self.issue_btn = button(tr("帮办取号"), "issue", "primary", self._issue_ticket)
        self.issue_btn.setMinimumHeight(90)
        form.addWidget(self.issue_btn, len(rows), 1)
        form.setColumnStretch(1, 1)
        form.setRowStretch(len(rows) + 1, 1)
        return page

    def _followups(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(12, 10, 12, 10)
        left = QVBoxLayout()
        head = QHBoxLayout()
        hint = tr("近 10 天的差评与未评价：逐条回访、整改并登记（记入报表与操作记录）")
        head.addWidget(label(hint, "muted", wrap=True), 1)
        self.followups_btn = button(tr("读取清单"), "load_followups", "flat", self._load_followups)
        self.followups_btn.setMaximumWidth(160)
        head.addWidget(self.followups_btn)
        left.addLayout(head)
        self.followup_table = Table("followups", [("day", "日期"), ("number", "票号"), ("window", "窗口"),
                                                  ("staff", "工号"), ("matter", "事项"), ("level", "评价"),
                                                  ("reason", "原因"), ("status", "回访情况")])
        self.followup_table.itemSelectionChanged.connect(self._select_followup)
        left.addWidget(self.followup_table, 1)
        row.addLayout(left, 3)
        panel = QFrame()
        panel.setObjectName("panel")
        col = QVBoxLayout(panel)
        col.setContentsMargins(14, 10, 14, 10)
        self.followup_title = label(tr("请选择一条"), "title", wrap=True)
        col.addWidget(self.followup_title)
        col.addWidget(label(tr("结果")))
        self.followup_result = QComboBox()
        self.followup_result.setObjectName("followup_result")
        for key, text in (("rectified", "已整改"), ("explained", "已沟通解释"), ("rated", "回访后已评价"),
                          ("unreachable", "无法联系")):
            self.followup_result.addItem(tr(text), key)
        self.followup_result.currentIndexChanged.connect(self._followup_result_changed)
        col.addWidget(self.followup_result)
        self.followup_level = QComboBox()
        self.followup_level.setObjectName("followup_level")
        for level, text in ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")):
            self.followup_level.addItem(tr(text), level)
        col.addWidget(label(tr("回访后的评价（仅“回访后已评价”）")))
        col.addWidget(self.followup_level)
        col.addWidget(label(tr("整改或回访情况（必填）")))
        self.followup_note = QLineEdit()
        self.followup_note.setObjectName("followup_note")
        col.addWidget(self.followup_note)
        self.followup_btn = button(tr("登记回访"), "record_followup", "good", self._record_followup)
        col.addWidget(self.followup_btn)
        col.addStretch(1)
        row.addWidget(panel, 2)
        return page

    def _audit(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(12, 10, 12, 10)
        col.addWidget(label(tr("本引导台的干预操作（大厅服务器同时记录设备与时间）"), "muted"))
        self.audit = Table("audit", [("time", "时间"), ("by", "操作人"), ("what", "操作"), ("reason", "原因"),
                                     ("result", "结果")])
        col.addWidget(self.audit, 1)
        return page

    # ------------------------------------------------------------ repaint

    def refresh(self) -> None:
        c = self.console
        self.banner.show_text(c.banner())
        self.title.setText(f"{c.state.hall_name} · {tr('引导台')} {c.device}")
        self.operator.setText(c.operator or tr("未签到"))
        self.sign_btn.setText(tr("签退") if c.operator else tr("签到"))
        self.conn.setText("● " + c.connection_text())
        set_name(self.conn, "conn_on" if c.online else "conn_off")
        qrows = c.queue_rows()
        wrows = c.window_rows()
        waiting = sum(r["waiting"] for r in qrows)
        open_ = sum(1 for r in wrows if r["state"] == "open")
        self.summary.setText(tr("等候 {n} 人 · 开放窗口 {w} 个", n=waiting, w=open_))
        self.queues.fill(qrows, lambda r: RED if r["pending_priority"] else AMBER if r["long"] else None)
        self.queues.show_all_rows()
        wcolor = {"open": GREEN, "paused": AMBER, "closed": GREY}
        self.windows.fill(wrows, lambda r: RED if r["long_pause"] else wcolor.get(r["state"]))
        self.windows.show_all_rows()
        self.window_table.fill(wrows, lambda r: RED if r["long_pause"] else wcolor.get(r["state"]))
        self.devices.fill(c.device_rows(), lambda r: GREEN if r["online"] else (RED if r["seen"] else GREY))
        self._fill_alerts()
        self._fill_summons()
        self._fill_tickets()
        self._fill_window_panel()
        self._fill_issue_choices()
        self._fill_audit()
        self._fill_followups()
        n = c.notice
        self.notice.setText(n.text if n else "")
        set_name(self.notice, "notice_error" if n and n.level == "error" else "notice_info")

    def _fill_alerts(self) -> None:
        alerts = self.console.alerts()
        # ● and ▲ are in the shipped font (fonts-wqy-microhei); emoji such as ⛔ would be empty boxes
        texts = [(ALERT_MARK if a.level == "error" else WARN_MARK) + a.text for a in alerts] or [tr("暂无提醒")]
        if [self.alert_list.item(i).text() for i in range(self.alert_list.count())] == texts:
            return
        self.alert_list.clear()
        listed: list[Alert | None] = list(alerts) or [None]
        for a, text in zip(listed, texts, strict=False):
            item = QListWidgetItem(text)
            if a is not None:
                item.setForeground(RED if a.level == "error" else AMBER)
            self.alert_list.addItem(item)

    def _fill_tickets(self) -> None:
        c = self.console
        query = self.ticket_search.text().strip()
        rows = c.ticket_rows(query)
        self.tickets.fill(rows, lambda r: RED if r["pending"] else None)
        if not c.tickets_supported:
            self.tickets_hint.setText(tr("大厅服务器暂不支持票号列表"))
        elif query:
            self.tickets_hint.setText(tr("找到 {n} 张（{q}）；回车选中第一张", n=len(rows), q=query.upper()) if rows
                                      else tr("等候中的票号里没有 {q}", q=query.upper()))
        else:
            self.tickets_hint.setText(tr("等候中的票号 {n} 张；红色为待核验的绿色通道", n=len(rows)))
        if c.selected_ticket and self.tickets.selected_id() != c.selected_ticket:
            self.tickets.select_id(c.selected_ticket)
        t = c.ticket
        idle = c.idle and t is not None
        if t is None:
            self.ticket_title.setText(tr("请在左侧选择票号"))
            self.ticket_info.setText("")
        else:
            self.ticket_title.setText(f"{t.number}  {t.matter_name}")
            info = [t.situation_name, tr("队列 {q}", q=c.state.queue_name(t.queue))]
            if t.priority_group:
                info.append(tr("绿色通道：{g}", g=c.state.group_name(t.priority_group))
                            + ("" if t.priority_verified else tr("（待核验）")))
            if t.applicant:
                info.append(t.applicant)
            self.ticket_info.setText(" · ".join(str(x) for x in info if x))
        _fill_combo(self.group_box, [(g, cfg.name) for g, cfg in c.state.priority_groups.items()],
                    prefer=t.priority_group if t else "")
        _fill_combo(self.queue_box, [(q, f"{q} {cfg.name}") for q, cfg in c.state.queues.items()])
        _fill_combo(self.window_box, [(w, f"{w} {cfg.name}") for w, cfg in c.state.window_configs.items()])
        _fill_combo(self.kiosk_box, [(k, k) for k in c.state.kiosks()])
        verified_as = t.priority_group if t and t.priority_verified else None
        self.verify_btn.setEnabled(idle and self.group_box.currentData() != verified_as)
        for b in (self.move_queue_btn, self.move_window_btn, self.call_to_btn, self.cancel_btn):
            b.setEnabled(idle)
        self.reprint_btn.setEnabled(idle and self.kiosk_box.count() > 0)
        self.expire_btn.setEnabled(c.idle and any(q.waiting for q in c.state.queue_state.values()))
        self.refresh_btn.setEnabled(c.online)

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

    def _fill_issue_choices(self) -> None:
        c = self.console
        matters = c.matters_for_issue()
        if self.matter_box.count() != len(matters):
            self.matter_box.blockSignals(True)
            self.matter_box.clear()
            for mid, name, _s in matters:
                self.matter_box.addItem(name, mid)
            self.matter_box.blockSignals(False)
            self._fill_situations()
        _fill_combo(self.issue_group, [("", tr("无"))] + [(g, cfg.name)
                                                         for g, cfg in c.state.priority_groups.items()])
        _fill_combo(self.issue_window, [("", tr("不指定"))] + [(w, f"{w} {cfg.name}")
                                                             for w, cfg in c.state.window_configs.items()])
        self.issue_btn.setEnabled(c.idle and self.situation_box.count() > 0)

    def _fill_situations(self) -> None:
        mid = self.matter_box.currentData()
        sits = next((s for m, _n, s in self.console.matters_for_issue() if m == mid), [])
        self.situation_box.clear()
        for sid, name in sits:
            self.situation_box.addItem(name, sid)

    def _fill_followups(self) -> None:
        c = self.console
        self.followup_table.fill(c.followup_rows(), lambda r: RED if r["open"] else GREEN)
        chosen = next((f for f in c.followups if f["ticket"] == c.selected_followup), None)
        self.followup_title.setText(f"{chosen['number']}（{chosen['day']} {chosen['window']}）" if chosen
                                    else tr("请选择一条"))
        self.followups_btn.setEnabled(c.idle)
        self.followup_btn.setEnabled(c.idle and chosen is not None)
        self.followup_level.setEnabled(self.followup_result.currentData() == "rated")

    def _fill_audit(self) -> None:
        rows = []
        for i, e in enumerate(self.console.audit):
            result = {True: tr("已确认"), False: tr("被拒绝"), None: tr("待确认")}[e["ok"]]
            at = hallclock.local(e["at"], self.console.state.timezone)
            rows.append({"id": str(i) + e["rid"], "time": at.strftime("%H:%M:%S"),
                         "by": e["by"], "what": e["what"], "reason": e["reason"], "result": result})
        self.audit.fill(rows, lambda r: RED if r["result"] == tr("被拒绝") else None)

    # ------------------------------------------------------------ taps

    def _send(self, make: Callable[[], Command]) -> Command | None:
        try:
            cmd = make()
        except NotAllowed as exc:
            self.console.notice = Notice("error", str(exc))
            self.refresh()
            return None
        if self.link is not None:
            self.link.send(cmd)
        return cmd

    def _sign(self) -> None:
        """签到 with staff number and PIN (the PIN is typed hidden), or 签退."""
        if self.console.operator:
            self._send(self.console.logout)
            return
        staff, ok = self._ask_text(tr("工号"))
        if not ok:
            return
        pin, ok = self._ask_text(tr("密码"), QLineEdit.EchoMode.Password)
        if ok:
            self._send(lambda: self.console.login(staff, pin))

    def input_dialog(self, what: str, echo: QLineEdit.EchoMode = QLineEdit.EchoMode.Normal) -> QInputDialog:
        """The sign-in question, with 确定 / 取消 (Qt's own buttons say OK / Cancel)."""
        dialog = QInputDialog(self)
        dialog.setObjectName("sign_in_dialog")
        dialog.setWindowTitle(tr("引导人员签到"))
        dialog.setLabelText(what)
        dialog.setTextEchoMode(echo)
        dialog.setOkButtonText(tr("确定"))
        dialog.setCancelButtonText(tr("取消"))
        return dialog

    def _ask_text(self, what: str, echo: QLineEdit.EchoMode = QLineEdit.EchoMode.Normal) -> tuple[str, bool]:
        dialog = self.input_dialog(what, echo)
        ok = bool(dialog.exec())
        return dialog.textValue(), ok

    def _select_first_match(self) -> None:
        if self.tickets.ids:
            self.tickets.selectRow(0)
            self.console.select_ticket(self.tickets.ids[0])

    def _refresh_list(self) -> None:
        if self.link is not None:
            self.link.refresh_now()

    def _ticket_id(self) -> str:
        return self.console.selected_ticket

    def _verify(self) -> None:
        self._send(lambda: self.console.verify_priority(self._ticket_id(), self.ticket_reason.currentText(),
                                                        str(self.group_box.currentData() or "")))

    def _move_queue(self) -> None:
        self._send(lambda: self.console.move(self._ticket_id(), self.ticket_reason.currentText(),
                                             to_queue=str(self.queue_box.currentData())))

    def _move_window(self) -> None:
        self._send(lambda: self.console.move(self._ticket_id(), self.ticket_reason.currentText(),
                                             to_window=str(self.window_box.currentData())))

    def _call_to(self) -> None:
        self._send(lambda: self.console.call_to(self._ticket_id(), str(self.window_box.currentData()),
                                                self.ticket_reason.currentText()))

    def _reprint(self) -> None:
        self._send(lambda: self.console.reprint(self._ticket_id(), str(self.kiosk_box.currentData()),
                                                self.ticket_reason.currentText()))

    def _cancel(self) -> None:
        self._send(lambda: self.console.cancel(self._ticket_id(), self.ticket_reason.currentText()))

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

    def _expire_all(self) -> None:
        """Two clicks: the first arms it (the button says what it will do), the second within
        five seconds sends it. Nothing else on this console is this hard to undo."""
        now = time.monotonic()
        if now - self._expire_armed_at > 5:
            self._expire_armed_at = now
            waiting = sum(q.waiting for q in self.console.state.queue_state.values())
            self.expire_btn.setText(tr("再点一次：作废 {n} 张等候号", n=waiting))
            QTimer.singleShot(5000, self.expire_btn, self._disarm_expire)  # cancelled if the button goes
            return
        self._expire_armed_at = 0.0
        self.expire_btn.setText(tr("清理剩余号"))
        self._send(lambda: self.console.expire_waiting(self.ticket_reason.currentText()))

    def _disarm_expire(self) -> None:
        if time.monotonic() - self._expire_armed_at >= 5:
            self.expire_btn.setText(tr("清理剩余号"))

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

    def _issue_ticket(self) -> None:
        self._send(lambda: self.console.issue(
            str(self.matter_box.currentData()), str(self.situation_box.currentData()),
            self.issue_reason.currentText(), priority_group=str(self.issue_group.currentData() or ""),
            name=self.issue_name.text(), assist=self.issue_assist.isChecked(),
            target_window=str(self.issue_window.currentData() or "")))


def _fill_combo(box: QComboBox, items: list[tuple[str, str]], prefer: str = "") -> None:
    current = [(box.itemData(i), box.itemText(i)) for i in range(box.count())]
    if current != items:
        keep = box.currentData()
        box.blockSignals(True)
        box.clear()
        for key, text in items:
            box.addItem(text, key)
        idx = box.findData(keep)
        box.setCurrentIndex(max(idx, 0))
        box.blockSignals(False)
    if prefer and getattr(box, "_preferred", None) != prefer:
        box._preferred = prefer  # type: ignore[attr-defined]
        idx = box.findData(prefer)
        if idx >= 0:
            box.setCurrentIndex(idx)

