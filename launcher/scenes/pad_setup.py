"""The set-ups the pad and guide console scenes share: a hall with queues, a pad signed in and serving,
a guide console over a busy hall (:mod:`launcher.scenes.pad`).

Devices, staff and matters are picked by role from the hall (:class:`~launcher.local_hall.Cast`),
so that every scene renders any hall file given with ``hallq screenshot --config``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from hallq import clock as hallclock
from hallq.client import HallClient
from launcher.local_hall import SCENE_PIN, Cast, LocalHall
from launcher.scenes.common import reach

PIN = SCENE_PIN


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
    reach(lambda: pad.online and pad.window_state, "pad online")
    if login:
        app.client.request("window.open", {"window": pad.window, "staff": pad_staff(lh), "pin": PIN})
        reach(lambda: pad.logged_in, "logged in")
    return app


def serve(app: Any, outcome: str, reason: str = "") -> dict[str, Any]:
    pad = app.presenter
    ticket = app.client.request("ticket.call_next", {"window": pad.window})["ticket"]
    args = {"window": pad.window, "outcome": outcome}
    if reason:
        args["reason"] = reason
    app.client.request("ticket.outcome", args)
    return dict(ticket)


def has_list(client: HallClient) -> bool:
    try:
        client.request("tickets.list", {}, timeout=2, retries=0)
    except Exception:
        return False
    return True


def call_next(app: Any) -> None:
    """叫号 on the pad's own screen, until the ticket is on it."""
    pad = app.presenter
    app.view._send(pad.call_next)
    reach(lambda: pad.current is not None and pad.pending is None, "called")


@contextlib.contextmanager
def serving_pad(long_names: bool = False) -> Iterator[tuple[LocalHall, Any]]:
    """A hall with queues and the first window's pad signed in and serving its first caller."""
    with hall(long_names) as lh:
        fill_queues(lh.client(Cast(lh.hall).kiosk), lh)
        app = staff_pad(lh)
        try:
            call_next(app)
            yield lh, app
        finally:
            app.close()


def busy_hall(lh: LocalHall) -> Any:
    """Queues, two kiosks' printers in trouble, the first window serving (one served before), a second
    window paused, a third open; returns the first window's pad app."""
    cast = Cast(lh.hall)
    kiosk = lh.client(cast.kiosk)
    fill_queues(kiosk, lh)
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
    return s01


@contextlib.contextmanager
def guide_console(minutes_on: float = 0.0, long_names: bool = False) -> Iterator[tuple[LocalHall, Any, Any]]:
    """The guide console, signed in, over :func:`busy_hall`, its clock ``minutes_on`` ahead (long-wait
    alerts); yields the hall, the console's app and the first window's pad app."""
    from pad.app import PadApp
    from pad.guide import GuideConsole
    from pad.guide_view import GuideView

    def clock() -> float:
        return hallclock.now() + minutes_on * 60

    with hall(long_names) as lh:
        s01 = busy_hall(lh)
        cast = Cast(lh.hall)
        pads = cast.devices("pad", window=True)
        app = PadApp(lh.url, lh.hall.id, cast.guide, "guide", clock=clock if minutes_on else hallclock.now).start()
        try:
            console, view = app.presenter, app.view
            assert isinstance(console, GuideConsole)
            assert isinstance(view, GuideView)
            reach(lambda: console.online and len(console.state.windows) >= min(3, len(pads)) and console.tickets,
                  "guide state")
            view._send(lambda: console.login(cast.staff("guide")[0], PIN))  # 签到: the sample hall requires it
            reach(lambda: console.operator != "", "guide sign-in")
            yield lh, app, s01
        finally:
            app.close()
            s01.close()


def summon(client: HallClient, window: str, department: str, note: str = "") -> str:
    args = {"window": window, "department": department}
    if note:
        args["note"] = note
    return str(client.request("window.summon", args)["summon"]["id"])
