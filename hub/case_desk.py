"""The case ops on the wire (``case.*``, ``cases.list``): typed commands in, the case core decides.

:class:`hub.service.HubService` hands every case command here, inside the command's
transaction. This module only translates — who acts (the window's signed-in staff, the back
office's department), what the hall file says by default (the matter's kind, promised days,
department and result kind; ``[cases]`` deliveries and the 补正 deadline) — and reduces
personal data at the door:

- an ID number on the wire (the applicant's at 受理, the collector's at 现场领取) is validated and
  turned into the hub's keyed hash here; the number itself goes no further;
- a postal address on the wire is sealed (:mod:`hub.security.sealed`) and stored under an opaque
  reference in the same transaction; the core and the event log see only the reference.

The core (:class:`hub.cases.CaseBook`) decides; a refusal (:class:`hub.cases.CaseError`) leaves
everything as it was. The replies carry the case as :class:`hallq.messages.CaseView`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hallq import commands as k
from hallq import idcard
from hallq import messages as m
from hub import case_events as ce
from hub.case_config import CaseRules, MatterCaseFields
from hub.case_figures import stuck_cases
from hub.cases import FINAL, UNDECIDED, Case, CaseBook, CaseError, CaseState, Delivery, Material, MaterialForm
from hub.config import check_pin
from hub.core import DomainError, HallCore
from hub.hall import Device, Hall, Role, Staff
from hub.publisher import Publisher
from hub.security import sealed
from hub.store import Store

CASE_OPS = (k.CaseAccept, k.CasePickUp, k.CaseSign, k.CaseNotifyCorrection, k.CaseReceiveCorrection, k.CaseApprove,
            k.CaseDeny, k.CaseSendOut, k.CaseReceiveResult, k.CaseCollect, k.CaseLocker, k.CasePost, k.CaseDoneOnSpot,
            k.CaseChangeDelivery)
CASE_QUERIES = (k.CaseGet, k.CasesList)
# cases.list views: which states, or (due_today, overdue) a date test on the undecided ones
VIEWS: dict[str, frozenset[CaseState]] = {
    "to_sign": frozenset({CaseState.ACCEPTED, CaseState.TRANSFERRING, CaseState.CORRECTION_RECEIVED}),
    "in_review": frozenset({CaseState.IN_REVIEW}),
    "due_today": UNDECIDED,
    "overdue": UNDECIDED,
    "stuck": frozenset(set(CaseState) - FINAL),  # at one stage beyond [cases.stuck_hours] (the guide's alerts)
    "ready": frozenset({CaseState.READY}),
    "open": frozenset(set(CaseState) - FINAL),
    "all": frozenset(CaseState),
}


def clerks_of(hall: Hall, department: str) -> list[Staff]:
    """The hall file's back-office clerks of a department (``roles = ["backoffice"]``)."""
    return [s for s in hall.staff.values() if Role.BACKOFFICE in s.roles and s.department == department]


def desk_needs_clerk(hall: Hall, device: Device) -> bool:
    """Where the hall file says ``[policy] backoffice_sign_in_required``, a back-office desk acts only with
    a clerk signed in (a department without clerks in the hall file is not held to it: nobody could)."""
    return (device.role is Role.BACKOFFICE and hall.policy.backoffice_sign_in_required
            and bool(clerks_of(hall, device.department)))


def clerk_signing_in(hall: Hall, device: Device, staff: str, pin: str) -> Staff:
    """The clerk a 工号 and PIN name at this desk: a ``backoffice`` staff entry of the desk's department
    (``bad_pin``: unknown number or wrong PIN, never saying which; ``staff_role``; ``staff_department``)."""
    found = hall.staff.get(staff)
    if found is None or not check_pin(pin, found.pin_hash):
        raise DomainError("bad_pin", "工号或密码不正确")
    if Role.BACKOFFICE not in found.roles:
        raise DomainError("staff_role", f"工号 {found.id} 不是后台审批人员，不能在后台签到")
    if found.department != device.department:
        raise DomainError("staff_department", f"工号 {found.id} 属于{found.department or '其他部门'}，"
                                              f"不能在{device.department}的后台签到")
    return found


def clerk_signed_in(hall: Hall, guides: dict[str, str], device: str) -> dict[str, str] | None:
    """``backoffice.whoami`` and ``guide.whoami``: the clerk (or guide) signed in at this desk (or console)
    now (``{"id", "name"}``, as ``backoffice.login`` / ``guide.login`` answered), or ``None``. A sign-in
    ends with 签退, with the hub's day, and when the same person signs in at another device (one each)."""
    staff = guides.get(device)
    if not staff:
        return None
    found = hall.staff.get(staff)
    return {"id": staff, "name": found.name if found is not None else ""}


def clerk_label(hall: Hall, staff: str) -> str:
    """How a case step records the clerk: 工号 and name (the name as the hall file had it that day)."""
    found = hall.staff.get(staff)
    return f"{staff} {found.name}" if found is not None and found.name else staff


