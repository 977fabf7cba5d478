"""The staff pad screen against a real hub: every tap goes through the widgets and is confirmed."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from tests.pad.conftest import PIN, get, issue

WAIT = 10_000


def btn(view: Any, name: str) -> QPushButton:
    b = view.findChild(QPushButton, name)
    assert b is not None, f"no button {name}"
    return b


def click(qtbot: Any, view: Any, name: str) -> None:
    b = btn(view, name)
    qtbot.waitUntil(lambda: b.isEnabled() and b.isVisible(), timeout=WAIT)
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)


def text(view: Any, name: str) -> str:
    lab = view.findChild(QLabel, name)
    assert lab is not None, f"no label {name}"
    return str(lab.text())


def settle(qtbot: Any, pad: Any) -> None:
    qtbot.waitUntil(lambda: pad.pending is None, timeout=WAIT)


def login(qtbot: Any, app: Any, staff: str = "1001", pin: str = PIN) -> None:
    view = app.view
    view.findChild(QLineEdit, "staff_no").setText(staff)
    view.findChild(QLineEdit, "pin").setText(pin)
    click(qtbot, view, "login")
    settle(qtbot, app.presenter)


@pytest.fixture
def kiosk(lh: Any) -> Any:
    return lh.client("K1")


@pytest.fixture
def serving(qtbot: Any, make_pad: Any, kiosk: Any) -> Any:
    """P-S01 logged in as 1001, with A001 called."""
    for _ in range(3):
        issue(kiosk)
    app = make_pad("P-S01")
    login(qtbot, app)
    qtbot.waitUntil(lambda: app.presenter.logged_in, timeout=WAIT)
    click(qtbot, app.view, "call_next")
    qtbot.waitUntil(lambda: app.presenter.current is not None, timeout=WAIT)
    settle(qtbot, app.presenter)
    return app


def test_login_with_keypad_and_wrong_pin(qtbot: Any, make_pad: Any) -> None:
    app = make_pad("P-S01")
    view, pad = app.view, app.presenter
    assert view.stack.currentWidget() is view.login_page
    assert not btn(view, "call_next").isEnabled()
    login(qtbot, app, "1001", "9999")
    assert pad.notice is not None
    assert pad.notice.level == "error"
    assert not pad.logged_in
    view.findChild(QLineEdit, "staff_no").clear()
    view.keypad.target = view.findChild(QLineEdit, "staff_no")
    for key in "1001":
        qtbot.mouseClick(btn(view, f"login_keypad_{key}"), Qt.MouseButton.LeftButton)
    assert view.findChild(QLineEdit, "staff_no").text() == "1001"
    view.findChild(QLineEdit, "pin").setText(PIN)
    click(qtbot, view, "login")
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.serve_page, timeout=WAIT)
    assert "王丽" in text(view, "staff_label")
    assert pad.window_state is not None and pad.window_state.staff is not None and pad.window_state.staff.id == "1001"


def test_call_recall_until_the_cap(qtbot: Any, serving: Any, lh: Any) -> None:
    view, pad = serving.view, serving.presenter
    assert text(view, "current_number") == "A001"
    shown = [lab.text() for lab in view.serve_page.findChildren(QLabel) if lab.isVisible()]
    assert "户口迁移（市内）" in shown
    assert "购房落户" in shown
    limit = lh.hall.policy.recall_limit
    for n in range(1, limit + 1):
        click(qtbot, view, "recall")
        qtbot.waitUntil(lambda n=n: pad.current is not None and pad.current.recalls == n, timeout=WAIT)
        settle(qtbot, pad)
    assert btn(view, "recall").text() == f"重呼 {limit}/{limit}"
    assert not btn(view, "recall").isEnabled()
    # the hub refuses one more anyway (the button is only a convenience)
    with pytest.raises(Exception, match="recall_limit"):
        serving.client.request("ticket.recall", {"window": "S01"})


def test_reject_with_reason_then_counts(qtbot: Any, serving: Any, lh: Any) -> None:
    view, pad = serving.view, serving.presenter
    click(qtbot, view, "outcome_rejected")
    assert view.stack.currentWidget() is view.choice
    view.findChild(QLineEdit, "choice_text").setText("缺购房合同")
    click(qtbot, view, "choice_材料不齐全")
    qtbot.waitUntil(lambda: pad.current is None and pad.pending is None, timeout=WAIT)
    ticket = get(lh.client("G1"), "A001")
    assert ticket["state"] == "rejected"
    assert ticket["outcome"] == "rejected"
    qtbot.waitUntil(lambda: "不予受理 1" in text(view, "outcome_counts"), timeout=WAIT)
    assert view.stack.currentWidget() is view.serve_page
    assert btn(view, "call_next").isEnabled()


def test_accept_invites_evaluation_and_the_rating_arrives(qtbot: Any, serving: Any, lh: Any) -> None:
    view, pad = serving.view, serving.presenter
    click(qtbot, view, "outcome_accepted")
    qtbot.waitUntil(lambda: pad.evaluation is not None, timeout=WAIT)
    assert "等待" in text(view, "evaluation")
    lh.client("D-S01").request("evaluation.submit", {"window": "S01", "level": 5})
    qtbot.waitUntil(lambda: "评价已收到" in text(view, "evaluation"), timeout=WAIT)
    assert "非常满意" in text(view, "evaluation")
    assert "受理 1" in text(view, "outcome_counts")


def test_transfer_to_a_queue_with_a_note(qtbot: Any, serving: Any, lh: Any) -> None:
    view, pad = serving.view, serving.presenter
    click(qtbot, view, "transfer")
    view.findChild(QLineEdit, "choice_text").setText("企业开办，转企业服务")
    click(qtbot, view, "choice_q:B")
    qtbot.waitUntil(lambda: pad.current is None and pad.pending is None, timeout=WAIT)
    ticket = get(lh.client("G1"), "A001")
    assert ticket["state"] == "waiting"
    assert ticket["queue"] == "B"


def test_special_call_with_the_keypad(qtbot: Any, serving: Any) -> None:
    view, pad = serving.view, serving.presenter
    click(qtbot, view, "outcome_passed")
    click(qtbot, view, "choice_passed")  # 过号 is confirmed on its own page
    qtbot.waitUntil(lambda: pad.current is None and pad.pending is None, timeout=WAIT)
    click(qtbot, view, "call")
    for key in ("A", "0", "0", "3"):
        qtbot.mouseClick(btn(view, f"choice_keypad_{key}"), Qt.MouseButton.LeftButton)
    click(qtbot, view, "choice_go")
    qtbot.waitUntil(lambda: pad.current is not None and pad.current.number == "A003", timeout=WAIT)


def test_pause_with_reason_and_resume(qtbot: Any, make_pad: Any) -> None:
    app = make_pad("P-S01")
    view, pad = app.view, app.presenter
    login(qtbot, app)
    click(qtbot, view, "pause")
    click(qtbot, view, "choice_培训")
    qtbot.waitUntil(lambda: pad.status == "paused", timeout=WAIT)
    assert pad.window_state is not None and pad.window_state.reason == "培训"
    assert "培训" in text(view, "status_label")
    assert not btn(view, "call_next").isEnabled()
    assert btn(view, "resume").isVisible()
    assert not btn(view, "pause").isVisible()
    click(qtbot, view, "resume")
    qtbot.waitUntil(lambda: pad.status == "open", timeout=WAIT)
    settle(qtbot, pad)
    assert btn(view, "call_next").isEnabled()


def test_summon_back_office_is_an_event(qtbot: Any, serving: Any, lh: Any) -> None:
    view, pad = serving.view, serving.presenter
    seen: list[dict[str, Any]] = []
    got = threading.Event()
    watcher = lh.client("D-HALL")
    watcher.subscribe(watcher.topics.event("summon"), lambda t, d: (seen.append(d), got.set()))
    click(qtbot, view, "summon")
    click(qtbot, view, "choice_")  # the current matter's department
    qtbot.waitUntil(lambda: bool(pad.summons), timeout=WAIT)
    assert got.wait(5)
    assert seen[0]["window"] == "S01"
    assert seen[0]["department"] == "公安局"
    assert "公安局" in text(view, "evaluation")


def test_handover_to_the_b_post_and_logout(qtbot: Any, make_pad: Any) -> None:
    app = make_pad("P-S01")
    view, pad = app.view, app.presenter
    login(qtbot, app)
    click(qtbot, view, "handover")
    assert view.stack.currentWidget() is view.login_page
    login(qtbot, app, "1002")
    qtbot.waitUntil(lambda: pad.staff is not None and pad.staff.id == "1002" and pad.page == "serve", timeout=WAIT)
    assert "李强" in text(view, "staff_label")
    click(qtbot, view, "logout")
    qtbot.waitUntil(lambda: pad.status == "closed", timeout=WAIT)
    assert view.stack.currentWidget() is view.login_page


def test_staff_logged_in_elsewhere_is_refused(qtbot: Any, make_pad: Any, lh: Any) -> None:
    lh.client("P-S02").request("window.open", {"window": "S02", "staff": "1001", "pin": PIN})
    app = make_pad("P-S01")
    login(qtbot, app, "1001")
    assert not app.presenter.logged_in
    assert app.presenter.notice is not None
    assert "S02" in app.presenter.notice.text


def test_a_pad_cannot_act_on_another_window(qtbot: Any, serving: Any) -> None:
    pad = serving.presenter
    # the presenter only ever names its own window …
    _queues, windows = pad.transfer_targets()
    assert "S01" not in dict(windows)
    # … and the hub refuses a forged command for another one
    for op, args in (("ticket.call_next", {"window": "S02"}), ("window.pause", {"window": "S02", "reason": "x"}),
                     ("ticket.transfer", {"ticket": "A002", "to_queue": "B"})):
        with pytest.raises(Exception, match="forbidden"):
            serving.client.request(op, args)


def test_offline_banner_when_the_hub_stops_and_recovery(qtbot: Any, serving: Any, lh: Any) -> None:
    from hub.runtime import Hub

    view, _pad = serving.view, serving.presenter
    assert not view.banner.isVisible()
    lh.hub.stop()
    qtbot.waitUntil(view.banner.isVisible, timeout=WAIT)
    assert "大厅服务器离线" in view.banner.text()
    for name in ("call_next", "recall", "transfer", "summon", "logout"):
        assert not btn(view, name).isEnabled(), name
    assert btn(view, "outcome_accepted").isEnabled()  # the outcome can be recorded: 待同步
    lh.hub = Hub(lh.hall, lh.db, lh.url).start()
    qtbot.waitUntil(lambda: not view.banner.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: btn(view, "outcome_accepted").isEnabled(), timeout=WAIT)
    assert text(view, "current_number") == "A001"  # the hub's state survived and repainted


def test_an_outcome_recorded_while_the_hub_restarts_lands_once(qtbot: Any, serving: Any, lh: Any) -> None:
    """受理 tapped while the hub is away: 待同步 on the banner; the hub back: sent with its request id,
    recorded once, and the pad shows the window free again."""
    from hub.runtime import Hub

    view, pad = serving.view, serving.presenter
    lh.hub.stop()
    qtbot.waitUntil(view.banner.isVisible, timeout=WAIT)
    click(qtbot, view, "outcome_accepted")
    assert pad.queued is not None
    qtbot.waitUntil(lambda: "待同步" in view.banner.text(), timeout=WAIT)
    assert not btn(view, "outcome_accepted").isEnabled()  # once is enough
    rid = pad.queued.rid
    lh.hub = Hub(lh.hall, lh.db, lh.url).start()
    qtbot.waitUntil(lambda: pad.current is None and pad.pending is None and pad.queued is None, timeout=WAIT)
    qtbot.waitUntil(lambda: not view.banner.isVisible(), timeout=WAIT)
    rows = lh.hub.store.conn.execute("SELECT COUNT(*) FROM events WHERE type='ticket.outcome' AND request_id=?",
                                     (rid,)).fetchone()
    assert rows[0] == 1
    assert [t["state"] for t in lh.hub.store.tickets() if t["number"] == "A001"] == ["accepted"]


def test_offline_banner_when_the_broker_stops_and_recovery(qtbot: Any, serving: Any, lh: Any) -> None:
    from hub.broker import EmbeddedBroker

    view = serving.view
    port = lh.broker.port
    lh.broker.stop()
    qtbot.waitUntil(view.banner.isVisible, timeout=WAIT)
    assert "网络" in view.banner.text()
    assert not btn(view, "call_next").isEnabled()
    assert btn(view, "outcome_accepted").isEnabled()  # recorded offline as 待同步 if tapped
    lh.broker = EmbeddedBroker("127.0.0.1", port).start()
    qtbot.waitUntil(lambda: not view.banner.isVisible(), timeout=30_000)
    qtbot.waitUntil(lambda: btn(view, "outcome_accepted").isEnabled(), timeout=WAIT)


def test_print_notices_at_the_window_printer(qtbot: Any, serving: Any, tmp_path: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the sample printer is a file backend at out/window-S01.bin
    (tmp_path / "out").mkdir()
    view, pad = serving.view, serving.presenter
    assert pad.printer_configured
    view.materials.item(0).setCheckState(Qt.CheckState.Checked)
    click(qtbot, view, "outcome_accepted")
    qtbot.waitUntil(lambda: pad.current is None and pad.last_served is not None, timeout=WAIT)
    titles = {"acceptance": "受理通知书", "handover": "申请材料交接确认单", "correction": "审查意见一次性告知单"}
    for kind, title in titles.items():
        click(qtbot, view, "print")
        click(qtbot, view, f"choice_{kind}")
        qtbot.waitUntil(lambda kind=kind: view.printed[-1:] == [kind], timeout=WAIT)
        # the file backend holds the last job; decode its GB18030 text runs
        text_runs = (tmp_path / "out" / "window-S01.bin").read_bytes().decode("gb18030", errors="ignore")
        assert title in text_runs
        assert "户口迁移（市内）" in text_runs
        if kind == "correction":
            assert "缺少材料" in text_runs  # the unticked materials are on the 一次性告知单
