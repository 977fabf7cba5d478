"""The predicted wait (预计等候时间): when a waiting ticket will be called, from the live state.

Why a forward run rather than a formula. The naive figure — people ahead × average service
time ÷ open windows — is wrong in exactly the ways a 一窗受理 hall is built: a window serves
several queues with weights (A:2 B:1), stage-2 (``overflow``) queues only when stage 1 is
empty, verified priority tickets (绿色通道) go first within ``priority_max_consecutive``,
tickets transferred to a window go before all of them, windows work at different speeds,
some are paused or not logged in, and a window busy with a citizen is free only when that
service ends. So the estimator plays the calling rules forward: every open window becomes
free when its current service is expected to end, and then takes what
:func:`hub.core.calling.pick` — the very rule the hub calls with — would give it, on copies
of the waiting lists; each ticket then holds the window for its queue's learnt time at that
window (:mod:`hub.core.service_times`) plus the staff's gap. The moment a ticket is taken is
its predicted call. A zero-time "new ticket" at the tail of every queue gives the wait a
citizen would have if they took a ticket now (the kiosk, the hall TV). Paused windows
(暂停) and windows nobody is logged in at do not serve; a queue no open window serves has
no basis for an estimate, and says so (``None``: 暂无法估计).

Where the window times start. Before the day has taught anything, each queue's and matter's
time is the hall file's ``service_minutes`` drawn towards earlier days' measured times
(:meth:`hub.core.service_times.ServiceTimes.seed`; the core seeds when it is made, the store gives
the history when the hub starts and at each new day). What the times hold is a function of what is
stored: a hub restarted mid-day or a standby promoted rebuilds them from today's events
(:meth:`hub.store.Store.learnt_times`) and predicts, for the same ticket at the same moment, what the
live hub predicted (tests/hub/test_estimate_restart.py, tests/ha/test_standby_wait.py).

Arrivals after now. A new walk-in goes behind, so an ordinary ticket's wait depends on later
arrivals only through those that jump the queue (:mod:`hub.core.calling`): verified priority
tickets (绿色通道, before every ordinary one), appointments checked in (预约, promoted at their
slot), passed tickets re-taken a few places back (过号取号) and tickets transferred in that keep
their place. The run counts each queue's jumpers over the last hour (:data:`JUMP_WINDOW_S`, at
least :data:`JUMP_MIN_SPAN_S` of it at the day's start) as a rate λ; each brings its queue's time
s spread over the c windows serving it, a load ρ = λ·s/c. The range's top then holds their
expected work — a wait W grows to W/(1-ρ), as the jumpers during the longer wait jump too — and
one Poisson deviation of their number (√(λ·W)·s/c). The point stays the forward run's: in the
benchmark, moving it by the jumpers' mean made the p90 error worse (a jumper may come or not, and
the queues with many are the short single-window ones where one service is most of the error),
while the range with them holds the real wait as often as it should (bench/bench_wait.py).
Priority tickets and tickets sent to a window are not moved.

Time of day. A wait that runs past the next time the hall expires its waiting tickets
(``policy.expire_at``: the lunch break, the close; or the end of its opening hours) cannot be
promised: the prediction says so (``past_close``: "session" before a break, "day" at the
close; 本时段可能无法办理 / 今日可能无法办理).

One run answers every waiting ticket and every queue, so it is kept on the state
(:attr:`hub.core.state.HallState.wait_memo`): renewed by the hub's timers
(:meth:`hub.core.HallCore.tick`, before every command) once it is :data:`REFRESH_S` seconds
of hall time old, and by the window commands themselves when a window opens, pauses, resumes,
closes or changes queues (:meth:`hub.core.windows.WindowDesk._new_forecast`). Only those points
renew it, never a read: what a reply or a summary says depends on the state alone, so a batch of
commands answers as the same commands one by one. In between, a ticket is looked up by its place
in its list (people ahead now, plus those called off the list since the forecast, whose places it
then had), so tickets called or added since move it, and its wait counts from the forecast's time
(at most 30 s off). That keeps the hub's hot path (a call) to a lookup. The run stops after
:data:`MAX_STEPS` calls; places beyond are extrapolated at the queue's rate.

The range: a wait is a sum of the services before it, so its relative spread shrinks as
more come before (about 1/√n; service times vary by ~50 % each); the bounds are rounded to
five minutes, the way a hall says it (约 15-25 分钟). Pure: no I/O, ``now`` passed in.
"""

from __future__ import annotations

import bisect
import heapq
import math
from dataclasses import dataclass, field

