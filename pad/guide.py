"""The guide console (引导台): the hall at a glance, alerts, and audited overrides. No Qt.

A guide sees every queue, window and device from the hub's retained state, plus the
waiting tickets from the ``tickets.list`` query (refreshed when the queues change): that read
side, the rows the tabs show, is :class:`pad.guide_overview.GuideOverview`; the alert rules
are :mod:`pad.alerts`. This module is what a guide does: queries, overrides, 回访, 签到. Every
override needs a reason; the hub records the device and the time of each command, and
the console keeps its own log of who did what and why (:attr:`GuideConsole.audit`),
because not every op has a reason field on the wire (see docs/pad.md).

签到: the sign-in is the hub's, not the screen's (as a back office's, pad/backoffice.py): a console that
starts (a restarted guide console) or reconnects asks ``guide.whoami`` and shows the guide still signed in
there without a PIN, or 未签到 when the sign-in has ended (签退, the hub's new day, the guide signed in at
another console); it asks again every few minutes and after a ``not_signed_in`` refusal.

呼叫后台 (R11): every window's summons come with its retained state; the console lists the
open ones (:meth:`GuideConsole.summon_rows`) with the wait, counts the new and escalated ones
in :attr:`GuideConsole.chimes` (the view sounds a chime for each) and sends 已响应
(``summon.respond``) and 已到窗口 (``summon.arrive``), which the window's pad then shows.
"""

from __future__ import annotations

from typing import Any

from hallq import clock as hallclock
from hallq.i18n import tr
from hallq.messages import FollowupPhoneShown, FollowupRecord
from pad.alerts import summons_of
from pad.guide_cases import CASE_LISTS, cases_of
from pad.guide_followup import CALL_OUTCOMES, is_open
from pad.guide_overview import GuideOverview
from pad.presenter import Command, NotAllowed
from pad.replies import followup_recorded_of, followups_of, staff_of, ticket_of, tickets_of, typed
from pad.state import HUB_DEVICE, Change

OVERRIDE_REASONS = ("绿色通道", "现场引导", "窗口调整", "申请人要求", "其他")


