"""The window staff pad (窗口人员): log in, call, serve, record the outcome. No Qt.

The pad shows the hub's retained window state (``state/window/<id>``) and sends commands
for its own window only (the hub refuses anything else; this presenter never offers it).
What is enabled when is decided here, from the window state, the connection and the
command in flight, so tests can check it without a screen:

=================  ==================================================================
action             enabled when (always also: online and no command in flight; the outcome
                   also offline, kept as 待同步 — see :mod:`pad.presenter`)
=================  ==================================================================
login              window closed, or 交接 (AB岗 handover) asked for
call_next, call    window open, no current ticket
recall             current ticket, recalls below the hall's recall_limit
outcome, transfer  current ticket
pause              window open, no current ticket
resume             window paused
summon             window open or paused
backfill (补录)     window open or paused, no current ticket (a walk-in served without a ticket)
logout             logged in, no current ticket
handover           logged in
print              a printer configured and a ticket being or just served
case_accept        the ticket just served was recorded 受理 and a case is offered for it
                   (:meth:`pad.case_front.CaseFront.case_offer`: 综窗 and 专窗 matters, not
                   consultations, once)
case_desk (办件)    logged in: 补正 and 出件 by case code (:mod:`pad.case_front`)
=================  ==================================================================
"""

from __future__ import annotations

from typing import Any

from hallq import clock as hallclock
from hallq.i18n import tr
from pad.case_front import CASE_OPS, CaseFront
from pad.presenter import Clock, Command, NotAllowed
from pad.replies import ticket_of
from pad.state import Change, HallState
from pad.window_readout import OUTCOME_LABELS, OUTCOMES, Rating, SentSummon

__all__ = ["ACTIONS", "BACKFILL_OUTCOMES", "OUTCOMES", "OUTCOME_LABELS", "PAUSE_REASONS", "REJECT_REASONS", "StaffPad"]

PAUSE_REASONS = ("休息", "会议", "培训", "业务咨询", "系统故障", "其他")
REJECT_REASONS = ("材料不齐全", "不符合法定形式", "不属于受理范围", "申请人不符合条件", "其他")
ACTIONS = ("login", "call_next", "call", "recall", "outcome", "transfer", "pause", "resume", "summon", "logout",
           "handover", "print", "backfill", "case_accept", "case_desk")
BACKFILL_OUTCOMES = ("accepted", "consulted", "rejected")  # 补录: what was done for the walk-in


