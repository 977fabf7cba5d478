"""Screenshot scenes for ``hallq screenshot display-…``: real hall state, real widgets, PNG out.

Each scene starts a :class:`~launcher.local_hall.LocalHall` (embedded broker + hub + the sample
hall, or the one given with ``hallq screenshot --config``), drives it with real kiosk and pad
clients (:class:`HallDriver`), opens the display exactly as ``hallq display`` would (the hall's
first hall screen or window screen), waits until it shows the state, and grabs it offscreen.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from display.app import HallScreen, WindowScreen, make_client
from display.evaluator import Evaluator, Stage
from display.hall_view import HallView
from display.model import HallBoard, WindowBoard
from display.voice import Announcer
from display.window_view import WindowView
from hallq import clock as hallclock
from hallq.client import HallClient
from hallq.qt.app import make_app
from hallq.qt.bridge import QtHall
from launcher.local_hall import SCENE_PIN, Cast, LocalHall
from launcher.scenes.common import grab, wait_until

PIN = SCENE_PIN


class HallDriver:
    """Kiosk and pad actions on a LocalHall, through the real protocol."""

    def __init__(self, local: LocalHall) -> None:
        self.local = local
        self.hall = local.hall
        self.cast = Cast(local.hall)
        self.kiosk = local.client(self.cast.kiosk)
        self.pads: dict[str, HallClient] = {}
        self.opened: list[str] = []  # windows opened, in order: each by the next pad staff

    def pad(self, window: str) -> HallClient:
        if window not in self.pads:
            device = next((d.id for d in self.hall.devices.values() if d.role.value == "pad" and d.window == window),
                          None)
            if device is None:  # no pad in the sample hall for this window: a guide acts for it
                device = next(d.id for d in self.hall.devices.values() if d.role.value == "guide")
            if device not in {c.device for c in self.pads.values()}:
                self.pads[window] = self.local.client(device)
            else:
                self.pads[window] = next(c for c in self.pads.values() if c.device == device)
        return self.pads[window]

    def situation(self, queue: str) -> tuple[str, str]:
        found = [(m.id, s) for m, s in self.cast.ticketable() if s.queue == queue]
        # an assist (帮办) situation goes to the assist queue: prefer one that stays in ``queue``
        for matter, s in sorted(found, key=lambda ms: ms[1].assist):
            return matter, s.id
        raise LookupError(f"no situation routes to queue {queue}")

    def issue(self, queue: str, n: int = 1) -> list[dict[str, Any]]:
        matter, situation = self.situation(queue)
        return [self.kiosk.request("ticket.issue", {"matter": matter, "situation": situation})["ticket"]
                for _ in range(n)]

    def open(self, window: str, staff: str = "") -> None:
        if not staff:  # the sample's 1001 for S01 as before; another hall's pad staff one per window
            pads = self.cast.staff("pad")
            staff = "1001" if "1001" in pads and not self.opened else pads[len(self.opened) % len(pads)]
        self.pad(window).request("window.open", {"window": window, "staff": staff, "pin": PIN})
        self.opened.append(window)

    def queues(self) -> list[str]:
        """Queues a kiosk can issue for, in hall-file order."""
        return list(dict.fromkeys(s.queue for _, s in self.cast.ticketable() if not s.assist))

    def windows(self, zone: str = "") -> list[str]:
        """Windows (of ``zone``) that serve an issuable queue, in hall-file order."""
        queues = set(self.queues())
        return [w.id for w in self.hall.windows.values()
                if (not zone or w.zone == zone) and queues & set(w.queues) and not w.tidal]

    def call(self, window: str) -> dict[str, Any]:
        return dict(self.pad(window).request("ticket.call_next", {"window": window})["ticket"])

    def recall(self, window: str) -> dict[str, Any]:
        return dict(self.pad(window).request("ticket.recall", {"window": window})["ticket"])

    def finish(self, window: str, outcome: str = "accepted") -> None:
        self.pad(window).request("ticket.outcome", {"window": window, "outcome": outcome})

    def pause(self, window: str, reason: str) -> None:
        self.pad(window).request("window.pause", {"window": window, "reason": reason})


def open_hall_screen(local: LocalHall, device: str = "", zone: str = "", portrait: bool = False,
                     announcer: Announcer | None = None, now: Callable[[], dt.datetime] | None = None
                     ) -> tuple[HallScreen, HallView, QtHall]:
    cast = Cast(local.hall)
    device = device or cast.device("display", zone=True)
    zone = zone or cast.zone_of(device)
    client = make_client(local.url, local.hall.id, device, "hall")
    qhall = QtHall(client)
    board = HallBoard(client.topics.base, zone, clock=hallclock.now)
    view = HallView(board, portrait=portrait, now=now)
    screen = HallScreen(qhall, board, view, announcer)
    _keep(local, client, qhall, view, screen)
    return screen, view, qhall


def _keep(local: LocalHall, client: HallClient, *objects: Any) -> None:
    """Start the client, and keep its Qt objects alive until LocalHall.stop has stopped it.

    paho's thread emits QtHall's signals: a QtHall garbage-collected while its client still
    runs would be emitted on after deletion (a crash), so Qt objects live as long as the hall.
    """
    client.start(wait=10)
    local.clients.append(client)
    local.__dict__.setdefault("_display_objects", []).extend(objects)


def open_window_screen(local: LocalHall, device: str = "", window: str = "",
                       now: Callable[[], dt.datetime] | None = None, timeout_s: float = 60.0,
                       **screen_kw: Any) -> tuple[WindowScreen, WindowView, QtHall]:
    cast = Cast(local.hall)
    device = device or cast.device("display", window=True)
    window = window or cast.window_of(device)
    client = make_client(local.url, local.hall.id, device, "window", window)
    qhall = QtHall(client)
    board = WindowBoard(client.topics.base, window, hallclock.now)
    evaluator = Evaluator(window, hallclock.now, default_timeout_s=timeout_s)
    view = WindowView(board, evaluator, now=now)
    screen = WindowScreen(qhall, board, evaluator, view, **screen_kw)
    _keep(local, client, qhall, view, screen)
    return screen, view, qhall


@contextmanager
def scene_hall() -> Iterator[tuple[LocalHall, HallDriver]]:
    make_app()
    with LocalHall(db=Path(tempfile.mkdtemp(prefix="hallq-scene-")) / "hall.db") as local:
        yield local, HallDriver(local)


def _busy_hall(d: HallDriver, zone: str) -> None:
    windows = d.windows(zone)[:3] or d.windows()[:3]
    served = {q for w in windows for q in d.hall.windows[w].queues}
    queues = [q for q in d.queues() if q in served] + [q for q in d.queues() if q not in served]
    for queue, n in zip(queues, (14, 5, 3), strict=False):
        d.issue(queue, n)
    for w in windows:
        d.open(w)
    k = len(windows)
    for i in (1, 2, 0, 1, 2, 0, 1):  # S02 S03 S01 … in the sample
        d.call(windows[i % k])
        d.finish(windows[i % k])
    for i in dict.fromkeys((2 % k, 0)):  # S03 and S01 in the sample
        d.call(windows[i])


def _hall(out: Path, portrait: bool = False, offline: bool = False) -> None:
    with scene_hall() as (local, d):
        _busy_hall(d, local.hall.devices[d.cast.device("display", zone=True)].zone)
        _, view, _ = open_hall_screen(local, portrait=portrait)
        if not wait_until(lambda: view.board.latest is not None and bool(view.board.waiting())):
            raise RuntimeError("the hall screen did not receive the hall state")
        if offline:
            assert local.broker is not None
            local.broker.stop()
            if not wait_until(lambda: not view.board.online, 20):
                raise RuntimeError("the hall screen did not notice the broker stopping")
        view.ticker.offset = 0
        grab(view, out, (1080, 1920) if portrait else (1920, 1080))


def _window(out: Path, stage: str = "info") -> None:
    with scene_hall() as (local, d):
        w = d.cast.window_of(d.cast.device("display", window=True))
        d.issue(next(q for q in d.queues() if q in local.hall.windows[w].queues), 4)
        d.open(w)
        d.call(w)
        screen, view, _ = open_window_screen(local)
        if stage == "paused":
            d.finish(w)
            d.pad(w).request("evaluation.skip", {"window": w})
            d.pause(w, "窗口业务培训")
            ok = wait_until(lambda: view.board.status == "paused")
        elif stage in ("evaluate", "reason", "thanks"):
            d.finish(w)
            ok = wait_until(lambda: screen.evaluator.stage is Stage.RATING)
            if ok and stage == "reason":
                view.level_buttons[2].click()
                ok = screen.evaluator.stage is Stage.REASON
            elif ok and stage == "thanks":
                view.level_buttons[4].click()
                ok = wait_until(lambda: screen.evaluator.stage is Stage.THANKS)
        else:
            ok = wait_until(lambda: bool(view.board.current))
        if not ok:
            raise RuntimeError(f"the window screen did not reach the {stage} state")
        view.refresh()
        grab(view, out, (1280, 800))


SCENES: dict[str, Callable[[Path], None]] = {
    "display-hall": _hall,
    "display-hall-portrait": lambda out: _hall(out, portrait=True),
    "display-offline": lambda out: _hall(out, offline=True),
    "display-window": _window,
    "display-window-paused": lambda out: _window(out, "paused"),
    "display-evaluate": lambda out: _window(out, "evaluate"),
    "display-evaluate-reason": lambda out: _window(out, "reason"),
    "display-thanks": lambda out: _window(out, "thanks"),
}
