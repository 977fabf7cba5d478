"""The day, driven as a discrete-event simulation through the real hub.

One thread takes the next due action from a heap ordered by simulated time, moves the
:class:`SimClock` there (the hub reads the same clock, so its events carry the day's
times in Asia/Shanghai), and performs the action as the device that would do it in the
hall: a kiosk issues (取号) or re-takes (过号取号), a window pad opens, calls (叫号),
recalls (重呼), transfers (转移) and records the outcome (过号/受理/咨询/不予受理), the
window's evaluator rates (好差评), a guide verifies green-channel priority (绿色通道).

Nothing is decided here that the hub decides: which ticket a window gets is the hub's
answer to ``ticket.call_next``. The simulator only knows which windows are idle, and
wakes those serving a queue when a ticket joins it (staff react after a few seconds).
With ``speed`` > 0 each action waits for its wall-clock moment (``speed`` simulated
seconds per real second); with 0 it runs as fast as the hub answers.

``hallq demo`` plays the same simulator (:mod:`launcher.simulate.live`): fast, with no lead before
the hall opens, one day after the other beside real device windows.
Actions go through :mod:`launcher.simulate.devices`: a transport
(MQTT clients, or the hub service in-process for benchmarks), each device kept to the hall's
rate limit, a ``rate_limited`` refusal retried with the same request id; what each device sends
is made by :mod:`launcher.simulate.model`.  A guide signs in
(``guide.login``) before it verifies green-channel tickets.  What the hub still refused is
counted in :attr:`DayRun.errors`; ``hallq simulate`` then warns and exits non-zero.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import threading
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hallq.client import RequestError
from hub.hall import Hall, MatterKind
from launcher.simulate.devices import DevicePacer, SimDevices, Transport
from launcher.simulate.model import (
    SIM_PIN,
    Behaviour,
    MatterPicker,
    Staffing,
    arrivals,
    lognormal,
    outcome_args,
    rating_args,
    sessions,
    ticket_args,
)


class SimClock:
    """The hall's time during a simulation: set by the simulator, read by the hub."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Progress:
    now: float
    fraction: float
    issued: int
    served: int
    waiting: int


@dataclass
class WindowSim:
    id: str
    serves: frozenset[str]
    status: str = "closed"  # closed, idle, busy, paused
    ticket: str = ""
    pending_call: bool = False


@dataclass
class DayRun:
    counts: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    acknowledged: dict[str, str] = field(default_factory=dict)  # ticket id -> number, as the hub replied
    wall_s: float = 0.0
    requests: int = 0
    rate_limited_retries: int = 0  # rate_limited refusals retried with the same id (then answered)
    paced_s: float = 0.0  # wall seconds devices waited to keep to the hall's rate limit

    def refused(self) -> int:
        """Commands the hub refused in the end (after every retry)."""
        return sum(self.errors.values())


