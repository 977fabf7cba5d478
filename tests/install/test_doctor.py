"""``hallq doctor``: each check passing and failing on real things.

A real Mosquitto with the generated logins (up, down, a wrong password), a real hub's heartbeat
against a clock passed in, the installed fonts, a printer on TCP answering DLE EOT (the printer
tests' stand-in at the hardware edge), a real full filesystem (a 4 MB tmpfs in a private mount
namespace), backup files aged by their mtime against a clock passed in. The clock-sync check
reads ``timedatectl``/``chronyc``, which this container cannot run for real (no systemd, no
chrony): those are fed the commands' documented output by a stand-in runner, labelled so.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

import pytest

from hallq import clock as hallclock
from hallq import i18n
from hub.broker import free_port
from hub.hall import Hall
from hub.runtime import Hub
from launcher import doctor
from launcher.cli import main
from launcher.samples import sample_hall_path
from tests.hub.hub_helpers import FakeClock
from tests.printers.printer_fakes import TcpPrinter
from tests.security.sec_helpers import secure_broker

ROOT = Path(__file__).resolve().parents[2]


def test_broker_up_with_login_refused_login_and_down(small_hall: Hall) -> None:
    with secure_broker("mosquitto", small_hall) as broker:
        url = broker.url("monitor")
        [ok] = doctor.broker_findings(url, doctor.probe_broker(url, None, hallclock.now, wait_beats=0))
        assert ok.level == doctor.OK
        assert "登录 monitor 被接受" in ok.text
        bad = broker.url("monitor", "wrong-password")
        [refused] = doctor.broker_findings(bad, doctor.probe_broker(bad, None, hallclock.now, wait_beats=0))
        assert refused.level == doctor.FAIL
        assert "拒绝登录 monitor" in refused.text
        assert "passwords.txt" in refused.fix
    [down] = doctor.broker_findings(url, doctor.probe_broker(url, None, hallclock.now, wait_beats=0))
    assert down.level == doctor.FAIL
    assert "无法连接" in down.text


def test_clock_offset_to_the_hub_from_its_heartbeat(embedded_broker: str, hall: Hall, tmp_path: Path,
                                                    clock: FakeClock) -> None:
    hall = dataclasses.replace(hall, id=f"t{uuid.uuid4().hex[:12]}")
    hub = Hub(hall, tmp_path / "hub.db", embedded_broker, clock=clock, durable=False, heartbeat_s=0.2).start()
    try:
        same = doctor.probe_broker(embedded_broker, hall.id, hallclock.now, wait_beats=2)
        finding = doctor.offset_finding(same)
        assert finding is not None
        assert finding.level == doctor.OK, finding
        assert same.beats is not None
        assert len(same.beats) >= 2
        ahead = doctor.probe_broker(embedded_broker, hall.id, lambda: hallclock.now() + 120, wait_beats=2)
        finding = doctor.offset_finding(ahead)
        assert finding is not None
        assert finding.level == doctor.FAIL
        assert "+12" in finding.text  # +120.0 s (give or take the trip)
    finally:
        hub.stop()
    silent = doctor.offset_finding(doctor.probe_broker(embedded_broker, f"t{uuid.uuid4().hex[:12]}", hallclock.now,
                                                       wait_beats=0.5))
    assert silent is not None
    assert silent.level == doctor.WARN  # no hub on that hall: nothing to compare with


def _runner(outputs: dict[str, tuple[int, str]]) -> doctor.Runner:
    """STAND-IN for the OS edge: answers as timedatectl/chronyc print (see their man pages)."""

    def run(cmd: Sequence[str]) -> subprocess.CompletedProcess[str] | None:
        if cmd[0] not in outputs:
            return None  # not installed
        code, out = outputs[cmd[0]]
        return subprocess.CompletedProcess(list(cmd), code, out, "")

    return run


def test_clock_sync_from_timedatectl_then_chronyc() -> None:
    assert doctor.check_sync(_runner({"timedatectl": (0, "yes\n")})).level == doctor.OK
    unsynced = doctor.check_sync(_runner({"timedatectl": (0, "no\n")}))
    assert unsynced.level == doctor.FAIL
    assert "timedatectl set-ntp true" in unsynced.fix
    chrony = "Reference ID    : 0A000001 (10.0.0.1)\nLeap status     : {}\n"
    no_bus = (1, "")  # timedatectl without systemd-timedated (a container, a minimal install)
    assert doctor.check_sync(_runner({"timedatectl": no_bus, "chronyc": (0, chrony.format("Normal"))})).level == "ok"
    assert doctor.check_sync(_runner({"chronyc": (0, chrony.format("Not synchronised"))})).level == doctor.FAIL
    assert doctor.check_sync(_runner({})).level == doctor.WARN
    real = doctor.check_sync()  # this machine, whatever it says: a finding, never an exception
    assert real.level in (doctor.OK, doctor.WARN, doctor.FAIL)


def test_fonts() -> None:
    from printers import fonts

    assert doctor.check_fonts([]).level == doctor.FAIL
    assert doctor.check_fonts([]).fix == fonts.INSTALL_HINT
    microhei = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
    no_ext_b = doctor.check_fonts([microhei])
    assert no_ext_b.level == doctor.WARN  # GBK only: 𠮷 prints as □
    assert no_ext_b.fix == fonts.RARE_HINT
    assert doctor.check_fonts().level == doctor.OK  # this machine has fonts-hanazono (.ci/run installs it)


@pytest.mark.parametrize(("state", "level"), [("ok", "ok"), ("near_end", "warn"), ("out", "fail"),
                                              ("cover_open", "fail")])
def test_printer_status(tmp_path: Path, state: str, level: str) -> None:
    from hub.config import load_hall

    def hall_with_printer_at(port: int) -> Path:
        config = tmp_path / "hall.toml"
        config.write_text(sample_hall_path().read_text(encoding="utf-8").replace(
            "tcp_port = 9100", f"tcp_port = {port}", 1), encoding="utf-8")
        return config

    printer = TcpPrinter(state)
    try:
        config = hall_with_printer_at(printer.port)
        finding = doctor.check_printer(config, load_hall(config).devices["K2"])
        assert finding.level == level, finding
    finally:
        printer.close()
    config = hall_with_printer_at(free_port())
    gone = doctor.check_printer(config, load_hall(config).devices["K2"], timeout=1)
    assert gone.level == doctor.FAIL  # nothing listens on that port any more
    assert "hallq printer check --printer kiosk2" in gone.fix


def test_a_full_disk_is_reported(tmp_path: Path) -> None:
    """A real 4 MB tmpfs, mounted in a private mount namespace (the host never sees it), filled."""
    script = ("set -e; mount -t tmpfs -o size=4m tmpfs \"$1\"; "
              "\"$2\" -m launcher doctor --mqtt mqtt://127.0.0.1:1 --db \"$1/hall.db\" --backup-dir \"$1\" "
              "--min-free-mb 2 --beat-wait 0 || true; "
              "dd if=/dev/zero of=\"$1/fill\" bs=1M count=3 2>/dev/null; "
              "\"$2\" -m launcher doctor --mqtt mqtt://127.0.0.1:1 --db \"$1/hall.db\" --backup-dir \"$1\" "
              "--min-free-mb 2 --beat-wait 0 || true")
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", str(mnt),
                        sys.executable], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
                       env={**os.environ, "HALLQ_LANG": "zh_CN"})
    disk = [line for line in r.stdout.splitlines() if line.startswith(("✓ 磁盘空间", "✗ 磁盘空间"))]
    assert len(disk) == 4, r.stdout + r.stderr  # db and backup dir, before and after filling
    assert all(line.startswith("✓") for line in disk[:2]), disk
    assert all(line.startswith("✗") and "至少需要 2 MB" in line for line in disk[2:]), disk
    assert not (mnt / "fill").exists()  # it was filled inside the namespace only
    assert doctor.check_disk(tmp_path, min_free_mb=10**9).level == doctor.FAIL  # a size-limited check too


def test_backup_age_by_mtime_against_a_clock(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    assert doctor.check_backup(backups, 30, hallclock.now).level == doctor.FAIL  # nothing yet
    t0 = 1_800_000_000.0  # machine time of the newest copy
    for name, mtime in (("lvliang-20270115T020000Z.db", t0 - 1800), ("lvliang-20270115T023000Z.db", t0)):
        (backups / name).write_bytes(b"")
        (backups / f"{name}.ok").write_text("ok\n")
        os.utime(backups / f"{name}.ok", (mtime, mtime))
    (backups / "lvliang-20270115T030000Z.db").write_bytes(b"")  # no .ok: its check has not passed

    def at(minutes_later: float) -> doctor.Clock:
        return lambda: t0 + hallclock.SHIFT + minutes_later * 60

    fresh = doctor.check_backup(backups, 30, at(10))
    assert fresh.level == doctor.OK
    assert fresh.text == "最新备份 lvliang-20270115T023000Z.db，10 分钟前"
    stale = doctor.check_backup(backups, 30, at(61))
    assert stale.level == doctor.FAIL
    assert "61 分钟前（应每 30 分钟一次）" in stale.text
    assert doctor.check_backup(backups, 60, at(61)).level == doctor.OK


def test_the_command_exit_code_and_english(tmp_path: Path, small_hall: Hall, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[hall]\nid = 3\n", encoding="utf-8")
    assert main(["doctor", "--config", str(bad), "--mqtt", "mqtt://127.0.0.1:1", "--db", str(tmp_path),
                 "--backup-dir", str(tmp_path), "--beat-wait", "0"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("✗ 大厅配置：")
    assert out.strip().endswith("项必须处理")
    with secure_broker("mosquitto", small_hall) as broker:
        good = tmp_path / "good.toml"
        shutil.copyfile(sample_hall_path(), good)
        backups = tmp_path / "b"
        backups.mkdir()
        (backups / "lvliang-20270115T023000Z.db.ok").write_text("ok\n")  # mtime: now
        try:
            code = main(["doctor", "--config", str(good), "--mqtt", broker.url("monitor"), "--db", str(tmp_path),
                         "--backup-dir", str(backups), "--min-free-mb", "1", "--beat-wait", "0", "--lang", "en"])
        finally:
            i18n.set_language("zh_CN")
    out = capsys.readouterr().out
    assert "✓ broker: 127.0.0.1:" in out
    assert "login monitor accepted" in out
    assert "✓ backup: newest backup lvliang-20270115T023000Z.db, 0 min ago" in out
    # no hub on this broker for the sample hall: a warning, not a failure; the clock sync may be either
    assert code == (1 if "✗ clock sync" in out else 0), out


def test_on_the_hub_machine_doctor_logs_in_as_monitor_where_the_hub_does(tmp_path: Path) -> None:
    root = tmp_path / "root"
    assert main(["install", "hub", "--config", str(sample_hall_path()), "--root", str(root),
                 "--listen", "127.0.0.2:1884"]) == 0
    secrets = root / "etc/mosquitto/hallq/passwords.txt"
    url = doctor.default_url(secrets, root / "etc/hallq/hub.env")
    from hub.security.passwords import read_secrets

    assert url == f"mqtt://monitor:{read_secrets(secrets)['monitor']}@127.0.0.2:1884"
    assert doctor.default_url(tmp_path / "none", tmp_path / "none") == "mqtt://127.0.0.1:1883"
