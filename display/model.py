"""What each display shows, as plain Python (no Qt): fed with the hub's MQTT messages.

* :class:`HallBoard` — a hall TV (大厅屏): newest call, recent calls, waiting counts per
  queue, notices, optionally only one zone's windows. It is built from retained state
  (``catalog``, ``state/calls``, ``state/queues``) so a restarted or reconnected screen
  repaints by itself, and ``event/call`` marks the newest call for flashing.
* :class:`WindowBoard` — the screen facing the citizen at one window (窗口屏); the 好差评 flow
  on that screen is :class:`display.evaluator.Evaluator`.
* LED texts for window-top bars and the hall strip (:func:`led_window_text`, :func:`led_hall_text`).

Both boards read the hub's messages typed, through a :class:`~hallq.mirror.HallMirror` (the one
topic parser; a malformed payload is logged there and changes nothing on the screen).

Connection: a board is *offline* when the broker is unreachable or the hub's presence says
offline; an offline board drops its volatile data (calls, counts, window state) so a view
can never show stale numbers as if they were live. Retained messages refill it on reconnect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from display import texts as _texts  # noqa: F401  (English entries)
from hallq import clock as hallclock
from hallq.i18n import tr
from hallq.messages import Call, Catalog, PendingEvaluation, QueueSummary, Window, WindowState
from hallq.mirror import HUB_DEVICE, HallMirror
from hallq.waits import wait_of


def call_key(call: Call) -> tuple[str, str, int, float]:
    """One call, however often it is delivered (QoS 1 may repeat ``event/call``)."""
    return (call.ticket or call.number, call.window, call.recall, call.at)


@dataclass(frozen=True)
class QueueCount:
    id: str
    name: str
    waiting: int
    wait: str | None = None  # the predicted wait for a ticket taken now, in words (None: an older hub)


class Connection:
    """Broker reachable and hub present: only then is retained data live."""

    def __init__(self) -> None:
        self.broker = False
        self.hub = True  # unknown until the hub's retained presence arrives: trust the broker
        self.since = 0.0

    @property
    def online(self) -> bool:
        return self.broker and self.hub


def _mirror(base: str) -> HallMirror:
    """The hall's mirror from a topic base (``hallq/<hall>``)."""
    return HallMirror(base.split("/", 1)[1])


class _Board:
    """What both boards share: the hall's mirror, whether its data is live, the hall's time.
    A board drops what it shows (:meth:`_drop`) the moment it goes offline."""

    base: str
    clock: Callable[[], float]
    conn: Connection
    mirror: HallMirror

    @property
    def catalog(self) -> Catalog | None:
        return self.mirror.catalog

    @property
    def online(self) -> bool:
        return self.conn.online

    def local_now(self) -> dt.datetime:
        """Now on this board's clock, in the hall's time zone (never the screen PC's)."""
        return hallclock.local(self.clock(), self.catalog.hall.timezone or None if self.catalog else None)

    def set_broker(self, up: bool) -> bool:
        was = self.conn.online
        self.conn.broker = up
        if not up:
            self.conn.hub = True  # re-learnt from the retained presence after reconnecting
        return self._connection_changed(was)

    def _hub_presence(self) -> bool:
        was = self.conn.online
        self.conn.hub = self.mirror.hub_online
        return self._connection_changed(was)

    def _connection_changed(self, was: bool) -> bool:
        if was and not self.conn.online:
            self._drop()  # never show stale numbers as if live
            self.conn.since = self.clock()
        return was != self.conn.online

    def _drop(self) -> None:
        raise NotImplementedError


