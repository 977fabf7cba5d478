"""Hand MQTT traffic to Qt safely.

paho runs its own network thread; widgets may only be touched from the GUI thread. A
:class:`QtHall` re-emits every message and connection change as Qt signals (queued
across threads automatically), and runs blocking requests on a small thread pool,
delivering each result to a callback on the GUI thread. Views never see paho.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from hallq.client import HallClient, RequestError

Done = Callable[[dict[str, Any] | None, RequestError | None], None]


class QtHall(QObject):
    message = Signal(str, object)  # topic, decoded payload
    connection_changed = Signal(bool)
    _finished = Signal(object, object, object)  # callback, result, error

    def __init__(self, client: HallClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hallq-req")
        self._finished.connect(self._deliver)
        client.on_connection(self.connection_changed.emit)
        client.on("#", self.message.emit)

    @property
    def topics(self) -> Any:
        return self.client.topics

    @property
    def online(self) -> bool:
        return self.client.connected.is_set()

    def subscribe(self, topic_filter: str) -> None:
        self.client.subscribe(topic_filter)

    def request(self, op: str, args: dict[str, Any], done: Done, *, timeout: float = 5.0) -> None:
        """Send in the background (same request id on retries); ``done`` runs on the GUI thread."""

        def work() -> None:
            try:
                result = self.client.request(op, args, timeout=timeout)
            except RequestError as exc:
                self._finished.emit(done, None, exc)
            except Exception as exc:  # a bug must reach the view, not vanish in the pool
                self._finished.emit(done, None, RequestError("internal", str(exc)))
            else:
                self._finished.emit(done, result, None)

        self._pool.submit(work)

    def _deliver(self, done: Done, result: dict[str, Any] | None, error: RequestError | None) -> None:
        done(result, error)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.client.stop()
