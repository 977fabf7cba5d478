"""The hub's replies to the pad and the guide console, read typed.

A reply's ``result`` arrives as a table (:class:`hallq.messages.Reply`); what it carries depends
on the op (docs/protocol.md §7). These read the parts the screens use as the contract's typed
messages: tickets (:class:`~hallq.messages.TicketView`), the guide on duty
(:class:`~hallq.messages.StaffRef`), the 回访 list and what recording one returns
(:class:`~hallq.messages.FollowupItem`, :class:`~hallq.messages.FollowupRecorded`). A malformed
part is logged with what and where and left out, never half-read.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import msgspec

from hallq.messages import FollowupItem, FollowupRecorded, StaffRef, TicketView

log = logging.getLogger("pad.replies")

T = TypeVar("T")


def typed(value: Any, kind: type[T], what: str) -> T | None:
    """A part of a reply as its typed message; a malformed one is logged with where, and left out."""
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        log.warning("ignored a malformed %s: %s", what, exc)
        return None


def typed_list(values: Any, kind: type[T], what: str, where: str) -> list[T]:
    """A list in a reply, typed item by item (a malformed item is logged and left out; not a list: empty)."""
    out = []
    for i, value in enumerate(values if isinstance(values, list) else []):
        item = typed(value, kind, f"{what} (at $.{where}[{i}])")
        if item is not None:
            out.append(item)
    return out


def ticket_of(result: dict[str, Any]) -> TicketView | None:
    """The ticket in a reply's result, typed (``None`` if there is none, or it is malformed: logged)."""
    t = result.get("ticket")
    return typed(t, TicketView, "ticket in a reply") if isinstance(t, dict) else None


def tickets_of(result: dict[str, Any]) -> list[TicketView]:
    """The tickets of a ``tickets.list`` reply, typed; a malformed one is logged and left out."""
    return typed_list(result.get("tickets"), TicketView, "ticket in tickets.list", "tickets")


def staff_of(result: dict[str, Any]) -> StaffRef | None:
    """The guide signed in by a ``guide.login`` reply (``None`` if it is missing or malformed: logged)."""
    return typed(result.get("staff"), StaffRef, "staff in a guide.login reply (at $.staff)")


def followups_of(result: dict[str, Any]) -> list[FollowupItem]:
    """The services of a ``followups.list`` reply, typed; a malformed one is logged and left out."""
    return typed_list(result.get("items"), FollowupItem, "item in followups.list", "items")


def followup_recorded_of(result: dict[str, Any]) -> FollowupRecorded | None:
    """What an ``evaluation.followup`` reply says was recorded (``None`` if malformed: logged)."""
    return typed(result, FollowupRecorded, "evaluation.followup reply")
