"""The case (办件) after 受理: 材料转递, 后台审批, 补正, 办结 and 统一出件. No I/O.

The seeds' model is 前台综合受理、后台分类审批、统一窗口出件 (seed 000 §二(一)2-5, seed 003 §二(一)).
The queue ends at the window's 受理; a case begins there and lives until the result reaches
the applicant. :class:`CaseBook` holds the open and closed cases of a hall and works like
:class:`hub.core.HallCore`: every command takes ``now`` (UNIX seconds) from the caller, first
*decides* — reading state only, raising :class:`CaseError` with a stable ``code`` and a
Chinese message, so a refused command changes nothing — and then returns the events
(:mod:`hub.case_events`) it decided on, after *applying* each. :meth:`CaseBook.apply` is the
only mutator and a replay of the log rebuilds the same book.

A case's life is one transition table, :data:`TRANSITIONS`::

    受理 ─→ accepted 已受理 ─pick_up→ transferring 转递中 ─sign→ in_review 已签收（审查中）
              │    └─────────────sign──────────────────────↗   │   │   │
              └─done_on_spot (即办件)→ collected 已领取          │   │   └─deny→ denied 不予许可 ─┐
                                                              │   └─approve→ approved 已办结 ───┤
       correction_received 补正已收 ←receive_correction─ awaiting_correction 待补正 ←notify_correction
              │ └─pick_up→ transferring / ─sign→ in_review     (─deny→ denied: 逾期不补正)      │
                                                                                              │
    approved | denied ─send_out→ result_transferring 出件转递中 ─receive_result→ ready 待领取 ←┘
    ready ─collect→ collected 已领取 | ─locker→ in_locker 已投柜 | ─post→ posted 已邮寄   (final)

``change_delivery`` (the applicant chose another way to get the result) is allowed in every
state that is not final and changes none. Who may act: the department's own actions
(``sign``, ``notify_correction``, ``approve``, ``deny``, ``send_out``) carry the acting
department and are refused for another department's case (``wrong_department``); the
window's and the transfer staff's actions carry a device and a staff number only.

Time limits are working days (:mod:`hub.workdays`). A 承诺件 accepted on day d with n working
days is due on the n-th working day after d; a 即办件 is due on d. While the materials are
back with the applicant for 补正 the clock stands still: when they come back, the promised
date moves by the working days between the notice and the receipt (the event carries the
new date). Refusal codes are in :data:`CASE_ERROR_WORDS` (Chinese, English through
:func:`hallq.i18n.tr`).

Why this file is long (~680 lines): the case's transition table, the rule behind every refusal
code and the Chinese words for it are read together when a rule changes; the pure functions
beside them (working-day dates, 附件4 rows) have moved out already (hub.workdays, hub.case_figures).
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from hallq.i18n import CASE_WORDS, CASE_WORDS_ZH, add_english
from hallq.idcard import looks_like_full_id
from hallq.protocol import CASE_ERROR_WORDS
from hub import case_events as ce
from hub.core import DomainError
from hub.workdays import CalendarRangeError, WorkCalendar


class CaseState(StrEnum):
    ACCEPTED = "accepted"  # 已受理: the folder waits at the window for transfer staff
    TRANSFERRING = "transferring"  # 转递中: carried to the department
    IN_REVIEW = "in_review"  # 已签收（审查中）
    AWAITING_CORRECTION = "awaiting_correction"  # 待补正: 一次性告知 given, materials back with the applicant
    CORRECTION_RECEIVED = "correction_received"  # 补正已收: at the 补正 window, to go back to the department
    APPROVED = "approved"  # 已办结: the result is made
    DENIED = "denied"  # 不予许可
    RESULT_TRANSFERRING = "result_transferring"  # 出件转递中: result on its way to the 出件 window
    READY = "ready"  # 待领取 at the 出件 window
    COLLECTED = "collected"  # 已领取 (final)
    IN_LOCKER = "in_locker"  # 已投柜 (final)
    POSTED = "posted"  # 已邮寄 (final)


class CaseKind(StrEnum):
    IMMEDIATE = "immediate"  # 即办件
    PROMISED = "promised"  # 承诺件


class Delivery(StrEnum):
    PICKUP = "pickup"  # 现场领取
    LOCKER = "locker"  # 自助柜
    MAIL = "mail"  # 邮寄


class MaterialForm(StrEnum):
    ORIGINAL = "original"  # 原件
    COPY = "copy"  # 复印件


S = CaseState
FINAL = frozenset({S.COLLECTED, S.IN_LOCKER, S.POSTED})
DECIDED = frozenset({S.APPROVED, S.DENIED, S.RESULT_TRANSFERRING, S.READY}) | FINAL
UNDECIDED = frozenset(set(S) - DECIDED)
_LIVE = frozenset(set(S) - FINAL)

# (state, action) -> new state. Anything not here is illegal. ``accept`` opens a case (no state before).
TRANSITIONS: dict[tuple[CaseState, str], CaseState] = {
    (S.ACCEPTED, "pick_up"): S.TRANSFERRING,
    (S.ACCEPTED, "sign"): S.IN_REVIEW,  # the department's desk signs at the window: one scan
    (S.ACCEPTED, "done_on_spot"): S.COLLECTED,  # 即办件 only
    (S.TRANSFERRING, "sign"): S.IN_REVIEW,
    (S.IN_REVIEW, "notify_correction"): S.AWAITING_CORRECTION,
    (S.IN_REVIEW, "approve"): S.APPROVED,
    (S.IN_REVIEW, "deny"): S.DENIED,
    (S.AWAITING_CORRECTION, "receive_correction"): S.CORRECTION_RECEIVED,
    (S.AWAITING_CORRECTION, "deny"): S.DENIED,  # 逾期将不予许可
    (S.CORRECTION_RECEIVED, "pick_up"): S.TRANSFERRING,
    (S.CORRECTION_RECEIVED, "sign"): S.IN_REVIEW,
    (S.APPROVED, "send_out"): S.RESULT_TRANSFERRING,
    (S.DENIED, "send_out"): S.RESULT_TRANSFERRING,
    (S.RESULT_TRANSFERRING, "receive_result"): S.READY,
    (S.READY, "collect"): S.COLLECTED,
    (S.READY, "locker"): S.IN_LOCKER,
    (S.READY, "post"): S.POSTED,
    **{(s, "change_delivery"): s for s in _LIVE},
}
ACTIONS = ("accept", *sorted({a for _, a in TRANSITIONS}))
DEPARTMENT_ACTIONS = frozenset({"sign", "notify_correction", "approve", "deny", "send_out"})
RESULT_ACTIONS = frozenset({"send_out", "receive_result", "collect", "locker", "post"})
# which delivery method each hand-off needs
HANDOFF_DELIVERY = {"collect": Delivery.PICKUP, "locker": Delivery.LOCKER, "post": Delivery.MAIL}

# The words of each code, Chinese (and English below): hallq.i18n.CASE_WORDS, the one table the hub,
# the pads and the phone page share (tests/cases/test_case_words.py).
STATE_WORDS = {S(code): zh for code, zh in CASE_WORDS_ZH["state"].items()}
ACTION_WORDS = dict(CASE_WORDS_ZH["action"])
KIND_WORDS = {CaseKind(code): zh for code, zh in CASE_WORDS_ZH["kind"].items()}
DELIVERY_WORDS = {Delivery(code): zh for code, zh in CASE_WORDS_ZH["delivery"].items()}
FORM_WORDS = {MaterialForm(code): zh for code, zh in CASE_WORDS_ZH["form"].items()}

# Every code a case command may be refused with: hallq.protocol.CASE_ERROR_WORDS (part of its ERROR_WORDS).

# The English of these words for tr() (log lines, reports), keyed by the Chinese word: from the shared
# table, so the hub, the pads (pad/texts.py) and the phone page agree; tests/pad/test_guide_cases.py
# checks the pad's. 不予许可 is a state and an action: tr() gives the action's (a back office's button).
ENGLISH = {
    **{zh: en for kind in ("state", "action", "kind", "delivery", "form") for zh, en in CASE_WORDS[kind].values()},
    **dict(zip(CASE_ERROR_WORDS.values(), (
        "No such case", "This case is already accepted", "The case's state does not allow this",
        "The materials are already signed for", "The case is not completed yet: no result to hand out",
        "The result has reached the applicant: nothing more can be done", "This case belongs to another department",
        "The person collecting is not the applicant", "A proxy needs a checked letter of authorisation",
        "Not the delivery method agreed with the applicant", "Enter the locker compartment",
        "Enter the tracking number", "Delivery by post needs a registered address", "Enter the reason",
        "The correction deadline cannot be before today", "A case is either immediate or promised",
        "The promised time limit is wrong", "The list of materials received is wrong", "Unknown delivery method",
        "Name the department", "The identity data is malformed", "The reference is malformed",
        "Only an immediate case can be completed on the spot", "The time is before the case's last step",
        "This year's holidays are not configured: the promised date cannot be computed",
    ), strict=True)),
}
add_english(ENGLISH)

_ID_HASH = re.compile(r"^[0-9a-f]{64}$")  # hallq.idcard.keyed_hash: HMAC-SHA256, hex
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")  # case numbers, compartments, tracking numbers
_TOKEN_REF = re.compile(r"^[A-Za-z0-9_:-]{8,128}$")  # an opaque reference, never an address in words
MAX_MATERIALS, MAX_COUNT, MAX_TEXT = 60, 999, 200


class CaseError(DomainError):
    """An illegal case command; ``code`` is a key of :data:`CASE_ERROR_WORDS`, ``message`` Chinese."""


@dataclass(frozen=True)
class Material:
    """One material received (申请材料): its name, 原件 or 复印件, how many."""

    name: str
    form: MaterialForm = MaterialForm.ORIGINAL
    count: int = 1

    def row(self) -> ce.MaterialRow:
        return (self.name, self.form.value, self.count)


@dataclass
class Case:
    """One case's current state; :attr:`history` is its events, oldest first (附件4 and 归档)."""

    id: str
    ticket: str
    number: str
    matter: str
    situation: str
    department: str
    kind: CaseKind
    promised_days: int
    due: dt.date
    window: str
    applicant_masked: str
    id_hash: str
    materials: tuple[ce.MaterialRow, ...]
    delivery: Delivery
    compartment: str
    address_ref: str
    accepted_at: float
    state: CaseState = CaseState.ACCEPTED
    since: float = 0.0  # when the current state began
    signed_at: float | None = None  # first 签收 (转递完成, 附件8 三)
    decided_at: float | None = None  # 办结 or 不予许可 (附件8 四)
    decision: str = ""  # approved / denied
    result_kind: str = ""
    reasons: tuple[str, ...] = ()  # of the last 一次性告知 or of 不予许可
    correction_deadline: dt.date | None = None
    corrections: int = 0
    paused_days: int = 0
    closed_at: float | None = None
    tracking: str = ""
    collector_masked: str = ""
    history: list[ce.CaseEvent] = field(default_factory=list)

    @property
    def last_at(self) -> float:
        return self.history[-1].at if self.history else self.accepted_at


