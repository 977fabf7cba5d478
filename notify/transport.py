"""How a message leaves the hall: a :class:`Transport`, and the real one, an HTTP POST to the SMS gateway.

Most 政务短信平台 and cloud SMS services take one HTTP call per message. :class:`HttpTransport`
posts ``{phone_field: number, text_field: text, "id": key}`` as JSON or as a form, signed: the header
``X-Hallq-Timestamp`` and ``<signature_header>: hex(HMAC-SHA256(secret, timestamp + "\\n" + body))``,
and ``X-Hallq-Message-Id`` (the moment's key) so a gateway that deduplicates can. A 2xx answer is
sent; anything else (an error status, a refused or timed-out connection) raises
:class:`TransportError`, whose message never carries the number or the text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

from hallq import clock as hallclock
from notify.config import Gateway


class TransportError(Exception):
    """The gateway did not take the message (the words name the status or the network error only)."""


class Transport(Protocol):
    def send(self, phone: str, text: str, key: str) -> None: ...


class HttpTransport:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def body(self, phone: str, text: str, key: str) -> tuple[bytes, str]:
        g = self.gateway
        fields = {g.phone_field: phone, g.text_field: text, "id": key}
        if g.format == "form":
            return urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded; charset=utf-8"
        return json.dumps(fields, ensure_ascii=False).encode(), "application/json; charset=utf-8"

    def send(self, phone: str, text: str, key: str) -> None:
        g = self.gateway
        body, kind = self.body(phone, text, key)
        stamp = str(int(hallclock.now()))
        signature = hmac.new(g.secret, stamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(g.url, data=body, method="POST", headers={
            "Content-Type": kind, "X-Hallq-Timestamp": stamp, g.signature_header: signature,
            "X-Hallq-Message-Id": key})
        try:
            with urllib.request.urlopen(req, timeout=g.timeout_s) as answer:  # the URL is checked http(s) by config
                status = answer.status
        except urllib.error.HTTPError as exc:
            raise TransportError(f"网关返回 {exc.code} (gateway answered HTTP {exc.code})") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TransportError(f"网关无法连接 (gateway unreachable): {type(reason).__name__}") from None
        if not 200 <= status < 300:
            raise TransportError(f"网关返回 {status} (gateway answered HTTP {status})")
