"""A whole hall in one process, for tests, screenshots, benchmarks and the demo.

Real parts only: an embedded MQTT broker on a free loopback port, the real hub on a real
SQLite file, real clients. ``clock`` lets a caller pin the hall's time.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from hallq import clock as hallclock
from hallq.client import HallClient
from hub.bridge import Hub
from hub.broker import EmbeddedBroker, free_port
from hub.config import load_hall, sample_hall_path
from hub.hall import Hall

log = logging.getLogger("hallq.testing")


LONG_SUFFIX = {  # what real halls write: full department titles, matters with every qualifier
    "department": "（行政审批服务管理局综合受理与审批协调科）",
    "name": "（含跨省通办及告知承诺制）",
}


def long_names_hall() -> Hall:
    """The sample hall with every hall, zone, queue, window, matter, situation, staff and department
    name made long, to check that no screen is widened or clipped by a real hall's names."""
    import re
    import tomllib

    from hub.config import parse_hall

    def longer(m: re.Match[str]) -> str:
        return f'{m[1]} = "{m[2]}{LONG_SUFFIX[m[1]]}"'

    text = re.sub(r'^(name|department) = "([^"]*)"$', longer,
                  sample_hall_path().read_text(encoding="utf-8"), flags=re.MULTILINE)
    return open_all_day(parse_hall(tomllib.loads(text), text=text, source="<long names>"))


def open_all_day(hall: Hall) -> Hall:
    import dataclasses
    import datetime as dt

    policy = dataclasses.replace(hall.policy, opening_hours=((dt.time(0, 0), dt.time(23, 59, 59)),), expire_at=())
    return dataclasses.replace(hall, policy=policy)


class LocalHall:
    def __init__(self, hall: Hall | None = None, db: str | Path | None = None, *,
                 clock: Callable[[], float] = hallclock.now, url: str | None = None) -> None:
        self.hall = hall or open_all_day(load_hall(sample_hall_path()))
        self.db = Path(db) if db else Path(tempfile.mkdtemp(prefix="hallq-")) / "hall.db"
        self.clock = clock
        self.broker: EmbeddedBroker | None = None
        self.url = url or ""
        self.hub: Hub | None = None
        self.clients: list[HallClient] = []

    def start(self) -> LocalHall:
        own_broker = not self.url
        for attempt in (1, 2):
            if own_broker:
                self.broker = EmbeddedBroker("127.0.0.1", free_port()).start()
                self.url = self.broker.url
            hub = Hub(self.hall, self.db, self.url, clock=self.clock)
            try:
                self.hub = hub.start()
                return self
            except ConnectionError as exc:
                # Rarely (about once in a few hundred in-process starts under the test suite's
                # load) a hub's connection to amqtt got no SUBACK in 10 s. The client now connects
                # again after SUBACK_WAIT_S and hub/broker.py fixes two amqtt races; this retry
                # on a new broker stays as the last resort, and says so in the log.
                hub.stop()
                if not own_broker or attempt == 2:
                    raise
                log.warning("local hall: %s; retrying on a new broker", exc)
                if self.broker is not None:
                    self.broker.stop()
        raise AssertionError("unreachable")  # pragma: no cover

    def client(self, device: str, role: str | None = None, **kwargs: Any) -> HallClient:
        if role is None:
            role = self.hall.devices[device].role.value
        c = HallClient(self.url, self.hall.id, device, role, **kwargs).start()
        self.clients.append(c)
        return c

    def guide(self, device: str = "G1", staff: str | None = None, pin: str = "1234") -> HallClient:
        """A guide console's client, signed in (``guide.login``) as ``staff`` (default: the
        hall file's first guide; the sample hall's demo PIN is 1234)."""
        from hub.hall import Role

        staff = staff or next(s.id for s in self.hall.staff.values() if Role.GUIDE in s.roles)
        c = self.client(device)
        c.request("guide.login", {"staff": staff, "pin": pin})
        return c

    def book(self, code: str, slot: float, matter: str, situation: str, name_masked: str = "") -> None:
        """An appointment (预约) for the hall's day today (by its clock), as ``hallq appointments import``
        stores it; ``slot`` may be any time (a booking just before midnight stays today's)."""
        from hub.store import Store

        day = hallclock.local(self.clock(), self.hall.timezone).date().isoformat()
        store = Store(self.db)
        try:
            store.add_appointments([{
                "code": code, "day": day, "slot_start": slot, "slot_end": slot + 1800, "matter": matter,
                "situation": situation, "name_masked": name_masked, "id_masked": "", "id_hash": "",
                "phone_masked": ""}])
        finally:
            store.close()

    def stop(self) -> None:
        for c in self.clients:
            c.stop()
        if self.hub:
            self.hub.stop()
        if self.broker:
            self.broker.stop()

    def __enter__(self) -> LocalHall:
        return self.start()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
