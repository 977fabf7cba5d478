"""Hand MQTT traffic to Qt safely.

paho runs its own network thread; widgets may only be touched from the GUI thread. A
:class:`QtHall` re-emits every message and connection change as Qt signals (queued
across threads automatically), and runs blocking requests on a small thread pool,
delivering each result to a callback on the GUI thread. Views never see paho.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import shiboken6
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
        # paho's thread outlives views: relay through a weak reference so a QtHall that Qt has
        # already destroyed is never touched (emitting on a deleted QObject crashes the process).
        ref = weakref.ref(self)

        def relay_connection(up: bool) -> None:
            obj = ref()
            if obj is not None and shiboken6.isValid(obj):
                obj.connection_changed.emit(up)

        def relay_message(topic: str, data: Any) -> None:
            obj = ref()
            if obj is not None and shiboken6.isValid(obj):
                obj.message.emit(topic, data)

        client.on_connection(relay_connection)
        client.on("#", relay_message)

    @property
    def topics(self) -> Any:
        return self.client.topics

    @property
    def online(self) -> bool:
        return self.client.connected.is_set()

    def subscribe(self, topic_filter: str) -> None:
        self.client.subscribe(topic_filter)

    def request(self, op: str, args: dict[str, Any], done: Done, *, timeout: float = 5.0,
                request_id: str | None = None) -> None:
        """Send in the background; ``done`` runs on the GUI thread.

        Retries inside one call reuse one request id. Pass ``request_id`` to retry an action
        whose outcome is unknown (a timeout) later: the hub answers with its first reply.
        """
        ref = weakref.ref(self)

        def work() -> None:
            obj = ref()
            if obj is None:
                return
            try:
                result = obj.client.request(op, args, timeout=timeout, request_id=request_id)
            except RequestError as exc:
                obj._finish(done, None, exc)
            except Exception as exc:  # a bug must reach the view, not vanish in the pool
                obj._finish(done, None, RequestError("internal", str(exc)))
            else:
                obj._finish(done, result, None)

        self._pool.submit(work)

    def _finish(self, done: Done, result: dict[str, Any] | None, error: RequestError | None) -> None:
        if shiboken6.isValid(self):
            self._finished.emit(done, result, error)

    def _deliver(self, done: Done, result: dict[str, Any] | None, error: RequestError | None) -> None:
        done(result, error)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.client.stop()
