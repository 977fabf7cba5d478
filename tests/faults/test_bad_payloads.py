"""One broken or hostile device cannot take other devices' commands with it (issue 13 §8).

The hub commits commands in groups (one fsync for many). A payload nested 1,000 deep, a
number of 5,000 digits or a request id holding a lone surrogate used to escape the decoder
as an exception and roll back the whole group: other devices' valid commands were never
answered and the rolled-back call stayed on the hall screens (``state/calls``). A database
holding a ticket whose appointment slot was ``NaN`` (accepted by an older hub) stopped the
hub from starting at all.

Here, against the real hub on real brokers and real SQLite files:

- a batch mixing valid commands with every kind of bad payload answers each command on its
  own, and retained state shows only what was committed, even when the commit itself fails;
- a seeded corpus of 10,000 hostile messages (random bytes, deep nesting, huge numbers,
  NaN/Infinity, lone surrogates, wrong encodings, valid envelopes with one field broken, oversized),
  sent as every device of the hall and some that are not, while honest devices work: each
  message gets its error reply (or, with no device to answer, a documented drop), no honest
  command is lost, and nothing refused changes the database or a retained topic;
- a hub starts and serves on a database holding that NaN ticket, and says which event made it.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from hallq import protocol as p
from hallq.client import HallClient
from hub.config import load_hall
from hub.core import estimate
from hub.hall import Hall
from hub.runtime import Hub
from hub.service import HubService
from hub.store import Store
from launcher.hub_commands import always_open
from tests.hub.hub_helpers import PIN, FakeClock, as_the_old_hub_left_it, local_ts

from .conftest import HubProc, client, hall_file, wait_until

ISSUE = {"matter": "hukou-move", "situation": "with-house"}  # queue A of the sample hall, S01 serves it
CORPUS = 10_000
SEED = 13
# A device the hub cannot answer: the topic level is not a device id ([A-Za-z0-9_-]{1,32}). Documented drop.
UNANSWERABLE = ("K 1", "窗口1", "x" * 33, "K1.", "")
UNKNOWN = ("X9", "K99", "hub")


def quiet_hall(tmp_path: Path) -> Path:
    """The sample hall with rate limiting off: this test is about bad input, not about floods."""
    path = hall_file(tmp_path, kiosks=2)
    text = re.sub(r"(?m)^rate_(per_minute|burst)\s*=.*$", "", path.read_text(encoding="utf-8"))
    path.write_text(text.replace("[policy]\n", "[policy]\nrate_per_minute = 0\n", 1), encoding="utf-8")
    return path


def cmd(rid: str, op: str, args: dict[str, Any] | None = None) -> bytes:
    return json.dumps({"v": 1, "id": rid, "op": op, "args": args or {}}, ensure_ascii=False).encode()


class Listener:
    """A raw paho subscriber: every message on the given filters, in order, thread-safe."""

    def __init__(self, url: str, *filters: str) -> None:
        host, port = url.removeprefix("mqtt://").split(":")
        self.items: list[tuple[str, bytes, bool]] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.c.on_connect = lambda c, *_: c.subscribe([(f, 1) for f in filters])
        self.c.on_subscribe = lambda *_: self._subscribed.set()
        self.c.on_message = self._on_message
        self.c.connect(host, int(port))
        self.c.loop_start()
        assert self._subscribed.wait(10), "subscription not acknowledged"

    def _on_message(self, _c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.items.append((msg.topic, bytes(msg.payload), bool(msg.retain)))

    def messages(self) -> list[tuple[str, bytes, bool]]:
        with self._lock:
            return list(self.items)

    def stop(self) -> None:
        self.c.loop_stop()
        self.c.disconnect()


def replies(listener: Listener, topics: p.Topics) -> list[tuple[str, dict[str, Any]]]:
    prefix = topics.base + "/reply/"
    return [(t[len(prefix):], json.loads(b)) for t, b, _ in listener.messages() if t.startswith(prefix)]


def retained_state(url: str, topics: p.Topics) -> dict[str, Any]:
    """What a screen that connects now is given: every retained state topic, decoded."""
    listener = Listener(url, topics.base + "/state/#")
    time.sleep(1.0)
    listener.stop()
    return {t: json.loads(b) for t, b, retained in listener.messages()
            if retained and t.startswith(topics.base + "/state/")}


def comparable(state: dict[str, Any]) -> dict[str, Any]:
    """Retained state without publication sequence numbers (a window last repainted earlier
    carries an older seq): the calls as (ticket, window, recall), the rest field by field, the
    predicted wait (``wait_*``) included: the times it is made of are rebuilt from the stored events."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "seq"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    out = {}
    for topic, data in state.items():
        if topic.endswith("/state/calls"):
            out[topic] = [(c["ticket"], c["window"], c["recall"]) for c in data["calls"]]
        else:
            out[topic] = strip(data)
    return out


