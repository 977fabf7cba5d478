"""Replication to a standby hub over the primary's broker (``hallq/<hall>/repl/…``, hub logins only).

The primary's worker, after each group commit (and each tick that committed), ships the rows the
commit wrote — events with their seq, and the stored replies, sealed case addresses and appointments
with their rowids (:data:`hub.store.REPL_TABLES`) — as one :class:`ReplBatch` tagged with the epoch and
the cursor range ``after → upto``. The standby writes them into its own SQLite file in one transaction,
projects the events itself (so its projections are the hall's, ready for a promotion) and acks its
cursor. While the standby is *in sync* the primary publishes a batch's replies and state only after
that ack (:meth:`Replicator.after_commit`): what a device was told is on both PCs. An ack that does not
come within ``[ha] ack_timeout_ms`` → :meth:`hub.ha.gate.Gate.drop_standby`; True → the primary goes on
alone and ``status/hub`` says 备用中心未同步; False → it does not answer.

**A primary that (re)starts** does not know whether its standby has everything: the witness may still
count it in sync from before the restart (or from before ``hallq standby forget``). So its first commit
without a standby in sync asks :meth:`~hub.ha.gate.Gate.drop_standby` before anything is answered, as a
missing ack would: a standby cut off during the restart can then never take the hall without what the
restarted primary answered (tests/ha/test_witness_restart.py). The standby is readmitted once it acks.

A standby that (re)connects, or sees a gap (``after`` beyond its cursor), asks ``repl/since`` with its
cursor; the primary sends the missing rows in pages from a second connection to its file, on a thread
of its own (a 20,000-ticket day does not stall the hall). When an ack reaches the primary's cursor the
standby is in sync again (:meth:`hub.ha.gate.Gate.standby_in_sync`); in a hall that never pauses, the
primary waits once, at most :data:`TAIL_WAIT_S`, for a standby that follows to come level
(:meth:`Replicator._catch_the_tail`), or it would never find it level between two batches.

Epochs fence: a standby refuses a batch from an epoch older than its own (it was promoted, or follows a
newer primary) and says so in its ack; a primary that hears of a newer epoch stops answering.

Over 400 lines on purpose: the primary's half (:class:`Replicator`) and the standby's (:class:`Replica`)
of one wire format stay in one file, so a change to either is read beside the other.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from hallq import clock as hallclock
from hallq import protocol as p
from hallq.alarms import hub_alarm
from hallq.client import HallClient
from hallq.messages import HubAlarm
from hub.ha.gate import Gate
from hub.store import (
    Store,
    StoreError,
    apply_repl,
    epoch_of,
    event_fingerprint,
    hall_meta,
    repl_cursor,
    repl_rows,
)

log = logging.getLogger("hallq.ha")

PAGE = 1000  # rows per catch-up page (a page stays well under the brokers' 4 MB packet limit)


class ReplBatch(msgspec.Struct, kw_only=True):
    """``repl/batch``, primary → standby: the rows after ``after`` up to ``upto``."""

    v: int = p.VERSION
    epoch: int
    after: dict[str, int]
    upto: dict[str, int]
    rows: dict[str, list[list[Any]]]
    meta: list[list[Any]] = msgspec.field(default_factory=list)
    sync: bool = False  # the primary waits for this standby's ack before it answers
    more: bool = False  # a catch-up page with more to come
    refused: str = ""  # to one standby (``standby``): why the primary will not feed it (its file differs)
    standby: str = ""


class ReplAck(msgspec.Struct, kw_only=True):
    """``repl/ack``, standby → primary: how far the standby's file goes (or why it refused a batch)."""

    v: int = p.VERSION
    standby: str
    epoch: int
    cursor: dict[str, int]
    error: str = ""


class ReplSince(msgspec.Struct, kw_only=True):
    """``repl/since``, standby → primary: send me everything after ``cursor``; ``last``: the fingerprint
    of my last event (:func:`hub.store.event_fingerprint`), so a file that went its own way (an old primary
    coming back with commands the new one never had) is refused instead of silently merged."""

    v: int = p.VERSION
    standby: str
    epoch: int
    cursor: dict[str, int]
    last: str = ""


class ReplEpoch(msgspec.Struct, kw_only=True):
    """``repl/epoch``, retained, a promoted standby → the broker of the primary it replaced: a hub of an
    older epoch that reads it stops answering, for good (``meta.fenced``), until its file is replaced."""

    v: int = p.VERSION
    epoch: int
    by: str = ""


