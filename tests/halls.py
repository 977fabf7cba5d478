"""The halls tests run a real hub on: the sample hall with a few devices (or printers) added, under an id
of its own so that every test has its own topic tree on a shared broker, and the LocalHall fixture's
start and stop. One place, where several test modules used to build the same hall each their own way.
"""

from __future__ import annotations

import dataclasses
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hallq.client import HallClient
from hub.config import parse_hall
from hub.hall import Hall
from launcher.local_hall import LocalHall, open_all_day
from launcher.samples import sample_hall_path

GA_DESK = '\n[[devices]]\nid = "B-GA"\nrole = "backoffice"\ndepartment = "公安局"\n'  # a 公安局 back office


def sample_hall_plus(extra: str = "", *, prefix: str = "t", all_day: bool = True) -> Hall:
    """The sample hall's file with ``extra`` TOML appended, parsed; open all day unless ``all_day`` is off."""
    text = sample_hall_path().read_text(encoding="utf-8") + extra
    hall = parse_hall(tomllib.loads(text), text=text)
    return dataclasses.replace(open_all_day(hall) if all_day else hall, id=f"{prefix}{uuid.uuid4().hex[:10]}")


def running(hall: Hall, db: Path, **kwargs: Any) -> Iterator[LocalHall]:
    """A fixture's body: the hall's hub and broker (``kwargs``: clock, url) up for the test, then down."""
    lh = LocalHall(hall, db, **kwargs).start()
    try:
        yield lh
    finally:
        lh.stop()


def signed_in_desk(lh: LocalHall, device: str = "B-GA", staff: str = "3001", pin: str = "1234") -> HallClient:
    """A back office's client with its department's clerk signed in: the sample hall refuses an empty desk's
    case steps (``[policy] backoffice_sign_in_required``), and a sign-in lasts the hub's day."""
    desk = lh.client(device)
    desk.request("backoffice.login", {"staff": staff, "pin": pin})
    return desk
