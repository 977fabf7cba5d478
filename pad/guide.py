"""The guide console (引导台): the hall at a glance, alerts, and audited overrides. No Qt.

A guide sees every queue, window and device from the hub's retained state, plus the
waiting tickets from the ``tickets.list`` query (refreshed when the queues change). Every
override needs a reason; the hub records the device and the time of each command, and
the console keeps its own log of who did what and why (:attr:`GuideConsole.audit`),
because not every op has a reason field on the wire (see docs/pad.md).

Alert rules (:func:`alerts`) take the time from the caller, so tests pin it:

* a queue whose oldest ticket waited ``long_wait_s`` or more;
* a window paused for ``paused_s`` or more;
* a kiosk whose printer is out of paper (error) or near its end (warning), or reports a fault;
* a device offline (kiosks, displays; pads of open windows);
* a green-channel (绿色通道) ticket still waiting for verification;
* a 呼叫后台 nobody answered within ``[policy] summon_escalate_min`` (the hub escalates it).

呼叫后台 (R11): every window's summons come with its retained state; the console lists the
open ones (:meth:`GuideConsole.summon_rows`) with the wait, counts the new and escalated ones
in :attr:`GuideConsole.chimes` (the view sounds a chime for each) and sends 已响应
(``summon.respond``) and 已到窗口 (``summon.arrive``), which the window's pad then shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import msgspec

from hallq import clock as hallclock
from hallq.i18n import tr
from hallq.messages import DeviceStatus, SummonView, TicketView
from pad.presenter import Clock, Command, NotAllowed, Presenter, minutes
from pad.state import HUB_DEVICE, Change, HallState

log = logging.getLogger("pad.guide")

WINDOW_STATES = {"open": "开放", "paused": "已暂停", "closed": "已关闭"}
PAPER = {"ok": "纸张正常", "near_end": "纸将用完", "out": "缺纸", "unknown": "纸张未知"}
ROLE_WORDS = {"kiosk": "自助取号机", "pad": "窗口终端", "guide": "引导台", "display": "显示屏", "evaluator": "评价器",
              "admin": "管理终端", "hub": "大厅服务器"}
PRINTER_FAULTS = {"offline": "打印机离线", "cover_open": "打印机盖未关", "device_missing": "打印机未连接",
                  "unreachable": "打印机无法连接", "status_timeout": "打印机无响应", "bad_reply": "打印机应答异常",
                  "write_failed": "打印数据发送失败", "printer_error": "打印机故障"}


def role_words(role: str) -> str:
    """A device kind in words (never kiosk/pad/hub on a screen)."""
    return tr(ROLE_WORDS.get(role, "其他设备"))


def fault_words(code: str) -> str:
    return tr(PRINTER_FAULTS.get(code, "打印机故障"))
CANCEL_REASONS = ("申请人已离开", "重复取号", "取错事项", "其他")
OVERRIDE_REASONS = ("绿色通道", "现场引导", "窗口调整", "申请人要求", "其他")
SUMMON_STATES = {"pending": "待响应", "escalated": "超时未响应", "responded": "已响应", "arrived": "已到窗口"}
SUMMON_OPEN = ("pending", "escalated", "responded")


@dataclass(frozen=True)
class Thresholds:
    long_wait_s: float = 30 * 60
    paused_s: float = 15 * 60


@dataclass(frozen=True)
class Alert:
    level: str  # "error" | "warning"
    kind: str  # long_wait, paused, paper, printer, offline, priority
    subject: str  # queue, window, device or ticket id
    text: str


def paper_of(status: DeviceStatus | None) -> tuple[str, str]:
    """(paper, fault code) from a device's retained status (its ``printer`` table)."""
    printer = status.printer if status is not None and isinstance(status.printer, dict) else {}
    paper = str(printer.get("paper") or "")
    error = printer.get("error")
    code = str(error.get("code", "")) if isinstance(error, dict) else str(error or printer.get("code") or "")
    return paper, code


