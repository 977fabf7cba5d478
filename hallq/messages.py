"""Typed messages for everything the hub publishes or replies (``docs/protocol.md`` §6-7).

One definition per message, as msgspec Structs: it decodes a payload into typed fields with an
error that names the path (``Expected `int`, got `str` - at `$.queues[0].waiting```), and it
encodes. msgspec was chosen over pydantic v2 for speed (the hub's JSON work is a share of its
busy time; msgspec decodes and encodes several times faster) and because its errors already
say what and where.

Structs are lenient about fields they do not know (an older device keeps working with a newer
hub); ``tests/test_messages.py`` holds them to the hub's real output both ways, so a field the
hub sends and these definitions miss fails the suite. Field order follows the hub's payloads,
so encoding a decoded message gives the same JSON.

:func:`decode_published` is the one topic parser: topic + payload → typed message.

(Over 400 lines because it is the whole of what the hub says, one Struct per message, in one
module a client author reads from top to bottom; the hub's side is ``hub/publisher.py``.)
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, Struct, UnsetType

from hallq.protocol import Topics

# ---------------------------------------------------------------- tickets


class TicketView(Struct):
    """A ticket as devices see it: personal data masked, never the ID hash."""

    id: str
    number: str
    queue: str
    queue_name: str
    state: str  # waiting, called, serving … (hub.core.TicketState)
    matter: str
    matter_name: str
    situation: str
    situation_name: str
    materials: list[str]
    channel: str
    priority_group: str
    priority_verified: bool
    appointment: bool
    applicant: str
    id_masked: str
    phone_masked: str
    issued_at: float
    called_at: float | None
    window: str
    target_window: str
    recalls: int
    retakes: int
    outcome: str
    windows: list[str]
    progress_url: str
    ahead: int | UnsetType = UNSET  # only while waiting
    # the predicted wait (预计等候, minutes) while waiting: the point estimate and a range in steps of 5
    # (约 15-25 分钟); null: no basis (no open window serves it, 暂无法估计); absent: an older hub
    wait_min: int | UnsetType | None = UNSET
    wait_lo_min: int | UnsetType | None = UNSET
    wait_hi_min: int | UnsetType | None = UNSET
    # only when the predicted call runs past the next time waiting tickets expire (policy.expire_at):
    # "session" (a break, 本时段可能无法办理) or "day" (the close, 今日可能无法办理)
    wait_past_close: str | UnsetType = UNSET


# ---------------------------------------------------------------- retained state


class QueueSummary(Struct):
    id: str
    name: str
    zone: str
    waiting: int
    priority: int
    pending_priority: int
    next: list[str]
    oldest_issued_at: float | None
    issued: int
    # the wait a ticket taken now would have (预计等候, minutes; as in TicketView); null: no basis
    wait_min: int | UnsetType | None = UNSET
    wait_lo_min: int | UnsetType | None = UNSET
    wait_hi_min: int | UnsetType | None = UNSET
    # only when the predicted call runs past the next time waiting tickets expire (policy.expire_at):
    # "session" (a break, 本时段可能无法办理) or "day" (the close, 今日可能无法办理)
    wait_past_close: str | UnsetType = UNSET


class QueuesState(Struct):
    """``state/queues``."""

    v: int
    seq: int
    day: str
    queues: list[QueueSummary]
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


class StaffRef(Struct):
    id: str
    name: str


class PendingEvaluation(Struct):
    ticket: str
    number: str
    invited_at: float | None
    timeout_s: int


class SummonView(Struct):
    """呼叫后台 (R11) as screens show it: in ``state/window/<id>`` (``summons``) and in replies."""

    id: str
    window: str
    department: str
    ticket: str
    number: str
    note: str
    state: str  # pending / escalated / responded / arrived
    label: str
    at: float
    escalated_at: float | None
    responded_at: float | None
    arrived_at: float | None
    wait_s: float
    answered_by: str


class WindowState(Struct):
    """``state/window/<id>``."""

    v: int
    seq: int
    id: str
    name: str
    kind: str
    zone: str
    state: str
    reason: str
    since: float | None
    staff: StaffRef | None
    queues: list[str]
    overflow: list[str]
    direct_waiting: int
    current: TicketView | None
    evaluation: PendingEvaluation | None
    counts: dict[str, int]
    summons: list[SummonView] = []  # today's 呼叫后台 from this window, newest first
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


class Call(Struct):
    """One call or recall: ``event/call`` and the entries of ``state/calls``."""

    v: int
    seq: int
    ticket: str
    number: str
    window: str
    window_name: str
    zone: str
    recall: int
    text: str
    at: float
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


class CallsState(Struct):
    """``state/calls``: the most recent calls, newest first."""

    v: int
    seq: int
    calls: list[Call]
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


# ---------------------------------------------------------------- catalog


class HallInfo(Struct):
    id: str
    name: str
    timezone: str
    progress_url: str
    notices: list[str]
    slip_footer: list[str] = msgspec.field(default_factory=list)  # 温馨提示 lines at the foot of every slip


class CatalogPolicy(Struct, kw_only=True):
    """Every ``[policy]`` value of the hall file, in its order, and ``[appointments]``' check-in
    window, so a client can predict the hub. The defaults are the hall file's, for older hubs
    that sent fewer."""

    recall_limit: int
    retake_places_back: int = 3
    retake_limit: int
    priority_max_consecutive: int = 2
    one_active_ticket_per_matter: bool = True
    transfer_keeps_place: bool = True
    assist_queue: str
    evaluation_timeout_s: int
    followup_working_days: int = 5
    # 清号时刻 "HH:MM": the slip prints the next one (本号 12:30 前有效); none from older hubs
    expire_at: list[str] = msgspec.field(default_factory=list)
    opening_hours: list[str]
    rate_per_minute: int = 0
    rate_burst: int = 20
    retention_days: int = 90
    alert_wait_min: int
    alert_pause_min: int
    guide_sign_in_required: bool
    summon_escalate_min: int = 10
    checkin_early_min: int = 30
    checkin_late_min: int = 15
    backoffice_sign_in_required: bool = False  # a back office's case steps need its department's clerk signed in


class Zone(Struct):
    id: str
    name: str


class Queue(Struct):
    id: str
    name: str
    zone: str
    daily_quota: int


class Window(Struct):
    id: str
    name: str
    kind: str
    zone: str
    queues: list[str]
    overflow: list[str]
    weights: dict[str, int]
    department: str
    tidal: bool


class Situation(Struct):
    id: str
    name: str
    queue: str
    materials: list[str]
    conditions: list[str]
    assist: bool
    online: bool
    consult_only: bool
    online_url: str
    guidance: str


class Option(Struct):
    text: str
    next: str
    situation: str


class Question(Struct):
    id: str
    text: str
    options: list[Option]


class Matter(Struct):
    id: str
    code: str
    name: str
    department: str
    zone: str
    kind: str  # immediate 即办件 / promised 承诺件
    mode: str  # comprehensive 综窗受理 / special 专窗办理 / online 全程网办
    promised_days: int
    situations: list[Situation]
    questions: list[Question]
    keywords: list[str]
    popular: bool


class PriorityGroup(Struct):
    id: str
    name: str
    needs_verification: bool


class StaffEntry(Struct):
    id: str
    name: str
    roles: list[str]


class Device(Struct, omit_defaults=True):
    id: str
    role: str
    window: str
    zone: str
    printer: str
    department: str = ""  # a back office's department (left out for every other device)


class CatalogCases(Struct, kw_only=True):
    """The ``[cases]`` values a device acts on (the hall file's defaults for older hubs)."""

    deliveries: list[str] = msgspec.field(default_factory=lambda: ["pickup", "locker", "mail"])
    # the hand-outs (delivery methods) after which the 出件 pad prints the 办结通知书 by itself
    print_completion_notice: list[str] = msgspec.field(default_factory=list)


class Catalog(Struct, omit_defaults=True):
    """``catalog``: what devices need from the hall file (no PIN hashes, no secrets). Every field but
    ``cases`` is always sent; ``cases`` is left out while the hall's values are the defaults
    (:class:`CatalogCases`), and by hubs older than it: read ``None`` as those defaults."""

    v: int
    version: str
    hall: HallInfo
    policy: CatalogPolicy
    zones: list[Zone]
    queues: list[Queue]
    windows: list[Window]
    matters: list[Matter]
    priority_groups: list[PriorityGroup]
    staff: list[StaffEntry]
    devices: list[Device]
    printers: dict[str, dict[str, Any]]
    evaluation_levels: dict[str, str]
    cases: CatalogCases | None = None  # [cases], for the case pages
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


# ---------------------------------------------------------------- presence, status, events


class Presence(Struct):
    """``presence/<device>``: retained online/offline (the offline one is the last will)."""

    v: int
    online: bool
    role: str
    at: float
    heartbeat_s: float | UnsetType = UNSET  # the hub's: it re-publishes this every heartbeat_s (protocol.md §1)
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


class PrinterReport(Struct, kw_only=True):
    """A device's slip printer as its ``status/<device>`` reports it (``printer``): what a guide's
    alerts read. (The printer's own answer is ``printers.status.PrinterStatus``; the kiosk turns it
    into this.) Every field may be missing (UNSET: the device did not say); a kiosk sends them all."""

    online: bool | UnsetType = UNSET
    paper: str | UnsetType = UNSET  # ok | near_end | out | unknown
    error: str | UnsetType | None = UNSET  # a printers.errors code (paper_out, cover_open …); None when fine
    message: str | UnsetType = UNSET  # the fault in words, as the kiosk shows it
    blocking: bool | UnsetType = UNSET  # the kiosk issues no tickets until it is fixed


class BackupReport(Struct, kw_only=True):
    """The hub's backups as its ``status/hub`` reports them (``backup``; hub.backup): where copies go,
    how often, the newest checked copy and, while copies fail, why (short words, and the system's detail)."""

    dir: str | UnsetType = UNSET
    every_min: int | UnsetType = UNSET
    ok_at: float | UnsetType = UNSET  # when the newest checked copy was made
    copy: str | UnsetType = UNSET  # its file name
    error: str | UnsetType = UNSET  # while failing: in Chinese words
    detail: str | UnsetType = UNSET  # the path and the system's error, for IT
    failed_at: float | UnsetType = UNSET


class StandbyReport(Struct, kw_only=True):
    """The standby hub as the primary's ``status/hub`` reports it (``standby``; hub/ha/repl.py): its name,
    whether the primary waits for its acks (``in_sync``), the last event shipped and acked, the epoch, and
    since when it has been dropped (docs/operations.md, 主备切换)."""

    name: str | UnsetType = UNSET
    in_sync: bool | UnsetType = UNSET
    shipped: int | UnsetType = UNSET
    acked: int | UnsetType = UNSET
    epoch: int | UnsetType = UNSET
    dropped_at: float | UnsetType = UNSET


class HubAlarm(Struct, kw_only=True):
    """One alarm of the hub's ``status/hub`` (``alarms``; hallq/alarms.py): a stable ``code``, its Chinese
    ``text`` (as in ``error``) and the ``values`` its words are filled with, so a device words it in its
    own language."""

    code: str
    text: str
    values: dict[str, str] = {}


class DeviceStatus(Struct):
    """``status/<device>``: retained device health; which fields a device sends depends on the device
    (a kiosk its ``printer``, an LED bar ``led``, ``error`` and ``port``, the hub its ``backup`` and
    ``error``); others pass unread."""

    v: int
    at: float
    printer: PrinterReport | UnsetType = UNSET
    backup: BackupReport | UnsetType = UNSET
    led: str | UnsetType = UNSET
    error: str | UnsetType | None = UNSET
    port: str | UnsetType | None = UNSET
    standby: StandbyReport | UnsetType = UNSET  # the hub's, with a standby hub (appended: hub/ha)
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)
    alarms: list[HubAlarm] | UnsetType = UNSET  # the hub's: ``error``'s alarms by code (appended: hallq/alarms.py)


