"""The guide console's ticket tabs: 票号与插队 (waiting tickets, found by number or applicant, and the
overrides on one: verify green channel, move, call to a window, reprint, cancel, 闭厅清号) and
帮办取号 (a ticket issued on a citizen's behalf). Mixins of :class:`~pad.guide_view.GuideView`
(see :mod:`pad.guide_tabs`).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from hallq.i18n import tr
from pad.guide_tabs import GuideTab
from pad.tables import RED, Table, fill_combo, reason_box, split_page
from pad.widgets import button, label


class TicketsTab(GuideTab):
    """票号与插队."""

    def _tickets(self) -> QWidget:
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
        page, col = split_page(left)
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
        return page

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
        fill_combo(self.group_box, [(g, cfg.name) for g, cfg in c.state.priority_groups.items()],
                    prefer=t.priority_group if t else "")
        fill_combo(self.queue_box, [(q, f"{q} {cfg.name}") for q, cfg in c.state.queues.items()])
        fill_combo(self.window_box, [(w, f"{w} {cfg.name}") for w, cfg in c.state.window_configs.items()])
        fill_combo(self.kiosk_box, [(k, k) for k in c.state.kiosks()])
        verified_as = t.priority_group if t and t.priority_verified else None
        self.verify_btn.setEnabled(idle and self.group_box.currentData() != verified_as)
        for b in (self.move_queue_btn, self.move_window_btn, self.call_to_btn, self.cancel_btn):
            b.setEnabled(idle)
        self.reprint_btn.setEnabled(idle and self.kiosk_box.count() > 0)
        self.expire_btn.setEnabled(c.idle and any(q.waiting for q in c.state.queue_state.values()))
        self.refresh_btn.setEnabled(c.online)

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


class IssueTab(GuideTab):
    """帮办取号: matter, situation, green channel, name, assistance, target window, reason."""

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
        fill_combo(self.issue_group, [("", tr("无"))] + [(g, cfg.name)
                                                         for g, cfg in c.state.priority_groups.items()])
        fill_combo(self.issue_window, [("", tr("不指定"))] + [(w, f"{w} {cfg.name}")
                                                             for w, cfg in c.state.window_configs.items()])
        self.issue_btn.setEnabled(c.idle and self.situation_box.count() > 0)

    def _fill_situations(self) -> None:
        mid = self.matter_box.currentData()
        sits = next((s for m, _n, s in self.console.matters_for_issue() if m == mid), [])
        self.situation_box.clear()
        for sid, name in sits:
            self.situation_box.addItem(name, sid)

    def _issue_ticket(self) -> None:
        self._send(lambda: self.console.issue(
            str(self.matter_box.currentData()), str(self.situation_box.currentData()),
            self.issue_reason.currentText(), priority_group=str(self.issue_group.currentData() or ""),
            name=self.issue_name.text(), assist=self.issue_assist.isChecked(),
            target_window=str(self.issue_window.currentData() or "")))