def correction_marks(c: Case) -> list[bool]:
    """For each of ``c.materials``: True when it came in as 补正 (after the list received at 受理)."""
    first = next((len(e.materials) for e in c.history if isinstance(e, ce.CaseAccepted)), len(c.materials))
    return [i >= first for i in range(len(c.materials))]


def _material_rows(materials: Iterable[Material]) -> tuple[ce.MaterialRow, ...]:
    rows: list[ce.MaterialRow] = []
    for m in materials:
        if not isinstance(m, Material) or not isinstance(m.name, str):
            raise CaseError("bad_materials", "申请材料登记不正确")
        if not m.name.strip() or len(m.name) > MAX_TEXT:
            raise CaseError("bad_materials", "申请材料名称不能为空，且不超过 200 字")
        if not isinstance(m.form, MaterialForm):
            raise CaseError("bad_materials", f"材料“{m.name}”应注明原件或复印件")
        if isinstance(m.count, bool) or not isinstance(m.count, int) or not 1 <= m.count <= MAX_COUNT:
            raise CaseError("bad_materials", f"材料“{m.name}”的份数应为 1-{MAX_COUNT}")
        rows.append(m.row())
    if len(rows) > MAX_MATERIALS:
        raise CaseError("bad_materials", f"申请材料最多登记 {MAX_MATERIALS} 项")
    if len({(n, f) for n, f, _ in rows}) != len(rows):
        raise CaseError("bad_materials", "同一材料的原件或复印件重复登记，请合并份数")
    return tuple(rows)


