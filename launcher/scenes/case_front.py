"""Screenshot scenes of the window pad's case pages (办件, the front desk): 登记办件 after 受理, the case
it opened, the 办件 desk at the 出件 window and a refusal there, 变更送达方式 after a refused hand-out,
a pickup with the 办结通知书 printed by itself, and a case's 附件5 printed at the window. 1280×800,
real hub, real clients (``--lang en`` for the English pad).

The hall is the scene hall with a back office added for the case's department when the hall file
has none (so results can come back to the window), its window printer swapped for a dummy (a
scene prints nothing to disk), and a clock that starts on Monday 2026-11-23 09:00 in the hall's
zone (promised dates are counted in working days of a year the calendar knows).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hallq import clock as hallclock
from hub.case_config import CaseRules
from hub.hall import Device, Hall, Role
from launcher.local_hall import Cast, LocalHall, scene_hall
from launcher.scenes.case_back import desk_clerk
from launcher.scenes.common import grab, reach
from launcher.scenes.pad_setup import PIN, issue, staff_pad

SIZE = (1280, 800)
APPLICANT_ID = "11010519491231002X"  # GB 11643's own example
OTHER_ID = "440524188001010014"
ADDRESS = "山西省吕梁市离石区滨河北东路88号3号楼2单元501室"
BACK_OFFICE = "B-SCENE"


def _clock(tz: str) -> Callable[[], float]:
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=zoneinfo.ZoneInfo(tz)).timestamp()
    real = hallclock.now()
    return lambda: start + (hallclock.now() - real)


def _promised(hall: Hall, window: str) -> tuple[str, str, str]:
    """(matter, situation, department) of a 综窗 承诺件 the window serves (else any served here)."""
    queues = hall.windows[window].queues
    found = [(m, s) for m in hall.matters.values() for s in m.situations
             if s.queue in queues and not (s.online or s.consult_only) and s.materials]
    m, s = next(((m, s) for m, s in found if m.kind.value == "promised" and m.mode.value == "comprehensive"),
                found[0])
    return m.id, s.id, m.department


def case_scene_hall(print_on_handout: bool = False) -> Hall:
    """The scene hall with a back office for the case's department; ``print_on_handout``: the 办结通知书
    prints by itself after every hand-out (``[cases] print_completion_notice = true``)."""
    hall = scene_hall()
    if print_on_handout:
        rules = hall.cases or CaseRules()
        hall = dataclasses.replace(hall, cases=dataclasses.replace(rules, print_completion_notice=rules.deliveries))
    cast = Cast(hall)
    pad = cast.device("pad", window=True)
    _m, _s, department = _promised(hall, cast.window_of(pad))
    devices = dict(hall.devices)
    if not any(d.role is Role.BACKOFFICE and d.department == department for d in devices.values()):
        devices[BACK_OFFICE] = Device(BACK_OFFICE, Role.BACKOFFICE, department=department)
    tables = dict(hall.printer_tables)
    printer = devices[pad].printer
    if printer:
        tables[printer] = {"backend": "dummy", "width": 80}
    return dataclasses.replace(hall, devices=devices, printer_tables=tables)


@contextlib.contextmanager
def case_pad(print_on_handout: bool = False) -> Iterator[tuple[LocalHall, Any, Any]]:
    """The case hall, its first window's pad signed in; yields the hall, the pad app and the back office."""
    from hallq.qt.app import make_app

    make_app()
    hall = case_scene_hall(print_on_handout)
    clock = _clock(hall.timezone)
    lh = LocalHall(hall, clock=clock).start()
    try:
        app = staff_pad(lh, clock=clock)
        office = next(d.id for d in hall.devices.values() if d.role is Role.BACKOFFICE
                      and d.department == _promised(hall, app.presenter.window)[2])
        desk = lh.client(office)
        clerk = desk_clerk(hall, office)
        if clerk:  # the sample hall's desks act with their department's clerk signed in
            desk.request("backoffice.login", {"staff": clerk, "pin": PIN})
        try:
            yield lh, app, desk
        finally:
            app.close()
    finally:
        lh.stop()


def _served(lh: LocalHall, app: Any, **extra: Any) -> None:
    """A 承诺件 ticket issued, called and recorded 受理 on the pad's own screen."""
    pad = app.presenter
    matter, situation, _d = _promised(lh.hall, pad.window)
    issue(lh.client(Cast(lh.hall).kiosk), matter, situation, **extra)
    app.view._send(pad.call_next)
    reach(lambda: pad.current is not None and pad.pending is None, "called")
    app.view._send(lambda: pad.outcome("accepted"))
    reach(lambda: pad.current is None and pad.last_served is not None and pad.pending is None, "accepted")


def _filled_form(lh: LocalHall, app: Any) -> Any:
    _served(lh, app, name="张三", id_number=APPLICANT_ID)
    view = app.view
    view.open_case_accept()
    page = view.case_accept
    if len(page.material_rows) > 1:
        page.material_rows[-1][0].setChecked(False)
    page._form_toggle(0)
    page.material_rows[0][2].setValue(2)
    page.number.setText("SX-2026-0101")
    page._delivery("mail")
    page.address.setText(ADDRESS)
    page._address_entered()
    return page


