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
