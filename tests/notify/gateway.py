"""A local HTTP server standing in for the SMS gateway (the gateway is outside the hall: the one fake).

It checks each request's signature like a real gateway would, keeps what it accepted, and can be
told to fail the next N requests (HTTP 503) or to fail all of them."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SECRET = b"gateway-test-secret"


@dataclass
class Gateway:
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    fail_next: int = 0
    fail_always: bool = False
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def gateway(form: bool = False) -> Iterator[Gateway]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            stamp = self.headers.get("X-Hallq-Timestamp", "")
            want = hmac.new(SECRET, stamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
            with state.lock:
                state.attempts += 1
                if not hmac.compare_digest(want, self.headers.get("X-Hallq-Signature", "")):
                    state.bad_signatures += 1
                    self.send_response(401)
                elif state.fail_always or state.fail_next > 0:
                    state.fail_next = max(0, state.fail_next - 1)
                    self.send_response(503)
                else:
                    if form:
                        fields = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
                    else:
                        fields = json.loads(body)
                    state.received.append(fields)
                    self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
