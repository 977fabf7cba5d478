"""End to end under a real systemd: the installed hub is restarted by its watchdog when it hangs.

systemd is not PID 1 on this machine, so the test gives it a machine of its own in miniature:
a new PID namespace (systemd is PID 1 there) and a new mount namespace in which ``/etc`` and
``/var`` are overlays whose upper layers are the directories ``hallq install hub --root`` wrote
(so systemd reads the generated ``hallq-hub.service`` and Mosquitto drop-in exactly as installed)
and ``/tmp`` is a fresh tmpfs; nothing it writes reaches the host's files. The network is the
host's, so the test talks to the installed Mosquitto with the generated logins.

Two test-only drop-ins (in the overlay, never installed): ``DefaultDependencies=no`` on the hub
and Mosquitto, so this miniature boot does not run the machine's early-boot units
(``systemd-tmpfiles-setup`` would empty the host's ``/tmp`` through a shared filesystem, udev,
sysctl …); and the hub runs as root (no ``hallq`` user in the host's ``/etc/passwd``).

Then: the hub answers (READY=1 reached systemd: the unit is "active"), the test stops it with
SIGSTOP, systemd logs "Watchdog timeout", kills it and starts a new one, which answers a kiosk.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hallq.client import HallClient, RequestError, RequestTimeout
from hub.broker import free_port
from hub.config import load_hall
from hub.security.passwords import read_secrets
from launcher.samples import sample_hall_path
from tests.faults.test_hub_kill import a_situation

ROOT = Path(__file__).resolve().parents[2]
WATCHDOG_S = 3
SYSTEMD = "/lib/systemd/systemd"

TEST_TARGET = """[Unit]
Description=hallq test boot: only the hub and its broker
DefaultDependencies=no
Wants=systemd-journald.socket systemd-journald.service hallq-hub.service mosquitto.service
"""
NO_EARLY_BOOT = "[Unit]\nDefaultDependencies=no\n"
AS_ROOT = "[Service]\nUser=root\nGroup=root\n"


class MiniMachine:
    """systemd as PID 1 of its own PID and mount namespaces over an installed root."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.console: list[str] = []
        upper = work / "root"
        script = "\n".join([
            "set -e",
            "mount -t tmpfs tmpfs /tmp",
            f"mount -t overlay overlay -o lowerdir=/etc,upperdir={upper}/etc,workdir={work}/etc-work /etc",
            f"mount -t overlay overlay -o lowerdir=/var,upperdir={upper}/var,workdir={work}/var-work /var",
            f"exec {SYSTEMD} --system --unit=hallq-test.target --log-target=journal --log-level=info "
            "--show-status=no",
        ])
        (work / "etc-work").mkdir()
        (work / "var-work").mkdir()
        self.proc = subprocess.Popen(["unshare", "--pid", "--fork", "--kill-child", "--mount", "--mount-proc",
                                      "--propagation", "private", "sh", "-c", script],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     stdin=subprocess.DEVNULL)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.console.append(line.rstrip())

    def pid1(self) -> int:
        """The host's pid of the namespace's PID 1, once it is systemd."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("the miniature machine ended: " + "\n".join(self.console[-20:]))
            with contextlib.suppress(OSError):
                children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
                if children and Path(f"/proc/{children[0]}/comm").read_text().strip() == "systemd":
                    return int(children[0])
            time.sleep(0.05)
        raise AssertionError("systemd did not start as PID 1: " + "\n".join(self.console[-20:]))

    def run(self, *cmd: str) -> str:
        r = subprocess.run(["nsenter", "-t", str(self.pid1()), "-m", "-p", *cmd], capture_output=True, text=True,
                           timeout=20, check=False)
        return r.stdout

    def show(self, unit: str, *props: str) -> dict[str, str]:
        out = self.run("systemctl", "show", unit, *(f"--property={p}" for p in props))
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGKILL)  # --kill-child: PID 1 dies, and with it the namespace
        self.proc.wait(10)


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, machine: MiniMachine) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    tail = machine.run("journalctl", "--no-pager", "-n", "40") + "\n".join(machine.console[-20:])
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; the journal says:\n{tail}")


@pytest.fixture
def installed_root() -> Iterator[tuple[Path, int]]:
    # outside /tmp (the miniature machine mounts its own /tmp) and outside /etc and /var (overlaid)
    work = Path(tempfile.mkdtemp(prefix="hq-e2e-", dir="/dev/shm"))
    port = free_port()
    hallq = str(Path(sys.executable).parent / "hallq")
    r = subprocess.run([hallq, "install", "hub", "--config", str(sample_hall_path()), "--root", str(work / "root"),
                        "--listen", f"127.0.0.1:{port}", "--watchdog-sec", str(WATCHDOG_S), "--hallq", hallq],
                       capture_output=True, text=True, timeout=120, check=False, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    units = work / "root/etc/systemd/system"
    (units / "hallq-test.target").write_text(TEST_TARGET)
    for unit in ("hallq-hub.service", "mosquitto.service"):
        (units / f"{unit}.d").mkdir(exist_ok=True)
        (units / f"{unit}.d" / "zz-test.conf").write_text(NO_EARLY_BOOT + (AS_ROOT if unit.startswith("hallq") else ""))
    mosq = work / "root/etc/mosquitto/hallq"
    for name in ("password_file", "acl_file", "mosquitto.conf"):  # what the real install's chown does
        shutil.chown(mosq / name, "mosquitto")
    yield work, port
    shutil.rmtree(work, ignore_errors=True)


def answers(kiosk: HallClient, matter: str, situation: str) -> bool:
    """The hub replies to a kiosk: a ticket, or (outside the installed hall's opening hours, real
    time in the unit) a ``hall_closed`` refusal; either is an answer, a timeout is not."""
    try:
        kiosk.request("ticket.issue", {"matter": matter, "situation": situation}, timeout=10, retries=3)
    except RequestTimeout:
        return False
    except RequestError as exc:
        return exc.code == "hall_closed"
    return True


@pytest.mark.slow
def test_systemd_restarts_the_installed_hub_when_its_watchdog_pings_stop(installed_root: tuple[Path, int]) -> None:
    work, port = installed_root
    secrets = read_secrets(work / "root/etc/mosquitto/hallq/passwords.txt")
    config = sample_hall_path()
    hall = load_hall(config)
    machine = MiniMachine(work)
    kiosk: HallClient | None = None
    try:
        wait_until(lambda: machine.show("hallq-hub.service", "ActiveState").get("ActiveState") == "active", 90,
                   "hallq-hub.service active (READY=1 received)", machine)
        first = machine.show("hallq-hub.service", "MainPID", "NRestarts", "WatchdogUSec", "Type")
        assert first["Type"] == "notify"
        assert first["WatchdogUSec"] in (f"{WATCHDOG_S}s", str(WATCHDOG_S * 1_000_000))
        assert first["NRestarts"] == "0"
        url = f"mqtt://K1:{secrets['K1']}@127.0.0.1:{port}"
        kiosk = HallClient(url, hall.id, "K1", "kiosk").start(20)
        matter, situation = a_situation(config)
        assert answers(kiosk, matter, situation)

        machine.run("kill", "-STOP", first["MainPID"])
        stopped = time.monotonic()
        wait_until(lambda: machine.show("hallq-hub.service", "NRestarts").get("NRestarts") == "1", 60,
                   "systemd restarting the hung hub", machine)
        assert time.monotonic() - stopped >= WATCHDOG_S * 0.8  # not before the watchdog ran out
        journal = machine.run("journalctl", "--no-pager", "-o", "cat", "-u", "hallq-hub.service")
        assert "hallq-hub.service: Watchdog timeout" in journal, journal[-2000:]
        print(journal)  # the evidence, with -s
        wait_until(lambda: machine.show("hallq-hub.service", "ActiveState").get("ActiveState") == "active", 60,
                   "the restarted hub active", machine)
        again = machine.show("hallq-hub.service", "MainPID")
        assert again["MainPID"] != first["MainPID"]
        assert answers(kiosk, matter, situation)
    finally:
        if kiosk is not None:
            with contextlib.suppress(Exception):
                kiosk.stop()
        machine.stop()
    assert not os.path.exists("/var/lib/hallq/hall.db")  # the host's /var never saw the hub's database
