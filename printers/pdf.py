"""A notice on A4 (A4 通知书): a :class:`~printers.forms.Form` as a PDF, and its PNG preview.

Most halls print the 受理通知书 on A4 for the applicant to keep, and the 附件4 转递单 travels
with the folder on A4 too.  The page is drawn from the same Form as the thermal slip, laid out
as the seed prints it: the hall's name and the form's name as titles, 编号 under them, the
fields in a ruled table (附件4: two to a row), the handover stages as the seed's grid with a
signature and a date cell for every party, numbered reasons, signature rows, and the case code
(办件码) in the top corner as a QR code and a Code 128 barcode, both drawn as vector rectangles.

Library: fpdf2 (py-pdf/fpdf2, pure Python, LGPL): it embeds TrueType fonts as subsets through
fontTools, opens one face of a TTC collection (``collection_font_number``, 2.8.6+; WenQuanYi
Micro Hei is a .ttc) and falls back per character to other fonts (``set_fallback_fonts``), so a
rare name character comes from Hanazono on the same line.  Text stays text (searchable, copied
and extracted as Unicode).  The fonts are the slip's (:mod:`printers.fonts`): the font the slip
would use for each character is the one embedded, and a character no font has is printed as
□ (:data:`~printers.fonts.MASK_CHAR`), never dropped silently and never a lost document.

Line breaking reuses the slip's :func:`~printers.layout.fold` (避头点, ASCII words kept whole),
measured against the real glyph widths.  The preview renders the PDF itself with PDFium
(pypdfium2: Chrome's PDF engine in a wheel, also on Windows, no poppler needed), so what you
look at is the printed file, not a second drawing of it.

Why this file is long (~460 lines): the A4 page is drawn in one place — fonts and their fallback,
the ruled tables, the handover grid, the QR and Code 128 codes share the page's geometry.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hallq import clock as hallclock
from printers.fonts import font_for, printable, require_cjk_font
from printers.forms import (
    QR,
    Block,
    Field,
    Fields,
    Form,
    Handover,
    Heading,
    Items,
    Para,
    Rule,
    Signatures,
    case_caption,
)
from printers.layout import fold

PAGE_W, PAGE_H = 210.0, 297.0  # A4, mm
MARGIN = 20.0
TOP = 14.0
BOTTOM = 16.0
BODY = PAGE_W - 2 * MARGIN  # 170 mm
PT = 25.4 / 72  # mm per point
BODY_PT = 12  # 小四
TABLE_PT = 11
CELL_PAD = 1.6
SIGN_ROW = 11.0  # mm: room to sign by hand
GREY = (236, 236, 236)
LEADING = 1.55  # line height / font size
PREVIEW_DPI = 150  # readable, and the Code 128 bars (0.33 mm) still scan from the PNG
QR_MM = 24.0
BAR_H = 9.0
LABEL_W = 36.0  # the label column of field rows, and 附件4's 环节 column under it


class HasForm(Protocol):
    def to_form(self) -> Form: ...


def _family(path: str) -> str:
    return f"f{zlib.crc32(path.encode()):08x}"


class _Page:
    """An fpdf2 document with the slip's fonts, and the drawing steps the renderer needs."""

    def __init__(self, form: Form, created: dt.datetime | None) -> None:
        from fpdf import FPDF

        self.form = form
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_margins(MARGIN, TOP, MARGIN)
        pdf.set_auto_page_break(False)
        pdf.set_title(form.title)
        pdf.set_creator("hallq")
        pdf.set_lang("zh-CN")
        pdf.set_creation_date(created or hallclock.local(hallclock.now(), dt.UTC))
        self.pdf = pdf
        self._fonts(form)
        pdf.add_page()

    def _fonts(self, form: Form) -> None:
        """Register the primary CJK font and, as per-character fallbacks, every other font the
        slip would use for this form's characters (only those: each is parsed and subset)."""
        primary = require_cjk_font()
        needed: dict[str, None] = {}
        for s in form.strings():
            for ch in set(s):
                if not ch.isascii():
                    path = font_for(ch)
                    if path and path != primary:
                        needed[path] = None
        self.family = self._add(primary)
        fallbacks = [self._add(p) for p in needed]
        if fallbacks:
            self.pdf.set_fallback_fonts(fallbacks, exact_match=False)

    def _add(self, path: str) -> str:
        family = _family(path)
        extra: dict[str, Any] = {"collection_font_number": 0} if path.lower().endswith(".ttc") else {}
        self.pdf.add_font(family, "", path, **extra)
        return family

    # --- text -------------------------------------------------------------------------------
    def font(self, size: float) -> None:
        self.pdf.set_font(self.family, "", size)

    def width(self, text: str) -> float:
        return float(self.pdf.get_string_width(text))

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """``text`` folded as the slip folds it (避头点, words whole), to ``width`` mm."""
        self.font(size)
        text = printable(text)
        cols = max(4, int(width / (size * PT / 2)))
        while True:
            lines = [ln for para in text.split("\n") for ln in fold(para, cols)]
            if cols <= 4 or all(self.width(ln) <= width for ln in lines):
                return lines
            cols -= 1

    def write(self, x: float, y: float, w: float, text: str, *, size: float, bold: bool = False,
              align: str = "L", lh: float | None = None) -> float:
        """Draw folded text at (x, y) within ``w`` mm; returns the height used."""
        lh = lh or size * PT * LEADING
        lines = self.wrap(text, w, size)
        pdf = self.pdf
        y0 = pdf.get_y()  # the layout's cursor is ours (self.y); drawing text does not move it
        with pdf.local_context(text_mode="FILL_STROKE" if bold else "FILL", line_width=0.22 if bold else 0.2):
            self.font(size)
            for i, line in enumerate(lines):
                pdf.set_xy(x, y + i * lh)
                pdf.cell(w, lh, line, align=align)
        pdf.set_y(y0)
        return lh * len(lines)

    def text_height(self, text: str, w: float, size: float) -> float:
        return len(self.wrap(text, w, size)) * size * PT * LEADING

    # --- layout -----------------------------------------------------------------------------
    @property
    def y(self) -> float:
        return float(self.pdf.get_y())

    @y.setter
    def y(self, value: float) -> None:
        self.pdf.set_y(value)

    def room(self, h: float) -> None:
        """Start a new page unless ``h`` mm still fit above the bottom margin."""
        if self.y + h > PAGE_H - BOTTOM:
            self.pdf.add_page()
            self.y = TOP

    def cell(self, x: float, y: float, w: float, h: float, text: str, *, size: float = TABLE_PT,
             bold: bool = False, align: str = "L", fill: bool = False) -> None:
        """A ruled table cell, text centred vertically."""
        pdf = self.pdf
        if fill:
            pdf.set_fill_color(*GREY)
        pdf.rect(x, y, w, h, style="DF" if fill else "D")
        if text:
            th = self.text_height(text, w - 2 * CELL_PAD, size)
            self.write(x + CELL_PAD, y + (h - th) / 2, w - 2 * CELL_PAD, text, size=size, bold=bold, align=align)

    def cell_h(self, text: str, w: float, size: float = TABLE_PT, minimum: float = 8.0) -> float:
        return max(minimum, self.text_height(text, w - 2 * CELL_PAD, size) + 2 * CELL_PAD)


