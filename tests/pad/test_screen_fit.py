"""Issue 13 §5 on the screens halls own: 1280×800 pads and guide consoles, sample and long names.

Every dialog of the staff pad and the guide console is opened at its target size, in the sample
hall and in a hall whose department, matter, queue and window names are long
(:func:`launcher.local_hall.long_names_hall`); the window never grows past the screen and the key
buttons stay inside it. Plus the pad's 过号 confirmation, four outcome colours, finger-sized
materials, 补录, and the guide's glyphs, words and ticket search.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QListWidget, QPushButton

from launcher.local_hall import LocalHall, long_names_hall
from tests.pad.conftest import PIN, issue

WAIT = 10_000
SCREEN = (1280, 800)
KEY_BUTTONS = ("outcome_passed", "outcome_consulted", "call", "logout")  # 过号 咨询 特呼 退出登录
ASCII_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(params=["sample", "long names"])
def lh(request: Any, tmp_path: Any) -> Iterator[LocalHall]:
    """Overrides conftest's hall: every test here runs on the sample hall and on long names."""
    hall = LocalHall(long_names_hall() if request.param == "long names" else None, db=tmp_path / "hall.db").start()
    yield hall
    hall.stop()


def btn(view: Any, name: str) -> QPushButton:
    b = view.findChild(QPushButton, name)
    assert b is not None, f"no button {name}"
    return b


def click(qtbot: Any, view: Any, name: str) -> None:
    b = btn(view, name)
    qtbot.waitUntil(lambda: b.isEnabled() and b.isVisible(), timeout=WAIT)
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)


def settle(qtbot: Any, presenter: Any) -> None:
    qtbot.waitUntil(lambda: presenter.pending is None, timeout=WAIT)


def fits(qtbot: Any, view: Any, what: str) -> None:
    qtbot.wait(60)  # let the layout settle (a grown minimum resizes the window on the next pass)
    QApplication.processEvents()
    w, h = view.width(), view.height()
    assert w <= SCREEN[0] and h <= SCREEN[1], f"{what}: the window grew to {w}×{h}"
    hint = view.minimumSizeHint()
    assert hint.width() <= SCREEN[0] and hint.height() <= SCREEN[1], f"{what}: needs {hint.toTuple()}"


def key_buttons_inside(view: Any, what: str) -> None:
    inside = QRect(0, 0, *SCREEN)
    for name in KEY_BUTTONS:
        b = btn(view, name)
        assert b.isVisible(), f"{what}: {name} hidden"
        rect = QRect(b.mapTo(view, QPoint(0, 0)), b.size())
        assert inside.contains(rect), f"{what}: {name} at {rect.getRect()} is off the {SCREEN} screen"


@pytest.fixture
def serving(qtbot: Any, make_pad: Any, lh: LocalHall) -> Any:
    kiosk = lh.client("K1")
    for _ in range(4):
        issue(kiosk)
    app = make_pad("P-S01")
    app.view.staff_no.setText("1001")
    app.view.pin.setText(PIN)
    click(qtbot, app.view, "login")
    qtbot.waitUntil(lambda: app.presenter.logged_in, timeout=WAIT)
    click(qtbot, app.view, "call_next")
    qtbot.waitUntil(lambda: app.presenter.current is not None and app.presenter.pending is None, timeout=WAIT)
    return app


def longest_choice(view: Any, prefix: str = "choice_") -> QPushButton:
    found = [b for b in view.choice.findChildren(QPushButton) if b.objectName().startswith(prefix)
             and b.objectName() != "choice_cancel" and b.isVisible()]
    assert found
    return max(found, key=lambda b: len(b.full_text()))


def test_every_pad_dialog_fits_the_screen_and_summon_and_transfer_keep_the_buttons(
        qtbot: Any, serving: Any) -> None:
    view, pad = serving.view, serving.presenter
    fits(qtbot, view, "serving")
    key_buttons_inside(view, "serving")
    for name in ("summon", "transfer", "print", "call", "outcome_rejected", "outcome_passed"):
        if not btn(view, name).isEnabled():
            continue
        click(qtbot, view, name)
        assert view.stack.currentWidget() is view.choice, name
        fits(qtbot, view, f"{name} page")
        click(qtbot, view, "choice_cancel")
        fits(qtbot, view, f"after {name}")
        key_buttons_inside(view, f"after {name}")
    # 呼叫后台 to the department with the longest name, then 转移 to the longest-named window
    click(qtbot, view, "summon")
    qtbot.mouseClick(longest_choice(view), Qt.MouseButton.LeftButton)
    settle(qtbot, pad)
    assert pad.summons, pad.notice
    fits(qtbot, view, "after 呼叫后台")
    key_buttons_inside(view, "after 呼叫后台")
    click(qtbot, view, "transfer")
    fits(qtbot, view, "transfer page")
    qtbot.mouseClick(longest_choice(view, "choice_w:"), Qt.MouseButton.LeftButton)
    settle(qtbot, pad)
    assert "已确认" in pad.notice.text, pad.notice
    qtbot.waitUntil(lambda: pad.current is None, timeout=WAIT)
    fits(qtbot, view, "after 转移")
    # idle: 特呼 and 退出登录 are the buttons a clerk needs now; 补录 and 暂停 pages fit too
    for name in ("pause", "backfill"):
        click(qtbot, view, name)
        fits(qtbot, view, f"{name} page")
        click(qtbot, view, "choice_cancel")
    key_buttons_inside(view, "idle after 转移")
    assert btn(view, "logout").isEnabled() and btn(view, "call").isEnabled()


