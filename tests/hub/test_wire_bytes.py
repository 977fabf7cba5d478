"""The wire, byte for byte: a scripted day through the hub's service, every reply and every
publication (topic, retained or not, payload bytes) compared with ``wire_golden.txt``.

The golden file was written by the hub before its payloads were built from the typed messages
of ``hallq/messages.py`` and encoded with msgspec (and before ``hub/service.py`` was split into
a service and a publisher): what a third-party client receives did not change by one byte.
``HALLQ_WRITE_GOLDEN=1`` rewrites it (only for a change of the wire that an issue asks for).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hallq import idcard
from hallq import protocol as p
from hub.hall import Hall
from hub.service import HubService
from hub.store import Store
from tests.hub.hub_helpers import PIN, FakeClock

GOLDEN = Path(__file__).with_name("wire_golden.txt")
KEY = b"k" * 32
ID_NUMBER = "11010519491231002X"
# (device, op, args): every op, with refusals on the way, in one morning of the small hall
SCRIPT: list[tuple[str, str, dict[str, object]]] = [
    ("K1", "ticket.issue", {"matter": "ma", "situation": "s", "name": "张三丰", "id_number": ID_NUMBER,
                            "phone": "13812345678"}),
    ("K1", "ticket.issue", {"matter": "ma", "situation": "s", "id_number": ID_NUMBER}),  # duplicate_ticket
    ("K1", "ticket.issue", {"matter": "ma", "situation": "s", "priority_group": "elderly"}),
    ("K1", "ticket.issue", {"matter": "mb", "situation": "s", "assist": False}),
    ("K1", "ticket.issue", {"matter": "mc", "situation": "s", "name": "李"}),
    ("K1", "ticket.call_next", {"window": "W1"}),  # forbidden
    ("G1", "ticket.issue", {"matter": "ma2", "situation": "s", "reason": "帮办取号"}),
    ("K1", "ticket.get", {"ticket": "A001"}),
    ("K9", "hall.snapshot", {}),  # unknown_device
    ("P1", "tickets.list", {"queue": "A"}),
    ("G1", "tickets.list", {"state": "all"}),
    ("G1", "tickets.list", {"state": "nope"}),  # bad_args
    ("DH", "hall.snapshot", {}),
    ("G1", "guide.login", {"staff": "s2", "pin": PIN}),
    ("G1", "ticket.reprint", {"ticket": "A001", "device": "K1", "reason": "卡纸"}),
    ("G1", "ticket.reprint", {"ticket": "A001", "device": "P1"}),  # unknown_device (not a kiosk)
    ("G1", "ticket.verify_priority", {"ticket": "A002", "reason": "老年证"}),
    ("P1", "window.open", {"window": "W1", "staff": "s1", "pin": PIN}),
    ("P1", "window.open", {"window": "W1", "staff": "s1", "pin": "0000"}),  # bad_pin
    ("P2", "window.open", {"window": "W2", "staff": "s3", "pin": PIN}),
    ("P1", "ticket.call_next", {"window": "W1"}),
    ("P1", "ticket.recall", {"window": "W1"}),
    ("P1", "window.summon", {"window": "W1", "note": "请审批人员到窗口"}),
    ("G1", "summon.respond", {"summon": "__summon__"}),
    ("G1", "summon.arrive", {"summon": "__summon__"}),
    ("P1", "ticket.outcome", {"window": "W1", "outcome": "accepted", "note": "材料齐全"}),
    ("D1", "evaluation.submit", {"window": "W1", "level": 5}),
    ("P1", "ticket.call_next", {"window": "W1"}),
    ("P1", "ticket.outcome", {"window": "W1", "outcome": "passed"}),
    ("K1", "ticket.retake", {"ticket": "__passed__"}),
    ("P2", "ticket.call_next", {"window": "W2"}),
    ("P2", "ticket.transfer", {"window": "W2", "to_window": "W1", "note": "转综合窗口1"}),
    ("P1", "ticket.call_next", {"window": "W1"}),
    ("P1", "ticket.outcome", {"window": "W1", "outcome": "rejected", "reason": "材料不全"}),
    ("D1", "evaluation.skip", {"window": "W1"}),
    ("P1", "ticket.backfill", {"window": "W1", "matter": "ma", "situation": "s", "outcome": "consulted"}),
    ("P1", "window.pause", {"window": "W1", "reason": "休息"}),
    ("P1", "ticket.call_next", {"window": "W1"}),  # window_not_open
    ("P1", "window.resume", {"window": "W1"}),
    ("G1", "ticket.call", {"window": "W2", "ticket": "C001", "reason": "特呼"}),
    ("G1", "ticket.cancel", {"ticket": "B001", "reason": "群众离开"}),
    ("G1", "window.set_queues", {"window": "W2", "queues": ["A", "B"], "overflow": [], "reason": "高峰"}),
    ("K1", "appointment.checkin", {"code": "yy0001"}),
    ("K1", "appointment.checkin", {"code": "YY0001"}),  # appointment_used
    ("K1", "appointment.checkin", {"code": "NOPE"}),  # unknown_appointment
    ("K1", "appointment.checkin", {}),  # bad_args
    ("G1", "followups.list", {}),
    ("G1", "evaluation.followup", {"ticket": "__rejected__", "result": "explained", "note": "已电话沟通"}),
    ("G1", "evaluation.followup", {"ticket": "__rejected__", "result": "rated", "note": "x"}),  # bad_args
    ("G1", "followups.list", {"days": 3}),
    ("P2", "ticket.outcome", {"window": "W2", "outcome": "consulted"}),
    ("__tick__", "", {}),  # the evaluation at W2 times out
    ("G1", "tickets.expire", {"reason": "下班清号"}),
    ("P1", "window.close", {"window": "W1"}),
    ("G1", "guide.logout", {}),
    ("G1", "guide.logout", {}),  # not_signed_in
]


def _service(hall: Hall, path: Path, clock: FakeClock) -> HubService:
    store = Store(path, durable=False)
    slot = clock.now + 600
    store.add_appointments([{
        "code": "YY0001", "day": "2026-11-23", "slot_start": slot, "slot_end": slot + 1800, "matter": "ma",
        "situation": "s", "name_masked": "王**", "id_masked": "110105********0018",
        "id_hash": idcard.keyed_hash("110105194912310018", KEY), "phone_masked": ""}])
    return HubService(hall, store, KEY, clock)


@pytest.fixture
def svc(small_hall: Hall, tmp_path: Path, clock: FakeClock) -> Iterator[HubService]:
    service = _service(small_hall, tmp_path / "hub.db", clock)
    yield service
    service.store.close()


def _lines(svc: HubService, clock: FakeClock, names: dict[str, str] | None = None) -> list[str]:
    out = [f"start {pub.topic} retain={pub.retain} {pub.payload.decode()}" for pub in svc.all_state()]
    names = {} if names is None else names
    for n, (device, op, given) in enumerate(SCRIPT):
        clock.advance(7.25)
        if device == "__tick__":
            clock.advance(120)
            out += [f"tick {pub.topic} retain={pub.retain} {pub.payload.decode()}" for pub in svc.tick()]
            continue
        args = {k: names.get(str(v), v) for k, v in given.items()}
        outcome = svc.handle(device, p.Request(f"r{n:02d}", op, args).encode())
        assert outcome.reply is not None
        out.append(f"reply {device} {outcome.reply.decode()}")
        out += [f"  {pub.topic} retain={pub.retain} qos={pub.qos} {pub.payload.decode()}"
                for pub in outcome.publications]
        result = p.load(outcome.reply).get("result") or {}
        if op == "window.summon":
            names["__summon__"] = result["summon"]["id"]
        if op == "ticket.outcome" and args["outcome"] == "passed":
            names["__passed__"] = result["ticket"]["id"]
        if op == "ticket.outcome" and args["outcome"] == "rejected":
            names["__rejected__"] = result["ticket"]["id"]
    out += [f"end {pub.topic} retain={pub.retain} {pub.payload.decode()}" for pub in svc.all_state()]
    return out


def test_every_byte_on_the_wire_is_as_it_was(svc: HubService, clock: FakeClock) -> None:
    got = _lines(svc, clock)
    if os.environ.get("HALLQ_WRITE_GOLDEN"):
        GOLDEN.write_text("\n".join(got) + "\n", encoding="utf-8")
    want = GOLDEN.read_text(encoding="utf-8").splitlines()
    for i, (a, b) in enumerate(zip(got, want, strict=False)):
        assert a == b, f"line {i + 1} differs:\n got  {a}\n want {b}"
    assert len(got) == len(want)
    codes = {line.split('"code":"')[1].split('"')[0] for line in got if '"ok":false' in line}
    assert codes == {"duplicate_ticket", "forbidden", "unknown_device", "bad_args", "bad_pin", "window_not_open",
                     "appointment_used", "unknown_appointment", "not_signed_in"}
    kinds = {line.split()[0] if not line.startswith("  ") else line.split()[0].rsplit("/", 2)[-2] + "/"
             + line.split()[0].rsplit("/", 1)[-1] for line in got}
    for event in ("event/call", "event/priority", "event/evaluate", "event/evaluated", "event/summon",
                  "event/reprint"):
        assert event in kinds, event


def test_a_batch_answers_each_command_as_alone_and_repaints_each_topic_once(small_hall: Hall, tmp_path: Path,
                                                                             clock: FakeClock) -> None:
    """The runtime's path (handle_batch, one transaction): the same replies and events, byte for byte;
    the retained state once per topic per batch, as the batch left it; the same day at the end."""
    start = clock.now
    names: dict[str, str] = {}
    alone = _lines(_service(small_hall, tmp_path / "alone.db", clock), clock, names)
    clock.now = start
    svc = _service(small_hall, tmp_path / "batch.db", clock)
    real = svc._handle

    def stepped(device: str, payload: bytes) -> object:  # each command at its own time, as above
        clock.advance(7.25)
        return real(device, payload)

    svc._handle = stepped  # type: ignore[assignment,method-assign]
    got = [f"start {pub.topic} retain={pub.retain} {pub.payload.decode()}" for pub in svc.all_state()]
    ticks = [n for n, (device, _, _) in enumerate(SCRIPT) if device == "__tick__"]
    runs = [SCRIPT[:ticks[0]], SCRIPT[ticks[0] + 1:]]
    n = 0
    for run_no, run in enumerate(runs):
        if run_no:
            clock.advance(7.25 + 120)
            got += [f"tick {pub.topic} retain={pub.retain} {pub.payload.decode()}" for pub in svc.tick()]
            n += 1
        for at in range(0, len(run), 5):
            batch = [(device, p.Request(f"r{n + i:02d}", op, {k: names.get(str(v), v) for k, v in args.items()})
                      .encode()) for i, (device, op, args) in enumerate(run[at:at + 5])]
            n += len(batch)
            done = svc.handle_batch(batch)
            got += [f"reply {device} {answer.decode()}" for device, answer in done.replies]
            retained = [pub.topic for pub in done.publications if pub.retain]
            assert len(retained) == len(set(retained)), "a batch repaints each retained topic once"
            got += [f"  {pub.topic} retain={pub.retain} qos={pub.qos} {pub.payload.decode()}"
                    for pub in done.publications if not pub.retain]
    got += [f"end {pub.topic} retain={pub.retain} {pub.payload.decode()}" for pub in svc.all_state()]
    def kinds(lines: list[str]) -> tuple[list[str], ...]:
        return ([x for x in lines if x.startswith("reply ")], [x for x in lines if " retain=False " in x],
                [x for x in lines if x.startswith(("start ", "tick ", "end "))])

    replies, events, rest = kinds(got)
    assert (replies, events, rest) == kinds(alone)
    assert len(replies) == len(SCRIPT) - 1