# --- codes ------------------------------------------------------------------------------------
def qr_matrix(data: str) -> list[list[bool]]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(data)
    qr.make(fit=True)
    return [list(row) for row in qr.get_matrix()]


def draw_qr(pdf: Any, data: str, x: float, y: float, size: float) -> None:
    """A QR symbol as filled rectangles (one per run of dark modules in a row)."""
    m = qr_matrix(data)
    mod = size / len(m)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(m):
        for start, end in _runs(row):
            pdf.rect(x + start * mod, y + r * mod, (end - start) * mod, mod, style="F")


def code128_modules(code: str) -> str:
    """The bars of ``code`` in Code 128 as ``1``/``0`` modules (python-barcode picks sets B/C)."""
    import barcode

    modules: str = barcode.get("code128", code).build()[0]
    return modules


def draw_code128(pdf: Any, code: str, x: float, y: float, max_w: float, h: float) -> float:
    """Code 128 bars at (x, y), at most ``max_w`` mm wide (module 0.33 mm or less); returns width."""
    modules = code128_modules(code)
    mod = min(0.33, max_w / (len(modules) + 20))
    x0 = x + 10 * mod  # quiet zone: 10 modules each side
    pdf.set_fill_color(0, 0, 0)
    for start, end in _runs([c == "1" for c in modules]):
        pdf.rect(x0 + start * mod, y, (end - start) * mod, h, style="F")
    return (len(modules) + 20) * mod


def _runs(row: list[bool]) -> Iterator[tuple[int, int]]:
    start = None
    for i, dark in enumerate([*row, False]):
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            yield start, i
            start = None


# --- blocks -----------------------------------------------------------------------------------
def _header(p: _Page) -> None:
    """The case code top left (Code 128 with the code in words) and top right (QR)."""
    form = p.form
    if not form.case_code:
        p.y = TOP + 4
        return
    pdf = p.pdf
    room = BODY - QR_MM - 6  # the bars may run up to the QR code (0.33 mm modules, thinner for long codes)
    draw_code128(pdf, form.case_code, MARGIN, TOP, room, BAR_H)
    p.write(MARGIN, TOP + BAR_H + 0.8, room, case_caption(form.case_code), size=9)
    draw_qr(pdf, form.case_code, PAGE_W - MARGIN - QR_MM, TOP, QR_MM)
    p.y = TOP + QR_MM + 2


