"""The hub's application service: one command payload in, one reply and publications out.

This is where the wire meets the domain, with no MQTT of its own (the bridge moves bytes):

1. decode and check the payload (:mod:`hallq.protocol`): malformed → an error reply; a device
   over its rate (``[policy] rate_per_minute``) → ``rate_limited``, nothing else happens;
2. who is asking: the device id comes from the topic, its role from the hall file; a
   kiosk cannot call, a pad or window screen acts only on its own window;
3. a request id seen before → the stored first reply, nothing else happens;
4. personal data is reduced at the door: a full ID number is validated, masked and
   keyed-hashed here and goes no further (not into events, logs or replies);
5. the core decides; events, projections and the reply commit in one transaction;
6. the caller publishes the reply and the state the events changed.

:meth:`HubService.handle` never raises. Each command runs in its own savepoint (inside the
bridge's group transaction), so a command that fails in a way nobody foresaw is rolled back
alone, memory is reloaded from the database, and it is answered ``internal`` — or, when it
cannot be answered at all (no usable reply topic, no request id), dropped with a log line
(``Outcome.reply`` is None). It never takes the other commands of its batch with it.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hallq import clock as hallclock
from hallq import idcard
from hallq import protocol as p
from hub import events as ev
from hub.config import check_pin
from hub.core import (
    EVALUATION_LEVELS,
    SUMMON_LABELS,
    SUMMON_OPEN,
    DomainError,
    HallCore,
    Summon,
    Ticket,
    TicketState,
)
from hub.hall import Hall, Role
from hub.security.ratelimit import RateLimiter
from hub.store import Store

log = logging.getLogger("hallq.hub")

RECENT_CALLS = 20
# What a guide does to someone else's ticket or window: each is audited (who, when, what, why).
OVERRIDES = frozenset({
    "ticket.issue", "ticket.call", "ticket.transfer", "ticket.cancel", "ticket.verify_priority", "ticket.reprint",
    "tickets.expire", "window.pause", "window.resume", "window.close", "window.set_queues", "evaluation.followup",
})


@dataclass(frozen=True)
class Publication:
    topic: str
    payload: bytes
    retain: bool = False
    qos: int = 1


@dataclass
class Outcome:
    reply: bytes | None  # None: dropped (logged), nothing to send: see handle()
    publications: list[Publication]
    ok: bool
    events: list[ev.Event] = field(default_factory=list)  # with defer_state: for state_publications()


class HubService:
    def __init__(self, hall: Hall, store: Store, id_key: bytes, clock: Callable[[], float] = hallclock.now) -> None:
        self.hall = hall
        self.store = store
        self.id_key = id_key
        self.clock = clock
        self.topics = p.Topics(hall.id)
        self.core: HallCore = store.load(hall)
        self.seq = store.last_seq()
        self.recent_calls: list[dict[str, Any]] = self._load_recent_calls()
        store.note_hall_file(self.core.day, hall.version, hall.text)
        self._extra: list[Publication] = []  # publications an op asks for besides its events'
        # True: handle() returns only event publications and the events; the caller calls
        # state_publications() once for a batch (the bridge's group commit)
        self.defer_state = False
        self._queue_summary: dict[str, dict[str, Any]] = {}
        self.limiter = RateLimiter(hall.policy.rate_per_minute, hall.policy.rate_burst)

    # ------------------------------------------------------------ entry points

    def handle(self, device: str, payload: bytes) -> Outcome:
        """One command → its reply and publications, in its own savepoint; never raises."""
        if not p.is_segment(device):  # no reply topic to answer on (e.g. ``cmd/`` or a name with spaces)
            log.warning("dropped a command on a topic that names no valid device (%d bytes)", len(payload),
                        extra={"code": "bad_device_topic", "bytes": len(payload)})
            return Outcome(None, [], False)
        try:
            with self.store.transaction():
                return self._handle(device, payload)
        except Exception:  # the savepoint is rolled back: this command did nothing
            log.exception("internal error handling a command from %s", device, extra={"device": device})
            self.reload()  # memory (core, seq, recent calls) may be ahead of the database
            try:
                rid: str | None = p.decode_request(payload).id
            except Exception:
                rid = None
            if rid is None:
                log.error("dropped a command from %s: it failed and has no request id to answer", device,
                          extra={"device": device, "code": "internal"})
                return Outcome(None, [], False)
            return Outcome(p.encode_reply(rid, code="internal", message="hub 内部错误，操作未生效"), [], False)
        finally:
            self._extra = []

    def reload(self) -> None:
        """Memory back to what the database holds (after a rollback): the core, the last seq and
        the recent calls, so retained state never shows a command that was not committed."""
        self.core = self.store.load(self.hall)
        self.seq = self.store.last_seq()
        self.recent_calls = self._load_recent_calls()

    def _handle(self, device: str, payload: bytes) -> Outcome:
        within_rate = self.limiter.allow(device)  # garbage counts too: a flood is a flood
        try:
            req = p.decode_request(payload)
        except p.ProtocolError as exc:
            log.warning("refused payload from %s: %s", device, exc.code,
                        extra={"device": device, "code": exc.code, "bytes": len(payload)})
            return Outcome(p.encode_reply(exc.request_id, code=exc.code, message=exc.message), [], False)
        if not within_rate:
            log.warning("rate limited %s (%s)", device, req.op, extra={"device": device, "op": req.op,
                                                                      "code": "rate_limited"})
            message = "操作过于频繁，请稍后再试 (too many commands; retry later)"
            return Outcome(p.encode_reply(req.id, code="rate_limited", message=message), [], False)
        stored = self.store.stored_reply(device, req.id)
        if stored is not None:
            return Outcome(stored, [], True)
        now = self.clock()
        pubs = self._tick(now)  # timers first, in their own transaction: a refusal below keeps them
        try:
            self._authorize(device, req)
            if p.OPS[req.op].query:
                return Outcome(p.encode_reply(req.id, self._query(req)), pubs, True)
            try:
                result, events = self._dispatch(device, req, now)
            except DomainError as exc:  # the core decided nothing; the refusal is the stored answer
                log.debug("%s %s refused: %s", device, req.op, exc.code,
                          extra={"device": device, "op": req.op, "code": exc.code})
                reply = p.encode_reply(req.id, code=exc.code, message=exc.message)
                self.store.record(self.core, [], device=device, request_id=req.id, op=req.op, reply=reply, at=now)
                return Outcome(reply, pubs, False)
            if self.hall.devices[device].role in (Role.GUIDE, Role.ADMIN) and req.op in OVERRIDES:
                events.append(self._audit(device, req, now))
            reply = p.encode_reply(req.id, result)
            self.seq = self.store.record(self.core, events, device=device, request_id=req.id, op=req.op,
                                         reply=reply, at=now)
            log.debug("%s %s ok", device, req.op, extra={"device": device, "op": req.op, "events": len(events)})
            if self.defer_state:  # the caller repaints retained state once for its whole batch
                return Outcome(reply, pubs + self.event_publications(events) + self._extra, True, events)
            return Outcome(reply, pubs + self.publications(events) + self._extra, True)
        except p.ProtocolError as exc:
            log.info("refused %s from %s: %s", req.op, device, exc.code,
                     extra={"device": device, "op": req.op, "code": exc.code})
            return Outcome(p.encode_reply(req.id, code=exc.code, message=exc.message), pubs, False)

    def _tick(self, now: float) -> list[Publication]:
        events = self.core.tick(now)
        if not events:
            return []
        self.seq = self.store.record(self.core, events)
        if any(isinstance(e, ev.DayStarted) for e in events):
            self.store.note_hall_file(self.core.day, self.hall.version, self.hall.text)
        return self.publications(events)

    def tick(self) -> list[Publication]:
        """Timers: day rollover, scheduled expiry, evaluation timeouts. Called about once a second."""
        try:
            return self._tick(self.clock())
        except Exception:
            self.reload()  # the timers' events were rolled back: memory must not keep them
            raise

    # ------------------------------------------------------------ who may do what

    def _authorize(self, device_id: str, req: p.Request) -> None:
        device = self.hall.devices.get(device_id)
        if device is None:
            raise p.ProtocolError("unknown_device", f"设备 {device_id} 未在大厅配置中登记", req.id)
        op = p.OPS[req.op]
        if device.role.value not in op.roles:
            raise p.ProtocolError("forbidden", f"{device.role.value} 设备不能执行 {req.op}", req.id)
        window = req.args.get("window")
        if op.own_window and device.role in (Role.PAD, Role.DISPLAY):
            if window and window != device.window:
                raise p.ProtocolError("forbidden", f"设备 {device_id} 只能操作窗口 {device.window}", req.id)
            if req.op == "ticket.transfer" and not window:
                raise p.ProtocolError("forbidden", "窗口设备只能转移本窗口正在办理的号", req.id)
        if (device.role is Role.GUIDE and req.op in OVERRIDES and self.hall.policy.guide_sign_in_required
                and device_id not in self.core.guides):
            raise p.ProtocolError("not_signed_in", "请先签到：引导台的代办与调整操作需要签到后才能执行"
                                  " (sign in first: this hall audits every override by guide)", req.id)
        if req.op == "ticket.issue" and device.role is Role.KIOSK and req.args.get("channel", "kiosk") != "kiosk":
            raise p.ProtocolError("forbidden", "自助机只能以 kiosk 渠道取号（预约请用 appointment.checkin）", req.id)
        if req.op == "ticket.cancel" and device.role is Role.KIOSK:
            try:
                issuer = self.core.ticket(req.args["ticket"]).device
            except DomainError:
                issuer = ""
            if issuer != device_id:
                raise p.ProtocolError("forbidden", "自助机只能作废本机发出的票", req.id)

    # ------------------------------------------------------------ dispatch

    def _dispatch(self, device: str, req: p.Request, now: float) -> tuple[dict[str, Any], list[ev.Event]]:
        a, c = req.args, self.core
        role = self.hall.devices[device].role
        force = role in (Role.GUIDE, Role.ADMIN)
        match req.op:
            case "ticket.issue":
                return self._issue(device, a, now)
            case "ticket.retake":
                events = c.retake(now, a["ticket"], device)
                return self._ticket_result(events[-1].ticket), events  # type: ignore[attr-defined]
            case "ticket.call_next":
                events = c.call_next(now, a["window"])
                return self._ticket_result(events[-1].ticket), events  # type: ignore[attr-defined]
            case "ticket.call":
                events = c.call_ticket(now, a["window"], a["ticket"], force=force)
                return self._ticket_result(events[-1].ticket), events  # type: ignore[attr-defined]
            case "ticket.recall":
                events = c.recall(now, a["window"])
                return self._ticket_result(events[-1].ticket), events  # type: ignore[attr-defined]
            case "ticket.outcome":
                events = c.outcome(now, a["window"], a["outcome"], a.get("reason", ""), a.get("note", ""))
                return {"ticket": self._view(c.tickets[_ticket_of(events)])}, events
            case "ticket.backfill":
                events = c.backfill(now, a["window"], a["matter"], a["situation"], a["outcome"], a.get("reason", ""),
                                    a.get("note", ""), device=device)
                return {"ticket": self._view(c.tickets[_ticket_of(events)])}, events
            case "ticket.transfer":
                events = c.transfer(now, ticket=a.get("ticket", ""), window=a.get("window", ""),
                                    to_queue=a.get("to_queue", ""), to_window=a.get("to_window", ""),
                                    keep_place=a.get("keep_place"), note=a.get("note", ""), by=device)
                return self._ticket_result(_ticket_of(events)), events
            case "ticket.cancel":
                events = c.cancel(now, a["ticket"], a["reason"], by=device)
                return {"ticket": self._view(c.tickets[_ticket_of(events)])}, events
            case "ticket.verify_priority":
                events = c.verify_priority(now, a["ticket"], a.get("group", ""), by=device)
                return self._ticket_result(_ticket_of(events)), events
            case "ticket.reprint":
                target = self.hall.devices.get(a["device"])
                if target is None or target.role is not Role.KIOSK:
                    raise DomainError("unknown_device", f"没有自助机 {a['device']}")
                ticket = c.ticket(a["ticket"])
                self._extra.append(Publication(self.topics.event("reprint"), p.dump(
                    {"v": p.VERSION, "device": target.id, "ticket": self._view(ticket), "by": device})))
                return {"ticket": self._view(ticket)}, []
            case "appointment.checkin":
                return self._checkin(device, a, now)
            case "tickets.expire":
                events = c.expire_all(now, "guide")
                return {"expired": len(events[0].tickets)}, events  # type: ignore[attr-defined]
            case "window.open":
                staff = self.hall.staff.get(a["staff"])
                if staff is None or not check_pin(a["pin"], staff.pin_hash):
                    raise DomainError("bad_pin", "工号或密码不正确")
                if not {Role.PAD, Role.GUIDE} & set(staff.roles):
                    raise DomainError("staff_role", f"工号 {staff.id} 不是窗口或引导人员，不能登录窗口")
                return {}, c.open_window(now, a["window"], a["staff"], device)
            case "guide.login":
                staff = self.hall.staff.get(a["staff"])
                if staff is None or not check_pin(a["pin"], staff.pin_hash):
                    raise DomainError("bad_pin", "工号或密码不正确")
                if not {Role.GUIDE, Role.ADMIN} & set(staff.roles):
                    raise DomainError("staff_role", f"工号 {staff.id} 不是引导人员")
                return {"staff": {"id": staff.id, "name": staff.name}}, c.guide_login(now, device, staff.id)
            case "guide.logout":
                return {}, c.guide_logout(now, device)
            case "window.pause":
                return {}, c.pause(now, a["window"], a["reason"], by=device)
            case "window.resume":
                return {}, c.resume(now, a["window"], by=device)
            case "window.close":
                return {}, c.close_window(now, a["window"], by=device)
            case "window.set_queues":
                return {}, c.set_queues(now, a["window"], a["queues"], a.get("overflow", ()), a.get("reason", ""),
                                        by=device)
            case "window.summon":
                events = c.summon(now, a["window"], a.get("department", ""), a.get("note", ""), by=device)
                s = c.summons[events[0].summon]  # type: ignore[attr-defined]
                return {"department": s.department, "summon": self._summon_view(s, now)}, events
            case "summon.respond" | "summon.arrive":
                action = req.op.split(".")[1]
                events = c.answer_summon(now, a["summon"], action, device, c.guides.get(device, ""))
                return {"summon": self._summon_view(c.summons[a["summon"]], now)}, events
            case "evaluation.submit":
                return {}, c.evaluate(now, a["window"], a["level"], a.get("reason", ""), a.get("ticket", ""), device)
            case "evaluation.skip":
                return {}, c.skip_evaluation(now, a["window"], device)
            case "evaluation.followup":
                return self._followup(device, a, now, req.id)
        raise p.ProtocolError("unknown_op", f"unknown op {req.op!r}", req.id)  # pragma: no cover

    def _issue(self, device: str, a: dict[str, Any], now: float) -> tuple[dict[str, Any], list[ev.Event]]:
        id_masked = id_hash = ""
        if a.get("id_number"):
            try:
                number = idcard.validate_id(a["id_number"], today=self.core.local(now).date())
            except idcard.InvalidIdNumber as exc:
                raise DomainError("invalid_id_number", str(exc)) from None
            id_masked, id_hash = idcard.mask_id(number), idcard.keyed_hash(number, self.id_key)
            del number
        channel = a.get("channel", "kiosk")
        if self.hall.devices[device].role in (Role.GUIDE, Role.ADMIN) and "channel" not in a:
            channel = "guide"
        events = self.core.issue(
            now, matter=a["matter"], situation=a["situation"], channel=channel, device=device,
            priority_group=a.get("priority_group", ""), applicant_masked=idcard.mask_name(a.get("name", "")),
            id_masked=id_masked, id_hash=id_hash, phone_masked=idcard.mask_phone(a.get("phone", "")),
            appointment_slot=a.get("appointment_slot"), assist=a.get("assist", False),
            target_window=a.get("target_window", ""),
        )
        return self._ticket_result(_ticket_of(events)), events

    def _audit(self, device: str, req: p.Request, now: float) -> ev.Event:
        a = req.args
        target = " ".join(str(a[k]) for k in ("ticket", "window", "to_queue", "to_window", "device", "matter")
                          if a.get(k))
        e = ev.OverrideRecorded(now, req.op, device, target, str(a.get("reason") or a.get("note") or ""),
                                self.core.guides.get(device, ""))
        self.core.apply(e)
        return e

    def _followup(self, device: str, a: dict[str, Any], now: float, rid: str) -> tuple[dict[str, Any], list[ev.Event]]:
        result, note, level = a["result"], a["note"].strip(), int(a.get("level") or 0)
        if result not in ev.FOLLOWUP_RESULTS:
            choices = ", ".join(ev.FOLLOWUP_RESULTS)
            raise p.ProtocolError("bad_args", f"result 应为 {choices} 之一 (got {result!r})", rid)
        if not note:
            raise p.ProtocolError("bad_args", "note 不能为空：写明整改或回访的情况 (what was done)", rid)
        if (result == "rated") != (1 <= level <= 5):
            raise p.ProtocolError("bad_args", "回访后已评价 (rated) 需要 level 1-5，其他结果不带 level", rid)
        exists, evaluation = self.store.evaluation_of(a["ticket"])
        if not exists:
            raise DomainError("unknown_ticket", f"没有票号 {a['ticket']}（回访请用完整票号，如 2026-11-23-A001）")
        if evaluation not in (0, 1, 2):
            raise DomainError("no_followup", f"{a['ticket']} 不是差评或未评价的服务，无需回访")
        e = ev.EvaluationFollowedUp(now, a["ticket"], result, note, device, self.core.guides.get(device, ""), level)
        self.core.apply(e)
        return {"ticket": a["ticket"], "result": result, "label": ev.FOLLOWUP_RESULTS[result]}, [e]

    def _checkin(self, device: str, a: dict[str, Any], now: float) -> tuple[dict[str, Any], list[ev.Event]]:
        """预约签到 (R5): by appointment code or ID number; an appointment-class ticket for the booked slot."""
        today = self.core.day
        if a.get("code"):
            appt = self.store.appointment(code=a["code"].strip().upper())
        elif a.get("id_number"):
            try:
                number = idcard.validate_id(a["id_number"], today=self.core.local(now).date())
            except idcard.InvalidIdNumber as exc:
                raise DomainError("invalid_id_number", str(exc)) from None
            appt = self.store.appointment(id_hash=idcard.keyed_hash(number, self.id_key), day=today)
            del number
        else:
            raise p.ProtocolError("bad_args", "appointment.checkin: give 'code' or 'id_number'")
        if appt is None:
            raise DomainError("unknown_appointment", "没有找到预约记录，请核对预约码或到引导台咨询")
        if appt["day"] != today:
            raise DomainError("appointment_wrong_day", f"您的预约日期是 {appt['day']}，不是今天")
        if appt["used_ticket"]:
            number = appt["used_ticket"].rsplit("-", 1)[-1]
            raise DomainError("appointment_used", f"该预约已签到，票号 {number}")
        events = self.core.checkin(
            now, code=appt["code"], slot=appt["slot_start"], matter=appt["matter"], situation=appt["situation"],
            device=device, applicant_masked=appt["name_masked"] or "", id_masked=appt["id_masked"] or "",
            id_hash=appt["id_hash"] or "", phone_masked=appt["phone_masked"] or "",
        )
        issued = events[-1]
        assert isinstance(issued, ev.TicketIssued)
        result = self._ticket_result(issued.ticket)
        result["checkin"] = issued.checkin  # on_time / early / late: what the kiosk says about the ticket
        result["slot"] = appt["slot_start"]
        return result, events

    def _summon_view(self, s: Summon, now: float | None = None) -> dict[str, Any]:
        """A summon as screens show it; ``wait_s``: how long it has waited (or waited) for an answer."""
        answered = s.responded_at if s.responded_at is not None else s.arrived_at
        end = answered if answered is not None else (self.clock() if now is None else now)
        staff = self.hall.staff.get(s.answered_staff)
        ticket = self.core.tickets.get(s.ticket)
        return {"id": s.id, "window": s.window, "department": s.department, "ticket": s.ticket,
                "number": ticket.number if ticket else "", "note": s.note, "state": s.state.value,
                "label": SUMMON_LABELS[s.state], "at": s.at, "escalated_at": s.escalated_at,
                "responded_at": s.responded_at, "arrived_at": s.arrived_at, "wait_s": max(0.0, end - s.at),
                "answered_by": staff.name if staff else s.answered_by}

    def _ticket_result(self, ticket_id: str) -> dict[str, Any]:
        return {"ticket": self._view(self.core.tickets[ticket_id])}

    # ------------------------------------------------------------ queries and views

    def _query(self, req: p.Request) -> dict[str, Any]:
        if req.op == "ticket.get":
            try:
                return {"ticket": self._view(self.core.ticket(req.args["ticket"]))}
            except DomainError as exc:
                raise p.ProtocolError(exc.code, exc.message, req.id) from None
        if req.op == "tickets.list":
            return {"tickets": self._list(req)}
        if req.op == "followups.list":
            return {"items": self._followups(req)}
        return {"queues": self.queues_state(), "windows": [self.window_state(w) for w in self.core.windows]}

    def _followups(self, req: p.Request) -> list[dict[str, Any]]:
        """差评 (1-2) and 未评价 (0) services of the last ``days`` days, newest first, each with the
        latest 回访/整改 recorded for it (None while open). Masked: no applicant data."""
        days = int(req.args.get("days", 10))
        if not 1 <= days <= 62:
            raise p.ProtocolError("bad_args", "followups.list: days 应为 1-62", req.id)
        today = self.core.day or self.core.local(self.clock()).date().isoformat()
        since = (dt.date.fromisoformat(today) - dt.timedelta(days=days - 1)).isoformat()
        done = self.store.followups_since(since)
        out = []
        for t in self.store.followup_candidates(since):
            m, f = self.hall.matters.get(t["matter"]), done.get(t["id"])
            level, reason = t["evaluation"], t["evaluation_reason"] or ""
            out.append({"ticket": t["id"], "day": t["day"], "number": t["number"], "matter": t["matter"],
                        "matter_name": m.name if m else t["matter"], "window": t["window"] or "",
                        "staff": t["staff"] or "", "level": level, "label": EVALUATION_LEVELS.get(level, ""),
                        "reason": reason if level else ev.NO_RATING_REASONS.get(reason, reason),
                        "followup": None if f is None else {
                            "result": f.result, "label": ev.FOLLOWUP_RESULTS.get(f.result, ""), "note": f.note,
                            "at": f.at, "staff": f.staff, "level": f.level}})
        return out

    def _list(self, req: p.Request) -> list[dict[str, Any]]:
        a = req.args
        state = a.get("state", "waiting")
        if state not in ("waiting", "called", "all"):
            raise p.ProtocolError("bad_args", "tickets.list: 'state' must be waiting, called or all", req.id)
        queue, window = a.get("queue", ""), a.get("window", "")
        if queue and queue not in self.hall.queues:
            raise p.ProtocolError("unknown_queue", f"没有队列 {queue}", req.id)
        if window and window not in self.hall.windows:
            raise p.ProtocolError("unknown_window", f"没有窗口 {window}", req.id)
        if state == "waiting":
            keys = [k for q, lst in self.core.waiting.items() if not queue or q == queue for k in lst]
            keys += [k for w, lst in self.core.direct.items() if (not window or w == window) for k in lst
                     if not queue or self.core.tickets[k[3]].queue == queue]
            tickets = [self.core.tickets[k[3]] for k in sorted(keys)]
        else:
            tickets = [t for t in self.core.tickets.values()
                       if (state == "all" or t.state is TicketState.CALLED) and (not queue or t.queue == queue)
                       and (not window or t.window == window)]
        return [self._view(t) for t in tickets]

    def _view(self, t: Ticket) -> dict[str, Any]:
        """A ticket as devices see it: masked personal data, never the id hash."""
        matter = self.hall.matters.get(t.matter)
        situation = matter.situation(t.situation) if matter else None
        queue = self.hall.queues.get(t.queue)
        view = {
            "id": t.id, "number": t.number, "queue": t.queue, "queue_name": queue.name if queue else t.queue,
            "state": t.state.value, "matter": t.matter, "matter_name": matter.name if matter else t.matter,
            "situation": t.situation, "situation_name": situation.name if situation else t.situation,
            "materials": list(situation.materials) if situation else [], "channel": t.channel,
            "priority_group": t.priority_group, "priority_verified": t.priority_verified,
            "appointment": t.appointment_slot is not None, "applicant": t.applicant_masked, "id_masked": t.id_masked,
            "phone_masked": t.phone_masked, "issued_at": t.issued_at, "called_at": t.called_at,
            "window": t.window, "target_window": t.target_window, "recalls": t.recalls, "retakes": t.retakes,
            "outcome": t.outcome, "windows": self.hall.windows_serving(t.queue),
            "progress_url": self.hall.progress_url.format(ticket_id=t.id, ticket=t.id, number=t.number,
                                                          hall=self.hall.id, date=t.id[:10]),
        }
        if t.state is TicketState.WAITING:
            view["ahead"] = self.core.ahead(t)
        return view

    def queues_state(self) -> list[dict[str, Any]]:
        """Every queue's summary; only queues whose waiting list changed are recomputed."""
        for qid in self.core.changed_queues:
            self._queue_summary[qid] = self._summarize(qid)
        self.core.changed_queues.clear()
        return [self._queue_summary[q] for q in self.hall.queues]

    def _summarize(self, qid: str) -> dict[str, Any]:
        q, lst, tickets = self.hall.queues[qid], self.core.waiting[qid], self.core.tickets
        return {
            "id": q.id, "name": q.name, "zone": q.zone, "waiting": len(lst),
            "priority": bisect.bisect_left(lst, (1,)),  # class 0 sorts first
            "pending_priority": self.core.pending_priority[qid],
            "next": [tickets[k[3]].number for k in lst[:5]],
            "oldest_issued_at": self.core.oldest_waiting(qid),
            "issued": self.core.counters[qid],
        }

    def window_state(self, wid: str) -> dict[str, Any]:
        w = self.core.windows[wid]
        cfg = self.hall.windows[wid]
        staff = self.hall.staff.get(w.staff)
        current = self.core.tickets.get(w.current) if w.current else None
        pending = self.core.tickets.get(w.evaluation) if w.evaluation else None
        return {
            "v": p.VERSION, "seq": self.seq, "id": wid, "name": cfg.name, "kind": cfg.kind.value, "zone": cfg.zone,
            "state": w.state.value, "reason": w.reason, "since": w.since,
            "staff": {"id": staff.id, "name": staff.name} if staff else None,
            "queues": list(w.queues), "overflow": list(w.overflow),
            "direct_waiting": len(self.core.direct[wid]),
            "current": self._view(current) if current else None,
            "evaluation": {"ticket": pending.id, "number": pending.number, "invited_at": w.evaluation_at,
                           "timeout_s": self.hall.policy.evaluation_timeout_s} if pending else None,
            "counts": w.counts,
            # today's 呼叫后台 from this window, newest first (the open ones and the last few answered)
            "summons": [self._summon_view(s) for s in self._window_summons(wid)],
        }

    def _window_summons(self, wid: str) -> list[Summon]:
        mine = [s for s in reversed(self.core.summons.values()) if s.window == wid]
        return [s for i, s in enumerate(mine) if s.state in SUMMON_OPEN or i < 3]

    # ------------------------------------------------------------ what to publish

    def publications(self, events: list[ev.Event]) -> list[Publication]:
        """Non-retained events for voices and alerts, then retained state for what changed."""
        return self.event_publications(events) + self.state_publications(events)

    def event_publications(self, events: list[ev.Event]) -> list[Publication]:
        """The non-retained events (calls, evaluations, summons...), each with the current seq."""
        t = self.topics
        out: list[Publication] = []
        for e in events:
            if isinstance(e, ev.TicketCalled | ev.TicketRecalled):
                call = self._call(e)
                self.recent_calls = [call, *self.recent_calls][:RECENT_CALLS]
                out.append(Publication(t.event("call"), p.dump(call)))
            elif isinstance(e, ev.TicketIssued) and e.priority_group and not e.priority_verified:
                out.append(Publication(t.event("priority"), p.dump(
                    {"v": p.VERSION, "ticket": self._view(self.core.tickets[e.ticket])})))
            elif isinstance(e, ev.EvaluationInvited):
                out.append(Publication(t.event("evaluate"), p.dump({"v": p.VERSION, "window": e.window,
                                                                    "ticket": e.ticket, "at": e.at})))
            elif isinstance(e, ev.BackOfficeSummoned):
                out.append(Publication(t.event("summon"), p.dump({
                    "v": p.VERSION, "seq": self.seq, "window": e.window, "department": e.department,
                    "ticket": e.ticket, "note": e.note, "by": e.by, "at": e.at, "summon": e.summon,
                    "state": "pending"})))
            elif isinstance(e, ev.SummonAnswered | ev.SummonEscalated):
                s = self.core.summons[e.summon]
                out.append(Publication(t.event("summon"), p.dump({
                    "v": p.VERSION, "seq": self.seq, "window": s.window, "department": s.department,
                    "ticket": s.ticket, "note": s.note, "by": s.by, "at": s.at, "summon": s.id,
                    "state": s.state.value})))
            elif isinstance(e, ev.EvaluationRecorded):
                out.append(Publication(t.event("evaluated"), p.dump({
                    "v": p.VERSION, "window": e.window, "ticket": e.ticket, "level": e.level,
                    "label": EVALUATION_LEVELS[e.level], "at": e.at})))
        return out

    def state_publications(self, events: list[ev.Event]) -> list[Publication]:
        """Retained state (queues, windows, recent calls) for what ``events`` changed, as it is now."""
        t = self.topics
        out: list[Publication] = []
        windows: dict[str, None] = {}
        queues_changed = calls_changed = day_started = False
        for e in events:
            if isinstance(e, ev.DayStarted | ev.TicketsExpired):
                windows.update(dict.fromkeys(self.core.windows))
                queues_changed = True
                day_started = day_started or isinstance(e, ev.DayStarted)
            if isinstance(e, ev.TicketCancelled):  # a called ticket cancelled leaves its window
                cancelled = self.core.tickets.get(e.ticket)
                if cancelled is not None and cancelled.window:
                    windows[cancelled.window] = None
            for name in ("window", "from_window", "to_window"):
                if getattr(e, name, ""):
                    windows[getattr(e, name)] = None
            if isinstance(e, ev.TicketIssued | ev.TicketCalled | ev.TicketTransferred | ev.TicketRequeued |
                          ev.TicketCancelled | ev.PriorityVerified | ev.OutcomeRecorded | ev.AppointmentDue):
                queues_changed = True
            calls_changed = calls_changed or isinstance(e, ev.TicketCalled | ev.TicketRecalled | ev.DayStarted)
        if queues_changed:
            out.append(Publication(t.queues, self.queues_payload(), retain=True))
        for wid in windows:
            if wid in self.core.windows:
                out.append(Publication(t.window(wid), p.dump(self.window_state(wid)), retain=True))
        if calls_changed:
            if day_started:
                self.recent_calls = [c for c in self.recent_calls if c["ticket"].startswith(self.core.day)]
            out.append(Publication(t.calls, self.calls_payload(), retain=True))
        return out

    def _load_recent_calls(self) -> list[dict[str, Any]]:
        """Today's last calls from the event log, newest first (no separate state to keep in sync)."""
        rows = self.store.conn.execute(
            "SELECT seq, type, data FROM events WHERE day=? AND type IN (?, ?) ORDER BY seq DESC LIMIT ?",
            (self.core.day, ev.TicketCalled.type, ev.TicketRecalled.type, RECENT_CALLS)).fetchall()
        calls = []
        for seq, type_, data in rows:
            try:
                e = ev.event_from_dict(p.load(data.encode()))
                if isinstance(e, ev.TicketCalled | ev.TicketRecalled) and e.ticket in self.core.tickets \
                        and e.window in self.hall.windows:
                    calls.append(self._call(e, seq))  # its own seq, as published live
            except (TypeError, ValueError, KeyError) as exc:  # a start must not fail on one bad event
                self.store.quarantine("event", str(seq), self.core.day, str(exc), seq, type_)
        return calls

    def _call(self, e: ev.TicketCalled | ev.TicketRecalled, seq: int | None = None) -> dict[str, Any]:
        ticket = self.core.tickets[e.ticket]
        window = self.hall.windows[e.window]
        recall = e.recalls if isinstance(e, ev.TicketRecalled) else 0
        return {"v": p.VERSION, "seq": self.seq if seq is None else seq, "ticket": ticket.id, "number": ticket.number,
                "window": window.id, "window_name": window.name, "zone": window.zone, "recall": recall,
                "text": f"请{ticket.number}号到{window.id}窗口办理", "at": e.at}

    def queues_payload(self) -> bytes:
        return p.dump({"v": p.VERSION, "seq": self.seq, "day": self.core.day, "queues": self.queues_state()})

    def calls_payload(self) -> bytes:
        return p.dump({"v": p.VERSION, "seq": self.seq, "calls": self.recent_calls})

    def all_state(self) -> list[Publication]:
        """Everything retained, for (re)connects: catalog, queues, every window, recent calls."""
        t = self.topics
        return [
            Publication(t.catalog, p.dump(catalog(self.hall)), retain=True),
            Publication(t.queues, self.queues_payload(), retain=True),
            *(Publication(t.window(w), p.dump(self.window_state(w)), retain=True) for w in self.core.windows),
            Publication(t.calls, self.calls_payload(), retain=True),
        ]


