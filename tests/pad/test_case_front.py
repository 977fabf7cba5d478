"""The front desk's case pages on the window's pad (办件: 受理 → 补正 → 出件), real widgets against a real hub.

The hall is the sample hall with a 公安局 back office (B-GA) so cases can move on between the
window's steps, and the clock is pinned to Monday 2026-11-23 09:00 (the promised dates are counted
in working days of a year the calendar knows). Every tap goes through the widgets; the hub's
answers are checked over the wire (``case.get`` from the guide console).

Over 400 lines because each test is one whole flow through real widgets (受理, 补正 and 出件 with every
refusal, the hand-outs, A4 through a private cupsd), and its helpers (the case hall, a scanner's
keystrokes, a refusal read off the screen) serve ``test_case_desk_actions.py`` too.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from hub.config import parse_hall
from launcher.local_hall import LocalHall
from launcher.samples import sample_hall_path
from tests.halls import signed_in_desk
from tests.hub.hub_helpers import FakeClock
from tests.pad.conftest import issue
from tests.pad.test_staff_pad import WAIT, btn, click, login, settle

APPLICANT_ID = "11010519491231002X"
OTHER_ID = "440524188001010014"
ADDRESS = "山西省吕梁市离石区滨河北东路88号3号楼2单元501室"
RENEW = {"matter": "id-card", "situation": "renew"}  # 公安局, 承诺件 of 15 working days
ASCII_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z_]{2,}")


def case_hall(a4: bool) -> Any:
    text = sample_hall_path().read_text(encoding="utf-8")
    text += '\n[[devices]]\nid = "B-GA"\nrole = "backoffice"\ndepartment = "公安局"\n'
    if a4:  # S01's slip printer names the hall's A4 printer, a CUPS queue
        from tests.printers.local_cups import QUEUE

        text = text.replace('[printers.window-S01]\n', '[printers.window-S01]\na4 = "HALL-A4"\n')
        text += f'\n[printers.HALL-A4]\nbackend = "cups"\nqueue = "{QUEUE}"\npaper = "a4"\n'
    hall = parse_hall(tomllib.loads(text), text=text)
    return dataclasses.replace(hall, id=f"c{uuid.uuid4().hex[:10]}")


@pytest.fixture
def lh(tmp_path: Path, clock: FakeClock, request: pytest.FixtureRequest,
       monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalHall]:
    """Overrides the pad tests' hall: the case hall, the pinned clock, the window printer's file in tmp."""
    hall = start_hall(case_hall(a4="cups" in request.fixturenames), tmp_path, clock, monkeypatch)
    yield hall
    hall.stop()


def start_hall(hall: Any, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> LocalHall:
    """``hall`` running in ``tmp_path`` on the pinned clock (the test's own working folder)."""
    monkeypatch.chdir(tmp_path)  # the sample's S01 printer is a file backend at out/window-S01.bin
    (tmp_path / "out").mkdir()
    return LocalHall(hall, db=tmp_path / "hall.db", clock=clock).start()


@pytest.fixture
def front(qtbot: Any, make_pad: Any, clock: FakeClock) -> Any:
    app = make_pad("P-S01", clock=clock)
    login(qtbot, app)
    return app


def slip(tmp_path: Path) -> str:
    """The text runs of the window printer's last job (GB18030)."""
    return (tmp_path / "out" / "window-S01.bin").read_bytes().decode("gb18030", errors="ignore")


def serve_accepted(qtbot: Any, lh: LocalHall, app: Any, **ticket: Any) -> dict[str, Any]:
    """A ticket issued at the kiosk, called at the pad and recorded 受理 by taps: the ticket."""
    t = issue(lh.client("K1"), **{**RENEW, **ticket})
    click(qtbot, app.view, "call_next")
    qtbot.waitUntil(lambda: app.presenter.current is not None and app.presenter.current.id == t["id"], timeout=WAIT)
    click(qtbot, app.view, "outcome_accepted")
    qtbot.waitUntil(lambda: app.presenter.current is None and app.presenter.last_served is not None, timeout=WAIT)
    settle(qtbot, app.presenter)
    return t


def open_case(qtbot: Any, app: Any) -> Any:
    click(qtbot, app.view, "case_accept_open")
    page = app.view.case_accept
    assert app.view.stack.currentWidget() is page
    return page


def send_case(qtbot: Any, app: Any) -> Any:
    pad = app.presenter
    before = pad.case
    click(qtbot, app.view, "case_send")
    qtbot.waitUntil(lambda: pad.case is not before and pad.case is not None and pad.pending is None, timeout=WAIT)
    return pad.case


def hub_case(lh: LocalHall, case: str) -> dict[str, Any]:
    return dict(lh.client("G1").request("case.get", {"case": case})["case"])


def shown_texts(root: QWidget) -> list[str]:
    return [w.text() for w in root.findChildren(QLabel) + root.findChildren(QLineEdit)]  # type: ignore[operator]


def test_accept_opens_a_promised_case_with_materials_delivery_and_number(
        qtbot: Any, lh: LocalHall, front: Any, tmp_path: Path) -> None:
    view, pad = front.view, front.presenter
    assert not btn(view, "case_accept_open").isEnabled()  # nothing served yet
    t = serve_accepted(qtbot, lh, front, name="张三", id_number=APPLICANT_ID)
    assert btn(view, "case_accept_open").isEnabled()
    assert btn(view, "case_accept_open").property("kind") == "good"  # 综窗受理: highlighted
    assert "登记办件" in view.idle_hint.text()
    page = open_case(qtbot, front)
    assert btn(view, "case_kind_promised").isChecked()  # the matter's kind and days by default
    assert view.findChild(QWidget, "case_days").value() == 15
    materials = [m.name for m in page.draft.materials]
    assert materials == list(t["materials"])
    name = page.material_grid.itemAtPosition(1, 1).widget()
    qtbot.mouseClick(name, Qt.MouseButton.LeftButton)  # the second was not handed in: a tap on its name
    assert not page.material_rows[1][0].isChecked()
    click(qtbot, view, "case_form_0")  # the first is a copy, two of them
    page.material_rows[0][2].setValue(2)
    view.findChild(QLineEdit, "case_number").setText("SX-2026-0101")
    click(qtbot, view, "case_delivery_mail")
    address = view.findChild(QLineEdit, "case_address")
    assert address.isVisible() and not view.findChild(QLineEdit, "case_compartment").isVisible()
    address.setText(ADDRESS)
    address.editingFinished.emit()
    assert address.text() == ADDRESS[:6] + "******"  # the address is shown masked after entry
    assert not any(ADDRESS in s for s in shown_texts(view))
    case = send_case(qtbot, front)
    assert page.faces.currentWidget() is page.done_face
    got = hub_case(lh, case.id)
    assert (got["state"], got["kind"], got["promised_days"], got["number"]) == ("accepted", "promised", 15, "SX-2026-0101")
    assert (got["delivery"], got["address"], got["applicant"], got["ticket"]) == ("mail", True, "张**", t["id"])
    assert got["materials"][0] == {"name": materials[0], "form": "copy", "form_label": "复印件", "count": 2}
    assert [m["name"] for m in got["materials"]] == [materials[0], *materials[2:]]
    # 受理通知书 and the 转递单 printed by themselves; the slip file holds the last: the 转递单 with its code
    qtbot.waitUntil(lambda: view.case_printed == ["acceptance", "handover"], timeout=WAIT)
    text = slip(tmp_path)
    assert "申请材料交接确认单" in text and f"办件码 {case.id}" in text
    assert "公安局" in text and "15个工作日" in text
    summary = view.findChild(QLabel, "case_summary").text()
    assert case.id in summary and "SX-2026-0101" in summary and "地址已登记" in summary
    assert ADDRESS not in summary
    # the receipt again, by hand
    click(qtbot, view, "case_print_acceptance")
    qtbot.waitUntil(lambda: view.case_printed[-1:] == ["acceptance"] and len(view.case_printed) == 3, timeout=WAIT)
    text = slip(tmp_path)
    assert "受理通知书" in text and "复印件 2 份" in text and "邮寄" in text
    # once only: the case is registered, the button is off; back to the serve page
    click(qtbot, view, "case_back")
    assert view.stack.currentWidget() is view.serve_page
    assert not btn(view, "case_accept_open").isEnabled()


def test_immediate_case_done_on_spot_prints_the_completion_notice(
        qtbot: Any, lh: LocalHall, front: Any, tmp_path: Path) -> None:
    view, pad = front.view, front.presenter
    serve_accepted(qtbot, lh, front, matter="hukou-move", situation="with-house", name="李四")
    open_case(qtbot, front)
    assert btn(view, "case_kind_immediate").isChecked()
    assert not view.findChild(QWidget, "case_days").isEnabled()
    case = send_case(qtbot, front)
    assert (case.kind, case.state) == ("immediate", "accepted")
    qtbot.waitUntil(lambda: view.case_printed == ["handover"], timeout=WAIT)  # no 受理通知书 for a 即办件
    assert not btn(view, "case_print_acceptance").isVisible()
    click(qtbot, view, "case_done_on_spot")
    qtbot.waitUntil(lambda: pad.case is not None and pad.case.state == "collected", timeout=WAIT)
    assert hub_case(lh, case.id)["state"] == "collected"
    qtbot.waitUntil(lambda: view.case_printed[-1:] == ["completion"], timeout=WAIT)
    text = slip(tmp_path)
    assert "办结通知书" in text and "即办件当场办结" in text and "户口迁移（市内）" in text
    assert not btn(view, "case_done_on_spot").isEnabled()
    # the window's own notices of the ticket still print as before (专窗 and 综窗 alike)
    click(qtbot, view, "case_back")
    click(qtbot, view, "print")
    click(qtbot, view, "choice_acceptance")
    qtbot.waitUntil(lambda: view.printed[-1:] == ["acceptance"], timeout=WAIT)
    assert "受理通知书" in slip(tmp_path) and "户口迁移（市内）" in slip(tmp_path)


def test_a_refused_case_keeps_the_form_and_changes_nothing(qtbot: Any, lh: LocalHall, front: Any) -> None:
    view, pad = front.view, front.presenter
    serve_accepted(qtbot, lh, front, name="张三")
    page = open_case(qtbot, front)
    click(qtbot, view, "case_delivery_mail")
    view.findChild(QLineEdit, "case_address").setText(ADDRESS)
    view.findChild(QLineEdit, "case_number").setText("bad number with spaces")  # not a case reference
    click(qtbot, view, "case_send")
    settle(qtbot, pad)
    assert pad.notice is not None and pad.notice.level == "error"
    assert not ASCII_WORD.search(view.notice.text()), view.notice.text()
    assert lh.client("G1").request("cases.list", {"view": "all"})["cases"] == []
    assert page.faces.currentWidget() is page.form and page.draft is not None and page.draft.address == ADDRESS
    view.findChild(QLineEdit, "case_number").setText("SX-2026-0102")
    case = send_case(qtbot, front)
    assert hub_case(lh, case.id)["address"] is True and page.draft.address == ""


def test_skipping_and_the_special_window(qtbot: Any, lh: LocalHall, front: Any, make_pad: Any,
                                         clock: FakeClock) -> None:
    view = front.view
    serve_accepted(qtbot, lh, front)
    open_case(qtbot, front)
    click(qtbot, view, "case_skip")  # 跳过: nothing is sent
    assert view.stack.currentWidget() is view.serve_page
    settle(qtbot, front.presenter)
    assert lh.client("G1").request("cases.list", {"view": "all"})["cases"] == []
    assert btn(view, "case_accept_open").isEnabled()  # still possible later
    # a consultation recorded: no case offered
    issue(lh.client("K1"), **RENEW)
    click(qtbot, view, "call_next")
    qtbot.waitUntil(lambda: front.presenter.current is not None, timeout=WAIT)
    click(qtbot, view, "outcome_consulted")
    qtbot.waitUntil(lambda: front.presenter.current is None and front.presenter.pending is None, timeout=WAIT)
    assert not btn(view, "case_accept_open").isEnabled()
    # 专窗 (叫号即为受理): offered quietly, never in the way of the next call
    special = make_pad("P-R01", clock=clock)
    login(qtbot, special, "1003")
    r01 = lh.hall.windows["R01"].queues
    matter, situation = next((m.id, s.id) for m in lh.hall.matters.values() for s in m.situations
                             if m.mode.value == "special" and s.queue in r01 and not s.consult_only and not s.online)
    t = issue(lh.client("K1"), matter=matter, situation=situation)
    click(qtbot, special.view, "call_next")
    qtbot.waitUntil(lambda: special.presenter.current is not None, timeout=WAIT)
    click(qtbot, special.view, "outcome_accepted")
    qtbot.waitUntil(lambda: special.presenter.last_served is not None
                    and special.presenter.last_served.id == t["id"] and special.presenter.pending is None,
                    timeout=WAIT)
    b = btn(special.view, "case_accept_open")
    assert b.isEnabled() and b.property("kind") == ""
    assert special.view.stack.currentWidget() is special.view.serve_page
    assert btn(special.view, "call_next").isVisible()
    assert "登记办件" not in special.view.idle_hint.text()


def desk(qtbot: Any, app: Any) -> Any:
    click(qtbot, app.view, "case_desk_open")
    assert app.view.stack.currentWidget() is app.view.case_desk
    return app.view.case_desk


def scan(qtbot: Any, app: Any, code: str) -> None:
    """A keyboard-wedge scanner: types the code and presses Enter."""
    field = app.view.findChild(QLineEdit, "case_code")
    field.clear()
    field.setFocus()
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    settle(qtbot, app.presenter)


def tab(app: Any, key: str) -> None:
    page = app.view.case_desk
    page.tabs.setCurrentWidget(page.tab_pages[key])


def refused(qtbot: Any, app: Any, words: str) -> str:
    settle(qtbot, app.presenter)
    notice = app.presenter.notice
    assert notice is not None and notice.level == "error", notice
    shown = app.view.notice.text()
    assert words in shown and not ASCII_WORD.search(shown), shown
    return shown


def test_correction_and_pickup_at_the_window_with_every_refusal(
        qtbot: Any, lh: LocalHall, front: Any, tmp_path: Path) -> None:
    view, pad = front.view, front.presenter
    office = signed_in_desk(lh)
    serve_accepted(qtbot, lh, front, name="张三", id_number=APPLICANT_ID)
    open_case(qtbot, front)
    case = send_case(qtbot, front).id
    click(qtbot, view, "case_back")
    office.request("case.sign", {"case": case})
    office.request("case.notify_correction", {"case": case, "reasons": ["缺少户口簿首页复印件"]})
    page = desk(qtbot, front)
    # an unknown code, and an ID number scanned into the code field by mistake: refused, never echoed
    scan(qtbot, front, "SX-NO-SUCH")
    refused(qtbot, front, "没有办件 SX-NO-SUCH")
    scan(qtbot, front, APPLICANT_ID)
    shown = refused(qtbot, front, "没有这个办件")
    assert APPLICANT_ID not in shown and "110105********002X" in shown
    # the real code: the card and the 补正 tab
    scan(qtbot, front, case)
    qtbot.waitUntil(lambda: "待补正" in page.card.text(), timeout=WAIT)
    assert page.tabs.currentWidget() is page.tab_pages["correction"]
    assert "缺少户口簿首页复印件" in page.card.text()
    # not yet decided: 出件窗口接收 is refused and nothing changes
    tab(front, "receive")
    click(qtbot, view, "case_receive_result")
    refused(qtbot, front, "待补正，不能出件窗口接收")
    tab(front, "collect")
    view.findChild(QLineEdit, "case_id_number").setText(APPLICANT_ID)
    click(qtbot, view, "case_collect")
    refused(qtbot, front, "待补正，不能现场领取")
    assert hub_case(lh, case)["state"] == "awaiting_correction"
    tab(front, "correction")
    click(qtbot, view, "case_receive_correction")  # nothing ticked: the pad asks first
    assert pad.notice is not None and "勾选" in pad.notice.text
    view.findChild(QWidget, "case_correction_0").setChecked(True)
    click(qtbot, view, "case_receive_correction")
    settle(qtbot, pad)
    assert hub_case(lh, case)["state"] == "correction_received"
    assert pad.case is not None and pad.case.corrections == 1
    # the department decides and sends the result out; the 出件 window receives it
    office.request("case.sign", {"case": case})
    office.request("case.approve", {"case": case})
    office.request("case.send_out", {"case": case})
    scan(qtbot, front, case)
    assert page.tabs.currentWidget() is page.tab_pages["receive"]
    click(qtbot, view, "case_receive_result")
    settle(qtbot, pad)
    assert hub_case(lh, case)["state"] == "ready"
    qtbot.waitUntil(lambda: page.ready.ids == [case], timeout=WAIT)  # 待领取 at this hall
    # the case was agreed for 现场领取: locker and post are refused (the agreed way only)
    tab(front, "locker")
    view.findChild(QLineEdit, "case_locker_compartment").setText("A-03")
    click(qtbot, view, "case_locker")
    refused(qtbot, front, "约定的送达方式为现场领取")
    # 现场领取: someone else's ID is refused; 代领 needs the 授权委托书
    tab(front, "collect")
    view.findChild(QLineEdit, "case_id_number").setText(OTHER_ID)
    assert view.findChild(QLabel, "case_id_masked").text() == "已读取：440524********0014"
    click(qtbot, view, "case_collect")
    refused(qtbot, front, "领取人身份与申请人不符")
    assert hub_case(lh, case)["state"] == "ready"
    view.findChild(QWidget, "case_proxy").setChecked(True)
    click(qtbot, view, "case_collect")
    assert pad.notice is not None and "授权委托书" in pad.notice.text
    view.findChild(QWidget, "case_proxy").setChecked(False)
    view.findChild(QLineEdit, "case_id_number").setText(APPLICANT_ID)
    view.findChild(QLineEdit, "case_collector").setText("张三")
    click(qtbot, view, "case_collect")
    settle(qtbot, pad)
    got = hub_case(lh, case)
    assert (got["state"], got["collector"]) == ("collected", "张**")
    assert view.findChild(QLineEdit, "case_id_number").text() == ""  # nothing of the collector stays
    qtbot.waitUntil(lambda: page.ready.ids == [], timeout=WAIT)
    assert not any(APPLICANT_ID in s or OTHER_ID in s for s in shown_texts(view))
    # a closed case: any further step is refused in words
    click(qtbot, view, "case_collect")
    assert pad.notice is not None and pad.notice.level == "error"
    # the 办结通知书 after the pickup
    click(qtbot, view, "case_desk_print")
    qtbot.waitUntil(lambda: view.case_printed[-1:] == ["completion"], timeout=WAIT)
    assert "办结通知书" in slip(tmp_path) and "张**" in slip(tmp_path)
    click(qtbot, view, "case_desk_back")
    assert view.stack.currentWidget() is view.serve_page


def test_locker_and_post_hand_outs(qtbot: Any, lh: LocalHall, front: Any) -> None:
    view, pad = front.view, front.presenter
    office = signed_in_desk(lh)
    cases = {}
    for way in ("locker", "mail"):
        serve_accepted(qtbot, lh, front, name="王五")
        page = open_case(qtbot, front)
        click(qtbot, view, f"case_delivery_{way}")
        if way == "locker":
            view.findChild(QLineEdit, "case_compartment").setText("B-07")
        else:
            view.findChild(QLineEdit, "case_address").setText(ADDRESS)
        cases[way] = send_case(qtbot, front).id
        assert page.draft is not None and page.draft.address == ""  # not kept after sending
        click(qtbot, view, "case_back")
        for op in ("case.sign", "case.approve", "case.send_out"):
            office.request(op, {"case": cases[way]})
    page = desk(qtbot, front)
    for way in ("locker", "mail"):
        scan(qtbot, front, cases[way])
        click(qtbot, view, "case_receive_result")
        settle(qtbot, pad)
    qtbot.waitUntil(lambda: sorted(page.ready.ids) == sorted(cases.values()), timeout=WAIT)
    # the locker: a tap on the waiting list puts the case on the desk, the agreed compartment is used
    page.ready.selectRow(page.ready.ids.index(cases["locker"]))
    assert view.findChild(QLineEdit, "case_code").text() == cases["locker"]
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is page.tab_pages["locker"], timeout=WAIT)
    click(qtbot, view, "case_locker")
    settle(qtbot, pad)
    got = hub_case(lh, cases["locker"])
    assert (got["state"], got["compartment"]) == ("in_locker", "B-07")
    # the post: the tracking number is required, then recorded
    scan(qtbot, front, cases["mail"])
    assert page.tabs.currentWidget() is page.tab_pages["post"]
    click(qtbot, view, "case_post")
    assert pad.notice is not None and "快递单号" in pad.notice.text
    view.findChild(QLineEdit, "case_tracking").setText("SF1234567890")
    click(qtbot, view, "case_post")
    settle(qtbot, pad)
    got = hub_case(lh, cases["mail"])
    assert (got["state"], got["tracking"]) == ("posted", "SF1234567890")
    qtbot.waitUntil(lambda: page.ready.ids == [], timeout=WAIT)


