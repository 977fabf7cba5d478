"""The 登记办件 page of the window's pad (受理 opens a case): binds widgets to a
:class:`~pad.case_front.CaseDraft` and shows the case the hub opened, nothing more.

Two faces in one page: the form (即办件/承诺件 and working days, the provincial case number typed or
scanned — a keyboard-wedge scanner types into the field and presses Enter —, the materials received
with 原件/复印件 and counts, the delivery method), and after the hub confirmed, the case with its
print and 当场办结 buttons. The postal address is typed once; the field then shows it masked and the
draft holds it only until the command is sent.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hallq.i18n import tr
from hallq.messages import CaseView
from pad.case_front import (
    DELIVERY_LABELS,
    FORM_LABELS,
    KIND_LABELS,
    CaseDraft,
    delivery_word,
    kind_word,
    mask_address,
    material_text,
    state_word,
)
from pad.widgets import button, label, scrolled

SPIN = "QSpinBox::up-button, QSpinBox::down-button { width: 34px; }"  # arrows a finger can hit
ROW_STYLE = "QPushButton { min-height: 44px; font-size: 17px; } QSpinBox { min-height: 44px; font-size: 19px; }" + SPIN


def _checkable(text: str, name: str, on_click: Callable[[], object]) -> QPushButton:
    b = button(text, name, on_click=on_click)
    b.setCheckable(True)
    b.setStyleSheet("QPushButton:checked { background: #1d6fd6; color: white; border: none; font-weight: bold; }")
    return b


def enter_address(field: QLineEdit) -> str:
    """An address typed once into ``field``: returned, and the field then shows only its start and
    takes no more typing ("" when there is nothing new to take)."""
    if field.isReadOnly():
        return ""
    text = field.text().strip()
    if text:
        field.setText(mask_address(text))
        field.setReadOnly(True)
    return text


def show_way(way: str, buttons: dict[str, QPushButton], compartment: QLineEdit, address: QLineEdit,
             again: QPushButton) -> None:
    """A delivery method chosen: its button checked, the field it needs (柜格号 / 地址) shown."""
    for k, b in buttons.items():
        b.setChecked(k == way)
    compartment.setVisible(way == "locker")
    address.setVisible(way == "mail")
    again.setVisible(way == "mail")


def retype_address(field: QLineEdit) -> None:
    field.setReadOnly(False)
    field.clear()
    field.setFocus()


class _TapLabel(QLabel):
    """A material's name beside its box: wraps, and a tap on it ticks the box."""

    def __init__(self, text: str, box: QCheckBox) -> None:
        super().__init__(text)
        self.box = box
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(120)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        self.box.toggle()
        event.accept()


