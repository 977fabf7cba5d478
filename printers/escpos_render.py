"""Document → ESC/POS bytes for a profile (打印指令), with no I/O.

Text goes out as text where the printer can print it and as a bitmap where it cannot:

* ``fs`` profiles wrap each line that has any non-ASCII character in FS & (1C 26) …
  FS . (1C 2E) and encode it as GB18030; ``default`` profiles skip the FS pair (the printer
  starts in Chinese mode); ``utf8`` profiles send UTF-8.  We never use python-escpos
  ``text()``: it sends no FS & and turns lines of only full-width punctuation into "?".
* A line with a character outside GBK (a rare name character such as 𠮷) cannot be in the
  printer's font ROM, so the whole line goes out as GS v 0 raster drawn by
  :mod:`printers.raster`, in the same place and size it would have had as text.
* QR codes are GS ( k (model 2, ECC M) when the profile says ``native_qr``, else a raster.

Every byte sequence here is a documented ESC/POS command; the test suite walks the output
with its own parser to check that, and decodes the text back.
"""

from __future__ import annotations

from PIL import Image

from printers.layout import Cut, Document, Feed, QRCode, Rule, TextLine
from printers.profiles import Profile
from printers.raster import QR_PAD, line_image, qr_image, rule_image, to_raster_bytes

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
INIT = ESC + b"@"
FS_ON, FS_OFF = FS + b"&", FS + b"."
LINE_SPACING_30 = ESC + b"3\x1e"
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
CUTS = {
    "full": GS + b"V\x00",
    "partial": GS + b"V\x01",
    "feed_partial": GS + b"VB\x00",  # GS V 66 0: feed to the cutter, then partial cut
    "none": b"",
}


def in_font_rom(text: str) -> bool:
    """True if every character is in GBK, which is what Chinese printers' font ROMs hold."""
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def encode_text(text: str, profile: Profile) -> bytes:
    if text.isascii():
        return text.encode("ascii")
    if profile.chinese_mode == "utf8":
        return text.encode("utf-8")
    body = text.encode("gb18030")
    return FS_ON + body + FS_OFF if profile.chinese_mode == "fs" else body


def raster(img: Image.Image) -> bytes:
    img = img.convert("1")
    width_bytes = -(-img.width // 8)
    header = GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + img.height.to_bytes(2, "little")
    return header + to_raster_bytes(img)


def qr_native(data: str, module: int) -> bytes:
    def fn(code: bytes, payload: bytes) -> bytes:
        body = b"1" + code + payload
        return GS + b"(k" + len(body).to_bytes(2, "little") + body

    content = data.encode("utf-8")
    return (
        fn(b"A", b"2\x00")  # model 2
        + fn(b"C", bytes([module]))  # module size in dots
        + fn(b"E", b"1")  # error correction M
        + fn(b"P", b"0" + content)  # store
        + fn(b"Q", b"0")  # print
    )


def _text_line(line: TextLine, profile: Profile) -> bytes:
    if not (profile.text_mode and in_font_rom(line.text)):
        return ALIGN[line.align] + raster(line_image(line))
    n = line.size - 1
    size = GS + b"!" + bytes([(n << 4) | n])
    bold = ESC + b"E" + (b"\x01" if line.bold else b"\x00")
    return ALIGN[line.align] + size + bold + encode_text(line.text, profile) + LF


def _qr(doc: Document, qr: QRCode, profile: Profile) -> bytes:
    if profile.native_qr:
        pad = ESC + b"J" + bytes([QR_PAD])
        return ALIGN["center"] + pad + qr_native(qr.data, profile.qr_module) + pad
    return ALIGN["center"] + raster(qr_image(qr, profile.qr_module))


def render(doc: Document, profile: Profile) -> bytes:
    out = bytearray(INIT + LINE_SPACING_30)
    for block in doc.blocks:
        if isinstance(block, TextLine):
            out += _text_line(block, profile)
        elif isinstance(block, Rule):
            line = TextLine(block.char * doc.columns)
            out += _text_line(line, profile) if profile.text_mode else ALIGN["left"] + raster(
                rule_image(doc, block)
            )
        elif isinstance(block, QRCode):
            out += _qr(doc, block, profile)
        elif isinstance(block, Feed):
            out += ESC + b"d" + bytes([block.lines])
        elif isinstance(block, Cut):
            out += CUTS[profile.cut]
    out += GS + b"!\x00" + ESC + b"E\x00" + ALIGN["left"]
    return bytes(out)