def committed_state(hall: Hall, db: Path, clock: FakeClock) -> dict[str, Any]:
    """Retained state as a hub starting afresh on the database would publish it."""
    store = Store(db, durable=False)
    try:
        svc = HubService(hall, store, b"k" * 32, clock)
        return {pub.topic: json.loads(pub.payload) for pub in svc.all_state() if "/state/" in pub.topic}
    finally:
        store.close()


@pytest.fixture
def quiet(tmp_path: Path) -> Hall:
    return load_hall(quiet_hall(tmp_path))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local_ts(2026, 11, 23, 9, 0))  # a Monday morning in the hall's zone


@pytest.fixture
def batch_hub(quiet: Hall, broker: Any, tmp_path: Path, clock: FakeClock) -> Iterator[Hub]:
    """The real hub connected to the broker, its worker not running: the test hands it one
    batch at a time, exactly as the worker does when commands arrive faster than an fsync."""
    hub = Hub(quiet, tmp_path / "hub.db", broker.url, clock=clock, durable=False)
    hub.client.start(20)
    yield hub
    hub.client.stop()
    hub.store.close()


# ---------------------------------------------------------------- one batch


BAD_IN_A_BATCH: list[tuple[str, bytes, str | None]] = [  # (what, payload, code; None: dropped)
    ("deep nesting", b'{"v":1,"id":"deep","op":"hall.snapshot","args":' + b"[" * 1000 + b"]" * 1000 + b"}",
     "too_deep"),
    ("a 5,000-digit number", b'{"v":1,"id":"huge","op":"ticket.get","args":{"ticket":' + b"9" * 5000 + b"}}",
     "bad_number"),
    ("a lone surrogate in the id", b'{"v":1,"id":"\\ud800","op":"hall.snapshot","args":{}}', "bad_text"),
    ("a lone surrogate in an argument", b'{"v":1,"id":"sur","op":"ticket.issue","args":{"matter":"\\udc00",'
                                        b'"situation":"x"}}', "bad_text"),
    ("NaN", b'{"v":1,"id":"nan","op":"ticket.issue","args":{"matter":"hukou-move","situation":"with-house",'
            b'"channel":"appointment","appointment_slot":NaN}}', "bad_number"),
]


