"""``hallq demo``'s simulated devices are the simulator engine's (one device simulator), played live
beside the demo's real windows: only the devices and staff no person plays, through a real hub."""

from __future__ import annotations

import contextlib
import io
import re
import time
from collections.abc import Iterator
from typing import Any

from hallq import clock as hallclock
from hallq.client import RequestError
from hub.config import load_hall
from launcher.demo import DEMO_STAFF, DEMO_WINDOWS, demo_hall
from launcher.local_hall import LocalHall
from launcher.samples import sample_hall_path
from launcher.simulate.engine import DaySimulator
from launcher.simulate.live import LiveSimulation, demo_staffing
from tests.test_hub_features import wait_for

SKIP = frozenset(device for device, _argv, _size in DEMO_WINDOWS)


def test_the_demo_staffs_only_what_no_person_plays() -> None:
    hall = load_hall(sample_hall_path())
    st = demo_staffing(hall, SKIP, DEMO_STAFF)
    assert st.kiosks == ["K2"]
    assert st.pads == {"S02": "P-S02", "R01": "P-R01", "K01": "P-K01"}
    assert st.staff == {"S02": "1002", "R01": "1003", "K01": "1004"}  # 1001 and the guide 2001 are left to a person
    # G1, D-S01 and D-HALL are demo windows; G2 (转递人员) carries folders but cannot sign in: no overrides
    assert (st.guide, st.guide_staff, st.transfer, st.evaluators, st.screen) == ("G2", "", "G2", {}, "")
    headless = demo_staffing(hall, frozenset(), frozenset())
    assert headless.kiosks == ["K1", "K2"]
    assert headless.staff == {"S01": "1001", "S02": "1002", "R01": "1003", "K01": "1004"}
    assert (headless.guide, headless.guide_staff, headless.evaluators) == ("G1", "2001", {"S01": "D-S01"})
    assert headless.transfer == "G2"


@contextlib.contextmanager
def live_demo(seed: int) -> Iterator[tuple[LocalHall, LiveSimulation, io.StringIO]]:
    """The demo's hall (a real hub on the wall clock) and its simulated devices beside the demo's windows."""
    hall = demo_hall(load_hall(sample_hall_path()), hallclock.today("Asia/Shanghai"))
    out = io.StringIO()
    with LocalHall(hall) as local:
        sim = LiveSimulation(hall, local.url, pace=0.05, out=out, seed=seed, skip=SKIP, keep_staff=DEMO_STAFF)
        sim.start()
        yield local, sim, out


def test_the_demo_plays_the_engines_day_live_beside_its_windows() -> None:
    with live_demo(seed=5) as (local, sim, out):
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and "📢" not in out.getvalue():
                time.sleep(0.1)
            assert isinstance(sim.day, DaySimulator)  # the simulator engine plays the day
            snapshot = local.client("K1").request("hall.snapshot", {})
        finally:
            sim.stop()
    text = out.getvalue()
    assert "🎫 K2: " in text, text
    assert "🎫 K1: " not in text, text  # K1 is the demo's kiosk window
    assert "📢 请" in text, text
    windows = {w["id"]: w for w in snapshot["windows"]}
    assert windows["S01"]["state"] == "closed"  # the person at P-S01 opens it
    assert windows["S02"]["state"] != "closed"
    assert windows["S02"]["staff"]["id"] == "1002"
    assert windows["R01"]["state"] != "closed"
    assert windows["R01"]["staff"]["id"] == "1003"
    assert "issued 0," not in sim.summary()


def _case(local: LocalHall, case: str) -> dict[str, Any]:
    # one G1 client for every question: a new connection each time would make the broker close the previous one
    g1 = next((c for c in local.clients if c.device == "G1"), None) or local.client("G1")
    return g1.request("case.get", {"case": case})["case"]  # type: ignore[no-any-return]


def test_the_demos_people_and_its_simulated_case_staff_work_on_the_same_cases() -> None:
    """The person at the back office BO-GA (a demo window) gets 公安局's folders from the simulated 转递人员 and
    signs them; a case the person at P-S01 registers is carried like any other; a result BO-GA sends out
    reaches the simulated 出件 window K01, which receives it and hands it over."""
    with live_demo(seed=7) as (local, sim, out):
        try:
            # the person at P-S01: 受理 of a 居民身份证 ticket, then 登记办件
            s01, desk = local.client("P-S01"), local.client("BO-GA")
            s01.request("window.open", {"window": "S01", "staff": "1001", "pin": "1234"})
            desk.request("backoffice.login", {"staff": "3001", "pin": "1234"})  # the hall requires the desk's clerk
            k1 = local.client("K1")
            for _ in range(10):  # the simulated S02 serves the same queue and may call the person's ticket first
                ticket = k1.request("ticket.issue", {"matter": "id-card", "situation": "renew",
                                                     "name": "张三", "id_number": "11010519491231002X"})
                try:
                    s01.request("ticket.call", {"window": "S01", "ticket": ticket["ticket"]["id"]})
                    break
                except RequestError as exc:
                    if exc.code != "illegal_state":  # anything but "called by S02 meanwhile" is a failure
                        raise
            else:
                raise AssertionError("the simulated S02 called each of ten tickets before S01 could")
            s01.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
            mine = s01.request("case.accept", {"window": "S01", "ticket": ticket["ticket"]["id"],
                                               "materials": [{"name": "原居民身份证"}], "delivery": "pickup"})
            case = mine["case"]["id"]
            wait_for(lambda: _case(local, case)["state"] == "transferring", timeout=40)  # G2 carried the person's case
            # and waits there: 公安局's desk is the person's
            time.sleep(2)
            assert _case(local, case)["state"] == "transferring"
            desk.request("case.sign", {"case": case})
            desk.request("case.approve", {"case": case})
            desk.request("case.send_out", {"case": case})
            ready = wait_for(lambda: _case(local, case)["state"] in ("ready", "collected"), timeout=40)
            assert ready
        finally:
            sim.stop()
    text = out.getvalue()
    assert f"📁 G2: 转递取件 {case} " in text, text[-3000:]
    assert f"📁 P-K01: 出件窗口接收 {case} " in text, text[-3000:]
    # nobody but the person at BO-GA signs 公安局's folders
    signed_by = {line.split(":")[0].removeprefix("📁 ") for line in text.splitlines() if ": 签收 " in line
                 and line.endswith("公安局")}
    assert signed_by == {"BO-GA"}, text[-3000:]
    assert re.search(r"cases opened [1-9]", sim.summary())
