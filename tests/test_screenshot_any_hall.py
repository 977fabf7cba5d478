"""Issue 13 §6: ``hallq screenshot SCENE --config HALL.toml`` renders that hall, not the sample.

Each scene runs as ``hallq screenshot`` runs it (a subprocess, offscreen), on a second, small hall
written by the test; ``--texts`` prints the texts of the grabbed screen, which must be that hall's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.other_hall import write_other_hall

HALLQ = [sys.executable, "-m", "launcher"]
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def shoot(scene: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HALLQ, "screenshot", scene, "--out", str(tmp_path / f"{scene}.png"), "--texts",
                           *extra], env=ENV, timeout=180, check=False, capture_output=True, text=True)


@pytest.mark.parametrize(("scene", "expected"), [
    ("kiosk-start", ["冠县便民服务中心", "结婚登记", "民生服务区", "冠县便民服务中心欢迎您"]),
    ("kiosk-ticket", ["冠县便民服务中心", "M01"]),
    ("pad-idle", ["M01 婚姻登记窗口", "孙丽 (7001)", "H 婚姻登记"]),
    ("display-hall", ["冠县便民服务中心"]),
    ("display-window", ["M01"]),
])
def test_a_scene_renders_the_hall_given_with_config(tmp_path: Path, scene: str, expected: list[str]) -> None:
    hall = write_other_hall(tmp_path)
    r = shoot(scene, tmp_path, "--config", str(hall))
    assert r.returncode == 0, r.stderr[-3000:]
    texts = r.stdout
    for word in expected:
        assert word in texts, (word, texts)
    for sample in ("吕梁", "S01", "综合受理"):
        assert sample not in texts, (sample, texts)
    assert (tmp_path / f"{scene}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_config_the_sample_hall_as_before(tmp_path: Path) -> None:
    r = shoot("kiosk-start", tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "吕梁市政务服务中心" in r.stdout


def test_a_scene_the_hall_cannot_play_says_why(tmp_path: Path) -> None:
    r = shoot("kiosk-online", tmp_path, "--config", str(write_other_hall(tmp_path)))
    assert r.returncode == 1
    assert "全程网办" in r.stderr
    assert not (tmp_path / "kiosk-online.png").exists()


def test_a_bad_hall_file_is_reported_before_any_scene(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[hall]\nid = "x"\n', encoding="utf-8")
    r = shoot("kiosk-start", tmp_path, "--config", str(bad))
    assert r.returncode == 1
    assert "bad.toml" in r.stderr
    assert not (tmp_path / "kiosk-start.png").exists()
