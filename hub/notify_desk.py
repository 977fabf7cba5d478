"""The notifier's two ops (docs/notify.md): ``notify.watch`` and ``notify.phone``.

A citizen who ticks the consent at the kiosk (``ticket.issue`` with ``notify_consent``) leaves a
full phone number; :meth:`NotifyDesk.keep` seals it at the door (:func:`hub.security.sealed.seal_phone`,
bound to the ticket) into ``notify_phones``, in the issuing command's transaction. Without consent
only the masked copy is kept, as before. ``notify.watch`` says where each consenting ticket and its
case stand, without the number; ``notify.phone`` unseals one number for the notifier, which asks
for it only when a message is due. Both are queries: never logged, never stored with their reply,
and only the ``notify`` role may send them (hallq/commands.py).

The guide's 回访 view reads the same sealed numbers, under its own rules (:meth:`NotifyDesk.reveal`,
op ``followup.phone``, role ``guide`` only): a number is shown only for a 差评 or 未评价 service
(the only ones a guide follows up), only when the citizen consented and the number is still kept
(it is purged with the ticket's retention), only to a signed-in guide where the hall requires
signing in. Each reveal is an ``audit.override`` event (op ``followup.phone``, the device, the
guide's staff number, the ticket), never the number, so a manager can audit who looked at which
number; the reply itself is a query's: not logged, not stored. ``followups.list`` marks the items
whose number can be shown (:meth:`NotifyDesk.mark_consent`).

``notify.claim`` is the notifiers' one command (:meth:`NotifyDesk.claim`): before calling the SMS gateway a
notifier claims the moment's key. The first claim of a key, from any notifier, is the only one granted; it is a
``notify.claimed`` event, so it commits with its stored reply and replicates to the standby hub with the log,
and a notifier on either PC, before or after a failover, sees it. The daily cap per number is counted here,
where the numbers are: granted claims of the hall day whose ticket carries the same (unsealed) number. A claim
over the cap is recorded too, not granted, so no other notifier sends that moment either.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from hallq import commands as k
from hallq import messages as m
from hub import events as ev
from hub.cases import Case, CaseBook
from hub.core import DomainError, HallCore
from hub.publisher import Publisher
from hub.security import sealed
from hub.store import Store

NOTIFY_QUERIES = (k.NotifyWatch, k.NotifyPhone)
REVEAL_SECONDS = 60  # how long the guide console shows a revealed number before masking it again
FOLLOWED_UP_LEVELS = (0, 1, 2)  # 未评价 and 差评: the services a guide calls back


@dataclass
class NotifyDesk:
    store: Store
    id_key: bytes
    publisher: Publisher
    _digests: dict[str, bytes] = field(default_factory=dict, repr=False)  # ticket → digest of its number (memory)
    _day: str = ""  # the hall day _digests serves (cleared at the next, so it never grows past a day's claims)

    @staticmethod
    def check(phone: str, consent: bool) -> None:
        """Before the ticket is issued: a consent needs a mobile number (else nothing is issued)."""
        phone = phone.strip()
        if consent and not (len(phone) == 11 and phone.isdigit() and phone[0] == "1"):
            raise DomainError("bad_args", "同意接收通知需要填写以1开头的11位手机号码 (notify_consent needs a mobile "
                                          "number: 11 digits starting with 1)")

    def keep(self, ticket: str, day: str, phone: str, consent: bool, now: float) -> None:
        """A new ticket's phone: sealed when the citizen consented; nothing (but the masked copy) else."""
        if consent:
            self.store.put_phone(ticket, day, sealed.seal_phone(self.id_key, ticket, phone.strip()), now)

    def query(self, core: HallCore, book: CaseBook, cmd: k.Command, now: float) -> dict[str, Any]:
        match cmd:
            case k.NotifyWatch():
                by_ticket: dict[str, Case] = {c.ticket: c for c in book.cases.values() if c.ticket}
                return {"items": [self._item(core, by_ticket.get(t), t, now) for t, _ in self.store.phone_tickets()]}
            case k.NotifyPhone():
                blob = self.store.phone(cmd.ticket)
                if blob is None:
                    raise DomainError("no_consent", "该号没有同意接收通知，或号码已按保存期限删除")
                return {"ticket": cmd.ticket, "phone": sealed.unseal_phone(self.id_key, cmd.ticket, blob)}
        raise TypeError(type(cmd).__name__)  # pragma: no cover

    def _item(self, core: HallCore, case: Case | None, ticket: str, now: float) -> m.NotifyItem:
        t = core.tickets.get(ticket)
        view = self.publisher.ticket(core, t, now) if t is not None else None
        ahead = view.ahead if view is not None and isinstance(view.ahead, int) else -1
        return m.NotifyItem(
            ticket, view.number if view else ticket.rsplit("-", 1)[-1], view.state if view else "", ahead,
            view.window if view else "", case.id if case else "", case.state.value if case else "",
            case.window if case else "", case.delivery.value if case else "", list(case.reasons) if case else [],
            tracking=case.tracking if case else "", compartment=case.compartment if case else "",
            decision=case.decision if case else "")

    def claim(self, core: HallCore, book: CaseBook, cmd: k.NotifyClaim, device: str,
              now: float) -> tuple[m.NotifyClaimAnswer, list[ev.Event]]:
        """``notify.claim``: the answer, and the ``notify.claimed`` event of a first claim (applied to ``core``).
        A key claimed before is answered from its claim, with no event. Refusals change nothing."""
        blob = self.store.phone(cmd.ticket)
        if blob is None:
            raise DomainError("no_consent", f"{cmd.ticket} 没有同意接收通知，或号码已按保存期限删除")
        owners = {cmd.ticket} | {c.id for c in book.cases.values() if c.ticket == cmd.ticket}
        if cmd.key.split(":", 1)[0] not in owners or ":" not in cmd.key:
            raise DomainError("bad_args", f"key {cmd.key!r} 不属于票号 {cmd.ticket} 或它的办件 (a moment's key starts "
                                          f"with its ticket or case, e.g. {cmd.ticket}:near)")
        day = core.day or core.local(now).date().isoformat()
        if day != self._day:
            self._digests, self._day = {}, day
        digest = self._digest(cmd.ticket, blob)
        today = sum(1 for t in self.store.granted_claims(day) if self._digest(t) == digest)
        held = self.store.claim(cmd.key)
        if held is not None:  # claimed before, by this notifier or another: never granted twice
            return m.NotifyClaimAnswer(cmd.key, cmd.ticket, False, not held["granted"], str(held["device"]),
                                       float(held["at"]), today), []
        granted = today < cmd.cap
        claimed = ev.NotifyClaimed(now, cmd.ticket, cmd.key, cmd.kind, device, day, granted)
        core.apply(claimed)
        return m.NotifyClaimAnswer(cmd.key, cmd.ticket, granted, not granted, device, now,
                                   today + int(granted)), [claimed]

    def _digest(self, ticket: str, blob: bytes | None = None) -> bytes:
        """A digest of a ticket's number, kept in memory only (b"" once the number is purged)."""
        if ticket not in self._digests:
            blob = self.store.phone(ticket) if blob is None else blob
            phone = sealed.unseal_phone(self.id_key, ticket, blob) if blob is not None else ""
            self._digests[ticket] = hashlib.sha256(phone.encode()).digest() if phone else b""
        return self._digests[ticket]

    # ------------------------------------------------------------ the guide's 回访 view

    def mark_consent(self, items: list[m.FollowupItem]) -> list[m.FollowupItem]:
        """``followups.list``: say which items' numbers ``followup.phone`` will show."""
        kept = {t for t, _ in self.store.phone_tickets()}
        for item in items:
            item.consent = item.ticket in kept
        return items

    def reveal(self, core: HallCore, cmd: k.FollowupPhone, device: str, now: float, *,
               sign_in_required: bool) -> tuple[m.FollowupPhoneShown, ev.Event]:
        """``followup.phone``: the number of a consenting 差评/未评价 service for a guide's call, and the
        audit event of the reveal (applied to ``core``; the service records it). Refusals change nothing."""
        if sign_in_required and device not in core.guides:
            raise DomainError("not_signed_in", "请先签到：显示群众电话需要记名 (sign in first: reveals are audited)")
        exists, evaluation = self.store.evaluation_of(cmd.ticket)
        if not exists:
            raise DomainError("unknown_ticket", f"没有票号 {cmd.ticket}（请用完整票号，如 2026-11-23-A001）")
        if evaluation not in FOLLOWED_UP_LEVELS:
            raise DomainError("no_followup", f"{cmd.ticket} 不是差评或未评价的服务，无需回访，不显示电话")
        blob = self.store.phone(cmd.ticket)
        if blob is None:
            raise DomainError("no_consent", f"{cmd.ticket} 的申请人没有同意接收通知，或电话已按保存期限删除，不能显示")
        phone = sealed.unseal_phone(self.id_key, cmd.ticket, blob)
        shown = ev.OverrideRecorded(now, k.FollowupPhone.op, device, cmd.ticket, "回访：显示电话",
                                    core.guides.get(device, ""))
        core.apply(shown)
        return m.FollowupPhoneShown(cmd.ticket, cmd.ticket.rsplit("-", 1)[-1], phone, REVEAL_SECONDS), shown
