"""``LeaseGate``: the hub's :class:`~hub.ha.gate.Gate` when the hall file names a witness (``[ha] witness``).

A thread of its own asks the witness (hub/ha/witness.py) every ``renew_s``: to renew the lease
while this hub holds it, to acquire it otherwise (a standby takes the hall only this way, and
only once the old grant expired and the witness counts it in sync). Each granted answer moves
one monotonic deadline, measured from when the request was *sent* and ``margin`` early
(:func:`hub.ha.lease.believes_until`); :meth:`may_answer` only compares the clock with it, so the
worker's question costs nothing, and a hub that cannot reach the witness, or was stopped
(SIGSTOP) or starved, finds the deadline passed and stops answering before the witness could
grant the lease to the other hub. An answer ``not_holder`` (the lease was taken) ends the
deadline at once.

``drop_standby`` talks to the witness on a connection of its own (the worker waits for it, at
most ``timeout``); ``standby_in_sync`` is sent by the renewing thread (the caller never waits).
``close`` releases the lease, so a standby takes over at once after a clean stop.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from hub.ha.lease import believes_until, margin_for

log = logging.getLogger("hallq.ha")
NODE_ENV = "HALLQ_HA_NODE"  # this PC's name at the witness (default: its host name)


def node_name() -> str:
    """This hub's name at the witness: ``HALLQ_HA_NODE``, else the PC's host name (the two hub PCs
    must differ: the witness tells them apart by it)."""
    return (os.environ.get(NODE_ENV) or socket.gethostname()).strip()[:64] or "hub"


def lease_gate(hall: Any, *, epoch: int = 0, may_acquire: Callable[[], bool] | None = None,
               node: str | None = None) -> LeaseGate | None:
    """The hall's LeaseGate when ``[ha] witness`` is set (not started), else None (Solo/Manual)."""
    ha = hall.ha
    if not ha.witness:
        return None
    return LeaseGate(ha.witness, node or node_name(), ttl=ha.lease_ttl_s, renew_s=ha.renew_s, epoch=epoch,
                     may_acquire=may_acquire)


class WitnessUnreachable(OSError):
    pass


def parse_address(text: str, *, any_port: bool = False) -> tuple[str, int]:
    """("host", port) of "host:port"; ``any_port``: 0 allowed (a server taking any free port)."""
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit() or not (0 if any_port else 1) <= int(port) < 65536:
        raise ValueError(f"见证地址应为 '主机:端口' (witness address: expected 'host:port'), got {text!r}")
    return host.strip("[]"), int(port)


