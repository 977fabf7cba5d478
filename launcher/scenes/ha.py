"""Screenshot scenes of the standby hub's alarm: what the guide console shows when the primary goes on
without its standby (备用中心未同步, docs/operations.md 主备切换)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

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


class _WitnessLost:
    """The hub's gate as a LeaseGate says it while its witness is unreachable (hub/ha/lease_client.py)."""

    def __init__(self, gate: Any) -> None:
        self._gate = gate
        self.mode, self.witness_error = "witness_lost", "见证 192.168.1.30:7700 无法联系 (timed out)"

    @property
    def alarm(self) -> Any:
        from hallq.alarms import hub_alarm
        from hub.ha.lease_client import WITNESS_LOST

        return hub_alarm(WITNESS_LOST)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gate, name)


def guide_witness_lost_alarm(out: Path) -> None:
    """The guide console's alerts while the witness PC is down and the hall goes on on the standby's acks."""
    with guide_console() as (lh, app, _s01):
        hub = lh.hub
        assert hub is not None
        hub.gate = _WitnessLost(hub.gate)
        hub._hub_status()
        console = app.presenter
        reach(lambda: any("见证服务失联" in a.text for a in console.alerts()), "the witness alarm")
        grab(app.view, out, SIZE)


SCENES: dict[str, Callable[[Path], None]] = {"guide-standby-alarm": guide_standby_alarm,
                                             "guide-witness-lost-alarm": guide_witness_lost_alarm}