def test_a_bad_payload_is_refused_alone_in_its_batch(batch_hub: Hub, broker: Any) -> None:
    hub, t = batch_hub, batch_hub.client.topics
    listener = Listener(broker.url, t.base + "/reply/+", t.calls)
    hub._handle_batch([("P-S01", cmd("open", "window.open", {"window": "S01", "staff": "1001", "pin": PIN})),
                       ("K1", cmd("i1", "ticket.issue", ISSUE)), ("K2", cmd("i2", "ticket.issue", ISSUE))])
    wait_until(lambda: len(replies(listener, t)) >= 3, 10, "the first batch's replies")
    listener.items.clear()
    batch: list[tuple[str, bytes]] = [("P-S01", cmd("call", "ticket.call_next", {"window": "S01"}))]
    for what, payload, _ in BAD_IN_A_BATCH:
        batch += [("K1", payload), ("K2", cmd(f"after {what}", "ticket.issue", ISSUE))]
    batch += [("K 1", b'{"v":1,"id":"nobody","op":"hall.snapshot"}')]  # no device to answer: dropped
    hub._handle_batch(batch)

    wait_until(lambda: len(replies(listener, t)) >= 1 + 2 * len(BAD_IN_A_BATCH), 10,
               "a reply to every command of the batch")
    time.sleep(0.3)  # anything extra would arrive now
    got = replies(listener, t)
    by_id = {(device, r["id"]): r for device, r in got}
    assert len(got) == 1 + 2 * len(BAD_IN_A_BATCH), got  # every answerable command once; the drop not at all
    assert by_id[("P-S01", "call")]["result"]["ticket"]["number"] == "A001"
    numbers = [by_id[("K2", f"after {what}")]["result"]["ticket"]["number"] for what, _, _ in BAD_IN_A_BATCH]
    assert numbers == ["A003", "A004", "A005", "A006", "A007"]  # each valid command done, in order
    refusals = [r for device, r in got if device == "K1"]
    assert [r["error"]["code"] for r in refusals] == [code for _, _, code in BAD_IN_A_BATCH]
    assert [r["id"] for r in refusals] == [None, "huge", None, "sur", "nan"]  # the surrogate id is not echoed
    assert all(r["ok"] is False for r in refusals)
    # retained state: the call that was committed, once; the database agrees; nothing of the refusals
    calls = [json.loads(b) for topic, b, _ in listener.messages() if topic == t.calls]
    assert [(c["number"], c["window"]) for c in calls[-1]["calls"]] == [("A001", "S01")]
    conn = sqlite3.connect(hub.store.path)
    try:
        issued = conn.execute("SELECT COUNT(*) FROM events WHERE type='ticket.issued'").fetchone()[0]
        ids = {r[0] for r in conn.execute("SELECT id FROM requests")}
    finally:
        conn.close()
    assert issued == 2 + len(BAD_IN_A_BATCH)
    assert ids == {"open", "i1", "i2", "call", *(f"after {w}" for w, _, _ in BAD_IN_A_BATCH)}
    listener.stop()


def test_a_failed_group_commit_leaves_no_call_on_the_screens(batch_hub: Hub, broker: Any) -> None:
    """The commit itself fails (here SQLite refuses COMMIT, as a full or failing disk would):
    nobody is answered (the clients retry with their ids) and ``state/calls`` must not show
    the call that never happened, then or after the next command."""
    hub, t = batch_hub, batch_hub.client.topics
    listener = Listener(broker.url, t.base + "/reply/+", t.calls)
    hub._handle_batch([("P-S01", cmd("open", "window.open", {"window": "S01", "staff": "1001", "pin": PIN})),
                       ("K1", cmd("i1", "ticket.issue", ISSUE)), ("K1", cmd("i2", "ticket.issue", ISSUE))])
    wait_until(lambda: len(replies(listener, t)) >= 3, 10, "the first batch's replies")
    listener.items.clear()

    def no_commit(action: int, arg1: str | None, *_: Any) -> int:
        return sqlite3.SQLITE_DENY if action == sqlite3.SQLITE_TRANSACTION and arg1 == "COMMIT" else sqlite3.SQLITE_OK

    hub.store.conn.set_authorizer(no_commit)
    hub._handle_batch([("P-S01", cmd("call-lost", "ticket.call_next", {"window": "S01"}))])
    hub.store.conn.set_authorizer(None)
    assert not hub.store.conn.in_transaction, "the failed transaction was left open"
    assert hub.service.publisher.recent_calls == []
    assert hub.service.core.windows["S01"].current == ""
    # the disk is back: the pad retries with the same id, then a second pad calls
    hub._handle_batch([("P-S01", cmd("call-lost", "ticket.call_next", {"window": "S01"}))])
    hub._handle_batch([("P-S02", cmd("open2", "window.open", {"window": "S02", "staff": "1002", "pin": PIN})),
                       ("P-S02", cmd("call2", "ticket.call_next", {"window": "S02"}))])
    wait_until(lambda: len(replies(listener, t)) >= 3, 10, "the replies after the disk came back")
    got = {r["id"]: r for _, r in replies(listener, t)}
    assert set(got) == {"call-lost", "open2", "call2"}  # nothing answered while the commit failed
    assert got["call-lost"]["result"]["ticket"]["number"] == "A001"
    assert got["call2"]["result"]["ticket"]["number"] == "A002"
    wait_until(lambda: [b for topic, b, _ in listener.messages() if topic == t.calls and b"S02" in b], 5,
               "state/calls after the second call")
    time.sleep(0.2)
    calls = [json.loads(b) for topic, b, _ in listener.messages() if topic == t.calls]
    shown = [[(c["number"], c["window"]) for c in payload["calls"]] for payload in calls]
    committed = [[], [("A001", "S01")], [("A002", "S02"), ("A001", "S01")]]  # as each commit left it
    assert all(s in committed for s in shown), shown  # never a call that was not committed (nor one twice)
    assert shown[-1] == committed[-1]
    listener.stop()


