"""Which message is due (notify.rules, pure): the threshold's edges, the keys, English through hallq.i18n."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hallq import i18n
from hallq.messages import NotifyItem
from notify.config import Gateway, NotifyConfig
from notify.rules import due

CFG = NotifyConfig(Gateway("http://x/y"), near=3)


def item(**kw: object) -> NotifyItem:
    base: dict[str, object] = {"ticket": "2026-11-23-A005", "number": "A005", "state": "waiting", "ahead": 3,
                               "window": "", "case": "", "case_state": "", "case_window": "", "delivery": "",
                               "reasons": []}
    return NotifyItem(**{**base, **kw})  # type: ignore[arg-type]


@pytest.fixture
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language("zh_CN")


@pytest.mark.parametrize(("ahead", "sent"), [(4, False), (3, True), (1, True), (0, True), (-1, False)])
def test_the_near_threshold(ahead: int, sent: bool) -> None:
    got = due(item(ahead=ahead), CFG)
    assert [d.kind for d in got] == (["near"] if sent else [])


def test_the_keys_name_the_moment() -> None:
    assert [d.key for d in due(item(state="called", window="S03"), CFG)] == ["2026-11-23-A005:called:S03"]
    assert due(item(state="called", window="S03"), CFG)[0].text == "A005 号：请到 S03 窗口办理。"
    first = due(item(state="", case="C1", case_state="awaiting_correction", reasons=["缺章"]), CFG)[0]
    again = due(item(state="", case="C1", case_state="awaiting_correction", reasons=["缺照片"]), CFG)[0]
    assert first.key != again.key  # a second 一次性告知 is a new moment
    assert due(item(state="", case="C1", case_state="ready"), CFG)[0].key == "C1:pickup"
    assert due(item(state="serving"), CFG) == []


def test_english_through_hallq_i18n(english: None) -> None:
    assert due(item(state="called", window="S03"), CFG)[0].text == "Ticket A005: please go to window S03."
    assert due(item(ahead=2), CFG)[0].text.startswith("Ticket A005: 2 more before you")


def kinds_and_texts(**kw: object) -> list[tuple[str, str, str]]:
    return [(d.kind, d.key, d.text) for d in due(item(state="", **kw), CFG)]


def test_a_result_to_be_posted_or_lockered_is_not_announced_at_the_window() -> None:
    for delivery in ("mail", "locker"):
        assert kinds_and_texts(case="C1", case_state="ready", delivery=delivery) == []  # the citizen need not come
    assert kinds_and_texts(case="C1", case_state="ready", delivery="pickup")[0][0] == "pickup"


def test_posted_names_the_tracking_number_never_an_address() -> None:
    assert kinds_and_texts(case="C1", case_state="posted", delivery="mail", tracking="SF1234567890") == [
        ("posted", "C1:posted", "办件已办结，结果已邮寄，快递单号 SF1234567890，请留意查收。")]
    untracked = kinds_and_texts(case="C1", case_state="posted", delivery="mail")
    assert untracked[0][2] == "办件已办结，结果已邮寄，请留意查收。"


def test_the_locker_names_the_compartment() -> None:
    assert kinds_and_texts(case="C1", case_state="in_locker", delivery="locker", compartment="B12") == [
        ("locker", "C1:locker", "办件已办结，结果已放入自助柜 B12 号格口，请按柜机提示取件。")]


def test_a_refusal_says_where_the_written_decision_is_collected() -> None:
    got = kinds_and_texts(case="C1", case_state="denied", decision="denied", reasons=["不符合条件"])
    words = "您的办件经审查不予许可（不符合条件），书面决定送到出件窗口后请凭身份证领取。"
    assert got == [("denied", "C1:denied", words)]
    moving = kinds_and_texts(case="C1", case_state="result_transferring", decision="denied", reasons=["不符合条件"])
    assert [k for k, _, _ in moving] == ["denied"]  # the same moment, first seen on its way
    ready = kinds_and_texts(case="C1", case_state="ready", decision="denied", delivery="pickup")
    assert ready == [("pickup", "C1:pickup", "不予许可的书面决定已送到出件窗口，请凭身份证领取。")]
    assert kinds_and_texts(case="C1", case_state="ready", decision="denied", delivery="mail") == []


def test_a_refusal_to_be_posted_does_not_ask_the_citizen_to_come() -> None:
    got = kinds_and_texts(case="C1", case_state="denied", decision="denied", delivery="mail")
    words = "您的办件经审查不予许可（见书面决定），书面决定将按您选择的方式送达，届时另行通知。"
    assert got == [("denied", "C1:denied", words)]
    posted = kinds_and_texts(case="C1", case_state="posted", decision="denied", delivery="mail", tracking="SF1")
    assert [k for k, _, _ in posted] == ["posted"]
    assert kinds_and_texts(case="C1", case_state="result_transferring", decision="approved") == []


def test_not_accepted_at_the_window() -> None:
    got = due(item(state="rejected", window="S02"), CFG)
    assert [(d.kind, d.key, d.text) for d in got] == [
        ("rejected", "2026-11-23-A005:rejected", "A005 号：您的申请不予受理，请到 S02 窗口领取书面告知。")]


def test_the_new_messages_in_english(english: None) -> None:
    assert kinds_and_texts(case="C1", case_state="posted", tracking="SF1")[0][2].endswith("tracking number SF1.")
    assert "compartment B12" in kinds_and_texts(case="C1", case_state="in_locker", compartment="B12")[0][2]
    assert kinds_and_texts(case="C1", case_state="denied", decision="denied")[0][2].startswith(
        "Your application was refused")
    assert due(item(state="rejected", window="S02"), CFG)[0].text.startswith("Ticket A005: your application was not")
    posted_later = kinds_and_texts(case="C1", case_state="denied", decision="denied", delivery="mail")[0][2]
    assert posted_later == ("Your application was refused (see the written decision); the written decision will be "
                            "delivered the way you chose, and you will be told when.")