TAIL_WAIT_S = 0.25  # how long a commit may wait for a standby one batch behind to come level (an ack: ~ms)
TAIL_PAUSE_S = 5.0  # after a miss, the next such wait is not before this


def topic(topics: p.Topics, kind: str) -> str:
    return f"{topics.base}/repl/{kind}"


def reached(cursor: dict[str, int], target: dict[str, int]) -> bool:
    """Whether ``cursor`` has every row up to ``target``."""
    return all(int(cursor.get(k, 0)) >= v for k, v in target.items())


def _days(rows: dict[str, list[list[Any]]]) -> set[str]:
    return {str(r[2]) for r in rows.get("events", []) if r[3] == "day_started"}


class Replicator:
    """The primary's side, driven by the hub's worker (:meth:`after_commit`, :meth:`poll`); acks and
    catch-up requests arrive on paho's thread and only note what they say (and wake the worker)."""

    def __init__(self, client: HallClient, store: Store, gate: Gate, *, ack_timeout: float,
                 wake: Callable[[], None] = lambda: None) -> None:
        self.client, self.store, self.gate, self.ack_timeout, self.wake = client, store, gate, ack_timeout, wake
        self.topics = client.topics
        self.shipped = repl_cursor(store)
        self.standby: str = str(store.meta("repl_standby") or "")  # known from an earlier run: alarm until back
        self.in_sync = False
        # nothing answered since this hub started was confirmed by a standby: until one is in sync, the
        # first commit has the witness drop whoever it may still count in sync (module docstring)
        self.unconfirmed = True
        self._tail_after = 0.0  # monotonic: no tail wait (_catch_the_tail) before this
        self.dropped_at: float | None = None
        fenced = int(store.meta("fenced") or 0)  # heard before a restart: still fenced
        self.fenced = fenced if fenced > gate.epoch else 0  # a newer epoch heard of: this hub must not answer
        self._fence_saved = self.fenced
        self._cond = threading.Condition()
        self._acked: dict[str, dict[str, int]] = {}  # standby -> its last cursor
        self._acked_at: dict[str, float] = {}  # standby -> when (monotonic) its last ack came
        self._catching_up: set[str] = set()
        client.on_raw(topic(self.topics, "ack"), self._on_ack)
        client.on_raw(topic(self.topics, "since"), self._on_since)
        client.on_raw(topic(self.topics, "epoch"), self._on_epoch)

    # ---- the worker's side

    @property
    def alarm(self) -> HubAlarm | None:
        """The alarm for ``status/hub`` (its code and Chinese words, hallq/alarms.py) while this hub is
        fenced or a known standby is not in sync, else None."""
        if self.fenced:
            return hub_alarm("fenced", epoch=self.fenced)
        if self.standby and not self.in_sync:
            return hub_alarm("standby_not_in_sync")
        return None

    def report(self) -> dict[str, Any]:
        return {"name": self.standby, "in_sync": self.in_sync, "shipped": self.shipped["seq"],
                "acked": self._acked.get(self.standby, {}).get("seq", 0), "epoch": self.gate.epoch,
                **({"dropped_at": self.dropped_at} if self.dropped_at else {})}

    def after_commit(self) -> bool:
        """Ship what the last commit wrote; while the standby is in sync wait for its ack. True: the
        worker may publish the replies and state; False: it must not answer (not confirmed)."""
        if self.unconfirmed and not self.in_sync:
            if not self.gate.drop_standby(self.standby or "*", self.ack_timeout):
                return False  # the witness did not confirm: nothing is answered yet (the next commit asks again)
            self.unconfirmed = False
        if not self.standby:
            self.shipped = repl_cursor(self.store)
            return True
        upto = repl_cursor(self.store)
        before = self.shipped
        if upto != self.shipped:
            rows = repl_rows(self.store, self.shipped, limit=1_000_000)
            batch = ReplBatch(epoch=self.gate.epoch, after=self.shipped, upto=upto, rows=rows,
                              meta=hall_meta(self.store, _days(rows)), sync=self.in_sync)
            self.client.publish(topic(self.topics, "batch"), msgspec.json.encode(batch))
            self.shipped = upto
        if not self.in_sync:
            self._catch_the_tail(before)
            return True
        # everything shipped, not only this batch: an earlier batch left unanswered (no ack, and the
        # standby could not be dropped) must not show through a later tick's or repaint's state
        upto = self.shipped
        if reached(self._acked.get(self.standby, {}), upto):
            return True
        deadline = time.monotonic() + self.ack_timeout
        with self._cond:
            while not reached(self._acked.get(self.standby, {}), upto) and not self.fenced:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            # in time only: a worker stopped (SIGSTOP, starved) past its deadline does not answer on an ack
            # that came meanwhile (the standby may have stopped acking and asked for the lease since:
            # hub/ha/takeover.py waits out ack_timeout, measured from its last ack, before it asks)
            if reached(self._acked.get(self.standby, {}), upto) and time.monotonic() <= deadline:
                return True
        if self.fenced:
            return False
        log.error("standby %s did not ack seq %d within %.0f ms: asking to drop it", self.standby, upto["seq"],
                  self.ack_timeout * 1000, extra={"code": "standby_timeout", "standby": self.standby})
        if self.gate.drop_standby(self.standby, self.ack_timeout):
            self.in_sync = False
            self.dropped_at = hallclock.now()
            return True
        return False

    def _catch_the_tail(self, before: dict[str, int]) -> None:
        """A standby that follows (it acked within ``ack_timeout``, no catch-up running) is waited for,
        briefly, once: the worker ships nothing meanwhile, so its ack comes level and puts it in sync.
        Without this, under a steady stream of commands the worker always ships the next batch before the
        ack of the last arrives, and a standby that keeps up is never found level (:meth:`poll`): the hall
        would run without its protection all day. A standby that misses the short wait is not waited for
        again for :data:`TAIL_PAUSE_S`."""
        name = self.standby
        now = time.monotonic()
        if (not name or name in self._catching_up or now < self._tail_after or self.shipped == before
                or now - self._acked_at.get(name, float("-inf")) > self.ack_timeout):
            return
        deadline = now + min(self.ack_timeout, TAIL_WAIT_S)
        with self._cond:
            while not reached(self._acked.get(name, {}), self.shipped) and not self.fenced:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            level = reached(self._acked.get(name, {}), self.shipped)
        if level and not self.fenced:
            self._in_sync(name)
        else:
            self._tail_after = time.monotonic() + TAIL_PAUSE_S

    def _in_sync(self, name: str) -> None:
        if self.store.meta("repl_standby") != name:  # not self.standby: _on_since set it before (unsaved)
            self.store.set_meta("repl_standby", name)
        self.standby, self.in_sync, self.dropped_at, self.unconfirmed = name, True, None, False
        self.gate.standby_in_sync(name, self.shipped["seq"])
        log.info("standby %s in sync at seq %d", name, self.shipped["seq"])

    def confirmed(self) -> bool:
        """The standby is in sync and has acked everything shipped (cheap, no I/O: the gate asks it
        before each batch while the witness is lost, hub/ha/lease_client.py)."""
        return bool(self.standby) and self.in_sync and reached(self._acked.get(self.standby, {}), self.shipped)

    def poll(self) -> bool:
        """On the worker, when woken: a standby whose ack reached our cursor is in sync again. True if
        the standby's state changed (``status/hub`` to repaint)."""
        if self.fenced and self._fence_saved != self.fenced:
            self.store.set_meta("fenced", self.fenced)  # a restart must not answer again
            self._fence_saved = self.fenced
            return True
        with self._cond:
            acked = dict(self._acked)
        for name, cursor in acked.items():
            if not self.in_sync and reached(cursor, self.shipped) and name not in self._catching_up:
                self._in_sync(name)
                return True
        return False

    # ---- paho's side

    def _on_ack(self, _topic: str, payload: bytes) -> None:
        try:
            ack = msgspec.json.decode(payload, type=ReplAck)
        except msgspec.ValidationError as exc:
            log.warning("ignored a malformed repl/ack: %s", exc)
            return
        if ack.epoch > self.gate.epoch:
            log.error("standby %s follows epoch %d, newer than ours (%d): this hub stops answering", ack.standby,
                      ack.epoch, self.gate.epoch, extra={"code": "fenced"})
            self.fenced = ack.epoch
        elif ack.error:
            log.warning("standby %s refused a batch: %s", ack.standby, ack.error)
        with self._cond:
            self._acked[ack.standby] = ack.cursor
            self._acked_at[ack.standby] = time.monotonic()
            self._cond.notify_all()
        if not self.in_sync or self.fenced:
            self.wake()

    def _on_epoch(self, _topic: str, payload: bytes) -> None:
        try:
            notice = msgspec.json.decode(payload, type=ReplEpoch)
        except msgspec.ValidationError as exc:
            log.warning("ignored a malformed repl/epoch: %s", exc)
            return
        if notice.epoch > self.gate.epoch and notice.epoch != self.fenced:
            log.error("%s was promoted under epoch %d (ours %d): this hub stops answering", notice.by or "a standby",
                      notice.epoch, self.gate.epoch, extra={"code": "fenced"})
            self.fenced = notice.epoch
            self.wake()

    def _on_since(self, _topic: str, payload: bytes) -> None:
        try:
            since = msgspec.json.decode(payload, type=ReplSince)
        except msgspec.ValidationError as exc:
            log.warning("ignored a malformed repl/since: %s", exc)
            return
        if since.epoch > self.gate.epoch:
            self.fenced = since.epoch
            self.wake()
            return
        mine = event_fingerprint(self.store, int(since.cursor.get("seq", 0)))
        if since.last != mine:
            why = (f"备用中心的数据库与主中心不一致（第 {since.cursor.get('seq', 0)} 条不同或主中心没有），"
                   "请把它的数据库移开，用空数据库重新启动备用中心 (the standby's file differs from the primary's: "
                   "start it on an empty database)")
            log.error("standby %s: %s", since.standby, why, extra={"code": "standby_diverged"})
            self.client.publish(topic(self.topics, "batch"), msgspec.json.encode(ReplBatch(
                epoch=self.gate.epoch, after=since.cursor, upto=since.cursor, rows={}, refused=why,
                standby=since.standby)))
            return
        with self._cond:
            if since.standby in self._catching_up:
                return
            self._catching_up.add(since.standby)
            self._acked[since.standby] = since.cursor
        if not self.standby:  # the first standby this hub hears of: ship to it from now on
            self.standby = since.standby
        threading.Thread(target=self._catch_up, args=(since,), name="hallq-repl-catchup", daemon=True).start()

    def _catch_up(self, since: ReplSince) -> None:
        """Pages of rows after the standby's cursor, from a second connection to the file."""
        reader = Store(self.store.path)
        try:
            cursor = since.cursor
            while True:
                rows = repl_rows(reader, cursor, PAGE)
                upto = dict(cursor)
                if rows["events"]:
                    upto["seq"] = int(rows["events"][-1][0])
                for table, got in rows.items():
                    if table != "events" and got:
                        upto[table] = int(got[-1][0])
                more = upto != cursor
                page = ReplBatch(epoch=self.gate.epoch, after=cursor, upto=upto, rows=rows,
                                 meta=hall_meta(reader, _days(rows)), more=more)
                if not more:
                    break
                self.client.publish(topic(self.topics, "batch"), msgspec.json.encode(page))
                cursor = upto
            log.info("standby %s caught up to seq %d", since.standby, cursor.get("seq", 0))
        except Exception:
            log.exception("catch-up for %s failed (it will ask again)", since.standby)
        finally:
            reader.close()
            with self._cond:
                self._catching_up.discard(since.standby)
            self.wake()