class PriorityEvent(Struct):
    """``event/priority``: a self-declared priority ticket for a guide to verify."""

    v: int
    ticket: TicketView
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


class EvaluateEvent(Struct):
    """``event/evaluate``: the window's evaluator should ask for a rating."""

    v: int
    window: str
    ticket: str
    at: float
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


class EvaluatedEvent(Struct):
    v: int
    window: str
    ticket: str
    level: int
    label: str
    at: float
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


class SummonEvent(Struct):
    """``event/summon``: 呼叫后台."""

    v: int
    seq: int
    window: str
    department: str
    ticket: str
    note: str
    by: str
    at: float  # when the summons was made
    summon: str = ""  # its id
    state: str = "pending"  # its state now: pending / escalated / responded / arrived
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


class ReprintEvent(Struct):
    """``event/reprint``: a guide asks kiosk ``device`` to print a ticket's slip again."""

    v: int
    device: str
    ticket: TicketView
    by: str
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


class CaseEvent(Struct):
    """``event/case``: a case (办件) moved on; back-office and window screens refresh their lists."""

    v: int
    seq: int
    case: str
    number: str  # the provincial case number, "" if none
    action: str  # accept, pick_up, sign … (hub.cases.ACTIONS)
    action_label: str  # 受理, 转递取件, 签收 …
    state: str  # the case's state now (hub.cases.CaseState)
    state_label: str  # 已受理, 转递中 …
    department: str
    matter: str
    window: str  # where it was accepted
    device: str  # who acted
    at: float
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


