"""A case's whole life in the sample hall, played as each person does it on their own device's screen.

Real hub and broker, real pad apps offscreen at their size (1280×800), the sample hall's own devices:
the window clerk at P-S01 (1001) records 受理 and registers the case (登记办件), which prints the
受理通知书 and the 转递单; the 转递人员 at the guide console G1 pick the folder up by scanning it (办件转递);
the 公安局 back office BO-GA signs for it by scanning, gives an 一次性告知 (附件5 printed on its A4
printer); the window receives the 补正; the folder travels again, BO-GA signs, decides (办结) and sends
the result out (出件转递); the 统一出件 window K01 (1004) receives it and hands it over to the applicant
(现场领取, the ID checked by the hub) and prints the 办结通知书; the daily report counts it and the
归档 PDF holds every step.

A screenshot is taken at every step (``shots/NN-*.png`` under the test's tmp dir) to be looked at.
The clock is pinned to Monday 2026-11-23 (promised dates in a year the holiday calendar knows) and the
whole life fits in that day (a new day closes the windows: their staff would sign in again).
"""

from __future__ import annotations

import dataclasses
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from hub.config import parse_hall
from launcher.local_hall import LocalHall, open_all_day
from launcher.samples import sample_hall_path
from launcher.scenes.common import grab
from tests.hub.hub_helpers import FakeClock
from tests.pad.test_backoffice import sign_in
from tests.pad.test_staff_pad import WAIT, click, login, settle

APPLICANT_ID = "11010519491231002X"
SIZE = (1280, 800)


def life_hall(tmp_path: Path) -> Any:
    """The sample hall as it is, BO-GA given an A4 printer (a PDF file), open all day, its own topic tree."""
    text = sample_hall_path().read_text(encoding="utf-8")
    desk = 'id = "BO-GA"\nrole = "backoffice"\ndepartment = "公安局"\n'
    assert desk in text
    text = text.replace(desk, desk + 'printer = "desk-a4"\n')
    text += f'\n[printers.desk-a4]\nbackend = "file"\npaper = "a4"\npath = "{tmp_path / "a4.pdf"}"\n'
    hall = parse_hall(tomllib.loads(text), text=text)
    return dataclasses.replace(open_all_day(hall), id=f"life{uuid.uuid4().hex[:8]}")


@pytest.fixture
def lh(tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalHall]:
    monkeypatch.chdir(tmp_path)  # the sample's S01 printer is a file backend at out/window-S01.bin
    (tmp_path / "out").mkdir()
    hall = LocalHall(life_hall(tmp_path), db=tmp_path / "hall.db", clock=clock).start()
    yield hall
    hall.stop()


@pytest.fixture
def device(lh: LocalHall, qtbot: Any, qapp: Any, clock: FakeClock) -> Iterator[Any]:
    from pad.app import PadApp

    started: list[Any] = []

    def make(device_id: str, role: str = "staff") -> Any:
        app = PadApp(lh.url, lh.hall.id, device_id, role, clock=clock).start()
        started.append(app)
        qtbot.addWidget(app.view)
        app.view.resize(*SIZE)
        app.view.show()
        qtbot.waitUntil(lambda: app.presenter.online and bool(app.presenter.state.catalog), timeout=WAIT)
        app.view.sound = lambda: None  # type: ignore[attr-defined]  # the chime of a view that has one
        return app

    yield make
    for app in started:
        app.close()


def scan_into(qtbot: Any, view: QWidget, field: str, code: str) -> None:
    """What a keyboard-wedge scanner does: the characters, then Enter."""
    box = view.findChild(QLineEdit, field)
    assert box is not None, field
    qtbot.waitUntil(box.isEnabled, timeout=WAIT)
    box.clear()
    qtbot.keyClicks(box, code)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def hub_case(lh: LocalHall, case: str) -> dict[str, Any]:
    """The case as the hub has it, asked as G2 (G1 is the console on screen) through one client: a new G2
    connection per question would make the broker close the previous one each time."""
    g2 = next((c for c in lh.clients if c.device == "G2"), None) or lh.client("G2")
    return dict(g2.request("case.get", {"case": case})["case"])


