"""The kiosk model without a screen, a broker or a printer: catalogue, questionnaire, ID entry,
idempotent requests, idle reset, printer faults."""

from __future__ import annotations

from typing import Any

import pytest

from hallq import i18n
from hub.config import load_hall
from hub.publisher import catalog
from kiosk.catalog import Catalog, Route, Walk
from kiosk.model import Field, KioskModel, Print, Purpose, Screen, Send, masked_entry
from kiosk.pinyin import initials, initials_of, matches_initials
from kiosk.printing import VOID_REASON, PrinterState
from launcher.samples import sample_hall_path
from tests.kiosk.conftest import SAMPLE_ID, FakeClock

CATALOG = catalog(load_hall(sample_hall_path()))
VIEW = {"id": "2026-11-23-A001", "number": "A001", "matter_name": "居民身份证申领、换领、补领",
        "situation_name": "首次申领", "windows": ["S01"], "id_masked": "110105********002X", "ahead": 0,
        "issued_at": 1_795_000_000.0, "progress_url": "https://x/p?t=A001", "materials": []}


def model(clock: FakeClock | None = None, **kw: Any) -> KioskModel:
    m = KioskModel("K1", clock=clock or FakeClock(1000.0), **kw)
    m.set_catalog(CATALOG)
    m.set_broker(True)
    m.set_printer(PrinterState(True, "ok", checked=True))
    return m


def at_identify(m: KioskModel) -> None:
    m.open_matter("id-card")
    m.answer(0)  # 第一次办身份证
    m.take_ticket()
    assert m.visible is Screen.IDENTIFY


# ---------------------------------------------------------------- catalogue, search, pinyin


def test_pinyin_initials_and_polyphones() -> None:
    assert initials("居民身份证") == "jmsfz"
    assert initials("住房公积金") == "zfgjj"
    assert initials_of("行") == "xh"  # 银行 yh and 行政 xz both work
    assert matches_initials("机动车驾驶证换证", "jsz")
    assert not matches_initials("户口迁移", "sfz")


@pytest.mark.parametrize(("query", "expected"), [
    ("身份证", "id-card"), ("sfz", "id-card"), ("gjj", "fund-withdraw"), ("户口", "hukou-move"),
    ("社保卡", "social-card"),
])
def test_search_by_keyword_and_pinyin_initials(query: str, expected: str) -> None:
    cat = Catalog.from_json(CATALOG)
    found = [m.id for m in cat.search(query)]
    ids = {m["id"] for m in CATALOG["matters"]}
    if expected not in ids:  # the sample hall's ids: match by name instead
        expected = next(m["id"] for m in CATALOG["matters"] if "公积金提取" in m["name"])
    assert expected in found[:3], found


@pytest.mark.parametrize(("query", "name"), [
    ("shenfenzheng", "居民身份证申领、换领、补领"), ("shenfz", "居民身份证申领、换领、补领"),
    ("gongjijin", "住房公积金提取（购房、还贷、租房）"), ("jiashizheng", "机动车驾驶证换证、补证"),
    ("SHENFENZHENG", "居民身份证申领、换领、补领"), ("canjiren", "残疾人证办理"),
])
def test_search_by_full_pinyin(query: str, name: str) -> None:
    found = [m.name for m in Catalog.from_json(CATALOG).search(query)]
    assert found and found[0] == name, found


def test_search_ranks_whole_and_prefix_fits_before_substrings() -> None:
    cat = Catalog.from_json(CATALOG)
    found = [m.name for m in cat.search("yb")]
    medical = [n for n in found if "医疗保险" in n]
    assert len(medical) == 2, found
    assert found[:2] == medical, found  # 医保 first: 食品经营许可 (预包装) only after them
    assert found.index("食品经营许可") > 1
    # a name's own start beats a keyword's start: 不动产 matters come before any matter with 不动产 as a keyword
    bdc = [m.name for m in cat.search("bdc")]
    assert all(n.startswith("不动产") for n in bdc[:3]), bdc


def test_pinyin_match_says_where_the_query_fits() -> None:
    from kiosk.pinyin import Fit, match
    assert match("医保", "yb") is Fit.WHOLE
    assert match("医保", "yibao") is Fit.WHOLE
    assert match("身份证丢失", "sfz") is Fit.PREFIX
    assert match("异地就医备案", "yb") is Fit.INSIDE
    assert match("户口迁移", "sfz") is Fit.NONE
    assert match("身份证", "shenf") is Fit.PREFIX  # still typing
    assert match("𠀀", "a") is Fit.NONE  # no reading known: no crash, no match


