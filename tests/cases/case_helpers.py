"""Helpers for the case tests: a book on the national calendar, a case opened in one call."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from hub.case_events import CaseEvent
from hub.cases import Case, CaseBook, Material, MaterialForm
from hub.workdays import WorkCalendar
from tests.hub.hub_helpers import local_ts

TZ_NAME = "Asia/Shanghai"
APPLICANT_HASH = hashlib.sha256(b"applicant").hexdigest()
OTHER_HASH = hashlib.sha256(b"someone else").hexdigest()
MATERIALS = (Material("营业执照申请书"), Material("身份证", count=1), Material("住所证明", MaterialForm.COPY, 2))
MS, GA, MZ = "市场监督管理局", "公安局", "民政局"
ADDRESS_REF = "addr:7f3a9c2e1b"  # an opaque reference to an encrypted address token


def new_book() -> CaseBook:
    return CaseBook(WorkCalendar(), TZ_NAME)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> float:
    return local_ts(2026, month, day, hour, minute)


def open_case(book: CaseBook, now: float, case: str = "C1", **kw: Any) -> list[CaseEvent]:
    args: dict[str, Any] = {
        "ticket": f"2026-10-08-{case}", "matter": "business-licence", "situation": "new", "department": MS,
        "kind": "promised", "promised_days": 3, "window": "S01", "device": "P-S01", "staff": "1001",
        "applicant_masked": "张**", "id_hash": APPLICANT_HASH, "materials": MATERIALS, "delivery": "pickup",
    }
    args.update(kw)
    return book.accept(now, case=case, **args)


def snapshot(c: Case) -> dict[str, Any]:
    """A deep, comparable view of a case (history as dicts)."""
    d = dataclasses.asdict(c)
    d["history"] = [e.to_dict() for e in c.history]
    return d


def book_snapshot(book: CaseBook) -> dict[str, Any]:
    return {"cases": {k: snapshot(c) for k, c in book.cases.items()}, "by_number": dict(book.by_number)}