def _heading(p: _Page, block: Heading, number_follows: bool) -> None:
    size = 22 if block.level == 1 else 16
    h = p.text_height(block.text, BODY, size)
    p.room(h + 4)
    p.y += p.write(MARGIN, p.y, BODY, block.text, size=size, bold=True, align="C") + (3 if block.level == 1 else 1)
    if block.level == 1 and number_follows:
        p.y += p.write(MARGIN, p.y, BODY, f"编号：{p.form.number}", size=10.5, align="R") + 1


def _fields(p: _Page, block: Fields) -> None:
    """Label | value rows; with ``pairs`` the first two rows are whole and the rest two to a row."""
    rows: list[tuple[Field, ...]] = []
    p.y += 1.5
    if block.pairs:
        rows = [(f,) for f in block.rows[:2]]
        rest = block.rows[2:]
        rows += [tuple(rest[i:i + 2]) for i in range(0, len(rest), 2)]
    else:
        rows = [(f,) for f in block.rows]
    label_w = LABEL_W
    for row in rows:
        value_w = (BODY - label_w * len(row)) / len(row)
        h = max(p.cell_h(f.value, value_w) for f in row)
        h = max(h, *(p.cell_h(f.label.rstrip("：:"), label_w) for f in row), 9.0)
        p.room(h)
        x = MARGIN
        for f in row:
            p.cell(x, p.y, label_w, h, f.label.rstrip("：:"), align="C", fill=True)
            p.cell(x + label_w, p.y, value_w, h, f.value, bold=f.bold)
            x += label_w + value_w
        p.y += h


HANDOVER_COLS = (LABEL_W, 44.0, 32.0, 32.0, 26.0)  # 环节 | 交接材料名称 | 交接人 | 签字 | 日期


def _handover(p: _Page, block: Handover) -> None:
    """附件4's grid: a stage cell over its rows, a materials cell over its parties, and for each
    party a signature cell and a date cell; then 有关说明 and 备注 rows."""
    xs = [MARGIN]
    for w in HANDOVER_COLS:
        xs.append(xs[-1] + w)
    header = ("环节", "交接材料名称", "交接人", "签字", "日期")

    def head() -> None:
        for i, text in enumerate(header):
            p.cell(xs[i], p.y, HANDOVER_COLS[i], 8.0, text, bold=True, align="C", fill=True)
        p.y += 8.0

    p.room(8.0 + SIGN_ROW * 2)
    head()
    for stage in block.stages:
        heights = [max(SIGN_ROW * len(step.parties), p.cell_h(step.materials, HANDOVER_COLS[1]))
                   for step in stage.steps]
        total = max(sum(heights), p.cell_h(stage.name, HANDOVER_COLS[0]))
        if p.y + total > PAGE_H - BOTTOM:
            p.pdf.add_page()
            p.y = TOP
            head()
        top = p.y
        p.cell(xs[0], top, HANDOVER_COLS[0], total, stage.name, bold=True, align="C")
        y = top
        for step, h in zip(stage.steps, heights, strict=True):
            p.cell(xs[1], y, HANDOVER_COLS[1], h, step.materials)
            ph = h / len(step.parties)
            for k, party in enumerate(step.parties):
                py = y + k * ph
                who, when = step.signature(k) or ("", "")
                p.cell(xs[2], py, HANDOVER_COLS[2], ph, party, align="C")
                p.cell(xs[3], py, HANDOVER_COLS[3], ph, who, align="C")
                p.cell(xs[4], py, HANDOVER_COLS[4], ph, when or "    年  月  日", size=9, align="C" if when else "R")
            y += h
        p.y = top + total
    for label, text, least in (("有关说明", "", 16.0), ("备注", block.notes, 12.0)):
        h = max(least, p.cell_h(text, BODY - HANDOVER_COLS[0]))
        p.room(h)
        p.cell(xs[0], p.y, HANDOVER_COLS[0], h, label, bold=True, align="C", fill=True)
        p.cell(xs[1], p.y, BODY - HANDOVER_COLS[0], h, text)
        p.y += h


def _items(p: _Page, block: Items) -> None:
    p.font(BODY_PT)
    marks = [block.mark.format(n=n).strip() for n in range(1, len(block.items) + 1)]
    mw = max([8.0, *(p.width(m) + 2 for m in marks)])  # one column for the numbers: the texts line up
    for mark, item in zip(marks, block.items, strict=True):
        h = p.text_height(item, BODY - 4 - mw, BODY_PT)
        p.room(h)
        p.write(MARGIN + 4, p.y, mw, mark, size=BODY_PT)
        p.y += p.write(MARGIN + 4 + mw, p.y, BODY - 4 - mw, item, size=BODY_PT) + 0.8


