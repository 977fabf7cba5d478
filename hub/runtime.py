"""The running hub (:class:`Hub`): hall file + store + service, wired to an MQTT broker.

Commands arrive on paho's thread. A device over its rate (``[policy] rate_per_minute``) is
refused right there (``rate_limited``), before its command queues; the others wait in one
queue per device (:class:`FairQueue`). One worker thread feeds them to the
:class:`~hub.service.HubService` one at a time (so the core never sees two at once and
ticket claims are atomic), taking the devices round-robin: a kiosk's burst of 2,000
commands does not delay a pad's 叫号 behind it. Each device's commands keep their order.
The worker publishes the reply to the device's reply topic, then the state the command
changed. The same thread runs the timers (``tick``) and re-publishes
all retained state after every (re)connect to the broker, so a broker that lost its
retained messages is repainted by the hub.

High availability (docs/operations.md, 主备切换): the worker asks its :class:`~hub.ha.gate.Gate`
before each batch and each tick whether this hub may answer at all (a standby not yet promoted,
or a primary that lost its lease, leaves commands waiting and publishes nothing), and after each
commit hands the written rows to the :class:`~hub.ha.repl.Replicator`, which ships them to the
standby and, while the standby is in sync, returns only once it has acked them: the replies and
state go out after that.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec

from hallq import clock as hallclock
from hallq import protocol as p
from hallq.alarms import hub_alarm
from hallq.client import HallClient
from hallq.messages import HubAlarm
from hub.backup import Backups, hold
from hub.ha.gate import Gate, SoloGate
from hub.ha.repl import Replicator
from hub.hall import Hall
from hub.publisher import Publication
from hub.security.ratelimit import RateLimiter
from hub.service import HubService
from hub.store import Store, epoch_of
from hub.systemd_notify import SystemdNotifier

log = logging.getLogger("hallq.hub")

_REPUBLISH = "\0republish"
BATCH = 64  # commands committed together when they arrive faster than one fsync
_STOP = "\0stop"
_REPL = "\0repl"


class FairQueue:
    """Commands waiting for the worker: one FIFO per device, served round-robin.

    :meth:`take` returns up to ``limit`` commands, one from each device in turn, so a device
    that has 2,000 commands waiting gets one slot per round like a pad with one. Control
    items (repaint) go ahead of every command; a ``last`` one (stop) after the commands that
    are already waiting.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._waiting: dict[str, deque[bytes]] = {}  # device -> its commands, oldest first
        self._turns: deque[str] = deque()  # devices with commands waiting, next to serve first
        self._control: deque[str] = deque()
        self._last: str | None = None

    def put(self, device: str, payload: bytes) -> None:
        with self._cond:
            mine = self._waiting.get(device)
            if mine is None:
                mine = self._waiting[device] = deque()
                self._turns.append(device)
            mine.append(payload)
            self._cond.notify()

    def put_control(self, item: str, *, last: bool = False) -> None:
        with self._cond:
            if last:
                self._last = item
            else:
                self._control.append(item)
            self._cond.notify()

    def __len__(self) -> int:
        with self._cond:
            return sum(len(q) for q in self._waiting.values())

    def waiting(self, device: str) -> int:
        with self._cond:
            return len(self._waiting.get(device, ()))

    def take(self, timeout: float, limit: int) -> str | list[tuple[str, bytes]]:
        """A control item, or up to ``limit`` commands round-robin over devices (``[]`` after
        ``timeout`` seconds with nothing waiting)."""
        with self._cond:
            if not self._control and not self._turns and self._last is None:
                self._cond.wait(timeout)
            if self._control:
                return self._control.popleft()
            if self._last is not None and not self._turns:
                return self._last
            batch: list[tuple[str, bytes]] = []
            while self._turns and len(batch) < limit:
                device = self._turns.popleft()
                mine = self._waiting[device]
                batch.append((device, mine.popleft()))
                if mine:
                    self._turns.append(device)  # back of the line: the others go first
                else:
                    del self._waiting[device]
            return batch


def load_key(path: str | Path) -> bytes:
    """The keyed-hash secret for ID numbers: kept beside, never inside, the database."""
    path = Path(path)
    if path.exists():
        key = path.read_bytes()
        if len(key) < 16:
            raise ValueError(f"{path}: key file is too short ({len(key)} bytes; expected 32)")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


