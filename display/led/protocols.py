"""LED controller protocols: text in, frame bytes out — and back (for the simulator and tests).

Pure code, no I/O. Every protocol implements :class:`LedProtocol`:
``encode(text, area=0)`` → bytes for the wire, and ``decoder()`` → an incremental
decoder whose ``feed(bytes)`` returns the :class:`LedFrame` s completed so far.

Two protocols:

``LineText`` — the generic "serial line-text" bar many small vendors ship: GB2312 text
between configurable start/end bytes, optionally preceded by a 2-digit hex address and
an area digit, optionally followed by a 2-digit hex checksum. Presets: ``stx-etx``
(``02 … 03``), ``crlf`` (``… 0D 0A``), ``none`` (raw text, one write per update).

``BxDynamicArea`` — Onbon/仰邦 BX-5/BX-6 controllers, command group ``0xA3`` command
``0x06`` "update dynamic area". Dynamic areas live in the controller's RAM, so updating
them on every call does not wear out the flash (program files written with ``0xA1`` do).
Frame layout, as implemented (all multi-byte fields little-endian)::

    A5 ×8                       preamble (not escaped)
    dst(2)=0x0001 src(2)=0x8000 reserved(3) option(1) check-mode(1) display-mode(1)
    device-type(1)=0xFE protocol-version(1)=0x02 data-length(2)
    data: A3 06 reply(1)=01 reserved(2) delete-areas(1)=FF area-count(1)
          per area: area-length(2) type(1) x(2, bytes of 8 px) y(2, px) width(2, bytes) height(2, px)
                    area-id(1) line-space(1) run-mode(1) timeout(2) reserved(3) single-line(1)
                    new-line(1) display-mode(1) exit-mode(1) speed(1) stay-time(1)
                    text-length(4) text(GB2312)
    CRC-16/ARC (poly 0xA001 reflected, init 0) over dst..data, little-endian
    escapes after the preamble: A5→A6 02, A6→A6 01, 5A→5B 02, 5B→5B 01
    5A                          end

Source: public firmware code driving a BX controller over a UART (a dynamic-area
"PrintftoScreen" routine and a ping frame, found by code search) — not Onbon's own
document. The CRC variant is confirmed by that code's ping frame (``… A2 00 01 00 00``
→ CRC bytes ``68 F8``, a test in tests/display). Check a real bar before deploying; see
docs/display.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class LedFrame:
    text: str
    area: int = 0
    address: int = 0
    scroll: bool = False


class LedDecoder(Protocol):
    def feed(self, data: bytes) -> list[LedFrame]: ...


class LedProtocol(Protocol):
    name: str

    def encode(self, text: str, area: int = 0) -> bytes: ...

    def decoder(self) -> LedDecoder: ...


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean(text: str) -> str:
    """Text a bar can show: no control characters; full-width forms kept; NFC."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text))


def to_gb2312(text: str) -> bytes:
    """GB2312 bytes; a character outside GB2312 (rare name characters, emoji) becomes ？."""
    out = bytearray()
    for ch in clean(text):
        try:
            out += ch.encode("gb2312")
        except UnicodeEncodeError:
            out += "？".encode("gb2312")
    return bytes(out)


def display_width(text: str) -> int:
    """Width in pixels on a 16-px bar: 16 for a CJK/full-width character, 8 for ASCII."""
    return sum(16 if unicodedata.east_asian_width(ch) in "WF" else 8 for ch in text)


# ---------------------------------------------------------------- line text


FRAMINGS = {
    "stx-etx": (b"\x02", b"\x03"),
    "crlf": (b"", b"\r\n"),
    "none": (b"", b""),
}