class Replica:
    """The standby's side: a client on the primary's broker, its own SQLite file, the events projected
    as they arrive. :meth:`promote` ends it (the caller then starts a hub on the file)."""

    def __init__(self, hall: Any, db_path: str | Path, primary_url: str, *, name: str = "standby",
                 hub_silent_s: float = p.HUB_SILENT_S) -> None:
        from hub.case_desk import new_book

        self.hall, self.name = hall, name
        self.store = Store(db_path)
        self.core = self.store.load(hall)
        self.book = self.store.load_cases(new_book(hall))
        self.cursor = repl_cursor(self.store)
        self.epoch = epoch_of(self.store)
        self.in_sync = False
        self.refused = ""  # the primary's refusal (this file differs from its): shown by `hallq standby status`
        self.applied = 0  # batches written
        self.acks_held = False  # hold_acks(): asking the witness for the lease, nothing acked
        self.primary: dict[str, Any] = {}  # the primary's last presence/hub
        self._lock = threading.Lock()
        self._asked_at = 0.0
        self.client = HallClient(primary_url, hall.id, name, "hub", hub_silent_s=hub_silent_s)
        self.topics = self.client.topics
        self.client.on_raw(topic(self.topics, "batch"), self._on_batch)
        self.client.subscribe(self.topics.presence(p.HUB), self._on_presence)
        self.client.on_connection(lambda up: self._ask(force=True) if up else None)

    def start(self, wait: float | None = None) -> Replica:
        self.client.start(wait)
        return self

    @property
    def primary_answering(self) -> bool:
        """The primary's broker is reachable and its hub's heartbeat is live."""
        return self.client.connected.is_set() and bool(self.primary.get("online"))

    def _on_presence(self, _topic: str, data: Any) -> None:
        self.primary = data if isinstance(data, dict) else {}

    def _ask(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._asked_at < 2.0:
            return  # one request in flight is enough
        self._asked_at = now
        self.client.publish(topic(self.topics, "since"), msgspec.json.encode(
            ReplSince(standby=self.name, epoch=self.epoch, cursor=self.cursor,
                      last=event_fingerprint(self.store, self.cursor["seq"]))))

    def hold_acks(self) -> None:
        """Ack nothing from now on (hub/ha/takeover.py, before this standby first asks for the lease): a
        primary that lost its witness answers only on acks, so it answers nothing more once the request
        may be granted. Returns after any ack being sent (under the batch lock) went out."""
        with self._lock:
            if not self.acks_held:
                log.warning("备用中心停止确认，准备向见证申请租约 (standby stops acking: asking for the lease)",
                            extra={"code": "standby_acks_held"})
            self.acks_held = True

    def resume_acks(self) -> None:
        """The witness definitely refused this standby the lease: ack again (from the cursor reached)."""
        with self._lock:
            if self.acks_held:
                log.info("见证拒绝授予租约，备用中心恢复确认 (lease refused: standby acks again)",
                         extra={"code": "standby_acks_resumed"})
            self.acks_held = False
            self._ack()

    def _ack(self, error: str = "") -> None:
        if self.acks_held:
            return
        self.client.publish(topic(self.topics, "ack"), msgspec.json.encode(
            ReplAck(standby=self.name, epoch=self.epoch, cursor=self.cursor, error=error)))

    def _on_batch(self, _topic: str, payload: bytes) -> None:
        try:
            batch = msgspec.json.decode(payload, type=ReplBatch)
        except msgspec.ValidationError as exc:
            log.warning("ignored a malformed repl/batch: %s", exc)
            return
        with self._lock:
            if batch.refused:
                if batch.standby == self.name:
                    self.refused, self.in_sync = batch.refused, False
                    log.error("the primary refuses this standby: %s", batch.refused, extra={"code": "standby_diverged"})
                return
            if batch.epoch < self.epoch:
                log.error("refused a batch of epoch %d (this file follows epoch %d)", batch.epoch, self.epoch,
                          extra={"code": "epoch_mismatch"})
                self._ack(f"epoch {batch.epoch} < {self.epoch}")
                return
            if reached(self.cursor, batch.upto):
                self.in_sync = batch.sync or self.in_sync
                self._ack()  # delivered twice, or a page we already have
                return
            if not reached(self.cursor, batch.after):
                self.in_sync = False
                self._ask()  # a gap: rows between our cursor and this batch are missing
                return
            try:
                if batch.epoch > self.epoch:
                    self.store.set_meta("epoch", batch.epoch)
                    self.epoch = batch.epoch
                self.cursor = apply_repl(self.store, batch.rows, batch.meta, self.core, self.book)
            except (StoreError, ValueError, KeyError, TypeError) as exc:
                log.exception("could not apply a batch: asking again from seq %d", self.cursor["seq"])
                self.core, self.book = self._reload()
                self.cursor = repl_cursor(self.store)
                self._ack(str(exc))
                self._ask(force=True)
                return
            self.applied += 1
            self.in_sync = batch.sync or (self.in_sync and not batch.more)
            self._ack()

    def _reload(self) -> tuple[Any, Any]:
        from hub.case_desk import new_book

        return self.store.load(self.hall), self.store.load_cases(new_book(self.hall))

    def promote(self, *, force: bool = False) -> tuple[bool, str]:
        """Stop following and take a new epoch. Refused while the primary still answers (unless
        ``force``: for a primary known dead). Returns (done, what to tell the operator, in Chinese)."""
        if self.primary_answering and not force:
            return False, ("主中心仍在应答，拒绝接管（两台中心同时应答会造成数据混乱）。请先确认主中心已停止；"
                           "若确知主中心已损坏，可加 --force (the primary still answers)")
        self.client.stop()
        with self._lock:
            self.epoch = max(self.epoch, epoch_of(self.store)) + 1
            self.store.set_meta("epoch", self.epoch)
            self.store.set_meta("repl_standby", "")
            self.store.close()
        behind = "" if self.in_sync else "（注意：接管前本机未确认与主中心同步，最后的操作可能缺失）"
        return True, f"已接管：本机成为主中心，任期 {self.epoch}，数据到第 {self.cursor['seq']} 条{behind}"

    def stop(self) -> None:
        self.client.stop()
        with self._lock:
            self.store.close()
