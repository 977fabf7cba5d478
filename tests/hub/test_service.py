"""Wire → domain (hub.service.HubService.handle): bad input of every kind, roles, masking, catalog."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hallq import idcard
from hallq import protocol as p
from hub.hall import Hall
from hub.publisher import catalog
from hub.service import HubService
from hub.store import Store
from tests.hub.hub_helpers import PIN, FakeClock, event_count, reply, req, snapshot

VALID_ID = "11010519491231002X"
BAD_CHECKSUM_ID = "110105194912310021"


@pytest.fixture
def svc(small_hall: Hall, tmp_path: Path, clock: FakeClock) -> Iterator[HubService]:
    store = Store(tmp_path / "hub.db", durable=False)
    service = HubService(small_hall, store, b"k" * 32, clock)
    # warm up: the day has started, B001 waits, W1 is open
    assert reply(service.handle("K1", req("ticket.issue", {"matter": "mb", "situation": "s"})))["ok"]
    service.core.open_window(clock.now, "W1", "s1", "P1")  # skip the slow PIN hash in every test
    service.store.record(service.core, [])
    yield service
    store.close()


def ok(service: HubService, device: str, op: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    r = reply(service.handle(device, req(op, args)))
    assert r["ok"], r
    return dict(r["result"])


def env(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


BAD_PAYLOADS: list[tuple[str, str, bytes]] = [
    ("bad_json", "K1", b"{not json"),
    ("bad_json", "K1", b"\xff\xfe\x00"),
    ("bad_json", "K1", b""),
    ("bad_envelope", "K1", b"[1, 2]"),
    ("bad_envelope", "K1", b'"ticket.issue"'),
    ("bad_envelope", "K1", env(v=1, op="hall.snapshot")),
    ("bad_envelope", "K1", env(v=1, id="", op="hall.snapshot")),
    ("bad_envelope", "K1", env(v=1, id="x" * 65, op="hall.snapshot")),
    ("bad_envelope", "K1", env(v=1, id=7, op="hall.snapshot")),
    ("bad_envelope", "K1", env(id="r1", op="hall.snapshot")),
    ("bad_envelope", "K1", env(v="1", id="r1", op="hall.snapshot")),
    ("bad_envelope", "K1", env(v=True, id="r1", op="hall.snapshot")),
    ("unsupported_version", "K1", env(v=2, id="r1", op="hall.snapshot")),
    ("bad_envelope", "K1", env(v=1, id="r1")),
    ("bad_envelope", "K1", env(v=1, id="r1", op=5)),
    ("unknown_op", "K1", env(v=1, id="r1", op="ticket.delete")),
    ("bad_envelope", "K1", env(v=1, id="r1", op="ticket.issue", args=["ma", "s"])),
    ("bad_envelope", "K1", env(v=1, id="r1", op="hall.snapshot", args={}, extra=1)),
    ("bad_args", "K1", req("ticket.issue", {"matter": "ma", "situation": "s", "colour": "red"})),
    ("bad_args", "K1", req("ticket.issue", {"matter": "ma"})),
    ("bad_args", "K1", req("ticket.issue", {"matter": 5, "situation": "s"})),
    ("bad_args", "K1", req("ticket.issue", {"matter": "ma", "situation": "s", "assist": "yes"})),
    ("bad_args", "K1", req("ticket.issue", {"matter": "ma", "situation": "s", "name": "张" * 41})),
    ("bad_args", "K1", req("ticket.issue", {"matter": "ma", "situation": "s", "appointment_slot": True})),
    ("bad_args", "D1", req("evaluation.submit", {"window": "W1", "level": True})),
    ("bad_args", "D1", req("evaluation.submit", {"window": "W1", "level": 4.5})),
    ("bad_args", "ADM", req("window.set_queues", {"window": "W1", "queues": ["A", 1]})),
    ("bad_args", "ADM", req("window.set_queues", {"window": "W1", "queues": "A"})),
    ("too_large", "K1", req("ticket.issue", {"matter": "ma", "situation": "s", "note": "x" * p.MAX_PAYLOAD})),
    ("unknown_device", "X9", req("ticket.issue", {"matter": "ma", "situation": "s"})),
    ("unknown_device", "X9", req("hall.snapshot")),
    ("forbidden", "K1", req("ticket.call_next", {"window": "W1"})),
    ("forbidden", "K1", req("window.open", {"window": "W1", "staff": "s1", "pin": PIN})),
    ("forbidden", "K1", req("ticket.issue", {"matter": "ma", "situation": "s", "channel": "guide"})),
    ("forbidden", "P1", req("ticket.call_next", {"window": "W2"})),
    ("forbidden", "P1", req("window.close", {"window": "W2"})),
    ("forbidden", "P1", req("ticket.transfer", {"ticket": "B001", "to_queue": "A"})),
    ("forbidden", "P1", req("ticket.cancel", {"ticket": "B001", "reason": "x"})),
    ("forbidden", "P1", req("ticket.issue", {"matter": "ma", "situation": "s"})),
    ("forbidden", "D1", req("ticket.issue", {"matter": "ma", "situation": "s"})),
    ("forbidden", "D1", req("ticket.call_next", {"window": "W1"})),
    ("forbidden", "D1", req("window.open", {"window": "W1", "staff": "s1", "pin": PIN})),
    ("forbidden", "D1", req("evaluation.submit", {"window": "W2", "level": 5})),
    ("forbidden", "D1", req("evaluation.skip", {"window": "W2"})),
    ("forbidden", "DH", req("evaluation.submit", {"window": "W1", "level": 5})),
    ("no_pending_evaluation", "D1", req("evaluation.submit", {"window": "W1", "level": 5})),
    ("bad_pin", "P2", req("window.open", {"window": "W2", "staff": "s1", "pin": "0000"})),
    ("bad_pin", "P2", req("window.open", {"window": "W2", "staff": "nobody", "pin": PIN})),
    ("invalid_id_number", "K1", req("ticket.issue", {"matter": "ma", "situation": "s", "id_number": BAD_CHECKSUM_ID})),
    ("invalid_id_number", "K1", req("ticket.issue", {"matter": "ma", "situation": "s", "id_number": "1234"})),
    ("unknown_ticket", "K1", req("ticket.get", {"ticket": "A404"})),
    ("unknown_matter", "K1", req("ticket.issue", {"matter": "nope", "situation": "s"})),
    ("no_ticket_needed", "K1", req("ticket.issue", {"matter": "mo", "situation": "s"})),
    ("forbidden", "P1", req("window.close", {"window": "W3"})),
    # what a fuzzer found (issue 13 §8): each used to escape as an exception and take the batch with it
    ("too_deep", "K1", b"[" * 1000 + b"]" * 1000),
    ("too_deep", "K1", b'{"a":' * 1000 + b"1" + b"}" * 1000),
    ("too_deep", "K1", b'{"v":1,"id":"r1","op":"ticket.issue","args":{"matter":' + b"[" * 7 + b'"x"' + b"]" * 7
     + b"}}"),
    ("bad_number", "G1", b'{"v":1,"id":"r1","op":"ticket.issue","args":{"matter":"ma","situation":"s",'
                         b'"channel":"appointment","appointment_slot":NaN}}'),
    ("bad_number", "G1", b'{"v":1,"id":"r1","op":"ticket.issue","args":{"matter":"ma","situation":"s",'
                         b'"channel":"appointment","appointment_slot":Infinity}}'),
    ("bad_number", "G1", b'{"v":1,"id":"r1","op":"ticket.issue","args":{"matter":"ma","situation":"s",'
                         b'"channel":"appointment","appointment_slot":-Infinity}}'),
    ("bad_number", "G1", b'{"v":1,"id":"r1","op":"ticket.issue","args":{"matter":"ma","situation":"s",'
                         b'"channel":"appointment","appointment_slot":1e999}}'),
    ("bad_number", "G1", req("ticket.issue", {"matter": "ma", "situation": "s", "channel": "appointment",
                                              "appointment_slot": -1.0})),
    ("bad_number", "G1", req("ticket.issue", {"matter": "ma", "situation": "s", "channel": "appointment",
                                              "appointment_slot": 1e17})),
    ("bad_number", "K1", b'{"v":1,"id":"r1","op":"ticket.get","args":{"ticket":' + b"9" * 5000 + b"}}"),
    ("bad_number", "D1", req("evaluation.submit", {"window": "W1", "level": 2**63})),
    ("bad_number", "K1", b'{"v":1e400,"id":"r1","op":"hall.snapshot"}'),
    ("bad_text", "K1", b'{"v":1,"id":"\\ud800","op":"hall.snapshot"}'),
    ("bad_text", "K1", b'{"v":1,"id":"r1","op":"ticket.issue","args":{"matter":"\\udfff","situation":"s"}}'),
    ("bad_text", "K1", b'{"v":1,"id":"r1","op":"ticket.issue","args":{"\\ud83d":"ma","situation":"s"}}'),
    ("bad_json", "K1", b'{"v":1,"id":"\xed\xa0\x80","op":"hall.snapshot"}'),  # a surrogate encoded as UTF-8
    ("bad_json", "K1", '{"v":1,"id":"r1","op":"ticket.issue","args":{"matter":"户口","situation":"s"}}'
     .encode("gb18030")),
    ("bad_json", "K1", env(v=1, id="r1", op="hall.snapshot").decode().encode("utf-16")),
]


@pytest.mark.parametrize(("code", "device", "payload"), BAD_PAYLOADS,
                         ids=[f"{i:02d}-{c}-{d}" for i, (c, d, _) in enumerate(BAD_PAYLOADS)])
def test_bad_input_gets_its_code_and_changes_nothing(svc: HubService, code: str, device: str,
                                                     payload: bytes) -> None:
    events, state = event_count(svc.store), snapshot(svc.core)
    tickets, windows = svc.store.tickets(), svc.store.windows()
    out = svc.handle(device, payload)
    r = reply(out)
    assert r["ok"] is False
    assert out.ok is False
    assert r["error"]["code"] == code, r
    assert r["v"] == p.VERSION
    assert out.publications == []
    assert event_count(svc.store) == events
    assert snapshot(svc.core) == state
    assert (svc.store.tickets(), svc.store.windows()) == (tickets, windows)


def test_error_reply_echoes_the_request_id(svc: HubService) -> None:
    r = reply(svc.handle("K1", env(v=1, id="abc", op="ticket.delete")))
    assert (r["id"], r["error"]["code"]) == ("abc", "unknown_op")
    r2 = reply(svc.handle("K1", b"[]"))
    assert r2["id"] is None


def test_depth_is_measured_not_guessed(svc: HubService) -> None:
    """MAX_DEPTH levels are fine (the refusal is then about the argument); one more is too deep;
    brackets inside strings do not count."""
    at_limit = b'{"v":1,"id":"r1","op":"ticket.issue","args":{"matter":' + b"[" * 6 + b'"x"' + b"]" * 6 + b"}}"
    assert reply(svc.handle("K1", at_limit))["error"]["code"] == "bad_args"
    in_strings = req("ticket.issue", {"matter": "[" * 50 + "{" * 50, "situation": "s"})
    assert reply(svc.handle("K1", in_strings))["error"]["code"] == "unknown_matter"
    assert p.MAX_DEPTH == 8


def test_refusals_say_where_and_echo_only_a_usable_id(svc: HubService) -> None:
    r = reply(svc.handle("G1", b'{"v":1,"id":"r7","op":"ticket.issue","args":{"matter":"ma","situation":"s",'
                               b'"channel":"appointment","appointment_slot":NaN}}'))
    assert (r["id"], r["error"]["code"]) == ("r7", "bad_number")
    assert r["error"]["message"].startswith("args.appointment_slot: 数值 NaN 无效")
    r = reply(svc.handle("K1", b'{"v":1,"id":"r8","op":"ticket.issue","args":{"matter":"ma","situation":"s",'
                               b'"name":["\\ud800"]}}'))
    assert (r["id"], r["error"]["code"]) == ("r8", "bad_text")
    assert r["error"]["message"].startswith("args.name[0]: ")
    r = reply(svc.handle("K1", b'{"v":1,"id":"r9\\udbff","op":"hall.snapshot"}'))
    assert (r["id"], r["error"]["code"]) == (None, "bad_text")  # the id itself cannot be sent back


def test_no_nan_crosses_the_wire_either_way(svc: HubService) -> None:
    with pytest.raises(ValueError, match="NaN"):
        p.load(b'{"v":1,"at":NaN}')
    with pytest.raises(ValueError):
        p.load(b"[" * 100 + b"]" * 100)
    with pytest.raises(ValueError):
        p.dump({"at": float("inf")})
    with pytest.raises(ValueError):
        p.Request("r1", "ticket.issue", {"appointment_slot": float("nan")}).encode()
    assert p.load(b'{"v":1,"at":1795460300.5}') == {"v": 1, "at": 1795460300.5}
    # what the hub sends may nest deeper than a command (the catalog is 7 levels, printer tables come
    # from the hall file): devices accept up to 64
    assert p.load(b"[" * 20 + b"1" + b"]" * 20) is not None
    assert p.load(p.dump(catalog(svc.hall)))["hall"]["id"] == svc.hall.id


def test_every_protocol_code_is_in_the_error_table() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")
    table = doc[doc.index("## 5. Error codes"):doc.index("## 6.")]
    documented = set(re.findall(r"^\| `([a-z_]+)` \| (?:protocol|domain) \|", table, re.MULTILINE))
    assert set(p.ERROR_CODES) <= documented


def test_every_protocol_code_is_exercised() -> None:
    codes = {c for c, _, _ in BAD_PAYLOADS}
    # internal: see test_store; rate_limited: tests/security; not_signed_in: tests/test_hub_features
    assert set(p.ERROR_CODES) - codes == {"internal", "rate_limited", "not_signed_in"}


def test_happy_path_through_the_wire(svc: HubService) -> None:
    issued = ok(svc, "K1", "ticket.issue", {"matter": "ma", "situation": "s", "name": "张三",
                                            "phone": "13812345678"})["ticket"]
    assert (issued["number"], issued["state"], issued["ahead"]) == ("A001", "waiting", 0)
    assert (issued["applicant"], issued["phone_masked"]) == ("张**", "138****5678")  # issue 13 §4: one mask rule
    out = svc.handle("P1", req("ticket.call_next", {"window": "W1"}))
    called = reply(out)["result"]["ticket"]
    assert called["window"] == "W1"
    calls = [json.loads(pub.payload) for pub in out.publications if pub.topic == svc.topics.event("call")]
    assert calls
    assert calls[0]["text"] == f"请{called['number']}号到W1窗口办理"
    retained = {pub.topic for pub in out.publications if pub.retain}
    assert {svc.topics.queues, svc.topics.window("W1"), svc.topics.calls} <= retained
    ok(svc, "P1", "ticket.outcome", {"window": "W1", "outcome": "accepted"})
    ok(svc, "D1", "evaluation.submit", {"window": "W1", "level": 5})
    assert svc.core.ticket(called["number"]).evaluation == 5


def test_pad_opens_its_own_window_with_pin(svc: HubService) -> None:
    ok(svc, "P2", "window.open", {"window": "W2", "staff": "s2", "pin": PIN})
    assert svc.core.windows["W2"].staff == "s2"


def test_guide_force_calls_and_cancels(svc: HubService) -> None:
    ok(svc, "G1", "ticket.call", {"window": "W1", "ticket": "B001"})
    assert svc.core.windows["W1"].current.endswith("B001")


def test_kiosk_issue_with_id_number_is_masked_everywhere(svc: HubService) -> None:
    out = svc.handle("K1", req("ticket.issue", {"matter": "ma", "situation": "s", "id_number": VALID_ID}))
    assert out.ok
    text = out.reply.decode()
    assert VALID_ID not in text
    assert not idcard.looks_like_full_id(text)
    assert "110105********002X" in text
    for pub in out.publications:
        assert not idcard.looks_like_full_id(pub.payload.decode())
    # same person, same matter: refused, and the refusal does not echo the number either
    again = svc.handle("K1", req("ticket.issue", {"matter": "ma", "situation": "s", "id_number": VALID_ID.lower()}))
    assert reply(again)["error"]["code"] == "duplicate_ticket"
    assert not idcard.looks_like_full_id(again.reply.decode())


def test_invalid_id_number_is_not_echoed(svc: HubService) -> None:
    out = svc.handle("K1", req("ticket.issue", {"matter": "ma", "situation": "s", "id_number": BAD_CHECKSUM_ID}))
    assert reply(out)["error"]["code"] == "invalid_id_number"
    assert BAD_CHECKSUM_ID not in out.reply.decode()
    assert BAD_CHECKSUM_ID[:17] not in out.reply.decode()


def test_catalog_has_no_pin_hashes(svc: HubService, small_hall: Hall) -> None:
    pubs = {pub.topic: pub for pub in svc.all_state()}
    cat = pubs[svc.topics.catalog]
    assert cat.retain
    text = cat.payload.decode()
    assert "pbkdf2" not in text
    assert "pin_hash" not in text
    assert all(s.pin_hash not in text for s in small_hall.staff.values())
    data = json.loads(text)
    assert {s["id"] for s in data["staff"]} == {"s1", "s2", "s3"}
    assert json.loads(p.dump(catalog(small_hall))) == data


def test_query_is_not_stored_for_idempotency(svc: HubService) -> None:
    events = event_count(svc.store)
    rid = "q-1"
    first = svc.handle("K1", req("ticket.get", {"ticket": "B001"}, rid))
    assert reply(first)["result"]["ticket"]["number"] == "B001"
    assert svc.store.stored_reply("K1", rid) is None
    assert event_count(svc.store) == events


# ---------------------------------------------------------------- 呼叫后台 states on the wire (R11)


def test_summon_is_seen_answered_and_restored_after_a_restart(svc: HubService, clock: FakeClock,
                                                               tmp_path: Path) -> None:
    out = svc.handle("P1", req("window.summon", {"window": "W1", "note": "需要审批"}))
    first = json.loads(out.reply)["result"]
    sid = first["summon"]["id"]
    assert (first["summon"]["state"], first["summon"]["label"]) == ("pending", "待响应")
    events = [json.loads(x.payload) for x in out.publications if x.topic.endswith("/event/summon")]
    assert [(e["summon"], e["state"]) for e in events] == [(sid, "pending")]
    window = [json.loads(x.payload) for x in out.publications if x.topic.endswith("/state/window/W1")][-1]
    assert [(s["id"], s["state"]) for s in window["summons"]] == [(sid, "pending")]
    # a second summon of the same department while this one is open is refused, with a reason
    again = reply(svc.handle("P1", req("window.summon", {"window": "W1"})))
    assert again["error"]["code"] == "summon_open"
    clock.advance(150)
    answered = svc.handle("G1", req("summon.respond", {"summon": sid}))
    result = json.loads(answered.reply)["result"]["summon"]
    assert (result["state"], result["wait_s"], result["responded_at"]) == ("responded", 150.0, clock.now)
    window = [json.loads(x.payload) for x in answered.publications if x.topic.endswith("/state/window/W1")][-1]
    assert window["summons"][0]["label"] == "已响应"
    # the pad may not acknowledge for the back office; an unknown id is refused by code
    assert reply(svc.handle("P1", req("summon.arrive", {"summon": sid})))["error"]["code"] == "forbidden"
    assert reply(svc.handle("G1", req("summon.arrive", {"summon": "nope"})))["error"]["code"] == "unknown_summon"
    reloaded = HubService(svc.hall, svc.store, b"k" * 32, clock)
    assert reloaded.core.summons[sid].state.value == "responded"
    assert reloaded.publisher.window(reloaded.core, "W1", reloaded.seq, clock.now).summons[0].wait_s == 150.0


def test_unanswered_summon_escalates_on_tick(small_hall: Hall, tmp_path: Path, clock: FakeClock) -> None:
    import dataclasses

    hall = dataclasses.replace(small_hall, policy=dataclasses.replace(small_hall.policy, summon_escalate_min=3))
    svc = HubService(hall, Store(tmp_path / "e.db", durable=False), b"k" * 32, clock)
    svc.tick()
    svc.core.open_window(clock.now, "W1", "s1", "P1")
    sid = ok(svc, "P1", "window.summon", {"window": "W1"})["summon"]["id"]
    clock.advance(179)
    quiet = svc.tick()  # not yet: only the queues' waits, renewed by the clock (every 30 s of hall time)
    assert [x.topic for x in quiet] == [svc.publisher.topics.queues]
    assert svc.tick() == []  # renewed already: nothing more
    clock.advance(1)
    pubs = svc.tick()
    events = [json.loads(x.payload) for x in pubs if x.topic.endswith("/event/summon")]
    assert [(e["summon"], e["state"]) for e in events] == [(sid, "escalated")]
    window = [json.loads(x.payload) for x in pubs if x.topic.endswith("/state/window/W1")][-1]
    assert window["summons"][0]["state"] == "escalated" and window["summons"][0]["wait_s"] == 180.0