def test_search_finds_nothing_for_nonsense() -> None:
    assert Catalog.from_json(CATALOG).search("qqqqxz") == []


def test_routes_follow_the_situation() -> None:
    cat = Catalog.from_json(CATALOG)
    social, consult, hukou = cat.matters["social-card"], cat.matters["policy-consult"], cat.matters["hukou-move"]
    assert cat.route(social.situation("online")) is Route.ONLINE  # type: ignore[arg-type]
    assert cat.route(social.situation("first")) is Route.WINDOW  # type: ignore[arg-type]
    assert cat.route(consult.situation("general")) is Route.CONSULT  # type: ignore[arg-type]
    assert cat.route(hukou.situation("family")) is Route.ASSIST  # type: ignore[arg-type]


def test_walk_two_questions_with_back_and_trail() -> None:
    cat = Catalog.from_json(CATALOG)
    w = Walk(cat.matters["id-card"])
    assert w.question is not None
    assert w.question.id == "what"
    assert w.choose(2) is None  # 身份证丢了 → a second question
    assert w.question is not None
    assert w.question.id == "urgent"
    s = w.choose(0)
    assert s is not None
    assert s.id == "lost-temp"
    assert w.trail() == ["居民身份证申领、换领、补领", "身份证丢了，需要补办", "是，需要先办临时身份证"]
    assert w.back()
    assert w.situation is None
    assert w.question.id == "urgent"
    assert w.back()
    assert w.question.id == "what"
    assert not w.back()


def test_back_walks_answers_then_screens() -> None:
    m = model()
    m.open_zone("Z1")
    m.open_matter("id-card")
    m.answer(2)
    m.answer(1)
    assert m.visible is Screen.RESULT
    m.back()
    assert m.visible is Screen.QUESTION
    assert m.question is not None
    assert m.question.id == "urgent"
    m.back()
    m.back()
    assert m.visible is Screen.MATTERS
    m.back()
    assert m.visible is Screen.START


# ---------------------------------------------------------------- ID entry


def test_id_entry_shows_digits_while_typed_and_is_masked_when_complete() -> None:
    m = model()
    at_identify(m)
    shown = []
    for c in SAMPLE_ID:
        m.key(c)
        shown.append(m.field_display(Field.ID))
    assert shown[11] == SAMPLE_ID[:12]  # the birth date as typed: a wrong digit can be found
    assert shown[16] == SAMPLE_ID[:17]
    assert shown[-1] == "110105********002X"  # complete: starred, never whole
    assert m.field_display(Field.ID) == "110105********002X"
    assert SAMPLE_ID not in m.field_display(Field.ID)
    assert masked_entry("1101051949") == "110105****"
    assert m.field is Field.PHONE  # full number: on to the optional phone
    shown = []
    for c in "13812345678":
        m.key(c)
        shown.append(m.entry_display)
    assert shown[4] == "138**" and shown[-1] == "138****5678"
    assert not any("1234" in s for s in shown), "the middle digits never show"


def test_id_entry_is_masked_when_the_citizen_moves_to_another_field() -> None:
    m = model()
    at_identify(m)
    for c in SAMPLE_ID[:14]:
        m.key(c)
    assert m.field_display(Field.ID) == SAMPLE_ID[:14]
    m.select_field(Field.PHONE)
    assert m.field_display(Field.ID) == "110105********"
    m.select_field(Field.ID)
    m.key("⌫")
    assert m.field_display(Field.ID) == SAMPLE_ID[:13]  # correcting: the digits show again


def test_a_card_read_number_is_never_shown_unmasked() -> None:
    m = model()
    at_identify(m)
    m.card_read(SAMPLE_ID, "张三")
    m.select_field(Field.ID)
    m.key("⌫")
    assert "*" in m.field_display(Field.ID)


@pytest.mark.parametrize(("typed", "message"), [
    ("110105194912310021", "校验位"), ("11010519491231", "18位"), ("110105194913310021", "出生日期"),
])
def test_invalid_id_shows_a_clear_message_and_sends_nothing(typed: str, message: str) -> None:
    m = model()
    at_identify(m)
    for c in typed:
        m.key(c)
    m.submit()
    assert message in m.error
    assert m.visible is Screen.IDENTIFY
    assert m.take_effects() == []
    assert m.pending is None