def _delivery(method: str, compartment: str, address_ref: str) -> Delivery:
    try:
        d = Delivery(method)
    except ValueError:
        raise CaseError("bad_delivery", "送达方式应为现场领取、自助柜或邮寄") from None
    if compartment and not _REF.match(compartment):
        raise CaseError("bad_reference", "自助柜格口号格式不正确")
    if address_ref and not _TOKEN_REF.match(address_ref):
        raise CaseError("bad_reference", "邮寄地址只能以加密登记后的编号保存，不能写明文地址")
    if d is Delivery.MAIL and not address_ref:
        raise CaseError("address_required", "邮寄送达需要登记收件地址")
    if d is not Delivery.MAIL and address_ref:
        raise CaseError("bad_delivery", "只有邮寄送达需要收件地址")
    if d is not Delivery.LOCKER and compartment:
        raise CaseError("bad_delivery", "只有自助柜送达需要格口号")
    return d


def _reasons(reasons: Iterable[str]) -> tuple[str, ...]:
    out = tuple(r.strip() for r in reasons if isinstance(r, str) and r.strip())
    if not out:
        raise CaseError("reason_required", "请逐条填写原因")
    if len(out) > MAX_MATERIALS or any(len(r) > MAX_TEXT for r in out):
        raise CaseError("reason_required", "原因最多 60 条，每条不超过 200 字")
    return out


