"""The back office (后台审批) desk: real widgets against a real hub and broker (the sample hall with a
公安局 desk that has an A4 printer writing PDFs to a file, and a 市场监督管理局 desk without one).

签收 by scanning the 转递单's code (a keyboard-wedge scanner types it and Enter), 一次性告知 printing
附件5 on A4, 办结, 不予许可, 出件转递, live lists from ``event/case`` with counts on the tabs, a case's
history with its 附件4 rows, and 呼叫后台 answered from the desk for its own department only.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from hallq.client import HallClient, RequestError
from hub.config import parse_hall
from hub.hall import Hall
from launcher.local_hall import LocalHall
from launcher.samples import sample_hall_path
from tests.halls import GA_DESK, running, sample_hall_plus
from tests.hub.hub_helpers import FakeClock, local_ts
from tests.pad.conftest import PIN
from tests.pad.test_guide import WAIT, click, done

RENEW = {"matter": "id-card", "situation": "renew"}  # 公安局, 承诺件 of 15 working days
CLERKS = {"公安局": "3001", "市场监督管理局": "3002"}  # the sample hall's back-office clerks (PIN 1234)


def sign_in(qtbot: Any, app: Any, staff: str, pin: str = PIN) -> None:
    """签到 through the strip: 工号, PIN, 签到; then the strip hides and the top bar names the clerk."""
    view = app.view
    assert view.sign_in_box.isVisible()
    view.staff_id.setText(staff)
    view.pin.setText(pin)
    click(qtbot, view, "backoffice_sign")
    qtbot.waitUntil(lambda: bool(app.presenter.operator), timeout=WAIT)
    assert not view.sign_in_box.isVisible() and staff in view.operator.text()


def desk_hall(pdf: Path) -> Hall:
    """The sample hall (a desk acts only with its department's clerk signed in) with two 公安局 desks, one
    printing on A4 to a PDF file, and a 市场监督管理局 desk; open all day."""
    hall = sample_hall_plus(f'\n[printers.desk-a4]\nbackend = "file"\npaper = "a4"\npath = "{pdf}"\n'
                            + GA_DESK + 'printer = "desk-a4"\n'
                            '\n[[devices]]\nid = "B-GA2"\nrole = "backoffice"\ndepartment = "公安局"\n'
                            '\n[[devices]]\nid = "B-SJ"\nrole = "backoffice"\ndepartment = "市场监督管理局"\n')
    assert hall.policy.backoffice_sign_in_required
    return hall


@pytest.fixture
def hall(tmp_path: Path, clock: FakeClock) -> Iterator[LocalHall]:  # clock: tests/conftest.py's Monday 09:00
    yield from running(desk_hall(tmp_path / "a4.pdf"), tmp_path / "hall.db", clock=clock)


@pytest.fixture
def desk(hall: LocalHall, apps: list[Any], qtbot: Any, clock: FakeClock) -> Callable[..., Any]:
    from pad.app import PadApp

    def make(device: str = "B-GA", clerk: str | None = "") -> Any:
        """The desk's app, its department's clerk signed in through the 签到 strip (``clerk=None``: nobody)."""
        app = PadApp(hall.url, hall.hall.id, device, "backoffice", clock=clock).start()
        apps.append(app)
        qtbot.addWidget(app.view)
        app.view.resize(1280, 800)
        app.view.show()
        # the hub has said who is signed in here (backoffice.whoami) before the screen shows a clerk or a 签到 strip
        qtbot.waitUntil(lambda: app.presenter.online and app.presenter.listed_once and app.presenter.who_known,
                        timeout=WAIT)
        if clerk is not None:
            sign_in(qtbot, app, clerk or CLERKS[app.presenter.department])
        return app

    return make


def accept(hall: LocalHall, front: HallClient, **case: Any) -> dict[str, Any]:
    """A ticket issued, served at S01, recorded 受理 and opened as a case: the case view."""
    kiosk = hall.client("K1")
    ticket = kiosk.request("ticket.issue", {**RENEW, "name": "张三"})["ticket"]
    front.request("ticket.call_next", {"window": "S01"})
    front.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
    return dict(front.request("case.accept", {"window": "S01", "ticket": ticket["id"], **case})["case"])


def front_desk(hall: LocalHall) -> HallClient:
    front = hall.client("P-S01")
    front.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN})
    return front


def scan(qtbot: Any, view: Any, code: str) -> None:
    """What a keyboard-wedge scanner does: the characters, then Enter."""
    field = view.findChild(QLineEdit, "scan")
    qtbot.waitUntil(field.isEnabled, timeout=WAIT)
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def pdf_text(path: Path) -> str:
    doc = pypdfium2.PdfDocument(str(path))
    try:
        return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def test_the_desk_signs_reviews_decides_and_sends_out(qtbot: Any, desk: Any, hall: LocalHall,
                                                      tmp_path: Path) -> None:
    front = front_desk(hall)
    first = accept(hall, front, number="SX-2026-0001")
    second = accept(hall, front)
    app = desk()
    view, office = app.view, app.presenter
    assert office.department == "公安局"
    qtbot.waitUntil(lambda: office.counts()["to_sign"] == 2, timeout=WAIT)
    assert view.view_tabs.tabText(0) == "待签收（2）"
    assert view.cases.rowCount() == 2
    assert {view.cases.item(r, 0).text() for r in range(2)} == {"SX-2026-0001", second["id"]}
    row = office.rows()[0]
    assert row["left"] == "剩 15 个工作日" and row["due"] == first["due"] == "2026-12-14"

    scan(qtbot, view, "SX-2026-0001")  # the provincial number, as the 转递单 carries it
    done(qtbot, office)
    assert office.notice.level == "info" and "签收 SX-2026-0001" in office.notice.text
    qtbot.waitUntil(lambda: office.counts() == {"to_sign": 1, "in_review": 1, "due_today": 0, "overdue": 0,
                                                "to_send": 0, "awaiting": 0}, timeout=WAIT)
    assert view.view_tabs.tabText(1) == "审查中（1）"
    assert office.selected == first["id"]  # the folder just signed for is the one on the panel

    # the second from the list: choose it, 签收
    view.view_tabs.setCurrentIndex(0)
    view.cases.select_id(second["id"])
    click(qtbot, view, "case_sign")
    done(qtbot, office)
    qtbot.waitUntil(lambda: office.counts()["in_review"] == 2, timeout=WAIT)

    # 一次性告知: every reason, one per line; the deadline left to the hall; 附件5 on the desk's A4 printer
    view.view_tabs.setCurrentIndex(1)
    view.cases.select_id(first["id"])
    view.findChild(QPlainTextEdit, "reasons").setPlainText("1、申请表缺少签字\n\n2、照片不符合规格\n")
    click(qtbot, view, "case_notify")
    done(qtbot, office)
    got = hall.client("G1").request("case.get", {"case": first["id"]})["case"]
    assert (got["state"], got["reasons"]) == ("awaiting_correction", ["申请表缺少签字", "照片不符合规格"])
    assert got["correction_deadline"] == "2026-12-07"  # [cases] correction_deadline_working_days (10) from Monday
    pdf = tmp_path / "a4.pdf"
    # rendering the A4 PDF (fonts embedded) takes seconds on a loaded machine: printing is slow work
    qtbot.waitUntil(lambda: pdf.exists() and "已送" in (office.notice.text if office.notice else ""), timeout=4 * WAIT)
    printed = pdf_text(pdf)
    for words in ("审查意见一次性告知单", "申请表缺少签字", "照片不符合规格", "2026年12月7日", "公安局"):
        assert words in printed, words
    assert "张**" in printed and "张三" not in printed
    qtbot.waitUntil(lambda: office.counts()["in_review"] == 1, timeout=WAIT)

    # 待补正: the case returned waits on its own tab with its 补正期限 (it left every other tab)
    qtbot.waitUntil(lambda: office.counts()["awaiting"] == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: view.view_tabs.tabText(5) == "待补正（1）", timeout=WAIT)
    (waiting,) = office.rows("awaiting")
    assert (waiting["id"], waiting["left"], waiting["state"]) == (first["id"], "补正期限 2026-12-07", "待补正")
    view.view_tabs.setCurrentIndex(5)
    assert view.cases.rowCount() == 1 and view.cases.item(0, 5).text() == "补正期限 2026-12-07"
    view.view_tabs.setCurrentIndex(1)

    # 办结 with a result kind, then 出件转递
    view.cases.select_id(second["id"])
    view.result_kind.setCurrentIndex(view.result_kind.findData("证书"))
    click(qtbot, view, "case_approve")
    done(qtbot, office)
    qtbot.waitUntil(lambda: office.counts()["to_send"] == 1, timeout=WAIT)
    assert view.view_tabs.tabText(4) == "待出件（1）"
    view.view_tabs.setCurrentIndex(4)
    view.cases.select_id(second["id"])
    click(qtbot, view, "case_send_out")
    done(qtbot, office)
    qtbot.waitUntil(lambda: office.counts()["to_send"] == 0, timeout=WAIT)
    got = hall.client("G1").request("case.get", {"case": second["id"]})["case"]
    assert (got["state"], got["result_kind"]) == ("result_transferring", "证书")

    # its history: every step with who and when, the 附件4 rows marked
    assert office.selected == second["id"]
    click(qtbot, view, "case_history")
    done(qtbot, office)
    assert view.stack.currentIndex() == 1
    steps = [(r["action"], r["stage"], r["handover"]) for r in office.history_rows()]
    assert steps == [("受理", "", ""), ("签收", "受理环节", "帮办人员 → 审批组"), ("办结", "", ""),
                     ("出件转递", "审查环节", "运行科/审批组 → 帮办人员")]
    assert view.history.rowCount() == 4
    assert view.history.item(2, 6).text() == "证书"
    # who: the front window's staff at 受理, then the clerk signed in here (工号 and name) at every desk step
    assert [r["by"] for r in office.history_rows()] == ["1001", "3001 陈刚", "3001 陈刚", "3001 陈刚"]
    assert view.history.item(1, 5).text() == "3001 陈刚"
    click(qtbot, view, "history_back")
    assert view.stack.currentIndex() == 0


def test_a_clerk_signs_in_at_their_departments_desk_only_and_an_empty_desk_is_refused(
        qtbot: Any, desk: Any, hall: LocalHall) -> None:
    front = front_desk(hall)
    case = accept(hall, front)
    app = desk("B-GA", clerk=None)
    view, office = app.view, app.presenter
    assert view.sign_in_box.isVisible() and view.operator.text() == "未签到" and not view.logout_btn.isVisible()
    assert view.pin.echoMode() == QLineEdit.EchoMode.Password

    # nobody signed in: the hub refuses the case step with a clear message, the case is as it was
    qtbot.waitUntil(lambda: office.counts()["to_sign"] == 1, timeout=WAIT)
    view.cases.select_id(case["id"])
    click(qtbot, view, "case_sign")
    done(qtbot, office)
    assert office.notice.level == "error" and "请先签到" in office.notice.text and "公安局" in office.notice.text
    assert hall.client("G1").request("case.get", {"case": case["id"]})["case"]["state"] == "accepted"

    # a wrong PIN, a clerk of another department, a window's staff: each refused, still nobody signed in
    for staff, pin, words in (("3001", "0000", "工号或密码不正确"), ("3002", PIN, "不能在公安局的后台签到"),
                              ("1001", PIN, "不是后台审批人员")):
        view.staff_id.setText(staff)
        view.pin.setText(pin)
        click(qtbot, view, "backoffice_sign")
        done(qtbot, office)
        assert office.notice.level == "error" and words in office.notice.text, (staff, office.notice.text)
        assert office.operator == "" and view.sign_in_box.isVisible()

    sign_in(qtbot, app, "3001")
    assert view.operator.text() == "经办人：陈刚（3001）" and view.logout_btn.isVisible()
    assert view.pin.text() == ""  # the PIN does not stay in the field
    click(qtbot, view, "case_sign")
    done(qtbot, office)
    got = hall.client("G1").request("case.get", {"case": case["id"]})
    assert got["case"]["state"] == "in_review"
    assert [(s["action"], s["staff"], s["device"]) for s in got["history"]][-1] == ("sign", "3001 陈刚", "B-GA")

    # 签退: the strip is back and the desk is refused again
    click(qtbot, view, "backoffice_logout")
    done(qtbot, office)
    assert office.operator == "" and view.sign_in_box.isVisible()
    with pytest.raises(RequestError) as refused:
        hall.client("B-GA").request("case.approve", {"case": case["id"]})
    assert refused.value.code == "desk_not_signed_in"
    assert hall.client("G1").request("case.get", {"case": case["id"]})["case"]["state"] == "in_review"


def test_a_restarted_desk_shows_the_clerk_still_signed_in_until_the_sign_in_ends(
        qtbot: Any, desk: Any, hall: LocalHall, apps: list[Any], clock: FakeClock) -> None:
    """The sign-in is the hub's: a pad restarted (closed and made again) asks ``backoffice.whoami`` and shows
    the clerk without a PIN, and its 签收 is recorded under that clerk; 签退 or a new day ends it."""
    front = front_desk(hall)
    first, second = accept(hall, front), accept(hall, front)
    before = desk("B-GA")  # 3001 signs in through the strip
    before.close()
    apps.remove(before)

    app = desk("B-GA", clerk=None)  # the restarted pad: nobody types a PIN
    view, office = app.view, app.presenter
    assert office.operator == "陈刚（3001）" and view.operator.text() == "经办人：陈刚（3001）"
    assert not view.sign_in_box.isVisible() and view.logout_btn.isVisible()
    scan(qtbot, view, first["id"])
    done(qtbot, office)
    history = hall.client("G1").request("case.get", {"case": first["id"]})["history"]
    assert (history[-1]["action"], history[-1]["staff"], history[-1]["device"]) == ("sign", "3001 陈刚", "B-GA")

    # the next day the hub's sign-ins are over: the desk still names yesterday's clerk until the hub refuses
    # its step, then asks again and shows the 签到 strip; the case is as it was
    clock.now = local_ts(2026, 11, 24, 9, 0)
    scan(qtbot, view, second["id"])
    done(qtbot, office)
    assert office.notice.level == "error" and "请先签到" in office.notice.text
    qtbot.waitUntil(view.sign_in_box.isVisible, timeout=WAIT)
    assert office.operator == "" and view.operator.text() == "未签到"
    assert hall.client("G1").request("case.get", {"case": second["id"]})["case"]["state"] == "accepted"

    # signed in again and out (签退): a restart after it asks for the PIN
    sign_in(qtbot, app, "3001")
    click(qtbot, view, "backoffice_logout")
    done(qtbot, office)
    app.close()
    apps.remove(app)
    again = desk("B-GA", clerk=None)
    assert again.presenter.operator == "" and again.view.sign_in_box.isVisible()
    assert again.view.operator.text() == "未签到"


def test_whoami_answers_a_back_office_only_and_names_the_clerk_at_the_asking_desk(hall: LocalHall) -> None:
    desk_ga, desk_ga2 = hall.client("B-GA"), hall.client("B-GA2")
    assert desk_ga.request("backoffice.whoami", {}) == {"staff": None}
    desk_ga.request("backoffice.login", {"staff": "3001", "pin": PIN})
    assert desk_ga.request("backoffice.whoami", {}) == {"staff": {"id": "3001", "name": "陈刚"}}
    assert desk_ga2.request("backoffice.whoami", {}) == {"staff": None}  # another desk: its own sign-in only
    desk_ga2.request("backoffice.login", {"staff": "3001", "pin": PIN})  # one desk each: signed out at B-GA
    assert desk_ga.request("backoffice.whoami", {}) == {"staff": None}
    assert desk_ga2.request("backoffice.whoami", {})["staff"]["id"] == "3001"
    for device in ("G1", "P-S01", "K1"):
        with pytest.raises(RequestError) as refused:
            hall.client(device).request("backoffice.whoami", {})
        assert refused.value.code == "forbidden"


def test_correction_materials_are_marked_on_the_desk_and_in_the_archive(
        qtbot: Any, desk: Any, hall: LocalHall, tmp_path: Path) -> None:
    from hub.reports.archive import build_archive, render_text
    from hub.reports.sources import read_case_rows

    front = front_desk(hall)
    form = [{"name": "户口簿", "form": "copy", "count": 1}]
    case = accept(hall, front, materials=form)
    hall.client("G1").request("case.pick_up", {"case": case["id"]})
    app = desk("B-GA")
    office = app.presenter
    office_client = hall.client("B-GA")
    office_client.request("case.sign", {"case": case["id"]})
    office_client.request("case.notify_correction", {"case": case["id"], "reasons": ["户口簿复印件缺少本人页"]})
    front.request("case.receive_correction", {"window": "S01", "case": case["id"], "materials": form})
    qtbot.waitUntil(lambda: any(c.id == case["id"] and c.state == "correction_received" for c in office.cases),
                    timeout=WAIT)
    office.select(case["id"])
    text = office.case_text()
    assert "户口簿（复印件1份）、户口簿（复印件1份）（补正）" in text and text.count("（补正）") == 1
    got = hall.client("G1").request("case.get", {"case": case["id"]})["case"]
    assert [m.get("correction", False) for m in got["materials"]] == [False, True]  # said only when true

    doc = build_archive(read_case_rows(tmp_path / "hall.db"), case["id"], "Asia/Shanghai")
    field = dict(doc.fields)["申请材料"]
    assert field == "户口簿（复印件1份）；户口簿（复印件1份）（补正）"
    assert "3001 陈刚" in render_text(doc)  # the clerk, by 工号 and name, in the 归档 record


def test_the_simulated_desk_signs_in_its_clerk_each_day(hall: LocalHall, clock: FakeClock) -> None:
    """The simulator (and the demo, launcher/simulate/live_cases.py) acts at a desk as its clerk: it signs in
    the department's first clerk before the desk's first step of a day, so a hall that requires it works."""
    from types import SimpleNamespace

    from launcher.simulate.cases import CaseSim
    from launcher.simulate.model import SIM_PIN, Staffing

    front = front_desk(hall)
    first, second = accept(hall, front), accept(hall, front)
    for c in (first, second):
        hall.client("G1").request("case.pick_up", {"case": c["id"]})
    devices = SimpleNamespace(request=lambda device, op, args: hall.client(device).request(op, args))
    sim = SimpleNamespace(devices=devices, clock=clock, pin=SIM_PIN, run_result=SimpleNamespace(errors=Counter()))
    cs = CaseSim(hall.hall, Staffing(windows=["S01"], pads={"S01": "P-S01"}), {"公安局": "B-GA"})
    assert cs.request(sim, "B-GA", "case.sign", {"case": first["id"]}) is not None  # type: ignore[arg-type]
    clock.now = local_ts(2026, 11, 24, 9, 0)  # the next day: the hub's sign-ins are over, the clerk signs in again
    assert cs.request(sim, "B-GA", "case.sign", {"case": second["id"]}) is not None  # type: ignore[arg-type]
    assert cs.run.counts["backoffice.login"] == 2 and not cs.run.errors
    for c in (first, second):
        history = hall.client("G1").request("case.get", {"case": c["id"]})["history"]
        assert history[-1]["action"] == "sign" and history[-1]["staff"] == "3001 陈刚"


def test_config_a_backoffice_clerk_needs_a_department() -> None:
    from hub.config_checker import ConfigError

    text = sample_hall_path().read_text(encoding="utf-8")
    bad = text + '\n[[staff]]\nid = "3009"\nname = "无部门"\npin_hash = ""\nroles = ["backoffice"]\n'
    with pytest.raises(ConfigError) as err:
        parse_hall(tomllib.loads(bad), text=bad)
    assert "后台审批人员必须注明所属部门" in str(err.value) and "department" in str(err.value)
    wrong = text + '\n[[staff]]\nid = "3009"\nname = "错角色"\npin_hash = ""\nroles = ["clerk"]\n'
    with pytest.raises(ConfigError) as err:
        parse_hall(tomllib.loads(wrong), text=wrong)
    assert "backoffice" in str(err.value)  # the allowed roles are listed
    hall = parse_hall(tomllib.loads(text), text=text)
    assert (hall.staff["3001"].department, hall.staff["3002"].department) == ("公安局", "市场监督管理局")
    assert hall.policy.backoffice_sign_in_required  # the sample hall requires the clerk (its desks each have one)


def test_the_reasons_example_fits_the_department() -> None:
    import pad.texts  # noqa: F401  (the pad's English, as the app loads it)
    from hallq.i18n import set_language
    from pad.backoffice import REASON_EXAMPLE, reasons_example

    for dept, want, never in (("公安局", "户口簿", "营业执照"), ("市场监督管理局", "营业执照", "户口簿"),
                              ("人力资源和社会保障局", "某材料", "营业执照")):
        example = reasons_example(dept)
        assert example.startswith("如：") and want in example and never not in example, dept
    assert "营业执照" not in REASON_EXAMPLE and "户口簿" not in REASON_EXAMPLE
    set_language("en")
    try:
        assert all(reasons_example(d).startswith("e.g.") for d in ("公安局", "市场监督管理局", "其他"))
    finally:
        set_language("zh_CN")


def test_refusals_and_another_departments_desk(qtbot: Any, desk: Any, hall: LocalHall) -> None:
    front = front_desk(hall)
    case = accept(hall, front)
    police = desk("B-GA")
    market = desk("B-SJ")
    assert market.presenter.cases == []  # the hub lists only a desk's own department's cases
    scan(qtbot, market.view, case["id"])
    done(qtbot, market.presenter)
    assert market.presenter.notice.level == "error"
    assert "不是本部门的办件" in market.presenter.notice.text
    # 一次性告知 without reasons is refused on the desk; nothing is sent
    office = police.presenter
    qtbot.waitUntil(lambda: office.counts()["to_sign"] == 1, timeout=WAIT)
    scan(qtbot, police.view, case["id"])
    done(qtbot, office)
    qtbot.waitUntil(lambda: office.case is not None and office.case.state == "in_review", timeout=WAIT)
    police.view.findChild(QPlainTextEdit, "reasons").setPlainText("  \n")
    click(qtbot, police.view, "case_notify")
    assert office.pending is None and office.notice.level == "error"
    assert office.notice.text == "请逐条填写审查意见（每行一条）"
    # 不予许可 with a reason: decided, off the review list
    police.view.findChild(QPlainTextEdit, "reasons").setPlainText("不符合法定条件")
    click(qtbot, police.view, "case_deny")
    done(qtbot, office)
    qtbot.waitUntil(lambda: office.counts()["to_send"] == 1, timeout=WAIT)
    assert hall.client("G1").request("case.get", {"case": case["id"]})["case"]["reasons"] == ["不符合法定条件"]


def test_a_desk_without_an_a4_printer_says_the_notice_was_not_printed(qtbot: Any, desk: Any,
                                                                      hall: LocalHall, tmp_path: Path) -> None:
    """市场监督管理局's desk has no printer: the 一次性告知 is recorded, the desk says nothing printed."""
    front = front_desk(hall)
    case = accept(hall, front, department="市场监督管理局")
    market = desk("B-SJ")
    office = market.presenter
    qtbot.waitUntil(lambda: office.counts()["to_sign"] == 1, timeout=WAIT)
    scan(qtbot, market.view, case["id"])
    done(qtbot, office)
    qtbot.waitUntil(lambda: office.case is not None and office.case.state == "in_review", timeout=WAIT)
    market.view.findChild(QPlainTextEdit, "reasons").setPlainText("营业执照复印件未盖章")
    market.view.findChild(QLineEdit, "deadline").setText("2026-12-01")
    click(qtbot, market.view, "case_notify")
    done(qtbot, office)
    qtbot.waitUntil(lambda: "告知单未打印" in (office.notice.text if office.notice else ""), timeout=WAIT)
    assert hall.client("G1").request("case.get", {"case": case["id"]})["case"]["correction_deadline"] == "2026-12-01"
    assert not (tmp_path / "a4.pdf").exists()


def test_the_lists_follow_other_devices_and_the_clock(qtbot: Any, desk: Any, hall: LocalHall,
                                                      clock: FakeClock) -> None:
    """A case accepted at the window appears without a tap (``event/case``); one promised for today
    counts under 今日到期, and past its date under 已逾期 (the hub says how many working days)."""
    app = desk()
    office = app.presenter
    assert office.counts()["to_sign"] == 0
    front = front_desk(hall)
    case = accept(hall, front, promised_days=1)
    qtbot.waitUntil(lambda: office.counts()["to_sign"] == 1, timeout=WAIT)
    assert office.rows()[0]["left"] == "剩 1 个工作日"
    clock.now = local_ts(2026, 11, 24, 9, 0)  # Tuesday: due today
    office.needs_refresh = True  # what the desk's minute poll does
    qtbot.waitUntil(lambda: office.pending is None and office.cases[0].days_left == 0, timeout=WAIT)
    assert office.counts()["due_today"] == 1
    qtbot.waitUntil(lambda: app.view.view_tabs.tabText(2) == "今日到期（1）", timeout=WAIT)  # the repaint
    assert office.rows("due_today")[0]["left"] == "今日到期"
    clock.now = local_ts(2026, 11, 26, 9, 0)  # Thursday: two working days late
    office.needs_refresh = True
    qtbot.waitUntil(lambda: office.cases[0].days_left == -2, timeout=WAIT)
    assert office.counts() == {"to_sign": 1, "in_review": 0, "due_today": 0, "overdue": 1, "to_send": 0, "awaiting": 0}
    assert office.rows("overdue")[0] == {**office.rows("overdue")[0], "id": case["id"], "left": "逾期 2 个工作日",
                                         "overdue": True}
    qtbot.waitUntil(lambda: app.view.view_tabs.tabText(3) == "已逾期（1）", timeout=WAIT)


def test_the_desk_answers_its_departments_summons_and_the_window_sees_it(qtbot: Any, desk: Any, hall: LocalHall,
                                                                        apps: list[Any], clock: FakeClock) -> None:
    """呼叫后台 (R11) from S01 to 公安局 shows on 公安局's desk with the wait and a chime, not on
    市场监督管理局's; 已响应 / 已到窗口 from the desk reach the window's pad; a desk started after the
    summons still sees it (``hall.snapshot``)."""
    from pad.app import PadApp
    from tests.pad.test_staff_pad import login, text

    police, market = desk("B-GA"), desk("B-SJ")
    chimes: list[str] = []
    police.view.sound = lambda: chimes.append("B-GA")
    market.view.sound = lambda: chimes.append("B-SJ")
    assert not police.view.summon_box.isVisible()
    staff = PadApp(hall.url, hall.hall.id, "P-S01", "staff", clock=clock).start()
    apps.append(staff)
    qtbot.addWidget(staff.view)
    staff.view.show()
    qtbot.waitUntil(lambda: staff.presenter.online and bool(staff.presenter.state.catalog), timeout=WAIT)
    login(qtbot, staff)
    hall.client("K1").request("ticket.issue", RENEW)
    click(qtbot, staff.view, "call_next")
    qtbot.waitUntil(lambda: staff.presenter.current is not None, timeout=WAIT)
    click(qtbot, staff.view, "summon")
    click(qtbot, staff.view, "choice_")  # the current matter's department: 公安局
    qtbot.waitUntil(lambda: "待响应" in text(staff.view, "evaluation"), timeout=WAIT)

    office = police.presenter
    qtbot.waitUntil(lambda: len(office.summon_rows()) == 1, timeout=WAIT)
    qtbot.waitUntil(police.view.summon_box.isVisible, timeout=WAIT)
    row = office.summon_rows()[0]
    assert (row["window"], row["state_text"], row["wait"]) == ("S01", "待响应", "已等 0 秒")
    clock.advance(125)
    qtbot.waitUntil(lambda: police.view.summon_table.item(0, 2).text() == "已等 2 分钟", timeout=WAIT)
    assert police.view.summon_title.text() == "窗口呼叫公安局：1 条待响应，请尽快到窗口"
    qtbot.waitUntil(lambda: chimes == ["B-GA"], timeout=WAIT)
    assert market.presenter.summon_rows() == [] and not market.view.summon_box.isVisible()

    clock.advance(9 * 60)  # unanswered for [policy] summon_escalate_min (10): the hub escalates it, chime again
    qtbot.waitUntil(lambda: office.summon_rows()[0]["state_text"] == "超时未响应", timeout=WAIT)
    qtbot.waitUntil(lambda: chimes == ["B-GA", "B-GA"], timeout=WAIT)
    assert police.view.summon_table.item(0, 1).foreground().color().name() == "#c53030"  # red

    late = desk("B-GA2")  # a second desk of 公安局, started after the summons
    qtbot.waitUntil(lambda: [r["id"] for r in late.presenter.summon_rows()] == [row["id"]], timeout=WAIT)

    click(qtbot, police.view, "summon_respond")  # one summons open: the buttons mean that one
    done(qtbot, office)
    qtbot.waitUntil(lambda: "已响应" in text(staff.view, "evaluation"), timeout=WAIT)
    assert office.summon_rows()[0]["wait"] == "响应用时 11 分钟"
    qtbot.waitUntil(lambda: late.presenter.summon_rows()[0]["state_text"] == "已响应", timeout=WAIT)
    click(qtbot, police.view, "summon_arrive")
    done(qtbot, office)
    qtbot.waitUntil(lambda: "已到窗口" in text(staff.view, "evaluation"), timeout=WAIT)
    qtbot.waitUntil(lambda: not police.view.summon_box.isVisible(), timeout=WAIT)
    assert chimes == ["B-GA", "B-GA"]  # answering does not chime

    # the other department's desk may not answer it (the hub refuses, the desk says so)
    with pytest.raises(RequestError) as refused:
        hall.client("B-SJ").request("summon.respond", {"summon": row["id"]})
    assert refused.value.code == "forbidden"


@pytest.mark.parametrize("scene", ["backoffice-cases", "backoffice-summoned", "backoffice-history", "guide-cases",
                                   "guide-case-alerts", "backoffice-sign-in", "backoffice-awaiting"])
def test_case_back_scenes_render(scene: str, tmp_path: Path, qapp: Any) -> None:
    from PySide6.QtGui import QImage

    from launcher.scenes import scenes

    out = tmp_path / f"{scene}.png"
    scenes()[scene](out)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_the_desk_model_reads_reasons_one_per_line_and_never_imports_qt() -> None:
    import ast

    from pad.backoffice import reasons_of

    assert reasons_of("1、申请表缺少签字\n\n  2. 照片不符合规格 \n3）章程未盖章") == ["申请表缺少签字", "照片不符合规格",
                                                                           "章程未盖章"]
    assert reasons_of(" \n\t\n") == []
    pad_dir = Path(__file__).resolve().parents[2] / "pad"
    for name in ("backoffice", "guide_cases"):
        tree = ast.parse((pad_dir / f"{name}.py").read_text(encoding="utf-8"))
        mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not any(m.startswith(("PySide6", "hallq.qt", "pad.link")) for m in mods), name
