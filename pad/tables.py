"""The guide console's building blocks: tables refilled from row dicts, reason boxes, combo boxes,
and the page every table tab shares (the list on the left, the actions on a panel on the right)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLayout,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hallq.i18n import tr
from pad.guide import OVERRIDE_REASONS
from pad.widgets import label

RED, AMBER, GREEN, GREY = QColor("#c53030"), QColor("#b45309"), QColor("#1f9d55"), QColor("#7b8794")
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


def titled(title: str, widget: QWidget) -> QWidget:
    """``widget`` under a bold title (the overview's windows, queues, alerts, devices)."""
    box = QWidget()
    col = QVBoxLayout(box)
    col.setContentsMargins(0, 0, 0, 0)
    col.setSpacing(4)
    lab = label(title, "title")
    lab.setStyleSheet("font-size: 18px; font-weight: bold; color: #243b53;")
    col.addWidget(lab)
    col.addWidget(widget, 1)
    return box


def split_page(left: QWidget | QLayout) -> tuple[QWidget, QVBoxLayout]:
    """A tab's page: ``left`` (a table, or a layout around one) takes three fifths, a panel the rest.

    Returns the page and the panel's column; the caller adds the panel's widgets, then a stretch."""
    page = QWidget()
    row = QHBoxLayout(page)
    row.setContentsMargins(12, 10, 12, 10)
    if isinstance(left, QLayout):
        row.addLayout(left, 3)
    else:
        row.addWidget(left, 3)
    panel = QFrame()
    panel.setObjectName("panel")
    col = QVBoxLayout(panel)
    col.setContentsMargins(14, 10, 14, 10)
    row.addWidget(panel, 2)
    return page, col


def fill_combo(box: QComboBox, items: list[tuple[str, str]], prefer: str = "") -> None:
    """Refill a combo box only when its items change; keep the choice; ``prefer`` selects once per value."""
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
