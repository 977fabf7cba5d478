"""Printer settings from the hall file (大厅配置 ``[printers.NAME]``), checked key by key.

Each kiosk and window names its printer; a printer table says how to reach it (backend and
its address), the paper width, and a profile with optional per-printer overrides::

    [printers.K1]              # kiosk 1
    backend = "usb"
    vendor_id = 0x0416
    product_id = 0x5011
    width = 80
    profile = "xprinter"

An A4 printer (``paper = "a4"``) takes the notices as PDF through a CUPS queue (``backend =
"cups"``), or writes the PDF to a file (``"file"``) or nowhere (``"dummy"``); a window's receipt
printer names it with ``a4 = "NAME"`` so that window's notices can also go out on A4::

    [printers.HALL-A4]         # the office printer behind the 综合受理 windows
    backend = "cups"
    queue = "hall-a4"
    paper = "a4"

Errors come back as ``(key_path, message)`` pairs, Chinese first, never as an exception, so the
hall-file loader can report all of them at once.  Unknown keys are errors with the closest
known key suggested, because a typo (``baudrat``) would otherwise silently use a default.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from printers.profiles import CHINESE_MODES, CUT_MODES, DEFAULT_PROFILE, PROFILES, Profile, get_profile

BACKENDS = ("usb", "serial", "network", "cups", "file", "dummy")
PAPERS = ("roll", "a4")
A4_BACKENDS = ("cups", "file", "dummy")
ROLL_ONLY = ("width", "profile", "chinese_mode", "native_qr", "cut", "status_query", "qr_module", "a4")
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
DUMMY_STATES = ("ok", "near_end", "out", "offline", "cover_open", "silent")

# key -> (type, backends it applies to; empty = all)
_KEYS: dict[str, tuple[type | tuple[type, ...], tuple[str, ...]]] = {
    "backend": (str, ()),
    "width": (int, ()),
    "profile": (str, ()),
    "status_timeout": ((int, float), ()),
    "chinese_mode": (str, ()),
    "native_qr": (bool, ()),
    "cut": (str, ()),
    "status_query": (bool, ()),
    "qr_module": (int, ()),
    "vendor_id": (int, ("usb",)),
    "product_id": (int, ("usb",)),
    "in_ep": (int, ("usb",)),
    "out_ep": (int, ("usb",)),
    "port": (str, ("serial",)),
    "baudrate": (int, ("serial",)),
    "host": (str, ("network",)),
    "tcp_port": (int, ("network",)),
    "queue": (str, ("cups",)),
    "path": (str, ("file",)),
    "dummy_status": (str, ("dummy",)),
    "paper": (str, ()),
    "a4": (str, ()),
}
_REQUIRED = {"usb": ("vendor_id", "product_id"), "serial": ("port",), "network": ("host",),
             "cups": ("queue",), "file": ("path",), "dummy": ()}
_TYPE_NAMES = {int: "整数 (an integer)", str: "字符串 (a string)", bool: "true/false (a boolean)"}
_OVERRIDES = ("chinese_mode", "native_qr", "cut", "status_query", "qr_module")


@dataclass(frozen=True)
class PrinterConfig:
    name: str
    backend: str
    width: int = 80
    profile: Profile = field(default_factory=lambda: get_profile(DEFAULT_PROFILE))
    status_timeout: float = 2.0
    vendor_id: int = 0
    product_id: int = 0
    in_ep: int = 0x82
    out_ep: int = 0x01
    port: str = ""
    baudrate: int = 9600
    host: str = ""
    tcp_port: int = 9100
    queue: str = ""
    path: str = ""
    dummy_status: str = "ok"
    paper: str = "roll"  # "roll": ESC/POS receipt paper; "a4": PDF notices (printers.cups)
    a4: str = ""  # a roll printer's A4 companion: the [printers.NAME] its window's notices also go to

    @property
    def is_a4(self) -> bool:
        return self.paper == "a4"

    def where(self) -> str:
        """Where the printer is, for error messages: ``K1 (network 10.0.0.5:9100)``."""
        addr = {
            "usb": f"USB {self.vendor_id:04x}:{self.product_id:04x}",
            "serial": f"{self.port} @ {self.baudrate}",
            "network": f"{self.host}:{self.tcp_port}",
            "cups": f"queue {self.queue}",
            "file": self.path,
            "dummy": "dummy",
        }[self.backend]
        kind = "A4 打印机" if self.is_a4 else "打印机"
        return f"{kind} {self.name} ({self.backend} {addr})"


def _type_ok(value: object, kind: type | tuple[type, ...]) -> bool:
    if isinstance(value, bool) and kind is not bool:
        return False  # TOML true is not the integer 1
    return isinstance(value, kind)


def _check_value(key: str, value: Any) -> str | None:
    if key == "backend" and value not in BACKENDS:
        return f"应为 {' / '.join(BACKENDS)} 之一 (unknown backend), got {value!r}"
    if key == "width" and value not in (58, 80):
        return f"纸宽应为 58 或 80 (paper width in mm), got {value!r}"
    if key == "profile" and value not in PROFILES:
        return f"未知打印机配置 (unknown profile) {value!r}；可选：{'、'.join(PROFILES)}"
    if key == "status_timeout" and not 0.1 <= value <= 30:
        return f"应在 0.1-30 秒之间 (seconds), got {value!r}"
    if key == "chinese_mode" and value not in CHINESE_MODES:
        return f"应为 {' / '.join(CHINESE_MODES)} 之一, got {value!r}"
    if key == "cut" and value not in CUT_MODES:
        return f"应为 {' / '.join(CUT_MODES)} 之一, got {value!r}"
    if key == "qr_module" and not 1 <= value <= 16:
        return f"应在 1-16 之间 (dots per module), got {value!r}"
    if key in ("vendor_id", "product_id") and not 0 <= value <= 0xFFFF:
        return f"应为 0x0000-0xFFFF 之间的 USB ID, got {value!r}"
    if key == "baudrate" and value not in BAUDRATES:
        return f"应为常用波特率 {BAUDRATES} 之一, got {value!r}"
    if key == "tcp_port" and not 1 <= value <= 65535:
        return f"端口应在 1-65535 之间, got {value!r}"
    if key == "paper" and value not in PAPERS:
        return f"应为 \"roll\"（小票卷纸）或 \"a4\"（A4 通知书）, got {value!r}"
    if key == "dummy_status" and value not in DUMMY_STATES:
        return f"应为 {' / '.join(DUMMY_STATES)} 之一, got {value!r}"
    return None


def parse_printer(name: str, table: Any, path: str) -> tuple[PrinterConfig | None, list[tuple[str, str]]]:
    where = f"{path}.{name}"
    if not isinstance(table, dict):
        return None, [(where, f"应为表 (expected a table [{where}]), got {type(table).__name__}")]
    errors: list[tuple[str, str]] = []
    backend = table.get("backend")
    if backend is None:
        errors.append((f"{where}.backend", f"缺少 backend (missing)；可选：{' / '.join(BACKENDS)}"))
    values: dict[str, Any] = {}
    for key, value in table.items():
        kp = f"{where}.{key}"
        if key not in _KEYS:
            close = difflib.get_close_matches(key, _KEYS, n=1, cutoff=0.6)
            hint = f"，是否应为 {close[0]!r}？(did you mean {close[0]!r}?)" if close else ""
            errors.append((kp, f"未知配置项 (unknown key) {key!r}{hint}"))
            continue
        kind, only = _KEYS[key]
        if not _type_ok(value, kind):
            names = kind if isinstance(kind, tuple) else (kind,)
            expected = " / ".join(_TYPE_NAMES.get(k, "数字 (a number)") for k in names if k is not float)
            errors.append((kp, f"应为{expected}, got {value!r}"))
            continue
        problem = _check_value(key, value)
        if problem:
            errors.append((kp, problem))
            continue
        if only and isinstance(backend, str) and backend in BACKENDS and backend not in only:
            errors.append((kp, f"只适用于 backend = {' / '.join(only)} (not used by {backend!r})"))
            continue
        values[key] = value
    if table.get("paper") == "a4":
        if isinstance(backend, str) and backend in BACKENDS and backend not in A4_BACKENDS:
            errors.append((f"{where}.paper", f"A4 打印机经 CUPS 打印（backend = \"cups\"），或用 file / dummy；"
                                             f"不能用 {backend!r} (an A4 printer is reached through CUPS)"))
        errors.extend((f"{where}.{key}", "只适用于小票打印机，A4 打印机不用此项 (receipt printers only)")
                      for key in ROLL_ONLY if key in table)
    if isinstance(backend, str) and backend in BACKENDS:
        for key in _REQUIRED[backend]:
            if key not in table:
                errors.append((f"{where}.{key}", f"backend = {backend!r} 需要此项 (required)"))
    if errors:
        return None, errors
    overrides = {k: values.pop(k) for k in _OVERRIDES if k in values}
    profile = get_profile(values.pop("profile", DEFAULT_PROFILE), **overrides)
    if "status_timeout" in values:
        values["status_timeout"] = float(values["status_timeout"])
    return PrinterConfig(name=name, profile=profile, **values), []


def parse_printers(
    table: dict[str, Any], path: str = "printers"
) -> tuple[dict[str, PrinterConfig], list[tuple[str, str]]]:
    """Parse ``[printers.NAME]`` tables; returns the valid configs and all errors found."""
    configs: dict[str, PrinterConfig] = {}
    errors: list[tuple[str, str]] = []
    if not isinstance(table, dict):
        return {}, [(path, f"应为表 (expected a table), got {type(table).__name__}")]
    for name, sub in table.items():
        cfg, errs = parse_printer(name, sub, path)
        errors.extend(errs)
        if cfg is not None:
            configs[name] = cfg
    for name, cfg in configs.items():
        if cfg.a4 and cfg.a4 not in table:
            known = "、".join(n for n, c in configs.items() if c.is_a4) or "（无）"
            errors.append((f"{path}.{name}.a4",
                           f"没有名为 {cfg.a4!r} 的打印机 [printers.{cfg.a4}]；A4 打印机：{known}"))
        elif cfg.a4 and cfg.a4 in configs and not configs[cfg.a4].is_a4:
            errors.append((f"{path}.{name}.a4", f"[printers.{cfg.a4}] 不是 A4 打印机（缺少 paper = \"a4\"）"))
    return configs, errors
