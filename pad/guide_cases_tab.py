"""The guide console's 办件转递 tab: the scanner field for 转递取件 (``case.pick_up``), the folders
waiting at the windows, and the poller that keeps them and the case alerts fresh
(:mod:`pad.guide_cases`). A mixin of :class:`~pad.guide_view.GuideView` (see :mod:`pad.guide_tabs`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from hallq import clock as hallclock
from hallq.i18n import tr
from pad.backoffice_link import Poller, Source
from pad.guide_cases import CASE_LISTS, pickup_rows, state_word
from pad.guide_tabs import GuideTab
from pad.tables import AMBER, GREY, Table, split_page
from pad.widgets import button, label


class CasesTab(GuideTab):
    """办件转递."""

    case_tab: int

    def _cases(self) -> QWidget:
        left = QVBoxLayout()
        self.pickup_scan = QLineEdit()
        self.pickup_scan.setObjectName("pickup_scan")
        self.pickup_scan.setPlaceholderText(tr("扫描转递单办件码：转递取件（也可手工输入后回车）"))
        self.pickup_scan.returnPressed.connect(self._pickup_scanned)
        left.addWidget(self.pickup_scan)
        left.addWidget(label(tr("待转递的办件（已受理、补正已收）与转递中的办件，按等待时间排列"), "muted", wrap=True))
        self.pickup_table = Table("pickups", [("code", "办件编号"), ("matter", "事项"), ("department", "部门"),
                                              ("state", "状态"), ("window", "窗口"), ("since", "起始")],
                                  stretch="matter")
        self.pickup_table.itemSelectionChanged.connect(
            lambda: self.console.select_case(self.pickup_table.selected_id()))
        left.addWidget(self.pickup_table, 1)
        page, col = split_page(left)
        self.case_pick_title = label(tr("请扫描转递单或选择办件"), "title", wrap=True)
        col.addWidget(self.case_pick_title)
        self.pickup_btn = button(tr("转递取件"), "case_pick_up", "good",
                                 lambda: self._send(self.console.pick_up))
        col.addWidget(self.pickup_btn)
        col.addWidget(label(tr("滞留与逾期的办件在“大厅总览”的提醒中列出"), "muted", wrap=True))
        col.addStretch(1)
        return page

    def _start_case_poller(self) -> None:
        self.case_poller: Poller | None = None
        if self.link is not None:
            parent = self if isinstance(self, QObject) else None
            self.case_poller = Poller(self.link.hall, self.console, [self._case_source(v) for v in CASE_LISTS], parent)

    def _case_source(self, view: str) -> Source:
        c = self.console
        return Source(lambda: view in c.cases_due, lambda: c.list_cases(view),
                      lambda result, code: c.cases_listed(view, result, code))

    def _fill_cases(self) -> None:
        c = self.console
        tz = c.state.timezone
        rows = pickup_rows(c.pickups, lambda at: hallclock.local(at, tz).strftime("%m-%d %H:%M"))
        self.pickup_table.fill(rows, lambda r: AMBER if r["waiting"] else GREY)
        waiting = sum(1 for r in rows if r["waiting"])
        self.tabs.setTabText(self.case_tab, tr("办件转递（{n}）", n=waiting) if waiting else tr("办件转递"))
        chosen = next((x for x in c.pickups if x.id == c.selected_case), None)
        self.case_pick_title.setText(tr("{code} · {matter}（{dept}，{state}）", code=chosen.number or chosen.id,
                                        matter=chosen.matter_name, dept=chosen.department,
                                        state=state_word(chosen)) if chosen else tr("请扫描转递单或选择办件"))
        self.pickup_btn.setEnabled(c.idle and chosen is not None and chosen.state in ("accepted",
                                                                                      "correction_received"))
        self.pickup_scan.setEnabled(c.idle)

    def _pickup_scanned(self) -> None:
        code = self.pickup_scan.text().strip()
        self.pickup_scan.clear()
        if code:
            self._send(lambda: self.console.pick_up(code))
