"""What the hub says: the hall's state as typed messages (:mod:`hallq.messages`), on their topics.

The service decides and commits; this module only looks. Given the core's state (and the
event log's sequence number ``seq`` at the time), it builds every message the hub publishes
or puts in a reply — a ticket view, a window's or the queues' state, a call, the catalog, the
events for voices and alerts — as the Structs of ``hallq/messages.py``, and encodes them with
msgspec. The field order of those Structs is the order of the wire (``docs/protocol.md``
§6-8), so the bytes are what they have always been (``tests/hub/test_wire_bytes.py``).

Two things it remembers, both views of committed state: the last calls of the day (the
``state/calls`` list, so a call is not looked up again in the event log) and each queue's
summary (recomputed only for the queues whose waiting list changed).
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import msgspec

from hallq import messages as m
from hallq import protocol as p
from hub import case_events as ce
from hub import cases as cs
from hub import events as ev
from hub.core import EVALUATION_LEVELS, SUMMON_LABELS, SUMMON_OPEN, HallCore, Summon, Ticket, TicketState, estimate
from hub.hall import Hall

RECENT_CALLS = 20
V = p.VERSION
encode = msgspec.json.Encoder().encode
# events that change the queues' summary (state/queues)
_QUEUE_EVENTS = (ev.TicketIssued, ev.TicketCalled, ev.TicketTransferred, ev.TicketRequeued, ev.TicketCancelled,
                 ev.PriorityVerified, ev.OutcomeRecorded, ev.AppointmentDue,
                 # the predicted wait changes when a window opens, pauses, closes or changes queues
                 ev.WindowOpened, ev.WindowPaused, ev.WindowResumed, ev.WindowClosed, ev.WindowQueuesChanged)


@dataclass(frozen=True)
class Publication:
    topic: str
    payload: bytes
    retain: bool = False
    qos: int = 1


def coalesce(publications: list[Publication]) -> list[Publication]:
    """Events in order; of each retained state topic only its last value (a batch of calls
    repaints the queue summary once, not once per command)."""
    last = {pub.topic: i for i, pub in enumerate(publications) if pub.retain}
    return [pub for i, pub in enumerate(publications) if not pub.retain or last[pub.topic] == i]


def reply(request_id: str | None, result: dict[str, Any] | None = None, *, code: str = "",
          message: str = "") -> bytes:
    """``reply/<device>``: the result, or the refusal's code and message."""
    if code:
        return encode(m.Reply(V, request_id, False, error=m.ReplyError(code, message)))
    return encode(m.Reply(V, request_id, True, result=result or {}))


