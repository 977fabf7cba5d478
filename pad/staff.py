"""The window staff pad (窗口人员): log in, call, serve, record the outcome. No Qt.

The pad shows the hub's retained window state (``state/window/<id>``) and sends commands
for its own window only (the hub refuses anything else; this presenter never offers it).
What is enabled when is decided here, from the window state, the connection and the
command in flight, so tests can check it without a screen:

=================  ==================================================================
action             enabled when (always also: online and no command in flight)
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
=================  ==================================================================
"""

from __future__ import annotations

from typing import Any

from hallq import clock as hallclock
from hallq.i18n import tr
from hallq.messages import PendingEvaluation, StaffRef, SummonView, TicketView, WindowState
from pad.guide import ticket_of
from pad.presenter import Clock, Command, NotAllowed, Presenter, minutes
from pad.state import Change, HallState

OUTCOMES = ("accepted", "consulted", "rejected", "passed")
OUTCOME_LABELS = {"accepted": "受理", "consulted": "咨询", "rejected": "不予受理", "passed": "过号", "called": "已叫号"}
PAUSE_REASONS = ("休息", "会议", "培训", "业务咨询", "系统故障", "其他")
REJECT_REASONS = ("材料不齐全", "不符合法定形式", "不属于受理范围", "申请人不符合条件", "其他")
SUMMON_STATES = {"pending": "待响应", "escalated": "待响应", "responded": "已响应", "arrived": "已到窗口"}
CHANNEL_LABELS = {"kiosk": "自助取号", "appointment": "预约", "guide": "引导台帮办", "window": "窗口"}
ACTIONS = ("login", "call_next", "call", "recall", "outcome", "transfer", "pause", "resume", "summon", "logout",
           "handover", "print", "backfill")
BACKFILL_OUTCOMES = ("accepted", "consulted", "rejected")  # 补录: what was done for the walk-in


