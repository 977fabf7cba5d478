"""Helpers shared by the hub tests (plain functions; fixtures live in tests/conftest.py)."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import time
import tomllib
import zoneinfo
from collections.abc import Callable
from typing import Any

from hallq import protocol as p
from hub.config import parse_hall
from hub.core import HallCore
from hub.hall import Hall

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
MOSQUITTO = "/usr/sbin/mosquitto"
# Demo PIN 1234, the same hash the sample hall uses.
PIN_HASH = "pbkdf2_sha256$120000$68616c6c7164656d$3e4ff03033da3a8fe860c24e3b0b64f87e22271521c3bc5c7468224ba0f9eeec"
PIN = "1234"

SMALL_HALL = f"""
[hall]
id = "small"
name = "测试大厅"
timezone = "Asia/Shanghai"

[policy]
recall_limit = 2
retake_places_back = 2
retake_limit = 1
priority_max_consecutive = 2
one_active_ticket_per_matter = true
transfer_keeps_place = true
evaluation_timeout_s = 60
opening_hours = ["08:00-17:00"]
expire_at = ["12:00", "17:30"]

[[zones]]
id = "Z1"
name = "综合区"

[[zones]]
id = "Z2"
name = "专窗区"

[[queues]]
id = "A"
name = "综合受理"
zone = "Z1"

[[queues]]
id = "B"
name = "企业服务"
zone = "Z1"

[[queues]]
id = "C"
name = "不动产"
zone = "Z2"
daily_quota = 3

[[windows]]
id = "W1"
name = "综合窗口1"
kind = "comprehensive"
zone = "Z1"
queues = ["A", "B"]
weights = {{ A = 2, B = 1 }}
department = "政务服务中心"

[[windows]]
id = "W2"
name = "综合窗口2"
kind = "comprehensive"
zone = "Z1"
queues = ["A"]
overflow = ["B"]

[[windows]]
id = "W3"
name = "不动产窗口"
kind = "special"
zone = "Z2"
queues = ["C"]
overflow = ["A"]

[[priority_groups]]
id = "elderly"
name = "老年人"

[[priority_groups]]
id = "military"
name = "军人"
needs_verification = false

[[staff]]
id = "s1"
name = "王丽"
pin_hash = "{PIN_HASH}"
roles = ["pad"]

[[staff]]
id = "s2"
name = "赵芳"
pin_hash = "{PIN_HASH}"
roles = ["guide", "pad"]

[[staff]]
id = "s3"
name = "李强"
pin_hash = "{PIN_HASH}"
roles = ["pad"]

[[devices]]
id = "K1"
role = "kiosk"

[[devices]]
id = "P1"
role = "pad"
window = "W1"

[[devices]]
id = "P2"
role = "pad"
window = "W2"

[[devices]]
id = "P3"
role = "pad"
window = "W3"

[[devices]]
id = "G1"
role = "guide"

[[devices]]
id = "D1"
role = "display"
window = "W1"

[[devices]]
id = "DH"
role = "display"
zone = "Z1"

[[devices]]
id = "ADM"
role = "admin"

[[matters]]
id = "ma"
name = "户口迁移"
department = "公安局"
zone = "Z1"
queue = "A"

[[matters.situations]]
id = "s"
name = "一般情形"
materials = ["居民身份证"]

[[matters]]
id = "ma2"
name = "居住证"
department = "公安局"
zone = "Z1"
queue = "A"

[[matters.situations]]
id = "s"
name = "一般情形"

[[matters]]
id = "mb"
name = "企业开办"
department = "市场监管局"
zone = "Z1"
queue = "B"

[[matters.situations]]
id = "s"
name = "一般情形"

[[matters]]
id = "mc"
name = "不动产登记"
department = "不动产登记中心"
zone = "Z2"
queue = "C"

[[matters.situations]]
id = "s"
name = "一般情形"

[[matters]]
id = "mo"
name = "社保卡补换"
department = "人社局"
zone = "Z1"
mode = "online"

[[matters.situations]]
id = "s"
name = "补换"
online_url = "https://example.gov.cn/sbk"

[[matters]]
id = "mq"
name = "政策咨询"
department = "政务服务中心"
zone = "Z1"

