"""A TCP proxy on loopback that a test can cut and heal: the network between two machines.

``cut()`` is a partition, not a refusal: bytes on every open connection are swallowed from then
on (those connections stay dead after ``heal()``, as after a real outage the peers time out and
reconnect), and connections opened while cut are accepted but carry nothing. ``heal()`` lets new
connections through again. ``delay`` adds latency to every chunk (a slow link).
Nothing global: one listening socket on a free port, threads that end with ``close()``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class CutProxy:
    def __init__(self, upstream: tuple[str, int], *, delay: float = 0.0) -> None:
        self.upstream = upstream
        self.delay = delay
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._cut = threading.Event()
        self._closed = threading.Event()
        self._generation = 0  # connections of an older generation were cut: dead for good
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self.connections = 0
        threading.Thread(target=self._accept, name=f"cutproxy-{self.port}", daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def cut(self) -> None:
        with self._lock:
            self._generation += 1
            self._cut.set()

    def heal(self) -> None:
        self._cut.clear()

    @property
    def is_cut(self) -> bool:
        return self._cut.is_set()

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for s in self._socks:
                with contextlib.suppress(OSError):
                    s.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                down, _ = self._listener.accept()
            except OSError:
                return
            try:
                up = socket.create_connection(self.upstream, timeout=2)
            except OSError:
                down.close()
                continue
            up.settimeout(None)
            with self._lock:
                self._socks += [down, up]
                self.connections += 1
                born = self._generation if not self._cut.is_set() else -1  # opened while cut: dead
            for src, dst in ((down, up), (up, down)):
                threading.Thread(target=self._pipe, args=(src, dst, born), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, born: int) -> None:
        try:
            while True:
                chunk = src.recv(65536)
                if not chunk:
                    break
                if self.delay:
                    time.sleep(self.delay)
                if born != self._generation or self._cut.is_set():
                    continue  # swallowed: the link is (or was) cut under this connection
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
