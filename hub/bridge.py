"""The hub process: hall file + store + service, wired to an MQTT broker.

Commands arrive on paho's thread and are queued; one worker thread feeds them to the
:class:`~hub.service.HubService` in arrival order (so the core never sees two at once
and ticket claims are atomic), publishes the reply to the device's reply topic, then the
state the command changed. The same thread runs the timers (``tick``) and re-publishes
all retained state after every (re)connect to the broker, so a broker that lost its
retained messages is repainted by the hub.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from hallq import clock as hallclock
from hallq.client import HallClient
from hub.hall import Hall
from hub.service import HubService, Publication
from hub.store import Store

log = logging.getLogger("hallq.hub")

_REPUBLISH = "\0republish"
BATCH = 64  # commands committed together when they arrive faster than one fsync
_STOP = "\0stop"


def coalesce(publications: list[Publication]) -> list[Publication]:
    """Events in order; of each retained state topic only its last value (a batch of calls
    repaints the queue summary once, not once per command)."""
    last = {pub.topic: i for i, pub in enumerate(publications) if pub.retain}
    return [pub for i, pub in enumerate(publications) if not pub.retain or last[pub.topic] == i]


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
                 clock: Callable[[], float] = hallclock.now, durable: bool = True, tick_interval: float = 1.0) -> None:
        self.hall = hall
        self.store = Store(db_path, durable=durable)
        key = load_key(key_path or Path(db_path).with_suffix(".key"))
        self.service = HubService(hall, self.store, key, clock)
        self.service.defer_state = True  # retained state once per batch: see _handle_batch
        self.client = HallClient(url, hall.id, "hub", "hub", clean_start=False)
        self.tick_interval = tick_interval
        self._queue: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self._worker = threading.Thread(target=self._work, name="hallq-hub", daemon=True)
        self.handled = 0
        self.batches = 0  # group commits; handled / batches is the mean batch size
        self.client.on_raw(self.client.topics.cmds, self._on_command)
        self.client.on_connection(self._on_connection)

    def start(self, wait: float | None = 10.0) -> Hub:
        self._worker.start()
        self.client.start(wait)
        return self

    def stop(self) -> None:
        self._queue.put((_STOP, b""))
        self._worker.join(5)
        self.client.stop()
        self.store.close()

    def _on_connection(self, up: bool) -> None:
        if up:  # repaint the broker: it may have restarted and lost every retained message
            self._queue.put((_REPUBLISH, b""))

    def _on_command(self, topic: str, payload: bytes) -> None:
        device = topic.rsplit("/", 1)[-1]
        self._queue.put((device, payload))

    def _work(self) -> None:
        next_tick = time.monotonic()
        while True:
            try:
                device, payload = self._queue.get(timeout=max(0.0, next_tick - time.monotonic()))
            except queue.Empty:
                device = ""
            if device == _STOP:
                return
            try:
                if device == _REPUBLISH:
                    self._publish(self.service.all_state())
                elif device:
                    self._handle_batch(self._batch(device, payload))
                if time.monotonic() >= next_tick:
                    self._publish(self.service.tick())
                    next_tick = time.monotonic() + self.tick_interval
            except Exception:  # keep serving; the service already rolled back what it could
                log.exception("hub worker error")

    def _batch(self, device: str, payload: bytes) -> list[tuple[str, bytes]]:
        """This command and those already waiting behind it (up to BATCH), in arrival order."""
        batch = [(device, payload)]
        while len(batch) < BATCH:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item[0] in (_REPUBLISH, _STOP):
                self._queue.put(item)  # handled by the loop after this batch
                break
            batch.append(item)
        return batch

    def _handle_batch(self, batch: list[tuple[str, bytes]]) -> None:
        """Group commit: the batch's commands in one transaction (each in its own savepoint,
        see HubService.handle: a command that fails is rolled back and answered alone), one
        fsync, and only then their replies and the retained state: an acknowledged command is
        always on disk, and retained state only ever shows what was committed."""
        try:
            with self.service.store.transaction():
                results = [(device, self.service.handle(device, payload)) for device, payload in batch]
        except Exception:
            log.exception("commit failed; %d command(s) unanswered (clients retry with their ids)", len(batch))
            self.service.reload()  # memory (core, seq, recent calls) ran ahead of the disk
            return
        for device, result in results:
            if result.reply is not None:  # None: dropped, with a log line (no topic or id to answer)
                self.client.publish(self.client.topics.reply(device), result.reply)
        changed = [e for _, result in results for e in result.events]
        self._publish(coalesce([pub for _, result in results for pub in result.publications]
                               + self.service.state_publications(changed)))
        self.handled += len(batch)
        self.batches += 1

    def _publish(self, publications: list[Publication]) -> None:
        for pub in publications:
            self.client.publish(pub.topic, pub.payload, retain=pub.retain, qos=pub.qos)
