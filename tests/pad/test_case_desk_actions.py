"""The 办件 desk's missing actions at the window (issue 15): 变更送达方式, the 办结通知书 printed by itself
after a hand-out, the case's 附件5 printed at the window, and the case's words in English.

Real widgets against a real hub and broker (the sample hall with a 公安局 back office), the clock
pinned to Monday 2026-11-23 09:00; the window's slip printer is the sample's file printer and, for
附件5, an A4 printer writing its PDF to a file. What the hub recorded is read back over the wire.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from hallq import i18n
from hub.case_config import CaseRules
from hub.cases import Delivery
from launcher.local_hall import LocalHall
from launcher.samples import sample_hall_path
from tests.halls import signed_in_desk
from tests.hub.hub_helpers import FakeClock
from tests.pad.test_backoffice import pdf_text
from tests.pad.test_case_front import (  # noqa: F401 (front: a fixture; clock: tests/conftest.py's)
    ADDRESS,
    APPLICANT_ID,
    case_hall,
    desk,
    front,
    hub_case,
    open_case,
    refused,
    scan,
    send_case,
    serve_accepted,
    shown_texts,
    slip,
    start_hall,
    tab,
)
from tests.pad.test_staff_pad import WAIT, btn, click, settle

PRINT_ON = (Delivery.PICKUP, Delivery.LOCKER)  # the 办结通知书 prints by itself after these, not after 邮寄


def desk_hall(a4: Path | None) -> Any:
    """The case hall printing the 办结通知书 after 现场领取 and 自助柜; S01's slip printer naming an A4
    printer that writes its PDF to ``a4``, when given."""
    hall = case_hall(a4=False)
    rules = dataclasses.replace(hall.cases or CaseRules(), print_completion_notice=PRINT_ON)
    tables = dict(hall.printer_tables)
    if a4 is not None:
        tables["window-S01"] = {**tables["window-S01"], "a4": "window-a4"}
        tables["window-a4"] = {"backend": "file", "paper": "a4", "path": str(a4)}
    return dataclasses.replace(hall, cases=rules, printer_tables=tables)


@pytest.fixture
def lh(tmp_path: Path, clock: FakeClock, request: pytest.FixtureRequest,
       monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalHall]:
    a4 = tmp_path / "a4.pdf" if "a4" in request.fixturenames else None
    hall = start_hall(desk_hall(a4), tmp_path, clock, monkeypatch)
    yield hall
    hall.stop()


@pytest.fixture
def a4(tmp_path: Path) -> Path:
    return tmp_path / "a4.pdf"


@pytest.fixture
def english() -> Iterator[None]:
    was = i18n.language()
    i18n.set_language("en")
    yield
    i18n.set_language(was)


def accepted_case(qtbot: Any, lh: LocalHall, app: Any, way: str = "pickup", **ticket: Any) -> str:
    serve_accepted(qtbot, lh, app, name="张三", id_number=APPLICANT_ID, **ticket)
    open_case(qtbot, app)
    click(qtbot, app.view, f"case_delivery_{way}")
    if way == "locker":
        app.view.findChild(QLineEdit, "case_compartment").setText("B-07")
    if way == "mail":
        app.view.findChild(QLineEdit, "case_address").setText(ADDRESS)
    case = send_case(qtbot, app).id
    qtbot.waitUntil(lambda: "handover" in app.view.case_printed, timeout=WAIT)
    click(qtbot, app.view, "case_back")
    return str(case)


def ready(qtbot: Any, lh: LocalHall, app: Any, case: str) -> None:
    """The department decides and sends the result out; the 出件 window receives it (by taps)."""
    office = signed_in_desk(lh)
    for op in ("case.sign", "case.approve", "case.send_out"):
        office.request(op, {"case": case})
    scan(qtbot, app, case)
    click(qtbot, app.view, "case_receive_result")
    settle(qtbot, app.presenter)
    assert hub_case(lh, case)["state"] == "ready"


def handed_out(qtbot: Any, lh: LocalHall, app: Any, case: str, button: str, state: str, tmp_path: Path) -> str:
    """Tap a hand-out, see the hub record it and the 办结通知书 print by itself: the slip's text."""
    view = app.view
    before = len(view.case_printed)
    click(qtbot, view, button)
    settle(qtbot, app.presenter)
    assert hub_case(lh, case)["state"] == state
    printed_once_more(qtbot, view, before, "completion")
    return slip(tmp_path)


