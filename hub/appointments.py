"""Import booked appointments (统一预约, R5) from a CSV export of the booking system.

Columns (header row required, UTF-8 or UTF-8 with BOM as Excel writes it)::

    code,date,start,end,matter,situation,name,id_number,phone

``date`` is YYYY-MM-DD, ``start``/``end`` HH:MM in the hall's time zone; ``matter`` and
``situation`` are ids from the hall file. Personal data is reduced on the way in: the
ID number is validated, masked and keyed-hashed (the same key as the hub's), the name
and phone masked; nothing else of them is stored. Every bad row is reported with its
line number and nothing is imported unless every row is good.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from typing import Any

from hallq import idcard
from hub.hall import Hall

COLUMNS = ("code", "date", "start", "end", "matter", "situation", "name", "id_number", "phone")


class AppointmentFileError(ValueError):
    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s):\n" + "\n".join(f"  {p}" for p in problems))


def parse_appointments(text: str, hall: Hall, key: bytes, source: str = "<csv>") -> list[dict[str, Any]]:
    tz = zoneinfo.ZoneInfo(hall.timezone)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise AppointmentFileError(source, [f"line 1: missing column(s) {', '.join(missing)}; expected "
                                            f"{','.join(COLUMNS)}"])
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for n, rec in enumerate(reader, start=2):
        where = f"line {n}"
        try:
            rows.append(_row(rec, hall, key, tz, seen))
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        raise AppointmentFileError(source, problems)
    return rows


def _row(rec: dict[str, str], hall: Hall, key: bytes, tz: dt.tzinfo, seen: set[str]) -> dict[str, Any]:
    code = (rec.get("code") or "").strip().upper()
    if not code or len(code) > 32:
        raise ValueError("code must be 1-32 characters")
    if code in seen:
        raise ValueError(f"duplicate code {code}")
    seen.add(code)
    try:
        day = dt.date.fromisoformat((rec.get("date") or "").strip())
        start = dt.time.fromisoformat((rec.get("start") or "").strip())
        end = dt.time.fromisoformat((rec.get("end") or "").strip())
    except ValueError:
        raise ValueError("date must be YYYY-MM-DD and start/end HH:MM") from None
    if end <= start:
        raise ValueError("end must be after start")
    matter = hall.matters.get((rec.get("matter") or "").strip())
    if matter is None:
        raise ValueError(f"unknown matter {rec.get('matter')!r}")
    situation = matter.situation((rec.get("situation") or "").strip())
    if situation is None:
        raise ValueError(f"matter {matter.id} has no situation {rec.get('situation')!r}")
    if situation.online or situation.consult_only:
        raise ValueError(f"{matter.id}/{situation.id} needs no window ticket")
    id_masked = id_hash = ""
    if (rec.get("id_number") or "").strip():
        try:
            number = idcard.validate_id(rec["id_number"])
        except idcard.InvalidIdNumber as exc:
            raise ValueError(f"id_number: {exc}") from None  # the message never repeats the number
        id_masked, id_hash = idcard.mask_id(number), idcard.keyed_hash(number, key)
    return {
        "code": code, "day": day.isoformat(),
        "slot_start": dt.datetime.combine(day, start, tz).timestamp(),
        "slot_end": dt.datetime.combine(day, end, tz).timestamp(),
        "matter": matter.id, "situation": situation.id,
        "name_masked": idcard.mask_name(rec.get("name") or ""), "id_masked": id_masked, "id_hash": id_hash,
        "phone_masked": idcard.mask_phone(rec.get("phone") or "") if (rec.get("phone") or "").strip() else "",
    }
