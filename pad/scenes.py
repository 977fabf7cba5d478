"""Screenshot scenes for ``hallq screenshot``: real hall state, real clients, one PNG each.

Every scene starts a :class:`~hallq.testing.LocalHall` (embedded broker + real hub +
sample hall), drives it with real device clients (kiosks issue, the pad itself logs in
and calls, the window evaluator rates), waits until the screen shows that state, and
grabs the window offscreen at tablet size (1280×800).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hallq import clock as hallclock
from hallq.client import HallClient
from hallq.testing import LocalHall

SIZE = (1280, 800)
PIN = "1234"


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
    from hallq.testing import long_names_hall
    make_app()
    lh = LocalHall(long_names_hall() if long_names else None).start()
    try:
        yield lh
    finally:
        lh.stop()


def issue(kiosk: HallClient, matter: str, situation: str, **extra: Any) -> dict[str, Any]:
    return dict(kiosk.request("ticket.issue", {"matter": matter, "situation": situation, **extra})["ticket"])


def fill_queues(kiosk: HallClient, lh: LocalHall) -> None:
    for matter, situation, extra in (
        ("hukou-move", "with-house", {"name": "张三", "id_number": "11010519491231002X"}),
        ("hukou-move", "family", {}),
        ("hukou-move", "with-house", {}),
        ("social-card", "first", {}),
        ("hukou-move", "with-house", {"name": "赵建国"}),
        ("hukou-move", "with-house", {"priority_group": "elderly", "name": "李秀英"}),
        ("hukou-move", "with-house", {"priority_group": "disabled", "name": "欧阳明"}),
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
    widget.grab().save(str(out), "PNG")


def staff_pad(lh: LocalHall, device: str = "P-S01", login: bool = True,
              clock: Callable[[], float] = hallclock.now) -> Any:
    from pad.app import PadApp
    from pad.staff import StaffPad

    app = PadApp(lh.url, lh.hall.id, device, "staff", clock=clock).start()
    pad = app.presenter
    assert isinstance(pad, StaffPad)
    wait_until(lambda: pad.online and pad.window_state, what="pad online")
    if login:
        app.client.request("window.open", {"window": pad.window, "staff": "1001", "pin": PIN})
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
        view.staff_no.setText("1001")
        grab(view, out)
        app.close()


def pad_idle(out: Path) -> None:
    with hall() as lh:
        kiosk = lh.client("K1")
        fill_queues(kiosk, lh)
        app = staff_pad(lh)
        serve(app, "passed")
        serve(app, "accepted")
        lh.client("D-S01").request("evaluation.submit", {"window": "S01", "level": 5})
        wait_until(lambda: app.presenter.window_state.get("counts", {}).get("passed") == 1, what="counts")
        app.presenter.last_served = None
        grab(app.view, out)
        app.close()


def pad_serving(out: Path) -> None:
    with hall() as lh:
        kiosk = lh.client("K1")
        issue(kiosk, "hukou-move", "with-house", name="王小明", id_number="440524188001010014",
              priority_group="elderly")
        fill_queues(kiosk, lh)
        guide = lh.guide("G1")
        pad = None
        app = staff_pad(lh)
        pad = app.presenter
        first = guide.request("tickets.list", {})["tickets"][0] if _has_list(guide) else None
        if first and first.get("priority_group"):
            guide.request("ticket.verify_priority", {"ticket": first["id"]})
        app.view._send(pad.call_next)
        wait_until(lambda: pad.current is not None and pad.pending is None, what="called")
        app.view._send(pad.recall)
        wait_until(lambda: (pad.current or {}).get("recalls") == 1 and pad.pending is None, what="recalled")
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
        kiosk = lh.client("K1")
        fill_queues(kiosk, lh)
        app = staff_pad(lh)
        pad = app.presenter
        app.view._send(pad.call_next)
        wait_until(lambda: pad.current is not None and pad.pending is None, what="called")
        app.view._send(lambda: pad.outcome("accepted"))
        wait_until(lambda: pad.current is None and pad.evaluation is not None and pad.pending is None,
                   what="evaluation invited")
        lh.client("D-S01").request("evaluation.submit", {"window": "S01", "level": 4})
        wait_until(lambda: pad.rating is not None, what="rating")
        grab(app.view, out)
        app.close()


def pad_offline(out: Path) -> None:
    with hall() as lh:
        kiosk = lh.client("K1")
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

    kiosk = lh.client("K1")
    fill_queues(kiosk, lh)
    lh.client("K2").set_status({"printer": {"online": True, "paper": "out", "error": "paper_out"}})
    kiosk.set_status({"printer": {"online": True, "paper": "near_end"}})
    s01 = staff_pad(lh, "P-S01")
    serve(s01, "accepted")
    s01.client.request("ticket.call_next", {"window": "S01"})
    p2 = lh.client("P-S02")
    p2.request("window.open", {"window": "S02", "staff": "1002", "pin": PIN})
    p2.request("window.pause", {"window": "S02", "reason": "会议"})
    r01 = lh.client("P-R01")
    r01.request("window.open", {"window": "R01", "staff": "1003", "pin": PIN})
    lh.client("D-HALL")
    from pad.guide import GuideConsole
    from pad.guide_view import GuideView

    app = PadApp(lh.url, lh.hall.id, "G1", "guide", clock=clock).start()
    console, view = app.presenter, app.view
    assert isinstance(console, GuideConsole)
    assert isinstance(view, GuideView)
    wait_until(lambda: console.online and len(console.state.windows) >= 3 and console.tickets, timeout=10,
               what="guide state")
    view._send(lambda: console.login("2001", PIN))  # 签到: the sample hall requires it for overrides
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
        pending = next((t for t in console.tickets if t.get("priority_group") and not t.get("priority_verified")),
                       console.tickets[0])
        console.select_ticket(pending["id"])
        app.view.ticket_reason.setCurrentText("老年人，已核验身份证")
        grab(app.view, out)
        app.close()
        s01.close()


def guide_windows(out: Path) -> None:
    with hall() as lh:
        app, s01 = _guide_hall(lh, clock=hallclock.now)
        app.view.tabs.setCurrentIndex(2)
        app.view.window_table.select_id("S02")
        app.view.window_reason.setCurrentText("窗口调整")
        grab(app.view, out)
        app.close()
        s01.close()


def guide_followups(out: Path) -> None:
    with hall() as lh:
        app, s01 = _guide_hall(lh, clock=hallclock.now)
        screen = lh.client("D-S01")
        pad = s01.client
        for level, reason in ((1, "等候时间过长"), (0, "")):  # S01 has a ticket called: finish it, rate it
            pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
            if level:
                screen.request("evaluation.submit", {"window": "S01", "level": level, "reason": reason})
            else:
                screen.request("evaluation.skip", {"window": "S01"})
            pad.request("ticket.call_next", {"window": "S01"})
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
        escalated = _summon(s01.client, "S01", "公安局", "户口迁移材料需审批人确认")
        assert lh.hub is not None
        lh.hub.service.clock = lambda: hallclock.now() + 11 * 60  # the hub's timer sees 11 minutes pass
        g1 = app.client  # a guide may summon for any window (here: for the windows without a pad app)
        _summon(g1, "R01", "自然资源局")
        g1.request("summon.respond", {"summon": _summon(g1, "S02", "市场监管局")})
        console, view = app.presenter, app.view
        wait_until(lambda: len(console.summon_rows()) == 3 and any(r["escalated"] for r in console.summon_rows()),
                   timeout=10, what="summons")
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
        kiosk = lh.client("K1")
        fill_queues(kiosk, lh)
        app = staff_pad(lh)
        pad = app.presenter
        app.view._send(pad.call_next)
        wait_until(lambda: pad.current is not None and pad.pending is None, what="called")
        app.view._send(lambda: pad.summon(pad.summon_department(), "需要审批人员现场确认"))
        wait_until(lambda: pad.summon_state == "pending", what="summoned")
        sid = pad.window_state["summons"][0]["id"]
        assert lh.hub is not None
        lh.hub.service.clock = lambda: hallclock.now() + 150  # answered two and a half minutes later
        lh.guide("G1").request("summon.respond", {"summon": sid})
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