# ---------------------------------------------------------------- replies


class ReplyError(Struct):
    code: str
    message: str


class Reply(Struct):
    """``reply/<device>``: ``result`` on success, ``error`` on refusal."""

    v: int
    id: str | None
    ok: bool
    result: dict[str, Any] | UnsetType = UNSET
    error: ReplyError | UnsetType = UNSET
    epoch: int | UnsetType = UNSET  # the hub's epoch, from a hall with a standby (protocol.md §3; appended)


# ---------------------------------------------------------------- the one topic parser

EVENTS: dict[str, type[Struct]] = {
    "call": Call, "priority": PriorityEvent, "evaluate": EvaluateEvent, "evaluated": EvaluatedEvent,
    "summon": SummonEvent, "reprint": ReprintEvent, "case": CaseEvent,
}

BY_KIND: dict[str, type[Struct]] = {"presence": Presence, "status": DeviceStatus, "reply": Reply}

_decoders: dict[type[Struct], msgspec.json.Decoder[Any]] = {}
_encoder = msgspec.json.Encoder()


def message_type(topics: Topics, topic: str) -> type[Struct] | None:
    """The message type a topic carries (``None`` for commands and topics nobody defined yet)."""
    kind, rest = topics.parse(topic)
    if kind == "catalog" and not rest:
        return Catalog
    if kind == "state":
        if rest == "queues":
            return QueuesState
        if rest == "calls":
            return CallsState
        if rest.startswith("window/"):
            return WindowState
    if kind == "event":
        return EVENTS.get(rest)
    return BY_KIND.get(kind)


