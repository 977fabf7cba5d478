"""``[notify]`` in the hall file: defaults, every key, and typos reported with their key paths."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from notify.config import NotifyConfigError, parse

GOOD = """
[hall]
id = "lvliang"
timezone = "Asia/Shanghai"

[notify]
near = 4
daily_cap = 6
retries = 1
backoff_s = 0.5
poll_s = 10
pickup_place = "出件窗口（S10）"

[notify.gateway]
url = "https://sms.example.gov.cn/send"
format = "form"
secret_env = "SMS_SECRET"
signature_header = "X-Sign"
phone_field = "mobile"
text_field = "content"
sign = "【吕梁市政务服务中心】"
timeout_s = 3
"""


def test_every_key_is_read() -> None:
    cfg = parse(tomllib.loads(GOOD), env={"SMS_SECRET": "s3cret"})
    assert (cfg.near, cfg.daily_cap, cfg.retries, cfg.backoff_s, cfg.poll_s) == (4, 6, 1, 0.5, 10.0)
    assert cfg.pickup_place == "出件窗口（S10）"
    g = cfg.gateway
    assert (g.url, g.format, g.secret, g.signature_header) == ("https://sms.example.gov.cn/send", "form", b"s3cret",
                                                               "X-Sign")
    assert (g.phone_field, g.text_field, g.sign, g.timeout_s) == ("mobile", "content", "【吕梁市政务服务中心】", 3.0)
    assert "s3cret" not in repr(g)  # the secret is never printed


def test_the_defaults_and_a_secret_file(tmp_path: Path) -> None:
    (tmp_path / "sms.secret").write_text("from-file\n")
    doc = tomllib.loads('[notify.gateway]\nurl = "http://127.0.0.1:9/x"\nsecret_file = "sms.secret"\n')
    cfg = parse(doc, env={}, base=tmp_path)
    assert (cfg.near, cfg.daily_cap, cfg.retries, cfg.gateway.format) == (3, 5, 3, "json")
    assert cfg.gateway.secret == b"from-file"


def test_typos_and_bad_values_are_reported_together_with_their_key_paths() -> None:
    bad = GOOD.replace("near = 4", "naer = 4").replace('format = "form"', 'formt = "form"') \
        .replace("daily_cap = 6", "daily_cap = 0").replace("retries = 1", 'retries = "3"') \
        .replace("https://sms", "ftp://sms")
    with pytest.raises(NotifyConfigError) as caught:
        parse(tomllib.loads(bad), env={})
    problems = caught.value.problems
    assert any(p.startswith("notify.naer: 未知的键") and "'near'" in p for p in problems), problems
    assert any(p.startswith("notify.gateway.formt: 未知的键") and "'format'" in p for p in problems), problems
    assert any(p.startswith("notify.daily_cap: 不能小于 1") for p in problems), problems
    assert any(p.startswith("notify.retries: 应为整数") for p in problems), problems
    assert any(p.startswith("notify.gateway.url:") for p in problems), problems
    assert any(p.startswith("notify.gateway.secret_env: 环境变量 SMS_SECRET 未设置") for p in problems), problems


def test_no_table_and_no_secret_are_refused() -> None:
    with pytest.raises(NotifyConfigError, match=r"缺少 \[notify\]"):
        parse({"hall": {"id": "x"}}, env={})
    with pytest.raises(NotifyConfigError, match="必须签名"):
        parse(tomllib.loads('[notify.gateway]\nurl = "http://x/y"\n'), env={})


def test_the_hub_accepts_a_hall_file_with_a_notify_table() -> None:
    from hub.config import parse_hall
    from launcher.samples import sample_hall_path

    text = sample_hall_path().read_text(encoding="utf-8")
    text = text.split("\n[notify]", 1)[0] + "\n[notify]" + GOOD.split("[notify]", 1)[1]
    hall = parse_hall(tomllib.loads(text), text=text)
    assert hall.id
