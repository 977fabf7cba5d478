"""Qt pieces shared by the hall and window screens: the palette, scaled fonts, clock text, the ticker,
panels, and :class:`BoardView`, the frame both screens are built in."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from hallq.i18n import tr

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

# Official palette: government red header, deep navy body, amber numbers; all pairs exceed 7:1 contrast
# except the muted grey, used only for secondary text.
RED = "#a8071a"
NAVY = "#0b1f44"
NAVY_2 = "#132e5e"
AMBER = "#ffd43b"
WHITE = "#ffffff"
MUTED = "#b8c4d9"
GREEN = "#51cf66"
CENTER = Qt.AlignmentFlag.AlignCenter
RIGHT = Qt.AlignmentFlag.AlignRight


def font(px: int, bold: bool = False) -> QFont:
    f = QFont(QApplication.font().family())
    f.setPixelSize(max(8, px))
    f.setBold(bold)
    return f


W = TypeVar("W", bound=QWidget)


class Scaler:
    """Remember each label's design size (at the design resolution) and rescale on resize."""

    def __init__(self, design_w: int, design_h: int) -> None:
        self.design = (design_w, design_h)
        self.items: list[tuple[QWidget, int, bool]] = []
        self.scale = 1.0

    def add(self, widget: W, px: int, bold: bool = False) -> W:
        self.items.append((widget, px, bold))
        widget.setFont(font(int(px * self.scale), bold))
        return widget

    def resize(self, widget: QWidget, px: int) -> None:
        """Change the design size of a widget added before (bold as it was)."""
        for i, (w, _old, bold) in enumerate(self.items):
            if w is widget:
                self.items[i] = (w, px, bold)
                widget.setFont(font(int(px * self.scale), bold))
                return

    def apply(self, width: int, height: int) -> None:
        self.scale = max(0.3, min(width / self.design[0], height / self.design[1]))
        for widget, px, bold in self.items:
            widget.setFont(font(int(px * self.scale), bold))


def label(text: str = "", color: str = WHITE, align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> QLabel:
    lab = QLabel(text)
    lab.setStyleSheet(f"color: {color}; background: transparent;")
    lab.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    return lab


def date_text(now: dt.datetime) -> str:
    return f"{tr('{y}年{m}月{d}日', y=now.year, m=now.month, d=now.day)} {tr(WEEKDAYS[now.weekday()])}"


class Ticker(QWidget):
    """A notice scrolling right to left, endlessly; ``step`` advances it (a timer or a test)."""

    def __init__(self, color: str = WHITE, background: str = RED, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.offset = 0.0
        self.color, self.background = QColor(color), QColor(background)
        self.speed = 2.0  # pixels per step at scale 1
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.step)

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text, self.offset = text, 0.0
            self.update()

    def start(self, interval_ms: int = 30) -> None:
        self.timer.start(interval_ms)

    def step(self) -> None:
        width = self.fontMetrics().horizontalAdvance(self.text + "　" * 4)
        self.offset = (self.offset + self.speed * max(1.0, self.height() / 60)) % max(1, width)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.fillRect(self.rect(), self.background)
        if not self.text:
            return
        p.setPen(self.color)
        p.setFont(self.font())
        gap = "　" * 4
        unit = self.fontMetrics().horizontalAdvance(self.text + gap)
        x = 24 - self.offset
        while x < self.width():
            p.drawText(QRectF(x, 0, unit, self.height()), Qt.AlignmentFlag.AlignVCenter, self.text + gap)
            x += unit


# ---------------------------------------------------------------- the frame both hall-facing screens share

PANEL_EDGE = "#2b4a85"


def panel_style(name: str, background: str = NAVY_2, edge: str = PANEL_EDGE) -> str:
    """The rounded navy panel's style sheet (the hall TV flashes it amber)."""
    return f"QFrame#{name} {{ background: {background}; border: 3px solid {edge}; border-radius: 18px; }}"


def panel(name: str = "panel") -> QFrame:
    f = QFrame()
    f.setObjectName(name)
    f.setStyleSheet(panel_style(name))
    return f


def column(*widgets: QWidget, top: int = 0, bottom: int = 0) -> QVBoxLayout:
    """Widgets stacked in the middle of a column; the room above and below is shared by the stretch
    factors ``top`` and ``bottom`` (both 0: equally)."""
    col = QVBoxLayout()
    col.addStretch(top)
    for w in widgets:
        col.addWidget(w)
    col.addStretch(bottom)
    return col


class BoardView(QWidget):
    """The hall TV's and the window screen's frame: navy, a red header bar over a stack of pages, and
    fonts that follow the window size (:class:`Scaler`, designed at ``design`` pixels).

    A subclass builds its header with :meth:`header_bar` and adds it and :attr:`stack` to
    :attr:`root`; :meth:`rescaled` runs after every resize has rescaled the fonts."""

    def __init__(self, design: tuple[int, int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scaler = Scaler(*design)
        self.setStyleSheet(f"background: {NAVY};")
        self.setAutoFillBackground(True)
        self.root = QVBoxLayout(self)
        self.root.setContentsMargins(0, 0, 0, 0)
        self.root.setSpacing(0)
        self.stack = QStackedWidget()

    def header_bar(self, height: int, margin: int) -> tuple[QFrame, QHBoxLayout]:
        bar = QFrame()
        bar.setStyleSheet(f"background: {RED};")
        bar.setFixedHeight(height)
        row = QHBoxLayout(bar)
        row.setContentsMargins(margin, 0, margin, 0)
        return bar, row

    def message_page(self, *lines: tuple[str, int, bool], top: int = 0, bottom: int = 0
                     ) -> tuple[QWidget, list[QLabel]]:
        """A page of centred lines, each ``(colour, design px, bold)``."""
        page = QWidget()
        labels = [self.scaler.add(label(color=color, align=CENTER), px, bold) for color, px, bold in lines]
        page.setLayout(column(*labels, top=top, bottom=bottom))
        return page, labels

    def rescaled(self) -> None:
        """After a resize: what depends on the new font sizes."""

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        self.scaler.apply(event.size().width(), event.size().height())
        self.rescaled()
        super().resizeEvent(event)
