"""The standby takes the hall by taking the lease (``[ha] witness``): no operator, no guess.

A :class:`LeaseTakeover` runs beside a following :class:`~hub.ha.standby.Standby`. Its
:class:`~hub.ha.lease_client.LeaseGate` asks the witness for the lease every ``renew_s`` — but only
once the standby has followed the primary into sync (a fresh standby, or one whose witness lost its
file, must not take the hall with an empty database). The witness refuses while the primary holds
the lease, and refuses a standby it counts out of sync. When the lease is granted, the standby is
promoted at once with that gate: its hub answers under the lease's epoch, for as long as it holds it.

The promotion is ``force``: the witness's grant is the proof that the primary no longer answers (its
own lease lapsed, on its own clock, before this one was granted), even where the standby still sees
the primary's last heartbeat.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from hub.ha.lease_client import LeaseGate, lease_gate

log = logging.getLogger("hallq.ha")


class LeaseTakeover:
    def __init__(self, standby: Any, hall: Any, *, node: str | None = None) -> None:
        self.standby = standby
        gate = lease_gate(hall, epoch=standby.replica.epoch, node=node,
                          may_acquire=lambda: bool(standby.replica.in_sync))
        if gate is None:
            raise ValueError("[ha] witness is not set: a standby without a witness is promoted by hand")
        self.gate: LeaseGate = gate
        self.took_at: float | None = None  # monotonic, when the lease was granted
        self.message = ""

    def run(self, stop: threading.Event, interval: float = 0.02) -> None:
        """Until ``stop`` or promoted: wait for the lease, then promote with it."""
        self.gate.start()
        mine = False
        try:
            while not stop.wait(interval):
                if self.standby.hub is not None:
                    return  # promoted by hand (hallq standby promote): this gate is not its
                if self.gate.may_answer():
                    self.took_at = time.monotonic()
                    log.warning("the witness granted this standby the lease (epoch %d): taking over the hall",
                                self.gate.epoch, extra={"code": "lease_takeover", "epoch": self.gate.epoch})
                    mine, self.message = self.standby.promote(force=True, gate=lambda _epoch: self.gate)
                    if mine:
                        return
                    log.error("promotion failed after the lease was granted: %s", self.message)
        finally:
            if not mine:  # not promoted with it: stop asking, and give the lease back if we took it
                self.gate.close()
