"""The installed PySide6 must not leak references to True/None (PySide6 6.12.0 on Python 3.11 did).

A hall screen emits a signal per MQTT message and repaints every second; a binding that drops
a reference to ``True`` per ``emit()`` aborts the process within minutes ("bool_dealloc").
pyproject pins PySide6 below 6.12; this test fails if a future upgrade brings the bug back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel


class _Probe(QObject):
    fired = Signal(str, object)


def test_signals_and_void_calls_keep_refcounts(qapp: object) -> None:
    probe = _Probe()
    probe.fired.connect(lambda topic, data: None)
    label = QLabel()
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(300):
        probe.fired.emit("hallq/x", {"i": i})
        label.setText(str(i))
    assert sys.getrefcount(True) - true_before > -20, "PySide6 leaks references to True: pin a fixed release"
    assert sys.getrefcount(None) - none_before > -20, "PySide6 leaks references to None: pin a fixed release"
