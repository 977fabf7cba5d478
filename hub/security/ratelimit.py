"""A token bucket per device: a flooding device is refused (``rate_limited``), the others are not.

Each device may send ``burst`` commands at once and ``per_minute`` on average. Time is the
process's monotonic clock, not the hall clock (a test hall with a pinned clock still refills).
A human at a kiosk or pad sends a command every few seconds at most; the limit only bites on a
stuck retry loop or a compromised device.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.enabled = per_minute > 0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # device -> (tokens, at)

    def allow(self, device: str) -> bool:
        """Take one token for ``device``; False if its bucket is empty (nothing is taken then)."""
        if not self.enabled:
            return True
        now = self.clock()
        tokens, at = self._buckets.get(device, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens < 1.0:
            self._buckets[device] = (tokens, now)
            return False
        self._buckets[device] = (tokens - 1.0, now)
        return True