# ---------------------------------------------------------------- the fuzz corpus


@dataclass(frozen=True)
class Fuzz:
    device: str
    payload: bytes
    rid: str | None  # the id the refusal must echo; None: "id": null
    code: str | None  # the refusal's code; "" any protocol refusal; None: a documented drop (no reply)
    kind: str


def _arg_value(arg: p.Arg) -> Any:
    return {str: "x", int: 1, float: 1.0, bool: True, list: ["A"]}[arg.types[0]]


def _literal(rng: random.Random) -> tuple[str, str]:
    """A JSON number literal the hall cannot hold, with its code."""
    return rng.choice([
        ("NaN", "bad_number"), ("Infinity", "bad_number"), ("-Infinity", "bad_number"),
        ("1e999", "bad_number"), ("-1e400", "bad_number"), (str(2**53 + rng.randrange(1, 10**6)), "bad_number"),
        ("9" * rng.randrange(21, 6000), "bad_number"), ("-" + "1" * rng.randrange(4300, 4400), "bad_number"),
        ("1" + "0" * rng.randrange(300, 400) + ".5", "bad_number"),
    ])


def _surrogate(rng: random.Random) -> str:
    return f"\\u{rng.randrange(0xD800, 0xE000):04x}"  # as a JSON escape: valid JSON, not valid text


def _deep(rng: random.Random, depth: int) -> str:
    opens = [rng.choice(["[", '{"a":']) for _ in range(depth)]
    return "".join(opens) + "1" + "".join("]" if o == "[" else "}" for o in reversed(opens))


