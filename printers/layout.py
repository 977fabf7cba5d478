"""The document model (版式): one description of a slip or notice for both bytes and preview.

A :class:`Document` is a list of blocks for a given paper width: text lines (already folded
to the column count, so no renderer wraps on its own), rules, QR codes, feeds and a cut.
:mod:`printers.escpos_render` turns it into ESC/POS bytes and :mod:`printers.preview` into a
PNG; both walk the same blocks on the same 12x24-dot grid, which is what makes the preview
trustworthy.

Paper widths: 58 mm paper prints 384 dots = 32 half-width columns (16 Chinese characters);
80 mm prints 576 dots = 48 columns.  Every non-ASCII character is double-byte on the printer
and takes two columns.  Folding (折行) breaks between Chinese characters, keeps ASCII words and
numbers together when they fit, and does not start a line with closing punctuation (避头点).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from hallq.idcard import looks_like_full_id
from printers.fonts import text_cols

Align = Literal["left", "center", "right"]
WIDTHS: dict[int, int] = {58: 384, 80: 576}  # paper mm -> printable dots at 203 dpi
NO_LINE_START = set("，。、：；！？）》」』】〕”’…,.;:!?)]}%")
# ASCII words and numbers, and short bracketed terms like 【过号取号】, stay whole when they fit
_TOKEN = re.compile(r"[A-Za-z0-9_.:/?&=%#@+\-~]+|【[^】]{1,10}】|《[^》]{1,14}》|.", re.S)


@dataclass(frozen=True)
class TextLine:
    text: str
    size: int = 1  # GS ! magnification, 1-8, same across and down
    bold: bool = False
    align: Align = "left"


@dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True)
class QRCode:
    data: str
    caption: str = ""


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    pass


Block = TextLine | Rule | QRCode | Feed | Cut


@dataclass(frozen=True)
class Document:
    width_mm: int
    blocks: tuple[Block, ...]
    title: str = ""

    def __post_init__(self) -> None:
        if self.width_mm not in WIDTHS:
            raise ValueError(f"纸宽应为 58 或 80 毫米 (paper width must be 58 or 80), got {self.width_mm}")
        for b in self.blocks:
            if isinstance(b, TextLine):
                if not 1 <= b.size <= 8:
                    raise ValueError(f"字号倍数应为 1-8: {b!r}")
                if text_cols(b.text) * b.size > self.columns:
                    raise ValueError(f"行宽超出纸宽 ({self.columns} 列): {b.text!r}")
                if looks_like_full_id(b.text):
                    raise ValueError("文档中含有完整身份证号码，拒绝打印 (full ID number in a document)")

    @property
    def dots(self) -> int:
        return WIDTHS[self.width_mm]

    @property
    def columns(self) -> int:
        return self.dots // 12

    def texts(self) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, TextLine)]


class Printable(Protocol):
    def to_document(self, width_mm: int) -> Document: ...


def build(item: Printable, width_mm: int) -> Document:
    return item.to_document(width_mm)


def fold(text: str, cols: int) -> list[str]:
    """Fold one paragraph into lines of at most ``cols`` columns (spaces at breaks dropped)."""
    if cols < 4:
        raise ValueError("too narrow to fold")
    lines: list[list[str]] = [[]]
    width = 0

    def pull(tok: str, src: list[str]) -> list[str]:
        """避头点: the tokens to bring down from ``src`` so a new line does not start with ``tok``'s
        closing punctuation; none when only closing punctuation could come (it would not help)."""
        carry: list[str] = []
        while (
            tok[0] in NO_LINE_START
            and len(src) > 1
            and (not carry or carry[0][0] in NO_LINE_START)
            and text_cols("".join([src[-1], *carry, tok])) <= cols
        ):
            carry.insert(0, src.pop())
        if carry and carry[0][0] in NO_LINE_START:
            src.extend(carry)
            return []
        while src and src[-1] == " ":
            src.pop()
        return carry

    def place(tok: str) -> None:
        nonlocal width
        tw = text_cols(tok)
        if not lines[-1] and len(lines) > 1 and tok[0] in NO_LINE_START:
            # a break at a space left this line empty: the punctuation still must not start it
            lines[-1] = [*pull(tok, lines[-2]), tok]
            width = sum(text_cols(t) for t in lines[-1])
            return
        if width + tw <= cols:
            lines[-1].append(tok)
            width += tw
            return
        carry = pull(tok, lines[-1])
        while lines[-1] and lines[-1][-1] == " ":
            lines[-1].pop()
        if tok == " ":
            tok = ""
        lines.append([*carry, tok] if tok else carry)
        width = sum(text_cols(t) for t in lines[-1])

    for tok in _TOKEN.findall(text):
        if text_cols(tok) > cols:
            for ch in tok:
                place(ch)
        else:
            place(tok)
    out = ["".join(line) for line in lines]
    return [line for line in out if line] or [""]


class Builder:
    """Appends folded blocks for one paper width; ``build()`` gives the Document."""

    def __init__(self, width_mm: int, title: str = "") -> None:
        self.width_mm = width_mm
        self.columns = WIDTHS[width_mm] // 12 if width_mm in WIDTHS else 0
        self.title = title
        self.blocks: list[Block] = []

    def text(self, text: str, *, size: int = 1, bold: bool = False, align: Align = "left") -> Builder:
        for para in text.split("\n"):
            for line in fold(para, self.columns // size):
                self.blocks.append(TextLine(line, size, bold, align))
        return self

    def heading(self, text: str, *, max_size: int = 2) -> Builder:
        """Centered bold, as large as fits on one line (down to size 1, folded if need be)."""
        size = max_size
        while size > 1 and text_cols(text) * size > self.columns:
            size -= 1
        return self.text(text, size=size, bold=True, align="center")

    def field(self, label: str, value: str, *, bold: bool = False) -> Builder:
        """``label：value`` with continuation lines indented under the value."""
        lw = text_cols(label)
        if self.columns - lw < 8:
            self.text(label, bold=bold)
            return self.text(value, bold=bold)
        for i, line in enumerate(fold(value, self.columns - lw)):
            prefix = label if i == 0 else " " * lw
            self.blocks.append(TextLine(prefix + line, 1, bold, "left"))
        return self

    def items(self, items: Iterable[str], *, numbered: bool = True, bullet: str = "□") -> Builder:
        for n, item in enumerate(items, 1):
            mark = f"{n}. " if numbered else f"{bullet} "
            self.field(mark, item)
        return self

    def signature(self, role: str, *, date: bool = True) -> Builder:
        """A signature line (签字栏): ``role：________ 日期：________`` folded to the width."""
        blank = "_" * max(6, (self.columns - text_cols(role) - 8) // (2 if date else 1) - 2)
        line = f"{role}：{blank}" + (f"  日期：{blank}" if date else "")
        if text_cols(line) > self.columns:
            self.text(f"{role}：{blank}")
            return self.text(f"日期：{blank}") if date else self
        self.blocks.append(TextLine(line))
        return self

    def rule(self, char: str = "-") -> Builder:
        self.blocks.append(Rule(char))
        return self

    def qr(self, data: str, caption: str = "") -> Builder:
        self.blocks.append(QRCode(data, caption))
        if caption:
            self.text(caption, align="center")
        return self

    def feed(self, lines: int = 1) -> Builder:
        self.blocks.append(Feed(lines))
        return self

    def cut(self) -> Builder:
        self.blocks.append(Cut())
        return self

    def build(self) -> Document:
        return Document(self.width_mm, tuple(self.blocks), self.title)

