"""The guide console and the cases: 转递取件 by scanning the 转递单 (转递人员 work from the guide console),
and alerts for cases stuck at a stage beyond ``[cases.stuck_hours]`` or past their promised date;
real widgets against a real hub whose clock the test moves."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from launcher.local_hall import LocalHall
from pad.guide_cases import CASE_LISTS
from tests.hub.hub_helpers import FakeClock, local_ts
from tests.pad.test_backoffice import accept, front_desk, hall
from tests.pad.test_guide import WAIT, click, done


def console(qtbot: Any, hall: LocalHall, apps: list[Any], clock: FakeClock) -> Any:
    from pad.app import PadApp

    app = PadApp(hall.url, hall.hall.id, "G1", "guide", clock=clock).start()
    apps.append(app)
    qtbot.addWidget(app.view)
    app.view.resize(1280, 800)
    app.view.show()
    qtbot.waitUntil(lambda: app.presenter.online and not app.presenter.cases_due, timeout=WAIT)
    return app


def alert_texts(app: Any) -> list[str]:
    return [a.text for a in app.presenter.alerts() if a.kind.startswith("case_")]


def test_transfer_staff_pick_up_by_scanning_the_transfer_sheet(qtbot: Any, hall: LocalHall, apps: list[Any],
                                                              clock: FakeClock) -> None:
    guide = console(qtbot, hall, apps, clock)
    view, c = guide.view, guide.presenter
    assert view.tabs.tabText(view.case_tab) == "办件转递"
    front = front_desk(hall)
    first = accept(hall, front, number="SX-2026-0007")
    second = accept(hall, front)
    qtbot.waitUntil(lambda: view.tabs.tabText(view.case_tab) == "办件转递（2）", timeout=WAIT)  # event/case, no tap
    assert view.pickup_table.rowCount() == 2

    view.tabs.setCurrentIndex(view.case_tab)
    field = view.findChild(QLineEdit, "pickup_scan")
    qtbot.keyClicks(field, "SX-2026-0007")  # a keyboard-wedge scanner: the code, then Enter
    qtbot.keyClick(field, Qt.Key.Key_Return)
    done(qtbot, c)
    assert c.notice.level == "info" and "转递取件 SX-2026-0007" in c.notice.text
    got = hall.client("G1").request("case.get", {"case": first["id"]})["case"]
    assert got["state"] == "transferring"
    qtbot.waitUntil(lambda: view.tabs.tabText(view.case_tab) == "办件转递（1）", timeout=WAIT)
    assert view.pickup_table.rowCount() == 2  # the one on its way stays listed (转递中) until signed for

    view.pickup_table.select_id(second["id"])
    click(qtbot, view, "case_pick_up")
    done(qtbot, c)
    qtbot.waitUntil(lambda: view.tabs.tabText(view.case_tab) == "办件转递", timeout=WAIT)
    assert not view.findChild(type(view.pickup_btn), "case_pick_up").isEnabled()  # already on its way
    again = hall.client("G1")
    assert again.request("case.get", {"case": second["id"]})["case"]["state"] == "transferring"

    # a code nobody knows: the hub's refusal in words, nothing changes
    qtbot.keyClicks(field, "NO-SUCH-CASE")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    done(qtbot, c)
    assert c.notice.level == "error" and "没有办件 NO-SUCH-CASE" in c.notice.text


def test_alerts_for_cases_stuck_at_a_stage_and_overdue(qtbot: Any, hall: LocalHall, apps: list[Any],
                                                       clock: FakeClock) -> None:
    """已受理 waits for 转递 at most 4 working hours (the default [cases.stuck_hours]); a 1-day case
    accepted Monday is overdue on Wednesday, and then said once, as overdue."""
    guide = console(qtbot, hall, apps, clock)
    c = guide.presenter
    front = front_desk(hall)
    case = accept(hall, front, promised_days=1)
    qtbot.waitUntil(lambda: len(c.pickups) == 1, timeout=WAIT)
    assert alert_texts(guide) == []
    clock.now = local_ts(2026, 11, 23, 13, 30)  # 4.5 working hours later, still Monday
    c.cases_due.update(CASE_LISTS)  # what the console's minute poll does
    qtbot.waitUntil(lambda: alert_texts(guide) != [], timeout=WAIT)
    assert alert_texts(guide) == [f"办件滞留：{case['id']}（公安局）已受理已 4.5 个工作小时"]
    qtbot.waitUntil(lambda: any("办件滞留" in guide.view.alert_list.item(i).text()
                                for i in range(guide.view.alert_list.count())), timeout=WAIT)

    clock.now = local_ts(2026, 11, 26, 9, 0)  # Thursday: promised for Tuesday
    c.cases_due.update(CASE_LISTS)
    qtbot.waitUntil(lambda: any("逾期" in t for t in alert_texts(guide)), timeout=WAIT)
    assert alert_texts(guide) == [
        f"办件逾期：{case['id']}（公安局，居民身份证申领、换领、补领）承诺 2026-11-24 办结，已逾期 2 个工作日"]
    overdue = next(a for a in c.alerts() if a.kind == "case_overdue")
    assert overdue.level == "error" and c.alerts()[0].kind in ("case_overdue", "priority", "summon", "paper",
                                                               "printer")


def test_an_english_console_says_the_case_states_in_english(qtbot: Any, hall: LocalHall, apps: list[Any],
                                                            clock: FakeClock) -> None:
    from hallq import i18n

    front = front_desk(hall)
    case = accept(hall, front, number="SX-2026-0009")
    i18n.set_language("en")
    try:
        guide = console(qtbot, hall, apps, clock)
        view, c = guide.view, guide.presenter
        view.tabs.setCurrentIndex(view.case_tab)
        qtbot.waitUntil(lambda: view.pickup_table.rowCount() == 1, timeout=WAIT)
        assert view.tabs.tabText(view.case_tab) == "Case transfer (1)"
        state_col = next(i for i in range(view.pickup_table.columnCount())
                         if view.pickup_table.horizontalHeaderItem(i).text() == "State")
        assert view.pickup_table.item(0, state_col).text() == "Accepted"
        view.pickup_table.select_id(case["id"])
        qtbot.waitUntil(lambda: c.selected_case == case["id"], timeout=WAIT)
        title = view.case_pick_title.text()
        assert title.startswith("SX-2026-0009 · ") and title.endswith(", Accepted)") and "已受理" not in title
        # stuck at 已受理 beyond [cases.stuck_hours]: the alert names the state in English too
        clock.now = local_ts(2026, 11, 23, 16, 0)
        c.cases_due.update(CASE_LISTS)
        qtbot.waitUntil(lambda: any(a.kind == "case_stuck" for a in c.alerts()), timeout=WAIT)
        stuck = next(a.text for a in c.alerts() if a.kind == "case_stuck")
        assert "Accepted" in stuck and "已受理" not in stuck
    finally:
        i18n.set_language("zh_CN")


def test_the_hub_and_the_pad_give_one_english_for_each_chinese_word() -> None:
    """hub/cases.py's English (log lines, reports) and the pad's (pad/texts.py) must agree: the last
    module imported would otherwise decide what an English screen says (受理, 现场领取 …)."""
    import ast
    from pathlib import Path

    from hallq import i18n
    from hub.cases import ENGLISH

    pad_english: dict[str, set[str]] = {}
    tree = ast.parse((Path(__file__).resolve().parents[2] / "pad" / "texts.py").read_text(encoding="utf-8"))
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "add_english":
            for k, v in ast.literal_eval(call.args[0]).items():
                pad_english.setdefault(k, set()).add(v)
    assert {k: v for k, v in pad_english.items() if len(v) > 1} == {}
    clashes = {k: (v, pad_english[k]) for k, v in ENGLISH.items() if k in pad_english and pad_english[k] != {v}}
    assert clashes == {}
    for word in ("受理", "现场领取", "办结", "承诺件", "不予许可"):  # what tr() gives, whatever was imported last
        assert ENGLISH[word] == i18n._english[word] == next(iter(pad_english.get(word, {ENGLISH[word]}))), word
    assert (ENGLISH["现场领取"], ENGLISH["受理"]) == ("Pickup at the hall", "Accept")
    assert i18n.CASE_WORDS_EN["delivery"]["pickup"] == ENGLISH["现场领取"]
