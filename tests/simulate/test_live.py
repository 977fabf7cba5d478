"""``hallq demo``'s simulated devices are the simulator engine's (one device simulator), played live
beside the demo's real windows: only the devices and staff no person plays, through a real hub."""

from __future__ import annotations

import io
import time

from hub.config import load_hall
from launcher.demo import DEMO_STAFF, DEMO_WINDOWS
from launcher.hub_commands import always_open
from launcher.local_hall import LocalHall
from launcher.samples import sample_hall_path
from launcher.simulate.engine import DaySimulator
from launcher.simulate.live import LiveSimulation, demo_staffing

SKIP = frozenset(device for device, _argv, _size in DEMO_WINDOWS)


def test_the_demo_staffs_only_what_no_person_plays() -> None:
    hall = load_hall(sample_hall_path())
    st = demo_staffing(hall, SKIP, DEMO_STAFF)
    assert st.kiosks == ["K2"]
    assert st.pads == {"S02": "P-S02", "R01": "P-R01"}
    assert st.staff == {"S02": "1002", "R01": "1003"}  # 1001 and the guide 2001 are left to a person
    assert (st.guide, st.evaluators, st.screen) == ("", {}, "")  # G1, D-S01 and D-HALL are demo windows
    headless = demo_staffing(hall, frozenset(), frozenset())
    assert headless.kiosks == ["K1", "K2"]
    assert headless.staff == {"S01": "1001", "S02": "1002", "R01": "1003"}
    assert (headless.guide, headless.guide_staff, headless.evaluators) == ("G1", "2001", {"S01": "D-S01"})


def test_the_demo_plays_the_engines_day_live_beside_its_windows() -> None:
    hall = always_open(load_hall(sample_hall_path()))
    out = io.StringIO()
    with LocalHall(hall) as local:
        sim = LiveSimulation(hall, local.url, pace=0.05, out=out, seed=5, skip=SKIP, keep_staff=DEMO_STAFF)
        sim.start()
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