class DaySimulator:
    def __init__(self, hall: Hall, staffing: Staffing, transport: Transport, clock: SimClock, day: dt.date, *,
                 profile: dict[int, float], behaviour: Behaviour | None = None, seed: int = 1, speed: float = 0.0,
                 pin: str = SIM_PIN, progress: Callable[[Progress], None] | None = None,
                 stop: threading.Event | None = None, lead_s: float = 15 * 60) -> None:
        self.hall, self.st, self.tx, self.clock, self.day = hall, staffing, transport, clock, day
        self.tz = zoneinfo.ZoneInfo(hall.timezone)
        self.b = behaviour or Behaviour()
        self.rng = random.Random(seed)
        self.speed = speed
        self.pin = pin
        self.progress = progress
        self.stop_event = stop or threading.Event()
        self.sessions = sessions(hall, day, self.tz)
        self.profile = profile
        self.picker = MatterPicker(hall, self.rng)
        self.windows = {w: WindowSim(w, frozenset(hall.windows[w].queues) | frozenset(hall.windows[w].overflow))
                        for w in staffing.windows}
        self.tickets: dict[str, dict[str, Any]] = {}  # id -> {queue, matter, ...} (what the kiosk learnt)
        self.heap: list[tuple[float, int, str, tuple[Any, ...]]] = []
        self._n = 0
        self.run_result = DayRun()
        self.start_t = self.sessions[0][0] - lead_s  # the day starts this long before the hall opens
        self.end_t = self.sessions[-1][1] + 45 * 60
        self.pacer = DevicePacer(hall.policy.rate_per_minute, hall.policy.rate_burst, self.stop_event)
        self.devices = SimDevices(transport, self.pacer, self.stop_event)
        # told of every 受理 (window, ticket): the cases (launcher/simulate/cases.py) open theirs here
        self.on_accepted: Callable[[DaySimulator, str, str], None] | None = None

    # ------------------------------------------------------------ scheduling

    def at(self, t: float, action: str, *args: Any) -> None:
        self._n += 1
        heapq.heappush(self.heap, (t, self._n, action, args))

    def _req(self, device: str, op: str, args: dict[str, Any]) -> dict[str, Any]:
        """One command as a real device sends it (:class:`~launcher.simulate.devices.SimDevices`)."""
        return self.devices.request(device, op, args)

    def run(self) -> DayRun:
        started = time.monotonic()
        self.clock.now = self.start_t
        if self.st.guide and self.st.guide_staff:
            self.at(self.start_t, "guide_login")
        for w in self.windows:
            self.at(self.sessions[0][0] - self.rng.uniform(0, 300), "open", w)
        for start, end in self.sessions[1:]:
            for w in self.windows:
                self.at(start + self.rng.uniform(0, 180), "resume", w)
            del start, end
        for start, end in self.sessions:
            self.at(end + 1, "session_end")
            del start
        for t in arrivals(self.profile, self.sessions, self.day, self.tz, self.rng):
            self.at(t, "arrive")
        self.at(self.end_t, "end_of_day")
        wall0, t0 = time.monotonic(), self.start_t
        last_progress = 0.0
        while self.heap and not self.stop_event.is_set():
            t, _, action, args = heapq.heappop(self.heap)
            if self.speed > 0:
                delay = wall0 + (t - t0) / self.speed - time.monotonic()
                if delay > 0 and self.stop_event.wait(delay):
                    break
            self.clock.now = max(self.clock.now, t)
            try:
                getattr(self, "_" + action)(*args)
            except RequestError as exc:
                self.run_result.errors[f"{action}:{exc.code}"] += 1
            if self.progress and time.monotonic() - last_progress > 0.25:
                last_progress = time.monotonic()
                self.progress(self._progress())
        if self.progress:
            self.progress(self._progress())
        self.run_result.wall_s = time.monotonic() - started
        self.run_result.paced_s = self.pacer.waited_s
        self.run_result.requests = self.devices.requests
        self.run_result.rate_limited_retries = self.devices.rate_limited_retries
        return self.run_result

    def _progress(self) -> Progress:
        c = self.run_result.counts
        frac = (self.clock.now - self.start_t) / (self.end_t - self.start_t)
        served = c["accepted"] + c["consulted"] + c["rejected"]
        waiting = c["issued"] + c["retaken"] + c["transferred"] - c["called"]
        return Progress(self.clock.now, min(1.0, max(0.0, frac)), c["issued"], served, max(0, waiting))

    def _in_session(self, t: float) -> bool:
        return any(a <= t < b for a, b in self.sessions)

    def _session_over(self, t: float) -> bool:
        """Between a session's end and the next one's start (not before the first opens)."""
        return not self._in_session(t) and any(b <= t for _, b in self.sessions)

    # ------------------------------------------------------------ windows

    def _open(self, wid: str) -> None:
        self._req(self.st.pads[wid], "window.open", {"window": wid, "staff": self.st.staff[wid], "pin": self.pin})
        self.windows[wid].status = "idle"
        self.run_result.counts["windows_opened"] += 1
        self._wake_window(wid, 1.0)

    def _resume(self, wid: str) -> None:
        w = self.windows[wid]
        if w.status != "paused":
            return
        self._req(self.st.pads[wid], "window.resume", {"window": wid})
        w.status = "idle"
        self._wake_window(wid, 1.0)

    def _session_end(self) -> None:
        for w in self.windows.values():
            if w.status == "idle" and not w.pending_call:
                self._off(w)

    def _off(self, w: WindowSim) -> None:
        """The session is over and this window has no one left: lunch (午休) or the end of the day."""
        later = any(a > self.clock.now for a, _ in self.sessions)
        if later:
            self._req(self.st.pads[w.id], "window.pause", {"window": w.id, "reason": "午休"})
            w.status = "paused"
        else:
            self._req(self.st.pads[w.id], "window.close", {"window": w.id})
            w.status = "closed"

    def _wake_window(self, wid: str, delay: float) -> None:
        w = self.windows[wid]
        if w.status == "idle" and not w.pending_call:
            w.pending_call = True
            self.at(self.clock.now + delay, "call", wid)

    def _wake(self, queue: str) -> None:
        for w in self.windows.values():
            if queue in w.serves:
                self._wake_window(w.id, self.rng.uniform(2, 15))

    def _call(self, wid: str) -> None:
        w = self.windows[wid]
        w.pending_call = False
        if w.status != "idle":
            return
        try:
            t = self._req(self.st.pads[wid], "ticket.call_next", {"window": wid})["ticket"]
        except RequestError as exc:
            if exc.code != "queue_empty":
                raise
            if self._session_over(self.clock.now):
                self._off(w)
            return
        c = self.run_result.counts
        c["called"] += 1
        self.tickets.setdefault(t["id"], {"queue": t["queue"], "matter": t["matter"]})["called"] = True
        w.status, w.ticket = "busy", t["id"]
        if self.rng.random() < self.b.no_show:
            self.at(self.clock.now + self.b.recall_after_s, "recall", wid, t["id"])
        else:
            self._serve(wid, t["id"])

    def _serve(self, wid: str, ticket: str) -> None:
        b, now = self.b, self.clock.now
        walk = self.rng.uniform(20, 90)  # from the seats to the window
        if self.rng.random() < b.transfer and len(self._queues_open()) > 1:
            self.at(now + walk + self.rng.uniform(30, 150), "transfer", wid, ticket)
            return
        r = self.rng.random()
        if r < b.rejected:
            outcome, minutes = "rejected", b.reject_minutes
        elif r < b.rejected + b.consulted:
            outcome, minutes = "consulted", b.consult_minutes
        else:
            matter = self.hall.matters.get(self.tickets[ticket]["matter"])
            promised = matter is not None and matter.kind is MatterKind.PROMISED
            outcome = "accepted"
            minutes = b.accept_minutes_promised if promised else b.accept_minutes_immediate
        self.at(now + walk + lognormal(self.rng, minutes * 60 * b.service_scale), "outcome", wid, ticket, outcome)

    def _recall(self, wid: str, ticket: str) -> None:
        w = self.windows[wid]
        if w.ticket != ticket:
            return
        recalls = self._req(self.st.pads[wid], "ticket.recall", {"window": wid})["ticket"]["recalls"]
        self.run_result.counts["recalled"] += 1
        if self.rng.random() < self.b.show_after_recall:
            self._serve(wid, ticket)
        elif recalls >= min(2, self.hall.policy.recall_limit):
            self.at(self.clock.now + self.b.recall_after_s, "outcome", wid, ticket, "passed")
        else:
            self.at(self.clock.now + self.b.recall_after_s, "recall", wid, ticket)

    def _outcome(self, wid: str, ticket: str, outcome: str) -> None:
        w = self.windows[wid]
        args = outcome_args(wid, outcome, self.rng)
        try:
            self._req(self.st.pads[wid], "ticket.outcome", args)
            self.run_result.counts[outcome] += 1
        finally:
            w.status, w.ticket = "idle", ""
            self._next_call(wid)
        now = self.clock.now
        if outcome == "passed":
            if self.rng.random() < self.b.retake:
                self.at(now + self.rng.uniform(5, 30) * 60, "retake", ticket)
        elif self.st.evaluators.get(wid) and self.rng.random() < self.b.rate:
            self.at(now + self.rng.uniform(3, 30), "rate", wid, ticket)
        if outcome == "accepted" and self.on_accepted is not None:
            self.on_accepted(self, wid, ticket)

    def _hook(self, step: Callable[[DaySimulator], None]) -> None:
        """A step another part of the simulation put on this day's heap (a case's next step)."""
        step(self)

    def _next_call(self, wid: str) -> None:
        self._wake_window(wid, self.rng.uniform(*self.b.think_s))

    def _queues_open(self) -> set[str]:
        return {q for w in self.windows.values() for q in self.hall.windows[w.id].queues}

    def _transfer(self, wid: str, ticket: str) -> None:
        w = self.windows[wid]
        here = self.tickets[ticket]["queue"]
        targets = sorted(self._queues_open() - {here})
        to_queue = self.rng.choice(targets)
        try:
            self._req(self.st.pads[wid], "ticket.transfer", {"window": wid, "to_queue": to_queue,
                                                              "note": "转专窗办理"})
            self.tickets[ticket]["queue"] = to_queue
            self.run_result.counts["transferred"] += 1
        finally:
            w.status, w.ticket = "idle", ""
            self._next_call(wid)
        self._wake(to_queue)

    def _rate(self, wid: str, ticket: str) -> None:
        args = rating_args(wid, self.rng, self.b, ticket)
        self._req(self.st.evaluators[wid], "evaluation.submit", args)
        self.run_result.counts["rated"] += 1

    # ------------------------------------------------------------ citizens

    def _arrive(self) -> None:
        c = self.run_result.counts
        c["arrived"] += 1
        choice = self.picker.pick()
        assist = self.rng.random() < self.b.assist
        if not choice.ticketed and not assist:
            c["online" if choice.situation.online else "consult_only"] += 1
            return
        args = ticket_args(choice, assist, self.rng, self.b, self.hall.priority_groups)
        kiosk = self.rng.choice(self.st.kiosks)
        t = self._req(kiosk, "ticket.issue", args)["ticket"]
        c["issued"] += 1
        self.run_result.acknowledged[t["id"]] = t["number"]
        self.tickets[t["id"]] = {"queue": t["queue"], "matter": t["matter"], "situation": args["situation"],
                                 "kiosk": kiosk, "issued": self.clock.now}
        if args.get("priority_group") and not t["priority_verified"] and self.st.guide and self.st.guide_staff:
            self.at(self.clock.now + self.rng.uniform(30, 180), "verify", t["id"])
        self._wake(t["queue"])

    def _guide_login(self) -> None:
        """The guide signs in (签到) before any override, as the hall's rules ask."""
        self._req(self.st.guide, "guide.login", {"staff": self.st.guide_staff, "pin": self.pin})
        self.run_result.counts["guide_signed_in"] += 1

    def _verify(self, ticket: str) -> None:
        info = self.tickets[ticket]
        if info.get("called") or self._expired_since(info["issued"]):  # no longer listed as pending
            return
        self._req(self.st.guide, "ticket.verify_priority", {"ticket": ticket})
        self.run_result.counts["priority_verified"] += 1
        self._wake(self.tickets[ticket]["queue"])

    def _expired_since(self, issued: float) -> bool:
        """A 清号时刻 ([policy] expire_at) passed between ``issued`` and now."""
        a = dt.datetime.fromtimestamp(issued, self.tz).time()
        b = dt.datetime.fromtimestamp(self.clock.now, self.tz).time()
        return any(a < m <= b for m in self.hall.policy.expire_at)

    def _retake(self, ticket: str) -> None:
        info = self.tickets[ticket]
        self._req(info.get("kiosk") or self.st.kiosks[0], "ticket.retake", {"ticket": ticket})
        self.run_result.counts["retaken"] += 1
        self._wake(info["queue"])

    def _end_of_day(self) -> None:
        """Past the last expiry time: one query makes the hub run its timers (expire the rest)."""
        for w in self.windows.values():
            if w.status in ("idle", "paused"):
                self._off(w)
        self._req(self.st.kiosks[0], "hall.snapshot", {})
