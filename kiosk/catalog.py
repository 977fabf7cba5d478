"""The hall's catalogue as the kiosk reads it: matters, situations, questionnaires, routes.

The hub publishes the catalogue retained at ``hallq/<hall>/catalog``, typed as
:class:`hallq.messages.Catalog` (the kiosk's :class:`~hallq.mirror.HallMirror` decodes it); this module
indexes it in small read-only objects and
answers the kiosk's questions about it: which matters are popular, which belong to a zone,
which match a search (keyword or pinyin initials), how a questionnaire walks from its first
question to one situation (情形引导, R2), and where a situation sends the citizen (R3).
Pure Python: no Qt, no MQTT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import msgspec

from hallq import messages
from hallq.messages import Option, Question, Situation  # the wire's typed catalogue entries, not the hub's
from kiosk.pinyin import Fit, match


class Route(StrEnum):
    """Where a situation sends the citizen (R3)."""

    WINDOW = "window"  # a window queue: take a ticket
    ASSIST = "assist"  # 帮办代办 suggested: a ticket for the assistance window
    ONLINE = "online"  # 全程网办: a QR code and steps, no window ticket
    CONSULT = "consult"  # 咨询: where to go, no ticket


@dataclass(frozen=True)
class Matter:
    id: str
    name: str
    department: str
    zone: str
    situations: tuple[Situation, ...]
    questions: tuple[Question, ...] = ()
    keywords: tuple[str, ...] = ()
    popular: bool = False
    promised_days: int = 0

    def situation(self, situation_id: str) -> Situation | None:
        return next((s for s in self.situations if s.id == situation_id), None)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Catalog:
    hall_id: str
    hall_name: str
    timezone: str
    notices: tuple[str, ...]
    zones: dict[str, str]  # id -> name
    queues: dict[str, str]  # id -> name
    matters: dict[str, Matter]
    priority_groups: dict[str, str]  # id -> name
    assist_queue: str = ""
    windows: dict[str, str] = field(default_factory=dict)  # id -> name
    opening_hours: tuple[str, ...] = ()
    slip_footer: tuple[str, ...] = ()  # [hall] slip_footer: 温馨提示 lines on every slip
    expire_at: tuple[str, ...] = ()  # 清号时刻 "HH:MM": the slip says until when a number is valid
    retake_limit: int = 1
    devices: dict[str, messages.Device] = field(default_factory=dict)
    printers: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: str = ""
    retention_days: int = 90  # [policy] retention_days: how long a consenting citizen's number may be kept

    @property
    def has_notifier(self) -> bool:
        """A notifier runs in this hall (a ``notify`` device): only then does the kiosk ask for consent."""
        return any(d.role == "notify" for d in self.devices.values())

    @classmethod
    def from_message(cls, msg: messages.Catalog) -> Catalog:
        """Build from the hub's typed catalogue (:class:`hallq.messages.Catalog`)."""
        matters = {m.id: Matter(m.id, m.name, m.department, m.zone, tuple(m.situations), tuple(m.questions),
                                tuple(m.keywords), m.popular, m.promised_days) for m in msg.matters}
        hall, policy = msg.hall, msg.policy
        return cls(
            hall_id=hall.id, hall_name=hall.name, timezone=hall.timezone or "Asia/Shanghai",
            notices=tuple(hall.notices), slip_footer=tuple(hall.slip_footer),
            zones={z.id: z.name for z in msg.zones},
            queues={q.id: q.name for q in msg.queues},
            matters=matters,
            priority_groups={g.id: g.name for g in msg.priority_groups},
            windows={w.id: w.name for w in msg.windows},
            assist_queue=policy.assist_queue, opening_hours=tuple(policy.opening_hours),
            expire_at=tuple(policy.expire_at), retake_limit=policy.retake_limit,
            devices={d.id: d for d in msg.devices},
            printers=dict(msg.printers), version=msg.version, retention_days=policy.retention_days,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any] | bytes) -> Catalog:
        """Build from the retained catalogue's JSON; ``msgspec.ValidationError`` says what is wrong and where
        (unknown keys are ignored: newer hubs add some)."""
        if isinstance(data, bytes):
            return cls.from_message(messages.decode(messages.Catalog, data))
        return cls.from_message(msgspec.convert(data, messages.Catalog))

    def window_label(self, window: str) -> str:
        """How a citizen reads a window: its name with the id on the signs, 综合窗口1（S01）."""
        name = self.windows.get(window, "")
        return f"{name}（{window}）" if name and name != window else window

    def window_labels(self, windows: list[str]) -> list[str]:
        return [self.window_label(w) for w in windows]

    # ------------------------------------------------------------ finding matters

    def popular(self) -> list[Matter]:
        return [m for m in self.matters.values() if m.popular]

    def in_zone(self, zone: str) -> list[Matter]:
        return [m for m in self.matters.values() if m.zone == zone]

    def search(self, query: str) -> list[Matter]:
        """Matters matching ``query``, best first: Chinese text in the name, keywords, situations or
        department; or pinyin — initials (``sfz``), full (``shenfenzheng``) or mixed — of the name or a
        keyword. Ranked by where it fits: the whole name or its start, a whole keyword, a keyword's
        start, inside the name, inside a keyword; then by how many keywords fit (``yb`` puts the
        医保 matters, with several 医保 keywords, before 食品经营许可's 预包装); then catalogue order."""
        q = query.strip()
        if not q:
            return []
        scored: list[tuple[int, int, int, Matter]] = []
        for order, m in enumerate(self.matters.values()):
            rank, hits = _score(m, q)
            if rank:
                scored.append((-rank, -hits, order, m))
        return [m for *_, m in sorted(scored, key=lambda t: t[:3])]

    def route(self, situation: Situation) -> Route:
        if situation.consult_only:
            return Route.CONSULT
        if situation.online:
            return Route.ONLINE
        if situation.assist and self.assist_queue:
            return Route.ASSIST
        return Route.WINDOW


