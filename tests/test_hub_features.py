"""Hub features the device apps rely on: appointments, guide queries, reprint, kiosk voiding, alerts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from hallq.client import RequestError
from hub.config import load_hall
from launcher.local_hall import LocalHall, open_all_day
from launcher.samples import sample_hall_path

TZ = dt.timezone(dt.timedelta(hours=8))
ID = "11010519491231002X"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=TZ).timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def hall(tmp_path: Path):  # type: ignore[no-untyped-def]
    with LocalHall(db=tmp_path / "hall.db", clock=Clock()) as h:
        yield h


def wait_for(predicate: Any, timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_appointment_import_and_checkin(hall: LocalHall, tmp_path: Path) -> None:
    csv = tmp_path / "appts.csv"
    csv.write_text("\ufeffcode,date,start,end,matter,situation,name,id_number,phone\n"
                   f"YY001,2026-11-23,08:50,09:20,hukou-move,with-house,张三,{ID},13812345678\n"
                   "YY002,2026-11-24,09:30,10:00,hukou-move,with-house,李四,,\n"
                   "YY003,2026-11-23,16:00,16:30,hukou-move,with-house,王五,,\n"
                   "YY004,2026-11-23,08:30,09:00,hukou-move,with-house,赵六,,\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "launcher", "appointments", "import", str(csv), "--config",
                        str(sample_hall_path()), "--db", str(hall.db)], capture_output=True, text=True, timeout=60,
                       check=False)
    assert r.returncode == 0, r.stderr
    assert "imported 4" in r.stdout
    kiosk = hall.client("K1")
    walk_in = kiosk.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house"})["ticket"]
    t = kiosk.request("appointment.checkin", {"id_number": ID})["ticket"]
    assert t["channel"] == "appointment" and t["appointment"] is True
    assert t["id_masked"] == "110105********002X" and t["applicant"] == "张**"
    assert t["ahead"] == 0, "an appointment whose slot (08:50) has come goes before walk-ins"
    assert kiosk.request("ticket.get", {"ticket": walk_in["number"]})["ticket"]["ahead"] == 1
    # 09:00 for 16:00: too early (the hall allows 30 minutes before), with the time to come back
    with pytest.raises(RequestError) as early:
        kiosk.request("appointment.checkin", {"code": "YY003"})
    assert early.value.code == "appointment_early" and "15:30" in early.value.message
    # 09:00 for 08:30: more than 15 minutes late: an ordinary ticket, behind the walk-in
    late_reply = kiosk.request("appointment.checkin", {"code": "YY004"})
    assert late_reply["checkin"] == "late" and late_reply["ticket"]["appointment"] is False
    assert late_reply["ticket"]["ahead"] == 2
    with pytest.raises(RequestError) as used:
        kiosk.request("appointment.checkin", {"code": "yy001"})
    assert used.value.code == "appointment_used" and t["number"] in used.value.message
    with pytest.raises(RequestError) as other_day:
        kiosk.request("appointment.checkin", {"code": "YY002"})
    assert other_day.value.code == "appointment_wrong_day"
    with pytest.raises(RequestError) as unknown:
        kiosk.request("appointment.checkin", {"code": "NOPE"})
    assert unknown.value.code == "unknown_appointment"
    assert ID.encode() not in hall.db.read_bytes()


def test_appointment_file_errors_name_the_line(tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("code,date,start,end,matter,situation,name,id_number,phone\n"
                   "A1,2026-11-23,09:30,10:00,hukou-move,nope,张三,,\n"
                   "A2,2026-13-01,09:30,10:00,hukou-move,with-house,,,\n"
                   "A3,2026-11-23,09:30,10:00,hukou-move,with-house,,110105194912310021,\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "launcher", "appointments", "import", str(csv), "--config",
                        str(sample_hall_path()), "--db", str(tmp_path / "h.db")], capture_output=True, text=True,
                       timeout=60, check=False)
    assert r.returncode == 1
    assert "line 2" in r.stderr and "nope" in r.stderr
    assert "line 3" in r.stderr and "line 4" in r.stderr
    assert "110105194912310021" not in r.stderr


def test_guide_lists_verifies_and_reprints(hall: LocalHall) -> None:
    kiosk, guide = hall.client("K1"), hall.guide("G1")
    alerts: list[Any] = []
    reprints: list[Any] = []
    guide.subscribe(guide.topics.event("priority"), lambda t, d: alerts.append(d))
    kiosk.subscribe(kiosk.topics.event("reprint"), lambda t, d: reprints.append(d))
    normal = kiosk.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house"})["ticket"]
    elder = kiosk.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house",
                                           "priority_group": "elderly"})["ticket"]
    assert elder["priority_verified"] is False and elder["ahead"] == 1
    alert = wait_for(lambda: alerts)[0]
    assert alert["ticket"]["number"] == elder["number"]
    guide.subscribe(guide.topics.queues)
    queues = wait_for(lambda: (guide.state.get(guide.topics.queues) or {}).get("queues"))
    assert next(q for q in queues if q["id"] == "A")["pending_priority"] == 1
    listed = guide.request("tickets.list", {"queue": "A"})["tickets"]
    assert [t["number"] for t in listed] == [normal["number"], elder["number"]]
    verified = guide.request("ticket.verify_priority", {"ticket": elder["number"]})["ticket"]
    assert verified["priority_verified"] and verified["ahead"] == 0
    guide.request("ticket.reprint", {"ticket": normal["number"], "device": "K1"})
    got = wait_for(lambda: reprints)[0]
    assert got["device"] == "K1" and got["ticket"]["number"] == normal["number"] and got["by"] == "G1"
    with pytest.raises(RequestError) as bad:
        guide.request("ticket.reprint", {"ticket": normal["number"], "device": "P-S01"})
    assert bad.value.code == "unknown_device"
    with pytest.raises(RequestError) as pad_list:
        hall.client("K2").request("tickets.list", {})
    assert pad_list.value.code == "forbidden"


def test_kiosk_voids_only_its_own_tickets(hall: LocalHall) -> None:
    k1, k2 = hall.client("K1"), hall.client("K2")
    t = k1.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house"})["ticket"]
    with pytest.raises(RequestError) as other:
        k2.request("ticket.cancel", {"ticket": t["number"], "reason": "打印失败"})
    assert other.value.code == "forbidden"
    assert k1.request("ticket.cancel", {"ticket": t["number"], "reason": "打印失败"})["ticket"]["state"] == "cancelled"


def test_one_staff_one_window(hall: LocalHall) -> None:
    s1, s2 = hall.client("P-S01"), hall.client("P-S02")
    s1.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
    with pytest.raises(RequestError) as elsewhere:
        s2.request("window.open", {"window": "S02", "staff": "1001", "pin": "1234"})
    assert elsewhere.value.code == "staff_elsewhere"
    s1.request("window.close", {"window": "S01"})
    s2.request("window.open", {"window": "S02", "staff": "1001", "pin": "1234"})


def test_catalog_carries_printer_tables_for_devices(hall: LocalHall) -> None:
    from printers.config import parse_printers

    k = hall.client("K1", subscriptions=("hallq/lvliang/catalog",))
    catalog = wait_for(lambda: k.state.get(k.topics.catalog))
    name = next(d["printer"] for d in catalog["devices"] if d["id"] == "K1")
    configs, errors = parse_printers({name: catalog["printers"][name]})
    assert not errors and configs[name].backend == "file"
    assert "pin_hash" not in str(catalog)


def test_concurrent_calls_never_share_a_ticket(hall: LocalHall) -> None:
    """Two windows tapping 叫号 at the same instant get different tickets (atomic claim)."""
    kiosk = hall.client("K1")
    for _ in range(6):
        kiosk.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house"})
    pads = {w: hall.client(f"P-{w}") for w in ("S01", "S02")}
    for i, (w, pad) in enumerate(pads.items()):
        pad.request("window.open", {"window": w, "staff": f"100{i + 1}", "pin": "1234"})
    got: dict[str, list[str]] = {w: [] for w in pads}

    def serve(w: str) -> None:
        for _ in range(3):
            got[w].append(pads[w].request("ticket.call_next", {"window": w})["ticket"]["number"])
            pads[w].request("ticket.outcome", {"window": w, "outcome": "consulted"})

    threads = [threading.Thread(target=serve, args=(w,)) for w in pads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    numbers = got["S01"] + got["S02"]
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 7)]


def test_backfill_records_a_walk_in_without_a_call(hall: LocalHall) -> None:
    pad = hall.client("P-S01")
    pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
    t = pad.request("ticket.backfill", {"window": "S01", "matter": "hukou-move", "situation": "with-house",
                                        "outcome": "consulted"})["ticket"]
    assert t["state"] == "consulted" and t["channel"] == "window" and t["window"] == "S01"
    assert t["called_at"] is None, "补录 is never called: reports list it as 未叫号即办理"
    with pytest.raises(RequestError) as bad:
        pad.request("ticket.backfill", {"window": "S01", "matter": "hukou-move", "situation": "with-house",
                                        "outcome": "passed"})
    assert bad.value.code == "bad_outcome"
    with pytest.raises(RequestError) as other:
        pad.request("ticket.backfill", {"window": "S02", "matter": "hukou-move", "situation": "with-house",
                                        "outcome": "accepted"})
    assert other.value.code == "forbidden"
    guide = hall.guide("G1")
    assert guide.request("tickets.list", {"state": "all"})["tickets"][0]["number"] == t["number"]


def test_nested_transactions_are_savepoints(tmp_path: Path) -> None:
    """Group commit: a failing command inside a batch rolls back alone; the batch commits once."""
    from hub.store import Store

    store = Store(tmp_path / "s.db")
    with store.transaction():
        store.set_meta("a", 1)
        with pytest.raises(RuntimeError), store.transaction():
            store.set_meta("b", 2)
            raise RuntimeError("this command failed")
        with store.transaction():
            store.set_meta("c", 3)
    store.close()
    again = Store(tmp_path / "s.db")
    assert (again.meta("a"), again.meta("b"), again.meta("c")) == (1, None, 3)


def test_a_burst_from_many_kiosks_is_acknowledged_once_each(tmp_path: Path) -> None:
    """Commands arriving together are committed together; every reply matches a distinct ticket.
    (50 commands a kiosk at once: over the sample hall's rate limit, so without it here.)"""
    sample = open_all_day(load_hall(sample_hall_path()))
    unlimited = dataclasses.replace(sample, policy=dataclasses.replace(sample.policy, rate_per_minute=0))
    with LocalHall(unlimited, db=tmp_path / "hall.db", clock=Clock()) as hall:
        _burst_from_two_kiosks(hall)


def _burst_from_two_kiosks(hall: LocalHall) -> None:
    kiosks = [hall.client(k) for k in ("K1", "K2")]
    numbers: list[str] = []
    lock = threading.Lock()

    def burst(c: Any) -> None:
        for _ in range(25):
            n = c.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house"})["ticket"]["number"]
            with lock:
                numbers.append(n)

    threads = [threading.Thread(target=burst, args=(k,)) for k in kiosks for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 101)]
    from hub.store import Store

    rows = Store(hall.db).tickets("2026-11-23")
    assert sorted(r["number"] for r in rows) == sorted(numbers)


