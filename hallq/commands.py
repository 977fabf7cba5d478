"""Every operation a device may send, with its arguments: one typed definition per op.

Each op is a msgspec Struct. Its fields are the op's arguments, in the order ``docs/protocol.md``
lists them (that order is also the order in which a bad command's first mistake is reported);
a field with no default is required. The class says who may send the op (``roles``), whether a
pad or window screen may name only its own window (``own_window``), whether it only reads
(``query``: not logged, not stored for idempotency) and what it is for (its docstring's first
line). :mod:`hallq.protocol` validates every incoming ``args`` object through these classes
(:func:`hallq.protocol.check_args`) and the hub dispatches on the typed result, so nothing
about an op's arguments is written down twice. ``tests/test_protocol_doc.py`` holds the tables
of ``docs/protocol.md`` §4 to these definitions.

The argument types a device may use are few: a string of at most 200 characters unless the
field says otherwise (:data:`Text`), an integer, a number (int or float, kept as sent), a
boolean, and a list of short strings (:data:`Ids`). An optional argument whose absence means
something different from any value it could take (``channel``, ``appointment_slot``,
``keep_place``) defaults to ``UNSET``; the others default to the value the hub assumes.

A third-party client may build commands from these classes too:
``TicketIssue(matter="hukou-move", situation="with-house").args()`` is the ``args`` object.

Why this file is long (~540 lines): it is the whole list of operations, one short Struct each,
kept in one place on purpose so that a reader (and ``tests/test_protocol_doc.py``) sees every op
of the wire together, as docs/protocol.md §4 lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

KIOSK, PAD, GUIDE, DISPLAY, ADMIN = "kiosk", "pad", "guide", "display", "admin"
BACKOFFICE = "backoffice"  # 后台审批: a device bound to one department (sign, review, decide, send out)
EVERYONE = (KIOSK, PAD, GUIDE, DISPLAY, ADMIN, BACKOFFICE)
STAFF = (PAD, GUIDE, ADMIN)  # window staff and those who may stand in for them
DESK = (KIOSK, GUIDE, ADMIN)  # where a ticket is taken: a kiosk, or a guide on a citizen's behalf
OVERSIGHT = (GUIDE, ADMIN)
TRANSFER = (GUIDE, ADMIN)  # 转递人员 (帮办, the hall's 运行科) scan at the guide console: docs/cases.md
CASE_READERS = (*STAFF, BACKOFFICE)  # a back office sees its own department's cases only
SUMMON_ANSWERERS = (*OVERSIGHT, BACKOFFICE)  # a back office answers its own department's 呼叫后台 only
WEB = "web"  # the citizen's phone page (web/): one ticket by its slip's token, and its rating; nothing else
NOTIFY = "notify"  # the notifier (notify/): messages to citizens who consented; nothing else (docs/notify.md)
TEXT_MAX = 200  # a string argument's length unless the field says otherwise
ID_MAX = 32  # each string of a list argument (queue ids)
SLOT_BOUNDS = (0.0, 4102444800.0)  # an appointment slot is a UNIX time before 2100-01-01

Text = Annotated[str, Meta(max_length=TEXT_MAX)]
Note = Annotated[str, Meta(max_length=500)]
Pin = Annotated[str, Meta(max_length=32)]
IdNumber = Annotated[str, Meta(max_length=30)]
Ids = list[Annotated[str, Meta(max_length=ID_MAX)]]
Slot = (Annotated[int, Meta(ge=int(SLOT_BOUNDS[0]), le=int(SLOT_BOUNDS[1]))]
        | Annotated[float, Meta(ge=SLOT_BOUNDS[0], le=SLOT_BOUNDS[1])])


class Command(Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True, frozen=True):
    """One op's arguments. Subclasses set the class variables below."""

    op: ClassVar[str]
    roles: ClassVar[tuple[str, ...]]
    own_window: ClassVar[bool] = False  # pads and window displays may name only their own window
    query: ClassVar[bool] = False  # reads only: not logged, not stored for idempotency

    def args(self) -> dict[str, Any]:
        """The ``args`` object of a request (arguments left at their default are left out)."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        return out


class AtWindow(Command, frozen=True):
    """An op at one window, named first; a pad or window screen may name only its own."""

    own_window = True
    window: Text


# ---------------------------------------------------------------- tickets


class TicketIssue(Command, frozen=True):
    """取号 (kiosk, appointment check-in, guide on a citizen's behalf)"""

    op, roles = "ticket.issue", DESK
    matter: Text
    situation: Text
    channel: Text | UnsetType = UNSET  # kiosks: only "kiosk" (the default); guides default to "guide"
    priority_group: Text = ""
    name: Annotated[str, Meta(max_length=40)] = ""
    id_number: IdNumber = ""
    phone: Annotated[str, Meta(max_length=20)] = ""
    assist: bool = False
    appointment_slot: Slot | UnsetType = UNSET
    target_window: Text = ""
    reason: Text = ""
    notify_consent: bool = False  # the citizen agreed to be messaged on ``phone`` (kept sealed): docs/notify.md


class TicketRetake(Command, frozen=True):
    """过号取号"""

    op, roles = "ticket.retake", DESK
    ticket: Text


class TicketCallNext(AtWindow, frozen=True):
    """叫号"""

    op, roles = "ticket.call_next", STAFF


class TicketCall(AtWindow, frozen=True):
    """特呼 (guides: call to any window)"""

    op, roles = "ticket.call", STAFF
    ticket: Text
    reason: Text = ""


class TicketRecall(AtWindow, frozen=True):
    """重呼"""

    op, roles = "ticket.recall", STAFF


class TicketOutcome(AtWindow, frozen=True):
    """过号/受理/咨询/不予受理"""

    op, roles = "ticket.outcome", STAFF
    outcome: Text
    reason: Text = ""
    note: Note = ""


class TicketBackfill(AtWindow, frozen=True):
    """补录: a walk-in served without a ticket, recorded after the fact"""

    op, roles = "ticket.backfill", STAFF
    matter: Text
    situation: Text
    outcome: Text
    reason: Text = ""
    note: Note = ""


class TicketTransfer(Command, frozen=True):
    """转移 to a queue or a window"""

    op, roles, own_window = "ticket.transfer", STAFF, True
    window: Text = ""  # that window's current ticket (pads must give it)
    ticket: Text = ""  # or a waiting ticket (guides)
    to_queue: Text = ""
    to_window: Text = ""
    keep_place: bool | UnsetType = UNSET  # default: the hall's [policy] transfer_keeps_place
    note: Note = ""


class TicketCancel(Command, frozen=True):
    """取消 (kiosks: only tickets they issued, e.g. a slip that failed to print)"""

    op, roles = "ticket.cancel", DESK
    ticket: Text
    reason: Text


class TicketVerifyPriority(Command, frozen=True):
    """绿色通道 verification"""

    op, roles = "ticket.verify_priority", OVERSIGHT
    ticket: Text
    group: Text = ""
    reason: Text = ""


class TicketReprint(Command, frozen=True):
    """ask a kiosk to print a ticket's slip again"""

    op, roles = "ticket.reprint", OVERSIGHT
    ticket: Text
    device: Text
    reason: Text = ""


class AppointmentCheckin(Command, frozen=True):
    """预约签到: an appointment-priority ticket"""

    op, roles = "appointment.checkin", DESK
    code: Annotated[str, Meta(max_length=32)] = ""
    id_number: IdNumber = ""


class TicketsList(Command, frozen=True):
    """tickets of today, masked (default: waiting)"""

    op, roles, query = "tickets.list", STAFF, True
    queue: Text = ""
    state: Text = "waiting"
    window: Text = ""


class TicketGet(Command, frozen=True):
    """one ticket, masked"""

    op, roles, query = "ticket.get", EVERYONE, True
    ticket: Text


class TicketsExpire(Command, frozen=True):
    """expire every waiting ticket now"""

    op, roles = "tickets.expire", OVERSIGHT
    reason: Text = ""


# ---------------------------------------------------------------- windows


class WindowOpen(AtWindow, frozen=True):
    """staff log in at a window (AB岗 handover too)"""

    op, roles = "window.open", STAFF
    staff: Text
    pin: Pin


class WindowPause(AtWindow, frozen=True):
    """暂停"""

    op, roles = "window.pause", STAFF
    reason: Text


class WindowResume(AtWindow, frozen=True):
    """恢复"""

    op, roles = "window.resume", STAFF
    reason: Text = ""


class WindowClose(AtWindow, frozen=True):
    """log out"""

    op, roles = "window.close", STAFF
    reason: Text = ""


class WindowSetQueues(Command, frozen=True):
    """潮汐窗口 / assignment at run time"""

    op, roles = "window.set_queues", OVERSIGHT
    window: Text
    queues: Ids
    overflow: Ids = []
    reason: Text = ""


class WindowSummon(AtWindow, frozen=True):
    """呼叫后台"""

    op, roles = "window.summon", STAFF
    department: Text = ""
    note: Note = ""


class SummonRespond(Command, frozen=True):
    """已响应: the back office has answered a 呼叫后台 (someone is coming)"""

    op, roles = "summon.respond", SUMMON_ANSWERERS
    summon: Annotated[str, Meta(max_length=40)]


class SummonArrive(Command, frozen=True):
    """已到窗口: the back-office person summoned is at the window"""

    op, roles = "summon.arrive", SUMMON_ANSWERERS
    summon: Annotated[str, Meta(max_length=40)]


# ---------------------------------------------------------------- evaluations, guides, the hall


class EvaluationSubmit(AtWindow, frozen=True):
    """好差评"""

    op, roles = "evaluation.submit", (DISPLAY, *STAFF)
    level: int
    reason: Text = ""
    ticket: Text = ""


class EvaluationSkip(AtWindow, frozen=True):
    """未评价 (evaluator timeout)"""

    op, roles = "evaluation.skip", (DISPLAY, *STAFF)


class FollowupsList(Command, frozen=True):
    """差评 and 未评价 services of the last `days` days (default 10), with their 回访/整改"""

    op, roles, query = "followups.list", OVERSIGHT, True
    days: int = 10


class EvaluationFollowup(Command, frozen=True):
    """回访/整改 of a 差评 or 未评价 service, on any earlier day (for the reports)"""

    op, roles = "evaluation.followup", OVERSIGHT
    ticket: Text
    result: Text
    note: Text
    level: int = 0


class GuideLogin(Command, frozen=True):
    """a guide signs in at a guide console: overrides are then audited with their name"""

    op, roles = "guide.login", OVERSIGHT
    staff: Text
    pin: Pin


class GuideLogout(Command, frozen=True):
    """the guide signs out of this console"""

    op, roles = "guide.logout", OVERSIGHT


class GuideWhoami(Command, frozen=True):
    """the guide signed in at this guide console now, if any (a console that starts or reconnects asks)"""

    op, roles, query = "guide.whoami", OVERSIGHT, True


class BackofficeLogin(Command, frozen=True):
    """a back-office clerk signs in at their department's desk: the case steps the desk records name them"""

    op, roles = "backoffice.login", (BACKOFFICE,)
    staff: Text
    pin: Pin


class BackofficeLogout(Command, frozen=True):
    """the clerk signs out of this back-office desk"""

    op, roles = "backoffice.logout", (BACKOFFICE,)


class BackofficeWhoami(Command, frozen=True):
    """the clerk signed in at this back-office desk now, if any (a desk that starts or reconnects asks)"""

    op, roles, query = "backoffice.whoami", (BACKOFFICE,), True


class HallSnapshot(Command, frozen=True):
    """queues and windows in one reply"""

    op, roles, query = "hall.snapshot", EVERYONE, True


# ---------------------------------------------------------------- cases (办件) after 受理: docs/cases.md


CaseRef = Annotated[str, Meta(max_length=64)]  # the case's id or the provincial case number (scanned)


class MaterialArg(Struct, forbid_unknown_fields=True, omit_defaults=True, frozen=True):
    """One material received: its name, ``original`` (原件) or ``copy`` (复印件), how many."""

    name: Text
    form: Text = "original"
    count: int = 1


Materials = Annotated[list[MaterialArg], Meta(max_length=60)]


class CaseAccept(AtWindow, frozen=True):
    """受理: open a case for the ticket this window served and recorded as 受理"""

    op, roles = "case.accept", STAFF
    ticket: Text
    kind: Text = ""  # immediate / promised; default: the matter's
    promised_days: int = -1  # working days; -1: the matter's
    number: CaseRef = ""  # the provincial system's case number (办件编号), typed or scanned
    department: Text = ""  # default: the matter's
    materials: Materials = []
    delivery: Text = "pickup"  # pickup 现场领取 / locker 自助柜 / mail 邮寄
    compartment: CaseRef = ""
    address: Note = ""  # 邮寄: the postal address; the hub keeps it sealed, never in words
    id_number: IdNumber = ""  # the applicant's, if the ticket has none (checked at pickup by its keyed hash)


class CasePickUp(Command, frozen=True):
    """转递取件: transfer staff take the folder to the department"""

    op, roles = "case.pick_up", TRANSFER
    case: CaseRef
    staff: Text = ""


class CaseSign(Command, frozen=True):
    """签收 by the department (it may not refuse)"""

    op, roles = "case.sign", (BACKOFFICE,)
    case: CaseRef
    staff: Text = ""


class CaseNotifyCorrection(Command, frozen=True):
    """一次性告知 (附件5): every reason and a deadline; the materials go back for 补正"""

    op, roles = "case.notify_correction", (BACKOFFICE,)
    case: CaseRef
    reasons: list[Text]
    deadline: Annotated[str, Meta(max_length=10)] = ""  # YYYY-MM-DD; default: [cases] correction_deadline_working_days
    staff: Text = ""


class CaseReceiveCorrection(AtWindow, frozen=True):
    """接收补正材料 at the 补正 window"""

    op, roles = "case.receive_correction", STAFF
    case: CaseRef
    materials: Materials = []


class CaseApprove(Command, frozen=True):
    """办结 with a result (文书、证书、备案表…)"""

    op, roles = "case.approve", (BACKOFFICE,)
    case: CaseRef
    result_kind: Text = ""  # default: the matter's, else 文书
    staff: Text = ""


class CaseDeny(Command, frozen=True):
    """不予许可 with reasons"""

    op, roles = "case.deny", (BACKOFFICE,)
    case: CaseRef
    reasons: list[Text]
    staff: Text = ""


class CaseSendOut(Command, frozen=True):
    """出件转递: the result leaves the department for the 出件 window"""

    op, roles = "case.send_out", (BACKOFFICE,)
    case: CaseRef
    staff: Text = ""


class CaseReceiveResult(AtWindow, frozen=True):
    """出件窗口接收: the result is 待领取"""

    op, roles = "case.receive_result", STAFF
    case: CaseRef


class CaseCollect(AtWindow, frozen=True):
    """现场领取: the applicant's ID checked against the keyed hash, or a proxy with an authorisation"""

    op, roles = "case.collect", STAFF
    case: CaseRef
    id_number: IdNumber = ""
    name: Annotated[str, Meta(max_length=40)] = ""
    proxy: bool = False
    authorisation: CaseRef = ""


class CaseLocker(AtWindow, frozen=True):
    """投入自助柜 (the agreed compartment unless given)"""

    op, roles = "case.locker", STAFF
    case: CaseRef
    compartment: CaseRef = ""


class CasePost(AtWindow, frozen=True):
    """邮寄, with the tracking number"""

    op, roles = "case.post", STAFF
    case: CaseRef
    tracking: CaseRef


class CaseDoneOnSpot(AtWindow, frozen=True):
    """当场办结 of a 即办件"""

    op, roles = "case.done_on_spot", STAFF
    case: CaseRef
    result_kind: Text = ""


class CaseChangeDelivery(AtWindow, frozen=True):
    """变更送达方式 before the result reaches the applicant"""

    op, roles = "case.change_delivery", STAFF
    case: CaseRef
    delivery: Text
    compartment: CaseRef = ""
    address: Note = ""


class CaseGet(Command, frozen=True):
    """one case, masked (a back office: its own department's)"""

    op, roles, query = "case.get", CASE_READERS, True
    case: CaseRef


class CasesList(Command, frozen=True):
    """cases of a department by view: to_sign, in_review, due_today, overdue, stuck, ready, open (default), all"""

    op, roles, query = "cases.list", CASE_READERS, True
    view: Text = "open"
    department: Text = ""  # a back office: always its own
    state: Text = ""


# ---------------------------------------------------------------- the citizen's phone page (web/)

Token = Annotated[str, Meta(max_length=80)]


class ProgressGet(Command, frozen=True):
    """one ticket's progress by its slip's token (the phone page): queue place, call, case, rating form"""

    op, roles, query = "progress.get", (WEB,), True
    token: Token


class ProgressRate(Command, frozen=True):
    """好差评 from the phone page (channel web): a service left 未评价, once, within the follow-up period"""

    op, roles = "progress.rate", (WEB,)
    token: Token
    level: int
    reason: Text = ""
# ---------------------------------------------------------------- the notifier (notify/)


class NotifyWatch(Command, frozen=True):
    """the tickets and cases of citizens who asked to be messaged, where each stands (no phone numbers)"""

    op, roles, query = "notify.watch", (NOTIFY,), True


class NotifyPhone(Command, frozen=True):
    """the phone number of one consenting ticket, unsealed for the notifier only"""

    op, roles, query = "notify.phone", (NOTIFY,), True
    ticket: Text


class NotifyClaim(Command, frozen=True):
    """claim one moment's message before sending it: granted once per key to any notifier, within the daily cap"""

    op, roles = "notify.claim", (NOTIFY,)
    ticket: Text
    key: Text
    kind: Text
    cap: Annotated[int, Meta(ge=1, le=100)] = 5  # the notifier's [notify] daily_cap: messages per number per day


class FollowupPhone(Command, frozen=True):
    """回访: a consenting citizen's phone number, shown to a guide for a 差评/未评价 follow-up call (audited)"""

    op, roles, query = "followup.phone", (GUIDE,), True
    ticket: Text


COMMANDS: dict[str, type[Command]] = {c.op: c for c in (
    TicketIssue, TicketRetake, TicketCallNext, TicketCall, TicketRecall, TicketOutcome, TicketBackfill,
    TicketTransfer, TicketCancel, TicketVerifyPriority, TicketReprint, AppointmentCheckin, TicketsList, TicketGet,
    TicketsExpire, WindowOpen, WindowPause, WindowResume, WindowClose, WindowSetQueues, WindowSummon,
    SummonRespond, SummonArrive, EvaluationSubmit, EvaluationSkip, FollowupsList, EvaluationFollowup,
    GuideLogin, GuideLogout, HallSnapshot,
    CaseAccept, CasePickUp, CaseSign, CaseNotifyCorrection, CaseReceiveCorrection, CaseApprove, CaseDeny,
    CaseSendOut, CaseReceiveResult, CaseCollect, CaseLocker, CasePost, CaseDoneOnSpot, CaseChangeDelivery,
    CaseGet, CasesList,
    ProgressGet, ProgressRate,
    NotifyWatch, NotifyPhone, NotifyClaim,
    BackofficeLogin, BackofficeLogout,
    BackofficeWhoami, GuideWhoami,
    FollowupPhone,
)}


@dataclass(frozen=True)
class Arg:
    """One argument of an op as a row of a table (for error messages, the docs' check, the fuzzer),
    read off its typed definition."""

    types: tuple[type, ...]  # str, int, float, bool, list (of short strings)
    required: bool = False
    max_len: int = TEXT_MAX  # a string's (for a list: each item's)
    bounds: tuple[float, float] | None = None  # a number's range (inclusive)


_TYPES: dict[type, type] = {msgspec.inspect.StrType: str, msgspec.inspect.IntType: int,
                            msgspec.inspect.FloatType: float, msgspec.inspect.BoolType: bool,
                            msgspec.inspect.ListType: list}


def arguments(kind: type[Command]) -> dict[str, Arg]:
    """The op's arguments in its order, each as an :class:`Arg`."""
    info = msgspec.inspect.type_info(kind)
    assert isinstance(info, msgspec.inspect.StructType)
    out = {}
    for f in info.fields:
        members = getattr(f.type, "types", (f.type,))
        first = members[0]
        text = first.item_type if isinstance(first, msgspec.inspect.ListType) else first
        low, high = getattr(first, "ge", None), getattr(first, "le", None)
        out[f.name] = Arg(tuple(_TYPES[type(m)] for m in members), f.required,
                          getattr(text, "max_length", None) or TEXT_MAX,
                          None if low is None or high is None else (float(low), float(high)))
    return out


def doc(kind: type[Command]) -> str:
    """What the op is for: the first line of its docstring."""
    return (kind.__doc__ or "").strip().splitlines()[0]
