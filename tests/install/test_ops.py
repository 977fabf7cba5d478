"""Operations around the services: ``hallq restore`` refused while a real hub process or a standby runs on
the database, ``hallq standby forget`` on a real primary's database, and ``hallq doctor``'s checks of the
standby (its real status file), the phone page (a real ``hallq web`` process and its ``/healthz``) and the
notifier (its real record, a local TCP listener standing in for the SMS gateway's host)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from hallq import clock as hallclock
from hallq.client import HallClient
from hub.broker import free_port
from hub.config import load_hall
from hub.ha.standby import STATUS, Standby, side_file
from hub.runtime import Hub
from launcher import doctor
from launcher.cli import main
from launcher.local_hall import LocalHall, open_all_day
from notify.record import Record
from tests.faults.conftest import HubProc, MosquittoProc, hall_file, wait_until
from tests.ha.test_replication import plain
from tests.hub.hub_helpers import FakeClock
from tests.install.notify_helpers import NotifySocket
from tests.web.conftest import web_hall

HALLQ = str(Path(sys.executable).parent / "hallq")


def restore(config: Path, db: Path, copy: Path) -> int:
    return main(["restore", "--config", str(config), "--db", str(db), "--from", str(copy)])


def test_restore_is_refused_while_a_hub_process_or_a_standby_runs_on_the_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broker = MosquittoProc(tmp_path).start()
    config = hall_file(tmp_path)
    db = tmp_path / "hub" / "hall.db"
    db.parent.mkdir()
    copies = tmp_path / "copies"
    hub = HubProc(config, db, broker.url).start()
    try:
        assert main(["backup", "--config", str(config), "--db", str(db), "--out", str(copies)]) == 0
        [copy] = copies.glob("*.db")
        inode = db.stat().st_ino
        capsys.readouterr()
        assert restore(config, db, copy) == 1
        err = capsys.readouterr().err
        assert "正在使用数据库" in err and "systemctl stop hallq-hub" in err
        assert db.stat().st_ino == inode and not list(db.parent.glob("*.before-restore-*"))  # nothing moved
        assert hub.proc is not None and hub.proc.poll() is None  # the hub goes on
    finally:
        hub.stop()
    # a standby on the same file (its PC's database) holds the lock too, until it stops
    standby = Standby(load_hall(config), db, broker.url, "mqtt://127.0.0.1:1")
    try:
        assert restore(config, db, copy) == 1
        assert "hallq standby" in capsys.readouterr().err
    finally:
        standby.stop()
        broker.stop()
    assert restore(config, db, copy) == 0
    assert "已恢复" in capsys.readouterr().out
    assert len(list(db.parent.glob("hall.db.before-restore-*[0-9]Z"))) == 1


def test_forget_a_decommissioned_standby_and_the_doctor_on_the_standby(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hall: Any = open_all_day(load_hall(hall_file(tmp_path)))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = MosquittoProc(tmp_path / "a").start(), MosquittoProc(tmp_path / "b").start()
    primary_db, standby_db = tmp_path / "a" / "hall.db", tmp_path / "b" / "hall.db"
    primary = Hub(hall, primary_db, a.url, tick_interval=60).start(20)
    shutil.copy(tmp_path / "a" / "hall.key", tmp_path / "b" / "hall.key")
    standby = Standby(hall, standby_db, a.url, b.url).start(20)
    kiosk = HallClient(a.url, hall.id, "K1", "kiosk").start(20)
    stop = threading.Event()
    worker = threading.Thread(target=standby.serve_requests, args=(stop,), daemon=True)
    worker.start()
    try:
        wait_until(lambda: primary.replicator.in_sync, 20, "the standby in sync")
        kiosk.request("ticket.issue", plain(hall))  # a batch the primary waits for: the standby knows it is in sync
        wait_until(lambda: doctor.check_standby(standby_db).level == doctor.OK, 10, "the status file: in sync")
        assert "备用中心已同步" in doctor.check_standby(standby_db).text
        # the running primary keeps the name: forget is refused (and would be written back)
        assert main(["standby", "forget", "standby", "--db", str(primary_db)]) == 1
        assert "正在使用数据库" in capsys.readouterr().err
    finally:
        kiosk.stop()
        stop.set()
        worker.join(5)
        standby.stop()
    stale = doctor.check_standby(standby_db, mono=lambda: time.monotonic() + 60)
    assert stale.level == doctor.FAIL and "未更新" in stale.text and "hallq-standby" in stale.fix
    primary.stop()
    try:
        again = Hub(hall, primary_db, a.url, tick_interval=60).start(20)  # the standby is gone: remembered
        try:
            assert again.replicator.alarm is not None and "备用中心未同步" in again.replicator.alarm.text
        finally:
            again.stop()
        capsys.readouterr()
        assert main(["standby", "forget", "hub-c", "--db", str(primary_db)]) == 1
        assert "记住的备用中心是 standby，不是 hub-c" in capsys.readouterr().err
        assert main(["standby", "forget", "standby", "--db", str(primary_db)]) == 0
        assert "已忘记备用中心 standby" in capsys.readouterr().out
        assert main(["standby", "forget", "standby", "--db", str(primary_db)]) == 0
        assert "没有记住任何备用中心" in capsys.readouterr().out
        assert main(["standby", "forget", "standby", "--db", str(tmp_path / "none.db")]) == 2
        assert not (tmp_path / "none.db").exists()
        after = Hub(hall, primary_db, a.url, tick_interval=60).start(20)
        try:
            assert after.replicator.alarm is None  # no 备用中心未同步 any more
        finally:
            after.stop()
    finally:
        a.stop()
        b.stop()


def test_doctor_on_a_standby_pc_without_a_status_file(tmp_path: Path) -> None:
    units = tmp_path / "units"
    (tmp_path / "var/lib/hallq").mkdir(parents=True)
    (tmp_path / "var/lib/hallq/hall.key").write_bytes(b"k" * 32)
    assert main(["install", "standby", "--config", str(hall_file(tmp_path)), "--root", str(tmp_path), "--hallq",
                 HALLQ, "--primary", "mqtt://standby:x@hub-a:1883"]) == 0
    shutil.copytree(tmp_path / "etc/systemd/system", units)
    db = tmp_path / "db" / "hall.db"
    [finding] = [f for f in doctor.service_findings(units, db, hallclock.now) if f.what == "备用中心"]
    assert finding.level == doctor.FAIL and "没有备用中心的状态文件" in finding.text
    status = side_file(Path("/var/lib/hallq/hall.db"), STATUS)  # the unit's --db, not --db of doctor
    assert str(status) in finding.text


def test_doctor_asks_the_phone_page_where_its_unit_listens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           clock: FakeClock) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    port = free_port()
    root = tmp_path / "root"
    assert main(["install", "web", "--device", "W1", "--config", str(hall_file(tmp_path)), "--root", str(root),
                 "--hallq", HALLQ, "--mqtt", "mqtt://W1:x@127.0.0.1:1", "--web-listen", f"127.0.0.1:{port}"]) == 0
    units = root / "etc/systemd/system"
    db = tmp_path / "hall.db"
    lh = LocalHall(web_hall(), db=db, clock=clock).start()
    proc = subprocess.Popen([sys.executable, "-m", "launcher", "web", "--device", "W1", "--listen",
                             f"127.0.0.1:{port}"], env={**os.environ, "HALLQ_MQTT": lh.url},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def web() -> doctor.Finding:
            [found] = [f for f in doctor.service_findings(units, db, hallclock.now) if f.what == "网页服务"]
            return found

        up = wait_until(lambda: (f := web()).level == doctor.OK and f, 60, "the web page's /healthz")
        assert f"http://127.0.0.1:{port}/healthz" in up.text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            assert r.status == 200 and r.read() == b'{"ok":true,"broker":true}'
        lh.stop()  # the hub PC's broker gone: the page runs but cannot ask anything
        down = wait_until(lambda: (f := web()).level == doctor.FAIL and f, 60, "a 503 from /healthz")
        assert "503" in down.text and "连不上消息服务器" in down.text and "hallq-web" in down.fix
    finally:
        lh.stop()
        proc.terminate()
        proc.wait(20)
    gone = web()
    assert gone.level == doctor.FAIL and "无法连接" in gone.text
    assert not list(doctor.service_findings(tmp_path / "none", db, hallclock.now))  # nothing installed


def test_doctor_reads_the_notifiers_record_and_reaches_its_gateway(tmp_path: Path) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = tmp_path / "hall.toml"
    config.write_text(f'[hall]\nid = "x"\ntimezone = "Asia/Shanghai"\n[notify.gateway]\n'
                      f'url = "http://127.0.0.1:{port}/send"\n', encoding="utf-8")
    state = tmp_path / "notify"
    record = Record.open(state)
    today, yesterday = "2026-11-23", "2026-11-22"
    for i in range(5):  # yesterday's failures do not count today
        record.write(key=f"y{i}", ticket=f"A00{i}", kind="near", day=yesterday, at=0.0, result="failed",
                     tries=3)
    record.write(key="k1", ticket="A001", kind="near", day=today, at=0.0, result="sending", tries=0)
    record.write(key="k1", ticket="A001", kind="near", day=today, at=0.0, result="sent", tries=0)
    monday_9 = 1795395600.0  # 2026-11-23 09:00 Asia/Shanghai
    assert hallclock.local(monday_9, "Asia/Shanghai").date().isoformat() == today
    rec, gateway = doctor.notify_findings(config, state, lambda: monday_9)
    assert rec.level == doctor.OK and rec.text == "今天已发 1 条，失败 0 条"
    assert gateway.level == doctor.OK and f"127.0.0.1:{port}" in gateway.text
    for i in range(3):
        record.write(key=f"f{i}", ticket=f"B00{i}", kind="called", day=today, at=0.0, result="failed",
                     tries=3)
    listener.close()
    rec, gateway = doctor.notify_findings(config, state, lambda: monday_9)
    assert rec.level == doctor.FAIL and rec.text == "今天失败 3 条，只成功 1 条" and "[notify.gateway]" in rec.fix
    assert gateway.level == doctor.FAIL and "无法连接" in gateway.text
    rec, _ = doctor.notify_findings(config, state, lambda: monday_9 + 86400)  # the next day: a clean slate
    assert rec.level == doctor.OK and rec.text == "今天已发 0 条，失败 0 条"
    config.write_text('[hall]\nid = "x"\n', encoding="utf-8")
    assert doctor.notify_findings(config, state, lambda: monday_9)[1].level == doctor.FAIL  # no gateway url


def test_the_standby_process_is_ready_and_pings_the_watchdog_only_while_it_runs(tmp_path: Path) -> None:
    """``python -m launcher standby`` under a real ``$NOTIFY_SOCKET`` with ``WATCHDOG_USEC`` = 2 s (as
    hallq-standby.service starts it): READY=1, then a ping a second; stopped (SIGSTOP), no pings."""
    primary = MosquittoProc(tmp_path).start()
    config = hall_file(tmp_path)
    db = tmp_path / "b" / "hall.db"
    db.parent.mkdir()
    (tmp_path / "b" / "hall.key").write_bytes(b"k" * 32)
    sock = NotifySocket()
    env = {**os.environ, "NOTIFY_SOCKET": str(sock.path), "WATCHDOG_USEC": "2000000"}
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen([sys.executable, "-m", "launcher", "standby", "--config", str(config), "--db", str(db),
                             "--primary", primary.url, "--listen", f"127.0.0.1:{free_port()}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready = sock.wait_for("READY=1", 60)
        first = sock.wait_for("WATCHDOG=1", 5, after=ready - 1)
        sock.wait_for("WATCHDOG=1", 5, after=first)
        proc.send_signal(signal.SIGSTOP)
        stopped = time.monotonic()
        time.sleep(3)
        assert not [t for t in sock.times("WATCHDOG=1") if t > stopped + 0.2]  # hung: systemd would restart it
        proc.send_signal(signal.SIGCONT)
        sock.wait_for("WATCHDOG=1", 10, after=time.monotonic())
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.terminate()
        proc.wait(20)
        sock.close()
        primary.stop()