def _mutated(rng: random.Random, rid: str) -> tuple[str, str | None, str]:
    """A valid envelope of a random op with one field broken: (JSON text, echoed id, code)."""
    op = rng.choice(sorted(p.OPS))
    spec = p.OPS[op].args
    args: dict[str, Any] = {name: _arg_value(a) for name, a in spec.items() if a.required}
    env: dict[str, Any] = {"v": 1, "id": rid, "op": op, "args": args}
    raw: dict[str, str] = {}  # placeholders replaced by raw JSON after dumping
    choices = ["v", "id", "op", "args", "extra", "unknown_arg", "number", "surrogate", "deep_arg"]
    if spec:
        choices += ["wrong_type", "too_long"]
    if any(a.required for a in spec.values()):
        choices.append("missing")
    what = rng.choice(choices)
    echoed: str | None = rid
    match what:
        case "v":
            env["v"] = rng.choice([2, 0, -1, "1", True, None, 1.5, [1]])
            code = "unsupported_version" if isinstance(env["v"], int) and not isinstance(env["v"], bool) \
                else "bad_envelope"
        case "id":
            env["id"] = rng.choice([None, "", "x" * rng.randrange(65, 200), 7, ["a"], {"id": rid}])
            if rng.random() < 0.5:
                del env["id"]
            echoed, code = None, "bad_envelope"
        case "op":
            env["op"] = rng.choice(["ticket.delete", "TICKET.ISSUE", "", 5, None, ["ticket.issue"], op + " "])
            code = "unknown_op" if isinstance(env["op"], str) else "bad_envelope"
        case "args":
            env["args"] = rng.choice([[], "x", 5, None, True, [args]])
            code = "bad_envelope"
        case "extra":
            env[rng.choice(["extra", "ID", "device", "ok"])] = 1
            code = "bad_envelope"
        case "unknown_arg":
            args[rng.choice(["colour", "Window", "tickets", "__proto__"])] = "x"
            code = "bad_args"
        case "wrong_type":
            name = rng.choice(sorted(spec))
            types = spec[name].types
            args[name] = rng.choice([v for v in (5, "5", True, None, {"a": 1}, [1], 2.5)
                                     if not isinstance(v, types) or (isinstance(v, bool) and bool not in types)])
            code = "bad_args"
        case "too_long":
            name = rng.choice(sorted(spec))
            # a list's limit is its items' (queue ids 32, a case's reasons 200)
            args[name] = ("长" * (spec[name].max_len + 1) if spec[name].types[0] is str
                          else ["x" * (spec[name].max_len + 1)])
            code = "bad_args"
        case "missing":
            del args[rng.choice(sorted(n for n, a in spec.items() if a.required))]
            code = "bad_args"
        case "number":
            literal, code = _literal(rng)
            place = rng.choice(["v", "arg", "nested"])
            if place == "v":
                env["v"] = "@@N@@"
            elif place == "arg":
                args[rng.choice(sorted(spec) or ["n"])] = "@@N@@"
            else:  # deep inside a list: found wherever it is
                args["n"] = [1, {"m": "@@N@@"}]
            raw["@@N@@"] = literal
        case "surrogate":
            place = rng.choice(["id", "op", "key", "value"])
            raw["@@S@@"] = "x" + _surrogate(rng) + "y"
            if place == "id":
                env["id"], echoed = "@@S@@", None
            elif place == "op":
                env["op"] = "@@S@@"
            elif place == "key":
                args["@@S@@"] = "x"
            else:
                args[rng.choice(sorted(spec) or ["n"])] = "@@S@@"
            code = "bad_text"
        case _:  # deep_arg
            args["a"] = "@@D@@"
            raw["@@D@@"] = _deep(rng, rng.randrange(p.MAX_DEPTH, 3000))
            echoed, code = None, "too_deep"  # refused before parsing: the id is not known
    text = json.dumps(env, ensure_ascii=False)
    for key, value in raw.items():  # a surrogate escape goes inside its string; numbers and nesting replace it
        text = text.replace(key, value) if key == "@@S@@" else text.replace(f'"{key}"', value)
    return text, echoed, code