def printed_once_more(qtbot: Any, view: Any, before: int, kind: str) -> None:
    qtbot.waitUntil(lambda: len(view.case_printed) > before, timeout=WAIT)
    assert view.case_printed[before:] == [kind]


# ---------------------------------------------------------------- 1. 变更送达方式


def test_a_refused_locker_hand_out_leads_to_changing_the_delivery(qtbot: Any, lh: LocalHall, front: Any,
                                                                   tmp_path: Path) -> None:
    view, pad = front.view, front.presenter
    case = accepted_case(qtbot, lh, front)  # agreed: 现场领取
    page = desk(qtbot, front)
    ready(qtbot, lh, front, case)
    # the applicant now wants the locker: the hand-out is refused, in the hub's words …
    tab(front, "locker")
    view.findChild(QLineEdit, "case_locker_compartment").setText("A-03")
    click(qtbot, view, "case_locker")
    shown = refused(qtbot, front, "约定的送达方式为现场领取")
    assert "变更送达方式" in shown
    # … and the desk is on 变更送达方式, the locker chosen, the refusal beside it; nothing changed
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is page.tab_pages["delivery"], timeout=WAIT)
    assert btn(view, "case_change_locker").isChecked() and not btn(view, "case_change_pickup").isChecked()
    assert "约定的送达方式为现场领取" in view.findChild(QLabel, "case_change_hint").text()
    assert view.findChild(QLineEdit, "case_change_compartment").isVisible()
    got = hub_case(lh, case)
    assert (got["state"], got["delivery"], got["compartment"]) == ("ready", "pickup", "")
    # the compartment is asked for before anything is sent
    click(qtbot, view, "case_change_delivery")
    assert pad.notice is not None and pad.notice.level == "error" and "柜格号" in pad.notice.text
    assert hub_case(lh, case)["delivery"] == "pickup"
    view.findChild(QLineEdit, "case_change_compartment").setText("A-03")
    click(qtbot, view, "case_change_delivery")
    settle(qtbot, pad)
    got = hub_case(lh, case)
    assert (got["state"], got["delivery"], got["compartment"]) == ("ready", "locker", "A-03")
    assert "自助柜（A-03）" in page.card.text()
    # the desk moves on to the hand-out the new way calls for, and it goes through
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is page.tab_pages["locker"], timeout=WAIT)
    assert view.findChild(QLineEdit, "case_change_compartment").text() == ""
    # 2. the hall prints the 办结通知书 after a locker hand-out by itself
    text = handed_out(qtbot, lh, front, case, "case_locker", "in_locker", tmp_path)
    assert "办结通知书" in text and "自助柜（A-03）" in text and "张**" in text
    # a closed case cannot change: the hub's words, nothing changes
    tab(front, "delivery")
    click(qtbot, view, "case_change_pickup")
    click(qtbot, view, "case_change_delivery")
    shown = refused(qtbot, front, "已投柜，不能变更送达方式")
    got = hub_case(lh, case)
    assert (got["state"], got["delivery"], got["compartment"]) == ("in_locker", "locker", "A-03")