[[matters.situations]]
id = "s"
name = "一般咨询"
consult_only = true
"""

MATTER_OF_QUEUE = {"A": "ma", "B": "mb", "C": "mc"}
STAFF_OF_WINDOW = {"W1": "s1", "W2": "s2", "W3": "s3"}  # one staff per window at a time
# Public test vectors from GB 11643-1999.
VALID_IDS = ("11010519491231002X", "440524188001010014", "34052419800101001X")


def local_ts(year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> float:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=TZ).timestamp()


class FakeClock:
    """A clock the test moves; call it for UNIX seconds (what the hub and core expect)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now

    def set_local(self, hour: int, minute: int = 0, *, day_offset: int = 0) -> float:
        d = dt.datetime.fromtimestamp(self.now, TZ).date() + dt.timedelta(days=day_offset)
        self.now = local_ts(d.year, d.month, d.day, hour, minute)
        return self.now



def make_small_hall(**policy: Any) -> Hall:
    h = parse_hall(tomllib.loads(SMALL_HALL), text=SMALL_HALL)
    if policy:
        h = dataclasses.replace(h, policy=dataclasses.replace(h.policy, **policy))
    return h





def snapshot(core: HallCore) -> dict[str, Any]:
    """Everything the core knows, deep-copied, for 'a refused command changes nothing'."""
    keep = ("day", "tickets", "by_number", "waiting", "direct", "windows", "counters", "seq", "expired_marks",
            "active_by_person", "last_event_at", "summons")
    return copy.deepcopy({k: getattr(core, k) for k in keep})


def issue(core: HallCore, now: float, queue: str = "A", **kw: Any) -> str:
    """Issue a ticket in ``queue`` of the small hall; return its number."""
    kw.setdefault("matter", MATTER_OF_QUEUE[queue])
    kw.setdefault("situation", "s")
    events = core.issue(now, **kw)
    return str(events[-1].number)  # type: ignore[attr-defined]


def number_of(core: HallCore, ticket_id: str) -> str:
    return core.tickets[ticket_id].number


def called_number(events: list[Any]) -> str:
    """The number a call_next/call_ticket event list called."""
    return str(events[-1].ticket.rsplit("-", 1)[-1])


def req(op: str, args: dict[str, Any] | None = None, rid: str | None = None) -> bytes:
    return p.Request(rid or p.new_request_id(), op, args or {}).encode()


def reply(outcome: Any) -> dict[str, Any]:
    return dict(json.loads(outcome.reply))


def event_count(store: Any) -> int:
    return int(store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])


def core_view(core: HallCore) -> dict[str, Any]:
    """Tickets and windows of a core as plain comparable data (live vs replayed)."""
    return {
        "day": core.day,
        "tickets": copy.deepcopy(core.tickets),
        "windows": copy.deepcopy(core.windows),
        "waiting": copy.deepcopy(core.waiting),
        "direct": copy.deepcopy(core.direct),
        "counters": dict(core.counters),
        "seq": core.seq,
        "active_by_person": dict(core.active_by_person),
        "summons": copy.deepcopy(core.summons),
    }


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01) -> Any:
    """Poll until ``predicate()`` is truthy; return its value or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def as_the_old_hub_left_it(store: Any, ticket: str) -> int:
    """Make ``ticket`` (an appointment ticket, class 1) what the hub before issue 13 left on disk
    after a signed-in guide's ``ticket.issue`` with ``"appointment_slot": NaN``: the decoder took
    it, the core ordered the ticket by that slot, the event log holds ``NaN`` (Python's json
    writes it) and SQLite stored the slot and the queue order as NULL. Returns the event's seq."""
    seq, data = store.conn.execute("SELECT seq, data FROM events WHERE type='ticket.issued' AND instr(data, ?) > 0",
                                   (json.dumps(ticket),)).fetchone()
    event = json.loads(data)
    assert event["cls"] == 1, "the old hub ordered a NaN slot as an appointment"
    event["appointment_slot"] = event["order"] = float("nan")
    store.conn.execute("UPDATE events SET data=? WHERE seq=?", (json.dumps(event), seq))
    store.conn.execute("UPDATE tickets SET appointment_slot=?, ord=? WHERE id=?", (float("nan"), float("nan"), ticket))
    assert store.conn.execute("SELECT appointment_slot, ord FROM tickets WHERE id=?", (ticket,)).fetchone() == (
        None, None)
    return int(seq)
