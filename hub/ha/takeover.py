"""The standby takes the hall by taking the lease (``[ha] witness``): no operator, no guess.

A :class:`LeaseTakeover` runs beside a following :class:`~hub.ha.standby.Standby`. Its
:class:`~hub.ha.lease_client.LeaseGate` asks the witness for the lease only when the primary seems
gone: the standby has followed the primary into sync (a fresh standby, or one whose witness lost its
file, must not take the hall with an empty database) **and** the primary's heartbeat
(:attr:`~hub.ha.repl.Replica.primary_answering`) has been silent for at least one lease (``ttl``).

**Acks stop first.** A primary that lost its witness answers batch by batch on this standby's acks
(hub/ha/lease_client.py, witness lost). So the standby stops acking
(:meth:`~hub.ha.repl.Replica.hold_acks`) and waits out the primary's ack timeout before its first
request: from then on that primary answers nothing new (an ack still on its way counts only within
the timeout), and whatever it answered before is in this standby's file. It acks again only after a *definite*
refusal from the witness (any answer that is not a grant), never after a timeout (an acquire that
timed out may have been granted); until then it keeps asking every ``renew_s``, whatever the
primary's heartbeat does. When the lease is granted, the standby is promoted at once with that gate:
its hub answers under the lease's epoch, for as long as it holds it.

The promotion is ``force``: the witness's grant is the proof that the primary no longer answers (its
own lease lapsed, on its own clock, before this one was granted, and it gets no more acks), even
where the standby still sees the primary's last heartbeat.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from hub.ha.lease import DRIFT
from hub.ha.lease_client import LeaseGate, lease_gate

log = logging.getLogger("hallq.ha")


class LeaseTakeover:
    def __init__(self, standby: Any, hall: Any, *, node: str | None = None) -> None:
        self.standby = standby
        self.silent_s: float = hall.ha.lease_ttl_s  # the primary's heartbeat silent this long before we ask
        self.heard = time.monotonic()  # when the primary last looked alive (start: as if just now)
        self.asking = False  # acks held: a lease request may be out (until a definite refusal or a grant)
        # after the acks stop, wait out the primary's ack timeout before the first request: an ack already
        # on its way counts there only within [ha] ack_timeout_ms of the batch, so nothing the old primary
        # answers on it can come after the witness grants us the lease (clock rates within DRIFT)
        self.hold_s: float = hall.ha.ack_timeout_ms / 1000 * (1 + DRIFT) + 0.05
        self.held_at = 0.0
        gate = lease_gate(hall, db=standby.db, epoch=standby.replica.epoch, node=node, may_acquire=self._may_acquire)
        if gate is None:
            raise ValueError("[ha] witness is not set: a standby without a witness is promoted by hand")
        self.gate: LeaseGate = gate
        gate.on_refusal = self._refused
        self.took_at: float | None = None  # monotonic, when the lease was granted
        self.message = ""

    def _may_acquire(self) -> bool:
        """On the gate's thread, before each round: ask now? Holds the acks before the first request."""
        now = time.monotonic()
        if self.asking:
            return now - self.held_at >= self.hold_s
        replica = self.standby.replica
        if replica.primary_answering:
            self.heard = now
        if not bool(replica.in_sync) or now - self.heard < self.silent_s:
            return False
        replica.hold_acks()
        self.asking, self.held_at = True, time.monotonic()
        log.warning("主中心心跳已停 %.1f 秒：备用中心向见证申请租约 (primary silent: asking the witness for the lease)",
                    now - self.heard, extra={"code": "lease_request"})
        return False  # the first request after hold_s

    def _refused(self, code: str) -> None:
        """The witness answered and did not grant: no grant can be out, ack again."""
        if self.asking:
            self.asking = False
            self.heard = time.monotonic()  # ask again only after another full silence
            log.info("witness refused the lease (%s): acking the primary again", code,
                     extra={"code": "lease_refused"})
            self.standby.replica.resume_acks()

    def run(self, stop: threading.Event, interval: float = 0.02) -> None:
        """Until ``stop`` or promoted: wait for the lease, then promote with it."""
        self.gate.start()
        mine = False
        try:
            while not stop.wait(interval):
                if self.standby.replica.primary_answering:
                    self.heard = time.monotonic()
                if self.standby.hub is not None:
                    return  # promoted by hand (hallq standby promote): this gate is not its
                if self.gate.may_answer():
                    self.took_at = time.monotonic()
                    self.asking = False  # granted: the replica stops with the promotion
                    log.warning("the witness granted this standby the lease (epoch %d): taking over the hall",
                                self.gate.epoch, extra={"code": "lease_takeover", "epoch": self.gate.epoch})
                    mine, self.message = self.standby.promote(force=True, gate=lambda _epoch: self.gate)
                    if mine:
                        return
                    log.error("promotion failed after the lease was granted: %s", self.message)
        finally:
            if not mine:  # not promoted with it: stop asking, and give the lease back if we took it
                self.gate.close()
