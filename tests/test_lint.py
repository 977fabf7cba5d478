"""ruff and mypy --strict stay clean on every package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["hub", "hallq", "printers", "kiosk", "pad", "display", "launcher", "web", "notify"]
STRICT = PACKAGES


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)


def test_ruff_clean() -> None:
    r = _run("ruff", "check", *PACKAGES)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_strict_clean() -> None:
    r = _run("mypy", *STRICT)
    assert r.returncode == 0, r.stdout + r.stderr