class WitnessLink:
    """One TCP connection to the witness: a JSON line out, the line with the same id back."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address
        self._sock: socket.socket | None = None
        self._buf = b""
        self._ids = itertools.count(1)

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        try:
            if self._sock is None:
                self._sock = socket.create_connection(self.address, timeout=max(0.01, timeout))
                self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._buf = b""
            rid = next(self._ids)
            self._sock.settimeout(max(0.01, deadline - time.monotonic()))
            self._sock.sendall(json.dumps({**request, "id": rid}).encode() + b"\n")
            while True:
                while b"\n" not in self._buf:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError("witness did not answer in time")
                    self._sock.settimeout(left)
                    chunk = self._sock.recv(4096)
                    if not chunk:
                        raise ConnectionError("witness closed the connection")
                    self._buf += chunk
                line, self._buf = self._buf.split(b"\n", 1)
                answer = json.loads(line)
                if isinstance(answer, dict) and answer.get("id") == rid:
                    return answer  # an older id: the late answer to a request given up on
        except (OSError, ValueError) as exc:
            self.close()
            raise WitnessUnreachable(f"见证 {self.address[0]}:{self.address[1]} 无法联系 ({exc})") from exc

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None


class LeaseGate:
    """Holds (or waits for) the lease of the witness at ``witness`` ("host:port") as ``node``.

    ``epoch``: the highest epoch this hub has seen (the store's), so that a witness that lost its
    file still grants above it. ``on_change(holding, epoch)`` is called from the renewing thread
    when this hub gains or loses the lease (the runtime's alarms and logs). ``peer``: the witness's
    name of the standby for drop/readmit; ``"*"`` (the default) is "the other hub", whatever the
    replication calls it (its login, ``standby``, is the same on either PC)."""

    def __init__(self, witness: str, node: str, *, ttl: float = 5.0, renew_s: float = 1.0, epoch: int = 0,
                 clock: Callable[[], float] = time.monotonic, peer: str = "*",
                 on_change: Callable[[bool, int], None] | None = None,
                 may_acquire: Callable[[], bool] | None = None) -> None:
        self.address = parse_address(witness)
        self.node, self.ttl, self.renew_s, self.peer = node, ttl, renew_s, peer
        self.margin = margin_for(ttl, renew_s)
        self.clock = clock
        self.on_change = on_change
        self.may_acquire = may_acquire or (lambda: True)  # a standby asks only once it has followed the primary
        self._epoch = epoch  # of the current (or last) grant: what this hub answers under
        self._seen = epoch  # the highest epoch heard of: an acquire asks the witness to grant above it
        self._until = float("-inf")  # may answer while clock() < this
        self._holding = False  # what the renewing thread last announced
        self._readmit: dict[str, int] = {}  # standby -> seq, to report with the next renewal
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._link = WitnessLink(self.address)
        self.witness_error: str | None = None  # the last failure to reach the witness (None: reached)
        self._thread = threading.Thread(target=self._run, name=f"hallq-lease-{node}", daemon=True)

    # ------------------------------------------------------------------ the Gate

    def may_answer(self) -> bool:
        return self.clock() < self._until

    @property
    def epoch(self) -> int:
        return self._epoch

    @property
    def seen(self) -> int:
        """The highest epoch this hub has heard of (above :attr:`epoch` once another hub took over)."""
        return self._seen

    def drop_standby(self, standby: str, timeout: float) -> bool:
        if not self.may_answer():
            return False
        link = WitnessLink(self.address)
        try:
            answer = link.ask({"op": "drop", "node": self.node, "epoch": self._epoch, "standby": self.peer}, timeout)
        except WitnessUnreachable as exc:
            log.warning("could not drop standby %s: %s", standby, exc, extra={"code": "standby_drop_failed"})
            return False
        finally:
            link.close()
        if not answer.get("ok"):
            self._refused(answer)
            return False
        log.warning("备用中心 %s 未同步，已由见证标记；主中心单独继续 (standby dropped from the in-sync set)", standby,
                    extra={"code": "standby_dropped"})
        return True

    def standby_in_sync(self, standby: str, seq: int) -> None:
        with self._lock:
            self._readmit[standby] = seq

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(self.renew_s + self.ttl)
        if self.may_answer():
            self._until = float("-inf")
            with contextlib.suppress(WitnessUnreachable):
                self._link.ask({"op": "release", "node": self.node, "epoch": self._epoch}, self.renew_s)
        self._link.close()

    def saw(self, epoch: int) -> None:
        """The store's epoch, known once the hub opened it: the witness grants above it."""
        self._seen = max(self._seen, epoch)

    # ------------------------------------------------------------------ the renewing thread

    def start(self) -> LeaseGate:
        self._thread.start()
        return self

    def wait_holding(self, timeout: float) -> bool:
        """True once this hub holds the lease (tests, and a primary's start)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.may_answer():
                return True
            time.sleep(0.02)
        return self.may_answer()

    def renew_once(self) -> None:
        """One round: renew or acquire, then any readmission; never raises."""
        sent = self.clock()
        holding = sent < self._until
        if not holding and not self.may_acquire():
            self._announce()
            return
        op = "renew" if holding else "acquire"
        try:
            answer = self._link.ask({"op": op, "node": self.node, "epoch": self._epoch if holding else self._seen,
                                     "ttl_ms": round(self.ttl * 1000)}, self.renew_s)
        except WitnessUnreachable as exc:
            self.witness_error = str(exc)
            self._announce()
            return
        self.witness_error = None
        if answer.get("ok"):
            epoch = int(answer["epoch"])
            if not holding or epoch == self._epoch:
                self._epoch = self._seen = epoch
                self._until = believes_until(sent, self.ttl, self.margin)
        else:
            self._refused(answer)
        self._announce()
        if self.may_answer():
            self._send_readmissions()

    def _refused(self, answer: dict[str, Any]) -> None:
        if answer.get("code") in ("not_holder", "held"):
            self._until = float("-inf")  # taken (or lapsed) at the witness: stop now
        seen = answer.get("epoch")
        if isinstance(seen, int):
            self._seen = max(self._seen, seen)  # our own epoch stays: a fenced hub's is the older one

    def _send_readmissions(self) -> None:
        with self._lock:
            pending, self._readmit = self._readmit, {}
        for standby, seq in pending.items():
            try:
                answer = self._link.ask({"op": "readmit", "node": self.node, "epoch": self._epoch,
                                         "standby": self.peer}, self.renew_s)
            except WitnessUnreachable:
                answer = {"ok": False}
            if answer.get("ok"):
                log.info("standby %s back in sync at %d", standby, seq, extra={"code": "standby_in_sync"})
            else:
                with self._lock:
                    self._readmit.setdefault(standby, seq)  # next round

    def _announce(self) -> None:
        holding = self.may_answer()
        if holding != self._holding:
            self._holding = holding
            log.log(logging.INFO if holding else logging.WARNING,
                    "%s lease as %s (epoch %d)", "holding" if holding else "lost", self.node, self._epoch,
                    extra={"code": "lease_held" if holding else "lease_lost"})
            if self.on_change is not None:
                self.on_change(holding, self._epoch)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = self.clock()
            self.renew_once()
            self._stop.wait(max(0.0, started + self.renew_s - self.clock()))