def corpus(devices: list[str], n: int = CORPUS, seed: int = SEED) -> list[Fuzz]:
    """``n`` hostile messages, the same every run: each is refused by the decoder, whatever the device."""
    rng = random.Random(seed)
    out: list[Fuzz] = []
    valid = cmd("-", "ticket.issue", {"matter": "户口迁移", "situation": "with-house"}).decode()
    answerable = [d for d in devices if d not in UNANSWERABLE]
    unanswerable = [d for d in devices if d in UNANSWERABLE]
    for i in range(n):  # 1 in 20 to a topic level that is no device (dropped); the rest spread over every id
        device = rng.choice(unanswerable) if unanswerable and rng.random() < 0.05 else rng.choice(answerable)
        rid = f"fz-{i}"
        kind = rng.choices(["bytes", "deep", "number", "nan", "surrogate", "encoding", "mutated", "large"],
                           [15, 10, 10, 10, 10, 10, 34, 1])[0]
        echoed: str | None = None
        code = ""
        if kind == "bytes":
            payload = rng.randbytes(rng.randrange(0, 300))
        elif kind == "deep":
            payload = (f'{{"v":1,"id":"{rid}","op":"hall.snapshot","args":{{"x":{_deep(rng, rng.randrange(7, 3000))}'
                       f"}}}}").encode()
            code = "too_deep"
        elif kind in ("number", "nan"):
            literal, code = (_literal(rng) if kind == "number"
                             else (rng.choice(["NaN", "Infinity", "-Infinity"]), "bad_number"))
            payload = (f'{{"v":1,"id":"{rid}","op":"ticket.issue","args":{{"matter":"hukou-move",'
                       f'"situation":"with-house","channel":"appointment","appointment_slot":{literal}}}}}').encode()
            echoed = rid
        elif kind == "surrogate":
            in_id = rng.random() < 0.5
            s = _surrogate(rng)
            payload = (f'{{"v":1,"id":"{rid if not in_id else rid + s}","op":"ticket.get",'
                       f'"args":{{"ticket":"A{s}001"}}}}').encode()
            echoed, code = (None if in_id else rid), "bad_text"
        elif kind == "encoding":
            text = valid.replace('"-"', f'"{rid}"')
            encoding = rng.choice(["gb18030", "utf-16", "utf-32", "utf-8-sig", "latin-1", "cesu"])
            if encoding == "latin-1":
                payload = text.replace("户口迁移", "déménagement").encode("latin-1")
            elif encoding == "cesu":  # a character outside the BMP as two encoded surrogates
                payload = text.replace("户口迁移", "\U00020000").encode("utf-8").replace(
                    "\U00020000".encode(), b"\xed\xa1\x80\xed\xb0\x80")
            else:
                payload = text.encode(encoding)
            code = "bad_json"
        elif kind == "large":
            payload = cmd(rid, "ticket.issue", {**ISSUE, "note": "x" * (p.MAX_PAYLOAD + rng.randrange(0, 9000))})
            code = "too_large"
        else:
            text, echoed, code = _mutated(rng, rid)
            payload = text.encode()
        if device in UNANSWERABLE:
            code, echoed = None, None
        out.append(Fuzz(device, payload, echoed, code, kind))
    return out


def test_the_corpus_is_what_it_claims() -> None:
    """The generator, checked without the hub: seeded, every kind present, all refusals."""
    devices = ["K1", "P-S01", "G1", *UNANSWERABLE]
    first, again = corpus(devices, 2000), corpus(devices, 2000)
    assert first == again
    kinds = Counter(f.kind for f in first)
    assert set(kinds) == {"bytes", "deep", "number", "nan", "surrogate", "encoding", "mutated", "large"}
    assert {f.device for f in first} == set(devices)
    for f in first:
        if f.kind == "encoding":
            with pytest.raises(ValueError):  # not UTF-8 JSON
                json.loads(f.payload.decode("utf-8"))
        if f.kind in ("number", "nan"):
            assert re.search(rb"NaN|Infinity|\d{16,}|e\d{3}", f.payload)


HONEST_REQUESTS = 1 + 25 + 2 * 15  # window.open, 25 tickets, 15 calls with their outcomes


def honest_day(url: str, hall: str, done: threading.Event, out: dict[str, Any]) -> None:
    """A kiosk issues tickets and a pad calls and serves them, every request tried once."""
    kiosk: HallClient = client(url, hall, "K2", "kiosk")
    pad: HallClient = client(url, hall, "P-S01", "pad")
    try:
        pad.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN}, timeout=30, retries=0)
        issued = [kiosk.request("ticket.issue", ISSUE, timeout=30, retries=0)["ticket"]["number"] for _ in range(25)]
        called = []
        for _ in range(15):
            called.append(pad.request("ticket.call_next", {"window": "S01"}, timeout=30, retries=0)["ticket"]["number"])
            pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"}, timeout=30, retries=0)
        out.update(issued=issued, called=called)
    except BaseException as exc:
        out["failure"] = exc
    finally:
        kiosk.stop()
        pad.stop()
        done.set()


