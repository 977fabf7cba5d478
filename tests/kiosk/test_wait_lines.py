"""The kiosk's predicted wait (预计等候, issue 17): before a ticket on the result screen (from state/queues),
after it on the ticket screen and the slip (from the hub's ticket view); nothing from an older hub."""

from __future__ import annotations

from typing import Any

import msgspec
from PySide6.QtWidgets import QLabel

from hallq import i18n
from hallq.messages import QueueSummary
from hub.config import load_hall
from hub.publisher import catalog
from kiosk.model import KioskModel, Screen
from kiosk.printing import PrinterState, slip_for
from kiosk.views import KioskWindow
from launcher.samples import sample_hall_path
from tests.kiosk.conftest import FakeClock

CATALOG = catalog(load_hall(sample_hall_path()))


def _model() -> KioskModel:
    m = KioskModel("K1", clock=FakeClock(1000.0))
    m.set_catalog(CATALOG)
    m.set_broker(True)
    m.set_printer(PrinterState(True, "ok", checked=True))
    return m


def _summary(qid: str, *wait: int | None) -> QueueSummary:
    return QueueSummary(qid, qid, "Z1", 4, 0, 0, [], None, 4, *wait)


def _at_result(m: KioskModel) -> str:
    m.open_matter("id-card")
    m.answer(0)
    assert m.visible is Screen.RESULT
    assert m.situation is not None
    return m.situation.queue


def test_the_result_screen_says_the_wait_of_the_queue_it_would_ticket() -> None:
    m = _model()
    queue = _at_result(m)
    assert m.expected_wait is None  # nothing heard yet: nothing said
    m.set_queues([_summary(queue, 18, 15, 25), _summary("ZZ", 3, 0, 5)])
    assert m.expected_wait == "约 15-25 分钟"
    m.set_queues([_summary(queue, None, None, None)])
    assert m.expected_wait == "暂无法估计"
    m.set_queues([_summary(queue)])  # an older hub sends no prediction
    assert m.expected_wait is None
    i18n.set_language("en")
    try:
        m.set_queues([_summary(queue, 2, 0, 5)])
        assert m.expected_wait == "within about 5 min"
    finally:
        i18n.set_language("zh_CN")


def _texts(window: KioskWindow) -> str:
    return "\n".join(w.text() for w in window.current_page().findChildren(QLabel) if w.isVisibleTo(window))


def test_the_screens_show_the_wait_and_say_it_is_an_estimate(qtbot: Any) -> None:
    m = _model()
    queue = _at_result(m)
    m.set_queues([_summary(queue, 18, 15, 25)])
    m.back()
    m.answer(0)  # the result screen filled again, with the wait heard
    window = KioskWindow(m)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    text = _texts(window)
    assert "预计等候：约 15-25 分钟" in text
    assert "预计时间仅供参考，请以叫号为准" in text
    view = {"id": "2026-11-23-A001", "number": "A001", "matter_name": "居民身份证", "situation_name": "首次申领",
            "windows": ["S01"], "ahead": 4, "issued_at": 1_795_000_000.0, "progress_url": "", "materials": [],
            "wait_min": 18, "wait_lo_min": 15, "wait_hi_min": 25}
    m.ticket, m.screen = view, Screen.TICKET
    m._changed()
    qtbot.waitUntil(lambda: "A001" in _texts(window), timeout=5000)
    text = _texts(window)
    assert "预计等候" in text
    assert "约 15-25 分钟" in text
    assert "预计时间仅供参考" in text


def test_the_slip_gets_the_hubs_prediction() -> None:
    view = {"number": "A001", "issued_at": 1_795_000_000.0, "ahead": 3, "wait_min": 12, "wait_lo_min": 5,
            "wait_hi_min": 20}
    assert slip_for(view, "大厅", "Asia/Shanghai").wait == (5, 20)
    older = {k: v for k, v in view.items() if not k.startswith("wait")}
    assert slip_for(older, "大厅", "Asia/Shanghai").wait is None
    unknown = {**view, "wait_min": None, "wait_lo_min": None, "wait_hi_min": None}
    assert slip_for(unknown, "大厅", "Asia/Shanghai").wait == (None, None)
    assert msgspec.json.decode(msgspec.json.encode(_summary("A", 1, 0, 5)), type=QueueSummary).wait_hi_min == 5
