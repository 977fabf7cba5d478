"""The guide's 回访 view: 显示电话 for a consenting citizen, masked again after a minute, every reveal
audited without the number; the call's outcome in the day's report. Real hub, broker, SQLite and widgets."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from hallq import clock as hallclock
from hallq.client import HallClient, RequestError
from tests.pad.conftest import PIN, issue

WAIT = 10_000
PHONE = "13912345678"


class Clock:
    """The guide console's clock, moved by the test (the hub keeps the real one)."""

    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t


def served_unrated(lh: Any, **extra: Any) -> dict[str, Any]:
    """A ticket issued at the kiosk, served at S01 (受理) and left 未评价 by the window's evaluator."""
    ticket = issue(lh.client("K1"), **extra)
    pad, screen = lh.client("P-S01"), lh.client("D-S01")
    if lh.hub.service.core.windows["S01"].state.value != "open":
        pad.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN})
    called = pad.request("ticket.call_next", {"window": "S01"})["ticket"]
    assert called["id"] == ticket["id"]
    pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
    screen.request("evaluation.skip", {"window": "S01"})
    return ticket


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def guide(qtbot: Any, make_pad: Any, lh: Any, clock: Clock) -> Any:
    app = make_pad("G1", "guide", clock=clock)
    app.view._send(lambda: app.presenter.login("2001", PIN))
    qtbot.waitUntil(lambda: app.presenter.operator.startswith("赵芳"), timeout=WAIT)
    return app


def click(qtbot: Any, view: Any, name: str) -> None:
    b = view.findChild(QPushButton, name)
    assert b is not None, name
    qtbot.waitUntil(b.isEnabled, timeout=WAIT)
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)


def load(qtbot: Any, app: Any, n: int) -> None:
    view, console = app.view, app.presenter
    view.tabs.setCurrentIndex(next(i for i in range(view.tabs.count()) if "回访" in view.tabs.tabText(i)))
    click(qtbot, view, "load_followups")
    qtbot.waitUntil(lambda: len(console.followups) == n and console.pending is None, timeout=WAIT)


def refused(client: HallClient, op: str, args: dict[str, Any]) -> RequestError:
    with pytest.raises(RequestError) as caught:
        client.request(op, args)
    return caught.value


def test_show_the_number_of_a_consenting_citizen_then_mask_it(qtbot: Any, guide: Any, lh: Any,
                                                             clock: Clock) -> None:
    consenting = served_unrated(lh, phone=PHONE, notify_consent=True)
    silent = served_unrated(lh, phone="13700001111")  # a number for the slip only: no consent
    view, console = guide.view, guide.presenter
    load(qtbot, guide, 2)
    rows = {r["id"]: r for r in console.followup_rows()}
    assert (rows[consenting["id"]]["phone"], rows[silent["id"]]["phone"]) == ("可显示", "未同意")
    assert rows[consenting["id"]]["status"] == "待回访" and rows[consenting["id"]]["level"] == "未评价"
    served = lh.hub.service.core.tickets[consenting["id"]].finished_at  # the row says when the service ended
    assert rows[consenting["id"]]["day"] == hallclock.local(served, lh.hall.timezone).strftime("%m-%d %H:%M")

    view.followup_table.select_id(silent["id"])  # no consent: no button, and the hub would refuse anyway
    view.refresh()
    assert not view.phone_btn.isEnabled()
    assert "未同意" in view.followup_phone.text()

    view.followup_table.select_id(consenting["id"])
    view.refresh()
    assert PHONE not in view.followup_phone.text()
    click(qtbot, view, "show_phone")
    qtbot.waitUntil(lambda: PHONE in view.followup_phone.text(), timeout=WAIT)
    assert "60 秒后隐藏" in view.followup_phone.text()
    assert console.audit[0]["what"] == f"显示电话 {consenting['number']}" and PHONE not in str(console.audit)
    clock.t += 59
    view.refresh()
    assert PHONE in view.followup_phone.text()
    clock.t += 2  # the minute is over: masked, and the console no longer holds the digits
    view.refresh()
    assert PHONE not in view.followup_phone.text() and "139****5678" in view.followup_phone.text()
    assert PHONE not in repr(console.reveal.__dict__)

    from hub.store import Store

    shown = [e for _, e in Store(lh.db).events() if e.type == "audit.override" and e.op == "followup.phone"]
    assert [(e.device, e.staff, e.target) for e in shown] == [("G1", "2001", consenting["id"])]
    assert PHONE not in repr(shown)
    for f in lh.db.parent.glob("hall.db*"):  # the number is sealed at rest: not in the log, not anywhere
        assert PHONE.encode() not in f.read_bytes(), f.name


