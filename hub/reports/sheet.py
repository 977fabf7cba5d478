"""One worksheet written as blocks: a title, a subtitle, then captions, tables and notes.

Shared by the report workbook (:mod:`hub.reports.excel`, :mod:`hub.reports.case_excel`) and the
办件档案 (:mod:`hub.reports.archive`). Layout of every sheet: row 1 the title, row 2 the hall,
period and unit, then blocks (a bold caption, a header row, data rows), notes in grey.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

DASH = "—"
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
BAD_FILL = PatternFill("solid", fgColor="F8D7DA")


class Sheet:
    """Writes blocks down a worksheet, remembering where each table landed."""

    def __init__(self, ws: Worksheet, title: str, subtitle: str) -> None:
        self.ws = ws
        ws["A1"] = title
        ws["A1"].font = Font(bold=True, size=14)
        ws["A2"] = subtitle
        ws["A2"].font = Font(color="555555")
        self.row = 4
        self.widths: dict[int, int] = {}

    def caption(self, text: str) -> None:
        self.ws.cell(self.row, 1, text).font = Font(bold=True, size=12)
        self.row += 1

    def note(self, text: str) -> None:
        self.ws.cell(self.row, 1, text).font = Font(color="666666", italic=True)
        self.row += 1

    def gap(self, n: int = 1) -> None:
        self.row += n

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, total: Sequence[Any] | None = None,
              formats: dict[int, str] | None = None, flag: Sequence[bool] | None = None) -> tuple[int, int]:
        """Header row and last data row (1-based); ``flag`` marks rows to shade (a mismatch)."""
        head = self.row
        for j, h in enumerate(headers, 1):
            c = self.ws.cell(head, j, h)
            c.font, c.fill, c.border = Font(bold=True), HEAD_FILL, BOX
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            self._fit(j, h, cap=12)
        body = [*rows, *([total] if total is not None else [])]
        for i, values in enumerate(body, 1):
            r = head + i
            for j, value in enumerate(values, 1):
                c = self.ws.cell(r, j, value)
                c.border = BOX
                if formats and j in formats and isinstance(value, int | float):
                    c.number_format = formats[j]
                if total is not None and i == len(body):
                    c.fill, c.font = TOTAL_FILL, Font(bold=True)
                elif flag and i <= len(flag) and flag[i - 1]:
                    c.fill = BAD_FILL
                self._fit(j, value)
        self.ws.row_dimensions[head].height = 32
        if not body:
            self.ws.cell(head + 1, 1, "（无）").font = Font(color="666666")
            self.row = head + 3
            return head, head
        self.row = head + len(body) + 2
        return head, head + len(body)

    def _fit(self, col: int, value: Any, cap: int = 40) -> None:
        text = str(value)
        width = min(cap, sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2)
        if width > self.widths.get(col, 8):
            self.widths[col] = width
            self.ws.column_dimensions[get_column_letter(col)].width = self.widths[col]