def test_changing_to_post_takes_an_address_shown_only_in_part(qtbot: Any, lh: LocalHall, front: Any,
                                                              tmp_path: Path) -> None:
    view, pad = front.view, front.presenter
    case = accepted_case(qtbot, lh, front)
    page = desk(qtbot, front)
    scan(qtbot, front, case)  # still 已受理: the applicant can change the way long before the result
    tab(front, "delivery")
    click(qtbot, view, "case_change_mail")
    address = view.findChild(QLineEdit, "case_change_address")
    assert address.isVisible() and not view.findChild(QLineEdit, "case_change_compartment").isVisible()
    click(qtbot, view, "case_change_delivery")  # no address yet: asked for, nothing sent
    assert pad.notice is not None and "收件地址" in pad.notice.text
    address.setText(ADDRESS)
    address.editingFinished.emit()
    assert address.text() == ADDRESS[:6] + "******" and address.isReadOnly()
    assert not any(ADDRESS in s for s in shown_texts(view))
    click(qtbot, view, "case_change_delivery")
    settle(qtbot, pad)
    got = hub_case(lh, case)
    assert (got["state"], got["delivery"], got["address"]) == ("accepted", "mail", True)
    assert page.change_request()[2] == "" and address.text() == ""  # the address is forgotten once confirmed
    assert "地址已登记" in page.card.text() and ADDRESS not in page.card.text()
    # the post hand-out: this hall does not print the 办结通知书 after 邮寄 by itself
    ready(qtbot, lh, front, case)
    assert page.tabs.currentWidget() is page.tab_pages["post"]
    view.findChild(QLineEdit, "case_tracking").setText("SF1234567890")
    before = len(view.case_printed)
    click(qtbot, view, "case_post")
    settle(qtbot, pad)
    assert hub_case(lh, case)["state"] == "posted"
    qtbot.wait(300)
    assert len(view.case_printed) == before
    assert btn(view, "case_desk_print").isEnabled()  # by hand it still prints
    click(qtbot, view, "case_desk_print")
    printed_once_more(qtbot, view, before, "completion")
    assert "SF1234567890" in slip(tmp_path)
    assert ADDRESS not in slip(tmp_path)


def test_a_change_the_matter_does_not_offer_is_refused_and_changes_nothing(qtbot: Any, lh: LocalHall,
                                                                           front: Any) -> None:
    view = front.view
    case = accepted_case(qtbot, lh, front)
    desk(qtbot, front)
    scan(qtbot, front, case)
    tab(front, "delivery")
    click(qtbot, view, "case_change_locker")
    view.findChild(QLineEdit, "case_change_compartment").setText("A 03")  # not a compartment reference
    click(qtbot, view, "case_change_delivery")
    refused(qtbot, front, "格口号格式不正确")
    got = hub_case(lh, case)
    assert (got["delivery"], got["compartment"]) == ("pickup", "")


# ---------------------------------------------------------------- 2. 办结通知书 after 现场领取


def test_the_completion_notice_prints_by_itself_after_a_pickup(qtbot: Any, lh: LocalHall, front: Any,
                                                               tmp_path: Path) -> None:
    view, pad = front.view, front.presenter
    assert pad.state.catalog is not None
    assert pad.state.catalog.cases.print_completion_notice == ["pickup", "locker"]  # from the hall file
    case = accepted_case(qtbot, lh, front)
    desk(qtbot, front)
    ready(qtbot, lh, front, case)
    view.findChild(QLineEdit, "case_id_number").setText(APPLICANT_ID)
    view.findChild(QLineEdit, "case_collector").setText("张三")
    text = handed_out(qtbot, lh, front, case, "case_collect", "collected", tmp_path)
    assert "办结通知书" in text and "现场领取" in text and "准予许可" in text and "居民身份证申领" in text
    assert APPLICANT_ID not in text
    # the button prints it again
    before = len(view.case_printed)
    click(qtbot, view, "case_desk_print")
    printed_once_more(qtbot, view, before, "completion")


# ---------------------------------------------------------------- 3. 附件5 at the window