def summons_of(state: HallState) -> list[SummonView]:
    """Today's summons of every window, from the windows' retained state."""
    return [sm for w in state.windows.values() for sm in w.summons if sm.id]


def alerts(state: HallState, now: float, pending_priority: dict[str, TicketView],
           th: Thresholds = Thresholds()) -> list[Alert]:
    out: list[Alert] = []
    for qid, q in state.queue_state.items():
        oldest = q.oldest_issued_at
        if q.waiting and oldest is not None and now - oldest >= th.long_wait_s:
            out.append(Alert("warning", "long_wait", qid, tr("{q} {name} 最长已等 {t}（{n} 人等候）", q=qid,
                                                              name=state.queue_name(qid), t=minutes(now - oldest),
                                                              n=q.waiting)))
    for wid, w in sorted(state.windows.items()):
        since = w.since or now
        if w.state == "paused" and now - since >= th.paused_s:
            out.append(Alert("warning", "paused", wid, tr("窗口 {w} 已暂停 {t}（{r}）", w=wid,
                                                          t=minutes(now - since), r=tr(w.reason))))
    devices = state.devices
    for dev, cfg in sorted(devices.items()):
        role = cfg.role
        pres = state.presence.get(dev)
        if role == "kiosk":
            paper, code = paper_of(state.status.get(dev))
            if paper == "out":
                out.append(Alert("error", "paper", dev, tr("自助机 {d} 打印机缺纸", d=dev)))
            elif paper == "near_end":
                out.append(Alert("warning", "paper", dev, tr("自助机 {d} 纸卷即将用完", d=dev)))
            elif code and code not in ("paper_out", "paper_near_end"):
                out.append(Alert("error", "printer", dev, tr("自助机 {d} 打印机故障：{c}", d=dev, c=fault_words(code))))
        pad_window = state.windows.get(cfg.window)
        watched = role in ("kiosk", "display") or (
            role == "pad" and pad_window is not None and pad_window.state in ("open", "paused"))
        if watched and pres is not None and not pres.online:
            out.append(Alert("warning", "offline", dev, tr("设备 {d} 离线", d=dev)))
    for sm in sorted(summons_of(state), key=lambda x: x.at):
        if sm.state == "escalated":
            out.append(Alert("error", "summon", sm.id, tr(
                "呼叫后台超时未响应：{w} 呼叫{d}，已等 {t}", w=sm.window, d=sm.department,
                t=minutes(now - (sm.at or now)))))
    for t in sorted(pending_priority.values(), key=lambda t: t.issued_at):
        out.append(Alert("error", "priority", t.id, tr("绿色通道待核验：{n}（{g}）已等 {t}", n=t.number,
                                                       g=state.group_name(t.priority_group),
                                                       t=minutes(now - (t.issued_at or now)))))
    return sorted(out, key=lambda a: a.level != "error")