class StaffPad(Presenter):
    def __init__(self, state: HallState, device: str, window: str, clock: Clock = hallclock.now) -> None:
        super().__init__(state, device, clock)
        self.window = window
        self.handover = False  # AB岗: the login page while the window is open
        self.last_served: TicketView | None = None  # for notices printed after the outcome
        self.rating: dict[str, Any] | None = None  # the last rating that arrived
        self.summons: list[dict[str, Any]] = []  # 呼叫后台 recorded by the hub, newest first
        self.checked: set[str] = set()  # materials ticked on the checklist (current ticket)
        self._checked_for = ""
        self._evaluation_seen: PendingEvaluation | None = None

    # ------------------------------------------------------------ the window as the hub sees it

    @property
    def window_state(self) -> WindowState | None:
        return self.state.windows.get(self.window)

    @property
    def status(self) -> str:
        ws = self.window_state
        return ws.state if ws else "closed"

    @property
    def logged_in(self) -> bool:
        return self.status in ("open", "paused") and self.staff is not None

    @property
    def staff(self) -> StaffRef | None:
        ws = self.window_state
        return ws.staff if ws else None

    @property
    def current(self) -> TicketView | None:
        ws = self.window_state
        return ws.current if ws else None

    @property
    def page(self) -> str:
        return "serve" if self.logged_in and not self.handover else "login"

    @property
    def evaluation(self) -> PendingEvaluation | None:
        ws = self.window_state
        return ws.evaluation if ws else None

    # ------------------------------------------------------------ what is enabled

    def can(self, action: str) -> bool:
        if not self.idle:
            return False
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
        if outcome == "rejected" and not reason.strip():
            raise NotAllowed(tr("不予受理需要选择原因"))
        args: dict[str, Any] = {"window": self.window, "outcome": outcome}
        if reason.strip():
            args["reason"] = reason.strip()
        if note.strip():
            args["note"] = note.strip()
        return self._send("ticket.outcome", args, f"{tr(OUTCOME_LABELS[outcome])} {self._number()}")

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
        if outcome == "rejected" and not reason.strip():
            raise NotAllowed(tr("不予受理需要选择原因"))
        args: dict[str, Any] = {"window": self.window, "matter": matter, "situation": situation, "outcome": outcome}
        if reason.strip():
            args["reason"] = reason.strip()
        if note.strip():
            args["note"] = note.strip()
        m = self.state.matters.get(matter)
        name = m.name if m else matter
        return self._send("ticket.backfill", args, tr("补录 {m}（{o}）", m=name, o=tr(OUTCOME_LABELS[outcome])))

    def backfill_matters(self) -> list[tuple[str, str]]:
        """(id, name) of every matter, those this window's queues serve first."""
        served = set(self._served()[0]) | set(self._served()[1])
        matters = list(self.state.matters.items())
        own = [(mid, m.name) for mid, m in matters if any(s.queue in served for s in m.situations)]
        rest = [(mid, m.name) for mid, m in matters if (mid, m.name) not in own]
        return own + rest

    def _served(self) -> tuple[list[str], list[str]]:
        """(queues, overflow) this window serves now: its state's, else the hall file's."""
        ws, cfg = self.window_state, self.state.window_configs.get(self.window)
        queues = (ws.queues if ws else []) or (cfg.queues if cfg else [])
        overflow = (ws.overflow if ws else []) or (cfg.overflow if cfg else [])
        return list(queues), list(overflow)

    def situations(self, matter: str) -> list[tuple[str, str]]:
        m = self.state.matters.get(matter)
        return [(s.id, s.name or s.id) for s in (m.situations if m else [])]

    def _number(self) -> str:
        return self.current.number if self.current else ""

    # ------------------------------------------------------------ hub answers and events

    def confirmed(self, cmd: Command, result: dict[str, Any]) -> None:
        if cmd.op == "window.open":
            self.handover = False
        elif cmd.op in ("ticket.outcome", "ticket.backfill") and ticket_of(result) is not None:
            self.last_served = ticket_of(result)
        elif cmd.op == "window.summon":
            self.summons.insert(0, {"department": result.get("department", ""), "at": self.clock(),
                                    "ticket": self._number()})
        elif cmd.op in ("window.close", "ticket.transfer"):
            self.last_served = None

    def confirmation(self, cmd: Command, result: dict[str, Any]) -> str:
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
            if getattr(event, "window", None) != self.window:
                return False
            if change.name == "evaluated":
                self.rating = {"ticket": event.ticket, "number": self._number_of(event.ticket),
                               "level": event.level, "label": event.label, "at": event.at}
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
                self.rating is None or self.rating.get("ticket") != before.ticket):
            self.rating = {"ticket": before.ticket, "number": before.number, "level": None,
                           "label": "", "at": self.clock()}
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

    # ------------------------------------------------------------ what the screen shows

    def title(self) -> str:
        return f"{self.window} {self.state.window_name(self.window)}"

    def status_text(self) -> str:
        ws = self.window_state
        if ws is None:
            return tr("等待窗口状态…")
        labels = {"open": tr("服务中"), "paused": tr("已暂停"), "closed": tr("未登录")}
        text = labels.get(self.status, self.status)
        if self.status == "paused" and ws.reason:
            text += f"（{tr(ws.reason)}）"
        return text

    def staff_text(self) -> str:
        s = self.staff
        return f"{s.name} ({s.id})" if s else ""

    def ticket_lines(self) -> dict[str, str]:
        """The current ticket, as label → value for the serving panel."""
        cur = self.current
        if cur is None:
            return {}
        now = self.clock()
        issued = cur.issued_at or now
        called = cur.called_at or now
        lines = {
            tr("事项"): cur.matter_name,
            tr("情形"): cur.situation_name,
            tr("队列"): cur.queue_name,
            tr("等候"): minutes(called - issued),
            tr("已叫"): minutes(now - called),
            tr("申请人"): cur.applicant or tr("（未登记）"),
        }
        if cur.id_masked:
            lines[tr("证件")] = cur.id_masked
        lines[tr("取号方式")] = tr(CHANNEL_LABELS.get(cur.channel, cur.channel))
        return lines

    def badges(self) -> list[str]:
        cur = self.current
        out: list[str] = []
        if cur is None:
            return out
        if cur.priority_group:
            group = self.state.group_name(cur.priority_group)
            out.append(tr("绿色通道：{g}", g=group) + ("" if cur.priority_verified else tr("（未核验）")))
        if cur.appointment:
            out.append(tr("预约"))
        if cur.recalls:
            out.append(tr("已重呼 {n}/{m} 次", n=cur.recalls, m=self.state.recall_limit))
        if cur.retakes:
            out.append(tr("过号重取"))
        return out

    def recall_text(self) -> str:
        cur = self.current
        return tr("重呼 {n}/{m}", n=cur.recalls if cur else 0, m=self.state.recall_limit)

    def queue_counts(self) -> list[tuple[str, str, int]]:
        """(queue id, name, waiting) for the queues this window serves now, then direct transfers."""
        ws = self.window_state
        queues, overflow = self._served()
        out = [(q, self.state.queue_name(q), self.state.waiting(q)) for q in dict.fromkeys(queues + overflow)]
        if ws is not None and ws.direct_waiting:
            out.append(("", tr("转本窗口"), ws.direct_waiting))
        return out

    def upcoming(self) -> list[str]:
        """The heads of this window's stage-1 queues (a hint, the hub decides the order)."""
        out: list[str] = []
        for q in self._served()[0]:
            summary = self.state.queue_state.get(q)
            out += summary.next[:2] if summary else []
        return out[:4]

    def outcome_counts(self) -> list[tuple[str, int]]:
        counts = self.window_state.counts if self.window_state else {}
        return [(tr(OUTCOME_LABELS[k]), counts.get(k, 0)) for k in ("called", *OUTCOMES)]

    def evaluation_text(self) -> str:
        ev = self.evaluation
        if ev is not None and (self.rating is None or self.rating.get("ticket") != ev.ticket):
            waited = self.clock() - (ev.invited_at or self.clock())
            return tr("已邀请 {n} 评价，等待中（{s}）", n=ev.number, s=minutes(waited))
        if self.rating is not None:
            label = tr(str(self.rating.get("label") or "")) or tr("已完成")
            return tr("{n} 评价已收到：{label}", n=self.rating.get("number", ""), label=label)
        return ""

    def summon_text(self) -> str:
        """The latest 呼叫后台 and where it stands (待响应 / 已响应 / 已到窗口, from the hub), with the wait."""
        hub = self._summons()
        if hub:
            sm = hub[0]  # newest first
            state, dep = sm.state, sm.department
            if state in ("responded", "arrived"):
                took = minutes(sm.wait_s or 0)
                return tr("呼叫后台 {d}：{s}（响应用时 {t}）", d=dep, s=tr(SUMMON_STATES[state]), t=took)
            waited = minutes(self.clock() - (sm.at or self.clock()))
            return tr("呼叫后台 {d}：待响应（已等 {t}）", d=dep, t=waited)
        if not self.summons:
            return ""
        s = self.summons[0]  # a hub without summon states: what this pad sent
        ago = minutes(self.clock() - float(s["at"]))
        return tr("已呼叫后台 {d}（{t}前）", d=s["department"], t=ago)

    @property
    def summon_state(self) -> str:
        """The latest summon's state from the hub ("" when none): pending, escalated, responded, arrived."""
        hub = self._summons()
        return hub[0].state if hub else ""

    def _summons(self) -> list[SummonView]:
        return self.window_state.summons if self.window_state else []

    def transfer_targets(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(queues, windows) a ticket may go to: every queue; every other window."""
        queues = [(q, f"{q} {cfg.name}") for q, cfg in self.state.queues.items()]
        windows = [(w, f"{w} {cfg.name}") for w, cfg in self.state.window_configs.items() if w != self.window]
        return queues, windows

    def summon_department(self) -> str:
        """Who 呼叫后台 reaches: the current matter's department, else the window's own."""
        cur = self.current
        matter = self.state.matters.get(cur.matter) if cur else None
        if matter is not None and matter.department:
            return matter.department
        cfg = self.state.window_configs.get(self.window)
        return cfg.department if cfg else ""

    # ------------------------------------------------------------ printing

    @property
    def printer_configured(self) -> bool:
        return self.state.printer_table(self.device)[1] is not None

    @property
    def print_subject(self) -> TicketView | None:
        return self.current or self.last_served
