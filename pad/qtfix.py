"""Work around PySide6 6.12.0 on Python 3.11: calls drop references to ``None`` and ``True``.

Measured here: every Python call of a void Qt method (``QLabel.setText`` …) releases a
reference to ``None`` it never took, and every ``Signal.emit()`` one to ``True``. Python
3.12 made these objects immortal, so the bug is invisible there; on 3.11 ``None`` starts
with a few thousand references and ``True`` with a few hundred, and a screen that repaints
every second (or a QtHall that emits once per MQTT message) dies within minutes with
"Fatal Python error: none_dealloc / bool_dealloc".

:func:`immortalize` does what 3.12 does: it gives ``None``, ``True`` and ``False`` so many
references (2**40) that no leak can use them up. It runs on every Python before 3.12 (a
probe, :func:`leaks`, shows the bug but is noisy while other threads run); extra references
to these singletons are harmless: they are never freed anyway.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

BOOST = 1 << 40


class _Probe(QObject):
    ping = Signal()


def leaks() -> bool:
    """True when this PySide6 drops references to None or True (measured, not guessed)."""
    probe = _Probe()
    none, true = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(20):
        probe.setObjectName("probe")
        probe.ping.emit()
    return sys.getrefcount(None) < none - 10 or sys.getrefcount(True) < true - 10


def immortalize() -> bool:
    """Make None/True/False effectively immortal if needed; returns whether it did."""
    if getattr(sys, "_hallq_immortal", False) or sys.version_info >= (3, 12):
        return False
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += BOOST
    sys._hallq_immortal = True  # type: ignore[attr-defined]
    return True


immortalize()
