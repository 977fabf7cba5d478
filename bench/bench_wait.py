"""The predicted wait (预计等候, issue 17) against the real wait, beside the naive baseline, and what
each part of the estimator adds.

``python bench/bench_wait.py [--seeds 3] [--days-dir DIR]``. Simulated days of the sample hall
(吕梁, its non-tidal windows staffed) through the real hub (the simulator engine against the hub's
service in-process, ``launcher/wait_check.py``): for each ticket, the prediction the hub put in
its ``ticket.issue`` reply against the time until its first call, and the naive baseline at the
same moment (people ahead × average window time per ticket so far ÷ open windows serving its
queue). The same days (same citizens, so the same calls and real waits) are played with four
estimators, each adding one part:

- ``today's``: the forward run with window times learnt from the day alone (8 minutes before any);
- ``+ hall file``: window times seeded from the hall file's ``service_minutes``;
- ``+ history``: … and from an earlier day's measured times (one day, other citizens, played first
  on the same database);
- ``+ arrivals``: … and the expected work of later queue-jumpers (绿色通道, 预约, 过号取号, transfers).

Prints per scenario the absolute error p50 / p90 (minutes) of each, how often the real wait fell
inside the range the hub said (约 lo-hi 分钟; aim ~80 %), and the same for the tickets that waited 10
minutes or more (most tickets of a quiet queue are called at once, and every method says 0 then).

Scenarios: quiet (peak 40 an hour), busy (the simulator's default day, peaks 170 and 150 an hour),
a morning peak (250 an hour at 9:00, then quiet), a window pausing (the busy day with S01 and S02
paused 10:00-10:45), the first hour of a busy day (only tickets issued in it: where seeding
matters), and a busy day with many priority citizens (15 % 绿色通道: where jumpers matter). Each
over ``--seeds`` days, pooled. No wall clock is involved: a day runs as fast as the hub answers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from common import machine, table

from hub.config import load_hall
from launcher.samples import sample_hall_path
from launcher.simulate.model import Behaviour, parse_profile
from launcher.wait_check import DayErrors, Prediction, errors, simulate

DAY = dt.date(2026, 11, 23)
LONG_MIN = 10.0
BUSY_PEAK = "8:120,9:250,10:120,11:40,14:40,15:40,16:40,17:20"
PAUSES = (("S01", "10:00", "10:45"), ("S02", "10:00", "10:45"))
# name, profile, pauses, behaviour, only the first hour
SCENARIOS: list[tuple[str, str, tuple[tuple[str, str, str], ...], Behaviour | None, bool]] = [
    ("quiet", "40", (), None, False),
    ("busy", "default", (), None, False),
    ("morning peak", BUSY_PEAK, (), None, False),
    ("window pausing", "default", PAUSES, None, False),
    ("first hour, no history today", "default", (), None, True),
    ("many 绿色通道 (15 %)", "default", (), Behaviour(priority=0.15), False),
]
# column, simulate()'s options
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("today's", {"seeded": False, "history_days": 0, "arrivals": False}),
    ("+ hall file", {"seeded": True, "history_days": 0, "arrivals": False}),
    ("+ history", {"seeded": True, "history_days": 1, "arrivals": False}),
    ("+ arrivals", {"seeded": True, "history_days": 1, "arrivals": True}),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3, help="simulated days per scenario (default 3)")
    ap.add_argument("--days-dir", default=None, help="where the days' temporary databases go")
    args = ap.parse_args()
    hall = load_hall(sample_hall_path())
    print(machine())
    tables: dict[float, tuple[list[list[Any]], list[list[Any]]]] = {0.0: ([], []), LONG_MIN: ([], [])}
    for name, profile, pauses, behaviour, first_hour in SCENARIOS:
        t0 = time.monotonic()
        pooled: list[list[Prediction]] = []
        for _, options in VARIANTS:
            days = [simulate(hall, DAY, parse_profile(profile), name=name, seed=seed, pauses=pauses,
                             behaviour=behaviour, db_dir=args.days_dir, first_hour=first_hour, **options)
                    for seed in range(1, args.seeds + 1)]
            pooled.append([p for d in days for p in d.predictions])
        for min_wait, (errs, ranges) in tables.items():
            each = [errors(name, ps, min_wait=min_wait) for ps in pooled]
            errs.append(_error_row(name, each))
            ranges.append([name, *(f"{e.in_range:.0%}" for e in each)])
        print(f"  {name}: {args.seeds} days × {len(VARIANTS)} estimators in {time.monotonic() - t0:.0f} s", flush=True)
    names = [v for v, _ in VARIANTS]
    for min_wait, (errs, ranges) in tables.items():
        which = "every ticket called" if not min_wait else f"tickets that waited {min_wait:.0f} minutes or more"
        print(f"\n{which}: absolute error p50 / p90 (minutes); the last column: + arrivals against naive")
        print(table(["scenario", "tickets", "mean wait (min)", "naive", *names, "p50 / p90 smaller by"], errs))
        print(f"\n{which}: real wait inside the range said (aim ~80 %)")
        print(table(["scenario", *names], ranges))


def _error_row(name: str, each: list[DayErrors]) -> list[Any]:
    first, last = each[0], each[-1]
    gain50 = 1 - last.hub_p50 / first.naive_p50 if first.naive_p50 else 0.0
    gain90 = 1 - last.hub_p90 / first.naive_p90 if first.naive_p90 else 0.0
    return [name, first.tickets, round(first.mean_wait_min, 1), f"{first.naive_p50:.1f} / {first.naive_p90:.1f}",
            *(f"{e.hub_p50:.1f} / {e.hub_p90:.1f}" for e in each), f"{gain50:.0%} / {gain90:.0%}"]


if __name__ == "__main__":
    main()
