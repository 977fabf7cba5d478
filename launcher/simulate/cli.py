"""``hallq simulate``: a whole hall day through the real hub and broker, into a real database."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any, TextIO

from hallq import clock as hallclock
from launcher.simulate.engine import Progress


def register(sub: Any) -> None:
    p = sub.add_parser("simulate", help="a whole simulated hall day through the real hub and broker")
    p.add_argument("--config", help="hall file (TOML); default: the sample hall")
    p.add_argument("--db", help="SQLite file the day is written to (required unless --mqtt)")
    p.add_argument("--day", default="", help="the day to simulate, YYYY-MM-DD (default: today)")
    p.add_argument("--speed", type=float, default=60.0,
                   help="simulated seconds per real second (default 60: a day in ~10 min); 0: as fast as possible")
    p.add_argument("--arrivals-per-hour", default="default", metavar="PROFILE",
                   help="hourly arrivals: 'H:RATE,H:RATE…' (e.g. 9:150,10:170,14:100) or one number, the peak "
                        "rate of the default two-peak profile")
    p.add_argument("--windows", type=int, help="staffed windows (default: every non-tidal window; more than the "
                                               "hall has adds windows of the same kinds)")
    p.add_argument("--kiosks", type=int, default=5, help="kiosks (default 5)")
    p.add_argument("--mqtt", help="drive an already running hub on this broker instead (its clock, its db)")
    p.add_argument("--pin", default="1234", help="staff PIN for --mqtt halls (default 1234)")
    p.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same day")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--month", help="YYYY-MM: every working day of the month through one hub, with cases (办件) "
                                   "travelling between the days: 转递, 签收, 补正, 办结, 出件 (needs --db)")
    p.add_argument("--days", type=int, help="with --day: this many calendar days from it, as --month does")
    p.set_defaults(func=cmd_simulate)


def progress_printer(out: TextIO, tz: str) -> Any:
    import zoneinfo

    zone = zoneinfo.ZoneInfo(tz)

    def show(pr: Progress) -> None:
        width = 30
        done = int(pr.fraction * width)
        clock = dt.datetime.fromtimestamp(pr.now, zone).strftime("%H:%M")
        out.write(f"\r[{'#' * done}{'.' * (width - done)}] {clock}  tickets {pr.issued:>5}  served {pr.served:>5}"
                  f"  waiting {pr.waiting:>4} ")
        out.flush()

    return show


def cmd_simulate(args: argparse.Namespace) -> int:
    from hub.config import ConfigError, load_hall
    from launcher.samples import sample_hall_path
    from launcher.simulate.model import parse_profile
    from launcher.simulate.run import simulate_day

    try:
        hall = load_hall(args.config or sample_hall_path())
    except ConfigError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    try:
        day = dt.date.fromisoformat(args.day) if args.day else hallclock.today(hall.timezone)
        profile = parse_profile(args.arrivals_per_hour)
    except ValueError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    if not args.mqtt and not args.db:
        print("✗ --db is required when simulate runs its own hub (or give --mqtt URL)", file=sys.stderr)
        return 2
    if args.month or args.days:
        return cmd_month(args, hall, profile)
    if args.windows is not None and args.windows < 1:
        print("✗ --windows must be at least 1", file=sys.stderr)
        return 2
    if args.mqtt:
        print("note: --mqtt drives a hub with its own clock: events carry its time, --day only shapes arrivals,"
              " and --speed is at least 1 (real time)", file=sys.stderr)
    print(f"hallq simulate: {hall.name}, day {day}, speed {args.speed or 'max'}, "
          f"~{sum(profile.values()):.0f} arrivals", flush=True)
    show = None if args.quiet else progress_printer(sys.stdout, hall.timezone)
    try:
        result = simulate_day(hall, day, db=args.db, url=args.mqtt, speed=args.speed, profile=profile,
                              windows=args.windows, seed=args.seed, pin=args.pin, kiosks=args.kiosks, progress=show)
    except (ConnectionError, ValueError) as exc:
        print(f"\n✗ {exc}", file=sys.stderr)
        return 1
    if show:
        print()
    r = result.run
    c = r.counts
    print(f"simulated {c['arrived']} arrivals ({c['online']} sent online, {c['consult_only']} to consultation) "
          f"with {r.requests} hub requests in {r.wall_s:.1f} s")
    if r.rate_limited_retries or r.paced_s >= 1:
        print(f"  rate limit ([policy] rate_per_minute {hall.policy.rate_per_minute}): devices waited "
              f"{r.paced_s:.0f} s to keep to it; {r.rate_limited_retries} rate_limited answers retried "
              "with the same id")
    if result.summary is not None:
        print(result.summary.render())
        print(f"database: {result.db}")
    return refusal_report(r, sys.stderr)


def refusal_report(run: Any, out: TextIO) -> int:
    """0 if the hub answered every command; else a loud summary on ``out`` and exit code 1."""
    refused = run.refused()
    if not refused:
        return 0
    out.write(f"✗ 模拟设备有 {refused} 条命令被 hub 拒绝 (the hub refused {refused} commands of simulated devices):\n")
    for key, n in sorted(run.errors.items(), key=lambda kv: -kv[1]):
        action, _, code = key.partition(":")
        out.write(f"    {n:>6}  {action}: {code}\n")
    out.write("  A real hall's devices would have failed the same way: check the hall file "
              "([policy] rate_per_minute, staff PINs, guides).\n")
    return 1


def cmd_month(args: argparse.Namespace, hall: Any, profile: dict[int, float]) -> int:
    """``--month YYYY-MM`` / ``--day D --days N``: several days through one hub, cases included."""
    from launcher.simulate.month import month_of, simulate_month

    if args.mqtt:
        print("✗ --month runs its own hub (its clock moves day to day): not with --mqtt", file=sys.stderr)
        return 2
    try:
        if args.month:
            first, last = month_of(args.month)
        elif args.day and args.days and args.days > 0:
            first = dt.date.fromisoformat(args.day)
            last = first + dt.timedelta(days=args.days - 1)
        else:
            raise ValueError("--days N needs --day YYYY-MM-DD and N of at least 1")
    except ValueError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    print(f"hallq simulate: {hall.name}, {first}..{last}, ~{sum(profile.values()):.0f} arrivals a working day, "
          "cases after 受理", flush=True)

    def show(day: dt.date, pr: Progress) -> None:
        sys.stdout.write(f"\r{day}  tickets {pr.issued:>5}  served {pr.served:>5} ")
        sys.stdout.flush()

    try:
        r = simulate_month(hall, first, last, db=args.db, profile=profile, windows=args.windows, seed=args.seed,
                           kiosks=args.kiosks, speed=args.speed, progress=None if args.quiet else show,
                           durable=True)
    except (ConnectionError, ValueError) as exc:
        print(f"\n✗ {exc}", file=sys.stderr)
        return 1
    c, k = r.counts, r.cases.counts
    print(f"\nsimulated {len(r.days)} working days: {c['arrived']} arrivals, {c['issued']} tickets, "
          f"{c['accepted']} 受理, with {r.requests} hub requests in {r.wall_s:.1f} s")
    print(f"  cases: {k['case.accept']} opened, {k['case.sign']} 签收, {k['case.notify_correction']} 一次性告知, "
          f"{k['case.approve'] + k['case.deny'] + k['case.done_on_spot']} decided, "
          f"{k['case.collect'] + k['case.locker'] + k['case.post'] + k['case.done_on_spot']} handed over; "
          f"late departments: {'、'.join(r.cases.late_departments) or '—'}")
    print(f"database: {r.db}  (hallq report monthly --db {r.db} --date {first} --out month.xlsx)")
    return refusal_report(r, sys.stderr)
