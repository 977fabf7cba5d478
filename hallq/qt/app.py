"""Start a Qt application for a hall device, with a Chinese font or a clear error; size its window."""

from __future__ import annotations

import ctypes
import glob
import logging
import os
import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QRawFont
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget

CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
                "Microsoft YaHei", "SimHei", "PingFang SC", "WenQuanYi Zen Hei", "Droid Sans Fallback")
FONT_HELP = ("没有可显示中文的字体 (no Chinese font found): install one, e.g. "
             "`sudo apt-get install fonts-wqy-microhei` (Debian/Ubuntu); Windows has Microsoft YaHei.")


MASK_CHAR = "\u25a1"  # □, as printers.fonts prints a character no font has (docs/protocol.md §9)
# the rare-name fonts shipped with printers/ (Hanazono subsets), so screens show what slips print
SHIPPED_FONTS = Path(__file__).resolve().parents[2] / "printers" / "fonts"

log = logging.getLogger("hallq.qt")


class MissingFont(RuntimeError):
    pass


def has_screen() -> bool:
    return (sys.platform in ("win32", "darwin") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
            or os.environ.get("QT_QPA_PLATFORM") == "offscreen")


def chinese_font_family() -> str:
    families = set(QFontDatabase.families())
    for name in CJK_FAMILIES:
        if name in families:
            return name
    raise MissingFont(FONT_HELP)


VERBOSE_ENV = "HALLQ_VERBOSE"  # set by ``hallq -v``: device apps then keep Qt's and FFmpeg's own messages
QUIET_RULES = "qt.multimedia*=false"
AV_LOG_ERROR = 16


def verbose() -> bool:
    return bool(os.environ.get(VERBOSE_ENV))


def quiet_qt_logs() -> None:
    """Qt multimedia's start-up chatter (pipewire, VA-API, FFmpeg version …) off, unless ``-v`` or the
    operator set QT_LOGGING_RULES. Call before the QApplication exists."""
    if not verbose() and "QT_LOGGING_RULES" not in os.environ:
        os.environ["QT_LOGGING_RULES"] = QUIET_RULES


def quiet_ffmpeg() -> bool:
    """FFmpeg's own log (``Input #0, wav …`` for every announcement) down to errors, unless ``-v``.

    Qt plays sound through the FFmpeg libraries bundled with PySide6, which log to stderr at their
    own level; call this once a QMediaPlayer exists (the library is loaded then). False when the
    library is not found (another Qt build): nothing changes."""
    if verbose():
        return False
    import PySide6

    for path in sorted(glob.glob(os.path.join(os.path.dirname(PySide6.__file__), "Qt", "lib", "libavutil.so.*"))):
        try:
            lib = ctypes.CDLL(path, mode=getattr(os, "RTLD_NOLOAD", 0))
        except OSError:
            continue
        lib.av_log_set_level(AV_LOG_ERROR)
        return True
    return False


TITLE_BAR = 40  # what a desktop's window frame takes above a window, which availableGeometry does not count


def fit_size(size: tuple[int, int], available: QRect, frame: int = TITLE_BAR) -> tuple[int, int]:
    """``size`` shrunk, aspect ratio kept, to fit ``available`` (a screen's availableGeometry) with its
    window frame; never enlarged. A 720×1280 kiosk on a 1920×1040 desktop opens at 562×1000."""
    width, height = size
    room_w, room_h = max(1, available.width()), max(1, available.height() - frame)
    scale = min(1.0, room_w / width, room_h / height)
    return max(1, int(width * scale)), max(1, int(height * scale))


def window_size(size: tuple[int, int]) -> tuple[int, int]:
    """``size`` fitted to the primary screen's available area (``size`` itself without a screen)."""
    screen = QGuiApplication.primaryScreen()
    return size if screen is None else fit_size(size, screen.availableGeometry())


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with a Chinese UI font set as the default.

    Its name is hallq's, not the script's (``__main__.py`` in window titles and task bars)."""
    app = QApplication.instance()
    if app is None:
        quiet_qt_logs()
        app = QApplication(argv or [sys.argv[0]])
    assert isinstance(app, QApplication)
    QApplication.setApplicationName("hallq")
    QApplication.setApplicationDisplayName("hallq 政务服务大厅")
    for path in sorted(SHIPPED_FONTS.glob("*.ttf")):
        QFontDatabase.addApplicationFont(str(path))
    family = chinese_font_family()
    font = QFont(family)
    font.setPointSize(12)
    app.setFont(font)
    return app


@cache
def _raw_fonts() -> tuple[QRawFont, ...]:
    """One raw font per installed family (the app's own first): what Qt can fall back to."""
    first = QApplication.font().family()
    families = [first, *(f for f in QFontDatabase.families() if f != first)]
    return tuple(raw for raw in (QRawFont.fromFont(QFont(f)) for f in families) if raw.isValid())


@cache
def can_show(ch: str) -> bool:
    """True if some installed font has ``ch``; logs the code point (only) once when none has."""
    if ch.isascii() or ch.isspace():
        return True
    if any(raw.supportsCharacter(ord(ch)) for raw in _raw_fonts()):
        return True
    log.warning("glyph_missing U+%04X: no installed font has this character; shown as %s "
                "(install fonts-hanazono, see docs/deploy.md)", ord(ch), MASK_CHAR)
    return False


def on_screen(text: str) -> str:
    """``text`` with every character no installed font can draw shown as □, never a tofu box.

    Call it on text that comes from people (names), not on the app's own strings."""
    return "".join(c if can_show(c) else MASK_CHAR for c in text)


GRABBED: list[list[str]] = []  # the texts of every widget save_grab wrote, in order (hallq screenshot --texts)


def widget_texts(widget: QWidget) -> list[str]:
    """The visible texts of labels, buttons and line edits under ``widget`` (what people read)."""
    out = [w.text() for w in widget.findChildren(QLabel) if w.isVisibleTo(widget) and w.text()]
    out += [str(b.text() or b.property("tileText") or "") for b in widget.findChildren(QAbstractButton)
            if b.isVisibleTo(widget)]
    out += [e.text() for e in widget.findChildren(QLineEdit) if e.isVisibleTo(widget) and e.text()]
    return [t for t in out if t]


def save_grab(widget: QWidget, out: str | Path) -> bool:
    """Grab ``widget`` to a PNG (the screenshot scenes' one way out) and remember its texts."""
    GRABBED.append(widget_texts(widget))
    return bool(widget.grab().save(str(out), "PNG"))
