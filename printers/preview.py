"""Document → PIL image / PNG: what the slip will look like on paper (打印预览).

The preview stacks the same block bitmaps that :mod:`printers.raster` sends in raster mode,
placed as ESC a would place them, on a canvas as wide as the printable dots (384 or 576).
For a native-QR profile the QR symbol is drawn with the same module size and error level
the printer is told to use, so the scanned preview carries the same payload.
A thin grey margin and a dashed cut line are added around the paper by :func:`framed`.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from printers.layout import Cut, Document, Feed, QRCode, Rule, TextLine
from printers.profiles import DEFAULT_PROFILE, Profile, get_profile
from printers.raster import feed_image, line_image, qr_image, rule_image, x_offset


def paper(doc: Document, profile: Profile | None = None) -> Image.Image:
    """The printed area only, mode "1", ``doc.dots`` wide, up to the cut."""
    profile = profile or get_profile(DEFAULT_PROFILE)
    pieces: list[tuple[Image.Image, int]] = []
    for block in doc.blocks:
        if isinstance(block, TextLine):
            img = line_image(block)
            pieces.append((img, x_offset(doc, img.width, block.align)))
        elif isinstance(block, Rule):
            pieces.append((rule_image(doc, block), 0))
        elif isinstance(block, QRCode):
            img = qr_image(block, profile.qr_module)
            pieces.append((img, x_offset(doc, img.width, "center")))
        elif isinstance(block, Feed):
            pieces.append((feed_image(doc, block), 0))
        elif isinstance(block, Cut):
            break
    height = sum(img.height for img, _ in pieces) or 1
    page = Image.new("1", (doc.dots, height), 255)
    y = 0
    for img, x in pieces:
        page.paste(img, (x, y))
        y += img.height
    return page


def framed(doc: Document, profile: Profile | None = None, margin: int = 16) -> Image.Image:
    """The paper on a grey table, with a dashed line where the cutter cuts."""
    page = paper(doc, profile).convert("L")
    out = Image.new("L", (page.width + 2 * margin, page.height + 3 * margin), 200)
    out.paste(page, (margin, margin))
    draw = ImageDraw.Draw(out)
    cut_y = margin + page.height + margin // 2
    for x in range(0, out.width, 12):
        draw.line([(x, cut_y), (x + 6, cut_y)], fill=90, width=2)
    return out


def save_png(doc: Document, path: str | Path, profile: Profile | None = None) -> Path:
    path = Path(path)
    framed(doc, profile).save(path, format="PNG", optimize=True)
    return path
