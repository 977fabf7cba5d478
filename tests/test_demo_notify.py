"""``hallq demo`` runs the notifier (``hallq notify``) against a stand-in for the SMS gateway: some simulated
citizens consent at the kiosk and the terminal shows each message the stand-in receives, the number masked;
``--notify off`` runs none. Also the stand-in itself and the notifier's demo hall file."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hub.config import load_hall
from launcher.demo_notify import demo_notify_file
from launcher.samples import sample_hall_path
from notify.config import parse
from notify.standin import StandInGateway, mask_phone
from notify.transport import HttpTransport, TransportError

HALLQ = [sys.executable, "-m", "launcher"]
MESSAGE = re.compile(r"💬 短信网关替身 \(SMS gateway stand-in\) → (1\d\d\*{4}\d{4})：(.+)")


def demo(tmp_path: Path, *extra: str, duration: int = 40) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("HALLQ_SMS_SECRET", None)
    return subprocess.run([*HALLQ, "demo", "--headless", "--duration", str(duration), "--pace", "0.2", "--web", "off",
                           "--db", str(tmp_path / "demo.db"), *extra],
                          capture_output=True, text=True, timeout=150, env=env, check=False)


def test_a_headless_demo_messages_consenting_citizens_through_the_stand_in(tmp_path: Path) -> None:
    r = demo(tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "notifier N1 (hallq notify)" in r.stdout
    sent = MESSAGE.findall(r.stdout)
    assert sent, r.stdout[-3000:]
    near_or_called = [t for _, t in sent if re.search(r"号：(还有 \d 位轮到您|下一位就是您|请到 \S+ 窗口办理)", t)]
    assert near_or_called, sent
    assert all(t.startswith("【吕梁市政务服务中心】") for _, t in sent)  # the sample hall's 短信签名
    assert not re.search(r"(?<!\d)1\d{10}(?!\d)", r.stdout + r.stderr)  # never a whole number on the terminal
    assert len(set(sent)) == len(sent)  # each moment once (to one number)


def test_notify_off_runs_no_notifier(tmp_path: Path) -> None:
    r = demo(tmp_path, "--notify", "off", duration=12)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "🎫" in r.stdout  # the demo ran
    assert "notifier" not in r.stdout
    assert not MESSAGE.search(r.stdout)


def test_the_stand_in_checks_the_signature_and_prints_the_number_masked(tmp_path: Path) -> None:
    said: list[str] = []
    gw = StandInGateway(b"demo-secret", said.append).start()
    try:
        cfg = parse(tomllib.loads(f'[notify.gateway]\nurl = "{gw.url}"\nsecret_env = "S"\n'), env={"S": "demo-secret"})
        HttpTransport(cfg.gateway).send("13912345678", "A001 号：请到 S01 窗口办理。", "k1")
        assert said == ["💬 短信网关替身 (SMS gateway stand-in) → 139****5678：A001 号：请到 S01 窗口办理。"]
        wrong = parse(tomllib.loads(f'[notify.gateway]\nurl = "{gw.url}"\nsecret_env = "S"\n'), env={"S": "other"})
        with pytest.raises(TransportError, match="401"):
            HttpTransport(wrong.gateway).send("13912345678", "x", "k2")
        body = json.dumps({"text": "no phone"}).encode()
        stamp = "1"
        sig = hmac.new(b"demo-secret", stamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(gw.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "X-Hallq-Timestamp": stamp, "X-Hallq-Signature": sig})
        with pytest.raises(urllib.error.HTTPError, match="400"):
            urllib.request.urlopen(req, timeout=5)
        assert len(said) == 1  # refused requests print nothing
    finally:
        gw.stop()
    with pytest.raises(ValueError, match="loopback"):
        StandInGateway(b"x", said.append, host="0.0.0.0")
    assert mask_phone("13900000001") == "139****0001"


def test_the_notifiers_demo_file_keeps_the_halls_notify_table_but_the_gateway(tmp_path: Path) -> None:
    hall = load_hall(sample_hall_path())
    table = tomllib.loads(sample_hall_path().read_text("utf-8"))["notify"]
    secret = tmp_path / "s.secret"
    secret.write_text("abc")
    doc = tomllib.loads(demo_notify_file(hall, table, "http://127.0.0.1:9/sms", secret))
    cfg = parse(doc, env={})
    assert (doc["hall"]["id"], cfg.near, cfg.pickup_place) == (hall.id, table["near"], table["pickup_place"])
    assert (cfg.gateway.url, cfg.gateway.secret, cfg.gateway.sign) == ("http://127.0.0.1:9/sms", b"abc",
                                                                     "【吕梁市政务服务中心】")
    assert "secret_env" not in doc["notify"]["gateway"]
    assert cfg.poll_s <= 5