class Hub:
    def __init__(self, hall: Hall, db_path: str | Path, url: str, *, key_path: str | Path | None = None,
                 clock: Callable[[], float] = hallclock.now, durable: bool = True, tick_interval: float = 1.0,
                 heartbeat_s: float = p.HUB_HEARTBEAT_S, gate: Gate | None = None) -> None:
        self.hall = hall
        self._lockfile = hold(Path(db_path))  # `hallq restore` refuses while this is held (hub/backup.py)
        try:
            self.store = Store(db_path, durable=durable)
        except BaseException:
            if self._lockfile is not None:
                self._lockfile.close()
            raise
        self.clock = clock
        # [backup]: copies on a thread of their own every every_min minutes and at stop (hub/backup.py)
        self.backups = Backups(Path(db_path), hall.backup, hall.id, clock, time.monotonic) if hall.backup.dir else None
        key = load_key(key_path or Path(db_path).with_suffix(".key"))
        # over-rate commands are refused on arrival (paho's thread), before they queue ahead of other
        # devices' commands (see _on_command); the service does not count them again
        self.service = HubService(hall, self.store, key, clock, rate_limit=False)
        self.client = HallClient(url, hall.id, "hub", "hub", clean_start=False)
        self.tick_interval = tick_interval
        self.heartbeat_s = heartbeat_s
        self._running = threading.Lock()  # held by the worker while it works: see held()
        self._queue = FairQueue()
        self.limiter = RateLimiter(hall.policy.rate_per_minute, hall.policy.rate_burst,
                                   wide=[d.id for d in hall.devices.values() if d.role == "web"])
        self._limited: set[str] = set()  # devices refused since their last accepted command
        self._worker = threading.Thread(target=self._work, name="hallq-hub", daemon=True)
        self.handled = 0
        self.batches = 0  # group commits; handled / batches is the mean batch size
        self.refused = 0  # commands refused on arrival (over their device's rate)
        self.notifier = SystemdNotifier()  # READY=1 once answering; WATCHDOG=1 from the worker (systemd unit)
        self.client.on_raw(self.client.topics.cmds, self._on_command)
        self.client.on_connection(self._on_connection)
        # [ha]: who may answer (SoloGate: always), and the standby's copy (docs/operations.md, 主备切换)
        self.gate: Gate = gate if gate is not None else SoloGate(epoch_of(self.store))
        self.replicator = Replicator(self.client, self.store, self.gate, ack_timeout=hall.ha.ack_timeout_ms / 1000,
                                     wake=lambda: self._queue.put_control(_REPL))
        watch = getattr(self.gate, "watch_standby", None)  # LeaseGate: answers on acks while its witness is lost
        if watch is not None:
            watch(self.replicator.confirmed)
        self._gate_alarm: str | None = None  # the gate's alarm last said on status/hub
        self._stopping = threading.Event()
        self.unanswered = 0  # batches committed but not answered (the gate or the standby said no)

    def start(self, wait: float | None = 10.0) -> Hub:
        self._worker.start()
        self.client.start(wait)
        self.notifier.ready(f"hall {self.hall.id} on {self.client.topics.base}")
        return self

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """The worker stands still inside (after the batch in hand): commands queue, nothing is
        answered, no heartbeat goes out, while the MQTT connection stays up. A hung hub, for
        tests and benchmarks."""
        with self._running:
            yield

    def stop(self) -> None:
        self.notifier.stopping()
        self._stopping.set()
        self._queue.put_control(_STOP, last=True)  # after the commands already received
        self._worker.join(5)
        if self.backups is not None:  # the copy at close, while the connection can still report it
            self.backups.close()
            self._hub_status()
        self.client.stop()
        self.gate.close()
        self.store.close()
        if self._lockfile is not None:
            self._lockfile.close()

    def _on_connection(self, up: bool) -> None:
        if up:  # repaint the broker: it may have restarted and lost every retained message
            self._queue.put_control(_REPUBLISH)

    def _on_command(self, topic: str, payload: bytes) -> None:
        device = topic.rsplit("/", 1)[-1]
        if self.limiter.allow(device):  # garbage counts too: a flood is a flood
            self._limited.discard(device)
            self._queue.put(device, payload)
        else:
            self._refuse_over_rate(device, payload)

    def _refuse_over_rate(self, device: str, payload: bytes) -> None:
        """Answer ``rate_limited`` at once, on paho's thread, at QoS 0: the command never queues
        (nothing is stored either: the device retries later with the same id)."""
        rid: str | None
        try:
            req = p.decode_request(payload)
            rid, op = req.id, req.op
        except p.ProtocolError as exc:
            rid, op = exc.request_id, "?"
        first = device not in self._limited
        self._limited.add(device)
        self.refused += 1
        log.log(logging.WARNING if first else logging.DEBUG, "rate limited %s (%s)", device, op,
                extra={"device": device, "op": op, "code": "rate_limited"})
        message = "操作过于频繁，请稍后再试 (too many commands; retry later)"
        # QoS 0: a flood's refusals must not fill the hub's window of unacknowledged QoS 1
        # publishes, where every other device's replies would wait behind them. A lost refusal
        # is a timeout to the device, whose answer is the same: retry later with the same id.
        self.client.publish(self.client.topics.reply(device),
                            self._stamped(p.encode_reply(rid, code="rate_limited", message=message)), qos=0)

    def answering(self) -> bool:
        """May this hub reply and publish now (its gate, and no newer hub has fenced it)?"""
        return self.gate.may_answer() and not self.replicator.fenced

    def _work(self) -> None:
        next_tick = next_beat = time.monotonic()
        while True:
            if getattr(self.gate, "alarm", None) != self._gate_alarm:  # witness lost / back (LeaseGate)
                self._hub_status()
            if not self.answering():  # a standby not promoted, a lost lease: commands wait, nothing goes out
                if self._stopping.wait(0.05):
                    return
                with self._running:
                    if self.replicator.poll():  # fenced: kept in the file, and said on status/hub (an alarm)
                        self._hub_status()
                self.notifier.alive()
                continue
            wake = min(next_tick, next_beat, time.monotonic() + self.notifier.due_in())
            item = self._queue.take(max(0.0, wake - time.monotonic()), BATCH)
            if item == _STOP:
                return
            with self._running:
                try:
                    if item == _REPUBLISH:
                        self._publish(self.service.all_state())
                        self._hub_status()
                        self._beat()  # presence/hub under this hub's epoch at once (the client's own has none)
                    elif item == _REPL:
                        if self.replicator.poll() or self.replicator.fenced:
                            self._hub_status()
                    elif isinstance(item, list) and item:
                        self._handle_batch(item)
                    if time.monotonic() >= next_tick:
                        self._tick()
                        next_tick = time.monotonic() + self.tick_interval
                    if time.monotonic() >= next_beat:
                        self._beat()
                        next_beat = time.monotonic() + self.heartbeat_s
                    if self.backups is not None and self.backups.poll() is not None:
                        self._hub_status()
                except Exception:  # keep serving; the service already rolled back what it could
                    log.exception("hub worker error")
                self.notifier.alive()  # systemd's watchdog: only a worker that gets here pings

    def _tick(self) -> None:
        publications = self.service.tick()
        if publications and self._replicated():
            self._publish(publications)

    def _replicated(self) -> bool:
        """After a commit: the standby has it (or was dropped), and this hub may still answer."""
        was = self.replicator.in_sync
        ok = self.replicator.after_commit() and self.answering()
        if was != self.replicator.in_sync or not ok:
            self._hub_status()
        if not ok:
            self.unanswered += 1
        return ok

    def _beat(self) -> None:
        """The heartbeat, from this thread: it stops when the worker does (devices then show the
        hub offline after HUB_SILENT_S), though paho's thread keeps the connection alive."""
        if self.client.connected.is_set():  # else the next CONNACK publishes "online" anyway
            self.client.publish(self.client.topics.presence(p.HUB),
                                self._stamped(p.presence(True, "hub", hallclock.now(), heartbeat_s=self.heartbeat_s)),
                                retain=True)

    def _hub_status(self) -> None:
        """``status/hub`` (retained): the backups' and the standby's state; while something is wrong,
        ``error`` in Chinese (备份失败…, 备用中心未同步…), which the guide console shows as an alert
        (docs/operations.md), and the same alarms by code in ``alarms`` (hallq/alarms.py) for a device
        that words them in English."""
        alarms: list[HubAlarm] = []
        status: dict[str, object] = {"v": p.VERSION, "at": self.clock()}
        if self.backups is not None:
            table = self.backups.status()
            status["backup"] = table
            if table.get("error"):
                alarms.append(hub_alarm("backup_failed", error=table["error"], dir=table["dir"]))
        if self.replicator.standby or self.replicator.fenced:
            status["standby"] = self.replicator.report()
            alarm = self.replicator.alarm
            if alarm:
                alarms.append(alarm)
        gate_alarm = self._gate_alarm = getattr(self.gate, "alarm", None)
        if gate_alarm or hasattr(self.gate, "alarm"):
            status["witness"] = {"mode": getattr(self.gate, "mode", ""),
                                 "error": getattr(self.gate, "witness_error", None)}
            if gate_alarm:
                alarms.append(gate_alarm)
        if self.backups is None and "standby" not in status and "witness" not in status:
            return
        status["error"] = "；".join(a.text for a in alarms) or None
        status["alarms"] = msgspec.to_builtins(alarms)
        self.client.publish(self.client.topics.status(p.HUB), self._stamped(p.dump(status)), retain=True)

    def _handle_batch(self, batch: list[tuple[str, bytes]]) -> None:
        """Group commit (:meth:`HubService.handle_batch`): the batch's commands in one transaction,
        one fsync, and only then their replies and the retained state: an acknowledged command is
        always on disk, and retained state only ever shows what was committed."""
        try:
            done = self.service.handle_batch(batch)
        except Exception:
            log.exception("commit failed; %d command(s) unanswered (clients retry with their ids)", len(batch))
            return
        if not self._replicated():
            log.error("%d command(s) committed but not answered: the standby did not confirm and may not be "
                      "dropped, or this hub may no longer answer", len(batch), extra={"code": "unanswered"})
            return
        for device, reply in done.replies:
            self.client.publish(self.client.topics.reply(device), self._stamped(reply))
        self._publish(done.publications)
        self.handled += len(batch)
        self.batches += 1

    def _publish(self, publications: list[Publication]) -> None:
        for pub in publications:
            self.client.publish(pub.topic, self._stamped(pub.payload), retain=pub.retain, qos=pub.qos)

    def _stamped(self, payload: bytes) -> bytes:
        """What devices are sent carries this hub's epoch (fencing token) once it is above 0, stamped
        as it goes out (a stored reply replayed by a newer hub carries the newer epoch): a device drops
        a message from an older epoch than it has seen (docs/protocol.md §3, the hub's epoch)."""
        return p.stamp_epoch(payload, self.gate.epoch)