from hub.core.calling import pick, wrr_commit
from hub.core.model import NORMAL, PRIORITY, Key, Ticket, TicketState, WindowRuntime, WindowState
from hub.core.state import HallState
from hub.hall import Hall

REFRESH_S = 30.0  # a forecast serves this long (hall time) unless the windows change
MAX_STEPS = 800  # calls played forward at most; places beyond are extrapolated
STEP_MIN = 5  # the range is said in steps of five minutes
SPREAD, SPREAD_MIN, SPREAD_MAX = 0.6, 0.2, 0.6  # the range: ± SPREAD/√(n+1) of the point, within these (0.7 before
# the jumpers widened its top: the real wait fell inside 84-88 % of the time, above the ~80 % aimed at)
TAIL = "\x00"  # a virtual "new ticket now" at the end of a queue: its id is TAIL + queue
MODEL_ARRIVALS = True  # jumpers' expected work (bench/bench_wait.py turns it off to measure what it adds)
JUMP_WINDOW_S = 3600.0  # jumpers are counted over the last hour
JUMP_MIN_SPAN_S = 1800.0  # … and over at least half an hour, so the day's first jumper is not a flood
JUMP_RHO_MAX = 0.5  # the jumpers' load at most doubles a wait


@dataclass(frozen=True)
class WaitRange:
    """A predicted wait: the point estimate and a range, in whole minutes (range in steps of
    :data:`STEP_MIN`, ``lo_min`` may be 0), and how many are called before it (``ahead``)."""

    minutes: int
    lo_min: int
    hi_min: int
    ahead: int
    # "session": the call would come after the hall voids waiting tickets (a break); "day": after it closes
    past_close: str = ""


@dataclass
class Forecast:
    """One forward run: per queue (and per window's transferred list) the predicted call time of
    each place at ``at``, the queue's tail (a new ticket) last; seconds per place beyond."""

    at: float
    signature: tuple[object, ...]
    queues: dict[str, list[float]] = field(default_factory=dict)
    direct: dict[str, list[float]] = field(default_factory=dict)
    per_place_s: dict[str, float] = field(default_factory=dict)  # queue or window → seconds per extra place
    called_from: dict[str, int] = field(default_factory=dict)  # the state's counts of calls off each list then
    jump_rate: dict[str, float] = field(default_factory=dict)  # per queue: jumpers a second (λ)
    jump_cost: dict[str, float] = field(default_factory=dict)  # per queue: a jumper's seconds of work (s/c)
    cutoffs: tuple[tuple[float, str], ...] = ()  # today's times waiting tickets expire after ``at``, and their kind


@dataclass
class _Lists:
    """What :func:`pick` reads: the hall and copies of the waiting lists."""

    hall: Hall
    waiting: dict[str, list[Key]]
    direct: dict[str, list[Key]]


# ------------------------------------------------------------------ what callers ask


def predict_ticket(state: HallState, ticket_id: str, now: float) -> WaitRange | None:
    """The predicted wait of a waiting ticket (by id or today's number); None when it is not
    waiting or no open window serves it (暂无法估计)."""
    t = state.tickets.get(ticket_id) or state.tickets.get(state.by_number.get(ticket_id.upper(), ""))
    if t is None or t.state is not TicketState.WAITING:
        return None
    f = forecast(state, now)
    ahead = state.ahead(t)
    if t.target_window:
        place = ahead + _called_since(state, f, "w:" + t.target_window)
        return _range(_at(f.direct.get(t.target_window, []), place, f.per_place_s.get(t.target_window, 0.0)),
                      f.at, ahead, cutoffs=f.cutoffs)
    place = ahead + _called_since(state, f, t.queue)
    return _range(_at(f.queues.get(t.queue, []), place, f.per_place_s.get(t.queue, 0.0)), f.at, ahead,
                  *_jumpers(f, t.queue, t.cls == NORMAL), cutoffs=f.cutoffs)


def queue_wait(state: HallState, queue: str, now: float) -> WaitRange | None:
    """The wait a new ordinary ticket of ``queue`` would have if taken now (None: no basis)."""
    f = forecast(state, now)
    ahead = bisect.bisect_right(state.waiting[queue], (NORMAL, now, 1 << 62, TAIL))  # a walk-in now: behind these
    place = ahead + _called_since(state, f, queue)
    return _range(_at(f.queues.get(queue, []), place, f.per_place_s.get(queue, 0.0)), f.at, ahead,
                  *_jumpers(f, queue, True), cutoffs=f.cutoffs)


