"""The hub's half of the phone page, through the service (no broker): the token, progress.get, progress.rate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from hallq import messages as m
from hub import progress
from hub.service import HubService
from hub.store import Store
from tests.hub.hub_helpers import FakeClock, reply, req
from tests.web.conftest import web_hall

KEY = b"k" * 32


@pytest.fixture
def hub(tmp_path: Path, clock: FakeClock) -> HubService:
    return HubService(web_hall(), Store(tmp_path / "p.db", durable=False), KEY, clock)


def ask(hub: HubService, device: str, op: str, **args: Any) -> dict[str, Any]:
    return reply(hub.handle(device, req(op, args)))


def served(hub: HubService, outcome: str = "accepted") -> dict[str, Any]:
    """A ticket issued at K1, called and finished at S01, its evaluator timed out (未评价)."""
    assert ask(hub, "P-S01", "window.open", window="S01", staff="1001", pin="1234")["ok"]
    ticket = ask(hub, "K1", "ticket.issue", matter="hukou-move", situation="with-house")["result"]["ticket"]
    assert ask(hub, "P-S01", "ticket.call_next", window="S01")["ok"]
    assert ask(hub, "P-S01", "ticket.outcome", window="S01", outcome=outcome)["ok"]
    assert ask(hub, "D-S01", "evaluation.skip", window="S01")["ok"]
    return dict(ticket)


def token_of(ticket: dict[str, Any]) -> str:
    return str(ticket["progress_url"]).rsplit("/", 1)[1]


def test_the_slip_url_carries_a_keyed_token_never_the_number_alone(hub: HubService) -> None:
    ticket = ask(hub, "K1", "ticket.issue", matter="hukou-move", situation="with-house")["result"]["ticket"]
    token = token_of(ticket)
    assert token == progress.token(KEY, ticket["id"]) and token != ticket["id"] and len(token) > len(ticket["id"]) + 20
    assert progress.ticket_of(KEY, token) == ticket["id"]
    assert progress.ticket_of(b"x" * 32, token) is None  # another hub's key
    mac = token.split(".")[1]
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (ticket["id"], ticket["number"], altered, f"{ticket['id'][:-1]}2.{mac}", "", "x" * 80):
        assert progress.ticket_of(KEY, bad) is None, bad


def test_progress_get_answers_one_ticket_masked(hub: HubService) -> None:
    ticket = ask(hub, "K1", "ticket.issue", matter="hukou-move", situation="with-house", name="张三",
                 id_number="11010519491231002X")["result"]["ticket"]
    body = ask(hub, "W1", "progress.get", token=token_of(ticket))
    view = msgspec.convert(body["result"]["progress"], m.ProgressView)
    assert (view.number, view.state, view.state_label, view.ahead) == (ticket["number"], "waiting", "等候中", 0)
    assert view.wait_lo_min is None and view.wait_hi_min is None  # the estimator is wired in later
    assert view.case is None and view.rating is None
    text = msgspec.json.encode(body).decode()
    assert "11010519491231002X" not in text and "张三" not in text  # nothing personal beyond the slip's masks


def test_walking_numbers_and_altered_tokens_find_nothing(hub: HubService) -> None:
    ticket = ask(hub, "K1", "ticket.issue", matter="hukou-move", situation="with-house")["result"]["ticket"]
    ask(hub, "K1", "ticket.issue", matter="hukou-move", situation="with-house", name="李四")
    mac = token_of(ticket).split(".")[1]
    next_id = ticket["id"][:-1] + str(int(ticket["id"][-1]) + 1)
    for bad in (f"{next_id}.{mac}", ticket["id"], token_of(ticket)[:-2] + "AA", f"{ticket['id']}.{'A' * 22}"):
        body = ask(hub, "W1", "progress.get", token=bad)
        assert body["error"]["code"] == "not_found" and body["error"]["message"] == "未找到该号", bad


def test_the_web_role_may_send_nothing_else(hub: HubService) -> None:
    ticket = ask(hub, "K1", "ticket.issue", matter="hukou-move", situation="with-house")["result"]["ticket"]
    for op, args in (("ticket.get", {"ticket": ticket["id"]}), ("ticket.cancel", {"ticket": ticket["id"], "reason": "x"}),
                     ("hall.snapshot", {}), ("tickets.list", {}), ("case.get", {"case": "x"}),
                     ("ticket.call_next", {"window": "S01"}), ("evaluation.submit", {"window": "S01", "level": 5}),
                     ("followups.list", {})):
        assert ask(hub, "W1", op, **args)["error"]["code"] == "forbidden", op
    for device in ("K1", "P-S01", "G1", "D-S01"):  # and nobody else asks by token
        assert ask(hub, device, "progress.get", token=token_of(ticket))["error"]["code"] == "forbidden"


def test_a_web_rating_is_taken_once_within_the_period(hub: HubService, clock: FakeClock) -> None:
    ticket = served(hub)
    token = token_of(ticket)
    view = msgspec.convert(ask(hub, "W1", "progress.get", token=token)["result"]["progress"], m.ProgressView)
    assert view.rating is not None and view.rating.open and view.rating.given == 0
    assert view.rating.closes == "2026-11-30"  # 5 working days after Monday 2026-11-23
    assert ask(hub, "W1", "progress.rate", token=token, level=2)["error"]["code"] == "reason_required"
    assert ask(hub, "W1", "progress.rate", token=token, level=9)["error"]["code"] == "bad_level"
    assert ask(hub, "W1", "progress.rate", token=token, level=4)["ok"]
    again = ask(hub, "W1", "progress.rate", token=token, level=5)
    assert again["error"]["code"] == "already_rated"
    view = msgspec.convert(ask(hub, "W1", "progress.get", token=token)["result"]["progress"], m.ProgressView)
    assert view.rating is not None and not view.rating.open and view.rating.given == 4
    e = hub.store.followups_since("2026-11-23")[ticket["id"]]
    assert (e.result, e.level, e.channel, e.device) == ("rated", 4, "web", "W1")


def test_the_form_closes_after_the_follow_up_period(hub: HubService, clock: FakeClock) -> None:
    ticket = served(hub)
    clock.set_local(9, 0, day_offset=8)  # Tuesday 2026-12-01: past the 5th working day
    body = ask(hub, "W1", "progress.rate", token=token_of(ticket), level=5)
    assert body["error"]["code"] == "rating_closed"
    view = msgspec.convert(ask(hub, "W1", "progress.get", token=token_of(ticket))["result"]["progress"],
                           m.ProgressView)
    assert view.state == "accepted" and view.rating is not None and not view.rating.open


def test_a_service_rated_at_the_window_or_not_served_has_no_form(hub: HubService) -> None:
    waiting = ask(hub, "K1", "ticket.issue", matter="hukou-move", situation="with-house")["result"]["ticket"]
    assert ask(hub, "W1", "progress.rate", token=token_of(waiting), level=5)["error"]["code"] == "no_rating"
    assert ask(hub, "P-S01", "window.open", window="S01", staff="1001", pin="1234")["ok"]
    assert ask(hub, "P-S01", "ticket.call_next", window="S01")["ok"]
    assert ask(hub, "P-S01", "ticket.outcome", window="S01", outcome="consulted")["ok"]
    assert ask(hub, "D-S01", "evaluation.submit", window="S01", level=5)["ok"]
    assert ask(hub, "W1", "progress.rate", token=token_of(waiting), level=3)["error"]["code"] == "no_rating"


def test_a_web_rating_counts_in_the_days_report_with_its_channel(hub: HubService, tmp_path: Path) -> None:
    from launcher.cli import main

    rated, left = served(hub), served(hub)
    assert ask(hub, "W1", "progress.rate", token=token_of(rated), level=1, reason="等候时间长")["ok"]
    hub.store.close()
    text = tmp_path / "day.md"
    assert main(["report", "daily", "--db", str(tmp_path / "p.db"), "--date", "2026-11-23",
                 "--out", str(tmp_path / "day.xlsx"), "--text", str(text)]) == 0
    report = text.read_text(encoding="utf-8")
    assert "应评价2次，实际评价1次，未评价1次" in report, report  # the web rating is a 实评; the other is still 未评
    assert "其中1次服务在窗口未评价，由群众扫描小票二维码补评（渠道：扫码评价）" in report
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "day.xlsx", read_only=True)
    cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert "等候时间长（扫码评价）" in cells  # the 差评 list names the reason and the channel
    assert left["number"] in cells  # the other service is still listed for 未评价回访
