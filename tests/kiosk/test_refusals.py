"""Every refusal a kiosk can get reaches the citizen as plain Chinese words: never an error code, a
state name or an operation, whatever the hub's message says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hallq import i18n
from hallq.protocol import ERROR_CODES
from kiosk.model import Field, Purpose, Screen
from kiosk.refusals import DEFAULT_REFUSAL, REFUSALS, citizen_refusal, plain_chinese
from tests.kiosk.conftest import SAMPLE_ID
from tests.kiosk.test_model import VIEW, at_identify, model

ROOT = Path(__file__).resolve().parents[2]


def _domain_codes() -> set[str]:
    """Every DomainError code the hub can raise (read from its sources, so a new one is covered)."""
    found: set[str] = set()
    for path in (ROOT / "hub").rglob("*.py"):
        found |= set(re.findall(r'DomainError\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert {"illegal_state", "duplicate_ticket", "retake_limit"} <= found
    return found


ALL_CODES = sorted(set(ERROR_CODES) | _domain_codes() | {"printer_blocked", "print_failed", "timeout_unknown"})
# What the kiosk's own requests (ticket.issue, ticket.retake, appointment.checkin) can be refused with:
# each has words of its own, not the catch-all.
KIOSK_CODES = ["duplicate_ticket", "quota_reached", "hall_closed", "no_ticket_needed", "retake_limit",
               "unknown_ticket", "illegal_state", "unknown_appointment", "appointment_used",
               "appointment_wrong_day", "invalid_id_number", "unknown_priority_group", "forbidden",
               "unknown_matter", "unknown_situation", "day_not_started", "rate_limited", "bad_channel",
               "unknown_device", "internal", "printer_blocked", "print_failed"]
ENGLISH_MESSAGE = "票号 A001 当前状态为 waiting，不能执行 retake"


@pytest.mark.parametrize("code", ALL_CODES)
@pytest.mark.parametrize("purpose", [Purpose.ISSUE, Purpose.RETAKE, Purpose.CHECKIN])
def test_every_refusal_reaches_the_citizen_in_plain_chinese(code: str, purpose: Purpose) -> None:
    m = model()
    if purpose is Purpose.ISSUE:
        at_identify(m)
        for c in SAMPLE_ID:
            m.key(c)
    elif purpose is Purpose.RETAKE:
        m.open_retake()
        for c in "A001":
            m.key(c)
    else:
        m.open_checkin()
        for c in "AB12":
            m.key(c)
    m.submit()
    (send,) = m.take_effects()
    assert send.purpose is purpose
    m.on_error(send, code, ENGLISH_MESSAGE)
    assert m.visible is Screen.NOTICE
    assert m.notice is not None
    shown = f"{m.notice.title}\n{m.notice.body}"
    assert plain_chinese(shown), shown
    assert code not in shown
    assert "waiting" not in shown
    assert "retake" not in shown
    assert re.search(r"[\u4e00-\u9fff]", m.notice.title)
    assert m.fields[Field.ID] == ""


@pytest.mark.parametrize("code", KIOSK_CODES)
def test_each_refusal_of_a_kiosk_request_has_words_of_its_own(code: str) -> None:
    assert code in REFUSALS
    assert citizen_refusal(code)[0] != DEFAULT_REFUSAL[0]


def test_a_retake_refused_by_state_says_the_state_in_words() -> None:
    title, body = citizen_refusal("illegal_state", ENGLISH_MESSAGE, retake=True)
    assert title == "该票号还在排队等候"
    assert "不用重新取号" in body
    title, _ = citizen_refusal("illegal_state", "票号 A001 当前状态为 called，不能执行 retake", retake=True)
    assert title == "该票号正在叫号"
    title, _ = citizen_refusal("illegal_state", "票号 A001 当前状态为 expired，不能执行 retake", retake=True)
    assert title == "该票号已失效"


def test_a_useful_hub_detail_is_kept_when_it_is_plain_chinese() -> None:
    title, body = citizen_refusal("duplicate_ticket", "您已取得居民身份证申领的号 A003，请等候叫号")
    assert "A003" in body
    _, body = citizen_refusal("duplicate_ticket", "ticket A003 exists")
    assert "exists" not in body


def test_refusals_in_english_use_the_kiosks_own_words() -> None:
    i18n.set_language("en")
    try:
        title, body = citizen_refusal("illegal_state", ENGLISH_MESSAGE, retake=True)
        assert title == "This ticket is still waiting"
        assert "retake" not in body
    finally:
        i18n.set_language("zh_CN")


def test_a_printer_fault_shows_citizens_no_staff_instruction() -> None:
    from kiosk.printing import PrinterState

    m = model()
    at_identify(m)
    for c in SAMPLE_ID:
        m.key(c)
    m.submit()
    (send,) = m.take_effects()
    m.on_reply(send, {"ticket": VIEW})
    m.take_effects()
    out = PrinterState(False, "out", "paper_out", "打印机缺纸，请更换纸卷", True, True)
    m.on_print_failed(VIEW, out)
    assert m.notice is not None
    assert "更换纸卷" not in m.notice.body
    assert "引导台" in m.notice.body
    assert out.as_status()["printer"]["message"] == "打印机缺纸，请更换纸卷"  # staff still get the instruction
