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