# Rank of a fit (higher first): by field and by how the query fits it.
_NAME_RANK = {Fit.WHOLE: 8, Fit.PREFIX: 7, Fit.INSIDE: 4}
_KEYWORD_RANK = {Fit.WHOLE: 6, Fit.PREFIX: 5, Fit.INSIDE: 3}


def _text_fit(text: str, q: str) -> Fit:
    """How Chinese (or any literal) ``q`` fits ``text``."""
    if not text or q not in text:
        return Fit.NONE
    return Fit.WHOLE if text == q else Fit.PREFIX if text.startswith(q) else Fit.INSIDE


def _score(m: Matter, q: str) -> tuple[int, int]:
    """(rank, hits): the best rank of any field ``q`` fits (0: no match) and how many fields it fits."""
    pinyin = q.isascii() and q.isalnum()

    def fit(text: str) -> Fit:
        literal = _text_fit(text, q)
        return max(literal, match(text, q)) if pinyin else literal

    name = fit(m.name)
    ranks = [_NAME_RANK[name]] if name else []
    for k in m.keywords:
        kf = fit(k)
        if kf:
            ranks.append(_KEYWORD_RANK[kf])
        elif not pinyin and k and k in q:  # the keyword inside a longer query: 办身份证的 → 身份证
            ranks.append(2)
    if not pinyin and (any(q in s.name for s in m.situations) or q in m.department):
        ranks.append(1)
    return (max(ranks), len(ranks)) if ranks else (0, 0)


@dataclass
class Walk:
    """One citizen's way through a matter's questionnaire: a path of answers, with Back.

    A matter with no questions and one situation ends at once; with no questions and several
    situations, the kiosk asks "which situation?" itself, as one synthetic question.
    """

    matter: Matter
    path: list[tuple[Question, Option]] = field(default_factory=list)
    situation: Situation | None = None

    def __post_init__(self) -> None:
        if not self.matter.questions and len(self.matter.situations) == 1:
            self.situation = self.matter.situations[0]

    @property
    def question(self) -> Question | None:
        """The question on screen now, or None when the walk has reached a situation."""
        if self.situation is not None:
            return None
        if not self.path:
            return self.first_question()
        _last_q, last_o = self.path[-1]
        return self.matter.question(last_o.next)

    def first_question(self) -> Question | None:
        if self.matter.questions:
            return self.matter.questions[0]
        if self.matter.situations:
            return Question("_situation", "请选择您要办理的情形",
                            [Option(s.name, "", s.id) for s in self.matter.situations])
        return None

    def choose(self, index: int) -> Situation | None:
        q = self.question
        if q is None:
            raise ValueError("the questionnaire has already ended")
        if not 0 <= index < len(q.options):
            raise IndexError(f"question {q.id} has {len(q.options)} options, not {index + 1}")
        option = q.options[index]
        self.path.append((q, option))
        if option.situation:
            self.situation = self.matter.situation(option.situation)
            if self.situation is None:
                raise ValueError(f"{self.matter.id}: option {option.text!r} names an unknown situation")
        elif self.matter.question(option.next) is None:
            raise ValueError(f"{self.matter.id}: option {option.text!r} leads nowhere")
        return self.situation

    def back(self) -> bool:
        """Undo the last answer; False when already at the first question."""
        if not self.path:
            return False
        self.path.pop()
        self.situation = None
        return True

    def trail(self) -> list[str]:
        """The visible path: the matter, then each answer given."""
        return [self.matter.name, *(o.text for _, o in self.path)]
