"""Tickets (取号与叫号): issue, check in, call, recall, outcome, 补录, transfer, retake, cancel,
expire, verify (R1-R10), and how each of their events changes the day.

Each command first decides, reading the day only and raising :class:`DomainError` with a
stable code if the move is illegal (so a refused command changes nothing), then applies the
events it decided. The ticket's life is one table (:data:`hub.core.model.TRANSITIONS`); the
calling order is :mod:`hub.core.calling`.
"""

from __future__ import annotations

from hub import events as ev
from hub.core.calling import pick, slot_after, wrr_commit
from hub.core.model import (
    APPOINTMENT,
    NORMAL,
    OUTCOMES,
    PRIORITY,
    SERVED,
    CheckinTiming,
    DomainError,
    Ticket,
    TicketState,
    WindowState,
    checkin_timing,
)
from hub.core.state import HallState


class TicketDesk(HallState):
    """The ticket commands of :class:`hub.core.HallCore`."""

    def issue(
        self,
        now: float,
        *,
        matter: str,
        situation: str,
        channel: str = "kiosk",
        device: str = "",
        priority_group: str = "",
        applicant_masked: str = "",
        id_masked: str = "",
        id_hash: str = "",
        phone_masked: str = "",
        appointment_slot: float | None = None,
        assist: bool = False,
        target_window: str = "",
        appointment: str = "",
        checkin: str = "",
    ) -> list[ev.Event]:
        """取号 (R1-R7). ``assist``: the citizen asked for help (帮办代办 queue).

        With ``appointment_slot``: the appointment class from the slot on; before it, ordered
        by ``now`` like a walk-in until :meth:`tick` promotes it."""
        hall = self.hall
        m = hall.matters.get(matter)
        if m is None:
            raise DomainError("unknown_matter", f"没有事项 {matter}")
        s = m.situation(situation)
        if s is None:
            raise DomainError("unknown_situation", f"事项 {m.name} 没有情形 {situation}")
        if channel not in ("kiosk", "appointment", "guide", "window"):
            raise DomainError("bad_channel", f"未知取号渠道 {channel}")
        queue = s.queue
        if (assist or s.assist) and hall.policy.assist_queue:
            queue = hall.policy.assist_queue
        elif s.online or s.consult_only:
            what = "可全程网办" if s.online else "为咨询事项"
            raise DomainError("no_ticket_needed", f"{m.name}（{s.name}）{what}，无需取号")
        if target_window:
            self.window(target_window)
        if channel != "guide" and not self._in_hours(now):
            raise DomainError("hall_closed", "当前不在取号时间内")
        quota = hall.queues[queue].daily_quota
        if quota and self.counters[queue] >= quota:
            raise DomainError("quota_reached", f"{hall.queues[queue].name}今日号源已取完")
        if id_hash and hall.policy.one_active_ticket_per_matter:
            existing = self.active_by_person.get((id_hash, matter))
            if existing:
                number = self.tickets[existing].number
                raise DomainError("duplicate_ticket", f"您已取得{m.name}的号 {number}，请等候叫号")
        verified = False
        if priority_group:
            group = hall.priority_groups.get(priority_group)
            if group is None:
                raise DomainError("unknown_priority_group", f"没有优先群体 {priority_group}")
            verified = channel == "guide" or not group.needs_verification
        if appointment_slot is not None and channel != "appointment":
            raise DomainError("bad_channel", "只有预约签到可以带预约时段")
        if self.day_of(now) != self.day:
            raise DomainError("day_not_started", "新的一天尚未开始，请稍后再试")
        due = appointment_slot is not None and appointment_slot <= now
        cls = PRIORITY if verified else APPOINTMENT if due else NORMAL
        number = _number(queue, self.counters[queue] + 1)
        order = appointment_slot if cls == APPOINTMENT and appointment_slot is not None else now
        return self._emit(ev.TicketIssued(
            now, f"{self.day}-{number}", number, queue, self.seq + 1, matter, situation, channel, device,
            priority_group, verified, appointment_slot, applicant_masked, id_masked, id_hash, phone_masked,
            cls, order, target_window, appointment, checkin,
        ))

    def checkin(
        self,
        now: float,
        *,
        code: str,
        slot: float,
        matter: str,
        situation: str,
        device: str = "",
        applicant_masked: str = "",
        id_masked: str = "",
        id_hash: str = "",
        phone_masked: str = "",
    ) -> list[ev.Event]:
        """预约签到 (R5) of a booking found for today, against its check-in window.

        On time: an appointment ticket (priority from the slot). Late: an ordinary ticket.
        Early: refused with ``appointment_early`` and the time to come back, or an ordinary
        ticket where ``[appointments] early_gets_ticket`` is set."""
        rules = self.hall.appointments
        timing = checkin_timing(now, slot, rules.checkin_early_min, rules.checkin_late_min)
        if timing is CheckinTiming.EARLY and not rules.early_gets_ticket:
            opens = self.local(slot - rules.checkin_early_min * 60)
            raise DomainError("appointment_early", f"您预约的时段是 {self.local(slot):%H:%M}，"
                                                   f"请于 {opens:%H:%M} 以后再来签到。")
        return self.issue(
            now, matter=matter, situation=situation, channel="appointment", device=device,
            applicant_masked=applicant_masked, id_masked=id_masked, id_hash=id_hash, phone_masked=phone_masked,
            appointment_slot=slot if timing is CheckinTiming.ON_TIME else None, appointment=code,
            checkin=timing.value,
        )

    def call_next(self, now: float, window: str, staff: str = "") -> list[ev.Event]:
        w = self._serving_window(window)
        key, eligible = pick(self, w)
        if key is None:
            raise DomainError("queue_empty", "当前没有等候的号")
        return self._emit(ev.TicketCalled(now, key[3], window, staff or w.staff, "next", eligible))

    def call_ticket(self, now: float, window: str, ticket: str, staff: str = "",
                    force: bool = False) -> list[ev.Event]:
        """特呼: call a given number. ``force`` (guides) ignores which queues the window serves."""
        w = self._serving_window(window)
        t = self.ticket(ticket)
        self._move(t, "call")
        serves = t.queue in w.queues or t.queue in w.overflow or t.target_window == window
        if not force and not serves:
            raise DomainError("not_served_here", f"窗口 {window} 不办理 {t.number} 所在队列")
        if t.target_window and t.target_window != window and not force:
            raise DomainError("not_served_here", f"票号 {t.number} 已转至窗口 {t.target_window}")
        return self._emit(ev.TicketCalled(now, t.id, window, staff or w.staff, "guide" if force else "specific"))

    def recall(self, now: float, window: str) -> list[ev.Event]:
        w = self.window(window)
        if not w.current:
            raise DomainError("no_current_ticket", f"窗口 {window} 当前没有叫号")
        t = self.tickets[w.current]
        self._move(t, "recall")
        if t.recalls >= self.hall.policy.recall_limit:
            raise DomainError("recall_limit", f"票号 {t.number} 已重呼 {t.recalls} 次，达到上限")
        return self._emit(ev.TicketRecalled(now, t.id, window, t.recalls + 1))

    def outcome(self, now: float, window: str, outcome: str, reason: str = "", note: str = "",
                staff: str = "") -> list[ev.Event]:
        """过号 / 受理 / 咨询 / 不予受理 for the window's current ticket (R9)."""
        w = self.window(window)
        if not w.current:
            raise DomainError("no_current_ticket", f"窗口 {window} 当前没有叫号")
        if outcome not in OUTCOMES:
            raise DomainError("bad_outcome", "办理结果应为受理、咨询、不予受理或过号")
        if outcome == "rejected" and not reason.strip():
            raise DomainError("reason_required", "不予受理需要选择原因")
        t = self.tickets[w.current]
        self._move(t, outcome)
        out: list[ev.Event] = []
        if w.evaluation:  # the previous citizen left without rating
            out += self._emit(ev.EvaluationRecorded(now, w.evaluation, window, 0, "superseded", ""))
        out += self._emit(ev.OutcomeRecorded(now, t.id, window, staff or w.staff, outcome, reason, note))
        if OUTCOMES[outcome] in SERVED:
            out += self._emit(ev.EvaluationInvited(now, t.id, window, staff or w.staff))
        return out

    def backfill(self, now: float, window: str, matter: str, situation: str, outcome: str, reason: str = "",
                 note: str = "", staff: str = "", device: str = "") -> list[ev.Event]:
        """补录: a service done without a ticket or a call (a walk-in), recorded after the fact.

        It gets a number like any ticket (channel ``window``) so it is counted, and reports
        list it as 未叫号即办理 (附件8 一2): it has an outcome but was never called.
        """
        w = self.window(window)
        if w.state is WindowState.CLOSED:
            raise DomainError("window_not_open", f"窗口 {window} 未开放")
        m = self.hall.matters.get(matter)
        if m is None:
            raise DomainError("unknown_matter", f"没有事项 {matter}")
        s = m.situation(situation)
        if s is None:
            raise DomainError("unknown_situation", f"事项 {m.name} 没有情形 {situation}")
        if outcome not in ("accepted", "consulted", "rejected"):
            raise DomainError("bad_outcome", "补录的办理结果应为受理、咨询或不予受理")
        if outcome == "rejected" and not reason.strip():
            raise DomainError("reason_required", "不予受理需要选择原因")
        if self.day_of(now) != self.day:
            raise DomainError("day_not_started", "新的一天尚未开始，请稍后再试")
        queue = s.queue if s.queue in self.hall.queues else w.queues[0]
        number = _number(queue, self.counters[queue] + 1)
        tid = f"{self.day}-{number}"
        out = self._emit(ev.TicketIssued(now, tid, number, queue, self.seq + 1, matter, situation, "window", device,
                                         "", False, None, "", "", "", "", NORMAL, now, window))
        if w.evaluation:
            out += self._emit(ev.EvaluationRecorded(now, w.evaluation, window, 0, "superseded", ""))
        out += self._emit(ev.OutcomeRecorded(now, tid, window, staff or w.staff, outcome, reason, note or "补录"))
        out += self._emit(ev.EvaluationInvited(now, tid, window, staff or w.staff))
        return out

    def transfer(self, now: float, *, ticket: str = "", window: str = "", to_queue: str = "",
                 to_window: str = "", keep_place: bool | None = None, note: str = "",
                 by: str = "") -> list[ev.Event]:
        """转移: the window's current ticket (``window``) or a waiting one (``ticket``, guides)."""
        if window:
            t = self.tickets.get(self.window(window).current or "")
            if t is None:
                raise DomainError("no_current_ticket", f"窗口 {window} 当前没有叫号")
            if ticket and self.ticket(ticket).id != t.id:
                raise DomainError("not_current_ticket", f"{ticket} 不是窗口 {window} 正在办理的号")
        else:
            t = self.ticket(ticket)
        self._move(t, "transfer")
        if bool(to_queue) == bool(to_window):
            raise DomainError("bad_target", "转移需指定目标队列或目标窗口之一")
        if to_queue and to_queue not in self.hall.queues:
            raise DomainError("unknown_queue", f"没有队列 {to_queue}")
        if to_window:
            self.window(to_window)
            if to_window == window:
                raise DomainError("bad_target", "不能转移到本窗口")
        keep = self.hall.policy.transfer_keeps_place if keep_place is None else keep_place
        cls, order = t.cls, (t.order if keep else now)
        return self._emit(ev.TicketTransferred(now, t.id, t.window if window else "", to_queue or t.queue,
                                               to_window, cls, order, note, by))

    def retake(self, now: float, ticket: str, device: str = "") -> list[ev.Event]:
        """过号取号: back into the queue ``retake_places_back`` places behind the head."""
        t = self.ticket(ticket)
        self._move(t, "retake")
        if t.retakes >= self.hall.policy.retake_limit:
            raise DomainError("retake_limit", f"票号 {t.number} 已过号取号 {t.retakes} 次，请咨询引导台")
        lst = self.direct[t.target_window] if t.target_window else self.waiting[t.queue]
        cls, order = slot_after(lst, self.hall.policy.retake_places_back, t.cls, now)
        return self._emit(ev.TicketRequeued(now, t.id, cls, order, t.retakes + 1, device))

    def cancel(self, now: float, ticket: str, reason: str, by: str = "") -> list[ev.Event]:
        t = self.ticket(ticket)
        self._move(t, "cancel")
        if not reason.strip():
            raise DomainError("reason_required", "取消需要说明原因")
        return self._emit(ev.TicketCancelled(now, t.id, reason, by))

    def expire_all(self, now: float, mark: str = "guide") -> list[ev.Event]:
        expired = tuple(k[3] for lst in (*self.waiting.values(), *self.direct.values()) for k in lst)
        return self._emit(ev.TicketsExpired(now, expired, mark))

    def verify_priority(self, now: float, ticket: str, group: str = "", by: str = "") -> list[ev.Event]:
        """绿色通道: a guide confirms a self-declared (or assigns a) priority group."""
        t = self.ticket(ticket)
        self._move(t, "verify_priority")
        group = group or t.priority_group
        if group not in self.hall.priority_groups:
            raise DomainError("unknown_priority_group", f"没有优先群体 {group or '(未指定)'}")
        if t.priority_verified and group == t.priority_group:
            raise DomainError("already_verified", f"票号 {t.number} 已是优先号")
        return self._emit(ev.PriorityVerified(now, t.id, group, PRIORITY, t.issued_at, by))

    # ------------------------------------------------------------------ their events

    def _on_ticket_issued(self, e: ev.TicketIssued) -> None:
        t = Ticket(
            id=e.ticket, number=e.number, queue=e.queue, seq=e.seq, matter=e.matter, situation=e.situation,
            channel=e.channel, device=e.device, priority_group=e.priority_group,
            priority_verified=e.priority_verified, appointment_slot=e.appointment_slot,
            applicant_masked=e.applicant_masked, id_masked=e.id_masked, id_hash=e.id_hash,
            phone_masked=e.phone_masked, cls=e.cls, order=e.order, issued_at=e.at, target_window=e.target_window,
        )
        self.tickets[t.id] = t
        self.by_number[t.number] = t.id
        self.counters[t.queue] = max(self.counters[t.queue], int(t.number[len(t.queue):]))
        self.seq = max(self.seq, e.seq)
        if t.id_hash:
            self.active_by_person[(t.id_hash, t.matter)] = t.id
        self.note_due(t)
        self._list(t)

    def _on_ticket_called(self, e: ev.TicketCalled) -> None:
        t = self.tickets[e.ticket]
        w = self.windows[e.window]
        if t.state is TicketState.WAITING:
            self._unlist(t)
            where = "w:" + t.target_window if t.target_window else t.queue
            self.called_from[where] = self.called_from.get(where, 0) + 1  # the predicted wait's places move
        elif t.state is TicketState.PASSED and t.id_hash:
            self.active_by_person[(t.id_hash, t.matter)] = t.id
        t.state, t.window, t.staff, t.called_at, t.recalls = TicketState.CALLED, e.window, e.staff, e.at, 0
        t.outcome, t.finished_at = "", None
        t.first_called_at = t.first_called_at or e.at
        t.target_window = ""
        w.current = t.id
        self.service_times.on_call(w.id, e.at)
        w.counts["called"] = w.counts.get("called", 0) + 1
        w.consecutive_priority = w.consecutive_priority + 1 if t.priority_verified else 0
        if e.eligible:
            wrr_commit(w.wrr, e.eligible, self.hall.windows[w.id].weights, t.queue)

    def _on_ticket_recalled(self, e: ev.TicketRecalled) -> None:
        t = self.tickets[e.ticket]
        t.recalls, t.called_at = e.recalls, e.at

    def _on_ticket_outcome(self, e: ev.OutcomeRecorded) -> None:
        t = self.tickets[e.ticket]
        was_called = t.state is TicketState.CALLED
        self._release(t)
        if was_called:  # its window time teaches the predicted wait (a 补录 ticket was never called)
            self.service_times.on_done(e.window, t.queue, e.at, self.backlog(e.window), t.matter)
        t.window, t.staff = e.window, e.staff  # a 补录 ticket was never called: record where it was served
        t.state, t.outcome, t.reason, t.finished_at = OUTCOMES[e.outcome], e.outcome, e.reason, e.at
        w = self.windows[e.window]
        w.counts[e.outcome] = w.counts.get(e.outcome, 0) + 1

    def _on_ticket_transferred(self, e: ev.TicketTransferred) -> None:
        t = self.tickets[e.ticket]
        was_called = t.state is TicketState.CALLED
        self._release(t)
        if was_called and e.from_window:
            self.service_times.on_done(e.from_window, t.queue, e.at, self.backlog(e.from_window), t.matter)
        if t.id_hash:
            self.active_by_person[(t.id_hash, t.matter)] = t.id
        t.state, t.queue, t.target_window, t.cls, t.order = TicketState.WAITING, e.to_queue, e.to_window, e.cls, e.order
        t.window, t.called_at, t.recalls = "", None, 0
        t.transfers += 1
        self._list(t)

    def _on_ticket_requeued(self, e: ev.TicketRequeued) -> None:
        t = self.tickets[e.ticket]
        t.state, t.cls, t.order, t.retakes = TicketState.WAITING, e.cls, e.order, e.retakes
        t.outcome, t.finished_at, t.window, t.called_at, t.recalls = "", None, "", None, 0
        if t.id_hash:
            self.active_by_person[(t.id_hash, t.matter)] = t.id
        self._list(t)

    def _on_ticket_cancelled(self, e: ev.TicketCancelled) -> None:
        t = self.tickets[e.ticket]
        self._release(t)
        t.state, t.reason, t.finished_at = TicketState.CANCELLED, e.reason, e.at

    def _on_tickets_expired(self, e: ev.TicketsExpired) -> None:
        for tid in e.tickets:
            t = self.tickets[tid]
            self._release(t)
            t.state, t.finished_at = TicketState.EXPIRED, e.at
        if e.mark not in ("guide", "end-of-day"):
            self.expired_marks.add(e.mark)

    def _on_ticket_priority_verified(self, e: ev.PriorityVerified) -> None:
        t = self.tickets[e.ticket]
        self._unlist(t)
        t.priority_group, t.priority_verified, t.cls, t.order = e.group, True, e.cls, e.order
        self._list(t)

    def _on_ticket_appointment_due(self, e: ev.AppointmentDue) -> None:
        t = self.tickets[e.ticket]
        self._unlist(t)
        t.cls, t.order = e.cls, e.order
        self._list(t)

    def _on_audit_override(self, e: ev.OverrideRecorded) -> None:
        pass  # the audit lives in the event log; no state to change

    def _on_notify_claimed(self, e: ev.NotifyClaimed) -> None:
        pass  # a notifier's claim lives in the log and the store's notify_claims; the hall does not change


def _number(queue: str, n: int) -> str:
    return f"{queue}{n:03d}"
