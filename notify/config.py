"""The hall file's ``[notify]`` table: when to message, how often at most, and the SMS gateway.

::

    [notify]
    near = 3                 # 还有 N 位轮到您: sent once when N or fewer people are ahead
    daily_cap = 5            # messages per phone number per hall day, at most
    retries = 3              # tries after the first when the gateway fails
    backoff_s = 2.0          # wait before the first retry; doubled each time
    poll_s = 30              # ask the hub even when no event came (events wake it sooner)
    pickup_place = "出件窗口"  # where a finished case is collected (办件已办结，请到…领取)

    [notify.gateway]
    url = "https://sms.example.gov.cn/api/send"
    format = "json"          # json or form
    secret_env = "HALLQ_SMS_SECRET"   # or secret_file = "/etc/hallq/sms.secret"
    signature_header = "X-Hallq-Signature"
    phone_field = "phone"
    text_field = "text"
    sign = "【吕梁市政务服务中心】"     # prefix the gateway requires (短信签名), may be ""
    timeout_s = 5

Every problem is reported at once with its key path (``notify.gateway.formt: 未知的键 …``), like the
hub's own check of the hall file; the notifier does not start with a wrong file.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NOTIFY_KEYS = ("near", "daily_cap", "retries", "backoff_s", "poll_s", "pickup_place", "gateway")
# The highest sensible value of each number (every one is also at least 1, or 0 for retries and backoff_s)
HIGHEST = {"near": 50, "daily_cap": 100, "retries": 10, "backoff_s": 600, "poll_s": 3600, "timeout_s": 60}
GATEWAY_KEYS = ("url", "format", "secret_env", "secret_file", "signature_header", "phone_field", "text_field",
                "sign", "timeout_s")


class NotifyConfigError(ValueError):
    """Every problem of the ``[notify]`` table, one a line with its key path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Gateway:
    url: str
    format: str = "json"
    secret: bytes = field(default=b"", repr=False)  # never printed
    signature_header: str = "X-Hallq-Signature"
    phone_field: str = "phone"
    text_field: str = "text"
    sign: str = ""
    timeout_s: float = 5.0


@dataclass(frozen=True)
class NotifyConfig:
    gateway: Gateway
    near: int = 3
    daily_cap: int = 5
    retries: int = 3
    backoff_s: float = 2.0
    poll_s: float = 30.0
    pickup_place: str = "出件窗口"
    timezone: str = "Asia/Shanghai"


def _close(word: str, known: tuple[str, ...]) -> str:
    import difflib

    near = difflib.get_close_matches(word, known, n=1)
    return f"; did you mean {near[0]!r}?" if near else f"; allowed: {', '.join(known)}"


def _is_url(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)


