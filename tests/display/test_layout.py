"""The hall TV fits its screen: portrait 1080×1920 and landscape 1920×1080, the sample hall's zone and
every queue of the hall, with every label inside the window and one line high (nothing cut off)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QLabel

from launcher.local_hall import LocalHall
from launcher.scenes.display import HallDriver, open_hall_screen, wait_until


def _busy(d: HallDriver) -> None:
    d.issue("A", 12)
    d.issue("B", 3)
    d.open("S01")
    d.open("S02", "1002")
    for w in ("S01", "S02") * 5:
        d.call(w)
        d.finish(w)
    d.call("S01")


@pytest.mark.parametrize(("portrait", "zone"), [(True, "Z1"), (True, ""), (False, "Z1"), (False, "")])
def test_hall_tv_fits_its_screen_with_every_widget_inside(app: Any, local: LocalHall, driver: HallDriver,
                                                          portrait: bool, zone: str) -> None:
    size = (1080, 1920) if portrait else (1920, 1080)
    _busy(driver)
    _, view, _ = open_hall_screen(local, portrait=portrait, zone=zone)
    assert wait_until(lambda: view.board.latest is not None and len(view.board.previous) >= 8)
    view.resize(*size)
    view.show()
    wait_until(lambda: False, 0.3)
    assert (view.width(), view.height()) == size, "the screen grew past its window"
    window = QRect(0, 0, *size)
    shown = [w for w in view.findChildren(QLabel) if w.isVisibleTo(view) and w.text()]
    assert any(w is view.clock for w in shown)
    assert any(w.text().startswith("A") and w in {r[0] for r in view.recent_rows} for w in shown)
    for w in [*shown, view.ticker]:
        rect = QRect(w.mapTo(view, w.rect().topLeft()), w.size())
        assert window.contains(rect), (w.text() if isinstance(w, QLabel) else "ticker", rect)
    for w in shown:  # one line of text fits in each label's height
        assert w.height() >= w.fontMetrics().height() - 1, (w.text(), w.height(), w.fontMetrics().height())
    # the counts of every queue of the zone are on screen
    counts = [w for w in view.queue_cells if w.isVisibleTo(view)]
    assert len(counts) == len(view.board.waiting())
    # the newest number is still large: ≥ 10 % of the screen height
    assert view.number.font().pixelSize() >= 0.10 * size[1]
