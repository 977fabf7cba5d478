"""Command line: ``slip`` (sample bytes + PNG preview) and ``printer check`` (status).

``register(subparsers)`` adds both to the main ``hallq`` CLI; ``python -m printers`` uses the
same parser on its own.  Each command returns an exit code: 0 ok, 1 the printer has a problem
(or a warning such as paper near end), 2 bad configuration or arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from printers.errors import PrinterError
from printers.layout import Document, Printable
from printers.notices import SAMPLES
from printers.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from printers.slip import sample_slip

KINDS = ("ticket", "acceptance", "handover", "correction", "completion")
DEFAULT_HALL = Path(__file__).resolve().parent.parent / "hallq" / "samples" / "hall.toml"


def sample_document(kind: str, width: int) -> Document:
    item: Printable = sample_slip() if kind == "ticket" else SAMPLES[kind]()
    return item.to_document(width)


def cmd_slip(args: argparse.Namespace) -> int:
    from printers.escpos_render import render
    from printers.preview import save_png

    if not args.sample:
        print("目前只支持 --sample（示例小票）(only --sample is supported)", file=sys.stderr)
        return 2
    profile = get_profile(args.profile)
    try:
        doc = sample_document(args.kind, args.width)
        data = render(doc, profile)
        if args.out:
            Path(args.out).write_bytes(data)
        if args.png:
            save_png(doc, args.png, profile)
    except PrinterError as e:
        print(f"错误 [{e.code}]：{e}", file=sys.stderr)
        return 1
    print(f"{args.kind} {args.width}mm {profile.name}: {len(data)} 字节 (bytes)"
          + (f" → {args.out}" if args.out else "") + (f"，预览 → {args.png}" if args.png else ""))
    return 0


def load_hall(path: str | None) -> tuple[dict[str, Any] | None, str]:
    hall = Path(path) if path else DEFAULT_HALL
    if not hall.is_file():
        return None, f"找不到大厅配置文件 (hall file not found): {hall}"
    try:
        with hall.open("rb") as f:
            return tomllib.load(f), str(hall)
    except tomllib.TOMLDecodeError as e:
        return None, f"{hall}: TOML 格式错误 (syntax error): {e}"


def cmd_printer_check(args: argparse.Namespace) -> int:
    from printers.backends import check_status
    from printers.config import parse_printers

    data, where = load_hall(args.config)
    if data is None:
        print(where, file=sys.stderr)
        return 2
    configs, all_errors = parse_printers(data.get("printers", {}))
    mine = f"printers.{args.printer}"
    errors = [(k, m) for k, m in all_errors if k == mine or k.startswith(mine + ".") or k == "printers"]
    for key, msg in errors:
        print(f"{where}: {key}: {msg}", file=sys.stderr)
    cfg = configs.get(args.printer)
    if cfg is None:
        if not errors:
            known = "、".join(configs) or "（无）"
            print(f"{where}: 没有名为 {args.printer!r} 的打印机 [printers.{args.printer}]；已配置：{known}",
                  file=sys.stderr)
        return 2
    status = check_status(cfg, timeout=args.timeout)
    if args.json:
        out = {"printer": cfg.name, "online": status.online, "paper": status.paper,
               "cover_open": status.cover_open, "error": status.error.as_dict() if status.error else None}
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"{cfg.where()}：{status.summary()}")
        if status.error:
            print(f"  错误代码 (code): {status.error.code}")
    return 0 if status.error is None else 1


def register(subparsers: Any) -> None:
    slip = subparsers.add_parser("slip", help="生成取号小票/通知书的打印数据和预览 (ESC/POS + PNG)")
    slip.add_argument("--sample", action="store_true", help="使用示例数据")
    slip.add_argument("--out", help="ESC/POS 字节输出文件 (.bin)")
    slip.add_argument("--png", help="PNG 预览输出文件")
    slip.add_argument("--profile", default=DEFAULT_PROFILE, choices=sorted(PROFILES), help="打印机配置")
    slip.add_argument("--width", type=int, default=80, choices=(58, 80), help="纸宽 (mm)")
    slip.add_argument("--kind", default="ticket", choices=KINDS, help="票据种类")
    slip.set_defaults(func=cmd_slip)

    printer = subparsers.add_parser("printer", help="打印机管理")
    sub = printer.add_subparsers(dest="printer_cmd", required=True)
    check = sub.add_parser("check", help="查询打印机状态（限时）")
    check.add_argument("--printer", required=True, help="大厅配置中 [printers.NAME] 的 NAME")
    check.add_argument("--config", help=f"大厅配置文件 (default {DEFAULT_HALL})")
    check.add_argument("--timeout", type=float, default=None, help="状态查询时限（秒）")
    check.add_argument("--json", action="store_true", help="输出 JSON")
    check.set_defaults(func=cmd_printer_check)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m printers", description="hallq 打印：小票、通知书、打印机状态")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code
