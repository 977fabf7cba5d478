"""The predicted wait (预计等候) in words, the same on every screen and slip.

The hub sends a range in minutes (``wait_lo_min``, ``wait_hi_min``, in steps of five) in the ticket
view and in each queue's summary (docs/protocol.md), ``null`` when it has no basis (no open window
serves the queue), and nothing at all from an older hub. This turns that into what a hall says:
约 15-25 分钟, 约 5 分钟内, 暂无法估计 — Chinese first, English through :mod:`hallq.i18n`. It is an
estimate, and every surface says so (:data:`CAVEAT`).
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from hallq.i18n import add_english, tr

CAVEAT = "预计时间仅供参考，请以叫号为准"
UNKNOWN = "暂无法估计"
# the predicted call runs past the next time the hall voids waiting tickets (wait_past_close): say so
# rather than promise a time
PAST_CLOSE = {"session": "本时段可能无法办理", "day": "今日可能无法办理"}


def wait_words(lo: int | None, hi: int | None, *, chinese: bool = False, past: str = "") -> str:
    """约 15-25 分钟 / 约 5 分钟内 / 暂无法估计 (no basis) / 今日可能无法办理 (``past``: the call would
    come after the hall voids waiting tickets, ``wait_past_close``); ``chinese``: whatever the
    screen's language (a slip is printed in Chinese)."""
    say = (lambda text, **v: text.format(**v)) if chinese else tr
    if past in PAST_CLOSE and lo is not None:
        return say(PAST_CLOSE[past])
    if lo is None or hi is None:
        return say(UNKNOWN)
    if lo <= 0:
        return say("约 {hi} 分钟内", hi=hi)
    return say("约 {lo}-{hi} 分钟", lo=lo, hi=hi)


def wait_of(view: Any) -> str | None:
    """The words for a ticket view or queue summary (a dict or a typed message); None when the hub
    sent no prediction at all (an older hub: show nothing rather than guess)."""
    if isinstance(view, dict):
        if "wait_lo_min" not in view:
            return None
        lo, hi, past = view.get("wait_lo_min"), view.get("wait_hi_min"), view.get("wait_past_close") or ""
    else:
        lo, hi = getattr(view, "wait_lo_min", UNSET), getattr(view, "wait_hi_min", UNSET)
        if lo is UNSET or hi is UNSET:
            return None
        past = getattr(view, "wait_past_close", "")
        past = past if isinstance(past, str) else ""
    return wait_words(lo, hi, past=past)


add_english({
    UNKNOWN: "cannot be estimated now",
    "约 {hi} 分钟内": "within about {hi} min",
    "约 {lo}-{hi} 分钟": "about {lo}-{hi} min",
    CAVEAT: "An estimate only: please follow the calls",
    "预计等候": "Expected wait",
    "预计等候：{wait}": "Expected wait: {wait}",
    PAST_CLOSE["session"]: "May not be served before this session ends",
    PAST_CLOSE["day"]: "May not be served today",
})
