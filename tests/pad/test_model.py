"""The presenters without a screen: what is enabled when, what a tap sends, offline, alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hallq.messages import EvaluatedEvent, TicketView
from pad.alerts import Thresholds, alerts
from pad.guide import GuideConsole
from pad.notices import add_working_days, build_notice
from pad.presenter import NotAllowed
from pad.staff import StaffPad
from pad.state import HallState
from printers.notices import AcceptanceNotice, CorrectionNotice
from tests import wire

HALL = "lvliang"
T0 = 1_800_000_000.0


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


CATALOG = wire.catalog({  # the hub sends every field (tests/wire.py fills the rest with empty values)
    "hall": {"id": HALL, "name": "样例大厅"},
    "policy": {"recall_limit": 2, "alert_wait_min": 30, "alert_pause_min": 15},
    "queues": [{"id": "A", "name": "综合受理"}, {"id": "B", "name": "企业服务"}],
    "windows": [{"id": "S01", "name": "综合窗口1", "queues": ["A", "B"], "overflow": []},
                {"id": "S02", "name": "综合窗口2", "queues": ["A"], "overflow": ["B"]}],
    "matters": [{"id": "m1", "name": "户口迁移", "department": "公安局", "promised_days": 3,
                 "situations": [{"id": "s1", "name": "购房", "queue": "A"}]}],
    "devices": [{"id": "P-S01", "role": "pad", "window": "S01", "printer": ""},
                {"id": "K1", "role": "kiosk"}, {"id": "K2", "role": "kiosk"},
                {"id": "P-S02", "role": "pad", "window": "S02"}],
    "priority_groups": [{"id": "elderly", "name": "老年人"}],
    "staff": [{"id": "1001", "name": "王丽"}],
})

TICKET = wire.ticket({"id": "2026-11-23-A001", "number": "A001", "queue": "A", "queue_name": "综合受理", "matter": "m1",
          "matter_name": "户口迁移", "situation": "s1", "situation_name": "购房", "materials": ["户口簿", "身份证"],
          "channel": "kiosk", "priority_group": "elderly", "priority_verified": True, "appointment": False,
          "applicant": "张**", "id_masked": "110105********002X", "issued_at": T0 - 600, "called_at": T0 - 60,
          "recalls": 0, "state": "called", "progress_url": "https://x/p?t=A001"})


def topic(kind: str) -> str:
    return f"hallq/{HALL}/{kind}"


def window(state: str = "open", current: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return wire.window({"id": "S01", "state": state,
                        "staff": {"id": "1001", "name": "王丽"} if state != "closed" else None,
                        "queues": ["A", "B"], "overflow": [], "current": current, "evaluation": None,
                        "counts": {"called": 3, "accepted": 2}, "since": T0 - 100, **extra})


@pytest.fixture
def pad() -> StaffPad:
    state = HallState(HALL)
    p = StaffPad(state, "P-S01", "S01", Clock())
    p.on_message(topic("catalog"), CATALOG)
    p.on_message(topic("presence/hub"), wire.presence(True))
    p.set_broker_online(True)
    return p


def test_closed_window_offers_only_login(pad: StaffPad) -> None:
    pad.on_message(topic("state/window/S01"), window("closed"))
    acts = pad.actions()
    assert pad.page == "login"
    assert acts["login"]
    assert not any(v for k, v in acts.items() if k != "login")


def test_open_idle_window(pad: StaffPad) -> None:
    pad.on_message(topic("state/window/S01"), window())
    acts = pad.actions()
    assert pad.page == "serve"
    assert acts["call_next"]
    assert acts["call"]
    assert acts["pause"]
    assert acts["logout"]
    assert acts["summon"]
    assert not acts["recall"]
    assert not acts["outcome"]
    assert not acts["transfer"]
    assert not acts["resume"]


def test_serving_enables_outcomes_and_recall_until_the_cap(pad: StaffPad) -> None:
    pad.on_message(topic("state/window/S01"), window(current=TICKET))
    acts = pad.actions()
    assert acts["outcome"]
    assert acts["transfer"]
    assert acts["recall"]
    assert not acts["call_next"]
    assert not acts["pause"]
    assert not acts["logout"]
    pad.on_message(topic("state/window/S01"), window(current={**TICKET, "recalls": 2}))
    assert not pad.can("recall")  # the hall's recall_limit is 2
    assert pad.recall_text() == "重呼 2/2"


def test_each_tap_sends_one_command_for_its_own_window(pad: StaffPad) -> None:
    pad.on_message(topic("state/window/S01"), window(current=TICKET))
    cmd = pad.outcome("rejected", "材料不齐全", "缺户口簿")
    assert (cmd.op, cmd.args) == ("ticket.outcome", {"window": "S01", "outcome": "rejected",
                                                     "reason": "材料不齐全", "note": "缺户口簿"})
    assert not pad.can("outcome")  # in flight: no double tap
    with pytest.raises(NotAllowed):
        pad.outcome("accepted")
    pad.finished(cmd, {"ticket": {**TICKET, "state": "rejected"}})
    assert pad.pending is None
    assert pad.notice is not None
    assert pad.notice.level == "info"


def test_reject_needs_a_reason_and_transfer_one_target(pad: StaffPad) -> None:
    pad.on_message(topic("state/window/S01"), window(current=TICKET))
    with pytest.raises(NotAllowed):
        pad.outcome("rejected")
    with pytest.raises(NotAllowed):
        pad.transfer(to_queue="B", to_window="S02")
    with pytest.raises(NotAllowed):
        pad.transfer(to_window="S01")
    cmd = pad.transfer(to_window="S02", note="需企业专窗")
    assert cmd.args == {"window": "S01", "to_window": "S02", "note": "需企业专窗"}


def test_offline_disables_everything_but_the_outcome_with_a_banner(pad: StaffPad) -> None:
    pad.on_message(topic("state/window/S01"), window(current=TICKET))
    pad.on_message(topic("presence/hub"), wire.presence(False))
    assert "大厅服务器离线" in pad.banner() and "hub" not in pad.banner()  # words, not a component name
    assert [a for a, on in pad.actions().items() if on] == ["outcome"]  # 待同步 (see the next test)
    pad.on_message(topic("presence/hub"), wire.presence(True))
    pad.set_broker_online(False)
    assert "网络" in pad.banner()
    assert [a for a, on in pad.actions().items() if on] == ["outcome"]
    pad.on_message(topic("state/window/S01"), window())  # nobody in service: nothing at all offline
    assert not any(pad.actions().values())
    pad.on_message(topic("state/window/S01"), window(current=TICKET))
    pad.set_broker_online(True)
    assert pad.banner() == ""
    assert pad.can("outcome")


def test_an_outcome_recorded_offline_waits_as_pending_sync_and_goes_once_with_its_id(pad: StaffPad) -> None:
    pad.on_message(topic("state/window/S01"), window(current=TICKET))
    pad.on_message(topic("presence/hub"), wire.presence(False))
    cmd = pad.outcome("accepted")
    assert pad.queued is cmd and pad.pending is None
    assert cmd.op == "ticket.outcome" and cmd.args == {"window": "S01", "outcome": "accepted"}
    assert "待同步" in pad.banner() and cmd.label in pad.banner()
    assert not any(pad.actions().values())  # one thing at a time: nothing else until it is through
    with pytest.raises(NotAllowed):
        pad.outcome("consulted")
    assert pad.take_queued() is None  # still offline: nothing to send
    pad.on_message(topic("presence/hub"), wire.presence(True))
    sent = pad.take_queued()
    assert sent is cmd and pad.pending is cmd and pad.queued is None  # same request id
    assert pad.take_queued() is None
    pad.finished(cmd, {"ticket": {**TICKET, "state": "accepted"}})
    assert pad.pending is None and pad.notice is not None and pad.notice.level == "info"


def test_timeout_keeps_the_command_and_retry_reuses_its_id(pad: StaffPad) -> None:
    pad.on_message(topic("state/window/S01"), window())
    cmd = pad.call_next()
    pad.finished(cmd, None, "timeout", "no answer")
    assert pad.unconfirmed is cmd
    assert pad.notice is not None
    assert pad.notice.level == "error"
    again = pad.retry()
    assert again.rid == cmd.rid
    assert again.args == cmd.args
    pad.finished(again, {"ticket": TICKET})
    assert pad.unconfirmed is None


def test_refusal_shows_the_hubs_message(pad: StaffPad) -> None:
    pad.on_message(topic("state/window/S01"), window())
    cmd = pad.call_next()
    pad.finished(cmd, None, "queue_empty", "当前没有等候的号")
    assert pad.notice is not None
    assert "当前没有等候的号" in pad.notice.text


def test_serving_panel_shows_matter_wait_badges(pad: StaffPad) -> None:
    pad.on_message(topic("state/window/S01"), window(current={**TICKET, "recalls": 1}))
    lines = pad.ticket_lines()
    assert lines["事项"] == "户口迁移"
    assert lines["情形"] == "购房"
    assert lines["等候"] == "9 分钟"  # issued 10 min before now, called 1 min before now
    assert lines["申请人"] == "张**"
    assert lines["证件"] == "110105********002X"
    assert "绿色通道：老年人" in pad.badges()
    assert "已重呼 1/2 次" in pad.badges()


def test_rating_arrives_by_event_or_by_the_evaluation_clearing(pad: StaffPad) -> None:
    invited = {"ticket": TICKET["id"], "number": "A001", "invited_at": T0, "timeout_s": 60}
    pad.on_message(topic("state/window/S01"), window(evaluation=invited))
    assert "等待" in pad.evaluation_text()
    pad.on_message(topic("event/evaluated"), wire.complete(EvaluatedEvent, {"window": "S02", "ticket": "x", "level": 1,
                                                                           "label": "非常不满意"}))
    assert pad.rating is None  # another window's rating
    pad.on_message(topic("event/evaluated"), wire.complete(EvaluatedEvent, {"window": "S01", "ticket": TICKET["id"],
                                                                           "level": 4, "label": "满意"}))
    assert pad.rating is not None
    assert "A001 评价已收到：满意" in pad.evaluation_text()
    pad.rating = None
    pad.on_message(topic("state/window/S01"), window(evaluation=invited))
    pad.on_message(topic("state/window/S01"), window(evaluation=None))  # missed the event (reconnect)
    assert pad.rating is not None
    assert "A001 评价已收到" in pad.evaluation_text()


def test_counts_and_queue_waiting(pad: StaffPad) -> None:
    pad.on_message(topic("state/window/S01"), window())
    pad.on_message(topic("state/queues"), wire.queues({"day": "2026-11-23", "queues": [
        {"id": "A", "waiting": 4, "next": ["A005", "A006"]}, {"id": "B", "waiting": 1, "next": ["B002"]}]}))
    assert pad.queue_counts() == [("A", "综合受理", 4), ("B", "企业服务", 1)]
    assert ("受理", 2) in pad.outcome_counts()
    assert ("已叫号", 3) in pad.outcome_counts()
    assert pad.upcoming() == ["A005", "A006", "B002"]


def test_handover_reopens_login_while_the_window_stays_open(pad: StaffPad) -> None:
    pad.on_message(topic("state/window/S01"), window())
    pad.start_handover()
    assert pad.page == "login"
    assert pad.can("login")
    cmd = pad.login("1002", "1234")
    assert cmd.op == "window.open"
    assert cmd.args["staff"] == "1002"
    pad.finished(cmd, {})
    assert pad.page == "serve"
    assert not pad.handover


def test_notices_from_the_ticket_and_the_checklist(pad: StaffPad) -> None:
    now = dt.datetime(2026, 11, 20, 10, 0)  # a Friday
    acc = build_notice("acceptance", TicketView(**TICKET), pad.state, window="S01", staff="王丽", checked={"身份证"}, now=now)
    assert isinstance(acc, AcceptanceNotice)
    assert acc.materials == ["身份证"]
    assert acc.promised_days == 3
    assert acc.applicant == "张**"
    cor = build_notice("correction", TicketView(**TICKET), pad.state, window="S01", staff="王丽", checked={"身份证"}, now=now)
    assert isinstance(cor, CorrectionNotice)
    assert cor.opinions == ["缺少材料：户口簿"]
    assert cor.deadline == dt.date(2026, 11, 27)  # 5 working days after a Friday
    assert add_working_days(dt.date(2026, 11, 21), 1) == dt.date(2026, 11, 23)
    doc = cor.to_document(80)
    assert any("户口簿" in line for line in doc.texts())


# ---------------------------------------------------------------- guide


@pytest.fixture
def console() -> GuideConsole:
    state = HallState(HALL)
    c = GuideConsole(state, "G1", Clock())
    c.on_message(topic("catalog"), CATALOG)
    c.on_message(topic("presence/hub"), wire.presence(True))
    c.set_broker_online(True)
    return c


def test_alert_rules_with_a_pinned_clock(console: GuideConsole) -> None:
    th = Thresholds(long_wait_s=1800, paused_s=900)
    s = console.state
    console.on_message(topic("state/queues"), wire.queues({"queues": [
        {"id": "A", "waiting": 3, "oldest_issued_at": T0 - 1799},
        {"id": "B", "waiting": 1, "oldest_issued_at": T0 - 1800}]}))
    console.on_message(topic("state/window/S02"), wire.window({"id": "S02", "state": "paused", "since": T0 - 901,
                                                               "reason": "会议"}))
    console.on_message(topic("status/K1"), wire.status({"printer": {"paper": "out"}}))
    console.on_message(topic("status/K2"), wire.status({"printer": {"paper": "near_end"}}))
    console.on_message(topic("presence/K2"), wire.presence(False))
    found = {(a.kind, a.subject, a.level) for a in alerts(s, T0, {}, th)}
    assert ("long_wait", "B", "warning") in found
    assert ("long_wait", "A", "warning") not in found
    assert ("paused", "S02", "warning") in found
    assert ("paper", "K1", "error") in found
    assert ("paper", "K2", "warning") in found
    assert ("offline", "K2", "warning") in found
    assert ("offline", "P-S02", "warning") not in found  # no presence known yet
    console.on_message(topic("presence/P-S02"), wire.presence(False))  # pad of a paused window went away
    assert ("offline", "P-S02", "warning") in {(a.kind, a.subject, a.level) for a in alerts(s, T0, {}, th)}
    first = alerts(s, T0, {}, th)[0]
    assert first.level == "error"  # errors first


def test_green_channel_request_is_an_alert_until_verified(console: GuideConsole) -> None:
    t = {**TICKET, "state": "waiting", "priority_verified": False, "issued_at": T0 - 120}
    console.on_message(topic("event/priority"), {"v": 1, "ticket": t})
    assert [a.kind for a in console.alerts()] == ["priority"]
    assert "A001" in console.alerts()[0].text
    cmd = console.verify_priority(t["id"], "核验老年证")
    assert cmd.op == "ticket.verify_priority"
    assert cmd.args == {"ticket": t["id"], "reason": "核验老年证"}  # the hub audits it with the reason
    console.finished(cmd, {"ticket": {**t, "priority_verified": True}})
    assert console.alerts() == []
    assert console.audit[0]["ok"] is True
    assert console.audit[0]["reason"] == "核验老年证"


def test_every_override_needs_a_reason(console: GuideConsole) -> None:
    for make in (lambda: console.cancel("A001", " "), lambda: console.move("A001", "", to_queue="B"),
                 lambda: console.call_to("A001", "S01", ""), lambda: console.pause_window("S01", ""),
                 lambda: console.set_queues("S01", ["A"], [], ""), lambda: console.reprint("A001", "K1", "")):
        with pytest.raises(NotAllowed):
            make()
    assert console.pending is None
    assert console.audit == []


def test_override_commands(console: GuideConsole) -> None:
    cmd = console.move("2026-11-23-A001", "企业业务", to_queue="B")
    assert cmd.args == {"ticket": "2026-11-23-A001", "to_queue": "B", "note": "企业业务"}
    console.finished(cmd, {})
    cmd = console.restore_queues("S02", "高峰结束")
    assert cmd.args == {"window": "S02", "queues": ["A"], "overflow": ["B"], "reason": "高峰结束"}
    console.finished(cmd, None, "window_state", "no")
    assert console.audit[0]["ok"] is False
    cmd = console.issue("m1", "s1", "老人不会用自助机", priority_group="elderly", name="李秀英")
    assert cmd.args == {"matter": "m1", "situation": "s1", "channel": "guide", "priority_group": "elderly",
                        "name": "李秀英", "reason": "老人不会用自助机"}


def test_device_rows_show_presence_and_paper(console: GuideConsole) -> None:
    console.on_message(topic("presence/K1"), wire.presence(True))
    console.on_message(topic("status/K1"), wire.status({"printer": {"paper": "near_end"}}))
    rows = {r["id"]: r for r in console.device_rows()}
    assert rows["hub"]["online"]
    assert rows["K1"]["online"]
    assert rows["K1"]["health"] == "纸将用完"
    assert rows["K2"]["presence"] == "未上线"


def test_alert_thresholds_come_from_the_hall_file(console: GuideConsole) -> None:
    assert console.thresholds == Thresholds()  # the hall file's defaults: 30 / 15 minutes
    console.on_message(topic("catalog"), {**CATALOG, "policy": {**CATALOG["policy"],
                                                                "alert_wait_min": 10, "alert_pause_min": 5}})
    assert console.thresholds == Thresholds(long_wait_s=600, paused_s=300)
    console.on_message(topic("state/queues"), wire.queues({"queues": [{"id": "A", "waiting": 2,
                                                                      "oldest_issued_at": T0 - 601}]}))
    assert ("long_wait", "A") in {(a.kind, a.subject) for a in console.alerts()}


def _summon(state: str, at: float, **extra: Any) -> dict[str, Any]:
    return {"id": "2026-11-23-H001", "window": "S01", "department": "公安局", "ticket": "", "number": "A001",
            "note": "", "state": state, "label": "", "at": at, "wait_s": extra.pop("wait_s", T0 - at), **extra}


def test_escalated_summon_is_an_alert_and_chimes_again(console: GuideConsole) -> None:
    clock = Clock(T0)
    console.clock = clock
    console.on_message(topic("catalog"), CATALOG)
    console.on_message(topic("state/window/S01"), window(summons=[_summon("pending", T0 - 60)]))
    assert console.chimes == 1
    assert [r["wait"] for r in console.summon_rows()] == ["已等 1 分钟"]
    assert "summon" not in {a.kind for a in console.alerts()}
    clock.now = T0 + 600  # the hub escalated it (its [policy] summon_escalate_min)
    console.on_message(topic("state/window/S01"), window(summons=[_summon("escalated", T0 - 60)]))
    assert console.chimes == 2
    found = [a for a in console.alerts() if a.kind == "summon"]
    assert [(a.level, a.text) for a in found] == [("error", "呼叫后台超时未响应：S01 呼叫公安局，已等 11 分钟")]
    assert console.alerts()[0].kind == "summon"  # errors first
    console.on_message(topic("state/window/S01"), window(summons=[_summon("escalated", T0 - 60)]))
    assert console.chimes == 2  # the same state again: no second chime
    console.on_message(topic("state/window/S01"), window(summons=[_summon("responded", T0 - 60, wait_s=630.0)]))
    assert "summon" not in {a.kind for a in console.alerts()}
    assert console.summon_rows()[0]["wait"] == "响应用时 10 分钟"
    with pytest.raises(NotAllowed):
        console.respond_summon("nope")
    cmd = console.arrive_summon("2026-11-23-H001")
    assert (cmd.op, cmd.args) == ("summon.arrive", {"summon": "2026-11-23-H001"})


def test_staff_pad_shows_the_summons_state_from_the_hub() -> None:
    clock = Clock(T0)
    pad = StaffPad(HallState(HALL), "P-S01", "S01", clock=clock)
    pad.on_message(topic("catalog"), CATALOG)
    assert pad.summon_text() == ""
    pad.on_message(topic("state/window/S01"), window(summons=[_summon("pending", T0 - 180)]))
    assert pad.summon_text() == "呼叫后台 公安局：待响应（已等 3 分钟）"
    pad.on_message(topic("state/window/S01"), window(summons=[_summon("escalated", T0 - 180)]))
    assert pad.summon_text() == "呼叫后台 公安局：待响应（已等 3 分钟）"
    pad.on_message(topic("state/window/S01"), window(summons=[_summon("responded", T0 - 180, wait_s=120.0)]))
    assert (pad.summon_text(), pad.summon_state) == ("呼叫后台 公安局：已响应（响应用时 2 分钟）", "responded")
    pad.on_message(topic("state/window/S01"), window(summons=[_summon("arrived", T0 - 180, wait_s=120.0)]))
    assert pad.summon_text() == "呼叫后台 公安局：已到窗口（响应用时 2 分钟）"


def test_a_malformed_window_state_is_ignored(pad: StaffPad, caplog: pytest.LogCaptureFixture) -> None:
    pad.on_message(topic("state/window/S01"), window(current=TICKET))
    with caplog.at_level("WARNING", logger="hallq.mirror"):
        pad.on_message(topic("state/window/S01"), {**window(), "current": {**TICKET, "recalls": "two"}})
    assert pad.current is not None and pad.current.recalls == 0 and pad.can("outcome")
    assert "state/window/S01" in caplog.text and "$.current.recalls" in caplog.text


def test_the_guide_on_duty_is_read_typed_from_the_login_reply(console: GuideConsole,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    cmd = console.login("2001", "1234")
    console.finished(cmd, {"staff": {"id": "2001", "name": "赵芳"}})
    assert console.operator == "赵芳（2001）"
    console.finished(console.logout(), {})
    assert console.operator == ""
    cmd = console.login("2001", "1234")
    with caplog.at_level("WARNING", logger="pad.replies"):
        console.finished(cmd, {"staff": {"id": 2001}})  # malformed: no name, a number for the id
    assert console.operator == ""  # nobody half-read into the audit
    assert "guide.login" in caplog.text
    assert "$.staff" in caplog.text


def test_a_malformed_ticket_in_a_reply_is_confirmed_without_its_number(pad: StaffPad,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    pad.on_message(topic("state/window/S01"), window())
    cmd = pad.call_next()
    pad.finished(cmd, {"ticket": {**TICKET, "number": "A002"}})
    assert pad.notice is not None
    assert pad.notice.text == "叫号 A002：已确认"
    cmd = pad.call_next()
    with caplog.at_level("WARNING", logger="pad.replies"):
        pad.finished(cmd, {"ticket": {**TICKET, "number": 2}})
    assert pad.notice is not None
    assert pad.notice.text == "叫号：已确认"
    assert "malformed ticket" in caplog.text
