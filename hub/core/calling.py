"""Calling order (叫号顺序): which ticket a window calls next, and where a retaken one goes back in.

The rules are told in :mod:`hub.core`'s docstring (transferred tickets first, stage 1 before
``overflow``, verified priority within ``priority_max_consecutive``, then a smooth weighted
round robin over the queues; inside a queue by ``(class, order, seq)``).
"""

from __future__ import annotations

import bisect
from typing import Protocol

from hub.core.model import APPOINTMENT, PRIORITY, Key, WindowRuntime
from hub.hall import Hall


class WaitingLists(Protocol):
    """What the calling order reads: the hall and the waiting lists (the day's
    :class:`~hub.core.state.HallState`, or the predicted wait's copies of them)."""

    @property
    def hall(self) -> Hall: ...
    @property
    def waiting(self) -> dict[str, list[Key]]: ...
    @property
    def direct(self) -> dict[str, list[Key]]: ...


def pick(day: WaitingLists, w: WindowRuntime) -> tuple[Key | None, tuple[str, ...]]:
    """The next ticket a window calls, and the queues the round robin chose among (none when a
    ticket transferred to the window or a verified priority ticket comes first)."""
    if day.direct[w.id]:
        return day.direct[w.id][0], ()
    weights = day.hall.windows[w.id].weights
    limit = day.hall.policy.priority_max_consecutive
    for stage in (w.queues, w.overflow):
        cands = [q for q in stage if day.waiting[q]]
        if not cands:
            continue
        normal_waiting = [q for q in cands if day.waiting[q][-1][0] != PRIORITY]
        prio_ok = w.consecutive_priority < limit or not normal_waiting
        if prio_ok:
            heads = [day.waiting[q][0] for q in cands if day.waiting[q][0][0] == PRIORITY]
            if heads:
                return min(heads), ()
        eligible = tuple(cands if prio_ok else normal_waiting)
        q = wrr_choice(w.wrr, eligible, weights)
        lst = day.waiting[q]
        return (lst[0] if prio_ok else lst[bisect.bisect_left(lst, (APPOINTMENT,))]), eligible
    return None, ()


def slot_after(lst: list[Key], places: int, own_cls: int, now: float) -> tuple[int, float]:
    """A (cls, order) that sorts right after the first ``places`` entries of ``lst``."""
    if len(lst) <= places:
        return (max(own_cls, lst[-1][0]) if lst else own_cls), now
    prev, nxt = lst[places - 1] if places else None, lst[places]
    if prev is None:
        return nxt[0], nxt[1] - 1.0
    if prev[0] != nxt[0]:
        if prev[0] == PRIORITY and own_cls != PRIORITY:  # sort just before nxt: never become "priority"
            return nxt[0], nxt[1] - 1e-3
        return prev[0], prev[1] + 1e-3
    return prev[0], (prev[1] + nxt[1]) / 2


def wrr_choice(credit: dict[str, int], eligible: tuple[str, ...], weights: dict[str, int]) -> str:
    """Smooth weighted round-robin (as nginx): add each weight, take the highest credit."""
    return max(eligible, key=lambda q: (credit.get(q, 0) + weights.get(q, 1), -eligible.index(q)))


def wrr_commit(credit: dict[str, int], eligible: tuple[str, ...], weights: dict[str, int], chosen: str) -> None:
    total = 0
    for q in eligible:
        credit[q] = credit.get(q, 0) + weights.get(q, 1)
        total += weights.get(q, 1)
    credit[chosen] = credit.get(chosen, 0) - total
