"""``hallq install standby|web|notify`` and the services ``hallq install hub`` adds where the hall file has
them: the units systemd accepts (``systemd-analyze verify``), their ExecStart, the logins in 0600 files
taken from the generated ``passwords.txt``, a second run that changes nothing, and the clear refusals
(no primary key on the standby PC, no login, no SMS secret, a TLS file that is not there)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from hub.security.passwords import read_secrets
from launcher.cli import main
from launcher.samples import sample_hall_path
from tests.install.test_install import assert_verified, snapshot, verify

HALLQ = str(Path(sys.executable).parent / "hallq")
def exec_start(unit: Path) -> list[str]:
    [line] = [x for x in unit.read_text().splitlines() if x.startswith("ExecStart=")]
    return shlex.split(line.partition("=")[2])


def hall_with_notifier(tmp_path: Path) -> Path:
    """The sample hall, which has the notifier N1 and a [notify] table (the demo sends through a stand-in)."""
    hall = tmp_path / "hall.toml"
    text = sample_hall_path().read_text(encoding="utf-8")
    assert 'id = "N1"' in text and "\n[notify]\n" in text and 'secret_env = "HALLQ_SMS_SECRET"' in text
    hall.write_text(text, encoding="utf-8")
    return hall


def test_install_standby_needs_the_primary_key_then_writes_a_restarting_unit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "root"
    argv = ["install", "standby", "--config", str(sample_hall_path()), "--root", str(root), "--hallq", HALLQ,
            "--primary", "mqtt://standby:pw1@hub-a:1883"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "未找到主中心的密钥文件" in err and "/var/lib/hallq/hall.key" in err and "复制" in err
    assert not (root / "etc").exists()  # nothing written
    assert main(argv[:-2]) == 1
    assert "备用中心需要 --primary" in capsys.readouterr().err

    (root / "var/lib/hallq").mkdir(parents=True)
    (root / "var/lib/hallq/hall.key").write_bytes(b"k" * 32)
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "未运行（--root） systemctl enable mosquitto.service hallq-standby.service hallq-purge.timer" in out
    assert "hallq-hub.service" not in out  # the standby's PC runs no hub of its own
    units = root / "etc/systemd/system"
    assert not (units / "hallq-hub.service").exists()
    unit = units / "hallq-standby.service"
    assert_verified(verify(unit))
    lines = unit.read_text().splitlines()
    for line in ("Restart=always", "Type=notify", "WatchdogSec=30", "User=hallq", "EnvironmentFile=/etc/hallq/hub.env",
                 "EnvironmentFile=/etc/hallq/standby.env", "Conflicts=hallq-hub.service"):
        assert line in lines, line
    assert exec_start(unit) == [HALLQ, "--log-file", "/var/log/hallq/standby.log", "standby", "--config",
                                "/etc/hallq/hall.toml", "--db", "/var/lib/hallq/hall.db"]
    standby_env = root / "etc/hallq/standby.env"
    assert standby_env.read_text() == "HALLQ_PRIMARY=mqtt://standby:pw1@hub-a:1883\n"
    assert standby_env.stat().st_mode & 0o777 == 0o600
    # its own broker, as the hub's: the devices' second address, the hub login for the promoted hub
    hub_pw = read_secrets(root / "etc/mosquitto/hallq/passwords.txt")["hub"]
    assert (root / "etc/hallq/hub.env").read_text() == f"HALLQ_MQTT=mqtt://hub:{hub_pw}@127.0.0.1:1883\n"
    assert (root / "etc/mosquitto/hallq/mosquitto.conf").is_file()
    before = snapshot(root)
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("已是最新，无需更改") and "systemctl" not in out
    assert snapshot(root) == before


def test_install_hub_adds_the_web_page_and_the_notifier_the_hall_file_configures(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "root"
    hall = hall_with_notifier(tmp_path)
    argv = ["install", "hub", "--config", str(hall), "--root", str(root), "--hallq", HALLQ,
            "--web-listen", "127.0.0.1:8090"]
    monkeypatch.setenv("HALLQ_SMS_SECRET", "gw-secret")
    assert main(argv) == 0
    out = capsys.readouterr().out
    for line in ("systemctl enable hallq-web.service", "systemctl restart hallq-web.service",
                 "systemctl enable hallq-notify.service", "systemctl restart hallq-notify.service"):
        assert f"未运行（--root） {line}" in out, line
    units = root / "etc/systemd/system"
    secrets = read_secrets(root / "etc/mosquitto/hallq/passwords.txt")
    for kind in ("web", "notify"):
        unit = units / f"hallq-{kind}.service"
        assert_verified(verify(unit))
        assert "Restart=always" in unit.read_text().splitlines()
        assert f"EnvironmentFile=/etc/hallq/{kind}.env" in unit.read_text().splitlines()
        env = root / f"etc/hallq/{kind}.env"
        assert env.stat().st_mode & 0o777 == 0o600
    assert exec_start(units / "hallq-web.service") == [
        HALLQ, "--log-file", "/var/log/hallq/web.log", "web", "--device", "W1", "--hall", "lvliang", "--listen",
        "127.0.0.1:8090", "--secret-file", "/var/lib/hallq/web.secret"]
    assert exec_start(units / "hallq-notify.service") == [
        HALLQ, "--log-file", "/var/log/hallq/notify.log", "notify", "--device", "N1", "--config",
        "/etc/hallq/hall.toml", "--state-dir", "/var/lib/hallq/notify"]
    # each logs in as itself, with the password the broker was given, where the hub does
    assert (root / "etc/hallq/web.env").read_text() == f"HALLQ_MQTT=mqtt://W1:{secrets['W1']}@127.0.0.1:1883\n"
    assert (root / "etc/hallq/notify.env").read_text() == (
        f"HALLQ_MQTT=mqtt://N1:{secrets['N1']}@127.0.0.1:1883\nHALLQ_SMS_SECRET=gw-secret\n")

    before = snapshot(root)
    monkeypatch.delenv("HALLQ_SMS_SECRET")  # a re-run keeps the secret it wrote
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("已是最新，无需更改") and "systemctl" not in out
    assert snapshot(root) == before


def test_without_the_gateway_secret_install_hub_sets_the_rest_up_and_says_how_to_add_the_notifier(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HALLQ_SMS_SECRET", raising=False)
    root = tmp_path / "root"
    assert main(["install", "hub", "--config", str(sample_hall_path()), "--root", str(root), "--hallq", HALLQ]) == 0
    units = root / "etc/systemd/system"
    assert (units / "hallq-hub.service").is_file() and (units / "hallq-web.service").is_file()
    assert not (units / "hallq-notify.service").exists() and not (root / "etc/hallq/notify.env").exists()
    out = capsys.readouterr().out
    assert "⚠ 未安装短信通知服务 N1" in out and "HALLQ_SMS_SECRET" in out and "hallq install notify --device N1" in out


def test_two_web_devices_are_installed_each_on_its_machine(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    root = tmp_path / "root"
    hall = tmp_path / "hall.toml"
    hall.write_text(sample_hall_path().read_text(encoding="utf-8") + '\n[[devices]]\nid = "W2"\nrole = "web"\n',
                    encoding="utf-8")
    assert main(["install", "hub", "--config", str(hall), "--root", str(root), "--hallq", HALLQ]) == 0
    assert "有 2 台 web 设备：本机不安装" in capsys.readouterr().out
    assert not (root / "etc/systemd/system/hallq-web.service").exists()
    # on the web server's own machine, with its line of passwords.txt
    other = tmp_path / "dmz"
    assert main(["install", "web", "--device", "W2", "--config", str(hall), "--root", str(other), "--hallq", HALLQ,
                 "--mqtt", "mqtts://W2:pw2@hub-pc:8883"]) == 0
    assert (other / "etc/hallq/web.env").read_text() == "HALLQ_MQTT=mqtts://W2:pw2@hub-pc:8883\n"
    assert exec_start(other / "etc/systemd/system/hallq-web.service")[4:6] == ["--device", "W2"]


def test_install_web_and_notify_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    hall = hall_with_notifier(tmp_path)
    bare = tmp_path / "bare"
    assert main(["install", "web", "--device", "W1", "--config", str(hall), "--root", str(bare)]) == 1
    assert "没有设备 W1 的登录" in capsys.readouterr().err  # no hub installed here and no --mqtt
    assert not bare.exists()
    assert main(["install", "web", "--device", "K1", "--config", str(hall), "--root", str(bare)]) == 1
    assert "K1 的角色是 kiosk，不能安装为 web" in capsys.readouterr().err
    assert main(["install", "notify", "--config", str(hall), "--root", str(bare)]) == 2
    assert "--device is required" in capsys.readouterr().err

    # on a hub PC installed before the notifier was added: the logins come from its passwords.txt
    root = tmp_path / "root"
    monkeypatch.setenv("HALLQ_SMS_SECRET", "s")
    assert main(["install", "hub", "--config", str(hall), "--root", str(root), "--hallq", HALLQ,
                 "--listen", "10.0.0.5:1884"]) == 0
    (root / "etc/systemd/system/hallq-notify.service").unlink()
    (root / "etc/hallq/notify.env").unlink()
    capsys.readouterr()
    assert main(["install", "notify", "--device", "N1", "--config", str(hall), "--root", str(root),
                 "--hallq", HALLQ]) == 0
    out = capsys.readouterr().out
    assert "未运行（--root） systemctl daemon-reload" in out
    assert f"不变 {root}/etc/hallq/hall.toml" in out
    pw = read_secrets(root / "etc/mosquitto/hallq/passwords.txt")["N1"]
    assert (root / "etc/hallq/notify.env").read_text().startswith(f"HALLQ_MQTT=mqtt://N1:{pw}@10.0.0.5:1884\n")
    assert_verified(verify(root / "etc/systemd/system/hallq-notify.service"))

    broken = tmp_path / "broken.toml"
    broken.write_text(hall.read_text(encoding="utf-8").replace('url = "https://', 'url = "ftp://'), encoding="utf-8")
    assert main(["install", "notify", "--device", "N1", "--config", str(broken), "--root", str(tmp_path / "r3"),
                 "--mqtt", "mqtt://N1:x@h:1883"]) == 1
    assert "[notify] 表有误" in capsys.readouterr().err and not (tmp_path / "r3").exists()
    assert main(["install", "web", "--device", "W1", "--config", str(hall), "--root", str(tmp_path / "r4"),
                 "--mqtt", "mqtt://W1:x@h:1883", "--web-listen", "8080"]) == 1
    assert "--web-listen 应为 主机:端口" in capsys.readouterr().err


def test_a_tls_file_that_is_not_there_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "root"
    ca = tmp_path / "ca.crt"
    ca.write_text("x")
    assert main(["install", "hub", "--config", str(sample_hall_path()), "--root", str(root), "--tls-port", "8883",
                 "--cafile", str(ca), "--certfile", str(tmp_path / "nope.crt"), "--keyfile", str(ca)]) == 1
    assert "nope.crt: 文件不存在" in capsys.readouterr().err
    assert not root.exists()


def test_install_standby_runs_the_standby_pcs_own_web_and_notify_devices(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``--web W2 --notify N2`` on the standby: their own devices, logged in to the primary's broker first and
    this PC's after a promotion; the primary's only device refused; without them a ⚠ says what is missing."""
    monkeypatch.setenv("HALLQ_SMS_SECRET", "gw-secret")
    root = tmp_path / "root"
    (root / "var/lib/hallq").mkdir(parents=True)
    (root / "var/lib/hallq/hall.key").write_bytes(b"k" * 32)
    hall = hall_with_notifier(tmp_path)
    base = ["install", "standby", "--config", str(hall), "--root", str(root), "--hallq", HALLQ,
            "--primary", "mqtt://standby:pw1@hub-a:1883", "--web-listen", "127.0.0.1:8090"]
    assert main([*base, "--notify", "N1"]) == 1  # the primary's only notifier: never on two PCs
    err = capsys.readouterr().err
    assert "N1 是配置文件里唯一的 notify 设备" in err and "N2" in err
    assert not (root / "etc").exists()
    assert main(base) == 0  # none given: nothing of theirs here, and a ⚠ for each
    out = capsys.readouterr().out
    assert "⚠ 备用中心没有安装 web 服务（配置文件里有 W1）" in out and "--web W2" in out
    assert "⚠ 备用中心没有安装 notify 服务（配置文件里有 N1）" in out and "--notify N2" in out
    assert not (root / "etc/systemd/system/hallq-notify.service").exists()

    two = tmp_path / "two.toml"
    two.write_text(hall.read_text(encoding="utf-8") + '\n[[devices]]\nid = "W2"\nrole = "web"\n'
                   '\n[[devices]]\nid = "N2"\nrole = "notify"\n', encoding="utf-8")
    argv = [*base, "--config", str(two), "--web", "W2", "--notify", "N2"]
    assert main([*argv[:-1], "K1"]) == 1
    assert "K1 的角色是 kiosk，不能安装为 notify" in capsys.readouterr().err
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "web.secret 复制过来" in out  # the form's key must be the primary's
    units = root / "etc/systemd/system"
    secrets = read_secrets(root / "etc/mosquitto/hallq/passwords.txt")
    assert exec_start(units / "hallq-web.service")[4:6] == ["--device", "W2"]
    assert exec_start(units / "hallq-notify.service")[4:6] == ["--device", "N2"]
    assert (root / "etc/hallq/notify.env").read_text() == (
        f"HALLQ_MQTT=mqtt://N2:{secrets['N2']}@hub-a:1883,127.0.0.1:1883\nHALLQ_SMS_SECRET=gw-secret\n")
    assert (root / "etc/hallq/web.env").read_text() == f"HALLQ_MQTT=mqtt://W2:{secrets['W2']}@hub-a:1883,127.0.0.1:1883\n"
    for kind in ("web", "notify"):
        assert_verified(verify(units / f"hallq-{kind}.service"))
    (root / "var/lib/hallq/web.secret").write_bytes(b"s" * 32)  # copied from the primary
    assert main(argv) == 0
    assert "web.secret" not in capsys.readouterr().out

    # the primary of a hall with two of each: --web / --notify choose its own
    primary = tmp_path / "a"
    assert main(["install", "hub", "--config", str(two), "--root", str(primary), "--hallq", HALLQ]) == 0
    assert "有 2 台 notify 设备：本机不安装；用 --notify 设备号" in capsys.readouterr().out
    assert not (primary / "etc/systemd/system/hallq-notify.service").exists()
    assert main(["install", "hub", "--config", str(two), "--root", str(primary), "--hallq", HALLQ,
                 "--web", "W1", "--notify", "N1"]) == 0
    assert exec_start(primary / "etc/systemd/system/hallq-notify.service")[4:6] == ["--device", "N1"]
    assert "--notify" not in capsys.readouterr().out