def _jumpers(f: Forecast, queue: str, ordinary: bool) -> tuple[float, float]:
    """(λ, s/c) of the queue's jumpers for an ordinary ticket (a priority one is not jumped)."""
    if not ordinary or not MODEL_ARRIVALS:
        return 0.0, 0.0
    return f.jump_rate.get(queue, 0.0), f.jump_cost.get(queue, 0.0)


def _called_since(state: HallState, f: Forecast, where: str) -> int:
    """Tickets called off a list since the forecast: the places before them were taken at the times
    the forecast gave, so the places now count from there (the head called → the next one is not
    free at once: it has the time the forecast gave the second place)."""
    return state.called_from.get(where, 0) - f.called_from.get(where, 0)


def forecast(state: HallState, now: float) -> Forecast:
    """The memoised forward run while the windows are as it saw them; otherwise a fresh one at
    ``now``, not kept (only :func:`refresh` keeps one, so what a reply or a summary says depends
    on the state alone, not on when or how often it was asked: a batch answers as commands alone)."""
    memo = state.wait_memo
    sig = signature(state)
    if isinstance(memo, Forecast) and memo.signature == sig:
        return memo
    return run(state, now, sig)


def refresh(state: HallState, now: float) -> None:
    """Renew the kept forecast when it is :data:`REFRESH_S` old or the windows changed (the hub's
    timers call it before every command, :meth:`hub.core.HallCore.tick`)."""
    memo = state.wait_memo
    sig = signature(state)
    if not isinstance(memo, Forecast) or memo.signature != sig or not 0 <= now - memo.at < REFRESH_S:
        state.wait_memo = run(state, now, sig)


def signature(state: HallState) -> tuple[object, ...]:
    """What makes a forecast obsolete at once: the day and which windows serve what (a counter the
    window events move, so the check costs nothing on the hot path)."""
    return (state.day, state.windows_version)


# ------------------------------------------------------------------ the forward run


def run(state: HallState, now: float, sig: tuple[object, ...] = ()) -> Forecast:
    """Play the calling rules forward from ``now`` over copies of the waiting lists."""
    stats = state.service_times
    if stats.seeded_from is not state.hall:
        seed(state)
    gap = stats.gap_s
    lists = _Lists(state.hall, {q: [*lst, (NORMAL, now, 1 << 62, TAIL + q)] for q, lst in state.waiting.items()},
                   {w: list(lst) for w, lst in state.direct.items()})
    heap: list[tuple[float, int, WindowRuntime]] = []
    for i, w in enumerate(state.windows.values()):
        if w.state is not WindowState.OPEN:
            continue
        free = now + gap / 2
        current = state.tickets.get(w.current) if w.current else None
        if current is not None:
            expected = stats.service_s(current.queue, w.id, current.matter)
            elapsed = now - (current.called_at if current.called_at is not None else now)
            free = now + max(expected - elapsed, 0.15 * expected) + gap
        shadow = WindowRuntime(w.id, w.queues, w.overflow, consecutive_priority=w.consecutive_priority,
                               wrr=dict(w.wrr))
        heapq.heappush(heap, (free, i, shadow))
    called: dict[str, float] = {}
    steps = 0
    while heap and steps < MAX_STEPS:
        at, i, w = heapq.heappop(heap)
        key, eligible = pick(lists, w)
        if key is None:
            continue  # nothing left this window may call: it drops out
        steps += 1
        tid = key[3]
        ticket = None if tid.startswith(TAIL) else state.tickets[tid]
        queue = tid[1:] if ticket is None else ticket.queue
        direct = lists.direct[w.id]
        lst = direct if direct and direct[0] == key else lists.waiting[queue]
        del lst[bisect.bisect_left(lst, key)]
        called[tid] = at
        w.consecutive_priority = w.consecutive_priority + 1 if key[0] == PRIORITY else 0
        if eligible:
            wrr_commit(w.wrr, eligible, state.hall.windows[w.id].weights, queue)
        cost = 0.0 if ticket is None else stats.service_s(queue, w.id, ticket.matter) + gap
        heapq.heappush(heap, (at + cost, i, w))
    out = Forecast(now, sig or signature(state), called_from=dict(state.called_from))
    open_windows = [w for w in state.windows.values() if w.state is WindowState.OPEN]
    for q, lst in state.waiting.items():
        stage1 = sum(1 for w in open_windows if q in w.queues)
        servers = stage1 or sum(1 for w in open_windows if q in w.overflow)
        if not servers:
            continue  # no open window serves it: no basis
        out.per_place_s[q] = (stats.service_s(q) + gap) / servers
        out.queues[q] = _fill([called.get(k[3]) for k in lst] + [called.get(TAIL + q)], out.per_place_s[q], now)
        out.jump_cost[q] = out.per_place_s[q]
    out.jump_rate = jump_rates(state, now)
    out.cutoffs = cutoffs(state, now)
    for w in open_windows:
        out.per_place_s[w.id] = stats.overall_s() + gap
        out.direct[w.id] = _fill([called.get(k[3]) for k in state.direct[w.id]], out.per_place_s[w.id], now)
    return out


