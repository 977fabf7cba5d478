"""Queries a screen keeps fresh on its own (the back office's case lists and summons, the guide
console's case alerts): each source says when it is due, makes its query, and takes the answer.

One query at a time per poller, only while online; the answer comes back on the GUI thread
(:meth:`hallq.qt.bridge.QtHall.request`). A query changes nothing at the hub, so a lost answer
is simply asked again at the next due time. Every ``every_s`` seconds each source is due anyway
(a case becomes overdue at midnight and stuck as the hours pass, without any event).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer

from hallq import clock as hallclock
from hallq.client import RequestError
from hallq.qt.bridge import QtHall
from pad.presenter import Command, Presenter

QUERY_TIMEOUT = 4.0


@dataclass
class Source:
    due: Callable[[], bool]  # the presenter wants it now (an event came, or nothing was read yet)
    make: Callable[[], Command]
    done: Callable[[dict[str, Any] | None, str], None]  # (result, error code)
    every_s: float = 60.0
    last: float = field(default=0.0)


class Poller(QObject):
    def __init__(self, hall: QtHall, presenter: Presenter, sources: list[Source], parent: QObject | None = None,
                 interval_ms: int = 400) -> None:
        super().__init__(parent)
        self.hall = hall
        self.presenter = presenter
        self.sources = sources
        self.busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    def tick(self) -> None:
        if self.busy or self.hall.closed or not self.presenter.online:
            return
        now = hallclock.now()  # only the pace of the polls
        for src in self.sources:
            if src.due() or now - src.last >= src.every_s:
                self._ask(src, now)
                return

    def _ask(self, src: Source, now: float) -> None:
        cmd = src.make()
        src.last = now
        self.busy = True

        def delivered(result: dict[str, Any] | None, error: RequestError | None) -> None:
            self.busy = False
            src.done(result, error.code if error else "")

        self.hall.request(cmd.op, cmd.args, delivered, timeout=QUERY_TIMEOUT, retries=1, request_id=cmd.rid)

    def stop(self) -> None:
        self._timer.stop()
