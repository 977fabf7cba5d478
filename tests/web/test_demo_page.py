"""``hallq demo`` runs the citizen's phone page too: the slips' QR point at it, and the link it prints opens the
ticket's page while a wrong token gets the plain 404."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from hub.broker import free_port

HALLQ = [sys.executable, "-m", "launcher"]
LINK = re.compile(r"📱 ([A-Z]\d{3}) 的扫码页 \(phone page\): (http://127\.0\.0\.1:(\d+)/p/\S+)")


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (a local http URL of the test's own)
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_the_demo_serves_the_phone_page_its_slips_point_at(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    web = free_port()
    log = tmp_path / "demo.out"
    with log.open("w") as sink:
        demo = subprocess.Popen([*HALLQ, "demo", "--headless", "--duration", "60", "--pace", "0.5",
                                 "--web", f"127.0.0.1:{web}", "--db", str(tmp_path / "demo.db")],
                                env=env, stdout=sink, stderr=subprocess.STDOUT, text=True)
    try:
        found = None
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and found is None:
            found = LINK.search(log.read_text(encoding="utf-8"))
            time.sleep(0.5)
        assert found is not None, log.read_text(encoding="utf-8")[-2000:]
        number, url, port = found.groups()
        assert int(port) == web
        status, page = 0, ""
        while time.monotonic() < deadline and status != 200:  # the page's process may still be starting
            try:
                status, page = _get(url)
            except OSError:
                time.sleep(0.5)
        assert status == 200 and number in page and "办理进度" in page
        token = url.rsplit("/", 1)[1]
        altered = token[:-1] + ("A" if token[-1] != "A" else "B")
        status, page = _get(url.rsplit("/", 1)[0] + "/" + altered)
        assert status == 404 and number not in page
    finally:
        demo.terminate()
        demo.wait(30)
    assert demo.returncode == 0, log.read_text(encoding="utf-8")[-2000:]
