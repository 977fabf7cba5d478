"""A broker that accepts a connection (CONNACK) but never acknowledges the subscriptions.

amqtt has done this: a session stalled on its side before it read our SUBSCRIBE. A proxy in
front of the real embedded broker plays it: on its first connection it forwards the CONNACK and
swallows everything after it. Clients must connect again instead of waiting forever deaf, and
must say how far they got when they give up.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from hallq import client as hc
from hallq.client import HallClient
from hub.broker import free_port
from launcher.local_hall import LocalHall


class StallingProxy:
    """TCP proxy; the first ``stall`` connections get only the broker's first ``budget`` bytes:
    4 is the CONNACK and no SUBACK, 0 is not even the CONNACK."""

    def __init__(self, upstream_port: int, stall: int = 1, budget: int = 4) -> None:
        self.upstream_port = upstream_port
        self.budget = budget
        self.port = free_port()
        self.stall = stall
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._server.settimeout(0.2)
        self._stop = threading.Event()
        self._socks: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                down, _ = self._server.accept()
            except OSError:
                continue
            up = socket.create_connection(("127.0.0.1", self.upstream_port))
            self._socks += [down, up]
            self.connections += 1
            budget = self.budget if self.connections <= self.stall else None
            threading.Thread(target=self._pipe, args=(down, up, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(up, down, budget), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket, budget: int | None) -> None:
        try:
            while data := src.recv(65536):
                if budget is not None:
                    data, budget = data[:budget], budget - min(budget, len(data))
                if data:
                    dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        for s in self._socks:
            s.close()


@pytest.fixture
def local() -> Iterator[LocalHall]:
    with LocalHall() as hall:
        yield hall


@pytest.mark.parametrize("budget", [4, 0], ids=["no-suback", "no-connack"])
def test_a_client_connects_again_when_the_handshake_stalls(local: LocalHall, monkeypatch: pytest.MonkeyPatch,
                                                          budget: int) -> None:
    monkeypatch.setattr(hc, "HANDSHAKE_WAIT_S", 1.0)
    assert local.broker is not None
    proxy = StallingProxy(local.broker.port, budget=budget)
    try:
        kiosk = HallClient(f"mqtt://127.0.0.1:{proxy.port}", local.hall.id, "K1", "kiosk").start(10)
        try:
            assert kiosk.stalls == 1
            assert proxy.connections == 2
            ticket = kiosk.request("ticket.issue", {"matter": "id-card", "situation": "first"},
                                   timeout=5)
            assert ticket["ticket"]["number"]
        finally:
            kiosk.stop()
    finally:
        proxy.close()


@pytest.mark.parametrize(("budget", "says"), [(4, r"CONNACK.*no SUBACK"), (0, r"TCP connected, no CONNACK")])
def test_giving_up_says_how_far_it_got(local: LocalHall, monkeypatch: pytest.MonkeyPatch, budget: int,
                                       says: str) -> None:
    monkeypatch.setattr(hc, "HANDSHAKE_WAIT_S", 30.0)  # no second try inside the wait below
    assert local.broker is not None
    proxy = StallingProxy(local.broker.port, stall=99, budget=budget)
    try:
        with pytest.raises(ConnectionError, match=says):
            HallClient(f"mqtt://127.0.0.1:{proxy.port}", local.hall.id, "K1", "kiosk").start(1.5)
    finally:
        proxy.close()


def test_a_publish_while_the_socket_opens_waits_for_the_connack(local: LocalHall,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """paho 2.2 queues a PUBLISH made by another thread while it opens the socket ahead of its
    own CONNECT; amqtt then read the PUBLISH as a bad CONNECT and hung (the hub's worker
    publishes while the hub connects: the "no answer" flake). The client holds it until CONNACK."""
    monkeypatch.setattr(hc, "HANDSHAKE_WAIT_S", 30.0)  # no reconnect to hide a stall
    kiosk = HallClient(local.url, local.hall.id, "K1", "kiosk")
    real = hc._no_delay

    def publish_from_another_thread_now(client: object, userdata: object, sock: object) -> None:
        real(client, userdata, sock)  # type: ignore[arg-type]
        t = threading.Thread(target=kiosk.set_status, args=({"paper": "ok", "probe": 1},))
        t.start()
        t.join()

    monkeypatch.setattr(hc, "_no_delay", publish_from_another_thread_now)
    kiosk.start(5)
    try:
        guide = local.client("G1", subscriptions=(kiosk.topics.statuses,))
        topic = guide.topics.status("K1")
        deadline = time.monotonic() + 5
        while (guide.state.get(topic) or {}).get("probe") != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (guide.state.get(topic) or {}).get("probe") == 1, "the held status never reached the guide"
        assert kiosk.stalls == 0
    finally:
        kiosk.stop()
