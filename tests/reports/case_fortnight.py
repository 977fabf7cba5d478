"""A hand-built fortnight of cases around 国庆 2026, written into a real hub database.

The cases are those of tests/cases/test_figures.py (same days, same steps, so the same 附件8
figures), with the small hall's departments and matters so the report can name them, and with a
who (工号, device) on every step of C1 so its archive shows each handover's person:

    case dept          matter  kind       受理            due           what happens
    C1   市场监管局 MS  mb      承诺件 3天  Tue 09-29 10:00  10-09 → 10-13  签收 09-30; 一次性告知 09-30; 补正 Sat 10-10
                                                                        (调休; clock stood 3 working days); 办结 10-13;
                                                                        出件 10-14; 现场领取 10-15
    C2   MS            mb      承诺件 1天  Fri 10-09 16:00  Sat 10-10      签收 Mon 10-12 09:00 (late); 办结 10-12 (逾期);
                                                                        自助柜 A-07 10-13
    C3   公安局 GA      ma      承诺件 5天  Wed 09-30 11:00  10-13          签收 10-08 (国庆 not counted: in time);
                                                                        不予许可 10-09; 邮寄 Sat 10-10
    C4   GA            ma2     即办件      Thu 10-08 09:30  10-08          当场办结 10:00
    C5   不动产登记中心 BD mc   承诺件 2天  Mon 10-12 10:00  10-14          picked up 10:30, never signed for
    C6   BD            mc      承诺件 10天 Tue 09-15 10:00  09-29          签收 09-15, 办结 09-24 (September)
    C7   GA            ma      承诺件 3天  Fri 10-30 10:00  11-04          签收 10-30 14:00, in review at month end
    C8   MS            mb      承诺件 3天  Thu 10-08 10:00  10-12          办结 10-09, 待领取 from 10-09 15:00, never collected

Every step is a real command (``ticket.issue`` → ``ticket.call_next`` → ``ticket.outcome`` 受理 →
``case.accept``, then ``case.pick_up`` at the guide console T1, ``case.sign``/``approve``/``deny``/
``notify_correction``/``send_out`` at the department's back office, ``case.receive_correction``/
``receive_result``/``collect``/``locker``/``post`` at the 出件 window W2) through the hub's service with
its clock moved to the step's time: the hub writes the events, names the cases (``<ticket id>-1``;
:func:`write_fortnight` returns the map from C1..C8 to those ids) and hashes the applicant's ID.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.config import parse_hall
from hub.hall import Hall
from hub.service import HubService
from hub.store import Store
from tests.hub.hub_helpers import PIN, PIN_HASH, SMALL_HALL, FakeClock, local_ts, req

TZ = "Asia/Shanghai"
MS, GA, BD = "市场监管局", "公安局", "不动产登记中心"
APPLICANT_ID = "11010519491231002X"  # C1's applicant (a public test vector of GB 11643)
ADDRESS = "山西省吕梁市离石区滨河北东路88号"
MATERIALS = [{"name": "营业执照申请书"}, {"name": "身份证"}, {"name": "住所证明", "form": "copy", "count": 2}]
KEY = b"k" * 32
# the small hall with the desks of a case's life: the front desk 1001 (W1), the 出件 window 1002 (W2),
# a guide console T1 for the 转递人员, and one back office per department
CASE_HALL = SMALL_HALL + f"""
[[staff]]
id = "1001"
name = "受理员"
pin_hash = "{PIN_HASH}"
roles = ["pad"]

[[staff]]
id = "1002"
name = "出件员"
pin_hash = "{PIN_HASH}"
roles = ["pad"]

[[devices]]
id = "T1"
role = "guide"

[[devices]]
id = "B-MS"
role = "backoffice"
department = "{MS}"

[[devices]]
id = "B-GA"
role = "backoffice"
department = "{GA}"

