"""The predicted wait (预计等候, issue 17) against the real wait, beside the naive baseline.

``python bench/bench_wait.py [--seeds 3] [--days-dir DIR]``. Simulated days of the sample hall
(吕梁, its non-tidal windows staffed) through the real hub (the simulator engine against the hub's
service in-process, ``launcher/wait_check.py``): for each ticket, the prediction the hub put in
its ``ticket.issue`` reply against the time until its first call, and the naive baseline at the
same moment (people ahead × average window time per ticket so far ÷ open windows serving its
queue). Prints per scenario the absolute error p50/p90 (minutes) of both, by how much the hub's
is smaller, and how often the real wait fell inside the hub's range (约 lo-hi 分钟); then the same
for the tickets that really waited 10 minutes or more (most tickets of a quiet queue are called at
once, and both methods say 0 for them).

Scenarios: quiet (peak 40 an hour), busy (the simulator's default day, peaks 170 and 150 an
hour), a morning peak (250 an hour at 9:00, then quiet), a window pausing (the busy day with
S01 and S02 paused 10:00-10:45). Each over ``--seeds`` days (different citizens), pooled.
No wall clock is involved: a day runs as fast as the hub answers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from common import machine, table

from hub.config import load_hall
from launcher.samples import sample_hall_path
from launcher.simulate.model import parse_profile
from launcher.wait_check import DayErrors, errors, simulate

DAY = dt.date(2026, 11, 23)
LONG_MIN = 10.0
SCENARIOS: list[tuple[str, str, tuple[tuple[str, str, str], ...]]] = [
    ("quiet", "40", ()),
    ("busy", "default", ()),
    ("morning peak", "8:120,9:250,10:120,11:40,14:40,15:40,16:40,17:20", ()),
    ("window pausing", "default", (("S01", "10:00", "10:45"), ("S02", "10:00", "10:45"))),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3, help="simulated days per scenario (default 3)")
    ap.add_argument("--days-dir", default=None, help="where the days' temporary databases go")
    args = ap.parse_args()
    hall = load_hall(sample_hall_path())
    print(machine())
    rows, long_rows = [], []
    for name, profile, pauses in SCENARIOS:
        t0 = time.monotonic()
        days = [simulate(hall, DAY, parse_profile(profile), name=name, seed=seed, pauses=pauses,
                         db_dir=args.days_dir) for seed in range(1, args.seeds + 1)]
        pooled: DayErrors = errors(name, [p for d in days for p in d.predictions])
        rows.append([name, pooled.tickets, round(pooled.mean_wait_min, 1), round(pooled.hub_p50, 1),
                     round(pooled.hub_p90, 1), round(pooled.naive_p50, 1), round(pooled.naive_p90, 1),
                     f"{pooled.gain_p50:.0%}", f"{pooled.gain_p90:.0%}", f"{pooled.in_range:.0%}"])
        long = errors(name, [p for d in days for p in d.predictions], min_wait=LONG_MIN)
        long_rows.append([name, long.tickets, round(long.mean_wait_min, 1), round(long.hub_p50, 1),
                          round(long.hub_p90, 1), round(long.naive_p50, 1), round(long.naive_p90, 1),
                          f"{long.gain_p50:.0%}", f"{long.gain_p90:.0%}", f"{long.in_range:.0%}"])
        print(f"  {name}: {len(days)} days in {time.monotonic() - t0:.0f} s", flush=True)
    headers = ["scenario", "tickets", "mean wait (min)", "hub p50", "hub p90", "naive p50", "naive p90",
               "p50 smaller by", "p90 smaller by", "real wait in range"]
    print("every ticket called (absolute error, minutes)")
    print(table(headers, rows))
    print(f"tickets that waited {LONG_MIN:.0f} minutes or more (where a prediction matters)")
    print(table(headers, long_rows))


if __name__ == "__main__":
    main()
