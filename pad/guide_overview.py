"""The guide console's read side (引导台): the hall at a glance, as rows for its tabs. No Qt.

:class:`GuideOverview` holds what the console has seen (the waiting tickets from the
``tickets.list`` query, green-channel tickets from ``event/priority``, the selections) and
turns the hub's retained state into the rows the tabs show: queues, windows, devices,
tickets, open 呼叫后台, alerts (:mod:`pad.alerts`). What a guide can *do* is
:class:`pad.guide.GuideConsole`, built on this.
"""

from __future__ import annotations

from typing import Any

import msgspec

from hallq import clock as hallclock
from hallq.i18n import tr
from hallq.messages import CaseView, FollowupItem, TicketView
from pad.alerts import Alert, Thresholds, alerts, fault_words, paper_of, summons_of
from pad.guide_cases import CASE_LISTS, case_alerts
from pad.guide_followup import PhoneReveal
from pad.presenter import Clock, Presenter, minutes
from pad.state import HUB_DEVICE, HallState

WINDOW_STATES = {"open": "开放", "paused": "已暂停", "closed": "已关闭"}
PAPER = {"ok": "纸张正常", "near_end": "纸将用完", "out": "缺纸", "unknown": "纸张未知"}
ROLE_WORDS = {"kiosk": "自助取号机", "pad": "窗口终端", "guide": "引导台", "display": "显示屏", "evaluator": "评价器",
              "admin": "管理终端", "hub": "大厅服务器"}

SUMMON_STATES = {"pending": "待响应", "escalated": "超时未响应", "responded": "已响应", "arrived": "已到窗口"}
SUMMON_OPEN = ("pending", "escalated", "responded")


def role_words(role: str) -> str:
    """A device kind in words (never kiosk/pad/hub on a screen)."""
    return tr(ROLE_WORDS.get(role, "其他设备"))