class GuideConsole(Presenter):
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
        self.needs_refresh = True
        self.followups: list[dict[str, Any]] = []  # 差评/未评价 of recent days (followups.list)
        self.selected_followup = ""
        self.selected_summon = ""
        self.chimes = 0  # summons that asked for attention (new or escalated): the view sounds each
        self._heard: set[tuple[str, str]] = set()  # (summon, state) already chimed for

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
        return alerts(self.state, self.clock(), self.pending_priority, self.thresholds)

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

    def respond_summon(self, summon_id: str) -> Command:
        """已响应: the back office has been reached and someone is coming."""
        return self._answer_summon("summon.respond", summon_id, tr("已响应"))

    def arrive_summon(self, summon_id: str) -> Command:
        """已到窗口: the back-office person is at the window."""
        return self._answer_summon("summon.arrive", summon_id, tr("已到窗口"))

    def _answer_summon(self, op: str, summon_id: str, what: str) -> Command:
        row = next((r for r in self.summon_rows() if r["id"] == summon_id), None)
        if row is None:
            raise NotAllowed(tr("请先选择一条呼叫"))
        return self._send(op, {"summon": summon_id}, tr("{w} 呼叫{d}：{what}", w=row["window"],
                                                        d=row["department"], what=what))

    def _listen_summons(self) -> None:
        """Chime once per summon that is new (待响应) or escalated, as the windows' state shows it."""
        for sm in summons_of(self.state):
            key = (sm.id, sm.state)
            if key[1] in ("pending", "escalated") and key not in self._heard:
                self._heard.add(key)
                self.chimes += 1

    def matters_for_issue(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """(matter id, name, [(situation id, name)]) of situations that take a window ticket."""
        out = []
        for mid, m in self.state.matters.items():
            sits = [(s.id, s.name) for s in m.situations if s.queue and not s.online and not s.consult_only]
            if sits:
                out.append((mid, m.name, sits))
        return out

    # ------------------------------------------------------------ queries

    def refresh(self) -> Command:
        """Re-read the waiting tickets (a query: safe to send any time we are online)."""
        if not self.online:
            raise NotAllowed("offline")
        self.needs_refresh = False
        return Command("tickets.list", {"state": "waiting"}, tr("刷新"))

    def listed(self, result: dict[str, Any] | None, code: str = "") -> None:
        if code in ("unknown_op", "bad_args", "forbidden"):
            self.tickets_supported = False
        elif result is not None:
            self.tickets_supported = True
            self.tickets = tickets_of(result)
            self.tickets.sort(key=lambda t: (t.queue, t.ahead or 0, t.issued_at))
        self.changed()

    # ------------------------------------------------------------ overrides (each with a reason)

    # ------------------------------------------------------------ who is at this console

    def login(self, staff: str, pin: str) -> Command:
        """签到: the hub then records this guide with every override from this console."""
        if not staff.strip() or not pin.strip():
            raise NotAllowed(tr("请输入工号和密码"))
        return self._send("guide.login", {"staff": staff.strip(), "pin": pin.strip()}, tr("签到"))

    def logout(self) -> Command:
        return self._send("guide.logout", {}, tr("签退"))

    def _override(self, op: str, args: dict[str, Any], label: str, reason: str) -> Command:
        if not reason.strip():
            raise NotAllowed(tr("请填写原因"))
        if "reason" not in args and "note" not in args:
            args = {**args, "reason": reason.strip()}  # the hub records it with the override (audit.override)
        cmd = self._send(op, args, label)
        self.audit.insert(0, {"at": self.clock(), "by": self.operator or self.device, "what": label,
                              "reason": reason.strip(), "rid": cmd.rid, "ok": None})
        return cmd

    def verify_priority(self, ticket: str, reason: str, group: str = "") -> Command:
        args: dict[str, Any] = {"ticket": ticket}
        if group:
            args["group"] = group
        return self._override("ticket.verify_priority", args, tr("核验绿色通道 {t}", t=_num(ticket)), reason)

    def move(self, ticket: str, reason: str, *, to_queue: str = "", to_window: str = "") -> Command:
        if bool(to_queue) == bool(to_window):
            raise NotAllowed(tr("请选择一个目标队列或窗口"))
        args: dict[str, Any] = {"ticket": ticket, "note": reason.strip()}
        args["to_queue" if to_queue else "to_window"] = to_queue or to_window
        target = self.state.queue_name(to_queue) if to_queue else to_window
        return self._override("ticket.transfer", args, tr("转移 {t} → {x}", t=_num(ticket), x=target), reason)

    def call_to(self, ticket: str, window: str, reason: str) -> Command:
        return self._override("ticket.call", {"window": window, "ticket": ticket},
                              tr("指定叫号 {t} → {w}", t=_num(ticket), w=window), reason)

    def cancel(self, ticket: str, reason: str) -> Command:
        return self._override("ticket.cancel", {"ticket": ticket, "reason": reason.strip()},
                              tr("取消 {t}", t=_num(ticket)), reason)

    def reprint(self, ticket: str, kiosk: str, reason: str) -> Command:
        return self._override("ticket.reprint", {"ticket": ticket, "device": kiosk},
                              tr("补打 {t} @ {k}", t=_num(ticket), k=kiosk), reason)

    def issue(self, matter: str, situation: str, reason: str, *, priority_group: str = "", name: str = "",
              assist: bool = False, target_window: str = "") -> Command:
        args: dict[str, Any] = {"matter": matter, "situation": situation, "channel": "guide"}
        for key, value in (("priority_group", priority_group), ("name", name.strip()),
                           ("target_window", target_window)):
            if value:
                args[key] = value
        if assist:
            args["assist"] = True
        m = self.state.matters.get(matter)
        return self._override("ticket.issue", args, tr("帮办取号：{m}", m=m.name if m else matter), reason)

    def set_queues(self, window: str, queues: list[str], overflow: list[str], reason: str) -> Command:
        if not queues:
            raise NotAllowed(tr("窗口至少要服务一个队列"))
        return self._override("window.set_queues", {"window": window, "queues": queues, "overflow": overflow,
                                                    "reason": reason.strip()},
                              tr("调整窗口 {w} 队列：{q}", w=window, q="/".join(queues)), reason)

    def restore_queues(self, window: str, reason: str) -> Command:
        """Back to the hall file's assignment (ends a tidal opening)."""
        cfg = self.state.window_configs.get(window)
        return self._override("window.set_queues", {"window": window, "queues": list(cfg.queues if cfg else []),
                                                    "overflow": list(cfg.overflow if cfg else []),
                                                    "reason": reason.strip()},
                              tr("恢复窗口 {w} 默认队列", w=window), reason)

    def pause_window(self, window: str, reason: str) -> Command:
        return self._override("window.pause", {"window": window, "reason": reason.strip()},
                              tr("暂停窗口 {w}", w=window), reason)

    def resume_window(self, window: str, reason: str) -> Command:
        return self._override("window.resume", {"window": window}, tr("恢复窗口 {w}", w=window), reason)

    def close_window(self, window: str, reason: str) -> Command:
        return self._override("window.close", {"window": window}, tr("关闭窗口 {w}", w=window), reason)

    # ------------------------------------------------------------ 回访/整改

    def load_followups(self, days: int = 10) -> Command:
        """差评 and 未评价 services of the last ``days`` days, with what has been recorded for them."""
        return self._send("followups.list", {"days": days}, tr("读取回访清单"))

    def followup_rows(self) -> list[dict[str, Any]]:
        rows = []
        for f in self.followups:
            done = f.get("followup") or None
            rows.append({"id": f["ticket"], "day": str(f["day"])[5:], "number": f["number"], "window": f["window"],
                         "staff": f["staff"], "matter": f.get("matter_name") or f["matter"],
                         "level": tr(str(f.get("label") or "")), "reason": tr(str(f.get("reason") or "")),
                         "status": f"{tr(done['label'])}：{done['note']}" if done else tr("待回访"),
                         "open": not done})
        return rows

    def record_followup(self, ticket: str, result: str, note: str, level: int = 0) -> Command:
        if not ticket:
            raise NotAllowed(tr("请先选择一条差评或未评价"))
        if not note.strip():
            raise NotAllowed(tr("请填写整改或回访情况"))
        args: dict[str, Any] = {"ticket": ticket, "result": result, "note": note.strip()}
        if result == "rated":
            if not 1 <= level <= 5:
                raise NotAllowed(tr("回访后已评价：请选择评价等级"))
            args["level"] = level
        number = next((f["number"] for f in self.followups if f["ticket"] == ticket), ticket)
        return self._override("evaluation.followup", args, tr("登记回访 {t}", t=number), note)

    def skip_evaluation(self, window: str, reason: str) -> Command:
        """The window's evaluator is stuck or the citizen has left: record 未评价 now."""
        w = self.state.windows.get(window)
        if w is None or w.evaluation is None:
            raise NotAllowed(tr("窗口 {w} 没有待评价的业务", w=window))
        if not reason.strip():
            raise NotAllowed(tr("请填写原因"))
        cmd = self._send("evaluation.skip", {"window": window}, tr("跳过评价 {w}", w=window))
        self.audit.insert(0, {"at": self.clock(), "by": self.operator or self.device, "what": cmd.label,
                              "reason": reason.strip(), "rid": cmd.rid, "ok": None})
        return cmd

    def expire_waiting(self, reason: str) -> Command:
        """闭厅清号: every ticket still waiting expires now (as at the hall file's expire_at)."""
        waiting = sum(q.waiting for q in self.state.queue_state.values())
        if not waiting:
            raise NotAllowed(tr("没有等候中的号"))
        return self._override("tickets.expire", {"reason": reason.strip()},
                              tr("清理剩余号（{n} 张）", n=waiting), reason)

    # ------------------------------------------------------------ answers and events

    def finished(self, cmd: Command, result: dict[str, Any] | None, code: str = "", message: str = "") -> None:
        for entry in self.audit:
            if entry["rid"] == cmd.rid:
                entry["ok"] = None if code == "timeout" else not code
        super().finished(cmd, result, code, message)

    def confirmed(self, cmd: Command, result: dict[str, Any]) -> None:
        if cmd.op == "guide.login":
            staff = result.get("staff") or {}
            self.operator = f"{staff.get('name', '')}（{staff.get('id', '')}）"
        elif cmd.op == "guide.logout":
            self.operator = ""
        ticket = ticket_of(result)
        if cmd.op == "ticket.verify_priority" and ticket is not None:
            self.priority_events.pop(ticket.id, None)
        if cmd.op in ("ticket.cancel", "ticket.call", "ticket.transfer", "ticket.verify_priority", "ticket.issue"):
            self.needs_refresh = True
        if cmd.op == "ticket.issue" and ticket is not None:
            self.selected_ticket = ticket.id
        if cmd.op == "followups.list":
            self.followups = [f for f in result.get("items", []) if isinstance(f, dict)]
        if cmd.op == "evaluation.followup":
            for f in self.followups:
                if f["ticket"] == result.get("ticket"):
                    f["followup"] = {"result": result.get("result"), "label": result.get("label", ""),
                                     "note": cmd.args.get("note", "")}

    def relevant(self, change: Change) -> bool:
        if change.kind == "window":
            self._listen_summons()
        if change.kind == "queues":
            self.needs_refresh = True
        elif change.kind == "event" and change.name == "priority" and change.message is not None:
            t = change.message.ticket
            if t.id and not t.priority_verified:
                self.priority_events[t.id] = t
                self.needs_refresh = True
        return change.kind != "event" or change.name in ("priority", "summon", "call")


def ticket_of(result: dict[str, Any]) -> TicketView | None:
    """The ticket in a reply's result, typed (``None`` if there is none, or it is malformed: logged)."""
    t = result.get("ticket")
    if not isinstance(t, dict):
        return None
    try:
        return msgspec.convert(t, TicketView)
    except msgspec.ValidationError as exc:
        log.warning("ignored a malformed ticket in a reply: %s", exc)
        return None


def tickets_of(result: dict[str, Any]) -> list[TicketView]:
    """The tickets of a ``tickets.list`` reply, typed; a malformed one is logged and left out."""
    out = []
    for i, t in enumerate(result.get("tickets") or []):
        try:
            out.append(msgspec.convert(t, TicketView))
        except msgspec.ValidationError as exc:
            log.warning("ignored a malformed ticket in tickets.list (at $.tickets[%d]): %s", i, exc)
    return out


def _num(ticket: str) -> str:
    return ticket.rsplit("-", 1)[-1]
