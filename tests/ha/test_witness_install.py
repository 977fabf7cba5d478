"""``hallq witness install``: the unit systemd accepts, and a second run that changes nothing."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from launcher.cli import main
from tests.install.test_install import assert_verified, snapshot, verify

HALLQ = str(Path(sys.executable).parent / "hallq")


def test_install_witness_writes_a_restarting_unit_and_a_second_run_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "root"
    argv = ["witness", "install", "--listen", "0.0.0.0:7700", "--root", str(root), "--hallq", HALLQ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "未运行（--root） systemctl daemon-reload" in out
    assert out.strip().endswith("安装完成 (installed)")
    unit = root / "etc/systemd/system/hallq-witness.service"
    lines = unit.read_text().splitlines()
    for line in ("Restart=always", "User=hallq",
                 f"ExecStart={HALLQ} witness --listen 0.0.0.0:7700 --state /var/lib/hallq/witness.json"):
        assert line in lines, line
    if shutil.which("systemd-analyze"):
        assert_verified(verify(unit))
    before = snapshot(root)
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "已是最新" in out
    assert "systemctl" not in out
    assert snapshot(root) == before


def test_install_witness_refuses_a_bad_address(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["witness", "install", "--listen", "nowhere", "--root", str(tmp_path)]) == 2
    assert "主机:端口" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
