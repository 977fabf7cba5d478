"""The 回访 view's number holder (pad/guide_followup.py), without a screen: shown for the seconds the
hub says, then forgotten, and only for the service it was asked for."""

from __future__ import annotations

from hallq.messages import FollowupItem, FollowupPhoneShown, FollowupRecord
from pad.guide_followup import PhoneReveal, is_open

PHONE = "13912345678"


def item(ticket: str, consent: bool = True) -> FollowupItem:
    return FollowupItem(ticket, "2026-11-23", ticket[-4:], "m", "户口迁移", "S01", "1001", 0, "未评价", "评价超时",
                        None, consent)


def test_the_number_is_shown_for_its_seconds_then_only_masked() -> None:
    reveal = PhoneReveal()
    a, b = item("2026-11-23-A001"), item("2026-11-23-A002")
    assert "显示电话" in reveal.text(a, 100.0) and PHONE not in reveal.text(a, 100.0)
    reveal.show(FollowupPhoneShown(a.ticket, "A001", PHONE, 60), 100.0)
    assert reveal.text(a, 100.0) == f"电话 {PHONE}（60 秒后隐藏）"
    assert reveal.text(a, 159.5) == f"电话 {PHONE}（1 秒后隐藏）"
    assert PHONE not in reveal.text(b, 120.0)  # another service never sees it
    assert reveal.text(a, 160.0) == "电话 139****5678（已隐藏）"
    assert PHONE not in repr(reveal.__dict__)  # forgotten, not just hidden
    assert reveal.phone(a.ticket, 100.0) == ""  # even if the clock went back
    assert "未同意" in reveal.text(item("2026-11-23-A003", consent=False), 100.0)


def test_a_call_nobody_answered_stays_open() -> None:
    done = item("2026-11-23-A001")
    assert is_open(done)
    done.followup = FollowupRecord("no_answer", "未接通", "", 1.0, "2001", 0)
    assert is_open(done)
    done.followup = FollowupRecord("called", "已回访", "", 2.0, "2001", 0)
    assert not is_open(done)
