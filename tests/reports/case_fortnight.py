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

Until the hub stores case events itself, :func:`append_case_events_as_store_will` stands in for
it: the exact INSERT of :meth:`hub.store.Store.write`, in one transaction per command, on a real
``Store`` file that also holds the tickets of those days (written through the real core).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hub import case_events as ce
from hub.cases import CaseBook, Material, MaterialForm
from hub.core import HallCore
from hub.hall import Hall
from hub.store import Store
from hub.workdays import WorkCalendar
from tests.hub.hub_helpers import local_ts

TZ = "Asia/Shanghai"
MS, GA, BD = "市场监管局", "公安局", "不动产登记中心"
APPLICANT_HASH = "a" * 64  # the hub's keyed hash of the applicant's ID (HMAC-SHA256 hex)
ADDRESS_REF = "addr:7f3a9c2e1b"
MATERIALS = (Material("营业执照申请书"), Material("身份证"), Material("住所证明", MaterialForm.COPY, 2))


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> float:
    return local_ts(2026, month, day, hour, minute)


def fortnight() -> list[list[ce.CaseEvent]]:
    """The commands' events, one list per command, in the order the commands were given."""
    b = CaseBook(WorkCalendar(), TZ)
    out: list[list[ce.CaseEvent]] = []

    def accept(now: float, case: str, matter: str, department: str, **kw: object) -> None:
        args: dict[str, object] = {
            "ticket": f"t-{case}", "matter": matter, "situation": "s", "department": department, "kind": "promised",
            "promised_days": 3, "window": "W1", "device": "P1", "staff": "1001", "applicant_masked": "张**",
            "id_hash": APPLICANT_HASH, "materials": MATERIALS, "delivery": "pickup"}
        args.update(kw)
        out.append(b.accept(now, case=case, **args))  # type: ignore[arg-type]

    accept(at(9, 15, 10), "C6", "mc", BD, promised_days=10)
    out.append(b.sign(at(9, 15, 14), "C6", department=BD))
    out.append(b.approve(at(9, 24, 10), "C6", department=BD))
    accept(at(9, 29, 10), "C1", "mb", MS, number="SX2026092900017")
    out.append(b.pick_up(at(9, 29, 11), "C1", device="T1", staff="3001"))
    out.append(b.sign(at(9, 30, 9), "C1", department=MS, device="B-MS", staff="5001"))
    out.append(b.notify_correction(at(9, 30, 15), "C1", department=MS, reasons=["住所证明需加盖公章"],
                                   deadline=dt.date(2026, 10, 16), device="B-MS", staff="5001"))
    accept(at(9, 30, 11), "C3", "ma", GA, promised_days=5, delivery="mail", address_ref=ADDRESS_REF)
    out.append(b.pick_up(at(9, 30, 14), "C3"))
    out.append(b.sign(at(10, 8, 9), "C3", department=GA))
    accept(at(10, 8, 9, 30), "C4", "ma2", GA, kind="immediate", promised_days=0)
    out.append(b.done_on_spot(at(10, 8, 10), "C4", window="W2"))
    accept(at(10, 8, 10), "C8", "mb", MS)
    out.append(b.sign(at(10, 8, 11), "C8", department=MS))
    out.append(b.approve(at(10, 9, 10), "C8", department=MS))
    out.append(b.send_out(at(10, 9, 11), "C8", department=MS))
    out.append(b.receive_result(at(10, 9, 15), "C8", window="W2"))
    out.append(b.deny(at(10, 9, 10), "C3", department=GA, reasons=["经营场所不符合规划用途"]))
    out.append(b.send_out(at(10, 9, 11), "C3", department=GA))
    out.append(b.receive_result(at(10, 9, 14), "C3", window="W2"))
    accept(at(10, 9, 16), "C2", "mb", MS, promised_days=1, delivery="locker", compartment="A-07")
    out.append(b.pick_up(at(10, 9, 16, 30), "C2"))
    out.append(b.receive_correction(at(10, 10, 10), "C1", window="W2", materials=[Material("住所证明")],
                                    device="P2", staff="1002"))
    out.append(b.pick_up(at(10, 10, 11), "C1", device="T1", staff="3002"))
    out.append(b.post(at(10, 10, 10), "C3", tracking="EMS1234567"))
    out.append(b.sign(at(10, 12, 9), "C1", department=MS, device="B-MS", staff="5002"))
    out.append(b.sign(at(10, 12, 9), "C2", department=MS))
    accept(at(10, 12, 10), "C5", "mc", BD, promised_days=2)
    out.append(b.pick_up(at(10, 12, 10, 30), "C5"))
    out.append(b.approve(at(10, 12, 14), "C2", department=MS))
    out.append(b.send_out(at(10, 12, 15), "C2", department=MS))
    out.append(b.receive_result(at(10, 13, 9), "C2", window="W2"))
    out.append(b.locker(at(10, 13, 10), "C2"))
    out.append(b.approve(at(10, 13, 16), "C1", department=MS, result_kind="证书", device="B-MS", staff="5001"))
    out.append(b.send_out(at(10, 14, 9), "C1", department=MS, device="B-MS", staff="5003"))
    out.append(b.receive_result(at(10, 14, 10), "C1", window="W2", device="P2", staff="1002"))
    out.append(b.collect(at(10, 15, 10), "C1", window="W2", id_hash=APPLICANT_HASH, collector_masked="张**",
                         device="P2", staff="1002"))
    accept(at(10, 30, 10), "C7", "ma", GA)
    out.append(b.sign(at(10, 30, 14), "C7", department=GA))
    return out


def append_case_events_as_store_will(store: Store, day: str, events: list[ce.CaseEvent], *, device: str = "",
                                     request_id: str = "") -> None:
    """STAND-IN until the hub writes case events itself: the row format and SQL of Store.write
    (``at, day, type, data = to_dict() as JSON, request_id, device``), one transaction per command."""
    with store.transaction():
        cur = store.conn.cursor()
        for e in events:
            cur.execute("INSERT INTO events(at, day, type, data, request_id, device) VALUES (?,?,?,?,?,?)",
                        (e.at, day, e.type, json.dumps(e.to_dict(), ensure_ascii=False), request_id or None,
                         device or None))


def write_fortnight(hall: Hall, db: Path) -> list[ce.CaseEvent]:
    """The fortnight into ``db``: a ticket issued through the real core a minute before every
    受理, and every command's case events, all in the order of their times. Returns the events."""
    batches = sorted(fortnight(), key=lambda b: b[0].at)  # the hub takes commands as they come
    tickets = [(b[0].at - 60, b[0]) for b in batches if isinstance(b[0], ce.CaseAccepted)]
    core = HallCore(hall)
    store = Store(db, durable=False)
    steps: list[tuple[float, int, object]] = [(t, 0, e) for t, e in tickets] + [(b[0].at, 1, b) for b in batches]
    for i, (when, kind, item) in enumerate(sorted(steps, key=lambda s: (s[0], s[1]))):
        events = core.tick(when)
        if kind == 0:
            assert isinstance(item, ce.CaseAccepted)
            events += core.issue(when, matter=item.matter, situation="s", device="K1")
            store.record(core, events)
        else:
            store.record(core, events)
            assert isinstance(item, list)
            append_case_events_as_store_will(store, core.day, item, device=item[0].device, request_id=f"r{i}")
    store.close()
    return [e for b in batches for e in b]
