"""The parts: Mosquitto password format, ACL rendering and matching, rate limiter, log redaction,
``hallq mosquitto-config`` and ``hallq purge`` on the command line, the embedded broker with auth."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from hallq import logs
from hallq import protocol as p
from hallq.client import HallClient
from hub.config import ConfigError, parse_hall
from hub.hall import Device, Role
from hub.security import acl
from hub.security.mosquitto import generate
from hub.security.passwords import check_password, hash_password, read_password_file, read_secrets
from hub.security.ratelimit import RateLimiter
from hub.service import HubService
from hub.store import Store
from launcher.cli import main
from launcher.hub_commands import start_hall
from tests.hub.hub_helpers import SMALL_HALL, FakeClock, make_small_hall, reply, req
from tests.security.sec_helpers import any_of, open_dir, valid_id

SMALL = make_small_hall()


# ---------------------------------------------------------------- passwords


def test_password_hash_matches_mosquitto_passwd(tmp_path: Path) -> None:
    tool = shutil.which("mosquitto_passwd")
    if not tool:
        pytest.skip("mosquitto_passwd not installed")
    pw = tmp_path / "pw"
    pw.write_text("")
    subprocess.run([tool, "-b", str(pw), "K1", "s3cret-Pass"], check=True)
    theirs = read_password_file(pw)["K1"]
    assert theirs.startswith("$7$101$")
    assert check_password("s3cret-Pass", theirs) and not check_password("wrong", theirs)
    ours = hash_password("s3cret-Pass")
    assert ours.split("$")[:3] == theirs.split("$")[:3]
    assert len(ours) == len(theirs) and check_password("s3cret-Pass", ours)
    assert not check_password("x", "$6$abc$def") and not check_password("x", "plain")


def test_generated_files_modes_and_stable_passwords(tmp_path: Path) -> None:
    gen = generate(SMALL, tmp_path / "mq", listen="0.0.0.0:1883")
    assert stat.S_IMODE(gen.secrets.stat().st_mode) == 0o600
    assert stat.S_IMODE(gen.password_file.stat().st_mode) == 0o640
    users = read_password_file(gen.password_file)
    assert set(users) == {"hub", "monitor", "standby", *SMALL.devices}  # standby: the second hub (hub/ha)
    assert all(check_password(gen.users[u], h) for u, h in users.items())
    assert read_secrets(gen.secrets) == gen.users
    assert "mqtt://K1:" in gen.secrets.read_text() and "HUB-ADDRESS" in gen.secrets.read_text()
    conf = gen.conf.read_text()
    assert "allow_anonymous false" in conf and f"acl_file {gen.acl_file}" in conf and "listener 1883 0.0.0.0" in conf
    assert all("#" not in line.split(" ", 1)[1] for line in conf.splitlines()
               if line and not line.startswith("#") and " " in line)  # Mosquitto has no inline comments
    again = generate(SMALL, tmp_path / "mq")
    assert again.users == gen.users  # adding a device later does not re-key every device
    assert generate(SMALL, tmp_path / "mq", rotate=True).users["K1"] != gen.users["K1"]


def test_reserved_device_ids_are_refused() -> None:
    hall = dataclasses.replace(SMALL, devices={**SMALL.devices, "hub": Device("hub", Role.DISPLAY)})
    with pytest.raises(ValueError, match="reserved"):
        acl.grants(hall)


# ---------------------------------------------------------------- ACL


def test_acl_round_trips_and_decides_like_mqtt() -> None:
    grants = acl.grants(SMALL)
    parsed = acl.parse(acl.render(grants))
    assert {g.user: (sorted(g.read), sorted(g.write)) for g in grants} == \
        {u: (sorted(g.read), sorted(g.write)) for u, g in parsed.items()}
    t = p.Topics(SMALL.id)
    k1, p1, hub = parsed["K1"], parsed["P1"], parsed["hub"]
    assert acl.allowed(k1, t.cmd("K1"), "write") and not acl.allowed(k1, t.cmd("P1"), "write")
    assert acl.allowed(p1, t.window("W1"), "read") and not acl.allowed(p1, t.window("W2"), "read")
    assert acl.allowed(hub, t.window("W2"), "write") and acl.allowed(hub, t.cmd("K1"), "read")
    assert not acl.allowed(hub, t.presence("K1"), "write")  # a device's presence is its own
    assert acl.may_subscribe(p1, t.windows) and not acl.may_subscribe(k1, t.windows)
    assert acl.may_subscribe(k1, f"{t.base}/#") and not acl.may_subscribe(k1, "other/#")
    assert acl.matches("a/+/c", "a/b/c") and not acl.matches("a/+", "a/b/c") and acl.matches("a/#", "a/b/c")
    assert acl.overlaps("a/+/c", "a/b/#") and not acl.overlaps("a/b", "a/c")
    assert not acl.allowed(None, t.catalog, "read")


# ---------------------------------------------------------------- rate limits


def test_token_bucket() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=3, clock=lambda: now[0])
    assert [limiter.allow("K1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("K2")  # per device
    now[0] += 1.0
    assert limiter.allow("K1") and not limiter.allow("K1")
    assert all(RateLimiter(0, 0).allow("x") for _ in range(1000))


def test_the_web_server_speaks_for_many_phones_and_gets_a_wider_bucket() -> None:
    from hub.security.ratelimit import WIDE_FACTOR

    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=3, clock=lambda: now[0], wide=["W1"])
    assert sum(limiter.allow("W1") for _ in range(200)) == 3 * WIDE_FACTOR
    assert sum(limiter.allow("K1") for _ in range(200)) == 3  # every other device keeps its own budget
    now[0] += 1.0
    assert sum(limiter.allow("W1") for _ in range(200)) == WIDE_FACTOR  # refills WIDE_FACTOR times as fast
    assert sum(limiter.allow("K1") for _ in range(200)) == 1


def test_hub_refuses_a_flooding_device_with_rate_limited(tmp_path: Path, clock: FakeClock) -> None:
    hall = make_small_hall(rate_per_minute=60, rate_burst=5)
    service = HubService(hall, Store(tmp_path / "r.db", durable=False), b"k" * 32, clock)
    codes = [reply(service.handle("K1", req("hall.snapshot")))["ok"] for _ in range(8)]
    assert codes == [True] * 5 + [False] * 3
    body = reply(service.handle("K1", req("hall.snapshot", rid="again")))
    assert body["error"]["code"] == "rate_limited" and body["id"] == "again"
    assert reply(service.handle("P1", req("hall.snapshot")))["ok"]  # others are not affected
    assert "rate_limited" in p.ERROR_CODES


def test_rate_and_retention_keys_in_the_hall_file() -> None:
    import tomllib

    text = SMALL_HALL.replace("[policy]\n", "[policy]\nrate_per_minute = 120\nrate_burst = 10\nretention_days = 30\n")
    hall = parse_hall(tomllib.loads(text), text=text)
    assert (hall.policy.rate_per_minute, hall.policy.rate_burst, hall.policy.retention_days) == (120, 10, 30)
    bad = SMALL_HALL.replace("[policy]\n", "[policy]\nrate_per_minute = -1\n")
    with pytest.raises(ConfigError, match="rate_per_minute"):
        parse_hall(tomllib.loads(bad), text=bad)


def test_protocol_version_and_size_are_checked(tmp_path: Path, clock: FakeClock) -> None:
    service = HubService(SMALL, Store(tmp_path / "v.db", durable=False), b"k" * 32, clock)
    old = json.dumps({"v": 99, "id": "x", "op": "hall.snapshot", "args": {}}).encode()
    assert reply(service.handle("K1", old))["error"]["code"] == "unsupported_version"
    big = json.dumps({"v": 1, "id": "y", "op": "ticket.issue", "args": {"matter": "x" * p.MAX_PAYLOAD}}).encode()
    assert reply(service.handle("K1", big))["error"]["code"] == "too_large"


# ---------------------------------------------------------------- logs


def test_redaction_masks_ids_and_mobiles_everywhere() -> None:
    n = valid_id()
    text = logs.redact(f"身份证{n}，电话13812345678, old 110105800101001, order 2026112300001234")
    assert n not in text and "13812345678" not in text and "110105800101001" not in text
    assert f"{n[:6]}********{n[14:]}" in text and "138****5678" in text and "110105*****1001" in text
    assert "2026112300001234" in text  # 16 digits: neither an ID nor a mobile number
    assert logs.redact("票号 A001 窗口 S01 2026-11-23") == "票号 A001 窗口 S01 2026-11-23"


def test_json_log_lines_rotate_and_carry_no_personal_data(tmp_path: Path) -> None:
    n, phone = valid_id(seq=7), "15912345678"
    handler = logs.setup(level=logging.DEBUG, log_file=tmp_path / "x.log", max_bytes=600, backups=3)
    try:
        log = logging.getLogger("hallq.test")
        for i in range(20):
            log.info("person %s phone %s #%d", n, phone, i, extra={"device": "K1", "raw": {"id_number": n}})
        try:
            raise ValueError(f"bad id {n}")
        except ValueError:
            log.exception("failed for %s", phone)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    files = sorted(tmp_path.glob("x.log*"))
    assert len(files) == 4  # the file and three backups
    data = b"".join(f.read_bytes() for f in files)
    assert any_of(data, [n, phone]) == []
    lines = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines()]
    assert all({"ts", "level", "logger", "msg"} <= set(line) for line in lines)
    error = next(line for line in lines if line["level"] == "ERROR")
    assert "ValueError" in error["exc"] and f"{n[:6]}********" in error["exc"]
    assert any(line.get("device") == "K1" for line in lines)


def test_any_of_finds_gb18030_and_utf8() -> None:
    n = valid_id()
    assert any_of(f"证件号码：{n}".encode("gb18030"), [n]) == [n]
    assert any_of(f"x{n}".encode(), [n, "13800000000"]) == [n]


# ---------------------------------------------------------------- command line


def test_mosquitto_config_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hall_file = tmp_path / "small.toml"
    hall_file.write_text(SMALL_HALL, encoding="utf-8")
    out = tmp_path / "mq"
    assert main(["mosquitto-config", "--config", str(hall_file), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "passwords.txt" in printed and f"{len(SMALL.devices) + 3} users" in printed  # hub, monitor, standby
    secrets = read_secrets(out / "passwords.txt")
    assert all(pw not in printed for pw in secrets.values())  # never printed
    if os.geteuid() == 0:
        assert (out / "password_file").stat().st_uid != 0  # chowned to mosquitto
    assert main(["mosquitto-config", "--config", str(hall_file), "--out", str(out), "--tls-port", "8883"]) == 2


def test_embedded_broker_with_auth_through_start_hall(clock: FakeClock) -> None:
    out = open_dir("hallq-auth-")
    try:
        gen = generate(SMALL, out)
        hub, broker, url = start_hall(SMALL, str(out / "h.db"), "127.0.0.1:0", None, broker_auth=str(out))
        try:
            assert url.startswith("mqtt://hub:")
            k = HallClient(f"mqtt://K1:{gen.users['K1']}@{broker.host}:{broker.port}", SMALL.id, "K1",
                           "kiosk").start(5)
            assert k.request("hall.snapshot")["queues"]
            k.stop()
            with pytest.raises(ConnectionError):
                HallClient(broker.url, SMALL.id, "K1", "kiosk").start(1)
        finally:
            hub.stop()
            broker.stop()
    finally:
        shutil.rmtree(out, ignore_errors=True)


def test_purge_cli_needs_a_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["purge", "--db", str(tmp_path / "none.db"), "--older-than-days", "3"]) == 1
    Store(tmp_path / "empty.db").close()
    assert main(["purge", "--db", str(tmp_path / "empty.db"), "--older-than-days", "3"]) == 0
    assert "0 tickets" in capsys.readouterr().out
