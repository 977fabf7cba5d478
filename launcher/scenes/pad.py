"""Screenshot scenes for ``hallq screenshot``: real hall state, real clients, one PNG each.

Every scene starts a :class:`~launcher.local_hall.LocalHall` (embedded broker + real hub + the
sample hall, or the one given with ``hallq screenshot --config``), drives it with real device
clients (kiosks issue, the pad itself logs in and calls, the window evaluator rates), waits
until the screen shows that state, and grabs the window offscreen at tablet size (1280×800).
Devices, staff and matters are picked by role from the hall (:class:`~launcher.local_hall.Cast`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hallq import clock as hallclock
from hallq.client import HallClient
from launcher.local_hall import SCENE_PIN, Cast, LocalHall

SIZE = (1280, 800)
PIN = SCENE_PIN


def process(seconds: float = 0.0) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + seconds
    while True:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if time.monotonic() >= deadline:
            return
        time.sleep(0.01)


def wait_until(cond: Callable[[], Any], timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        process()
        if cond():
            return
        time.sleep(0.02)
    raise TimeoutError(f"scene: {what or 'condition'} not reached within {timeout}s")


@contextlib.contextmanager
def hall(long_names: bool = False) -> Iterator[LocalHall]:
    """The sample hall, or (``long_names``) the same hall with every name made long."""
    from hallq.qt.app import make_app
    from launcher.local_hall import long_names_hall
    make_app()
    lh = LocalHall(long_names_hall() if long_names else None).start()
    try:
        yield lh
    finally:
        lh.stop()


def issue(kiosk: HallClient, matter: str, situation: str, **extra: Any) -> dict[str, Any]:
    return dict(kiosk.request("ticket.issue", {"matter": matter, "situation": situation, **extra})["ticket"])


def first_situation(lh: LocalHall) -> tuple[str, str]:
    """The first matter and situation the hall's first pad's window serves."""
    cast = Cast(lh.hall)
    queues = lh.hall.windows[cast.window_of(cast.device("pad", window=True))].queues
    return next(((m.id, s.id) for m, s in cast.ticketable() if s.queue in queues),
                next((m.id, s.id) for m, s in cast.ticketable()))


def fill_queues(kiosk: HallClient, lh: LocalHall) -> None:
    cast = Cast(lh.hall)
    mine = first_situation(lh)
    others = [(m.id, s.id) for m, s in cast.ticketable() if (m.id, s.id) != mine]
    groups = list(lh.hall.priority_groups)
    elderly = {"priority_group": groups[0]} if groups else {}
    disabled = {"priority_group": groups[1]} if len(groups) > 1 else {}
    for (matter, situation), extra in (
        (mine, {"name": "张三", "id_number": "11010519491231002X"}),
        (others[0] if others else mine, {}),
        (mine, {}),
        (others[1] if len(others) > 1 else mine, {}),
        (mine, {"name": "赵建国"}),
        (mine, {**elderly, "name": "李秀英"}),
        (mine, {**disabled, "name": "欧阳明"}),
    ):
        issue(kiosk, matter, situation, **extra)
    first_b = next(((m.id, s.id) for m in lh.hall.matters.values() for s in m.situations
                    if s.queue == "B" and not (s.assist or s.online or s.consult_only)), None)
    if first_b:
        for _ in range(2):
            issue(kiosk, *first_b)


def grab(widget: Any, out: Path) -> None:
    widget.resize(*SIZE)
    widget.show()
    process(0.3)
    from hallq.qt.app import save_grab

    save_grab(widget, out)


def pad_staff(lh: LocalHall, n: int = 0) -> str:
    """The n-th staff member who may sign in at a pad."""
    staff = Cast(lh.hall).staff("pad")
    return staff[n % len(staff)]


def window_screen(lh: LocalHall, window: str) -> HallClient:
    """The window screen (evaluator) of ``window``, or any client allowed to rate there."""
    cast = Cast(lh.hall)
    device = next((d for d in cast.devices("display", window=True) if cast.window_of(d) == window), None)
    return lh.client(device or cast.device("pad", window=True))


def staff_pad(lh: LocalHall, device: str = "", login: bool = True,
              clock: Callable[[], float] = hallclock.now) -> Any:
    from pad.app import PadApp
    from pad.staff import StaffPad

    device = device or Cast(lh.hall).device("pad", window=True)
    app = PadApp(lh.url, lh.hall.id, device, "staff", clock=clock).start()
    pad = app.presenter
    assert isinstance(pad, StaffPad)
    wait_until(lambda: pad.online and pad.window_state, what="pad online")
    if login:
        app.client.request("window.open", {"window": pad.window, "staff": pad_staff(lh), "pin": PIN})
        wait_until(lambda: pad.logged_in, what="logged in")
    return app


def serve(app: Any, outcome: str, reason: str = "") -> dict[str, Any]:
    pad = app.presenter
    ticket = app.client.request("ticket.call_next", {"window": pad.window})["ticket"]
    args = {"window": pad.window, "outcome": outcome}
    if reason:
        args["reason"] = reason
    app.client.request("ticket.outcome", args)
    return dict(ticket)


# ---------------------------------------------------------------- scenes


def pad_login(out: Path) -> None:
    with hall() as lh:
        app = staff_pad(lh, login=False)
        view = app.view
        view.staff_no.setText(pad_staff(lh))
        grab(view, out)
        app.close()


def pad_idle(out: Path) -> None:
    with hall() as lh:
        kiosk = lh.client(Cast(lh.hall).kiosk)
        fill_queues(kiosk, lh)
        app = staff_pad(lh)
        serve(app, "passed")
        serve(app, "accepted")
        window_screen(lh, app.presenter.window).request("evaluation.submit",
                                                         {"window": app.presenter.window, "level": 5})
        wait_until(lambda: app.presenter.window_state is not None
                   and app.presenter.window_state.counts.get("passed") == 1, what="counts")
        app.presenter.last_served = None
        grab(app.view, out)
        app.close()


def pad_serving(out: Path) -> None:
    with hall() as lh:
        kiosk = lh.client(Cast(lh.hall).kiosk)
        groups = list(lh.hall.priority_groups)
        issue(kiosk, *first_situation(lh), name="王小明", id_number="440524188001010014",
              **({"priority_group": groups[0]} if groups else {}))
        fill_queues(kiosk, lh)
        guide = lh.guide(Cast(lh.hall).guide, pin=PIN)
        pad = None
        app = staff_pad(lh)
        pad = app.presenter
        first = guide.request("tickets.list", {})["tickets"][0] if _has_list(guide) else None
        if first and first.get("priority_group"):
            guide.request("ticket.verify_priority", {"ticket": first["id"]})
        app.view._send(pad.call_next)
        wait_until(lambda: pad.current is not None and pad.pending is None, what="called")
        app.view._send(pad.recall)
        wait_until(lambda: pad.current is not None and pad.current.recalls == 1 and pad.pending is None,
                   what="recalled")
        for i in range(app.view.materials.count() - 1):
            item = app.view.materials.item(i)
            from PySide6.QtCore import Qt

            item.setCheckState(Qt.CheckState.Checked)
        grab(app.view, out)
        app.close()


def _has_list(client: HallClient) -> bool:
    try:
        client.request("tickets.list", {}, timeout=2, retries=0)
    except Exception:
        return False
    return True


def pad_outcome(out: Path) -> None:
    with hall() as lh:
        kiosk = lh.client(Cast(lh.hall).kiosk)
        fill_queues(kiosk, lh)
        app = staff_pad(lh)
        pad = app.presenter
        app.view._send(pad.call_next)
        wait_until(lambda: pad.current is not None and pad.pending is None, what="called")
        app.view._send(lambda: pad.outcome("accepted"))
        wait_until(lambda: pad.current is None and pad.evaluation is not None and pad.pending is None,
                   what="evaluation invited")
        window_screen(lh, pad.window).request("evaluation.submit", {"window": pad.window, "level": 4})
        wait_until(lambda: pad.rating is not None, what="rating")
        grab(app.view, out)
        app.close()


def pad_offline(out: Path) -> None:
    with hall() as lh:
        kiosk = lh.client(Cast(lh.hall).kiosk)
        fill_queues(kiosk, lh)
        app = staff_pad(lh)
        pad = app.presenter
        app.view._send(pad.call_next)
        wait_until(lambda: pad.current is not None and pad.pending is None, what="called")
        assert lh.hub is not None
        lh.hub.stop()
        lh.hub = None
        wait_until(lambda: not pad.online, what="offline")
        grab(app.view, out)
        app.close()


def _serving(lh: LocalHall) -> Any:
    kiosk = lh.client("K1")
    fill_queues(kiosk, lh)
    app = staff_pad(lh)
    pad = app.presenter
    app.view._send(pad.call_next)
    wait_until(lambda: pad.current is not None and pad.pending is None, what="called")
    return app


def pad_pass_confirm(out: Path) -> None:
    with hall() as lh:
        app = _serving(lh)
        app.view._outcome("passed")
        grab(app.view, out)
        app.close()


def pad_backfill(out: Path) -> None:
    with hall() as lh:
        app = _serving(lh)
        pad = app.presenter
        app.view._send(lambda: pad.outcome("accepted"))
        wait_until(lambda: pad.current is None and pad.pending is None, what="served")
        app.view._ask_backfill()
        grab(app.view, out)
        app.close()


def pad_transfer_long(out: Path) -> None:
    with hall(long_names=True) as lh:
        app = _serving(lh)
        app.view._ask_transfer()
        grab(app.view, out)
        app.close()


def pad_summoned_long(out: Path) -> None:
    """After 呼叫后台 to a department with a long name: the window keeps its size and buttons."""
    with hall(long_names=True) as lh:
        app = _serving(lh)
        pad = app.presenter
        longest = max(pad.state.departments(), key=len)
        app.view._send(lambda: pad.summon(longest, "材料需后台确认"))
        wait_until(lambda: pad.summons and pad.pending is None, what="summoned")
        grab(app.view, out)
        app.close()


def _guide_hall(lh: LocalHall, clock: Callable[[], float]) -> Any:
    from pad.app import PadApp

    kiosk = lh.client(Cast(lh.hall).kiosk)
    fill_queues(kiosk, lh)
    cast = Cast(lh.hall)
    kiosks = cast.devices("kiosk")
    if len(kiosks) > 1:
        lh.client(kiosks[1]).set_status({"printer": {"online": True, "paper": "out", "error": "paper_out"}})
    kiosk.set_status({"printer": {"online": True, "paper": "near_end"}})
    pads = cast.devices("pad", window=True)
    s01 = staff_pad(lh, pads[0])
    serve(s01, "accepted")
    s01.client.request("ticket.call_next", {"window": s01.presenter.window})
    for n, device in enumerate(pads[1:3], 1):  # a second window paused, a third open
        other, window = lh.client(device), cast.window_of(device)
        other.request("window.open", {"window": window, "staff": pad_staff(lh, n), "pin": PIN})
        if n == 1:
            other.request("window.pause", {"window": window, "reason": "会议"})
    if cast.devices("display", zone=True):
        lh.client(cast.device("display", zone=True))
    from pad.guide import GuideConsole
    from pad.guide_view import GuideView

    app = PadApp(lh.url, lh.hall.id, cast.guide, "guide", clock=clock).start()
    console, view = app.presenter, app.view
    assert isinstance(console, GuideConsole)
    assert isinstance(view, GuideView)
    wait_until(lambda: console.online and len(console.state.windows) >= min(3, len(pads)) and console.tickets,
               timeout=10, what="guide state")
    view._send(lambda: console.login(cast.staff("guide")[0], PIN))  # 签到: the sample hall requires it for overrides
    wait_until(lambda: console.operator != "", timeout=10, what="guide sign-in")
    return app, s01


def guide_hall(out: Path) -> None:
    with hall() as lh:
        app, s01 = _guide_hall(lh, clock=lambda: hallclock.now() + 35 * 60)  # 35 minutes later: long-wait alerts
        grab(app.view, out)
        app.close()
        s01.close()


def guide_hall_long(out: Path) -> None:
    with hall(long_names=True) as lh:
        app, s01 = _guide_hall(lh, clock=lambda: hallclock.now() + 35 * 60)
        grab(app.view, out)
        app.close()
        s01.close()


def guide_search(out: Path) -> None:
    with hall() as lh:
        app, s01 = _guide_hall(lh, clock=hallclock.now)
        view = app.view
        view.tabs.setCurrentIndex(1)
        view.ticket_search.setText("a00")
        view._select_first_match()
        grab(view, out)
        app.close()
        s01.close()


def guide_ticket(out: Path) -> None:
    with hall() as lh:
        app, s01 = _guide_hall(lh, clock=hallclock.now)
        console = app.presenter
        app.view.tabs.setCurrentIndex(1)
        pending = next((t for t in console.tickets if t.priority_group and not t.priority_verified),
                       console.tickets[0])
        console.select_ticket(pending.id)
        app.view.ticket_reason.setCurrentText("老年人，已核验身份证")
        grab(app.view, out)
        app.close()
        s01.close()


def guide_windows(out: Path) -> None:
    with hall() as lh:
        app, s01 = _guide_hall(lh, clock=hallclock.now)
        app.view.tabs.setCurrentIndex(2)
        pads = Cast(lh.hall).devices("pad", window=True)
        app.view.window_table.select_id(Cast(lh.hall).window_of(pads[min(1, len(pads) - 1)]))
        app.view.window_reason.setCurrentText("窗口调整")
        grab(app.view, out)
        app.close()
        s01.close()


def guide_followups(out: Path) -> None:
    with hall() as lh:
        app, s01 = _guide_hall(lh, clock=hallclock.now)
        pad, window = s01.client, s01.presenter.window
        screen = window_screen(lh, window)
        for level, reason in ((1, "等候时间过长"), (0, "")):  # the window has a ticket called: finish it, rate it
            pad.request("ticket.outcome", {"window": window, "outcome": "accepted"})
            if level:
                screen.request("evaluation.submit", {"window": window, "level": level, "reason": reason})
            else:
                screen.request("evaluation.skip", {"window": window})
            pad.request("ticket.call_next", {"window": window})
        view = app.view
        console = app.presenter
        view.tabs.setCurrentIndex(view.tabs.count() - 2)
        view._send(console.load_followups)
        wait_until(lambda: len(console.followups) >= 2, timeout=10, what="follow-ups")
        first = console.followups[0]
        view.followup_table.select_id(first["ticket"])
        view.followup_note.setText("已电话致歉，增开窗口")
        grab(view, out)
        app.close()
        s01.close()


def _summon(client: HallClient, window: str, department: str, note: str = "") -> str:
    args = {"window": window, "department": department}
    if note:
        args["note"] = note
    return str(client.request("window.summon", args)["summon"]["id"])


def guide_summons(out: Path) -> None:
    """呼叫后台 on the guide console: one answered, one waiting, one escalated (an alert too)."""
    with hall() as lh:
        app, s01 = _guide_hall(lh, clock=lambda: hallclock.now() + 12 * 60)  # 12 minutes on: one is overdue
        departments = list(dict.fromkeys(m.department for m in lh.hall.matters.values() if m.department))
        departments += ["公安局", "自然资源局", "市场监管局"]  # a hall file with fewer departments
        escalated = _summon(s01.client, s01.presenter.window, departments[0], "材料需审批人确认")
        assert lh.hub is not None
        lh.hub.service.clock = lambda: hallclock.now() + 11 * 60  # the hub's timer sees 11 minutes pass
        g1 = app.client  # a guide may summon for any window (here: for the windows without a pad app)
        cast = Cast(lh.hall)
        others = [cast.window_of(d) for d in cast.devices("pad", window=True)[1:3]]  # the windows _guide_hall opened
        if others:
            _summon(g1, others[-1], departments[1])
        if len(others) > 1:
            g1.request("summon.respond", {"summon": _summon(g1, others[0], departments[2])})
        console, view = app.presenter, app.view
        wait_until(lambda: len(console.summon_rows()) == 1 + len(others)
                   and any(r["escalated"] for r in console.summon_rows()), timeout=10, what="summons")
        view.sound = lambda: None
        view.tabs.setCurrentIndex(view.summon_tab)
        view.summon_table.select_id(escalated)
        console.select_summon(escalated)
        grab(view, out)
        app.close()
        s01.close()


def pad_summon(out: Path) -> None:
    """The window pad after 呼叫后台: the guide has answered (已响应), with the time it took."""
    with hall() as lh:
        kiosk = lh.client(Cast(lh.hall).kiosk)
        fill_queues(kiosk, lh)
        app = staff_pad(lh)
        pad = app.presenter
        app.view._send(pad.call_next)
        wait_until(lambda: pad.current is not None and pad.pending is None, what="called")
        app.view._send(lambda: pad.summon(pad.summon_department(), "需要审批人员现场确认"))
        wait_until(lambda: pad.summon_state == "pending", what="summoned")
        assert pad.window_state is not None
        sid = pad.window_state.summons[0].id
        assert lh.hub is not None
        lh.hub.service.clock = lambda: hallclock.now() + 150  # answered two and a half minutes later
        lh.guide(Cast(lh.hall).guide, pin=PIN).request("summon.respond", {"summon": sid})
        wait_until(lambda: pad.summon_state == "responded", what="answered")
        grab(app.view, out)
        app.close()


SCENES: dict[str, Callable[[Path], None]] = {
    "pad-login": pad_login,
    "pad-idle": pad_idle,
    "pad-serving": pad_serving,
    "pad-outcome": pad_outcome,
    "pad-offline": pad_offline,
    "pad-pass-confirm": pad_pass_confirm,
    "pad-backfill": pad_backfill,
    "pad-transfer-long": pad_transfer_long,
    "pad-summoned-long": pad_summoned_long,
    "guide-hall": guide_hall,
    "guide-hall-long": guide_hall_long,
    "guide-search": guide_search,
    "guide-ticket": guide_ticket,
    "guide-windows": guide_windows,
    "guide-followups": guide_followups,
    "guide-summons": guide_summons,
    "pad-summon": pad_summon,
}
