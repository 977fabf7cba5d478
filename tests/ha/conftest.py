"""The standby's rigs: the fault rigs' brokers and hub subprocess (tests/faults/conftest.py), reused, and
:func:`two_hub_pcs`: a primary and its standby in-process, each PC with its own Mosquitto."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hallq.client import HallClient
from hub.ha.standby import Standby
from hub.runtime import Hub
from tests.faults.conftest import EmbeddedProc, MosquittoProc, hall_file, wait_until  # noqa: F401


@dataclass
class TwoPcs:
    """PC a (the primary: ``primary`` on broker ``a``) and PC b (the ``standby`` on broker ``b``, following a)."""

    hall: Any
    tmp: Path
    a: MosquittoProc
    b: MosquittoProc
    primary: Hub
    standby: Standby
    clients: list[HallClient] = field(default_factory=list)

    def client(self, url: str, device: str) -> HallClient:
        """A device of the hall on ``url`` (stopped with the rig)."""
        c = HallClient(url, self.hall.id, device, self.hall.devices[device].role.value).start(20)
        self.clients.append(c)
        return c


@contextlib.contextmanager
def two_hub_pcs(tmp_path: Path, hall: Any, **hub_options: Any) -> Iterator[TwoPcs]:
    """The primary (its hall.key copied to PC b, as IT does) and the standby, both started; everything
    stopped at the end, whatever the test stopped itself."""
    options = {"tick_interval": 60, **hub_options}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = MosquittoProc(tmp_path / "a").start(), MosquittoProc(tmp_path / "b").start()
    primary = Hub(hall, tmp_path / "a" / "hall.db", a.url, **options).start(20)
    shutil.copy(tmp_path / "a" / "hall.key", tmp_path / "b" / "hall.key")
    standby = Standby(hall, tmp_path / "b" / "hall.db", a.url, b.url, hub_options=hub_options).start(20)
    pcs = TwoPcs(hall, tmp_path, a, b, primary, standby)
    try:
        yield pcs
    finally:
        for c in pcs.clients:
            c.stop()
        standby.stop()
        if primary.client.connected.is_set():
            primary.stop()
        a.stop()
        b.stop()
