"""The notifier against a real hub on an embedded broker, sending through a local HTTP server standing in
for the SMS gateway (tests/notify/gateway.py): consent, the near-call threshold, the call, the case's
补正 and pickup, a failing gateway, a restart, the daily cap, and the number kept out of logs and files."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hallq.client import HallClient
from hub.hall import Hall
from launcher.local_hall import LocalHall
from launcher.samples import sample_hall_path
from notify.config import Gateway, NotifyConfig
from notify.notifier import Notifier
from notify.record import Record
from notify.transport import HttpTransport
from tests.halls import GA_DESK, running, sample_hall_plus
from tests.hub.hub_helpers import FakeClock
from tests.notify.gateway import SECRET, gateway
from tests.pad.conftest import PIN

RENEW = {"matter": "id-card", "situation": "renew"}  # 公安局, 承诺件: a case follows 受理
PHONES = ["13900000001", "13900000002", "13900000003", "13900000004", "13900000005"]


def notify_hall() -> Hall:
    return sample_hall_plus(GA_DESK)  # N1, its notifier, is in the sample hall


@pytest.fixture
def hall(tmp_path: Path, clock: FakeClock) -> Iterator[LocalHall]:  # clock: tests/conftest.py's Monday 09:00
    yield from running(notify_hall(), tmp_path / "hall.db", clock=clock)


def config(url: str, form: bool = False, **kw: Any) -> NotifyConfig:
    settings: dict[str, Any] = {"near": 2, "daily_cap": 5, "retries": 2, "backoff_s": 0.5, **kw}
    return NotifyConfig(Gateway(url, "form" if form else "json", SECRET, sign="【测试大厅】"), **settings)


@dataclasses.dataclass
class Run:
    hall: LocalHall
    kiosk: HallClient
    n1: HallClient
    folder: Path
    clock: FakeClock
    sleeps: list[float]

    def notifier(self, cfg: NotifyConfig) -> Notifier:
        return Notifier(self.n1.request, HttpTransport(cfg.gateway), Record.open(self.folder), cfg, clock=self.clock,
                        sleep=self.sleeps.append, device="N1")

    def issue(self, phone: str = "", consent: bool = False) -> str:
        args: dict[str, Any] = dict(RENEW)
        if phone:
            args["phone"] = phone
        if consent:
            args["notify_consent"] = True
        return str(self.kiosk.request("ticket.issue", args)["ticket"]["id"])


@pytest.fixture
def run(hall: LocalHall, tmp_path: Path, clock: FakeClock) -> Run:
    return Run(hall, hall.client("K1"), hall.client("N1"), tmp_path / "notify-state", clock, [])


def front_desk(hall: LocalHall) -> HallClient:
    front = hall.client("P-S01")
    front.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN})
    return front


def without_notify(text: str) -> str:
    """A hall file less its ``[notify]`` tables (the sample hall's gateway is an example address)."""
    return text.split("\n[notify]", 1)[0]


def texts_to(gw: Any, phone: str) -> list[str]:
    return [m["text"] for m in gw.received if m["phone"] == phone]


def test_only_consenting_citizens_get_the_near_call_and_the_call(run: Run) -> None:
    with gateway() as gw:
        cfg = config(gw.url)
        a = run.issue(PHONES[0], consent=True)  # nobody ahead
        run.issue(PHONES[1])  # a number, but no consent: never messaged
        run.issue(PHONES[2], consent=True)  # 2 ahead: at the threshold
        run.issue(PHONES[3], consent=True)  # 3 ahead: not yet
        notifier = run.notifier(cfg)
        sent = notifier.run_once()
        assert [r for _, r in sent] == ["sent", "sent"]
        assert texts_to(gw, PHONES[0]) == [f"【测试大厅】{a[-4:]} 号：下一位就是您，请到叫号屏前留意叫号。"]
        assert "还有 2 位轮到您" in texts_to(gw, PHONES[2])[0]
        assert texts_to(gw, PHONES[1]) == []
        assert texts_to(gw, PHONES[3]) == []
        front = front_desk(run.hall)
        called = front.request("ticket.call_next", {"window": "S01"})["ticket"]
        assert called["id"] == a
        notifier.run_once()
        assert texts_to(gw, PHONES[0])[-1] == f"【测试大厅】{called['number']} 号：请到 S01 窗口办理。"
        assert len(texts_to(gw, PHONES[2])) == 1  # 1 ahead now: its near message was already sent
        assert "还有 2 位轮到您" in texts_to(gw, PHONES[3])[0]  # the next one crossed the threshold
        front.request("ticket.recall", {"window": "S01"})
        assert notifier.run_once() == []  # a recall to the same window is not messaged again
        assert texts_to(gw, PHONES[1]) == []  # never, without consent
        assert gw.bad_signatures == 0


def test_the_case_sends_the_correction_and_the_pickup_message(run: Run) -> None:
    with gateway(form=True) as gw:
        cfg = config(gw.url, form=True)
        ticket = run.issue(PHONES[0], consent=True)
        front = front_desk(run.hall)
        front.request("ticket.call_next", {"window": "S01"})
        front.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
        case = front.request("case.accept", {"window": "S01", "ticket": ticket})["case"]["id"]
        back = run.hall.client("B-GA")
        back.request("backoffice.login", {"staff": "3001", "pin": PIN})  # the sample hall requires the clerk
        back.request("case.sign", {"case": case})
        back.request("case.notify_correction", {"case": case, "reasons": ["缺户口簿原件"]})
        notifier = run.notifier(cfg)
        notifier.run_once()
        last = texts_to(gw, PHONES[0])[-1]
        assert "一次性告知：缺户口簿原件" in last
        assert "S01 窗口" in last
        front.request("case.receive_correction", {"window": "S01", "case": case})
        back.request("case.sign", {"case": case})
        back.request("case.approve", {"case": case})
        back.request("case.send_out", {"case": case})
        notifier.run_once()
        assert texts_to(gw, PHONES[0])[-1] == last  # 办结 but not yet at the 出件 window: nothing yet
        front.request("case.receive_result", {"window": "S01", "case": case})
        notifier.run_once()
        assert texts_to(gw, PHONES[0])[-1] == "【测试大厅】办件已办结，请到出件窗口领取。"
        assert notifier.run_once() == []


def test_a_failing_gateway_is_retried_then_recorded_and_the_next_message_still_goes(run: Run) -> None:
    with gateway() as gw:
        cfg = config(gw.url)
        first = run.issue(PHONES[0], consent=True)
        run.issue(PHONES[1], consent=True)
        gw.fail_always = True
        notifier = run.notifier(cfg)
        assert [r for _, r in notifier.run_once()] == ["failed", "failed"]
        assert gw.attempts == 6  # each: the first try and 2 retries
        assert run.sleeps == [0.5, 1.0, 0.5, 1.0]  # doubling backoff
        rows = [r for r in notifier.record.rows() if r["result"] == "failed"]
        assert len(rows) == 2
        assert (rows[0]["ticket"], rows[0]["kind"], rows[0]["tries"]) == (first, "near", 3)
        gw.fail_always = False
        assert notifier.run_once() == []  # a recorded failure is not sent later by surprise
        gw.fail_next = 1  # one failure, then the gateway takes it
        run.issue(PHONES[2], consent=True)
        assert [r for _, r in notifier.run_once()] == ["sent"]
        assert len(gw.received) == 1


def test_no_message_is_sent_twice_across_a_restart(run: Run) -> None:
    with gateway() as gw:
        cfg = config(gw.url)
        run.issue(PHONES[0], consent=True)
        assert [r for _, r in run.notifier(cfg).run_once()] == ["sent"]
        assert run.notifier(cfg).run_once() == []  # a new notifier on the same record
        assert len(gw.received) == 1
        # killed between writing "sending" and the gateway's answer: not sent again either
        ticket = run.issue(PHONES[1], consent=True)
        record = Record.open(run.folder)
        record.write(key=f"{ticket}:near", ticket=ticket, kind="near", day="2026-11-23", at=0.0,
                     result="sending")
        assert run.notifier(cfg).run_once() == []
        assert texts_to(gw, PHONES[1]) == []


def test_the_daily_cap_per_number(run: Run) -> None:
    with gateway() as gw:
        cfg = config(gw.url, daily_cap=2, near=5)
        for _ in range(3):
            run.issue(PHONES[0], consent=True)  # one number, three tickets (a family's errands)
        results = [r for _, r in run.notifier(cfg).run_once()]
        assert results == ["sent", "sent", "capped"]
        assert len(texts_to(gw, PHONES[0])) == 2


def test_the_number_is_never_in_a_log_line_the_record_or_the_database(run: Run, caplog: Any,
                                                                        tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    with gateway() as gw:
        cfg = config(gw.url)
        run.issue(PHONES[0], consent=True)
        gw.fail_next = 1
        notifier = run.notifier(cfg)
        notifier.run_once()
        assert len(gw.received) == 1
    lines = [r.getMessage() + json.dumps(r.__dict__, default=str, ensure_ascii=False) for r in caplog.records]
    assert any("near" in line for line in lines)  # the notifier did log
    assert not [line for line in lines if PHONES[0] in line]
    record = notifier.record.path.read_bytes()
    assert PHONES[0].encode() not in record
    assert "轮到您".encode() not in record  # no message text either
    for f in tmp_path.glob("hall.db*"):
        assert PHONES[0].encode() not in f.read_bytes(), f.name


def test_hallq_notify_once_from_the_hall_file(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``hallq notify --once``: the [notify] table of the hall file, the device's login, one pass."""
    from launcher.cli import main

    with gateway() as gw:
        run.issue(PHONES[0], consent=True)
        hall_file = tmp_path / "hall.toml"
        hall_file.write_text(without_notify(sample_hall_path().read_text(encoding="utf-8")) +
                             f'\n[notify]\nnear = 2\n\n[notify.gateway]\nurl = "{gw.url}"\n'
                             'secret_env = "TEST_SMS_SECRET"\n', encoding="utf-8")
        monkeypatch.setenv("TEST_SMS_SECRET", SECRET.decode())
        state = tmp_path / "cli-state"
        argv = ["notify", "--config", str(hall_file), "--mqtt", run.hall.url, "--hall", run.hall.hall.id,
                "--state-dir", str(state), "--once"]
        assert main(argv) == 0
        assert len(texts_to(gw, PHONES[0])) == 1
        assert main(argv) == 0  # a second run on the same record: nothing again
        assert len(texts_to(gw, PHONES[0])) == 1
        assert (state / "notify-record.jsonl").exists()


def test_hallq_notify_refuses_a_hall_file_with_typos(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from launcher.cli import main

    hall_file = tmp_path / "hall.toml"
    hall_file.write_text('[hall]\nid = "x"\n[notify]\nnaer = 2\n[notify.gateway]\nurl = "http://x/y"\n'
                         'secret_file = "nowhere"\n', encoding="utf-8")
    assert main(["notify", "--config", str(hall_file), "--once"]) == 2
    err = capsys.readouterr().err
    assert "notify.naer: 未知的键" in err
    assert "notify.gateway.secret_file: 无法读取" in err