class GuideOverview(Presenter):
    """What the console's tabs show: the hall's rows, the alerts, the selections. No commands."""

    def __init__(self, state: HallState, device: str, clock: Clock = hallclock.now,
                 thresholds: Thresholds | None = None) -> None:
        super().__init__(state, device, clock)
        self._thresholds = thresholds  # None: the hall file's [policy] alert_wait_min / alert_pause_min
        self.tickets: list[TicketView] = []  # waiting tickets from tickets.list
        self.tickets_supported = True  # False if the hub has no tickets.list yet
        self.priority_events: dict[str, TicketView] = {}  # event/priority not yet seen verified
        self.selected_ticket = ""
        self.selected_window = ""
        self.audit: list[dict[str, Any]] = []  # who, when, what, why: this console's overrides
        self.operator = ""  # the guide on duty (name shown in the audit)
        self.needs_whoami = True  # who is signed in here is the hub's to say (start, reconnect, a refusal)
        self.who_known = False  # until the hub has said (guide.whoami), the screen says it is checking
        self._signings = 0  # 签到/签退 answered here: a whoami asked before one of them is out of date
        self._whoami_asked = 0
        self.needs_refresh = True
        self.followups: list[FollowupItem] = []  # 差评/未评价 of recent days (followups.list)
        self.reveal = PhoneReveal()  # the one phone number 显示电话 shows, for a minute (pad.guide_followup)
        self.selected_followup = ""
        self.selected_summon = ""
        self.chimes = 0  # summons that asked for attention (new or escalated): the view sounds each
        self._heard: set[tuple[str, str]] = set()  # (summon, state) already chimed for
        self.pickups: list[CaseView] = []  # cases.list to_sign: folders for 转递人员 (pad.guide_cases)
        self.stuck_cases: list[CaseView] = []  # cases.list stuck
        self.overdue_cases: list[CaseView] = []  # cases.list overdue
        self.cases_due = set(CASE_LISTS)  # case lists to read again (an event/case came, or never read)
        self.selected_case = ""

    @property
    def thresholds(self) -> Thresholds:
        if self._thresholds is not None:
            return self._thresholds
        policy = self.state.policy
        if policy is None:
            return Thresholds()
        return Thresholds(long_wait_s=policy.alert_wait_min * 60.0, paused_s=policy.alert_pause_min * 60.0)

    # ------------------------------------------------------------ selections

    @property
    def ticket(self) -> TicketView | None:
        return next((t for t in self.tickets if t.id == self.selected_ticket), None)

    def select_ticket(self, ticket_id: str) -> None:
        self.selected_ticket = ticket_id
        self.changed()

    def select_window(self, window_id: str) -> None:
        self.selected_window = window_id
        self.changed()

    @property
    def pending_priority(self) -> dict[str, TicketView]:
        """Green-channel tickets still waiting for a guide: from the list, else from events."""
        out = dict(self.priority_events.items())
        listed = {t.id for t in self.tickets}
        for t in self.tickets:
            if t.priority_group and not t.priority_verified and t.state == "waiting":
                out[t.id] = t
            elif t.id in out:
                del out[t.id]
        if self.tickets_supported and not self.needs_refresh:
            out = {k: v for k, v in out.items() if k in listed}
        return out

    # ------------------------------------------------------------ what the screens show

    def queue_rows(self) -> list[dict[str, Any]]:
        now = self.clock()
        rows = []
        for qid, cfg in self.state.queues.items():
            q = self.state.queue_state.get(qid)
            oldest = q.oldest_issued_at if q else None
            pending = sum(1 for t in self.pending_priority.values() if t.queue == qid)
            rows.append({
                "id": qid, "name": cfg.name, "waiting": q.waiting if q else 0,
                "priority": q.priority if q else 0,
                "pending_priority": q.pending_priority if q else pending,
                "longest": minutes(now - oldest) if oldest is not None else "-",
                "long": oldest is not None and now - oldest >= self.thresholds.long_wait_s,
                "next": " ".join(q.next[:5]) if q else "",
            })
        return rows

    def window_rows(self) -> list[dict[str, Any]]:
        now = self.clock()
        rows = []
        for wid, cfg in self.state.window_configs.items():
            w = self.state.windows.get(wid)
            state = w.state if w else "closed"
            since = (w.since if w else None) or now
            reason = w.reason if w else ""
            overflow = w.overflow if w else []
            rows.append({
                "id": wid, "name": cfg.name, "state": state,
                "state_text": tr(WINDOW_STATES.get(state, state)) + (f"（{tr(reason)}）" if reason else ""),
                "staff": w.staff.name if w and w.staff else "",
                "current": w.current.number if w and w.current else "",
                "queues": "/".join((w.queues if w else []) or cfg.queues) + (
                    " + " + "/".join(overflow) if overflow else ""),
                "since": minutes(now - since) if state != "closed" else "",
                "tidal": cfg.tidal,
                "long_pause": state == "paused" and now - since >= self.thresholds.paused_s,
            })
        return rows

    def device_rows(self) -> list[dict[str, Any]]:
        rows = []
        for dev, cfg in self.state.devices.items():
            pres = self.state.presence.get(dev)
            online = pres is not None and pres.online
            extra = ""
            if cfg.role == "kiosk" or dev in self.state.status:
                paper, code = paper_of(self.state.status.get(dev))
                extra = tr(PAPER.get(paper, paper)) if paper else ""
                if code and code not in ("paper_out", "paper_near_end"):
                    extra = (extra + " " if extra else "") + fault_words(code)
            place = cfg.window or cfg.zone
            rows.append({"id": dev, "role": role_words(cfg.role), "place": place, "online": online,
                         "seen": pres is not None,
                         "presence": tr("在线") if online else (tr("离线") if pres is not None else tr("未上线")),
                         "health": extra})
        hub = self.state.presence.get(HUB_DEVICE)
        rows.insert(0, {"id": HUB_DEVICE, "role": role_words("hub"), "place": "", "online": self.state.hub_online,
                        "seen": hub is not None, "presence": tr("在线") if self.state.hub_online else tr("离线"),
                        "health": ""})
        return rows

    def alerts(self) -> list[Alert]:
        found = alerts(self.state, self.clock(), self.pending_priority, self.thresholds)
        found += case_alerts(self.stuck_cases, self.overdue_cases)
        return sorted(found, key=lambda a: a.level != "error")

    def ticket_rows(self, search: str = "") -> list[dict[str, Any]]:
        """Waiting tickets; ``search`` keeps those whose number (or applicant) contains it (a012 → A012)."""
        now = self.clock()
        rows = []
        query = search.strip().upper()
        for t in self.tickets:
            if query and query not in t.number.upper() and query not in t.applicant:
                continue
            group = t.priority_group
            prio = ""
            if group:
                prio = self.state.group_name(group) + ("" if t.priority_verified else tr("（待核验）"))
            rows.append({
                "id": t.id, "number": t.number, "queue": t.queue,
                "matter": t.matter_name, "wait": minutes(now - (t.issued_at or now)),
                "ahead": "" if isinstance(t.ahead, msgspec.UnsetType) else t.ahead, "priority": prio,
                "pending": bool(group and not t.priority_verified),
                "target": t.target_window, "channel": t.channel,
                "applicant": t.applicant,
            })
        return rows

    def summon_rows(self) -> list[dict[str, Any]]:
        """Open 呼叫后台 of the hall, oldest first: window, department, state, wait."""
        now = self.clock()
        rows = []
        for sm in sorted(summons_of(self.state), key=lambda x: x.at):
            state = sm.state
            if state not in SUMMON_OPEN:
                continue
            waited = sm.wait_s if state == "responded" else now - (sm.at or now)
            wait = minutes(waited)
            rows.append({"id": sm.id, "window": sm.window, "department": sm.department,
                         "state": state, "state_text": tr(SUMMON_STATES.get(state, state)),
                         "wait": tr("响应用时 {t}", t=wait) if state == "responded" else tr("已等 {t}", t=wait),
                         "ticket": sm.number, "note": sm.note,
                         "escalated": state == "escalated"})
        return rows

    @property
    def summon(self) -> dict[str, Any] | None:
        return next((r for r in self.summon_rows() if r["id"] == self.selected_summon), None)

    def select_summon(self, summon_id: str) -> None:
        self.selected_summon = summon_id
        self.changed()

    def matters_for_issue(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """(matter id, name, [(situation id, name)]) of situations that take a window ticket."""
        out = []
        for mid, m in self.state.matters.items():
            sits = [(s.id, s.name) for s in m.situations if s.queue and not s.online and not s.consult_only]
            if sits:
                out.append((mid, m.name, sits))
        return out
