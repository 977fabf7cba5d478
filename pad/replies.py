"""The hub's replies to the pad and the guide console, typed where the contract has a message.

A reply's ``result`` arrives as a table (:class:`hallq.messages.Reply`); what it carries depends
on the op (docs/protocol.md §7). The tickets and the guide on duty in it have typed messages
(:class:`~hallq.messages.TicketView`, :class:`~hallq.messages.StaffRef`): these read them, and a
malformed one is logged with what and where and left out, never half-read.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec

from hallq.messages import StaffRef, TicketView

log = logging.getLogger("pad.replies")


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


def staff_of(result: dict[str, Any]) -> StaffRef | None:
    """The guide signed in by a ``guide.login`` reply (``None`` if it is missing or malformed: logged)."""
    try:
        return msgspec.convert(result.get("staff"), StaffRef)
    except msgspec.ValidationError as exc:
        log.warning("ignored a malformed staff in a guide.login reply (at $.staff): %s", exc)
        return None
