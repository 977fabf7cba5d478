"""The 好差评 evaluator on a window screen (一事一评), as plain Python (no Qt).

:class:`Evaluator` is a small state machine with an injected clock: invited → rating → (差评:
reason) → sending → thanks → idle; a timeout becomes 未评价 (``evaluation.skip``). No score is
preselected or suggested. It follows the window's retained ``state/window/<id>`` (its pending
``evaluation``) and ``event/evaluate``, and hands the screen each command to send as a
:class:`Submission` with a fixed request id, so a retry after a timeout is the same command at the hub.
The screen that shows it is ``display/window_view.py``; what it shows besides is
:class:`~display.model.WindowBoard`.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hallq.messages import EvaluateEvent, WindowState
from hallq.rating import BAD_REASONS

LEVELS = ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"))
BAD_LEVELS = (1, 2)  # 差评: a reason is required
# Reasons offered for a 差评: the one list the phone page offers too (hallq/rating.py). A display's
# settings may still name others (display/cli.py), but then the two channels' words differ.
DEFAULT_REASONS = BAD_REASONS


class Stage(enum.Enum):
    IDLE = "idle"
    RATING = "rating"  # five buttons
    REASON = "reason"  # 差评: pick a reason
    SENDING = "sending"  # the rating (or skip) is on its way; retried with the same id
    THANKS = "thanks"


@dataclass(frozen=True)
class Submission:
    """A command to send; ``request_id`` is fixed so retries are idempotent at the hub."""

    op: str
    args: dict[str, Any]
    request_id: str


@dataclass
class Evaluator:
    """好差评 一次一评 at one window. Drive with window states, taps and :meth:`tick`.

    Times: ``clock`` is wall-clock seconds. The deadline is the hub's ``invited_at`` +
    ``timeout_s`` (the hub also times out by itself; whichever comes first, the result is
    未评价 once). After a reply the thanks screen stays ``thanks_s`` seconds.
    """

    window: str
    clock: Callable[[], float]
    reasons: tuple[str, ...] = DEFAULT_REASONS
    thanks_s: float = 5.0
    default_timeout_s: float = 60.0
    stage: Stage = Stage.IDLE
    ticket: str = ""
    number: str = ""
    level: int = 0
    deadline: float = 0.0
    outbox: Submission | None = None
    result: str = ""  # "rated" / "skipped" after a reply
    _done_tickets: list[str] = field(default_factory=list)
    _thanks_until: float = 0.0

    # ---- from the hub

    def on_window_state(self, state: WindowState | None) -> bool:
        """Follow the window's pending ``evaluation``; True if the stage changed."""
        before = self.stage
        pending = state.evaluation if state else None
        if pending is not None and pending.ticket:
            ticket = pending.ticket
            if ticket == self.ticket and not self.number:  # the event came first; the state has the number
                self.number = pending.number
                return True
            if ticket != self.ticket and ticket not in self._done_tickets:
                self._invite(ticket, pending.number, pending.invited_at, pending.timeout_s)
        elif self.stage in (Stage.RATING, Stage.REASON) and state is not None:
            # resolved elsewhere (pad, hub timeout, next citizen called): stop asking
            self._reset()
        return self.stage is not before

    def on_invite_event(self, event: EvaluateEvent) -> bool:
        if event.window != self.window or not event.ticket:
            return False
        ticket = event.ticket
        if ticket == self.ticket or ticket in self._done_tickets:
            return False
        self._invite(ticket, "", event.at, None)
        return True

    def _invite(self, ticket: str, number: str, invited_at: float | None, timeout_s: int | None) -> None:
        now = self.clock()
        timeout = float(timeout_s) if timeout_s is not None and timeout_s > 0 else self.default_timeout_s
        start = invited_at if invited_at is not None and 0 <= now - invited_at < timeout else now
        self.stage, self.ticket, self.number, self.level, self.outbox = Stage.RATING, ticket, number, 0, None
        self.deadline = start + timeout
        self.result = ""

    # ---- from the citizen

    def choose(self, level: int) -> Submission | None:
        if self.stage is not Stage.RATING or level not in dict(LEVELS):
            return None
        self.level = level
        if level in BAD_LEVELS:
            self.stage = Stage.REASON
            return None
        return self._send("evaluation.submit", {"window": self.window, "level": level, "ticket": self.ticket})

    def choose_reason(self, reason: str) -> Submission | None:
        if self.stage is not Stage.REASON or reason not in self.reasons:
            return None
        return self._send("evaluation.submit", {"window": self.window, "level": self.level, "reason": reason,
                                                "ticket": self.ticket})

    def back(self) -> None:
        if self.stage is Stage.REASON:
            self.stage, self.level = Stage.RATING, 0

    # ---- time

    def seconds_left(self) -> int:
        return max(0, int(self.deadline - self.clock() + 0.999)) if self.stage in (Stage.RATING, Stage.REASON) else 0

    def tick(self) -> Submission | None:
        now = self.clock()
        if self.stage in (Stage.RATING, Stage.REASON) and now >= self.deadline:
            return self._send("evaluation.skip", {"window": self.window})
        if self.stage is Stage.THANKS and now >= self._thanks_until:
            self._reset()
        return None

    # ---- replies

    def on_reply(self, submission: Submission, ok: bool, code: str = "") -> Submission | None:
        """The hub's answer to ``submission``; returns a submission to retry (same id) or None."""
        if submission is not self.outbox:
            return None
        if ok:
            self.result = "skipped" if submission.op == "evaluation.skip" else "rated"
            self._finish(thanks=submission.op == "evaluation.submit")
            return None
        if code in ("timeout", "internal"):  # unknown outcome: ask again with the same id
            return submission
        # no_pending_evaluation (hub timed out first, the pad moved on) or a refusal: stop here
        self.result = code
        self._finish(thanks=False)
        return None

    def _send(self, op: str, args: dict[str, Any]) -> Submission:
        if "ticket" in args and not args["ticket"]:
            del args["ticket"]
        self.outbox = Submission(op, args, uuid.uuid4().hex)
        self.stage = Stage.SENDING
        return self.outbox

    def _finish(self, *, thanks: bool) -> None:
        self._done_tickets = [*self._done_tickets[-20:], self.ticket]
        self.outbox = None
        if thanks:
            self.stage, self._thanks_until = Stage.THANKS, self.clock() + self.thanks_s
        else:
            self._reset()

    def _reset(self) -> None:
        if self.ticket and self.ticket not in self._done_tickets:
            self._done_tickets = [*self._done_tickets[-20:], self.ticket]
        self.stage, self.ticket, self.number, self.level, self.outbox = Stage.IDLE, "", "", 0, None
