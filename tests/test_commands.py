"""Every operation's arguments, at the door: what is accepted and what each malformed command is
refused with (the code, and a message that names the op and the argument).

The code table below was written first and ran green on the hand-made argument table that came
before the typed commands (``hallq/commands.py``): the typed definitions refuse exactly what it
refused, with the same codes and the same messages.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from msgspec import UNSET

from hallq import protocol as p

# one complete, valid set of arguments per op: every argument it takes, each of the right type (and none
# at its default value, so the typed command gives back exactly this)
FULL: dict[str, dict[str, Any]] = {
    "ticket.issue": {"matter": "m", "situation": "s", "channel": "kiosk", "priority_group": "elderly",
                     "name": "张三", "id_number": "11010519491231002X", "phone": "13800138000", "assist": True,
                     "appointment_slot": 1795471200, "target_window": "S01", "reason": "帮办",
                     "notify_consent": True},
    "ticket.retake": {"ticket": "A001"},
    "ticket.call_next": {"window": "S01"},
    "ticket.call": {"window": "S01", "ticket": "A001", "reason": "特呼"},
    "ticket.recall": {"window": "S01"},
    "ticket.outcome": {"window": "S01", "outcome": "accepted", "reason": "齐全", "note": "材料齐全"},
    "ticket.backfill": {"window": "S01", "matter": "m", "situation": "s", "outcome": "consulted", "reason": "咨询",
                        "note": "补录"},
    "ticket.transfer": {"window": "S01", "ticket": "A001", "to_queue": "B", "to_window": "S02", "keep_place": False,
                        "note": "企业"},
    "ticket.cancel": {"ticket": "A001", "reason": "打印失败"},
    "ticket.verify_priority": {"ticket": "A001", "group": "elderly", "reason": "老年证"},
    "ticket.reprint": {"ticket": "A001", "device": "K1", "reason": "卡纸"},
    "appointment.checkin": {"code": "AB12CD", "id_number": "11010519491231002X"},
    "tickets.list": {"queue": "A", "state": "all", "window": "S01"},
    "ticket.get": {"ticket": "A001"},
    "tickets.expire": {"reason": "下班"},
    "window.open": {"window": "S01", "staff": "1001", "pin": "1234"},
    "window.pause": {"window": "S01", "reason": "休息"},
    "window.resume": {"window": "S01", "reason": "回来"},
    "window.close": {"window": "S01", "reason": "下班"},
    "window.set_queues": {"window": "S01", "queues": ["A", "B"], "overflow": ["C"], "reason": "高峰"},
    "window.summon": {"window": "S01", "department": "公安局", "note": "请审批"},
    "summon.respond": {"summon": "2026-11-24-H001"},
    "summon.arrive": {"summon": "2026-11-24-H001"},
    "evaluation.submit": {"window": "S01", "level": 2, "reason": "慢", "ticket": "A001"},
    "evaluation.skip": {"window": "S01"},
    "followups.list": {"days": 7},
    "evaluation.followup": {"ticket": "2026-11-23-A001", "result": "rated", "note": "已回访", "level": 4},
    "guide.login": {"staff": "2001", "pin": "1234"},
    "guide.logout": {},
    "backoffice.login": {"staff": "3001", "pin": "1234"},
    "backoffice.logout": {},
    "backoffice.whoami": {},
    "guide.whoami": {},
    "hall.snapshot": {},
    "case.accept": {"window": "S01", "ticket": "A001", "kind": "promised", "promised_days": 5, "number": "SX-2027-1",
                    "department": "公安局", "materials": [{"name": "身份证", "form": "copy", "count": 2}],
                    "delivery": "mail", "compartment": "A-07", "address": "某市某路1号", "id_number": "11010519491231002X"},
    "case.pick_up": {"case": "2026-11-23-A001-1", "staff": "2001"},
    "case.sign": {"case": "2026-11-23-A001-1", "staff": "3001"},
    "case.notify_correction": {"case": "C1", "reasons": ["缺少签字"], "deadline": "2027-01-15", "staff": "3001"},
    "case.receive_correction": {"window": "S01", "case": "C1", "materials": [{"name": "申请书"}]},
    "case.approve": {"case": "C1", "result_kind": "证书", "staff": "3001"},
    "case.deny": {"case": "C1", "reasons": ["不符合条件"], "staff": "3001"},
    "case.send_out": {"case": "C1", "staff": "3001"},
    "case.receive_result": {"window": "S10", "case": "C1"},
    "case.collect": {"window": "S10", "case": "C1", "id_number": "11010519491231002X", "name": "张三", "proxy": True,
                     "authorisation": "WT-1"},
    "case.locker": {"window": "S10", "case": "C1", "compartment": "A-07"},
    "case.post": {"window": "S10", "case": "C1", "tracking": "SF123"},
    "case.done_on_spot": {"window": "S01", "case": "C1", "result_kind": "证书"},
    "case.change_delivery": {"window": "S10", "case": "C1", "delivery": "mail", "compartment": "A-01",
                             "address": "某市某路2号"},
    "case.get": {"case": "C1"},
    "cases.list": {"view": "overdue", "department": "公安局", "state": "in_review"},
    "progress.get": {"token": "2026-11-23-A001.Xc1bIWSLL9pm0Rr2m5vC3w"},
    "progress.rate": {"token": "2026-11-23-A001.Xc1bIWSLL9pm0Rr2m5vC3w", "level": 2, "reason": "等候时间长"},
    "notify.watch": {},
    "notify.phone": {"ticket": "2026-11-23-A001"},
    "notify.claim": {"ticket": "2026-11-23-A001", "key": "2026-11-23-A001:near", "kind": "near", "cap": 3},
    "followup.phone": {"ticket": "2026-11-23-A001"},
}
# what each op needs at least
REQUIRED: dict[str, set[str]] = {
    "ticket.issue": {"matter", "situation"}, "ticket.retake": {"ticket"}, "ticket.call_next": {"window"},
    "ticket.call": {"window", "ticket"}, "ticket.recall": {"window"}, "ticket.outcome": {"window", "outcome"},
    "ticket.backfill": {"window", "matter", "situation", "outcome"}, "ticket.transfer": set(),
    "ticket.cancel": {"ticket", "reason"}, "ticket.verify_priority": {"ticket"},
    "ticket.reprint": {"ticket", "device"}, "appointment.checkin": set(), "tickets.list": set(),
    "ticket.get": {"ticket"}, "tickets.expire": set(), "window.open": {"window", "staff", "pin"},
    "window.pause": {"window", "reason"}, "window.resume": {"window"}, "window.close": {"window"},
    "window.set_queues": {"window", "queues"}, "window.summon": {"window"}, "summon.respond": {"summon"},
    "summon.arrive": {"summon"}, "evaluation.submit": {"window", "level"}, "evaluation.skip": {"window"},
    "followups.list": set(), "evaluation.followup": {"ticket", "result", "note"},
    "guide.login": {"staff", "pin"}, "guide.logout": set(),
    "backoffice.login": {"staff", "pin"}, "backoffice.logout": set(), "hall.snapshot": set(),
    "backoffice.whoami": set(), "guide.whoami": set(),
    "case.accept": {"window", "ticket"}, "case.pick_up": {"case"}, "case.sign": {"case"},
    "case.notify_correction": {"case", "reasons"}, "case.receive_correction": {"window", "case"},
    "case.approve": {"case"}, "case.deny": {"case", "reasons"}, "case.send_out": {"case"},
    "case.receive_result": {"window", "case"}, "case.collect": {"window", "case"}, "case.locker": {"window", "case"},
    "case.post": {"window", "case", "tracking"}, "case.done_on_spot": {"window", "case"},
    "case.change_delivery": {"window", "case", "delivery"}, "case.get": {"case"}, "cases.list": set(),
    "progress.get": {"token"}, "progress.rate": {"token", "level"},
    "notify.watch": set(), "notify.phone": {"ticket"}, "notify.claim": {"ticket", "key", "kind"},
    "followup.phone": {"ticket"},
}


def command(op: str, args: Any, rid: str = "r1") -> bytes:
    return json.dumps({"v": 1, "id": rid, "op": op, "args": args}, ensure_ascii=False).encode()


def refusal(payload: bytes) -> p.ProtocolError:
    with pytest.raises(p.ProtocolError) as info:
        p.decode_request(payload)
    return info.value


def test_the_ops_are_these() -> None:
    assert set(p.OPS) == set(FULL) == set(REQUIRED)


@pytest.mark.parametrize("op", sorted(FULL))
def test_every_op_round_trips_with_every_argument(op: str) -> None:
    sent = p.Request("r1", op, FULL[op])
    got = p.decode_request(sent.encode())
    assert (got.id, got.op, got.args, got.v) == ("r1", op, FULL[op], 1)
    p.check_args(op, FULL[op])  # what the reference client checks before it sends


@pytest.mark.parametrize("op", sorted(FULL))
def test_every_op_takes_only_its_required_arguments(op: str) -> None:
    least = {k: v for k, v in FULL[op].items() if k in REQUIRED[op]}
    assert p.decode_request(command(op, least)).args == least


@pytest.mark.parametrize("op", sorted(FULL))
def test_every_required_argument_missing_is_bad_args(op: str) -> None:
    for name in REQUIRED[op]:
        args = {k: v for k, v in FULL[op].items() if k != name}
        exc = refusal(command(op, args))
        assert (exc.code, exc.request_id) == ("bad_args", "r1")
        assert exc.message == f"{op}: missing argument {name!r}"


@pytest.mark.parametrize("op", sorted(FULL))
def test_every_op_refuses_an_unknown_argument(op: str) -> None:
    exc = refusal(command(op, {**FULL[op], "colour": "red"}))
    assert (exc.code, exc.message) == ("bad_args", f"{op}: unknown argument 'colour'")


@pytest.mark.parametrize("op", sorted(FULL))
def test_every_argument_of_the_wrong_type_is_bad_args(op: str) -> None:
    for name, good in FULL[op].items():
        bad: Any = {"k": 1} if not isinstance(good, dict) else "x"
        exc = refusal(command(op, {**FULL[op], name: bad}))
        assert exc.code == "bad_args", (op, name)
        assert exc.message.startswith(f"{op}: {name!r} must be "), exc.message
        assert exc.message.endswith(", got dict"), exc.message


# (code, op, args, message): the cases one at a time, pinned as they were before the typed commands
CASES: list[tuple[str, str, Any, str]] = [
    ("bad_args", "ticket.issue", {"matter": "m", "situation": "s", "colour": "red"},
     "ticket.issue: unknown argument 'colour'"),
    ("bad_args", "ticket.issue", {"matter": "m"}, "ticket.issue: missing argument 'situation'"),
    ("bad_args", "ticket.issue", {"situation": "s", "colour": 1}, "ticket.issue: unknown argument 'colour'"),
    ("bad_args", "ticket.issue", {"situation": "s", "appointment_slot": -1},
     "ticket.issue: missing argument 'matter'"),
    ("bad_args", "ticket.issue", {"matter": 5, "situation": "s"}, "ticket.issue: 'matter' must be a string, got int"),
    ("bad_args", "ticket.issue", {"matter": None, "situation": "s"},
     "ticket.issue: 'matter' must be a string, got NoneType"),
    ("bad_args", "ticket.issue", {"matter": "m", "situation": "s", "assist": "yes"},
     "ticket.issue: 'assist' must be a boolean, got str"),
    ("bad_args", "ticket.issue", {"matter": "m", "situation": "s", "assist": 1},
     "ticket.issue: 'assist' must be a boolean, got int"),
    ("bad_args", "ticket.issue", {"matter": True, "situation": "s"},
     "ticket.issue: 'matter' must be a string, got a boolean"),
    ("bad_args", "ticket.issue", {"matter": "m", "situation": "s", "name": "张" * 41},
     "ticket.issue: 'name' is longer than 40 characters"),
    ("bad_args", "ticket.issue", {"matter": "m", "situation": "s", "phone": "1" * 21},
     "ticket.issue: 'phone' is longer than 20 characters"),
    ("bad_args", "ticket.issue", {"matter": "m" * 201, "situation": "s"},
     "ticket.issue: 'matter' is longer than 200 characters"),
    ("bad_args", "ticket.issue", {"matter": "m", "situation": "s", "appointment_slot": True},
     "ticket.issue: 'appointment_slot' must be an integer or a number, got a boolean"),
    ("bad_args", "ticket.issue", {"matter": "m", "situation": "s", "appointment_slot": "9"},
     "ticket.issue: 'appointment_slot' must be an integer or a number, got str"),
    ("bad_number", "ticket.issue", {"matter": "m", "situation": "s", "appointment_slot": -1.0},
     "ticket.issue: 'appointment_slot' 超出范围 0-4102444800 (out of range)"),
    ("bad_number", "ticket.issue", {"matter": "m", "situation": "s", "appointment_slot": 4102444801},
     "ticket.issue: 'appointment_slot' 超出范围 0-4102444800 (out of range)"),
    ("bad_number", "ticket.issue", {"matter": "m", "situation": "s", "appointment_slot": 1e17},
     "args.appointment_slot: 数值 1e+17 无效（不接受 NaN、Infinity 或超过 ±9007199254740991 的数）"
     " (not a number the hall accepts)"),
    ("bad_args", "evaluation.submit", {"window": "S01", "level": True},
     "evaluation.submit: 'level' must be an integer, got a boolean"),
    ("bad_args", "evaluation.submit", {"window": "S01", "level": 4.5},
     "evaluation.submit: 'level' must be an integer, got float"),
    ("bad_args", "evaluation.submit", {"window": "S01", "level": 4.0},
     "evaluation.submit: 'level' must be an integer, got float"),
    ("bad_args", "window.set_queues", {"window": "S01", "queues": ["A", 1]},
     "window.set_queues: 'queues' must be a list of short strings"),
    ("bad_args", "window.set_queues", {"window": "S01", "queues": ["A", "x" * 33]},
     "window.set_queues: 'queues' must be a list of short strings"),
    ("bad_args", "window.set_queues", {"window": "S01", "queues": ["A"], "overflow": [["B"]]},
     "window.set_queues: 'overflow' must be a list of short strings"),
    ("bad_args", "window.set_queues", {"window": "S01", "queues": "A"},
     "window.set_queues: 'queues' must be a list, got str"),
    ("bad_args", "window.set_queues", {"window": "S01", "queues": {"A": 1}},
     "window.set_queues: 'queues' must be a list, got dict"),
    ("bad_args", "window.open", {"window": "S01", "staff": "1001", "pin": "1" * 33},
     "window.open: 'pin' is longer than 32 characters"),
    ("bad_args", "ticket.outcome", {"window": "S01", "outcome": "accepted", "note": "x" * 501},
     "ticket.outcome: 'note' is longer than 500 characters"),
    ("bad_args", "summon.respond", {"summon": "x" * 41}, "summon.respond: 'summon' is longer than 40 characters"),
    ("bad_args", "appointment.checkin", {"code": "x" * 33}, "appointment.checkin: 'code' is longer than 32 characters"),
    ("bad_args", "followups.list", {"days": "10"}, "followups.list: 'days' must be an integer, got str"),
    ("bad_args", "ticket.transfer", {"window": "S01", "keep_place": "yes"},
     "ticket.transfer: 'keep_place' must be a boolean, got str"),
    ("bad_args", "guide.logout", {"staff": "2001"}, "guide.logout: unknown argument 'staff'"),
    ("bad_args", "hall.snapshot", {"x": None}, "hall.snapshot: unknown argument 'x'"),
    ("bad_envelope", "ticket.issue", ["m", "s"], "'args' must be a JSON object"),
    ("bad_envelope", "hall.snapshot", None, "'args' must be a JSON object"),
    ("unknown_op", "ticket.print", {}, "unknown op 'ticket.print'"),
    ("unknown_op", "Ticket.Issue", {}, "unknown op 'Ticket.Issue'"),
]


@pytest.mark.parametrize(("code", "op", "args", "message"), CASES,
                         ids=[f"{i:02d}-{c}-{o}" for i, (c, o, _, _) in enumerate(CASES)])
def test_a_malformed_command_gets_its_code_and_says_what_and_where(code: str, op: str, args: Any,
                                                                   message: str) -> None:
    exc = refusal(command(op, args, rid="k1-x9"))
    assert (exc.code, exc.message, exc.request_id) == (code, message, "k1-x9")


def test_a_missing_args_object_is_no_arguments() -> None:
    got = p.decode_request(b'{"v":1,"id":"r1","op":"hall.snapshot"}')
    assert (got.op, got.args) == ("hall.snapshot", {})
    assert refusal(b'{"v":1,"id":"r1","op":"ticket.get"}').message == "ticket.get: missing argument 'ticket'"


def test_the_reference_client_checks_arguments_the_same_way() -> None:
    with pytest.raises(p.ProtocolError) as info:
        p.check_args("ticket.issue", {"matter": "m", "situation": "s", "name": "张" * 41})
    assert (info.value.code, info.value.message) == ("bad_args", "ticket.issue: 'name' is longer than 40 characters")
    with pytest.raises(p.ProtocolError) as info:
        p.check_args("ticket.issue", {"matter": "m", "situation": "s", "appointment_slot": -5})
    assert info.value.code == "bad_number"


# ---------------------------------------------------------------- the typed commands


@pytest.mark.parametrize("op", sorted(FULL))
def test_every_op_decodes_to_its_typed_command_and_back(op: str) -> None:
    from hallq import commands

    got = p.decode_request(command(op, FULL[op]))
    kind = commands.COMMANDS[op]
    assert type(got.command) is kind
    assert kind.op == op
    for name, value in FULL[op].items():  # nested arguments (a case's materials) are Structs: as JSON values
        assert msgspec.to_builtins(getattr(got.command, name)) == value
        assert type(getattr(got.command, name)) is type(value)
    assert got.command.args() == FULL[op]  # the typed command is the args object, nothing lost or added
    assert p.decode_request(p.Request("r2", op, kind(**FULL[op]).args()).encode()).command == got.command
    assert set(p.OPS[op].args) == set(kind.__struct_fields__)  # the table view is read off the same class
    assert {n for n, a in p.OPS[op].args.items() if a.required} == REQUIRED[op]


def test_an_argument_left_out_takes_the_default_the_hub_assumes() -> None:
    from hallq import commands

    issue = p.decode_request(command("ticket.issue", {"matter": "m", "situation": "s"})).command
    assert isinstance(issue, commands.TicketIssue)
    assert (issue.name, issue.assist, issue.channel, issue.appointment_slot) == ("", False, UNSET, UNSET)
    assert issue.args() == {"matter": "m", "situation": "s"}
    listing = p.decode_request(command("tickets.list", {})).command
    assert isinstance(listing, commands.TicketsList)
    assert listing.state == "waiting"
    days = p.decode_request(command("followups.list", {})).command
    assert isinstance(days, commands.FollowupsList)
    assert days.days == 10
    slot = p.decode_request(command("ticket.issue", {"matter": "m", "situation": "s", "appointment_slot": 7})).command
    assert isinstance(slot, commands.TicketIssue)
    assert slot.appointment_slot == 7
    assert type(slot.appointment_slot) is int


def test_a_typed_command_cannot_be_changed_after_the_check() -> None:
    got = p.decode_request(command("ticket.get", {"ticket": "A001"})).command
    with pytest.raises(AttributeError):
        got.ticket = "A002"  # type: ignore[union-attr]
