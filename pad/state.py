"""The hall as the pad and the guide console see it: :class:`hallq.mirror.HallMirror` plus the
lookups their presenters need (the recall limit, back-office departments, kiosks, printers).

The hub keeps the truth; the pad repaints from its retained topics, typed by the mirror.
Non-retained events (``event/…``) come through :meth:`HallState.apply` as a decoded
:class:`~hallq.mirror.Change` for the presenters to see. No Qt, no I/O.
"""

from __future__ import annotations

from typing import Any

from hallq.mirror import HUB_DEVICE, Change, HallMirror

__all__ = ["HUB_DEVICE", "Change", "HallState"]


class HallState(HallMirror):
    def apply(self, topic: str, data: Any) -> Change | None:
        """Fold one message in (see :meth:`HallMirror.feed`)."""
        return self.feed(topic, data)

    @property
    def recall_limit(self) -> int:
        return self.catalog.policy.recall_limit if self.catalog else 3

    def departments(self) -> list[str]:
        """Back-office departments known to the hall (matters and windows), for 呼叫后台."""
        seen: dict[str, None] = {}
        for m in self.matters.values():
            if m.department:
                seen[m.department] = None
        for w in self.window_configs.values():
            if w.department:
                seen[w.department] = None
        return list(seen)

    def kiosks(self) -> list[str]:
        return [d for d, cfg in self.devices.items() if cfg.role == "kiosk"]

    def printer_table(self, device: str) -> tuple[str, dict[str, Any] | None]:
        """(name, raw hall-file keys) of a device's printer, if the catalog carries it."""
        cfg = self.devices.get(device)
        if cfg is None or not cfg.printer or self.catalog is None:
            return "", None
        return cfg.printer, self.catalog.printers.get(cfg.printer)
