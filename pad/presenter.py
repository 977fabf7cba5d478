"""What every pad screen shares: commands in flight, the hub's confirmation, offline handling.

Rules (R-numbers in MISSION.md; "never lose an action"):

* A tap makes one :class:`Command` with a request id made here. The hub answers a repeated
  id with its first answer, so sending it again can never do the work twice.
* One command at a time: while it is in flight every action is disabled (no double taps).
* The hub confirms or refuses each command; the refusal's message is shown as is.
* No reply after the client's own retries: the command is kept as *unconfirmed* and a retry
  re-sends it with the same id (it may have happened; the hub will tell).
* Offline (broker unreachable or the hub's presence says offline): every action is disabled
  and a banner says so — except the outcome of the ticket in service (staff pad), which is kept
  as *待同步* (:attr:`Presenter.queued`, with its request id) and sent by the link the moment the
  hub answers again; the banner says so. Nothing is queued silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hallq import clock as hallclock
from hallq.i18n import language, tr
from hallq.protocol import new_request_id, person_message
from pad.replies import ticket_of
from pad.state import HallState

Clock = Callable[[], float]


class NotAllowed(Exception):
    """The presenter refuses an action that is not enabled now (the view never offers it)."""


@dataclass(frozen=True)
class Command:
    op: str
    args: dict[str, Any]
    label: str  # what the person tapped, for confirmations ("受理 A001")
    rid: str = field(default_factory=new_request_id)


@dataclass(frozen=True)
class Notice:
    level: str  # "info" | "error"
    text: str


# Hub error codes → English (Chinese mode shows the hub's own, more specific message, when it is
# Chinese words; see hallq.protocol.person_message).
ERROR_EN = {
    "window_busy": "Record the outcome of the current ticket first",
    "queue_empty": "Nobody is waiting",
    "recall_limit": "Recall limit reached",
    "not_served_here": "This window does not serve that ticket's queue",
    "reason_required": "A reason is required",
    "window_not_open": "The window is not open",
    "window_state": "Not possible in the window's current state",
    "staff_elsewhere": "This staff member is logged in at another window",
    "bad_pin": "Wrong staff number or PIN",
    "not_signed_in": "Sign in first: this hall audits every override by guide",
    "forbidden": "This device may not do that",
    "timeout": "The hub did not answer",
    "unknown_ticket": "No such ticket today",
    "no_current_ticket": "No ticket is being served",
    "illegal_state": "Not possible in the ticket's current state",
    "bad_target": "Choose one target",
    "unknown_queue": "No such queue",
    "already_verified": "Already verified",
    "unknown_priority_group": "No such priority group",
    "hall_closed": "Outside ticketing hours",
    "quota_reached": "Today's quota is used up",
    "duplicate_ticket": "This person already holds a ticket for this matter",
    "no_ticket_needed": "This matter needs no ticket",
    "unknown_staff": "No such staff number",
    "internal": "The hub failed; nothing was changed",
    "printer": "Printing failed",
    "too_deep": "The request was malformed (nested too deep); nothing was changed",
    "bad_number": "The request held a number the hub does not accept; nothing was changed",
    "bad_text": "The request held text that is not valid Unicode; nothing was changed",
}


def error_text(code: str, message: str) -> str:
    """A refusal in words for the person at the pad: never a code, a state or an op name."""
    if language() == "en":
        return ERROR_EN.get(code, message or "Not done")
    return person_message(code, message)


class Presenter:
    """Base of the staff pad and the guide console presenters."""

    def __init__(self, state: HallState, device: str, clock: Clock = hallclock.now) -> None:
        self.state = state
        self.device = device
        self.clock = clock
        self.broker_online = False
        self.pending: Command | None = None
        self.unconfirmed: Command | None = None
        self.queued: Command | None = None  # 待同步: taken offline, sent with its request id once online
        self.notice: Notice | None = None
        self._listeners: list[Callable[[], None]] = []

    # ------------------------------------------------------------ change notification

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Views repaint when the presenter changes (the only way the model talks back)."""
        self._listeners.append(listener)

    def changed(self) -> None:
        for fn in list(self._listeners):
            fn()

    # ------------------------------------------------------------ connection

    @property
    def online(self) -> bool:
        return self.broker_online and self.state.hub_online

    def set_broker_online(self, up: bool) -> None:
        self.broker_online = up
        self.changed()

    def banner(self) -> str:
        """The offline banner ('' when online)."""
        if self.queued is not None and not self.online:
            return tr("离线：{label} 待同步，恢复连接后自动发送（不会重复办理）", label=self.queued.label)
        if not self.broker_online:
            return tr("网络已断开，正在重连… 操作按钮已停用，恢复后请重新操作")
        if not self.state.hub_online:
            return tr("大厅服务器离线，正在等待恢复… 操作按钮已停用")
        return ""

    def connection_text(self) -> str:
        return tr("已连接") if self.online else tr("离线")

    @property
    def idle(self) -> bool:
        """Online and nothing in flight: the precondition of every action."""
        return self.online and self.pending is None

    # ------------------------------------------------------------ commands

    def _send(self, op: str, args: dict[str, Any], label: str) -> Command:
        if not self.idle:
            raise NotAllowed(tr("离线或有操作正在进行"))
        cmd = Command(op, args, label)
        self.pending = cmd
        self.notice = Notice("info", tr("{label}：等待大厅服务器确认…", label=label))
        self.changed()
        return cmd

    def _queue(self, op: str, args: dict[str, Any], label: str) -> Command:
        """Offline: keep the command as 待同步 (one at a time); :meth:`take_queued` hands it to the link."""
        if self.online or self.pending is not None or self.queued is not None:
            raise NotAllowed(tr("离线或有操作正在进行"))
        self.queued = Command(op, args, label)
        self.notice = Notice("info", tr("{label}：待同步，恢复连接后自动发送", label=label))
        self.changed()
        return self.queued

    def take_queued(self) -> Command | None:
        """Online again: the 待同步 command becomes the one in flight (same request id), for the link to send."""
        if self.queued is None or not self.online or self.pending is not None:
            return None
        cmd, self.queued = self.queued, None
        self.pending = cmd
        self.notice = Notice("info", tr("{label}：同步中，等待大厅服务器确认…", label=cmd.label))
        self.changed()
        return cmd

    def retry(self) -> Command:
        """Re-send the unconfirmed command with its own request id."""
        if self.unconfirmed is None or not self.idle:
            raise NotAllowed(tr("没有待确认的操作"))
        cmd, self.unconfirmed = self.unconfirmed, None
        self.pending = cmd
        self.notice = Notice("info", tr("{label}：重新发送，等待确认…", label=cmd.label))
        self.changed()
        return cmd

    def finished(self, cmd: Command, result: dict[str, Any] | None, code: str = "", message: str = "") -> None:
        """The hub's answer to ``cmd`` (``code`` set: refused or timed out)."""
        if self.pending is cmd or (self.pending is not None and self.pending.rid == cmd.rid):
            self.pending = None
        if code == "timeout":
            self.unconfirmed = cmd
            self.notice = Notice("error", tr("{label}：大厅服务器未确认，可能未生效。请点“重试”（不会重复办理）",
                                             label=cmd.label))
        elif code:
            self.notice = Notice("error", f"{cmd.label}：{error_text(code, message)}")
        else:
            if self.unconfirmed is not None and self.unconfirmed.rid == cmd.rid:
                self.unconfirmed = None
            self.notice = Notice("info", self.confirmation(cmd, result or {}))
            self.confirmed(cmd, result or {})
        self.changed()

    def confirmation(self, cmd: Command, result: dict[str, Any]) -> str:
        ticket = ticket_of(result)
        if ticket is not None and ticket.number and ticket.number not in cmd.label:
            return tr("{label} {number}：已确认", label=cmd.label, number=ticket.number)
        return tr("{label}：已确认", label=cmd.label)

    def confirmed(self, cmd: Command, result: dict[str, Any]) -> None:
        """Hook for subclasses: the hub accepted ``cmd``."""

    def on_message(self, topic: str, data: Any) -> None:
        change = self.state.apply(topic, data)
        if change is not None and self.relevant(change):
            self.changed()

    def relevant(self, change: Any) -> bool:
        return True


def minutes(seconds: float) -> str:
    """A waiting time for people: "3 分钟", "1 小时 5 分"."""
    s = max(0, int(seconds))
    if s < 60:
        return tr("{n} 秒", n=s)
    m = s // 60
    if m < 60:
        return tr("{n} 分钟", n=m)
    return tr("{h} 小时 {m} 分", h=m // 60, m=m % 60)
