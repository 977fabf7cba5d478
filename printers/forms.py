"""The notices' layout model (通知书版式): one description, two papers.

A notice (受理通知书, 办结通知书, 附件4 交接确认单, 附件5 一次性告知单) describes itself once as a
:class:`Form`: headings, labelled fields, paragraphs, numbered lists, the 附件4 handover grid,
signature rows, a QR code and the case code (办件码).  Two renderers read the same Form:

* :func:`to_document` folds it into a thermal :class:`~printers.layout.Document` (58/80 mm):
  fields become ``label：value`` lines, the handover grid becomes stage after stage of lines,
  signature rows become ``role：____ 日期：____`` lines.  This is the slip the window printed
  before A4 existed, line for line and byte for byte.
* :mod:`printers.pdf` lays it out on A4 as the seed prints it: fields and the handover stages
  in a ruled table, the case code as a QR code and a Code 128 barcode in the top corner.

So a field added to a notice appears on both papers, and neither can drift from the other.
A full ID number anywhere in a Form (text, QR data, case code) is refused when the Form is
made, as the thermal Document refuses it: notices carry masked data only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Literal

from hallq.idcard import looks_like_full_id
from printers.layout import Builder, Document

Align = Literal["left", "center", "right"]
CASE_CODE = re.compile(r"[\x21-\x7e]{1,64}")  # printable ASCII, no spaces (Code 128 prints it); hub case ids fit


@dataclass(frozen=True)
class Heading:
    """A centred title line. ``level`` 1 is the form's name, 2 the hall's name above it."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Field:
    label: str
    value: str
    bold: bool = False


@dataclass(frozen=True)
class Fields:
    """Labelled values; on A4 a ruled table, ``pairs`` puts two fields in a row (as 附件4 does)."""

    rows: tuple[Field, ...]
    pairs: bool = False


@dataclass(frozen=True)
class Para:
    text: str
    bold: bool = False
    align: Align = "left"


@dataclass(frozen=True)
class Items:
    """A numbered list; ``mark`` formats the number (``"{n}. "``, ``"{n}、"``)."""

    items: tuple[str, ...]
    mark: str = "{n}. "


@dataclass(frozen=True)
class Rule:
    """A separator on the slip (``-`` or ``=``); a little space on A4."""

    char: str = "-"


@dataclass(frozen=True)
class Signatures:
    """Signature rows, each ``role：________ 日期：________``."""

    roles: tuple[str, ...]


@dataclass(frozen=True)
class QR:
    """A QR code for people's phones (办理进度), with its caption under it."""

    data: str
    caption: str = ""


@dataclass(frozen=True)
class HandoverStep:
    """One row of 附件4: materials handed over at one step, and who signs for them.

    ``signed`` fills the rows from recorded handovers (for the 归档 copy of a case's history):
    per party, in order, ``(who, when)`` as they should be printed (masked name, local time);
    a party without an entry keeps blank signature and date cells."""

    materials: str
    parties: tuple[str, ...]
    signed: tuple[tuple[str, str], ...] = ()

    def signature(self, k: int) -> tuple[str, str] | None:
        return self.signed[k] if k < len(self.signed) and any(self.signed[k]) else None


@dataclass(frozen=True)
class HandoverStage:
    name: str
    steps: tuple[HandoverStep, ...]


@dataclass(frozen=True)
class Handover:
    """附件4's body: the stages with their handover rows, then 有关说明 and 备注."""

    stages: tuple[HandoverStage, ...]
    notes: str = ""


Block = Heading | Fields | Para | Items | Rule | Signatures | QR | Handover


@dataclass(frozen=True)
class Form:
    """A notice for any paper. ``number`` (编号) and ``case_code`` (办件码) head the A4 page;
    the case code is also printed on the slip as a QR code transfer staff scan."""

    title: str
    blocks: tuple[Block, ...]
    number: str = ""
    case_code: str = ""
    issuer: str = ""  # (科室或驻厅窗口) at the foot, right-aligned

    def __post_init__(self) -> None:
        if self.case_code and not CASE_CODE.fullmatch(self.case_code):
            raise ValueError(f"办件码应为 1-64 个可打印 ASCII 字符（不含空格），而不是 {self.case_code!r} "
                             "(case code: 1-64 printable ASCII characters)")
        if any(looks_like_full_id(s) for s in self.strings()):
            raise ValueError("文档中含有完整身份证号码，拒绝打印 (full ID number in a document)")

    def strings(self) -> list[str]:
        """Every string the form prints (for leak checks and tests)."""
        out = [self.title, self.number, self.case_code, self.issuer]

        def walk(obj: object) -> None:
            if isinstance(obj, str):
                out.append(obj)
            elif isinstance(obj, tuple):
                for x in obj:
                    walk(x)
            elif hasattr(obj, "__dataclass_fields__"):
                for f in fields(obj):  # type: ignore[arg-type]
                    if f.name not in _NOT_PRINTED:
                        walk(getattr(obj, f.name))

        walk(self.blocks)
        return out


_NOT_PRINTED = ("align", "mark")  # layout settings, not text


def case_caption(code: str) -> str:
    return f"办件码 {code}"


def _handover(b: Builder, block: Handover) -> None:
    for stage in block.stages:
        b.rule("=")
        b.text(stage.name, bold=True)
        for i, step in enumerate(stage.steps):
            if i:
                b.rule()
            b.field("交接材料：", step.materials)
            for k, party in enumerate(step.parties):
                done = step.signature(k)
                if done:
                    b.field(f"{party}：", " ".join(x for x in done if x))
                else:
                    b.signature(party)
    b.rule("=")
    b.text("有关说明：")
    b.feed(1)
    b.field("备注：", block.notes or " ")


def to_document(form: Form, width_mm: int) -> Document:
    """The Form on thermal paper (58/80 mm), folded by :class:`~printers.layout.Builder`."""
    b = Builder(width_mm, title=form.title)
    for block in form.blocks:
        if isinstance(block, Heading):
            b.heading(block.text)
        elif isinstance(block, Fields):
            for f in block.rows:
                b.field(f.label, f.value, bold=f.bold)
        elif isinstance(block, Para):
            b.text(block.text, bold=block.bold, align=block.align)
        elif isinstance(block, Items):
            for n, item in enumerate(block.items, 1):
                b.field(block.mark.format(n=n), item)
        elif isinstance(block, Rule):
            b.rule(block.char)
        elif isinstance(block, Signatures):
            for role in block.roles:
                b.signature(role)
        elif isinstance(block, QR):
            b.qr(block.data, caption=block.caption)
        elif isinstance(block, Handover):
            _handover(b, block)
    if form.issuer:
        b.text(form.issuer, align="right")
    if form.case_code:
        b.qr(form.case_code, caption=case_caption(form.case_code))
    return b.feed(2).cut().build()
