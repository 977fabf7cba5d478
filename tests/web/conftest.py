"""The phone page's tests: the real hub and embedded broker (LocalHall, the sample hall with a 公安局
back office), the web app served by uvicorn on a free port, and a pinned clock (Monday 2026-11-23
09:00, a working day the calendar knows)."""

from __future__ import annotations

import dataclasses
import threading
import time
import tomllib
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from hallq.client import HallClient
from hub.broker import free_port
from hub.config import parse_hall
from launcher.local_hall import LocalHall
from launcher.samples import sample_hall_path
from tests.hub.hub_helpers import FakeClock, local_ts
from web.app import create_app
from web.gateway import Gateway
from web.guard import Bucket, Limits


def web_hall(rate_per_minute: int = 0) -> Any:
    """The sample hall with a 公安局 back office; no per-device command limit unless asked (the web device
    sends every phone's lookups: docs/web.md, "Limits")."""
    text = sample_hall_path().read_text(encoding="utf-8")
    text += '\n[[devices]]\nid = "B-GA"\nrole = "backoffice"\ndepartment = "公安局"\n'
    hall = parse_hall(tomllib.loads(text), text=text)
    policy = dataclasses.replace(hall.policy, rate_per_minute=rate_per_minute)
    return dataclasses.replace(hall, id=f"w{uuid.uuid4().hex[:10]}", policy=policy)


@dataclass
class Answer:
    status: int
    body: str
    headers: dict[str, str]


@dataclass
class WebHall:
    """The hall, its devices' clients and the phone page's base URL."""

    lh: LocalHall
    clock: FakeClock
    base: str
    gateway: Gateway
    limits: Limits
    clients: dict[str, HallClient] = field(default_factory=dict)

    def client(self, device: str) -> HallClient:
        if device not in self.clients:
            self.clients[device] = self.lh.client(device)
        return self.clients[device]

    def open_window(self, window: str = "S01") -> None:
        self.client(f"P-{window}").request("window.open", {"window": window, "staff": "1001", "pin": "1234"})

    def issue(self, matter: str = "hukou-move", situation: str = "with-house", **extra: Any) -> dict[str, Any]:
        return dict(self.client("K1").request("ticket.issue", {"matter": matter, "situation": situation,
                                                               **extra})["ticket"])

    def call(self, window: str = "S01") -> dict[str, Any]:
        return dict(self.client(f"P-{window}").request("ticket.call_next", {"window": window})["ticket"])

    def outcome(self, outcome: str, window: str = "S01") -> dict[str, Any]:
        return dict(self.client(f"P-{window}").request("ticket.outcome", {"window": window,
                                                                          "outcome": outcome})["ticket"])

    def skip_rating(self, window: str = "S01") -> None:
        """The window's evaluator timed out: the service is left 未评价."""
        self.client(f"D-{window}").request("evaluation.skip", {"window": window})

    def path(self, ticket: dict[str, Any]) -> str:
        url = str(ticket["progress_url"])
        assert url.startswith("https://zwfw.example.gov.cn/p/"), url
        return "/p/" + url.rsplit("/", 1)[1]

    def get(self, path: str, **headers: str) -> Answer:
        return self._send(urllib.request.Request(self.base + path, headers=headers))

    def post(self, path: str, body: bytes, content_type: str = "application/x-www-form-urlencoded",
             **headers: str) -> Answer:
        return self._send(urllib.request.Request(self.base + path, data=body, method="POST",
                                                 headers={"Content-Type": content_type, **headers}))

    @staticmethod
    def _send(req: urllib.request.Request) -> Answer:
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(req, timeout=20) as r:
                return Answer(r.status, r.read().decode("utf-8"), {k.lower(): v for k, v in r.headers.items()})
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.read().decode("utf-8", errors="replace"), {k.lower(): v for k, v in e.headers.items()})


def serve(app: Any) -> tuple[str, Callable[[], None]]:
    """The app on a free loopback port in a thread: (base URL, stop)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, name="web-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the web app did not start"
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local_ts(2026, 11, 23, 9, 0))  # a Monday


@pytest.fixture
def web(tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebHall]:
    monkeypatch.chdir(tmp_path)  # the sample's printers write files under out/
    (tmp_path / "out").mkdir()
    lh = LocalHall(web_hall(), db=tmp_path / "hall.db", clock=clock).start()
    gateway = Gateway(lh.client("W1"), clock=clock, cache_s=0)
    limits = Limits(Bucket(600, 200), Bucket(60, 40))
    base, stop = serve(create_app(gateway, secret=b"s" * 32, limits=limits, clock=clock))
    try:
        yield WebHall(lh, clock, base, gateway, limits)
    finally:
        stop()
        lh.stop()
