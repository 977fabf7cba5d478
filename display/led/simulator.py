"""An LED bar in software: read a serial port, decode frames, remember what is shown.

Used by the tests (over a socat pty pair or pyserial ``loop://``) and by the demo, where
it prints what each bar would show. The decoding is the protocol module's own decoder,
which checks framing, escapes and CRCs, so a frame the simulator accepts is well formed.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import serial

from display.led.protocols import LedFrame, LedProtocol

log = logging.getLogger("hallq.display.led")


class LedSimulator:
    def __init__(self, protocol: LedProtocol, url: str | None = None, *, port: Any = None, baudrate: int = 9600,
                 on_frame: Callable[[LedFrame], None] | None = None) -> None:
        if (url is None) == (port is None):
            raise ValueError("give a port URL or an open port")
        self.protocol, self.url, self.port, self.baudrate = protocol, url, port, baudrate
        self.decoder = protocol.decoder()
        self.on_frame = on_frame
        self.shown: dict[int, str] = {}
        self.frames: list[LedFrame] = []
        self.bytes_read = 0
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hallq-led-sim", daemon=True)

    def start(self) -> LedSimulator:
        if self.port is None:
            self.port = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=0.05)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        if self.url is not None and self.port is not None:
            self.port.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.port.read(4096)
            except (serial.SerialException, OSError) as exc:
                log.warning("simulator port closed: %s", exc)
                return
            if not data:
                if getattr(self.port, "timeout", None) in (0, None):
                    time.sleep(0.02)
                continue
            self.bytes_read += len(data)
            for frame in self.decoder.feed(data):
                with self._changed:
                    self.frames.append(frame)
                    self.shown[frame.area] = frame.text
                    self._changed.notify_all()
                if self.on_frame is not None:
                    self.on_frame(frame)

    def wait_for(self, text: str, area: int = 0, timeout: float = 5.0) -> bool:
        """Block until ``area`` shows ``text`` (tests)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.shown.get(area) != text:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True


@contextlib.contextmanager
def pty_pair(folder: Path) -> Iterator[tuple[str, str]]:
    """Two linked pseudo-terminals via socat: write to one, read from the other."""
    if shutil.which("socat") is None:
        raise RuntimeError("socat is not installed (apt install socat)")
    a, b = folder / "led-app", folder / "led-bar"
    proc = subprocess.Popen(["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while not (a.exists() and b.exists()):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("socat did not create the pty pair")
            time.sleep(0.02)
        yield str(a), str(b)
    finally:
        proc.terminate()
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            proc.kill()
