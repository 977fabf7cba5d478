"""附件8 三 and 四, the overdue, stuck and unclaimed lists, over a hand-built fortnight around 国庆 2026.

Every case below goes through the real commands of the case core; the figures are then computed
from the events alone. The calendar is the State Council's 2026 schedule (chinese-calendar):
中秋 09-25..27, 国庆 10-01..07, and the 调休 Saturday 10-10 is a working day.

    case dept  kind       受理            promised → due   what happens
    C1   MS    承诺件 3天  Tue 09-29 10:00  10-09            签收 09-30 09:00; 一次性告知 09-30; 补正 Sat 10-10
                                                            (clock stood 3 working days: due 10-13); 办结 10-13 16:00;
                                                            出件 10-14; 现场领取 10-15
    C2   MS    承诺件 1天  Fri 10-09 16:00  Sat 10-10 (调休)  签收 Mon 10-12 09:00 (late: due by Sat 16:00); 办结 10-12
                                                            (逾期); 自助柜 A-07 10-13
    C3   GA    承诺件 5天  Wed 09-30 11:00  10-13            签收 10-08 09:00 (not late: 国庆 does not count); 不予许可
                                                            10-09; 邮寄 Sat 10-10
    C4   GA    即办件      Thu 10-08 09:30  10-08            当场办结 10:00
    C5   MZ    承诺件 2天  Mon 10-12 10:00  10-14            picked up 10:30, never signed for
    C6   MZ    承诺件 10天 Tue 09-15 10:00  09-29 (调休 Sun 09-20 counts)  签收 09-15, 办结 09-24 (before October)
    C7   GA    承诺件 3天  Fri 10-30 10:00  11-04            签收 10-30 14:00, still in review on 10-31
    C8   MS    承诺件 3天  Thu 10-08 10:00  10-12            办结 10-09, 待领取 from 10-09 15:00, never collected
"""

from __future__ import annotations

import datetime as dt

import pytest

from hub import case_events as ce
from hub.case_config import DEFAULT_STUCK_HOURS
from hub.case_figures import (
    CompletionFigures,
    OverdueCase,
    StuckCase,
    TransferAnomaly,
    UnclaimedResult,
    completion_figures,
    overdue_cases,
    replay,
    stuck_cases,
    transfer_anomalies,
    unclaimed_results,
)
from hub.cases import CaseState, Material
from hub.workdays import WorkCalendar
from tests.cases.case_helpers import ADDRESS_REF, APPLICANT_HASH, GA, MS, MZ, TZ_NAME, at, new_book, open_case

S = CaseState
CAL = WorkCalendar()
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
SEP = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))