def test_invalid_id_message_in_english() -> None:
    i18n.set_language("en")
    try:
        m = model()
        at_identify(m)
        for c in "110105194912310021":
            m.key(c)
        m.submit()
        assert "check character" in m.error
    finally:
        i18n.set_language("zh_CN")


def test_bad_phone_is_refused_locally() -> None:
    m = model()
    at_identify(m)
    for c in SAMPLE_ID + "12345":
        m.key(c)
    m.submit()
    assert "11位" in m.error
    assert m.take_effects() == []


def test_ticket_request_carries_the_choice_and_the_id_only_in_args() -> None:
    m = model()
    m.open_priority()
    m.choose_priority("elderly")
    assert m.elder  # 老年人 turns on 长者模式
    m.open_matter("id-card")
    m.answer(0)
    m.take_ticket(assist=True)
    for c in SAMPLE_ID + "13800138000":
        m.key(c)
    m.submit()
    (send,) = m.take_effects()
    assert isinstance(send, Send)
    assert send.op == "ticket.issue"
    assert send.args == {"matter": "id-card", "situation": "first", "id_number": SAMPLE_ID,
                         "phone": "13800138000", "assist": True, "priority_group": "elderly"}
    assert SAMPLE_ID not in repr(send)  # never in a log line by accident
    assert m.visible is Screen.WORKING


# ---------------------------------------------------------------- idempotent requests, offline


def test_timeout_goes_offline_and_resends_with_the_same_request_id() -> None:
    clock = FakeClock(1000.0)
    m = model(clock)
    at_identify(m)
    for c in SAMPLE_ID:
        m.key(c)
    m.submit()
    (send,) = m.take_effects()
    m.on_error(send, "timeout", "")
    assert m.visible is Screen.WORKING and m.reconnecting  # a short outage: the citizen waits, told why
    clock.advance(m.outage_grace)
    assert m.visible is Screen.OFFLINE and not m.reconnecting
    m.set_hub(True)
    (again,) = m.take_effects()
    assert again.request_id == send.request_id
    assert again.args == send.args
    m.on_reply(again, {"ticket": VIEW})
    assert m.take_effects() == [Print(VIEW)]
    m.on_printed(VIEW)
    assert m.visible is Screen.TICKET


def test_an_answer_nobody_waits_for_is_voided() -> None:
    clock = FakeClock(1000.0)
    m = model(clock, idle_timeout=60)
    at_identify(m)
    for c in SAMPLE_ID:
        m.key(c)
    m.submit()
    (send,) = m.take_effects()
    m.on_error(send, "timeout", "")
    clock.advance(61)
    assert m.tick()  # the citizen left while the hub was away
    assert m.visible is Screen.OFFLINE
    assert m.fields[Field.ID] == ""
    m.set_hub(True)
    (again,) = m.take_effects()
    assert again.request_id == send.request_id
    m.on_reply(again, {"ticket": VIEW})
    (void,) = m.take_effects()
    assert isinstance(void, Send)
    assert void.op == "ticket.cancel"
    assert void.purpose is Purpose.VOID
    assert void.args["ticket"] == VIEW["id"]
    assert m.visible is Screen.START
    assert m.ticket is None


def test_refusal_codes_become_clear_notices() -> None:
    m = model()
    at_identify(m)
    for c in SAMPLE_ID:
        m.key(c)
    m.submit()
    (send,) = m.take_effects()
    m.on_error(send, "duplicate_ticket", "您已取得居民身份证申领、换领、补领的号 A001，请等候叫号")
    assert m.visible is Screen.NOTICE
    assert m.notice is not None
    assert m.notice.title == "您今天已取过该事项的号"
    assert "A001" in m.notice.body
    assert m.fields[Field.ID] == ""


# ---------------------------------------------------------------- idle and printer


def test_idle_returns_to_start_and_forgets_everything_personal() -> None:
    clock = FakeClock(1000.0)
    m = model(clock, idle_timeout=60)
    at_identify(m)
    for c in SAMPLE_ID[:10]:
        m.key(c)
    clock.advance(59)
    assert not m.tick()
    assert m.visible is Screen.IDENTIFY
    m.key("1")  # a touch restarts the count
    clock.advance(59)
    assert not m.tick()
    clock.advance(2)
    assert m.tick()
    assert m.visible is Screen.START
    assert m.history == []
    assert m.walk is None
    assert all(v == "" for v in m.fields.values())


