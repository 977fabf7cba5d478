"""The demo's windows fit the desktop (aspect ratio kept, never enlarged), its summary counts every
rating, and device apps carry hallq's name, not the script's."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect

from hallq.qt.app import TITLE_BAR, fit_size
from launcher.demo import DEMO_WINDOWS, demo_scale

FULL_HD_DESKTOP = (0, 0, 1920, 1040)  # a 1080p screen less a 40 px panel


@pytest.mark.parametrize(("size", "available"), [
    ((1080, 1920), FULL_HD_DESKTOP), ((720, 1280), FULL_HD_DESKTOP), ((1920, 1080), FULL_HD_DESKTOP),
    ((1280, 800), (0, 0, 1366, 728)), ((1080, 1920), (0, 0, 1280, 680)),
])
def test_a_demo_window_fits_the_available_screen_with_its_aspect_ratio(size: tuple[int, int],
                                                                       available: tuple[int, int, int, int]) -> None:
    scale = demo_scale(size, available)
    w, h = size[0] * scale, size[1] * scale
    assert w <= available[2] + 0.5
    assert h + TITLE_BAR <= available[3] + 0.5  # the window with its title bar: 返回 / 确定取号 on screen
    assert 0 < scale <= 1
    fitted = fit_size(size, QRect(*available))
    assert abs(fitted[0] / fitted[1] - size[0] / size[1]) < 0.01
    assert fitted[1] + TITLE_BAR <= available[3]


def test_the_kiosk_is_scaled_on_a_1080p_desktop_and_nothing_is_enlarged() -> None:
    kiosk = next(size for device, _argv, size in DEMO_WINDOWS if device == "K1")
    assert demo_scale(kiosk, FULL_HD_DESKTOP) == pytest.approx(1000 / 1920)
    assert demo_scale((1280, 800), (0, 0, 3840, 2120)) == 1.0
    assert demo_scale((1280, 800), None) == 1.0  # no screen known: as asked
    assert fit_size((1280, 800), QRect(0, 0, 3840, 2120)) == (1280, 800)
    assert fit_size((720, 1280), QRect(*FULL_HD_DESKTOP)) == (562, 1000)


def test_the_demo_summary_counts_ratings_given_at_any_evaluator() -> None:
    from hub.config import load_hall
    from launcher.samples import sample_hall_path
    from launcher.simulate.live import LiveSimulation

    sim = LiveSimulation(load_hall(sample_hall_path()), "mqtt://127.0.0.1:1")
    sim._on_evaluated("hallq/x/event/evaluated", {"window": "S01", "level": 5, "label": "非常满意"})
    sim._on_evaluated("hallq/x/event/evaluated", {"window": "S02", "level": 0, "label": "未评价"})
    assert "rated 1, not rated 1" in sim.summary()


def test_device_apps_are_named_hallq_in_chinese(qapp: Any) -> None:
    from PySide6.QtWidgets import QApplication

    from hallq.qt.app import make_app

    make_app()
    assert QApplication.applicationName() == "hallq"
    assert "__main__" not in QApplication.applicationDisplayName()
    assert "政务服务大厅" in QApplication.applicationDisplayName()
