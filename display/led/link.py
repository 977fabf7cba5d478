"""The serial port to an LED bar: never blocks the app, survives unplugging.

:meth:`SerialLink.send` only stores the newest frame for an area and wakes a writer
thread; the thread opens the port (any pyserial URL: ``/dev/ttyUSB0``, ``COM3``,
``loop://``, ``socket://host:port``), writes, and on any error closes it and retries every
``reopen_s`` seconds. After every (re)open it re-sends the current frame of every area,
because a bar that lost power has lost its RAM content. ``refresh_s`` re-sends
periodically (also noticing a dead port when nothing changes).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import serial

from display.led.protocols import LedProtocol

log = logging.getLogger("hallq.display.led")

Opener = Callable[..., Any]


class SerialLink:
    def __init__(self, url: str, baudrate: int = 9600, *, reopen_s: float = 2.0, refresh_s: float = 60.0,
                 write_timeout: float = 1.0, opener: Opener | None = None,
                 on_status: Callable[[bool, str], None] | None = None) -> None:
        self.url, self.baudrate = url, baudrate
        self.reopen_s, self.refresh_s, self.write_timeout = reopen_s, refresh_s, write_timeout
        self.opener: Opener = opener or serial.serial_for_url
        self.on_status = on_status
        self.connected = False
        self.last_error = ""
        self.writes = 0
        self.port: Any = None
        self._frames: dict[int, bytes] = {}
        self._dirty: set[int] = set()
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name=f"hallq-led-{url}", daemon=True)
        self._last_write = 0.0

    # ---- app side (any thread, never blocks on the port)

    def start(self) -> SerialLink:
        self._thread.start()
        return self

    def send(self, area: int, frame: bytes) -> None:
        with self._cond:
            self._frames[area] = frame
            self._dirty.add(area)
            self._cond.notify()

    def stop(self, timeout: float = 3.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._close()

    # ---- writer thread

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stop:
                    return
                if self.port is not None and not self._dirty:
                    wait = self.refresh_s - (time.monotonic() - self._last_write) if self.refresh_s else None
                    if wait is None or wait > 0:
                        self._cond.wait(wait)
                    if self._stop:
                        return
                    if not self._dirty and self.refresh_s and time.monotonic() - self._last_write >= self.refresh_s:
                        self._dirty = set(self._frames)
            if self.port is None and not self._open():
                with self._cond:
                    self._cond.wait(self.reopen_s)
                continue
            with self._cond:
                batch = [(a, self._frames[a]) for a in sorted(self._dirty)]
                self._dirty.clear()
            try:
                for _area, frame in batch:
                    self.port.write(frame)
                    self.port.flush()
                    self.writes += 1
                self._last_write = time.monotonic()
            except (serial.SerialException, OSError) as exc:
                log.warning("LED port %s failed: %s; reopening", self.url, exc)
                with self._cond:
                    self._dirty.update(a for a, _ in batch)
                self._close(str(exc))

    def _open(self) -> bool:
        try:
            self.port = self.opener(self.url, baudrate=self.baudrate, timeout=0, write_timeout=self.write_timeout)
        except (serial.SerialException, OSError, ValueError) as exc:
            if self.last_error != str(exc):
                log.warning("LED port %s unavailable: %s (retrying every %.0f s)", self.url, exc, self.reopen_s)
            self._set_status(False, str(exc))
            return False
        with self._cond:
            self._dirty = set(self._frames)  # the bar may have rebooted: repaint all areas
        self._set_status(True, "")
        return True

    def _close(self, error: str = "") -> None:
        port, self.port = self.port, None
        if port is not None:
            with contextlib.suppress(Exception):
                port.close()
        if error or self.connected:
            self._set_status(False, error)

    def _set_status(self, up: bool, error: str) -> None:
        changed = up != self.connected or error != self.last_error
        self.connected, self.last_error = up, error
        if changed and self.on_status is not None:
            try:
                self.on_status(up, error)
            except Exception:
                log.exception("LED status listener failed")


class LedDriver:
    """One bar (or strip): a protocol and a link. ``show`` returns at once."""

    def __init__(self, protocol: LedProtocol, link: SerialLink) -> None:
        self.protocol = protocol
        self.link = link
        self.shown: dict[int, str] = {}

    def show(self, text: str, area: int = 0) -> bool:
        """Queue ``text`` for ``area``; False if the bar already shows it."""
        if self.shown.get(area) == text:
            return False
        self.shown[area] = text
        self.link.send(area, self.protocol.encode(text, area))
        return True

    def start(self) -> LedDriver:
        self.link.start()
        return self

    def stop(self) -> None:
        self.link.stop()
