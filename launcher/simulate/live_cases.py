"""The demo's cases (办件): :class:`~.cases.CaseSim` on the demo's clock, a case's life in minutes.

``hallq simulate`` carries cases across real working days; the demo has minutes. So here a
case's **working day** lasts :data:`DEMO_CASE_DAY_S` simulated seconds (about eight wall seconds
at pace 1) and every day the demo plays is a working day (the demo's hall is open all day): a
承诺件 of 15 working days is 签收'd, decided and handed over while someone watches, with the
same steps, devices and hub as a simulated month. The hub keeps its own clock (the wall's): its
promised dates and figures are real ones, so nothing turns late during a demo.

The demo's people act too. Every ``event/case`` is heard (:meth:`LiveCaseSim.heard`, from the
MQTT thread) and handed to the simulation's thread (:meth:`LiveCaseSim.poll`, a step every
:data:`POLL_S`): a case registered at the real window pad (登记办件 at P-S01) is carried by the
simulated 转递人员 like any other, and a result the real back office sends out (出件转递) is
received and handed over at the simulated 出件 window — by a proxy with an authorisation when
the simulation never saw the applicant's ID number.
"""

from __future__ import annotations

import queue
from typing import Any

from hub.hall import Hall
from launcher.simulate.cases import CaseBehaviour, CaseSim, SimCase
from launcher.simulate.engine import DaySimulator
from launcher.simulate.model import Staffing, fake_name

DEMO_CASE_DAY_S = 960.0  # simulated seconds of a case's working day in the demo (8 wall s at pace 1)
POLL_S = 30.0  # simulated seconds between looks at what the demo's people did
# No late departments or late signatures (a demo's minutes make nothing late on the hub's clock),
# quick reviews and 补正, results fetched soon.
DEMO_CASES = CaseBehaviour(late_sign=0.0, late_departments=0.0, service_share=(0.05, 0.3), correction=0.2,
                           correction_back_days=(1, 2), collect_days=(0, 2), sign_after_h=(0.3, 1.5))


class LiveCaseSim(CaseSim):
    """:class:`CaseSim` with the demo's compressed working days, joined by the cases the demo's people move."""

    def __init__(self, hall: Hall, staffing: Staffing, desks: dict[str, str], *, played: frozenset[str],
                 simulated: frozenset[str], seed: int = 1, behaviour: CaseBehaviour = DEMO_CASES) -> None:
        super().__init__(hall, staffing, desks, behaviour, seed, played=played)
        self.simulated = simulated  # the devices the simulation plays (the rest are people)
        self.hour_s = DEMO_CASE_DAY_S / 8
        self.inbox: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()

    # ------------------------------------------------------------ the demo's working time: always, and fast

    def working(self, t: float) -> float:
        return t

    def later(self, t: float, hours: float) -> float:
        return t + hours * self.hour_s

    def days_later(self, t: float, days: int) -> float:
        if days <= 0:
            return self.later(t, self.rng.uniform(0.3, 2.5))
        return t + days * DEMO_CASE_DAY_S + self.rng.uniform(0, self.hour_s)

    def next_round(self, t: float) -> float:
        return t + self.rng.uniform(0.5, 1.5) * self.hour_s

    # ------------------------------------------------------------ what the people did

    def attach(self, sim: DaySimulator) -> None:
        super().attach(sim)
        sim.at(sim.start_t, "hook", self.poll)

    def heard(self, event: dict[str, Any]) -> None:
        """An ``event/case`` (MQTT thread): kept for the simulation's thread when a person acted."""
        if str(event.get("device", "")) not in self.simulated:
            self.inbox.put(event)

    def poll(self, sim: DaySimulator) -> None:
        """Take up what the demo's people did, then look again in :data:`POLL_S`."""
        while True:
            try:
                event = self.inbox.get_nowait()
            except queue.Empty:
                break
            self._take_up(sim, event)
        sim.at(sim.clock.now + POLL_S, "hook", self.poll)

    def _take_up(self, sim: DaySimulator, event: dict[str, Any]) -> None:
        action, case_id = str(event.get("action", "")), str(event.get("case", ""))
        if action == "accept" and case_id not in self.cases:
            case = self._adopt(sim, case_id)
            if case is not None and case.promised_days > 0:
                self.at(self.next_round(sim.clock.now), self._step(case, "pick_up"))
        elif action == "send_out" and case_id in self.cases:
            self.at(self.next_round(sim.clock.now), self._step(self.cases[case_id], "receive_result"))

    def _adopt(self, sim: DaySimulator, case_id: str) -> SimCase | None:
        """A case a person registered: what the simulated people need to know of it, from ``case.get``."""
        carrier = self.st.transfer or self.st.guide
        out = self.request(sim, carrier, "case.get", {"case": case_id}) if carrier else None
        if out is None:
            return None
        c = out["case"]
        if c["kind"] != "promised" or c["department"] not in self.desks:
            return None  # a 即办件 is finished at the window by the person who took it in
        # corrected: no 一次性告知 drawn for it, as its 补正 would come back at a person's window
        case = SimCase(case_id, str(c["department"]), str(c["window"]), int(c["promised_days"]), str(c["delivery"]),
                       "", corrected=True)
        self.cases[case_id] = case
        return case

    def _hand_over(self, sim: DaySimulator, case: SimCase) -> None:
        if case.delivery == "pickup" and not case.id_number:  # the simulation never saw the applicant's ID
            w = self.out_window
            self._n += 1
            args = {"window": w, "case": case.id, "proxy": True, "authorisation": f"WT{self._n:06d}",
                    "name": fake_name(self.rng)}
            self.request(sim, self.st.pads[w], "case.collect", args)
            return
        super()._hand_over(sim, case)