def decode(kind: type[Struct], payload: bytes) -> Any:
    """Decode ``payload`` as ``kind``; ``msgspec.ValidationError`` says what is wrong and where."""
    dec = _decoders.get(kind)
    if dec is None:
        dec = _decoders[kind] = msgspec.json.Decoder(kind)
    return dec.decode(payload)


def decode_published(topics: Topics, topic: str, payload: bytes) -> Any:
    """Topic + payload → the typed message; ``LookupError`` for a topic with no message type."""
    kind = message_type(topics, topic)
    if kind is None:
        raise LookupError(f"{topic}: no message type is defined for this topic")
    return decode(kind, payload)


def encode(message: Struct) -> bytes:
    return _encoder.encode(message)


# ---------------------------------------------------------------- reply results: 回访/整改 (R13)


class FollowupRecord(Struct):
    """The latest 回访/整改 recorded for a service (``followups.list``: an item's ``followup``)."""

    result: str  # hub.events.FOLLOWUP_RESULTS
    label: str
    note: str
    at: float
    staff: str
    level: int  # the rating given on follow-up (result ``rated``), else 0


class FollowupItem(Struct):
    """One 差评 (level 1-2) or 未评价 (0) service of the last days (``followups.list``: ``items``)."""

    ticket: str
    day: str
    number: str
    matter: str
    matter_name: str
    window: str
    staff: str
    level: int
    label: str
    reason: str
    followup: FollowupRecord | None  # None while nobody has followed it up
    consent: bool = False  # the citizen agreed to be messaged and the number is still kept: ``followup.phone``
    served_at: float | None = None  # when the service ended (UNIX time), None if unknown


