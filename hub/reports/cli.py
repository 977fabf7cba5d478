"""``hallq report daily|weekly|monthly``: the managers' workbook and 通报 text from the hub's database."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="managers' reports (日报/周报/月报) as an Excel workbook and 通报 text")
    add_arguments(p)
    p.set_defaults(func=cmd_report)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=("daily", "weekly", "monthly"), help="日报 / 周报 (Mon-Sun) / 月报")
    p.add_argument("--db", required=True, help="the hub's SQLite file (opened read-only)")
    p.add_argument("--date", required=True, help="a day in the period, YYYY-MM-DD")
    p.add_argument("--out", required=True, help="workbook to write (.xlsx)")
    p.add_argument("--reported", help="department-reported volume, 附件3 (.xlsx or .csv; see docs/reports.md)")
    p.add_argument("--config", help="hall file (TOML): window names, departments, zones, follow-up days")
    p.add_argument("--text", help="write the 通报 text (附件8, 附件6 wording) as Markdown to this file")
    p.add_argument("--holidays", help="holiday file: one YYYY-MM-DD a line, +YYYY-MM-DD for 调休 workdays")
    p.add_argument("--as-of", help="judge follow-up deadlines on this day (default: today)")
    p.add_argument("--target-wait", type=float, default=10.0,
                   help="target mean wait in minutes for staffing advice (default 10)")
    p.add_argument("--followup-days", type=int,
                   help="working days to follow up 差评/未评价 (default: the hall file's, else 5)")


def cmd_report(args: argparse.Namespace) -> int:
    from hub.reports.build import Settings, build_report
    from hub.reports.excel import write_workbook
    from hub.reports.period import Period
    from hub.reports.sources import (
        SourceError,
        read_followups,
        read_hall_snapshot,
        read_holidays,
        read_reported,
        read_rows,
        today,
    )
    from hub.reports.text import render_text

    def fail(message: str, code: int = 1) -> int:
        print(f"✗ {message}", file=sys.stderr)
        return code

    try:
        day = dt.date.fromisoformat(args.date)
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else today()
    except ValueError as exc:
        return fail(f"日期格式应为 YYYY-MM-DD (bad date): {exc}", 2)
    if args.target_wait <= 0:
        return fail("--target-wait 应大于 0 (must be positive)", 2)
    if args.followup_days is not None and args.followup_days < 0:
        return fail("--followup-days 不能为负数", 2)
    if not args.out.lower().endswith(".xlsx"):
        return fail(f"--out 应为 .xlsx 文件 (got {args.out})", 2)
    hall = None
    if args.config:
        from hub.config import ConfigError, load_hall

        try:
            hall = load_hall(args.config)
        except ConfigError as exc:
            return fail(str(exc))
    period = Period.of(args.kind, day)
    try:
        snapshot = read_hall_snapshot(args.db, period)
    except SourceError as exc:
        return fail(str(exc))
    if snapshot is not None:
        snap_day, snap_version, snap_text = snapshot
        if hall is None:
            import tomllib

            from hub.config import ConfigError, parse_hall

            try:
                hall = parse_hall(tomllib.loads(snap_text), text=snap_text, source=f"{args.db} ({snap_day})")
                print(f"大厅配置：使用数据库中 {snap_day} 的大厅文件 "
                      f"(hall file as run that day, version {snap_version})")
            except (ConfigError, tomllib.TOMLDecodeError) as exc:
                print(f"note: 数据库中的大厅文件无法读取 ({exc}); 名称按编号显示", file=sys.stderr)
        elif hall.version and hall.version != snap_version:
            print(f"note: --config {args.config} (version {hall.version}) 不是 {snap_day} 运行时的大厅文件 "
                  f"(version {snap_version})；报表按 --config 的名称与设置 (names follow --config)", file=sys.stderr)
    try:
        calendar = read_holidays(args.holidays)
        reported = read_reported(args.reported) if args.reported else None
        rows = read_rows(args.db, period)
        followups = read_followups(args.db)
    except SourceError as exc:
        return fail(str(exc))
    settings = Settings(as_of=as_of, target_wait_min=args.target_wait, followup_days=args.followup_days,
                        calendar=calendar, followups=followups)
    report = build_report(rows, hall, period, settings, reported, args.reported or "")
    sources = {"db": args.db, "reported": args.reported or "", "config": args.config or "",
               "holidays": args.holidays or ""}
    try:
        write_workbook(report, args.out, sources)
        if args.text:
            with open(args.text, "w", encoding="utf-8") as f:
                f.write(render_text(report))
    except OSError as exc:
        return fail(f"无法写入 (cannot write): {exc}")
    v = report.volumes.total
    print(f"✓ {report.period.name} {report.period.label()}: 取号 {report.issued}，叫号 {v.called}，"
          f"办件 {v.served()}，差评 {report.evaluations.total.bad}，数据质量问题 {len(report.issues)} 条 → {args.out}"
          + (f"，{args.text}" if args.text else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.reports", description="hallq managers' reports")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return cmd_report(args)
