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


def wait_words(lo: int | None, hi: int | None, *, chinese: bool = False) -> str:
    """约 15-25 分钟 / 约 5 分钟内 / 暂无法估计 (no basis); ``chinese``: whatever the screen's
    language (a slip is printed in Chinese)."""
    say = (lambda text, **v: text.format(**v)) if chinese else tr
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
        lo, hi = view.get("wait_lo_min"), view.get("wait_hi_min")
    else:
        lo, hi = getattr(view, "wait_lo_min", UNSET), getattr(view, "wait_hi_min", UNSET)
        if lo is UNSET or hi is UNSET:
            return None
    return wait_words(lo, hi)


add_english({
    UNKNOWN: "cannot be estimated now",
    "约 {hi} 分钟内": "within about {hi} min",
    "约 {lo}-{hi} 分钟": "about {lo}-{hi} min",
    CAVEAT: "An estimate only: please follow the calls",
    "预计等候": "Expected wait",
    "预计等候：{wait}": "Expected wait: {wait}",
})
