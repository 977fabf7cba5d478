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
from tests.pad.test_backoffice import accept, clock, front_desk, hall  # noqa: F401  (fixtures)
from tests.pad.test_guide import WAIT, click, done


def console(qtbot: Any, hall: LocalHall, apps: list[Any], clock: FakeClock) -> Any:  # noqa: F811
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


def test_transfer_staff_pick_up_by_scanning_the_transfer_sheet(qtbot: Any, hall: LocalHall, apps: list[Any],  # noqa: F811
                                                              clock: FakeClock) -> None:  # noqa: F811
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


def test_alerts_for_cases_stuck_at_a_stage_and_overdue(qtbot: Any, hall: LocalHall, apps: list[Any],  # noqa: F811
                                                       clock: FakeClock) -> None:  # noqa: F811
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
