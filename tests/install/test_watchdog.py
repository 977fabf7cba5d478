"""The hub tells systemd it is ready and keeps pinging the watchdog only while its worker works.

Everything here is real: a unix datagram socket as ``$NOTIFY_SOCKET``, libsystemd's sd_notify in
the hub, a real broker, and for the process tests ``python -m launcher hub`` as a subprocess that
is stopped (SIGSTOP) or whose SQLite write is blocked by another process holding the write lock.
With ``WATCHDOG_USEC`` = 2 s (``WatchdogSec=2``) the hub pings every 1 s; a hang must stop the pings
within WatchdogSec/2, so systemd's restart (``tests/install/test_systemd_restart.py``) follows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hallq.client import HallClient, RequestError, RequestTimeout
from hub.config import load_hall
from hub.hall import Hall
from hub.runtime import Hub
from launcher.samples import sample_hall_path
from tests.faults.test_hub_kill import a_situation
from tests.hub.hub_helpers import FakeClock

from .notify_helpers import NotifySocket

ROOT = Path(__file__).resolve().parents[2]
WATCHDOG_S = 2.0
PING_S = WATCHDOG_S / 2


@pytest.fixture
def notify_socket() -> Iterator[NotifySocket]:
    sock = NotifySocket()
    yield sock
    sock.close()


def _pings_between(sock: NotifySocket, start: float, end: float) -> list[float]:
    return [t for t in sock.times("WATCHDOG=1") if start < t < end]


def test_without_notify_socket_the_hub_sends_nothing_and_runs(embedded_broker: str, hall: Hall, tmp_path: Path,
                                                              clock: FakeClock, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")
    hub = Hub(dataclasses.replace(hall, id=f"t{uuid.uuid4().hex[:12]}"), tmp_path / "hub.db", embedded_broker,
              clock=clock, durable=False).start()
    try:
        assert hub.notifier.interval is None
        assert not hub.notifier.enabled
    finally:
        hub.stop()


def test_ready_then_pings_and_none_while_the_worker_is_deadlocked(embedded_broker: str, hall: Hall, tmp_path: Path,
                                                                  clock: FakeClock, notify_socket: NotifySocket,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process: the worker thread alone hangs on a lock it cannot get (:meth:`Hub.held` holds the
    lock the worker takes for each round, the shape of a deadlock); paho's thread and the MQTT
    connection stay up, and the pings stop anyway."""
    monkeypatch.setenv("NOTIFY_SOCKET", str(notify_socket.path))
    monkeypatch.setenv("WATCHDOG_USEC", str(int(WATCHDOG_S * 1e6)))
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    hub = Hub(dataclasses.replace(hall, id=f"t{uuid.uuid4().hex[:12]}"), tmp_path / "hub.db", embedded_broker,
              clock=clock, durable=False, tick_interval=0.2).start()
    try:
        assert hub.notifier.interval == PING_S
        ready = notify_socket.wait_for("READY=1", 5)
        first = notify_socket.wait_for("WATCHDOG=1", 5, after=ready - 1)
        time.sleep(3 * PING_S + 0.3)
        assert len(_pings_between(notify_socket, first - 0.01, time.monotonic())) >= 3, "pings while working"
        with hub.held():
            held_at = time.monotonic()
            time.sleep(3 * WATCHDOG_S)
            assert hub.client.connected.is_set()  # the connection never noticed
            during = _pings_between(notify_socket, held_at, time.monotonic())
        # at most the ping of a round already under way when the hold began, and none after WatchdogSec/2
        assert all(t < held_at + WATCHDOG_S / 2 for t in during), during
        assert len(during) <= 1
        resumed = notify_socket.wait_for("WATCHDOG=1", 3 * PING_S, after=held_at + 3 * WATCHDOG_S)
        assert resumed > held_at
    finally:
        hub.stop()
    assert notify_socket.wait_for("STOPPING=1", 2)


class HubProcess:
    """``python -m launcher hub`` with a notify socket and watchdog in its environment."""

    def __init__(self, config: Path, db: Path, url: str, sock: NotifySocket) -> None:
        env = dict(os.environ, NOTIFY_SOCKET=str(sock.path), WATCHDOG_USEC=str(int(WATCHDOG_S * 1e6)))
        env.pop("WATCHDOG_PID", None)
        self.log = db.with_suffix(".log")
        with self.log.open("w") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "launcher", "hub", "--config", str(config), "--db",
                                          str(db), "--mqtt", url, "--always-open"], stdout=subprocess.DEVNULL,
                                         stderr=err, env=env, cwd=ROOT)

    def close(self) -> None:
        self.proc.send_signal(signal.SIGCONT)
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def test_a_stopped_hub_process_stops_pinging(mosquitto: str, tmp_path: Path, notify_socket: NotifySocket) -> None:
    hub = HubProcess(sample_hall_path(), tmp_path / "hall.db", mosquitto, notify_socket)
    try:
        notify_socket.wait_for("READY=1", 30)
        notify_socket.wait_for("WATCHDOG=1", 5)
        time.sleep(2 * PING_S + 0.2)
        hub.proc.send_signal(signal.SIGSTOP)
        stopped_at = time.monotonic()
        time.sleep(2 * WATCHDOG_S)
        assert _pings_between(notify_socket, stopped_at + WATCHDOG_S / 2, time.monotonic()) == []
        assert len(_pings_between(notify_socket, stopped_at - 2 * PING_S - 0.2, stopped_at)) >= 1
        hub.proc.send_signal(signal.SIGCONT)
        notify_socket.wait_for("WATCHDOG=1", 3 * PING_S, after=time.monotonic())
    finally:
        hub.close()


def test_a_hub_stuck_in_a_sqlite_write_stops_pinging_until_it_returns(mosquitto: str, tmp_path: Path,
                                                                     notify_socket: NotifySocket) -> None:
    """Another process holds the database's write lock: the hub's commit waits in SQLite's busy
    handler (5 s), its worker makes no progress and sends no ping; the lock goes, the command is
    answered and the pings come back."""
    config = sample_hall_path()
    hall = load_hall(config)
    db = tmp_path / "hall.db"
    hub = HubProcess(config, db, mosquitto, notify_socket)
    kiosk: HallClient | None = None
    try:
        notify_socket.wait_for("READY=1", 30)
        kiosk = HallClient(mosquitto, hall.id, "K1", "kiosk").start(20)
        matter, situation = a_situation(config)
        kiosk.request("ticket.issue", {"matter": matter, "situation": situation}, timeout=10)  # works at first
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            sent_at = time.monotonic()
            with contextlib.suppress(RequestTimeout):
                kiosk.request("ticket.issue", {"matter": matter, "situation": situation}, timeout=0.3, retries=0)
            time.sleep(3.0)
            assert _pings_between(notify_socket, sent_at + WATCHDOG_S / 2, time.monotonic()) == []
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        released = time.monotonic()
        notify_socket.wait_for("WATCHDOG=1", 3 * PING_S, after=released)
        try:
            kiosk.request("ticket.issue", {"matter": matter, "situation": situation}, timeout=10)
        except RequestError as exc:  # the hub answers again (any answer is progress)
            raise AssertionError(f"the hub answered with an error after the lock went: {exc}") from None
    finally:
        if kiosk is not None:
            kiosk.stop()
        hub.close()
