"""The citizen's phone page, hub side: the slip's token, ``progress.get`` and ``progress.rate``.

The slip's QR carries a URL with a **token** bound to one ticket: the ticket id and a keyed
HMAC-SHA256 of it (128 bits, base64url) under a key derived from the hub's ID key (the key
file beside the database, like the ID hash and the sealed addresses). Nobody can make a token
without that key, so walking numbers (``A001``, ``A002`` …) finds nothing; the web server
(role ``web``) never sees the key, it only passes tokens on. :func:`ticket_of` checks a token
the same way whatever is wrong with it (the MAC is always computed and compared in constant
time), so an answer's timing does not say whether a number exists.

``progress.get`` answers with :class:`hallq.messages.ProgressView`: the ticket as its slip
shows it (masked, no ID), its place while waiting, where to go when called, how to re-take
after a pass, the case (办件) it led to, and the 好差评 form's terms. ``progress.rate`` is the
form's answer: the decision is :func:`hub.rules.web_rating` (a service left 未评价, once,
within the follow-up period); it is recorded as an ``evaluation.followed_up`` with result
``rated`` and channel ``web``, which the reports count as the service's rating.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from typing import Any

import msgspec

from hallq import messages as m
from hallq.rating import BAD_REASONS  # 差评 reasons offered on the phone page: the window evaluator's too
from hub import cases as cs
from hub.cases import CaseBook
from hub.core import EVALUATION_LEVELS, HallCore, TicketState, estimate
from hub.hall import Hall
from hub.workdays import WorkCalendar

_LABEL = b"hallq progress token v1"
_TOKEN = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2}-[A-Za-z0-9]{1,12})\.([A-Za-z0-9_-]{22})$")
STATE_LABELS = {
    TicketState.WAITING: "等候中", TicketState.CALLED: "已叫号", TicketState.ACCEPTED: "已受理",
    TicketState.CONSULTED: "已咨询办结", TicketState.REJECTED: "不予受理", TicketState.PASSED: "已过号",
    TicketState.CANCELLED: "已取消", TicketState.EXPIRED: "已过期作废",
}
# the page's stages and the case action that reaches each (the first time)
STAGES = (("accepted", "受理", ("accept",)), ("transferred", "转递", ("pick_up", "done_on_spot")),
          ("review", "审查", ("sign", "done_on_spot")), ("decided", "办结", ("approve", "deny", "done_on_spot")),
          ("ready", "待领取", ("receive_result", "done_on_spot")),
          ("collected", "已领取", ("collect", "locker", "post")))


def _key(id_key: bytes) -> bytes:
    return hmac.new(id_key, _LABEL, hashlib.sha256).digest()


def _mac(id_key: bytes, ticket: str) -> str:
    digest = hmac.new(_key(id_key), ticket.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token(id_key: bytes, ticket: str) -> str:
    """The slip's token for a ticket id (``2026-11-23-A001.<22 characters>``)."""
    return f"{ticket}.{_mac(id_key, ticket)}"


def ticket_of(id_key: bytes, value: str) -> str | None:
    """The ticket id a token was made for, or None for anything else (same work either way)."""
    found = _TOKEN.fullmatch(value)
    ticket, mac = (found.group(1), found.group(2)) if found else ("0000-00-00-X", "A" * 22)
    good = hmac.compare_digest(_mac(id_key, ticket), mac)
    return ticket if found and good else None


def view(hall: Hall, core: HallCore, book: CaseBook, record: dict[str, Any] | None, ticket: str,
         rating: m.ProgressRating | None, now: float) -> m.ProgressView:
    """The page's data for a ticket: today's from the core, an earlier day's from its stored ``record``."""
    t = core.tickets.get(ticket)
    if t is not None:
        fields = {"number": t.number, "queue": t.queue, "matter": t.matter, "situation": t.situation,
                  "state": t.state.value, "window": t.window, "called_at": t.called_at, "retakes": t.retakes}
        ahead: int | None = core.ahead(t) if t.state is TicketState.WAITING else None
        wait = estimate.predict_ticket(core, ticket, now) if t.state is TicketState.WAITING else None
    else:
        assert record is not None
        fields = {k: record[k] for k in ("number", "queue", "matter", "situation", "state", "window", "called_at",
                                         "retakes")}
        if fields["state"] in (TicketState.WAITING.value, TicketState.CALLED.value):
            fields["state"] = TicketState.EXPIRED.value  # an earlier day's ticket is void now (票号当天有效)
        ahead, wait = None, None
    matter = hall.matters.get(str(fields["matter"]))
    situation = matter.situation(str(fields["situation"])) if matter else None
    state = TicketState(str(fields["state"]))
    case = next((c for c in book.cases.values() if c.ticket == ticket), None)
    return m.ProgressView(
        hall.name, hall.timezone, str(fields["number"]), ticket[:10], state.value, STATE_LABELS[state],
        matter.name if matter else str(fields["matter"]), situation.name if situation else "",
        hall.windows_serving(str(fields["queue"])), str(fields["window"] or ""), ahead,
        wait.lo_min if wait else None, wait.hi_min if wait else None,
        fields["called_at"] if isinstance(fields["called_at"], float | int) else None,
        hall.policy.retake_limit, int(fields["retakes"] or 0), hall.policy.retake_places_back,
        _case(case) if case is not None else None, rating,
        wait.past_close if wait and wait.past_close else msgspec.UNSET)


def _case(c: cs.Case) -> m.ProgressCase:
    reached: dict[str, float] = {}
    ready_window = ""
    for e in c.history:
        for key, _, actions in STAGES:
            if e.action in actions and key not in reached:
                reached[key] = e.at
        if e.action == "receive_result":
            ready_window = str(getattr(e, "window", "") or "")
    stages = [m.ProgressStage(key, "不予许可" if key == "decided" and c.decision == "denied" else label,
                              reached.get(key)) for key, label, _ in STAGES]
    waiting = c.state is cs.CaseState.AWAITING_CORRECTION
    return m.ProgressCase(
        c.number or c.id, c.state.value, cs.STATE_WORDS[c.state], cs.KIND_WORDS[c.kind], c.due.isoformat(), stages,
        list(c.reasons), c.correction_deadline.isoformat() if waiting and c.correction_deadline else None,
        c.window, c.delivery.value, cs.DELIVERY_WORDS[c.delivery], [ready_window] if ready_window else [],
        c.kind.value)


def rating_terms(calendar: WorkCalendar, day: str, followup_days: int, evaluation: int | None, given: int,
                 today: dt.date) -> m.ProgressRating | None:
    """The form's terms for a service of ``day``: None when it was never invited (not served) or was rated
    at the window (1-5); else open until the follow-up period's last working day, unless rated since."""
    if evaluation is None or evaluation > 0:
        return None
    served = dt.date.fromisoformat(day)
    try:
        closes = calendar.add_working_days(served, followup_days)
    except ValueError:  # a year the calendar does not know: count calendar days, never refuse to show the page
        closes = served + dt.timedelta(days=followup_days)
    return m.ProgressRating(not given and today <= closes, closes.isoformat(),
                            {str(k): v for k, v in sorted(EVALUATION_LEVELS.items(), reverse=True) if k},
                            list(BAD_REASONS), given)
