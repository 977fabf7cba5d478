"""A real ``$NOTIFY_SOCKET`` for tests: a unix datagram socket that records what arrives, and when.

This is the receiving end systemd itself opens (``/run/systemd/notify``); the hub sends to it
through libsystemd's ``sd_notify`` exactly as under a real unit.
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import threading
import time
from pathlib import Path


class NotifySocket:
    """Binds a short path (sun_path is 108 bytes; pytest's tmp_path can be longer)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hq-ntf-"))
        self.path = self.dir / "notify"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.path))
        self.sock.settimeout(0.2)
        self.messages: list[tuple[float, str]] = []  # (time.monotonic(), line)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            at = time.monotonic()
            with self._lock:
                self.messages.extend((at, line) for line in data.decode().splitlines() if line)

    def times(self, line: str) -> list[float]:
        with self._lock:
            return [at for at, got in self.messages if got == line]

    def wait_for(self, line: str, timeout: float, after: float = 0.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [t for t in self.times(line) if t > after]
            if found:
                return found[0]
            time.sleep(0.02)
        raise AssertionError(f"no {line!r} on the notify socket within {timeout}s; got {self.messages[-5:]}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()
        with contextlib.suppress(OSError):
            self.path.unlink()
            self.dir.rmdir()
