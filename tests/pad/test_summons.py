"""呼叫后台 reaches someone (R11): the pad summons, the guide console lists it with a chime and the wait,
the guide acknowledges 已响应 / 已到窗口, and the pad shows each step; real widgets, real hub."""

from __future__ import annotations

from typing import Any

from tests.pad.conftest import issue
from tests.pad.test_guide import WAIT, click, done
from tests.pad.test_staff_pad import login, text


def test_pad_summons_guide_answers_and_the_pad_sees_it(qtbot: Any, make_pad: Any, lh: Any) -> None:
    for _ in range(2):
        issue(lh.client("K1"))
    staff = make_pad("P-S01")
    login(qtbot, staff)
    qtbot.waitUntil(lambda: staff.presenter.logged_in, timeout=WAIT)
    click(qtbot, staff.view, "call_next")
    qtbot.waitUntil(lambda: staff.presenter.current is not None, timeout=WAIT)
    guide = make_pad("G1", "guide")
    gview, console = guide.view, guide.presenter
    chimes: list[int] = []
    gview.sound = lambda: chimes.append(1)
    assert console.summon_rows() == []

    click(qtbot, staff.view, "summon")
    click(qtbot, staff.view, "choice_")  # the current matter's department
    qtbot.waitUntil(lambda: "待响应" in text(staff.view, "evaluation"), timeout=WAIT)
    assert "呼叫后台 公安局：待响应（已等" in text(staff.view, "evaluation")

    qtbot.waitUntil(lambda: gview.summon_table.rowCount() == 1, timeout=WAIT)
    row = console.summon_rows()[0]
    assert (row["window"], row["department"], row["state_text"]) == ("S01", "公安局", "待响应")
    assert row["wait"].startswith("已等")
    assert gview.tabs.tabText(gview.summon_tab) == "呼叫后台（1）"
    qtbot.waitUntil(lambda: chimes == [1], timeout=WAIT)  # one chime for the new summons

    gview.tabs.setCurrentIndex(gview.summon_tab)
    gview.summon_table.select_id(row["id"])
    assert console.selected_summon == row["id"]
    click(qtbot, gview, "summon_respond")
    done(qtbot, console)
    qtbot.waitUntil(lambda: "已响应" in text(staff.view, "evaluation"), timeout=WAIT)
    assert "呼叫后台 公安局：已响应（响应用时" in text(staff.view, "evaluation")
    qtbot.waitUntil(lambda: console.summon_rows()[0]["state_text"] == "已响应", timeout=WAIT)  # its own copy

    click(qtbot, gview, "summon_arrive")
    done(qtbot, console)
    qtbot.waitUntil(lambda: "已到窗口" in text(staff.view, "evaluation"), timeout=WAIT)
    qtbot.waitUntil(lambda: gview.summon_table.rowCount() == 0, timeout=WAIT)  # answered: off the open list
    assert gview.tabs.tabText(gview.summon_tab) == "呼叫后台"
    assert chimes == [1]  # answering does not chime
