"""An independent ESC/POS reader for the tests: walks every command, decodes text runs.

It shares no code with printers/: it knows the commands from the ESC/POS manual, fails on
any byte sequence it does not know, decodes text inside FS & … FS . as GB18030, and records
high bytes sent outside Chinese mode (which a Chinese printer would print as garbage or "?").
``paper()`` replays raster images, feeds and alignment the way a printer moves the paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image


@dataclass
class Line:
    text: str
    size: int
    bold: bool
    align: int


@dataclass
class Raster:
    width: int  # dots
    height: int
    data: bytes
    align: int

    def image(self) -> Image.Image:
        return Image.frombytes("1", (self.width, self.height), bytes(b ^ 0xFF for b in self.data))


@dataclass
class QR:
    data: str
    module: int
    ecc: int
    model: int


@dataclass
class Parsed:
    events: list[object] = field(default_factory=list)
    high_bytes_outside_fs: int = 0
    cuts: list[bytes] = field(default_factory=list)
    status_queries: list[int] = field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        return [e for e in self.events if isinstance(e, Line)]

    @property
    def rasters(self) -> list[Raster]:
        return [e for e in self.events if isinstance(e, Raster)]

    @property
    def qrs(self) -> list[QR]:
        return [e for e in self.events if isinstance(e, QR)]


class ParseError(AssertionError):
    pass


def parse(data: bytes, *, chinese_default: bool = False, encoding: str = "gb18030") -> Parsed:  # noqa: PLR0915
    out = Parsed()
    i = 0
    chinese = chinese_default
    size, bold, align = 1, False, 0
    segs: list[tuple[bool, bytes]] = []
    qr_module, qr_ecc, qr_model = 3, 0, 2
    pending_qr = b""

    def need(n: int) -> bytes:
        if i + n > len(data):
            raise ParseError(f"truncated command at {i}")
        return data[i : i + n]

    def flush_line() -> None:
        text = ""
        for cn, raw in segs:
            if cn:
                text += raw.decode(encoding)
            else:
                text += raw.decode("ascii")
        out.events.append(Line(text, size, bold, align))
        segs.clear()

    while i < len(data):
        b = data[i]
        if b == 0x1B:
            c = need(2)[1]
            if c == ord("@"):
                chinese, size, bold, align = chinese_default, 1, False, 0
                i += 2
            elif c in (ord("a"), ord("E"), ord("3"), ord("d"), ord("J")):
                n = need(3)[2]
                if c == ord("a"):
                    if n not in (0, 1, 2):
                        raise ParseError(f"bad ESC a {n}")
                    align = n
                elif c == ord("E"):
                    bold = bool(n & 1)
                elif c == ord("d"):
                    out.events.append(("feed", n))
                elif c == ord("J"):
                    out.events.append(("dots", n))
                i += 3
            else:
                raise ParseError(f"unknown ESC {c:#x} at {i}")
        elif b == 0x1D:
            c = need(2)[1]
            if c == ord("!"):
                n = need(3)[2]
                w, h = (n >> 4) + 1, (n & 0x0F) + 1
                if w != h:
                    raise ParseError("unequal magnification")
                size = w
                i += 3
            elif c == ord("v"):
                hdr = need(8)
                if hdr[2] != ord("0"):
                    raise ParseError("GS v not followed by 0")
                wb = hdr[4] | hdr[5] << 8
                h = hdr[6] | hdr[7] << 8
                i += 8
                body = need(wb * h)
                out.events.append(Raster(wb * 8, h, body, align))
                i += wb * h
            elif c == ord("("):
                hdr = need(5)
                if hdr[2] != ord("k"):
                    raise ParseError("only GS ( k is expected")
                n = hdr[3] | hdr[4] << 8
                i += 5
                body = need(n)
                i += n
                cn, fn = body[0], body[1]
                if cn != ord("1"):
                    raise ParseError("not a QR symbol")
                if fn == ord("A"):
                    qr_model = body[2] - ord("0")
                elif fn == ord("C"):
                    qr_module = body[2]
                elif fn == ord("E"):
                    qr_ecc = body[2] - ord("0")
                elif fn == ord("P"):
                    pending_qr = body[3:]
                elif fn == ord("Q"):
                    out.events.append(QR(pending_qr.decode("utf-8"), qr_module, qr_ecc, qr_model))
                else:
                    raise ParseError(f"unknown QR function {fn}")
            elif c == ord("V"):
                m = need(3)[2]
                if m in (0, 1, 48, 49):
                    out.cuts.append(data[i : i + 3])
                    i += 3
                elif m in (65, 66):
                    out.cuts.append(need(4))
                    i += 4
                else:
                    raise ParseError(f"bad cut {m}")
            else:
                raise ParseError(f"unknown GS {c:#x} at {i}")
        elif b == 0x1C:
            c = need(2)[1]
            if c == ord("&"):
                chinese = True
            elif c == ord("."):
                chinese = False
            else:
                raise ParseError(f"unknown FS {c:#x}")
            i += 2
        elif b == 0x10:
            n = need(3)
            if n[1] != 0x04:
                raise ParseError("DLE not followed by EOT")
            out.status_queries.append(n[2])
            i += 3
        elif b == 0x0A:
            flush_line()
            i += 1
        elif b < 0x20:
            raise ParseError(f"unknown control byte {b:#x} at {i}")
        else:
            j = i
            while j < len(data) and data[j] >= 0x20:
                j += 1
            run = data[i:j]
            if not chinese and any(x >= 0x80 for x in run):
                out.high_bytes_outside_fs += 1
            segs.append((chinese or any(x >= 0x80 for x in run), run))
            i = j
    if segs:
        raise ParseError("text not ended by LF")
    return out


def paper(parsed: Parsed, dots: int) -> Image.Image:
    """Replay raster images, feeds and dot feeds onto paper (text lines are not drawn)."""
    pieces: list[tuple[int, int, Image.Image | None]] = []
    y = 0
    for e in parsed.events:
        if isinstance(e, Raster):
            img = e.image()
            x = {0: 0, 1: (dots - img.width) // 2, 2: dots - img.width}[e.align]
            pieces.append((x, y, img))
            y += img.height
        elif isinstance(e, tuple) and e[0] == "feed":
            y += 30 * e[1]
        elif isinstance(e, tuple) and e[0] == "dots":
            y += e[1]
        elif isinstance(e, Line | QR):
            raise ParseError("paper() replays raster-only output")
    page = Image.new("1", (dots, max(1, y)), 255)
    for x, yy, img in pieces:
        assert img is not None
        page.paste(img, (x, yy))
    return page
