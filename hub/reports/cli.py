"""``hallq report daily|weekly|monthly``: the managers' workbook and 通报 text from the hub's database;
``hallq report case CASE_ID``: one case's full history for 归档 (.xlsx or Markdown)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.case_config import CaseRules
    from hub.hall import Hall


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="managers' reports (日报/周报/月报) as an Excel workbook and 通报 text")
    add_arguments(p)
    p.set_defaults(func=cmd_report)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=("daily", "weekly", "monthly", "case"),
                   help="日报 / 周报 (Mon-Sun) / 月报, or case: one case's history for 归档 (办件档案)")
    p.add_argument("case_id", nargs="?", help="with case: the case id or its provincial number (办件编号)")
    p.add_argument("--db", required=True, help="the hub's SQLite file (opened read-only)")
    p.add_argument("--date", help="a day in the period, YYYY-MM-DD (daily/weekly/monthly)")
    p.add_argument("--out", required=True,
                   help="workbook to write (.xlsx); for case also .md/.txt (Markdown), .pdf (A4) or .png (A4 preview); "
                        "for case --period a directory (one A4 PDF per closed case and 索引.md)")
    p.add_argument("--period", help="with case: YYYY-MM, archive every case closed in that month (归档) into --out DIR")
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
        now,
        read_case_rows,
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

    if args.kind == "case":
        return cmd_case(args, fail)
    if args.case_id is not None:
        return fail(f"{args.kind} 报表不接受办件号 {args.case_id!r}（办件档案请用 hallq report case CASE_ID）", 2)
    if not args.date:
        return fail("需要 --date YYYY-MM-DD (the report needs a day in the period)", 2)
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
        case_rows = read_case_rows(args.db)
    except SourceError as exc:
        return fail(str(exc))
    settings = Settings(as_of=as_of, target_wait_min=args.target_wait, followup_days=args.followup_days,
                        calendar=calendar, followups=followups, now=None if args.as_of else now())
    report = build_report(rows, hall, period, settings, reported, args.reported or "", case_rows)
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
    cs = report.cases
    cases = (f"，办件跟踪：受理 {sum(f.accepted for f in cs.completion)}、逾期未办结 {len(cs.overdue)}"
             if cs is not None and cs.given else "，无办件跟踪记录")
    print(f"✓ {report.period.name} {report.period.label()}: 取号 {report.issued}，叫号 {v.called}，"
          f"办件 {v.served()}，差评 {report.evaluations.total.bad}{cases}，数据质量问题 {len(report.issues)} 条 → "
          f"{args.out}" + (f"，{args.text}" if args.text else ""))
    return 0


def _case_hall(args: argparse.Namespace) -> Hall | None:
    """--config, else the hall file the hub last noted in its database (names, time zone, [cases]), else None."""
    import tomllib

    from hub.config import ConfigError, load_hall, parse_hall
    from hub.reports.sources import read_latest_hall

    if args.config:
        return load_hall(args.config)
    noted = read_latest_hall(args.db)
    if noted is None:
        return None
    day, _, text = noted
    try:
        return parse_hall(tomllib.loads(text), text=text, source=f"{args.db} ({day})")
    except (ConfigError, tomllib.TOMLDecodeError) as exc:
        print(f"note: 数据库中的大厅文件无法读取 ({exc}); 按默认设置导出", file=sys.stderr)
        return None


def cmd_case(args: argparse.Namespace, fail: Callable[..., int]) -> int:
    """``hallq report case CASE_ID --db … --out FILE``: the case's 办件档案 (附件4 rows and every event);
    ``hallq report case --period YYYY-MM --db … --out DIR``: every case closed that month, one A4 PDF each."""
    from hub.config import ConfigError
    from hub.reports.archive import FORMATS, ArchiveError, build_archive, write_archive
    from hub.reports.build import DEFAULT_TIMEZONE
    from hub.reports.sources import SourceError, read_case_rows

    if args.period and args.case_id:
        return fail("办件号与 --period 只能给一个（one case, or a month's archive）", 2)
    if not args.case_id and not args.period:
        return fail("需要办件号：hallq report case CASE_ID --db … --out FILE，或 --period YYYY-MM --out DIR", 2)
    if args.date or args.text or args.reported:
        return fail("办件档案不接受 --date、--text、--reported (not used by report case)", 2)
    if not args.period and not args.out.lower().endswith(FORMATS):
        return fail(f"--out 应为 {'、'.join(FORMATS)} 文件 (got {args.out})", 2)
    try:
        hall = _case_hall(args)
        rows = read_case_rows(args.db)
    except ConfigError as exc:
        return fail(str(exc))
    except SourceError as exc:
        return fail(str(exc))
    if not rows:
        what = f"办件 {args.case_id}" if args.case_id else f"{args.period} 的办件档案"
        return fail(f"{args.db}: 数据库中没有办件记录 (no case events)，无法导出{what}")
    timezone = hall.timezone if hall else DEFAULT_TIMEZONE
    names = {m.id: m.name for m in hall.matters.values()} if hall else {}
    situations = {(m.id, x.id): x.name for m in hall.matters.values() for x in m.situations} if hall else {}
    rules = hall.cases if hall and hall.cases else None
    calendar = rules.calendar if rules else None
    hall_name = hall.name if hall else "政务服务中心"
    if args.period:
        return _month_archive(args, rows, hall_name, (names, situations), timezone, fail, rules)
    try:
        doc = build_archive(rows, args.case_id, timezone, hall_name, names, calendar, situations)
        write_archive(doc, args.out)
    except ArchiveError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"无法写入 (cannot write): {exc}")
    steps = len(doc.tables[1].rows)
    print(f"✓ 办件 {doc.fields[0][1]} 档案：交接 {len(doc.tables[0].rows)} 次，办理过程 {steps} 条 → {args.out}")
    return 0


def _month_archive(args: argparse.Namespace, rows: list[Any], hall_name: str,
                   names: tuple[dict[str, str], dict[tuple[str, str], str]], timezone: str,
                   fail: Callable[..., int], rules: CaseRules | None) -> int:
    """Every case closed in the month: ``DIR/<case>.pdf`` each, and ``DIR/索引.md`` listing them."""
    import zoneinfo
    from pathlib import Path

    from hub.reports.archive import ArchiveError, archive_file_name, build_archive, closed_cases, write_archive
    from hub.reports.period import Period

    try:
        first = dt.date.fromisoformat(f"{args.period}-01")
    except ValueError:
        return fail(f"--period 应为 YYYY-MM（月份），而不是 {args.period!r}", 2)
    out = Path(args.out)
    if out.suffix.lower() in (".xlsx", ".md", ".txt", ".pdf", ".png") or out.is_file():
        return fail(f"--period 的 --out 应为目录 (a directory), 而不是文件 {out}", 2)
    period = Period.of("monthly", first)
    closed = closed_cases(rows, period.first, period.last, timezone, rules)
    if not closed:
        return fail(f"{args.period} 没有结案（已送达）的办件，未生成档案", 1)
    tz = zoneinfo.ZoneInfo(timezone)
    calendar = rules.calendar if rules else None
    matters, situations = names
    lines = [f"# {hall_name} {first:%Y年%m月}办件档案索引", "",
             f"本月结案（结果已送达申请人）办件 {len(closed)} 件，每件一份 A4 档案（PDF）。"
             f"时间为 {timezone} 当地时间。", "",
             "| 序号 | 办件号 | 办件编号 | 事项 | 承办部门 | 受理时间 | 结案时间 | 结案方式 | 档案文件 |",
             "|---|---|---|---|---|---|---|---|---|"]
    try:
        out.mkdir(parents=True, exist_ok=True)
        for i, c in enumerate(closed, 1):
            name = archive_file_name(c.id)
            write_archive(build_archive(rows, c.id, timezone, hall_name, matters, calendar, situations), out / name)
            when = [f"{dt.datetime.fromtimestamp(t, tz):%Y-%m-%d %H:%M}" for t in (c.accepted_at, c.closed_at)]
            lines.append(f"| {i} | {c.id} | {c.number or '—'} | {matters.get(c.matter, c.matter)} | {c.department} | "
                         f"{when[0]} | {when[1]} | {c.state} | {name} |")
        (out / "索引.md").write_text("\n".join([*lines, ""]), encoding="utf-8")
    except ArchiveError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"无法写入 (cannot write): {exc}")
    print(f"✓ {first:%Y年%m月} 办件档案：结案 {len(closed)} 件，每件一份 A4 PDF，索引 → {out / '索引.md'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.reports", description="hallq managers' reports")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return cmd_report(args)
