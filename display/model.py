"""What each display shows, as plain Python (no Qt): fed with the hub's MQTT messages.

* :class:`HallBoard` — a hall TV (大厅屏): newest call, recent calls, waiting counts per
  queue, notices, optionally only one zone's windows. It is built from retained state
  (``catalog``, ``state/calls``, ``state/queues``) so a restarted or reconnected screen
  repaints by itself, and ``event/call`` marks the newest call for flashing.
* :class:`WindowBoard` — the screen facing the citizen at one window (窗口屏).
* :class:`Evaluator` — the 好差评 flow on that screen, a small state machine with an
  injected clock: invited → rating → (差评: reason) → sending → thanks → idle; a timeout
  becomes 未评价 (``evaluation.skip``). No score is preselected or suggested.
* LED texts for window-top bars and the hall strip (:func:`led_window_text`, :func:`led_hall_text`).

Connection: a board is *offline* when the broker is unreachable or the hub's presence says
offline; an offline board drops its volatile data (calls, counts, window state) so a view
can never show stale numbers as if they were live. Retained messages refill it on reconnect.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from display import texts as _texts  # noqa: F401  (English entries)
from hallq import clock as hallclock
from hallq.i18n import tr

LEVELS = ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"))
BAD_LEVELS = (1, 2)  # 差评: a reason is required
# Reasons offered for a 差评 (GB/T 39735 indicators: 服务效率, 服务水平, 服务态度 …).
# The hub does not publish a list yet; a hall can override it in the display settings.
DEFAULT_REASONS = ("等候时间长", "办理效率低", "服务态度差", "业务不熟练", "材料要求不清楚", "办理结果不满意", "其他")


def _kind(topic: str, base: str) -> tuple[str, str]:
    prefix = base + "/"
    if not topic.startswith(prefix):
        return "", ""
    kind, _, rest = topic[len(prefix):].partition("/")
    return kind, rest


@dataclass(frozen=True)
class Call:
    number: str
    window: str
    window_name: str
    zone: str
    recall: int
    at: float
    ticket: str = ""
    text: str = ""

    @property
    def key(self) -> tuple[str, str, int, float]:
        return (self.ticket or self.number, self.window, self.recall, self.at)

    @classmethod
    def from_payload(cls, d: Mapping[str, Any]) -> Call:
        return cls(str(d.get("number", "")), str(d.get("window", "")), str(d.get("window_name", "")),
                   str(d.get("zone", "")), int(d.get("recall") or 0), float(d.get("at") or 0.0),
                   str(d.get("ticket", "")), str(d.get("text", "")))


@dataclass(frozen=True)
class QueueCount:
    id: str
    name: str
    waiting: int


class Connection:
    """Broker reachable and hub present: only then is retained data live."""

    def __init__(self) -> None:
        self.broker = False
        self.hub = True  # unknown until the hub's retained presence arrives: trust the broker
        self.since = 0.0

    @property
    def online(self) -> bool:
        return self.broker and self.hub


@dataclass
class HallBoard:
    """A hall screen's content. ``zone`` "" shows every zone."""

    base: str  # topic base, e.g. "hallq/lvliang"
    zone: str = ""
    recent: int = 8
    flash_s: float = 12.0
    clock: Callable[[], float] = lambda: 0.0
    catalog: dict[str, Any] | None = None
    calls: list[Call] = field(default_factory=list)  # newest first, this zone only
    queues: list[dict[str, Any]] = field(default_factory=list)
    conn: Connection = field(default_factory=Connection)
    _flash_key: tuple[Any, ...] | None = None
    _flash_at: float = 0.0

    # ---- input

    def apply(self, topic: str, data: Any) -> bool:
        """Feed one MQTT message (decoded JSON); True if what the screen shows changed."""
        kind, rest = _kind(topic, self.base)
        if kind == "catalog" and isinstance(data, dict):
            self.catalog = data
            return True
        if kind == "presence" and rest == "hub":
            was = self.conn.online
            self.conn.hub = bool(isinstance(data, dict) and data.get("online"))
            return self._connection_changed(was)
        if not self.conn.online:
            return False  # stale retained data from a broker without its hub is not shown
        if kind == "state" and rest == "calls" and isinstance(data, dict):
            calls = [Call.from_payload(c) for c in data.get("calls", []) if isinstance(c, dict)]
            self.calls = [c for c in calls if self.in_zone(c)]
            return True
        if kind == "state" and rest == "queues" and isinstance(data, dict):
            self.queues = [q for q in data.get("queues", []) if isinstance(q, dict)]
            return True
        if kind == "event" and rest == "call" and isinstance(data, dict):
            call = Call.from_payload(data)
            if not self.in_zone(call):
                return False
            if call.key not in {c.key for c in self.calls}:
                self.calls.insert(0, call)
                del self.calls[max(self.recent + 1, 20):]
            if self._flash_key != call.key:
                self._flash_key, self._flash_at = call.key, self.clock()
            return True
        return False

    def set_broker(self, up: bool) -> bool:
        was = self.conn.online
        self.conn.broker = up
        if not up:
            self.conn.hub = True  # re-learnt from the retained presence after reconnecting
        return self._connection_changed(was)

    def _connection_changed(self, was: bool) -> bool:
        if was and not self.conn.online:
            self.calls, self.queues = [], []  # never show stale numbers as if live
            self.conn.since = self.clock()
        return was != self.conn.online

    # ---- output

    @property
    def online(self) -> bool:
        return self.conn.online

    def in_zone(self, call: Call) -> bool:
        return not self.zone or call.zone == self.zone

    @property
    def latest(self) -> Call | None:
        return self.calls[0] if self.calls else None

    @property
    def previous(self) -> list[Call]:
        return self.calls[1:1 + self.recent]

    def flashing(self) -> bool:
        latest = self.latest
        return (latest is not None and latest.key == self._flash_key
                and self.clock() - self._flash_at < self.flash_s)

    @property
    def hall_name(self) -> str:
        return str((self.catalog or {}).get("hall", {}).get("name", "")) or tr("政务服务中心")

    def local_now(self) -> dt.datetime:
        """Now on this board's clock, in the hall's time zone (never the screen PC's)."""
        return hallclock.local(self.clock(), str((self.catalog or {}).get("hall", {}).get("timezone", "")) or None)

    @property
    def zone_name(self) -> str:
        for z in (self.catalog or {}).get("zones", []):
            if z.get("id") == self.zone:
                return str(z.get("name", self.zone))
        return self.zone

    def zone_queues(self) -> set[str] | None:
        if not self.zone:
            return None
        return {q["id"] for q in (self.catalog or {}).get("queues", []) if q.get("zone") == self.zone}

    def waiting(self) -> list[QueueCount]:
        ids = self.zone_queues()
        out = []
        for q in self.queues:
            if (ids is None and (not self.zone or q.get("zone") == self.zone)) or (ids is not None and q["id"] in ids):
                out.append(QueueCount(str(q["id"]), str(q.get("name", q["id"])), int(q.get("waiting", 0))))
        return out

    @property
    def notices(self) -> list[str]:
        return [str(n) for n in (self.catalog or {}).get("hall", {}).get("notices", [])]


