"""The window staff pad screen: binds widgets to :class:`~pad.staff.StaffPad`, nothing more.

Pages in one stack: 登录 (log in / AB岗 handover), 服务 (serve), and a choice page for
reasons, transfer targets and 特呼 numbers. Every enabled state comes from the presenter.
This module lays the pages out and repaints them; what each choice page asks, and printing
the window's notices, is :mod:`pad.staff_choices`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hallq.i18n import tr
from hallq.messages import TicketView
from pad.case_view import CaseViews
from pad.link import Link, tap
from pad.presenter import Command, Notice
from pad.staff import OUTCOME_LABELS, OUTCOMES, StaffPad
from pad.staff_choices import StaffChoices
from pad.widgets import ChoicePage, ElideLabel, Keypad, button, label, pad_screen, set_name, top_bar

OUTCOME_KINDS = {"accepted": "good", "consulted": "info", "rejected": "bad", "passed": "warn"}  # four colours


class StaffView(StaffChoices, CaseViews, QWidget):
    def __init__(self, pad: StaffPad, link: Link | None = None) -> None:
        super().__init__()
        self.pad = pad
        self.link = link
        root, self.banner = pad_screen(self, "staff_pad", tr("窗口服务终端") + f" {pad.window}", self.refresh)
        root.addWidget(self._top_bar())
        self.stack = QStackedWidget()
        root.addWidget(self.stack, 1)
        self.login_page = self._login_page()
        self.serve_page = self._serve_page()
        self.choice = ChoicePage(self._back)
        self.case_pages = self._case_pages()
        for page in (self.login_page, self.serve_page, self.choice, *self.case_pages):
            self.stack.addWidget(page)
        root.addWidget(self._footer())
        self._material_items: dict[str, QListWidgetItem] = {}
        self._materials_for = ""
        self.printed: list[str] = []  # notice kinds printed, newest last
        pad.subscribe(self.refresh)
        self.refresh()

    # ------------------------------------------------------------ layout

    def _top_bar(self) -> QWidget:
        bar, row, self.title = top_bar("#102a43", "title")
        # names come from the hall file: one line each, elided, never wider than the screen
        self.staff_label = ElideLabel("", "staff_label")
        self.staff_label.setStyleSheet("color: #d9e2ec; font-size: 19px;")
        self.status_label = ElideLabel("", "status_label")
        self.status_label.setStyleSheet("color: #ffd166; font-size: 19px; font-weight: bold;")
        self.conn = label("", "conn_on")
        row.addWidget(self.title, 3)
        row.addSpacing(24)
        row.addWidget(self.staff_label, 2)
        row.addSpacing(16)
        row.addWidget(self.status_label, 2)
        row.addStretch(1)
        row.addWidget(self.conn)
        self.handover_btn = button(tr("交接 (AB岗)"), "handover", "flat", self._handover)
        self.logout_btn = button(tr("退出登录"), "logout", "flat", lambda: self._send(self.pad.logout))
        self.case_desk_btn = button(tr("办件（补正/出件）"), "case_desk_open", "flat", self.open_case_desk)
        for b in (self.case_desk_btn, self.handover_btn, self.logout_btn):
            b.setStyleSheet("QPushButton { color: white; border-color: #829ab1; background: transparent; }"
                            "QPushButton:disabled { color: #627d98; border-color: #334e68; }")
            b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
            b.setMinimumWidth(130)
            row.addWidget(b)
        return bar

    def _login_page(self) -> QWidget:
        page = QWidget()
        outer = QHBoxLayout(page)
        outer.setContentsMargins(60, 30, 60, 30)
        form = QVBoxLayout()
        self.login_title = label(tr("工作人员登录"), "title")
        self.login_title.setStyleSheet("font-size: 30px; font-weight: bold;")
        form.addWidget(self.login_title)
        self.login_hint = label("", "muted", wrap=True)
        form.addWidget(self.login_hint)
        form.addSpacing(12)
        form.addWidget(label(tr("工号")))
        self.staff_no = QLineEdit()
        self.staff_no.setObjectName("staff_no")
        form.addWidget(self.staff_no)
        form.addWidget(label(tr("密码 (PIN)")))
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        form.addWidget(self.pin)
        form.addSpacing(12)
        self.login_btn = button(tr("登录"), "login", "primary", self._login)
        self.login_btn.setMinimumHeight(80)
        form.addWidget(self.login_btn)
        self.cancel_handover_btn = button(tr("取消交接"), "cancel_handover", "flat", self.pad.cancel_handover)
        form.addWidget(self.cancel_handover_btn)
        form.addStretch(1)
        outer.addLayout(form, 1)
        outer.addSpacing(40)
        self.keypad = Keypad(name="login_keypad")
        self.keypad.setMaximumWidth(420)
        self.keypad.target = self.staff_no
        self.staff_no.returnPressed.connect(lambda: self._focus(self.pin))
        self.pin.returnPressed.connect(self._login)
        for field in (self.staff_no, self.pin):
            field.installEventFilter(self)
        outer.addWidget(self.keypad, 1, Qt.AlignmentFlag.AlignVCenter)
        return page

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 (Qt API)
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.FocusIn and obj in (self.staff_no, self.pin):
            self.keypad.target = obj
        return False

    def _focus(self, field: QLineEdit) -> None:
        field.setFocus()
        self.keypad.target = field

    def _serve_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(16, 12, 16, 12)
        row.setSpacing(16)
        # left: the ticket being served
        panel = QFrame()
        panel.setObjectName("panel")
        left = QVBoxLayout(panel)
        left.setContentsMargins(20, 12, 20, 12)
        head = QHBoxLayout()
        self.number = label("—", "big_number")
        self.number.setObjectName("current_number")
        self.number.setStyleSheet("font-size: 88px; font-weight: bold; color: #102a43;")
        head.addWidget(self.number)
        self.badges = label("", wrap=True)
        self.badges.setObjectName("badges")
        self.badges.setStyleSheet("font-size: 19px; font-weight: bold; color: #b45309;")
        head.addWidget(self.badges, 1)
        left.addLayout(head)
        self.idle_hint = label("", "muted", wrap=True)
        self.idle_hint.setStyleSheet("font-size: 26px; color: #334e68; padding: 40px 8px;")
        self.idle_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        left.addWidget(self.idle_hint)
        self._info_labels: list[tuple[QLabel, QLabel]] = []
        self.info = QGridLayout()
        self.info.setHorizontalSpacing(16)
        self.info.setVerticalSpacing(4)
        left.addLayout(self.info)
        self.materials_title = label(tr("材料清单（收到请勾选）"), "title")
        self.materials_title.setStyleSheet("font-size: 18px; font-weight: bold; margin-top: 8px;")
        left.addWidget(self.materials_title)
        self.materials = QListWidget()
        self.materials.setObjectName("materials")
        # a finger ticks a material anywhere on its row; the box itself is finger-sized too
        self.materials.setStyleSheet("QListWidget { font-size: 20px; } QListWidget::item { min-height: 48px; }"
                                     "QListWidget::indicator { width: 34px; height: 34px; }")
        self.materials.setWordWrap(True)
        self.materials.setSelectionMode(QListWidget.SelectionMode.NoSelection)  # the tick is the state
        self.materials.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.materials.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.materials.itemChanged.connect(self._material_changed)
        self.materials.itemClicked.connect(self._material_clicked)
        left.addWidget(self.materials, 1)
        row.addWidget(panel, 5)
        # right: the buttons
        right = QVBoxLayout()
        right.setSpacing(10)
        self.call_next_btn = button(tr("叫号"), "call_next", "primary", lambda: self._send(self.pad.call_next))
        self.call_next_btn.setMinimumHeight(130)
        right.addWidget(self.call_next_btn)
        grid = QGridLayout()
        grid.setSpacing(10)
        self.recall_btn = button(tr("重呼"), "recall", on_click=lambda: self._send(self.pad.recall))
        self.call_btn = button(tr("特呼"), "call", on_click=self._ask_number)
        grid.addWidget(self.recall_btn, 0, 0)
        grid.addWidget(self.call_btn, 0, 1)
        self.outcome_btns = {}
        for i, key in enumerate(OUTCOMES):
            b = button(tr(OUTCOME_LABELS[key]), f"outcome_{key}", OUTCOME_KINDS[key],
                       on_click=functools.partial(self._outcome, key))
            b.setMinimumHeight(84)
            self.outcome_btns[key] = b
            grid.addWidget(b, 1 + i // 2, i % 2)
        self.transfer_btn = button(tr("转移"), "transfer", on_click=self._ask_transfer)
        self.summon_btn = button(tr("呼叫后台"), "summon", on_click=self._ask_summon)
        self.pause_btn = button(tr("暂停"), "pause", on_click=self._ask_pause)
        self.resume_btn = button(tr("恢复服务"), "resume", "good", lambda: self._send(self.pad.resume))
        grid.addWidget(self.transfer_btn, 3, 0)
        grid.addWidget(self.summon_btn, 3, 1)
        grid.addWidget(self.pause_btn, 4, 0)
        grid.addWidget(self.resume_btn, 4, 0)
        self.print_btn = button(tr("打印通知书"), "print", on_click=self._ask_print)
        grid.addWidget(self.print_btn, 4, 1)
        self.backfill_btn = button(tr("补录"), "backfill", on_click=self._ask_backfill)
        self.backfill_btn.setToolTip(tr("补录：未取号直接办理的业务，事后登记"))
        grid.addWidget(self.backfill_btn, 5, 0)
        self.case_accept_btn = button(tr("登记办件"), "case_accept_open", on_click=self.open_case_accept)
        self.case_accept_btn.setToolTip(tr("受理后登记办件：材料、送达方式、办件编号，打印受理通知书和转递单"))
        grid.addWidget(self.case_accept_btn, 5, 1)
        right.addLayout(grid)
        right.addStretch(1)
        row.addLayout(right, 4)
        return page

    def _footer(self) -> QWidget:
        bar = QFrame()
        bar.setStyleSheet("background: #eef2f6;")
        col = QVBoxLayout(bar)
        col.setContentsMargins(16, 6, 16, 6)
        col.setSpacing(2)
        line = QHBoxLayout()
        self.queue_counts = label("", "queue_counts", wrap=True)
        self.outcome_counts = label("")
        self.outcome_counts.setObjectName("outcome_counts")
        line.addWidget(self.queue_counts, 1)
        line.addWidget(self.outcome_counts)
        col.addLayout(line)
        line2 = QHBoxLayout()
        self.notice = label("", "notice_info", wrap=True)
        self.retry_btn = button(tr("重试"), "retry", "warn", self._retry)
        self.retry_btn.setMaximumWidth(160)
        self.evaluation = label("", "evaluation", wrap=True)
        self.evaluation.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.evaluation.setStyleSheet("color: #1d6fd6; font-weight: bold;")
        line2.addWidget(self.notice, 1)
        line2.addWidget(self.retry_btn)
        line2.addWidget(self.evaluation, 1)
        col.addLayout(line2)
        return bar

    # ------------------------------------------------------------ repaint from the presenter

    def refresh(self) -> None:
        pad = self.pad
        acts = pad.actions()
        self.banner.show_text(pad.banner())
        self.title.setText(pad.title())
        self.staff_label.setText(pad.staff_text())
        self.status_label.setText(pad.status_text())
        self.conn.setText("● " + pad.connection_text())
        set_name(self.conn, "conn_on" if pad.online else "conn_off")
        self.handover_btn.setVisible(pad.page == "serve")
        self.logout_btn.setVisible(pad.page == "serve")
        self.handover_btn.setEnabled(acts["handover"])
        self.logout_btn.setEnabled(acts["logout"])
        shown = self.stack.currentWidget()
        if shown is not self.choice and (shown not in self.case_pages or pad.page == "login"):
            self.stack.setCurrentWidget(self.login_page if pad.page == "login" else self.serve_page)
        # login
        self.login_btn.setEnabled(acts["login"])
        self.cancel_handover_btn.setVisible(pad.handover)
        self.login_title.setText(tr("AB岗交接：接班人员登录") if pad.handover else tr("工作人员登录"))
        self.login_hint.setText(tr("窗口 {w}：输入工号和密码后点“登录”", w=pad.title()))
        self.login_btn.setText(tr("交接并登录") if pad.handover else tr("登录"))
        # serving
        cur = pad.current
        self.number.setText(cur.number if cur else "")
        self.number.setVisible(cur is not None)
        self.badges.setText("  ".join(pad.badges()))
        self._fill_info(pad.ticket_lines())
        if cur is None:
            hint = tr("暂停中，点“恢复服务”继续叫号") if pad.status == "paused" else tr("点“叫号”呼叫下一位")
            subject = pad.last_served
            if subject:
                hint = tr("{n} 已办结（{o}）。可打印通知书，或叫下一位", n=subject.number,
                          o=tr(OUTCOME_LABELS.get(subject.outcome, subject.outcome)))
                if pad.case_offer() == "comprehensive":
                    hint += "\n" + tr("一窗受理：请点“登记办件”登记材料和送达方式")
            upcoming = pad.upcoming()
            if upcoming:
                hint += "\n\n" + tr("下一位可能是：{n}", n="  ".join(upcoming))
            self.idle_hint.setText(hint)
        self.idle_hint.setVisible(cur is None)
        self._fill_materials(cur)
        self.call_next_btn.setEnabled(acts["call_next"])
        self.call_btn.setEnabled(acts["call"])
        self.recall_btn.setEnabled(acts["recall"])
        self.recall_btn.setText(pad.recall_text() if cur else tr("重呼"))
        for b in self.outcome_btns.values():
            b.setEnabled(acts["outcome"])
        self.transfer_btn.setEnabled(acts["transfer"])
        self.summon_btn.setEnabled(acts["summon"])
        self.pause_btn.setVisible(pad.status != "paused")
        self.resume_btn.setVisible(pad.status == "paused")
        self.pause_btn.setEnabled(acts["pause"])
        self.resume_btn.setEnabled(acts["resume"])
        self.print_btn.setEnabled(acts["print"])
        self.backfill_btn.setEnabled(acts["backfill"])
        self.print_btn.setToolTip("" if pad.printer_configured else tr("本窗口未配置打印机"))
        self._case_refresh()
        # footer
        queues = "   ".join(f"{qid} {name} {n}" if qid else f"{name} {n}" for qid, name, n in pad.queue_counts())
        self.queue_counts.setText(tr("等候：") + (queues or "-"))
        self.outcome_counts.setText(tr("今日：") + "  ".join(f"{k} {n}" for k, n in pad.outcome_counts()))
        self._show_notice(pad.notice)
        self.retry_btn.setVisible(pad.unconfirmed is not None)
        self.retry_btn.setEnabled(pad.unconfirmed is not None and pad.idle)
        evaluation = pad.evaluation_text()
        summon = pad.summon_text()
        self.evaluation.setText("   ".join(x for x in (summon, evaluation) if x))

    def _fill_info(self, lines: dict[str, str]) -> None:
        """Label/value pairs in two columns; labels are reused (rebuilt widgets would flicker)."""
        while len(self._info_labels) < len(lines):
            i = len(self._info_labels)
            key, value = label("", "muted"), label("", wrap=True)
            value.setStyleSheet("font-size: 20px;")
            self.info.addWidget(key, i // 2, (i % 2) * 2)
            self.info.addWidget(value, i // 2, (i % 2) * 2 + 1)
            self._info_labels.append((key, value))
        items = list(lines.items())
        for i, (key, value) in enumerate(self._info_labels):
            k, v = items[i] if i < len(items) else ("", "")
            key.setText(k)
            value.setText(v)
            key.setVisible(i < len(items))
            value.setVisible(i < len(items))

    def _fill_materials(self, cur: TicketView | None) -> None:
        subject = cur or self.pad.last_served
        tid = subject.id if subject else ""
        if tid != self._materials_for:
            self._materials_for = tid
            self.materials.blockSignals(True)
            self.materials.clear()
            for m in subject.materials if subject else []:
                item = QListWidgetItem(str(m))
                # not user-checkable: a tap anywhere on the row toggles it (_material_clicked), once
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if m in self.pad.checked else Qt.CheckState.Unchecked)
                self.materials.addItem(item)
            self.materials.blockSignals(False)
        self.materials_title.setVisible(bool(subject))
        self.materials.setVisible(bool(subject))

    def _material_clicked(self, item: QListWidgetItem) -> None:
        on = item.checkState() != Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _material_changed(self, item: QListWidgetItem) -> None:
        self.pad.toggle_material(item.text(), item.checkState() == Qt.CheckState.Checked)

    def _show_notice(self, notice: Notice | None) -> None:
        self.notice.setText(notice.text if notice else "")
        set_name(self.notice, "notice_error" if notice and notice.level == "error" else "notice_info")

    # ------------------------------------------------------------ taps

    def _send(self, make: Callable[[], Command]) -> Command | None:
        return tap(self.pad, self.link, make)

    def _login(self) -> None:
        staff, pin = self.staff_no.text(), self.pin.text()
        if self._send(lambda: self.pad.login(staff, pin)) is not None:
            self.pin.clear()

    def _handover(self) -> None:
        self.pad.start_handover()
        self.staff_no.clear()
        self.pin.clear()
        self._focus(self.staff_no)

    def _retry(self) -> None:
        self._send(self.pad.retry)

    def _back(self) -> None:
        self.stack.setCurrentWidget(self.login_page if self.pad.page == "login" else self.serve_page)
        self.refresh()
