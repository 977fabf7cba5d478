"""附件5 审查意见一次性告知单 on the back office's A4 printer (runs on a worker thread).

The desk's printer is its device's ``printer`` in the hall file, as the catalog carries it: an A4
printer (``paper = "a4"``) prints the notice as a PDF (:func:`printers.pdf.render_pdf` then
:func:`printers.cups.print_pdf`); a receipt printer with an A4 companion (``a4 = "NAME"``) sends it
to that one. A desk with no A4 printer prints nothing and says so: the hub has recorded the
一次性告知 either way, and the window can print the notice for the applicant (the same notice, from
:mod:`pad.case_notices`, naming that window as where to bring the 补正 materials).
"""

from __future__ import annotations

import datetime as dt

from hallq import clock as hallclock
from hallq.messages import CaseView
from pad.state import HallState
from printers.config import PrinterConfig, parse_printers
from printers.cups import A4Job, print_pdf
from printers.notices import CorrectionNotice
from printers.pdf import render_pdf


def a4_printer(state: HallState, device: str) -> PrinterConfig | None:
    """The desk's A4 printer, or ``None`` (no printer, a receipt printer alone, or a bad table)."""
    d = state.devices.get(device)
    if d is None or not d.printer or state.catalog is None:
        return None
    configs, _errors = parse_printers(state.catalog.printers)
    cfg = configs.get(d.printer)
    if cfg is not None and not cfg.is_a4 and cfg.a4:
        cfg = configs.get(cfg.a4)
    return cfg if cfg is not None and cfg.is_a4 else None


def correction_notice(c: CaseView, department: str, timezone: str, return_to: str = "") -> CorrectionNotice:
    """附件5 from the case the hub confirmed (its reasons and the deadline it set); ``return_to``: where
    the applicant brings the 补正 materials (the window printing it), else the notice's own words."""
    deadline = dt.date.fromisoformat(c.correction_deadline) if c.correction_deadline else \
        hallclock.local(c.since, timezone).date()
    return CorrectionNotice(
        addressee=c.applicant or "申请人", submitted_on=hallclock.local(c.accepted_at, timezone).date(),
        matter=c.matter_name, opinions=list(c.reasons), deadline=deadline, issuer=department,
        case_code=c.id, return_to=return_to)


def print_correction(cfg: PrinterConfig, notice: CorrectionNotice) -> A4Job:
    return print_pdf(cfg, render_pdf(notice), title=f"审查意见一次性告知单 {notice.case_code}")
