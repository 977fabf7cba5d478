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
from pathlib import Path
from typing import Any

from hallq.alarms import hub_alarm
from hallq.messages import HubAlarm
from hub.ha import auth
from hub.ha.lease import believes_until, margin_for

log = logging.getLogger("hallq.ha")
NODE_ENV = "HALLQ_HA_NODE"  # this PC's name at the witness (default: its host name)


def node_name() -> str:
    """This hub's name at the witness: ``HALLQ_HA_NODE``, else the PC's host name (the two hub PCs
    must differ: the witness tells them apart by it)."""
    return (os.environ.get(NODE_ENV) or socket.gethostname()).strip()[:64] or "hub"


def witness_key_path(hall: Any, db: str | Path) -> Path:
    """``[ha] witness_key``, else ``witness.key`` beside the hall's database (docs/deploy.md)."""
    return Path(hall.ha.witness_key) if hall.ha.witness_key else Path(db).with_name(auth.KEY_NAME)


def lease_gate(hall: Any, *, db: str | Path, epoch: int = 0, may_acquire: Callable[[], bool] | None = None,
               node: str | None = None) -> LeaseGate | None:
    """The hall's LeaseGate when ``[ha] witness`` is set (not started), else None (Solo/Manual).
    :class:`~hub.ha.auth.KeyFileError` (Chinese: what and where) if the witness key is missing."""
    ha = hall.ha
    if not ha.witness:
        return None
    key = auth.load_key(witness_key_path(hall, db))
    return LeaseGate(ha.witness, node or node_name(), ttl=ha.lease_ttl_s, renew_s=ha.renew_s, epoch=epoch,
                     may_acquire=may_acquire, key=key)


class WitnessUnreachable(OSError):
    pass


def parse_address(text: str, *, any_port: bool = False) -> tuple[str, int]:
    """("host", port) of "host:port"; ``any_port``: 0 allowed (a server taking any free port)."""
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit() or not (0 if any_port else 1) <= int(port) < 65536:
        raise ValueError(f"见证地址应为 '主机:端口' (witness address: expected 'host:port'), got {text!r}")
    return host.strip("[]"), int(port)


class WitnessUntrusted(WitnessUnreachable):
    """An answer that does not verify under the witness key (a wrong key file, or not the witness):
    treated as no answer at all, never as a grant or a refusal."""


class WitnessLink:
    """One TCP connection to the witness: the greeting with its nonce, then a sealed JSON line out and
    the sealed line with the same id back (hub/ha/auth.py). ``key``: the witness key."""

    def __init__(self, address: tuple[str, int], key: bytes) -> None:
        self.address, self.key = address, key
        self._sock: socket.socket | None = None
        self._buf = b""
        self._ids = itertools.count(1)
        self._sn = self._cn = ""
        self._seq = 0

    def _line(self, deadline: float) -> bytes:
        assert self._sock is not None
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("witness did not answer in time")
            self._sock.settimeout(left)
            chunk = self._sock.recv(4096)
            if not chunk:
                raise ConnectionError("witness closed the connection")
            self._buf += chunk
            if len(self._buf) > 65536:
                raise ValueError("witness line too long")
        line, self._buf = self._buf.split(b"\n", 1)
        return line

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        try:
            if self._sock is None:
                self._sock = socket.create_connection(self.address, timeout=max(0.01, timeout))
                self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._buf = b""
                hello = json.loads(self._line(deadline))
                if not isinstance(hello, dict) or hello.get("witness") != "hallq" or not isinstance(
                        hello.get("nonce"), str):
                    raise ValueError("not a hallq witness greeting (an older witness without a key?)")
                self._sn, self._cn, self._seq = hello["nonce"], auth.nonce(), 0
            rid = next(self._ids)
            self._seq += 1
            body = json.dumps({**request, "id": rid, "seq": self._seq, "cn": self._cn}).encode()
            self._sock.settimeout(max(0.01, deadline - time.monotonic()))
            self._sock.sendall(auth.seal(self.key, auth.REQ, (self._sn,), body))
            while True:
                line = self._line(deadline)
                verified = auth.verify(self.key, auth.ANS, (self._sn, self._cn), line)
                if verified is None:
                    raise WitnessUntrusted(
                        f"见证 {self.address[0]}:{self.address[1]} 的应答未通过校验（两端见证密钥不一致？）"
                        "(the witness's answer does not verify: wrong witness key?)")
                answer = json.loads(verified)
                if isinstance(answer, dict) and answer.get("id") == rid and answer.get("seq") == self._seq:
                    return answer  # an older id: the late answer to a request given up on
        except WitnessUntrusted:
            self.close()
            raise
        except (OSError, ValueError) as exc:
            self.close()
            raise WitnessUnreachable(f"见证 {self.address[0]}:{self.address[1]} 无法联系 ({exc})") from exc

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None


