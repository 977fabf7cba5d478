"""The 办件 page of the window's pad (补正窗口 / 出件窗口): binds widgets to :class:`~pad.staff.StaffPad`'s
case ops (:mod:`pad.case_front`), nothing more.

A case code is scanned (a keyboard-wedge scanner types it and presses Enter: the case is looked
up) or typed; the actions sit in tabs — 接收补正材料, 出件窗口接收, 现场领取, 投入自助柜, 邮寄, 变更送达方式
— and act on the code in the field, so the hub decides and its refusal (unknown code, wrong ID, not
yet decided …) is shown in its words. A looked-up case opens the tab its state calls for; a hand-out
refused because the applicant agreed another way opens 变更送达方式 with the way staff tried chosen
(:meth:`CaseDeskPage.offer_change`). The postal address for a change is typed once, then shown only
in part, and forgotten once the hub confirmed. On the right, the results waiting at this hall
(``cases.list view=ready``); a tap puts a case on the desk.

The case's state, kind and delivery show in the pad's language: the hub's Chinese labels, or
English by their codes (:func:`hallq.i18n.case_word`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hallq.i18n import tr
from hallq.idcard import mask_id, normalize_id
from hallq.messages import CaseView
from pad.case_accept import _checkable, enter_address, retype_address, show_way
from pad.case_front import DELIVERY_LABELS, delivery_word, material_text, state_word
from pad.tables import Table
from pad.widgets import button, label

TABS = ("correction", "receive", "collect", "locker", "post", "delivery")
TAB_LABELS = {"correction": "接收补正材料", "receive": "出件窗口接收", "collect": "现场领取", "locker": "投入自助柜",
              "post": "邮寄", "delivery": "变更送达方式"}
CHANGE_HINT = "申请人要求改变结果的送达方式时，在结果送达前登记变更（已领取、已投柜、已邮寄的办件不能再变更）"


def tab_for(case: CaseView) -> str:
    """The action a case's state calls for at the window."""
    if case.state == "awaiting_correction":
        return "correction"
    if case.state == "result_transferring":
        return "receive"
    if case.state == "ready":
        return {"locker": "locker", "mail": "post"}.get(case.delivery, "collect")
    return ""


