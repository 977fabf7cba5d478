"""The kiosk's state machine (自助取号机): screens, questionnaire, identity entry, tickets, faults.

Pure Python in the manner of h11: the model never does I/O. The view calls a method for
each touch, the controller calls one for each reply, printer result and clock tick; the
model changes its state, tells its listeners, and queues *effects* for the controller to
carry out (:class:`Send` a request to the hub, :class:`Print` a slip). Everything here runs
in tests without a screen, a broker or a printer.

Screens and how a citizen moves between them::

    START ─ zone tile / search / 全部事项 ─► MATTERS ─► QUESTION … ─► RESULT
      │  老年人/特殊群体 ─► PRIORITY ─► MATTERS                          │ 取号 / 我需要帮助
      │  过号取号 ─► RETAKE ───────┐                                      ▼
      │  预约签到 ─► CHECKIN ──────┼──────────────► WORKING ◄──────── IDENTIFY
      │                            └─► NOTICE (refusal)   │ ticket + printed
      ▼                                                   ▼
    (derived) OFFLINE when the hub is unreachable; PAPER_OUT instead of START
              when the printer cannot print                TICKET

Back walks the questionnaire one answer at a time, then the screens in the order seen.
Idle for ``idle_timeout`` seconds anywhere (but a request in flight) returns to START and
forgets everything personal: ID number, phone, name, the ticket shown, the search text.

Ticket requests are idempotent: the request id is made once per attempt to take a
ticket and reused for every retry, including a retry after the hub was unreachable, so
the hub answers a repeat with the ticket it already issued instead of issuing another.
A ticket that is issued but cannot be printed is reprinted if the printer recovers within
``reprint_grace`` seconds, else voided through the hub (``ticket.cancel``, 打印失败).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hallq import clock as hallclock
from hallq import idcard, messages
from hallq.i18n import language, tr
from hallq.messages import Question, Situation
from kiosk import strings as _strings  # noqa: F401 - registers the English texts
from kiosk.catalog import Catalog, Matter, Route, Walk
from kiosk.printing import VOID_REASON, PrinterState
from kiosk.texts import citizen_refusal, early_message, id_message, refusal

ORPHAN_REASON = "取号未完成"


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


class KioskModel:
    def __init__(self, device: str, *, clock: Callable[[], float], idle_timeout: float = 60.0,
                 ticket_timeout: float = 30.0, reprint_grace: float = 60.0, id_required: bool = True) -> None:
        self.device = device
        self.clock = clock
        self.idle_timeout = idle_timeout
        self.ticket_timeout = ticket_timeout
        self.reprint_grace = reprint_grace
        self.id_required = id_required
        self.catalog: Catalog | None = None
        self.broker_up = False
        self.hub_up = False
        self.printer = PrinterState()
        self._listeners: list[Callable[[], None]] = []
        self._effects: list[Effect] = []
        self.orphans: dict[str, Send] = {}  # request id -> a request nobody waits for any more
        self.pending_print: dict[str, Any] | None = None
        self.print_deadline = 0.0
        self._clear()

    # ------------------------------------------------------------ plumbing

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe_all(self) -> None:
        """The screen and controller are going away."""
        self._listeners.clear()

    def _changed(self) -> None:
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
    def can_issue(self) -> bool:
        return self.online and not self.printer.blocking and self.pending_print is None

    @property
    def visible(self) -> Screen:
        """The screen to show: faults cover the citizen's screen (a shown ticket stays)."""
        printing = self.screen is Screen.WORKING and self.pending is None  # issued, slip on its way
        if not self.online and self.screen is not Screen.TICKET and not printing:
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
            self._resend()
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

    # ------------------------------------------------------------ identity and ticket

    def take_ticket(self, assist: bool = False) -> None:
        """From the result screen: 取号 (or 我需要帮助 with ``assist``)."""
        if not self.can_issue:
            self._refuse("printer_blocked")
            return
        self.purpose = Purpose.ISSUE
        self.assist = assist
        self.fields = dict.fromkeys(Field, "")
        self.field = Field.ID
        self._go(Screen.IDENTIFY)

    def open_retake(self) -> None:
        self.purpose = Purpose.RETAKE
        self.fields = dict.fromkeys(Field, "")
        self.field = Field.TICKET
        self._go(Screen.RETAKE)

    def open_checkin(self) -> None:
        self.purpose = Purpose.CHECKIN
        self.fields = dict.fromkeys(Field, "")
        self.field = Field.CODE
        self._go(Screen.CHECKIN)

    def select_field(self, f: Field) -> None:
        self.field = f
        self.error = ""
        self.touch()
        self._changed()

    def key(self, char: str) -> None:
        """On-screen keypad: a character, ``"⌫"`` (backspace) or ``"C"``-lear is :meth:`clear`."""
        self.touch()
        text = self.fields[self.field]
        if char == "⌫":
            text = text[:-1]
        elif len(text) < MAX_LEN[self.field]:
            text += char.upper()
        self.fields[self.field] = text
        self.error = ""
        if self.field is Field.ID and len(text) == 18 and self.screen is Screen.IDENTIFY:
            self.field = Field.PHONE  # next: the optional phone number
        self._changed()

    def clear_field(self) -> None:
        self.fields[self.field] = ""
        if self.field is Field.ID:
            self.card_name = ""
        self.error = ""
        self.touch()
        self._changed()

    def card_read(self, id_number: str, name: str = "") -> None:
        """An ID card on the reader: fills the ID (identify and check-in screens)."""
        if self.screen not in (Screen.IDENTIFY, Screen.CHECKIN):
            return
        self.touch()
        self.fields[Field.ID] = idcard.normalize_id(id_number)[:18]
        self.card_name = name
        self.error = ""
        if self.screen is Screen.CHECKIN:
            self.field = Field.ID
            self.submit()
            return
        self.field = Field.PHONE
        self._changed()

    def submit(self) -> None:
        """确定 on the identify, retake or check-in screen: check locally, then ask the hub."""
        self.touch()
        if not self.online:
            self._changed()
            return
        try:
            send = self._request()
        except ValueError as exc:
            self.error = str(exc)  # nothing is sent
            self._changed()
            return
        if send is None:
            return
        self.pending = send
        self._effects.append(send)
        self._go(Screen.WORKING)

    def _request(self) -> Send | None:
        f = self.fields
        if self.screen is Screen.RETAKE:
            number = f[Field.TICKET].strip().upper()
            if len(number) < 2 or not number[0].isalpha() or not number[1:].isdigit():
                raise ValueError(tr("请输入小票上的票号，例如 A012"))
            if self.printer.blocking:
                self._refuse("printer_blocked")
                return None
            return Send("ticket.retake", {"ticket": number}, _rid(), Purpose.RETAKE)
        if self.screen is Screen.CHECKIN:
            if self.printer.blocking:
                self._refuse("printer_blocked")
                return None
            if self.field is Field.CODE:
                code = f[Field.CODE].strip()
                if not code:
                    raise ValueError(tr("请输入预约码"))
                return Send("appointment.checkin", {"code": code}, _rid(), Purpose.CHECKIN)
            return Send("appointment.checkin", {"id_number": self._valid_id()}, _rid(), Purpose.CHECKIN)
        if self.screen is not Screen.IDENTIFY or self.walk is None or self.walk.situation is None:
            return None
        if not self.can_issue:
            self._refuse("printer_blocked")
            return None
        args: dict[str, Any] = {"matter": self.walk.matter.id, "situation": self.walk.situation.id}
        if f[Field.ID] or self.id_required:
            args["id_number"] = self._valid_id()
        phone = f[Field.PHONE]
        if phone:
            if not (len(phone) == 11 and phone.isdigit() and phone[0] == "1"):
                self.field = Field.PHONE
                raise ValueError(tr("手机号码应为以1开头的11位数字；也可以不填"))
            args["phone"] = phone
        if self.card_name:
            args["name"] = self.card_name
        if self.assist:
            args["assist"] = True
        if self.priority_group:
            args["priority_group"] = self.priority_group
        return Send("ticket.issue", args, _rid(), Purpose.ISSUE)

    def _valid_id(self) -> str:
        try:
            return idcard.validate_id(self.fields[Field.ID])
        except idcard.InvalidIdNumber as exc:
            self.field = Field.ID
            raise ValueError(id_message(exc)) from None

    # ------------------------------------------------------------ replies (controller → model)

    def on_reply(self, send: Send, result: dict[str, Any]) -> None:
        if send.request_id in self.orphans:  # nobody waits: void what was issued
            del self.orphans[send.request_id]
            ticket = result.get("ticket") or {}
            if send.purpose in (Purpose.ISSUE, Purpose.CHECKIN) and ticket.get("id"):
                self._void(ticket["id"], ORPHAN_REASON)
            self._changed()
            return
        if send.purpose is Purpose.VOID:
            self._changed()
            return
        if self.pending is None or send.request_id != self.pending.request_id:
            return
        self.pending = None
        self.fields[Field.ID] = ""  # the full number is done with
        self.ticket = result.get("ticket")
        if self.ticket is None:
            self._refuse("internal")
            return
        if send.purpose is Purpose.CHECKIN:
            self.checkin_note = self._checkin_note(str(result.get("checkin", "")), result.get("slot"))
        self._effects.append(Print(self.ticket))
        self._changed()

    def on_error(self, send: Send, code: str, message: str) -> None:
        if code == "timeout":
            # The hub may or may not have acted: keep the request, retry with the same id when back.
            self.hub_up = False
            if send.purpose is Purpose.VOID or send.request_id in self.orphans:
                self.orphans[send.request_id] = send
            self._changed()
            return
        self.orphans.pop(send.request_id, None)
        if send.purpose is Purpose.VOID:
            return
        if self.pending is None or send.request_id != self.pending.request_id:
            return
        self.pending = None
        self.fields[Field.ID] = ""
        self._refuse(code, message)

    def on_printed(self, view: dict[str, Any], reprint: bool = False) -> None:
        if reprint:
            return
        self.pending_print = None
        self.ticket = view
        if self.screen is Screen.WORKING or self.screen is Screen.NOTICE:
            self.history = []
            self.screen = Screen.TICKET
            self.notice = None
            self.touch()
        self._changed()

    def on_print_failed(self, view: dict[str, Any], state: PrinterState, reprint: bool = False) -> None:
        self.printer = state
        if reprint:
            self._changed()
            return
        first = self.pending_print is None
        self.pending_print = view
        if first:
            self.print_deadline = self.clock() + self.reprint_grace
        if self.screen is Screen.WORKING:
            # citizens get plain words; the printer's own message (请更换纸卷 …) is a staff instruction,
            # published in the kiosk's status for the guide console
            body = tr("小票暂时无法打印，正在等待打印机恢复，请稍候；若未恢复，本次取号将作废，请到引导台取号。")
            self.notice = Notice(tr("小票打印失败"), body, "error")
            self.screen = Screen.NOTICE
        self._changed()

    def on_reprint_request(self, view: dict[str, Any]) -> None:
        """A guide asked this kiosk to print a ticket's slip again (event/reprint)."""
        self._effects.append(Print(view, reprint=True))

    def void_unprinted(self, ticket_ids: list[str]) -> None:
        """Tickets left unprinted by an earlier run (the spool): void them through the hub."""
        for tid in ticket_ids:
            self._void(tid, VOID_REASON)

    def _void(self, ticket_id: str, reason: str) -> None:
        send = Send("ticket.cancel", {"ticket": ticket_id, "reason": reason}, _rid(), Purpose.VOID)
        self.orphans[send.request_id] = send
        self._effects.append(send)

    def _hhmm(self, at: float) -> str:
        return hallclock.local(at, self.catalog.timezone if self.catalog else None).strftime("%H:%M")

    def _checkin_note(self, timing: str, slot: Any) -> str:
        """预约签到 outcome in words: late and early check-ins get an ordinary ticket (R5)."""
        if not isinstance(slot, int | float):
            return ""
        at = self._hhmm(float(slot))
        if timing == "late":
            return tr("您的预约时段 {t} 已过签到时间，已为您取普通号，按到达顺序叫号。", t=at)
        if timing == "early":
            return tr("距您的预约时段 {t} 还早，已为您取普通号，按到达顺序叫号。", t=at)
        if float(slot) > self.clock():
            return tr("预约签到成功。{t} 起优先叫号，请在大厅等候。", t=at)
        return tr("预约签到成功，优先叫号。")

    def _refuse(self, code: str, message: str = "") -> None:
        """The refusal in the kiosk's own words for ``code`` (see :func:`kiosk.texts.citizen_refusal`)."""
        title, body = citizen_refusal(code, message, retake=self.purpose is Purpose.RETAKE)
        if code == "appointment_early" and message and language() != "zh_CN":  # the time to come back
            body = early_message(message)
        self.notice = Notice(title, body, "warn")
        self._go(Screen.NOTICE)

    # ------------------------------------------------------------ time

    def tick(self, now: float | None = None) -> bool:
        """The idle timer and the reprint deadline; True when the screen was reset to START."""
        now = self.clock() if now is None else now
        if self.pending_print is not None and now >= self.print_deadline:
            view, self.pending_print = self.pending_print, None
            self._void(view["id"], VOID_REASON)
            if self.screen is Screen.NOTICE:
                title, advice = refusal("print_failed")
                self.notice = Notice(title, advice, "error")
            self._changed()
        if self.screen is Screen.START and not self.history:
            self.last_activity = now
            return False
        limit = self.ticket_timeout if self.screen is Screen.TICKET else self.idle_timeout
        if now - self.last_activity < limit:
            return False
        if self.pending is not None:
            if self.online:
                return False  # a request in flight: its answer decides the screen
            self.orphans[self.pending.request_id] = self.pending  # offline: answer later, void if issued
        self._clear()
        self._changed()
        return True


def _rid() -> str:
    return uuid.uuid4().hex
