"""What every screenshot scene does: run the Qt event loop while a hall works, wait for a state, grab a PNG."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def run_events(seconds: float = 0.0) -> None:
    """Let Qt handle what is queued (signals from the clients' threads, repaints), for ``seconds``."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + seconds
    while True:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if time.monotonic() >= deadline:
            return
        time.sleep(0.01)


def wait_until(cond: Callable[[], Any], timeout: float = 10.0) -> bool:
    """Run the Qt event loop until ``cond()`` holds; whether it did within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run_events()
        if cond():
            return True
        time.sleep(0.01)
    return bool(cond())


def reach(cond: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
    """:func:`wait_until`, or a clear error naming the state the scene did not reach."""
    if not wait_until(cond, timeout):
        raise TimeoutError(f"scene: {what} not reached within {timeout}s")


def grab(widget: Any, out: Path, size: tuple[int, int]) -> None:
    """Show ``widget`` at its device's real ``size``, let it settle, and save it as a PNG."""
    from hallq.qt.app import save_grab

    widget.resize(*size)
    widget.show()
    run_events(0.3)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not save_grab(widget, out):
        raise RuntimeError(f"could not write {out}")
