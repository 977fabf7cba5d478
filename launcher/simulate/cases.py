"""Cases (办件) after the simulated 受理: 转递, 签收, 补正, 办结, 出件, through the real hub.

When a simulated window records 受理 (``ticket.outcome`` accepted) for a matter taken in at the
综合窗口 (mode ``comprehensive``), the same pad opens a case (``case.accept``) with the
situation's materials and a delivery method drawn from :attr:`CaseBehaviour.deliveries`. From
then on the case is a chain of steps, each played by the device that does it in the hall and
each scheduling the next when the hub has answered it:

* 即办件: 当场办结 (``case.done_on_spot``) at the window a few minutes later;
* 承诺件: the 转递人员 (the guide console, :attr:`Staffing.transfer`) pick the folder up on their
  next round (``case.pick_up``); the department's back office (one ``backoffice`` device per
  department, :func:`with_back_offices`) signs for it (``case.sign``) — a share of folders waits a
  few working days first (附件8 三) — and then either gives an 一次性告知 (``case.notify_correction``,
  the 补正 materials come back at the window days later, ``case.receive_correction``, and the
  folder travels again), or decides (``case.approve`` / ``case.deny``) after a service time in
  working days drawn per department: a share of **late departments** overruns the promise
  (附件8 四, the overdue list); then 出件转递 (``case.send_out``), the 出件 window
  (:func:`result_window`) receives it (``case.receive_result``) and hands it over as agreed:
  现场领取 (``case.collect``, the applicant's ID checked by the hub), 自助柜 (``case.locker``) or
  邮寄 (``case.post``). A department whose desk a person plays (``played``: the demo's
  back-office window) gets its folders and does the rest itself.

Every time is a working time: inside the hall's opening sessions on a working day of the hall's
calendar (``[cases]``: public holidays, 调休 and local days come from :mod:`hub.workdays`). A
step that falls on a day the simulation does not run (after the last day) is left pending: the
case stays open, as at a real month's end. The simulator decides nothing the hub decides: states,
promised dates and every figure are the hub's, read back from its database by the reports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hallq.client import RequestError
from hub.case_config import CaseRules
from hub.hall import Device, Hall, MatterKind, MatterMode, Role
from hub.workdays import CalendarRangeError
from launcher.simulate.engine import DaySimulator
from launcher.simulate.model import Staffing, fake_id_number, fake_name

Step = Callable[[DaySimulator], None]


@dataclass(frozen=True)
class CaseBehaviour:
    """How cases travel after 受理; the defaults make a plausible month (docs/reports.md, 模拟办件)."""

    deliveries: tuple[tuple[str, float], ...] = (("pickup", 0.6), ("locker", 0.2), ("mail", 0.2))
    rounds: tuple[dt.time, ...] = (dt.time(10, 30), dt.time(15, 30))  # 转递人员's pick-up rounds
    sign_after_h: tuple[float, float] = (0.3, 2.0)  # the department signs this long after the pick-up
    late_sign: float = 0.1  # folders left unsigned for 2-3 working days (附件8 三 材料转递异常)
    correction: float = 0.15  # cases given an 一次性告知单 (补正)
    correction_back_days: tuple[int, int] = (1, 5)  # working days until the 补正 materials come back
    deny: float = 0.05  # 不予许可
    service_share: tuple[float, float] = (0.2, 0.9)  # review time, share of the promised working days
    late_departments: float = 0.34  # share of departments that overrun their promise
    late_share: tuple[float, float] = (1.2, 2.5)  # a late department's review time, share of the promise
    immediate_min: tuple[float, float] = (5.0, 40.0)  # 即办件: 当场办结 this many minutes after 受理
    collect_days: tuple[int, int] = (0, 6)  # working days until the applicant comes for the result
    never_collect: float = 0.05  # results nobody comes for (the unclaimed list)

    def __post_init__(self) -> None:
        shares = (self.late_sign, self.correction, self.deny, self.late_departments, self.never_collect)
        if any(not 0 <= s <= 1 for s in shares):
            raise ValueError("case shares (late_sign, correction, deny, late_departments, never_collect) are 0..1")
        if not self.deliveries or any(w < 0 for _, w in self.deliveries):
            raise ValueError("deliveries: at least one method, weights not negative")


def with_back_offices(hall: Hall) -> tuple[Hall, dict[str, str]]:
    """The hall with one ``backoffice`` device per department of a 综窗受理 matter (unless it has one)."""
    devices = dict(hall.devices)
    desks = {d.department: d.id for d in devices.values() if d.role is Role.BACKOFFICE and d.department}
    for n, dept in enumerate(sorted(case_departments(hall)), 1):
        if dept not in desks:
            desks[dept] = f"B-SIM{n:02d}"
            devices[desks[dept]] = Device(desks[dept], Role.BACKOFFICE, department=dept)
    return dataclasses.replace(hall, devices=devices), desks


def result_window(hall: Hall, staffing: Staffing) -> str:
    """The 统一出件 window among the staffed ones (its name says 出件, as the sample hall's K01), else the first."""
    return next((w for w in staffing.windows if "出件" in hall.windows[w].name), staffing.windows[0])


def case_departments(hall: Hall) -> set[str]:
    return {m.department for m in hall.matters.values() if m.mode is MatterMode.COMPREHENSIVE and m.department}


@dataclass
class SimCase:
    """What the simulated people know of one case (the hub knows the rest)."""

    id: str
    department: str
    window: str  # the window that took it in (补正 comes back there)
    promised_days: int
    delivery: str
    id_number: str  # the applicant's (simulated), shown at 现场领取
    corrected: bool = False


@dataclass
class CaseRun:
    counts: Counter[str] = field(default_factory=Counter)  # ops answered, by op
    errors: Counter[str] = field(default_factory=Counter)  # "op:code" refused by the hub
    late_departments: tuple[str, ...] = ()


class CaseSim:
    """Every case's next step, across the simulated days (one :class:`DaySimulator` a day)."""

    def __init__(self, hall: Hall, staffing: Staffing, desks: dict[str, str], behaviour: CaseBehaviour | None = None,
                 seed: int = 1, played: frozenset[str] | None = None) -> None:
        self.hall, self.st, self.desks = hall, staffing, desks
        # the departments whose desk the simulation plays (all by default); a person plays the others' desk
        # (the demo's back-office window): their cases travel to it and wait there for 签收
        self.played = frozenset(desks) if played is None else played
        self.b = behaviour or CaseBehaviour()
        self.rules = hall.cases or CaseRules()
        self.calendar = self.rules.calendar
        self.tz = zoneinfo.ZoneInfo(hall.timezone)
        self.rng = random.Random(seed * 7919 + 15)
        depts = sorted(desks)
        n_late = min(len(depts), math.ceil(len(depts) * self.b.late_departments)) if self.b.late_departments else 0
        self.late = frozenset(self.rng.sample(depts, n_late))
        self.run = CaseRun(late_departments=tuple(sorted(self.late)))
        self.cases: dict[str, SimCase] = {}
        self.pending: list[tuple[float, int, Step]] = []  # steps of days not begun yet
        self.out_window = result_window(hall, staffing)
        self._n = 0
        self._clerks: set[tuple[str, dt.date]] = set()  # (desk, day) a clerk signed in at
        self.sim: DaySimulator | None = None

    # ------------------------------------------------------------ days

    def attach(self, sim: DaySimulator) -> None:
        """A new day: hear its 受理, and schedule the steps that fall on it."""
        self.sim = sim
        sim.on_accepted = self.accepted
        keep = []
        for t, n, step in self.pending:
            if sim.start_t <= t < sim.end_t:
                sim.at(t, "hook", step)
            else:
                keep.append((t, n, step))
        self.pending = keep

    def at(self, t: float, step: Step) -> None:
        sim = self.sim
        if sim is not None and sim.start_t <= t < sim.end_t and t >= sim.clock.now:
            sim.at(t, "hook", step)
        else:
            self._n += 1
            self.pending.append((t, self._n, step))

    def request(self, sim: DaySimulator, device: str, op: str, args: dict[str, Any]) -> dict[str, Any] | None:
        desk = self.hall.devices.get(device)
        today = self._day(sim.clock.now)
        if desk is not None and desk.role is Role.BACKOFFICE and (device, today) not in self._clerks:
            self._clerk_signs_in(sim, device)  # each day, as a clerk does: every step then records them
        try:
            try:
                out = sim.devices.request(device, op, args)
            except RequestError as exc:
                if exc.code != "desk_not_signed_in" or not self._clerk_signs_in(sim, device):
                    raise
                out = sim.devices.request(device, op, args)  # a clerk signed in (each hub day): once more
        except RequestError as exc:
            self.run.errors[f"{op}:{exc.code}"] += 1
            sim.run_result.errors[f"{op}:{exc.code}"] += 1
            return None
        self.run.counts[op] += 1
        return out

    def _clerk_signs_in(self, sim: DaySimulator, device: str) -> bool:
        """A back-office desk whose department has clerks in the hall file: the first of them signs in."""
        desk = self.hall.devices.get(device)
        clerk = next((s for s in sorted(self.hall.staff.values(), key=lambda s: s.id)
                      if desk is not None and Role.BACKOFFICE in s.roles and s.department == desk.department), None)
        if clerk is None:
            return False
        self._clerks.add((device, self._day(sim.clock.now)))
        try:
            sim.devices.request(device, "backoffice.login", {"staff": clerk.id, "pin": sim.pin})
        except RequestError as exc:
            self.run.errors[f"backoffice.login:{exc.code}"] += 1
            return False
        self.run.counts["backoffice.login"] += 1
        return True

    # ------------------------------------------------------------ working time

    def _sessions(self, day: dt.date) -> list[tuple[float, float]]:
        return [(dt.datetime.combine(day, a, self.tz).timestamp(), dt.datetime.combine(day, b, self.tz).timestamp())
                for a, b in self.hall.policy.opening_hours]

    def _day(self, t: float) -> dt.date:
        return dt.datetime.fromtimestamp(t, self.tz).date()

    def working(self, t: float) -> float:
        """``t`` if it is inside a session of a working day, else the next session's start (a few minutes in)."""
        day = self._day(t)
        for _ in range(400):
            if self.calendar.is_working_day(day):
                for a, b in self._sessions(day):
                    if t < a:
                        return a + self.rng.uniform(120, 1200)
                    if t < b - 300:
                        return t
            day += dt.timedelta(days=1)
            t = 0.0
        raise ValueError("no working day within 400 days of the hall's calendar")

    def later(self, t: float, hours: float) -> float:
        """``hours`` of working time after ``t`` (time outside the sessions does not count)."""
        left = hours * 3600
        t = self.working(t)
        while True:
            end = next(b for a, b in self._sessions(self._day(t)) if a <= t < b) - 300
            if t + left <= end:
                return t + left
            left -= max(0.0, end - t)
            t = self.working(end + 301)

    def days_later(self, t: float, days: int) -> float:
        """A random working time ``days`` working days after ``t``'s day (0: later the same day)."""
        if days <= 0:
            return self.later(t, self.rng.uniform(0.3, 2.5))
        day = self.calendar.add_working_days(self._day(t), days)
        a, b = self.rng.choice(self._sessions(day))
        return self.working(self.rng.uniform(a, b - 600))

    def next_round(self, t: float) -> float:
        """The 转递人员's next pick-up round after ``t``."""
        day = self._day(t)
        for _ in range(400):
            if self.calendar.is_working_day(day):
                for r in self.b.rounds:
                    at = dt.datetime.combine(day, r, self.tz).timestamp()
                    if at > t:
                        return at + self.rng.uniform(0, 900)
            day += dt.timedelta(days=1)
        raise ValueError("no working day within 400 days of the hall's calendar")

    # ------------------------------------------------------------ 受理

    def accepted(self, sim: DaySimulator, window: str, ticket: str) -> None:
        """The window recorded 受理: its pad opens the case at once for a 综窗受理 matter."""
        try:
            self._accept(sim, window, ticket)
        except CalendarRangeError:
            self.run.counts["beyond_calendar"] += 1

    def _accept(self, sim: DaySimulator, window: str, ticket: str) -> None:
        info = sim.tickets.get(ticket) or {}
        matter = self.hall.matters.get(str(info.get("matter", "")))
        if matter is None or matter.mode is not MatterMode.COMPREHENSIVE or matter.department not in self.desks:
            return
        situation = matter.situation(str(info.get("situation", ""))) or (matter.situations[0] if matter.situations
                                                                          else None)
        names = list(situation.materials) if situation is not None and situation.materials else ["申请表"]
        materials = [{"name": n, "form": "copy" if self.rng.random() < 0.2 else "original"} for n in names[:8]]
        immediate = matter.kind is not MatterKind.PROMISED
        offered = [d.value for d in (matter.case.deliveries if matter.case and matter.case.deliveries
                                     else self.rules.deliveries)]
        choices = [(d, w) for d, w in self.b.deliveries if d in offered] or [(offered[0], 1.0)]
        delivery = "pickup" if immediate else self.rng.choices([d for d, _ in choices], [w for _, w in choices])[0]
        id_number = fake_id_number(self.rng)
        args: dict[str, Any] = {"window": window, "ticket": ticket, "materials": materials, "delivery": delivery,
                                "id_number": id_number}
        if delivery == "mail":
            args["address"] = f"山西省吕梁市离石区模拟路{self.rng.randrange(1, 300)}号{self.rng.randrange(1, 30)}单元"
        out = self.request(sim, self.st.pads[window], "case.accept", args)
        if out is None:
            return
        c = out["case"]
        case = SimCase(str(c["id"]), str(c["department"]), window, int(c["promised_days"]), delivery, id_number)
        self.cases[case.id] = case
        now = sim.clock.now
        if immediate:
            self.at(self.later(now, self.rng.uniform(*self.b.immediate_min) / 60), self._step(case, "done_on_spot"))
        else:
            self.at(self.next_round(now), self._step(case, "pick_up"))

    # ------------------------------------------------------------ the steps

    def _step(self, case: SimCase, name: str) -> Step:
        def run(sim: DaySimulator) -> None:
            try:
                getattr(self, "_" + name)(sim, case)
            except CalendarRangeError:  # its next step lies in a year nobody has described: it waits there
                self.run.counts["beyond_calendar"] += 1
        return run

    def _desk(self, case: SimCase) -> str:
        return self.desks[case.department]

    def _done_on_spot(self, sim: DaySimulator, case: SimCase) -> None:
        self.request(sim, self.st.pads[case.window], "case.done_on_spot", {"window": case.window, "case": case.id})

    def _pick_up(self, sim: DaySimulator, case: SimCase) -> None:
        carrier = self.st.transfer or self.st.guide
        if self.request(sim, carrier, "case.pick_up", {"case": case.id, "staff": "转递01"}) is None:
            return
        if case.department not in self.played:
            return
        now = sim.clock.now
        if self.rng.random() < self.b.late_sign:
            t = self.days_later(now, self.rng.randint(2, 3))
        else:
            t = self.later(now, self.rng.uniform(*self.b.sign_after_h))
        self.at(t, self._step(case, "sign"))

    def _sign(self, sim: DaySimulator, case: SimCase) -> None:
        if self.request(sim, self._desk(case), "case.sign", {"case": case.id, "staff": "审批01"}) is None:
            return
        now = sim.clock.now
        if not case.corrected and self.rng.random() < self.b.correction:
            self.at(self.days_later(now, self.rng.randint(0, 2)), self._step(case, "notify_correction"))
            return
        share = self.b.late_share if case.department in self.late else self.b.service_share
        days = round(case.promised_days * self.rng.uniform(*share))
        if case.corrected:
            days = max(0, days // 2)
        self.at(self.days_later(now, days), self._step(case, "decide"))

    def _notify_correction(self, sim: DaySimulator, case: SimCase) -> None:
        args = {"case": case.id, "reasons": [self.rng.choice(CORRECTION_REASONS)], "staff": "审批01"}
        if self.request(sim, self._desk(case), "case.notify_correction", args) is None:
            return
        case.corrected = True
        self.at(self.days_later(sim.clock.now, self.rng.randint(*self.b.correction_back_days)),
                self._step(case, "receive_correction"))

    def _receive_correction(self, sim: DaySimulator, case: SimCase) -> None:
        args = {"window": case.window, "case": case.id, "materials": [{"name": "补正材料"}]}
        if self.request(sim, self.st.pads[case.window], "case.receive_correction", args) is not None:
            self.at(self.next_round(sim.clock.now), self._step(case, "pick_up"))

    def _decide(self, sim: DaySimulator, case: SimCase) -> None:
        if self.rng.random() < self.b.deny:
            op, args = "case.deny", {"case": case.id, "reasons": ["不符合许可条件"], "staff": "审批01"}
        else:
            op, args = "case.approve", {"case": case.id, "staff": "审批01"}
        if self.request(sim, self._desk(case), op, args) is not None:
            self.at(self.later(sim.clock.now, self.rng.uniform(0.5, 4)), self._step(case, "send_out"))

    def _send_out(self, sim: DaySimulator, case: SimCase) -> None:
        if self.request(sim, self._desk(case), "case.send_out", {"case": case.id, "staff": "审批01"}) is not None:
            self.at(self.next_round(sim.clock.now), self._step(case, "receive_result"))

    def _receive_result(self, sim: DaySimulator, case: SimCase) -> None:
        w = self.out_window
        if self.request(sim, self.st.pads[w], "case.receive_result", {"window": w, "case": case.id}) is None:
            return
        now = sim.clock.now
        if case.delivery == "pickup":
            if self.rng.random() >= self.b.never_collect:
                self.at(self.days_later(now, self.rng.randint(*self.b.collect_days)), self._step(case, "hand_over"))
        elif case.delivery == "mail":
            self.at(self.days_later(now, self.rng.randint(0, 1)), self._step(case, "hand_over"))
        else:
            self.at(self.later(now, self.rng.uniform(0.1, 1.0)), self._step(case, "hand_over"))

    def _hand_over(self, sim: DaySimulator, case: SimCase) -> None:
        w = self.out_window
        self._n += 1
        args: dict[str, Any] = {"window": w, "case": case.id}
        if case.delivery == "pickup":
            op = "case.collect"
            args |= {"id_number": case.id_number, "name": fake_name(self.rng)}
        elif case.delivery == "locker":
            op, args["compartment"] = "case.locker", f"A-{self._n % 40 + 1:02d}"
        else:
            op, args["tracking"] = "case.post", f"SIM{self._n:010d}"
        self.request(sim, self.st.pads[w], op, args)


CORRECTION_REASONS = ("申请书缺少签字", "住所证明需加盖公章", "身份证复印件不清晰", "章程条款与登记事项不一致")