def test_paper_out_stops_ticket_offers() -> None:
    m = model()
    m.set_printer(PrinterState(False, "out", "paper_out", "打印机缺纸，请更换纸卷", True, True))
    assert m.visible is Screen.PAPER_OUT
    assert not m.can_issue
    m.open_all()
    m.open_matter("id-card")
    m.answer(0)
    m.take_ticket()
    assert m.visible is Screen.NOTICE
    assert m.take_effects() == []


def test_print_failure_reprints_when_fixed_else_voids() -> None:
    clock = FakeClock(1000.0)
    m = model(clock, reprint_grace=30)
    at_identify(m)
    for c in SAMPLE_ID:
        m.key(c)
    m.submit()
    (send,) = m.take_effects()
    m.on_reply(send, {"ticket": VIEW})
    m.take_effects()
    out = PrinterState(False, "out", "paper_out", "打印机缺纸，请更换纸卷", True, True)
    m.on_print_failed(VIEW, out)
    assert m.visible is Screen.NOTICE
    assert m.notice is not None
    assert m.notice.title == "小票打印失败"
    m.set_printer(PrinterState(True, "ok", checked=True))
    assert m.take_effects() == [Print(VIEW)]  # fixed: print again
    m.on_print_failed(VIEW, out)
    clock.advance(31)
    m.tick()
    (void,) = m.take_effects()
    assert isinstance(void, Send)
    assert void.args == {"ticket": VIEW["id"], "reason": VOID_REASON}
    assert m.pending_print is None


def test_retake_and_checkin_requests() -> None:
    m = model()
    m.open_retake()
    m.submit()
    assert "A012" in m.error
    assert m.take_effects() == []
    for c in "a12":
        m.key(c)
    m.submit()
    (send,) = m.take_effects()
    assert send.op == "ticket.retake"
    assert send.args == {"ticket": "A12"}
    m.home()
    m.open_checkin()
    for c in "ab12":
        m.key(c)
    m.submit()
    (send,) = m.take_effects()
    assert send.op == "appointment.checkin"
    assert send.args == {"code": "AB12"}
    m.home()
    m.open_checkin()
    m.card_read(SAMPLE_ID.lower(), "张三")  # a card on the reader checks in at once
    (send,) = m.take_effects()
    assert send.args == {"id_number": SAMPLE_ID}


def test_a_short_outage_covers_nothing_and_a_ticket_asked_for_meanwhile_waits_for_the_hub() -> None:
    clock = FakeClock(1000.0)
    m = model(clock, idle_timeout=60, outage_grace=30)
    at_identify(m)
    for c in SAMPLE_ID:
        m.key(c)
    m.set_hub(False)  # the hub restarts (or a standby takes over)
    assert m.reconnecting and m.visible is Screen.IDENTIFY and m.can_issue
    clock.advance(20)
    m.submit()  # 确定取号 during the outage: held, not sent (the controller sends only when online)
    (held,) = m.take_effects()
    assert m.visible is Screen.WORKING and m.pending == held
    clock.advance(25)  # 45 s since the hub went: past the grace, 暂停取号 covers the citizen's screen
    changed: list[bool] = []
    m.subscribe(lambda: changed.append(True))
    assert not m.tick() and changed == [True]  # the tick redraws: grace over
    assert m.visible is Screen.OFFLINE and m.pending == held  # the place is kept underneath
    m.set_hub(True)
    (again,) = m.take_effects()
    assert again == held  # same request id: the hub answers a repeat with the same ticket
    assert m.visible is Screen.WORKING
    m.on_reply(again, {"ticket": VIEW})
    assert m.take_effects() == [Print(VIEW)]


def test_an_outage_before_the_catalogue_or_longer_than_the_grace_shows_paused() -> None:
    clock = FakeClock(1000.0)
    m = KioskModel("K1", clock=clock, outage_grace=30)
    m.set_broker(True)
    assert m.visible is Screen.OFFLINE and not m.reconnecting  # never had the catalogue: nothing to go on
    m.set_catalog(CATALOG)
    assert m.visible is Screen.START
    m.set_broker(False)
    assert m.visible is Screen.START and m.reconnecting
    clock.advance(30)
    assert m.visible is Screen.OFFLINE
    m.submit()  # a late tap does nothing while paused
    assert m.take_effects() == [] and m.pending is None
    m.set_broker(True)
    assert m.visible is Screen.START and m.offline_since is None
