"""Shared fixtures: halls, a clock you can move, real brokers (amqtt and Mosquitto), a running hub.

Brokers are real and started once per session on free loopback ports; every hub test gets
its own hall id (so its own topic tree) and its own SQLite file under ``tmp_path``.
"""

from __future__ import annotations

import datetime as _dt
import os
import time as _time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# No test may depend on today's date, the weekday or the machine's time zone. So every run is
# moved (hallq/clock.py, read by every process the tests start): a year ahead, onto a Sunday,
# on a machine whose zone is far from the hall's. A test that reads the real date, or expects
# the machine's zone to be Beijing's, fails the day it is written. HALLQ_CLOCK_SHIFT (seconds)
# and HALLQ_TEST_TZ pick another moment and zone for a run.


def _a_sunday_a_year_ahead(today: _dt.date) -> int:
    ahead = today + _dt.timedelta(days=364)
    return 364 + (6 - ahead.weekday()) % 7


os.environ["TZ"] = os.environ.get("HALLQ_TEST_TZ", "Pacific/Honolulu")
_time.tzset()
os.environ.setdefault("HALLQ_CLOCK_SHIFT", str(_a_sunday_a_year_ahead(_dt.date.today()) * 86400))  # noqa: DTZ011

import dataclasses
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hallq.client import HallClient
from hub.broker import EmbeddedBroker, free_port
from hub.config import load_hall
from hub.hall import Hall
from launcher.samples import sample_hall_path
from tests.hub.hub_helpers import MOSQUITTO, SMALL_HALL, FakeClock, local_ts, make_small_hall

# ---------------------------------------------------------------- halls and clocks


@pytest.fixture(scope="session")
def hall() -> Hall:
    """The sample hall (launcher/samples/hall.toml): opening hours 08:30-12:00, 14:00-18:00."""
    return load_hall(sample_hall_path())


@pytest.fixture(scope="session")
def small_hall_text() -> str:
    return SMALL_HALL


@pytest.fixture(scope="session")
def small_hall() -> Hall:
    """2 zones, 3 queues (C has a quota of 3), 3 windows with stages/weights, 2 staff, every device role."""
    return make_small_hall()


@pytest.fixture
def clock() -> FakeClock:
    """Monday 2026-11-23 09:00 Asia/Shanghai: inside both halls' opening hours."""
    return FakeClock(local_ts(2026, 11, 23, 9, 0))


# ---------------------------------------------------------------- brokers


def _wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@pytest.fixture(scope="session")
def embedded_broker() -> Iterator[str]:
    broker = EmbeddedBroker("127.0.0.1", free_port()).start()
    yield broker.url
    broker.stop()


@pytest.fixture(scope="session")
def mosquitto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (os.path.exists(MOSQUITTO) or shutil.which("mosquitto")):
        pytest.skip("mosquitto not installed (apt install mosquitto)")
    binary = MOSQUITTO if os.path.exists(MOSQUITTO) else shutil.which("mosquitto")
    port = free_port()
    conf = tmp_path_factory.mktemp("mosquitto") / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    proc = subprocess.Popen([str(binary), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_port(port)
    except TimeoutError:
        proc.kill()
        err = proc.communicate(timeout=5)[1].decode(errors="replace")
        raise RuntimeError(f"mosquitto did not start: {err}") from None
    yield f"mqtt://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@pytest.fixture(params=["embedded", "mosquitto"])
def broker_url(request: pytest.FixtureRequest) -> str:
    """Every MQTT test runs against both brokers (STYLE 6: contract tests over every implementation)."""
    return str(request.getfixturevalue("embedded_broker" if request.param == "embedded" else "mosquitto"))


# ---------------------------------------------------------------- a running hub


class HubRig:
    """A Hub on a tmp_path database plus device clients; everything stops at teardown."""

    def __init__(self, hall: Hall, url: str, db: Path, clock: FakeClock) -> None:
        self.hall, self.url, self.db, self.clock = hall, url, db, clock
        self.hub: Any = None
        self.clients: list[HallClient] = []

    def start_hub(self, url: str | None = None) -> Any:
        from hub.runtime import Hub

        self.hub = Hub(self.hall, self.db, url or self.url, clock=self.clock, durable=False,
                       tick_interval=0.2).start()
        return self.hub

    def stop_hub(self) -> None:
        if self.hub is not None:
            self.hub.stop()
            self.hub = None

    def client(self, device: str, role: str, *, url: str | None = None,
               listen: dict[str, Callable[[str, Any], None]] | None = None) -> HallClient:
        """A started device client; ``listen`` subscribes before connecting, so nothing is missed."""
        listen = listen or {}
        c = HallClient(url or self.url, self.hall.id, device, role, subscriptions=tuple(listen))
        for topic_filter, fn in listen.items():
            c.on(topic_filter, fn)
        self.clients.append(c)
        return c.start(10)

    def kiosk(self, device: str = "K1") -> HallClient:
        return self.client(device, "kiosk")

    def pad(self, device: str = "P-S01") -> HallClient:
        return self.client(device, "pad")

    def display(self, device: str = "D-S01") -> HallClient:
        return self.client(device, "display")

    def close(self) -> None:
        for c in self.clients:
            try:
                c.stop()
            except Exception:  # an abruptly cut client in a presence test
                pass
        self.stop_hub()


@pytest.fixture
def make_rig(hall: Hall, tmp_path: Path, clock: FakeClock) -> Iterator[Callable[[str], HubRig]]:
    """Build a HubRig for the sample hall (unique hall id) on any broker URL; closed at teardown."""
    rigs: list[HubRig] = []

    def make(url: str) -> HubRig:
        unique = dataclasses.replace(hall, id=f"t{uuid.uuid4().hex[:12]}")
        rig = HubRig(unique, url, tmp_path / f"hub{len(rigs)}.db", clock)
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        rig.close()


@pytest.fixture
def running_hub(hall: Hall, broker_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[HubRig]:
    """The sample hall under a unique hall id (own topic tree), its hub running on ``broker_url``."""
    unique = dataclasses.replace(hall, id=f"t{uuid.uuid4().hex[:12]}")
    rig = HubRig(unique, broker_url, tmp_path / "hub.db", clock)
    rig.start_hub()
    yield rig
    rig.close()


def pytest_report_header() -> str:
    from hallq import clock

    return (f"hallq clock: {clock.local().isoformat(timespec='minutes')} in the hall's zone "
            f"(HALLQ_CLOCK_SHIFT={os.environ['HALLQ_CLOCK_SHIFT']}), machine TZ={os.environ['TZ']}")
