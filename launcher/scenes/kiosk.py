"""Screenshot scenes for ``hallq screenshot kiosk-…``: the real kiosk on a real in-process hall.

Each scene starts a :class:`launcher.local_hall.LocalHall` (embedded broker, real hub, the sample
hall or the one given with ``hallq screenshot --config``), connects a real kiosk client (the
hall's first kiosk), drives the model the way a citizen's touches would, waits until the hub and
printer have answered, and grabs the window (offscreen) to a PNG.  Matters are found by what
they are (one with questions, one ending at a window ticket or online), not by the sample's ids.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hallq import clock as hallclock
from launcher.local_hall import Cast
from launcher.scenes.common import reach

SAMPLE_ID = "11010519491231002X"  # a GB 11643 test vector, not a person
PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)


def _scene(out: Path, drive: Callable[[Any, Any, Any], Callable[[], bool]], *, size: tuple[int, int] = PORTRAIT,
           printer: str = "dummy", elder: bool = False, notifier: bool = False) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from hallq.qt.app import make_app, save_grab
    from kiosk.controller import KioskController
    from kiosk.model import KioskModel
    from kiosk.views import KioskWindow
    from launcher.local_hall import LocalHall

    app = make_app()
    tmp = Path(tempfile.mkdtemp(prefix="hallq-scene-"))
    hall = LocalHall(_with_notifier() if notifier else None, db=tmp / "hall.db").start()
    controller = None
    try:
        kiosk = Cast(hall.hall).kiosk
        client = hall.client(kiosk)
        model = KioskModel(kiosk, clock=hallclock.now)
        controller = KioskController(client, model, spool_path=tmp / "spool.json", printer_override=printer)
        window = KioskWindow(model)
        window.resize(*size)
        window.show()
        reach(lambda: model.catalog is not None and model.hub_up and model.printer.checked, "the kiosk online", 15)
        done = drive(model, controller, hall)
        if elder:
            model.set_elder(True)
        reach(done, "the kiosk scene's state", 15)
        for _ in range(5):
            app.processEvents()
            time.sleep(0.02)
        save_grab(window, out)
        window.close()
    finally:
        if controller is not None:
            controller.close()
        hall.stop()


def _with_notifier() -> Any:
    """The scene hall and a notifier (N1): the kiosk then asks for consent to be messaged (docs/notify.md)."""
    import dataclasses

    from hub.hall import Device, Role
    from launcher.local_hall import scene_hall

    hall = scene_hall()
    return dataclasses.replace(hall, devices={**hall.devices, "N1": Device("N1", Role.NOTIFY, "", "", "", "")})


def _consent(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
    """The ID filled, the phone typed and the consent tapped (同意接收短信通知)."""
    _identify(model, controller, hall)
    for c in SAMPLE_ID[12:]:
        model.key(c)
    for c in "13800138000":
        model.key(c)
    model.toggle_consent()
    return lambda: model.visible.value == "identify" and model.notify_consent


def _start(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
    model.home()
    return lambda: model.visible.value == "start"


def _path(matter: Any, wanted: Callable[[Any], bool]) -> list[int] | None:
    """The answers (option indexes) that lead from the first question to a wanted situation."""
    questions = {q.id: q for q in matter.questions}

    def walk(qid: str, seen: frozenset[str]) -> list[int] | None:
        for i, opt in enumerate(questions[qid].options):
            if opt.situation:
                s = matter.situation(opt.situation)
                if s is not None and wanted(s):
                    return [i]
            elif opt.next in questions and opt.next not in seen:
                rest = walk(opt.next, seen | {opt.next})
                if rest is not None:
                    return [i, *rest]
        return None

    return walk(matter.questions[0].id, frozenset({matter.questions[0].id})) if matter.questions else None


def _deepest(hall: Any, wanted: Callable[[Any], bool]) -> tuple[Any, list[int]] | None:
    """The matter whose way to a wanted situation takes the most answers (the first such)."""
    found = [(m, p) for m in hall.hall.matters.values() if (p := _path(m, wanted)) is not None]
    return max(found, key=lambda mp: len(mp[1])) if found else None


def _walk_to(model: Any, hall: Any, wanted: Callable[[Any], bool], what: str) -> None:
    found = _deepest(hall, wanted)
    if found is None:
        raise LookupError(f"大厅 {hall.hall.id} 没有{what}的情形 (no situation for this scene)")
    matter, path = found
    model.open_matter(matter.id)
    for i in path:
        model.answer(i)


def _ticketable(s: Any) -> bool:
    return bool(s.queue) and not (s.online or s.consult_only)


def _question(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
    matter, path = _deepest(hall, _ticketable) or (Cast(hall.hall).matter_with_questions(), [])
    model.open_matter(matter.id)
    if len(path) > 1:
        model.answer(path[0])  # into a second question: the trail shows both steps
    return lambda: model.visible.value == "question"


def _result(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
    _walk_to(model, hall, _ticketable, "可取号")
    return lambda: model.visible.value == "result"


def _with_waits(drive: Callable[[Any, Any, Any], Callable[[], bool]]) -> Callable[[Any, Any, Any], Callable[[], bool]]:
    """The scene with windows at work and people waiting in the queue it takes a ticket for, so the
    predicted wait (预计等候) has a basis: the queue's windows open, six tickets from another kiosk."""

    def busy(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
        from launcher.scenes.display import PIN

        _walk_to(model, hall, _ticketable, "可取号")
        assist = model.route.value == "assist"
        queue = model.catalog.assist_queue if assist else model.situation.queue
        matter, situation = model.walk.matter.id, model.situation.id
        model.home()
        cast = Cast(hall.hall)
        staff = iter(cast.staff("pad"))
        for w in hall.hall.windows.values():
            if queue not in w.queues or w.tidal:
                continue
            pad = next((d.id for d in hall.hall.devices.values() if d.role.value == "pad" and d.window == w.id),
                       cast.guide)  # a window with no pad in the hall file: the guide opens it
            hall.client(pad).request("window.open", {"window": w.id, "staff": next(staff), "pin": PIN})
        other = hall.client(next(k for k in cast.devices("kiosk") if k != cast.kiosk))
        for _ in range(6):
            other.request("ticket.issue", {"matter": matter, "situation": situation, "assist": assist})
        reach(lambda: model.queue_waits.get(queue, "暂无法估计") != "暂无法估计", "the queue's predicted wait", 15)
        return drive(model, controller, hall)

    return busy


def _online(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
    _walk_to(model, hall, lambda s: s.online, "全程网办")
    return lambda: model.visible.value == "result"


def _identify(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
    _result(model, controller, hall)
    model.take_ticket()
    for c in SAMPLE_ID[:12]:
        model.key(c)
    return lambda: model.visible.value == "identify"


def _identify_priority(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
    model.open_priority()
    groups = hall.hall.priority_groups
    if not groups:
        raise LookupError(f"大厅 {hall.hall.id} 没有优先群体 (no [[priority_groups]] for this scene)")
    model.choose_priority(max(groups.values(), key=lambda g: len(g.name)).id)  # the longest name
    done = _identify(model, controller, hall)
    from kiosk.model import Field

    model.select_field(Field.PHONE)  # left for the phone: the ID shows masked
    return done


def _search(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
    model.open_search()
    model.search("yb")
    return lambda: model.visible.value == "matters"


def _ticket(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
    _result(model, controller, hall)
    model.take_ticket()
    for c in SAMPLE_ID:
        model.key(c)
    model.submit()
    return lambda: model.visible.value == "ticket"


def _checkin(code: str, minutes_from_now: float, screen: str) -> Callable[[Any, Any, Any], Callable[[], bool]]:
    """预约签到 with a booking ``minutes_from_now`` away: early → the time to come back; late → a ticket."""

    def drive(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
        slot = (hallclock.now() + minutes_from_now * 60) // 600 * 600  # on a ten-minute mark, as bookings are
        matter, situation = next((m.id, s.id) for m, s in Cast(hall.hall).ticketable())
        hall.book(code, slot, matter, situation, "王**")
        model.open_checkin()
        for c in code:
            model.key(c)
        model.submit()
        return lambda: model.visible.value == screen

    return drive


def _offline(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
    model.outage_grace = 0.0  # the paused screen at once, as after an outage longer than the grace
    hall.hub.stop()
    hall.hub = None
    return lambda: model.visible.value == "offline"


def _reconnecting(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
    """确定取号 during a short outage: the citizen is told the kiosk waits for the network."""
    _identify(model, controller, hall)
    for c in SAMPLE_ID[12:]:
        model.key(c)
    hall.hub.stop()
    hall.hub = None
    reach(lambda: model.reconnecting, "the hub gone", 15)
    model.submit()
    return lambda: model.visible.value == "working" and model.pending is not None


def _paper_out(model: Any, controller: Any, hall: Any) -> Callable[[], bool]:
    return lambda: model.visible.value == "paper_out"


SCENES: dict[str, Callable[[Path], None]] = {
    "kiosk-start": lambda out: _scene(out, _start),
    "kiosk-start-landscape": lambda out: _scene(out, _start, size=LANDSCAPE),
    "kiosk-start-elder": lambda out: _scene(out, _start, elder=True),
    "kiosk-question": lambda out: _scene(out, _question),
    "kiosk-result": lambda out: _scene(out, _result),
    "kiosk-result-landscape": lambda out: _scene(out, _result, size=LANDSCAPE),
    "kiosk-online": lambda out: _scene(out, _online),
    "kiosk-id": lambda out: _scene(out, _identify),
    "kiosk-id-priority": lambda out: _scene(out, _identify_priority),
    "kiosk-id-elder": lambda out: _scene(out, _identify_priority, elder=True),
    "kiosk-id-consent": lambda out: _scene(out, _consent, notifier=True),
    "kiosk-id-consent-elder": lambda out: _scene(out, _consent, notifier=True, elder=True),
    "kiosk-search": lambda out: _scene(out, _search),
    "kiosk-search-elder": lambda out: _scene(out, _search, elder=True),
    "kiosk-result-elder": lambda out: _scene(out, _result, elder=True),
    "kiosk-ticket": lambda out: _scene(out, _ticket),
    "kiosk-result-wait": lambda out: _scene(out, _with_waits(_result)),
    "kiosk-ticket-wait": lambda out: _scene(out, _with_waits(_ticket)),
    "kiosk-checkin-early": lambda out: _scene(out, _checkin("YY3001", 150, "notice")),
    "kiosk-checkin-late": lambda out: _scene(out, _checkin("YY3002", -40, "ticket")),
    "kiosk-offline": lambda out: _scene(out, _offline),
    "kiosk-reconnecting": lambda out: _scene(out, _reconnecting),
    "kiosk-paper-out": lambda out: _scene(out, _paper_out, printer="dummy:out"),
}
