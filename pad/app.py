"""Wire one pad: HallClient → QtHall → presenter → view. Used by the CLI, scenes and tests."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from hallq import clock as hallclock
from hallq.client import HallClient
from hallq.qt.bridge import QtHall
from pad import texts  # noqa: F401  (English entries)
from pad.backoffice import BackOffice
from pad.guide import GuideConsole
from pad.link import Link
from pad.presenter import Clock
from pad.staff import StaffPad
from pad.state import HallState

ROLES = {"staff": "pad", "guide": "guide", "backoffice": "backoffice"}


def subscriptions(hall: str, role: str) -> tuple[str, ...]:
    """What a pad listens to: its hall's retained state and events (a guide also device health).

    A back office reads only what its ACL grants: the catalog, the hub's presence, ``event/case``
    and ``event/summon`` (its lists come from ``cases.list``)."""
    t = HallState(hall).topics
    if role == "backoffice":
        return (t.catalog, t.presence("hub"), t.event("case"), t.event("summon"))
    subs = [t.catalog, t.queues, t.windows, t.events, t.presences]
    if role == "guide":
        subs.append(t.statuses)
    return tuple(subs)


class PadApp:
    """One running pad, guide console or back-office desk (a device of the hall)."""

    def __init__(self, url: str, hall: str, device: str, role: str = "staff", window: str = "",
                 clock: Clock = hallclock.now) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be staff, guide or backoffice, got {role!r}")
        self.role = role
        self.client = HallClient(url, hall, device, ROLES[role], subscriptions=subscriptions(hall, role))
        self.qt = QtHall(self.client)
        self.state = HallState(hall)
        self.presenter: StaffPad | GuideConsole | BackOffice
        if role == "guide":
            self.presenter = GuideConsole(self.state, device, clock)
        elif role == "backoffice":
            self.presenter = BackOffice(self.state, device, clock)
        else:
            self.presenter = StaffPad(self.state, device, window, clock)
        self.link = Link(self.qt, self.presenter)
        self.view: QWidget
        if role == "guide":
            from pad.guide_view import GuideView

            self.view = GuideView(self.presenter, self.link)  # type: ignore[arg-type]
        elif role == "backoffice":
            from pad.backoffice_view import BackofficeView

            self.view = BackofficeView(self.presenter, self.link)  # type: ignore[arg-type]
        else:
            from pad.staff_view import StaffView

            self.view = StaffView(self.presenter, self.link)  # type: ignore[arg-type]

    def start(self, wait: float | None = 10.0) -> PadApp:
        self.client.start(wait)
        return self

    def close(self) -> None:
        self.link.close()
        self.view.close()
        self.qt.close()