[[devices]]
id = "B-BD"
role = "backoffice"
department = "{BD}"
"""
WINDOWS = {"W1": ("P1", "1001"), "W2": ("P2", "1002"), "W3": ("P3", "s3")}
BACKOFFICE = {MS: "B-MS", GA: "B-GA", BD: "B-BD"}


def case_hall(extra: str = "") -> Hall:
    text = CASE_HALL + extra
    return parse_hall(tomllib.loads(text), text=text)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> float:
    return local_ts(2026, month, day, hour, minute)


@dataclass(frozen=True)
class Accept:
    """受理 of case ``name`` at ``window``: the ticket issued two minutes before, called, recorded 受理."""

    name: str
    matter: str
    window: str
    args: dict[str, Any] = field(default_factory=dict)
    issue: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One case command of ``device`` on case ``name`` (``window`` added for a window's op)."""

    name: str
    device: str
    op: str
    args: dict[str, Any] = field(default_factory=dict)


def promised(days: int, **kw: Any) -> dict[str, Any]:
    return {"kind": "promised", "promised_days": days, "materials": MATERIALS, **kw}


def fortnight() -> list[tuple[float, Accept | Step]]:
    """Every command, with its time, in the order the hall gave them (C1's who on every step)."""
    w2 = {"window": "W2"}
    return [
        (at(9, 15, 10), Accept("C6", "mc", "W3", promised(10))),
        (at(9, 15, 14), Step("C6", "B-BD", "case.sign")),
        (at(9, 24, 10), Step("C6", "B-BD", "case.approve")),
        (at(9, 29, 10), Accept("C1", "mb", "W1", promised(3, number="SX2026092900017"),
                               {"name": "张三", "id_number": APPLICANT_ID})),
        (at(9, 29, 11), Step("C1", "T1", "case.pick_up", {"staff": "3001"})),
        (at(9, 30, 9), Step("C1", "B-MS", "case.sign", {"staff": "5001"})),
        (at(9, 30, 15), Step("C1", "B-MS", "case.notify_correction",
                             {"reasons": ["住所证明需加盖公章"], "deadline": "2026-10-16", "staff": "5001"})),
        (at(9, 30, 11), Accept("C3", "ma", "W1", promised(5, delivery="mail", address=ADDRESS))),
        (at(9, 30, 14), Step("C3", "T1", "case.pick_up")),
        (at(10, 8, 9), Step("C3", "B-GA", "case.sign")),
        (at(10, 8, 9, 30), Accept("C4", "ma2", "W1", {"kind": "immediate", "materials": MATERIALS})),
        (at(10, 8, 10), Step("C4", "P2", "case.done_on_spot", w2)),
        (at(10, 8, 10), Accept("C8", "mb", "W1", promised(3))),
        (at(10, 8, 11), Step("C8", "B-MS", "case.sign")),
        (at(10, 9, 10), Step("C8", "B-MS", "case.approve")),
        (at(10, 9, 11), Step("C8", "B-MS", "case.send_out")),
        (at(10, 9, 15), Step("C8", "P2", "case.receive_result", w2)),
        (at(10, 9, 10), Step("C3", "B-GA", "case.deny", {"reasons": ["经营场所不符合规划用途"]})),
        (at(10, 9, 11), Step("C3", "B-GA", "case.send_out")),
        (at(10, 9, 14), Step("C3", "P2", "case.receive_result", w2)),
        (at(10, 9, 16), Accept("C2", "mb", "W1", promised(1, delivery="locker", compartment="A-07"))),
        (at(10, 9, 16, 30), Step("C2", "T1", "case.pick_up")),
        (at(10, 10, 10), Step("C1", "P2", "case.receive_correction", {**w2, "materials": [{"name": "住所证明"}]})),
        (at(10, 10, 11), Step("C1", "T1", "case.pick_up", {"staff": "3002"})),
        (at(10, 10, 10), Step("C3", "P2", "case.post", {**w2, "tracking": "EMS1234567"})),
        (at(10, 12, 9), Step("C1", "B-MS", "case.sign", {"staff": "5002"})),
        (at(10, 12, 9), Step("C2", "B-MS", "case.sign")),
        (at(10, 12, 10), Accept("C5", "mc", "W3", promised(2))),
        (at(10, 12, 10, 30), Step("C5", "T1", "case.pick_up")),
        (at(10, 12, 14), Step("C2", "B-MS", "case.approve")),
        (at(10, 12, 15), Step("C2", "B-MS", "case.send_out")),
        (at(10, 13, 9), Step("C2", "P2", "case.receive_result", w2)),
        (at(10, 13, 10), Step("C2", "P2", "case.locker", w2)),
        (at(10, 13, 16), Step("C1", "B-MS", "case.approve", {"result_kind": "证书", "staff": "5001"})),
        (at(10, 14, 9), Step("C1", "B-MS", "case.send_out", {"staff": "5003"})),
        (at(10, 14, 10), Step("C1", "P2", "case.receive_result", w2)),
        (at(10, 15, 10), Step("C1", "P2", "case.collect", {**w2, "id_number": APPLICANT_ID, "name": "张三"})),
        (at(10, 30, 10), Accept("C7", "ma", "W1", promised(3))),
        (at(10, 30, 14), Step("C7", "B-GA", "case.sign")),
    ]


