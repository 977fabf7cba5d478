"""Hardware stand-ins: a TCP printer on loopback and a pty serial printer (both DLE EOT aware)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
import tty
from pathlib import Path

from printers.status import PrinterEmulator


class TcpPrinter:
    """A printer on 127.0.0.1 that records bytes and answers DLE EOT as ``state`` (or never)."""

    def __init__(self, state: str = "ok") -> None:
        self.state = state
        self.received = bytearray()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        emu = PrinterEmulator(self.state)
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.received += chunk
                reply = emu.feed(chunk)
                if reply:
                    conn.sendall(reply)

    def close(self) -> None:
        self._stop = True
        self.sock.close()


class PtyPrinter:
    """A serial printer on a pty: pyserial opens ``port``; we play the printer on the master."""

    def __init__(self, state: str = "ok") -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.port = os.ttyname(self.slave)
        self.emu = PrinterEmulator(state)
        self.received = self.emu.received
        self._stop = False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            reply = self.emu.feed(chunk)
            if reply:
                os.write(self.master, reply)

    def close(self) -> None:
        self._stop = True
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


def zbar(png: Path) -> list[str]:
    """QR payloads zbarimg finds in a PNG (zbar-tools from apt)."""
    run = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(png)],
                         capture_output=True, text=True, timeout=30, check=False)
    return [line for line in run.stdout.splitlines() if line]


class JetDirectSink:
    """A network printer's raw port (JetDirect, 9100) on 127.0.0.1 that keeps what each job sent:
    the device at the end of a real CUPS queue (``socket://127.0.0.1:PORT``)."""

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            data = bytearray()
            with conn:
                while chunk := conn.recv(65536):
                    data += chunk
            self.jobs.append(bytes(data))

    def close(self) -> None:
        self.sock.close()
