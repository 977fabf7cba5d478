"""The hall TV's predicted wait (预计等候) under each queue's count: from the hub's state/queues, in both
orientations, every line inside its label; and the board's words for it, without a screen."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect

from display.model import HallBoard
from hallq import i18n
from launcher.local_hall import LocalHall
from launcher.scenes.display import HallDriver, open_hall_screen, wait_until
from tests import wire
from tests.display.display_helpers import FakeClock
from tests.display.test_layout import _busy

BASE = "hallq/h"


def _queue(qid: str, **wait: Any) -> dict[str, Any]:
    return {"id": qid, "name": f"队列{qid}", "zone": "Z1", "waiting": 3, "priority": 0, "pending_priority": 0,
            "next": [], "oldest_issued_at": None, "issued": 3, **wait}


def test_the_board_says_each_queues_wait_as_the_hub_sent_it() -> None:
    b = HallBoard(BASE, "", clock=FakeClock())  # every zone (a zone's queues come from the catalog)
    b.set_broker(True)
    b.apply(f"{BASE}/presence/hub", wire.presence(True))
    b.apply(f"{BASE}/state/queues", {"v": 1, "seq": 1, "day": "2026-11-23", "queues": [
        _queue("A", wait_min=18, wait_lo_min=15, wait_hi_min=25),
        _queue("B", wait_min=2, wait_lo_min=0, wait_hi_min=5),
        _queue("C", wait_min=None, wait_lo_min=None, wait_hi_min=None),
        _queue("D")]})  # an older hub: no prediction, nothing said
    assert [(q.id, q.wait) for q in b.waiting()] == [("A", "约 15-25 分钟"), ("B", "约 5 分钟内"), ("C", "暂无法估计"),
                                                      ("D", None)]
    i18n.set_language("en")
    try:
        assert b.waiting()[0].wait == "about 15-25 min"
    finally:
        i18n.set_language("zh_CN")


@pytest.mark.parametrize("portrait", [True, False])
def test_the_tv_shows_the_wait_under_each_count_inside_its_cell(app: Any, local: LocalHall, driver: HallDriver,
                                                                portrait: bool) -> None:
    size = (1080, 1920) if portrait else (1920, 1080)
    _busy(driver)
    _, view, _ = open_hall_screen(local, portrait=portrait, zone="Z1")
    assert wait_until(lambda: any(q.wait and "约" in q.wait for q in view.board.waiting()))
    view.resize(*size)
    view.show()
    wait_until(lambda: False, 0.3)
    cells = [w for w in view.queue_cells if w.isVisibleTo(view)]
    assert cells
    for cell, q in zip(cells, view.board.waiting(), strict=True):
        assert "预计等候" in cell.text()
        assert q.wait is not None
        assert q.wait in cell.text()
        assert cell.height() >= 1.7 * cell.fontMetrics().height(), "two lines: the count and the wait"
        rect = QRect(cell.mapTo(view, cell.rect().topLeft()), cell.size())
        assert QRect(0, 0, *size).contains(rect)