class FollowupRecorded(Struct):
    """The result of ``evaluation.followup``."""

    ticket: str
    result: str
    label: str


class FollowupPhoneShown(Struct):
    """The result of ``followup.phone``: a consenting citizen's number for a guide's 回访 call. The
    console shows it for ``show_s`` seconds, then masked again; it never logs or stores it."""

    ticket: str
    number: str  # the ticket number (A001)
    phone: str  # the full number, unsealed for this one reveal (the hub records who asked, never the number)
    show_s: int


# ---------------------------------------------------------------- reply results: cases (办件)


class CaseMaterial(Struct, omit_defaults=True):
    name: str
    form: str  # original / copy
    form_label: str  # 原件 / 复印件
    count: int
    correction: bool = False  # came in as 补正 (after the list received at 受理); said only when true


class CaseView(Struct):
    """A case as ``case.get``, ``cases.list`` and the case ops reply it: masked, never the ID hash
    nor the postal address (``address`` only says whether one is registered)."""

    id: str
    number: str
    state: str
    state_label: str
    ticket: str
    matter: str
    matter_name: str
    situation: str
    department: str
    kind: str  # immediate / promised
    kind_label: str  # 即办件 / 承诺件
    promised_days: int
    due: str  # the promised date (ISO)
    overdue: bool  # not yet decided and the promised date has passed
    window: str
    applicant: str  # masked
    materials: list[CaseMaterial]
    delivery: str
    delivery_label: str
    compartment: str
    address: bool  # a sealed postal address is registered
    accepted_at: float
    since: float  # when the current state began
    signed_at: float | None
    decided_at: float | None
    decision: str  # approved / denied / ""
    result_kind: str
    reasons: list[str]
    correction_deadline: str | None
    corrections: int
    closed_at: float | None
    tracking: str
    collector: str  # masked
    days_left: int = 0  # working days from today to the promised date (negative: overdue); 0 once decided
    stage_hours: float = 0.0  # working hours (working days only) the case has been in its current state


class CaseStep(Struct):
    """One step of a case's history (``case.get``: ``history``), oldest first. A step that hands the
    folder over is also a row of 附件4 (申请材料交接确认单): its ``stage`` (受理环节/审查环节/出证环节),
    ``material``, ``giver`` and ``receiver`` are set; other steps leave them empty."""

    action: str  # accept, pick_up, sign … (hub.cases.ACTIONS)
    action_label: str  # 受理, 转递取件, 签收 …
    at: float
    device: str
    staff: str
    note: str  # reasons, the compartment, the tracking number …
    stage: str = ""
    material: str = ""
    giver: str = ""
    receiver: str = ""


# ---------------------------------------------------------------- reply results: the citizen's phone page


class ProgressStage(Struct):
    """One stage of a case as the phone page shows it: 受理 → 转递 → 审查 → 办结 → 待领取 → 已领取."""

    key: str  # accepted, transferred, review, decided, ready, collected
    label: str  # 受理, 转递, 审查, 办结, 待领取, 已领取
    at: float | None  # when it was reached; None: not yet


