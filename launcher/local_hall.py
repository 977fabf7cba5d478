"""A whole hall in one process, for tests, screenshots, benchmarks and the demo.

Real parts only: an embedded MQTT broker on a free loopback port, the real hub on a real
SQLite file, real clients. ``clock`` lets a caller pin the hall's time.

Screenshot scenes run on the sample hall, or on any hall file (``hallq screenshot SCENE
--config HALL.toml`` calls :func:`use_hall_file`): :func:`scene_hall` loads it through the
hub's own loader, and :class:`Cast` picks which kiosk, pad, screen, staff and matter play each
part by role, so no scene names an id of the sample hall.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from hallq import clock as hallclock
from hallq.client import HallClient
from hub.broker import EmbeddedBroker, free_port
from hub.config import load_hall
from hub.hall import Hall, Matter, Role, Situation
from hub.runtime import Hub
from launcher.samples import sample_hall_path

log = logging.getLogger("hallq.local_hall")

SCENE_PIN = "1234"  # every staff member of a scene hall signs in with this (the sample's demo PIN)
_SCENE_FILE: dict[str, Path] = {}  # "path": the hall file scenes use, when not the sample


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


def use_hall_file(path: str | Path | None) -> None:
    """Screenshot scenes run on this hall file from now on (None: the sample hall again)."""
    _SCENE_FILE.clear()
    if path is not None:
        load_hall(path)  # a bad file fails here, with the loader's errors, not inside a scene
        _SCENE_FILE["path"] = Path(path)


def scene_hall() -> Hall:
    """The hall scenes run on: open all day; from a hall file, every PIN set to :data:`SCENE_PIN`."""
    if "path" not in _SCENE_FILE:
        return open_all_day(load_hall(sample_hall_path()))
    from hub.config import hash_pin

    hall = open_all_day(load_hall(_SCENE_FILE["path"]))
    pin = hash_pin(SCENE_PIN, iterations=1000)
    staff = {k: dataclasses.replace(s, pin_hash=pin) for k, s in hall.staff.items()}
    return dataclasses.replace(hall, staff=staff)


@dataclass(frozen=True)
class Cast:
    """Who plays which part in a scene, picked from any hall by role (first in the file wins)."""

    hall: Hall

    def devices(self, role: str, *, window: bool | None = None, zone: bool | None = None) -> list[str]:
        return [d.id for d in self.hall.devices.values() if d.role.value == role
                and (window is None or bool(d.window) == window) and (zone is None or bool(d.zone) == zone)]

    def device(self, role: str, **kw: bool) -> str:
        found = self.devices(role, **kw)
        if not found:
            raise LookupError(f"大厅 {self.hall.id} 没有这种设备 (no {role} device {kw or ''}) for this scene")
        return found[0]

    @property
    def kiosk(self) -> str:
        return self.device("kiosk")

    @property
    def guide(self) -> str:
        return self.device("guide")

    def window_of(self, device: str) -> str:
        return self.hall.devices[device].window

    def zone_of(self, device: str) -> str:
        return self.hall.devices[device].zone

    def staff(self, role: str) -> list[str]:
        """Staff ids with ``role`` ("pad", "guide", "admin")."""
        return [s.id for s in self.hall.staff.values() if Role(role) in s.roles]

    def ticketable(self) -> list[tuple[Matter, Situation]]:
        """Every (matter, situation) a kiosk issues a window ticket for."""
        return [(m, s) for m in self.hall.matters.values() for s in m.situations
                if s.queue and not (s.online or s.consult_only)]

    def matter_with_questions(self) -> Matter:
        found = next((m for m in self.hall.matters.values() if m.questions), None)
        if found is None:
            raise LookupError(f"大厅 {self.hall.id} 没有带问答的事项 (no matter with questions)")
        return found


class LocalHall:
    def __init__(self, hall: Hall | None = None, db: str | Path | None = None, *,
                 clock: Callable[[], float] = hallclock.now, url: str | None = None) -> None:
        self.hall = hall or scene_hall()
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
