"""Simulated devices for ``hallq demo``: kiosks take tickets, pads call and serve, evaluators rate.

Each simulated device is a real MQTT client of the hub (the same :class:`HallClient` the
real kiosk, pad and display use), so the demo exercises the real protocol end to end.
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

# Test vectors from GB 11643 (not real people); the hub masks and hashes them at once.
SAMPLE_IDS = ("11010519491231002X", "440524188001010014", "34052419800101001X")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


class Simulation:
    def __init__(self, hall: Hall, url: str, *, pace: float = 1.0, out: TextIO | None = None,
                 seed: int | None = None, skip: frozenset[str] = frozenset(), keep_staff: frozenset[str] = frozenset()
                 ) -> None:
        self.hall = hall
        self.url = url
        self.pace = pace
        self.out = out
        self.rng = random.Random(seed)
        self.stopping = threading.Event()
        self.counts: Counter[str] = Counter()
        self.clients: list[HallClient] = []
        self.threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.skip = skip  # devices a real app plays in this demo
        self.keep_staff = keep_staff  # staff numbers left free for a person at a real pad

    def _say(self, text: str) -> None:
        if self.out is not None:
            with self._lock:
                print(text, file=self.out, flush=True)

    def _client(self, device: str, role: Role, subscriptions: tuple[str, ...] = ()) -> HallClient:
        c = HallClient(self.url, self.hall.id, device, role.value, subscriptions=subscriptions).start()
        self.clients.append(c)
        return c

    def start(self) -> None:
        devices = [d for d in self.hall.devices.values() if d.id not in self.skip]
        kiosks = [d for d in devices if d.role is Role.KIOSK] or []
        pads = [d for d in devices if d.role is Role.PAD]
        screen = next((d for d in devices if d.role is Role.DISPLAY and not d.window), None)
        listener: HallClient | None = None
        if screen is not None:
            listener = self._client(screen.id, Role.DISPLAY)
        kiosk_clients = [self._client(k.id, Role.KIOSK) for k in kiosks]
        if listener is None and kiosk_clients:
            listener = kiosk_clients[0]  # the hall screen is a demo window: a simulated kiosk listens instead
        if listener is not None:
            listener.subscribe(listener.topics.event("call"), self._on_call)
            listener.subscribe(listener.topics.event("evaluated"), self._on_evaluated)
        for kc in kiosk_clients:
            self._spawn(self._kiosk, kc)
        staff = [s.id for s in self.hall.staff.values()
                 if (Role.PAD in s.roles or Role.GUIDE in s.roles) and s.id not in self.keep_staff]
        for pad, person in zip(pads, staff, strict=False):  # one person per window
            evaluator = next((d for d in devices if d.role is Role.DISPLAY and d.window == pad.window
                              and d.id.startswith("D-")), None)
            ev_client = self._client(evaluator.id, Role.DISPLAY) if evaluator else None
            self._spawn(self._pad, self._client(pad.id, Role.PAD), pad.window, person, ev_client)

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

    def _kiosk(self, c: HallClient) -> None:
        ticketed = [(m, s) for m in self.hall.matters.values() for s in m.situations
                    if not s.online and not s.consult_only]
        popular = [(m, s) for m, s in ticketed if m.popular] or ticketed
        while not self._wait(2.0):
            m, s = self.rng.choice(popular if self.rng.random() < 0.7 else ticketed)
            args: dict[str, Any] = {"matter": m.id, "situation": s.id,
                                    "name": self.rng.choice(SURNAMES) + "某某"}
            if self.rng.random() < 0.3:
                args["id_number"] = self.rng.choice(SAMPLE_IDS)
            try:
                t = c.request("ticket.issue", args)["ticket"]
            except RequestError as exc:
                self.counts["refused"] += 1
                self._say(f"🎫 {c.device}: 未出票 {exc.code} {exc.message}")
                continue
            self.counts["issued"] += 1
            self._say(f"🎫 {c.device}: {t['number']} {t['matter_name']}/{t['situation_name']} "
                      f"→ {'、'.join(t['windows']) or t['queue_name']}，前面 {t.get('ahead', 0)} 人")

    def _pad(self, c: HallClient, window: str, staff: str, evaluator: HallClient | None) -> None:
        try:
            c.request("window.open", {"window": window, "staff": staff, "pin": "1234"})
        except RequestError as exc:
            self._say(f"🪟 {window}: 登录失败 {exc.code} {exc.message}")
            return
        while not self._wait(1.0):
            try:
                c.request("ticket.call_next", {"window": window})
            except RequestError as exc:
                if exc.code != "queue_empty":
                    self._say(f"🪟 {window}: {exc.code} {exc.message}")
                continue
            if self._wait(3.0):
                return
            outcome = self.rng.choices(["accepted", "consulted", "rejected", "passed"], [70, 15, 5, 10])[0]
            args = {"window": window, "outcome": outcome}
            if outcome == "rejected":
                args["reason"] = "材料不全"
            try:
                c.request("ticket.outcome", args)
            except RequestError as exc:
                self._say(f"🪟 {window}: {exc.code} {exc.message}")
                continue
            self.counts[outcome] += 1
            if evaluator is not None and outcome != "passed" and self.rng.random() < 0.8:
                level = self.rng.choices([5, 4, 3, 2], [70, 20, 8, 2])[0]
                rating: dict[str, Any] = {"window": window, "level": level}
                if level <= 2:
                    rating["reason"] = "等候时间长"
                with contextlib.suppress(RequestError):  # counted from event/evaluated, as every rating is
                    evaluator.request("evaluation.submit", rating)

    def stop(self) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(5)
        for c in self.clients:
            c.stop()

    def summary(self) -> str:
        c = self.counts
        return (f"demo summary: issued {c['issued']}, accepted {c['accepted']}, consulted {c['consulted']}, "
                f"rejected {c['rejected']}, passed {c['passed']}, rated {c['rated']}, not rated {c['not_rated']}, "
                f"refused {c['refused']}")