@pytest.mark.slow
def test_fuzz_corpus_gets_refused_and_honest_devices_lose_nothing(quiet: Hall, broker: Any, tmp_path: Path,
                                                                 clock: FakeClock) -> None:
    hub = Hub(quiet, tmp_path / "hub.db", broker.url, clock=clock, durable=False, tick_interval=0.2).start(20)
    t = hub.client.topics
    devices = [*quiet.devices, *UNKNOWN, *UNANSWERABLE]
    messages = corpus(devices, CORPUS)
    listener = Listener(broker.url, t.base + "/reply/#")
    host, port = broker.url.removeprefix("mqtt://").split(":")
    sender = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    sender.max_queued_messages_set(0)
    sender.connect(host, int(port))
    sender.loop_start()
    done = threading.Event()
    honest: dict[str, Any] = {}
    threading.Thread(target=honest_day, args=(broker.url, quiet.id, done, honest), daemon=True).start()
    try:
        started = time.monotonic()
        sent = []
        for i, f in enumerate(messages):
            sent.append(sender.publish(f"{t.base}/cmd/{f.device}", f.payload, qos=1))
            if i % 500 == 499:  # keep the honest devices' commands among the hostile ones
                time.sleep(0.05)
        for info in sent:
            info.wait_for_publish(30)
        assert done.wait(120), "the honest devices did not finish"
        assert "failure" not in honest, f"an honest command was lost or refused: {honest.get('failure')!r}"
        expected = sum(1 for f in messages if f.code is not None) + HONEST_REQUESTS
        wait_until(lambda: len(replies(listener, t)) >= expected, 120, "a reply to every answerable message")
        time.sleep(0.5)
        elapsed = time.monotonic() - started
        # the predicted wait the screens show is what a fresh hub says once the hub's timers renewed its
        # forecast (every 30 s of hall time; this clock stands still while the corpus runs)
        clock.advance(estimate.REFRESH_S)
        wait_until(lambda: getattr(hub.service.core.wait_memo, "at", None) == clock.now, 10, "the renewed forecast")
        time.sleep(0.5)  # its queue summaries reach the broker
    finally:
        sender.loop_stop()
        sender.disconnect()
        listener.stop()
        hub.stop()

    # every hostile message: refused with its code and (when it had a usable one) its id
    got = replies(listener, t)
    fuzz_replies = {r["id"]: (d, r) for d, r in got if isinstance(r.get("id"), str) and r["id"].startswith("fz-")}
    null_replies = Counter(d for d, r in got if r.get("id") is None)
    expected_null = Counter(f.device for f in messages if f.code is not None and f.rid is None)
    assert null_replies == expected_null
    with_id = {f.rid: f for f in messages if f.code is not None and f.rid is not None}
    assert set(fuzz_replies) == set(with_id)
    for rid, f in with_id.items():
        device, r = fuzz_replies[rid]
        assert (device, r["ok"], r["error"]["code"]) == (f.device, False, f.code), (f.kind, f.payload[:200], r)
    for device, r in got:
        if r.get("id") is None:
            assert r["ok"] is False
            assert r["error"]["code"] in set(p.ERROR_CODES) - {"internal", "rate_limited"}, r
    # exactly as many replies as answerable messages plus the honest devices' own: nothing twice
    assert len(got) == len(with_id) + sum(expected_null.values()) + HONEST_REQUESTS
    # documented drops: nothing went to a topic that names no device
    assert all(p.is_segment(d) for d, _ in got)
    # the honest day happened exactly as asked
    assert honest["issued"] == [f"A{n:03d}" for n in range(1, 26)]
    assert honest["called"] == [f"A{n:03d}" for n in range(1, 16)]
    # nothing refused reached the database ...
    conn = sqlite3.connect(tmp_path / "hub.db")
    try:
        devices_in_log = {r[0] for r in conn.execute("SELECT DISTINCT device FROM events")}
        stored = conn.execute("SELECT COUNT(*), SUM(id LIKE 'fz-%') FROM requests").fetchone()
        tickets = conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    finally:
        conn.close()
    assert devices_in_log <= {None, "K2", "P-S01"}
    assert stored == (HONEST_REQUESTS, 0)
    assert tickets == 25
    # ... or a retained topic: what screens are shown is what a fresh hub reads from the database
    shown = retained_state(broker.url, t)
    assert comparable(shown) == comparable(committed_state(quiet, tmp_path / "hub.db", clock))
    assert [c[:2] for c in comparable(shown)[t.calls]] == [(f"2026-11-23-A{n:03d}", "S01") for n in range(15, 0, -1)]
    assert elapsed < 120  # seeded and bounded: a few tens of seconds on a busy CI machine


