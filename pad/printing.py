"""Print a window notice on the pad's printer (runs on a worker thread; printers do I/O).

The printer comes from the catalog: the device's ``printer`` name and the raw hall-file
table the hub publishes under ``printers``, parsed with :func:`printers.config.parse_printers`
exactly as the hub would.
"""

from __future__ import annotations

from typing import Any

from printers.backends import print_document
from printers.config import PrinterConfig, parse_printers
from printers.layout import Printable, build


class PrinterMissing(Exception):
    code = "printer"


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