class GuideConsole(GuideOverview):
    """The guide console: the overview plus what a guide does (every override with a reason)."""

    # ------------------------------------------------------------ 呼叫后台

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

    # ------------------------------------------------------------ 转递取件 and the case alerts (pad.guide_cases)

    def pick_up(self, ref: str = "") -> Command:
        """转递取件: the folder scanned (or chosen) leaves the window for its department."""
        ref = ref.strip() or self.selected_case
        if not ref:
            raise NotAllowed(tr("请扫描转递单或选择办件"))
        c = next((x for x in self.pickups if ref in (x.id, x.number)), None)
        return self._send("case.pick_up", {"case": ref}, tr("转递取件 {c}", c=(c.number or c.id) if c else ref))

    def select_case(self, case_id: str) -> None:
        self.selected_case = case_id
        self.changed()

    def list_cases(self, view: str) -> Command:
        """``cases.list`` of the hall (a query, sent by the view's poller)."""
        self.cases_due.discard(view)
        return Command("cases.list", {"view": view}, tr("刷新"))

    def cases_listed(self, view: str, result: dict[str, Any] | None, code: str = "") -> None:
        if result is None or code:
            return
        found = cases_of(result)
        if view == "to_sign":
            self.pickups = found
        elif view == "stuck":
            self.stuck_cases = found
        elif view == "overdue":
            self.overdue_cases = found
        self.changed()

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

    # ------------------------------------------------------------ who is at this console

    def login(self, staff: str, pin: str) -> Command:
        """签到: the hub then records this guide with every override from this console."""
        if not staff.strip() or not pin.strip():
            raise NotAllowed(tr("请输入工号和密码"))
        return self._send("guide.login", {"staff": staff.strip(), "pin": pin.strip()}, tr("签到"))

    def logout(self) -> Command:
        return self._send("guide.logout", {}, tr("签退"))

    def whoami(self) -> Command:
        """``guide.whoami``: who the hub has signed in at this console (a query; the view's poller sends it
        when the console starts or reconnects, every few minutes, and after a ``not_signed_in`` refusal)."""
        self.needs_whoami = False
        self._whoami_asked = self._signings
        return Command("guide.whoami", {}, tr("签到"))

    def whoami_read(self, result: dict[str, Any] | None, code: str = "") -> None:
        """The hub's answer: the guide signed in here (shown without a PIN), or nobody (the 签到 button)."""
        if code in ("unknown_op", "forbidden"):  # an older hub: the console signs in as before
            self.who_known = True
            self.changed()
            return
        if result is None or code:
            self.needs_whoami = True
            return
        if self._whoami_asked != self._signings or (self.pending is not None
                                                    and self.pending.op.startswith("guide.log")):
            return  # a 签到/签退 here crossed the question: its own answer says who
        staff = staff_of(result) if result.get("staff") is not None else None
        self.operator = f"{staff.name}（{staff.id}）" if staff else ""
        self.who_known = True
        self.changed()

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
            done = f.followup
            status = tr(done.label) + (f"：{done.note}" if done.note else "") if done else tr("待回访")
            when = hallclock.local(f.served_at, self.state.timezone).strftime("%m-%d %H:%M") if f.served_at \
                else f.day[5:]
            rows.append({"id": f.ticket, "day": when, "number": f.number, "window": f.window,
                         "staff": f.staff, "matter": f.matter_name or f.matter,
                         "level": tr(f.label), "reason": tr(f.reason), "status": status,
                         "phone": tr("可显示") if f.consent else tr("未同意"), "open": is_open(f)})
        return rows

    def show_phone(self, ticket: str) -> Command:
        """显示电话: ask the hub for a consenting citizen's number (the hub records the reveal)."""
        item = next((f for f in self.followups if f.ticket == ticket), None)
        if item is None or not item.consent:
            raise NotAllowed(tr("请先选择一条同意接收通知的差评或未评价"))
        cmd = self._send("followup.phone", {"ticket": ticket}, tr("显示电话 {t}", t=item.number))
        self.audit.insert(0, {"at": self.clock(), "by": self.operator or self.device, "what": cmd.label,
                              "reason": tr("回访"), "rid": cmd.rid, "ok": None})
        return cmd

    def phone_text(self) -> str:
        """The chosen service's phone as the tab says it (the number only while it is shown)."""
        chosen = next((f for f in self.followups if f.ticket == self.selected_followup), None)
        return self.reveal.text(chosen, self.clock())

    def record_followup(self, ticket: str, result: str, note: str, level: int = 0) -> Command:
        if not ticket:
            raise NotAllowed(tr("请先选择一条差评或未评价"))
        if not note.strip() and result not in dict(CALL_OUTCOMES):
            raise NotAllowed(tr("请填写整改或回访情况"))
        args: dict[str, Any] = {"ticket": ticket, "result": result, "note": note.strip()}
        if result == "rated":
            if not 1 <= level <= 5:
                raise NotAllowed(tr("回访后已评价：请选择评价等级"))
            args["level"] = level
        number = next((f.number for f in self.followups if f.ticket == ticket), ticket)
        why = note.strip() or tr(dict(CALL_OUTCOMES).get(result, result))  # the audit row's reason
        return self._override("evaluation.followup", args, tr("登记回访 {t}", t=number), why)

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
        if code == "not_signed_in" or (code and cmd.op.startswith("guide.log")):
            self.needs_whoami = True  # the sign-in ended (签退 elsewhere, a new day): ask the hub who is here
        super().finished(cmd, result, code, message)

    def confirmed(self, cmd: Command, result: dict[str, Any]) -> None:
        if cmd.op == "guide.login":
            staff = staff_of(result)
            self.operator = f"{staff.name}（{staff.id}）" if staff else ""
        elif cmd.op == "guide.logout":
            self.operator = ""
        if cmd.op.startswith("guide.log"):
            self.who_known, self._signings = True, self._signings + 1
        ticket = ticket_of(result)
        if cmd.op == "ticket.verify_priority" and ticket is not None:
            self.priority_events.pop(ticket.id, None)
        if cmd.op in ("ticket.cancel", "ticket.call", "ticket.transfer", "ticket.verify_priority", "ticket.issue"):
            self.needs_refresh = True
        if cmd.op == "ticket.issue" and ticket is not None:
            self.selected_ticket = ticket.id
        if cmd.op == "followups.list":
            self.followups = followups_of(result)
        if cmd.op == "evaluation.followup":
            self._followed_up(cmd, result)
        if cmd.op == "followup.phone":
            shown = typed(result.get("shown"), FollowupPhoneShown, "followup.phone reply")
            if shown is not None:
                self.reveal.show(shown, self.clock())
        if cmd.op.startswith("case."):
            self.cases_due.update(CASE_LISTS)

    def _followed_up(self, cmd: Command, result: dict[str, Any]) -> None:
        """Show the recorded 回访 on its row at once (the next ``followups.list`` brings the hub's own)."""
        recorded = followup_recorded_of(result)
        if recorded is None:
            return
        for f in self.followups:
            if f.ticket == recorded.ticket:
                f.followup = FollowupRecord(recorded.result, recorded.label, str(cmd.args.get("note", "")),
                                            self.clock(), self.operator, int(cmd.args.get("level", 0)))

    def set_broker_online(self, up: bool) -> None:
        if up:
            self.needs_whoami = True  # reconnected: the sign-in may have ended meanwhile
        super().set_broker_online(up)

    def relevant(self, change: Change) -> bool:
        if change.kind == "presence" and change.name == HUB_DEVICE and self.state.hub_online:
            self.needs_whoami = True  # the hub is back (a standby that took over knows the sign-ins)
        if change.kind == "window":
            self._listen_summons()
        if change.kind == "event" and change.name == "case":
            self.cases_due.update(CASE_LISTS)
        if change.kind == "queues":
            self.needs_refresh = True
        elif change.kind == "event" and change.name == "priority" and change.message is not None:
            t = change.message.ticket
            if t.id and not t.priority_verified:
                self.priority_events[t.id] = t
                self.needs_refresh = True
        return change.kind != "event" or change.name in ("priority", "summon", "call", "case")


def _num(ticket: str) -> str:
    return ticket.rsplit("-", 1)[-1]
