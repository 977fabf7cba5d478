"""The hallq command line as a hall's IT person uses it (real processes, real broker, real files)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub.broker import free_port
from hub.config import check_pin
from launcher.samples import sample_hall_path

HALLQ = [sys.executable, "-m", "launcher"]
SAMPLE = sample_hall_path()


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HALLQ, *args], capture_output=True, text=True, timeout=timeout, check=False)


def test_config_check_accepts_the_sample_hall() -> None:
    r = run("config", "check", str(SAMPLE))
    assert r.returncode == 0, r.stderr
    assert "吕梁市政务服务中心" in r.stdout
    matters = int(re.search(r"(\d+) matters", r.stdout).group(1))  # type: ignore[union-attr]
    assert matters >= 30


def test_config_check_lists_every_error_with_path_and_line(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace('queues = ["A", "B"]\nweights = { A = 2, B = 1 }', 'queus = ["A", "B"]', 1)
    text = text.replace("recall_limit = 3", 'recall_limit = "three"', 1)
    text = text.replace('id = "K1"\nrole = "kiosk"', 'id = "K1"\nrole = "kisok"', 1)
    bad = tmp_path / "hall.toml"
    bad.write_text(text, encoding="utf-8")
    r = run("config", "check", str(bad))
    assert r.returncode == 1
    err = r.stderr
    assert "windows[0].queus" in err and "did you mean 'queues'" in err
    assert "windows[0].queues" in err and "缺少必填项" in err
    assert re.search(r"policy\.recall_limit \(line \d+\)", err)
    assert "devices[0].role" in err and "kisok" in err
    line = int(re.search(r"policy\.recall_limit \(line (\d+)\)", err).group(1))  # type: ignore[union-attr]
    assert "recall_limit" in text.splitlines()[line - 1]


def test_config_check_reports_toml_syntax_errors_with_line(tmp_path: Path) -> None:
    bad = tmp_path / "hall.toml"
    bad.write_text('[hall]\nid = "x"\nname = \n', encoding="utf-8")
    r = run("config", "check", str(bad))
    assert r.returncode == 1
    assert "line 3" in r.stderr and "TOML" in r.stderr


def test_config_check_missing_file(tmp_path: Path) -> None:
    r = run("config", "check", str(tmp_path / "nope.toml"))
    assert r.returncode == 1
    assert "nope.toml" in r.stderr


def test_hash_pin_roundtrip() -> None:
    r = run("config", "hash-pin", "4321")
    assert r.returncode == 0
    assert check_pin("4321", r.stdout.strip())
    assert not check_pin("1234", r.stdout.strip())
    assert run("config", "hash-pin", "12").returncode == 1


def test_placeholder_commands_say_so_loudly(capsys: pytest.CaptureFixture[str]) -> None:
    """An app that is not built yet must say so, not pretend (used until its package exists)."""
    import argparse

    from launcher.cli import _not_yet

    assert _not_yet("kiosk", 5)(argparse.Namespace()) == 3
    assert "NOT BUILT YET" in capsys.readouterr().err


def test_hub_state_and_demo_end_to_end(tmp_path: Path) -> None:
    """`hallq hub` with its embedded broker; `hallq state` reads it; a second hub on the port fails clearly."""
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    hub = subprocess.Popen([*HALLQ, "hub", "--config", str(SAMPLE), "--db", str(tmp_path / "hall.db"),
                            "--listen", f"127.0.0.1:{port}", "--always-open"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        out = ""
        while time.monotonic() < deadline:
            r = run("state", "--mqtt", url, timeout=20)
            out = r.stdout
            if r.returncode == 0:
                break
            time.sleep(0.3)
        assert "吕梁市政务服务中心" in out
        assert re.search(r"S01\s+综合窗口1\s+关闭", out)
        assert "hub" in out.split("online:")[1]
        second = run("hub", "--config", str(SAMPLE), "--db", str(tmp_path / "b.db"), "--listen",
                     f"127.0.0.1:{port}", timeout=30)
        assert second.returncode != 0
        assert "could not listen" in second.stderr or "cannot" in second.stderr
    finally:
        hub.send_signal(signal.SIGTERM)
        hub.wait(15)
    assert hub.returncode == 0
    assert (tmp_path / "hall.key").exists()
    assert oct((tmp_path / "hall.key").stat().st_mode & 0o777) == "0o600"


def test_state_without_a_broker_fails_clearly() -> None:
    r = run("state", "--mqtt", f"mqtt://127.0.0.1:{free_port()}", timeout=30)
    assert r.returncode == 1
    assert "cannot reach" in r.stderr


def test_demo_headless_issues_and_calls(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    r = subprocess.run([*HALLQ, "demo", "--headless", "--duration", "6", "--pace", "0.2",
                        "--db", str(tmp_path / "demo.db")], capture_output=True, text=True, timeout=60, env=env,
                       check=False)
    assert r.returncode == 0, r.stderr
    assert re.search(r"🎫 K\d: [A-L]\d{3} ", r.stdout)
    assert re.search(r"📢 请[A-L]\d{3}号到[A-Z]\d{2}窗口办理", r.stdout)
    issued = int(re.search(r"issued (\d+)", r.stdout).group(1))  # type: ignore[union-attr]
    assert issued >= 3
    refusals = re.findall(r"未出票 (\w+)", r.stdout)
    assert set(refusals) <= {"duplicate_ticket"}, refusals  # the same sample ID twice for one matter
    assert not re.search(r"🪟 \w+: (登录失败|\w+ )", r.stdout), "every pad logs in and serves"
    served = sum(int(re.search(rf"{k} (\d+)", r.stdout).group(1)) for k in ("accepted", "consulted", "rejected",
                                                                              "passed"))  # type: ignore[union-attr]
    assert served >= 2


def test_demo_with_a_screen_starts_every_device_app(tmp_path: Path) -> None:
    """Where a screen exists, the demo runs the real kiosk, pad, guide console and screens as processes."""
    import json

    port = free_port()
    env = dict(os.environ, DISPLAY=os.environ.get("DISPLAY", ":0"), QT_QPA_PLATFORM="offscreen")
    log = tmp_path / "demo.out"
    with log.open("w") as sink:
        demo = subprocess.Popen([*HALLQ, "demo", "--duration", "60", "--pace", "0.5", "--listen",
                                 f"127.0.0.1:{port}", "--db", str(tmp_path / "demo.db")], env=env, stdout=sink,
                                stderr=subprocess.STDOUT, text=True)
    wanted = {"K1", "P-S01", "G1", "D-HALL", "D-S01", "BO-GA", "hub"}
    online: set[str] = set()
    try:
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and not (wanted <= online and "📢" in log.read_text()):
            r = run("state", "--mqtt", f"mqtt://127.0.0.1:{port}", "--json", timeout=30)
            if r.returncode == 0:
                presence = json.loads(r.stdout)["presence"]
                online = {d for d, p in presence.items() if p.get("online")}
            time.sleep(1)
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=30)
        out = log.read_text()
    assert wanted <= online, f"online: {sorted(online)}\n{out[-3000:]}"
    assert "Traceback" not in out, out[-3000:]
    # calls are printed although the hall screen is a window; the terminal is not flooded by Qt or FFmpeg
    assert re.search(r"📢 请[A-L]\d{3}号到[A-Z]\d{2}窗口办理", out), out[-3000:]
    assert "qt.multimedia" not in out, out[-3000:]
    assert "Input #0" not in out, out[-3000:]
    assert "./hallq.sh state --mqtt" in out
    assert "back office BO-GA 后台审批（公安局）" in out  # the real back office's line: how to use it
    assert re.search(r"rated \d+, not rated \d+", out)