@pytest.fixture(scope="module")
def events() -> list[ce.CaseEvent]:
    b = new_book()
    out: list[ce.CaseEvent] = []
    # C6 (September only)
    out += open_case(b, at(9, 15, 10), "C6", department=MZ, promised_days=10)
    out += b.sign(at(9, 15, 14), "C6", department=MZ)
    out += b.approve(at(9, 24, 10), "C6", department=MZ)
    # C1: the whole round with a 补正
    out += open_case(b, at(9, 29, 10), "C1", department=MS, promised_days=3)
    out += b.pick_up(at(9, 29, 11), "C1", device="T1", staff="3001")
    out += b.sign(at(9, 30, 9), "C1", department=MS)
    out += b.notify_correction(at(9, 30, 15), "C1", department=MS, reasons=["住所证明需加盖公章"],
                               deadline=dt.date(2026, 10, 16))
    # C3: accepted the day before 国庆, mail
    out += open_case(b, at(9, 30, 11), "C3", department=GA, promised_days=5, delivery="mail", address_ref=ADDRESS_REF)
    out += b.pick_up(at(9, 30, 14), "C3")
    out += b.sign(at(10, 8, 9), "C3", department=GA)
    # C4: 即办件
    out += open_case(b, at(10, 8, 9, 30), "C4", department=GA, kind="immediate", promised_days=0)
    out += b.done_on_spot(at(10, 8, 10), "C4", window="S02")
    # C8: ready, never collected
    out += open_case(b, at(10, 8, 10), "C8", department=MS, promised_days=3)
    out += b.sign(at(10, 8, 11), "C8", department=MS)
    out += b.approve(at(10, 9, 10), "C8", department=MS)
    out += b.send_out(at(10, 9, 11), "C8", department=MS)
    out += b.receive_result(at(10, 9, 15), "C8", window="S10")
    out += b.deny(at(10, 9, 10), "C3", department=GA, reasons=["经营场所不符合规划用途"])
    out += b.send_out(at(10, 9, 11), "C3", department=GA)
    out += b.receive_result(at(10, 9, 14), "C3", window="S10")
    # C2: Friday afternoon, due on the 调休 Saturday
    out += open_case(b, at(10, 9, 16), "C2", department=MS, promised_days=1, delivery="locker", compartment="A-07")
    out += b.pick_up(at(10, 9, 16, 30), "C2")
    out += b.receive_correction(at(10, 10, 10), "C1", window="S05", materials=[Material("住所证明")])
    out += b.pick_up(at(10, 10, 11), "C1")
    out += b.post(at(10, 10, 10), "C3", tracking="EMS1234567")
    out += b.sign(at(10, 12, 9), "C1", department=MS)
    out += b.sign(at(10, 12, 9), "C2", department=MS)
    out += open_case(b, at(10, 12, 10), "C5", department=MZ, promised_days=2)
    out += b.pick_up(at(10, 12, 10, 30), "C5")
    out += b.approve(at(10, 12, 14), "C2", department=MS)
    out += b.send_out(at(10, 12, 15), "C2", department=MS)
    out += b.receive_result(at(10, 13, 9), "C2", window="S10")
    out += b.locker(at(10, 13, 10), "C2")
    out += b.approve(at(10, 13, 16), "C1", department=MS, result_kind="证书")
    out += b.send_out(at(10, 14, 9), "C1", department=MS)
    out += b.receive_result(at(10, 14, 10), "C1", window="S10")
    out += b.collect(at(10, 15, 10), "C1", window="S10", id_hash=APPLICANT_HASH, collector_masked="张**")
    out += open_case(b, at(10, 30, 10), "C7", department=GA, promised_days=3)
    out += b.sign(at(10, 30, 14), "C7", department=GA)
    # the promised dates of the table above, as the core worked them out
    due = {cid: c.due.isoformat() for cid, c in b.cases.items()}
    assert due == {"C6": "2026-09-29", "C1": "2026-10-13", "C3": "2026-10-13", "C4": "2026-10-08",
                   "C8": "2026-10-12", "C2": "2026-10-10", "C5": "2026-10-14", "C7": "2026-11-04"}
    states = {cid: c.state for cid, c in b.cases.items()}
    assert states == {"C6": S.APPROVED, "C1": S.COLLECTED, "C3": S.POSTED, "C4": S.COLLECTED, "C8": S.READY,
                      "C2": S.IN_LOCKER, "C5": S.TRANSFERRING, "C7": S.IN_REVIEW}
    return out


def test_attachment_8_three_transfer_anomalies(events: list[ce.CaseEvent]) -> None:
    # October: C2 signed Mon 09:00, its limit was the 调休 Saturday 16:00; C5 never signed (limit Tue 10-13 10:00).
    # C3 signed 8 calendar days after 受理 but 1 working day after: not late.
    assert transfer_anomalies(events, CAL, TZ_NAME, *OCT) == [
        TransferAnomaly(MS, late=("C2",), unsigned=()),
        TransferAnomaly(MZ, late=(), unsigned=("C5",)),
    ]
    # September: C1 signed within the day; C3's limit (10-08 11:00) lies after September's end
    assert transfer_anomalies(events, CAL, TZ_NAME, *SEP) == []
    # a department allowed 2 working days: C2 (signed before Mon 16:00) is in time; C5 is still not signed
    only_c5 = [TransferAnomaly(MZ, late=(), unsigned=("C5",))]
    assert transfer_anomalies(events, CAL, TZ_NAME, *OCT, limit=2) == only_c5
    assert transfer_anomalies(events, CAL, TZ_NAME, *OCT, limits={MS: 2}) == only_c5