class CaseBook:
    """A hall's cases. Not thread-safe: the hub feeds it one command at a time."""

    def __init__(self, calendar: WorkCalendar, timezone: str = "Asia/Shanghai") -> None:
        self.calendar = calendar
        self.tz = zoneinfo.ZoneInfo(timezone)
        self.cases: dict[str, Case] = {}
        self.by_number: dict[str, str] = {}  # provincial case number → case id

    # ------------------------------------------------------------------ helpers

    def local(self, at: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(at, self.tz)

    def day_of(self, at: float) -> dt.date:
        return self.local(at).date()

    def case(self, ref: str) -> Case:
        """A case by the hall's id or by the provincial case number (扫码: either may be on the slip)."""
        cid = ref if ref in self.cases else self.by_number.get(ref, "")
        if not cid:
            shown = _REF.match(ref or "") and not looks_like_full_id(ref)  # a scanned ID card is never echoed
            raise CaseError("unknown_case", f"没有办件 {ref}" if shown else "没有这个办件")
        return self.cases[cid]

    def _working_date(self, start: dt.date, n: int) -> dt.date:
        try:
            return self.calendar.add_working_days(start, n)
        except CalendarRangeError:
            raise CaseError("calendar_unknown",
                            f"{start.year} 年或其后的节假日安排尚未配置，无法计算承诺时限") from None

    @staticmethod
    def move(c: Case, action: str) -> CaseState:
        """The state ``action`` leads to from the case's state, or a refusal naming both in words."""
        new = TRANSITIONS.get((c.state, action))
        if new is not None:
            return new
        if c.state in FINAL:
            code = "case_closed"
        elif action == "sign" and c.state in {S.IN_REVIEW, S.APPROVED, S.DENIED, S.RESULT_TRANSFERRING, S.READY}:
            code = "already_signed"
        elif action in RESULT_ACTIONS and c.state in UNDECIDED:
            code = "not_decided"
        else:
            code = "case_state"
        raise CaseError(code, f"办件 {c.id} {STATE_WORDS[c.state]}，不能{ACTION_WORDS[action]}")

    def _check(self, c: Case, now: float, action: str, department: str | None = None) -> CaseState:
        """Common guards in a fixed order: department, state, time."""
        if department is not None and department != c.department:
            raise CaseError("wrong_department", f"办件 {c.id} 属于{c.department}，不是本部门的办件")
        new = self.move(c, action)
        if now < c.last_at:
            raise CaseError("bad_time", "操作时间早于办件的上一步，未被接受")
        return new

    def _emit(self, *events: ce.CaseEvent) -> list[ce.CaseEvent]:
        for e in events:
            self.apply(e)
        return list(events)

    # ------------------------------------------------------------------ the window: 受理

    def accept(
        self,
        now: float,
        *,
        case: str,
        ticket: str,
        matter: str,
        situation: str,
        department: str,
        kind: str,
        promised_days: int,
        window: str,
        device: str = "",
        staff: str = "",
        number: str = "",
        applicant_masked: str = "",
        id_hash: str = "",
        materials: Iterable[Material] = (),
        delivery: str = "pickup",
        compartment: str = "",
        address_ref: str = "",
    ) -> list[ce.CaseEvent]:
        """受理: open a case (即办件 or 承诺件) with its materials and the agreed delivery method."""
        if not _REF.match(case or ""):
            raise CaseError("bad_reference", "办件编号格式不正确")
        if case in self.cases:
            raise CaseError("duplicate_case", f"办件 {case} 已受理，不能重复受理")
        if number and not _REF.match(number):
            raise CaseError("bad_reference", "省级系统办件编号格式不正确")
        if number and number in self.by_number:
            raise CaseError("duplicate_case", f"办件编号 {number} 已用于办件 {self.by_number[number]}")
        if not department.strip():
            raise CaseError("bad_department", "请指定办理部门")
        try:
            k = CaseKind(kind)
        except ValueError:
            raise CaseError("bad_kind", "办件类型应为即办件或承诺件") from None
        if isinstance(promised_days, bool) or not isinstance(promised_days, int):
            raise CaseError("bad_promised_days", "承诺时限应为工作日天数")
        if (k is CaseKind.PROMISED and not 1 <= promised_days <= 366) or (
                k is CaseKind.IMMEDIATE and promised_days != 0):
            raise CaseError("bad_promised_days", "承诺件的承诺时限应为 1-366 个工作日，即办件为 0")
        if id_hash and not _ID_HASH.match(id_hash):
            raise CaseError("bad_id_hash", "身份信息只能以散列保存")
        rows = _material_rows(materials)
        method = _delivery(delivery, compartment, address_ref)
        due = self._working_date(self.day_of(now), promised_days)
        return self._emit(ce.CaseAccepted(
            now, case, device, staff, ticket, number, matter, situation, department, k.value, promised_days,
            due.isoformat(), window, applicant_masked, id_hash, rows, method.value, compartment, address_ref,
        ))

    def done_on_spot(self, now: float, case: str, *, window: str, result_kind: str = "文书", device: str = "",
                     staff: str = "") -> list[ce.CaseEvent]:
        """即办件: 帮办 brought the result back; it is handed over at once (办结通知书)."""
        c = self.case(case)
        self._check(c, now, "done_on_spot")
        if c.kind is not CaseKind.IMMEDIATE:
            raise CaseError("not_immediate", f"办件 {c.id} 是承诺件，不能当场办结")
        return self._emit(ce.CaseDoneOnTheSpot(now, c.id, device, staff, window, _kind_of_result(result_kind)))

    # ------------------------------------------------------------------ 材料转递

    def pick_up(self, now: float, case: str, *, device: str = "", staff: str = "") -> list[ce.CaseEvent]:
        """转递人员 scan the 转递单 and take the folder (after 受理, or with 补正资料)."""
        c = self.case(case)
        self._check(c, now, "pick_up")
        return self._emit(ce.CasePickedUp(now, c.id, device, staff))

    def sign(self, now: float, case: str, *, department: str, device: str = "", staff: str = "") -> list[ce.CaseEvent]:
        """签收 by the department (it may not refuse: seed 000 §二(一)4)."""
        c = self.case(case)
        self._check(c, now, "sign", department)
        return self._emit(ce.CaseSigned(now, c.id, device, staff, department))

    # ------------------------------------------------------------------ 后台审批

    def notify_correction(self, now: float, case: str, *, department: str, reasons: Iterable[str], deadline: dt.date,
                          device: str = "", staff: str = "") -> list[ce.CaseEvent]:
        """审查意见一次性告知单 (附件5): every reason at once and the date to bring corrections by."""
        c = self.case(case)
        self._check(c, now, "notify_correction", department)
        why = _reasons(reasons)
        if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime) or deadline < self.day_of(now):
            raise CaseError("bad_deadline", "补正期限不能早于今天")
        return self._emit(ce.CaseCorrectionNotified(now, c.id, device, staff, department, why, deadline.isoformat()))

    def receive_correction(self, now: float, case: str, *, window: str, materials: Iterable[Material] = (),
                           device: str = "", staff: str = "") -> list[ce.CaseEvent]:
        """补正资料 at the 补正/咨询 window; the promised date moves by the working days it was away."""
        c = self.case(case)
        self._check(c, now, "receive_correction")
        rows = _material_rows(materials)
        notice = next(e for e in reversed(c.history) if isinstance(e, ce.CaseCorrectionNotified))
        try:
            paused = max(0, self.calendar.working_days_between(self.day_of(notice.at), self.day_of(now)))
        except CalendarRangeError:
            raise CaseError("calendar_unknown", "该年度的节假日安排尚未配置，无法计算承诺时限") from None
        due = self._working_date(c.due, paused)
        return self._emit(ce.CaseCorrectionReceived(now, c.id, device, staff, window, rows, paused, due.isoformat()))

    def approve(self, now: float, case: str, *, department: str, result_kind: str = "文书", device: str = "",
                staff: str = "") -> list[ce.CaseEvent]:
        """办结 with a result (文书、证书、备案表、《制证信息表》…)."""
        c = self.case(case)
        self._check(c, now, "approve", department)
        return self._emit(ce.CaseApproved(now, c.id, device, staff, department, _kind_of_result(result_kind)))

    def deny(self, now: float, case: str, *, department: str, reasons: Iterable[str], device: str = "",
             staff: str = "") -> list[ce.CaseEvent]:
        """不予许可 with reasons."""
        c = self.case(case)
        self._check(c, now, "deny", department)
        return self._emit(ce.CaseDenied(now, c.id, device, staff, department, _reasons(reasons)))

    def send_out(self, now: float, case: str, *, department: str, device: str = "",
                 staff: str = "") -> list[ce.CaseEvent]:
        """出件转递: the result leaves the department for the 统一出件 window."""
        c = self.case(case)
        self._check(c, now, "send_out", department)
        return self._emit(ce.CaseResultSent(now, c.id, device, staff, department))

    # ------------------------------------------------------------------ 统一出件

    def receive_result(self, now: float, case: str, *, window: str, device: str = "",
                       staff: str = "") -> list[ce.CaseEvent]:
        """The 出件 window scans the result in: 待领取."""
        c = self.case(case)
        self._check(c, now, "receive_result")
        return self._emit(ce.CaseResultReceived(now, c.id, device, staff, window))

    def collect(self, now: float, case: str, *, window: str, id_hash: str = "", collector_masked: str = "",
                proxy: bool = False, authorisation: str = "", device: str = "", staff: str = "") -> list[ce.CaseEvent]:
        """现场领取: the applicant (the ID's keyed hash must match) or a proxy with an authorisation."""
        c = self.case(case)
        self._check(c, now, "collect")
        self._agreed(c, "collect")
        if proxy:
            if not authorisation.strip() or not _REF.match(authorisation):
                raise CaseError("proxy_unauthorised", "代领需要查验授权委托书，并登记其编号")
        elif c.id_hash and not hmac.compare_digest(id_hash.encode(), c.id_hash.encode()):
            raise CaseError("id_mismatch", "领取人身份与申请人不符；代领请查验授权委托书")
        if len(collector_masked) > MAX_TEXT:
            raise CaseError("bad_reference", "领取人姓名过长")
        return self._emit(ce.CaseCollected(now, c.id, device, staff, window, collector_masked, proxy,
                                           authorisation.strip() if proxy else ""))

    def locker(self, now: float, case: str, *, compartment: str = "", device: str = "",
               staff: str = "") -> list[ce.CaseEvent]:
        """已投柜: the result in a self-service locker compartment (the agreed one unless given)."""
        c = self.case(case)
        self._check(c, now, "locker")
        self._agreed(c, "locker")
        box = compartment or c.compartment
        if not box:
            raise CaseError("compartment_required", "请填写自助柜格口号")
        if not _REF.match(box):
            raise CaseError("bad_reference", "自助柜格口号格式不正确")
        return self._emit(ce.CaseLockered(now, c.id, device, staff, box))

    def post(self, now: float, case: str, *, tracking: str, device: str = "", staff: str = "") -> list[ce.CaseEvent]:
        """已邮寄, with the tracking number (附件4 出证环节: 申请人（或快递单号）)."""
        c = self.case(case)
        self._check(c, now, "post")
        self._agreed(c, "post")
        if not tracking.strip():
            raise CaseError("tracking_required", "请填写快递单号")
        if not _REF.match(tracking.strip()):
            raise CaseError("bad_reference", "快递单号格式不正确")
        return self._emit(ce.CasePosted(now, c.id, device, staff, tracking.strip()))

    def change_delivery(self, now: float, case: str, *, delivery: str, compartment: str = "", address_ref: str = "",
                        device: str = "", staff: str = "") -> list[ce.CaseEvent]:
        """The applicant asks for another delivery method before the result reaches them."""
        c = self.case(case)
        self._check(c, now, "change_delivery")
        method = _delivery(delivery, compartment, address_ref)
        return self._emit(ce.CaseDeliveryChanged(now, c.id, device, staff, method.value, compartment, address_ref))

    @staticmethod
    def _agreed(c: Case, action: str) -> None:
        if c.delivery is not HANDOFF_DELIVERY[action]:
            raise CaseError("delivery_mismatch", f"申请人约定的送达方式为{DELIVERY_WORDS[c.delivery]}，"
                                                 f"不能{ACTION_WORDS[action]}；如需变更请先登记变更送达方式")

    # ------------------------------------------------------------------ apply (the only mutator)

    def apply(self, e: ce.CaseEvent) -> None:
        if isinstance(e, ce.CaseAccepted):
            c = Case(
                id=e.case, ticket=e.ticket, number=e.number, matter=e.matter, situation=e.situation,
                department=e.department, kind=CaseKind(e.kind), promised_days=e.promised_days,
                due=dt.date.fromisoformat(e.due), window=e.window, applicant_masked=e.applicant_masked,
                id_hash=e.id_hash, materials=e.materials, delivery=Delivery(e.delivery), compartment=e.compartment,
                address_ref=e.address_ref, accepted_at=e.at, since=e.at,
            )
            self.cases[c.id] = c
            if c.number:
                self.by_number[c.number] = c.id
            c.history.append(e)
            return
        c = self.cases[e.case]
        new = TRANSITIONS[(c.state, e.action)]
        if new is not c.state:
            c.since = e.at
        c.state = new
        c.history.append(e)
        _APPLY[type(e)](c, e)


