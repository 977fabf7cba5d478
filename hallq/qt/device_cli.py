"""What the device commands (``hallq kiosk``, ``hallq pad``, ``hallq display``) do alike: their shared
options, the window size, the language, starting Qt with a Chinese font, and the hall behind ``--demo``.

Qt is imported only when a screen is started, so ``hallq display --kind led`` runs without it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

DEFAULT_MQTT = "mqtt://127.0.0.1:1883"
NO_SCREEN = "✗ no screen: set DISPLAY (X11/Xvfb) or QT_QPA_PLATFORM=offscreen"


def add_broker_options(p: argparse.ArgumentParser) -> None:
    """``--mqtt`` and ``--hall``: where the hub is."""
    p.add_argument("--mqtt", default=os.environ.get("HALLQ_MQTT") or DEFAULT_MQTT,
                   help="broker URL (default: the environment's HALLQ_MQTT, else %(default)s; the environment keeps "
                        "a password off the command line)")
    p.add_argument("--hall", help="hall id (default: found from the hub's retained catalogue)")


def add_window_options(p: argparse.ArgumentParser, size: str, what: str) -> None:
    """``--size WxH`` and ``--fullscreen`` (a kiosk or a tablet)."""
    p.add_argument("--fullscreen", action="store_true", help=f"full screen, no window frame ({what})")
    p.add_argument("--size", default=size, help=f"window size when not full screen (default {size})")


def add_lang_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("zh_CN", "en"), help="screen language (default: HALLQ_LANG or zh_CN)")


def add_demo_option(p: argparse.ArgumentParser, shows: str) -> None:
    p.add_argument("--demo", action="store_true", help=f"start the sample hall in this process and show {shows}")


def parse_size(text: str, example: str) -> tuple[int, int]:
    """``"1080x1920"`` as (width, height); anything else stops the command with an example."""
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"--size must look like {example}, got {text!r}") from None
    return w, h


def set_language(args: argparse.Namespace) -> None:
    """``--lang``, when given, before any text is made."""
    if args.lang:
        from hallq import i18n

        i18n.set_language(args.lang)


def no_screen(message: str = NO_SCREEN) -> bool:
    """True (and ``message`` on stderr) when there is no screen to show a window on."""
    from hallq.qt.app import has_screen

    if has_screen():
        return False
    print(message, file=sys.stderr)
    return True


def start_app() -> Any:
    """The QApplication with a Chinese font, or None (and why on stderr) when no font can show Chinese."""
    from hallq.qt.app import MissingFont, make_app

    try:
        return make_app()
    except MissingFont as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return None


def start_qt(args: argparse.Namespace, no_screen_message: str = NO_SCREEN) -> Any:
    """``--lang``, then the QApplication; None (and why on stderr) without a screen or a Chinese font."""
    set_language(args)
    if no_screen(no_screen_message):
        return None
    return start_app()


def demo_hall(command: str, start_demo_hall: Callable[[], Any] | None) -> Any:
    """The hall ``--demo`` runs against, which the ``hallq`` command hands in (starting a hub in-process
    is the composition root's business, not a device's); None (and how to start it) without one."""
    if start_demo_hall is None:
        print(f"✗ --demo: start it as  hallq {command} --demo", file=sys.stderr)
        return None
    return start_demo_hall()
