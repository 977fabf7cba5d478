"""Print a window notice on the pad's printer (runs on a worker thread; printers do I/O).

The printer comes from the catalog: the device's ``printer`` name and the raw hall-file
table the hub publishes under ``printers``, parsed with :func:`printers.config.parse_printers`
exactly as the hub would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from printers.backends import print_document
from printers.config import PrinterConfig, parse_printers
from printers.cups import print_pdf
from printers.errors import PrinterError
from printers.layout import Printable, build
from printers.notices import Notice
from printers.pdf import render_pdf


class PrinterMissing(Exception):
    code = "printer"

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


def printer_config(name: str, table: dict[str, Any] | None) -> PrinterConfig:
    if not name or table is None:
        raise PrinterMissing("本窗口未配置打印机")
    configs, errors = parse_printers({name: table})
    if errors or name not in configs:
        raise PrinterMissing("打印机配置有误：" + "；".join(f"{k} {m}" for k, m in errors))
    return configs[name]


def print_notice(cfg: PrinterConfig, notice: Printable) -> str:
    """Print; return the paper state seen before printing ('ok', 'near_end', 'unknown')."""
    status = print_document(cfg, build(notice, cfg.width))
    return str(status.paper)


@dataclass(frozen=True)
class WindowPrinters:
    """A window's printers for case notices: its slip printer, and the A4 printer its ``a4`` key names
    (or the device's printer itself when that one is ``paper = "a4"``)."""

    roll: PrinterConfig | None
    a4: PrinterConfig | None


def window_printers(name: str, tables: dict[str, dict[str, Any]] | None) -> WindowPrinters:
    table = (tables or {}).get(name) if name else None
    if table is None:
        raise PrinterMissing("本窗口未配置打印机")
    wanted = {name: table}
    a4_name = str(table.get("a4", "")) if isinstance(table.get("a4"), str) else ""
    if a4_name and a4_name in (tables or {}):
        wanted[a4_name] = (tables or {})[a4_name]
    configs, errors = parse_printers(wanted)
    if errors or name not in configs:
        raise PrinterMissing("打印机配置有误：" + "；".join(f"{k} {m}" for k, m in errors))
    own = configs[name]
    if own.is_a4:
        return WindowPrinters(None, own)
    return WindowPrinters(own, configs.get(own.a4) if own.a4 else None)


def print_case_notice(printers: WindowPrinters, notice: Notice, created: dt.datetime) -> list[str]:
    """Print ``notice`` on the slip printer and on A4 where the window has one; what was done, in words.

    Each paper is tried; a failure on one does not stop the other, and is raised (Chinese message)
    after both were tried, naming what did print."""
    done: list[str] = []
    failed: list[str] = []
    if printers.roll is not None:
        try:
            status = print_document(printers.roll, build(notice, printers.roll.width))
            done.append("小票" + ("（纸卷即将用完）" if str(status.paper) == "near_end" else ""))
        except PrinterError as exc:
            failed.append(f"小票：{exc.message}")
    if printers.a4 is not None:
        try:
            job = print_pdf(printers.a4, render_pdf(notice, created=created), title=notice.to_form().title)
            done.append(f"A4（{job.printer}）")
        except PrinterError as exc:
            failed.append(f"A4：{exc.message}")
    if failed:
        raise PrinterMissing("；".join(failed) + (f"（已打印：{'、'.join(done)}）" if done else ""))
    return done
