"""Printer status (打印机状态) from DLE EOT replies, and an emulator that gives them.

ESC/POS real-time status: the host sends DLE EOT n (10 04 n) and the printer answers one byte,
even mid-job.  Bits 1 and 4 are always 1 (0x12); the ones we read:

* n=1 printer status: bit 3 (0x08) offline.
* n=2 offline cause: bit 2 (0x04) cover open, bit 5 (0x20) stopped at paper end.
* n=4 roll paper sensor: bits 2-3 (0x0C) near end, bits 5-6 (0x60) paper out.

:func:`interpret` is pure (bytes in, :class:`PrinterStatus` out) so every combination is
tested without hardware.  :class:`PrinterEmulator` plays a printer for the dummy backend and
for the test stand-ins (TCP server, pty): it answers DLE EOT with the bytes of a named state,
or never answers (``"silent"``), as some real models do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from printers.errors import BadReply, CoverOpen, PaperNearEnd, PaperOut, PrinterError, PrinterOffline, StatusTimeout

Paper = Literal["ok", "near_end", "out", "unknown"]
DLE_EOT = b"\x10\x04"
QUERIES = (1, 2, 4)


@dataclass(frozen=True)
class PrinterStatus:
    online: bool
    paper: Paper
    cover_open: bool | None
    error: PrinterError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        paper = {"ok": "纸张正常", "near_end": "纸将用完", "out": "缺纸", "unknown": "纸张状态未知"}
        cover = {True: "纸仓盖打开", False: "纸仓盖已关闭", None: "纸仓盖状态未知"}
        head = "在线" if self.online else "离线"
        text = f"{head}，{paper[self.paper]}，{cover[self.cover_open]}"
        return f"{text}；{self.error.message}" if self.error else text

    def raise_if_blocking(self) -> None:
        if self.error is not None and self.error.blocking:
            raise self.error


def interpret(replies: dict[int, int], where: str = "") -> PrinterStatus:
    """Status from DLE EOT replies keyed by n; a missing n=1 reply means the printer was silent."""
    if 1 not in replies:
        return PrinterStatus(False, "unknown", None, StatusTimeout("打印机未应答状态查询", where=where))
    bad = [f"{b:#04x}" for b in replies.values() if b & 0x93 != 0x12]  # bits 1, 4 set; 0, 7 clear
    if bad:
        return PrinterStatus(False, "unknown", None,
                             BadReply(f"应答不是 ESC/POS 状态字节 ({', '.join(bad)})，请检查地址和端口", where=where))
    online = not replies[1] & 0x08
    cover = bool(replies[2] & 0x04) if 2 in replies else None
    paper: Paper = "unknown"
    if 4 in replies:
        p = replies[4]
        paper = "out" if p & 0x60 else "near_end" if p & 0x0C else "ok"
    if 2 in replies and replies[2] & 0x20:
        paper = "out"
    error: PrinterError | None = None
    if cover:
        error = CoverOpen("打印机纸仓盖打开，请合上纸仓盖", where=where)
    elif paper == "out":
        error = PaperOut("打印机缺纸，请更换纸卷", where=where)
    elif not online:
        error = PrinterOffline("打印机离线，请检查电源和连接", where=where)
    elif paper == "near_end":
        error = PaperNearEnd("纸卷即将用完，请尽快更换", where=where)
    return PrinterStatus(online, paper, cover, error)


# state -> replies to DLE EOT 1, 2, 4 (None: never answers)
STATES: dict[str, tuple[int, int, int] | None] = {
    "ok": (0x12, 0x12, 0x12),
    "near_end": (0x12, 0x12, 0x1E),
    "out": (0x1A, 0x32, 0x7E),
    "offline": (0x1A, 0x12, 0x12),
    "cover_open": (0x1A, 0x16, 0x12),
    "silent": None,
}


class PrinterEmulator:
    """Answers DLE EOT n like a printer in ``state``; records every byte it was sent."""

    def __init__(self, state: str = "ok") -> None:
        if state not in STATES:
            raise ValueError(f"unknown printer state {state!r}; known: {', '.join(STATES)}")
        self.state = state
        self.received = bytearray()
        self._scan_from = 0

    def feed(self, data: bytes) -> bytes:
        self.received += data
        out = bytearray()
        buf = self.received
        i = max(0, self._scan_from - 2)  # a query may straddle two chunks
        while (i := buf.find(DLE_EOT, i)) != -1 and i + 2 < len(buf):
            out += self.reply(buf[i + 2])
            i += 3
        self._scan_from = len(buf) if i == -1 else i
        return bytes(out)

    def reply(self, n: int) -> bytes:
        replies = STATES[self.state]
        if replies is None or n not in QUERIES:
            return b""
        return bytes([replies[QUERIES.index(n)]])