def _kind_of_result(kind: str) -> str:
    kind = kind.strip() if isinstance(kind, str) else ""
    if not kind or len(kind) > 40:
        raise CaseError("bad_reference", "办理结果类型应为文书、证书、备案表等，不超过 40 字")
    return kind


# per event type, what it changes beyond the state (the state itself comes from TRANSITIONS)
def _on_signed(c: Case, e: ce.CaseEvent) -> None:
    c.signed_at = c.signed_at or e.at


def _on_correction_notified(c: Case, e: ce.CaseEvent) -> None:
    assert isinstance(e, ce.CaseCorrectionNotified)
    c.reasons, c.correction_deadline = e.reasons, dt.date.fromisoformat(e.deadline)
    c.corrections += 1


def _on_correction_received(c: Case, e: ce.CaseEvent) -> None:
    assert isinstance(e, ce.CaseCorrectionReceived)
    c.materials = c.materials + e.materials
    c.paused_days += e.paused_days
    c.due, c.correction_deadline = dt.date.fromisoformat(e.due), None


def _on_approved(c: Case, e: ce.CaseEvent) -> None:
    assert isinstance(e, ce.CaseApproved)
    c.decided_at, c.decision, c.result_kind = e.at, "approved", e.result_kind


def _on_denied(c: Case, e: ce.CaseEvent) -> None:
    assert isinstance(e, ce.CaseDenied)
    c.decided_at, c.decision, c.reasons = e.at, "denied", e.reasons


