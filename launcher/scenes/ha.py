"""Screenshot scenes of the standby hub's alarm: what the guide console shows when the primary goes on
without its standby (备用中心未同步, docs/operations.md 主备切换)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from launcher.scenes.common import grab, reach
from launcher.scenes.pad_setup import guide_console

SIZE = (1280, 800)  # the guide console's tablet


def guide_standby_alarm(out: Path) -> None:
    """The guide console's alerts after the standby stopped acking: the hub's status says so."""
    with guide_console() as (lh, app, _s01):
        hub = lh.hub
        assert hub is not None
        hub.replicator.standby = "standby"  # a standby the hub knew, now dropped (not in sync)
        hub._hub_status()
        console = app.presenter
        reach(lambda: any("备用中心未同步" in a.text for a in console.alerts()), "the standby alarm")
        grab(app.view, out, SIZE)


SCENES: dict[str, Callable[[Path], None]] = {"guide-standby-alarm": guide_standby_alarm}