class Publisher:
    """Messages and topics for one hall. Not thread-safe: the hub's worker owns it."""

    def __init__(self, hall: Hall) -> None:
        self.hall = hall
        self.topics = p.Topics(hall.id)
        self.recent_calls: list[m.Call] = []  # today's last calls, newest first
        self._queue_summary: dict[str, m.QueueSummary] = {}
        self._forecast: estimate.Forecast | None = None  # the predicted wait's run the summaries show
        self._catalog = encode(catalog_message(hall))
        self.progress_token: Callable[[str], str] = lambda ticket: ""  # the slip's {token}: set by the service

    # ------------------------------------------------------------ the messages

    def ticket(self, core: HallCore, t: Ticket, now: float | None = None) -> m.TicketView:
        """A ticket as devices see it: masked personal data, never the id hash; while it waits, people
        ahead and the predicted wait at ``now`` (default: the last event's time)."""
        hall = self.hall
        matter = hall.matters.get(t.matter)
        situation = matter.situation(t.situation) if matter else None
        queue = hall.queues.get(t.queue)
        return m.TicketView(
            t.id, t.number, t.queue, queue.name if queue else t.queue, t.state.value, t.matter,
            matter.name if matter else t.matter, t.situation, situation.name if situation else t.situation,
            list(situation.materials) if situation else [], t.channel, t.priority_group, t.priority_verified,
            t.appointment_slot is not None, t.applicant_masked, t.id_masked, t.phone_masked, t.issued_at,
            t.called_at, t.window, t.target_window, t.recalls, t.retakes, t.outcome, hall.windows_serving(t.queue),
            hall.progress_url.format(ticket_id=t.id, ticket=t.id, number=t.number, hall=hall.id, date=t.id[:10],
                                     token=self.progress_token(t.id)),
            core.ahead(t) if t.state is TicketState.WAITING else msgspec.UNSET,
            *(_wait(estimate.predict_ticket(core, t.id, core.last_event_at if now is None else now))
              if t.state is TicketState.WAITING else ()),
        )

    def summon(self, core: HallCore, s: Summon, now: float) -> m.SummonView:
        """A summon as screens show it; ``wait_s``: how long it has waited (or waited) for an answer."""
        answered = s.responded_at if s.responded_at is not None else s.arrived_at
        end = answered if answered is not None else now
        staff = self.hall.staff.get(s.answered_staff)
        ticket = core.tickets.get(s.ticket)
        return m.SummonView(s.id, s.window, s.department, s.ticket, ticket.number if ticket else "", s.note,
                            s.state.value, SUMMON_LABELS[s.state], s.at, s.escalated_at, s.responded_at,
                            s.arrived_at, max(0.0, end - s.at), staff.name if staff else s.answered_by)

    def queues(self, core: HallCore, now: float | None = None) -> list[m.QueueSummary]:
        """Every queue's summary; only queues whose waiting list changed are recomputed, and every
        queue when the predicted wait's forecast was renewed (every 30 s at most, or a window changed)."""
        now = core.last_event_at if now is None else now
        forecast = estimate.forecast(core, now)
        changed = core.changed_queues if forecast is self._forecast else set(self.hall.queues)
        self._forecast = forecast
        for qid in changed:
            self._queue_summary[qid] = self._summarize(core, qid, now)
        core.changed_queues.clear()
        return [self._queue_summary[q] for q in self.hall.queues]

    def _summarize(self, core: HallCore, qid: str, now: float) -> m.QueueSummary:
        q, lst, tickets = self.hall.queues[qid], core.waiting[qid], core.tickets
        return m.QueueSummary(q.id, q.name, q.zone, len(lst), bisect.bisect_left(lst, (1,)),  # class 0 sorts first
                              core.pending_priority[qid], [tickets[k[3]].number for k in lst[:5]],
                              core.oldest_waiting(qid), core.counters[qid],
                              *_wait(estimate.queue_wait(core, qid, now)))

    def window(self, core: HallCore, wid: str, seq: int, now: float) -> m.WindowState:
        w, cfg = core.windows[wid], self.hall.windows[wid]
        staff = self.hall.staff.get(w.staff)
        current = core.tickets.get(w.current) if w.current else None
        pending = core.tickets.get(w.evaluation) if w.evaluation else None
        # today's 呼叫后台 from this window, newest first (the open ones and the last few answered)
        mine = [s for s in reversed(core.summons.values()) if s.window == wid]
        summons = [self.summon(core, s, now) for i, s in enumerate(mine) if s.state in SUMMON_OPEN or i < 3]
        return m.WindowState(
            V, seq, wid, cfg.name, cfg.kind.value, cfg.zone, w.state.value, w.reason, w.since,
            m.StaffRef(staff.id, staff.name) if staff else None, list(w.queues), list(w.overflow),
            len(core.direct[wid]), self.ticket(core, current) if current else None,
            m.PendingEvaluation(pending.id, pending.number, w.evaluation_at, self.hall.policy.evaluation_timeout_s)
            if pending else None,
            w.counts, summons)

    def call(self, core: HallCore, e: ev.TicketCalled | ev.TicketRecalled, seq: int) -> m.Call:
        ticket, window = core.tickets[e.ticket], self.hall.windows[e.window]
        recall = e.recalls if isinstance(e, ev.TicketRecalled) else 0
        return m.Call(V, seq, ticket.id, ticket.number, window.id, window.name, window.zone, recall,
                      f"请{ticket.number}号到{window.id}窗口办理", e.at)

    def snapshot(self, core: HallCore, seq: int, now: float) -> dict[str, Any]:
        """``hall.snapshot``: the queues and every window, as in their state topics."""
        return {"queues": self.queues(core, now), "windows": [self.window(core, w, seq, now) for w in core.windows]}

    def followups(self, rows: list[dict[str, Any]], done: dict[str, ev.EvaluationFollowedUp]) -> list[m.FollowupItem]:
        """``followups.list``: 差评 (1-2) and 未评价 (0) services (``rows`` from the store), newest
        first, each with the latest 回访/整改 recorded for it (None while open). No applicant data."""
        out = []
        for t in rows:
            matter, f = self.hall.matters.get(t["matter"]), done.get(t["id"])
            level, reason = t["evaluation"], t["evaluation_reason"] or ""
            out.append(m.FollowupItem(
                t["id"], t["day"], t["number"], t["matter"], matter.name if matter else t["matter"], t["window"] or "",
                t["staff"] or "", level, EVALUATION_LEVELS.get(level, ""),
                reason if level else ev.NO_RATING_REASONS.get(reason, reason),
                None if f is None else m.FollowupRecord(f.result, ev.FOLLOWUP_RESULTS.get(f.result, ""), f.note, f.at,
                                                        f.staff, f.level), served_at=t.get("finished_at")))
        return out

    def case(self, book: cs.CaseBook, c: cs.Case, now: float) -> m.CaseView:
        """A case as devices see it (masked; no ID hash, no address)."""
        matter = self.hall.matters.get(c.matter)
        overdue = c.state in cs.UNDECIDED and book.day_of(now) > c.due
        return m.CaseView(
            c.id, c.number, c.state.value, cs.STATE_WORDS[c.state], c.ticket, c.matter,
            matter.name if matter else c.matter, c.situation, c.department, c.kind.value, cs.KIND_WORDS[c.kind],
            c.promised_days, c.due.isoformat(), overdue, c.window, c.applicant_masked,
            [m.CaseMaterial(n, f, cs.FORM_WORDS[cs.MaterialForm(f)], k, again)
             for (n, f, k), again in zip(c.materials, cs.correction_marks(c), strict=True)],
            c.delivery.value, cs.DELIVERY_WORDS[c.delivery], c.compartment, bool(c.address_ref), c.accepted_at,
            c.since, c.signed_at, c.decided_at, c.decision, c.result_kind, list(c.reasons),
            c.correction_deadline.isoformat() if c.correction_deadline else None, c.corrections, c.closed_at,
            c.tracking, c.collector_masked, self._days_left(book, c, now), self._stage_hours(book, c, now),
        )

    @staticmethod
    def _days_left(book: cs.CaseBook, c: cs.Case, now: float) -> int:
        """Working days from today to the promised date (negative: overdue); 0 once decided."""
        if c.state not in cs.UNDECIDED:
            return 0
        try:
            return book.calendar.working_days_between(book.day_of(now), c.due)
        except ValueError:  # a year nobody described: say the calendar days rather than fail the reply
            return (c.due - book.day_of(now)).days

    @staticmethod
    def _stage_hours(book: cs.CaseBook, c: cs.Case, now: float) -> float:
        """Working hours (working days only, as hub.case_figures.stuck_cases counts them) in this state."""
        if c.since > now:
            return 0.0
        try:
            seconds = book.calendar.working_seconds_between(book.local(c.since), book.local(now))
        except ValueError:
            seconds = now - c.since
        return round(seconds / 3600, 2)

    @staticmethod
    def case_history(c: cs.Case) -> list[m.CaseStep]:
        """Every step of a case with its 附件4 handover row when it has one (``case.get``: ``history``)."""
        out = []
        for e, row in cs.history_steps(c):
            out.append(m.CaseStep(e.action, cs.ACTION_WORDS[e.action], e.at, e.device, e.staff,
                                  row.note if row is not None and row.note else _step_note(e),
                                  *((row.stage, row.what, row.giver, row.receiver) if row is not None else ())))
        return out

    def case_events(self, book: cs.CaseBook, events: Iterable[ev.Event], seq: int) -> list[Publication]:
        """``event/case`` for each case event of one command, with the case's state after it."""
        out = []
        for e in events:
            if isinstance(e, ce.CaseEvent) and e.case in book.cases:
                c = book.cases[e.case]
                out.append(Publication(self.topics.event("case"), encode(m.CaseEvent(
                    V, seq, c.id, c.number, e.action, cs.ACTION_WORDS[e.action], c.state.value,
                    cs.STATE_WORDS[c.state], c.department, c.matter, c.window, e.device, e.at))))
        return out

    # ------------------------------------------------------------ what to publish

    def events(self, core: HallCore, events: Iterable[ev.Event], seq: int) -> list[Publication]:
        """The non-retained events (calls, evaluations, summons …) of one command, each with its seq."""
        t = self.topics
        out: list[Publication] = []
        for e in events:
            message: msgspec.Struct | None = None
            if isinstance(e, ev.TicketCalled | ev.TicketRecalled):
                message = self.call(core, e, seq)
                self.recent_calls = [message, *self.recent_calls][:RECENT_CALLS]
                kind = "call"
            elif isinstance(e, ev.TicketIssued) and e.priority_group and not e.priority_verified:
                message, kind = m.PriorityEvent(V, self.ticket(core, core.tickets[e.ticket])), "priority"
            elif isinstance(e, ev.EvaluationInvited):
                message, kind = m.EvaluateEvent(V, e.window, e.ticket, e.at), "evaluate"
            elif isinstance(e, ev.BackOfficeSummoned):
                message = m.SummonEvent(V, seq, e.window, e.department, e.ticket, e.note, e.by, e.at, e.summon,
                                        "pending")
                kind = "summon"
            elif isinstance(e, ev.SummonAnswered | ev.SummonEscalated):
                s = core.summons[e.summon]
                message = m.SummonEvent(V, seq, s.window, s.department, s.ticket, s.note, s.by, s.at, s.id,
                                        s.state.value)
                kind = "summon"
            elif isinstance(e, ev.EvaluationRecorded):
                message = m.EvaluatedEvent(V, e.window, e.ticket, e.level, EVALUATION_LEVELS[e.level], e.at)
                kind = "evaluated"
            if message is not None:
                out.append(Publication(t.event(kind), encode(message)))
        return out

    def reprint(self, core: HallCore, kiosk: str, ticket: Ticket, by: str) -> Publication:
        """``event/reprint``: kiosk ``kiosk`` prints the ticket's slip again."""
        return Publication(self.topics.event("reprint"),
                           encode(m.ReprintEvent(V, kiosk, self.ticket(core, ticket), by)))

    def state(self, core: HallCore, events: Iterable[ev.Event], seq: int, now: float) -> list[Publication]:
        """Retained state (queues, windows, recent calls) for what ``events`` changed, as it is now."""
        t = self.topics
        out: list[Publication] = []
        windows: dict[str, None] = {}
        queues_changed = calls_changed = day_started = False
        for e in events:
            if isinstance(e, ce.CaseEvent):  # a case changes no queue or window
                continue
            if isinstance(e, ev.DayStarted | ev.TicketsExpired):
                windows.update(dict.fromkeys(core.windows))
                queues_changed = True
                day_started = day_started or isinstance(e, ev.DayStarted)
            if isinstance(e, ev.TicketCancelled):  # a called ticket cancelled leaves its window
                cancelled = core.tickets.get(e.ticket)
                if cancelled is not None and cancelled.window:
                    windows[cancelled.window] = None
            for name in ("window", "from_window", "to_window"):
                if getattr(e, name, ""):
                    windows[getattr(e, name)] = None
            queues_changed = queues_changed or isinstance(e, _QUEUE_EVENTS)
            calls_changed = calls_changed or isinstance(e, ev.TicketCalled | ev.TicketRecalled | ev.DayStarted)
        if queues_changed:
            out.append(Publication(t.queues, self.queues_payload(core, seq, now), retain=True))
        out += [Publication(t.window(wid), encode(self.window(core, wid, seq, now)), retain=True)
                for wid in windows if wid in core.windows]
        if calls_changed:
            if day_started:
                self.recent_calls = [c for c in self.recent_calls if c.ticket.startswith(core.day)]
            out.append(Publication(t.calls, self.calls_payload(seq), retain=True))
        return out

    def renewed(self, core: HallCore, seq: int, now: float) -> list[Publication]:
        """The queues' summaries again when the hub's timers renewed the predicted wait's forecast
        without any command (:func:`hub.core.estimate.refresh`, every 30 s of hall time): the waits the
        hall TV and the kiosks show follow the clock between commands, and say what a hub started now
        on the same database would say."""
        if core.wait_memo is None or core.wait_memo is self._forecast:
            return []
        return [Publication(self.topics.queues, self.queues_payload(core, seq, now), retain=True)]

    def queues_payload(self, core: HallCore, seq: int, now: float | None = None) -> bytes:
        return encode(m.QueuesState(V, seq, core.day, self.queues(core, now)))

    def calls_payload(self, seq: int) -> bytes:
        return encode(m.CallsState(V, seq, self.recent_calls))

    def all_state(self, core: HallCore, seq: int, now: float) -> list[Publication]:
        """Everything retained, for (re)connects: catalog, queues, every window, recent calls."""
        t = self.topics
        return [
            Publication(t.catalog, self._catalog, retain=True),
            Publication(t.queues, self.queues_payload(core, seq, now), retain=True),
            *(Publication(t.window(w), encode(self.window(core, w, seq, now)), retain=True) for w in core.windows),
            Publication(t.calls, self.calls_payload(seq), retain=True),
        ]


