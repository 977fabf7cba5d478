"""The kiosk's touch screen (PySide6): header (hall, clock, 长者模式), the current page, Back/Home.

Views only bind to :class:`kiosk.model.KioskModel`. Each screen is a page that redraws itself
from the model when the model changes; every touch calls one model method. The pages live in
:mod:`kiosk.guidance_pages` (情形引导: start to result) and :mod:`kiosk.ticket_pages` (取号: keypad
to ticket, and the out-of-service screens); their building blocks and style sheet in
:mod:`kiosk.widgets`. Portrait 1080×1920 and landscape 1920×1080 both work.

长者模式 (elder mode) scales every text and button by :data:`~kiosk.widgets.ELDER_SCALE` (≥ 1.6×),
uses fewer columns and drops secondary lines (departments under matter names), but keeps every
function of the normal screens: search, zones, 全部事项, every popular matter.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hallq import clock as hallclock
from hallq.i18n import tr
from kiosk.guidance_pages import MattersPage, PriorityPage, QuestionPage, ResultPage, StartPage
from kiosk.idreader import WedgeDecoder
from kiosk.model import Field, KioskModel, Screen
from kiosk.texts import register as _register_texts
from kiosk.ticket_pages import EntryPage, NoticePage, OfflinePage, PaperOutPage, TicketPage, WorkingPage
from kiosk.widgets import ELDER_SCALE, Page, button, label, stylesheet

_register_texts()

PAGES: dict[Screen, type[Page]] = {
    Screen.START: StartPage, Screen.MATTERS: MattersPage, Screen.PRIORITY: PriorityPage,
    Screen.QUESTION: QuestionPage, Screen.RESULT: ResultPage, Screen.IDENTIFY: EntryPage,
    Screen.RETAKE: EntryPage, Screen.CHECKIN: EntryPage, Screen.WORKING: WorkingPage,
    Screen.TICKET: TicketPage, Screen.NOTICE: NoticePage, Screen.OFFLINE: OfflinePage,
    Screen.PAPER_OUT: PaperOutPage,
}
NO_NAV = (Screen.START, Screen.OFFLINE, Screen.PAPER_OUT, Screen.WORKING, Screen.TICKET, Screen.NOTICE)


class KioskWindow(QWidget):
    """The whole kiosk screen: header (hall, clock, 长者模式), the current page, Back/Home."""

    def __init__(self, model: KioskModel, wedge: WedgeDecoder | None = None) -> None:
        super().__init__()
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.model = model
        self.wedge = wedge
        self._scale = 0.0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        header = QFrame()
        header.setObjectName("header")
        h = QHBoxLayout(header)
        h.setContentsMargins(32, 16, 32, 16)
        self.hall_label = label("", "hall", wrap=False)
        self.clock = label("", "clock", wrap=False)
        self.elder_button = button("", lambda: model.set_elder(not model.elder), "elder")
        self.elder_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.hall_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hall_label.setMinimumWidth(200)
        h.addWidget(self.hall_label, 1)
        h.addWidget(self.clock)
        h.addSpacing(24)
        h.addWidget(self.elder_button)
        lay.addWidget(header)
        self.stack = QStackedWidget()
        self.pages: dict[Screen, Page] = {}
        for screen, cls in PAGES.items():
            page = self.pages.get(Screen.IDENTIFY) if cls is EntryPage and Screen.IDENTIFY in self.pages else None
            if page is None:
                page = cls(model)
                self.stack.addWidget(page)
            self.pages[screen] = page
        lay.addWidget(self.stack, 1)
        self.footer = QFrame()
        f = QHBoxLayout(self.footer)
        f.setContentsMargins(32, 12, 32, 20)
        self.back_button = button(tr("返回上一步"), model.back, "nav")
        self.home_button = button(tr("返回首页"), model.home, "nav")
        self.hint = label("", "hint", wrap=False)  # small print: grows less in 长者模式, fits between the buttons
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # the countdown never widens the window (long English, 长者模式): it gets what is left
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for w in (self.back_button, self.home_button):
            w.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        f.addWidget(self.back_button)
        f.addWidget(self.hint, 1)
        f.addWidget(self.home_button)
        lay.addWidget(self.footer)
        self._wedge_last = 0.0
        self._before_burst: dict[Field, str] = {}
        model.subscribe(self.refresh)
        self._clock_timer = QTimer(self)
        self._clock_timer.timeout.connect(self._update_clock)
        self._clock_timer.start(1000)
        self._update_clock()
        self.installEventFilter(self)
        self.refresh()

    def _update_clock(self) -> None:
        tz = self.model.catalog.timezone if self.model.catalog else None
        self.clock.setText(hallclock.local(self.model.clock(), tz).strftime("%Y-%m-%d %H:%M"))
        m = self.model
        if m.visible not in (Screen.START, Screen.OFFLINE, Screen.PAPER_OUT, Screen.WORKING):
            limit = m.ticket_timeout if m.screen is Screen.TICKET else m.idle_timeout
            left = max(0, int(limit - (m.clock() - m.last_activity)))
            self.hint.setText(tr("{n} 秒无操作将返回首页", n=left))
        else:
            self.hint.setText("")

    def refresh(self) -> None:
        m = self.model
        scale = ELDER_SCALE if m.elder else 1.0
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(stylesheet(scale))
        cat = m.catalog
        self.hall_label.setText(cat.hall_name if cat else "hallq")
        self.elder_button.setText(tr("长者模式：开") if m.elder else tr("长者模式"))
        self.elder_button.setObjectName("elderOn" if m.elder else "elder")
        self.elder_button.style().unpolish(self.elder_button)
        self.elder_button.style().polish(self.elder_button)
        screen = m.visible
        page = self.pages[screen]
        self.stack.setCurrentWidget(page)
        self.footer.setVisible(screen not in NO_NAV)
        self.back_button.setText(tr("返回上一步"))
        self.home_button.setText(tr("返回首页"))
        page.redraw()
        self._update_clock()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.pages[self.model.visible].redraw()

    def current_page(self) -> Page:
        return self.pages[self.model.visible]

    def buttons(self) -> list[QPushButton]:
        """Visible buttons on the current screen and the footer (tests press them by text)."""
        out = [b for b in self.current_page().findChildren(QPushButton) if b.isVisibleTo(self)]
        if self.footer.isVisible():
            out += [self.back_button, self.home_button]
        return [*out, self.elder_button]

    def button(self, text: str) -> QPushButton:
        for b in self.buttons():
            if b.text() == text or b.property("tileText") == text:
                return b
        names = [b.text() or b.property("tileText") for b in self.buttons()]
        raise LookupError(f"no button {text!r} on {self.model.visible}; there are {names}")

    def texts(self) -> list[str]:
        """Every visible text on the current screen (tests check what people would read)."""
        page = self.current_page()
        out = [w.text() for w in page.findChildren(QLabel) if w.isVisibleTo(self) and w.text()]
        out += [b.text() or str(b.property("tileText") or "") for b in page.findChildren(QPushButton)
                if b.isVisibleTo(self)]
        return out

    # ------------------------------------------------------------ keyboard and wedge reader

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            self.model.touch()
        return super().eventFilter(obj, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        m = self.model
        key = event.key()
        text = "\r" if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) else event.text()
        if self.wedge is not None:
            if not self.wedge.in_burst or time.monotonic() - self._wedge_last > self.wedge.max_gap:
                self._before_burst = dict(m.fields)  # a card's fast keys are undone when it completes
            self._wedge_last = time.monotonic()
            card = self.wedge.feed(text, self._wedge_last)
            if card is not None:
                m.fields.update(self._before_burst)
                m.card_read(card.id_number, card.name)
                return
        if m.visible in (Screen.IDENTIFY, Screen.RETAKE, Screen.CHECKIN):
            if key == Qt.Key.Key_Backspace:
                m.key("⌫")
            elif text == "\r":
                m.submit()
            elif len(text) == 1 and text.isalnum():
                m.key(text)
            return
        super().keyPressEvent(event)