def _signatures(p: _Page, block: Signatures) -> None:
    pdf = p.pdf
    p.y += 4
    for role in block.roles:
        p.room(SIGN_ROW)
        p.font(BODY_PT)
        label = f"{printable(role)}："
        base = p.y + 7
        p.write(MARGIN, p.y + 1, 50, label, size=BODY_PT)
        lx = MARGIN + p.width(label) + 1
        pdf.set_line_width(0.25)
        pdf.line(lx, base, MARGIN + 100, base)
        p.write(MARGIN + 106, p.y + 1, 20, "日期：", size=BODY_PT)
        p.write(MARGIN + 120, p.y + 1, BODY - 120, "      年    月    日", size=BODY_PT)
        p.y += SIGN_ROW


def _qr(p: _Page, block: QR) -> None:
    size = 26.0
    ch = p.text_height(block.caption, BODY, 10) if block.caption else 0
    p.room(size + ch + 6)
    p.y += 3
    draw_qr(p.pdf, block.data, MARGIN + (BODY - size) / 2, p.y, size)
    p.y += size + 1.5
    if block.caption:
        p.y += p.write(MARGIN, p.y, BODY, block.caption, size=10, align="C")


def _block(p: _Page, block: Block, nxt: Block | None) -> None:
    if isinstance(block, Heading):
        last_heading = not isinstance(nxt, Heading)
        _heading(p, block, number_follows=bool(p.form.number) and last_heading)
    elif isinstance(block, Fields):
        _fields(p, block)
    elif isinstance(block, Para):
        h = p.text_height(block.text, BODY, BODY_PT)
        p.room(h)
        p.y += p.write(MARGIN, p.y, BODY, block.text, size=BODY_PT, bold=block.bold,
                       align={"left": "L", "center": "C", "right": "R"}[block.align]) + 1
    elif isinstance(block, Items):
        _items(p, block)
    elif isinstance(block, Rule):
        p.y += 3 if block.char == "-" else 0
    elif isinstance(block, Signatures):
        _signatures(p, block)
    elif isinstance(block, QR):
        _qr(p, block)
    elif isinstance(block, Handover):
        _handover(p, block)


def render_pdf(item: Form | HasForm, *, created: dt.datetime | None = None) -> bytes:
    """The notice on A4 as PDF bytes. ``created`` (PDF metadata) defaults to the hall clock."""
    form = item if isinstance(item, Form) else item.to_form()
    p = _Page(form, created)
    p.pdf.set_draw_color(0, 0, 0)
    _header(p)
    blocks = form.blocks
    for i, block in enumerate(blocks):
        _block(p, block, blocks[i + 1] if i + 1 < len(blocks) else None)
    if form.issuer:
        p.room(10)
        p.y += 4
        p.write(MARGIN, p.y, BODY, form.issuer, size=BODY_PT, align="R")
    _page_numbers(p)
    return bytes(p.pdf.output())


def _page_numbers(p: _Page) -> None:
    """第 n 页 共 N 页 at the foot of every page, when a notice runs onto more than one."""
    pdf = p.pdf
    total = pdf.page_no()
    if total < 2:
        return
    for n in range(1, total + 1):
        pdf.page = n
        p.write(MARGIN, PAGE_H - BOTTOM + 5, BODY, f"第 {n} 页 共 {total} 页", size=9, align="C")
    pdf.page = total


def save_pdf(item: Form | HasForm, path: str | Path, *, created: dt.datetime | None = None) -> Path:
    path = Path(path)
    path.write_bytes(render_pdf(item, created=created))
    return path


@dataclass(frozen=True)
class Preview:
    """Pages of a PDF as images, rendered by PDFium at ``dpi``."""

    pages: list[Any]  # PIL images
    dpi: int


def rasterize(pdf: bytes, dpi: int = PREVIEW_DPI) -> Preview:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        pages = [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    finally:
        doc.close()
    return Preview(pages, dpi)


def save_png(pdf: bytes, path: str | Path, dpi: int = PREVIEW_DPI) -> Path:
    """A PNG of the PDF's pages, one under the other on a grey table (打印预览)."""
    from PIL import Image

    pages = rasterize(pdf, dpi).pages
    gap = 16
    width = max(pg.width for pg in pages) + 2 * gap
    height = sum(pg.height + gap for pg in pages) + gap
    out = Image.new("RGB", (width, height), (200, 200, 200))
    y = gap
    for pg in pages:
        out.paste(pg, (gap, y))
        y += pg.height + gap
    path = Path(path)
    out.save(path, format="PNG", optimize=True)
    return path