def _ticket_of(events: list[ev.Event]) -> str:
    for e in reversed(events):
        ticket = getattr(e, "ticket", "")
        if ticket:
            return str(ticket)
    raise AssertionError("no ticket event")  # pragma: no cover


def policy_view(hall: Hall) -> dict[str, Any]:
    """Every ``[policy]`` value, so a client can predict what the hub will do (where a retaken
    ticket lands, when it is refused as over-rate …); times as written in the hall file."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(hall.policy):
        value = getattr(hall.policy, f.name)
        if f.name == "opening_hours":
            value = [f"{a:%H:%M}-{b:%H:%M}" for a, b in value]
        elif f.name == "expire_at":
            value = [f"{t:%H:%M}" for t in value]
        out[f.name] = value
    out["checkin_early_min"] = hall.appointments.checkin_early_min  # [appointments], for the kiosk
    out["checkin_late_min"] = hall.appointments.checkin_late_min
    return out


def catalog(hall: Hall) -> dict[str, Any]:
    """What devices need from the hall file (no PIN hashes, no printer secrets), versioned."""

    def d(obj: Any) -> Any:
        return dataclasses.asdict(obj)

    return {
        "v": p.VERSION, "version": hall.version, "hall": {"id": hall.id, "name": hall.name,
                                                          "timezone": hall.timezone,
                                                          "progress_url": hall.progress_url,
                                                          "notices": list(hall.notices),
                                                          "slip_footer": list(hall.slip_footer)},
        "policy": policy_view(hall),
        "zones": [d(z) for z in hall.zones.values()],
        "queues": [d(q) for q in hall.queues.values()],
        "windows": [d(w) for w in hall.windows.values()],
        "matters": [d(m) for m in hall.matters.values()],
        "priority_groups": [d(g) for g in hall.priority_groups.values()],
        "staff": [{"id": s.id, "name": s.name, "roles": [r.value for r in s.roles]} for s in hall.staff.values()],
        "devices": [d(dv) for dv in hall.devices.values()],
        "printers": hall.printer_tables,
        "evaluation_levels": {str(k): v for k, v in EVALUATION_LEVELS.items() if k},
    }