def test_guide_overrides_are_audited_with_who_when_and_why(hall: LocalHall) -> None:
    from hub.store import Store

    kiosk, guide, pad = hall.client("K1"), hall.guide("G1"), hall.client("P-S01")
    t = kiosk.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house",
                                       "priority_group": "elderly"})["ticket"]
    guide.request("ticket.verify_priority", {"ticket": t["number"], "reason": "核验老年证"})
    guide.request("window.set_queues", {"window": "T01", "queues": ["A"], "reason": "上午高峰"})
    pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
    pad.request("window.pause", {"window": "S01", "reason": "休息"})  # staff at their own window: not an override
    audits = [e for _, e in Store(hall.db).events() if e.type == "audit.override"]
    assert [(a.op, a.device, a.target, a.reason) for a in audits] == [  # type: ignore[attr-defined]
        ("ticket.verify_priority", "G1", t["number"], "核验老年证"),
        ("window.set_queues", "G1", "T01", "上午高峰"),
    ]
    assert all(a.at == Clock()() for a in audits)


def test_a_batch_publishes_each_retained_state_once_and_every_event() -> None:
    from hub.publisher import Publication, coalesce

    pubs = [Publication("q", b"1", retain=True), Publication("call", b"a"), Publication("q", b"2", retain=True),
            Publication("w/S01", b"x", retain=True), Publication("call", b"b")]
    assert [(p.topic, p.payload) for p in coalesce(pubs)] == [("call", b"a"), ("q", b"2"), ("w/S01", b"x"),
                                                             ("call", b"b")]


