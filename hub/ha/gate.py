"""Who may answer: the one question the hub's worker asks before it replies or publishes."""
from __future__ import annotations

from typing import Protocol


class Gate(Protocol):
    def may_answer(self) -> bool:
        """True only while this hub may reply and publish (holds the lease / is the promoted one).
        Called by the worker before each batch and each tick; must be cheap (no I/O on the call)."""
    @property
    def epoch(self) -> int:
        """The fencing token of the current grant; grows with every promotion, never reused."""
    def drop_standby(self, standby: str, timeout: float) -> bool:
        """The primary's standby stopped acking: ask for it to be marked out of sync. True once it is
        (then the primary may commit without its acks); False = not confirmed: the primary must not answer."""
    def standby_in_sync(self, standby: str, seq: int) -> None:
        """The standby caught up to seq: it may be put back in the in-sync set."""
    def close(self) -> None: ...


class SoloGate:
    """One hub (today's behaviour), or the primary of two PCs without a witness: it always answers.
    A standby that stops acking is dropped at once (True); the runtime raises the alarm 备用中心未同步
    on ``status/hub``. ``epoch``: the store's (``meta.epoch``), read once at start."""

    def __init__(self, epoch: int = 0) -> None:
        self._epoch = epoch

    def may_answer(self) -> bool:
        return True

    @property
    def epoch(self) -> int:
        return self._epoch

    def drop_standby(self, standby: str, timeout: float) -> bool:
        return True

    def standby_in_sync(self, standby: str, seq: int) -> None:
        return None

    def close(self) -> None:
        return None


class ManualGate(SoloGate):
    """Two PCs, promoted by one operator command: the standby may not answer until ``hallq standby
    promote`` (:meth:`promote`), which bumps the epoch; the primary answers from the start
    (``promoted=True``), like :class:`SoloGate`."""

    def __init__(self, epoch: int = 0, *, promoted: bool = False) -> None:
        super().__init__(epoch)
        self._promoted = promoted

    def may_answer(self) -> bool:
        return self._promoted

    def promote(self) -> int:
        """This hub answers from now on, under a new epoch (the caller stores it before answering)."""
        self._epoch += 1
        self._promoted = True
        return self._epoch

    def demote(self) -> None:
        """A hub that learns of a newer epoch (it was fenced) stops answering."""
        self._promoted = False
