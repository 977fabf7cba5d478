"""The one device shell: hand MQTT traffic to Qt safely, and the hall's answers back.

paho runs its own network thread; widgets may only be touched from the GUI thread. A
:class:`QtHall` re-emits every message and connection change as Qt signals (queued
across threads automatically), and runs blocking requests (and other slow work, such as
printing) on a small thread pool, delivering each result to a callback on the GUI thread.
Views never see paho. Kiosk, pad and display all use this one class:

* one request worker: :meth:`QtHall.request` calls :meth:`HallClient.request` off the GUI
  thread with the caller's request id (a retry after a timeout must reuse the first one,
  so the hub answers with its first reply and never acts twice);
* one late-reply guard: once :meth:`QtHall.close` ran, an answer still on its way is
  dropped (the screen it was for is gone; repainting a deleted widget crashes);
* subscriptions that can be undone: the listeners it put on the client are removed on
  close (each ``HallClient.on`` returns its unsubscribe, as in Home Assistant's
  ``subscription.py``), so paho never calls into a closed shell.

What the hub publishes arrives here as decoded JSON on :attr:`QtHall.message`, on the GUI thread;
each device folds it into typed state there (a :class:`~hallq.mirror.HallMirror`, whose plain
callbacks announce each change), so widgets read the mirror without locks.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from hallq.client import HallClient, RequestError, Unsubscribe

Done = Callable[[Any, Any], None]  # (result, error) on the GUI thread; error is None on success


class QtHall(QObject):
    message = Signal(str, object)  # topic, decoded payload
    connection_changed = Signal(bool)
    _finished = Signal(object, object, object)  # callback, result, error

    def __init__(self, client: HallClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.closed = False
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

        self._undo: list[Unsubscribe] = [client.on_connection(relay_connection), client.on("#", relay_message)]

    @property
    def topics(self) -> Any:
        return self.client.topics

    @property
    def online(self) -> bool:
        return self.client.connected.is_set()

    def subscribe(self, topic_filter: str) -> None:
        self.client.subscribe(topic_filter)

    def request(self, op: str, args: dict[str, Any], done: Done, *, timeout: float = 5.0, retries: int = 2,
                request_id: str | None = None) -> None:
        """Send ``op`` in the background; ``done(result, error)`` runs on the GUI thread.

        ``error`` is a :class:`RequestError` (a bug in the worker arrives as code ``internal``,
        never vanishes in the pool). Pass ``request_id`` to retry an action whose outcome is
        unknown (a timeout) later: the hub answers with its first reply.
        """
        client = self.client

        def work() -> dict[str, Any]:
            try:
                return client.request(op, args, timeout=timeout, retries=retries, request_id=request_id)
            except RequestError:
                raise
            except Exception as exc:  # a bug or bad args must reach the screen
                raise RequestError("internal", str(exc)) from exc

        self.run(work, done)

    def run(self, work: Callable[[], Any], done: Done) -> None:
        """Slow work off the GUI thread; ``done(result, error)`` back on it, unless closed by then."""
        ref = weakref.ref(self)

        def job() -> None:
            result: Any = None
            error: BaseException | None = None
            try:
                result = work()
            except Exception as exc:
                error = exc
            obj = ref()
            if obj is not None and not obj.closed and shiboken6.isValid(obj):
                obj._finished.emit(done, result, error)

        with contextlib.suppress(RuntimeError):  # closed: the pool takes no more work
            self._pool.submit(job)

    def _deliver(self, done: Done, result: Any, error: Any) -> None:
        if not self.closed:  # the late-reply guard: an answer after close has no screen to go to
            done(result, error)

    def close(self) -> None:
        """Drop late answers, undo the listeners, stop the workers and the client (twice is harmless)."""
        if self.closed:
            return
        self.closed = True
        for undo in self._undo:
            undo()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.client.stop()
