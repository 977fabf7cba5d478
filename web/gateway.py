"""The phone page's way to the hub: ``progress.get`` and ``progress.rate`` over MQTT, typed.

Replies are cached per token for a few seconds: many phones polling one hall become few
commands (the hub limits each device's rate, the web device's included: docs/web.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

import msgspec

from hallq import clock as hallclock
from hallq import messages as m
from hallq.client import RequestError, RequestTimeout

CACHE_S = 3.0
NOT_FOUND = ("not_found", "bad_args")  # a token the hub did not make, or one it could not even read


class Requester(Protocol):
    def request(self, op: str, args: dict[str, Any] | None = None, *, timeout: float = 5.0,
                retries: int = 2, request_id: str | None = None) -> dict[str, Any]: ...


class HubUnavailable(Exception):
    """The hub did not answer (or refused for a reason the page cannot help with)."""


class Refused(Exception):
    """The hub did not take a rating: its code and its words for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Gateway:
    def __init__(self, client: Requester, clock: Callable[[], float] = hallclock.now,
                 timeout: float = 3.0, cache_s: float = CACHE_S) -> None:
        self.client = client
        self.cache_s = cache_s
        self.clock = clock
        self.timeout = timeout
        self._cache: dict[str, tuple[float, m.ProgressView | None]] = {}
        self._lock = threading.Lock()

    def progress(self, token: str) -> m.ProgressView | None:
        """The page's data for ``token``; None when the hub knows no such token."""
        now = self.clock()
        with self._lock:
            hit = self._cache.get(token)
            if hit is not None and 0 <= now - hit[0] < self.cache_s:
                return hit[1]
        try:
            result = self.client.request("progress.get", {"token": token}, timeout=self.timeout, retries=1)
            found: m.ProgressView | None = msgspec.convert(result["progress"], m.ProgressView)
        except RequestTimeout as exc:
            raise HubUnavailable(str(exc)) from None
        except RequestError as exc:
            if exc.code not in NOT_FOUND:
                raise HubUnavailable(exc.code) from None
            found = None
        except (KeyError, msgspec.ValidationError) as exc:
            raise HubUnavailable(f"unreadable reply: {exc}") from None
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[token] = (now, found)
        return found

    def rate(self, token: str, level: int, reason: str) -> None:
        """Record the page's rating; :class:`Refused` with the hub's code and words when it is not taken."""
        with self._lock:
            self._cache.pop(token, None)
        try:
            self.client.request("progress.rate", {"token": token, "level": level, "reason": reason},
                                timeout=self.timeout, retries=1)
        except RequestTimeout as exc:
            raise HubUnavailable(str(exc)) from None
        except RequestError as exc:
            raise Refused(exc.code, exc.message) from None
        finally:
            with self._lock:
                self._cache.pop(token, None)