# ---------------------------------------------------------------- window screen


@dataclass
class WindowBoard:
    """The citizen-facing screen of one window."""

    base: str
    window: str
    clock: Callable[[], float] = lambda: 0.0
    catalog: dict[str, Any] | None = None
    state: dict[str, Any] | None = None
    conn: Connection = field(default_factory=Connection)

    def apply(self, topic: str, data: Any) -> bool:
        kind, rest = _kind(topic, self.base)
        if kind == "catalog" and isinstance(data, dict):
            self.catalog = data
            return True
        if kind == "presence" and rest == "hub":
            was = self.conn.online
            self.conn.hub = bool(isinstance(data, dict) and data.get("online"))
            return self._changed(was)
        if kind == "state" and rest == f"window/{self.window}" and isinstance(data, dict) and self.conn.online:
            self.state = data
            return True
        return False

    def set_broker(self, up: bool) -> bool:
        was = self.conn.online
        self.conn.broker = up
        if not up:
            self.conn.hub = True
        return self._changed(was)

    def _changed(self, was: bool) -> bool:
        if was and not self.conn.online:
            self.state = None
        return was != self.conn.online

    @property
    def online(self) -> bool:
        return self.conn.online

    def _cfg(self) -> dict[str, Any]:
        for w in (self.catalog or {}).get("windows", []):
            if w.get("id") == self.window:
                return dict(w)
        return {}

    @property
    def name(self) -> str:
        return str((self.state or {}).get("name") or self._cfg().get("name") or self.window)

    @property
    def status(self) -> str:
        """open / paused / closed / unknown."""
        return str((self.state or {}).get("state") or "unknown")

    @property
    def reason(self) -> str:
        return str((self.state or {}).get("reason") or "")

    @property
    def staff(self) -> tuple[str, str] | None:
        s = (self.state or {}).get("staff")
        return (str(s.get("name", "")), str(s.get("id", ""))) if isinstance(s, dict) else None

    @property
    def current(self) -> str:
        cur = (self.state or {}).get("current")
        return str(cur.get("number", "")) if isinstance(cur, dict) else ""

    @property
    def current_matter(self) -> str:
        cur = (self.state or {}).get("current")
        return str(cur.get("matter_name", "")) if isinstance(cur, dict) else ""

    @property
    def evaluation(self) -> dict[str, Any] | None:
        ev = (self.state or {}).get("evaluation")
        return dict(ev) if isinstance(ev, dict) else None

    @property
    def hall_name(self) -> str:
        return str((self.catalog or {}).get("hall", {}).get("name", ""))

    def local_now(self) -> dt.datetime:
        """Now on this board's clock, in the hall's time zone (never the screen PC's)."""
        return hallclock.local(self.clock(), str((self.catalog or {}).get("hall", {}).get("timezone", "")) or None)

    @property
    def department(self) -> str:
        return str(self._cfg().get("department") or "")


