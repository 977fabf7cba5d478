"""``hallq install``: the files it writes under ``--root``, checked by systemd's and freedesktop's own
validators (``systemd-analyze verify``, ``desktop-file-validate``), and a second run that changes nothing.

That systemd really runs the hub unit and restarts it on a watchdog timeout is
``test_systemd_restart.py``.
"""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hub.security.passwords import check_password, read_password_file, read_secrets
from launcher import install
from launcher.cli import main
from launcher.samples import sample_hall_path

HUB_FILES = ("etc/hallq/hall.toml", "etc/hallq/hub.env", "etc/mosquitto/hallq/mosquitto.conf",
             "etc/mosquitto/hallq/password_file", "etc/mosquitto/hallq/acl_file", "etc/mosquitto/hallq/passwords.txt",
             "etc/systemd/system/hallq-hub.service", "etc/systemd/system/mosquitto.service.d/hallq.conf",
             "etc/systemd/system/hallq-purge.service", "etc/systemd/system/hallq-purge.timer",
             "etc/systemd/journald.conf.d/hallq.conf")
HALLQ = str(Path(sys.executable).parent / "hallq")


def verify(unit: Path, *, user: bool = False, env: dict[str, str] | None = None, name: str | None = None
           ) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze verify``: exit 0 and not one warning (a typo'd directive only warns)."""
    cmd = ["systemd-analyze", *(["--user"] if user else []), "verify", name or str(unit)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, **(env or {})}, cwd=unit.parent)


