"""Bitmaps of single blocks, exactly as the printer lays them out (点阵).

Both the preview and the raster fallback use these, so a raster-only slip *is* its preview,
dot for dot.  Geometry follows the printer: the line pitch is 30 dots (ESC 3 30) or the
character height if taller; QR codes get 12 dots of paper above and below (ESC J 12 in
native mode) so they keep a quiet zone; every image is padded to a multiple of 8 dots
wide, as GS v 0 sends whole bytes.
"""

from __future__ import annotations

import qrcode
from PIL import Image

from printers.fonts import CELL_H, render_line
from printers.layout import Align, Document, Feed, QRCode, Rule, TextLine

LINE_PITCH = 30
QR_PAD = 12


def pitch(size: int) -> int:
    return max(LINE_PITCH, CELL_H * size)


def pad8(img: Image.Image, height: int | None = None) -> Image.Image:
    """White-pad to a width multiple of 8 and (optionally) to ``height`` rows."""
    w = -(-img.width // 8) * 8
    h = height if height is not None else img.height
    if (w, h) == img.size:
        return img
    out = Image.new("1", (w, h), 255)
    out.paste(img, (0, 0))
    return out


def line_image(line: TextLine) -> Image.Image:
    img = render_line(line.text, line.size, line.bold) if line.text else Image.new("1", (8, CELL_H), 255)
    return pad8(img, pitch(line.size))


def rule_image(doc: Document, rule: Rule) -> Image.Image:
    return line_image(TextLine(rule.char * doc.columns))


def qr_matrix_image(data: str, module: int) -> Image.Image:
    """The bare symbol (no quiet zone), ECC level M, ``module`` dots per module."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module, border=0)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    rows = code.get_matrix()
    n = len(rows)
    img = Image.new("1", (n, n), 255)
    img.putdata([0 if cell else 255 for row in rows for cell in row])
    return img.resize((n * module, n * module), Image.Resampling.NEAREST)


def qr_image(qr: QRCode, module: int) -> Image.Image:
    sym = qr_matrix_image(qr.data, module)
    out = Image.new("1", (sym.width, sym.height + 2 * QR_PAD), 255)
    out.paste(sym, (0, QR_PAD))
    return pad8(out)


def feed_image(doc: Document, feed: Feed) -> Image.Image:
    return Image.new("1", (doc.dots, LINE_PITCH * feed.lines), 255)


def x_offset(doc: Document, width: int, align: Align) -> int:
    if align == "center":
        return max(0, (doc.dots - width) // 2)
    if align == "right":
        return max(0, doc.dots - width)
    return 0


def to_raster_bytes(img: Image.Image) -> bytes:
    """GS v 0 payload: rows of packed bits, 1 = black (PIL's mode "1" has 1 = white)."""
    img = pad8(img.convert("1"))
    return bytes(b ^ 0xFF for b in img.tobytes())
