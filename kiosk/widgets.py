"""Building blocks of the kiosk's touch screens: the style sheet, labels, buttons, tiles, cards, QR codes,
and :class:`Page`, the scrollable screen every page of :mod:`kiosk.views` is.

Touch-first: buttons at least 72 px high (96 px in 长者模式), no hover-only affordances, lists
scroll by dragging. 长者模式 (elder mode) scales every text and button by :data:`ELDER_SCALE`
(≥ 1.6×); the header bar grows less (:data:`HEADER_SCALE_MAX`) so that it still fits one line.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import qrcode
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.model import KioskModel

ELDER_SCALE = 1.65  # 长者模式: every font and button ≥ 1.6× (24 px → 40 px)
HEADER_SCALE_MAX = 1.25  # the header bar (hall name, clock) grows less, so that it still fits one line

BLUE, DARK, RED, BG, TEXT, MUTED, GREEN, AMBER = (
    "#0b4ea2", "#083a7a", "#c8161d", "#eef3fa", "#1d2733", "#5b6b7f", "#1a7f37", "#b26a00")


def stylesheet(scale: float) -> str:
    def px(n: float) -> str:
        return f"{round(n * scale)}px"

    def hpx(n: float) -> str:
        return f"{round(n * min(scale, HEADER_SCALE_MAX))}px"

    return f"""
    QWidget#kiosk {{ background: {BG}; }}
    QWidget {{ color: {TEXT}; font-size: {px(24)}; }}
    QFrame#header {{ background: {BLUE}; border-bottom: 6px solid {RED}; }}
    QLabel#hall {{ color: white; font-size: {hpx(34)}; font-weight: bold; }}
    QLabel#clock {{ color: white; font-size: {hpx(24)}; }}
    QLabel#title {{ font-size: {px(38)}; font-weight: bold; color: {DARK}; }}
    QLabel#subtitle {{ font-size: {px(24)}; color: {MUTED}; }}
    QLabel#section {{ font-size: {px(28)}; font-weight: bold; color: {DARK}; padding-top: {px(8)}; }}
    QLabel#hint {{ font-size: {hpx(24)}; color: {MUTED}; }}
    QLabel#trail {{ font-size: {px(22)}; color: {BLUE}; }}
    QLabel#error {{ font-size: {px(26)}; color: {RED}; font-weight: bold; }}
    QLabel#big {{ font-size: {px(150)}; font-weight: bold; color: {RED}; }}
    QLabel#huge {{ font-size: {px(52)}; font-weight: bold; color: {DARK}; }}
    QLabel#badge {{ background: {BLUE}; color: white; border-radius: {px(8)}; padding: {px(6)} {px(16)};
                   font-size: {px(24)}; }}
    QLabel#badgeWarn {{ background: {AMBER}; color: white; border-radius: {px(8)}; padding: {px(6)} {px(16)};
                       font-size: {px(24)}; }}
    QFrame#badge {{ background: {BLUE}; border-radius: {px(8)}; }}
    QFrame#badgeWarn {{ background: {AMBER}; border-radius: {px(8)}; }}
    QLabel#badgeText {{ background: transparent; color: white; font-size: {px(26)}; font-weight: bold; }}
    QLabel#field {{ background: white; border: 3px solid #b8c6da; border-radius: {px(10)}; padding: {hpx(8)};
                   font-size: {px(40)}; font-family: monospace; min-height: {hpx(60)}; }}
    QLabel#fieldActive {{ background: white; border: 4px solid {BLUE}; border-radius: {px(10)}; padding: {hpx(8)};
                         font-size: {px(40)}; font-family: monospace; min-height: {hpx(60)}; }}
    QFrame#card {{ background: white; border: 1px solid #d5deea; border-radius: {px(14)}; }}
    QFrame#notice {{ background: #fff8e6; border: 1px solid #f0d9a0; border-radius: {px(12)}; }}
    QPushButton {{ min-height: {px(76)}; border-radius: {px(12)}; padding: {px(10)} {px(18)};
                   background: white; border: 2px solid #c3d0e3; font-size: {px(26)}; }}
    QPushButton:pressed {{ background: #dfe8f5; }}
    QPushButton:disabled {{ color: #9aa6b5; background: #e7ebf0; border-color: #d5dbe3; }}
    QPushButton#tile {{ text-align: left; min-height: {px(120)}; font-size: {px(28)}; font-weight: bold;
                        border-left: {px(10)} solid {BLUE}; border-top-left-radius: 0; border-bottom-left-radius: 0; }}
    QLabel#icon {{ background: {RED}; color: white; font-size: {px(96)}; font-weight: bold;
                   min-width: {px(150)}; max-width: {px(150)}; min-height: {px(150)}; max-height: {px(150)};
                   border-radius: {px(75)}; }}
    QPushButton#zone {{ min-height: {px(110)}; font-size: {px(28)}; font-weight: bold; background: {DARK};
                        color: white; border: none; }}
    QPushButton#primary {{ background: {BLUE}; color: white; border: none; font-size: {px(32)};
                           font-weight: bold; min-height: {px(96)}; }}
    QPushButton#primary:disabled {{ background: #9db3d3; color: #eef2f7; }}
    QPushButton#danger {{ background: {RED}; color: white; border: none; font-size: {px(30)}; font-weight: bold; }}
    QPushButton#action {{ background: white; color: {DARK}; border: 3px solid {BLUE}; font-size: {px(28)};
                          font-weight: bold; min-height: {px(100)}; }}
    QPushButton#option {{ text-align: left; min-height: {px(110)}; font-size: {px(32)}; padding-left: {px(28)};
                          border: 3px solid #b8c6da; }}
    QPushButton#key {{ min-height: {hpx(84)}; font-size: {px(38)}; font-weight: bold; }}
    QPushButton#nav {{ min-height: {px(72)}; min-width: {hpx(180)}; font-size: {px(26)};
                       padding: {hpx(10)} {hpx(16)}; }}
    QPushButton#elder {{ min-height: {px(56)}; background: transparent; color: white; border: 2px solid white;
                         font-size: {px(24)}; }}
    QPushButton#elderOn {{ min-height: {px(56)}; background: {RED}; color: white; border: 2px solid white;
                           font-size: {px(24)}; font-weight: bold; }}
    QLineEdit {{ font-size: {px(36)}; min-height: {px(76)}; border: 3px solid {BLUE}; border-radius: {px(10)};
                 padding: 0 {px(14)}; background: white; }}
    QScrollArea {{ border: none; background: transparent; }}
    QScrollArea > QWidget > QWidget {{ background: transparent; }}
    """


def clear(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.hide()
            w.deleteLater()
        elif item.layout() is not None:
            clear(item.layout())


def label(text: str, name: str = "", wrap: bool = True, align: Qt.AlignmentFlag | None = None) -> QLabel:
    lab = QLabel(text)
    if name:
        lab.setObjectName(name)
    lab.setWordWrap(wrap)
    if align is not None:
        lab.setAlignment(align)
    return lab


def badge(text: str, warn: bool = False) -> QFrame:
    """A coloured note the width of the page, its text wrapped inside.

    The colour and padding sit on a frame around a plain label: a word-wrapped QLabel with
    stylesheet padding gets its height from the text alone, which cut the green-channel
    instruction on the ID screen down to an unreadable line and a half."""
    f = QFrame()
    f.setObjectName("badgeWarn" if warn else "badge")
    lay = QVBoxLayout(f)
    lay.setContentsMargins(18, 8, 18, 8)
    text_label = label(text, "badgeText")
    lay.addWidget(text_label)
    return f


def button(text: str, on: Callable[[], None], name: str = "", enabled: bool = True) -> QPushButton:
    b = QPushButton(text)
    if name:
        b.setObjectName(name)
    b.setEnabled(enabled)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    b.clicked.connect(lambda _checked=False: on())  # clicked(bool) must not fill a default argument
    return b


def wrapped_button(text: str, on: Callable[[], None], name: str = "tile", sub: str = "") -> QPushButton:
    """A tile: QPushButton cannot wrap text, so a label inside does; the whole tile takes the touch."""
    b = button("", on, name)
    b.setAccessibleName(text)
    b.setProperty("tileText", text)
    inner = QVBoxLayout(b)
    inner.setContentsMargins(24, 10, 16, 10)
    main = label(text)
    main.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    main.setStyleSheet("font-weight: bold; background: transparent; color: inherit;")
    inner.addWidget(main)
    if sub:
        s = label(sub, "subtitle")
        s.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        s.setStyleSheet("background: transparent; font-weight: normal; font-size: 80%;")
        inner.addWidget(s)
    b.setMinimumHeight(main.sizeHint().height() + 40)
    return b


def card(*widgets: QWidget, name: str = "card", spacing: int = 10) -> QFrame:
    f = QFrame()
    f.setObjectName(name)
    lay = QVBoxLayout(f)
    lay.setContentsMargins(24, 18, 24, 18)
    lay.setSpacing(spacing)
    for w in widgets:
        lay.addWidget(w)
    return f


def qr_pixmap(url: str, size: int) -> QPixmap:
    img = qrcode.make(url, border=2).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    pix = QPixmap()
    pix.loadFromData(buf.getvalue(), "PNG")
    return pix.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)


class Page(QWidget):
    """A screen: a scrollable body that :meth:`redraw` fills from the model."""

    scrolls = True

    def __init__(self, model: KioskModel) -> None:
        super().__init__()
        self.model = model
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        holder = QWidget()
        self.body = QVBoxLayout(holder)
        self.body.setContentsMargins(36, 28, 36, 28)
        self.body.setSpacing(18)
        if self.scrolls:
            area = QScrollArea()
            area.setWidgetResizable(True)
            area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            area.setWidget(holder)
            QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
            outer.addWidget(area)
            self.area: QScrollArea | None = area
        else:
            outer.addWidget(holder)
            self.area = None

    @property
    def portrait(self) -> bool:
        win = self.window()
        return win.height() > win.width()

    @property
    def columns(self) -> int:
        return 2 if self.portrait else 3

    def redraw(self) -> None:
        key = (self.model.screen, id(self.model.walk), len(self.model.walk.path) if self.model.walk else 0)
        bar = self.area.verticalScrollBar() if self.area is not None else None
        keep = bar.value() if bar is not None and key == getattr(self, "_key", None) else 0
        self._key = key
        clear(self.body)
        self.fill()
        holder = self.body.parentWidget()
        if holder is not None and holder.isVisible():
            # Qt shows widgets added to a visible parent only on the next event loop pass; show them
            # now so that the screen is complete (and tappable) as soon as the model has changed.
            for w in holder.findChildren(QWidget):
                if not w.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide):
                    w.setVisible(True)
        if bar is not None:
            QTimer.singleShot(0, lambda: bar.setValue(keep))

    def fill(self) -> None:
        raise NotImplementedError

    def grid(self, widgets: Sequence[QWidget], columns: int | None = None) -> QGridLayout:
        g = QGridLayout()
        g.setSpacing(16)
        cols = columns or self.columns
        for i, w in enumerate(widgets):
            g.addWidget(w, i // cols, i % cols)
        for c in range(cols):
            g.setColumnStretch(c, 1)
        return g