# ---------------------------------------------------------------- the catalog


def policy_view(hall: Hall) -> m.CatalogPolicy:
    """Every ``[policy]`` value, so a client can predict what the hub will do (where a retaken
    ticket lands, when it is refused as over-rate …); times as written in the hall file. A
    ``[policy]`` key the message does not define fails here, loudly, rather than go unsent."""
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
    return m.CatalogPolicy(**out)


def catalog(hall: Hall) -> dict[str, Any]:
    """The catalog as plain JSON values (what a device holds after decoding ``catalog``)."""
    out: dict[str, Any] = msgspec.to_builtins(catalog_message(hall))
    return out


def catalog_message(hall: Hall) -> m.Catalog:
    """What devices need from the hall file (no PIN hashes, no printer secrets), versioned."""

    def typed(kind: Any, items: Iterable[Any]) -> Any:
        return msgspec.convert(list(items), list[kind], from_attributes=True)

    return m.Catalog(
        V, hall.version,
        m.HallInfo(hall.id, hall.name, hall.timezone, hall.progress_url, list(hall.notices), list(hall.slip_footer)),
        policy_view(hall),
        typed(m.Zone, hall.zones.values()), typed(m.Queue, hall.queues.values()),
        typed(m.Window, hall.windows.values()), typed(m.Matter, hall.matters.values()),
        typed(m.PriorityGroup, hall.priority_groups.values()),
        [m.StaffEntry(s.id, s.name, [r.value for r in s.roles]) for s in hall.staff.values()],
        typed(m.Device, hall.devices.values()),
        hall.printer_tables,
        {str(k): v for k, v in EVALUATION_LEVELS.items() if k},
        _catalog_cases(hall),
    )