def test_a_signed_in_guide_is_named_in_the_audit(hall: LocalHall) -> None:
    from hub.store import Store

    kiosk, guide = hall.client("K1"), hall.guide("G1")
    t = kiosk.request("ticket.issue", {"matter": "hukou-move", "situation": "with-house"})["ticket"]
    with pytest.raises(RequestError) as wrong:
        guide.request("guide.login", {"staff": "2001", "pin": "0000"})
    assert wrong.value.code == "bad_pin"
    with pytest.raises(RequestError) as not_guide:
        guide.request("guide.login", {"staff": "1001", "pin": "1234"})
    assert not_guide.value.code == "staff_role"
    assert guide.request("guide.login", {"staff": "2001", "pin": "1234"})["staff"]["name"] == "赵芳"
    guide.request("ticket.cancel", {"ticket": t["number"], "reason": "群众离开"})
    guide.request("guide.logout", {})
    with pytest.raises(RequestError) as again:
        guide.request("guide.logout", {})
    assert again.value.code == "not_signed_in"
    audit = [e for _, e in Store(hall.db).events() if e.type == "audit.override"]
    assert [(a.op, a.device, a.staff, a.reason) for a in audit] == [  # type: ignore[attr-defined]
        ("ticket.cancel", "G1", "2001", "群众离开")]