def test_the_window_prints_the_cases_correction_notice_on_slip_and_a4(qtbot: Any, lh: LocalHall, a4: Path,
                                                                      front: Any, tmp_path: Path) -> None:
    view, pad = front.view, front.presenter
    case = accepted_case(qtbot, lh, front)
    page = desk(qtbot, front)
    scan(qtbot, front, case)
    assert not btn(view, "case_desk_print_correction").isEnabled()  # nothing returned yet
    office = signed_in_desk(lh)
    office.request("case.sign", {"case": case})
    reasons = ["户口簿首页复印件不清晰，请重新复印", "照片回执已过期，请重新采集"]
    office.request("case.notify_correction", {"case": case, "reasons": reasons, "deadline": "2026-12-04"})
    scan(qtbot, front, case)
    qtbot.waitUntil(lambda: "待补正" in page.card.text(), timeout=WAIT)
    assert "补正期限：2026-12-04" in page.card.text()
    b = btn(view, "case_desk_print_correction")
    assert b.isEnabled()
    before = len(view.case_printed)
    click(qtbot, view, "case_desk_print_correction")
    # the A4 PDF (fonts embedded) takes seconds on a loaded machine
    qtbot.waitUntil(lambda: len(view.case_printed) > before, timeout=6 * WAIT)
    assert view.case_printed[before:] == ["correction"]
    assert "A4" in pad.notice.text and "小票" in pad.notice.text
    text = slip(tmp_path)
    assert "审查意见一次性告知单" in text and all(r in text for r in reasons)
    assert "2026年12月4日" in text and "综合窗口" in text and "S01" in text and f"办件码 {case}" in text
    assert "公安局" in text  # the department issues it
    printed = pdf_text(a4).replace("\r", "").replace("\n", "")
    assert "审查意见一次性告知单" in printed and reasons[0] in printed and "2026年12月4日" in printed
    assert "S01" in printed and case in printed
    # once the 补正 materials are back, there is nothing to tell any more
    view.findChild(QWidget, "case_correction_0").setChecked(True)
    click(qtbot, view, "case_receive_correction")
    settle(qtbot, pad)
    assert hub_case(lh, case)["state"] == "correction_received"
    qtbot.waitUntil(lambda: not btn(view, "case_desk_print_correction").isEnabled(), timeout=WAIT)


# ---------------------------------------------------------------- 4. English


def test_an_english_pad_shows_the_cases_words_in_english(qtbot: Any, english: None, lh: LocalHall, front: Any,
                                                         tmp_path: Path) -> None:
    view, pad = front.view, front.presenter
    locker = accepted_case(qtbot, lh, front, "locker")
    case = accepted_case(qtbot, lh, front)
    page = desk(qtbot, front)
    ready(qtbot, lh, front, locker)
    ready(qtbot, lh, front, case)
    assert pad.notice is not None
    assert pad.notice.text.endswith("case now Ready for pickup"), pad.notice.text  # the confirmation line
    card = page.card.text()
    assert "State: Ready for pickup" in card and "Delivery: Pickup at the hall" in card, card
    for chinese in ("待领取", "现场领取", "承诺件", "原件", "复印件"):
        assert chinese not in card, (chinese, card)
    qtbot.waitUntil(lambda: len(page.ready.ids) == 2, timeout=WAIT)
    table = page.ready
    cells = {table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())}
    assert {"Self-service locker", "Pickup at the hall"} <= cells and not {"自助柜", "现场领取"} & cells
    labels = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "Change delivery" in labels
    cjk = [btn(view, f"case_change_{k}").text() for k in ("pickup", "locker", "mail")]
    assert not any("\u4e00" <= ch <= "\u9fff" for t in cjk for ch in t), cjk
    # a refused hand-out: the refusal in English, and it still leads to Change delivery
    tab(front, "locker")
    view.findChild(QLineEdit, "case_locker_compartment").setText("A-03")
    click(qtbot, view, "case_locker")
    settle(qtbot, pad)
    assert pad.notice is not None
    assert "Not the delivery method agreed with the applicant" in pad.notice.text, pad.notice.text
    assert "约定" not in pad.notice.text
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is page.tab_pages["delivery"], timeout=WAIT)
    assert hub_case(lh, case)["state"] == "ready"
    # the accept page's summary of a new case
    click(qtbot, view, "case_desk_back")
    serve_accepted(qtbot, lh, front, name="李四")
    open_case(qtbot, front)
    send_case(qtbot, front)
    summary = view.findChild(QLabel, "case_summary").text()
    assert "State: Accepted" in summary and "Kind: Promised case" in summary, summary
    assert "Delivery: Pickup at the hall" in summary
    assert "已受理" not in summary and "承诺件" not in summary