def _on_done_on_spot(c: Case, e: ce.CaseEvent) -> None:
    assert isinstance(e, ce.CaseDoneOnTheSpot)
    c.signed_at = c.signed_at or e.at
    c.decided_at, c.decision, c.result_kind, c.closed_at = e.at, "approved", e.result_kind, e.at


def _on_closed(c: Case, e: ce.CaseEvent) -> None:
    c.closed_at = e.at
    if isinstance(e, ce.CasePosted):
        c.tracking = e.tracking
    elif isinstance(e, ce.CaseLockered):
        c.compartment = e.compartment
    elif isinstance(e, ce.CaseCollected):
        c.collector_masked = e.collector_masked


def _on_delivery_changed(c: Case, e: ce.CaseEvent) -> None:
    assert isinstance(e, ce.CaseDeliveryChanged)
    c.delivery, c.compartment, c.address_ref = Delivery(e.delivery), e.compartment, e.address_ref


def _nothing(c: Case, e: ce.CaseEvent) -> None:
    pass


_APPLY = {
    ce.CasePickedUp: _nothing, ce.CaseSigned: _on_signed, ce.CaseCorrectionNotified: _on_correction_notified,
    ce.CaseCorrectionReceived: _on_correction_received, ce.CaseApproved: _on_approved, ce.CaseDenied: _on_denied,
    ce.CaseResultSent: _nothing, ce.CaseResultReceived: _nothing, ce.CaseCollected: _on_closed,
    ce.CaseLockered: _on_closed, ce.CasePosted: _on_closed, ce.CaseDeliveryChanged: _on_delivery_changed,
    ce.CaseDoneOnTheSpot: _on_done_on_spot,
}


