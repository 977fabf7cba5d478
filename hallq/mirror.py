"""The hall as a device sees it: retained topics turned into typed state (no Qt, no I/O of its own).

The hub keeps the truth and publishes it retained (``docs/protocol.md`` §6): the catalogue,
``state/queues``, one ``state/window/<id>`` per window, ``state/calls``, every device's
``presence/<id>`` and ``status/<id>``. A :class:`HallMirror` folds each ``(topic, payload)`` into
typed fields (:mod:`hallq.messages`): ``mirror.windows["S01"].current.number``, never a chain of
``.get("…")`` over dicts. It is the only topic parser devices use: kiosk, pad and display build
their screens' models on it.

* Fed by hand (:meth:`HallMirror.feed`, payload bytes or the JSON a :class:`~hallq.client.HallClient`
  already decoded), or attached to a client (:meth:`HallMirror.attach`: it listens on the hall's
  topics and seeds itself from the client's cache of retained messages); :meth:`HallMirror.close`
  undoes the listener.
* Each message that changed something is announced to plain callbacks as a :class:`Change` (the
  Qt adapter forwards them as a signal; a view repaints). Events (``event/…``, not retained) are
  decoded and announced too, but not kept.
* A malformed payload (a wrong type, a missing field) is logged with the topic and what is wrong
  where (msgspec's ``Expected `int`, got `str` - at `$.queues[0].waiting```) and ignored: the
  state it would have replaced stays as it was. An empty payload clears a retained topic.

Thread: an attached mirror changes on the client's network thread; a Qt device feeds it on the
GUI thread instead (from :class:`~hallq.qt.bridge.QtHall`'s ``message`` signal), so its views
read it without locks.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

from hallq import messages as m
from hallq.protocol import Topics

if TYPE_CHECKING:
    from hallq.client import HallClient, Unsubscribe

log = logging.getLogger("hallq.mirror")

HUB_DEVICE = "hub"


@dataclass(frozen=True)
class Change:
    """What one message changed: ``kind`` is catalog, queues, window, calls, presence, status or event.

    ``name`` is the window id, device id or event kind; ``message`` the typed message (``None``
    when a retained topic was cleared, or for an event kind with no message type).
    """

    kind: str
    name: str = ""
    message: Any = None


Listener = Callable[[Change], None]


def _by_id(items: list[Any]) -> dict[str, Any]:
    return {x.id: x for x in items}


class HallMirror:
    """Typed retained state of one hall. Start empty; every field fills as its topic arrives."""

    def __init__(self, hall: str | Topics) -> None:
        self.topics = hall if isinstance(hall, Topics) else Topics(hall)
        self.catalog: m.Catalog | None = None
        self.day = ""  # the hall day of the queue counts
        self.queue_state: dict[str, m.QueueSummary] = {}  # state/queues by queue id
        self.windows: dict[str, m.WindowState] = {}  # state/window/<id>
        self.calls: list[m.Call] = []  # state/calls, newest first
        self.presence: dict[str, m.Presence] = {}  # presence/<device>
        self.status: dict[str, m.DeviceStatus] = {}  # status/<device>
        self.malformed = 0  # payloads ignored because they did not decode
        self._listeners: list[Listener] = []
        self._undo: list[Unsubscribe] = []

    # ------------------------------------------------------------ input

    def feed(self, topic: str, payload: Any) -> Change | None:
        """Fold one message in; the :class:`Change` it made (listeners hear it too), or ``None``.

        ``payload`` is the raw bytes or the already decoded JSON (``None``: an empty, cleared
        retained message). Topics of another hall, commands and replies are not state: ``None``.
        """
        try:
            kind, rest = self.topics.parse(topic)
        except ValueError:
            return None
        cleared = payload is None or payload == b""
        message: Any = None
        if not cleared:
            wire = None if kind in ("cmd", "reply") else m.message_type(self.topics, topic)
            if wire is None and kind != "event":
                return None  # not state (an event kind nobody typed yet passes with no message)
            if wire is not None:
                try:
                    message = m.decode(wire, bytes(payload)) if isinstance(payload, bytes | bytearray) \
                        else msgspec.convert(payload, wire)
                except (msgspec.ValidationError, msgspec.DecodeError) as exc:
                    self.malformed += 1
                    log.warning("ignored a malformed %s on %s: %s", wire.__name__, topic, exc)
                    return None
        change = self._fold(kind, rest, message)
        if change is not None:
            self._announce(change)
        return change

    def _fold(self, kind: str, rest: str, message: Any) -> Change | None:
        if kind == "catalog" and not rest:
            self.catalog = message
            return Change("catalog", "", message)
        if kind == "state" and rest == "queues":
            self.day = message.day if message is not None else ""
            self.queue_state = _by_id(message.queues) if message is not None else {}
            return Change("queues", "", message)
        if kind == "state" and rest == "calls":
            self.calls = list(message.calls) if message is not None else []
            return Change("calls", "", message)
        if kind == "state" and rest.startswith("window/"):
            return Change("window", *self._keep(self.windows, rest.split("/", 1)[1], message))
        if kind == "presence":
            return Change("presence", *self._keep(self.presence, rest, message))
        if kind == "status":
            return Change("status", *self._keep(self.status, rest, message))
        if kind == "event":
            return Change("event", rest, message)
        return None

    @staticmethod
    def _keep(store: dict[str, Any], key: str, message: Any) -> tuple[str, Any]:
        if message is None:
            store.pop(key, None)
        else:
            store[key] = message
        return key, message

    def load(self, retained: Mapping[str, Any]) -> None:
        """Seed from a client's cache of retained messages (those that came before we listened)."""
        for topic, payload in list(retained.items()):
            self.feed(topic, payload)

    def attach(self, client: HallClient) -> HallMirror:
        """Follow ``client``: listen on this hall's topics (its subscriptions decide which arrive)
        and seed from what it already holds. Listeners then run on the client's network thread."""
        def listen(topic: str, payload: Any) -> None:
            self.feed(topic, payload)

        self._undo.append(client.on(f"{self.topics.base}/#", listen))
        self.load(client.state)
        return self

    def close(self) -> None:
        """Stop following the client (twice is harmless); the state stays as it was."""
        undo, self._undo = self._undo, []
        for fn in undo:
            fn()

    # ------------------------------------------------------------ change notification

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(change)`` after each change; returns the way to stop."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def _announce(self, change: Change) -> None:
        for fn in list(self._listeners):
            try:
                fn(change)
            except Exception:
                log.exception("mirror listener failed on %s %s", change.kind, change.name)

    # ------------------------------------------------------------ the catalogue, by id

    @property
    def ready(self) -> bool:
        """The catalogue has arrived (every screen needs it)."""
        return self.catalog is not None

    @property
    def hub_online(self) -> bool:
        hub = self.presence.get(HUB_DEVICE)
        return hub is not None and hub.online

    @property
    def hall_name(self) -> str:
        return self.catalog.hall.name if self.catalog else ""

    @property
    def timezone(self) -> str:
        """The hall's time zone: a device shows the hall's time, not its PC's."""
        return (self.catalog.hall.timezone if self.catalog else "") or "Asia/Shanghai"

    @property
    def queues(self) -> dict[str, m.Queue]:
        """Configured queues in hall-file order (their live counts: :attr:`queue_state`)."""
        return _by_id(self.catalog.queues) if self.catalog else {}

    @property
    def window_configs(self) -> dict[str, m.Window]:
        return _by_id(self.catalog.windows) if self.catalog else {}

    @property
    def zones(self) -> dict[str, m.Zone]:
        return _by_id(self.catalog.zones) if self.catalog else {}

    @property
    def matters(self) -> dict[str, m.Matter]:
        return _by_id(self.catalog.matters) if self.catalog else {}

    @property
    def devices(self) -> dict[str, m.Device]:
        return _by_id(self.catalog.devices) if self.catalog else {}

    @property
    def staff(self) -> dict[str, m.StaffEntry]:
        return _by_id(self.catalog.staff) if self.catalog else {}

    @property
    def priority_groups(self) -> dict[str, m.PriorityGroup]:
        return _by_id(self.catalog.priority_groups) if self.catalog else {}

    @property
    def policy(self) -> m.CatalogPolicy | None:
        return self.catalog.policy if self.catalog else None

    def queue_name(self, qid: str) -> str:
        q = self.queues.get(qid)
        return q.name if q else qid

    def window_name(self, wid: str) -> str:
        w = self.window_configs.get(wid)
        return w.name if w else wid

    def group_name(self, gid: str) -> str:
        g = self.priority_groups.get(gid)
        return g.name if g else gid

    def waiting(self, qid: str) -> int:
        q = self.queue_state.get(qid)
        return q.waiting if q else 0
