"""The case state machine: a case's whole life, every refusal (stable code, Chinese words, nothing
changed), the 附件4 handover rows, and the events' round trip through JSON and replay."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import hub.cases
from hallq.i18n import missing_english, set_language, tr
from hallq.idcard import looks_like_full_id
from hallq.protocol import person_message
from hub import case_events as ce
from hub.cases import (
    ACTION_WORDS,
    ACTIONS,
    CASE_ERROR_WORDS,
    DELIVERY_WORDS,
    FINAL,
    FORM_WORDS,
    KIND_WORDS,
    STATE_WORDS,
    TRANSITIONS,
    UNDECIDED,
    CaseBook,
    CaseError,
    CaseState,
    Material,
    MaterialForm,
    handover_rows,
)
from hub.workdays import library_years
from tests.cases.case_helpers import (
    ADDRESS_REF,
    APPLICANT_HASH,
    GA,
    MS,
    OTHER_HASH,
    at,
    book_snapshot,
    new_book,
    open_case,
)

S = CaseState
ASCII_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z_]{2,}")  # as hallq.protocol: not C1, S01, NOPE


def test_a_promised_case_through_every_stage() -> None:
    book = new_book()
    open_case(book, at(9, 29, 10), number="SX-2026-000123")  # Tuesday, 3 working days
    c = book.case("SX-2026-000123")  # the provincial number finds it too
    assert (c.state, c.due, c.kind.value) == (S.ACCEPTED, dt.date(2026, 10, 9), "promised")  # 09-30, 10-08, 10-09
    steps: list[tuple[Callable[[], object], CaseState]] = [
        (lambda: book.pick_up(at(9, 29, 11), "C1", device="T1", staff="3001"), S.TRANSFERRING),
        (lambda: book.sign(at(9, 30, 9), "C1", department=MS, device="B-MS", staff="5001"), S.IN_REVIEW),
        (lambda: book.notify_correction(at(9, 30, 15), "C1", department=MS,
                                        reasons=["住所证明需加盖公章", "申请书缺少签字"],
                                        deadline=dt.date(2026, 10, 16)), S.AWAITING_CORRECTION),
        (lambda: book.receive_correction(at(10, 10, 10), "C1", window="S05",
                                         materials=[Material("住所证明", MaterialForm.ORIGINAL, 1)]),
         S.CORRECTION_RECEIVED),
        (lambda: book.pick_up(at(10, 10, 11), "C1"), S.TRANSFERRING),
        (lambda: book.sign(at(10, 12, 9), "C1", department=MS), S.IN_REVIEW),
        (lambda: book.approve(at(10, 13, 16), "C1", department=MS, result_kind="证书"), S.APPROVED),
        (lambda: book.send_out(at(10, 14, 9), "C1", department=MS), S.RESULT_TRANSFERRING),
        (lambda: book.receive_result(at(10, 14, 10), "C1", window="S10"), S.READY),
        (lambda: book.collect(at(10, 15, 10), "C1", window="S10", id_hash=APPLICANT_HASH, collector_masked="张**"),
         S.COLLECTED),
    ]
    for step, state in steps:
        step()
        assert c.state is state
    # the clock stood still from the notice (09-30) to the receipt (10-10): 10-08, 10-09, 10-10 (调休 Saturday)
    assert c.paused_days == 3 and c.due == dt.date(2026, 10, 13)
    assert c.signed_at == at(9, 30, 9)  # the first 签收 is the one 附件8 三 measures
    assert (c.decision, c.result_kind, c.decided_at) == ("approved", "证书", at(10, 13, 16))
    assert c.closed_at == at(10, 15, 10)
    assert c.materials[-1] == ("住所证明", "original", 1) and len(c.materials) == 4
    rows = [(r.stage, r.what, r.giver, r.receiver) for r in handover_rows(c)]
    assert rows == [
        ("受理环节", "受理通知书、申请材料", "帮办人员", "审批组"),
        ("审查环节", "一次性意见告知单", "审批组", "帮办人员"),
        ("审查环节", "补正资料", "帮办人员", "审批组"),
        ("审查环节", "审查结果（文书、证书、备案表、《制证信息表》）", "运行科/审批组", "帮办人员"),
        ("出证环节", "文书、证书、备案表、《制证信息表》等", "帮办人员", "出证窗口"),
        ("出证环节", "办理结果", "出证窗口", "申请人 张**"),
    ]
    assert handover_rows(c)[0].staff == "5001" and handover_rows(c)[1].note == "住所证明需加盖公章；申请书缺少签字"


def test_an_immediate_case_is_done_on_the_spot() -> None:
    book = new_book()
    open_case(book, at(10, 8, 9, 30), "J1", kind="immediate", promised_days=0, department=GA)
    c = book.case("J1")
    assert c.due == dt.date(2026, 10, 8)
    book.done_on_spot(at(10, 8, 10), "J1", window="S02", result_kind="文书")
    assert c.state is S.COLLECTED
    assert c.decided_at == c.signed_at == c.closed_at == at(10, 8, 10)
    assert [r.stage for r in handover_rows(c)] == ["出证环节"]


def test_locker_and_mail_hand_offs_and_a_change_of_mind() -> None:
    book = new_book()
    open_case(book, at(10, 9, 16), "C2", delivery="locker", compartment="A-07", promised_days=1)
    open_case(book, at(9, 30, 11), "C3", department=GA, delivery="mail", address_ref=ADDRESS_REF, promised_days=5)
    for cid, dep in (("C2", MS), ("C3", GA)):
        book.sign(at(10, 12, 9), cid, department=dep)
    book.approve(at(10, 12, 11), "C2", department=MS)
    book.deny(at(10, 12, 11), "C3", department=GA, reasons=["不符合许可条件：经营场所不符合规划用途"])
    for cid, dep in (("C2", MS), ("C3", GA)):
        book.send_out(at(10, 12, 15), cid, department=dep)
        book.receive_result(at(10, 13, 9), cid, window="S10")
    book.locker(at(10, 13, 10), "C2")  # the agreed compartment
    book.change_delivery(at(10, 13, 10), "C3", delivery="pickup")  # came in person after all
    assert book.case("C3").address_ref == "" and book.case("C3").state is S.READY
    book.collect(at(10, 13, 11), "C3", window="S10", proxy=True, authorisation="WT-0042", collector_masked="李*")
    assert (book.case("C2").state, book.case("C2").compartment) == (S.IN_LOCKER, "A-07")
    assert (book.case("C3").state, book.case("C3").decision) == (S.COLLECTED, "denied")
    assert handover_rows(book.case("C3"))[-1].note == "代领，授权委托书 WT-0042"
    open_case(book, at(10, 14, 9), "C4", delivery="mail", address_ref=ADDRESS_REF)
    for step in (lambda: book.sign(at(10, 14, 10), "C4", department=MS),
                 lambda: book.approve(at(10, 14, 11), "C4", department=MS),
                 lambda: book.send_out(at(10, 14, 12), "C4", department=MS),
                 lambda: book.receive_result(at(10, 14, 13), "C4", window="S10"),
                 lambda: book.post(at(10, 14, 14), "C4", tracking="SF1234567890")):
        step()
    assert (book.case("C4").state, book.case("C4").tracking) == (S.POSTED, "SF1234567890")
    assert handover_rows(book.case("C4"))[-1].note == "快递单号 SF1234567890"


# ---------------------------------------------------------------- refusals

Setup = Callable[[CaseBook], object]
Act = Callable[[CaseBook], object]


def _signed(book: CaseBook, **kw: Any) -> None:
    open_case(book, at(10, 8, 9), **kw)
    book.sign(at(10, 8, 10), "C1", department=kw.get("department", MS))


def _ready(book: CaseBook, **kw: Any) -> None:
    _signed(book, **kw)
    dep = kw.get("department", MS)
    book.approve(at(10, 8, 11), "C1", department=dep)
    book.send_out(at(10, 8, 12), "C1", department=dep)
    book.receive_result(at(10, 8, 13), "C1", window="S10")


def _nothing(book: CaseBook) -> None:
    pass


def _opened(book: CaseBook) -> None:
    open_case(book, at(10, 8, 9))


BEYOND = library_years()[1] + 1
REFUSALS: list[tuple[str, Setup, Act]] = [
    ("unknown_case", _opened, lambda b: b.sign(at(10, 8, 10), "NOPE", department=MS)),
    ("unknown_case", _opened, lambda b: b.case("11010519491231002X")),
    ("duplicate_case", _opened, lambda b: open_case(b, at(10, 8, 10))),
    ("duplicate_case", lambda b: open_case(b, at(10, 8, 9), number="N1"),
     lambda b: open_case(b, at(10, 8, 10), "C2", number="N1")),
    ("already_signed", _signed, lambda b: b.sign(at(10, 8, 11), "C1", department=MS)),
    ("not_decided", _signed, lambda b: b.send_out(at(10, 8, 11), "C1", department=MS)),
    ("not_decided", _opened, lambda b: b.collect(at(10, 8, 11), "C1", window="S10", id_hash=APPLICANT_HASH)),
    ("case_state", _opened, lambda b: b.notify_correction(at(10, 8, 11), "C1", department=MS, reasons=["x"],
                                                          deadline=dt.date(2026, 10, 20))),
    ("case_state", _opened, lambda b: b.receive_correction(at(10, 8, 11), "C1", window="S05")),
    ("case_closed", lambda b: (_ready(b), b.collect(at(10, 9, 9), "C1", window="S10", id_hash=APPLICANT_HASH)),
     lambda b: b.collect(at(10, 9, 10), "C1", window="S10", id_hash=APPLICANT_HASH)),
    ("wrong_department", _opened, lambda b: b.sign(at(10, 8, 10), "C1", department=GA)),
    ("wrong_department", _signed, lambda b: b.approve(at(10, 8, 11), "C1", department=GA)),
    ("id_mismatch", _ready, lambda b: b.collect(at(10, 9, 9), "C1", window="S10", id_hash=OTHER_HASH)),
    ("id_mismatch", _ready, lambda b: b.collect(at(10, 9, 9), "C1", window="S10")),
    ("proxy_unauthorised", _ready, lambda b: b.collect(at(10, 9, 9), "C1", window="S10", proxy=True)),
    ("delivery_mismatch", _ready, lambda b: b.post(at(10, 9, 9), "C1", tracking="SF1")),
    ("delivery_mismatch", _ready, lambda b: b.locker(at(10, 9, 9), "C1", compartment="A-01")),
    ("compartment_required", lambda b: _ready(b, delivery="locker"), lambda b: b.locker(at(10, 9, 9), "C1")),
    ("tracking_required", lambda b: _ready(b, delivery="mail", address_ref=ADDRESS_REF),
     lambda b: b.post(at(10, 9, 9), "C1", tracking=" ")),
    ("address_required", _nothing, lambda b: open_case(b, at(10, 8, 9), delivery="mail")),
    ("bad_reference", _nothing, lambda b: open_case(b, at(10, 8, 9), delivery="mail",
                                                    address_ref="吕梁市离石区龙凤南路 12 号")),
    ("bad_reference", _nothing, lambda b: open_case(b, at(10, 8, 9), "C 1")),
    ("bad_delivery", _nothing, lambda b: open_case(b, at(10, 8, 9), delivery="drone")),
    ("bad_delivery", _nothing, lambda b: open_case(b, at(10, 8, 9), compartment="A-01")),
    ("reason_required", _signed, lambda b: b.deny(at(10, 8, 11), "C1", department=MS, reasons=[" "])),
    ("reason_required", _signed, lambda b: b.notify_correction(at(10, 8, 11), "C1", department=MS, reasons=[],
                                                               deadline=dt.date(2026, 10, 20))),
    ("bad_deadline", _signed, lambda b: b.notify_correction(at(10, 8, 11), "C1", department=MS, reasons=["缺章"],
                                                            deadline=dt.date(2026, 10, 7))),
    ("bad_deadline", _signed, lambda b: b.notify_correction(at(10, 8, 11), "C1", department=MS, reasons=["缺章"],
                                                            deadline=dt.datetime(2026, 10, 20, 9))),
    ("bad_kind", _nothing, lambda b: open_case(b, at(10, 8, 9), kind="urgent")),
    ("bad_promised_days", _nothing, lambda b: open_case(b, at(10, 8, 9), promised_days=0)),
    ("bad_promised_days", _nothing, lambda b: open_case(b, at(10, 8, 9), kind="immediate", promised_days=3)),
    ("bad_materials", _nothing, lambda b: open_case(b, at(10, 8, 9), materials=[Material("身份证", count=0)])),
    ("bad_materials", _nothing, lambda b: open_case(b, at(10, 8, 9), materials=[Material("身份证", "copy")])),  # type: ignore[arg-type]
    ("bad_materials", _nothing,
     lambda b: open_case(b, at(10, 8, 9), materials=[Material("身份证"), Material("身份证")])),
    ("bad_department", _nothing, lambda b: open_case(b, at(10, 8, 9), department=" ")),
    ("bad_id_hash", _nothing, lambda b: open_case(b, at(10, 8, 9), id_hash="11010519491231002X")),
    ("not_immediate", _opened, lambda b: b.done_on_spot(at(10, 8, 10), "C1", window="S01")),
    ("bad_time", _opened, lambda b: b.pick_up(at(10, 8, 8), "C1")),
    ("calendar_unknown", _nothing,
     lambda b: b.accept(dt.datetime(BEYOND, 3, 1, 9, tzinfo=b.tz).timestamp(), case="C9", ticket="t", matter="m",
                        situation="s", department=MS, kind="promised", promised_days=3, window="S01")),
]


@pytest.mark.parametrize(("code", "setup", "act"), REFUSALS,
                         ids=[f"{i:02d}-{code}" for i, (code, _, _) in enumerate(REFUSALS)])
def test_every_refusal_has_its_code_chinese_words_and_changes_nothing(code: str, setup: Setup, act: Act) -> None:
    book = new_book()
    setup(book)
    before = book_snapshot(book)
    with pytest.raises(CaseError) as exc:
        act(book)
    assert exc.value.code == code
    assert exc.value.message and not ASCII_WORD.search(exc.value.message), exc.value.message
    assert person_message(code, exc.value.message) == exc.value.message  # a device shows it as it is
    assert "11010519491231002X" not in exc.value.message  # a scanned ID is never echoed
    assert book_snapshot(book) == before


def test_every_refusal_code_is_listed_and_used() -> None:
    assert {code for code, _, _ in REFUSALS} == set(CASE_ERROR_WORDS)
    src = Path(hub.cases.__file__).read_text(encoding="utf-8")
    raised = set(re.findall(r'CaseError\(\s*"([a-z_]+)"', src)) | set(re.findall(r'code = "([a-z_]+)"', src))
    assert raised == set(CASE_ERROR_WORDS)


ILLEGAL = [(s, a) for s in CaseState for a in ACTIONS if a != "accept" and (s, a) not in TRANSITIONS]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_illegal_move_is_refused_in_words(state: CaseState, action: str) -> None:
    with pytest.raises(CaseError) as exc:
        CaseBook.move(SimpleNamespace(state=state, id="C1"), action)  # type: ignore[arg-type]
    expected = ("case_closed" if state in FINAL else
                "already_signed" if action == "sign" and state in {S.IN_REVIEW, S.APPROVED, S.DENIED,
                                                                   S.RESULT_TRANSFERRING, S.READY} else
                "not_decided" if action in {"send_out", "receive_result", "collect", "locker", "post"}
                and state in UNDECIDED else
                "case_state")
    assert exc.value.code == expected
    assert exc.value.message == f"办件 C1 {STATE_WORDS[state]}，不能{ACTION_WORDS[action]}"


def test_the_table_and_the_words() -> None:
    assert len(ILLEGAL) > 100
    assert set(STATE_WORDS) == set(CaseState) and set(ACTION_WORDS) == set(ACTIONS)
    assert all((s, a) not in TRANSITIONS for s in FINAL for a in ACTIONS)  # final is final
    assert {a for _, a in TRANSITIONS} | {"accept"} == {e.action for e in ce.CASE_EVENT_TYPES.values()}
    words = [*STATE_WORDS.values(), *ACTION_WORDS.values(), *CASE_ERROR_WORDS.values(), *KIND_WORDS.values(),
             *DELIVERY_WORDS.values(), *FORM_WORDS.values()]
    assert missing_english(words) == []
    try:
        set_language("en")
        assert tr("待领取") == "Ready for pickup" and tr(CASE_ERROR_WORDS["id_mismatch"]).startswith("The person")
    finally:
        set_language("zh_CN")
    assert tr("待领取") == "待领取"


# ---------------------------------------------------------------- events: JSON, replay, no personal data

def _week(book: CaseBook) -> list[ce.CaseEvent]:
    out: list[ce.CaseEvent] = []
    out += open_case(book, at(9, 29, 10), number="SX-1")
    out += book.sign(at(9, 30, 9), "C1", department=MS)
    out += book.notify_correction(at(9, 30, 15), "C1", department=MS, reasons=["缺章"], deadline=dt.date(2026, 10, 16))
    out += book.receive_correction(at(10, 10, 10), "C1", window="S05", materials=[Material("住所证明")])
    out += book.sign(at(10, 12, 9), "C1", department=MS)
    out += book.approve(at(10, 13, 16), "C1", department=MS)
    out += book.send_out(at(10, 14, 9), "C1", department=MS)
    out += book.receive_result(at(10, 14, 10), "C1", window="S10")
    out += book.change_delivery(at(10, 14, 11), "C1", delivery="mail", address_ref=ADDRESS_REF)
    out += book.post(at(10, 14, 15), "C1", tracking="EMS-00012")
    out += open_case(book, at(10, 8, 9), "J1", kind="immediate", promised_days=0)
    out += book.done_on_spot(at(10, 8, 10), "J1", window="S02")
    return out


def test_events_round_trip_through_json_and_replay_rebuilds_the_book() -> None:
    book = new_book()
    events = _week(book)
    copies = [ce.case_event_from_dict(json.loads(json.dumps(e.to_dict(), ensure_ascii=False))) for e in events]
    assert copies == events
    again = new_book()
    for e in copies:
        again.apply(e)
    assert book_snapshot(again) == book_snapshot(book)
    with pytest.raises(ValueError, match="unknown fields"):
        ce.case_event_from_dict({**events[1].to_dict(), "id_number": "x"})


def test_no_event_carries_a_full_id_number_or_an_address() -> None:
    events = _week(new_book())
    text = json.dumps([e.to_dict() for e in events], ensure_ascii=False)
    assert not looks_like_full_id(text)
    assert "路" not in text and "号楼" not in text
    assert APPLICANT_HASH in text  # only the keyed hash, checked at pickup
