"""Screenshot scenes of every device, for ``hallq screenshot``.

A scene starts a :class:`~launcher.local_hall.LocalHall` (the sample hall, or the hall file given
with ``--config``), drives it into a state, opens a device's real widgets offscreen and grabs them
to PNG. The scenes live here, in the composition root, because they start a hub in-process: a
device package never does.
"""

from __future__ import annotations

import importlib
from typing import Any

DEVICES = ("kiosk", "pad", "display", "case_front", "case_back", "ha", "guide_followup")


def scenes() -> dict[str, Any]:
    """Every scene, by name (``kiosk-start``, ``pad-serving``, ``display-hall`` …)."""
    found: dict[str, Any] = {}
    for device in DEVICES:
        module = importlib.import_module(f"launcher.scenes.{device}")
        found.update(module.SCENES)
    return found