# ---------------------------------------------------------------- a database an older hub wrote


def nan_database(config: Path, db: Path, clock: FakeClock) -> None:
    """A day with two appointment tickets (so loading the queue compares their orders), the first
    left as the old hub left a guide's ``"appointment_slot": NaN`` (see as_the_old_hub_left_it)."""
    hall = always_open(load_hall(config))  # as the hub process runs it (--always-open)
    store = Store(db, durable=False)
    svc = HubService(hall, store, b"k" * 32, clock)
    svc.tick()
    for rid in ("slot-nan", "slot-ok"):
        events = svc.core.issue(clock.now, matter=ISSUE["matter"], situation=ISSUE["situation"],
                                channel="appointment", device="G1", appointment_slot=clock.now - 60)
        store.record(svc.core, events, device="G1", request_id=rid, op="ticket.issue", reply=b"{}", at=clock.now)
    assert as_the_old_hub_left_it(store, f"{svc.core.day}-A001") == 2
    store.close()


def test_hub_starts_and_serves_on_a_database_with_a_nan_ticket(tmp_path: Path, clock: FakeClock) -> None:
    config = quiet_hall(tmp_path)
    hall = load_hall(config)
    db = tmp_path / "old.db"
    nan_database(config, db, clock)
    store = Store(db, durable=False)
    try:
        svc = HubService(hall, store, b"k" * 32, clock)  # used to die: '<' not supported between float and None
        bad = store.quarantined()
        assert [(q["what"], q["key"], q["seq"], q["type"]) for q in bad] == [
            ("ticket", "2026-11-23-A001", 2, "ticket.issued")]
        assert "not a number" in bad[0]["error"]
        assert "2026-11-23-A001" not in svc.core.tickets
        assert [t.number for t in svc.core.tickets.values()] == ["A002"]
        out = svc.handle("K1", cmd("after", "ticket.issue", ISSUE))
        assert json.loads(out.reply or b"")["result"]["ticket"]["number"] == "A003"  # the number is not reused
    finally:
        store.close()


@pytest.mark.slow
def test_hub_process_starts_on_the_nan_database(broker: Any, tmp_path: Path) -> None:
    """The real ``hallq hub`` process, as a hall would run it: it starts, says loudly which event
    it skipped, and answers."""
    config = quiet_hall(tmp_path)
    db = tmp_path / "old.db"
    # the subprocess runs on the hall clock: make the NaN ticket today, in the hall's zone
    from hallq import clock as hallclock

    now = FakeClock(hallclock.now())
    nan_database(config, db, now)
    hub = HubProc(config, db, broker.url).start()
    try:
        kiosk = client(broker.url, load_hall(config).id, "K1", "kiosk")
        try:
            ticket = kiosk.request("ticket.issue", ISSUE, timeout=10)["ticket"]
        finally:
            kiosk.stop()
    finally:
        hub.stop()
    assert ticket["number"] == "A003"
    log = hub.log.read_text(encoding="utf-8")
    assert "QUARANTINED ticket" in log
    assert "ticket.issued" in log
    warned = [line for line in hub.printed if line.startswith("⚠")]
    assert len(warned) == 1
    assert "1 row(s) skipped" in warned[0]
    assert "-A001 (event 2)" in warned[0]
