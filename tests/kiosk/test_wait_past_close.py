"""A wait that runs past the hall's close (issue 17): the kiosk's result and ticket screens say
今日可能无法办理 (本时段 before a break) instead of promising a time, at their real size."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel

from hallq.messages import QueueSummary
from kiosk.model import Screen
from kiosk.views import KioskWindow
from tests.kiosk.test_wait_lines import _at_result, _model


def _texts(window: KioskWindow) -> str:
    return "\n".join(w.text() for w in window.current_page().findChildren(QLabel) if w.isVisibleTo(window))


def test_the_kiosk_says_the_wait_may_run_past_the_close(qtbot: Any) -> None:
    m = _model()
    queue = _at_result(m)
    m.set_queues([QueueSummary(queue, queue, "Z1", 30, 0, 0, [], None, 30, 95, 70, 130, "day")])
    assert m.expected_wait == "今日可能无法办理"
    m.back()
    m.answer(0)
    window = KioskWindow(m)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    text = _texts(window)
    assert "预计等候：今日可能无法办理" in text
    assert "约 70-130 分钟" not in text
    view = {"id": "2026-11-23-A031", "number": "A031", "matter_name": "居民身份证", "situation_name": "首次申领",
            "windows": ["S01"], "ahead": 30, "issued_at": 1_795_000_000.0, "progress_url": "", "materials": [],
            "wait_min": 45, "wait_lo_min": 30, "wait_hi_min": 65, "wait_past_close": "session"}
    m.ticket, m.screen = view, Screen.TICKET
    m._changed()
    qtbot.waitUntil(lambda: "A031" in _texts(window), timeout=5000)
    assert "本时段可能无法办理" in _texts(window)