def _accepted(lh: LocalHall, app: Any, delivery: str = "pickup") -> str:
    page = _filled_form(lh, app)
    page.number.clear()
    page._delivery(delivery)
    if delivery == "locker":
        page.compartment.setText("B-07")
    pad, before, printed = app.presenter, app.presenter.case, len(app.view.case_printed)
    page._send()
    reach(lambda: pad.case is not None and pad.case is not before and pad.pending is None, "case accepted")
    reach(lambda: len(app.view.case_printed) > printed, "notices printed")
    return str(pad.case.id)


def _to_ready(office: Any, app: Any, case: str) -> None:
    for op in ("case.sign", "case.approve", "case.send_out"):
        office.request(op, {"case": case})
    pad = app.presenter
    app.view._case_tap(lambda: pad.receive_result(case))
    reach(lambda: pad.case is not None and pad.case.id == case and pad.case.state == "ready" and pad.pending is None,
          "result received")


def pad_case_accept(out: Path) -> None:
    with case_pad() as (lh, app, _office):
        _filled_form(lh, app)
        grab(app.view, out, SIZE)


def pad_case_accepted(out: Path) -> None:
    with case_pad() as (lh, app, _office):
        page = _filled_form(lh, app)
        pad = app.presenter
        page._send()
        reach(lambda: pad.case is not None and pad.pending is None, "case accepted")
        reach(lambda: bool(app.view.case_printed), "notices printed")
        grab(app.view, out, SIZE)


def _desk(lh: LocalHall, app: Any, office: Any) -> str:
    first = _accepted(lh, app)
    app.view._case_back()
    second = _accepted(lh, app, "locker")
    app.view._case_back()
    app.view.open_case_desk()
    for case in (second, first):
        _to_ready(office, app, case)
    desk = app.view.case_desk
    desk.code.setText(first)
    app.view._case_act("lookup")
    reach(lambda: app.presenter.pending is None and len(desk.ready.ids) == 2, "ready list")
    return first


def pad_case_desk(out: Path) -> None:
    with case_pad() as (lh, app, office):
        _desk(lh, app, office)
        desk = app.view.case_desk
        desk.id_number.setText(APPLICANT_ID)
        desk.collector.setText("张三")
        grab(app.view, out, SIZE)


def pad_case_refused(out: Path) -> None:
    with case_pad() as (lh, app, office):
        _desk(lh, app, office)
        desk = app.view.case_desk
        desk.id_number.setText(OTHER_ID)
        app.view._case_act("collect")
        pad = app.presenter
        reach(lambda: pad.pending is None and pad.notice is not None and pad.notice.level == "error", "refused")
        grab(app.view, out, SIZE)


def pad_case_change_delivery(out: Path) -> None:
    """The applicant agreed 现场领取 and now wants the locker: the hand-out is refused, the desk offers
    变更送达方式 with the locker chosen."""
    with case_pad() as (lh, app, office):
        _desk(lh, app, office)
        desk, pad = app.view.case_desk, app.presenter
        desk.compartment.setText("A-03")
        app.view._case_act("locker")
        reach(lambda: pad.pending is None and pad.notice is not None and pad.notice.level == "error", "refused")
        reach(lambda: desk.tabs.currentWidget() is desk.tab_pages["delivery"], "变更送达方式 offered")
        desk.change_compartment.setText("A-03")
        grab(app.view, out, SIZE)


def pad_case_pickup_notice(out: Path) -> None:
    """现场领取 recorded; the hall file says the 办结通知书 prints by itself."""
    with case_pad(print_on_handout=True) as (lh, app, office):
        _desk(lh, app, office)
        desk, pad = app.view.case_desk, app.presenter
        desk.id_number.setText(APPLICANT_ID)
        desk.collector.setText("张三")
        app.view._case_act("collect")
        reach(lambda: pad.case is not None and pad.case.state == "collected" and pad.pending is None, "collected")
        reach(lambda: app.view.case_printed[-1:] == ["completion"], "办结通知书 printed")
        grab(app.view, out, SIZE)


def pad_case_correction(out: Path) -> None:
    """A case the department returned for 补正, on the window's desk, its 附件5 just printed."""
    with case_pad() as (lh, app, office):
        case = _accepted(lh, app)
        app.view._case_back()
        office.request("case.sign", {"case": case})
        office.request("case.notify_correction", {"case": case, "reasons": [
            "户口簿首页复印件不清晰，请重新复印", "照片回执已过期，请重新采集", "申请表未签字"]})
        app.view.open_case_desk()
        desk, pad = app.view.case_desk, app.presenter
        desk.code.setText(case)
        app.view._case_act("lookup")
        reach(lambda: pad.case is not None and pad.case.state == "awaiting_correction" and pad.pending is None,
              "the case on the desk")
        printed = len(app.view.case_printed)
        app.view._case_act("print_correction")
        reach(lambda: len(app.view.case_printed) > printed, "附件5 printed")
        grab(app.view, out, SIZE)


SCENES: dict[str, Callable[[Path], None]] = {
    "pad-case-accept": pad_case_accept,
    "pad-case-accepted": pad_case_accepted,
    "pad-case-desk": pad_case_desk,
    "pad-case-refused": pad_case_refused,
    "pad-case-change-delivery": pad_case_change_delivery,
    "pad-case-pickup-notice": pad_case_pickup_notice,
    "pad-case-correction": pad_case_correction,
}
