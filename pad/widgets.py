"""Touch-first building blocks shared by the staff pad and the guide console.

Big buttons (at least 56 px high), an offline banner, an on-screen keypad, and a choice
page that replaces modal dialogs: it lives in the window's stack, so a finger (and a
test) reaches it like any other page and nothing blocks the event loop.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hallq.i18n import tr

STYLE = """
QWidget { font-size: 17px; }
QPushButton { min-height: 56px; border-radius: 8px; border: 1px solid #9aa5b1; background: #f5f7fa;
              padding: 4px 12px; font-size: 19px; }
QPushButton:disabled { color: #a0a8b0; background: #eceff2; border-color: #d5dae0; }
QPushButton:pressed { background: #d9e2ec; }
QPushButton[kind="primary"] { background: #1d6fd6; color: white; border: none; font-size: 34px; font-weight: bold; }
QPushButton[kind="primary"]:disabled { background: #9dbbe0; color: #eef3f9; }
QPushButton[kind="good"] { background: #1f9d55; color: white; border: none; font-weight: bold; }
QPushButton[kind="good"]:disabled { background: #a3d4b5; color: #f0f7f2; }
QPushButton[kind="info"] { background: #0e7490; color: white; border: none; font-weight: bold; }
QPushButton[kind="info"]:disabled { background: #9ccbd6; color: #eef7f9; }
QPushButton[kind="warn"] { background: #d97706; color: white; border: none; font-weight: bold; }
QPushButton[kind="warn"]:disabled { background: #ecc594; color: #fbf3e8; }
QPushButton[kind="bad"] { background: #c53030; color: white; border: none; font-weight: bold; }
QPushButton[kind="bad"]:disabled { background: #e5a5a5; color: #fbeeee; }
QPushButton[kind="flat"] { background: transparent; border: 1px solid #cbd2d9; font-size: 17px; min-height: 44px; }
QLabel#banner { background: #c53030; color: white; font-size: 20px; font-weight: bold; padding: 10px; }
QLabel#notice_info { color: #1f5f3a; font-size: 17px; }
QLabel#notice_error { color: #b42318; font-size: 17px; font-weight: bold; }
QLabel#big_number { font-size: 96px; font-weight: bold; color: #102a43; }
QLabel#title { font-size: 22px; font-weight: bold; color: #102a43; }
QLabel#muted { color: #52606d; }
QLabel#conn_on { color: #1f9d55; font-weight: bold; }
QLabel#conn_off { color: #c53030; font-weight: bold; }
QFrame#panel, QWidget#panel { background: white; border: 1px solid #d5dae0; border-radius: 10px; }
QLineEdit { min-height: 48px; font-size: 22px; padding: 0 8px; }
QComboBox { min-height: 44px; font-size: 18px; }
QTableWidget { font-size: 16px; }
QHeaderView::section { font-size: 15px; padding: 4px; background: #eef2f6; border: none; }
QListWidget { font-size: 17px; }
QCheckBox { font-size: 18px; min-height: 36px; }
QCheckBox::indicator { width: 26px; height: 26px; }
QTabBar::tab { min-height: 44px; min-width: 140px; font-size: 18px; }
"""


def button(text: str, name: str, kind: str = "", on_click: Callable[[], object] | None = None,
           wrap: bool = False) -> QPushButton:
    """A touch button; ``wrap`` for text that comes from the hall file (names of any length)."""
    b = WrapButton(text) if wrap else QPushButton(text)
    b.setObjectName(name)
    if kind:
        b.setProperty("kind", kind)
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    if on_click is not None:
        b.clicked.connect(lambda _checked=False: on_click())
    return b


def wrap_lines(text: str, metrics: QFontMetrics, width: int) -> list[str]:
    """Greedy line breaks for a button face: at spaces when a word fits, else between characters
    (Chinese has no spaces; a department name must break anywhere rather than widen the window)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for ch in para:
            if line and metrics.horizontalAdvance(line + ch) > width:
                cut = line.rfind(" ")
                if ch != " " and cut > 0 and metrics.horizontalAdvance(line[cut + 1:] + ch) <= width:
                    lines.append(line[:cut])
                    line = line[cut + 1:]
                else:
                    lines.append(line.rstrip())
                    line = ""
                if ch == " ":
                    continue
            line += ch
        lines.append(line)
    return lines


class WrapButton(QPushButton):
    """A button whose text wraps to its width: long names never widen the window (issue 13 §5).

    ``full_text()`` is the text as given; the face shows it broken into lines. Its minimum
    height grows with the lines, so a scroll area (not the window) makes room for many options.
    """

    PAD_W, PAD_H = 28, 16  # the style sheet's padding and border, both sides

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self._full = text
        self._lines = 1
        self._rewrap()

    def full_text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:  # noqa: N802 (Qt API)
        self._full = text
        self._rewrap()

    def _rewrap(self) -> None:
        width = self.width() - self.PAD_W
        lines = wrap_lines(self._full, self.fontMetrics(), width) if width > 20 else [self._full]
        super().setText("\n".join(lines))
        if len(lines) != self._lines:
            self._lines = len(lines)
            self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._rewrap()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        fm = self.fontMetrics()
        widest = max((fm.horizontalAdvance(p) for p in self._full.split("\n")), default=0)
        return QSize(min(widest + self.PAD_W, 360), self.minimumSizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(80, max(56, self._lines * self.fontMetrics().lineSpacing() + self.PAD_H))


class ElideLabel(QLabel):
    """One line that never widens its window: when too long it ends in "…" and the tooltip
    holds the whole text. ``full_text()`` is the text as given."""

    def __init__(self, text: str = "", name: str = "") -> None:
        super().__init__()
        if name:
            self.setObjectName(name)
        self._full = ""
        self.setText(text)

    def full_text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:  # noqa: N802 (Qt API)
        self._full = text
        self._elide()

    def _elide(self) -> None:
        fm = self.fontMetrics()
        shown = self._full
        if fm.horizontalAdvance(shown) > self.width() > 0:
            shown = fm.elidedText(shown, Qt.TextElideMode.ElideRight, self.width())
        super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._elide()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        m = self.contentsMargins()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + m.left() + m.right() + 2,
                     super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(24, super().minimumSizeHint().height())


def scrolled(page: QWidget) -> QScrollArea:
    """A page that scrolls (vertically) rather than make its window taller than the screen."""
    area = QScrollArea()
    area.setObjectName(f"{page.objectName() or 'page'}_scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(page)
    return area


def label(text: str = "", name: str = "", wrap: bool = False) -> QLabel:
    lab = QLabel(text)
    if name:
        lab.setObjectName(name)
    lab.setWordWrap(wrap)
    return lab


def set_name(widget: QWidget, name: str) -> None:
    """Change a styled object name and re-apply the style sheet."""
    if widget.objectName() != name:
        widget.setObjectName(name)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


class Banner(QLabel):
    """The red offline banner; hidden when there is nothing to say."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("banner")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hide()

    def show_text(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


def pad_screen(view: QWidget, name: str, title: str, refresh: Callable[[], None]) -> tuple[QVBoxLayout, Banner]:
    """The frame both pad screens share: named, styled, titled, 1280×800, repainted every second,
    a column without margins that starts with the offline banner. Returns the column and the banner."""
    view.setObjectName(name)
    view.setStyleSheet(STYLE)
    view.setWindowTitle(title)
    view.resize(1280, 800)
    root = QVBoxLayout(view)
    root.setContentsMargins(0, 0, 0, 0)
    root.setSpacing(0)
    banner = Banner()
    root.addWidget(banner)
    timer = QTimer(view)
    timer.setObjectName("repaint")
    timer.timeout.connect(refresh)
    timer.start(1000)
    return root, banner


def top_bar(background: str, title_name: str = "") -> tuple[QWidget, QHBoxLayout, ElideLabel]:
    """The dark bar atop both pad screens, with its title (one line, elided: names come from the
    hall file and may be long). Returns the bar, its row (the screen adds the rest) and the title."""
    bar = QWidget()
    bar.setStyleSheet(f"background: {background};")
    row = QHBoxLayout(bar)
    row.setContentsMargins(16, 8, 16, 8)
    title = ElideLabel("", title_name)
    title.setStyleSheet("color: white; font-size: 24px; font-weight: bold;")
    return bar, row, title


class Keypad(QWidget):
    """Digits (and optional letters) typed into whichever line edit is ``target``."""

    def __init__(self, letters: Sequence[str] = (), name: str = "keypad") -> None:
        super().__init__()
        self.setObjectName(name)
        self.target: QLineEdit | None = None
        grid = QGridLayout(self)
        grid.setSpacing(6)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "C"]
        for i, k in enumerate(keys):
            b = button(k, f"{name}_{k}", on_click=functools.partial(self.press, k))
            grid.addWidget(b, i // 3, i % 3)
        if letters:  # queue prefixes, for ticket numbers (A012)
            row = QHBoxLayout()
            for letter in letters:
                row.addWidget(button(letter, f"{name}_{letter}", on_click=functools.partial(self.press, letter)))
            grid.addLayout(row, 4, 0, 1, 3)

    def press(self, key: str) -> None:
        if self.target is None:
            return
        if key == "⌫":
            self.target.backspace()
        elif key == "C":
            self.target.clear()
        else:
            self.target.insert(key)


class ChoicePage(QWidget):
    """A full page: a question, big option buttons, optional free text, and 取消.

    ``ask(title, options, on_choose, text=…)`` fills it; a tap on an option calls
    ``on_choose(option_key, text)``. Options are ``(key, label)`` pairs.
    """

    def __init__(self, on_close: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("choice")
        self.on_close = on_close
        self._on_choose: Callable[[str, str], None] | None = None
        self._need_text = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 16)
        self.title = label("", "title", wrap=True)
        outer.addWidget(self.title)
        self.hint = label("", "muted", wrap=True)
        outer.addWidget(self.hint)
        self.text = QLineEdit()
        self.text.setObjectName("choice_text")
        outer.addWidget(self.text)
        self.keypad_host = QHBoxLayout()
        outer.addLayout(self.keypad_host)
        self.keypad: Keypad | None = None
        self.grid_host = QWidget()
        self.grid_host.setObjectName("choice_grid")
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(8)
        # many long options (every queue and window of a big hall) scroll; they never widen the window
        self.options_area = QScrollArea()
        self.options_area.setObjectName("choice_scroll")
        self.options_area.setWidgetResizable(True)
        self.options_area.setFrameShape(QFrame.Shape.NoFrame)
        self.options_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.options_area.setWidget(self.grid_host)
        self.options_area.setStyleSheet("QScrollArea, QWidget#choice_grid { background: transparent; }")
        outer.addWidget(self.options_area, 1)
        self.cancel = button(tr("取消"), "choice_cancel", "flat", self.close_page)
        outer.addWidget(self.cancel)

    def ask(self, title: str, options: Sequence[tuple[str, str]], on_choose: Callable[[str, str], None], *,
            text: str | None = None, hint: str = "", columns: int = 3, keypad: bool = False,
            need_text: bool = False, letters: Sequence[str] = ()) -> None:
        self.title.setText(title)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.text.setVisible(text is not None)
        self.text.setPlaceholderText(text or "")
        self.text.clear()
        if self.keypad is not None:
            self.keypad_host.removeWidget(self.keypad)
            self.keypad.deleteLater()
            self.keypad = None
        if keypad:
            self.keypad = Keypad(letters, name="choice_keypad")
            self.keypad.target = self.text
            self.keypad.setMaximumWidth(520)
            self.keypad_host.addWidget(self.keypad)
        self._need_text = need_text
        self._on_choose = on_choose
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for i, (key, text_) in enumerate(options):
            b = button(text_, f"choice_{key}", on_click=functools.partial(self._choose, key), wrap=True)
            self.grid.addWidget(b, i // columns, i % columns)
        for c in range(self.grid.columnCount()):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)

    def _choose(self, key: str) -> None:
        text = self.text.text().strip()
        if self._need_text and not text:
            self.hint.setText(tr("请先填写：{what}", what=self.text.placeholderText()))
            self.hint.show()
            return
        fn = self._on_choose
        self.close_page()
        if fn is not None:
            fn(key, text)

    def close_page(self) -> None:
        self._on_choose = None
        self.on_close()
