"""A token bucket per device: a flooding device is refused (``rate_limited``), the others are not.

Each device may send ``burst`` commands at once and ``per_minute`` on average. Time is the
process's monotonic clock, not the hall clock (a test hall with a pinned clock still refills).
A human at a kiosk or pad sends a command every few seconds at most; the limit only bites on a
stuck retry loop or a compromised device. The one exception is a device that speaks for many people:
the phone page's web server (role ``web``) asks for every phone that shows a slip's page, so its
bucket is :data:`WIDE_FACTOR` times larger and refills that much faster (``wide``); the web app
limits each phone itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

WIDE_FACTOR = 25  # a web server's budget against one device's: 120 a minute -> 3,000 (50 phones' polls a second)


class RateLimiter:
    def __init__(self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic, *,
                 wide: Collection[str] = ()) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.wide = frozenset(wide)  # devices with WIDE_FACTOR times the budget (the web server)
        self.enabled = per_minute > 0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # device -> (tokens, at)

    def allow(self, device: str) -> bool:
        """Take one token for ``device``; False if its bucket is empty (nothing is taken then)."""
        if not self.enabled:
            return True
        now = self.clock()
        scale = WIDE_FACTOR if device in self.wide else 1
        tokens, at = self._buckets.get(device, (self.burst * scale, now))
        tokens = min(self.burst * scale, tokens + (now - at) * self.rate * scale)
        if tokens < 1.0:
            self._buckets[device] = (tokens, now)
            return False
        self._buckets[device] = (tokens - 1.0, now)
        return True
