"""The kiosk's state machine (自助取号机): screens, questionnaire, identity entry, tickets, faults.

Pure Python in the manner of h11: the model never does I/O. The view calls a method for
each touch, the controller calls one for each reply, printer result and clock tick; the
model changes its state, tells its listeners, and queues *effects* for the controller to
carry out (:class:`Send` a request to the hub, :class:`Print` a slip). Everything here runs
in tests without a screen, a broker or a printer.

It is written in two halves: :mod:`kiosk.screens` (the vocabulary, the state, which screen shows and
the moves between screens, the questionnaire included) and this module (identity entry, requests to
the hub, replies, printing, the idle timer), which also re-exports the vocabulary.

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

from typing import Any

from hallq import clock as hallclock
from hallq import idcard
from hallq.i18n import language, tr
from hallq.protocol import new_request_id
from kiosk.printing import VOID_REASON, PrinterState
from kiosk.refusals import citizen_refusal, early_message, id_message, refusal
from kiosk.screens import (
    MAX_LEN,
    Effect,
    Field,
    KioskScreens,
    Notice,
    Print,
    Purpose,
    Screen,
    Send,
    masked_entry,
)

__all__ = ["MAX_LEN", "Effect", "Field", "KioskModel", "Notice", "Print", "Purpose", "Screen", "Send",
           "masked_entry"]

ORPHAN_REASON = "取号未完成"


class KioskModel(KioskScreens):
    """The whole kiosk: :class:`~kiosk.screens.KioskScreens` (state, screens, navigation) plus identity
    entry, requests to the hub, replies, printing and time."""

    # ------------------------------------------------------------ identity and ticket

    def take_ticket(self, assist: bool = False) -> None:
        """From the result screen: 取号 (or 我需要帮助 with ``assist``)."""
        if not self.can_issue:
            self._refuse("printer_blocked")
            return
        self.purpose = Purpose.ISSUE
        self.assist = assist
        self.fields = dict.fromkeys(Field, "")
        self.notify_consent = False
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

    def toggle_consent(self) -> None:
        """同意 / 不同意接收办理通知 (only offered where the hall runs a notifier)."""
        self.touch()
        self.notify_consent = not self.notify_consent
        if self.notify_consent and not self.fields[Field.PHONE]:
            self.field = Field.PHONE  # next: the number to message
        self.error = ""
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
        if not self.reachable:
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
            return Send("ticket.retake", {"ticket": number}, new_request_id(), Purpose.RETAKE)
        if self.screen is Screen.CHECKIN:
            if self.printer.blocking:
                self._refuse("printer_blocked")
                return None
            if self.field is Field.CODE:
                code = f[Field.CODE].strip()
                if not code:
                    raise ValueError(tr("请输入预约码"))
                return Send("appointment.checkin", {"code": code}, new_request_id(), Purpose.CHECKIN)
            return Send("appointment.checkin", {"id_number": self._valid_id()}, new_request_id(), Purpose.CHECKIN)
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
        if self.notify_consent and self.catalog is not None and self.catalog.has_notifier:
            if not phone:
                self.field = Field.PHONE
                raise ValueError(tr("您已同意接收办理通知，请填写手机号码；不需要通知请取消勾选"))
            args["notify_consent"] = True
        if self.card_name:
            args["name"] = self.card_name
        if self.assist:
            args["assist"] = True
        if self.priority_group:
            args["priority_group"] = self.priority_group
        return Send("ticket.issue", args, new_request_id(), Purpose.ISSUE)

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
            if self.online:
                self.offline_since = self.clock()
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
        send = Send("ticket.cancel", {"ticket": ticket_id, "reason": reason}, new_request_id(), Purpose.VOID)
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
        """The refusal in the kiosk's own words for ``code`` (see :func:`kiosk.refusals.citizen_refusal`)."""
        title, body = citizen_refusal(code, message, retake=self.purpose is Purpose.RETAKE)
        if code == "appointment_early" and message and language() != "zh_CN":  # the time to come back
            body = early_message(message)
        self.notice = Notice(title, body, "warn")
        self._go(Screen.NOTICE)

    # ------------------------------------------------------------ time

    def tick(self, now: float | None = None) -> bool:
        """The idle timer and the reprint deadline; True when the screen was reset to START."""
        now = self.clock() if now is None else now
        if self.reachable != self._shown_reachable:  # a short outage outlasted its grace: 暂停取号 now
            self._changed()
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
            if self.reachable:
                return False  # a request in flight (or waiting out a short outage): its answer decides
            self.orphans[self.pending.request_id] = self.pending  # offline: answer later, void if issued
        self._clear()
        self._changed()
        return True
