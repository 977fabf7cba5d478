"""The hub's application service: command payloads in, replies and publications out.

This is where the wire meets the domain, with no MQTT of its own (the runtime moves bytes).
It decodes, authorizes and dispatches; it decides nothing about tickets and builds no
message itself:

1. decode and check the payload (:mod:`hallq.protocol`, through the typed commands of
   :mod:`hallq.commands`): malformed → an error reply; a device over its rate
   (``[policy] rate_per_minute``) → ``rate_limited``, nothing else happens;
2. who is asking: the device id comes from the topic, its role from the hall file; a
   kiosk cannot call, a pad or window screen acts only on its own window;
3. a request id seen before → the stored first reply, nothing else happens;
4. personal data is reduced at the door: a full ID number is validated, masked and
   keyed-hashed here and goes no further (not into events, logs or replies);
5. the core (:mod:`hub.core`, with :mod:`hub.rules` for what needs a stored record) decides;
   events, projections and the reply commit in one transaction (:mod:`hub.store`);
6. the publisher (:mod:`hub.publisher`) turns what changed into messages on their topics.

Two entry points: :meth:`HubService.handle` answers one command with its reply and every
publication; :meth:`HubService.handle_batch` commits a batch of commands in one transaction
(the runtime's group commit, one fsync) and repaints the retained state once for the batch.
Neither raises for a command: each runs in its own savepoint, so a command that fails in a way
nobody foresaw is rolled back alone, memory is reloaded from the database, and it is answered
``internal`` — or, when it cannot be answered at all (no usable reply topic, no request id),
dropped with a log line (``Outcome.reply`` is None). It never takes the others with it.

(A little over 400 lines: the dispatch is one ``match`` with one short case per op, so every
op's way from its typed command to the core reads in one place.)
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from msgspec import UNSET

from hallq import clock as hallclock
from hallq import commands as k
from hallq import idcard
from hallq import messages as m
from hallq import protocol as p
from hub import case_desk, progress, rules
from hub import events as ev
from hub.case_desk import CASE_OPS, CASE_QUERIES, CaseDesk, new_book
from hub.core import DomainError, HallCore
from hub.hall import Hall, Role
from hub.notify_desk import NOTIFY_QUERIES, NotifyDesk
from hub.publisher import RECENT_CALLS, Publication, Publisher, coalesce, reply
from hub.security.ratelimit import RateLimiter
from hub.store import Store

log = logging.getLogger("hallq.hub")


@dataclass
class Outcome:
    """One command answered: its reply (None: dropped, logged: see the module docstring), what to
    publish for it and whether it succeeded. ``events``: what it committed (their retained state is
    in ``publications`` from :meth:`HubService.handle`, once per batch from ``handle_batch``)."""

    reply: bytes | None
    publications: list[Publication]
    ok: bool
    events: list[ev.Event] = field(default_factory=list)


@dataclass
class Batch:
    """Commands committed together: each reply, by device, in order (dropped ones have none), then
    every event publication in order and the retained state once, as the batch left it."""

    replies: list[tuple[str, bytes]]
    publications: list[Publication]


@dataclass
class _Decision:
    """What an op decided: the reply's result, the events, and any one-off message besides the
    events' own (``event/reprint``: a guide's request that changes no state)."""

    result: dict[str, Any]
    events: list[ev.Event]
    notices: list[Publication] = field(default_factory=list)


class HubService:
    """``rate_limit=False``: the caller refuses over-rate commands before they reach the service
    (the runtime does, as they arrive); the service then does not count them a second time."""

    def __init__(self, hall: Hall, store: Store, id_key: bytes, clock: Callable[[], float] = hallclock.now, *,
                 rate_limit: bool = True) -> None:
        self.hall = hall
        self.store = store
        self.id_key = id_key
        self.clock = clock
        self.topics = p.Topics(hall.id)
        self.publisher = Publisher(hall)
        self.core: HallCore = store.load(hall)
        self.book = store.load_cases(new_book(hall))  # every case, replayed from the log
        self.cases = CaseDesk(hall, store, id_key, self.publisher, self._id)
        self.publisher.progress_token = lambda ticket: progress.token(id_key, ticket)
        self.notify = NotifyDesk(store, id_key, self.publisher)  # consenting citizens' phones (docs/notify.md)
        self.seq = store.last_seq()
        self.publisher.recent_calls = self._load_recent_calls()
        store.note_hall_file(self.core.day, hall.version, hall.text)
        self.limiter = RateLimiter(hall.policy.rate_per_minute if rate_limit else 0, hall.policy.rate_burst,
                                   wide=[d.id for d in hall.devices.values() if d.role == "web"])

    # ------------------------------------------------------------ entry points

    def handle(self, device: str, payload: bytes) -> Outcome:
        """One command → its reply and every publication, in its own transaction; never raises."""
        out = self._handle(device, payload)
        if out.events:
            out.publications += self.publisher.state(self.core, out.events, self.seq, self.clock())
        return out

    def handle_batch(self, batch: list[tuple[str, bytes]]) -> Batch:
        """Group commit: the batch's commands in one transaction, each in its own savepoint, and
        the retained state once for all of them. Raises only if the commit itself fails (then
        nothing of the batch happened and memory is back to what the database holds)."""
        try:
            with self.store.transaction():
                results = [(device, self._handle(device, payload)) for device, payload in batch]
        except Exception:
            self.reload()  # memory (core, seq, recent calls) ran ahead of the disk
            raise
        changed = [e for _, out in results for e in out.events]
        publications = [pub for _, out in results for pub in out.publications]
        publications += self.publisher.state(self.core, changed, self.seq, self.clock())
        return Batch([(device, out.reply) for device, out in results if out.reply is not None],
                     coalesce(publications))

    def tick(self) -> list[Publication]:
        """Timers: day rollover, scheduled expiry, evaluation timeouts, the predicted wait's forecast
        (its queue summaries re-published when it was renewed). Called about once a second."""
        try:
            now = self.clock()
            pubs = self._tick(now)
            return pubs + self.publisher.renewed(self.core, self.seq, now)
        except Exception:
            self.reload()  # the timers' events were rolled back: memory must not keep them
            raise

    def all_state(self) -> list[Publication]:
        """Everything retained, for (re)connects: catalog, queues, every window, recent calls."""
        return self.publisher.all_state(self.core, self.seq, self.clock())

    def reload(self) -> None:
        """Memory back to what the database holds (after a rollback): the core, the last seq and
        the recent calls, so retained state never shows a command that was not committed."""
        self.core = self.store.load(self.hall)
        self.book = self.store.load_cases(new_book(self.hall))
        self.seq = self.store.last_seq()
        self.publisher.recent_calls = self._load_recent_calls()

    # ------------------------------------------------------------ one command

    def _handle(self, device: str, payload: bytes) -> Outcome:
        if not p.is_segment(device):  # no reply topic to answer on (e.g. ``cmd/`` or a name with spaces)
            log.warning("dropped a command on a topic that names no valid device (%d bytes)", len(payload),
                        extra={"code": "bad_device_topic", "bytes": len(payload)})
            return Outcome(None, [], False)
        try:
            with self.store.transaction():
                return self._decide(device, payload)
        except Exception:  # the savepoint is rolled back: this command did nothing
            log.exception("internal error handling a command from %s", device, extra={"device": device})
            self.reload()
            try:
                rid: str | None = p.decode_request(payload).id
            except Exception:
                rid = None
            if rid is None:
                log.error("dropped a command from %s: it failed and has no request id to answer", device,
                          extra={"device": device, "code": "internal"})
                return Outcome(None, [], False)
            return Outcome(reply(rid, code="internal", message="hub 内部错误，操作未生效"), [], False)

    def _decide(self, device: str, payload: bytes) -> Outcome:
        within_rate = self.limiter.allow(device)  # garbage counts too: a flood is a flood
        try:
            req = p.decode_request(payload)
        except p.ProtocolError as exc:
            log.warning("refused payload from %s: %s", device, exc.code,
                        extra={"device": device, "code": exc.code, "bytes": len(payload)})
            return Outcome(reply(exc.request_id, code=exc.code, message=exc.message), [], False)
        if not within_rate:
            log.warning("rate limited %s (%s)", device, req.op, extra={"device": device, "op": req.op,
                                                                      "code": "rate_limited"})
            message = "操作过于频繁，请稍后再试 (too many commands; retry later)"
            return Outcome(reply(req.id, code="rate_limited", message=message), [], False)
        stored = self.store.stored_reply(device, req.id)
        if stored is not None:
            return Outcome(stored, [], True)
        now = self.clock()
        pubs = self._tick(now)  # timers first, in their own transaction: a refusal below keeps them
        try:
            self._authorize(device, req)
            if p.OPS[req.op].query:
                try:
                    return Outcome(reply(req.id, self._query(req, now, device)), pubs, True)
                except DomainError as exc:  # a query is never stored: refused like a protocol error
                    raise p.ProtocolError(exc.code, exc.message, req.id) from None
            try:
                decided = self._dispatch(device, req, now)
            except DomainError as exc:  # the core decided nothing; the refusal is the stored answer
                log.debug("%s %s refused: %s", device, req.op, exc.code,
                          extra={"device": device, "op": req.op, "code": exc.code})
                answer = reply(req.id, code=exc.code, message=exc.message)
                self.store.record(self.core, [], device=device, request_id=req.id, op=req.op, reply=answer, at=now)
                return Outcome(answer, pubs, False)
            events = decided.events
            if self.hall.devices[device].role in (Role.GUIDE, Role.ADMIN):
                audit = rules.audit(self.core, now, req.op, device, req.args)
                events = [*events, audit] if audit else events
            answer = reply(req.id, decided.result)
            self.seq = self.store.record(self.core, events, device=device, request_id=req.id, op=req.op,
                                         reply=answer, at=now, book=self.book)
            log.debug("%s %s ok", device, req.op, extra={"device": device, "op": req.op, "events": len(events)})
            return Outcome(answer, pubs + self.publisher.events(self.core, events, self.seq)
                           + self.publisher.case_events(self.book, events, self.seq) + decided.notices, True, events)
        except p.ProtocolError as exc:
            log.info("refused %s from %s: %s", req.op, device, exc.code,
                     extra={"device": device, "op": req.op, "code": exc.code})
            return Outcome(reply(req.id, code=exc.code, message=exc.message), pubs, False)

    def _tick(self, now: float) -> list[Publication]:
        events = self.core.tick(now)
        if not events:
            return []
        self.seq = self.store.record(self.core, events)
        if any(isinstance(e, ev.DayStarted) for e in events):
            self.store.note_hall_file(self.core.day, self.hall.version, self.hall.text)
        return self.publisher.events(self.core, events, self.seq) + self.publisher.state(self.core, events, self.seq,
                                                                                         now)

    # ------------------------------------------------------------ who may do what

    def _authorize(self, device_id: str, req: p.Request) -> None:
        device = self.hall.devices.get(device_id)
        if device is None:
            raise p.ProtocolError("unknown_device", f"设备 {device_id} 未在大厅配置中登记", req.id)
        op, cmd = p.OPS[req.op], req.command
        if device.role.value not in op.roles:
            raise p.ProtocolError("forbidden", f"{device.role.value} 设备不能执行 {req.op}", req.id)
        window = getattr(cmd, "window", "")
        if op.own_window and device.role in (Role.PAD, Role.DISPLAY):
            if window and window != device.window:
                raise p.ProtocolError("forbidden", f"设备 {device_id} 只能操作窗口 {device.window}", req.id)
            if isinstance(cmd, k.TicketTransfer) and not window:
                raise p.ProtocolError("forbidden", "窗口设备只能转移本窗口正在办理的号", req.id)
        if (device.role is Role.GUIDE and req.op in rules.OVERRIDES and self.hall.policy.guide_sign_in_required
                and device_id not in self.core.guides):
            raise p.ProtocolError("not_signed_in", "请先签到：引导台的代办与调整操作需要签到后才能执行"
                                  " (sign in first: this hall audits every override by guide)", req.id)
        if isinstance(cmd, k.SummonRespond | k.SummonArrive) and device.role is Role.BACKOFFICE:
            summon = self.core.summons.get(cmd.summon)
            if summon is not None and summon.department != device.department:
                raise p.ProtocolError("forbidden", f"本后台只能应答呼叫{device.department}的呼叫后台", req.id)
        if isinstance(cmd, k.TicketIssue) and device.role is Role.KIOSK and cmd.channel not in (UNSET, "kiosk"):
            raise p.ProtocolError("forbidden", "自助机只能以 kiosk 渠道取号（预约请用 appointment.checkin）", req.id)
        if isinstance(cmd, k.TicketCancel) and device.role is Role.KIOSK:
            try:
                issuer = self.core.ticket(cmd.ticket).device
            except DomainError:
                issuer = ""
            if issuer != device_id:
                raise p.ProtocolError("forbidden", "自助机只能作废本机发出的票", req.id)

    # ------------------------------------------------------------ dispatch

    def _dispatch(self, device: str, req: p.Request, now: float) -> _Decision:
        c, cmd = self.core, req.command
        if isinstance(cmd, CASE_OPS):
            result, case_events = self.cases.dispatch(self.book, c, self.hall.devices[device], cmd, now)
            return _Decision(result, list(case_events))
        force = self.hall.devices[device].role in (Role.GUIDE, Role.ADMIN)
        match cmd:
            case k.TicketIssue():
                return self._issue(device, cmd, now)
            case k.TicketRetake():
                return self._called(c.retake(now, cmd.ticket, device))
            case k.TicketCallNext():
                return self._called(c.call_next(now, cmd.window))
            case k.TicketCall():
                return self._called(c.call_ticket(now, cmd.window, cmd.ticket, force=force))
            case k.TicketRecall():
                return self._called(c.recall(now, cmd.window))
            case k.TicketOutcome():
                return self._ticket(c.outcome(now, cmd.window, cmd.outcome, cmd.reason, cmd.note))
            case k.TicketBackfill():
                return self._ticket(c.backfill(now, cmd.window, cmd.matter, cmd.situation, cmd.outcome, cmd.reason,
                                               cmd.note, device=device))
            case k.TicketTransfer():
                return self._ticket(c.transfer(now, ticket=cmd.ticket, window=cmd.window, to_queue=cmd.to_queue,
                                               to_window=cmd.to_window, note=cmd.note, by=device,
                                               keep_place=None if cmd.keep_place is UNSET else cmd.keep_place))
            case k.TicketCancel():
                return self._ticket(c.cancel(now, cmd.ticket, cmd.reason, by=device))
            case k.TicketVerifyPriority():
                return self._ticket(c.verify_priority(now, cmd.ticket, cmd.group, by=device))
            case k.TicketReprint():
                kiosk, ticket = rules.reprint_kiosk(self.hall, cmd.device), c.ticket(cmd.ticket)
                return _Decision({"ticket": self.publisher.ticket(c, ticket)}, [],
                                 [self.publisher.reprint(c, kiosk.id, ticket, device)])
            case k.AppointmentCheckin():
                return self._checkin(device, cmd, now)
            case k.TicketsExpire():
                events = c.expire_all(now, "guide")
                expired = events[0]
                assert isinstance(expired, ev.TicketsExpired)
                return _Decision({"expired": len(expired.tickets)}, events)
            case k.WindowOpen():
                rules.staff_signing_in(self.hall, cmd.staff, cmd.pin, at_window=True)
                return _Decision({}, c.open_window(now, cmd.window, cmd.staff, device))
            case k.GuideLogin():
                staff = rules.staff_signing_in(self.hall, cmd.staff, cmd.pin, at_window=False)
                return _Decision({"staff": {"id": staff.id, "name": staff.name}}, c.guide_login(now, device, staff.id))
            case k.GuideLogout():
                return _Decision({}, c.guide_logout(now, device))
            case k.BackofficeLogin():  # the same sign-in record as a guide's: device → staff, one desk each
                clerk = case_desk.clerk_signing_in(self.hall, self.hall.devices[device], cmd.staff, cmd.pin)
                return _Decision({"staff": {"id": clerk.id, "name": clerk.name}}, c.guide_login(now, device, clerk.id))
            case k.BackofficeLogout():
                if device not in c.guides:
                    raise DomainError("not_signed_in", "本后台当前没有人员签到")
                return _Decision({}, c.guide_logout(now, device))
            case k.WindowPause():
                return _Decision({}, c.pause(now, cmd.window, cmd.reason, by=device))
            case k.WindowResume():
                return _Decision({}, c.resume(now, cmd.window, by=device))
            case k.WindowClose():
                return _Decision({}, c.close_window(now, cmd.window, by=device))
            case k.WindowSetQueues():
                return _Decision({}, c.set_queues(now, cmd.window, cmd.queues, cmd.overflow, cmd.reason, by=device))
            case k.WindowSummon():
                events = c.summon(now, cmd.window, cmd.department, cmd.note, by=device)
                summoned = events[0]
                assert isinstance(summoned, ev.BackOfficeSummoned)
                s = c.summons[summoned.summon]
                return _Decision({"department": s.department, "summon": self.publisher.summon(c, s, now)}, events)
            case k.SummonRespond() | k.SummonArrive():
                action = req.op.split(".")[1]
                events = c.answer_summon(now, cmd.summon, action, device, c.guides.get(device, ""))
                return _Decision({"summon": self.publisher.summon(c, c.summons[cmd.summon], now)}, events)
            case k.EvaluationSubmit():
                return _Decision({}, c.evaluate(now, cmd.window, cmd.level, cmd.reason, cmd.ticket, device))
            case k.EvaluationSkip():
                return _Decision({}, c.skip_evaluation(now, cmd.window, device))
            case k.EvaluationFollowup():
                return self._followup(device, cmd, now, req.id)
            case k.NotifyClaim():
                answer, claimed = self.notify.claim(c, self.book, cmd, device, now)
                return _Decision({"claim": answer}, claimed)
            case k.ProgressRate():
                tid, terms = self._progress_terms(cmd.token, now)
                events = rules.web_rating(c, now, tid, cmd.level, cmd.reason, served=terms is not None,
                                          given=terms.given if terms else 0, open_=bool(terms and terms.open),
                                          reasons=terms.reasons if terms else [], device=device)
                return _Decision({"level": cmd.level, "label": ev.FOLLOWUP_RESULTS["rated"]}, events)
        raise p.ProtocolError("unknown_op", f"unknown op {req.op!r}", req.id)  # pragma: no cover

    def _called(self, events: list[ev.Event]) -> _Decision:
        """The ticket the last event names (a call, recall or retake), as it is now."""
        return _Decision({"ticket": self.publisher.ticket(self.core, self.core.tickets[_ticket(events[-1])])},
                         events)

    def _ticket(self, events: list[ev.Event]) -> _Decision:
        """The ticket the last event naming one names, as it is now."""
        ticket = next(_ticket(e) for e in reversed(events) if _ticket(e))
        return _Decision({"ticket": self.publisher.ticket(self.core, self.core.tickets[ticket])}, events)

    def _issue(self, device: str, cmd: k.TicketIssue, now: float) -> _Decision:
        id_masked = id_hash = ""
        if cmd.id_number:
            id_masked, id_hash = self._id(cmd.id_number, now)
        channel = "kiosk" if cmd.channel is UNSET else cmd.channel
        if self.hall.devices[device].role in (Role.GUIDE, Role.ADMIN) and cmd.channel is UNSET:
            channel = "guide"
        self.notify.check(cmd.phone, cmd.notify_consent)
        decided = self._ticket(self.core.issue(
            now, matter=cmd.matter, situation=cmd.situation, channel=channel, device=device,
            priority_group=cmd.priority_group, applicant_masked=idcard.mask_name(cmd.name),
            id_masked=id_masked, id_hash=id_hash, phone_masked=idcard.mask_phone(cmd.phone),
            appointment_slot=None if cmd.appointment_slot is UNSET else cmd.appointment_slot, assist=cmd.assist,
            target_window=cmd.target_window,
        ))
        self.notify.keep(decided.result["ticket"].id, self.core.day, cmd.phone, cmd.notify_consent, now)
        return decided

    def _id(self, id_number: str, now: float) -> tuple[str, str]:
        """A full ID number, at the door: validated, then only its masked form and keyed hash go on."""
        try:
            number = idcard.validate_id(id_number, today=self.core.local(now).date())
        except idcard.InvalidIdNumber as exc:
            raise DomainError("invalid_id_number", str(exc)) from None
        return idcard.mask_id(number), idcard.keyed_hash(number, self.id_key)

    def _checkin(self, device: str, cmd: k.AppointmentCheckin, now: float) -> _Decision:
        """预约签到 (R5): the booking by appointment code or ID number; the rules decide."""
        if cmd.code:
            booking = self.store.appointment(code=cmd.code.strip().upper())
        elif cmd.id_number:
            booking = self.store.appointment(id_hash=self._id(cmd.id_number, now)[1], day=self.core.day)
        else:
            raise p.ProtocolError("bad_args", "appointment.checkin: give 'code' or 'id_number'")
        events = rules.check_in(self.core, now, booking, device)
        issued = events[-1]
        assert isinstance(issued, ev.TicketIssued)
        assert booking is not None
        decided = self._called(events)
        decided.result["checkin"] = issued.checkin  # on_time / early / late: what the kiosk says about the ticket
        decided.result["slot"] = booking["slot_start"]
        return decided

    def _followup(self, device: str, cmd: k.EvaluationFollowup, now: float, rid: str) -> _Decision:
        result, note, level = cmd.result, cmd.note.strip(), cmd.level
        if result not in ev.FOLLOWUP_RESULTS:
            choices = ", ".join(ev.FOLLOWUP_RESULTS)
            raise p.ProtocolError("bad_args", f"result 应为 {choices} 之一 (got {result!r})", rid)
        if not note and result not in ev.CALL_OUTCOMES:  # a 回访 call's outcome may go without a note
            raise p.ProtocolError("bad_args", "note 不能为空：写明整改或回访的情况 (what was done)", rid)
        if (result == "rated") != (1 <= level <= 5):
            raise p.ProtocolError("bad_args", "回访后已评价 (rated) 需要 level 1-5，其他结果不带 level", rid)
        exists, evaluation = self.store.evaluation_of(cmd.ticket)
        events = rules.follow_up(self.core, now, cmd.ticket, result, note, level, exists=exists,
                                 evaluation=evaluation, device=device)
        return _Decision({"ticket": cmd.ticket, "result": result, "label": ev.FOLLOWUP_RESULTS[result]}, events)

    # ------------------------------------------------------------ queries

    def _query(self, req: p.Request, now: float, device: str = "") -> dict[str, Any]:
        c, cmd = self.core, req.command
        if isinstance(cmd, CASE_QUERIES):
            return self.cases.query(self.book, self.hall.devices[device], cmd, now)
        if isinstance(cmd, NOTIFY_QUERIES):
            return self.notify.query(c, self.book, cmd, now)
        if isinstance(cmd, k.BackofficeWhoami | k.GuideWhoami):  # the same sign-in record (device → staff)
            return {"staff": case_desk.clerk_signed_in(self.hall, c.guides, device)}
        if isinstance(cmd, k.FollowupPhone):  # the guide's 回访 view: a query whose reveal is audited
            shown, audited = self.notify.reveal(c, cmd, device, now,
                                                sign_in_required=self.hall.policy.guide_sign_in_required)
            self.seq = self.store.record(c, [audited], device=device, at=now)
            return {"shown": shown}
        match cmd:
            case k.TicketGet():
                return {"ticket": self.publisher.ticket(c, c.ticket(cmd.ticket), now)}
            case k.ProgressGet():
                ticket, terms = self._progress_terms(cmd.token, now)
                return {"progress": progress.view(self.hall, c, self.book, self.store.ticket_record(ticket), ticket,
                                                  terms, now)}
            case k.TicketsList():
                return {"tickets": [self.publisher.ticket(c, t, now) for t in rules.listed(c, cmd.state, cmd.queue,
                                                                                            cmd.window)]}
            case k.FollowupsList():
                if not 1 <= cmd.days <= 62:
                    raise p.ProtocolError("bad_args", "followups.list: days 应为 1-62", req.id)
                today = c.day or c.local(now).date().isoformat()
                since = (dt.date.fromisoformat(today) - dt.timedelta(days=cmd.days - 1)).isoformat()
                return {"items": self.notify.mark_consent(self.publisher.followups(
                    self.store.followup_candidates(since), self.store.followups_since(since)))}
        return self.publisher.snapshot(c, self.seq, now)

    def _progress_terms(self, token: str, now: float) -> tuple[str, m.ProgressRating | None]:
        """The ticket of a phone page's token (``not_found`` for any token the hub did not make, one path
        whatever is wrong with it) and its rating form's terms."""
        ticket = progress.ticket_of(self.id_key, token)
        record = self.store.ticket_record(ticket) if ticket else None
        if ticket is None or (ticket not in self.core.tickets and record is None):
            raise DomainError("not_found", "未找到该号")
        t = self.core.tickets.get(ticket)
        evaluation = t.evaluation if t is not None else (record or {}).get("evaluation")
        given = self.store.followups_since(ticket[:10]).get(ticket)
        level = given.level if given is not None and given.result == "rated" else 0
        return ticket, progress.rating_terms(self.book.calendar, ticket[:10], self.hall.policy.followup_working_days,
                                             evaluation, level, self.core.local(now).date())

    def _load_recent_calls(self) -> list[Any]:
        """Today's last calls from the event log, newest first (no separate state to keep in sync)."""
        calls = []
        for seq, type_, data in self.store.calls_of(self.core.day, RECENT_CALLS):
            try:
                e = ev.event_from_dict(p.load(data.encode()))
                if isinstance(e, ev.TicketCalled | ev.TicketRecalled) and e.ticket in self.core.tickets \
                        and e.window in self.hall.windows:
                    calls.append(self.publisher.call(self.core, e, seq))  # its own seq, as published live
            except (TypeError, ValueError, KeyError) as exc:  # a start must not fail on one bad event
                self.store.quarantine("event", str(seq), self.core.day, str(exc), seq, type_)
        return calls


def _ticket(e: ev.Event) -> str:
    return str(getattr(e, "ticket", ""))
