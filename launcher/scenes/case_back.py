"""Screenshot scenes of the cases after 受理, at the back: the back office's desk (后台审批) and the
guide console's 办件转递 and case alerts, each at tablet size (1280×800).

The hall is the scene hall (the sample, or ``--config``) with a back office for the department
of the first matter the first pad's window serves, unless the hall file already has one. The
hall's clock is pinned to a fortnight of 2026 (holidays known to the installed calendar): cases
are accepted on Monday 16 November, more on Monday 23 November, and the scene looks at them that
afternoon, so one is overdue, one due today, one stuck at 已受理 and the rest on time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hallq.client import HallClient
from hub.hall import Device, Role
from launcher.local_hall import Cast, LocalHall, scene_hall
from launcher.scenes.common import grab, reach
from launcher.scenes.pad_setup import PIN, pad_staff

SIZE = (1280, 800)


class SceneClock:
    """The hall's time in a scene: set by the scene, read by the hub and the screens."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclasses.dataclass
class CaseHall:
    lh: LocalHall
    clock: SceneClock
    office: str  # the back office's device
    window: str  # the front desk's window
    front: HallClient
    guide: HallClient
    kiosk: HallClient
    matter: str
    situation: str

    def at(self, day: int, hour: int, minute: int = 0) -> None:
        tz = zoneinfo.ZoneInfo(self.lh.hall.timezone)
        self.clock.now = dt.datetime(2026, 11, day, hour, minute, tzinfo=tz).timestamp()

    def open_window(self) -> None:
        self.front.request("window.open", {"window": self.window, "staff": pad_staff(self.lh), "pin": PIN})

    def accept(self, name: str, **case: Any) -> dict[str, Any]:
        ticket = self.kiosk.request("ticket.issue", {"matter": self.matter, "situation": self.situation, "name": name})
        self.front.request("ticket.call", {"window": self.window, "ticket": ticket["ticket"]["id"]})
        self.front.request("ticket.outcome", {"window": self.window, "outcome": "accepted"})
        args = {"window": self.window, "ticket": ticket["ticket"]["id"], "kind": "promised", **case}
        return dict(self.front.request("case.accept", args)["case"])


def _with_office(lh_hall: Any) -> tuple[Any, str, str, str, str]:
    """The hall with a back office (added if none), its device, the front window, a matter and situation."""
    cast = Cast(lh_hall)
    pad = cast.device("pad", window=True)
    window = cast.window_of(pad)
    queues = lh_hall.windows[window].queues
    matter, situation = next(((m, s) for m, s in cast.ticketable() if s.queue in queues and m.department),
                             next((m, s) for m, s in cast.ticketable() if m.department))
    offices = [d for d in lh_hall.devices.values() if d.role is Role.BACKOFFICE and d.department == matter.department]
    if offices:
        return lh_hall, offices[0].id, window, matter.id, situation.id
    device = Device("B-SCENE", Role.BACKOFFICE, department=matter.department)
    return dataclasses.replace(lh_hall, devices={**lh_hall.devices, device.id: device}), device.id, window, \
        matter.id, situation.id


