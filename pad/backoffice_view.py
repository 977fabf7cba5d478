"""The back office's screen (后台审批): binds tabs, buttons and the scanner field to
:class:`~pad.backoffice.BackOffice`.

At the top the scanner field (a keyboard-wedge scanner types the 转递单's code and Enter: 签收)
and the clerk signed in (签退); under it, while nobody is signed in, the 签到 strip (工号, PIN);
then, only while a window is waiting for this department, the 呼叫后台 strip (window, state,
wait, 已响应 / 已到窗口; a chime for each new or escalated summons). Then the department's cases
in tabs with their counts (待签收, 审查中, 今日到期, 已逾期, 待出件, 待补正) and, on the right, the chosen
case with its actions: 签收, 一次性告知 (reasons one per line, a deadline), 办结 (result kind),
不予许可 (reasons), 出件转递, and 流转记录 (the case's history, the 附件4 handover rows marked).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from hallq.i18n import tr
from pad.backoffice import RESULT_KINDS, TO_SIGN, VIEWS, BackOffice
from pad.backoffice_link import Poller, Source
from pad.backoffice_print import a4_printer, correction_notice, print_correction
from pad.case_front import state_word
from pad.chime import Chime
from pad.link import Link, tap
from pad.presenter import Command, Notice
from pad.tables import AMBER, GREEN, RED, Table
from pad.widgets import ElideLabel, button, label, pad_screen, set_name, top_bar

CASE_COLUMNS = [("code", "办件编号"), ("matter", "事项"), ("applicant", "申请人"), ("state", "状态"),
                ("due", "承诺日期"), ("left", "剩余工作日")]


class BackofficeView(QWidget):
    def __init__(self, desk: BackOffice, link: Link | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.link = link
        root, self.banner = pad_screen(self, "backoffice", tr("后台审批") + f" {desk.device}", self.refresh)
        root.addWidget(self._top_bar())
        root.addWidget(self._sign_in_strip())
        root.addWidget(self._summon_strip())
        self.stack = QStackedWidget()
        self.stack.addWidget(self._main_page())
        self.stack.addWidget(self._history_page())
        root.addWidget(self.stack, 1)
        self.notice = label("", "notice_info", wrap=True)
        self.notice.setContentsMargins(16, 6, 16, 6)
        root.addWidget(self.notice)
        self.sound: Callable[[], None] = Chime(self)
        self._chimed = 0
        self.poller: Poller | None = None
        if link is not None:
            self.poller = Poller(link.hall, desk, [
                Source(lambda: desk.needs_whoami, desk.whoami, desk.whoami_read, every_s=120.0),
                Source(lambda: desk.needs_snapshot, desk.snapshot, desk.snapshot_read, every_s=300.0),
                Source(lambda: desk.needs_refresh, desk.refresh, desk.listed, every_s=60.0),
            ], self)
        desk.subscribe(self.refresh)
        self.refresh()
        self.scan.setFocus()

    # ------------------------------------------------------------ layout

    def _top_bar(self) -> QWidget:
        bar, row, self.title = top_bar("#1e3a5f")
        self.scan = QLineEdit()
        self.scan.setObjectName("scan")
        self.scan.setPlaceholderText(tr("扫描转递单签收（或输入办件码回车）"))
        self.scan.setStyleSheet("background: white; color: #102a43;")
        self.scan.setMinimumWidth(420)
        self.scan.returnPressed.connect(self._scanned)
        self.conn = label("", "conn_on")
        self.operator = label("", "operator")
        self.operator.setStyleSheet("color: white;")
        self.logout_btn = button(tr("签退"), "backoffice_logout", "", lambda: self._send(self.desk.logout))
        # a small button: the bar keeps its height (a summons strip and a notice still fit in 800)
        self.logout_btn.setStyleSheet("QPushButton { min-height: 30px; max-height: 36px; font-size: 16px; "
                                      "padding: 0 12px; }")
        row.addWidget(self.title, 1)
        row.addWidget(self.operator)
        row.addWidget(self.logout_btn)
        row.addWidget(self.scan)
        row.addWidget(self.conn)
        return bar

    def _sign_in_strip(self) -> QWidget:
        """签到 (工号, PIN typed hidden), shown while nobody is signed in at this desk."""
        self.sign_in_box = QFrame()
        self.sign_in_box.setObjectName("sign_in_strip")
        self.sign_in_box.setStyleSheet("QFrame#sign_in_strip { background: #e8f1fb; "
                                       "border-bottom: 2px solid #1e3a5f; }")
        row = QHBoxLayout(self.sign_in_box)
        row.setContentsMargins(12, 6, 12, 6)
        row.addWidget(label(tr("本台未签到：请经办人签到，办件的每一步记入经办人工号和姓名"), "title"), 1)
        self.staff_id = QLineEdit()
        self.staff_id.setObjectName("staff_id")
        self.staff_id.setPlaceholderText(tr("工号"))
        self.staff_id.setMaximumWidth(160)
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setPlaceholderText(tr("密码"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaximumWidth(160)
        self.pin.returnPressed.connect(self._sign_in)
        self.login_btn = button(tr("签到"), "backoffice_sign", "good", self._sign_in)
        row.addWidget(self.staff_id)
        row.addWidget(self.pin)
        row.addWidget(self.login_btn)
        return self.sign_in_box

    def _sign_in(self) -> None:
        if self._send(lambda: self.desk.login(self.staff_id.text(), self.pin.text())):
            self.pin.clear()

    def _summon_strip(self) -> QWidget:
        self.summon_box = QFrame()
        self.summon_box.setObjectName("summon_strip")
        self.summon_box.setStyleSheet("QFrame#summon_strip { background: #fff4e5; border-bottom: 2px solid #d97706; }")
        row = QHBoxLayout(self.summon_box)
        row.setContentsMargins(12, 6, 12, 6)
        col = QVBoxLayout()
        self.summon_title = label("", "title")
        col.addWidget(self.summon_title)
        self.summon_table = Table("backoffice_summons", [("window", "窗口"), ("state_text", "状态"), ("wait", "等候"),
                                                         ("ticket", "票号"), ("note", "说明")], compact=True)
        self.summon_table.setMaximumHeight(110)
        self.summon_table.itemSelectionChanged.connect(
            lambda: self.desk.select_summon(self.summon_table.selected_id()))
        col.addWidget(self.summon_table)
        row.addLayout(col, 3)
        buttons = QVBoxLayout()
        self.respond_btn = button(tr("已响应"), "summon_respond", "good",
                                  lambda: self._send(self.desk.respond_summon))
        self.arrive_btn = button(tr("已到窗口"), "summon_arrive", "info",
                                 lambda: self._send(self.desk.arrive_summon))
        buttons.addWidget(self.respond_btn)
        buttons.addWidget(self.arrive_btn)
        row.addLayout(buttons, 1)
        self.summon_box.hide()
        return self.summon_box

    def _main_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(12, 8, 12, 8)
        left = QVBoxLayout()
        self.view_tabs = QTabBar()
        self.view_tabs.setObjectName("case_views")
        self.view_tabs.setStyleSheet("QTabBar::tab { min-width: 96px; padding: 0 8px; }")  # six tabs in 780 px
        for _key, name in VIEWS:
            self.view_tabs.addTab(tr(name))
        self.view_tabs.currentChanged.connect(lambda i: self.desk.select_view(VIEWS[i][0]))
        left.addWidget(self.view_tabs)
        self.cases = Table("cases", CASE_COLUMNS, stretch="matter")
        self.cases.itemSelectionChanged.connect(lambda: self.desk.select(self.cases.selected_id()))
        left.addWidget(self.cases, 1)
        self.empty = label("", "muted")
        left.addWidget(self.empty)
        row.addLayout(left, 5)
        panel = QFrame()
        panel.setObjectName("panel")
        col = QVBoxLayout(panel)
        col.setContentsMargins(14, 10, 14, 10)
        self.case_title = ElideLabel("", "title")
        col.addWidget(self.case_title)
        self.case_info = label("", "muted", wrap=True)
        col.addWidget(self.case_info)
        top = QHBoxLayout()
        self.sign_btn = button(tr("签收"), "case_sign", "good", lambda: self._send(self.desk.sign))
        self.history_btn = button(tr("流转记录"), "case_history", "flat", self._history)
        top.addWidget(self.sign_btn)
        top.addWidget(self.history_btn)
        col.addLayout(top)
        col.addWidget(label(tr("审查意见 / 不予许可理由（每行一条）；补正期限留空按大厅规定"), wrap=True))
        self.reasons = QPlainTextEdit()
        self.reasons.setObjectName("reasons")
        self.reasons.setPlaceholderText(self.desk.reasons_example())
        self.reasons.setMaximumHeight(120)
        col.addWidget(self.reasons)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.deadline = QLineEdit()
        self.deadline.setObjectName("deadline")
        self.deadline.setPlaceholderText(tr("补正期限"))
        self.notify_btn = button(tr("一次性告知"), "case_notify", "warn", self._notify)
        grid.addWidget(self.deadline, 0, 0)
        grid.addWidget(self.notify_btn, 0, 1)
        self.result_kind = QComboBox()
        self.result_kind.setObjectName("result_kind")
        self.result_kind.addItem(tr("按事项规定"), "")
        for k in RESULT_KINDS:
            self.result_kind.addItem(k, k)
        self.approve_btn = button(tr("办结"), "case_approve", "good", self._approve)
        grid.addWidget(self.result_kind, 1, 0)
        grid.addWidget(self.approve_btn, 1, 1)
        self.deny_btn = button(tr("不予许可"), "case_deny", "bad", self._deny)
        self.send_btn = button(tr("出件转递"), "case_send_out", "info", lambda: self._send(self.desk.send_out))
        grid.addWidget(self.deny_btn, 2, 0)
        grid.addWidget(self.send_btn, 2, 1)
        col.addLayout(grid)
        col.addStretch(1)
        row.addWidget(panel, 3)
        return page

    def _history_page(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(12, 8, 12, 8)
        self.history_title = label("", "title", wrap=True)
        col.addWidget(self.history_title)
        col.addWidget(label(tr("每一步的时间与经办人；交接环节即附件4 申请材料交接确认单的一行"), "muted", wrap=True))
        self.history = Table("history", [("time", "时间"), ("action", "环节"), ("stage", "附件4"),
                                         ("material", "交接材料"), ("handover", "交出 → 接收"), ("by", "经办"),
                                         ("note", "说明")], stretch="note")
        col.addWidget(self.history, 1)
        back = button(tr("返回"), "history_back", "flat", lambda: self.stack.setCurrentIndex(0))
        col.addWidget(back)
        return page

    # ------------------------------------------------------------ repaint

    def refresh(self) -> None:
        d = self.desk
        self.banner.show_text(d.banner())
        self.title.setText(f"{d.state.hall_name} · {d.title()}")
        self.conn.setText("● " + d.connection_text())
        self.operator.setText(tr("经办人：{who}", who=d.operator) if d.operator
                              else tr("未签到") if d.who_known else tr("正在确认签到…"))
        example = d.reasons_example()  # the department is known once the catalog is in
        if self.reasons.placeholderText() != example:  # only on a change: setting it again repaints every time
            self.reasons.setPlaceholderText(example)
        self.logout_btn.setVisible(bool(d.operator))
        self.sign_in_box.setVisible(d.who_known and not d.operator)
        self.login_btn.setEnabled(d.idle)
        set_name(self.conn, "conn_on" if d.online else "conn_off")
        self.scan.setEnabled(d.idle)
        counts = d.counts()
        for i, (key, name) in enumerate(VIEWS):
            n = counts[key]
            self.view_tabs.setTabText(i, f"{tr(name)}（{n}）" if n else tr(name))
            self.view_tabs.setTabTextColor(i, RED if key == "overdue" and n else AMBER if key == "due_today" and n
                                           else self.palette().windowText().color())
        rows = d.rows()
        self.cases.fill(rows, lambda r: RED if r["overdue"] else AMBER if r["due_today"] else None)
        self._keep_selection()
        self.empty.setText("" if rows else (tr("本栏暂无办件") if d.listed_once else tr("正在读取办件…")))
        self._fill_case()
        self._fill_summons()
        self._fill_history()
        said = d.notice
        self.notice.setText(said.text if said else "")
        set_name(self.notice, "notice_error" if said and said.level == "error" else "notice_info")
        if d.to_print is not None:
            self._print(d)

    def _keep_selection(self) -> None:
        """The table shows the desk's chosen case, or nothing (a refill keeps Qt's row, not the case)."""
        chosen = self.desk.selected
        if self.cases.selected_id() == chosen:
            return
        self.cases.blockSignals(True)
        if chosen in self.cases.ids:
            self.cases.select_id(chosen)
        else:
            self.cases.clearSelection()
        self.cases.blockSignals(False)

    def _fill_case(self) -> None:
        d = self.desk
        c = d.case
        self.case_title.setText(f"{c.number or c.id} · {state_word(c)}" if c else tr("请选择办件，或扫描转递单"))
        self.case_info.setText(d.case_text())
        idle = d.idle and c is not None
        state = c.state if c else ""
        self.sign_btn.setEnabled(idle and state in TO_SIGN)
        self.history_btn.setEnabled(idle)
        for w in (self.notify_btn, self.approve_btn, self.deny_btn):
            w.setEnabled(idle and state == "in_review")
        self.deny_btn.setEnabled(idle and state in ("in_review", "awaiting_correction"))
        self.send_btn.setEnabled(idle and state in ("approved", "denied"))

    def _fill_summons(self) -> None:
        d = self.desk
        rows = d.summon_rows()
        self.summon_box.setVisible(bool(rows))
        self.summon_table.fill(rows, lambda r: RED if r["escalated"] else GREEN if r["state"] == "responded"
                               else AMBER)
        pending = sum(1 for r in rows if r["state"] != "responded")
        self.summon_title.setText(tr("窗口呼叫{d}：{n} 条待响应，请尽快到窗口", d=d.department, n=pending) if pending
                                  else tr("窗口呼叫{d}：已响应，到窗口后点“已到窗口”", d=d.department))
        if d.selected_summon and self.summon_table.selected_id() != d.selected_summon:
            self.summon_table.select_id(d.selected_summon)
        chosen = d.selected_summon or (rows[0]["id"] if len(rows) == 1 else "")
        row = next((r for r in rows if r["id"] == chosen), None)
        self.respond_btn.setEnabled(d.idle and row is not None and row["state"] in ("pending", "escalated"))
        self.arrive_btn.setEnabled(d.idle and row is not None)
        if d.chimes > self._chimed:  # one chime per repaint, however many came at once
            self._chimed = d.chimes
            self.sound()

    def _fill_history(self) -> None:
        d = self.desk
        c = d.history_case
        self.history_title.setText(tr("流转记录：{c} {m}（{s}）", c=c.number or c.id, m=c.matter_name, s=state_word(c))
                                   if c else "")
        self.history.fill(d.history_rows())

    # ------------------------------------------------------------ taps

    def _send(self, make: Callable[[], Command]) -> Command | None:
        return tap(self.desk, self.link, make)

    def _scanned(self) -> None:
        code = self.scan.text().strip()
        self.scan.clear()
        if code:
            self._send(lambda: self.desk.sign(code))

    def _notify(self) -> None:
        if self._send(lambda: self.desk.notify_correction(self.reasons.toPlainText(), self.deadline.text())):
            self.reasons.clear()
            self.deadline.clear()

    def _approve(self) -> None:
        self._send(lambda: self.desk.approve(str(self.result_kind.currentData() or "")))

    def _deny(self) -> None:
        if self._send(lambda: self.desk.deny(self.reasons.toPlainText())):
            self.reasons.clear()

    def _history(self) -> None:
        if self._send(self.desk.load_history):
            self.stack.setCurrentIndex(1)

    def _print(self, d: BackOffice) -> None:
        """附件5 for the 一次性告知 just confirmed, on the desk's A4 printer (if it has one)."""
        c, d.to_print = d.to_print, None
        assert c is not None
        cfg = a4_printer(d.state, d.device)
        if cfg is None:
            d.notice = Notice("info", tr("{n}：已一次性告知；本台未配置 A4 打印机，告知单未打印（可在窗口打印）",
                                         n=c.number or c.id))
            self.notice.setText(d.notice.text)
            return
        notice = correction_notice(c, d.department, d.state.timezone)

        def done(_result: object, error: BaseException | None) -> None:
            d.notice = Notice("error", tr("告知单打印失败：{e}", e=error)) if error else \
                Notice("info", tr("{n}：已一次性告知，告知单已送 {p} 打印", n=c.number or c.id, p=cfg.name))
            d.changed()

        if self.link is not None:
            self.link.run(lambda: print_correction(cfg, notice), done)

    def closeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        if self.poller is not None:
            self.poller.stop()
        super().closeEvent(event)  # type: ignore[arg-type]