def test_a_case_from_the_window_through_the_back_office_to_the_pickup(
        qtbot: Any, lh: LocalHall, device: Any, clock: FakeClock, tmp_path: Path) -> None:
    shots = tmp_path / "shots"

    def shot(name: str, app: Any) -> None:
        grab(app.view, shots / f"{name}.png", SIZE)

    # ---- the window clerk (P-S01, 1001): 受理, then 登记办件, which prints the notices
    window = device("P-S01")
    login(qtbot, window)
    ticket = lh.client("K1").request("ticket.issue", {"matter": "id-card", "situation": "renew", "name": "张三",
                                                      "id_number": APPLICANT_ID})["ticket"]
    click(qtbot, window.view, "call_next")
    qtbot.waitUntil(lambda: window.presenter.current is not None
                    and window.presenter.current.id == ticket["id"], timeout=WAIT)
    shot("01-window-called", window)
    clock.advance(8 * 60)
    click(qtbot, window.view, "outcome_accepted")
    qtbot.waitUntil(lambda: window.presenter.last_served is not None, timeout=WAIT)
    settle(qtbot, window.presenter)
    click(qtbot, window.view, "case_accept_open")
    shot("02-window-case-form", window)
    click(qtbot, window.view, "case_send")
    qtbot.waitUntil(lambda: window.presenter.case is not None and window.presenter.pending is None, timeout=WAIT)
    case = window.presenter.case.id
    qtbot.waitUntil(lambda: len(window.view.case_printed) >= 2, timeout=3 * WAIT)  # 受理通知书 and 转递单
    slip = (tmp_path / "out" / "window-S01.bin").read_bytes().decode("gb18030", errors="ignore")
    assert "受理通知书" in slip
    assert APPLICANT_ID not in slip
    shot("03-window-case-registered", window)
    assert hub_case(lh, case)["state"] == "accepted"

    # ---- the 转递人员 at the guide console G1: 办件转递, the folder scanned as it is picked up
    clock.advance(40 * 60)
    guide = device("G1", "guide")
    console = guide.presenter
    qtbot.waitUntil(lambda: any(c.id == case for c in console.pickups), timeout=WAIT)
    guide.view.tabs.setCurrentIndex(guide.view.case_tab)
    shot("04-guide-folders-waiting", guide)
    scan_into(qtbot, guide.view, "pickup_scan", case)
    settle(qtbot, console)
    assert hub_case(lh, case)["state"] == "transferring"
    shot("05-guide-picked-up", guide)

    # ---- the back office BO-GA (公安局): 签收 by scanning, 一次性告知 with 附件5 on A4
    clock.advance(30 * 60)
    desk = device("BO-GA", "backoffice")
    office = desk.presenter
    qtbot.waitUntil(lambda: office.listed_once and office.who_known and office.counts()["to_sign"] == 1,
                    timeout=WAIT)
    sign_in(qtbot, desk, "3001")  # the sample hall requires the desk's clerk: 签到 through the strip
    shot("06-desk-to-sign", desk)
    scan_into(qtbot, desk.view, "scan", case)
    settle(qtbot, office)
    qtbot.waitUntil(lambda: office.counts()["in_review"] == 1, timeout=WAIT)
    assert hub_case(lh, case)["state"] == "in_review"
    clock.advance(60 * 60)
    desk.view.view_tabs.setCurrentIndex(1)
    desk.view.cases.select_id(case)
    desk.view.findChild(QPlainTextEdit, "reasons").setPlainText("申请表第3页缺少申请人签字\n照片背景色应为白色")
    shot("07-desk-correction-reasons", desk)
    click(qtbot, desk.view, "case_notify")
    settle(qtbot, office)
    assert hub_case(lh, case)["state"] == "awaiting_correction"
    pdf = tmp_path / "a4.pdf"
    qtbot.waitUntil(lambda: pdf.exists() and "已送" in (office.notice.text if office.notice else ""),
                    timeout=4 * WAIT)
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        printed = doc[0].get_textpage().get_text_range()
        doc[0].render(scale=1.2).to_pil().save(shots / "08-annex5-a4.png")
    finally:
        doc.close()
    assert "审查意见一次性告知单" in printed
    assert "申请表第3页缺少申请人签字" in printed
    shot("08-desk-correction-notified", desk)

    # ---- the applicant brings the 补正 materials back that afternoon: the window receives them
    clock.advance(2 * 3600)
    click(qtbot, window.view, "case_desk_open")
    scan_into(qtbot, window.view, "case_code", case)
    settle(qtbot, window.presenter)
    page = window.view.case_desk
    qtbot.waitUntil(lambda: "待补正" in page.card.text(), timeout=WAIT)
    page.findChild(QWidget, "case_correction_0").setChecked(True)
    shot("09-window-correction", window)
    click(qtbot, window.view, "case_receive_correction")
    settle(qtbot, window.presenter)
    assert hub_case(lh, case)["state"] == "correction_received"

    # ---- the folder travels again: picked up, signed, 办结, 出件转递
    clock.advance(60 * 60)
    scan_into(qtbot, guide.view, "pickup_scan", case)
    settle(qtbot, console)
    assert hub_case(lh, case)["state"] == "transferring", console.notice
    shot("09b-guide-picked-up-again", guide)
    clock.advance(30 * 60)
    scan_into(qtbot, desk.view, "scan", case)
    settle(qtbot, office)
    qtbot.waitUntil(lambda: office.counts()["in_review"] == 1, timeout=WAIT)
    clock.advance(2 * 3600)
    desk.view.view_tabs.setCurrentIndex(1)
    desk.view.cases.select_id(case)
    desk.view.result_kind.setCurrentIndex(desk.view.result_kind.findData("证书"))
    click(qtbot, desk.view, "case_approve")
    settle(qtbot, office)
    qtbot.waitUntil(lambda: office.counts()["to_send"] == 1, timeout=WAIT)
    desk.view.view_tabs.setCurrentIndex(4)
    desk.view.cases.select_id(case)
    shot("10-desk-decided", desk)
    click(qtbot, desk.view, "case_send_out")
    settle(qtbot, office)
    assert hub_case(lh, case)["state"] == "result_transferring"

    # ---- the 统一出件 window K01 (1004): 出件窗口接收, then 现场领取 with the applicant's ID
    clock.advance(60 * 60)
    outlet = device("P-K01")
    login(qtbot, outlet, "1004")
    click(qtbot, outlet.view, "case_desk_open")
    scan_into(qtbot, outlet.view, "case_code", case)
    settle(qtbot, outlet.presenter)
    desk_page = outlet.view.case_desk
    assert desk_page.tabs.currentWidget() is desk_page.tab_pages["receive"]
    click(qtbot, outlet.view, "case_receive_result")
    settle(qtbot, outlet.presenter)
    assert hub_case(lh, case)["state"] == "ready"
    qtbot.waitUntil(lambda: desk_page.ready.ids == [case], timeout=WAIT)
    shot("11-outlet-received", outlet)
    clock.advance(45 * 60)
    desk_page.tabs.setCurrentWidget(desk_page.tab_pages["collect"])
    outlet.view.findChild(QLineEdit, "case_id_number").setText(APPLICANT_ID)
    outlet.view.findChild(QLineEdit, "case_collector").setText("张三")
    shot("12-outlet-collect", outlet)
    click(qtbot, outlet.view, "case_collect")
    settle(qtbot, outlet.presenter)
    got = hub_case(lh, case)
    assert (got["state"], got["collector"], got["corrections"]) == ("collected", "张**", 1)
    click(qtbot, outlet.view, "case_desk_print")  # the 办结通知书 on K01's slip printer
    qtbot.waitUntil(lambda: outlet.view.case_printed[-1:] == ["completion"], timeout=3 * WAIT)
    notice = (tmp_path / "out" / "window-K01.bin").read_bytes().decode("gb18030", errors="ignore")
    assert "办结通知书" in notice
    assert "张**" in notice
    assert APPLICANT_ID not in notice
    shot("13-outlet-collected", outlet)

    # ---- the manager: the day's report counts it, the 归档 PDF holds every step
    from launcher.cli import main

    db = tmp_path / "hall.db"
    report = tmp_path / "report.md"
    assert main(["report", "daily", "--db", str(db), "--date", "2026-11-23", "--out", str(tmp_path / "r.xlsx"),
                 "--text", str(report)]) == 0
    text = report.read_text(encoding="utf-8")
    assert "公安局本日受理1件" in text, text
    assert main(["report", "case", case, "--db", str(db), "--out", str(shots / "14-archive.png")]) == 0
    assert main(["report", "case", case, "--db", str(db), "--out", str(tmp_path / "case.md")]) == 0
    history = (tmp_path / "case.md").read_text(encoding="utf-8")
    for step in ("受理", "转递取件", "签收", "出具一次性告知单", "接收补正材料", "办结", "出件转递", "出件窗口接收",
                 "现场领取"):
        assert step in history, step
    assert APPLICANT_ID not in history
    assert len(list(shots.glob("*.png"))) >= 15
