"""The guide console against a real hub: overview, alerts and every override with its reason."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QListWidget, QPushButton

from tests.pad.conftest import PIN, get, issue

WAIT = 10_000


def click(qtbot: Any, view: Any, name: str) -> None:
    b = view.findChild(QPushButton, name)
    assert b is not None, name
    qtbot.waitUntil(b.isEnabled, timeout=WAIT)
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)


def done(qtbot: Any, console: Any) -> None:
    qtbot.waitUntil(lambda: console.pending is None, timeout=WAIT)


@pytest.fixture
def unsigned_guide(qtbot: Any, make_pad: Any, lh: Any) -> Any:
    kiosk = lh.client("K1")
    issue(kiosk)
    issue(kiosk, priority_group="elderly", name="李秀英")
    issue(kiosk)
    app = make_pad("G1", "guide")
    qtbot.waitUntil(lambda: len(app.presenter.tickets) == 3, timeout=WAIT)
    return app


@pytest.fixture
def guide(qtbot: Any, unsigned_guide: Any) -> Any:
    """Signed in as 赵芳 (2001): the sample hall requires it for overrides."""
    view, console = unsigned_guide.view, unsigned_guide.presenter
    view._send(lambda: console.login("2001", PIN))
    qtbot.waitUntil(lambda: console.operator.startswith("赵芳"), timeout=WAIT)
    return unsigned_guide


def choose(view: Any, ticket_number: str, reason: str) -> None:
    console = view.console
    t = next(t for t in console.tickets if t.number == ticket_number)
    view.tabs.setCurrentIndex(1)
    view.tickets.select_id(t.id)
    assert console.selected_ticket == t.id
    view.ticket_reason.setCurrentText(reason)


def test_overview_tables_and_a_green_channel_alert(qtbot: Any, guide: Any) -> None:
    view, console = guide.view, guide.presenter
    qtbot.waitUntil(lambda: view.queues.rowCount() == len(console.state.queues), timeout=WAIT)
    a = view.queues.ids.index("A")
    assert view.queues.item(a, 2).text() == "3"  # waiting
    assert view.queues.item(a, 3).text() == "1"  # one green-channel request to verify
    assert view.windows.rowCount() == len(console.state.window_configs)
    alerts = view.findChild(QListWidget, "alerts")
    qtbot.waitUntil(lambda: any("绿色通道待核验" in alerts.item(i).text() for i in range(alerts.count())),
                    timeout=WAIT)
    devices = {view.devices.item(r, 0).text(): view.devices.item(r, 3).text() for r in range(view.devices.rowCount())}
    assert devices["hub"] == "在线"
    assert devices["K1"] == "在线"
    assert devices["G1"] == "在线"


def test_verify_priority_with_a_reason(qtbot: Any, guide: Any, lh: Any) -> None:
    view, console = guide.view, guide.presenter
    choose(view, "A002", "")
    click(qtbot, view, "verify")  # no reason: refused here, nothing sent
    assert console.notice is not None
    assert console.notice.level == "error"
    assert console.audit == []
    view.ticket_reason.setCurrentText("已核验老年证")
    click(qtbot, view, "verify")
    done(qtbot, console)
    assert get(lh.client("K1"), "A002")["priority_verified"] is True
    assert console.audit[0]["ok"] is True
    assert console.audit[0]["reason"] == "已核验老年证"
    qtbot.waitUntil(lambda: not console.pending_priority, timeout=WAIT)
    qtbot.waitUntil(lambda: view.audit.rowCount() == 1, timeout=WAIT)


def test_move_to_another_queue_and_cancel(qtbot: Any, guide: Any, lh: Any) -> None:
    view, console = guide.view, guide.presenter
    choose(view, "A001", "企业业务")
    box: QComboBox = view.findChild(QComboBox, "to_queue")
    box.setCurrentIndex(box.findData("B"))
    click(qtbot, view, "move_queue")
    done(qtbot, console)
    assert get(lh.client("K1"), "A001")["queue"] == "B"
    qtbot.waitUntil(lambda: any(t.number == "A003" for t in console.tickets), timeout=WAIT)
    choose(view, "A003", "申请人已离开")
    click(qtbot, view, "cancel")
    done(qtbot, console)
    assert get(lh.client("K1"), "A003")["state"] == "cancelled"
    qtbot.waitUntil(lambda: all(t.number != "A003" for t in console.tickets), timeout=WAIT)


def test_call_a_ticket_to_a_given_window(qtbot: Any, guide: Any, lh: Any) -> None:
    view, console = guide.view, guide.presenter
    lh.client("P-R01").request("window.open", {"window": "R01", "staff": "1003", "pin": PIN})
    choose(view, "A003", "现场引导")
    box: QComboBox = view.findChild(QComboBox, "to_window")
    box.setCurrentIndex(box.findData("R01"))  # R01 does not serve queue A: the guide's force
    click(qtbot, view, "call_to")
    done(qtbot, console)
    ticket = get(lh.client("K1"), "A003")
    assert ticket["state"] == "called"
    assert ticket["window"] == "R01"
    assert console.notice is not None
    assert console.notice.level == "info"


def test_tidal_window_open_and_restore(qtbot: Any, guide: Any) -> None:
    view, console = guide.view, guide.presenter
    view.tabs.setCurrentIndex(2)
    view.window_table.select_id("T01")
    assert console.selected_window == "T01"
    view.window_reason.setCurrentText("上午高峰")
    for q, box in view.stage1.items():
        box.setChecked(q in ("A", "B"))
    for box in view.stage2.values():
        box.setChecked(False)
    click(qtbot, view, "set_queues")
    qtbot.waitUntil(lambda: console.state.windows["T01"].queues == ["A", "B"], timeout=WAIT)
    assert console.state.windows["T01"].overflow == []
    done(qtbot, console)
    view.window_reason.setCurrentText("高峰结束")
    click(qtbot, view, "restore_queues")
    qtbot.waitUntil(lambda: console.state.windows["T01"].queues == ["A"], timeout=WAIT)
    assert console.state.windows["T01"].overflow == ["B"]
    assert view.findChild(QCheckBox, "stage1_A").isChecked()


def test_pause_and_reopen_a_window(qtbot: Any, guide: Any, lh: Any) -> None:
    view, console = guide.view, guide.presenter
    lh.client("P-S02").request("window.open", {"window": "S02", "staff": "1002", "pin": PIN})
    qtbot.waitUntil(lambda: "S02" in console.state.windows and console.state.windows["S02"].state == "open", timeout=WAIT)
    view.tabs.setCurrentIndex(2)
    view.window_table.select_id("S02")
    view.window_reason.setCurrentText("窗口调整")
    click(qtbot, view, "window_pause")
    qtbot.waitUntil(lambda: console.state.windows["S02"].state == "paused", timeout=WAIT)
    assert console.state.windows["S02"].reason == "窗口调整"
    done(qtbot, console)
    click(qtbot, view, "window_resume")
    qtbot.waitUntil(lambda: console.state.windows["S02"].state == "open", timeout=WAIT)


def test_skip_a_stuck_evaluation_and_expire_what_is_left_at_closing(qtbot: Any, guide: Any, lh: Any) -> None:
    view, console = guide.view, guide.presenter
    pad = lh.client("P-S01")
    pad.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN})
    pad.request("ticket.call_next", {"window": "S01"})
    pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})  # the evaluator now waits
    qtbot.waitUntil(lambda: "S01" in console.state.windows and console.state.windows["S01"].evaluation is not None, timeout=WAIT)
    view.tabs.setCurrentIndex(2)
    view.window_table.select_id("S01")
    view.window_reason.setCurrentText("评价器无响应")
    click(qtbot, view, "window_skip_evaluation")
    qtbot.waitUntil(lambda: console.state.windows["S01"].evaluation is None, timeout=WAIT)
    done(qtbot, console)
    assert console.audit[0]["what"] == "跳过评价 S01" and console.audit[0]["ok"] is True
    # 闭厅清号: two clicks, the first only arms it
    waiting = sum(q.waiting for q in console.state.queue_state.values())
    assert waiting == 2
    view.tabs.setCurrentIndex(1)
    view.ticket_reason.setCurrentText("闭厅")
    b = view.findChild(QPushButton, "expire_all")
    qtbot.waitUntil(b.isEnabled, timeout=WAIT)
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
    assert "再点一次" in b.text() and console.pending is None
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
    done(qtbot, console)
    qtbot.waitUntil(lambda: sum(q.waiting for q in console.state.queue_state.values()) == 0,
                    timeout=WAIT)
    assert get(lh.client("K1"), "A003")["state"] == "expired"


def test_issue_on_behalf_and_reprint(qtbot: Any, guide: Any, lh: Any) -> None:
    view, console = guide.view, guide.presenter
    view.tabs.setCurrentIndex(3)
    view.matter_box.setCurrentIndex(view.matter_box.findData("hukou-move"))
    view.situation_box.setCurrentIndex(view.situation_box.findData("with-house"))
    view.issue_group.setCurrentIndex(view.issue_group.findData("elderly"))
    view.issue_reason.setCurrentText("老人不会使用自助机")
    click(qtbot, view, "issue")
    done(qtbot, console)
    ticket = get(lh.client("K1"), "A004")
    assert ticket["channel"] == "guide"
    assert ticket["priority_verified"] is True
    got = threading.Event()
    seen: list[Any] = []
    k1 = lh.client("K2")
    k1.subscribe(k1.topics.event("reprint"), lambda t, d: (seen.append(d), got.set()))
    qtbot.waitUntil(lambda: any(t.number == "A004" for t in console.tickets), timeout=WAIT)
    choose(view, "A004", "小票卡纸")
    kiosk: QComboBox = view.findChild(QComboBox, "kiosk")
    kiosk.setCurrentIndex(kiosk.findData("K1"))
    click(qtbot, view, "reprint")
    done(qtbot, console)
    assert got.wait(5)
    assert console.audit[0]["ok"] is True
    assert "A004" in str(seen[0])


def test_a_guide_signs_in_and_overrides_carry_their_name(qtbot: Any, unsigned_guide: Any, lh: Any) -> None:
    from hub.store import Store

    view, console = unsigned_guide.view, unsigned_guide.presenter
    qtbot.waitUntil(lambda: console.who_known, timeout=WAIT)  # the hub has said: nobody (guide.whoami)
    view.refresh()
    assert view.operator.text() == "未签到"
    # the sample hall requires a signed-in guide for overrides: refused, nothing recorded
    t = next(t for t in console.tickets if t.priority_group == "elderly")
    view._send(lambda: console.verify_priority(t.id, "核验老年证"))
    qtbot.waitUntil(lambda: console.pending is None, timeout=WAIT)
    assert console.notice is not None and "请先签到" in console.notice.text
    assert get(lh.client("K2"), t.number)["priority_verified"] is False
    view._send(lambda: console.login("2001", "1234"))
    qtbot.waitUntil(lambda: console.operator.startswith("赵芳"), timeout=WAIT)
    view.refresh()
    assert view.sign_btn.text() == "签退"
    assert "赵芳" in view.operator.text()
    t = next(t for t in console.tickets if t.priority_group == "elderly")
    view._send(lambda: console.verify_priority(t.id, "核验老年证"))
    qtbot.waitUntil(lambda: console.pending is None, timeout=WAIT)
    audit = [e for _, e in Store(lh.db).events() if e.type == "audit.override"]
    assert [(a.op, a.staff, a.reason) for a in audit] == [("ticket.verify_priority", "2001", "核验老年证")]
    view._send(console.logout)
    qtbot.waitUntil(lambda: console.operator == "", timeout=WAIT)


def test_an_answer_after_the_console_closed_goes_nowhere(qtbot: Any, make_pad: Any) -> None:
    """A reply (e.g. tickets.list) can arrive after the app closed; it used to repaint a deleted widget."""
    app = make_pad("G1", "guide")
    got: list[Any] = []
    app.qt._finished.emit(lambda result, error: got.append(result), "open", None)
    qtbot.waitUntil(lambda: got == ["open"], timeout=WAIT)
    app.link.close()
    app.qt._finished.emit(lambda result, error: got.append(result), "closed", None)
    qtbot.wait(100)
    assert got == ["open"]


def test_follow_up_a_bad_rating_from_the_console(qtbot: Any, guide: Any, lh: Any) -> None:
    view, console = guide.view, guide.presenter
    pad, screen = lh.client("P-S01"), lh.client("D-S01")
    pad.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN})
    called = pad.request("ticket.call_next", {"window": "S01"})["ticket"]
    pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
    screen.request("evaluation.submit", {"window": "S01", "level": 2, "reason": "等候时间过长"})
    view.tabs.setCurrentIndex(view.tabs.count() - 2)  # 回访整改
    click(qtbot, view, "load_followups")
    qtbot.waitUntil(lambda: len(console.followups) == 1, timeout=WAIT)
    rows = console.followup_rows()
    assert (rows[0]["number"], rows[0]["level"], rows[0]["status"]) == (called["number"], "不满意", "待回访")
    view.followup_table.select_id(called["id"])
    assert console.selected_followup == called["id"]
    view.followup_result.setCurrentIndex(view.followup_result.findData("rated"))
    assert view.followup_level.isEnabled()
    view.followup_level.setCurrentIndex(view.followup_level.findData(4))
    view.followup_note.setText("电话回访，已致歉")
    click(qtbot, view, "record_followup")
    done(qtbot, console)
    assert console.followup_rows()[0]["status"] == "回访后已评价：电话回访，已致歉"
    assert console.audit[0]["what"] == f"登记回访 {called['number']}" and console.audit[0]["ok"] is True
    from hub.store import Store

    kept = [e for _, e in Store(lh.db).events() if e.type == "evaluation.followed_up"]  # the hub's log
    assert [(e.ticket, e.result, e.level, e.staff) for e in kept] == [(called["id"], "rated", 4, "2001")]
