"""ID-card readers (身份证读卡器) behind one interface: keyboard-wedge and serial.

Two kinds of reader are common at kiosks:

* keyboard-wedge (模拟键盘输出): the reader "types" the number and presses Enter, much faster
  than a person could. :class:`WedgeDecoder` watches key presses with their times and
  reports a card only for a fast burst ending in Enter, so a person typing on a real
  keyboard is not mistaken for a card;
* serial (串口输出, often a USB-serial adapter): one line per card, in vendor formats such
  as ``11010519491231002X``, ``张三,11010519491231002X`` or ``11010519491231002X|张三|…``.
  :class:`SerialIdReader` reads lines through pyserial on its own thread.

Both hand a :class:`CardRead` to one callback; :func:`parse_line` turns any line into one.
The number is not validated here (the kiosk model does that, with its clear message) and
never logged.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger("hallq.kiosk.reader")

_ID = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx])(?![0-9A-Za-z])")
_NAME = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f·]{2,20}")


@dataclass(frozen=True)
class CardRead:
    id_number: str = field(repr=False)  # never in a repr, so never in a log line by accident
    name: str = ""


def parse_line(line: str) -> CardRead | None:
    """The ID number (and a Chinese name, if the line carries one) in a reader's line."""
    m = _ID.search(line)
    if not m:
        return None
    name = _NAME.search(line[:m.start()] + " " + line[m.end():])
    return CardRead(m.group(1).upper(), name.group(0) if name else "")


OnRead = Callable[[CardRead], None]


class IdReader(Protocol):
    """What the kiosk needs from a reader: start delivering cards to a callback; stop."""

    def start(self, on_read: OnRead) -> None: ...

    def stop(self) -> None: ...


class WedgeDecoder:
    """Tell a keyboard-wedge reader's burst from a person typing.

    ``feed(text, now)`` for each key (``"\\r"``/``"\\n"`` for Enter); it returns a
    :class:`CardRead` when Enter closes a burst of at least 18 characters whose keys came
    at most ``max_gap`` seconds apart. The kiosk's view swallows the burst's keys.
    """

    def __init__(self, max_gap: float = 0.08) -> None:
        self.max_gap = max_gap
        self._buf: list[str] = []
        self._last = -1.0
        self._on_read: OnRead | None = None

    # IdReader: the view feeds keys; start/stop only attach the callback.
    def start(self, on_read: OnRead) -> None:
        self._on_read = on_read

    def stop(self) -> None:
        self._on_read = None

    @property
    def in_burst(self) -> bool:
        return bool(self._buf)

    def feed(self, text: str, now: float) -> CardRead | None:
        if self._buf and now - self._last > self.max_gap:
            self._buf.clear()  # too slow: a person, not a reader
        self._last = now
        if text in ("\r", "\n"):
            line, self._buf = "".join(self._buf), []
            card = parse_line(line) if len(line) >= 18 else None
            if card is not None and self._on_read is not None:
                self._on_read(card)
            return card
        if len(text) == 1 and text.isprintable():
            self._buf.append(text)
            del self._buf[:-64]
        return None


class SerialIdReader:
    """A reader on a serial port (``/dev/ttyUSB0``, ``COM3``, or any pyserial URL such as ``loop://``)."""

    def __init__(self, port: str, baudrate: int = 9600, *, serial_factory: Callable[..., Any] | None = None) -> None:
        self.port = port
        self.baudrate = baudrate
        self._factory = serial_factory
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.serial: Any = None
        self.error = ""

    def _open(self) -> Any:
        if self._factory is not None:
            return self._factory(self.port, baudrate=self.baudrate, timeout=0.2)
        import serial

        return serial.serial_for_url(self.port, baudrate=self.baudrate, timeout=0.2)

    def start(self, on_read: OnRead) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(on_read,), name="hallq-idreader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
        if self.serial is not None:
            try:
                self.serial.close()
            except Exception:  # closing a vanished adapter must not crash the kiosk
                log.debug("closing the ID reader failed", exc_info=True)

    def _run(self, on_read: OnRead) -> None:
        buf = b""
        while not self._stop.is_set():
            if self.serial is None:
                try:
                    self.serial = self._open()
                    self.error = ""
                except Exception as exc:  # unplugged adapter: try again shortly
                    self.error = f"无法打开读卡器串口 {self.port}：{exc}"
                    log.warning("%s", self.error)
                    self._stop.wait(2)
                    continue
            try:
                chunk = self.serial.read(64)
            except Exception as exc:
                self.error = f"读卡器串口读取失败：{exc}"
                log.warning("%s", self.error)
                self.serial = None
                continue
            buf += chunk
            while b"\n" in buf or b"\r" in buf:
                cut = min(i for i in (buf.find(b"\n"), buf.find(b"\r")) if i >= 0)
                line, buf = buf[:cut], buf[cut + 1:]
                card = parse_line(_decode(line))
                if card is not None:
                    on_read(card)
            buf = buf[-256:]


def _decode(raw: bytes) -> str:
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def make_reader(spec: str) -> IdReader | None:
    """``none``, ``wedge``, or ``serial:PORT[@BAUD]`` (``serial:/dev/ttyUSB0@115200``, ``serial:loop://``)."""
    spec = spec.strip()
    if spec in ("", "none"):
        return None
    if spec == "wedge":
        return WedgeDecoder()
    if spec.startswith("serial:"):
        rest = spec[len("serial:"):]
        port, _, baud = rest.rpartition("@") if "@" in rest and rest.rsplit("@", 1)[1].isdigit() else (rest, "", "")
        if not port:
            raise ValueError("serial reader needs a port: serial:/dev/ttyUSB0[@9600]")
        return SerialIdReader(port, int(baud) if baud else 9600)
    raise ValueError(f"unknown ID reader {spec!r}: use none, wedge or serial:PORT[@BAUD]")
