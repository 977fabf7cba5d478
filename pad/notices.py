"""Window notices (R14) filled from the ticket being served: what the pad prints. No Qt, no I/O.

The ticket view carries the matter, the situation's materials and the masked applicant;
the catalog adds the hall name, the matter's promised days and department. Staff tick the
materials they received on the checklist: the 受理通知书 lists those, and the 一次性告知单
lists the ones still missing (every correction at once, "一次性告知").
"""

from __future__ import annotations

import datetime as dt

from hallq.messages import TicketView
from pad.state import HallState
from printers.layout import Printable
from printers.notices import AcceptanceNotice, CorrectionNotice, HandoverSheet

KINDS = {"acceptance": "受理通知书", "handover": "申请材料交接确认单", "correction": "一次性告知单"}
CORRECTION_DAYS = 5  # working days to hand corrections back (a hall setting would be better)


def add_working_days(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def build_notice(kind: str, ticket: TicketView, state: HallState, *, window: str, staff: str,
                 checked: set[str], reason: str = "", now: dt.datetime) -> Printable:
    matter = state.matters.get(ticket.matter)
    applicant = ticket.applicant or "（申请人）"
    materials = list(ticket.materials)
    received = [m for m in materials if m in checked] or materials
    missing = [m for m in materials if m not in checked]
    matter_name = ticket.matter_name or (matter.name if matter else "")
    notice_no = f"SL{ticket.id[:10].replace('-', '')}-{ticket.number}"
    window_text = f"{state.window_name(window)} {window}"
    promised = matter.promised_days if matter else 0
    if kind == "acceptance":
        return AcceptanceNotice(
            hall_name=state.hall_name, notice_no=notice_no, applicant=applicant, matter=matter_name,
            accepted_at=now, promised_days=promised, materials=received, window=window_text, handler=staff,
            qr_url=ticket.progress_url,
        )
    if kind == "handover":
        return HandoverSheet(
            applicant=applicant, matter=matter_name, group=matter.department if matter else "",
            accepted_on=now.date(), review_required=None, promised_days=promised or None,
            hall_name=state.hall_name,
        )
    if kind == "correction":
        opinions = [f"缺少材料：{m}" for m in missing]
        if reason:
            opinions.append(reason)
        return CorrectionNotice(
            addressee=applicant, submitted_on=now.date(), matter=matter_name,
            opinions=opinions or ["（请窗口人员填写审查意见）"],
            deadline=add_working_days(now.date(), CORRECTION_DAYS), issuer=window_text,
        )
    raise ValueError(f"unknown notice {kind!r}; one of {', '.join(KINDS)}")
