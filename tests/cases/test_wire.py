"""Cases over the wire: a hand-built week through the ops, on a real broker and a real SQLite file.

受理 at the window → 转递 (guide console) → 签收 (the department's back office) → 一次性告知 →
补正 at the window → 办结 → 出件 with the three delivery methods; the hub restarts mid-week and
keeps every acknowledged case; a retried request gets the first reply; bad input gets a clear
Chinese refusal and changes nothing; the postal address never lies in the database in words.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hallq import messages as m
from hallq.client import HallClient, RequestError
from hallq.protocol import ROOT
from hub import case_events as ce
from hub.config import parse_hall
from hub.hall import Hall
from hub.runtime import load_key
from hub.security import sealed
from hub.store import Store, rebuild
from launcher.samples import sample_hall_path
from tests.conftest import HubRig
from tests.hub.hub_helpers import PIN, FakeClock, local_ts, wait_for

APPLICANT_ID = "11010519491231002X"
OTHER_ID = "440524188001010014"
ADDRESS = "山西省吕梁市离石区滨河北东路88号3号楼2单元501室"
RENEW = {"matter": "id-card", "situation": "renew"}  # 公安局, 承诺件 of 15 working days
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def case_hall() -> Hall:
    """The sample hall with a back office for 市场监督管理局 and one for 公安局, and S02 as the 出件 window."""
    text = sample_hall_path().read_text(encoding="utf-8")
    text += ('\n[[devices]]\nid = "B-SJ"\nrole = "backoffice"\ndepartment = "市场监督管理局"\n'
             '\n[[devices]]\nid = "B-GA"\nrole = "backoffice"\ndepartment = "公安局"\n')
    hall = parse_hall(tomllib.loads(text), text=text)
    return dataclasses.replace(hall, id=f"t{uuid.uuid4().hex[:12]}")


class Events:
    """``event/case`` messages as they arrive, typed."""

    def __init__(self) -> None:
        self.items: list[m.CaseEvent] = []
        self._lock = threading.Lock()

    def __call__(self, topic: str, payload: bytes) -> None:
        with self._lock:
            self.items.append(m.decode(m.CaseEvent, payload))

    def actions(self, case: str) -> list[str]:
        with self._lock:
            return [e.action for e in self.items if e.case == case]


@pytest.fixture
def rig(broker_url: str, tmp_path: Path) -> Iterator[HubRig]:
    clock = FakeClock(local_ts(2026, 11, 23, 9, 0))  # Monday
    r = HubRig(case_hall(), broker_url, tmp_path / "hub.db", clock)
    r.start_hub()
    yield r
    r.close()


def refused(client: HallClient, op: str, args: dict[str, Any]) -> RequestError:
    with pytest.raises(RequestError) as info:
        client.request(op, args)
    assert CHINESE.search(info.value.message), info.value.message
    return info.value


def at(rig: HubRig, day: int, hour: int, minute: int = 0) -> None:
    rig.clock.now = local_ts(2026, 11, day, hour, minute)


def clerks_sign_in(*desks: tuple[HallClient, str]) -> None:
    """The sample hall requires a clerk signed in at a back office, each hub day (as staff at a window)."""
    for desk, staff in desks:
        desk.request("backoffice.login", {"staff": staff, "pin": PIN})


def serve(kiosk: HallClient, pad: HallClient, window: str, **issue: Any) -> str:
    """A ticket issued, called at ``window`` and recorded 受理: its id."""
    ticket = kiosk.request("ticket.issue", {**RENEW, **issue})["ticket"]
    pad.request("ticket.call_next", {"window": window})
    pad.request("ticket.outcome", {"window": window, "outcome": "accepted"})
    return str(ticket["id"])


def test_a_week_of_cases_over_the_wire(rig: HubRig) -> None:
    events = Events()
    spy = HallClient(rig.url, rig.hall.id, "spy", "admin", subscriptions=(f"{ROOT}/{rig.hall.id}/event/case",))
    spy.on_raw(f"{ROOT}/{rig.hall.id}/event/case", events)
    rig.clients.append(spy.start(10))
    kiosk, front, out = rig.kiosk(), rig.pad("P-S01"), rig.pad("P-S02")
    guide = rig.client("G1", "guide")
    office, police = rig.client("B-GA", "backoffice"), rig.client("B-SJ", "backoffice")  # 公安局, 市场监督管理局
    front.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN})
    out.request("window.open", {"window": "S02", "staff": "1002", "pin": PIN})
    clerks_sign_in((office, "3001"), (police, "3002"))

    # ---- Monday: 受理 of three cases, one for each delivery method
    t_pickup = serve(kiosk, front, "S01", name="张三", id_number=APPLICANT_ID)
    early = refused(front, "case.accept", {"window": "S02", "ticket": t_pickup})  # the window that served it only
    assert early.code == "forbidden"
    a = front.request("case.accept", {
        "window": "S01", "ticket": t_pickup, "number": "SX-2026-0001", "promised_days": 1,
        "materials": [{"name": "公司登记（备案）申请书"}, {"name": "法定代表人身份证件", "form": "copy", "count": 2}],
    }, request_id="accept-a")["case"]
    assert (a["state"], a["state_label"], a["kind"], a["promised_days"]) == ("accepted", "已受理", "promised", 1)
    assert a["number"] == "SX-2026-0001"
    assert (a["department"], a["due"], a["applicant"], a["delivery"]) == ("公安局", "2026-11-24", "张**", "pickup")
    assert a["materials"][1] == {"name": "法定代表人身份证件", "form": "copy", "form_label": "复印件", "count": 2}
    again = front.request("case.accept", {"window": "S01", "ticket": t_pickup, "number": "SX-2026-0001",
                                          "promised_days": 1,
                                          "materials": [{"name": "公司登记（备案）申请书"},
                                                        {"name": "法定代表人身份证件", "form": "copy", "count": 2}]},
                          request_id="accept-a")["case"]
    assert again == a  # a retry with the same request id: the first reply, no second case
    t_locker = serve(kiosk, front, "S01")
    b = front.request("case.accept", {"window": "S01", "ticket": t_locker, "delivery": "locker",
                                      "id_number": OTHER_ID})["case"]
    assert (b["promised_days"], b["due"]) == (15, "2026-12-14")  # the matter's limit: 15 working days
    t_mail = serve(kiosk, front, "S01")
    c = front.request("case.accept", {"window": "S01", "ticket": t_mail, "delivery": "mail",
                                      "address": ADDRESS})["case"]
    assert c["address"] is True
    assert ADDRESS not in json.dumps(c, ensure_ascii=False)
    dup = refused(front, "case.accept", {"window": "S01", "ticket": t_mail, "number": "SX-2026-0001"})
    assert dup.code == "duplicate_case"

    # 转递: the guide console picks the folders up; the department signs (B at the window at once)
    guide.request("case.pick_up", {"case": "SX-2026-0001"})  # by the provincial number, as scanned
    other = refused(police, "case.sign", {"case": a["id"]})
    assert (other.code, other.message) == ("wrong_department", f"办件 {a['id']} 属于公安局，不是本部门的办件")
    assert refused(police, "case.get", {"case": a["id"]}).code == "wrong_department"
    assert police.request("cases.list", {})["cases"] == []
    assert [x["id"] for x in office.request("cases.list", {"view": "to_sign"})["cases"]] == [a["id"], b["id"], c["id"]]
    office.request("case.sign", {"case": a["id"], "staff": "3001"})
    assert refused(office, "case.sign", {"case": a["id"]}).code == "already_signed"
    office.request("case.sign", {"case": b["id"]})
    guide.request("case.pick_up", {"case": c["id"]})
    office.request("case.sign", {"case": c["id"]})
    notice = office.request("case.notify_correction", {"case": a["id"], "reasons": ["申请书缺少签字", "章程未盖章"],
                                                       "deadline": "2026-11-30"})["case"]
    assert (notice["state_label"], notice["reasons"]) == ("待补正", ["申请书缺少签字", "章程未盖章"])
    assert [x["id"] for x in office.request("cases.list", {"view": "in_review"})["cases"]] == [b["id"], c["id"]]

    # ---- Tuesday: the hub restarts; every acknowledged case is there
    before = {x["id"]: x for x in office.request("cases.list", {"view": "all"})["cases"]}
    rig.stop_hub()
    at(rig, 24, 9)
    rig.start_hub()
    after = {x["id"]: x for x in office.request("cases.list", {"view": "all"})["cases"]}
    assert after.keys() == before.keys() == {a["id"], b["id"], c["id"]}
    assert [after[k]["state"] for k in (a["id"], b["id"], c["id"])] == ["awaiting_correction", "in_review", "in_review"]
    assert front.request("case.accept", {"window": "S01", "ticket": t_pickup}, request_id="accept-a")["case"] == a
    front.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN})
    out.request("window.open", {"window": "S02", "staff": "1002", "pin": PIN})
    clerks_sign_in((office, "3001"))

    # 补正 at the window, back to the department; the promised date moves by the day it was away
    got = front.request("case.receive_correction", {"window": "S01", "case": a["id"],
                                                    "materials": [{"name": "申请书（已签字）"}]})["case"]
    assert (got["state"], got["due"]) == ("correction_received", "2026-11-25")
    guide.request("case.pick_up", {"case": a["id"]})
    office.request("case.sign", {"case": a["id"]})
    at(rig, 24, 16)
    overdue = office.request("cases.list", {"view": "overdue"})["cases"]
    assert overdue == []
    for case in (b["id"], c["id"]):  # well before their promised date
        office.request("case.approve", {"case": case, "result_kind": "证书"})
        office.request("case.send_out", {"case": case})

    # ---- Wednesday: A is due today and decided; the results reach the 出件 window
    at(rig, 25, 10)
    assert [x["id"] for x in office.request("cases.list", {"view": "due_today"})["cases"]] == [a["id"]]
    clerks_sign_in((office, "3001"))
    early_out = refused(out, "case.receive_result", {"window": "S02", "case": a["id"]})
    assert early_out.code == "not_decided"
    office.request("case.approve", {"case": a["id"]})
    office.request("case.send_out", {"case": a["id"]})
    for case in (a["id"], b["id"], c["id"]):
        out.request("case.receive_result", {"window": "S02", "case": case})
    ready = out.request("cases.list", {"view": "ready"})["cases"]
    assert [x["id"] for x in ready] == [a["id"], b["id"], c["id"]]  # by promised date

    # 出件: a wrong ID is refused and changes nothing; the applicant collects; the locker; the post
    wrong = refused(out, "case.collect", {"window": "S02", "case": a["id"], "id_number": OTHER_ID, "name": "李四"})
    assert wrong.code == "id_mismatch"
    assert out.request("case.get", {"case": a["id"]})["case"]["state"] == "ready"
    mismatch = refused(out, "case.post", {"window": "S02", "case": a["id"], "tracking": "SF100"})
    assert mismatch.code == "delivery_mismatch"
    done = out.request("case.collect", {"window": "S02", "case": a["id"], "id_number": APPLICANT_ID,
                                        "name": "张三"})["case"]
    assert (done["state_label"], done["collector"]) == ("已领取", "张**")
    assert out.request("case.locker", {"window": "S02", "case": b["id"], "compartment": "A-07"})["case"][
        "state"] == "in_locker"
    assert out.request("case.post", {"window": "S02", "case": c["id"], "tracking": "SF1234567890"})["case"][
        "tracking"] == "SF1234567890"
    assert refused(out, "case.collect", {"window": "S02", "case": a["id"]}).code == "case_closed"
    assert refused(out, "case.get", {"case": "NO-SUCH-CASE"}).code == "unknown_case"

    life = ["accept", "pick_up", "sign", "notify_correction", "receive_correction", "pick_up", "sign", "approve",
            "send_out", "receive_result", "collect"]
    wait_for(lambda: len(events.actions(a["id"])) >= len(life))
    assert events.actions(a["id"]) == life  # one event per acknowledged step: none for refusals or the retry
    last = [e for e in events.items if e.case == c["id"]][-1]
    assert (last.action_label, last.state, last.state_label, last.device) == ("邮寄", "posted", "已邮寄", "P-S02")

    # at rest: the projection, the rebuild, and no address or ID number in words anywhere in the file
    rig.stop_hub()
    store = Store(rig.db, durable=False)
    rows = {r["id"]: r for r in store.cases()}
    assert {k: rows[k]["state"] for k in rows} == {a["id"]: "collected", b["id"]: "in_locker", c["id"]: "posted"}
    assert rows[a["id"]]["due"] == "2026-11-25"
    copy = rebuild(store, rig.db.with_name("rebuilt.db"), rig.hall)
    assert copy.cases() == store.cases()
    assert copy.address(str(rows[c["id"]]["address_ref"])) == store.address(str(rows[c["id"]]["address_ref"]))
    ref = str(rows[c["id"]]["address_ref"])
    sealed_row = store.address(ref)
    assert sealed_row is not None
    assert sealed.unseal(load_key(rig.db.with_suffix(".key")), ref, sealed_row) == ADDRESS
    store.close()
    copy.close()
    raw = b"".join(p.read_bytes() for p in rig.db.parent.glob("hub.db*"))
    for secret in (ADDRESS, "滨河北东路", APPLICANT_ID, OTHER_ID):
        assert secret.encode() not in raw, secret


def test_purge_removes_a_posted_cases_address_with_its_retention(tmp_path: Path) -> None:
    import datetime as dt

    from hub.security.purge import purge
    from hub.service import HubService
    from tests.hub.hub_helpers import reply, req

    hall, key = case_hall(), b"k" * 32
    clock = FakeClock(local_ts(2026, 11, 23, 9, 0))
    svc = HubService(hall, Store(tmp_path / "p.db", durable=False), key, clock)

    def ok(device: str, op: str, args: dict[str, Any]) -> dict[str, Any]:
        body = reply(svc.handle(device, req(op, args)))
        assert body["ok"], body
        return dict(body["result"])

    ok("P-S01", "window.open", {"window": "S01", "staff": "1001", "pin": PIN})
    ok("B-GA", "backoffice.login", {"staff": "3001", "pin": PIN})  # the sample hall requires the desk's clerk
    cases = []
    for number in (APPLICANT_ID, OTHER_ID):
        ok("K1", "ticket.issue", {**RENEW, "name": "张三", "id_number": number})
        ticket = ok("P-S01", "ticket.call_next", {"window": "S01"})["ticket"]["id"]
        ok("P-S01", "ticket.outcome", {"window": "S01", "outcome": "accepted"})
        cases.append(ok("P-S01", "case.accept", {"window": "S01", "ticket": ticket, "delivery": "mail",
                                                 "address": ADDRESS})["case"]["id"])
    posted, still_open = cases
    for op, device, args in (("case.sign", "B-GA", {}), ("case.approve", "B-GA", {}), ("case.send_out", "B-GA", {}),
                             ("case.receive_result", "P-S01", {"window": "S01"}),
                             ("case.post", "P-S01", {"window": "S01", "tracking": "SF1"})):
        ok(device, op, {"case": posted, **args})
    refs = {r["id"]: r["address_ref"] for r in svc.store.cases()}
    svc.store.close()
    result = purge(tmp_path / "p.db", 0, today=dt.date(2026, 11, 25))
    assert result.addresses == 1
    store = Store(tmp_path / "p.db", durable=False)
    assert store.address(refs[posted]) is None  # posted two days ago: gone
    assert store.address(refs[still_open]) is not None  # still needed until posted
    accepted = {e.case: e for _, e in store.events() if isinstance(e, ce.CaseAccepted)}
    assert (accepted[posted].applicant_masked, accepted[posted].id_hash) == ("", "")  # closed: blanked
    assert accepted[still_open].applicant_masked == "张**"  # open: its pickup still checks the hash
    assert len(accepted[still_open].id_hash) == 64
    store.close()