def test_overrides_need_a_signed_in_guide_where_the_hall_requires_it(hall: LocalHall) -> None:
    """The sample hall sets policy.guide_sign_in_required: an unsigned console is refused
    (not_signed_in) and nothing changes; after 签到 it works; after 签退 it is refused again.
    Reads (tickets.list) stay open, and the hub's admin is not a guide console."""
    assert hall.hall.policy.guide_sign_in_required
    kiosk = hall.client("K1")
    console = hall.client("G1", subscriptions=(kiosk.topics.catalog,))
    ticket = kiosk.request("ticket.issue", {"matter": "id-card", "situation": "first"})["ticket"]
    assert hall.hub is not None
    before = hall.hub.store.last_seq()
    with pytest.raises(RequestError) as refused:
        console.request("ticket.cancel", {"ticket": ticket["id"], "reason": "群众离开"})
    assert refused.value.code == "not_signed_in"
    assert "签到" in refused.value.message
    assert hall.hub.store.last_seq() == before
    assert console.request("tickets.list", {})["tickets"]  # looking is not an override
    console.request("guide.login", {"staff": "2001", "pin": "1234"})
    console.request("ticket.cancel", {"ticket": ticket["id"], "reason": "群众离开"})
    console.request("guide.logout", {})
    second = kiosk.request("ticket.issue", {"matter": "id-card", "situation": "first"})["ticket"]
    with pytest.raises(RequestError, match="not_signed_in"):
        console.request("ticket.cancel", {"ticket": second["id"], "reason": "群众离开"})
    assert hall.hall.policy.alert_wait_min == 30
    policy = wait_for(lambda: (console.state.get(console.topics.catalog) or {}).get("policy"))
    assert policy["guide_sign_in_required"] is True
    assert (policy["alert_wait_min"], policy["alert_pause_min"]) == (30, 15)


def test_a_bad_rating_is_followed_up_days_later_and_the_report_shows_it(hall: LocalHall, tmp_path: Path) -> None:
    """差评 on Monday; on Wednesday a signed-in guide records the 整改; Monday's report shows it."""
    from openpyxl import load_workbook

    from hub.reports.cli import main as report

    clock = hall.clock
    assert isinstance(clock, Clock)
    kiosk, pad, screen = hall.client("K1"), hall.client("P-S01"), hall.client("D-S01")
    pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
    kiosk.request("ticket.issue", {"matter": "id-card", "situation": "first"})
    called = pad.request("ticket.call_next", {"window": "S01"})["ticket"]
    pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
    screen.request("evaluation.submit", {"window": "S01", "level": 1, "reason": "等候时间过长"})
    clock.now += 2 * 86400  # Wednesday: a new day at the hub
    guide = hall.guide("G1")
    args = {"ticket": called["id"], "result": "rectified", "note": "已增开窗口"}
    with pytest.raises(RequestError, match="bad_args"):
        guide.request("evaluation.followup", {**args, "result": "fixed"})
    with pytest.raises(RequestError, match="bad_args"):
        guide.request("evaluation.followup", {**args, "level": 4})  # a level only with "rated"
    with pytest.raises(RequestError, match="unknown_ticket"):
        guide.request("evaluation.followup", {**args, "ticket": "2026-11-23-Z999"})
    listed = guide.request("followups.list", {"days": 3})["items"]
    assert [(i["number"], i["level"], i["reason"], i["followup"]) for i in listed] == \
        [(called["number"], 1, "等候时间过长", None)]
    assert guide.request("followups.list", {"days": 1})["items"] == []  # Monday is 3 days back
    with pytest.raises(RequestError, match="bad_args"):
        guide.request("followups.list", {"days": 0})
    done = guide.request("evaluation.followup", args)
    assert done["label"] == "已整改"
    assert guide.request("followups.list", {})["items"][0]["followup"]["note"] == "已增开窗口"
    out = tmp_path / "monday.xlsx"
    assert hall.hub is not None
    code = report(["daily", "--db", str(hall.db), "--date", "2026-11-23", "--out", str(out), "--as-of", "2026-11-25"])
    assert code == 0
    rows = [r for r in load_workbook(out)["差评清单"].iter_rows(values_only=True) if r and r[3] == called["number"]]
    assert len(rows) == 1
    assert str(rows[0][-1]).startswith("已整改（11-25 2001：已增开窗口）"), rows[0]