@pytest.fixture(scope="module")
def cups() -> Iterator[Any]:
    from tests.printers.local_cups import LocalCups

    server = LocalCups()
    saved = os.environ.get("CUPS_SERVER")
    os.environ["CUPS_SERVER"] = str(server.sock)
    try:
        yield server
    finally:
        if saved is None:
            os.environ.pop("CUPS_SERVER", None)
        else:
            os.environ["CUPS_SERVER"] = saved
        server.close()


def test_a4_notices_go_to_the_windows_cups_queue_too(qtbot: Any, cups: Any, lh: LocalHall, front: Any,
                                                    tmp_path: Path) -> None:
    from pypdf import PdfReader

    from tests.printers.local_cups import QUEUE

    cups.admin("cupsenable", QUEUE)
    cups.admin("cupsaccept", QUEUE)
    cups.sink.jobs.clear()
    view = front.view
    serve_accepted(qtbot, lh, front, name="张三")
    open_case(qtbot, front)
    case = send_case(qtbot, front)
    qtbot.waitUntil(lambda: view.case_printed == ["acceptance", "handover"], timeout=20_000)
    assert "A4（HALL-A4）" in front.presenter.notice.text
    jobs = cups.wait_for_jobs(2)
    texts = [PdfReader(io.BytesIO(j)).pages[0].extract_text() for j in jobs]
    assert "受理通知书" in texts[0] and "申请材料交接确认单" in texts[1]
    assert case.id in texts[1]  # the case code on the A4 转递单
    assert "申请材料交接确认单" in slip(tmp_path)  # and on the slip
    # a stopped A4 printer: the slip still prints, the pad says what failed in words
    cups.admin("cupsdisable", QUEUE)
    click(qtbot, view, "case_print_handover")
    qtbot.waitUntil(lambda: front.presenter.notice is not None and front.presenter.notice.level == "error",
                    timeout=20_000)
    shown = front.presenter.notice.text
    assert "A4" in shown and f"cupsenable {QUEUE}" in shown and "已打印：小票" in shown
    cups.admin("cupsenable", QUEUE)
    cups.admin("cancel", "-a", QUEUE)


@pytest.mark.parametrize("scene", ["pad-case-accept", "pad-case-accepted", "pad-case-desk", "pad-case-refused"])
def test_case_scene_renders(scene: str, tmp_path: Path, qapp: Any) -> None:
    from PySide6.QtGui import QImage

    from launcher.scenes import scenes

    out = tmp_path / f"{scene}.png"
    scenes()[scene](out)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_the_case_models_never_import_qt() -> None:
    import ast

    for name in ("case_front", "case_notices", "staff", "printing"):
        tree = ast.parse((Path(__file__).resolve().parents[2] / "pad" / f"{name}.py").read_text(encoding="utf-8"))
        mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not any(m.startswith(("PySide6", "hallq.qt", "pad.link")) for m in mods), name
