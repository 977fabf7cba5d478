"""A stand-in for the 政务短信平台 (SMS gateway) for ``hallq demo``: a tiny local HTTP server that sends
nothing and prints each message it receives, the phone number masked.

The real gateway is outside the hall (docs/notify.md); the demo has none and must never reach one, so it
starts this on a free loopback port and points the notifier's ``[notify.gateway] url`` at it. It checks
the signature the way a gateway would (:mod:`notify.transport`), answers 200 to a good request and 401
to a badly signed one, and tells the terminal::

    💬 短信网关替身 (SMS gateway stand-in) → 139****0001：【吕梁市政务服务中心】A012 号：还有 3 位轮到您…

Not for a hall: it only listens on a loopback address.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOOPBACK = ("127.0.0.1", "::1", "localhost")
STAND_IN = "💬 短信网关替身 (SMS gateway stand-in)"


def mask_phone(phone: str) -> str:
    """``13900000001`` → ``139****0001`` (as the slip and the tickets table keep it)."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


class StandInGateway:
    """The stand-in: :meth:`start` it, give the notifier :attr:`url` and the same secret, :meth:`stop` it."""

    def __init__(self, secret: bytes, say: Callable[[str], None], *, host: str = "127.0.0.1",
                 phone_field: str = "phone", text_field: str = "text",
                 signature_header: str = "X-Hallq-Signature") -> None:
        if host not in LOOPBACK:
            raise ValueError(f"the SMS gateway stand-in listens on a loopback address only, not {host!r}")
        self.secret, self.say = secret, say
        self.fields = (phone_field, text_field, signature_header)
        self.received: list[tuple[str, str]] = []  # (masked phone, text)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, name="sms-stand-in", daemon=True)
        self.url = f"http://{host}:{self._server.server_address[1]}/sms"

    def start(self) -> StandInGateway:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def take(self, headers: Any, body: bytes) -> int:
        """One request: its HTTP status (200 taken, 401 badly signed, 400 not a message)."""
        phone_field, text_field, signature_header = self.fields
        stamp = str(headers.get("X-Hallq-Timestamp", ""))
        want = hmac.new(self.secret, stamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, str(headers.get(signature_header, ""))):
            return 401
        try:
            if str(headers.get("Content-Type", "")).startswith("application/x-www-form-urlencoded"):
                fields: dict[str, Any] = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
            else:
                fields = json.loads(body)
            phone, text = str(fields[phone_field]), str(fields[text_field])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return 400
        with self._lock:
            self.received.append((mask_phone(phone), text))
        self.say(f"{STAND_IN} → {mask_phone(phone)}：{text}")
        return 200

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                status = gateway.take(self.headers, self.rfile.read(min(length, 64 * 1024)))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass  # the one line per message is said above, never the request line

        return Handler
