"""The notices of a case (办件), filled from the hub's case view: what the window prints. No Qt, no I/O.

* 受理通知书 (承诺件, at 受理): the materials received as the hub recorded them (原件/复印件, counts),
  the promised working days and date, the delivery method;
* 办结通知书 (即办件 after 当场办结, or at 出件 after the result reached the applicant);
* 申请材料交接确认单 / 材料转递单 (附件4): travels with the folder; its case code (办件码) is printed
  as a QR code (and a Code 128 barcode on A4) for the transfer staff's scanner;
* 审查意见一次性告知单 (附件5) of a case a department returned for 补正: its reasons and deadline as
  the hub recorded them, the department as issuer, and the window to bring the 补正 materials to —
  the back office's own notice (:func:`pad.backoffice_print.correction_notice`), printed here for
  the applicant at the window.

The case code is the hub's case id (``2026-11-23-A001-1``): the provincial case number, when one
was given, is printed as the notice's 编号 beside it. Everything personal is as the hub masks it.
"""

from __future__ import annotations

import datetime as dt

from hallq import clock as hallclock
from hallq.messages import CaseView
from pad.backoffice_print import correction_notice
from pad.case_front import material_text
from pad.state import HallState
from printers.notices import AcceptanceNotice, CompletionNotice, HandoverSheet, Notice

CASE_KINDS = {"acceptance": "受理通知书", "completion": "办结通知书", "handover": "材料转递单（附件4）",
              "correction": "一次性告知单（附件5）"}
OUTCOME_WORDS = {"approved": "准予许可（办结）", "denied": "不予许可"}


def _local(state: HallState, at: float | None, fallback: float) -> dt.datetime:
    return hallclock.local(at if at else fallback, state.timezone).replace(tzinfo=None)


def _delivery(case: CaseView) -> str:
    if case.delivery == "locker" and case.compartment:
        return f"{case.delivery_label}（{case.compartment}）"
    return case.delivery_label


def build_case_notice(kind: str, case: CaseView, state: HallState, *, window: str, staff: str,
                      now: float, progress_url: str = "") -> Notice:
    """The notice ``kind`` (one of :data:`CASE_KINDS`) of ``case``, printed at ``window``."""
    notice_no = case.number or case.id
    window_text = f"{state.window_name(window)} {window}".strip()
    applicant = case.applicant or "（申请人）"
    accepted = _local(state, case.accepted_at, now)
    if kind == "acceptance":
        return AcceptanceNotice(
            hall_name=state.hall_name, notice_no=notice_no, applicant=applicant, matter=case.matter_name,
            accepted_at=accepted, promised_days=case.promised_days,
            materials=[material_text(m) for m in case.materials] or ["（未登记材料）"],
            window=window_text, handler=staff, delivery=_delivery(case), qr_url=progress_url, case_code=case.id)
    if kind == "completion":
        done = case.decided_at or case.closed_at
        outcome = OUTCOME_WORDS.get(case.decision, "办结")
        if case.kind == "immediate" and case.decision != "denied":
            outcome = "即办件当场办结"
        return CompletionNotice(
            hall_name=state.hall_name, notice_no=notice_no, applicant=applicant, matter=case.matter_name,
            accepted_at=accepted, completed_at=_local(state, done, now), outcome=outcome,
            documents=[case.result_kind or "文书"], delivery=_delivery(case), window=window_text, handler=staff,
            tracking_no=case.tracking, case_code=case.id)
    if kind == "handover":
        return HandoverSheet(
            applicant=applicant, matter=case.matter_name, group=case.department, accepted_on=accepted.date(),
            review_required=None, promised_days=case.promised_days if case.kind == "promised" else None,
            hall_name=state.hall_name, case_code=case.id,
            notes="；".join(material_text(m) for m in case.materials))
    if kind == "correction":
        return correction_notice(case, case.department, state.timezone,
                                 return_to=f"{state.hall_name}{state.window_name(window)}（{window}）")
    raise ValueError(f"unknown case notice {kind!r}; one of {', '.join(CASE_KINDS)}")


def case_notices_for(case: CaseView, moment: str) -> list[str]:
    """Which notices a window prints at a moment of the case: after ``accept`` (承诺件: 受理通知书 and
    the 转递单; 即办件: the 转递单, the 办结通知书 comes with 当场办结), after ``done`` (办结通知书)."""
    if moment == "accept":
        return ["acceptance", "handover"] if case.kind == "promised" else ["handover"]
    if moment == "done":
        return ["completion"]
    raise ValueError(f"unknown moment {moment!r}")
