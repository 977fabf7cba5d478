"""``hallq web`` as IT runs it: its own process, the broker from HALLQ_MQTT, the hall found from the catalogue."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hub.broker import free_port
from launcher.local_hall import LocalHall
from launcher.web_command import listen_address
from tests.hub.hub_helpers import FakeClock
from tests.web.conftest import web_hall


def test_hallq_web_serves_a_slips_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    with LocalHall(web_hall(), db=tmp_path / "hall.db", clock=clock) as lh:
        ticket = lh.client("K1").request("ticket.issue", {"matter": "hukou-move", "situation": "with-house"})["ticket"]
        port = free_port()
        secret = tmp_path / "web.secret"
        env = {**os.environ, "HALLQ_MQTT": lh.url}
        proc = subprocess.Popen([sys.executable, "-m", "launcher", "web", "--device", "W1", "--listen",
                                 f"127.0.0.1:{port}", "--secret-file", str(secret)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            page = ""
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not page:
                assert proc.poll() is None, proc.communicate()[0]
                try:
                    url = f"http://127.0.0.1:{port}/p/{ticket['progress_url'].rsplit('/', 1)[1]}"
                    with urllib.request.urlopen(url, timeout=10) as r:
                        page = r.read().decode()
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.3)
            assert ticket["number"] in page and "等候中" in page
            assert len(secret.read_bytes()) == 32 and secret.stat().st_mode & 0o077 == 0  # made, private
        finally:
            proc.terminate()
            proc.wait(20)


@pytest.mark.parametrize("text", ["8080", ":8080", "host:port", "127.0.0.1:0", "127.0.0.1:70000", ""])
def test_a_bad_listen_address_says_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="HOST:PORT"):
        listen_address(text)


def test_listen_address() -> None:
    assert listen_address("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert listen_address("[::1]:8443") == ("::1", 8443)
