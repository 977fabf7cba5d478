"""``hallq config check`` checks ``[notify]`` as the notifier reads it: typos with hints, the gateway's URL,
the secret file, the numbers' ranges; each error in Chinese with its key path and line, beside the hub's own."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from launcher.notify_check import notify_issues
from launcher.samples import sample_hall_path

HALLQ = [sys.executable, "-m", "launcher"]
SAMPLE = sample_hall_path().read_text(encoding="utf-8")
BASE, NOTIFY = SAMPLE.split("\n[notify]", 1)
SECRET_FILE = 'secret_file = "sms.secret"'


def hall_file(tmp_path: Path, notify: str, *, base: str = BASE) -> Path:
    path = tmp_path / "hall.toml"
    path.write_text(base + "\n[notify]" + notify, encoding="utf-8")
    return path


def check(path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    environ = {k: v for k, v in os.environ.items() if k != "HALLQ_SMS_SECRET"} | env
    return subprocess.run([*HALLQ, "config", "check", str(path)], capture_output=True, text=True, timeout=60,
                          env=environ, check=False)


def test_the_sample_halls_notify_table_passes_and_an_unset_secret_is_only_a_warning(tmp_path: Path) -> None:
    r = check(sample_hall_path())
    assert r.returncode == 0, r.stderr
    assert "⚠ notify.gateway.secret_env: 环境变量 HALLQ_SMS_SECRET 在这里未设置" in r.stdout
    quiet = check(sample_hall_path(), HALLQ_SMS_SECRET="s3cret")
    assert quiet.returncode == 0
    assert "⚠" not in quiet.stdout


def test_every_notify_error_with_its_key_path_line_and_a_hint(tmp_path: Path) -> None:
    notify = (NOTIFY.replace("near = 3", "naer = 3").replace("daily_cap = 5", "daily_cap = 0")
              .replace('"https://sms.example.gov.cn/api/send"', '"sms.example.gov.cn/api"')
              .replace('secret_env = "HALLQ_SMS_SECRET"', SECRET_FILE + '\ntimeout_s = 600\nformt = "json"'))
    path = hall_file(tmp_path, notify, base=BASE.replace("recall_limit = 3", 'recall_limit = "three"', 1))
    r = check(path)
    assert r.returncode == 1
    err = r.stderr
    lines = path.read_text(encoding="utf-8").splitlines()

    def line_of(key: str) -> int:
        found = re.search(rf"{re.escape(key)} \(line (\d+)\): ", err)
        assert found, (key, err)
        return int(found.group(1))

    assert re.search(r"policy\.recall_limit \(line \d+\)", err)  # the hub's own problems in the same list
    assert "naer" in lines[line_of("notify.naer") - 1]
    assert "did you mean 'near'?" in err
    assert "formt" in lines[line_of("notify.gateway.formt") - 1]
    assert "did you mean 'format'?" in err
    assert "notify.daily_cap (line" in err
    assert "不能小于 1" in err
    assert "timeout_s" in lines[line_of("notify.gateway.timeout_s") - 1]
    assert "不能大于 60" in err
    assert "sms.example.gov.cn/api" in lines[line_of("notify.gateway.url") - 1]
    assert "含主机名的地址" in err
    assert f"无法读取 (cannot read {tmp_path / 'sms.secret'})" in err  # relative to the hall file
    assert "7 error(s)" in err  # the hub's one and the six of [notify]


def test_a_secret_file_beside_the_hall_file_passes_an_empty_one_does_not(tmp_path: Path) -> None:
    notify = NOTIFY.replace('secret_env = "HALLQ_SMS_SECRET"', SECRET_FILE)
    path = hall_file(tmp_path, notify)
    (tmp_path / "sms.secret").write_text("\n")
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith(SECRET_FILE))
    assert [str(i) for i in notify_issues(path)[0]] == [
        f"notify.gateway.secret_file (line {line}): 密钥文件是空的 (the secret file {tmp_path / 'sms.secret'} "
        "is empty)"]
    (tmp_path / "sms.secret").write_text("s3cret\n")
    assert notify_issues(path) == ([], [])
    r = check(path)
    assert r.returncode == 0, r.stderr
    assert "⚠" not in r.stdout


@pytest.mark.parametrize(("key", "value", "words"), [
    ("near", "0", "不能小于 1"), ("near", "51", "不能大于 50"), ("near", "2.5", "应为整数"),
    ("daily_cap", "-1", "不能小于 1"), ("daily_cap", '"5"', "应为整数"), ("retries", "11", "不能大于 10"),
    ("poll_s", "0.5", "不能小于 1"), ("backoff_s", "true", "应为数字"), ("pickup_place", '""', "不能为空"),
])
def test_numbers_out_of_range(tmp_path: Path, key: str, value: str, words: str) -> None:
    notify = "\n".join(line for line in NOTIFY.splitlines() if not line.startswith(f"{key} ="))
    path = hall_file(tmp_path, f"\n{key} = {value}" + notify)
    errors, _ = notify_issues(path)
    assert [e.path for e in errors] == [f"notify.{key}"], errors
    assert words in errors[0].message
    assert errors[0].line == 2 + len(BASE.splitlines())  # the [notify] header, then this key


def test_a_notify_device_without_a_notify_table_is_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "hall.toml"
    path.write_text(BASE, encoding="utf-8")
    errors, warnings = notify_issues(path)
    assert errors == []
    assert warnings
    assert warnings[0].startswith("notify: 有通知设备 N1 但没有 [notify] 表")
    path.write_text(BASE.replace('role = "notify"', 'role = "web"').replace('id = "N1"', 'id = "W2"'), encoding="utf-8")
    assert notify_issues(path) == ([], [])
