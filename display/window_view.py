"""The screen facing the citizen at a window (窗口屏) with the 好差评 evaluator.

Pages: window info (name, staff, current ticket, or 暂停服务), rating (five equal buttons,
none preselected, no hint), reason (for 不满意/非常不满意), sending, thanks, and offline.
The view reads a :class:`~display.model.WindowBoard` and an :class:`~display.evaluator.Evaluator`;
taps are emitted as signals for the controller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from display.evaluator import LEVELS, Evaluator, Stage
from display.model import WindowBoard
from display.widgets import AMBER, CENTER, MUTED, NAVY, NAVY_2, RIGHT, WHITE, BoardView, column, date_text, label, panel
from hallq.i18n import tr

INFO, RATING, REASON, SENDING, THANKS, OFFLINE = range(6)
BUTTON = (f"QPushButton {{ background: {WHITE}; color: {NAVY}; border: 4px solid #2b4a85; border-radius: 22px; }}"
          f"QPushButton:pressed {{ background: {AMBER}; }}")


class WindowView(BoardView):
    rated = Signal(int)
    reason_chosen = Signal(str)
    back = Signal()

    def __init__(self, board: WindowBoard, evaluator: Evaluator, *,
                 now: Callable[[], dt.datetime] | None = None, parent: QWidget | None = None) -> None:
        super().__init__((1280, 800), parent)
        self.board, self.evaluator = board, evaluator
        self.now = now or board.local_now
        self.root.addWidget(self._header())
        for build in (self._info_page, self._rating_page, self._reason_page, self._sending_page, self._thanks_page,
                      self._offline_page):
            self.stack.addWidget(build())
        self.root.addWidget(self.stack, 1)
        self.resize(1280, 800)
        self.refresh()

    # ---- building

    def _header(self) -> QWidget:
        bar, row = self.header_bar(110, 32)
        self.win_id = self.scaler.add(label(color=AMBER), 72, True)
        self.win_name = self.scaler.add(label(), 48, True)
        row.addWidget(self.win_id)
        row.addSpacing(24)
        row.addWidget(self.win_name, 1)
        self.clock = self.scaler.add(label(align=RIGHT), 40, True)
        self.hall = self.scaler.add(label(color="#ffe3e3", align=RIGHT), 22)
        row.addLayout(column(self.clock, self.hall))
        return bar

    def _info_page(self) -> QWidget:
        page = QWidget()
        self.info_stack = QStackedWidget()
        serving = QWidget()
        row = QHBoxLayout(serving)
        row.setContentsMargins(40, 32, 40, 32)
        row.setSpacing(32)
        card = panel("card")
        c = QVBoxLayout(card)
        c.setContentsMargins(28, 28, 28, 28)
        self.avatar = self.scaler.add(label(color=NAVY, align=CENTER), 110, True)
        self.avatar.setStyleSheet(f"background: {MUTED}; color: {NAVY}; border-radius: 90px;")
        self.avatar.setFixedSize(180, 180)
        self.staff_title = self.scaler.add(label(color=MUTED, align=CENTER), 30)
        self.staff_name = self.scaler.add(label(align=CENTER), 60, True)
        self.staff_id = self.scaler.add(label(color=MUTED, align=CENTER), 34)
        c.addStretch()
        c.addWidget(self.avatar, 0, CENTER)
        for w in (self.staff_title, self.staff_name, self.staff_id):
            c.addWidget(w)
        c.addStretch()
        row.addWidget(card, 2)
        self.serving_title = self.scaler.add(label(color=MUTED, align=CENTER), 44, True)
        self.serving_number = self.scaler.add(label(color=AMBER, align=CENTER), 190, True)
        self.serving_matter = self.scaler.add(label(align=CENTER), 38)
        self.serving_matter.setWordWrap(True)
        row.addLayout(column(self.serving_title, self.serving_number, self.serving_matter), 3)
        self.info_stack.addWidget(serving)
        paused, (self.paused_title, self.paused_reason, self.paused_hint) = self.message_page(
            (AMBER, 130, True), (WHITE, 48, False), (MUTED, 34, False))
        self.info_stack.addWidget(paused)
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.info_stack)
        return page

    def _choice_page(self, margin: int, title_px: int) -> tuple[QWidget, QVBoxLayout, QLabel]:
        """A page the citizen answers on: a title over big buttons (the rating, the reason)."""
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(margin, 24, margin, 24)
        title = self.scaler.add(label(align=CENTER), title_px, True)
        col.addWidget(title)
        return page, col, title

    def _rating_page(self) -> QWidget:
        page, col, self.rate_title = self._choice_page(36, 60)
        self.rate_ticket = self.scaler.add(label(color=MUTED, align=CENTER), 34)
        col.addWidget(self.rate_ticket)
        row = QHBoxLayout()
        row.setSpacing(20)
        self.level_buttons: dict[int, QPushButton] = {}
        for level, _name in LEVELS:
            btn = self._choice_button(330, 40, partial(self.rated.emit, level))
            # five equal buttons whatever the label length: no level stands out (no hinting)
            btn.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            btn.setProperty("level", level)
            self.level_buttons[level] = btn
            row.addWidget(btn, 1)
        col.addStretch()
        col.addLayout(row)
        col.addStretch()
        self.rate_countdown = self.scaler.add(label(color=MUTED, align=CENTER), 30)
        col.addWidget(self.rate_countdown)
        return page

    def _reason_page(self) -> QWidget:
        page, col, self.reason_title = self._choice_page(48, 56)
        grid = QGridLayout()
        grid.setSpacing(18)
        self.reason_buttons: dict[str, QPushButton] = {}
        for i, reason in enumerate(self.evaluator.reasons):
            btn = self._choice_button(96, 38, partial(self.reason_chosen.emit, reason))
            self.reason_buttons[reason] = btn
            grid.addWidget(btn, i // 2, i % 2)
        col.addStretch()
        col.addLayout(grid)
        col.addStretch()
        bottom = QHBoxLayout()
        self.back_button = QPushButton()
        self.back_button.setStyleSheet(f"QPushButton {{ background: {NAVY_2}; color: {WHITE}; border: 3px solid "
                                       f"{MUTED}; border-radius: 18px; padding: 10px 40px; }}")
        self.scaler.add(self.back_button, 34, True)
        self.back_button.clicked.connect(self.back.emit)
        bottom.addWidget(self.back_button)
        bottom.addStretch()
        self.reason_countdown = self.scaler.add(label(color=MUTED, align=RIGHT), 30)
        bottom.addWidget(self.reason_countdown)
        col.addLayout(bottom)
        return page

    def _choice_button(self, height: int, px: int, on_tap: Callable[[], None]) -> QPushButton:
        """A big white button the citizen taps (a 好差评 level or a reason)."""
        btn = QPushButton()
        btn.setStyleSheet(BUTTON)
        btn.setMinimumHeight(height)
        self.scaler.add(btn, px, True)
        btn.clicked.connect(lambda _=False: on_tap())
        return btn

    def _message_page(self, big: int, small: int) -> tuple[QWidget, QLabel, QLabel, QLabel]:
        page, (a, b, c) = self.message_page((AMBER, big, True), (WHITE, small, True), (MUTED, 34, False))
        return page, a, b, c

    def _sending_page(self) -> QWidget:
        page, self.sending_title, _, _ = self._message_page(72, 40)
        return page

    def _thanks_page(self) -> QWidget:
        page, self.thanks_title, self.thanks_level, self.thanks_hint = self._message_page(110, 56)
        return page

    def _offline_page(self) -> QWidget:
        page, self.offline_title, self.offline_hint, _ = self._message_page(72, 36)
        return page

    # ---- painting

    def refresh(self) -> None:
        b, e = self.board, self.evaluator
        self.win_id.setText(b.window)
        self.win_name.setText(b.name)
        self.hall.setText(b.hall_name)
        self.tick()
        if e.stage is Stage.RATING:
            self.stack.setCurrentIndex(RATING)
            self.rate_title.setText(tr("请您对本次服务进行评价"))
            self.rate_ticket.setText(tr("票号 {number}", number=e.number) if e.number else "")
            for level, name in LEVELS:
                stars = "★" * level + "☆" * (5 - level)
                text = tr(name)
                if len(text) > 9:  # "Very dissatisfied": two lines instead of a wider button
                    text = text.replace(" ", "\n", 1)
                self.level_buttons[level].setText(f"{stars}\n\n{text}")
            return
        if e.stage is Stage.REASON:
            self.stack.setCurrentIndex(REASON)
            self.reason_title.setText(tr("请选择不满意的原因"))
            for reason, btn in self.reason_buttons.items():
                btn.setText(tr(reason))
            self.back_button.setText(tr("返回"))
            return
        if e.stage is Stage.SENDING:
            self.stack.setCurrentIndex(SENDING)
            self.sending_title.setText(tr("正在提交…"))
            return
        if e.stage is Stage.THANKS:
            self.stack.setCurrentIndex(THANKS)
            self.thanks_title.setText(tr("感谢您的评价！"))
            self.thanks_level.setText(tr("您的评价：{label}", label=tr(dict(LEVELS).get(e.level, "未评价"))))
            self.thanks_hint.setText(tr("我们将持续改进服务"))
            return
        if not b.online:
            self.stack.setCurrentIndex(OFFLINE)
            self.offline_title.setText(tr("连接中断，正在重连…"))
            self.offline_hint.setText(tr("叫号信息暂停更新，请留意窗口工作人员提示"))
            return
        self.stack.setCurrentIndex(INFO)
        if b.status in ("paused", "closed", "unknown"):
            self.info_stack.setCurrentIndex(1)
            self.paused_title.setText(tr("暂停服务"))
            reason = b.reason if b.status == "paused" else ""
            self.paused_reason.setText(reason)
            self.paused_hint.setText(tr("请到其他窗口办理，给您带来不便敬请谅解"))
            return
        self.info_stack.setCurrentIndex(0)
        staff = b.staff
        self.avatar.setText(staff[0][:1] if staff else "")
        self.staff_title.setText(tr("工作人员"))
        self.staff_name.setText(staff[0] if staff else "")
        self.staff_id.setText(tr("工号 {id}", id=staff[1]) if staff else "")
        self.serving_title.setText(tr("正在办理") if b.current else tr("等待叫号"))
        self.serving_number.setText(b.current or "—")
        self.serving_matter.setText(b.current_matter)

    def tick(self) -> None:
        now = self.now()
        self.clock.setText(now.strftime("%H:%M"))
        self.hall.setText(f"{self.board.hall_name}  {date_text(now)}".strip())
        left = self.evaluator.seconds_left()
        text = tr("{n} 秒后自动结束", n=left) if left else ""
        self.rate_countdown.setText(text)
        self.reason_countdown.setText(text)