def test_attachment_8_four_completion_figures(events: list[ce.CaseEvent]) -> None:
    october = completion_figures(events, TZ_NAME, *OCT)
    assert october == [
        # 公安局: 受理 C4, C7; 结转 C3; 按期 C3 (不予许可 10-09 ≤ 10-13), C4 (当场)
        CompletionFigures(GA, accepted=2, carried_over=1, on_time=2, late=0, on_time_cases=("C3", "C4")),
        # 市场监督管理局: 受理 C8, C2; 结转 C1; 按期 C8 (10-09 ≤ 10-12), C1 (10-13 ≤ 10-13 after 补正); 逾期 C2
        CompletionFigures(MS, accepted=2, carried_over=1, on_time=2, late=1, on_time_cases=("C1", "C8"),
                          late_cases=("C2",)),
        # 民政局: 受理 C5; C6 was 办结 in September, so nothing carried over
        CompletionFigures(MZ, accepted=1, carried_over=0, on_time=0, late=0),
    ]
    rates = [(f.department, f.on_time_rate, f.total_rate) for f in october]
    assert rates == [(GA, 100.0, 66.7), (MS, 66.7, 100.0), (MZ, None, 0.0)]
    september = completion_figures(events, TZ_NAME, *SEP)
    assert [(f.department, f.accepted, f.carried_over, f.on_time, f.late) for f in september] == [
        (GA, 1, 0, 0, 0), (MS, 1, 0, 0, 0), (MZ, 1, 0, 1, 0)]


def test_without_the_correction_pause_c1_would_have_been_late(events: list[ce.CaseEvent]) -> None:
    accepted = next(e for e in events if isinstance(e, ce.CaseAccepted) and e.case == "C1")
    received = next(e for e in events if isinstance(e, ce.CaseCorrectionReceived))
    assert (accepted.due, received.paused_days, received.due) == ("2026-10-09", 3, "2026-10-13")


def test_overdue_list(events: list[ce.CaseEvent]) -> None:
    now = at(10, 16, 12)
    cases = replay(events, TZ_NAME, until=now).values()
    assert overdue_cases(cases, CAL, TZ_NAME, now) == [OverdueCase(MZ, "C5", S.TRANSFERRING, dt.date(2026, 10, 14), 2)]
    now = at(10, 14, 12)
    cases = replay(events, TZ_NAME, until=now).values()
    assert overdue_cases(cases, CAL, TZ_NAME, now) == []
    assert overdue_cases(cases, CAL, TZ_NAME, now, include_due_today=True) == [
        OverdueCase(MZ, "C5", S.TRANSFERRING, dt.date(2026, 10, 14), 0)]


def test_stuck_and_unclaimed(events: list[ce.CaseEvent]) -> None:
    now = at(10, 13, 8)
    cases = list(replay(events, TZ_NAME, until=now).values())
    # C5 picked up Mon 10:30: 13.5 h + 8 h; C2's result sent out Mon 15:00: 9 h + 8 h; C1 in review is no stage alert
    assert stuck_cases(cases, CAL, TZ_NAME, now, DEFAULT_STUCK_HOURS) == [
        StuckCase(MZ, "C5", S.TRANSFERRING, at(10, 12, 10, 30), 21.5),
        StuckCase(MS, "C2", S.RESULT_TRANSFERRING, at(10, 12, 15), 17.0),
    ]
    now = at(10, 16, 12)
    cases = list(replay(events, TZ_NAME, until=now).values())
    # C8 waits at the 出件 window since Fri 10-09 15:00: 10-10 (调休), 12, 13, 14, 15, 16 = 6 working days
    assert unclaimed_results(cases, CAL, TZ_NAME, now, days=5) == [UnclaimedResult(MS, "C8", at(10, 9, 15), 6)]
    assert unclaimed_results(cases, CAL, TZ_NAME, now, days=7) == []
