"""The hall's clock: the one place in hallq that reads the machine's wall time.

Everything that needs "now" either takes a clock (a ``Callable[[], float]`` of epoch seconds)
or defaults to :func:`now` here; everything that needs a date or a time of day turns epoch
seconds into the **hall's** time zone (``[hall] timezone``), never the machine's — a kiosk PC
set to UTC still shows and prints Beijing time.

``HALLQ_CLOCK_SHIFT`` (seconds, may be negative) moves this clock for a whole process tree:
rehearsing a Monday morning on a Sunday, and the test suite, which runs a year ahead on a
Sunday in a foreign machine time zone so that a test that depends on today's date fails
the day it is written, not the week after. Nothing else in hallq may call ``time.time()``
for wall time, ``date.today()``, ``datetime.now()`` or ``time.localtime()``:
``tests/test_clock_guard.py`` greps for them.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
import zoneinfo

SHIFT_ENV = "HALLQ_CLOCK_SHIFT"
DEFAULT_TIMEZONE = "Asia/Shanghai"


def _read_shift() -> float:
    raw = os.environ.get(SHIFT_ENV, "").strip()
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{SHIFT_ENV}={raw!r}: expected a number of seconds, e.g. 86400") from None
    if not math.isfinite(value) or abs(value) > 100 * 366 * 86400:
        raise ValueError(f"{SHIFT_ENV}={raw!r}: must be a finite number of seconds within 100 years")
    return value


SHIFT = _read_shift()


def now() -> float:
    """Epoch seconds, shifted by ``HALLQ_CLOCK_SHIFT`` if set."""
    return time.time() + SHIFT


def zone(name: str | None = None) -> dt.tzinfo:
    """The hall's time zone (``Asia/Shanghai`` unless the hall says otherwise)."""
    return zoneinfo.ZoneInfo(name or DEFAULT_TIMEZONE)


def local(at: float | None = None, tz: dt.tzinfo | str | None = None) -> dt.datetime:
    """An aware datetime in the hall's zone for epoch seconds ``at`` (default: now)."""
    tzinfo = tz if isinstance(tz, dt.tzinfo) else zone(tz)
    return dt.datetime.fromtimestamp(now() if at is None else at, tzinfo)


def today(tz: dt.tzinfo | str | None = None) -> dt.date:
    """The hall's date today."""
    return local(None, tz).date()
