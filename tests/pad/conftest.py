"""Pad tests: real widgets (pytest-qt) against a LocalHall (embedded broker + real hub + sample hall)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hallq.client import HallClient
from launcher.local_hall import LocalHall

PIN = "1234"


@pytest.fixture
def lh(tmp_path: Any) -> Iterator[LocalHall]:
    hall = LocalHall(db=tmp_path / "hall.db").start()
    yield hall
    hall.stop()


@pytest.fixture
def apps(qapp: Any) -> Iterator[list[Any]]:
    """PadApps started by a test; closed at teardown (before the hall stops)."""
    started: list[Any] = []
    yield started
    for app in started:
        app.close()


@pytest.fixture
def make_pad(lh: LocalHall, apps: list[Any], qtbot: Any) -> Callable[..., Any]:
    from pad.app import PadApp

    def make(device: str = "P-S01", role: str = "staff", **kw: Any) -> Any:
        app = PadApp(lh.url, lh.hall.id, device, role, **kw).start()
        apps.append(app)
        qtbot.addWidget(app.view)
        app.view.resize(1280, 800)
        app.view.show()
        qtbot.waitUntil(lambda: app.presenter.online and bool(app.presenter.state.catalog), timeout=10_000)
        return app

    return make


def issue(client: HallClient, matter: str = "hukou-move", situation: str = "with-house",
          **extra: Any) -> dict[str, Any]:
    return dict(client.request("ticket.issue", {"matter": matter, "situation": situation, **extra})["ticket"])


def get(client: HallClient, ticket: str) -> dict[str, Any]:
    return dict(client.request("ticket.get", {"ticket": ticket})["ticket"])