def test_the_op_refuses_other_roles_other_tickets_and_purged_numbers(qtbot: Any, guide: Any, lh: Any) -> None:
    consenting = served_unrated(lh, phone=PHONE, notify_consent=True)
    silent = served_unrated(lh, phone="13700001111")
    g1 = guide.client
    assert g1.request("followup.phone", {"ticket": consenting["id"]})["shown"]["phone"] == PHONE
    for device in ("P-S01", "K1", "W1", "D-S01"):  # a window pad, a kiosk, the phone page's server, a screen
        assert refused(lh.client(device), "followup.phone", {"ticket": consenting["id"]}).code == "forbidden"
    unsigned = refused(lh.client("G2"), "followup.phone", {"ticket": consenting["id"]})  # the hall requires 签到
    assert unsigned.code == "not_signed_in" and "签到" in unsigned.message
    no = refused(g1, "followup.phone", {"ticket": silent["id"]})
    assert no.code == "no_consent" and "没有同意" in no.message
    unknown = refused(g1, "followup.phone", {"ticket": "2001-01-01-A999"})
    assert unknown.code == "unknown_ticket" and "2001-01-01-A999" in unknown.message
    waiting = issue(lh.client("K1"), phone="13600002222", notify_consent=True)  # consented, but not served yet
    assert refused(g1, "followup.phone", {"ticket": waiting["id"]}).code == "no_followup"

    from hub.security.purge import purge

    day = dt.date.fromisoformat(consenting["id"][:10])
    assert purge(lh.db, 0, today=day + dt.timedelta(days=1)).phones >= 1  # hallq purge, the next day
    gone = refused(g1, "followup.phone", {"ticket": consenting["id"]})
    assert gone.code == "no_consent" and "保存期限" in gone.message


def test_a_call_outcome_without_a_note_is_counted_in_the_days_report(qtbot: Any, guide: Any, lh: Any) -> None:
    consenting = served_unrated(lh, phone=PHONE, notify_consent=True)
    other = served_unrated(lh)
    view, console = guide.view, guide.presenter
    load(qtbot, guide, 2)
    for ticket, outcome in ((consenting, "no_answer"), (other, "declined"), (consenting, "called")):
        view.followup_table.select_id(ticket["id"])
        view.followup_result.setCurrentIndex(view.followup_result.findData(outcome))
        view.followup_note.setText("")
        click(qtbot, view, "record_followup")
        qtbot.waitUntil(lambda: console.pending is None, timeout=WAIT)
        assert console.audit[0]["ok"] is True, console.notice
        if outcome == "no_answer":  # nobody answered: still to be called back
            row = next(r for r in console.followup_rows() if r["id"] == consenting["id"])
            assert (row["status"], row["open"]) == ("未接通", True)
    row = next(r for r in console.followup_rows() if r["id"] == consenting["id"])
    assert (row["status"], row["open"]) == ("已回访", False)

    from hub.reports.build import Settings, build_report
    from hub.reports.period import Period
    from hub.reports.sources import read_rows
    from hub.reports.text import render_text

    day = dt.date.fromisoformat(consenting["id"][:10])
    period = Period.of("daily", day)
    text = render_text(build_report(read_rows(lh.db, period), lh.hall, period, Settings(as_of=day)))
    assert "本期登记回访/整改3次：已回访1次、未接通1次、拒绝回访1次。" in text