class LineText:
    """Generic GB2312 line-text bars: ``start [addr:2 hex] [area:1 digit] text [sum:2 hex] end``."""

    name = "line"

    def __init__(self, framing: str = "stx-etx", *, start: bytes | None = None, end: bytes | None = None,
                 address: int | None = None, areas: bool = False, checksum: str = "none") -> None:
        if framing not in FRAMINGS:
            raise ValueError(f"framing must be one of {', '.join(FRAMINGS)}, got {framing!r}")
        preset = FRAMINGS[framing]
        self.start = preset[0] if start is None else start
        self.end = preset[1] if end is None else end
        if address is not None and not 0 <= address <= 255:
            raise ValueError("address must be 0-255")
        if checksum not in ("none", "xor", "sum"):
            raise ValueError("checksum must be none, xor or sum")
        self.address, self.areas, self.checksum = address, areas, checksum

    def _sum(self, body: bytes) -> bytes:
        if self.checksum == "none":
            return b""
        value = 0
        for b in body:
            value = value ^ b if self.checksum == "xor" else (value + b) & 0xFF
        return f"{value:02X}".encode()

    def encode(self, text: str, area: int = 0) -> bytes:
        body = b""
        if self.address is not None:
            body += f"{self.address:02X}".encode()
        if self.areas:
            if not 0 <= area <= 9:
                raise ValueError("line-text areas are 0-9")
            body += str(area).encode()
        body += to_gb2312(text)
        return self.start + body + self._sum(body) + self.end

    def decoder(self) -> LineTextDecoder:
        return LineTextDecoder(self)

    def parse(self, body: bytes) -> LedFrame | None:
        """One frame's body (between start and end) → the frame, or None if it is corrupt."""
        if self.checksum != "none":
            body, got = body[:-2], body[-2:]
            if self._sum(body) != got:
                return None
        address = area = 0
        if self.address is not None:
            try:
                address = int(body[:2], 16)
            except ValueError:
                return None
            if address != self.address:
                return None  # another bar on the RS-485 bus
            body = body[2:]
        if self.areas:
            if not body[:1].isdigit():
                return None
            area, body = int(body[:1]), body[1:]
        try:
            return LedFrame(body.decode("gb2312"), area, address)
        except UnicodeDecodeError:
            return None


class LineTextDecoder:
    def __init__(self, protocol: LineText) -> None:
        self.p = protocol
        self.buf = b""

    def feed(self, data: bytes) -> list[LedFrame]:
        p = self.p
        if not p.start and not p.end:  # unframed: every chunk is the whole text
            frame = p.parse(data)
            return [frame] if frame and data else []
        self.buf += data
        frames: list[LedFrame] = []
        while True:
            if p.start:
                i = self.buf.find(p.start)
                if i < 0:
                    self.buf = self.buf[-len(p.start):] if len(p.start) > 1 else b""
                    return frames
                self.buf = self.buf[i:]
            j = self.buf.find(p.end, len(p.start))
            if j < 0:
                return frames
            body, self.buf = self.buf[len(p.start):j], self.buf[j + len(p.end):]
            if p.start and p.start in body:  # a lost end byte: resynchronise on the newer start
                body = body[body.rfind(p.start) + len(p.start):]
            frame = p.parse(body)
            if frame is not None:
                frames.append(frame)


# ---------------------------------------------------------------- Onbon BX dynamic area


PREAMBLE = b"\xa5" * 8
END = 0x5A
_ESC = {0xA5: b"\xa6\x02", 0xA6: b"\xa6\x01", 0x5A: b"\x5b\x02", 0x5B: b"\x5b\x01"}
_UNESC = {(0xA6, 0x02): 0xA5, (0xA6, 0x01): 0xA6, (0x5B, 0x02): 0x5A, (0x5B, 0x01): 0x5B}
STATIC, MOVE_LEFT = 1, 3  # display modes: 1 静止显示, 3 向左移动


def crc16_arc(data: bytes) -> int:
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def escape(data: bytes) -> bytes:
    return b"".join(_ESC.get(b, bytes((b,))) for b in data)


def unescape(data: bytes) -> bytes | None:
    out = bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if b in (0xA6, 0x5B):
            if i + 1 >= len(data) or (b, data[i + 1]) not in _UNESC:
                return None
            out.append(_UNESC[(b, data[i + 1])])
            i += 2
        else:
            out.append(b)
            i += 1
    return bytes(out)


@dataclass(frozen=True)
class BxArea:
    """Geometry of the dynamic area: x and width in pixels (multiples of 8), 16-px font by default."""

    x: int = 0
    y: int = 0
    width: int = 192  # 12 Chinese characters
    height: int = 16

    def __post_init__(self) -> None:
        if self.x % 8 or self.width % 8 or self.width <= 0 or self.height <= 0:
            raise ValueError("BX area x and width must be multiples of 8 pixels; width and height positive")