class ProgressCase(Struct):
    """The case (办件) a ticket led to, as far as its applicant may see it: no ID, no address."""

    number: str
    state: str  # hub.cases.CaseState
    state_label: str
    kind_label: str  # 即办件 / 承诺件
    due: str  # the promised date (ISO)
    stages: list[ProgressStage]
    reasons: list[str]  # of the last 一次性告知 (or of 不予许可)
    correction_deadline: str | None  # 补正 by this date (ISO) while 待补正
    correction_window: str  # where to bring the 补正 materials (the accepting window)
    delivery: str  # pickup / locker / mail
    delivery_label: str
    pickup_windows: list[str]  # where a 现场领取 result is collected (the hall's 出件 windows)
    kind: str = ""  # immediate / promised (the code of kind_label: a device words it in its language)


class ProgressRating(Struct):
    """The 好差评 form's terms: open while ``open``, until ``closes`` (the follow-up period's last day)."""

    open: bool
    closes: str  # ISO date
    levels: dict[str, str]  # "5": 非常满意 … "1": 非常不满意
    reasons: list[str]  # 差评 reasons to choose from
    given: int  # the level given (5..1) on any channel, 0 while none


class ProgressView(Struct):
    """``progress.get``: one ticket as its holder may see it (the slip's data, masked; nothing else)."""

    hall_name: str
    timezone: str  # the hall's (IANA), to show the times below in hall time
    number: str
    day: str  # the ticket's day (ISO)
    state: str  # hub.core.TicketState
    state_label: str
    matter_name: str
    situation_name: str
    windows: list[str]  # windows that serve its queue
    window: str  # where it was called
    ahead: int | None  # people ahead while waiting
    wait_lo_min: int | None  # predicted wait (minutes), a range; None while no estimate is made
    wait_hi_min: int | None
    called_at: float | None
    retake_limit: int  # 过号取号 a passed ticket may take at a kiosk (0: none)
    retakes: int
    retake_places_back: int
    case: ProgressCase | None
    rating: ProgressRating | None  # None: no rating to give here (not served, or rated at the window)
    wait_past_close: str | UnsetType = UNSET  # as in TicketView: "session" or "day", only when so
# ---------------------------------------------------------------- the notifier (notify.watch)


class NotifyItem(Struct):
    """One citizen who asked to be messaged, as ``notify.watch`` replies it: where the ticket and its
    case stand, never the phone number (``notify.phone`` gives that, for one ticket, when a message is due)."""

    ticket: str
    number: str
    state: str  # the ticket's state today (hub.core.TicketState); "" for an earlier day's ticket
    ahead: int  # people ahead while waiting, else -1
    window: str  # the window that called it ("" if none)
    case: str  # its case (办件) after 受理, "" if none
    case_state: str  # hub.cases.CaseState, "" if no case
    case_window: str  # the window that took the case in (where 补正 materials go)
    delivery: str  # pickup / locker / mail ("" if no case)
    reasons: list[str]  # the last 一次性告知 (or 不予许可) reasons
    tracking: str = ""  # 快递单号 once the result is posted (已邮寄)
    compartment: str = ""  # 自助柜格口 agreed, or used once the result is in the locker (已投柜)
    decision: str = ""  # approved / denied (不予许可) once decided


class NotifyClaimAnswer(Struct):
    """The result of ``notify.claim``: may this notifier send the moment ``key``? Granted once per key, to
    whichever notifier asked first (on this hub or before a failover: claims replicate with the events);
    a later claim of the same key by any notifier is answered ``granted: false`` with who claimed it."""

    key: str
    ticket: str
    granted: bool  # send it now (nobody claimed the key before, and the number is under the day's cap)
    capped: bool  # not granted because the number reached ``cap`` granted claims this hall day
    by: str  # the notifier (device id) holding the claim: this one when granted
    at: float  # when the claim was made (the first claim's time for a key claimed before)
    today: int  # granted claims for this number this hall day, this one included
