"""The simulated devices of ``hallq demo``: the simulator engine's hall days, played fast on the wall clock.

There is one device simulator, :class:`~.engine.DaySimulator` (``hallq simulate``); the demo plays it
as ``hallq simulate --mqtt`` does, against a hub on its own (wall) clock, with three differences:

* simulated time runs :data:`SIM_SECONDS_PER_PACE` ``/ pace`` times as fast as the wall clock (at the
  default pace of 1 a six-minute service takes three seconds), and a day is followed by the next
  until the demo stops; the demo's hall is open all day (``always_open``), so a day starts with the
  windows opening (no lead) and arrivals come at one steady rate (:func:`demo_profile`). At a day's
  end (every twelve minutes at pace 1) the simulated windows close, as in ``hallq simulate``, and
  open again for the next day; tickets still waiting are served then (the hub's day is the wall's);
* only the devices no real app plays are simulated (``skip``: the demo's windows), and staff numbers
  left for a person at a real pad or guide console (``keep_staff``) are not used;
* the terminal is told what the hall would see: every ticket a simulated kiosk takes and every
  refusal (:class:`TellingTransport`, around the devices' MQTT clients), and every call, evaluation
  and case step whoever made them (a simulated device or a person at a demo window), heard on
  ``event/call``, ``event/evaluated`` and ``event/case``, so the summary counts ratings given at a
  real evaluator window and cases moved at a real back office too.

Cases (办件) travel as in ``hallq simulate --month``, a working day compressed into minutes
(:mod:`launcher.simulate.live_cases`): 受理 at a simulated window opens one, the simulated 转递人员
(the hall's second guide device, G2 in the sample hall) carry it, the back offices the demo does not
show as a window sign, give 一次性告知, decide and send out, and the 统一出件 window (K01) hands over.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, TextIO

from hallq import clock as hallclock
from hallq.client import HallClient, RequestError
from hub.hall import Hall, Role
from launcher.simulate.devices import MqttTransport
from launcher.simulate.engine import DaySimulator, SimClock
from launcher.simulate.live_cases import LiveCaseSim
from launcher.simulate.model import Behaviour, Staffing, staffing_from_config

# Simulated seconds per wall second at pace 1: a hall day (service ~6-10 min, staff think 8-40 s)
# moves about as fast as the demo's terminal can be read.
SIM_SECONDS_PER_PACE = 120.0
SILENT_REFUSALS = frozenset({"rate_limited", "queue_empty"})  # retried by the device / a window with no one left


def demo_profile(kiosks: int) -> dict[int, float]:
    """Arrivals per simulated hour, every hour: a citizen at each simulated kiosk about every
    ``2 × pace`` wall seconds (at :data:`SIM_SECONDS_PER_PACE` ``/ pace`` simulated seconds per second)."""
    per_kiosk = 3600 / (2 * SIM_SECONDS_PER_PACE)
    return dict.fromkeys(range(24), per_kiosk * kiosks)


def demo_staffing(hall: Hall, skip: frozenset[str], keep_staff: frozenset[str]) -> Staffing:
    """The hall's own devices and staff, less those a real app or a person plays."""
    devices = {k: d for k, d in hall.devices.items() if k not in skip}
    staff = {k: s for k, s in hall.staff.items() if k not in keep_staff}
    return staffing_from_config(dataclasses.replace(hall, devices=devices, staff=staff))


class TellingTransport:
    """The devices' MQTT clients (:class:`~.devices.MqttTransport`), telling the terminal what the hall
    would see: each ticket a simulated kiosk takes, each refusal (but those the devices expect)."""

    def __init__(self, inner: MqttTransport, say: Callable[[str], None], counts: Counter[str]) -> None:
        self.inner, self.say, self.counts = inner, say, counts
        self.linked = False  # the first ticket's phone page link told

    def request(self, device: str, op: str, args: dict[str, Any], request_id: str) -> dict[str, Any]:
        try:
            result = self.inner.request(device, op, args, request_id)
        except RequestError as exc:
            if exc.code not in SILENT_REFUSALS:
                self._refused(device, op, args, exc)
            raise
        if op == "ticket.issue":
            t = result["ticket"]
            self.say(f"🎫 {device}: {t['number']} {t['matter_name']}/{t['situation_name']} "
                     f"→ {'、'.join(t['windows']) or t['queue_name']}，前面 {t.get('ahead', 0)} 人")
            if not self.linked and str(t.get("progress_url", "")).startswith("http://"):
                self.linked = True  # the demo's own phone page: one link to open, the slip's QR holds the rest
                self.say(f"📱 {t['number']} 的扫码页 (phone page): {t['progress_url']}")
        return result

    def _refused(self, device: str, op: str, args: dict[str, Any], exc: RequestError) -> None:
        if op == "ticket.issue":
            self.counts["refused"] += 1
            self.say(f"🎫 {device}: 未出票 {exc.code} {exc.message}")
        elif op == "window.open":
            self.say(f"🪟 {args['window']}: 登录失败 {exc.code} {exc.message}")
        else:
            self.say(f"🪟 {args.get('window') or device}: {exc.code} {exc.message}")

    def close(self) -> None:
        self.inner.close()


