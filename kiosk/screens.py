"""The first half of the kiosk's state machine: its vocabulary, which screen shows, and how a citizen
moves between screens (the questionnaire included).

:class:`KioskScreens` holds the state, the listeners and the effect queue, derives the visible screen
(faults cover the citizen's screen), follows the connection and the catalogue, and walks the citizen
through START, MATTERS, PRIORITY, QUESTION and RESULT and back. :class:`kiosk.model.KioskModel`
adds the second half: identity entry, requests to the hub, replies, printing and time. The diagram
of every screen is in :mod:`kiosk.model`. Pure Python: no I/O, no Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hallq import messages
from hallq.i18n import tr
from hallq.messages import Question, Situation
from hallq.waits import wait_of
from kiosk import texts as _texts  # noqa: F401 - registers the English texts
from kiosk.catalog import Catalog, Matter, Route, Walk
from kiosk.printing import PrinterState


class Screen(StrEnum):
    START = "start"
    MATTERS = "matters"
    PRIORITY = "priority"
    QUESTION = "question"
    RESULT = "result"
    IDENTIFY = "identify"
    RETAKE = "retake"
    CHECKIN = "checkin"
    WORKING = "working"
    TICKET = "ticket"
    NOTICE = "notice"
    OFFLINE = "offline"
    PAPER_OUT = "paper_out"


class Purpose(StrEnum):
    ISSUE = "issue"
    RETAKE = "retake"
    CHECKIN = "checkin"
    VOID = "void"


class Field(StrEnum):
    ID = "id"
    PHONE = "phone"
    CODE = "code"
    TICKET = "ticket"


MAX_LEN = {Field.ID: 18, Field.PHONE: 11, Field.CODE: 16, Field.TICKET: 6}


@dataclass(frozen=True)
class Send:
    """Ask the hub; ``request_id`` is reused on every retry of the same attempt."""

    op: str
    args: dict[str, Any] = field(repr=False)  # may hold the full ID number: never repr'd or logged
    request_id: str
    purpose: Purpose


@dataclass(frozen=True)
class Print:
    view: dict[str, Any]
    reprint: bool = False  # a guide's reprint request: no screen change


Effect = Send | Print


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    kind: str = "warn"  # warn | error | info


def masked_entry(text: str) -> str:
    """The ID number with its birth-date digits starred (``110105********002X``)."""
    return text[:6] + "*" * len(text[6:14]) + text[14:]


class KioskScreens:
    """The kiosk's state, the screen it shows and the moves between screens (see the module docstring)."""

    def __init__(self, device: str, *, clock: Callable[[], float], idle_timeout: float = 60.0,
                 ticket_timeout: float = 30.0, reprint_grace: float = 60.0, id_required: bool = True,
                 outage_grace: float = 30.0) -> None:
        self.device = device
        self.outage_grace = outage_grace  # a hub or broker outage this short does not interrupt the citizen
        self.clock = clock
        self.idle_timeout = idle_timeout
        self.ticket_timeout = ticket_timeout
        self.reprint_grace = reprint_grace
        self.id_required = id_required
        self.catalog: Catalog | None = None
        self.broker_up = False
        self.hub_up = False
        self.offline_since: float | None = None  # when the hub or broker went away (None: online, or never was)
        self._shown_reachable = False
        self.printer = PrinterState()
        self._listeners: list[Callable[[], None]] = []
        self._effects: list[Effect] = []
        self.orphans: dict[str, Send] = {}  # request id -> a request nobody waits for any more
        self.pending_print: dict[str, Any] | None = None
        self.print_deadline = 0.0
        self.queue_waits: dict[str, str] = {}  # queue id → its predicted wait in words (state/queues)
        self._clear()

    # ------------------------------------------------------------ plumbing

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe_all(self) -> None:
        """The screen and controller are going away."""
        self._listeners.clear()

    def _changed(self) -> None:
        self._shown_reachable = self.reachable  # what the listeners are about to show
        for fn in self._listeners:
            fn()

    def take_effects(self) -> list[Effect]:
        out, self._effects = self._effects, []
        return out

    def touch(self) -> None:
        """Any touch or key: the citizen is still here."""
        self.last_activity = self.clock()

    def _clear(self) -> None:
        """Forget the citizen: everything personal and the way they came."""
        self.screen = Screen.START
        self.elder = False  # 长者模式 is the citizen's choice: the next one starts without it
        self.history: list[Screen] = []
        self.list_title = ""
        self.matters: list[Matter] = []
        self.search_text = ""
        self.searching = False
        self.walk: Walk | None = None
        self.purpose = Purpose.ISSUE
        self.assist = False
        self.priority_group = ""
        self.fields: dict[Field, str] = dict.fromkeys(Field, "")
        self.field = Field.ID
        self.card_name = ""
        self.notify_consent = False  # 同意接收办理通知: one tap on the ID screen (docs/notify.md)
        self.error = ""
        self.notice: Notice | None = None
        self.ticket: dict[str, Any] | None = None
        self.checkin_note = ""  # 预约签到: what the ticket means against the booked slot (late, early…)
        self.pending: Send | None = None
        self.last_activity = self.clock()

    # ------------------------------------------------------------ what is on screen

    @property
    def online(self) -> bool:
        return self.broker_up and self.hub_up and self.catalog is not None

    @property
    def reconnecting(self) -> bool:
        """A short outage (a hub restarting, a standby taking over): the citizen carries on.

        For ``outage_grace`` seconds after the hub or broker went away, with the catalogue already
        known, nothing covers the citizen's screen; a ticket asked for meanwhile is sent, with its
        request id, as soon as the hub answers again (:meth:`_resend`). After that, 暂停取号 shows,
        and the citizen's place is still kept underneath until the idle timer."""
        return (not self.online and self.catalog is not None and self.offline_since is not None
                and self.clock() - self.offline_since < self.outage_grace)

    @property
    def reachable(self) -> bool:
        """Online, or within a short outage's grace (requests wait for the hub, see :attr:`reconnecting`)."""
        return self.online or self.reconnecting

    @property
    def can_issue(self) -> bool:
        return self.reachable and not self.printer.blocking and self.pending_print is None

    @property
    def visible(self) -> Screen:
        """The screen to show: faults cover the citizen's screen (a shown ticket stays)."""
        printing = self.screen is Screen.WORKING and self.pending is None  # issued, slip on its way
        if not self.reachable and self.screen is not Screen.TICKET and not printing:
            return Screen.OFFLINE
        if self.screen is Screen.START and (self.printer.blocking or self.pending_print is not None):
            return Screen.PAPER_OUT
        return self.screen

    @property
    def question(self) -> Question | None:
        return self.walk.question if self.walk else None

    @property
    def situation(self) -> Situation | None:
        return self.walk.situation if self.walk else None

    @property
    def route(self) -> Route | None:
        s = self.situation
        return self.catalog.route(s) if s and self.catalog else None

    def set_queues(self, queues: Iterable[Any]) -> None:
        """``state/queues``: the predicted wait a ticket taken now would have, per queue (shown on the
        result screen when it is next filled: no repaint under a citizen's finger)."""
        self.queue_waits = {q.id: words for q in queues if (words := wait_of(q)) is not None}

    @property
    def expected_wait(self) -> str | None:
        """The predicted wait of the ticket the result screen would take (None: nothing to show)."""
        s, route, cat = self.situation, self.route, self.catalog
        if s is None or cat is None or route in (None, Route.CONSULT, Route.ONLINE):
            return None
        return self.queue_waits.get(cat.assist_queue if route is Route.ASSIST else s.queue)

    @property
    def can_ask_help(self) -> bool:
        """我需要帮助: an assisted ticket instead (online routes need the hall's assist queue)."""
        r = self.route
        if r in (None, Route.CONSULT):
            return False
        return r is not Route.ONLINE or bool(self.catalog and self.catalog.assist_queue)

    @property
    def entry_display(self) -> str:
        return self.field_display(self.field)

    def field_display(self, f: Field) -> str:
        """What the screen shows of a field.

        The ID number shows as typed, so that a digit typed wrong can be found and corrected; once
        complete (18 characters), read from a card, or left for another field, its birth-date digits
        are starred: the whole number is never on screen. Phone numbers are starred as typed."""
        text = self.fields[f]
        if f is Field.ID:
            typing = f is self.field and len(text) < MAX_LEN[Field.ID] and not self.card_name
            return text if typing else masked_entry(text)
        if f is Field.PHONE:
            return text[:3] + "*" * len(text[3:7]) + text[7:]  # 138****5678, never whole
        return text

    @property
    def group_name(self) -> str:
        if not self.priority_group or self.catalog is None:
            return ""
        return self.catalog.priority_groups.get(self.priority_group, self.priority_group)

    # ------------------------------------------------------------ connection and catalogue

    def set_catalog(self, data: messages.Catalog | dict[str, Any]) -> None:
        """The hub's catalogue, typed (from the kiosk's mirror) or as JSON (malformed: msgspec.ValidationError)."""
        was = self.online
        self.catalog = Catalog.from_message(data) if isinstance(data, messages.Catalog) else Catalog.from_json(data)
        self.hub_up = True  # the hub (re)published its catalogue
        self._connectivity(was)

    def set_broker(self, up: bool) -> None:
        was = self.online
        self.broker_up = up
        self._connectivity(was)

    def set_hub(self, up: bool) -> None:
        was = self.online
        self.hub_up = up
        self._connectivity(was)

    def _connectivity(self, was_online: bool) -> None:
        if self.online and not was_online:
            self.offline_since = None
            self._resend()
        elif was_online and not self.online:
            self.offline_since = self.clock()
        self._changed()

    def set_printer(self, state: PrinterState, now: float | None = None) -> None:
        self.printer = state
        if self.pending_print is not None and not state.blocking and state.checked:
            self._effects.append(Print(self.pending_print))
        self._changed()

    def _resend(self) -> None:
        """Back online: repeat what is unanswered with the same request ids."""
        if self.pending is not None:
            self._effects.append(self.pending)
        self._effects.extend(self.orphans.values())

    # ------------------------------------------------------------ navigation

    def _go(self, screen: Screen) -> None:
        if screen is not self.screen:
            self.history.append(self.screen)
        self.screen = screen
        self.error = ""
        self.touch()
        self._changed()

    def home(self) -> None:
        self._clear()
        self._changed()

    def back(self) -> None:
        self.touch()
        if self.screen in (Screen.QUESTION, Screen.RESULT) and self.walk and self.walk.back():
            self.screen = Screen.QUESTION
            self._changed()
            return
        if self.screen in (Screen.IDENTIFY, Screen.RETAKE, Screen.CHECKIN):
            self.fields = dict.fromkeys(Field, "")
            self.card_name = ""
        while self.history:
            prev = self.history.pop()
            if prev not in (Screen.WORKING, Screen.NOTICE, Screen.TICKET, self.screen):
                self.screen = prev
                self.error = ""
                self._changed()
                return
        self.home()

    def set_elder(self, on: bool) -> None:
        self.elder = on
        self.touch()
        self._changed()

    def open_zone(self, zone: str) -> None:
        assert self.catalog is not None
        self.searching = False
        self.list_title = self.catalog.zones.get(zone, zone)
        self.matters = self.catalog.in_zone(zone)
        self._go(Screen.MATTERS)

    def open_all(self) -> None:
        assert self.catalog is not None
        self.searching = False
        self.list_title = tr("全部事项")
        self.matters = list(self.catalog.matters.values())
        self._go(Screen.MATTERS)

    def open_search(self) -> None:
        """The search screen: keyword or pinyin initials (sfz → 身份证), results as you type."""
        assert self.catalog is not None
        self.searching = True
        self.search_text = ""
        self.list_title = tr("搜索事项")
        self.matters = self.catalog.popular()
        self._go(Screen.MATTERS)

    def search(self, text: str) -> None:
        assert self.catalog is not None
        self.search_text = text.strip()[:20]
        self.matters = self.catalog.search(self.search_text) if self.search_text else self.catalog.popular()
        if self.screen is Screen.MATTERS and self.searching:
            self.touch()
            self._changed()
            return
        self.searching = True
        self.list_title = tr("搜索事项")
        self._go(Screen.MATTERS)

    def open_priority(self) -> None:
        self._go(Screen.PRIORITY)

    def choose_priority(self, group: str) -> None:
        assert self.catalog is not None
        if group and group not in self.catalog.priority_groups:
            raise ValueError(f"unknown priority group {group!r}")
        self.priority_group = group
        self.searching = False
        if group == "elderly":
            self.elder = True
        self.list_title = tr("请选择要办理的事项")
        popular = self.catalog.popular()
        rest = [m for m in self.catalog.matters.values() if m not in popular]
        self.matters = popular + rest
        self._go(Screen.MATTERS)

    def open_matter(self, matter_id: str) -> None:
        assert self.catalog is not None
        self.walk = Walk(self.catalog.matters[matter_id])
        self._go(Screen.RESULT if self.walk.situation else Screen.QUESTION)

    def answer(self, index: int) -> None:
        assert self.walk is not None
        self.walk.choose(index)
        if self.walk.situation is not None:
            self._go(Screen.RESULT)
        else:
            self.touch()
            self._changed()