class StaffPad(CaseFront):
    """What the window's staff can do now, and the commands their taps make."""

    def __init__(self, state: HallState, device: str, window: str, clock: Clock = hallclock.now) -> None:
        super().__init__(state, device, window, clock)
        self.handover = False  # AB岗: the login page while the window is open
        self.checked: set[str] = set()  # materials ticked on the checklist (current ticket)
        self._checked_for = ""

    @property
    def page(self) -> str:
        return "serve" if self.logged_in and not self.handover else "login"

    # ------------------------------------------------------------ what is enabled

    def can(self, action: str) -> bool:
        if not self.idle:
            # offline, a ticket in service: its outcome is kept as 待同步 and sent once the hub answers
            return (action == "outcome" and not self.online and self.pending is None and self.queued is None
                    and self.current is not None and self.logged_in)
        if self.queued is not None:
            return False  # 待同步 goes first
        cur, status = self.current, self.status
        match action:
            case "login":
                return status == "closed" or self.handover or not self.logged_in
            case "call_next" | "call" | "pause":
                return self.logged_in and status == "open" and cur is None
            case "recall":
                return cur is not None and cur.recalls < self.state.recall_limit
            case "outcome" | "transfer":
                return cur is not None and self.logged_in
            case "resume":
                return self.logged_in and status == "paused"
            case "summon":
                return self.logged_in
            case "logout" | "backfill":
                return self.logged_in and cur is None
            case "handover":
                return self.logged_in
            case "print":
                return self.printer_configured and self.print_subject is not None
            case "case_accept":
                return bool(self.case_offer())
            case "case_desk":
                return self.logged_in
        raise ValueError(f"unknown action {action!r}")

    def actions(self) -> dict[str, bool]:
        return {a: self.can(a) for a in ACTIONS}

    def _need(self, action: str) -> None:
        if not self.can(action):
            raise NotAllowed(action)

    # ------------------------------------------------------------ taps → commands

    def login(self, staff: str, pin: str) -> Command:
        self._need("login")
        staff, pin = staff.strip(), pin.strip()
        if not staff or not pin:
            raise NotAllowed(tr("请输入工号和密码"))
        label = tr("交接 (AB岗)") if self.logged_in else tr("登录")
        return self._send("window.open", {"window": self.window, "staff": staff, "pin": pin}, label)

    def logout(self) -> Command:
        self._need("logout")
        return self._send("window.close", {"window": self.window}, tr("退出"))

    def start_handover(self) -> None:
        self._need("handover")
        self.handover = True
        self.changed()

    def cancel_handover(self) -> None:
        self.handover = False
        self.changed()

    def call_next(self) -> Command:
        self._need("call_next")
        return self._send("ticket.call_next", {"window": self.window}, tr("叫号"))

    def call(self, number: str) -> Command:
        self._need("call")
        number = number.strip().upper()
        if not number:
            raise NotAllowed(tr("请输入票号"))
        return self._send("ticket.call", {"window": self.window, "ticket": number}, tr("特呼 {n}", n=number))

    def recall(self) -> Command:
        self._need("recall")
        return self._send("ticket.recall", {"window": self.window}, tr("重呼 {n}", n=self._number()))

    def outcome(self, outcome: str, reason: str = "", note: str = "") -> Command:
        self._need("outcome")
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        args = _with_reason(outcome, {"window": self.window, "outcome": outcome}, reason, note)
        label = f"{tr(OUTCOME_LABELS[outcome])} {self._number()}"
        if not self.online:
            return self._queue("ticket.outcome", args, label)
        return self._send("ticket.outcome", args, label)

    def transfer(self, *, to_queue: str = "", to_window: str = "", note: str = "") -> Command:
        self._need("transfer")
        if bool(to_queue) == bool(to_window):
            raise NotAllowed(tr("请选择一个目标队列或窗口"))
        if to_window == self.window:
            raise NotAllowed(tr("不能转移到本窗口"))
        args: dict[str, Any] = {"window": self.window}
        args["to_queue" if to_queue else "to_window"] = to_queue or to_window
        if note.strip():
            args["note"] = note.strip()
        target = self.state.queue_name(to_queue) if to_queue else to_window
        return self._send("ticket.transfer", args, tr("转移 {n} → {t}", n=self._number(), t=target))

    def pause(self, reason: str) -> Command:
        self._need("pause")
        if not reason.strip():
            raise NotAllowed(tr("暂停需要选择原因"))
        return self._send("window.pause", {"window": self.window, "reason": reason.strip()},
                          tr("暂停（{r}）", r=tr(reason.strip())))

    def resume(self) -> Command:
        self._need("resume")
        return self._send("window.resume", {"window": self.window}, tr("恢复"))

    def summon(self, department: str = "", note: str = "") -> Command:
        self._need("summon")
        args: dict[str, Any] = {"window": self.window}
        if department:
            args["department"] = department
        if note.strip():
            args["note"] = note.strip()
        return self._send("window.summon", args, tr("呼叫后台"))

    def backfill(self, matter: str, situation: str, outcome: str, reason: str = "", note: str = "") -> Command:
        """补录: record a walk-in served without a ticket (the hub numbers it, channel ``window``)."""
        self._need("backfill")
        if outcome not in BACKFILL_OUTCOMES:
            raise ValueError(f"unknown backfill outcome {outcome!r}")
        args = _with_reason(outcome, {"window": self.window, "matter": matter, "situation": situation,
                                      "outcome": outcome}, reason, note)
        m = self.state.matters.get(matter)
        name = m.name if m else matter
        return self._send("ticket.backfill", args, tr("补录 {m}（{o}）", m=name, o=tr(OUTCOME_LABELS[outcome])))

    # ------------------------------------------------------------ hub answers and events

    def confirmed(self, cmd: Command, result: dict[str, Any]) -> None:
        if cmd.op in CASE_OPS:
            self.case_confirmed(cmd, result)
        elif cmd.op == "window.open":
            self.handover = False
        elif cmd.op in ("ticket.outcome", "ticket.backfill") and (served := ticket_of(result)) is not None:
            self.last_served = served
        elif cmd.op == "window.summon":
            self.summons.insert(0, SentSummon(str(result.get("department", "")), self.clock(), self._number()))
        elif cmd.op in ("window.close", "ticket.transfer"):
            self.last_served = None

    def confirmation(self, cmd: Command, result: dict[str, Any]) -> str:
        if cmd.op in CASE_OPS:
            return self.case_confirmation(cmd, result)
        if cmd.op == "window.summon" and result.get("department"):
            return tr("已呼叫后台：{d}", d=result["department"])
        return super().confirmation(cmd, result)

    def relevant(self, change: Change) -> bool:
        if change.kind == "catalog" and not self.window:  # --window omitted: the hall file says
            cfg = self.state.devices.get(self.device)
            self.window = cfg.window if cfg else ""
        if change.kind == "window":
            if change.name != self.window:
                return False
            self._window_changed()
            return True
        if change.kind == "event":
            event = change.message
            if change.name == "case":  # any case of the hall: the 待领取 list may have changed
                self.ready_stale = True
                return True
            if getattr(event, "window", None) != self.window:
                return False
            if change.name == "evaluated":
                self.rating = Rating(event.ticket, self._number_of(event.ticket), event.level, event.label, event.at)
            return change.name in ("evaluated", "summon")
        return change.kind in ("catalog", "queues", "presence")

    def _window_changed(self) -> None:
        cur = self.current
        tid = cur.id if cur else ""
        if tid and tid != self._checked_for:  # a new ticket: a fresh checklist (kept after the outcome)
            self._checked_for, self.checked = tid, set()
        if cur is not None:
            self.last_served = None
        # the pending evaluation cleared without an event seen (reconnect): the rating arrived
        ev = self.evaluation
        before = self._evaluation_seen
        if before and (ev is None or ev.ticket != before.ticket) and (
                self.rating is None or self.rating.ticket != before.ticket):
            self.rating = Rating(before.ticket, before.number, None, "", self.clock())
        self._evaluation_seen = ev

    def _number_of(self, ticket_id: str) -> str:
        before = self._evaluation_seen
        if before is not None and before.ticket == ticket_id:
            return before.number
        return ticket_id.rsplit("-", 1)[-1]

    # ------------------------------------------------------------ checklist

    def toggle_material(self, material: str, on: bool) -> None:
        (self.checked.add if on else self.checked.discard)(material)
        self.changed()


def _with_reason(outcome: str, args: dict[str, Any], reason: str, note: str) -> dict[str, Any]:
    """An outcome's args with its reason and note (trimmed, left out when empty); 不予受理 needs a reason."""
    if outcome == "rejected" and not reason.strip():
        raise NotAllowed(tr("不予受理需要选择原因"))
    for key, value in (("reason", reason.strip()), ("note", note.strip())):
        if value:
            args[key] = value
    return args
