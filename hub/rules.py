"""Domain decisions that need something the core does not hold. Pure: no I/O, no clock.

The core (:mod:`hub.core`) decides from the day's state in memory. A few decisions also need
a record the service fetched from the store, or the hall file's staff list, or the op a
device sent; they live here, as functions of the core and those values, so that the service
only fetches, calls and commits:

- who may sign in where (a staff member's PIN and roles: 窗口登录, 引导台签到);
- 预约签到 (R5): the booking found by code or ID number must exist, be for today and be unused,
  then the core's check-in window applies (:meth:`hub.core.HallCore.checkin`);
- 回访/整改 (R13): only a 差评 (1-2) or 未评价 (0) service of any day can be followed up;
- the audit of overrides (操作留痕): which ops a guide's console is audited for, and the
  ``audit.override`` event each one adds to its command's transaction;
- 补打: a slip is reprinted only at a kiosk;
- ``tickets.list``: which of today's tickets, in calling order.

Each raises :class:`hub.core.DomainError` with a stable code, before anything changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub import events as ev
from hub.config import check_pin
from hub.core import DomainError, HallCore, Ticket, TicketState
from hub.hall import Device, Hall, Role, Staff

# What a guide does to someone else's ticket or window: each is audited (who, when, what, why).
OVERRIDES = frozenset({
    "ticket.issue", "ticket.call", "ticket.transfer", "ticket.cancel", "ticket.verify_priority", "ticket.reprint",
    "tickets.expire", "window.pause", "window.resume", "window.close", "window.set_queues", "evaluation.followup",
})
# the arguments that name what an override acted on, in the order the audit lists them
_TARGETS = ("ticket", "window", "to_queue", "to_window", "device", "matter")


def staff_signing_in(hall: Hall, staff: str, pin: str, *, at_window: bool) -> Staff:
    """The staff member a 工号 and PIN name: at a window a pad or guide, at a guide console a guide
    or admin (``bad_pin``: unknown number or wrong PIN, never saying which; ``staff_role``)."""
    found = hall.staff.get(staff)
    if found is None or not check_pin(pin, found.pin_hash):
        raise DomainError("bad_pin", "工号或密码不正确")
    if at_window and not {Role.PAD, Role.GUIDE} & set(found.roles):
        raise DomainError("staff_role", f"工号 {found.id} 不是窗口或引导人员，不能登录窗口")
    if not at_window and not {Role.GUIDE, Role.ADMIN} & set(found.roles):
        raise DomainError("staff_role", f"工号 {found.id} 不是引导人员")
    return found


def check_in(core: HallCore, now: float, booking: Mapping[str, Any] | None, device: str) -> list[ev.Event]:
    """预约签到 of the booking the service found (a row of the ``appointments`` table, or None)."""
    if booking is None:
        raise DomainError("unknown_appointment", "没有找到预约记录，请核对预约码或到引导台咨询")
    if booking["day"] != core.day:
        raise DomainError("appointment_wrong_day", f"您的预约日期是 {booking['day']}，不是今天")
    if booking["used_ticket"]:
        number = booking["used_ticket"].rsplit("-", 1)[-1]
        raise DomainError("appointment_used", f"该预约已签到，票号 {number}")
    return core.checkin(
        now, code=booking["code"], slot=booking["slot_start"], matter=booking["matter"],
        situation=booking["situation"], device=device, applicant_masked=booking["name_masked"] or "",
        id_masked=booking["id_masked"] or "", id_hash=booking["id_hash"] or "",
        phone_masked=booking["phone_masked"] or "",
    )


def follow_up(core: HallCore, now: float, ticket: str, result: str, note: str, level: int, *, exists: bool,
              evaluation: int | None, device: str) -> list[ev.Event]:
    """回访/整改 of a service of any day (``exists``/``evaluation``: what the store holds for it)."""
    if not exists:
        raise DomainError("unknown_ticket", f"没有票号 {ticket}（回访请用完整票号，如 2026-11-23-A001）")
    if evaluation not in (0, 1, 2):
        raise DomainError("no_followup", f"{ticket} 不是差评或未评价的服务，无需回访")
    e = ev.EvaluationFollowedUp(now, ticket, result, note, device, core.guides.get(device, ""), level)
    core.apply(e)
    return [e]


def audit(core: HallCore, now: float, op: str, device: str, args: Mapping[str, Any]) -> ev.Event | None:
    """The ``audit.override`` a guide or admin console's override adds (applied), or None when
    ``op`` is not an override."""
    if op not in OVERRIDES:
        return None
    target = " ".join(str(args[k]) for k in _TARGETS if args.get(k))
    e = ev.OverrideRecorded(now, op, device, target, str(args.get("reason") or args.get("note") or ""),
                            core.guides.get(device, ""))
    core.apply(e)
    return e


def reprint_kiosk(hall: Hall, device: str) -> Device:
    """The kiosk a guide asks to print a slip again (``unknown_device`` for anything else)."""
    target = hall.devices.get(device)
    if target is None or target.role is not Role.KIOSK:
        raise DomainError("unknown_device", f"没有自助机 {device}")
    return target


def listed(core: HallCore, state: str, queue: str, window: str) -> list[Ticket]:
    """``tickets.list``: today's waiting tickets in calling order per queue (then those transferred
    to a window), or the called ones, or all; of one queue and/or window."""
    if state not in ("waiting", "called", "all"):
        raise DomainError("bad_args", "tickets.list: 'state' must be waiting, called or all")
    if queue and queue not in core.hall.queues:
        raise DomainError("unknown_queue", f"没有队列 {queue}")
    if window and window not in core.hall.windows:
        raise DomainError("unknown_window", f"没有窗口 {window}")
    if state == "waiting":
        keys = [k for q, lst in core.waiting.items() if not queue or q == queue for k in lst]
        keys += [k for w, lst in core.direct.items() if (not window or w == window) for k in lst
                 if not queue or core.tickets[k[3]].queue == queue]
        return [core.tickets[k[3]] for k in sorted(keys)]
    return [t for t in core.tickets.values()
            if (state == "all" or t.state is TicketState.CALLED) and (not queue or t.queue == queue)
            and (not window or t.window == window)]


def web_rating(core: HallCore, now: float, ticket: str, level: int, reason: str, *, served: bool, given: int,
               open_: bool, reasons: tuple[str, ...] | list[str], device: str) -> list[ev.Event]:
    """好差评 from the phone page (``progress.rate``): a service left 未评价 (``served``: invited, not rated at
    the window), once on any channel (``given``), while the follow-up period is ``open_``. 1-2 are 差评 and
    name a reason from ``reasons``. Recorded as a rating (``evaluation.followed_up``, result ``rated``,
    channel ``web``): the reports count it as the service's rating."""
    if not served:
        raise DomainError("no_rating", "这次服务无需在此评价（未办理，或已在窗口评价）")
    if given:
        raise DomainError("already_rated", "这次服务已经评价过，每次服务只能评价一次")
    if not open_:
        raise DomainError("rating_closed", "评价期限已过，不能再评价")
    if level not in (1, 2, 3, 4, 5):
        raise DomainError("bad_level", f"评价等级应为 1-5，收到 {level}")
    if level <= 2 and reason not in reasons:
        raise DomainError("reason_required", "差评需要从列表中选择原因")
    e = ev.EvaluationFollowedUp(now, ticket, "rated", reason if level <= 2 else "", device, "", level, "web")
    core.apply(e)
    return [e]
