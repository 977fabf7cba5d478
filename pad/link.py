"""Between a presenter and the hall: QtHall signals in, commands out (GUI thread only).

:class:`~hallq.qt.bridge.QtHall` (the one device shell) hands MQTT messages and
connection changes to the GUI thread; this link feeds them to the presenter, and sends
the presenter's commands through :meth:`QtHall.request` with the presenter's own request
id (a retry after a timeout must reuse the first one); the answer comes back on the GUI
thread. Printing and other slow work run on the shell's worker too (:meth:`Link.run`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from hallq.client import RequestError
from hallq.qt.bridge import QtHall
from pad.guide import GuideConsole
from pad.presenter import Command, NotAllowed, Notice, Presenter

REQUEST_TIMEOUT = 4.0
REQUEST_RETRIES = 2


class Link(QObject):
    def __init__(self, hall: QtHall, presenter: Presenter, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hall = hall
        self.presenter = presenter
        hall.message.connect(self._on_message)
        hall.connection_changed.connect(self._on_connection)
        presenter.state.load(hall.client.state)
        presenter.broker_online = hall.online
        self._refresh = QTimer(self)
        self._refresh.setInterval(400)
        self._refresh.timeout.connect(self._maybe_refresh)
        self._listing = False
        if isinstance(presenter, GuideConsole):
            self._refresh.start()

    def _on_message(self, topic: str, data: Any) -> None:
        self.presenter.on_message(topic, data)
        self._sync()

    def _on_connection(self, up: bool) -> None:
        self.presenter.set_broker_online(up)
        self._sync()

    def _sync(self) -> None:
        """The hub answers again: send what was recorded offline (待同步), with its request id."""
        cmd = self.presenter.take_queued()
        if cmd is not None:
            self.send(cmd)

    def send(self, cmd: Command, on_done: Callable[[Command], None] | None = None) -> None:
        """Send ``cmd``; its answer goes to the presenter (then ``on_done``) on the GUI thread."""

        def delivered(result: dict[str, Any] | None, error: RequestError | None) -> None:
            if error is None:
                self.presenter.finished(cmd, result)
            else:
                self.presenter.finished(cmd, None, error.code, error.message)
            if on_done is not None:
                on_done(cmd)

        self._request(cmd, delivered)

    def _request(self, cmd: Command, delivered: Callable[[Any, Any], None]) -> None:
        self.hall.request(cmd.op, cmd.args, delivered, timeout=REQUEST_TIMEOUT, retries=REQUEST_RETRIES,
                          request_id=cmd.rid)

    def run(self, work: Callable[[], Any], done: Callable[[Any, BaseException | None], None]) -> None:
        """Slow work (printing) off the GUI thread; ``done(result, error)`` back on it."""
        self.hall.run(work, done)

    # ------------------------------------------------------------ guide: keep the ticket list fresh

    def _maybe_refresh(self) -> None:
        console = self.presenter
        assert isinstance(console, GuideConsole)
        if console.needs_refresh and console.online and not self._listing:
            self.refresh_now()

    def refresh_now(self) -> None:
        console = self.presenter
        assert isinstance(console, GuideConsole)
        if not console.online:
            return
        cmd = console.refresh()
        self._listing = True

        def delivered(result: dict[str, Any] | None, error: RequestError | None) -> None:
            self._listing = False
            console.listed(result, error.code if error else "")

        self._request(cmd, delivered)

    def close(self) -> None:
        """The pad is closing: no more refreshes, and answers still on their way go nowhere."""
        self._refresh.stop()
        self.hall.close()


def tap(presenter: Presenter, link: Link | None, make: Callable[[], Command]) -> Command | None:
    """A tap on a pad screen: ``make`` the command and send it; a refusal (:class:`NotAllowed`) becomes
    the presenter's error notice instead (the screen repaints, nothing is sent)."""
    try:
        cmd = make()
    except NotAllowed as exc:
        presenter.notice = Notice("error", str(exc))
        presenter.changed()
        return None
    if link is not None and cmd is not presenter.queued:  # 待同步 waits for the hub (Link._sync)
        link.send(cmd)
    return cmd