def _catalog_cases(hall: Hall) -> m.CatalogCases | None:
    """The ``[cases]`` values devices act on; ``None`` (left out of the catalog, which then reads as
    it did before the field) while they are the defaults that ``CatalogCases`` also says."""
    if hall.cases is None:
        return None
    cases = m.CatalogCases(deliveries=[d.value for d in hall.cases.deliveries],
                           print_completion_notice=[d.value for d in hall.cases.print_completion_notice])
    return None if cases == m.CatalogCases() else cases


def _wait(w: estimate.WaitRange | None) -> tuple[int | None, int | None, int | None, str | msgspec.UnsetType]:
    """``wait_min``, ``wait_lo_min``, ``wait_hi_min``, ``wait_past_close`` of a message (nulls: no
    basis, 暂无法估计; ``wait_past_close`` only when the call would come after the hall voids tickets)."""
    if w is None:
        return None, None, None, msgspec.UNSET
    return w.minutes, w.lo_min, w.hi_min, w.past_close or msgspec.UNSET


def _step_note(e: ce.CaseEvent) -> str:
    """What a step that is not a handover says beside its name (its reasons, its result kind …)."""
    if isinstance(e, ce.CaseDenied | ce.CaseCorrectionNotified):
        return "；".join(e.reasons)
    if isinstance(e, ce.CaseApproved | ce.CaseDoneOnTheSpot):
        return e.result_kind
    if isinstance(e, ce.CaseAccepted):
        return f"承诺办结 {e.due}" if e.kind == "promised" else "即办件"
    if isinstance(e, ce.CaseDeliveryChanged):
        return cs.DELIVERY_WORDS[cs.Delivery(e.delivery)]
    return ""
