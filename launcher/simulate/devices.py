"""The simulated devices' one way to the hub, shared by ``hallq simulate`` (:mod:`.engine`) and
``hallq demo`` (:mod:`.live`).

A simulated device behaves as a real one must (docs/protocol.md, rate limit): it keeps to the
hall's ``[policy] rate_per_minute`` / ``rate_burst`` (:class:`DevicePacer`, a token bucket on the
same monotonic clock as the hub's), and a ``rate_limited`` refusal is retried after a pause with the
**same** request id, for up to :data:`RATE_WAIT_S` seconds (:class:`SimDevices`). Requests go through a
:class:`Transport`: MQTT clients (the real protocol, one client per device) or, for benchmarks that
only need the database, the hub service in-process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from hallq import protocol as p
from hallq.client import HallClient, RequestError, RequestTimeout
from hub.hall import Hall

RATE_WAIT_S = 60.0  # a device retries a rate_limited command this long (wall time) before giving up


class DevicePacer:
    """Each device's token bucket, like the hub's (``hub/security/ratelimit.py``), but waiting
    for a token instead of being refused: a simulated device never floods the hub."""

    def __init__(self, per_minute: int, burst: int, stop: threading.Event,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.stop, self.clock = stop, clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self.waited_s = 0.0

    def take(self, device: str) -> None:
        if self.rate <= 0:
            return
        now = self.clock()
        tokens, at = self._buckets.get(device, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens < 1.0:
            wait = (1.0 - tokens) / self.rate
            self.waited_s += wait
            self.stop.wait(wait)
            now, tokens = self.clock(), 1.0
        self._buckets[device] = (tokens - 1.0, now)


class Transport(Protocol):
    def request(self, device: str, op: str, args: dict[str, Any], request_id: str) -> dict[str, Any]: ...

    def close(self) -> None: ...


class MqttTransport:
    """One real :class:`HallClient` per device, made when the device first acts."""

    def __init__(self, url: str, hall: Hall, *, timeout: float = 10.0, retries: int = 3) -> None:
        self.url, self.hall, self.timeout, self.retries = url, hall, timeout, retries
        self.clients: dict[str, HallClient] = {}

    def client(self, device: str) -> HallClient:
        c = self.clients.get(device)
        if c is None:
            c = HallClient(self.url, self.hall.id, device, self.hall.devices[device].role.value).start(30)
            self.clients[device] = c
        return c

    def request(self, device: str, op: str, args: dict[str, Any], request_id: str) -> dict[str, Any]:
        return self.client(device).request(op, args, timeout=self.timeout, retries=self.retries,
                                           request_id=request_id)

    def close(self) -> None:
        for c in self.clients.values():
            c.stop()
        self.clients.clear()


class ServiceTransport:
    """The hub's service in-process (no broker): the same payloads, replies and database."""

    def __init__(self, service: Any) -> None:
        self.service = service

    def request(self, device: str, op: str, args: dict[str, Any], request_id: str) -> dict[str, Any]:
        out = self.service.handle(device, p.Request(request_id, op, args).encode())
        if out.reply is None:  # dropped by the hub (logged): over MQTT no reply would ever come
            raise RequestTimeout(op, 0.0)
        reply = p.load(out.reply)
        if not reply.get("ok"):
            err = reply.get("error") or {}
            raise RequestError(str(err.get("code", "internal")), str(err.get("message", "")))
        return dict(reply.get("result") or {})

    def close(self) -> None:
        pass


class SimDevices:
    """Every simulated device's requests: within its rate, a ``rate_limited`` refusal retried with the
    same id (the hub did nothing the first time); counts what it sent and retried."""

    def __init__(self, transport: Transport, pacer: DevicePacer, stop: threading.Event) -> None:
        self.transport, self.pacer, self.stop = transport, pacer, stop
        self.requests = 0
        self.rate_limited_retries = 0  # rate_limited refusals retried with the same id (then answered)

    def request(self, device: str, op: str, args: dict[str, Any]) -> dict[str, Any]:
        self.requests += 1
        rid = p.new_request_id()
        self.pacer.take(device)
        deadline, pause = time.monotonic() + RATE_WAIT_S, 0.25
        while True:
            try:
                return self.transport.request(device, op, args, rid)
            except RequestError as exc:
                if exc.code != "rate_limited" or time.monotonic() + pause > deadline or self.stop.is_set():
                    raise
            self.rate_limited_retries += 1
            self.stop.wait(pause)
            pause = min(pause * 2, 5.0)
