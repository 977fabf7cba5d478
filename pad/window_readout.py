"""What the window staff pad shows (窗口人员): the window as the hub sees it, in words. No Qt.

:class:`WindowReadout` reads this pad's window from the hub's retained state
(``state/window/<id>``, typed by the mirror) and the hall file, and says it for the screen:
the current ticket's lines and badges, the queues' counts, today's outcomes, the evaluation
and the latest 呼叫后台. It sends nothing: what the staff can do is :class:`pad.staff.StaffPad`,
built on this.
"""

from __future__ import annotations

from dataclasses import dataclass

from hallq import clock as hallclock
from hallq.i18n import tr
from hallq.messages import PendingEvaluation, StaffRef, SummonView, TicketView, WindowState
from pad.presenter import Clock, Presenter, minutes
from pad.state import HallState

OUTCOMES = ("accepted", "consulted", "rejected", "passed")
OUTCOME_LABELS = {"accepted": "受理", "consulted": "咨询", "rejected": "不予受理", "passed": "过号", "called": "已叫号"}
SUMMON_STATES = {"pending": "待响应", "escalated": "待响应", "responded": "已响应", "arrived": "已到窗口"}
CHANNEL_LABELS = {"kiosk": "自助取号", "appointment": "预约", "guide": "引导台帮办", "window": "窗口"}


@dataclass(frozen=True)
class Rating:
    """The last rating of this window (from ``event/evaluated``, or seen cleared after a reconnect)."""

    ticket: str
    number: str
    level: int | None  # None: the pending evaluation cleared without the event (reconnect)
    label: str
    at: float


@dataclass(frozen=True)
class SentSummon:
    """A 呼叫后台 this pad sent and the hub confirmed (shown where the hub's state has no summons)."""

    department: str
    at: float
    ticket: str  # the number being served then ("" when none)


class WindowReadout(Presenter):
    """This pad's window in words; the session state the screens read (last served, the rating)."""

    def __init__(self, state: HallState, device: str, window: str, clock: Clock = hallclock.now) -> None:
        super().__init__(state, device, clock)
        self.window = window
        self.last_served: TicketView | None = None  # for notices printed after the outcome
        self.rating: Rating | None = None  # the last rating that arrived
        self.summons: list[SentSummon] = []  # 呼叫后台 this pad sent and the hub recorded, newest first
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
    def evaluation(self) -> PendingEvaluation | None:
        ws = self.window_state
        return ws.evaluation if ws else None

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
        if ev is not None and (self.rating is None or self.rating.ticket != ev.ticket):
            waited = self.clock() - (ev.invited_at or self.clock())
            return tr("已邀请 {n} 评价，等待中（{s}）", n=ev.number, s=minutes(waited))
        if self.rating is not None:
            label = tr(self.rating.label) if self.rating.label else tr("已完成")
            return tr("{n} 评价已收到：{label}", n=self.rating.number, label=label)
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
        ago = minutes(self.clock() - s.at)
        return tr("已呼叫后台 {d}（{t}前）", d=s.department, t=ago)

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
