"""The standby hub on the second PC: follows the primary, and on promotion becomes the hall's hub.

:class:`Standby` holds a :class:`~hub.ha.repl.Replica` (the primary's rows into its own file, over the
primary's broker) until :meth:`Standby.promote`: then the replica stops following, takes a new epoch
(fencing: the old primary, if it ever comes back, hears of it and stops answering), and a
:class:`~hub.runtime.Hub` starts on the same file and on this PC's own broker — the devices' second
address — where it repaints every retained state (the calls with the seqs and times the primary gave
them, so no display announces a call again: display/model.py ``call_key``).

The projections are kept live while following, so a promotion is a hub start (loading today's
tickets), not a replay of the log. ``hallq standby promote`` reaches the running standby through two
small files beside its database (:data:`REQUEST`, :data:`RESULT`): the operator stands at the standby PC,
and nothing listens on the network for it. The standby's state for ``hallq standby status`` is written
beside them every second (:data:`STATUS`).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from hallq import clock as hallclock
from hallq.client import HallClient
from hub.backup import hold
from hub.ha.gate import Gate, ManualGate
from hub.ha.repl import ReplEpoch, Replica, topic
from hub.hall import Hall
from hub.runtime import Hub

log = logging.getLogger("hallq.ha")

REQUEST = ".promote"  # beside the db: {"force": bool, "id": str}, written by `hallq standby promote`
RESULT = ".promote.result"  # {"id": str, "ok": bool, "message": str, "seconds": float}
STATUS = ".standby.json"  # the standby's state, every second


def side_file(db: str | Path, suffix: str) -> Path:
    db = Path(db)
    return db.with_name(db.name + suffix)


def write_atomically(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


class Standby:
    def __init__(self, hall: Hall, db: str | Path, primary_url: str, own_url: str, *,
                 key_path: str | Path | None = None, name: str = "standby",
                 hub_options: dict[str, Any] | None = None) -> None:
        self.hall, self.db, self.own_url = hall, Path(db), own_url
        self.key_path = Path(key_path) if key_path else self.db.with_suffix(".key")
        if not self.key_path.exists():
            raise FileNotFoundError(
                f"{self.key_path}: 备用中心需要主中心的密钥文件（复制主中心数据库旁的 .key 文件到这里），否则证件号"
                f"无法核对、地址无法解封 (copy the primary's key file here first: docs/operations.md)")
        self._lockfile = hold(self.db)  # `hallq restore` refuses while a standby runs on this file (hub/backup.py)
        self.replica = Replica(hall, db, primary_url, name=name)
        self.primary_url, self.name = primary_url, name
        self.fence: HallClient | None = None  # after promotion: tells the old primary's broker our epoch
        self.hub: Hub | None = None
        self.hub_options = hub_options or {}
        self.promoted_in: float | None = None  # seconds from the promote request to the hub answering
        self._lock = threading.Lock()

    def start(self, wait: float | None = None) -> Standby:
        self.replica.start(wait)
        return self

    def status(self) -> dict[str, Any]:
        r = self.replica
        if self.hub is not None:
            return {"role": "primary", "epoch": self.hub.gate.epoch, "seq": self.hub.service.seq,
                    "at": hallclock.now()}
        return {"role": "standby", "epoch": r.epoch, "seq": r.cursor["seq"], "in_sync": r.in_sync,
                "primary_connected": r.client.connected.is_set(), "primary_answering": r.primary_answering,
                "batches": r.applied, "refused": r.refused, "acks_held": r.acks_held, "at": hallclock.now()}

    def promote(self, *, force: bool = False, gate: Callable[[int], Gate] | None = None,
                wait: float | None = 20.0) -> tuple[bool, str]:
        """Become the hall's hub (see the module docstring). ``gate``: the new hub's gate from its epoch
        (default: a promoted :class:`~hub.ha.gate.ManualGate`; a witness's lease for H4's LeaseGate)."""
        with self._lock:
            if self.hub is not None:
                return True, "本机已是主中心 (already promoted)"
            t0 = time.monotonic()
            ok, message = self.replica.promote(force=force)
            if not ok:
                return False, message
            epoch = self.replica.epoch
            the_gate = gate(epoch) if gate else ManualGate(epoch, promoted=True)
            self.hub = Hub(self.hall, self.db, self.own_url, key_path=self.key_path, gate=the_gate,
                           **self.hub_options).start(wait)
            self.promoted_in = time.monotonic() - t0
            self._fence(epoch)
            log.warning("promoted: this hub answers under epoch %d (%.2f s)", epoch, self.promoted_in,
                        extra={"code": "promoted", "epoch": epoch})
            return True, f"{message}；{self.promoted_in:.2f} 秒后开始应答 (answering after {self.promoted_in:.2f} s)"

    def operator_promote(self, *, force: bool = False) -> tuple[bool, str]:
        """``hallq standby promote``: where the hall file names a witness the standby takes the hall by
        itself, by taking the lease (hub/ha/takeover.py); a hand promotion there would answer without
        the lease, beside a primary that may still hold it, so it is refused unless ``--force`` (the
        witness gone for good, the primary known dead: docs/operations.md)."""
        if self.hall.ha.witness and not force:
            return False, (f"本厅设有见证服务（{self.hall.ha.witness}）：主中心失联时备用中心会自动接管，无需手动切换；"
                           "只有见证服务永久失效且确认主中心已停止时才加 --force "
                           "(a witness decides here: the standby takes over by itself; --force only with the "
                           "witness gone for good and the primary known dead)")
        return self.promote(force=force)

    def _fence(self, epoch: int) -> None:
        """Keep telling the old primary's broker (retained ``repl/epoch``, again on every reconnect) that a
        hub of epoch ``epoch`` answers now: an old primary that comes back there stops answering."""
        notice = msgspec.json.encode(ReplEpoch(epoch=epoch, by=self.name))
        fence = HallClient(self.primary_url, self.hall.id, self.name, "hub")
        where = topic(fence.topics, "epoch")
        fence.on_connection(lambda up: fence.publish(where, notice, retain=True) if up else None)
        fence.start(None)  # the old primary's broker may be down for good: keep trying in the background
        self.fence = fence

    def serve_requests(self, stop: threading.Event, interval: float = 0.1) -> None:
        """Until ``stop``: answer ``hallq standby promote`` (the request file) and write the status file."""
        request, result, status = (side_file(self.db, s) for s in (REQUEST, RESULT, STATUS))
        next_status = 0.0
        while not stop.wait(interval):
            if request.exists():
                try:
                    asked = json.loads(request.read_text(encoding="utf-8"))
                    request.unlink()
                except (OSError, ValueError) as exc:
                    log.warning("unreadable promote request %s: %s", request, exc)
                    request.unlink(missing_ok=True)
                    continue
                t0 = time.monotonic()
                ok, message = self.operator_promote(force=bool(asked.get("force")))
                write_atomically(result, {"id": asked.get("id", ""), "ok": ok, "message": message,
                                          "seconds": round(time.monotonic() - t0, 3)})
            if time.monotonic() >= next_status:
                write_atomically(status, {**self.status(), "mono": time.monotonic()})
                next_status = time.monotonic() + 1.0

    def stop(self) -> None:
        if self.fence is not None:
            self.fence.stop()
        if self.hub is not None:
            self.hub.stop()
        else:
            self.replica.stop()
        if self._lockfile is not None:
            self._lockfile.close()
