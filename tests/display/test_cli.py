"""``hallq display`` and ``hallq screenshot display-…`` as a hall would run them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from display.led.protocols import BxDynamicArea
from display.led.simulator import LedSimulator, pty_pair
from launcher.local_hall import LocalHall
from launcher.scenes.display import SCENES, HallDriver

HALLQ = [sys.executable, "-m", "launcher"]
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def test_every_scene_of_the_issue_is_offered() -> None:
    out = subprocess.run([*HALLQ, "screenshot"], capture_output=True, text=True, env=ENV, timeout=60, check=True)
    listed = set(out.stdout.split())
    assert set(SCENES) <= listed
    assert {"display-hall", "display-hall-portrait", "display-offline", "display-window", "display-window-paused",
            "display-evaluate", "display-evaluate-reason", "display-thanks"} == set(SCENES)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_screenshot_writes_a_png(tmp_path: Path, lang: str) -> None:
    out = tmp_path / "eval.png"
    r = subprocess.run([*HALLQ, "screenshot", "display-evaluate", "--lang", lang, "--out", str(out)], env=ENV,
                       timeout=120, check=False, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_display_needs_a_device_and_kind() -> None:
    r = subprocess.run([*HALLQ, "display"], capture_output=True, text=True, env=ENV, timeout=60)
    assert r.returncode == 2 and "--device" in r.stderr


@pytest.mark.skipif(shutil.which("socat") is None, reason="socat not installed")
def test_led_bar_process_shows_the_call_on_a_pty(tmp_path: Path) -> None:
    with LocalHall(db=tmp_path / "hall.db") as local, pty_pair(tmp_path) as (app_end, bar_end):
        sim = LedSimulator(BxDynamicArea(), bar_end).start()
        proc = subprocess.Popen([*HALLQ, "display", "--device", "LED-S01", "--kind", "led", "--mqtt", local.url,
                                 "--port", app_end, "--led-protocol", "onbon-bx", "--duration", "20"],
                                env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            assert sim.wait_for("S01 欢迎您", timeout=15) or sim.wait_for("暂停服务", timeout=1) or \
                sim.wait_for("S01", timeout=1), sim.shown  # the window is closed before anyone logs in
            d = HallDriver(local)
            d.issue("A", 1)
            d.open("S01")
            d.call("S01")
            assert sim.wait_for("A001 请到S01", timeout=10), sim.shown
        finally:
            proc.terminate()
            proc.wait(10)
            sim.stop()
