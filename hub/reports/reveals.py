"""回访号码查看记录: which guide looked at which citizen's number for a 回访 call, for the manager's audit.

Each ``followup.phone`` the hub answered is an ``audit.override`` event (hub/notify_desk.py): the
console, the guide signed in there and the ticket, never the number. This section counts them per
guide (工号 and name from the hall file) and lists the tickets, so a manager sees who looked at how many
numbers and can ask why. A reveal at a console nobody was signed in at (a hall that does not require
签到) counts under the console, marked 未签到. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.hall import Hall
from hub.reports.replay import Log


@dataclass(frozen=True)
class RevealRow:
    who: str  # "2001 赵芳", or "G1（未签到）"
    staff: str
    devices: tuple[str, ...]
    tickets: tuple[str, ...]  # the tickets whose numbers were shown, in order (a ticket twice: twice)

    @property
    def count(self) -> int:
        return len(self.tickets)


def who_label(hall: Hall | None, staff: str, device: str) -> str:
    if not staff:
        return f"{device}（未签到）"
    found = hall.staff.get(staff) if hall else None
    return f"{staff} {found.name}" if found is not None and found.name else staff


@dataclass(frozen=True)
class RevealItem:
    at: float
    who: str
    device: str
    ticket: str


@dataclass(frozen=True)
class Reveals:
    rows: list[RevealRow]  # per guide (or unsigned console), the most reveals first, then by 工号
    items: list[RevealItem]  # every reveal of the period, in order

    @property
    def total(self) -> int:
        return len(self.items)


def compute_reveals(log: Log, hall: Hall | None = None) -> Reveals:
    items = [RevealItem(r.at, who_label(hall, r.staff, r.device), r.device, r.ticket) for r in log.phone_reveals]
    groups: dict[str, list[RevealItem]] = {}
    staff_of: dict[str, str] = {}
    for r, item in zip(log.phone_reveals, items, strict=True):
        groups.setdefault(item.who, []).append(item)
        staff_of[item.who] = r.staff
    rows = [RevealRow(who, staff_of[who], tuple(dict.fromkeys(x.device for x in group)),
                      tuple(x.ticket for x in group)) for who, group in groups.items()]
    return Reveals(sorted(rows, key=lambda r: (-r.count, r.staff or "~", r.who)), items)
