"""The sample halls that ship with hallq: the demo, the screenshots and the tests run on them.

Only the composition root knows where they live; the hub loads whatever hall file it is given.
"""

from __future__ import annotations

from pathlib import Path


def sample_hall_path() -> Path:
    """The sample hall (吕梁式大厅): 3 zones, 11 queues; see docs/config.md."""
    return Path(__file__).resolve().parent / "hall.toml"