# ---------------------------------------------------------------- 附件4: the handover rows

@dataclass(frozen=True)
class HandoverRow:
    """One row of 申请材料交接确认单 (附件4): stage, what changed hands, from whom to whom, when."""

    stage: str  # 受理环节 / 审查环节 / 出证环节
    what: str
    giver: str  # role words: 帮办人员, 审批组, 出证窗口, 申请人
    receiver: str
    staff: str
    device: str
    at: float
    note: str = ""


def handover_rows(c: Case) -> tuple[HandoverRow, ...]:
    """The 附件4 rows of a case, read off its history."""
    return tuple(row for _, row in history_steps(c) if row is not None)


def history_steps(c: Case) -> tuple[tuple[ce.CaseEvent, HandoverRow | None], ...]:
    """Every step of a case, oldest first, with its 附件4 row when the step hands the folder over."""
    out: list[tuple[ce.CaseEvent, HandoverRow | None]] = []
    corrected = False
    for e in c.history:
        row = _row(e, corrected)
        if isinstance(e, ce.CaseCorrectionReceived):
            corrected = True
        elif isinstance(e, ce.CaseSigned):
            corrected = False
        out.append((e, row))
    return tuple(out)


def _row(e: ce.CaseEvent, corrected: bool) -> HandoverRow | None:
    what = _row_words(e, corrected)
    if what is None:
        return None
    stage, material, giver, receiver, note = what
    return HandoverRow(stage, material, giver, receiver, e.staff, e.device, e.at, note)


