"""The guide console's sign-in is the hub's (``guide.whoami``): a restarted console shows the guide still
signed in there without a PIN; 签退, or the hub's new day, ends it. Real widgets, a real hub and broker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hallq.client import RequestError
from launcher.local_hall import LocalHall
from tests.halls import running, sample_hall_plus
from tests.hub.hub_helpers import FakeClock, local_ts
from tests.pad.conftest import PIN, issue
from tests.pad.test_guide import WAIT


@pytest.fixture
def hall(tmp_path: Path, clock: FakeClock) -> Iterator[LocalHall]:  # clock: tests/conftest.py's Monday 09:00
    h = sample_hall_plus()
    assert h.policy.guide_sign_in_required
    yield from running(h, tmp_path / "hall.db", clock=clock)


@pytest.fixture
def console(hall: LocalHall, apps: list[Any], qtbot: Any, clock: FakeClock) -> Callable[[], Any]:
    from pad.app import PadApp

    def make() -> Any:
        """G1's guide console as it starts: it has asked the hub who is signed in here."""
        app = PadApp(hall.url, hall.hall.id, "G1", "guide", clock=clock).start()
        apps.append(app)
        qtbot.addWidget(app.view)
        app.view.resize(1280, 800)
        app.view.show()
        qtbot.waitUntil(lambda: app.presenter.online and app.presenter.who_known, timeout=WAIT)
        app.view.refresh()
        return app

    return make


def restart(apps: list[Any], app: Any) -> None:
    """The console's app and its MQTT client gone (a restarted tablet)."""
    app.close()
    apps.remove(app)


def test_a_restarted_guide_console_is_still_signed_in_until_the_sign_in_ends(
        qtbot: Any, console: Callable[[], Any], hall: LocalHall, apps: list[Any], clock: FakeClock) -> None:
    first = console()
    view, guide = first.view, first.presenter
    assert guide.operator == "" and view.operator.text() == "未签到" and view.sign_btn.text() == "签到"
    view._send(lambda: guide.login("2001", PIN))
    qtbot.waitUntil(lambda: guide.operator == "赵芳（2001）", timeout=WAIT)
    restart(apps, first)

    again = console()  # nobody types a PIN
    view, guide = again.view, again.presenter
    assert guide.operator == "赵芳（2001）"
    assert view.operator.text() == "赵芳（2001）" and view.sign_btn.text() == "签退"
    # and the hub audits its overrides under that guide (the sample hall requires 签到 for them)
    t = issue(hall.client("K1"), priority_group="elderly", name="李秀英")
    qtbot.waitUntil(lambda: any(x.id == t["id"] for x in guide.tickets), timeout=WAIT)
    view._send(lambda: guide.verify_priority(t["id"], "核验老年证"))
    qtbot.waitUntil(lambda: guide.pending is None, timeout=WAIT)
    assert guide.notice is None or guide.notice.level != "error"
    assert hall.client("K2").request("ticket.get", {"ticket": t["id"]})["ticket"]["priority_verified"] is True

    # 签退: a restart after it asks for the PIN again
    view._send(guide.logout)
    qtbot.waitUntil(lambda: guide.operator == "" and guide.pending is None, timeout=WAIT)
    restart(apps, again)
    third = console()
    third.view.refresh()
    assert third.presenter.operator == "" and third.view.operator.text() == "未签到"
    assert third.view.sign_btn.text() == "签到"
    assert hall.client("G1").request("guide.whoami", {}) == {"staff": None}


def test_the_hubs_new_day_ends_the_sign_in_on_the_console(
        qtbot: Any, console: Callable[[], Any], hall: LocalHall, apps: list[Any], clock: FakeClock) -> None:
    app = console()
    view, guide = app.view, app.presenter
    view._send(lambda: guide.login("2001", PIN))
    qtbot.waitUntil(lambda: guide.operator == "赵芳（2001）", timeout=WAIT)
    # the next morning the hub's sign-ins are over: the console still names yesterday's guide until the hub
    # refuses its override, then asks again and shows 未签到; nothing was done
    clock.now = local_ts(2026, 11, 24, 9, 0)
    t = issue(hall.client("K1"), priority_group="elderly", name="李秀英")
    qtbot.waitUntil(lambda: any(x.id == t["id"] for x in guide.tickets), timeout=WAIT)
    view._send(lambda: guide.verify_priority(t["id"], "核验老年证"))
    qtbot.waitUntil(lambda: guide.pending is None, timeout=WAIT)
    assert guide.notice is not None and "请先签到" in guide.notice.text
    qtbot.waitUntil(lambda: guide.operator == "", timeout=WAIT)
    view.refresh()
    assert view.operator.text() == "未签到" and view.sign_btn.text() == "签到"
    assert hall.client("K2").request("ticket.get", {"ticket": t["id"]})["ticket"]["priority_verified"] is False


def test_whoami_answers_a_guide_console_with_its_own_sign_in_only(hall: LocalHall) -> None:
    g1 = hall.client("G1")
    assert g1.request("guide.whoami", {}) == {"staff": None}
    g1.request("guide.login", {"staff": "2001", "pin": PIN})
    assert g1.request("guide.whoami", {}) == {"staff": {"id": "2001", "name": "赵芳"}}
    for device in ("P-S01", "K1"):
        with pytest.raises(RequestError) as refused:
            hall.client(device).request("guide.whoami", {})
        assert refused.value.code == "forbidden"
    g1.request("guide.logout", {})
    assert g1.request("guide.whoami", {}) == {"staff": None}
