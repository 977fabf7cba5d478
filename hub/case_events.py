"""Case events (办件事件): what happened to a case after 受理, as frozen dataclasses.

The case core (:mod:`hub.cases`) decides which events a command produces and applies them
to its state; the store will append them to the same event log as the tickets' (see
:mod:`hub.events`, whose base class these share), and the reports compute 附件8 三 and 四 from
them (:mod:`hub.case_figures`). As there, an event carries everything needed to replay it —
the promised date is worked out once, when the case is accepted (or its clock restarts
after 补正), and travels in the event, so a later change of holidays in the hall file does not
rewrite history.

Who and when: every event has ``at`` (UNIX seconds from the clock passed in), ``device`` and
``staff``: the rows of 附件4 (申请材料交接确认单) are read off them.

No personal data in plain text: the applicant and a collector appear only masked
(``张**``), the applicant's ID only as the hub's keyed hash, a postal address only as an
opaque reference to an encrypted token kept elsewhere (``address_ref``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from hub.events import Event

# a material received (申请材料): (name, form 原件/复印件 as "original"/"copy", count)
MaterialRow = tuple[str, str, int]


@dataclass(frozen=True)
class CaseEvent(Event):
    """An event of one case; ``action`` names its row in :data:`hub.cases.TRANSITIONS`."""

    action: ClassVar[str] = ""
    case: str
    device: str
    staff: str


@dataclass(frozen=True)
class CaseAccepted(CaseEvent):
    """受理: a case opens at a window (综窗受理) for a ticket's matter and situation."""

    type: ClassVar[str] = "case.accepted"
    action: ClassVar[str] = "accept"
    ticket: str
    number: str  # the provincial system's case number (办件编号), "" if not given
    matter: str
    situation: str
    department: str
    kind: str  # immediate 即办件 / promised 承诺件
    promised_days: int  # working days (0 for a 即办件)
    due: str  # ISO date: the promised date (承诺办结日期)
    window: str
    applicant_masked: str
    id_hash: str  # keyed hash of the applicant's ID ("" if none given): checked at pickup
    materials: tuple[MaterialRow, ...]
    delivery: str  # pickup 现场领取 / locker 自助柜 / mail 邮寄
    compartment: str = ""  # locker compartment, if already agreed
    address_ref: str = ""  # mail: opaque reference to the encrypted address token


@dataclass(frozen=True)
class CasePickedUp(CaseEvent):
    """转递人员 (帮办) take the folder from the window to carry it to the department."""

    type: ClassVar[str] = "case.picked_up"
    action: ClassVar[str] = "pick_up"


@dataclass(frozen=True)
class CaseSigned(CaseEvent):
    """签收: the department (审批组) signs for the materials (受理环节, or 补正资料 later)."""

    type: ClassVar[str] = "case.signed"
    action: ClassVar[str] = "sign"
    department: str


@dataclass(frozen=True)
class CaseCorrectionNotified(CaseEvent):
    """审查意见一次性告知单 (附件5): every reason at once, a deadline, the materials go back."""

    type: ClassVar[str] = "case.correction_notified"
    action: ClassVar[str] = "notify_correction"
    department: str
    reasons: tuple[str, ...]
    deadline: str  # ISO date: 请于…前通过受理窗口报回


@dataclass(frozen=True)
class CaseCorrectionReceived(CaseEvent):
    """补正资料 received at the 补正 window; the promised date moves by the days the clock stood still."""

    type: ClassVar[str] = "case.correction_received"
    action: ClassVar[str] = "receive_correction"
    window: str
    materials: tuple[MaterialRow, ...]
    paused_days: int  # working days from the notice to now, added to the promised date
    due: str  # the new promised date (ISO)


@dataclass(frozen=True)
class CaseApproved(CaseEvent):
    """办结: the department finished the case with a result (文书、证书、备案表…)."""

    type: ClassVar[str] = "case.approved"
    action: ClassVar[str] = "approve"
    department: str
    result_kind: str


@dataclass(frozen=True)
class CaseDenied(CaseEvent):
    """不予许可, with reasons (also after a 补正 deadline passed: 逾期将不予许可)."""

    type: ClassVar[str] = "case.denied"
    action: ClassVar[str] = "deny"
    department: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CaseResultSent(CaseEvent):
    """出件转递: the result leaves the department for the 统一出件 window."""

    type: ClassVar[str] = "case.result_sent"
    action: ClassVar[str] = "send_out"
    department: str


@dataclass(frozen=True)
class CaseResultReceived(CaseEvent):
    """The 出件 window has the result: 待领取."""

    type: ClassVar[str] = "case.result_received"
    action: ClassVar[str] = "receive_result"
    window: str


@dataclass(frozen=True)
class CaseCollected(CaseEvent):
    """已领取 at the window: the applicant (ID hash checked) or a proxy with an authorisation."""

    type: ClassVar[str] = "case.collected"
    action: ClassVar[str] = "collect"
    window: str
    collector_masked: str
    proxy: bool
    authorisation: str  # reference of the 授权委托书 seen (a proxy), "" for the applicant


@dataclass(frozen=True)
class CaseLockered(CaseEvent):
    """已投柜: the result is in a self-service locker (自助取件柜) compartment."""

    type: ClassVar[str] = "case.lockered"
    action: ClassVar[str] = "locker"
    compartment: str


@dataclass(frozen=True)
class CasePosted(CaseEvent):
    """已邮寄: the result is in the post; the tracking number is the 附件4 出证环节 row."""

    type: ClassVar[str] = "case.posted"
    action: ClassVar[str] = "post"
    tracking: str


@dataclass(frozen=True)
class CaseDeliveryChanged(CaseEvent):
    """The applicant chose another way to receive the result (约定送达方式变更)."""

    type: ClassVar[str] = "case.delivery_changed"
    action: ClassVar[str] = "change_delivery"
    delivery: str
    compartment: str = ""
    address_ref: str = ""


@dataclass(frozen=True)
class CaseDoneOnTheSpot(CaseEvent):
    """即办件 当场办结: 帮办 fetched the result; the window hands it over at once (办结通知书)."""

    type: ClassVar[str] = "case.done_on_spot"
    action: ClassVar[str] = "done_on_spot"
    window: str
    result_kind: str


CASE_EVENT_TYPES: dict[str, type[CaseEvent]] = {
    cls.type: cls
    for cls in (
        CaseAccepted, CasePickedUp, CaseSigned, CaseCorrectionNotified, CaseCorrectionReceived, CaseApproved,
        CaseDenied, CaseResultSent, CaseResultReceived, CaseCollected, CaseLockered, CasePosted,
        CaseDeliveryChanged, CaseDoneOnTheSpot,
    )
}


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def case_event_from_dict(data: dict[str, Any]) -> CaseEvent:
    """Inverse of :meth:`Event.to_dict` (lists from JSON come back as tuples, nested ones too)."""
    data = dict(data)
    cls = CASE_EVENT_TYPES[data.pop("type")]
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"{cls.type}: unknown fields {sorted(unknown)}")
    return cls(**{k: _tuples(v) for k, v in data.items()})
