"""A plain mirror of what the hub publishes, for the pad and the guide console. No Qt, no I/O.

The hub keeps the truth; devices repaint from its retained topics (catalog, queue state,
one topic per window, presence and device health). :class:`HallState` folds each
``(topic, payload)`` into dictionaries and answers the lookups the presenters need
(a queue's name, the recall limit, which devices are kiosks …). Non-retained events
(``event/…``) pass through :meth:`HallState.apply` unchanged for the presenters to see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hallq.protocol import Topics

HUB_DEVICE = "hub"


@dataclass(frozen=True)
class Change:
    """What one message changed: ``kind`` is catalog, queues, window, presence, status or event."""

    kind: str
    name: str = ""  # window id, device id or event kind
    data: Any = None


class HallState:
    def __init__(self, hall: str) -> None:
        self.topics = Topics(hall)
        self.catalog: dict[str, Any] = {}
        self.queue_state: dict[str, dict[str, Any]] = {}
        self.day = ""
        self.windows: dict[str, dict[str, Any]] = {}
        self.presence: dict[str, dict[str, Any]] = {}
        self.status: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------ folding messages

    def apply(self, topic: str, data: Any) -> Change | None:
        try:
            kind, rest = self.topics.parse(topic)
        except ValueError:
            return None
        if kind == "catalog" and not rest:
            self.catalog = data if isinstance(data, dict) else {}
            return Change("catalog")
        if kind == "state" and rest == "queues":
            data = data if isinstance(data, dict) else {}
            self.day = str(data.get("day", ""))
            self.queue_state = {q["id"]: q for q in data.get("queues", []) if isinstance(q, dict) and "id" in q}
            return Change("queues")
        if kind == "state" and rest.startswith("window/"):
            wid = rest.split("/", 1)[1]
            if isinstance(data, dict):
                self.windows[wid] = data
            else:
                self.windows.pop(wid, None)
            return Change("window", wid, data)
        if kind in ("presence", "status"):
            store = self.presence if kind == "presence" else self.status
            if isinstance(data, dict):
                store[rest] = data
            else:
                store.pop(rest, None)
            return Change(kind, rest, data)
        if kind == "event":
            return Change("event", rest, data if isinstance(data, dict) else {})
        return None

    def load(self, retained: Mapping[str, Any]) -> None:
        """Seed from a client's cache of retained messages (messages seen before we listened)."""
        for topic, data in list(retained.items()):
            self.apply(topic, data)

    # ------------------------------------------------------------ lookups

    @property
    def ready(self) -> bool:
        return bool(self.catalog)

    @property
    def hub_online(self) -> bool:
        return bool(self.presence.get(HUB_DEVICE, {}).get("online"))

    @property
    def hall_name(self) -> str:
        return str(self.catalog.get("hall", {}).get("name", ""))

    @property
    def timezone(self) -> str:
        """The hall's time zone: times on a pad are the hall's, not the pad PC's."""
        return str(self.catalog.get("hall", {}).get("timezone", "")) or "Asia/Shanghai"

    def _by_id(self, section: str) -> dict[str, dict[str, Any]]:
        return {str(x["id"]): x for x in self.catalog.get(section, []) if isinstance(x, dict) and "id" in x}

    @property
    def queues(self) -> dict[str, dict[str, Any]]:
        """Configured queues (catalog) in hall-file order."""
        return self._by_id("queues")

    @property
    def window_configs(self) -> dict[str, dict[str, Any]]:
        return self._by_id("windows")

    @property
    def matters(self) -> dict[str, dict[str, Any]]:
        return self._by_id("matters")

    @property
    def devices(self) -> dict[str, dict[str, Any]]:
        return self._by_id("devices")

    @property
    def staff(self) -> dict[str, dict[str, Any]]:
        return self._by_id("staff")

    @property
    def priority_groups(self) -> dict[str, dict[str, Any]]:
        return self._by_id("priority_groups")

    @property
    def policy(self) -> dict[str, Any]:
        return dict(self.catalog.get("policy", {}))

    @property
    def recall_limit(self) -> int:
        return int(self.policy.get("recall_limit", 3))

    def queue_name(self, qid: str) -> str:
        return str(self.queues.get(qid, {}).get("name", qid))

    def window_name(self, wid: str) -> str:
        return str(self.window_configs.get(wid, {}).get("name", wid))

    def group_name(self, gid: str) -> str:
        return str(self.priority_groups.get(gid, {}).get("name", gid))

    def waiting(self, qid: str) -> int:
        return int(self.queue_state.get(qid, {}).get("waiting", 0))

    def departments(self) -> list[str]:
        """Back-office departments known to the hall (matters and windows), for 呼叫后台."""
        seen: dict[str, None] = {}
        for m in self.catalog.get("matters", []):
            if m.get("department"):
                seen[str(m["department"])] = None
        for w in self.catalog.get("windows", []):
            if w.get("department"):
                seen[str(w["department"])] = None
        return list(seen)

    def kiosks(self) -> list[str]:
        return [d for d, cfg in self.devices.items() if cfg.get("role") == "kiosk"]

    def printer_table(self, device: str) -> tuple[str, dict[str, Any] | None]:
        """(name, raw hall-file keys) of a device's printer, if the catalog carries it."""
        name = str(self.devices.get(device, {}).get("printer", "") or "")
        if not name:
            return "", None
        table = (self.catalog.get("printers") or {}).get(name)
        return name, table if isinstance(table, dict) else None
