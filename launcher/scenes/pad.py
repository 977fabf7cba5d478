"""Screenshot scenes of the window pad and the guide console: real hall state, real clients, one PNG each.

Every scene starts a :class:`~launcher.local_hall.LocalHall` (embedded broker + real hub + the
sample hall, or the one given with ``hallq screenshot --config``), drives it with real device
clients (kiosks issue, the pad itself logs in and calls, the window evaluator rates), waits
until the screen shows that state, and grabs the window offscreen at tablet size (1280×800).
Devices, staff and matters are picked by role from the hall (:class:`~launcher.local_hall.Cast`);
the set-ups the scenes share are in :mod:`launcher.scenes.pad_setup`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hallq import clock as hallclock
from launcher.local_hall import Cast
from launcher.scenes.common import grab, reach
from launcher.scenes.pad_setup import (
    PIN,
    call_next,
    fill_queues,
    first_situation,
    guide_console,
    hall,
    has_list,
    issue,
    pad_staff,
    serve,
    serving_pad,
    staff_pad,
    summon,
    window_screen,
)

SIZE = (1280, 800)  # a 10-inch tablet


# ---------------------------------------------------------------- the window pad


def pad_login(out: Path) -> None:
    with hall() as lh:
        app = staff_pad(lh, login=False)
        app.view.staff_no.setText(pad_staff(lh))
        grab(app.view, out, SIZE)
        app.close()


def pad_idle(out: Path) -> None:
    with hall() as lh:
        fill_queues(lh.client(Cast(lh.hall).kiosk), lh)
        app = staff_pad(lh)
        serve(app, "passed")
        serve(app, "accepted")
        window_screen(lh, app.presenter.window).request("evaluation.submit",
                                                         {"window": app.presenter.window, "level": 5})
        reach(lambda: app.presenter.window_state is not None
              and app.presenter.window_state.counts.get("passed") == 1, "counts")
        app.presenter.last_served = None
        grab(app.view, out, SIZE)
        app.close()


def pad_serving(out: Path) -> None:
    from PySide6.QtCore import Qt

    with hall() as lh:
        kiosk = lh.client(Cast(lh.hall).kiosk)
        groups = list(lh.hall.priority_groups)
        issue(kiosk, *first_situation(lh), name="王小明", id_number="440524188001010014",
              **({"priority_group": groups[0]} if groups else {}))
        fill_queues(kiosk, lh)
        guide = lh.guide(Cast(lh.hall).guide, pin=PIN)
        app = staff_pad(lh)
        pad = app.presenter
        first = guide.request("tickets.list", {})["tickets"][0] if has_list(guide) else None
        if first and first.get("priority_group"):
            guide.request("ticket.verify_priority", {"ticket": first["id"]})
        call_next(app)
        app.view._send(pad.recall)
        reach(lambda: pad.current is not None and pad.current.recalls == 1 and pad.pending is None, "recalled")
        for i in range(app.view.materials.count() - 1):
            app.view.materials.item(i).setCheckState(Qt.CheckState.Checked)
        grab(app.view, out, SIZE)
        app.close()


def pad_outcome(out: Path) -> None:
    with serving_pad() as (lh, app):
        pad = app.presenter
        app.view._send(lambda: pad.outcome("accepted"))
        reach(lambda: pad.current is None and pad.evaluation is not None and pad.pending is None,
              "evaluation invited")
        window_screen(lh, pad.window).request("evaluation.submit", {"window": pad.window, "level": 4})
        reach(lambda: pad.rating is not None, "rating")
        grab(app.view, out, SIZE)


def pad_offline(out: Path) -> None:
    with serving_pad() as (lh, app):
        assert lh.hub is not None
        lh.hub.stop()
        lh.hub = None
        reach(lambda: not app.presenter.online, "offline")
        grab(app.view, out, SIZE)


def pad_pending_sync(out: Path) -> None:
    """受理 recorded while the hub is away: 待同步 on the banner, sent when the hub answers again."""
    with serving_pad() as (lh, app):
        assert lh.hub is not None
        lh.hub.stop()
        lh.hub = None
        reach(lambda: not app.presenter.online, "offline")
        app.view._send(lambda: app.presenter.outcome("accepted"))
        reach(lambda: app.presenter.queued is not None, "待同步")
        grab(app.view, out, SIZE)


def pad_pass_confirm(out: Path) -> None:
    with serving_pad() as (_lh, app):
        app.view._outcome("passed")
        grab(app.view, out, SIZE)


def pad_backfill(out: Path) -> None:
    with serving_pad() as (_lh, app):
        pad = app.presenter
        app.view._send(lambda: pad.outcome("accepted"))
        reach(lambda: pad.current is None and pad.pending is None, "served")
        app.view._ask_backfill()
        grab(app.view, out, SIZE)


def pad_transfer_long(out: Path) -> None:
    with serving_pad(long_names=True) as (_lh, app):
        app.view._ask_transfer()
        grab(app.view, out, SIZE)


def pad_summoned_long(out: Path) -> None:
    """After 呼叫后台 to a department with a long name: the window keeps its size and buttons."""
    with serving_pad(long_names=True) as (_lh, app):
        pad = app.presenter
        longest = max(pad.state.departments(), key=len)
        app.view._send(lambda: pad.summon(longest, "材料需后台确认"))
        reach(lambda: pad.summons and pad.pending is None, "summoned")
        grab(app.view, out, SIZE)


def pad_summon(out: Path) -> None:
    """The window pad after 呼叫后台: the guide has answered (已响应), with the time it took."""
    with serving_pad() as (lh, app):
        pad = app.presenter
        app.view._send(lambda: pad.summon(pad.summon_department(), "需要审批人员现场确认"))
        reach(lambda: pad.summon_state == "pending", "summoned")
        assert pad.window_state is not None
        sid = pad.window_state.summons[0].id
        assert lh.hub is not None
        lh.hub.service.clock = lambda: hallclock.now() + 150  # answered two and a half minutes later
        lh.guide(Cast(lh.hall).guide, pin=PIN).request("summon.respond", {"summon": sid})
        reach(lambda: pad.summon_state == "responded", "answered")
        grab(app.view, out, SIZE)


# ---------------------------------------------------------------- the guide console


def guide_hall(out: Path, long_names: bool = False) -> None:
    with guide_console(minutes_on=35, long_names=long_names) as (_lh, app, _s01):  # 35 minutes on: long waits
        grab(app.view, out, SIZE)


def guide_search(out: Path) -> None:
    with guide_console() as (_lh, app, _s01):
        view = app.view
        view.tabs.setCurrentIndex(1)
        view.ticket_search.setText("a00")
        view._select_first_match()
        grab(view, out, SIZE)


def guide_ticket(out: Path) -> None:
    with guide_console() as (_lh, app, _s01):
        console = app.presenter
        app.view.tabs.setCurrentIndex(1)
        pending = next((t for t in console.tickets if t.priority_group and not t.priority_verified),
                       console.tickets[0])
        console.select_ticket(pending.id)
        app.view.ticket_reason.setCurrentText("老年人，已核验身份证")
        grab(app.view, out, SIZE)


def guide_windows(out: Path) -> None:
    with guide_console() as (lh, app, _s01):
        app.view.tabs.setCurrentIndex(2)
        pads = Cast(lh.hall).devices("pad", window=True)
        app.view.window_table.select_id(Cast(lh.hall).window_of(pads[min(1, len(pads) - 1)]))
        app.view.window_reason.setCurrentText("窗口调整")
        grab(app.view, out, SIZE)


def guide_followups(out: Path) -> None:
    with guide_console() as (lh, app, s01):
        pad, window = s01.client, s01.presenter.window
        screen = window_screen(lh, window)
        for level, reason in ((1, "等候时间过长"), (0, "")):  # the window has a ticket called: finish it, rate it
            pad.request("ticket.outcome", {"window": window, "outcome": "accepted"})
            if level:
                screen.request("evaluation.submit", {"window": window, "level": level, "reason": reason})
            else:
                screen.request("evaluation.skip", {"window": window})
            pad.request("ticket.call_next", {"window": window})
        view, console = app.view, app.presenter
        view.tabs.setCurrentIndex(next(i for i in range(view.tabs.count()) if "回访" in view.tabs.tabText(i)))
        view._send(console.load_followups)
        reach(lambda: len(console.followups) >= 2, "follow-ups")
        view.followup_table.select_id(console.followups[0].ticket)
        view.followup_note.setText("已电话致歉，增开窗口")
        grab(view, out, SIZE)


def guide_summons(out: Path) -> None:
    """呼叫后台 on the guide console: one answered, one waiting, one escalated (an alert too)."""
    with guide_console(minutes_on=12) as (lh, app, s01):  # 12 minutes on: one is overdue
        departments = list(dict.fromkeys(m.department for m in lh.hall.matters.values() if m.department))
        departments += ["公安局", "自然资源局", "市场监管局"]  # a hall file with fewer departments
        escalated = summon(s01.client, s01.presenter.window, departments[0], "材料需审批人确认")
        assert lh.hub is not None
        lh.hub.service.clock = lambda: hallclock.now() + 11 * 60  # the hub's timer sees 11 minutes pass
        g1 = app.client  # a guide may summon for any window (here: for the windows without a pad app)
        cast = Cast(lh.hall)
        others = [cast.window_of(d) for d in cast.devices("pad", window=True)[1:3]]  # the windows busy_hall opened
        if others:
            summon(g1, others[-1], departments[1])
        if len(others) > 1:
            g1.request("summon.respond", {"summon": summon(g1, others[0], departments[2])})
        console, view = app.presenter, app.view
        reach(lambda: len(console.summon_rows()) == 1 + len(others)
              and any(r["escalated"] for r in console.summon_rows()), "summons")
        view.sound = lambda: None
        view.tabs.setCurrentIndex(view.summon_tab)
        view.summon_table.select_id(escalated)
        console.select_summon(escalated)
        grab(view, out, SIZE)


SCENES: dict[str, Callable[[Path], None]] = {
    "pad-login": pad_login,
    "pad-idle": pad_idle,
    "pad-serving": pad_serving,
    "pad-outcome": pad_outcome,
    "pad-offline": pad_offline,
    "pad-pending-sync": pad_pending_sync,
    "pad-pass-confirm": pad_pass_confirm,
    "pad-backfill": pad_backfill,
    "pad-transfer-long": pad_transfer_long,
    "pad-summoned-long": pad_summoned_long,
    "guide-hall": guide_hall,
    "guide-hall-long": lambda out: guide_hall(out, long_names=True),
    "guide-search": guide_search,
    "guide-ticket": guide_ticket,
    "guide-windows": guide_windows,
    "guide-followups": guide_followups,
    "guide-summons": guide_summons,
    "pad-summon": pad_summon,
}