class CaseDeskPage(QWidget):
    """The view's 办件 page; ``act(name)`` is called for each action button (the view sends)."""

    def __init__(self, act: Callable[[str], object], on_back: Callable[[], object]) -> None:
        super().__init__()
        self.setObjectName("case_desk")
        self._act = act
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(16)
        left = QVBoxLayout()
        scan = QHBoxLayout()
        self.code = QLineEdit()
        self.code.setObjectName("case_code")
        self.code.setPlaceholderText(tr("扫描或输入办件码 / 办件编号"))
        self.code.setMaxLength(64)
        self.code.returnPressed.connect(lambda: act("lookup"))  # a scanner's Enter looks the case up
        scan.addWidget(self.code, 1)
        find = button(tr("查询"), "case_lookup", "info", lambda: act("lookup"))
        find.setMaximumWidth(140)
        scan.addWidget(find)
        left.addLayout(scan)
        card = QFrame()
        card.setObjectName("panel")
        card_col = QVBoxLayout(card)
        card_col.setContentsMargins(12, 6, 12, 6)
        self.card = label(tr("扫描办件码后显示办件信息"), wrap=True)
        self.card.setObjectName("case_card")
        self.card.setStyleSheet("font-size: 18px;")
        self.card.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        card_col.addWidget(self.card)
        prints = QHBoxLayout()
        self.print_btn = button(tr("打印办结通知书"), "case_desk_print", "flat", lambda: act("print"))
        prints.addWidget(self.print_btn)
        self.print_correction_btn = button(tr("打印一次性告知单（附件5）"), "case_desk_print_correction", "flat",
                                           lambda: act("print_correction"))
        prints.addWidget(self.print_correction_btn)
        card_col.addLayout(prints)
        left.addWidget(card)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("case_tabs")
        # six actions side by side at 1280 px: each tab as wide as its words, none scrolled away
        self.tabs.setStyleSheet("QTabBar::tab { min-width: 60px; padding: 0 10px; }")
        self.tabs.tabBar().setUsesScrollButtons(False)
        self.tab_pages: dict[str, QWidget] = {}
        self._build_tabs()
        left.addWidget(self.tabs, 1)
        row.addLayout(left, 6)

        right = QVBoxLayout()
        right.addWidget(label(tr("待领取（本大厅）"), "title"))
        self.ready = Table("case_ready", [("label", "办件"), ("matter_name", "事项"), ("applicant", "申请人"),
                                         ("delivery_label", "送达")], stretch="matter_name")
        self.ready.itemSelectionChanged.connect(lambda: act("pick_ready"))
        right.addWidget(self.ready, 1)
        self.refresh_btn = button(tr("刷新待领取"), "case_ready_refresh", on_click=lambda: act("list_ready"))
        right.addWidget(self.refresh_btn)
        right.addWidget(button(tr("返回服务"), "case_desk_back", "primary", on_back))
        row.addLayout(right, 4)

    def _page(self, key: str) -> QVBoxLayout:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(8, 8, 8, 8)
        self.tab_pages[key] = page
        self.tabs.addTab(page, tr(TAB_LABELS[key]))
        return col

    def _field(self, name: str, hint: str, max_len: int = 64) -> QLineEdit:
        f = QLineEdit()
        f.setObjectName(name)
        f.setPlaceholderText(hint)
        f.setMaxLength(max_len)
        return f

    def _build_tabs(self) -> None:
        col = self._page("correction")
        col.addWidget(label(tr("勾选收到的补正材料："), "muted"))
        self.correction_box = QVBoxLayout()
        col.addLayout(self.correction_box)
        self.correction_items: list[QCheckBox] = []
        self.correction_other = self._field("case_correction_other", tr("其他补正材料（可选）"), 200)
        col.addWidget(self.correction_other)
        col.addStretch(1)
        col.addWidget(button(tr("接收补正材料"), "case_receive_correction", "good",
                             lambda: self._act("receive_correction")))

        col = self._page("receive")
        col.addWidget(label(tr("部门送来的办理结果到出件窗口：扫描办件码后接收，办件转为待领取"), "muted", wrap=True))
        col.addStretch(1)
        col.addWidget(button(tr("出件窗口接收"), "case_receive_result", "good", lambda: self._act("receive_result")))

        col = self._page("collect")
        line = QHBoxLayout()
        self.id_number = self._field("case_id_number", tr("领取人身份证号（读卡或输入）"), 30)
        self.id_number.setEchoMode(QLineEdit.EchoMode.Password)  # a full ID number never shows
        self.id_number.textChanged.connect(self._id_typed)
        self.collector = self._field("case_collector", tr("领取人姓名"), 40)
        self.id_number.returnPressed.connect(self.collector.setFocus)  # an ID reader's Enter moves on
        line.addWidget(self.id_number, 3)
        line.addWidget(self.collector, 2)
        col.addLayout(line)
        self.id_shown = label("", "muted")
        self.id_shown.setObjectName("case_id_masked")
        col.addWidget(self.id_shown)
        line = QHBoxLayout()
        self.proxy = QCheckBox(tr("代领（凭授权委托书）"))
        self.proxy.setObjectName("case_proxy")
        self.authorisation = self._field("case_authorisation", tr("授权委托书编号"))
        line.addWidget(self.proxy)
        line.addWidget(self.authorisation, 1)
        col.addLayout(line)
        col.addStretch(1)
        col.addWidget(button(tr("现场领取"), "case_collect", "good", lambda: self._act("collect")))

        col = self._page("locker")
        self.compartment = self._field("case_locker_compartment", tr("柜格号（不填则用受理时约定的）"))
        col.addWidget(self.compartment)
        col.addStretch(1)
        col.addWidget(button(tr("投入自助柜"), "case_locker", "good", lambda: self._act("locker")))

        col = self._page("post")
        self.tracking = self._field("case_tracking", tr("快递单号（可扫码）"))
        col.addWidget(self.tracking)
        col.addStretch(1)
        col.addWidget(button(tr("已交寄，登记邮寄"), "case_post", "good", lambda: self._act("post")))

        col = self._page("delivery")
        self.change_hint = label(tr(CHANGE_HINT), "muted", wrap=True)
        self.change_hint.setObjectName("case_change_hint")
        col.addWidget(self.change_hint)
        ways = QHBoxLayout()
        self.change_way = ""
        self.change_btns = {k: _checkable(tr(v), f"case_change_{k}", functools.partial(self.choose_way, k))
                            for k, v in DELIVERY_LABELS.items()}
        for b in self.change_btns.values():
            ways.addWidget(b)
        col.addLayout(ways)
        self.change_compartment = self._field("case_change_compartment", tr("自助柜柜格号，如 A-03"))
        col.addWidget(self.change_compartment)
        addr = QHBoxLayout()
        self.change_address = self._field("case_change_address", tr("邮寄地址（填写后只显示部分）"), 500)
        self.change_address.editingFinished.connect(self._address_entered)
        self._address = ""  # the address typed, until the hub confirmed the change (never shown whole again)
        self.change_address_again = button(tr("重填"), "case_change_address_again", "flat", self._address_again)
        self.change_address_again.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        addr.addWidget(self.change_address, 1)
        addr.addWidget(self.change_address_again)
        col.addLayout(addr)
        col.addStretch(1)
        col.addWidget(button(tr("确认变更送达方式"), "case_change_delivery", "good",
                             lambda: self._act("change_delivery")))
        self.choose_way("")

    # ------------------------------------------------------------ 变更送达方式

    def choose_way(self, way: str) -> None:
        self.change_way = way
        show_way(way, self.change_btns, self.change_compartment, self.change_address, self.change_address_again)

    def _address_entered(self) -> None:
        self._address = enter_address(self.change_address) or self._address

    def _address_again(self) -> None:
        self._address = ""
        retype_address(self.change_address)

    def change_request(self) -> tuple[str, str, str]:
        """(delivery, compartment, address) as the 变更送达方式 tab says now."""
        self._address_entered()
        return self.change_way, self.change_compartment.text().strip(), self._address

    def offer_change(self, way: str, refusal: str) -> None:
        """A hand-out was refused for the agreed way: 变更送达方式, with the way staff tried chosen."""
        self.choose_way(way)
        self.change_hint.setText(tr("{r}\n申请人确要改为“{w}”：核对后点“确认变更送达方式”，再办理交付。",
                                    r=refusal, w=tr(DELIVERY_LABELS[way])))
        self.tabs.setCurrentWidget(self.tab_pages["delivery"])

    def clear_change(self) -> None:
        """After a change the hub confirmed (or another case): the form is empty, the address forgotten."""
        self._address_again()
        self.change_address.clearFocus()
        self.change_compartment.clear()
        self.change_hint.setText(tr(CHANGE_HINT))
        self.choose_way("")

    def _id_typed(self, text: str) -> None:
        number = normalize_id(text)
        self.id_shown.setText(tr("已读取：{m}", m=mask_id(number)) if len(number) >= 10 else "")

    # ------------------------------------------------------------ repaint

    def show_case(self, case: CaseView | None, materials: list[str], move_tab: bool) -> None:
        if case is None:
            return
        lines = [
            tr("办件码：{c}", c=case.id) + (tr("　办件编号：{n}", n=case.number) if case.number else ""),
            tr("状态：{s}", s=state_word(case)) + (tr("（已超期）") if case.overdue else ""),
            tr("事项：{m}　部门：{d}", m=case.matter_name, d=case.department),
            tr("申请人：{a}　送达：{d}", a=case.applicant or tr("（未登记）"), d=delivery_word(case))
            + (f"（{case.compartment}）" if case.compartment else "") + (tr("（地址已登记）") if case.address else ""),
        ]
        if case.reasons:
            lines.append(tr("审查意见：") + "；".join(case.reasons))
        if case.correction_deadline and case.state == "awaiting_correction":
            lines.append(tr("补正期限：{d}", d=case.correction_deadline))
        if case.collector:
            lines.append(tr("领取人：{c}", c=case.collector))
        if case.tracking:
            lines.append(tr("快递单号：{t}", t=case.tracking))
        if case.materials:
            lines.append(tr("材料：") + "；".join(material_text(m) for m in case.materials))
        self.card.setText("\n".join(lines))
        self._fill_corrections(materials)
        tab = tab_for(case)
        if move_tab and tab:
            self.tabs.setCurrentWidget(self.tab_pages[tab])
        if case.state == "ready" and case.compartment and not self.compartment.text():
            self.compartment.setPlaceholderText(tr("约定柜格：{c}", c=case.compartment))

    def _fill_corrections(self, materials: list[str]) -> None:
        if [c.text() for c in self.correction_items] == materials:
            return
        for c in self.correction_items:
            self.correction_box.removeWidget(c)
            c.deleteLater()
        self.correction_items = []
        for i, name in enumerate(materials):
            c = QCheckBox(name)
            c.setObjectName(f"case_correction_{i}")
            self.correction_box.addWidget(c)
            self.correction_items.append(c)

    def corrections(self) -> list[str]:
        names = [c.text() for c in self.correction_items if c.isChecked()]
        other = self.correction_other.text().strip()
        return [*names, other] if other else names

    def fill_ready(self, cases: list[CaseView]) -> None:
        self.ready.fill([{"id": c.id, "label": c.number or c.id, "matter_name": c.matter_name,
                          "applicant": c.applicant, "delivery_label": delivery_word(c)} for c in cases])

    def clear_person(self) -> None:
        """After a hand-out: nothing of the collector stays on the page."""
        for f in (self.id_number, self.collector, self.authorisation, self.tracking, self.compartment,
                  self.correction_other):
            f.clear()
        self.proxy.setChecked(False)
        for c in self.correction_items:
            c.setChecked(False)
