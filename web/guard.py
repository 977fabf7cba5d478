"""What keeps the phone page safe to expose: per-client limits, the form's CSRF token, input checks.

- **Limits per client address** (the address uvicorn reports: behind the hall's reverse proxy,
  the proxy's ``X-Forwarded-For`` when ``--forwarded-allow-ips`` names it). A token bucket for
  every request, and a second, much smaller one for lookups of tokens that do not exist, so
  walking tokens is slow even before it is pointless (a token is a 128-bit HMAC).
- **CSRF**: the rating form carries a token made for that page's ticket token and time, an HMAC
  under this process's secret (``--secret-file``, or a random one per start: a form loaded before
  a restart must then be reloaded). A POST without it, with another page's, or older than
  :data:`FORM_TTL_S` is refused; a cross-site POST (``Origin`` of another host, or
  ``Sec-Fetch-Site: cross-site``) is refused before that.
- **Input**: a ticket token must look like one (:data:`TOKEN`) before it is sent anywhere; a form
  body is read to at most :data:`MAX_FORM_BYTES`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

TOKEN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}-[A-Za-z0-9]{1,12}\.[A-Za-z0-9_-]{22}$")
MAX_FORM_BYTES = 2048
FORM_TTL_S = 2 * 3600


@dataclass
class Bucket:
    """A token bucket per key: ``burst`` at once, ``per_minute`` on average."""

    per_minute: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    _state: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, key: str) -> bool:
        now = self.clock()
        tokens, at = self._state.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.per_minute / 60.0)
        if len(self._state) > 50_000:  # a flood of addresses: forget the full buckets, keep memory bounded
            self._state = {k: v for k, v in self._state.items() if v[0] < self.burst}
        if tokens < 1.0:
            self._state[key] = (tokens, now)
            return False
        self._state[key] = (tokens - 1.0, now)
        return True

    def peek(self, key: str) -> bool:
        """Would :meth:`allow` pass (without taking a token)?"""
        now = self.clock()
        tokens, at = self._state.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - at) * self.per_minute / 60.0) >= 1.0


@dataclass
class Limits:
    """Every request counts against ``requests``; a lookup that found nothing also against ``misses``."""

    requests: Bucket
    misses: Bucket

    @classmethod
    def default(cls, clock: Callable[[], float] = time.monotonic) -> Limits:
        return cls(Bucket(60, 30, clock), Bucket(10, 10, clock))


def csrf_token(secret: bytes, page: str, now: float) -> str:
    """The rating form's token for ``page`` (a ticket token), made at ``now``."""
    stamp = str(int(now))
    mac = hmac.new(secret, f"rate:{page}:{stamp}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{stamp}.{mac}"


def csrf_ok(secret: bytes, page: str, value: str, now: float) -> bool:
    stamp, _, mac = value.partition(".")
    if not stamp.isdigit() or len(stamp) > 12 or not 0 <= now - int(stamp) <= FORM_TTL_S:
        return False
    good = hmac.new(secret, f"rate:{page}:{stamp}".encode(), hashlib.sha256).hexdigest()[:32]
    return hmac.compare_digest(good, mac)


def same_site(origin: str | None, fetch_site: str | None, host: str | None) -> bool:
    """False for a browser's cross-site POST (``Sec-Fetch-Site`` or an ``Origin`` naming another host)."""
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return False
    if origin and origin != "null" and host:
        return origin.split("://", 1)[-1].rstrip("/") == host
    return origin != "null"
