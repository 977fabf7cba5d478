"""Fault-injection rigs: a Mosquitto we can kill and restart on the same port, an embedded
broker likewise, and the real hub as a subprocess (``python -m launcher hub``) we can kill -9.

Everything is on loopback and bounded in time; assertions are about correctness
(exactly once, contiguous numbers, state repainted), never about speed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hallq.client import HallClient
from hub.broker import EmbeddedBroker, free_port
from launcher.samples import sample_hall_path

MOSQUITTO = "/usr/sbin/mosquitto"
ROOT = Path(__file__).resolve().parents[2]


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def wait_port(port: int, timeout: float = 10.0) -> None:
    def up() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.3):
                return True
        except OSError:
            return False

    wait_until(up, timeout, f"a listener on 127.0.0.1:{port}", 0.05)


class MosquittoProc:
    """A Mosquitto subprocess on a fixed port, stoppable and restartable (persistence off)."""

    def __init__(self, workdir: Path) -> None:
        binary = MOSQUITTO if os.path.exists(MOSQUITTO) else shutil.which("mosquitto")
        if not binary:
            pytest.skip("mosquitto not installed (apt install mosquitto)")
        self.binary = binary
        self.port = free_port()
        self.conf = workdir / "mosquitto.conf"
        # max_queued_messages 0: no per-client cap. A stock Mosquitto drops QoS 1 messages beyond 1000
        # queued for a slow subscriber; the fault tests flood on purpose and count every reply, so a
        # drop by the broker would read as a message the hub lost (it made the fuzz test flaky).
        self.conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                             "max_queued_messages 0\n")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> MosquittoProc:
        self.proc = subprocess.Popen([self.binary, "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_port(self.port)
        return self

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if kill:
            self.proc.kill()
        else:
            self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None


class EmbeddedProc:
    """The embedded (amqtt) broker in this process, restartable on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.broker: EmbeddedBroker | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> EmbeddedProc:
        deadline = time.monotonic() + 10
        while True:  # the old listener may take a moment to release the port
            try:
                self.broker = EmbeddedBroker("127.0.0.1", self.port).start()
                return self
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self, kill: bool = False) -> None:
        if self.broker is not None:
            self.broker.stop()
            self.broker = None


class EmbeddedSubproc:
    """The embedded (amqtt) broker in a process of its own, so it can die like a real one.

    In-process, :meth:`EmbeddedBroker.stop` can hang while QoS 1 traffic is in flight and
    leave every connection open (see test_embedded_broker_stop_drops_connections), so a
    restart test uses this instead.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> EmbeddedSubproc:
        code = ("import signal, sys; from hub.broker import EmbeddedBroker; "
                "b = EmbeddedBroker('127.0.0.1', int(sys.argv[1])).start(); signal.sigwait([signal.SIGTERM])")
        self.proc = subprocess.Popen([sys.executable, "-c", code, str(self.port)], cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, 20)
        return self

    def stop(self, kill: bool = False) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture(params=["embedded-process", "mosquitto"])
def restartable_broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MosquittoProc | EmbeddedSubproc]:
    b: MosquittoProc | EmbeddedSubproc = EmbeddedSubproc() if request.param != "mosquitto" else MosquittoProc(tmp_path)
    b.start()
    yield b
    b.stop(kill=True)


@pytest.fixture(params=["embedded", "mosquitto"])
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MosquittoProc | EmbeddedProc]:
    b: MosquittoProc | EmbeddedProc = EmbeddedProc() if request.param == "embedded" else MosquittoProc(tmp_path)
    b.start()
    yield b
    b.stop(kill=True)


def hall_file(tmp_path: Path, kiosks: int = 4) -> Path:
    """The sample hall plus more kiosks (K3…), so several clients issue at once; kiosks issue
    back to back here, so without the sample hall's rate limit."""
    text = sample_hall_path().read_text(encoding="utf-8")
    assert "\nrate_per_minute = 120 " in text
    text = text.replace("\nrate_per_minute = 120 ", "\nrate_per_minute = 0 ", 1)
    extra = "".join(f'\n[[devices]]\nid = "K{i}"\nrole = "kiosk"\n' for i in range(3, kiosks + 1))
    path = tmp_path / "hall.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


class HubProc:
    """``python -m launcher hub --config … --db … --mqtt URL --always-open`` as a subprocess."""

    def __init__(self, config: Path, db: Path, url: str) -> None:
        self.config, self.db, self.url = config, db, url
        self.proc: subprocess.Popen[str] | None = None
        self.log = db.with_suffix(".log")
        self.starts = 0
        self.printed: list[str] = []  # what the hub printed on stdout, every start

    def start(self, timeout: float = 30.0) -> HubProc:
        self.starts += 1
        with self.log.open("a", encoding="utf-8") as out:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "launcher", "hub", "--config", str(self.config), "--db", str(self.db), "--mqtt",
                 self.url, "--always-open"], stdout=subprocess.PIPE, stderr=out, text=True, cwd=ROOT)
        ready = threading.Event()
        proc = self.proc

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                self.printed.append(line)
                if line.startswith("hallq hub:"):
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(timeout):
            self.kill()
            raise AssertionError(f"hub did not start within {timeout}s; see {self.log}")
        return self

    def kill(self) -> None:
        """kill -9: no chance to finish a transaction, publish, or say goodbye."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            self._close()

    def _close(self) -> None:
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
            self._close()


def client(url: str, hall: str, device: str, role: str, **kwargs: Any) -> HallClient:
    return HallClient(url, hall, device, role, **kwargs).start(20)
