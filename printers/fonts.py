"""CJK fonts for previews and raster lines (汉字字库), and a glyph grid like the printer's.

A thermal printer draws text on a grid: ASCII in 12x24-dot cells, double-byte characters in
24x24 cells, magnified by whole multiples (GS !).  We draw the same grid with a TrueType font
so the PNG preview and the raster fallback line have the printer's geometry, column for column.

Debian ships no CJK font by default, and Pillow then draws every character as the font's
"missing glyph" box (豆腐块).  We never print that box.  No CJK font at all is a deployment
error (:class:`~printers.errors.FontMissing`, naming the package to install).  But one rare
character that no installed font has must never cost a citizen a ticket: it is printed as
:data:`MASK_CHAR` (□, the 缺字 mark of Chinese print, which a clerk reads as "a character the
printer could not draw") and logged once for IT with its code point only (``glyph_missing
U+20000``), never the rest of the text.  WenQuanYi Micro Hei covers GBK; rare name characters
outside GBK (𠮷, 㵘, 䶮, Extension B-F) need Hanazono (``fonts-hanazono``, Extensions A-F),
which the deploy docs and ``.ci/run`` install.  Glyph coverage is tested by comparing a glyph
with the font's own "missing glyph" box, since Pillow gives no direct coverage query.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from printers.errors import FontMissing

CELL_H = 24  # dots: font A is 12x24, double-byte characters are 24x24
HALF_W = 12
GLYPH_PX = 22  # glyph size inside the 24-dot cell, leaving a hair of space between lines

INSTALL_HINT = "apt-get install fonts-wqy-microhei"
RARE_HINT = "apt-get install fonts-hanazono"
MASK_CHAR = "\u25a1"  # □: printed (and shown on screens) in place of a character no font has

log = logging.getLogger("hallq.printers.fonts")

SYSTEM_FONTS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/simsunb.ttf",
)
_PACKAGED = Path(__file__).with_name("fonts")
_NO_GLYPH = "\U0010fffd"  # private use: no font has it, so it draws the font's missing-glyph box


def char_cols(ch: str) -> int:
    """Columns a character takes on the printer: ASCII 1, everything else 2 (double-byte)."""
    return 1 if ord(ch) < 0x80 else 2


def text_cols(text: str) -> int:
    return sum(char_cols(c) for c in text)


def font_paths() -> list[str]:
    """Candidate fonts in order: $HALLQ_CJK_FONTS, fonts shipped in printers/fonts, system fonts."""
    env = [p for p in os.environ.get("HALLQ_CJK_FONTS", "").split(os.pathsep) if p]
    shipped = sorted(str(p) for p in _PACKAGED.glob("*") if p.suffix.lower() in {".ttf", ".otf", ".ttc"})
    return [p for p in (*env, *shipped, *SYSTEM_FONTS) if os.path.isfile(p)]


@cache
def _face(path: str, mono: bool) -> ImageFont.FreeTypeFont:
    # index 1 of wqy-microhei.ttc is the Mono face, whose ASCII is half-width like the printer's
    if mono and path.endswith(".ttc"):
        try:
            return ImageFont.truetype(path, GLYPH_PX, index=1)
        except OSError:
            pass
    return ImageFont.truetype(path, GLYPH_PX)


@cache
def _missing_box(path: str) -> bytes:
    return bytes(_face(path, False).getmask(_NO_GLYPH))


def _covers(path: str, ch: str) -> bool:
    return bytes(_face(path, False).getmask(ch)) != _missing_box(path)


@cache
def _font_for(ch: str, paths: tuple[str, ...]) -> str | None:
    """The first font that has ``ch``; None (logged once per character) when none has it."""
    for path in paths:
        if _covers(path, ch):
            return path
    if not paths:
        raise FontMissing(f"未找到中文字体，无法生成预览或位图行。请安装：{INSTALL_HINT}", where="fonts")
    # the code point only: the character may be part of a citizen's name
    log.warning("glyph_missing U+%04X: no installed font has this character; printed as %s "
                "(%s, see docs/deploy.md)", ord(ch), MASK_CHAR, RARE_HINT)
    return None


def covered(ch: str) -> bool:
    """True if some installed font draws ``ch`` (spaces and ASCII always count as covered)."""
    return ch.isascii() or _font_for(ch, tuple(font_paths())) is not None


def font_for(ch: str) -> str | None:
    """The path of the first installed font that draws ``ch`` (the slip's choice, which the A4
    page follows too); None when no font has it (then :data:`MASK_CHAR` is printed)."""
    return _font_for(ch, tuple(font_paths()))


def printable(text: str) -> str:
    """``text`` with every character no installed font has replaced by :data:`MASK_CHAR`."""
    return "".join(c if covered(c) else MASK_CHAR for c in text)


def require_cjk_font() -> str:
    """The path of the font used for ordinary Chinese, or FontMissing naming the package."""
    path = _font_for("中", tuple(font_paths()))
    if path is None:
        raise FontMissing(f"已安装的字体都不能显示中文。请安装：{INSTALL_HINT}", where="fonts")
    return path


@cache
def glyph(ch: str, bold: bool, paths: tuple[str, ...]) -> Image.Image:
    """One character in its printer cell (12x24 or 24x24), mode "1", black on white."""
    w = HALF_W * char_cols(ch)
    cell = Image.new("1", (w, CELL_H), 255)
    if ch == " ":
        return cell
    path = _font_for(ch, paths)
    if path is None:
        return mask_cell(w)
    font = _face(path, mono=char_cols(ch) == 1)
    draw = ImageDraw.Draw(cell)
    for dx in (0, 1) if bold else (0,):  # the printer's emphasis is double-strike, one dot over
        draw.text((w / 2 + dx, CELL_H / 2), ch, font=font, fill=0, anchor="mm")
    return cell


def mask_cell(width: int = 2 * HALF_W) -> Image.Image:
    """The □ printed for a character no font has: a square outline two dots thick, the full
    height of the cell, so it stands out from the smaller □ of a font (checkboxes) at a glance."""
    cell = Image.new("1", (width, CELL_H), 255)
    draw = ImageDraw.Draw(cell)
    for inset in (1, 2):
        draw.rectangle((inset, inset, width - 1 - inset, CELL_H - 1 - inset), outline=0)
    return cell


def render_line(text: str, size: int = 1, bold: bool = False) -> Image.Image:
    """A line as the printer draws it: cells side by side, magnified ``size`` times, mode "1"."""
    paths = tuple(font_paths())
    width = max(1, text_cols(text)) * HALF_W
    line = Image.new("1", (width, CELL_H), 255)
    x = 0
    for ch in text:
        g = glyph(ch, bold, paths)
        line.paste(g, (x, 0))
        x += g.width
    if size > 1:
        line = line.resize((width * size, CELL_H * size), Image.Resampling.NEAREST)
    return line