def new_book(hall: Hall) -> CaseBook:
    return CaseBook((hall.cases or CaseRules()).calendar, hall.timezone)


@dataclass
class CaseDesk:
    """One hub's case ops; the service owns it and swaps its book on reload."""

    hall: Hall
    store: Store
    id_key: bytes
    publisher: Publisher
    hash_id: Callable[[str, float], tuple[str, str]]  # the service's ID check: (masked, keyed hash)

    @property
    def rules(self) -> CaseRules:
        return self.hall.cases or CaseRules()

    # ------------------------------------------------------------ commands

    def dispatch(self, book: CaseBook, core: HallCore, device: Device, cmd: k.Command,
                 now: float) -> tuple[dict[str, Any], list[ce.CaseEvent]]:
        """The reply's result and the events of one case command (applied to ``book``)."""
        if device.id not in core.guides and desk_needs_clerk(self.hall, device):
            raise DomainError("desk_not_signed_in",
                              f"请先签到：{device.department}后台的办件操作需要经办人签到后才能执行")
        who = {"device": device.id, "staff": self._staff(core, device, cmd)}
        dept = device.department if device.role is Role.BACKOFFICE else ""
        match cmd:
            case k.CaseAccept():
                events = self._accept(book, core, cmd, now, who)
            case k.CasePickUp():
                events = book.pick_up(now, cmd.case, **who)
            case k.CaseSign():
                events = book.sign(now, cmd.case, department=dept, **who)
            case k.CaseNotifyCorrection():
                events = book.notify_correction(now, cmd.case, department=dept, reasons=cmd.reasons,
                                                deadline=self._deadline(book, cmd.deadline, now), **who)
            case k.CaseReceiveCorrection():
                events = book.receive_correction(now, cmd.case, window=cmd.window,
                                                 materials=_materials(cmd.materials), **who)
            case k.CaseApprove():
                kind = cmd.result_kind or self._matter_fields(book, cmd.case).result_kind or "文书"
                events = book.approve(now, cmd.case, department=dept, result_kind=kind, **who)
            case k.CaseDeny():
                events = book.deny(now, cmd.case, department=dept, reasons=cmd.reasons, **who)
            case k.CaseSendOut():
                events = book.send_out(now, cmd.case, department=dept, **who)
            case k.CaseReceiveResult():
                events = book.receive_result(now, cmd.case, window=cmd.window, **who)
            case k.CaseCollect():
                id_hash = self.hash_id(cmd.id_number, now)[1] if cmd.id_number else ""
                events = book.collect(now, cmd.case, window=cmd.window, id_hash=id_hash,
                                      collector_masked=idcard.mask_name(cmd.name) if cmd.name else "",
                                      proxy=cmd.proxy, authorisation=cmd.authorisation, **who)
            case k.CaseLocker():
                events = book.locker(now, cmd.case, compartment=cmd.compartment, **who)
            case k.CasePost():
                events = book.post(now, cmd.case, tracking=cmd.tracking, **who)
            case k.CaseDoneOnSpot():
                kind = cmd.result_kind or self._matter_fields(book, cmd.case).result_kind or "文书"
                events = book.done_on_spot(now, cmd.case, window=cmd.window, result_kind=kind, **who)
            case k.CaseChangeDelivery():
                case = book.case(cmd.case)
                self._offered(cmd.delivery, self._fields(case.matter))
                ref = self._seal(cmd.address, cmd.delivery)
                events = book.change_delivery(now, cmd.case, delivery=cmd.delivery, compartment=cmd.compartment,
                                              address_ref=ref, **who)
                self._store_address(ref, case.id, cmd.address, now)
            case _:  # pragma: no cover - the service sends only CASE_OPS
                raise TypeError(type(cmd).__name__)
        c = book.cases[events[-1].case]
        return {"case": self.publisher.case(book, c, now)}, events

    def _staff(self, core: HallCore, device: Device, cmd: k.Command) -> str:
        if device.role is Role.BACKOFFICE and device.id in core.guides:
            return clerk_label(self.hall, core.guides[device.id])  # the clerk signed in at this desk
        window = getattr(cmd, "window", "")
        if window and window in core.windows and core.windows[window].staff:
            return core.windows[window].staff
        given = str(getattr(cmd, "staff", "") or "")
        return given or core.guides.get(device.id, "")

    def _accept(self, book: CaseBook, core: HallCore, cmd: k.CaseAccept, now: float,
                who: dict[str, str]) -> list[ce.CaseEvent]:
        t = core.ticket(cmd.ticket)
        if t.window != cmd.window:
            raise DomainError("ticket_elsewhere", f"票号 {t.number} 不是窗口 {cmd.window} 办理的，不能在此受理办件")
        if t.outcome != "accepted":
            raise DomainError("not_accepted", f"票号 {t.number} 尚未记为受理，请先记录办理结果为受理")
        matter = self.hall.matters.get(t.matter)
        if matter is None:
            raise DomainError("unknown_matter", f"没有事项 {t.matter}")
        self._offered(cmd.delivery, self._fields(matter.id))
        id_hash = t.id_hash
        if cmd.id_number:
            id_hash = self.hash_id(cmd.id_number, now)[1]
        kind = cmd.kind or matter.kind.value
        days = cmd.promised_days if cmd.promised_days >= 0 else (matter.promised_days if kind == "promised" else 0)
        case_id = next(f"{t.id}-{n}" for n in range(1, 1000) if f"{t.id}-{n}" not in book.cases)
        ref = self._seal(cmd.address, cmd.delivery)
        events = book.accept(
            now, case=case_id, ticket=t.id, matter=matter.id, situation=t.situation,
            department=cmd.department or matter.department, kind=kind, promised_days=days, window=cmd.window,
            number=cmd.number, applicant_masked=t.applicant_masked, id_hash=id_hash,
            materials=_materials(cmd.materials), delivery=cmd.delivery, compartment=cmd.compartment,
            address_ref=ref, **who)
        self._store_address(ref, case_id, cmd.address, now)
        return events

    def _fields(self, matter: str) -> MatterCaseFields:
        found = self.hall.matters.get(matter)
        return found.case if found is not None and found.case is not None else MatterCaseFields()

    def _matter_fields(self, book: CaseBook, case: str) -> MatterCaseFields:
        return self._fields(book.case(case).matter)

    def _offered(self, delivery: str, fields: MatterCaseFields) -> None:
        offered = fields.deliveries or self.rules.deliveries
        try:
            method = Delivery(delivery)
        except ValueError:
            raise CaseError("bad_delivery", "送达方式应为现场领取、自助柜或邮寄") from None
        if method not in offered:
            raise CaseError("bad_delivery", "本大厅或本事项不提供该送达方式")

    def _seal(self, address: str, delivery: str) -> str:
        """An opaque reference for an address given for 邮寄 (the address itself is sealed after the core agrees)."""
        if not address.strip():
            return ""
        if delivery != Delivery.MAIL.value:
            raise CaseError("bad_delivery", "只有邮寄送达需要收件地址")
        return sealed.new_ref()

    def _store_address(self, ref: str, case: str, address: str, now: float) -> None:
        if ref:
            self.store.put_address(ref, case, sealed.seal(self.id_key, ref, address.strip()), now)

    def _deadline(self, book: CaseBook, given: str, now: float) -> dt.date:
        if given:
            try:
                return dt.date.fromisoformat(given)
            except ValueError:
                raise CaseError("bad_deadline", "补正期限应为日期 YYYY-MM-DD") from None
        return book._working_date(book.day_of(now), self.rules.correction_deadline_working_days)

    # ------------------------------------------------------------ queries

    def query(self, book: CaseBook, device: Device, cmd: k.Command, now: float) -> dict[str, Any]:
        own = device.department if device.role is Role.BACKOFFICE else ""
        match cmd:
            case k.CaseGet():
                c = book.case(cmd.case)
                if own and c.department != own:
                    raise CaseError("wrong_department", "这不是本部门的办件")
                return {"case": self.publisher.case(book, c, now), "history": self.publisher.case_history(c)}
            case k.CasesList():
                return {"cases": self.listed(book, own or cmd.department, cmd.view, cmd.state, now)}
        raise TypeError(type(cmd).__name__)  # pragma: no cover

    def listed(self, book: CaseBook, department: str, view: str, state: str, now: float) -> list[m.CaseView]:
        if view not in VIEWS:
            raise DomainError("bad_args", f"cases.list: view 应为 {', '.join(VIEWS)} 之一")
        states = VIEWS[view]
        if state:
            try:
                states = states & {CaseState(state)}
            except ValueError:
                raise DomainError("bad_args", f"cases.list: 没有办件状态 {state!r}") from None
        today = book.day_of(now)
        stuck = {s.case for s in stuck_cases(book.cases.values(), book.calendar, self.hall.timezone, now,
                                             self.rules.stuck_hours)} if view == "stuck" else set()

        def wanted(c: Case) -> bool:
            if c.state not in states or (department and c.department != department):
                return False
            if view == "due_today":
                return c.due == today
            if view == "overdue":
                return c.due < today
            if view == "stuck":
                return c.id in stuck
            return True

        chosen = sorted((c for c in book.cases.values() if wanted(c)), key=lambda c: (c.due, c.accepted_at, c.id))
        return [self.publisher.case(book, c, now) for c in chosen]


def _materials(items: list[k.MaterialArg]) -> list[Material]:
    out = []
    for i in items:
        try:
            form = MaterialForm(i.form)
        except ValueError:
            raise CaseError("bad_materials", f"材料“{i.name}”应注明原件 (original) 或复印件 (copy)") from None
        out.append(Material(i.name, form, i.count))
    return out