def test_the_guide_console_fits_on_every_tab_and_shows_the_hall_at_a_glance(
        qtbot: Any, make_pad: Any, lh: LocalHall) -> None:
    kiosk = lh.client("K1")
    for _ in range(3):
        issue(kiosk)
    app = make_pad("G1", "guide")
    view, console = app.view, app.presenter
    qtbot.waitUntil(lambda: len(console.tickets) == 3, timeout=WAIT)
    for i in range(view.tabs.count()):
        view.tabs.setCurrentIndex(i)
        fits(qtbot, view, f"guide tab {view.tabs.tabText(i)}")
    view.tabs.setCurrentIndex(0)
    qtbot.wait(100)
    # 19 windows and 11 queues without scrolling at 1280×800
    assert view.windows.rowCount() == len(lh.hall.windows) >= 19
    assert view.queues.rowCount() == len(lh.hall.queues) >= 11
    for table in (view.windows, view.queues):
        assert table.verticalScrollBar().maximum() == 0, f"{table.objectName()} scrolls"
        assert table.horizontalScrollBar().maximum() == 0, f"{table.objectName()} scrolls sideways"
    view.tabs.setCurrentIndex(2)  # 窗口调度: every window to pick from, without scrolling either
    qtbot.wait(100)
    assert view.window_table.rowCount() == len(lh.hall.windows)
    assert view.window_table.verticalScrollBar().maximum() == 0


def test_passing_a_number_is_confirmed_first(qtbot: Any, serving: Any) -> None:
    view, pad = serving.view, serving.presenter
    number = pad.current.number
    click(qtbot, view, "outcome_passed")
    assert pad.pending is None and pad.current is not None  # nothing sent on the first tap
    assert view.stack.currentWidget() is view.choice and number in view.choice.title.text()
    click(qtbot, view, "choice_cancel")
    qtbot.wait(200)
    assert pad.current is not None and pad.current.number == number
    click(qtbot, view, "outcome_passed")
    click(qtbot, view, "choice_passed")
    settle(qtbot, pad)
    qtbot.waitUntil(lambda: pad.current is None, timeout=WAIT)
    assert pad.window_state is not None and pad.window_state.counts["passed"] == 1