LEASE, WITNESS_LOST, STOPPED = "lease", "witness_lost", "stopped"  # LeaseGate.mode
WITNESS_LOST_STOPPED = "witness_lost_stopped"  # the alarm's code (hallq/alarms.py) for the double fault


class LeaseGate:
    """Holds (or waits for) the lease of the witness at ``witness`` ("host:port") as ``node``.

    ``epoch``: the highest epoch this hub has seen (the store's), so that a witness that lost its
    file still grants above it. ``on_change(holding, epoch)`` is called from the renewing thread
    when this hub gains or loses the lease (the runtime's alarms and logs). ``peer``: the witness's
    name of the standby for drop/readmit; ``"*"`` (the default) is "the other hub", whatever the
    replication calls it (its login, ``standby``, is the same on either PC). ``key``: the witness
    key (hub/ha/auth.py).

    **Witness lost (见证失联).** The gate tells an *unreachable* witness (no answer, refused
    connection, timeout, an answer that does not verify) from a *refusal* (the witness answered:
    held / not_holder / out_of_sync …). A refusal ends answering at once, as before. But when the
    witness becomes unreachable while this hub holds the lease, then once the lease belief lapses
    the gate is in :data:`WITNESS_LOST` mode: :meth:`may_answer` is true only while ``standby_ok()``
    (set by the runtime with :meth:`watch_standby`: the standby is in sync and has acked everything
    shipped), so the hub answers batch by batch on its standby's ack, and :meth:`drop_standby` is
    refused (a missing ack leaves the batch unanswered). Safe: the standby stops acking before it
    first asks for the lease (hub/ha/takeover.py), and the witness never grants two hubs at once,
    so whatever this hub answers from then on is on the standby. The renewing thread keeps asking;
    a grant returns to :data:`LEASE`, a refusal to :data:`STOPPED`.
    """

    def __init__(self, witness: str, node: str, *, ttl: float = 5.0, renew_s: float = 1.0, epoch: int = 0,
                 clock: Callable[[], float] = time.monotonic, peer: str = "*",
                 on_change: Callable[[bool, int], None] | None = None,
                 may_acquire: Callable[[], bool] | None = None, key: bytes) -> None:
        self.address = parse_address(witness)
        self.key = key
        self.node, self.ttl, self.renew_s, self.peer = node, ttl, renew_s, peer
        self.margin = margin_for(ttl, renew_s)
        self.clock = clock
        self.on_change = on_change
        self.on_refusal: Callable[[str], None] | None = None  # a definite answer other than a grant (takeover.py)
        self.may_acquire = may_acquire or (lambda: True)  # a standby asks only once it has followed the primary
        self._epoch = epoch  # of the current (or last) grant: what this hub answers under
        self._seen = epoch  # the highest epoch heard of: an acquire asks the witness to grant above it
        self._until = float("-inf")  # may answer while clock() < this
        self._lost = False  # the witness became unreachable while this hub held the lease, and no answer since
        self._standby_ok: Callable[[], bool] = lambda: False  # the runtime's: standby in sync, everything acked
        self._mode = STOPPED  # what the renewing thread last announced
        self._readmit: dict[str, int] = {}  # standby -> seq, to report with the next renewal
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._link = WitnessLink(self.address, key)
        self.witness_error: str | None = None  # the last failure to reach the witness (None: reached)
        self._thread = threading.Thread(target=self._run, name=f"hallq-lease-{node}", daemon=True)

    # ------------------------------------------------------------------ the Gate

    def may_answer(self) -> bool:
        if self.clock() < self._until:
            return True
        return self._lost and self._standby_ok()

    @property
    def mode(self) -> str:
        """:data:`LEASE` (holds the lease), :data:`WITNESS_LOST` (answers on the standby's acks) or
        :data:`STOPPED`."""
        if self.clock() < self._until:
            return LEASE
        return WITNESS_LOST if self._lost and self._standby_ok() else STOPPED

    @property
    def alarm(self) -> HubAlarm | None:
        """The alarm for ``status/hub`` while the witness is lost (its code and Chinese words), else None."""
        if self.clock() < self._until or not self._lost:
            return None
        return hub_alarm(WITNESS_LOST if self._standby_ok() else WITNESS_LOST_STOPPED)

    def watch_standby(self, standby_ok: Callable[[], bool]) -> None:
        """The runtime's check (cheap, no I/O): the standby is in sync and acked all that was shipped."""
        self._standby_ok = standby_ok

    @property
    def epoch(self) -> int:
        return self._epoch

    @property
    def seen(self) -> int:
        """The highest epoch this hub has heard of (above :attr:`epoch` once another hub took over)."""
        return self._seen

    def drop_standby(self, standby: str, timeout: float) -> bool:
        if not self.clock() < self._until:  # only under a live lease: witness lost → the batch waits
            if self._lost:
                log.error("见证服务失联：备用中心 %s 未确认，不能将其移出同步集合，本批不应答 (witness lost: standby "
                          "not acking, batch left unanswered)", standby, extra={"code": "witness_lost_no_ack"})
            return False
        link = WitnessLink(self.address, self.key)
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
        self._lost = False
        if self.clock() < self._until:
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
            if self.clock() < self._until:
                return True
            time.sleep(0.02)
        return self.clock() < self._until

    def renew_once(self) -> None:
        """One round: renew or acquire, then any readmission; never raises."""
        sent = self.clock()
        holding = sent < self._until
        if not holding and not self.may_acquire():
            try:  # "I am here": the witness counts a standby it hears from lately (readmit "*")
                self._link.ask({"op": "status", "node": self.node}, self.renew_s)
                self.witness_error = None
            except WitnessUnreachable as exc:
                self.witness_error = str(exc)
            self._announce()
            return
        op = "renew" if holding else "acquire"
        try:
            answer = self._link.ask({"op": op, "node": self.node, "epoch": self._epoch if holding else self._seen,
                                     "ttl_ms": round(self.ttl * 1000)}, self.renew_s)
        except WitnessUnreachable as exc:
            if holding and not self._lost:
                log.warning("见证服务无法联系：%s (witness unreachable while holding the lease)", exc,
                            extra={"code": "witness_unreachable"})
            self._lost = self._lost or holding
            self.witness_error = str(exc)
            self._announce()
            return
        self.witness_error = None
        self._lost = False  # the witness answered: a grant or a refusal, never "lost"
        if answer.get("ok"):
            epoch = int(answer["epoch"])
            if not holding or epoch == self._epoch:
                self._epoch = self._seen = epoch
                self._until = believes_until(sent, self.ttl, self.margin)
        else:
            self._refused(answer)
            if self.on_refusal is not None:
                self.on_refusal(str(answer.get("code") or ""))
        self._announce()
        if self.clock() < self._until:
            self._send_readmissions()

    def _refused(self, answer: dict[str, Any]) -> None:
        self._lost = False
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
        mode = LEASE if self.clock() < self._until else (WITNESS_LOST if self._lost else STOPPED)
        if mode == self._mode:
            return
        was, self._mode = self._mode, mode
        if mode == LEASE:
            log.info("holding lease as %s (epoch %d)", self.node, self._epoch, extra={"code": "lease_held"})
        elif mode == WITNESS_LOST:
            log.warning("见证服务失联：租约已过期，本中心 %s 改为每批经备用中心确认后应答 (witness lost: answering "
                        "only on the standby's acks; epoch %d)", self.node, self._epoch,
                        extra={"code": "witness_lost"})
        else:
            log.warning("lost lease as %s (epoch %d)", self.node, self._epoch, extra={"code": "lease_lost"})
        if self.on_change is not None and (mode == LEASE) != (was == LEASE):
            self.on_change(mode == LEASE, self._epoch)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = self.clock()
            self.renew_once()
            self._stop.wait(max(0.0, started + self.renew_s - self.clock()))
