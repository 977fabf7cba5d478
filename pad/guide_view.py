"""The guide console screen (引导台): binds tables and buttons to :class:`~pad.guide.GuideConsole`.

Tabs: 大厅总览 (queues, windows, devices, alerts at a glance; here), 票号 (waiting tickets and the
overrides on one of them) and 帮办取号 (issue a ticket on a citizen's behalf) in
:mod:`pad.guide_tickets`; 窗口调度 (pause / reopen / close, tidal queue assignment), 回访整改,
操作记录 (this console's audit log) and 呼叫后台 (the windows' open summons with their wait,
已响应 / 已到窗口; the tab shows how many are open and :attr:`GuideView.sound` chimes for each new
or escalated one) in :mod:`pad.guide_tabs`. Tables and the shared page shape: :mod:`pad.tables`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QGridLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QTabWidget,
    QWidget,
)

from hallq.i18n import tr
from pad.alerts import Alert
from pad.backoffice_link import Poller, Source
from pad.chime import Chime
from pad.guide import GuideConsole
from pad.guide_cases_tab import CasesTab
from pad.guide_tabs import AuditTab, FollowupsTab, SummonsTab, WindowsTab
from pad.guide_tickets import IssueTab, TicketsTab
from pad.link import Link, tap
from pad.presenter import Command
from pad.tables import AMBER, GREEN, GREY, RED, Table, titled
from pad.widgets import ElideLabel, button, label, pad_screen, scrolled, set_name, top_bar

ALERT_MARK, WARN_MARK = "● ", "▲ "


class GuideView(TicketsTab, IssueTab, WindowsTab, SummonsTab, FollowupsTab, AuditTab, CasesTab, QWidget):
    """The console: a top bar, the tabs (each a mixin with its page, its repaint and its taps), a notice line."""

    def __init__(self, console: GuideConsole, link: Link | None = None) -> None:
        super().__init__()
        self.console = console
        self.link = link
        root, self.banner = pad_screen(self, "guide_console", tr("引导台") + f" {console.device}", self.refresh)
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
        self.case_tab = self.tabs.addTab(scrolled(self._cases()), tr("办件转递"))  # 转递取件 (pad.guide_cases_tab)
        self._start_case_poller()
        self.who_poller: Poller | None = None  # guide.whoami: who the hub has signed in at this console
        if link is not None:
            self.who_poller = Poller(link.hall, console, [
                Source(lambda: console.needs_whoami, console.whoami, console.whoami_read, every_s=120.0)], self)
        root.addWidget(self.tabs, 1)
        self.notice = label("", "notice_info", wrap=True)
        self.notice.setContentsMargins(16, 6, 16, 6)
        root.addWidget(self.notice)
        console.subscribe(self.refresh)
        self.refresh()

    # ------------------------------------------------------------ layout

    def _top_bar(self) -> QWidget:
        bar, row, self.title = top_bar("#243b53")  # the hall's name may be long: one line, elided
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
        grid.addWidget(titled(tr("窗口"), self.windows), 0, 0, 3, 1)
        grid.addWidget(titled(tr("队列"), self.queues), 0, 1)
        grid.addWidget(titled(tr("提醒"), self.alert_list), 1, 1)
        grid.addWidget(titled(tr("设备"), self.devices), 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(0, 5)
        grid.setRowStretch(1, 2)
        grid.setRowStretch(2, 2)
        return page

    # ------------------------------------------------------------ repaint

    def refresh(self) -> None:
        c = self.console
        self.banner.show_text(c.banner())
        self.title.setText(f"{c.state.hall_name} · {tr('引导台')} {c.device}")
        self.operator.setText(c.operator or (tr("未签到") if c.who_known else tr("正在确认签到…")))
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
        self._fill_cases()
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

    # ------------------------------------------------------------ taps

    def _send(self, make: Callable[[], Command]) -> Command | None:
        return tap(self.console, self.link, make)

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
