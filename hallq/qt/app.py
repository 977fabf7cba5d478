"""Start a Qt application for a hall device, with a Chinese font or a clear error."""

from __future__ import annotations

import os
import sys

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
                "Microsoft YaHei", "SimHei", "PingFang SC", "WenQuanYi Zen Hei", "Droid Sans Fallback")
FONT_HELP = ("没有可显示中文的字体 (no Chinese font found): install one, e.g. "
             "`sudo apt-get install fonts-wqy-microhei` (Debian/Ubuntu); Windows has Microsoft YaHei.")


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


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with a Chinese UI font set as the default."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or [sys.argv[0]])
    assert isinstance(app, QApplication)
    family = chinese_font_family()
    font = QFont(family)
    font.setPointSize(12)
    app.setFont(font)
    return app