@dataclass
class HallBoard(_Board):
    """A hall screen's content. ``zone`` "" shows every zone."""

    base: str  # topic base, e.g. "hallq/lvliang"
    zone: str = ""
    recent: int = 8
    flash_s: float = 12.0
    clock: Callable[[], float] = lambda: 0.0
    calls: list[Call] = field(default_factory=list)  # newest first, this zone only
    queues: list[QueueSummary] = field(default_factory=list)
    conn: Connection = field(default_factory=Connection)
    mirror: HallMirror = field(init=False)
    _flash_key: tuple[Any, ...] | None = None
    _flash_at: float = 0.0

    def __post_init__(self) -> None:
        self.mirror = _mirror(self.base)

    # ---- input

    def apply(self, topic: str, data: Any) -> bool:
        """Feed one MQTT message (decoded JSON or bytes); True if what the screen shows changed."""
        change = self.mirror.feed(topic, data)
        if change is None:
            return False  # not for this hall, or malformed (logged by the mirror)
        kind, message = change.kind, change.message
        if kind == "catalog":
            return message is not None
        if kind == "presence" and change.name == HUB_DEVICE:
            return self._hub_presence()
        if not self.conn.online or message is None:
            return False  # stale retained data from a broker without its hub is not shown
        if kind == "calls":
            self.calls = [c for c in message.calls if self.in_zone(c)]
            return True
        if kind == "queues":
            self.queues = list(message.queues)
            return True
        if kind == "event" and change.name == "call":
            call = message
            if not self.in_zone(call):
                return False
            key = call_key(call)
            if key not in {call_key(c) for c in self.calls}:
                self.calls.insert(0, call)
                del self.calls[max(self.recent + 1, 20):]
            if self._flash_key != key:
                self._flash_key, self._flash_at = key, self.clock()
            return True
        return False

    def _drop(self) -> None:
        self.calls, self.queues = [], []

    # ---- output

    def in_zone(self, call: Call) -> bool:
        return not self.zone or call.zone == self.zone

    @property
    def latest(self) -> Call | None:
        return self.calls[0] if self.calls else None

    @property
    def previous(self) -> list[Call]:
        return self.calls[1:1 + self.recent]

    def flashing(self) -> bool:
        latest = self.latest
        return (latest is not None and call_key(latest) == self._flash_key
                and self.clock() - self._flash_at < self.flash_s)

    @property
    def hall_name(self) -> str:
        return self.mirror.hall_name or tr("政务服务中心")

    @property
    def zone_name(self) -> str:
        z = self.mirror.zones.get(self.zone)
        return z.name if z else self.zone

    def zone_queues(self) -> set[str] | None:
        if not self.zone:
            return None
        return {q.id for q in self.mirror.queues.values() if q.zone == self.zone}

    def waiting(self) -> list[QueueCount]:
        ids = self.zone_queues()
        out = []
        for q in self.queues:
            if (ids is None and (not self.zone or q.zone == self.zone)) or (ids is not None and q.id in ids):
                out.append(QueueCount(q.id, q.name or q.id, q.waiting, wait_of(q)))
        return out

    @property
    def notices(self) -> list[str]:
        return list(self.catalog.hall.notices) if self.catalog else []


# ---------------------------------------------------------------- window screen


@dataclass
class WindowBoard(_Board):
    """The citizen-facing screen of one window."""

    base: str
    window: str
    clock: Callable[[], float] = lambda: 0.0
    state: WindowState | None = None
    conn: Connection = field(default_factory=Connection)
    mirror: HallMirror = field(init=False)

    def __post_init__(self) -> None:
        self.mirror = _mirror(self.base)

    def apply(self, topic: str, data: Any) -> bool:
        change = self.mirror.feed(topic, data)
        if change is None:
            return False
        if change.kind == "catalog":
            return change.message is not None
        if change.kind == "presence" and change.name == HUB_DEVICE:
            return self._hub_presence()
        if change.kind == "window" and change.name == self.window and change.message is not None \
                and self.conn.online:
            self.state = change.message
            return True
        return False

    def _drop(self) -> None:
        self.state = None

    def _cfg(self) -> Window | None:
        return self.mirror.window_configs.get(self.window)

    @property
    def name(self) -> str:
        cfg = self._cfg()
        return (self.state.name if self.state else "") or (cfg.name if cfg else "") or self.window

    @property
    def status(self) -> str:
        """open / paused / closed / unknown."""
        return (self.state.state if self.state else "") or "unknown"

    @property
    def reason(self) -> str:
        return self.state.reason if self.state else ""

    @property
    def staff(self) -> tuple[str, str] | None:
        s = self.state.staff if self.state else None
        return (s.name, s.id) if s else None

    @property
    def current(self) -> str:
        cur = self.state.current if self.state else None
        return cur.number if cur else ""

    @property
    def current_matter(self) -> str:
        cur = self.state.current if self.state else None
        return cur.matter_name if cur else ""

    @property
    def evaluation(self) -> PendingEvaluation | None:
        return self.state.evaluation if self.state else None

    @property
    def hall_name(self) -> str:
        return self.mirror.hall_name

    @property
    def department(self) -> str:
        cfg = self._cfg()
        return cfg.department if cfg else ""


# ---------------------------------------------------------------- LED texts


def led_window_text(board: WindowBoard) -> str:
    """Window-top bar: ``A001 请到S01`` while serving, ``暂停服务`` when paused or closed."""
    if not board.online or board.state is None:
        return board.window
    if board.status in ("paused", "closed"):
        return tr("暂停服务")
    if board.current:
        return tr("{number} 请到{window}", number=board.current, window=board.window)
    return tr("{window} 欢迎您", window=board.window)


def led_hall_text(board: HallBoard, count: int = 5) -> str:
    """Hall strip: the last calls, scrolling: ``请A003号到S02窗口　请A002号到S01窗口 …``."""
    if not board.online:
        return tr("系统维护中")
    calls = board.calls[:count]
    if not calls:
        return board.hall_name
    return "　".join(tr("请{number}号到{window}窗口", number=c.number, window=c.window) for c in calls)