def seed(state: HallState) -> None:
    """Seed the window times from the hall file's ``service_minutes`` (per queue, per matter), with
    the earlier days' history the store gave (kept in the service times)."""
    state.service_times.seed_hall(state.hall)


def jumps(t: Ticket) -> bool:
    """Did this ticket go into its list ahead of ordinary tickets already waiting? (绿色通道, 预约,
    过号取号, a transfer that keeps its place)"""
    return t.cls != NORMAL or bool(t.priority_group) or t.appointment_slot is not None or t.retakes > 0 \
        or t.transfers > 0


def jump_rates(state: HallState, now: float) -> dict[str, float]:
    """Per queue, jumpers a second over the last hour (at least :data:`JUMP_MIN_SPAN_S` of it)."""
    since = now - JUMP_WINDOW_S
    first = now
    counts: dict[str, int] = {}
    for t in state.tickets.values():
        first = min(first, t.issued_at)
        if since <= t.issued_at <= now and jumps(t):
            counts[t.queue] = counts.get(t.queue, 0) + 1
    span = min(JUMP_WINDOW_S, max(JUMP_MIN_SPAN_S, now - first))
    return {q: n / span for q, n in counts.items()}


def cutoffs(state: HallState, now: float) -> tuple[tuple[float, str], ...]:
    """Today's times after ``now`` at which waiting tickets expire (``policy.expire_at``; without
    any, the end of the last opening span): "session" for all but the last, "day" for it."""
    local = state.local(now)
    policy = state.hall.policy
    marks = list(policy.expire_at)
    if not marks and policy.opening_hours:
        marks = [max(end for _, end in policy.opening_hours)]
    times = sorted(local.replace(hour=m.hour, minute=m.minute, second=m.second, microsecond=0).timestamp()
                   for m in marks)
    return tuple((t, "day" if i == len(times) - 1 else "session") for i, t in enumerate(times) if t > now)


def _fill(times: list[float | None], per_place: float, now: float) -> list[float]:
    """Places the run did not reach (it stopped at MAX_STEPS) follow the last one reached."""
    out: list[float] = []
    last = now
    for t in times:
        last = t if t is not None else last + per_place
        out.append(last)
    return out


def _at(times: list[float], place: int, per_place: float) -> float | None:
    if not times:
        return None
    if place < len(times):
        return times[place]
    return times[-1] + (place - len(times) + 1) * per_place


def _range(at: float | None, now: float, ahead: int, rate: float = 0.0, cost: float = 0.0, *,
           cutoffs: tuple[tuple[float, str], ...] = ()) -> WaitRange | None:
    """The wait until ``at`` as a range; ``rate``, ``cost``: the queue's jumpers (λ a second, s/c
    seconds of work each) that would come before it; ``cutoffs``: when waiting tickets expire."""
    if at is None:
        return None
    wait = max(0.0, at - now)
    minutes = wait / 60
    rho = min(JUMP_RHO_MAX, rate * cost)
    longer = wait / (1 - rho)  # with the jumpers during the wait, and during the time they add
    jumped = (longer - wait + math.sqrt(rate * longer) * cost) / 60  # their expected work, and one deviation
    spread = min(SPREAD_MAX, max(SPREAD_MIN, SPREAD / math.sqrt(ahead + 1)))
    lo = math.floor(minutes * (1 - spread) / STEP_MIN) * STEP_MIN
    hi = max(STEP_MIN, math.ceil((minutes * (1 + spread) + jumped + 1) / STEP_MIN) * STEP_MIN)
    if hi - lo < 2 * STEP_MIN and lo > 0:  # never "约 15-15": at least ten minutes wide once past 5
        lo -= STEP_MIN
    past = next((kind for t, kind in cutoffs if now + wait > t), "")  # the first it passes: it expires then
    return WaitRange(round(minutes), lo, hi, ahead, past)
