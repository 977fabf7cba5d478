"""The hall TV (大厅综合屏): newest call huge and flashing, recent calls, waiting counts, clock, notices.

Legible from 10 m: the newest number is ~22% of the screen height (≈ 24 cm on a 55" TV).
Landscape 1920×1080 and portrait 1080×1920 layouts; fonts scale with the window.

The screen never grows past its window: texts may be cut at the right edge but never widen
it (a window larger than the screen would push the clock, the counts and the ticker off it,
and the fonts, which follow the window size, would grow with it), and the list of recent
calls shows as many rows as the height left by the other panels allows (:meth:`_fit_rows`).
The view only reads a :class:`~display.model.HallBoard`; ``refresh`` repaints from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from display.model import HallBoard
from display.widgets import (
    AMBER,
    CENTER,
    MUTED,
    NAVY,
    NAVY_2,
    PANEL_EDGE,
    RIGHT,
    WHITE,
    BoardView,
    Ticker,
    column,
    date_text,
    label,
    panel,
    panel_style,
)
from hallq import clock as hallclock
from hallq.i18n import tr

WAIT_SCALE = 0.8  # the predicted wait's line, against the queue's


class HallView(BoardView):
    def __init__(self, board: HallBoard, *, portrait: bool = False,
                 now: Callable[[], dt.datetime] | None = None, parent: QWidget | None = None) -> None:
        super().__init__((1080, 1920) if portrait else (1920, 1080), parent)
        self.board, self.portrait = board, portrait
        self.now = now or board.local_now
        self.rows = 10 if portrait else 7
        self.flash_on = False

        self.header = self._header()
        self.root.addWidget(self.header)
        self.stack.addWidget(self._board_page())
        self.stack.addWidget(self._offline_page())
        self.root.addWidget(self.stack, 1)
        self.ticker = Ticker()
        self.scaler.add(self.ticker, 44)
        self.ticker.setFixedHeight(76)
        self.root.addWidget(self.ticker)
        for lab in self.findChildren(QLabel):
            lab.setMinimumWidth(1)  # a long text is cut, it never widens the screen
        self._line_heights()
        self.resize(*self.scaler.design)
        self.refresh()

    # ---- building

    def _header(self) -> QWidget:
        bar, row = self.header_bar(120 if not self.portrait else 150, 40)
        self.hall_name = self.scaler.add(label(), 54, True)
        self.zone_name = self.scaler.add(label(color="#ffe3e3"), 30)
        row.addLayout(column(self.hall_name, self.zone_name), 1)
        self.clock = self.scaler.add(label(align=RIGHT), 60, True)
        self.date = self.scaler.add(label(color="#ffe3e3", align=RIGHT), 28)
        row.addLayout(column(self.clock, self.date))
        return bar

    def _board_page(self) -> QWidget:
        page = QWidget()
        grid = self.board_grid = QGridLayout(page)
        grid.setContentsMargins(32, 28, 32, 24)
        grid.setSpacing(24)
        grid.addWidget(self._current_panel(), 0, 0)
        if self.portrait:
            grid.addWidget(self._recent_panel(), 1, 0)
            grid.addWidget(self._queues_panel(), 2, 0)
            grid.setRowStretch(0, 0)  # the call and the counts take what they need,
            grid.setRowStretch(1, 1)  # the recent calls the rest
            grid.setRowStretch(2, 0)
        else:
            grid.addWidget(self._recent_panel(), 0, 1)
            grid.addWidget(self._queues_panel(), 1, 0, 1, 2)
            grid.setColumnStretch(0, 11)
            grid.setColumnStretch(1, 9)
            grid.setRowStretch(0, 5)
            grid.setRowStretch(1, 1)
        return page

    def _current_panel(self) -> QWidget:
        self.current = panel()
        col = QVBoxLayout(self.current)
        col.setContentsMargins(24, 16, 24, 24)
        self.please = self.scaler.add(label(align=CENTER), 84, True)
        self.number = self.scaler.add(label(color=AMBER, align=CENTER), 250, True)
        self.to_window = self.scaler.add(label(align=CENTER), 96, True)
        self.window_name = self.scaler.add(label(color=MUTED, align=CENTER), 48)
        for w in (self.please, self.number, self.to_window, self.window_name):
            col.addWidget(w)
        return self.current

    def _recent_panel(self) -> QWidget:
        box = self.recent_panel = panel()
        col = QVBoxLayout(box)
        col.setContentsMargins(32, 20, 32, 20)
        title = QHBoxLayout()
        self.recent_title = self.scaler.add(label(color=MUTED), 40, True)
        title.addWidget(self.recent_title)
        col.addLayout(title)
        self.recent_rows: list[tuple[QLabel, QLabel, QLabel]] = []
        rows = self.recent_grid = QGridLayout()
        rows.setHorizontalSpacing(28)
        for i in range(self.rows):
            num = self.scaler.add(label(color=AMBER), 64, True)
            win = self.scaler.add(label(), 64, True)
            name = self.scaler.add(label(color=MUTED), 36)
            for w in (num, win, name):
                w.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
            rows.addWidget(num, i, 0)
            rows.addWidget(win, i, 1)
            rows.addWidget(name, i, 2)
            self.recent_rows.append((num, win, name))
        rows.setColumnStretch(2, 1)
        col.addLayout(rows, 1)  # the rows shown share the panel's height (never more than a row to spare)
        box.installEventFilter(self)
        return box

    def _queues_panel(self) -> QWidget:
        box = self.queue_panel = panel()
        self.queue_grid = QGridLayout(box)
        self.queue_grid.setContentsMargins(28, 12, 28, 12)
        self.queue_title = self.scaler.add(label(color=MUTED), 40, True)
        self.queue_grid.addWidget(self.queue_title, 0, 0)
        self.queue_cells: list[QLabel] = []
        return box

    def _offline_page(self) -> QWidget:
        page, (self.offline_title, self.offline_hint, self.offline_since) = self.message_page(
            (AMBER, 110, True), (WHITE, 52, False), (MUTED, 40, False), top=2, bottom=3)
        return page

    # ---- painting from the board

    def refresh(self) -> None:
        b = self.board
        self.hall_name.setText(b.hall_name)
        self.zone_name.setText(b.zone_name if b.zone else tr("全部区域"))
        self.ticker.set_text("　　".join(b.notices))
        self.tick()
        if not b.online:
            self.stack.setCurrentIndex(1)
            self.offline_title.setText(tr("连接中断，正在重连…"))
            self.offline_hint.setText(tr("叫号信息暂停更新，请留意窗口工作人员提示"))
            since = hallclock.local(b.conn.since, self.now().tzinfo) if b.conn.since else self.now()
            self.offline_since.setText(tr("自 {time} 起", time=since.strftime("%H:%M:%S")))
            return
        self.stack.setCurrentIndex(0)
        latest = b.latest
        if latest is None:
            self.please.setText("")
            self.number.setText("")
            self.to_window.setText(tr("等待叫号"))
            self.window_name.setText("")
        else:
            self.please.setText((tr("重呼") + "　" if latest.recall else "") + tr("请"))
            self.number.setText(f"{latest.number}{tr('号')}")
            self.to_window.setText(f"{tr('到')} {latest.window} {tr('窗口')}".strip())
            self.window_name.setText(latest.window_name)
        self.recent_title.setText(tr("最近叫号"))
        prev = b.previous
        for i, (num, win, name) in enumerate(self.recent_rows):
            if i < len(prev):
                c = prev[i]
                num.setText(c.number)
                win.setText(f"→ {c.window}")
                name.setText(c.window_name)
            else:
                num.setText("")
                win.setText("")
                name.setText("")
        self._paint_queues()

    def _paint_queues(self) -> None:
        """The waiting count of each queue: 2 a row in portrait, 4 in landscape, 3 / 6 (smaller) when many;
        under it, smaller, the predicted wait of a ticket taken now (预计等候 约 15-25 分钟, from the hub).

        A long queue name is shortened with … so that the count after it always shows."""
        self.queue_title.setText(tr("等候人数"))
        counts = self.board.waiting()
        many = len(counts) > (6 if self.portrait else 8)
        per_row = (3 if many else 2) if self.portrait else (6 if many else 4)
        px = (28 if many else 34) if self.portrait else (30 if many else 40)
        while len(self.queue_cells) < len(counts):
            cell = self.scaler.add(label(), px, True)
            cell.setMinimumWidth(1)
            self.queue_cells.append(cell)
        margins = self.queue_grid.contentsMargins()
        board = self.board_grid.contentsMargins()
        spacing = max(0, self.queue_grid.horizontalSpacing())
        width = self.width() - board.left() - board.right() - margins.left() - margins.right() - 6
        cell_w = (width - spacing * (per_row - 1)) // per_row
        waits = any(q.wait is not None for q in counts)  # 预计等候: a second, smaller line under each queue
        for i, cell in enumerate(self.queue_cells):
            if i < len(counts):
                self.scaler.resize(cell, px)
                fm = cell.fontMetrics()
                small = QFont(cell.font())
                small.setPixelSize(max(8, round(cell.font().pixelSize() * WAIT_SCALE)))
                cell.setMinimumHeight(fm.height() + (QFontMetrics(small).height() if waits else 0))
                q = counts[i]
                tail = f" {q.waiting}{tr('人')}"
                name = fm.elidedText(q.name, Qt.TextElideMode.ElideRight,
                                     max(fm.height(), cell_w - fm.horizontalAdvance(f"{q.id} {tail}") - 8))
                wait = ""
                if q.wait is not None:
                    words = QFontMetrics(small).elidedText(tr("预计等候 {wait}", wait=q.wait),
                                                           Qt.TextElideMode.ElideRight, max(1, cell_w - 8))
                    wait = f"<br><span style='color:{MUTED}; font-size:{small.pixelSize()}px'>{words}</span>"
                cell.setText(f"<span style='color:{MUTED}'>{q.id}</span> {name} "
                             f"<span style='color:{AMBER}'>{q.waiting}</span>{tr('人')}{wait}")
                self.queue_grid.addWidget(cell, 1 + i // per_row, i % per_row)
                cell.show()
            else:
                cell.hide()
        for c in range(6):
            self.queue_grid.setColumnStretch(c, 1 if c < per_row else 0)

    def _line_heights(self) -> None:
        """Every label one line high whatever its text: an empty row or a call arriving changes no height;
        the recent calls ask for no height at all (they fill what is left, see :meth:`_fit_rows`)."""
        recent = {w for row in self.recent_rows for w in row}
        for w, _px, _bold in self.scaler.items:
            if isinstance(w, QLabel) and w not in recent:
                w.setMinimumHeight(w.fontMetrics().height())

    def _fit_rows(self) -> None:
        """Show as many recent calls as fit in the recent panel's height (what the other panels leave)."""
        lay = self.recent_panel.layout()
        assert lay is not None
        pm = lay.contentsMargins()
        spacing = max(0, self.recent_grid.verticalSpacing())
        room = self.recent_panel.height() - pm.top() - pm.bottom() - self.recent_title.minimumHeight() - lay.spacing()
        row_h = max(w.fontMetrics().height() for w in self.recent_rows[0]) + spacing
        fit = max(0, min(self.rows, (room + spacing) // max(1, row_h)))
        for i, row in enumerate(self.recent_rows):
            for w in row:
                w.setVisible(i < fit)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if obj is self.recent_panel and event.type() == QEvent.Type.Resize:
            self._fit_rows()
        return super().eventFilter(obj, event)

    def tick(self) -> None:
        """Clock and flashing, ~4 times a second."""
        now = self.now()
        self.clock.setText(now.strftime("%H:%M:%S"))
        self.date.setText(date_text(now))
        flashing = self.board.online and self.board.flashing()
        self.flash_on = flashing and not self.flash_on
        bg, fg = (AMBER, NAVY) if self.flash_on else (NAVY_2, AMBER)
        self.current.setStyleSheet(panel_style("panel", bg, AMBER if flashing else PANEL_EDGE))
        self.number.setStyleSheet(f"color: {fg}; background: transparent;")
        other = NAVY if self.flash_on else WHITE
        for w in (self.please, self.to_window):
            w.setStyleSheet(f"color: {other}; background: transparent;")

    def rescaled(self) -> None:
        self.ticker.setFixedHeight(int(76 * self.scaler.scale))
        self._line_heights()
        self._paint_queues()