def test_the_four_outcomes_have_four_colours(qtbot: Any, serving: Any) -> None:
    view = serving.view
    colours = {}
    for key in ("accepted", "consulted", "rejected", "passed"):
        b = btn(view, f"outcome_{key}")
        image = b.grab().toImage()
        colours[key] = image.pixelColor(6, image.height() // 2).name()
    assert len(set(colours.values())) == 4, colours


def test_a_tap_anywhere_on_a_material_row_ticks_it_once(qtbot: Any, serving: Any) -> None:
    view, pad = serving.view, serving.presenter
    materials: QListWidget = view.materials
    assert materials.count() >= 2
    item = materials.item(0)
    rect = materials.visualItemRect(item)
    assert rect.height() >= 44
    at = QPoint(rect.right() - 20, rect.center().y())  # far from the box: the row itself
    qtbot.mouseClick(materials.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert item.checkState() == Qt.CheckState.Checked and item.text() in pad.checked
    box = QPoint(rect.left() + 18, rect.center().y())  # on the box: toggles once, not twice
    qtbot.mouseClick(materials.viewport(), Qt.MouseButton.LeftButton, pos=box)
    assert item.checkState() == Qt.CheckState.Unchecked and item.text() not in pad.checked


def test_backfill_records_a_walk_in(qtbot: Any, serving: Any, lh: LocalHall) -> None:
    view, pad = serving.view, serving.presenter
    click(qtbot, view, "outcome_accepted")
    settle(qtbot, pad)
    qtbot.waitUntil(lambda: pad.current is None, timeout=WAIT)
    click(qtbot, view, "backfill")
    matter = next(m for m in lh.hall.matters.values() if len(m.situations) > 1)
    situation = matter.situations[1]
    click(qtbot, view, f"choice_{matter.id}")
    click(qtbot, view, f"choice_{situation.id}")
    click(qtbot, view, "choice_consulted")
    settle(qtbot, pad)
    assert pad.notice is not None and pad.notice.level == "info", pad.notice
    done = pad.last_served
    assert done is not None and done.matter == matter.id and done.channel == "window"
    assert done.outcome == "consulted"


def test_a_refusal_on_the_pad_is_chinese_words(qtbot: Any, serving: Any) -> None:
    view, pad = serving.view, serving.presenter
    number = pad.current.number
    click(qtbot, view, "outcome_accepted")
    settle(qtbot, pad)
    qtbot.waitUntil(lambda: pad.current is None, timeout=WAIT)
    view._send(lambda: pad.call(number))  # 特呼 a number already served
    settle(qtbot, pad)
    shown = view.notice.text()
    assert pad.notice is not None and pad.notice.level == "error"
    assert f"{number} 已受理" in shown and "不能叫号" in shown, shown
    assert not ASCII_WORD.search(shown), shown


@pytest.fixture
def guide(qtbot: Any, make_pad: Any, lh: LocalHall) -> Any:
    kiosk = lh.client("K1")
    issue(kiosk)
    issue(kiosk, priority_group="elderly", name="李秀英")  # a ● alert: green channel to verify
    issue(kiosk)
    kiosk.set_status({"printer": {"online": True, "paper": "near_end"}})  # a ▲ alert
    lh.client("K2").set_status({"printer": {"online": True, "paper": "ok", "error": "cover_open"}})
    app = make_pad("G1", "guide")
    qtbot.waitUntil(lambda: len(app.presenter.tickets) == 3, timeout=WAIT)
    return app


def test_guide_alerts_use_glyphs_of_the_shipped_font_and_devices_are_named_in_words(
        qtbot: Any, guide: Any) -> None:
    view = guide.view
    alerts = view.findChild(QListWidget, "alerts")
    qtbot.waitUntil(lambda: alerts.count() >= 3, timeout=WAIT)
    font = QFont("WenQuanYi Micro Hei")
    assert QFontMetrics(font).inFontUcs4(ord("中"))  # the shipped font is there
    for i in range(alerts.count()):
        text = alerts.item(i).text()
        missing = [ch for ch in text if not ch.isspace() and not QFontMetrics(font).inFontUcs4(ord(ch))]
        assert missing == [], f"{text!r}: {missing} render as empty boxes"
        assert not ASCII_WORD.search(text), text
    assert any(alerts.item(i).text().startswith("● ") for i in range(alerts.count()))
    assert any(alerts.item(i).text().startswith("▲ ") for i in range(alerts.count()))
    assert any("打印机盖未关" in alerts.item(i).text() for i in range(alerts.count()))
    kinds = {view.devices.item(r, 1).text() for r in range(view.devices.rowCount())}
    assert {"大厅服务器", "自助取号机", "窗口终端", "引导台"} <= kinds
    assert not any(ASCII_WORD.search(k) for k in kinds), kinds


def test_guide_sign_in_dialog_says_queding_and_quxiao(qtbot: Any, guide: Any) -> None:
    view = guide.view
    seen: list[list[str]] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, answer)
            return
        box = dialog.findChild(QDialogButtonBox)
        seen.append(sorted(b.text() for b in box.buttons()))
        dialog.reject()

    QTimer.singleShot(20, answer)
    view._sign()  # 签到 asks the staff number: 取消 it
    assert seen == [["取消", "确定"]]
    assert guide.presenter.operator == ""


def test_guide_finds_a_ticket_by_number(qtbot: Any, guide: Any) -> None:
    view, console = guide.view, guide.presenter
    view.tabs.setCurrentIndex(1)
    assert view.tickets.rowCount() == 3
    second = console.tickets[1].number
    qtbot.keyClicks(view.ticket_search, second.lower())
    qtbot.waitUntil(lambda: view.tickets.rowCount() == 1, timeout=WAIT)
    assert view.tickets.item(0, 0).text() == second
    qtbot.keyClick(view.ticket_search, Qt.Key.Key_Return)
    assert console.selected_ticket == console.tickets[1].id
    assert second in view.ticket_title.text()
    view.ticket_search.clear()
    qtbot.waitUntil(lambda: view.tickets.rowCount() == 3, timeout=WAIT)


def test_the_offline_banner_over_the_tallest_page_still_fits(qtbot: Any, serving: Any, lh: LocalHall) -> None:
    view, pad = serving.view, serving.presenter
    click(qtbot, view, "outcome_accepted")
    settle(qtbot, pad)
    qtbot.waitUntil(lambda: pad.current is None, timeout=WAIT)
    click(qtbot, view, "call")  # 特呼: the keypad page is the tallest
    assert lh.hub is not None
    lh.hub.stop()
    lh.hub = None
    qtbot.waitUntil(view.banner.isVisible, timeout=WAIT)
    fits(qtbot, view, "特呼 page with the offline banner")
