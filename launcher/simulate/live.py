"""The simulated devices of ``hallq demo``, live: kiosks take tickets, pads call and serve, evaluators rate.

The same simulated devices as ``hallq simulate`` (:mod:`.engine`), played on the wall clock, one
thread per device, every ``pace`` seconds or so, against a hub on its own clock: they send what
:mod:`.model` makes (the citizen's choice and the kiosk's, pad's and evaluator's arguments) through
:class:`~.devices.SimDevices` (a real MQTT client per device, the hall's rate limit kept), so the
demo exercises the real protocol end to end.
One of them also listens to the hall's events and prints every call (whoever made it: a
simulated pad or a person at a demo window) and every evaluation as it is recorded, so the
summary counts ratings given at a real evaluator window too. Tickets are printed as the
simulated kiosks take them; a ticket taken at a demo kiosk window shows on that window.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections import Counter
from typing import Any, TextIO

from hallq.client import HallClient, RequestError
from hub.hall import Hall, Role
from launcher.simulate.devices import DevicePacer, MqttTransport, SimDevices
from launcher.simulate.model import SIM_PIN, Behaviour, MatterPicker, outcome_args, rating_args, ticket_args


class LiveSimulation:
    """The demo's simulated devices, one thread each, on the wall clock (see the module docstring)."""

    def __init__(self, hall: Hall, url: str, *, pace: float = 1.0, out: TextIO | None = None,
                 seed: int | None = None, skip: frozenset[str] = frozenset(), keep_staff: frozenset[str] = frozenset()
                 ) -> None:
        self.hall = hall
        self.url = url
        self.pace = pace
        self.out = out
        self.rng = random.Random(seed)
        self.behaviour = Behaviour()
        self.stopping = threading.Event()
        self.counts: Counter[str] = Counter()
        self.transport = MqttTransport(url, hall)
        self.devices = SimDevices(self.transport, DevicePacer(hall.policy.rate_per_minute, hall.policy.rate_burst,
                                                              self.stopping), self.stopping)
        self.threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.skip = skip  # devices a real app plays in this demo
        self.keep_staff = keep_staff  # staff numbers left free for a person at a real pad

    def _say(self, text: str) -> None:
        if self.out is not None:
            with self._lock:
                print(text, file=self.out, flush=True)

    def _client(self, device: str) -> HallClient:
        """The device's MQTT client, connected now (a demo device is online from the start)."""
        return self.transport.client(device)

    def start(self) -> None:
        devices = [d for d in self.hall.devices.values() if d.id not in self.skip]
        kiosks = [d for d in devices if d.role is Role.KIOSK] or []
        pads = [d for d in devices if d.role is Role.PAD]
        screen = next((d for d in devices if d.role is Role.DISPLAY and not d.window), None)
        listener: HallClient | None = None
        if screen is not None:
            listener = self._client(screen.id)
        for k in kiosks:
            self._client(k.id)
        if listener is None and kiosks:
            listener = self._client(kiosks[0].id)  # the hall screen is a demo window: a simulated kiosk listens
        if listener is not None:
            listener.subscribe(listener.topics.event("call"), self._on_call)
            listener.subscribe(listener.topics.event("evaluated"), self._on_evaluated)
        for k in kiosks:
            self._spawn(self._kiosk, k.id)
        staff = [s.id for s in self.hall.staff.values()
                 if (Role.PAD in s.roles or Role.GUIDE in s.roles) and s.id not in self.keep_staff]
        for pad, person in zip(pads, staff, strict=False):  # one person per window
            evaluator = next((d for d in devices if d.role is Role.DISPLAY and d.window == pad.window
                              and d.id.startswith("D-")), None)
            if evaluator is not None:
                self._client(evaluator.id)
            self._client(pad.id)
            self._spawn(self._pad, pad.id, pad.window, person, evaluator.id if evaluator else "")

    def _spawn(self, target: Any, *args: Any) -> None:
        t = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(t)
        t.start()

    def _on_call(self, topic: str, call: dict[str, Any]) -> None:
        again = f"（第{call['recall']}次重呼）" if call.get("recall") else ""
        self._say(f"📢 {call['text']}{again}   — {call['window_name']}")

    def _on_evaluated(self, topic: str, event: dict[str, Any]) -> None:
        level = int(event.get("level") or 0)
        with self._lock:
            self.counts["rated" if level else "not_rated"] += 1
        if level:
            self._say(f"⭐ {event.get('window', '')}: {event.get('label', '')}")

    def _wait(self, factor: float) -> bool:
        return self.stopping.wait(self.pace * factor * self.rng.uniform(0.5, 1.5))

    def _kiosk(self, kiosk: str) -> None:
        picker = MatterPicker(self.hall, self.rng)
        if all(c.situation.online or c.situation.consult_only for c in picker.choices):
            return  # nothing in this hall takes a window ticket
        while not self._wait(2.0):
            choice = picker.pick()
            while choice.situation.online or choice.situation.consult_only:  # no ticket for these at a kiosk
                choice = picker.pick()
            args = ticket_args(choice, False, self.rng, self.behaviour, self.hall.priority_groups)
            try:
                t = self.devices.request(kiosk, "ticket.issue", args)["ticket"]
            except RequestError as exc:
                self.counts["refused"] += 1
                self._say(f"🎫 {kiosk}: 未出票 {exc.code} {exc.message}")
                continue
            self.counts["issued"] += 1
            self._say(f"🎫 {kiosk}: {t['number']} {t['matter_name']}/{t['situation_name']} "
                      f"→ {'、'.join(t['windows']) or t['queue_name']}，前面 {t.get('ahead', 0)} 人")

    def _outcome(self) -> str:
        """过号 for a no-show, else 不予受理 / 咨询 / 受理 in the simulated hall's proportions."""
        b, r = self.behaviour, self.rng.random()
        if self.rng.random() < b.no_show:
            return "passed"
        return "rejected" if r < b.rejected else "consulted" if r < b.rejected + b.consulted else "accepted"

    def _pad(self, pad: str, window: str, staff: str, evaluator: str) -> None:
        try:
            self.devices.request(pad, "window.open", {"window": window, "staff": staff, "pin": SIM_PIN})
        except RequestError as exc:
            self._say(f"🪟 {window}: 登录失败 {exc.code} {exc.message}")
            return
        while not self._wait(1.0):
            try:
                self.devices.request(pad, "ticket.call_next", {"window": window})
            except RequestError as exc:
                if exc.code != "queue_empty":
                    self._say(f"🪟 {window}: {exc.code} {exc.message}")
                continue
            if self._wait(3.0):
                return
            outcome = self._outcome()
            try:
                self.devices.request(pad, "ticket.outcome", outcome_args(window, outcome, self.rng))
            except RequestError as exc:
                self._say(f"🪟 {window}: {exc.code} {exc.message}")
                continue
            self.counts[outcome] += 1
            if evaluator and outcome != "passed" and self.rng.random() < self.behaviour.rate:
                with contextlib.suppress(RequestError):  # counted from event/evaluated, as every rating is
                    self.devices.request(evaluator, "evaluation.submit",
                                         rating_args(window, self.rng, self.behaviour))

    def stop(self) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(5)
        self.transport.close()

    def summary(self) -> str:
        c = self.counts
        return (f"demo summary: issued {c['issued']}, accepted {c['accepted']}, consulted {c['consulted']}, "
                f"rejected {c['rejected']}, passed {c['passed']}, rated {c['rated']}, not rated {c['not_rated']}, "
                f"refused {c['refused']}")
