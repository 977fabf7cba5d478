"""What a client written from docs/protocol.md needs (issue 13 §7): no Nagle stall on the
embedded broker's side, every ``[policy]`` value in the catalog, refused commands in the log."""

from __future__ import annotations

import dataclasses
import logging
import socket
import time
from pathlib import Path

import pytest

from hallq import protocol as p
from hub.broker import EmbeddedBroker, free_port
from hub.hall import Hall, Policy
from hub.security.mosquitto import config_text
from hub.publisher import catalog
from hub.service import HubService
from hub.store import Store
from tests.hub.hub_helpers import FakeClock, reply, req


def _server_side(client: socket.socket) -> socket.socket:
    """The broker's end of ``client``'s connection, found among this process's sockets."""
    import gc

    want = (client.getpeername(), client.getsockname())
    for obj in gc.get_objects():
        if isinstance(obj, socket.socket) and obj.fileno() >= 0 and obj.type == socket.SOCK_STREAM:
            try:
                if (obj.getsockname(), obj.getpeername()) == want:
                    return obj
            except OSError:
                continue
    raise AssertionError("the broker's socket for this connection was not found")


def test_the_embedded_broker_sets_tcp_nodelay_on_accepted_sockets() -> None:
    broker = EmbeddedBroker("127.0.0.1", free_port()).start()
    try:
        with socket.create_connection((broker.host, broker.port)) as client:
            time.sleep(0.3)  # accepted by the broker's loop
            server = _server_side(client)
            assert server.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        broker.stop()


def test_the_generated_mosquitto_conf_sets_tcp_nodelay(tmp_path: Path) -> None:
    assert "set_tcp_nodelay true" in config_text(tmp_path / "pw", tmp_path / "acl", "127.0.0.1:1883", None).splitlines()


def test_the_catalog_publishes_every_policy_value(hall: Hall) -> None:
    policy = catalog(hall)["policy"]
    assert set(policy) == {f.name for f in dataclasses.fields(Policy)} | {"checkin_early_min", "checkin_late_min"}
    assert policy["retake_places_back"] == hall.policy.retake_places_back
    assert policy["rate_per_minute"] == hall.policy.rate_per_minute > 0  # the sample hall ships with a limit
    assert policy["expire_at"] == [f"{t:%H:%M}" for t in hall.policy.expire_at]
    p.dump(policy)  # plain JSON


def test_a_refused_command_is_logged_at_verbose_with_device_op_and_code(hall: Hall, tmp_path: Path, clock: FakeClock,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    service = HubService(hall, Store(tmp_path / "hub.db", durable=False), b"k" * 32, clock)
    with caplog.at_level(logging.DEBUG, logger="hallq.hub"):
        out = reply(service.handle("P-S01", req("ticket.call_next", {"window": "S01"})))
    assert out["error"]["code"] == "window_not_open"
    refused = [r for r in caplog.records if getattr(r, "code", "") == "window_not_open"]
    assert refused, caplog.text
    assert refused[0].levelno == logging.DEBUG  # shown with hallq hub -v
    assert (getattr(refused[0], "device", ""), getattr(refused[0], "op", "")) == ("P-S01", "ticket.call_next")
    assert "P-S01 ticket.call_next refused: window_not_open" in refused[0].getMessage()
