"""Telling systemd the hub is up and its worker alive (sd_notify: ``READY=1``, ``WATCHDOG=1``).

The hub's unit is ``Type=notify`` with ``WatchdogSec=``: systemd waits for ``READY=1`` before it
counts the hub as started, then kills and restarts it when no ``WATCHDOG=1`` arrives for
``WatchdogSec``. A hub whose process lives but whose worker is stuck — a deadlock, a write that
never returns, the whole process stopped — answers nothing, so the pings come from the worker
thread itself, once per loop (:meth:`SystemdNotifier.alive`): a worker that makes no progress
sends none. The MQTT connection (paho's thread) plays no part.

The protocol is one datagram to the socket named by ``$NOTIFY_SOCKET``; ``$WATCHDOG_USEC``
(and ``$WATCHDOG_PID``, when set, naming this process) says the watchdog is on and how long it
waits. We ping every half of that, as ``sd_watchdog_enabled(3)`` advises. The datagram is sent by
libsystemd's own ``sd_notify`` through ``cysystemd`` (maintained, typed, a wheel with libsystemd
inside); without it (Windows, a machine without the wheel) or without ``$NOTIFY_SOCKET`` (not
started by systemd: tests, the demo) every call is a no-op.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping

log = logging.getLogger("hallq.hub.systemd")

Send = Callable[[str], None]


def _libsystemd() -> Send | None:
    try:
        from cysystemd.daemon import Notification, notify
    except ImportError:  # not Linux, or the wheel is missing: the hub runs, unwatched
        return None
    states = {n.name: n for n in Notification}

    def send(line: str) -> None:
        name, _, value = line.partition("=")
        state = states[name]
        result = notify(state) if state.value.constant is not None else notify(state, value)
        if isinstance(result, Exception):
            log.warning("sd_notify %s failed: %s", name, result)

    return send


class SystemdNotifier:
    """READY / WATCHDOG / STOPPING for the hub's unit; no-ops when systemd did not start us."""

    def __init__(self, environ: Mapping[str, str] | None = None, send: Send | None = None) -> None:
        env = os.environ if environ is None else environ
        self.enabled = bool(env.get("NOTIFY_SOCKET"))
        self._send = (send or _libsystemd()) if self.enabled else None
        self.interval: float | None = None  # seconds between watchdog pings; None: no watchdog
        usec, pid = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
        if self._send and usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid())):
            self.interval = int(usec) / 1e6 / 2
        self._next = 0.0

    def ready(self, status: str = "") -> None:
        self._notify("READY=1")
        if status:
            self._notify(f"STATUS={status}")

    def alive(self) -> None:
        """Called by the hub's worker after each round of work: a ping when one is due."""
        if self.interval is None:
            return
        now = time.monotonic()
        if now >= self._next:
            self._notify("WATCHDOG=1")
            self._next = now + self.interval

    def due_in(self) -> float:
        """Seconds until the next ping is due (the worker wakes up for it); inf without a watchdog."""
        return float("inf") if self.interval is None else max(0.0, self._next - time.monotonic())

    def stopping(self) -> None:
        self._notify("STOPPING=1")

    def _notify(self, line: str) -> None:
        if self._send is not None:
            self._send(line)
