"""The messages for results that do not wait at the 出件 window, through the real hub and the gateway
stand-in: posted (快递单号), put in a locker (格口), refused (不予许可) and not accepted (不予受理)."""

from __future__ import annotations

from typing import Any

from tests.halls import signed_in_desk
from tests.notify.gateway import gateway
from tests.notify.test_notifier import PHONES, Run, config, front_desk, texts_to

SIGN = "【测试大厅】"


def decided_case(run: Run, phone: str, **accept: Any) -> tuple[Any, Any, str]:
    """A consenting citizen's case accepted at S01 with ``accept``'s delivery, signed by 公安局."""
    ticket = run.issue(phone, consent=True)
    front = front_desk(run.hall)
    front.request("ticket.call_next", {"window": "S01"})
    front.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
    case = front.request("case.accept", {"window": "S01", "ticket": ticket, **accept})["case"]["id"]
    back = signed_in_desk(run.hall)  # the sample hall requires the 公安局 clerk signed in
    back.request("case.sign", {"case": case})
    return front, back, case


def test_a_posted_result_sends_the_tracking_number_once_and_no_pickup_call(run: Run) -> None:
    with gateway() as gw:
        notifier = run.notifier(config(gw.url))
        front, back, case = decided_case(run, PHONES[0], delivery="mail", address="山西省吕梁市离石区滨河北西路1号")
        back.request("case.approve", {"case": case})
        back.request("case.send_out", {"case": case})
        front.request("case.receive_result", {"window": "S01", "case": case})
        notifier.run_once()
        assert not [t for t in texts_to(gw, PHONES[0]) if "领取" in t]  # to be posted: not asked to come
        front.request("case.post", {"window": "S01", "case": case, "tracking": "SF1234567890"})
        notifier.run_once()
        assert texts_to(gw, PHONES[0])[-1] == f"{SIGN}办件已办结，结果已邮寄，快递单号 SF1234567890，请留意查收。"
        assert not [t for t in texts_to(gw, PHONES[0]) if "滨河" in t]  # never the address
        assert notifier.run_once() == []
        assert [r["kind"] for r in notifier.record.rows() if r["result"] == "sent"][-1] == "posted"


def test_a_lockered_result_names_the_compartment(run: Run) -> None:
    with gateway() as gw:
        notifier = run.notifier(config(gw.url))
        front, back, case = decided_case(run, PHONES[1], delivery="locker", compartment="B12")
        back.request("case.approve", {"case": case})
        back.request("case.send_out", {"case": case})
        front.request("case.receive_result", {"window": "S01", "case": case})
        front.request("case.locker", {"window": "S01", "case": case})
        notifier.run_once()
        assert texts_to(gw, PHONES[1])[-1] == f"{SIGN}办件已办结，结果已放入自助柜 B12 号格口，请按柜机提示取件。"
        assert notifier.run_once() == []


def test_a_refused_case_says_where_its_written_decision_is_then_that_it_is_there(run: Run) -> None:
    with gateway() as gw:
        notifier = run.notifier(config(gw.url))
        front, back, case = decided_case(run, PHONES[2])
        back.request("case.deny", {"case": case, "reasons": ["不符合换领条件"]})
        notifier.run_once()
        assert texts_to(gw, PHONES[2])[-1] == \
            f"{SIGN}您的办件经审查不予许可（不符合换领条件），书面决定送到出件窗口后请凭身份证领取。"
        back.request("case.send_out", {"case": case})
        assert notifier.run_once() == []  # the same moment on its way
        front.request("case.receive_result", {"window": "S01", "case": case})
        notifier.run_once()
        assert texts_to(gw, PHONES[2])[-1] == f"{SIGN}不予许可的书面决定已送到出件窗口，请凭身份证领取。"
        assert len(texts_to(gw, PHONES[2])) == 2  # the refusal, then the decision at the window


def test_not_accepted_at_the_window_is_messaged_once(run: Run) -> None:
    with gateway() as gw:
        notifier = run.notifier(config(gw.url))
        run.issue(PHONES[3], consent=True)
        run.issue(PHONES[4])  # no consent: never messaged
        front = front_desk(run.hall)
        called = front.request("ticket.call_next", {"window": "S01"})["ticket"]
        front.request("ticket.outcome", {"window": "S01", "outcome": "rejected", "reason": "不属于本中心受理范围"})
        notifier.run_once()
        words = f"{called['number']} 号：您的申请不予受理，请到 S01 窗口领取书面告知。"
        assert texts_to(gw, PHONES[3])[-1] == SIGN + words
        assert notifier.run_once() == []
        assert texts_to(gw, PHONES[4]) == []
