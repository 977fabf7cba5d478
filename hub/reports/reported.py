"""The department's reported volume (附件3 XX专窗业务量报送表), from cells to rows. Pure.

:func:`hub.reports.sources.read_reported` turns an ``.xlsx`` or ``.csv`` file into a list
of rows of cells; :func:`parse_reported` finds the header row (title rows above it are
skipped), matches the columns by name and returns :class:`~hub.reports.volumes.ReportedRow`.
Column names (units in brackets such as ``（件）`` are ignored)::

    required  窗口 (窗口编号/窗口名称/专窗; an id like R01 or the window's name)
              业务量 (报送业务量/业务量合计/办件量/合计)
    optional  日期 (报送日期), 部门 (单位/报送单位), 受理, 咨询, 不予受理

A row with a cell reading 合计/小计/总计 is a total line and skipped; blank rows are skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hub.reports.volumes import ReportedRow

ALIASES = {
    "window": ("窗口", "窗口编号", "窗口号", "窗口名称", "专窗", "专窗名称", "window"),
    "volume": ("业务量", "报送业务量", "业务量合计", "办件量", "合计", "volume", "total"),
    "day": ("日期", "报送日期", "date", "day"),
    "department": ("部门", "单位", "报送单位", "部门名称", "department"),
    "accepted": ("受理", "受理量", "accepted"),
    "consulted": ("咨询", "咨询量", "consulted"),
    "rejected": ("不予受理", "不予受理量", "rejected"),
}
REQUIRED = ("window", "volume")
EXPECTED = "需要列：窗口、业务量；可选：日期、部门、受理、咨询、不予受理"
HEADER_SCAN = 10
TOTAL_WORDS = ("合计", "小计", "总计")


class ReportedFileError(ValueError):
    pass


def _norm(cell: Any) -> str:
    text = "" if cell is None else str(cell)
    return re.sub(r"[（(].*?[）)]|\s", "", text).lower()


def _columns(header: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = _norm(cell)
        for key, names in ALIASES.items():
            if name in names and key not in found:
                found[key] = i
    return found


def _int(cell: Any, source: str, line: int, column: str) -> int:
    if isinstance(cell, bool):
        raise ReportedFileError(f"{source} 第 {line} 行：{column} 应为整数，收到 {cell!r}")
    if isinstance(cell, int):
        value = cell
    elif isinstance(cell, float) and cell.is_integer():
        value = int(cell)
    else:
        text = "" if cell is None else str(cell).strip()
        if not re.fullmatch(r"\d+", text):
            raise ReportedFileError(f"{source} 第 {line} 行：{column} 应为非负整数，收到 {text or '（空）'!r}")
        value = int(text)
    if value < 0:
        raise ReportedFileError(f"{source} 第 {line} 行：{column} 不能为负数")
    return value


def _date(cell: Any, source: str, line: int) -> dt.date | None:
    if cell is None or str(cell).strip() == "":
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", str(cell).strip())
    if not m:
        raise ReportedFileError(f"{source} 第 {line} 行：日期 {cell!r} 无法识别（应为 2026-11-23）")
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def parse_reported(table: list[list[Any]], source: str = "reported") -> list[ReportedRow]:
    header_at, cols = -1, {}
    for i, row in enumerate(table[:HEADER_SCAN]):
        found = _columns(row)
        if "window" in found or "volume" in found:
            header_at, cols = i, found
            break
    if header_at < 0 or any(k not in cols for k in REQUIRED):
        seen = [str(c).strip() for c in (table[header_at] if header_at >= 0 else table[0] if table else [])
                if c is not None and str(c).strip()]
        missing = "、".join({"window": "窗口", "volume": "业务量"}[k] for k in REQUIRED if k not in cols)
        raise ReportedFileError(f"{source}: 业务量报送表缺少列 {missing}（{EXPECTED}）；"
                                f"找到的列：{'、'.join(seen) or '（无）'}")
    out: list[ReportedRow] = []
    for n, row in enumerate(table[header_at + 1:], header_at + 2):
        def cell(key: str, row: list[Any] = row) -> Any:
            i = cols.get(key)
            return row[i] if i is not None and i < len(row) else None

        window = "" if cell("window") is None else str(cell("window")).strip()
        if not window and all(c is None or str(c).strip() == "" for c in row):
            continue
        if any(str(c).strip() in TOTAL_WORDS for c in row if c is not None):
            continue
        if not window:
            raise ReportedFileError(f"{source} 第 {n} 行：窗口为空")
        parts = tuple((k, _int(cell(k), source, n, zh)) for k, zh in
                      (("accepted", "受理"), ("consulted", "咨询"), ("rejected", "不予受理"))
                      if k in cols and cell(k) not in (None, ""))
        out.append(ReportedRow(window, _int(cell("volume"), source, n, "业务量"), _date(cell("day"), source, n),
                               "" if cell("department") is None else str(cell("department")).strip(), parts, n))
    return out