@contextlib.contextmanager
def case_hall() -> Iterator[CaseHall]:
    """A fortnight of cases for one department: overdue, due today, stuck, in review, to sign for."""
    from hallq.qt.app import make_app

    make_app()
    hall, office, window, matter, situation = _with_office(scene_hall())
    clock = SceneClock(0.0)
    lh = LocalHall(hall, clock=clock)
    tz = zoneinfo.ZoneInfo(hall.timezone)
    clock.now = dt.datetime(2026, 11, 16, 9, 0, tzinfo=tz).timestamp()
    lh.start()
    try:
        cast = Cast(hall)
        ch = CaseHall(lh, clock, office, window, lh.client(cast.device("pad", window=True)), lh.client(cast.guide),
                      lh.client(cast.kiosk), matter, situation)
        desk = lh.client(office)
        clerk = desk_clerk(hall, office)

        def sign_in() -> None:  # a department with clerks in the hall file: its desk acts with one signed in
            if clerk:  # (each hub day, as at a window)
                desk.request("backoffice.login", {"staff": clerk, "pin": PIN})

        sign_in()
        ch.open_window()
        late = ch.accept("王建国", promised_days=3, number="LL-2026-1116-01")  # due Thursday 19th: overdue
        today = ch.accept("刘芳", promised_days=5)  # due Monday 23rd
        for c in (late, today):
            ch.guide.request("case.pick_up", {"case": c["id"]})
        ch.at(16, 10, 20)
        for c in (late, today):
            desk.request("case.sign", {"case": c["id"]})
        ch.at(23, 8, 40)
        ch.open_window()
        sign_in()
        ch.accept("陈晓明", promised_days=10)  # still at the window at 14:00: 5 working hours
        ch.at(23, 10, 5)
        moving = ch.accept("赵丽华", promised_days=15, number="LL-2026-1123-07")
        ch.guide.request("case.pick_up", {"case": moving["id"]})
        ch.accept("孙强", promised_days=8)
        ch.at(23, 11, 0)
        review = ch.accept("周敏", promised_days=12)
        desk.request("case.sign", {"case": review["id"]})
        ch.at(23, 14, 0)
        if clerk:  # 签退: the desk's screen starts with nobody signed in (the hub would tell it: backoffice.whoami)
            desk.request("backoffice.logout", {})
        for client in (desk, ch.guide):  # the screens log in as these devices themselves
            client.stop()
        yield ch
    finally:
        lh.stop()


def desk_clerk(hall: Any, office: str) -> str:
    """The first back-office clerk of the desk's department in the hall file, or ""."""
    department = hall.devices[office].department
    return next((s.id for s in sorted(hall.staff.values(), key=lambda s: s.id)
                 if Role.BACKOFFICE in s.roles and s.department == department), "")


def desk_app(ch: CaseHall, sign_in: bool = True) -> Any:
    from pad.app import PadApp
    from pad.backoffice import BackOffice
    from pad.backoffice_view import BackofficeView

    app = PadApp(ch.lh.url, ch.lh.hall.id, ch.office, "backoffice", clock=ch.clock).start()
    office, view = app.presenter, app.view
    assert isinstance(office, BackOffice) and isinstance(view, BackofficeView)  # noqa: PT018
    reach(lambda: office.online and office.listed_once and office.who_known and len(office.cases) >= 6,
          "back office lists")
    view.sound = lambda: None
    clerk = desk_clerk(ch.lh.hall, ch.office)
    if sign_in and clerk:  # 签到 through the strip, as the clerk does
        view.staff_id.setText(clerk)
        view.pin.setText(PIN)
        view._sign_in()
        reach(lambda: bool(office.operator), "clerk signed in")
    return app


def backoffice_sign_in(out: Path) -> None:
    """The desk before anyone signs in: the 签到 strip (工号 typed, PIN hidden) over the lists."""
    with case_hall() as ch:
        app = desk_app(ch, sign_in=False)
        view = app.view
        view.staff_id.setText(desk_clerk(ch.lh.hall, ch.office) or "3001")
        view.pin.setText(PIN)
        grab(view, out, SIZE)
        app.close()


def backoffice_awaiting(out: Path) -> None:
    """待补正: the cases returned with an 一次性告知, each with its 补正期限."""
    with case_hall() as ch:
        app = desk_app(ch)
        office, view = app.presenter, app.view
        ch.clock.now += 600
        for c in [c for c in office.cases if c.state == "in_review"][:2]:
            app.client.request("case.notify_correction", {"case": c.id, "reasons": ["申请表缺少申请人签字"]})
        reach(lambda: office.counts()["awaiting"] == 2, "cases awaiting 补正")
        from pad.backoffice import VIEWS

        view.view_tabs.setCurrentIndex([k for k, _ in VIEWS].index("awaiting"))
        office.select(office.rows("awaiting")[0]["id"])
        grab(view, out, SIZE)
        app.close()