class LiveSimulation:
    """The demo's simulated devices: :class:`~.engine.DaySimulator` days on one thread (module docstring)."""

    def __init__(self, hall: Hall, url: str, *, pace: float = 1.0, out: TextIO | None = None,
                 seed: int | None = None, skip: frozenset[str] = frozenset(), keep_staff: frozenset[str] = frozenset(),
                 behaviour: Behaviour | None = None) -> None:
        self.hall = hall
        self.behaviour = behaviour  # the citizens' and staff's (default: the simulator's own)
        self.pace = pace
        self.out = out
        self.rng = random.Random(seed)
        self.stopping = threading.Event()
        self.counts: Counter[str] = Counter()  # told: refused, rated, not_rated
        self.served: Counter[str] = Counter()  # the days already played (engine counts)
        self.day: DaySimulator | None = None  # the day being played
        self.transport = MqttTransport(url, hall)
        self.staffing = demo_staffing(hall, skip, keep_staff)
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.cases = self._case_sim(skip)
        self.case_counts: Counter[str] = Counter()  # case steps heard, by action (whoever acted)

    def _case_sim(self, skip: frozenset[str]) -> LiveCaseSim | None:
        """The hall's back offices: a desk the demo shows as a window is a person's; cases need a 出件 window."""
        desks = {d.department: d.id for d in self.hall.devices.values() if d.role is Role.BACKOFFICE and d.department}
        st = self.staffing
        if not desks or not st.windows or not (st.transfer or st.guide):
            return None
        played = frozenset(dept for dept, device in desks.items() if device not in skip)
        simulated = frozenset([*st.kiosks, *st.pads.values(), *st.evaluators.values(), st.guide, st.transfer,
                               *(desks[d] for d in played)]) - {""}
        return LiveCaseSim(self.hall, st, desks, played=played, simulated=simulated, seed=self.rng.randrange(2**32))

    def _say(self, text: str) -> None:
        if self.out is not None:
            with self._lock:
                print(text, file=self.out, flush=True)

    def start(self) -> None:
        st = self.staffing
        desks = [self.cases.desks[d] for d in sorted(self.cases.played)] if self.cases else []
        for device in [*st.kiosks, *st.pads.values(), *st.evaluators.values(), st.guide, st.transfer, *desks]:
            if device:
                self.transport.client(device)  # a demo device is online from the start
        listener = st.screen or next(iter(st.kiosks), "")  # the hall screen may be a demo window
        if listener:
            client: HallClient = self.transport.client(listener)
            client.subscribe(client.topics.event("call"), self._on_call)
            client.subscribe(client.topics.event("evaluated"), self._on_evaluated)
        carrier = st.transfer or st.guide  # a guide-role device hears every department's cases
        if carrier and self.cases is not None:
            client = self.transport.client(carrier)
            client.subscribe(client.topics.event("case"), self._on_case)
        if not st.kiosks:
            self._say("no kiosk left to simulate: the demo's simulated devices wait for tickets from its windows")
            return
        self.thread = threading.Thread(target=self._days, daemon=True)
        self.thread.start()

    def _days(self) -> None:
        """One simulated day after the other, until :meth:`stop`."""
        day = hallclock.today(self.hall.timezone)
        tell = TellingTransport(self.transport, self._say, self.counts)
        while not self.stopping.is_set():
            sim = DaySimulator(self.hall, self.staffing, tell, SimClock(0.0), day,
                               profile=demo_profile(len(self.staffing.kiosks)), seed=self.rng.randrange(2**32),
                               speed=SIM_SECONDS_PER_PACE / self.pace, stop=self.stopping, lead_s=0.0,
                               behaviour=self.behaviour)
            self.day = sim
            if self.cases is not None:
                self.cases.attach(sim)
            sim.run()
            with self._lock:
                self.served.update(sim.run_result.counts)
                self.day = None
            day += dt.timedelta(days=1)

    def _on_call(self, topic: str, call: dict[str, Any]) -> None:
        again = f"（第{call['recall']}次重呼）" if call.get("recall") else ""
        self._say(f"📢 {call['text']}{again}   — {call['window_name']}")

    def _on_evaluated(self, topic: str, event: dict[str, Any]) -> None:
        level = int(event.get("level") or 0)
        with self._lock:
            self.counts["rated" if level else "not_rated"] += 1
        if level:
            self._say(f"⭐ {event.get('window', '')}: {event.get('label', '')}")

    def _on_case(self, topic: str, event: dict[str, Any]) -> None:
        action = str(event.get("action", ""))
        with self._lock:
            self.case_counts[action] += 1
        matter = self.hall.matters.get(str(event.get("matter", "")))
        self._say(f"📁 {event.get('device', '')}: {event.get('action_label', action)} {event.get('case', '')} "
                  f"{matter.name if matter else ''} → {event.get('state_label', '')}   — {event.get('department', '')}")
        if self.cases is not None:
            self.cases.heard(event)

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(10)
        self.transport.close()

    def summary(self) -> str:
        with self._lock:  # what the simulated devices did; ratings as heard, whoever gave them
            c = self.served + (self.day.run_result.counts if self.day is not None else Counter())
            told = Counter(self.counts)
            k = Counter(self.case_counts)
        decided = k["approve"] + k["deny"] + k["done_on_spot"]
        handed = k["collect"] + k["locker"] + k["post"] + k["done_on_spot"]
        return (f"demo summary: issued {c['issued']}, accepted {c['accepted']}, consulted {c['consulted']}, "
                f"rejected {c['rejected']}, passed {c['passed']}, rated {told['rated']}, "
                f"not rated {told['not_rated']}, refused {told['refused']}; cases opened {k['accept']}, "
                f"signed {k['sign']}, decided {decided}, handed over {handed}")
