"""The kiosk's receipt printer: status, the ticket slip, and the unprinted-ticket record.

A kiosk must never leave an issued ticket without a slip and without a record (issue 5,
"Faults"). :class:`UnprintedSpool` is that record: a small JSON file holding each ticket
the hub issued whose slip has not printed yet (ticket id and number only: no personal
data). The kiosk removes an entry when the slip prints or when the hub has voided the
ticket (``ticket.cancel`` reason 打印失败); entries left after a crash are settled at start.

Printer access goes through :mod:`printers.backends` (status within a time limit, bytes
through python-escpos ``_raw``). No Qt here; the view runs these calls off the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
import threading
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from hallq.messages import PrinterReport
from printers.backends import check_status, open_printer, print_document
from printers.config import PrinterConfig, parse_printers
from printers.errors import PrinterError
from printers.slip import TicketSlip, valid_until
from printers.status import PrinterStatus

VOID_REASON = "打印失败"
FONT_MISSING_TEXT = "本机缺少中文字库，无法打印小票"  # the install hint goes to the log (docs/deploy.md §8)

log = logging.getLogger("hallq.kiosk")


@dataclass(frozen=True)
class PrinterState:
    """What the kiosk knows about its printer; ``blocking`` stops ticket issue."""

    online: bool = True
    paper: str = "unknown"  # ok | near_end | out | unknown
    error: str = ""  # a printers.errors code, "" when fine
    message: str = ""
    blocking: bool = False
    checked: bool = False  # False until the first status check answered

    @classmethod
    def from_status(cls, status: PrinterStatus) -> PrinterState:
        err = status.error
        return cls(status.online, status.paper, err.code if err else "", err.message if err else "",
                   bool(err and err.blocking), True)

    @classmethod
    def from_error(cls, error: PrinterError) -> PrinterState:
        paper = "out" if error.code == "paper_out" else "unknown"
        message = error.message
        if error.code == "font_missing":  # what to install is for IT (the log), not for the citizen's screen
            log.error("kiosk printer: %s", error.message)
            message = FONT_MISSING_TEXT
        return cls(error.code not in ("offline", "device_missing", "unreachable"), paper, error.code,
                   message, error.blocking, True)

    def as_status(self) -> dict[str, Any]:
        """The payload for ``HallClient.set_status`` (guides see it on their pads)."""
        report = PrinterReport(online=self.online, paper=self.paper, error=self.error or None, message=self.message,
                               blocking=self.blocking)
        return {"printer": msgspec.to_builtins(report)}


def printer_config(catalog_printers: dict[str, dict[str, Any]], name: str,
                   override: str = "") -> PrinterConfig:
    """The kiosk's printer from the catalogue's ``printers`` tables (or ``override``: ``dummy``,
    ``dummy:out``, ``file:PATH``). Raises ValueError listing every error."""
    if override:
        kind, _, arg = override.partition(":")
        if kind == "dummy":
            table: dict[str, Any] = {"backend": "dummy", "dummy_status": arg or "ok"}
        elif kind == "file":
            table = {"backend": "file", "path": arg or "kiosk-slip.bin"}
        else:
            raise ValueError(f"--printer-override must be dummy[:STATE] or file:PATH, got {override!r}")
        name = name or "override"
    else:
        if not name:
            raise ValueError("this kiosk has no printer in the hall file (devices[].printer)")
        if name not in catalog_printers:
            raise ValueError(f"printer {name!r} is not in the hall's [printers] tables")
        table = catalog_printers[name]
    configs, errors = parse_printers({name: table})
    if errors:
        raise ValueError("; ".join(f"{k}: {m}" for k, m in errors))
    return configs[name]


class KioskPrinter:
    """One printer; a dummy printer stays open so its bytes and simulated state can be seen."""

    def __init__(self, cfg: PrinterConfig) -> None:
        self.cfg = cfg
        self._lock = threading.Lock()
        self.device: Any = open_printer(cfg) if cfg.backend == "dummy" else None
        if cfg.backend == "file" and not cfg.path.startswith("/dev/"):
            Path(cfg.path).parent.mkdir(parents=True, exist_ok=True)  # a file collecting slips (tests, demos)

    def set_simulated_state(self, state: str) -> None:
        """Dummy printers only: ok, near_end, out, offline, cover_open, silent."""
        if self.device is None:
            raise ValueError("only a dummy printer has a simulated state")
        self.device.emulator.state = state

    @property
    def output(self) -> bytes:
        """Every byte sent so far (dummy), or the file's bytes (file backend)."""
        if self.device is not None:
            return bytes(self.device.output)
        if self.cfg.backend == "file" and os.path.exists(self.cfg.path):
            return Path(self.cfg.path).read_bytes()
        return b""

    def status(self) -> PrinterState:
        with self._lock:
            return PrinterState.from_status(check_status(self.cfg, printer=self.device))

    def print_slip(self, slip: TicketSlip) -> PrinterState:
        """Print one slip; raises PrinterError (paper out, write failed …) when it did not print."""
        doc = slip.to_document(self.cfg.width)
        with self._lock:
            if self.cfg.backend == "file":
                Path(self.cfg.path).parent.mkdir(parents=True, exist_ok=True)
            return PrinterState.from_status(print_document(self.cfg, doc, printer=self.device))