def assert_verified(r: subprocess.CompletedProcess[str]) -> None:
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout + r.stderr == ""


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_mode, p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_install_hub_writes_units_systemd_accepts_and_a_second_run_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "root"
    assert main(["install", "hub", "--config", str(sample_hall_path()), "--root", str(root), "--hallq", HALLQ]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("安装完成")
    assert "未运行（--root） systemctl daemon-reload" in out  # commands are never run under --root
    for name in HUB_FILES:
        assert (root / name).is_file(), name
    units = root / "etc/systemd/system"
    for unit in ("hallq-hub.service", "hallq-purge.service", "hallq-purge.timer"):
        assert_verified(verify(units / unit))
    # the drop-in, merged with the packaged mosquitto.service as systemd merges it
    assert_verified(verify(units, name="mosquitto.service",
                           env={"SYSTEMD_UNIT_PATH": f"{units}:/lib/systemd/system:/usr/lib/systemd/system:"}))
    hub = (units / "hallq-hub.service").read_text()
    for line in ("Type=notify", "WatchdogSec=30", "Restart=on-failure", "User=hallq",
                 f"ExecStart={HALLQ} --log-file /var/log/hallq/hub.log hub --config /etc/hallq/hall.toml "
                 "--db /var/lib/hallq/hall.db"):  # the login comes in the environment (hub.env), not for ps
        assert line in hub.splitlines(), line
    conf = (root / "etc/mosquitto/hallq/mosquitto.conf").read_text()
    assert "password_file /etc/mosquitto/hallq/password_file" in conf  # the installed path, not the --root one
    assert "listener 1883 0.0.0.0" in conf
    # secrets: 0600, and the hub's login in hub.env is the one the broker's password file accepts
    for secret in ("etc/hallq/hub.env", "etc/mosquitto/hallq/passwords.txt"):
        assert (root / secret).stat().st_mode & 0o777 == 0o600, secret
    hub_pw = read_secrets(root / "etc/mosquitto/hallq/passwords.txt")["hub"]
    assert (root / "etc/hallq/hub.env").read_text() == f"HALLQ_MQTT=mqtt://hub:{hub_pw}@127.0.0.1:1883\n"
    assert check_password(hub_pw, read_password_file(root / "etc/mosquitto/hallq/password_file")["hub"])

    before = snapshot(root)
    assert main(["install", "hub", "--config", str(sample_hall_path()), "--root", str(root), "--hallq", HALLQ]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("已是最新，无需更改")
    assert "已写入" not in out
    assert "systemctl" not in out  # nothing changed: no reload, no restart
    assert snapshot(root) == before  # not one byte, mode or mtime


def test_a_new_device_keeps_every_other_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "root"
    hall = tmp_path / "hall.toml"
    shutil.copyfile(sample_hall_path(), hall)
    assert main(["install", "hub", "--config", str(hall), "--root", str(root), "--hallq", HALLQ]) == 0
    old = read_secrets(root / "etc/mosquitto/hallq/passwords.txt")
    hall.write_text(hall.read_text(encoding="utf-8") + '\n[[devices]]\nid = "K9"\nrole = "kiosk"\n', encoding="utf-8")
    capsys.readouterr()
    assert main(["install", "hub", "--config", str(hall), "--root", str(root), "--hallq", HALLQ]) == 0
    out = capsys.readouterr().out
    new = read_secrets(root / "etc/mosquitto/hallq/passwords.txt")
    assert set(new) == set(old) | {"K9"}
    assert all(new[user] == pw for user, pw in old.items())
    assert f"已写入 {root}/etc/mosquitto/hallq/acl_file" in out
    assert f"不变 {root}/etc/systemd/system/hallq-hub.service" in out
    # what changed is restarted (the broker: new login; the hub: new hall file), nothing else
    assert "未运行（--root） systemctl restart mosquitto.service" in out
    assert "未运行（--root） systemctl restart hallq-hub.service" in out
    assert "systemd-journald" not in out


def test_dry_run_and_a_bad_hall_file_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "root"
    assert main(["install", "hub", "--config", str(sample_hall_path()), "--root", str(root), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"将写入 {root}/etc/systemd/system/hallq-hub.service" in out
    assert "将运行 systemctl daemon-reload" in out
    assert not root.exists()
    bad = tmp_path / "bad.toml"
    bad.write_text(sample_hall_path().read_text(encoding="utf-8").replace("[hall]", "[hal]", 1), encoding="utf-8")
    assert main(["install", "hub", "--config", str(bad), "--root", str(root)]) == 1
    assert "hal" in capsys.readouterr().err
    assert not root.exists()


def test_the_backup_dir_is_writable_by_the_hub_and_waited_for(tmp_path: Path) -> None:
    """``[backup] dir`` (read from the hall file as it is): the sandboxed hub may write there, and
    the unit waits for the disk or share it lives on to be mounted."""
    hall = tmp_path / "hall.toml"
    hall.write_text('[backup]\ndir = "/srv/hallq-backup"\nevery_min = 30\n', encoding="utf-8")
    assert install._backup_dir(hall) == "/srv/hallq-backup"
    text = install.hub_unit(hallq=HALLQ, user="hallq", config=Path("/etc/hallq/hall.toml"),
                            db=Path("/var/lib/hallq/hall.db"), watchdog_s=30, backup_dir="/srv/hallq-backup")
    assert "ReadWritePaths=/srv/hallq-backup" in text.splitlines()
    assert "RequiresMountsFor=/srv/hallq-backup" in text.splitlines()
    unit = tmp_path / "hallq-hub.service"
    unit.write_text(text)
    assert_verified(verify(unit))
    hall.write_text('[hall]\nid = "x"\n', encoding="utf-8")
    assert install._backup_dir(hall) is None


def test_install_kiosk_autostarts_a_restarting_user_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "root"
    args = ["install", "kiosk", "--device", "K1", "--config", str(sample_hall_path()), "--root", str(root),
            "--user", "kiosk1", "--mqtt", "mqtt://K1:secret@hub-pc:1883", "--autologin", "--hallq", HALLQ]
    assert main(args) == 0
    home = root / "home/kiosk1/.config"
    unit = home / "systemd/user/hallq-kiosk.service"
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    assert_verified(verify(unit, user=True, env={"XDG_RUNTIME_DIR": str(runtime)}))
    service = configparser.ConfigParser(interpolation=None, strict=False)
    service.read_string(unit.read_text())
    assert shlex.split(service["Service"]["ExecStart"]) == [HALLQ, "kiosk", "--device", "K1", "--fullscreen"]
    assert service["Service"]["Restart"] == "always"
    env = home / "hallq/K1.env"
    assert env.read_text() == "HALLQ_MQTT=mqtt://K1:secret@hub-pc:1883\n"
    assert env.stat().st_mode & 0o777 == 0o600
    desktop = home / "autostart/hallq-kiosk.desktop"
    r = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True, timeout=30,
                       check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout + r.stderr == ""
    entry = configparser.ConfigParser(interpolation=None)
    entry.read_string(desktop.read_text())
    exec_line = shlex.split(entry["Desktop Entry"]["Exec"])
    assert exec_line[:2] == ["sh", "-c"]
    assert exec_line[2].endswith("exec systemctl --user restart hallq-kiosk.service")
    login = (root / "etc/lightdm/lightdm.conf.d/50-hallq-autologin.conf").read_text()
    assert "autologin-user=kiosk1" in login.splitlines()
    capsys.readouterr()
    assert main(args) == 0
    assert capsys.readouterr().out.strip().endswith("已是最新，无需更改")


def test_a_guide_console_and_a_display(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for kind, device in (("pad", "G1"), ("display", "D-HALL")):
        assert main(["install", kind, "--device", device, "--config", str(sample_hall_path()), "--root",
                     str(root), "--user", "screen", "--hallq", HALLQ]) == 0
    units = root / "home/screen/.config/systemd/user"
    assert f"ExecStart={HALLQ} pad --device G1 --role guide --fullscreen" in \
        (units / "hallq-pad.service").read_text().splitlines()
    assert f"ExecStart={HALLQ} display --device D-HALL" in \
        (units / "hallq-display.service").read_text().splitlines()


def test_a_device_of_another_role_or_unknown_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "root"
    assert main(["install", "kiosk", "--device", "P-S01", "--config", str(sample_hall_path()), "--root",
                 str(root)]) == 1
    assert "P-S01 的角色是 pad，不能安装为 kiosk" in capsys.readouterr().err
    assert main(["install", "display", "--device", "NOPE", "--config", str(sample_hall_path()), "--root",
                 str(root)]) == 1
    assert "NOPE 不在配置文件中" in capsys.readouterr().err
    assert not root.exists()


def test_windows_script_registers_a_logon_task(tmp_path: Path) -> None:
    assert main(["install", "kiosk", "--device", "K1", "--config", str(sample_hall_path()), "--windows",
                 "--out", str(tmp_path), "--mqtt", "mqtt://K1:s3cret@hub-pc:1883"]) == 0
    script = (tmp_path / "hallq-kiosk-K1.ps1").read_text()
    assert "New-ScheduledTaskTrigger -AtLogOn -User $User" in script
    assert "Register-ScheduledTask -TaskName $TaskName" in script
    assert "-RestartCount 9999 -RestartInterval (New-TimeSpan -Minutes 1)" in script
    assert "$Action = New-ScheduledTaskAction -Execute $Hallq -Argument " \
           "'\"kiosk\" \"--device\" \"K1\" \"--fullscreen\" \"--mqtt\" \"mqtt://K1:s3cret@hub-pc:1883\"'" in script
    assert _balanced(script)
    assert install._ps_quote("it's") == "'it''s'"


def _balanced(script: str) -> bool:
    """Braces and parentheses pair up outside PowerShell strings (no pwsh on this machine to parse it)."""
    stack: list[str] = []
    quote = ""
    for line in script.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for ch in line:
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch in "({":
                stack.append(ch)
            elif ch in ")}" and (not stack or {"(": ")", "{": "}"}[stack.pop()] != ch):
                return False
        assert not quote, f"unterminated string: {line}"
    return not stack


def test_the_hub_logs_in_where_mosquitto_listens(tmp_path: Path) -> None:
    root = tmp_path / "root"
    assert main(["install", "hub", "--config", str(sample_hall_path()), "--root", str(root), "--hallq", HALLQ,
                 "--listen", "192.168.1.10:1884"]) == 0
    pw = read_secrets(root / "etc/mosquitto/hallq/passwords.txt")["hub"]
    assert (root / "etc/hallq/hub.env").read_text() == f"HALLQ_MQTT=mqtt://hub:{pw}@192.168.1.10:1884\n"
    assert "listener 1884 192.168.1.10" in (root / "etc/mosquitto/hallq/mosquitto.conf").read_text()


def test_the_broker_password_comes_from_the_environment_not_the_command_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The units pass no --mqtt: ``hallq hub`` and the device apps read HALLQ_MQTT (``ps`` shows no password)."""
    from launcher.cli import build_parser

    monkeypatch.setenv("HALLQ_MQTT", "mqtt://hub:s3cret@10.0.0.2:1883")
    args = build_parser().parse_args(["hub", "--config", "hall.toml", "--db", "hall.db"])
    assert args.mqtt == "mqtt://hub:s3cret@10.0.0.2:1883"
    assert build_parser().parse_args(["kiosk", "--device", "K1"]).mqtt == "mqtt://hub:s3cret@10.0.0.2:1883"
    assert build_parser().parse_args(["hub", "--config", "h", "--db", "d", "--mqtt", "mqtt://x"]).mqtt == "mqtt://x"
    monkeypatch.delenv("HALLQ_MQTT")
    assert build_parser().parse_args(["hub", "--config", "hall.toml", "--db", "hall.db"]).mqtt is None