class CaseAcceptPage(QWidget):
    """``on_send(draft)`` sends case.accept; ``on_back()`` leaves; ``on_print(kind)``/``on_done()`` act
    on the case the hub opened."""

    def __init__(self, on_send: Callable[[CaseDraft], object], on_back: Callable[[], object],
                 on_print: Callable[[str], object], on_done: Callable[[], object]) -> None:
        super().__init__()
        self.setObjectName("case_accept")
        self.draft: CaseDraft | None = None
        self._on_send = on_send
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 8, 16, 8)
        self.heading = label("", "title", wrap=True)
        self.heading.setObjectName("case_heading")
        self.heading.setStyleSheet("font-size: 22px; font-weight: bold; color: #102a43;")
        outer.addWidget(self.heading)
        self.faces = QStackedWidget()
        outer.addWidget(self.faces, 1)
        self.form = self._form(on_back)
        self.done_face = self._done_face(on_back, on_print, on_done)
        self.faces.addWidget(self.form)
        self.faces.addWidget(self.done_face)

    # ------------------------------------------------------------ the form

    def _form(self, on_back: Callable[[], object]) -> QWidget:
        face = QWidget()
        row = QHBoxLayout(face)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        left = QFrame()
        left.setObjectName("panel")
        col = QVBoxLayout(left)
        col.setContentsMargins(12, 8, 12, 8)
        col.addWidget(label(tr("收取材料（勾选收到的，选原件/复印件和份数）"), "muted"))
        self.material_box = QWidget()
        self.material_grid = QGridLayout(self.material_box)
        self.material_grid.setContentsMargins(0, 0, 0, 0)
        self.material_grid.setVerticalSpacing(4)
        self.material_box.setStyleSheet(ROW_STYLE)
        col.addWidget(scrolled(self.material_box), 1)
        row.addWidget(left, 5)

        right = QVBoxLayout()
        right.setSpacing(6)
        right.addWidget(label(tr("办件类型"), "muted"))
        kinds = QHBoxLayout()
        self.kind_btns = {k: _checkable(tr(v), f"case_kind_{k}", functools.partial(self._kind, k))
                          for k, v in KIND_LABELS.items()}
        for b in self.kind_btns.values():
            kinds.addWidget(b)
        self.days = QSpinBox()
        self.days.setObjectName("case_days")
        self.days.setRange(1, 365)
        self.days.setSuffix(tr(" 个工作日"))
        self.days.setStyleSheet("QSpinBox { min-height: 48px; font-size: 20px; }" + SPIN)
        kinds.addWidget(self.days)
        right.addLayout(kinds)
        right.addWidget(label(tr("办件编号（省平台，可扫码；可不填）"), "muted"))
        self.number = QLineEdit()
        self.number.setObjectName("case_number")
        self.number.setPlaceholderText(tr("扫描转递单条码或输入"))
        self.number.setMaxLength(64)
        right.addWidget(self.number)
        right.addWidget(label(tr("送达方式"), "muted"))
        ways = QHBoxLayout()
        self.delivery_btns = {k: _checkable(tr(v), f"case_delivery_{k}", functools.partial(self._delivery, k))
                              for k, v in DELIVERY_LABELS.items()}
        for b in self.delivery_btns.values():
            ways.addWidget(b)
        right.addLayout(ways)
        self.compartment = QLineEdit()
        self.compartment.setObjectName("case_compartment")
        self.compartment.setPlaceholderText(tr("自助柜柜格号，如 A-03"))
        self.compartment.setMaxLength(64)
        right.addWidget(self.compartment)
        addr = QHBoxLayout()
        self.address = QLineEdit()
        self.address.setObjectName("case_address")
        self.address.setPlaceholderText(tr("邮寄地址（填写后只显示部分）"))
        self.address.setMaxLength(500)
        self.address.editingFinished.connect(self._address_entered)
        self.address_again = button(tr("重填"), "case_address_again", "flat", self._address_again)
        self.address_again.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        addr.addWidget(self.address, 1)
        addr.addWidget(self.address_again)
        right.addLayout(addr)
        self.hint = label("", "muted", wrap=True)
        self.hint.setObjectName("case_hint")
        right.addWidget(self.hint)
        right.addStretch(1)
        self.send_btn = button(tr("确认受理，登记办件"), "case_send", "good", self._send)
        self.send_btn.setMinimumHeight(72)
        right.addWidget(self.send_btn)
        self.skip_btn = button(tr("跳过，不登记办件"), "case_skip", "flat", on_back)
        right.addWidget(self.skip_btn)
        row.addLayout(right, 4)
        self.number.returnPressed.connect(self.compartment.setFocus)  # a scanner's Enter moves on
        return face

    def load(self, draft: CaseDraft, title: str, hint: str) -> None:
        """A fresh form for ``draft`` (the matter's defaults)."""
        self.draft = draft
        self.heading.setText(title)
        self.hint.setText(hint)
        self.number.clear()
        self.compartment.clear()
        self.address.clear()
        self.address.setReadOnly(False)
        while self.material_grid.count():
            item = self.material_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.material_rows: list[tuple[QCheckBox, QPushButton, QSpinBox]] = []
        for i, m in enumerate(draft.materials):
            box = QCheckBox()
            box.setObjectName(f"case_material_{i}")
            box.setChecked(m.received)
            name = _TapLabel(m.name, box)  # names from the hall file wrap; a tap on one ticks its box
            form = button(tr(FORM_LABELS[m.form]), f"case_form_{i}", on_click=functools.partial(self._form_toggle, i))
            form.setFixedWidth(96)
            count = QSpinBox()
            count.setObjectName(f"case_count_{i}")
            count.setRange(1, 999)
            count.setValue(m.count)
            count.setSuffix(tr(" 份"))
            count.setFixedWidth(124)
            self.material_grid.addWidget(box, i, 0)
            self.material_grid.addWidget(name, i, 1)
            self.material_grid.addWidget(form, i, 2)
            self.material_grid.addWidget(count, i, 3)
            self.material_rows.append((box, form, count))
        self.material_grid.setRowStretch(len(draft.materials), 1)
        self.material_grid.setColumnStretch(1, 1)
        self._kind(draft.kind)
        self.days.setValue(max(1, draft.promised_days))
        self._delivery(draft.delivery)
        self.faces.setCurrentWidget(self.form)

    def _form_toggle(self, i: int) -> None:
        if self.draft is None:
            return
        m = self.draft.materials[i]
        m.form = "copy" if m.form == "original" else "original"
        self.material_rows[i][1].setText(tr(FORM_LABELS[m.form]))

    def _kind(self, kind: str) -> None:
        if self.draft is not None:
            self.draft.kind = kind
        for k, b in self.kind_btns.items():
            b.setChecked(k == kind)
        self.days.setEnabled(kind == "promised")

    def _delivery(self, way: str) -> None:
        if self.draft is not None:
            self.draft.delivery = way
        show_way(way, self.delivery_btns, self.compartment, self.address, self.address_again)

    def _address_entered(self) -> None:
        """The address typed once: kept in the draft, the field shows only its start."""
        if self.draft is None:
            return
        text = enter_address(self.address)
        if text:
            self.draft.address = text

    def _address_again(self) -> None:
        if self.draft is not None:
            self.draft.address = ""
        retype_address(self.address)

    def collect(self) -> CaseDraft | None:
        """The draft with what the widgets say now."""
        d = self.draft
        if d is None:
            return None
        self._address_entered()
        for m, (box, _form, count) in zip(d.materials, self.material_rows, strict=True):
            m.received = box.isChecked()
            m.count = count.value()
        d.promised_days = self.days.value() if d.kind == "promised" else 0
        d.case_number = self.number.text().strip()
        d.compartment = self.compartment.text().strip()
        return d

    def _send(self) -> None:
        d = self.collect()
        if d is not None:
            self._on_send(d)

    # ------------------------------------------------------------ the case the hub opened

    def _done_face(self, on_back: Callable[[], object], on_print: Callable[[str], object],
                   on_done: Callable[[], object]) -> QWidget:
        face = QWidget()
        row = QHBoxLayout(face)
        row.setContentsMargins(0, 0, 0, 0)
        panel = QFrame()
        panel.setObjectName("panel")
        col = QVBoxLayout(panel)
        self.case_text = label("", wrap=True)
        self.case_text.setObjectName("case_summary")
        self.case_text.setStyleSheet("font-size: 20px;")
        self.case_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        col.addWidget(self.case_text, 1)
        row.addWidget(panel, 5)
        right = QVBoxLayout()
        self.print_btns = {
            "acceptance": button(tr("打印受理通知书"), "case_print_acceptance",
                                 on_click=lambda: on_print("acceptance")),
            "handover": button(tr("打印材料转递单（附件4）"), "case_print_handover",
                               on_click=lambda: on_print("handover")),
            "completion": button(tr("打印办结通知书"), "case_print_completion",
                                 on_click=lambda: on_print("completion")),
        }
        self.done_btn = button(tr("当场办结（即办件）"), "case_done_on_spot", "good", on_done)
        right.addWidget(self.done_btn)
        for b in self.print_btns.values():
            right.addWidget(b)
        right.addStretch(1)
        right.addWidget(button(tr("返回服务"), "case_back", "primary", on_back))
        row.addLayout(right, 4)
        return face

    def show_case(self, case: CaseView, printer: bool) -> None:
        self.faces.setCurrentWidget(self.done_face)
        lines = [
            tr("办件码：{c}", c=case.id),
            *([tr("办件编号：{n}", n=case.number)] if case.number else []),
            tr("状态：{s}", s=state_word(case)),
            tr("事项：{m}", m=case.matter_name),
            tr("申请人：{a}", a=case.applicant or tr("（未登记）")),
            tr("类型：{k}", k=kind_word(case)) + (tr("，承诺 {d} 个工作日，{due} 前办结", d=case.promised_days,
                                                   due=case.due) if case.kind == "promised" else ""),
            tr("审批部门：{d}", d=case.department),
            tr("送达方式：{d}", d=delivery_word(case)) + (f"（{case.compartment}）" if case.compartment else "")
            + (tr("（地址已登记）") if case.address else ""),
            tr("收取材料：") + ("；".join(material_text(m) for m in case.materials) or tr("（无）")),
        ]
        self.case_text.setText("\n".join(lines))
        immediate_open = case.kind == "immediate" and case.state == "accepted"
        self.done_btn.setVisible(case.kind == "immediate")
        self.done_btn.setEnabled(immediate_open)
        self.print_btns["acceptance"].setVisible(case.kind == "promised")
        self.print_btns["completion"].setVisible(case.kind == "immediate")
        self.print_btns["completion"].setEnabled(printer and case.state == "collected")
        for k in ("acceptance", "handover"):
            self.print_btns[k].setEnabled(printer)

    def set_enabled(self, idle: bool) -> None:
        self.send_btn.setEnabled(idle)