class BxDynamicArea:
    """Onbon BX-5/BX-6 "dynamic area" text (command A3 06), written to RAM."""

    name = "onbon-bx"

    def __init__(self, address: int = 1, area: BxArea | None = None, speed: int = 6, stay: int = 0) -> None:
        if not 0 <= address <= 0xFFFF:
            raise ValueError("BX screen address is 0-65535")
        if not 0 <= speed <= 0x18:
            raise ValueError("BX speed is 0 (fastest) to 24 (slowest)")
        self.address, self.area, self.speed, self.stay = address, area or BxArea(), speed, stay

    def encode(self, text: str, area: int = 0) -> bytes:
        payload = to_gb2312(text)
        scroll = display_width(clean(text)) > self.area.width
        a = self.area
        area_data = (
            bytes((0x00,)) + (a.x // 8).to_bytes(2, "little") + a.y.to_bytes(2, "little")
            + (a.width // 8).to_bytes(2, "little") + a.height.to_bytes(2, "little")
            + bytes((area, 0x00, 0x00 if scroll else 0x01)) + b"\x00\x00" + b"\x00\x00\x00"
            + bytes((0x01, 0x01, MOVE_LEFT if scroll else STATIC, 0x00, self.speed, self.stay))
            + len(payload).to_bytes(4, "little") + payload
        )
        data = b"\xa3\x06\x01\x00\x00\xff\x01" + len(area_data).to_bytes(2, "little") + area_data
        header = (self.address.to_bytes(2, "little") + (0x8000).to_bytes(2, "little") + b"\x00" * 6
                  + b"\xfe\x02" + len(data).to_bytes(2, "little"))
        body = header + data
        return PREAMBLE + escape(body + crc16_arc(body).to_bytes(2, "little")) + bytes((END,))

    def decoder(self) -> BxDecoder:
        return BxDecoder(self.address)


class BxDecoder:
    """Finds ``A5…A5 … 5A`` frames, checks escapes and CRC, returns dynamic-area texts."""

    def __init__(self, address: int | None = None) -> None:
        self.address = address
        self.buf = b""
        self.bad = 0  # frames dropped for a wrong CRC or layout (the simulator reports it)

    def feed(self, data: bytes) -> list[LedFrame]:
        self.buf += data
        frames: list[LedFrame] = []
        while True:
            i = self.buf.find(b"\xa5")
            if i < 0:
                self.buf = b""
                return frames
            j = i
            while j < len(self.buf) and self.buf[j] == 0xA5:
                j += 1
            end = self.buf.find(bytes((END,)), j)
            if end < 0:
                self.buf = self.buf[i:]
                return frames
            raw, self.buf = self.buf[j:end], self.buf[end + 1:]
            ok, frame = self._parse(raw)
            if not ok:
                self.bad += 1
            elif frame is not None:
                frames.append(frame)

    def _parse(self, raw: bytes) -> tuple[bool, LedFrame | None]:
        """(frame is valid, its text frame if it carries one)."""
        body = unescape(raw)
        if body is None or len(body) < 16 or crc16_arc(body[:-2]) != int.from_bytes(body[-2:], "little"):
            return False, None
        body = body[:-2]
        address = int.from_bytes(body[0:2], "little")
        length = int.from_bytes(body[12:14], "little")
        data = body[14:]
        if len(data) != length:
            return False, None
        if data[:2] != b"\xa3\x06":
            return True, None  # ping and other commands: valid, no text
        if self.address is not None and address not in (self.address, 0xFFFF):
            return True, None  # another screen on the bus
        delete = data[5]
        k = 6 + (delete if delete not in (0x00, 0xFF) else 0)
        if len(data) < k + 3:
            return False, None
        k += 1  # area count (we read the first area)
        area_len = int.from_bytes(data[k:k + 2], "little")
        area = data[k + 2:k + 2 + area_len]
        if len(area) != area_len or area_len < 27:
            return False, None
        text_len = int.from_bytes(area[23:27], "little")
        text = area[27:27 + text_len]
        if len(text) != text_len:
            return False, None
        try:
            decoded = text.decode("gb2312")
        except UnicodeDecodeError:
            return False, None
        return True, LedFrame(decoded, area=area[9], address=address, scroll=area[19] == MOVE_LEFT)


# ---------------------------------------------------------------- registry


PROTOCOLS = ("line", "onbon-bx")


def make_protocol(name: str, **options: object) -> LedProtocol:
    """Build a protocol by name with options from the command line or a settings file."""
    if name == "line":
        return LineText(**options)  # type: ignore[arg-type]
    if name == "onbon-bx":
        area = options.pop("area", None)
        if isinstance(area, dict):
            options["area"] = BxArea(**area)
        return BxDynamicArea(**options)  # type: ignore[arg-type]
    raise ValueError(f"unknown LED protocol {name!r}; known: {', '.join(PROTOCOLS)}")