def parse(doc: dict[str, Any], *, env: dict[str, str] | None = None, base: Path | None = None,
          need_env: bool = True) -> NotifyConfig:
    """``[notify]`` of a parsed hall file into :class:`NotifyConfig`; :class:`NotifyConfigError` lists every
    problem. ``env`` (default ``os.environ``) holds the gateway's secret when ``secret_env`` names it;
    ``need_env=False`` (``hallq config check``, run where the service's environment is not) lets it be unset."""
    env = dict(os.environ) if env is None else env
    problems: list[str] = []

    def err(path: str, words: str) -> None:
        problems.append(f"{path}: {words}")

    table = doc.get("notify")
    if not isinstance(table, dict):
        raise NotifyConfigError(["notify: 缺少 [notify] 表 (the hall file has no [notify] table; see docs/notify.md)"])
    for key in table:
        if key not in NOTIFY_KEYS:
            err(f"notify.{key}", f"未知的键 (unknown key){_close(key, NOTIFY_KEYS)}")

    def number(d: dict[str, Any], key: str, path: str, default: float, low: float, *, whole: bool) -> float:
        v = d.get(key, default)
        kinds = (int,) if whole else (int, float)
        high = HIGHEST[key]
        if isinstance(v, bool) or not isinstance(v, kinds):
            err(f"{path}.{key}", f"应为{'整数' if whole else '数字'} (must be a {'whole ' if whole else ''}number), "
                                 f"got {v!r}")
            return default
        if v < low:
            err(f"{path}.{key}", f"不能小于 {low:g} (must be at least {low:g}), got {v!r}")
            return default
        if v > high:
            err(f"{path}.{key}", f"不能大于 {high:g} (must be at most {high:g}), got {v!r}")
            return default
        return float(v)

    def text(d: dict[str, Any], key: str, path: str, default: str) -> str:
        v = d.get(key, default)
        if not isinstance(v, str):
            err(f"{path}.{key}", f"应为文字 (must be a string), got {v!r}")
            return default
        return v

    near = int(number(table, "near", "notify", 3, 1, whole=True))
    cap = int(number(table, "daily_cap", "notify", 5, 1, whole=True))
    retries = int(number(table, "retries", "notify", 3, 0, whole=True))
    backoff = number(table, "backoff_s", "notify", 2.0, 0, whole=False)
    poll = number(table, "poll_s", "notify", 30.0, 1, whole=False)
    pickup = text(table, "pickup_place", "notify", "出件窗口")
    if not pickup.strip():
        err("notify.pickup_place", "不能为空 (must not be empty): 短信里写“请到…领取”")
    g = table.get("gateway")
    gateway = Gateway(url="")
    if not isinstance(g, dict):
        err("notify.gateway", "缺少 [notify.gateway] 表 (the SMS gateway is not configured)")
    else:
        for key in g:
            if key not in GATEWAY_KEYS:
                err(f"notify.gateway.{key}", f"未知的键 (unknown key){_close(key, GATEWAY_KEYS)}")
        path = "notify.gateway"
        url = text(g, "url", path, "")
        if not _is_url(url):
            err(f"{path}.url", f"应为 http:// 或 https:// 开头、含主机名的地址 (must be an http(s) URL with a host), "
                               f"got {url!r}")
        fmt = text(g, "format", path, "json")
        if fmt not in ("json", "form"):
            err(f"{path}.format", f"应为 json 或 form (must be json or form), got {fmt!r}")
        secret = b""
        if "secret_env" in g and "secret_file" in g:
            err(path, "secret_env 与 secret_file 只能写一个 (give one of secret_env, secret_file)")
        elif "secret_env" in g:
            name = text(g, "secret_env", path, "")
            if not name.strip():
                err(f"{path}.secret_env", "不能为空 (must name an environment variable)")
            elif env.get(name):
                secret = env[name].encode()
            elif need_env:
                err(f"{path}.secret_env", f"环境变量 {name} 未设置 (the environment variable is not set)")
        elif "secret_file" in g:
            where = Path(text(g, "secret_file", path, ""))
            where = where if where.is_absolute() or base is None else base / where
            try:
                secret = where.read_bytes().strip()
            except OSError as exc:
                err(f"{path}.secret_file", f"无法读取 (cannot read {where}): {exc.strerror}")
            else:
                if not secret:
                    err(f"{path}.secret_file", f"密钥文件是空的 (the secret file {where} is empty)")
        else:
            err(path, "缺少 secret_env 或 secret_file：网关请求必须签名 (requests to the gateway are signed)")
        gateway = Gateway(url, fmt, secret, text(g, "signature_header", path, "X-Hallq-Signature"),
                          text(g, "phone_field", path, "phone"), text(g, "text_field", path, "text"),
                          text(g, "sign", path, ""), number(g, "timeout_s", path, 5.0, 0.1, whole=False))
    if problems:
        raise NotifyConfigError(problems)
    hall = doc.get("hall")
    tz = hall.get("timezone", "Asia/Shanghai") if isinstance(hall, dict) else "Asia/Shanghai"
    return NotifyConfig(gateway, near, cap, retries, backoff, poll, pickup, str(tz))
