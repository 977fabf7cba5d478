"""Command line: ``slip`` (bytes + PNG preview) and ``printer check`` (status).

``slip --sample`` prints the seed's slip (吕梁, 附件7).  ``slip --config HALL.toml`` prints the
slip *that hall's* kiosk would print: its name, progress URL (QR), 温馨提示 footer, expiry rule
and the windows serving the matter, with a name / ID number / matter given on the command line
(masked as the hub masks them), on its printer's paper width and profile (``--printer NAME``,
default the first kiosk's printer); ``--printer-override dummy|file:PATH`` sends the bytes there
as a kiosk started with the same option would.

``notice`` draws the window notices on A4 (受理通知书, 办结通知书, 附件4, 附件5) from sample data
as PDF and PNG so a person can look at them, with a case code (办件码) as QR and Code 128, and with
``--printer NAME --config HALL.toml`` sends the PDF to that hall's A4 printer (a CUPS queue).

``register(subparsers)`` adds them to the main ``hallq`` CLI; ``python -m printers`` uses the
same parser on its own, without ``slip --config`` (reading a hall file takes the hub's loader, so the
``hallq`` command hands :func:`cmd_slip` that half: :mod:`launcher.slip`).
Each command returns an exit code: 0 ok, 1 the printer has a problem
(or a warning such as paper near end), 2 bad configuration or arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from printers.config import PrinterConfig
from printers.errors import PrinterError
from printers.layout import Printable
from printers.notices import SAMPLES
from printers.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from printers.slip import sample_slip

KINDS = ("ticket", "acceptance", "handover", "correction", "completion")
DEFAULT_HALL = Path(__file__).resolve().parent.parent / "launcher" / "samples" / "hall.toml"


class SlipArgsError(ValueError):
    """Bad command-line input for ``slip``: exit code 2 with this message."""


HallSlip = Callable[[argparse.Namespace], tuple[Printable, PrinterConfig | None]]


def cmd_slip(args: argparse.Namespace, hall_slip: HallSlip | None = None) -> int:
    """Make (and with --printer send) a slip; ``hall_slip`` makes the slip of the hall in ``--config``
    (the ``hallq`` command passes it: reading a hall file is the hub's loader's job, one floor up)."""
    from printers.backends import print_bytes
    from printers.escpos_render import render
    from printers.preview import save_png

    if args.sample == bool(args.config):
        print("请给出 --sample（示例小票）或 --config 大厅配置文件之一 (give --sample or --config HALL.toml)",
              file=sys.stderr)
        return 2
    cfg: PrinterConfig | None = None
    try:
        if args.config:
            if hall_slip is None:
                raise SlipArgsError("--config 请用 hallq slip --config HALL.toml (the hall file is read by hallq)")
            item, cfg = hall_slip(args)
        else:
            if args.printer or args.printer_override:
                raise SlipArgsError("--printer/--printer-override 需要 --config (they need the hall file)")
            item = sample_slip() if args.kind == "ticket" else SAMPLES[args.kind]()
    except SlipArgsError as e:
        print(f"✗ {e}", file=sys.stderr)
        return 2
    width = args.width or (cfg.width if cfg else 80)
    profile = get_profile(args.profile) if args.profile else (cfg.profile if cfg else get_profile(DEFAULT_PROFILE))
    try:
        doc = item.to_document(width)
        data = render(doc, profile)
        if args.out:
            Path(args.out).write_bytes(data)
        if args.png:
            save_png(doc, args.png, profile)
        if cfg is not None and (args.printer or args.printer_override):
            print_bytes(cfg, data)
    except PrinterError as e:
        print(f"错误 [{e.code}]：{e}", file=sys.stderr)
        return 1
    sent = f"，已发送到打印机 {cfg.where()}" if cfg is not None and (args.printer or args.printer_override) else ""
    print(f"{args.kind} {width}mm {profile.name}: {len(data)} 字节 (bytes)"
          + (f" → {args.out}" if args.out else "") + (f"，预览 → {args.png}" if args.png else "") + sent)
    return 0


def hall_printer(tables: dict[str, dict[str, Any]], devices: dict[str, Any], name: str,
                  override: str) -> PrinterConfig | None:
    """``name`` (default: the first kiosk's printer) from the hall's [printers], its backend
    replaced by ``override`` (``dummy[:STATE]`` or ``file:PATH``) when given."""
    from printers.config import _KEYS, parse_printers

    name = name or next((str(d.printer) for d in devices.values() if getattr(d, "printer", "")), "")
    if name and name not in tables:
        known = "、".join(tables) or "（无）"
        raise SlipArgsError(f"--printer {name!r}：大厅配置中没有 [printers.{name}]；已配置：{known}")
    table = dict(tables.get(name, {}))
    if override:
        kind, _, arg = override.partition(":")
        if kind == "dummy":
            table.update(backend="dummy", dummy_status=arg or "ok")
        elif kind == "file" and arg:
            table.update(backend="file", path=arg)
        else:
            raise SlipArgsError(f"--printer-override 应为 dummy[:STATE] 或 file:PATH，而不是 {override!r}")
        backend = table["backend"]
        for key, (_, only) in _KEYS.items():
            if only and backend not in only:
                table.pop(key, None)  # the real printer's address does not apply to the override
    if not table:
        return None
    configs, errors = parse_printers({name or "override": table})
    if errors:
        raise SlipArgsError("; ".join(f"{k}: {m}" for k, m in errors))
    return configs[name or "override"]


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


NOTICE_KINDS = ("acceptance", "completion", "handover", "correction")
SAMPLE_CASE = "LL-2026-000123"


def _a4_printer(args: argparse.Namespace) -> PrinterConfig:
    """The A4 printer ``--printer`` names in ``--config``; a receipt printer leads to its ``a4``."""
    from printers.config import parse_printers

    data, where = load_hall(args.config)
    if data is None:
        raise SlipArgsError(where)
    configs, errors = parse_printers(data.get("printers", {}))
    if errors:
        raise SlipArgsError("; ".join(f"{where}: {k}: {m}" for k, m in errors))
    cfg = configs.get(args.printer)
    if cfg is None:
        known = "、".join(configs) or "（无）"
        raise SlipArgsError(f"{where}: 没有名为 {args.printer!r} 的打印机 [printers.{args.printer}]；已配置：{known}")
    if not cfg.is_a4 and cfg.a4:
        cfg = configs[cfg.a4]
    if not cfg.is_a4:
        raise SlipArgsError(f"[printers.{cfg.name}] 不是 A4 打印机：请写 paper = \"a4\"，"
                            "或在小票打印机上写 a4 = \"NAME\"")
    return cfg


def cmd_notice(args: argparse.Namespace) -> int:
    """Sample notices on A4: PDF (and PNG) per kind; with --printer, printed on the hall's A4 printer."""
    from printers.cups import print_pdf
    from printers.pdf import render_pdf, save_png

    kinds = list(NOTICE_KINDS) if args.kind == "all" else [args.kind]
    if not (args.pdf or args.png or args.out_dir or args.printer):
        print("请给出 --pdf/--png、--out-dir 或 --printer (nothing to write)", file=sys.stderr)
        return 2
    if len(kinds) > 1 and (args.pdf or args.png):
        print("--kind all 请用 --out-dir DIR (one file name for four notices)", file=sys.stderr)
        return 2
    try:
        cfg = _a4_printer(args) if args.printer else None
        done: list[str] = []
        for kind in kinds:
            item = SAMPLES[kind]().with_case_code(args.case_code)
            pdf = render_pdf(item)
            paths = {"pdf": Path(args.pdf) if args.pdf else None, "png": Path(args.png) if args.png else None}
            if args.out_dir:
                out = Path(args.out_dir)
                out.mkdir(parents=True, exist_ok=True)
                paths = {"pdf": out / f"{kind}.pdf", "png": out / f"{kind}.png"}
            if paths["pdf"]:
                paths["pdf"].write_bytes(pdf)
            if paths["png"]:
                save_png(pdf, paths["png"])
            sent = ""
            if cfg is not None:
                job = print_pdf(cfg, pdf, title=item.to_form().title, copies=args.copies)
                sent = f"，已发送到 {cfg.where()}：{job.job}"
            written = "、".join(str(p) for p in paths.values() if p)
            done.append(f"{kind} A4 {len(pdf)} 字节 (bytes)" + (f" → {written}" if written else "") + sent)
    except SlipArgsError as e:
        print(f"✗ {e}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"✗ {e}", file=sys.stderr)
        return 2
    except PrinterError as e:
        print(f"错误 [{e.code}]：{e}", file=sys.stderr)
        return 1
    print("\n".join(done))
    return 0


def register(subparsers: Any) -> None:
    slip = subparsers.add_parser("slip", help="生成取号小票/通知书的打印数据和预览 (ESC/POS + PNG)")
    slip.add_argument("--sample", action="store_true", help="使用示例数据（附件7 吕梁样票）")
    slip.add_argument("--config", help="大厅配置文件：打印该大厅取号机会打印的小票")
    slip.add_argument("--matter", help="事项 id（默认第一个可取号的事项）")
    slip.add_argument("--situation", help="情形 id（默认该事项第一个可取号的情形）")
    slip.add_argument("--name", default="", help="申请人姓名（按 hub 的规则脱敏后打印）")
    slip.add_argument("--id", default="", help="身份证号码（校验后脱敏打印，完整号码不会出现）")
    slip.add_argument("--number", default="", help="票号（默认 队列字母+001）")
    slip.add_argument("--ahead", type=int, default=0, help="等待人数")
    slip.add_argument("--at", default="", help="取号时间 \"YYYY-MM-DD HH:MM\"（默认大厅当地当前时间）")
    slip.add_argument("--printer", default="",
                      help="大厅配置中 [printers.NAME]（默认第一台取号机的打印机）；给出时发送到该打印机")
    slip.add_argument("--printer-override", default="",
                      help="dummy[:STATE] 或 file:PATH：用该打印机的纸宽和配置，发送到这里")
    slip.add_argument("--out", help="ESC/POS 字节输出文件 (.bin)")
    slip.add_argument("--png", help="PNG 预览输出文件")
    slip.add_argument("--profile", default="", choices=["", *sorted(PROFILES)], help="打印机配置（默认取自打印机）")
    slip.add_argument("--width", type=int, default=0, choices=(0, 58, 80), help="纸宽 mm（默认取自打印机，否则 80）")
    slip.add_argument("--kind", default="ticket", choices=KINDS, help="票据种类")
    slip.set_defaults(func=cmd_slip)

    notice = subparsers.add_parser("notice", help="A4 通知书（示例数据）：PDF + PNG 预览，可发送到 A4 打印机")
    notice.add_argument("--kind", default="acceptance", choices=[*NOTICE_KINDS, "all"],
                        help="受理通知书 acceptance / 办结通知书 completion / 附件4 handover / 附件5 correction / all")
    notice.add_argument("--case-code", default=SAMPLE_CASE, help=f"办件码（二维码与条形码），默认 {SAMPLE_CASE}")
    notice.add_argument("--pdf", help="PDF 输出文件")
    notice.add_argument("--png", help="PNG 预览输出文件")
    notice.add_argument("--out-dir", help="输出目录：每种通知书一个 KIND.pdf 和 KIND.png")
    notice.add_argument("--config", help=f"大厅配置文件 (default {DEFAULT_HALL})")
    notice.add_argument("--printer", default="", help="A4 打印机 [printers.NAME]（或写了 a4 = … 的小票打印机）")
    notice.add_argument("--copies", type=int, default=1, help="份数 1-20")
    notice.set_defaults(func=cmd_notice)

    printer = subparsers.add_parser("printer", help="打印机管理")
    sub = printer.add_subparsers(dest="printer_cmd", required=True)
    check = sub.add_parser("check", help="查询打印机状态（限时）")
    check.add_argument("--printer", required=True, help="大厅配置中 [printers.NAME] 的 NAME")
    check.add_argument("--config", help=f"大厅配置文件 (default {DEFAULT_HALL})")
    check.add_argument("--timeout", type=float, default=None, help="状态查询时限（秒）")
    check.add_argument("--json", action="store_true", help="输出 JSON")
    check.set_defaults(func=cmd_printer_check)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m printers",
                                     description="hallq 打印：小票、通知书（热敏与 A4）、打印机状态")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code
