"""The reply results the pad and the guide console read typed hold to what a real hub replies.

``hallq.messages`` has a type for every part of a reply the screens read (``pad/replies.py``);
here a real hub runs a 差评, a 未评价 and a 回访, and every ``followups.list`` item and the
``evaluation.followup`` result must decode as its type and encode back to the same JSON (a field
the hub sends that the definitions miss, or type wrongly, fails here).
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from hallq import messages as m
from launcher.local_hall import LocalHall
from pad.replies import followup_recorded_of, followups_of, staff_of
from tests.pad.conftest import PIN, issue


def _round_trip(value: Any, kind: type[msgspec.Struct]) -> Any:
    typed = msgspec.convert(value, kind)
    assert json.loads(m.encode(typed)) == json.loads(json.dumps(value)), f"a field is missing from {kind.__name__}"
    return typed


def test_followup_replies_decode_as_their_types_and_encode_back(lh: LocalHall) -> None:
    kiosk, pad, screen = lh.client("K1"), lh.client("P-S01"), lh.client("D-S01")
    guide = lh.client("G1")
    login = guide.request("guide.login", {"staff": "2001", "pin": PIN})
    assert _round_trip(login["staff"], m.StaffRef) == staff_of(login)
    pad.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN})
    for _ in range(2):
        issue(kiosk)
    rated = pad.request("ticket.call_next", {"window": "S01"})["ticket"]
    pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
    screen.request("evaluation.submit", {"window": "S01", "level": 2, "reason": "等候时间过长"})  # 差评
    unrated = pad.request("ticket.call_next", {"window": "S01"})["ticket"]
    pad.request("ticket.outcome", {"window": "S01", "outcome": "consulted"})
    guide.request("evaluation.skip", {"window": "S01"})  # the citizen left without rating: 未评价

    items = guide.request("followups.list", {})["items"]
    typed = [_round_trip(item, m.FollowupItem) for item in items]
    assert [(f.number, f.level, f.followup) for f in typed] == [(unrated["number"], 0, None),
                                                                (rated["number"], 2, None)]
    assert followups_of({"items": items}) == typed

    recorded = guide.request("evaluation.followup", {"ticket": rated["id"], "result": "rated",
                                                     "note": "电话回访，已致歉", "level": 4})
    assert _round_trip(recorded, m.FollowupRecorded) == followup_recorded_of(recorded)
    items = guide.request("followups.list", {})["items"]
    done = [_round_trip(item, m.FollowupItem) for item in items][1].followup
    assert done is not None
    assert (done.result, done.note, done.level, done.staff) == ("rated", "电话回访，已致歉", 4, "2001")


def test_a_malformed_followup_item_is_left_out_and_said(caplog: Any) -> None:
    good = {"ticket": "2026-11-23-A001", "day": "2026-11-23", "number": "A001", "matter": "m1", "matter_name": "户口",
            "window": "S01", "staff": "1001", "level": 2, "label": "不满意", "reason": "", "followup": None}
    with caplog.at_level("WARNING", logger="pad.replies"):
        got = followups_of({"items": [{**good, "level": "2"}, good]})
    assert [f.number for f in got] == ["A001"]
    assert len(got) == 1
    assert "$.items[0]" in caplog.text
    assert "$.level" in caplog.text
