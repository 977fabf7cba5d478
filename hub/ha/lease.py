"""The lease (租约) a witness grants, as a pure table: who may answer the hall, under which epoch.

Two hub PCs (a primary and a standby) and a small witness on a third PC. Only the hub holding
the lease may reply and publish; the witness grants it, one holder at a time, for ``ttl``
seconds; the holder renews it every ``renew_s``. This module is the witness's half (the table
and its moves) and the holder's half (how long it may believe it still holds the lease): no
I/O, no threads, every clock passed in, so the safety rule below is tested over random clocks,
delays and losses (tests/ha/test_witness_lease.py) instead of argued.

**Epochs (the fencing token).** Every grant to a holder that did not hold a live lease takes a
new epoch, one above the highest the witness has granted *or been told of*: an ``acquire``
carries the highest epoch its hub has seen, so a witness that lost its file still never hands
out an epoch again. A renewal keeps the epoch. A hub stores the epoch with what it commits; a
hub with an older epoch is fenced (its writes and replies are refused by the others).

**The in-sync set (同步集合).** The witness never grants the lease to a hub that may lack
acknowledged commands. The holder is in sync by definition; the standby joins the set when the
holder reports it caught up (``readmit``) and leaves it when the holder, whose standby stopped
acking, asks for it to be marked out of sync (``drop``) *before* committing without it. A grant
to a new holder leaves only that holder in the set (the old one lacks what the new one commits).
A witness that has never granted a lease has an empty set: the first hub to ask gets it.

**The safety rule: at no instant do two hubs both believe they hold the lease.** The witness
grants a new holder only after the old grant expired *on the witness's clock*
(``expires = granted_at + ttl``). The holder measures from the moment it *sent* the request
(which is before the witness granted) and gives up ``margin`` early:
``believes_until = sent_at + ttl * (1 - drift) - margin`` on its own monotonic clock. With clock
rates within ``drift`` of each other (real crystals: 10⁻⁴; ``DRIFT`` allows 1 %), the holder's
belief ends before the witness's grant does, whatever the message delays. A reply that is lost
or late only shortens the belief; it never extends it.

Transitions: the lease is ``FREE`` (never granted, released, or lapsed) or ``HELD``; the asker is
the ``HOLDER``, another hub ``IN_SYNC`` or a ``STALE`` one (out of sync). :data:`TRANSITIONS`
maps (state, op, asker) to the outcome; a triple not in it is refused with :class:`Refused`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

DRIFT = 0.01  # clock rates may differ by this fraction (monotonic clocks of two PCs: far less)
ALL_OTHERS = "*"  # drop: every hub but the holder (the replication knows its standby by login, not by PC)


class LeaseState(StrEnum):
    FREE = "free"
    HELD = "held"


class Op(StrEnum):
    ACQUIRE = "acquire"  # take the lease (or renew it, if already the holder)
    RENEW = "renew"  # the holder extends its grant (same epoch)
    RELEASE = "release"  # the holder gives it up (a clean stop)
    DROP = "drop"  # the holder's standby stopped acking: mark it out of sync
    READMIT = "readmit"  # the holder's standby caught up: back in the in-sync set


class Asker(StrEnum):
    HOLDER = "holder"  # holds the live lease under the epoch it names
    IN_SYNC = "in_sync"  # another hub in the in-sync set (or the set is empty: nobody granted yet)
    STALE = "stale"  # another hub, out of sync


class Outcome(StrEnum):
    GRANT = "grant"  # a new epoch to this asker
    EXTEND = "extend"  # same epoch, expiry moved on
    FREE = "free"  # lease released
    MARK = "mark"  # in-sync set changed (drop / readmit)
    HELD_BY_OTHER = "held"
    NOT_HOLDER = "not_holder"
    OUT_OF_SYNC = "out_of_sync"


F, H = LeaseState.FREE, LeaseState.HELD
TRANSITIONS: dict[tuple[LeaseState, Op, Asker], Outcome] = {
    (F, Op.ACQUIRE, Asker.IN_SYNC): Outcome.GRANT,
    (F, Op.ACQUIRE, Asker.STALE): Outcome.OUT_OF_SYNC,
    (H, Op.ACQUIRE, Asker.HOLDER): Outcome.EXTEND,
    (H, Op.ACQUIRE, Asker.IN_SYNC): Outcome.HELD_BY_OTHER,
    (H, Op.ACQUIRE, Asker.STALE): Outcome.HELD_BY_OTHER,
    (H, Op.RENEW, Asker.HOLDER): Outcome.EXTEND,
    (H, Op.RELEASE, Asker.HOLDER): Outcome.FREE,
    (H, Op.DROP, Asker.HOLDER): Outcome.MARK,
    (H, Op.READMIT, Asker.HOLDER): Outcome.MARK,
}
# everything else (renew/release/drop/readmit by a non-holder, or of a lapsed lease) is NOT_HOLDER

REFUSALS = {
    Outcome.HELD_BY_OTHER: "租约由 {holder} 持有（第 {epoch} 代），本机不能接管",
    Outcome.NOT_HOLDER: "本机不再持有租约（已过期或已被接管，当前第 {epoch} 代），请重新申请",
    Outcome.OUT_OF_SYNC: "本机的数据未与主中心同步，见证不授予租约（需主中心确认已同步）",
}


class Refused(Exception):
    """A request the table refuses: ``code`` is stable (the outcome's name), ``message`` Chinese."""

    def __init__(self, outcome: Outcome, lease: Lease) -> None:
        self.code = outcome.value
        self.message = REFUSALS[outcome].format(holder=lease.holder or "无", epoch=lease.epoch)
        super().__init__(f"{self.code}: {self.message}")


@dataclass(frozen=True)
class Lease:
    """The witness's table. ``expires`` is on the witness's monotonic clock (meaningless after a
    restart: a restarted witness starts FREE but keeps ``epoch`` and ``in_sync``, see witness.py)."""

    epoch: int = 0  # the highest epoch granted or seen (0: never)
    holder: str = ""  # the last one granted (kept after a release or lapse; "" never granted)
    expires: float = 0.0
    in_sync: frozenset[str] = field(default_factory=frozenset)

    def state(self, now: float) -> LeaseState:
        return LeaseState.HELD if self.holder and now < self.expires else LeaseState.FREE

    def asker(self, node: str, epoch: int, now: float) -> Asker:
        if self.state(now) is LeaseState.HELD and node == self.holder and epoch == self.epoch:
            return Asker.HOLDER
        if not self.in_sync or node in self.in_sync:
            return Asker.IN_SYNC
        return Asker.STALE


@dataclass(frozen=True)
class Request:
    op: Op
    node: str  # the asking hub
    epoch: int = 0  # acquire: the highest epoch the hub has seen; others: the epoch it holds
    standby: str = ""  # drop / readmit: the standby meant


def decide(lease: Lease, req: Request, now: float, ttl: float) -> tuple[Lease, Outcome]:
    """The witness's one move: the new table and what happened, or :class:`Refused`.

    ``now`` is the witness's monotonic clock; ``ttl`` the lease's life in seconds."""
    if not req.node:
        raise ValueError("node must not be empty")
    if req.op in (Op.DROP, Op.READMIT) and (not req.standby or req.standby == req.node or (
            req.standby == ALL_OTHERS and req.op is Op.READMIT)):
        raise ValueError(f"{req.op.value}: standby must name another hub, got {req.standby!r}")
    state = lease.state(now)
    # an acquire by the holder may name any epoch it has seen (its own): the holder is the holder
    asker = Asker.HOLDER if (req.op is Op.ACQUIRE and state is H and req.node == lease.holder) else \
        lease.asker(req.node, req.epoch, now)
    outcome = TRANSITIONS.get((state, req.op, asker), Outcome.NOT_HOLDER)
    if outcome is Outcome.GRANT:
        epoch = max(lease.epoch, req.epoch) + 1
        # a new holder's commits are not on the old one: only the new holder is in sync now (the
        # old one comes back as a standby and is readmitted once it caught up)
        in_sync = lease.in_sync | {req.node} if req.node == lease.holder else frozenset({req.node})
        return Lease(epoch, req.node, now + ttl, in_sync), outcome
    if outcome is Outcome.EXTEND:
        return replace(lease, expires=now + ttl), outcome
    if outcome is Outcome.FREE:
        return replace(lease, expires=0.0), outcome  # the holder's name stays: see GRANT
    if outcome is Outcome.MARK:
        if req.op is Op.DROP:
            changed = frozenset({req.node}) if req.standby == ALL_OTHERS else lease.in_sync - {req.standby}
        else:
            changed = lease.in_sync | {req.standby}
        return replace(lease, in_sync=changed), outcome
    raise Refused(outcome, lease)


def margin_for(ttl: float, renew_s: float) -> float:
    """How early the holder gives up: a fifth of the lease, at least one renewal period's half,
    so a hub cut off from the witness stops answering about a second before the witness could
    grant the lease to the other one."""
    return max(ttl / 5, renew_s / 2)


def believes_until(sent_at: float, ttl: float, margin: float) -> float:
    """The holder's own deadline for a grant or renewal requested at ``sent_at`` (its monotonic
    clock): before the witness's expiry whatever the delays and the clocks' drift (docstring)."""
    return sent_at + ttl * (1 - DRIFT) - margin