def backoffice_cases(out: Path) -> None:
    """The desk on 审查中 with a case chosen: counts on every tab, one overdue, one due today."""
    with case_hall() as ch:
        app = desk_app(ch)
        office, view = app.presenter, app.view
        view.view_tabs.setCurrentIndex(1)
        first = office.rows("in_review")[0]["id"]
        office.select(first)
        view.reasons.setPlainText("申请表第3页缺少申请人签字\n照片背景色不符合规格（应为白色）")
        reach(lambda: view.cases.selected_id() == first, "case chosen")
        grab(view, out, SIZE)
        app.close()


def backoffice_summoned(out: Path) -> None:
    """A window summons the desk's department: the strip with the wait, the 待签收 tab under it."""
    with case_hall() as ch:
        app = desk_app(ch)
        office, view = app.presenter, app.view
        ch.front.request("window.summon", {"window": ch.window, "department": office.department,
                                           "note": "申请人对补正意见有疑问"})
        ch.clock.now += 190
        reach(lambda: len(office.summon_rows()) == 1, "summons on the desk")
        office.select(office.rows("to_sign")[0]["id"])
        grab(view, out, SIZE)
        app.close()


def backoffice_history(out: Path) -> None:
    """A case's history: every step with who and when, the 附件4 handover rows marked."""
    with case_hall() as ch:
        app = desk_app(ch)
        office, view = app.presenter, app.view
        ch.clock.now += 600
        late = next(c for c in office.cases if c.overdue)
        app.client.request("case.notify_correction", {"case": late.id,
                                                                   "reasons": ["申请表缺少申请人签字"]})
        view._send(lambda: office.load_history(late.id))
        view.stack.setCurrentIndex(1)
        reach(lambda: office.pending is None and len(office.history) >= 4, "history")
        grab(view, out, SIZE)
        app.close()


def guide_app(ch: CaseHall) -> Any:
    from pad.app import PadApp
    from pad.guide import GuideConsole
    from pad.guide_view import GuideView

    cast = Cast(ch.lh.hall)
    app = PadApp(ch.lh.url, ch.lh.hall.id, cast.guide, "guide", clock=ch.clock).start()
    console, view = app.presenter, app.view
    assert isinstance(console, GuideConsole) and isinstance(view, GuideView)  # noqa: PT018
    reach(lambda: console.online and not console.cases_due and console.pickups, "guide case lists")
    view.sound = lambda: None
    return app


def guide_cases(out: Path) -> None:
    """办件转递: the folders waiting at the windows, one chosen for 转递取件."""
    with case_hall() as ch:
        app = guide_app(ch)
        view, console = app.view, app.presenter
        view.tabs.setCurrentIndex(view.case_tab)
        waiting = next(c for c in console.pickups if c.state == "accepted")
        console.select_case(waiting.id)
        view.pickup_table.select_id(waiting.id)
        grab(view, out, SIZE)
        app.close()


def guide_case_alerts(out: Path) -> None:
    """The hall at a glance with the case alerts: one overdue (red), one stuck at 已受理 (amber)."""
    with case_hall() as ch:
        app = guide_app(ch)
        console = app.presenter
        reach(lambda: any(a.kind == "case_overdue" for a in console.alerts())
              and any(a.kind == "case_stuck" for a in console.alerts()), "case alerts")
        grab(app.view, out, SIZE)
        app.close()


SCENES: dict[str, Callable[[Path], None]] = {
    "backoffice-sign-in": backoffice_sign_in,
    "backoffice-awaiting": backoffice_awaiting,
    "backoffice-cases": backoffice_cases,
    "backoffice-summoned": backoffice_summoned,
    "backoffice-history": backoffice_history,
    "guide-cases": guide_cases,
    "guide-case-alerts": guide_case_alerts,
}
