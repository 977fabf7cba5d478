"""The real kiosk widgets against a real hall (broker + hub): a citizen's way from the start screen
to a printed slip, and the faults: hub down, paper out, a slip that fails to print."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from hallq import i18n
from hallq.client import HallClient
from hallq.idcard import looks_like_full_id
from hub.runtime import Hub
from tests.kiosk.conftest import MASKED, OTHER_ID, SAMPLE_ID, FakeClock, KioskRig, slip_text, wait_for


def guide(rig: KioskRig) -> HallClient:
    return rig.hall.guide("G1")


def walk_to_result(k: KioskRig) -> None:
    k.tap("居民身份证申领、换领、补领")
    k.wait_screen("question")
    assert "您要办理哪种身份证业务？" in k.window.texts()
    k.tap("身份证丢了，需要补办")
    assert "近期是否急需用身份证乘车、住宿或办事？" in k.window.texts()
    k.tap("是，需要先办临时身份证")
    k.wait_screen("result")


def take_ticket(k: KioskRig, id_number: str = SAMPLE_ID, button: str = "取号") -> dict[str, Any]:
    k.tap(button)
    k.wait_screen("identify")
    k.type_keys(id_number)
    k.tap("确定取号")
    k.wait_screen("ticket")
    assert k.model.ticket is not None
    return k.model.ticket


def test_citizen_start_questions_result_id_ticket_and_slip(kiosk: KioskRig, tmp_path: Path) -> None:
    slip = tmp_path / "slip.bin"
    k = kiosk.start(printer=f"file:{slip}")
    assert k.screen() == "start"
    walk_to_result(k)
    texts = k.window.texts()
    assert "☐ 居民户口簿" in texts  # materials to bring
    assert "✔ 本人到场" in texts  # conditions to self-check
    assert any("遗失补领并同时办理临时居民身份证" in t for t in texts)
    ticket = take_ticket(k)
    number = ticket["number"]
    assert number.startswith("A")
    shown = " ".join(k.window.texts())
    assert number in shown
    assert MASKED in shown
    assert SAMPLE_ID not in shown
    assert "S01" in shown
    text = slip_text(slip.read_bytes())
    for expected in ("吕梁市政务服务中心", number, "居民身份证申领、换领、补领", MASKED, "票号当天有效", "过号取号"):
        assert expected in text, expected
    assert not looks_like_full_id(text)
    assert SAMPLE_ID.encode() not in slip.read_bytes()
    got = guide(k).request("ticket.get", {"ticket": ticket["id"]})["ticket"]
    assert got["state"] == "waiting"
    assert got["id_masked"] == MASKED
    assert got["channel"] == "kiosk"
    assert not json.loads(k.controller.spool.path.read_text() or "{}")  # printed: nothing left unprinted


def test_retrying_a_ticket_request_never_issues_twice(kiosk: KioskRig) -> None:
    k = kiosk.start()
    walk_to_result(k)
    k.tap("取号")
    k.type_keys(SAMPLE_ID)
    sent: list[Any] = []
    original = k.controller._send
    k.controller._send = lambda s: (sent.append(s), original(s))  # type: ignore[method-assign]
    k.tap("确定取号")
    k.wait_screen("ticket")
    first = k.model.ticket
    assert first is not None
    # the same request id again (a retry after a lost reply): the hub answers with the same ticket
    again = k.client.request(sent[0].op, sent[0].args, request_id=sent[0].request_id)
    assert again["ticket"]["id"] == first["id"]
    queues = guide(k).request("hall.snapshot", {})["queues"]
    assert next(q for q in queues if q["id"] == "A")["issued"] == 1


def test_idle_timeout_clears_the_screen(kiosk: KioskRig) -> None:
    clock = FakeClock()
    k = kiosk.start(clock=clock, idle=60)
    walk_to_result(k)
    k.tap("取号")
    k.type_keys(SAMPLE_ID[:12])
    assert SAMPLE_ID[:12] in k.window.texts()  # shown as typed (incomplete), so a wrong digit can be found
    clock.advance(61)
    k.wait_screen("start", timeout=5)
    assert all(v == "" for v in k.model.fields.values())
    assert k.model.walk is None
    assert not any("110105" in t for t in k.window.texts())


def test_ticket_screen_also_times_out(kiosk: KioskRig) -> None:
    clock = FakeClock()
    k = kiosk.start(clock=clock)
    walk_to_result(k)
    take_ticket(k)
    clock.advance(k.model.ticket_timeout + 1)
    k.wait_screen("start", timeout=5)
    assert k.model.ticket is None
    assert not any(MASKED in t for t in k.window.texts())


def test_hub_down_rides_a_short_outage_then_shows_offline_then_recovers(kiosk: KioskRig) -> None:
    """A hub restart shorter than the grace covers nothing; a longer one shows 暂停取号; back: tickets."""
    clock = FakeClock()
    k = kiosk.start(clock=clock)
    lh = k.hall
    assert lh.hub is not None
    lh.hub.stop()
    wait_for(k.qtbot, lambda: k.model.reconnecting)
    assert k.screen() == "start"  # a short outage (a restart, a standby taking over) interrupts nobody
    assert "暂停取号，请咨询引导台" not in k.window.texts()
    clock.advance(k.model.outage_grace + 1)  # the idle timer's tick notices the grace is over
    k.wait_screen("offline")
    wait_for(k.qtbot, lambda: "暂停取号，请咨询引导台" in k.window.texts())  # redrawn by the tick
    printed_before = len(k.printed)
    lh.hub = Hub(lh.hall, lh.db, lh.url).start()
    k.wait_screen("start", timeout=15)
    assert len(k.printed) == printed_before  # nothing printed while down
    walk_to_result(k)
    assert take_ticket(k)["number"] == "A001"


def test_a_ticket_asked_for_during_a_short_outage_is_issued_when_the_hub_is_back(kiosk: KioskRig) -> None:
    """The hub goes away while a citizen types the ID number: 确定取号 still works; the citizen sees
    that the kiosk is waiting for the network and gets exactly one ticket, printed once, when it is back."""
    k = kiosk.start(clock=FakeClock())
    walk_to_result(k)
    k.tap("取号")
    k.type_keys(SAMPLE_ID)
    lh = k.hall
    assert lh.hub is not None
    lh.hub.stop()
    wait_for(k.qtbot, lambda: k.model.reconnecting)
    k.tap("确定取号")  # enabled: within the grace the kiosk takes the request and holds it
    k.wait_screen("working")
    assert "网络正在恢复，恢复后将自动为您取号，请不要离开。" in k.window.texts()
    assert k.model.pending is not None and b"A001" not in k.printed
    assert "110105" not in "".join(k.window.texts())  # the ID number is no longer on screen
    lh.hub = Hub(lh.hall, lh.db, lh.url).start()
    k.wait_screen("ticket", timeout=15)
    assert k.model.ticket is not None and k.model.ticket["number"] == "A001"
    assert slip_text(k.printed).count("A001") == 1
    assert [t["number"] for t in lh.hub.store.tickets()] == ["A001"]  # issued once, not once per try


def test_request_timeout_then_same_ticket_after_recovery(kiosk: KioskRig) -> None:
    """The hub dies while a ticket is requested and the outage outlasts the grace: offline screen, no
    slip; back: one ticket, printed once."""
    clock = FakeClock()
    k = kiosk.start(timeout=0.5, request_retries=0, clock=clock)
    walk_to_result(k)
    k.tap("取号")
    k.type_keys(SAMPLE_ID)
    lh = k.hall
    assert lh.hub is not None
    lh.hub.client.stop()  # the hub process freezes off the network (its presence says offline)
    lh.hub.stop()
    wait_for(k.qtbot, lambda: not k.model.online)
    k.tap("确定取号")
    k.wait_screen("working")
    clock.advance(k.model.outage_grace + 1)
    k.wait_screen("offline")
    assert k.model.pending is not None
    assert b"A001" not in k.printed
    lh.hub = Hub(lh.hall, lh.db, lh.url).start()
    k.wait_screen("ticket", timeout=15)
    assert k.model.ticket is not None
    assert k.model.ticket["number"] == "A001"
    assert slip_text(k.printed).count("A001") == 1


def test_paper_out_stops_tickets_and_publishes_status(kiosk: KioskRig) -> None:
    k = kiosk.start()
    statuses: list[dict[str, Any]] = []
    seen = threading.Event()
    g = guide(k)

    def on_status(topic: str, data: Any) -> None:
        statuses.append(data)
        seen.set()

    g.subscribe(g.topics.status("K1"), on_status)
    k.controller.printer.set_simulated_state("out")
    k.controller.check_printer()
    k.wait_screen("paper_out")
    wait_for(k.qtbot, lambda: any(s["printer"]["paper"] == "out" for s in statuses))
    last = statuses[-1]["printer"]
    assert last["error"] == "paper_out"
    assert last["blocking"] is True
    assert "暂停取号，请咨询引导台" in k.window.texts()
    k.tap("查看办事指南（不取号）")
    k.tap("居民身份证申领、换领、补领")
    k.tap("第一次办身份证")
    k.wait_screen("result")
    assert not k.window.button("取号").isEnabled()
    assert "打印机故障，本机暂停取号，请咨询引导台。" in k.window.texts()
    k.controller.printer.set_simulated_state("ok")
    k.controller.check_printer()
    wait_for(k.qtbot, lambda: k.window.button("取号").isEnabled())
    wait_for(k.qtbot, lambda: statuses[-1]["printer"]["error"] is None)


def test_invalid_id_message_and_nothing_sent(kiosk: KioskRig) -> None:
    k = kiosk.start()
    walk_to_result(k)
    k.tap("取号")
    k.type_keys("110105194912310021")  # wrong check character
    k.tap("确定取号")
    assert k.screen() == "identify"
    assert "身份证号码校验位不正确，请核对后重新输入" in k.window.texts()
    assert k.model.pending is None
    queues = guide(k).request("hall.snapshot", {})["queues"]
    assert sum(q["issued"] for q in queues) == 0


def test_slip_failing_to_print_is_reprinted_when_fixed(kiosk: KioskRig) -> None:
    k = kiosk.start()
    walk_to_result(k)
    k.tap("取号")
    k.type_keys(SAMPLE_ID)
    k.controller.printer.set_simulated_state("out")  # runs out between the last check and this slip
    k.tap("确定取号")
    k.wait_screen("notice")
    assert "小票打印失败" in k.window.texts()
    spool = k.controller.spool
    assert len(spool.entries()) == 1
    k.controller.printer.set_simulated_state("ok")
    k.controller.check_printer()
    k.wait_screen("ticket")
    assert spool.entries() == {}
    assert k.model.ticket is not None
    assert k.model.ticket["number"] in slip_text(k.printed)


def test_slip_never_printed_is_voided_through_the_hub(kiosk: KioskRig) -> None:
    clock = FakeClock()
    k = kiosk.start(clock=clock, reprint_grace=30)
    walk_to_result(k)
    k.tap("取号")
    k.type_keys(SAMPLE_ID)
    k.controller.printer.set_simulated_state("out")
    k.tap("确定取号")
    k.wait_screen("notice")
    tid = next(iter(k.controller.spool.entries()))
    clock.advance(31)
    wait_for(k.qtbot, lambda: k.controller.spool.entries() == {})
    got = guide(k).request("ticket.get", {"ticket": tid})["ticket"]
    assert got["state"] == "cancelled"
    assert "本次取号已作废，请到引导台取号。" in " ".join(k.window.texts())


def test_unprinted_ticket_from_an_earlier_run_is_voided_at_start(kiosk: KioskRig) -> None:
    g = guide(kiosk)
    k1 = kiosk.hall.client("K1")  # an earlier run of this kiosk issued a ticket, then crashed before printing
    issued = k1.request("ticket.issue", {"matter": "id-card", "situation": "first"})["ticket"]
    k1.stop()
    from kiosk.printing import UnprintedSpool

    UnprintedSpool(kiosk.tmp / "spool.json").add(issued["id"], issued["number"], 0.0)
    k = kiosk.start()
    wait_for(k.qtbot, lambda: g.request("ticket.get", {"ticket": issued["id"]})["ticket"]["state"] == "cancelled")
    wait_for(k.qtbot, lambda: k.controller.spool.entries() == {})


def test_priority_group_ticket_is_pending_and_guides_are_told(kiosk: KioskRig) -> None:
    k = kiosk.start()
    g = guide(k)
    events: list[Any] = []
    g.subscribe(g.topics.event("priority"), lambda t, d: events.append(d))
    k.tap("老年人/特殊群体")
    k.tap("65周岁以上老年人")
    k.wait_screen("matters")
    assert k.model.elder
    k.tap("居民身份证申领、换领、补领")
    k.tap("第一次办身份证")
    ticket = take_ticket(k)
    assert ticket["priority_group"] == "elderly"
    assert not ticket["priority_verified"]
    wait_for(k.qtbot, lambda: any(e["ticket"]["id"] == ticket["id"] for e in events))
    assert "已申报优先办理：65周岁以上老年人" in slip_text(k.printed)


def test_assist_and_online_and_consult_routes(kiosk: KioskRig) -> None:
    k = kiosk.start()
    k.tap("社会保障卡申领")
    k.tap("不是，卡丢失或损坏需要补换")
    k.wait_screen("result")
    texts = k.window.texts()
    assert "可全程网办" in texts
    assert "扫码办理" in texts
    with pytest.raises(LookupError):
        k.window.button("取号")
    ticket = take_ticket(k, button="我需要帮助（帮办网办）")
    assert ticket["queue"] == "J"  # 帮办代办
    k.tap("完成")
    k.tap("综合服务区")
    k.tap("政策咨询")
    k.wait_screen("result")
    assert "咨询事项，无需取号" in k.window.texts()
    assert not [b for b in k.window.buttons() if "取" in b.text() and "号" in b.text()]


def test_duplicate_ticket_is_explained(kiosk: KioskRig) -> None:
    k = kiosk.start()
    walk_to_result(k)
    take_ticket(k)
    k.tap("完成")
    walk_to_result(k)
    k.tap("取号")
    k.type_keys(SAMPLE_ID)
    k.tap("确定取号")
    k.wait_screen("notice")
    assert "您今天已取过该事项的号" in k.window.texts()
    k.tap("返回首页")
    walk_to_result(k)
    assert take_ticket(k, OTHER_ID)["number"] == "A002"  # someone else may


def test_retake_after_pass_prints_a_new_slip(kiosk: KioskRig) -> None:
    k = kiosk.start()
    walk_to_result(k)
    number = take_ticket(k)["number"]
    k.tap("完成")
    pad = k.hall.client("P-S01")
    pad.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
    assert pad.request("ticket.call_next", {"window": "S01"})["ticket"]["number"] == number
    pad.request("ticket.outcome", {"window": "S01", "outcome": "passed"})
    before = slip_text(k.printed).count(number)
    k.tap("过号取号")
    k.type_keys(number)
    k.tap("重新取号")
    k.wait_screen("ticket")
    assert k.model.ticket is not None
    assert k.model.ticket["state"] == "waiting"
    assert slip_text(k.printed).count(number) > before
    k.tap("完成")
    k.tap("过号取号")
    k.type_keys("A999")
    k.tap("重新取号")
    k.wait_screen("notice")
    assert "没有找到该票号" in k.window.texts()


def test_appointment_checkin_unknown_code(kiosk: KioskRig) -> None:
    k = kiosk.start()
    k.tap("预约签到")
    k.type_keys("AB12")
    k.tap("签到取号")
    k.wait_screen("notice")
    assert "没有找到预约记录" in k.window.texts()


def test_appointment_checkin_prints_an_appointment_ticket(kiosk: KioskRig) -> None:
    """预约签到 end to end: a booked appointment (imported into the hub's store) → ticket and slip."""
    from hallq import clock as hallclock
    from hub.store import Store

    k = kiosk.start()
    now = hallclock.local(k.hall.clock(), k.hall.hall.timezone)  # the hub's day, not the machine's
    store = Store(k.hall.db)
    store.add_appointments([{
        "code": "YY8888", "day": now.date().isoformat(), "slot_start": now.timestamp(),
        "slot_end": now.timestamp() + 1800, "matter": "hukou-move", "situation": "with-house",
        "name_masked": "王**", "id_masked": "", "id_hash": "", "phone_masked": ""}])
    store.close()
    k.tap("预约签到")
    k.type_keys("YY8888")
    k.tap("签到取号")
    k.wait_screen("ticket")
    assert k.model.ticket is not None and k.model.ticket["channel"] == "appointment"
    assert k.model.ticket["number"] in slip_text(k.printed)


def test_guide_reprint_request_prints_on_this_kiosk(kiosk: KioskRig) -> None:
    k = kiosk.start()
    walk_to_result(k)
    number = take_ticket(k)["number"]
    before = slip_text(k.printed).count(number)
    guide(k).request("ticket.reprint", {"ticket": number, "device": "K1"})
    wait_for(k.qtbot, lambda: slip_text(k.printed).count(number) > before)


def test_search_by_pinyin_initials_on_screen_keyboard(kiosk: KioskRig) -> None:
    k = kiosk.start()
    k.tap("搜索事项")
    for c in "SFZ":
        k.tap(c)
    assert k.model.search_text == "sfz"
    k.tap("居民身份证申领、换领、补领")
    k.wait_screen("question")


def test_wedge_reader_fills_the_id_masked(kiosk: KioskRig) -> None:
    from PySide6.QtCore import Qt

    from kiosk.idreader import WedgeDecoder
    from kiosk.model import Field

    k = kiosk.start(wedge=WedgeDecoder(max_gap=0.5))
    walk_to_result(k)
    k.tap("取号")
    for c in SAMPLE_ID:  # a keyboard-wedge reader types fast, then Enter
        k.qtbot.keyClick(k.window, c)
    k.qtbot.keyClick(k.window, Qt.Key.Key_Return)
    wait_for(k.qtbot, lambda: k.model.fields[Field.ID] == SAMPLE_ID)
    assert k.model.fields[Field.PHONE] == ""  # the burst went to the ID, not into the phone field
    assert MASKED in k.window.texts()
    assert SAMPLE_ID not in " ".join(k.window.texts())


def test_serial_reader_through_the_controller(kiosk: KioskRig) -> None:
    import serial

    from kiosk.idreader import SerialIdReader

    port = serial.serial_for_url("loop://", timeout=0.2)
    reader = SerialIdReader("loop://", serial_factory=lambda *a, **kw: port)
    k = kiosk.start(reader=reader)
    walk_to_result(k)
    k.tap("取号")
    port.write(f"{SAMPLE_ID},张三\r\n".encode())
    wait_for(k.qtbot, lambda: MASKED in k.window.texts())
    assert k.model.card_name == "张三"
    k.tap("确定取号")
    k.wait_screen("ticket")
    assert k.model.ticket is not None
    assert k.model.ticket["applicant"] == "张**"  # issue 13 §4: first character and always two stars


def test_english_start_screen(kiosk: KioskRig) -> None:
    i18n.set_language("en")
    k = kiosk.start()
    k.model.home()
    texts = k.window.texts()
    assert "Welcome! What would you like to do?" in texts
    assert "Re-take after pass" in texts


def _book(k: KioskRig, code: str, minutes_from_now: float) -> float:
    """An appointment for today's hall day whose slot starts ``minutes_from_now`` from the hub's now."""
    from hallq import clock as hallclock
    from hub.store import Store

    now = hallclock.local(k.hall.clock(), k.hall.hall.timezone)
    slot = now.timestamp() + minutes_from_now * 60
    store = Store(k.hall.db)
    store.add_appointments([{
        "code": code, "day": now.date().isoformat(), "slot_start": slot, "slot_end": slot + 1800,
        "matter": "hukou-move", "situation": "with-house", "name_masked": "王**", "id_masked": "", "id_hash": "",
        "phone_masked": ""}])
    store.close()
    return slot


def test_appointment_checkin_too_early_says_when_to_come_back(kiosk: KioskRig) -> None:
    from hallq import clock as hallclock

    k = kiosk.start()
    slot = _book(k, "YY7001", 90)  # the hall lets check-in open 30 minutes before the slot
    k.tap("预约签到")
    k.type_keys("YY7001")
    k.tap("签到取号")
    k.wait_screen("notice")
    texts = "\n".join(k.window.texts())
    come_back = hallclock.local(slot - 30 * 60, k.hall.hall.timezone).strftime("%H:%M")
    assert "还没到签到时间" in texts
    assert f"请于 {come_back} 以后再来签到" in texts  # the hall's zone (the machine runs in another)
    assert slip_text(k.printed) == ""  # no ticket, no slip


def test_too_early_message_in_english_keeps_the_times() -> None:
    from kiosk.refusals import early_message

    i18n.set_language("en")
    try:
        assert early_message("您预约的时段是 16:00，请于 15:30 以后再来签到") == \
            "Your appointment is at 16:00. Please come back to check in from 15:30."
    finally:
        i18n.set_language("zh_CN")
    assert early_message("您预约的时段是 16:00，请于 15:30 以后再来签到") == "您预约的时段是 16:00，请于 15:30 以后再来签到"


def test_appointment_checkin_late_gets_an_ordinary_ticket_said_plainly(kiosk: KioskRig) -> None:
    from hallq import clock as hallclock

    k = kiosk.start()
    slot = _book(k, "YY7002", -40)  # 40 minutes late: past the 15 the hall allows
    k.tap("预约签到")
    k.type_keys("YY7002")
    k.tap("签到取号")
    k.wait_screen("ticket")
    assert k.model.ticket is not None and k.model.ticket["appointment"] is False
    at = hallclock.local(slot, k.hall.hall.timezone).strftime("%H:%M")
    assert f"您的预约时段 {at} 已过签到时间，已为您取普通号，按到达顺序叫号。" in k.window.texts()
    assert k.model.ticket["number"] in slip_text(k.printed)
