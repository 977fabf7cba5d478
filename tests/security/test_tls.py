"""Mosquitto's TLS listener from ``hallq mosquitto-config --tls-port``, with a generated hall CA."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hallq.client import BrokerAddress, HallClient
from hub.broker import free_port
from hub.runtime import Hub
from hub.security import acl
from hub.security.passwords import read_secrets
from launcher.cli import main
from tests.hub.hub_helpers import FakeClock, make_small_hall
from tests.security.sec_helpers import chown_mosquitto, make_test_ca, open_dir, run_mosquitto

SMALL = make_small_hall()


def test_broker_urls_carry_tls_files() -> None:
    a = BrokerAddress.parse("mqtts://K1:p%40ss@hub.hall:8883?ca=/etc/hallq/ca.crt")
    assert (a.tls, a.port, a.username, a.password, a.ca, a.cert) == (True, 8883, "K1", "p@ss", "/etc/hallq/ca.crt",
                                                                     None)
    assert "p@ss" not in repr(a)
    assert BrokerAddress.parse("mqtts://h?ca=/x&cert=/c&key=/k").key == "/k"
    with pytest.raises(ValueError, match="mqtts"):
        BrokerAddress.parse("mqtt://h:1883?ca=/x")


@pytest.fixture(scope="module")
def tls_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, int, dict[str, str]]]:
    out = open_dir("hallq-tls-")
    try:
        certs = out / "certs"
        certs.mkdir()
        certs.chmod(0o755)
        files = make_test_ca(certs)
        chown_mosquitto(files["key"], files["cert"], files["ca"])
        plain, tls = free_port(), free_port()
        hall_file = tmp_path_factory.mktemp("hall") / "small.toml"
        from tests.hub.hub_helpers import SMALL_HALL

        hall_file.write_text(SMALL_HALL, encoding="utf-8")
        assert main(["mosquitto-config", "--config", str(hall_file), "--out", str(out / "mq"), "--listen",
                     f"127.0.0.1:{plain}", "--tls-port", str(tls), "--tls-bind", "127.0.0.1", "--cafile",
                     str(files["ca"]), "--certfile", str(files["cert"]), "--keyfile", str(files["key"])]) == 0
        conf = (out / "mq" / "mosquitto.conf").read_text()
        assert f"listener {tls} 127.0.0.1" in conf and "tls_version tlsv1.2" in conf
        with run_mosquitto(out / "mq" / "mosquitto.conf", plain, tls):
            yield out, plain, tls, read_secrets(out / "mq" / "passwords.txt")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def test_devices_and_hub_over_tls_with_the_hall_ca(tls_hall: tuple[Path, int, int, dict[str, str]],
                                                    tmp_path: Path, clock: FakeClock) -> None:
    out, _, tls, users = tls_hall
    ca = out / "certs" / "ca.crt"
    hub = Hub(SMALL, tmp_path / "hub.db", f"mqtts://hub:{users[acl.HUB_USER]}@localhost:{tls}?ca={ca}",
              clock=clock, durable=False).start()
    try:
        kiosk = HallClient(f"mqtts://K1:{users['K1']}@localhost:{tls}?ca={ca}", SMALL.id, "K1", "kiosk").start(10)
        result = kiosk.request("ticket.issue", {"matter": "ma", "situation": "s"})
        assert result["ticket"]["number"].startswith("A")
        kiosk.stop()
    finally:
        hub.stop()


def test_tls_refuses_an_unknown_ca_and_a_plain_client(tls_hall: tuple[Path, int, int, dict[str, str]]) -> None:
    _, _, tls, users = tls_hall
    with pytest.raises(ConnectionError):  # system CAs do not know the hall CA
        HallClient(f"mqtts://K1:{users['K1']}@localhost:{tls}", SMALL.id, "K1", "kiosk").start(2)
    with pytest.raises(ConnectionError):  # plain MQTT on the TLS port
        HallClient(f"mqtt://K1:{users['K1']}@localhost:{tls}", SMALL.id, "K1", "kiosk").start(2)


def test_tls_handshake_with_openssl(tls_hall: tuple[Path, int, int, dict[str, str]]) -> None:
    out, _, tls, _ = tls_hall
    done = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{tls}", "-CAfile",
                           str(out / "certs" / "ca.crt"), "-verify_return_error", "-brief"],
                          input=b"", capture_output=True, timeout=20)
    assert b"Verification: OK" in done.stdout + done.stderr