# ---------------------------------------------------------------- the hall-file key


@pytest.mark.parametrize(("written", "ways"), [
    ("true", ("pickup", "locker", "mail")),
    ("false", ()),
    ('["locker"]', ("locker",)),
    ("[]", ()),
])
def test_print_completion_notice_reads_true_false_or_the_ways(written: str, ways: tuple[str, ...]) -> None:
    from hub.case_config import check_cases

    rules, issues = check_cases(tomllib.loads(f"[cases]\nprint_completion_notice = {written}\n"))
    assert issues == []
    assert tuple(d.value for d in rules.print_completion_notice) == ways
    assert check_cases({})[0].print_completion_notice == ()  # a hall that writes nothing: only by hand


@pytest.mark.parametrize(("written", "path", "words"), [
    ('print_completion_notise = true', "cases.print_completion_notise", "did you mean 'print_completion_notice'"),
    ('print_completion_notice = "办结通知书"', "cases.print_completion_notice", "应为 true/false 或送达方式列表"),
    ('print_completion_notice = ["pickup", "drone"]', "cases.print_completion_notice[1]", "未知送达方式"),
    ('deliveries = ["pickup"]\nprint_completion_notice = ["mail"]', "cases.print_completion_notice[0]",
     "大厅未开通该送达方式"),
])
def test_a_mistyped_print_completion_notice_is_reported_with_its_key_path(written: str, path: str,
                                                                          words: str) -> None:
    from hub.config import ConfigError, parse_hall

    text = sample_hall_path().read_text(encoding="utf-8") + f"\n[cases]\n{written}\n"
    with pytest.raises(ConfigError) as info:
        parse_hall(tomllib.loads(text), text=text)
    found = [i for i in info.value.issues if i.path == path]
    assert found, info.value.issues
    assert words in found[0].message
    assert len(info.value.issues) == 1  # nothing else of the sample hall is blamed


def test_the_catalog_carries_the_cases_values_only_when_they_are_not_the_defaults() -> None:
    import msgspec

    from hallq import messages as m
    from hub.config import parse_hall
    from hub.publisher import catalog

    text = sample_hall_path().read_text(encoding="utf-8")
    sample = parse_hall(tomllib.loads(text), text=text)
    raw = catalog(sample)
    assert "cases" not in raw  # the sample writes no [cases]: the catalog reads as it did before the field
    assert m.decode(m.Catalog, msgspec.json.encode(raw)).cases is None
    rules = dataclasses.replace(sample.cases or CaseRules(), print_completion_notice=PRINT_ON)
    raw = catalog(dataclasses.replace(sample, cases=rules))
    assert raw["cases"] == {"deliveries": ["pickup", "locker", "mail"], "print_completion_notice": ["pickup", "locker"]}
    decoded = m.decode(m.Catalog, msgspec.json.encode(raw)).cases
    assert decoded is not None
    assert decoded.print_completion_notice == ["pickup", "locker"]


@pytest.mark.parametrize("scene", ["pad-case-change-delivery", "pad-case-pickup-notice", "pad-case-correction"])
def test_the_desk_scenes_render(scene: str, tmp_path: Path, qapp: Any) -> None:
    from PySide6.QtGui import QImage

    from launcher.scenes import scenes

    out = tmp_path / f"{scene}.png"
    scenes()[scene](out)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
