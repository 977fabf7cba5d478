"""The guide console's 回访 (follow-up call) of a 差评 or 未评价 service: the phone number. No Qt.

A citizen who ticked the consent at the kiosk (docs/notify.md) left a number the hub keeps sealed.
The 回访整改 tab marks those services (``followups.list``: ``consent``); 显示电话 asks the hub for the
number (``followup.phone``, role guide only: the hub records each reveal with this console and the
signed-in guide, never the number). :class:`PhoneReveal` holds the one number shown, for the
seconds the hub says (60), by the console's clock; when they are over it forgets the digits and
keeps only the masked form (``138****8000``). The number lives in memory only: never logged,
never written to disk, never in the audit rows. English for these texts: pad/texts.py.

The outcomes of a call (已回访 / 未接通 / 拒绝回访) go through ``evaluation.followup`` like the other
回访/整改 results, with an optional note (no personal data in it); 未接通 leaves the service open
(待回访) so someone calls again.
"""

from __future__ import annotations

from dataclasses import dataclass

from hallq.i18n import tr
from hallq.idcard import mask_phone
from hallq.messages import FollowupItem, FollowupPhoneShown

CALL_OUTCOMES = (("called", "已回访"), ("no_answer", "未接通"), ("declined", "拒绝回访"))  # note optional
OTHER_RESULTS = (("rectified", "已整改"), ("explained", "已沟通解释"), ("rated", "回访后已评价"),
                 ("unreachable", "无法联系"))
STILL_OPEN = ("no_answer",)  # a call nobody answered: the service still waits for its 回访


@dataclass
class PhoneReveal:
    """The one number the console shows, until ``until`` (the console's clock); then only masked."""

    ticket: str = ""
    number: str = ""  # the ticket number (A001)
    _phone: str = ""
    masked: str = ""
    until: float = 0.0

    def show(self, shown: FollowupPhoneShown, now: float) -> None:
        self.ticket, self.number, self._phone = shown.ticket, shown.number, shown.phone
        self.masked, self.until = mask_phone(shown.phone), now + max(0, shown.show_s)

    def phone(self, ticket: str, now: float) -> str:
        """The full number of ``ticket`` while it is shown, else ''; after the time it is forgotten."""
        if self._phone and now >= self.until:
            self._phone = ""
        return self._phone if ticket == self.ticket else ""

    def text(self, item: FollowupItem | None, now: float) -> str:
        """What the tab says about the chosen service's phone."""
        if item is None:
            return ""
        if not item.consent:
            return tr("申请人未同意接收通知：没有可显示的电话")
        phone = self.phone(item.ticket, now)
        if phone:
            return tr("电话 {p}（{s} 秒后隐藏）", p=phone, s=max(1, int(self.until - now + 0.999)))
        if item.ticket == self.ticket and self.masked:
            return tr("电话 {p}（已隐藏）", p=self.masked)
        return tr("申请人同意接收通知：可点“显示电话”回访（每次显示都会记录）")


def is_open(item: FollowupItem) -> bool:
    """Still to be followed up: nothing recorded yet, or the last call was not answered."""
    return item.followup is None or item.followup.result in STILL_OPEN