class Desk:
    """The hub's service on ``db`` with a clock the fortnight moves; every command must be answered ok."""

    def __init__(self, hall: Hall, db: Path) -> None:
        self.clock = FakeClock(at(9, 15, 8))
        self.service = HubService(hall, Store(db, durable=False), KEY, self.clock)
        self.opened: set[str] = set()

    def ok(self, device: str, op: str, args: dict[str, Any]) -> dict[str, Any]:
        body = json.loads(self.service.handle(device, req(op, args)).reply or b"{}")
        assert body.get("ok"), (device, op, args, body)
        return dict(body["result"])

    def open_windows(self, when: float) -> None:
        """The windows open at 08:30 on every day the fortnight acts on."""
        day = local_ts(*_ymd(when), 8, 30)
        if day in self.opened:
            return
        self.opened.add(day)
        self.clock.now = max(self.clock.now, day)
        for window, (pad, staff) in WINDOWS.items():
            self.ok(pad, "window.open", {"window": window, "staff": staff, "pin": PIN})

    def close(self) -> None:
        self.service.store.close()


def _ymd(when: float) -> tuple[int, int, int]:
    import datetime as dt
    import zoneinfo

    d = dt.datetime.fromtimestamp(when, zoneinfo.ZoneInfo(TZ)).date()
    return d.year, d.month, d.day


def write_fortnight(hall: Hall, db: Path) -> dict[str, str]:
    """The fortnight into ``db`` through the hub, in the order of the steps' times. Returns C1..C8 → case id."""
    desk = Desk(hall, db)
    ids: dict[str, str] = {}
    steps = sorted(enumerate(fortnight()), key=lambda s: (s[1][0], s[0]))
    try:
        for _, (when, step) in steps:
            desk.open_windows(when)
            if isinstance(step, Accept):
                pad = WINDOWS[step.window][0]
                desk.clock.now = when - 120
                desk.ok("K1", "ticket.issue", {"matter": step.matter, "situation": "s", **step.issue})
                desk.clock.now = when - 90
                ticket = desk.ok(pad, "ticket.call_next", {"window": step.window})["ticket"]["id"]
                desk.clock.now = when - 60
                desk.ok(pad, "ticket.outcome", {"window": step.window, "outcome": "accepted"})
                desk.clock.now = when
                case = desk.ok(pad, "case.accept", {"window": step.window, "ticket": ticket, **step.args})["case"]
                ids[step.name] = str(case["id"])
            else:
                desk.clock.now = when
                desk.ok(step.device, step.op, {"case": ids[step.name], **step.args})
    finally:
        desk.close()
    return ids