# ---------------------------------------------------------------- 好差评 evaluator


class Stage(enum.Enum):
    IDLE = "idle"
    RATING = "rating"  # five buttons
    REASON = "reason"  # 差评: pick a reason
    SENDING = "sending"  # the rating (or skip) is on its way; retried with the same id
    THANKS = "thanks"


@dataclass(frozen=True)
class Submission:
    """A command to send; ``request_id`` is fixed so retries are idempotent at the hub."""

    op: str
    args: dict[str, Any]
    request_id: str


@dataclass
class Evaluator:
    """好差评 一次一评 at one window. Drive with window states, taps and :meth:`tick`.

    Times: ``clock`` is wall-clock seconds. The deadline is the hub's ``invited_at`` +
    ``timeout_s`` (the hub also times out by itself; whichever comes first, the result is
    未评价 once). After a reply the thanks screen stays ``thanks_s`` seconds.
    """

    window: str
    clock: Callable[[], float]
    reasons: tuple[str, ...] = DEFAULT_REASONS
    thanks_s: float = 5.0
    default_timeout_s: float = 60.0
    stage: Stage = Stage.IDLE
    ticket: str = ""
    number: str = ""
    level: int = 0
    deadline: float = 0.0
    outbox: Submission | None = None
    result: str = ""  # "rated" / "skipped" after a reply
    _done_tickets: list[str] = field(default_factory=list)
    _thanks_until: float = 0.0

    # ---- from the hub

    def on_window_state(self, state: Mapping[str, Any] | None) -> bool:
        """Follow the window's pending ``evaluation``; True if the stage changed."""
        before = self.stage
        pending = (state or {}).get("evaluation")
        if isinstance(pending, dict) and pending.get("ticket"):
            ticket = str(pending["ticket"])
            if ticket == self.ticket and not self.number:  # the event came first; the state has the number
                self.number = str(pending.get("number", ""))
                return True
            if ticket != self.ticket and ticket not in self._done_tickets:
                self._invite(ticket, str(pending.get("number", "")), pending.get("invited_at"),
                             pending.get("timeout_s"))
        elif self.stage in (Stage.RATING, Stage.REASON) and state is not None:
            # resolved elsewhere (pad, hub timeout, next citizen called): stop asking
            self._reset()
        return self.stage is not before

    def on_invite_event(self, event: Mapping[str, Any]) -> bool:
        if event.get("window") != self.window or not event.get("ticket"):
            return False
        ticket = str(event["ticket"])
        if ticket == self.ticket or ticket in self._done_tickets:
            return False
        self._invite(ticket, "", event.get("at"), None)
        return True

    def _invite(self, ticket: str, number: str, invited_at: Any, timeout_s: Any) -> None:
        now = self.clock()
        timeout = float(timeout_s) if isinstance(timeout_s, int | float) and timeout_s > 0 else self.default_timeout_s
        start = float(invited_at) if isinstance(invited_at, int | float) and 0 <= now - invited_at < timeout else now
        self.stage, self.ticket, self.number, self.level, self.outbox = Stage.RATING, ticket, number, 0, None
        self.deadline = start + timeout
        self.result = ""

    # ---- from the citizen

    def choose(self, level: int) -> Submission | None:
        if self.stage is not Stage.RATING or level not in dict(LEVELS):
            return None
        self.level = level
        if level in BAD_LEVELS:
            self.stage = Stage.REASON
            return None
        return self._send("evaluation.submit", {"window": self.window, "level": level, "ticket": self.ticket})

    def choose_reason(self, reason: str) -> Submission | None:
        if self.stage is not Stage.REASON or reason not in self.reasons:
            return None
        return self._send("evaluation.submit", {"window": self.window, "level": self.level, "reason": reason,
                                                "ticket": self.ticket})

    def back(self) -> None:
        if self.stage is Stage.REASON:
            self.stage, self.level = Stage.RATING, 0

    # ---- time

    def seconds_left(self) -> int:
        return max(0, int(self.deadline - self.clock() + 0.999)) if self.stage in (Stage.RATING, Stage.REASON) else 0

    def tick(self) -> Submission | None:
        now = self.clock()
        if self.stage in (Stage.RATING, Stage.REASON) and now >= self.deadline:
            return self._send("evaluation.skip", {"window": self.window})
        if self.stage is Stage.THANKS and now >= self._thanks_until:
            self._reset()
        return None

    # ---- replies

    def on_reply(self, submission: Submission, ok: bool, code: str = "") -> Submission | None:
        """The hub's answer to ``submission``; returns a submission to retry (same id) or None."""
        if submission is not self.outbox:
            return None
        if ok:
            self.result = "skipped" if submission.op == "evaluation.skip" else "rated"
            self._finish(thanks=submission.op == "evaluation.submit")
            return None
        if code in ("timeout", "internal"):  # unknown outcome: ask again with the same id
            return submission
        # no_pending_evaluation (hub timed out first, the pad moved on) or a refusal: stop here
        self.result = code
        self._finish(thanks=False)
        return None

    def _send(self, op: str, args: dict[str, Any]) -> Submission:
        if "ticket" in args and not args["ticket"]:
            del args["ticket"]
        self.outbox = Submission(op, args, uuid.uuid4().hex)
        self.stage = Stage.SENDING
        return self.outbox

    def _finish(self, *, thanks: bool) -> None:
        self._done_tickets = [*self._done_tickets[-20:], self.ticket]
        self.outbox = None
        if thanks:
            self.stage, self._thanks_until = Stage.THANKS, self.clock() + self.thanks_s
        else:
            self._reset()

    def _reset(self) -> None:
        if self.ticket and self.ticket not in self._done_tickets:
            self._done_tickets = [*self._done_tickets[-20:], self.ticket]
        self.stage, self.ticket, self.number, self.level, self.outbox = Stage.IDLE, "", "", 0, None


# ---------------------------------------------------------------- LED texts


def led_window_text(board: WindowBoard) -> str:
    """Window-top bar: ``A001 请到S01`` while serving, ``暂停服务`` when paused or closed."""
    if not board.online or board.state is None:
        return board.window
    if board.status in ("paused", "closed"):
        return tr("暂停服务")
    if board.current:
        return tr("{number} 请到{window}", number=board.current, window=board.window)
    return tr("{window} 欢迎您", window=board.window)


def led_hall_text(board: HallBoard, count: int = 5) -> str:
    """Hall strip: the last calls, scrolling: ``请A003号到S02窗口　请A002号到S01窗口 …``."""
    if not board.online:
        return tr("系统维护中")
    calls = board.calls[:count]
    if not calls:
        return board.hall_name
    return "　".join(tr("请{number}号到{window}窗口", number=c.number, window=c.window) for c in calls)