def _row_words(e: ce.CaseEvent, corrected: bool) -> tuple[str, str, str, str, str] | None:
    """(环节, 交接材料, 交出, 接收, 说明) of an event that is a handover, as 附件4 words them."""
    results = "文书、证书、备案表、《制证信息表》"
    if isinstance(e, ce.CaseSigned):
        if corrected:
            return ("审查环节", "补正资料", "帮办人员", "审批组", "")
        return ("受理环节", "受理通知书、申请材料", "帮办人员", "审批组", "")
    if isinstance(e, ce.CaseCorrectionNotified):
        return ("审查环节", "一次性意见告知单", "审批组", "帮办人员", "；".join(e.reasons))
    if isinstance(e, ce.CaseResultSent):
        return ("审查环节", f"审查结果（{results}）", "运行科/审批组", "帮办人员", "")
    if isinstance(e, ce.CaseResultReceived):
        return ("出证环节", f"{results}等", "帮办人员", "出证窗口", "")
    if isinstance(e, ce.CaseCollected):
        note = f"代领，授权委托书 {e.authorisation}" if e.proxy else ""
        return ("出证环节", "办理结果", "出证窗口", f"申请人 {e.collector_masked}".strip(), note)
    if isinstance(e, ce.CaseLockered):
        return ("出证环节", "办理结果", "出证窗口", "自助柜", f"格口 {e.compartment}")
    if isinstance(e, ce.CasePosted):
        return ("出证环节", "办理结果", "出证窗口", "快递", f"快递单号 {e.tracking}")
    if isinstance(e, ce.CaseDoneOnTheSpot):
        return ("出证环节", "办理结果（即办件当场办结）", "即办窗口", "申请人", "")
    return None
