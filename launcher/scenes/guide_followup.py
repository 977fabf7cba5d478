"""Screenshot scenes of the guide console's 回访 view: a consenting citizen's number shown, then masked.

The number is an obviously fake one (:data:`FAKE_PHONE`): a scene never shows a real-looking number.
The set-up is the guide console's (:func:`launcher.scenes.pad_setup.guide_console`); here the first
window serves one 差评, one 未评价 and one 未评价 whose citizen consented to messages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hallq import clock as hallclock
from launcher.local_hall import Cast
from launcher.scenes.common import grab, reach
from launcher.scenes.pad_setup import first_situation, guide_console, issue, window_screen

SIZE = (1280, 800)  # a 10-inch tablet
FAKE_PHONE = "12345678901"  # obviously not a real mobile number


def _finish(lh: Any, pad: Any, window: str, level: int = 0, reason: str = "") -> None:
    """The window's current service ends (受理) and is rated ``level`` (0: 未评价)."""
    pad.request("ticket.outcome", {"window": window, "outcome": "accepted"})
    screen = window_screen(lh, window)
    if level:
        screen.request("evaluation.submit", {"window": window, "level": level, "reason": reason})
    else:
        screen.request("evaluation.skip", {"window": window})


def _revealed(out: Path, masked: bool) -> None:
    with guide_console() as (lh, app, s01):
        pad, window = s01.client, s01.presenter.window
        _finish(lh, pad, window, 1, "等候时间过长")  # the ticket busy_hall left called: a 差评
        consenting = issue(lh.client(Cast(lh.hall).kiosk), *first_situation(lh), phone=FAKE_PHONE,
                           notify_consent=True)
        pad.request("ticket.call_next", {"window": window})
        _finish(lh, pad, window)  # 未评价, no consent
        pad.request("ticket.call", {"window": window, "ticket": consenting["id"]})
        _finish(lh, pad, window)  # 未评价, consented
        view, console = app.view, app.presenter
        view.tabs.setCurrentIndex(next(i for i in range(view.tabs.count()) if "回访" in view.tabs.tabText(i)))
        view._send(console.load_followups)
        reach(lambda: len(console.followups) >= 3 and console.pending is None, "follow-ups")
        view.followup_table.select_id(consenting["id"])
        console.selected_followup = consenting["id"]
        view._send(lambda: console.show_phone(consenting["id"]))
        reach(lambda: console.pending is None and console.reveal.ticket == consenting["id"], "the number shown")
        if masked:
            console.clock = lambda: hallclock.now() + 61  # the minute is over
            view.followup_result.setCurrentIndex(view.followup_result.findData("no_answer"))
        else:
            view.followup_result.setCurrentIndex(view.followup_result.findData("called"))
        view.refresh()
        grab(view, out, SIZE)


SCENES: dict[str, Callable[[Path], None]] = {
    "guide-followup-phone": lambda out: _revealed(out, masked=False),
    "guide-followup-masked": lambda out: _revealed(out, masked=True),
}