def slip_for(view: dict[str, Any], hall_name: str, timezone: str, group_name: str = "",
             window_names: dict[str, str] | None = None, expire_at: Sequence[str] = (),
             footer: Sequence[str] = ()) -> TicketSlip:
    """The 附件7 slip for a ticket view from the hub (masked data only); windows by name and id
    (综合窗口1（S01）) when ``window_names`` knows them; ``expire_at`` is the hall's 清号时刻 (the
    slip says until when the number is valid), ``footer`` its 温馨提示."""
    names = window_names or {}
    windows = [f"{names[w]}（{w}）" if names.get(w) and names[w] != w else w for w in view.get("windows") or []]
    tz = zoneinfo.ZoneInfo(timezone or "Asia/Shanghai")
    issued = dt.datetime.fromtimestamp(float(view.get("issued_at") or 0), tz).replace(tzinfo=None)
    notes = []
    if view.get("priority_group") and not view.get("priority_verified"):
        notes.append(f"已申报优先办理：{group_name or view['priority_group']}。请到引导台出示证件核验")
    if view.get("appointment"):
        notes.append("预约签到号，请按预约时段到窗口办理")
    if view.get("queue") and view.get("queue_name") and view.get("channel") == "kiosk" and view.get("retakes"):
        notes.append("过号重取，请留意叫号")
    return TicketSlip(
        hall_name=hall_name, ticket_number=view["number"],
        matter=view.get("matter_name", ""), situation=view.get("situation_name", ""),
        windows=windows, applicant_masked=view.get("applicant", ""),
        id_masked=view.get("id_masked", ""), waiting_ahead=int(view.get("ahead") or 0),
        issued_at=issued, qr_url=view.get("progress_url", ""), materials=list(view.get("materials") or []),
        notes=[*notes, *footer], valid_until=valid_until(issued.time(), expire_at),
        wait=(view.get("wait_lo_min"), view.get("wait_hi_min")) if "wait_lo_min" in view else None,  # 预计等候
        wait_past=str(view.get("wait_past_close") or ""),
    )


class UnprintedSpool:
    """Tickets issued but not yet printed, kept on disk (ticket id and number only)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def entries(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def add(self, ticket_id: str, number: str, at: float) -> None:
        with self._lock:
            data = self.entries()
            data[ticket_id] = {"number": number, "at": at}
            self._write(data)

    def remove(self, ticket_id: str) -> None:
        with self._lock:
            data = self.entries()
            if data.pop(ticket_id, None) is not None:
                self._write(data)

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".spool-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
