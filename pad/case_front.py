"""The front desk's part of a case (办件) at the window's pad: 受理, 补正, 出件. No Qt.

After the window records 受理 for a ticket, the case opens here (``case.accept``): 即办件 or
承诺件 with its promised working days (the matter's by default), the provincial case number
(typed, or scanned by a keyboard-wedge scanner into the same field), the materials received
ticked from the situation's list with 原件/复印件 and counts, and the delivery method
(现场领取 / 自助柜 with a compartment / 邮寄 with an address the pad never shows again in words).

When a case is offered (:meth:`CaseFront.case_offer`), decided from the catalog:

===========================================  =========================================
the ticket just recorded 受理 here            the 登记办件 button
===========================================  =========================================
a 综窗受理 matter (``mode = "comprehensive"``)  offered and highlighted: 一窗受理 opens a case
a 专窗 matter (``mode = "special"``)            offered, not highlighted: 叫号即为受理, the
                                               专窗 finishes the work; a case only if staff want one
a consultation-only situation, an online one   not offered (there is nothing to transfer)
already registered from this pad              not offered again (the hub refuses a second one)
===========================================  =========================================

Nothing opens by itself: the window's flow (evaluation, 叫号) never waits on the case page,
and 跳过 returns to the serve page without sending anything.

The 办件 page (:meth:`lookup` …) acts on a scanned or typed case code: 接收补正材料, 出件窗口接收,
现场领取 (the collector's ID read or typed and checked by the hub; 代领 with the 授权委托书's
reference), 投入自助柜, 邮寄, and the list of results waiting at this hall (``cases.list
view=ready``). The hub decides; its refusal is shown in its own Chinese words and changes nothing.
An ID number is never shown whole: the ID field is masked, and a code that looks like an ID
number (scanned into the wrong field) is masked in every label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hallq.i18n import case_word, language, tr
from hallq.idcard import InvalidIdNumber, looks_like_full_id, mask_id, validate_id
from hallq.messages import CaseView, Matter, Situation, TicketView
from hallq.protocol import CASE_ERROR_WORDS
from pad.presenter import Clock, Command, NotAllowed
from pad.replies import typed, typed_list
from pad.state import HallState
from pad.window_readout import WindowReadout

KIND_LABELS = {"immediate": "即办件", "promised": "承诺件"}
FORM_LABELS = {"original": "原件", "copy": "复印件"}
DELIVERY_LABELS = {"pickup": "现场领取", "locker": "自助柜", "mail": "邮寄"}
CASE_OPS = ("case.accept", "case.get", "cases.list", "case.receive_correction", "case.receive_result",
            "case.collect", "case.locker", "case.post", "case.done_on_spot", "case.change_delivery")
# the hand-out ops and the delivery method each one needs (a refusal offers to change to it)
HAND_OUTS = {"case.collect": "pickup", "case.locker": "locker", "case.post": "mail"}
FINAL_STATES = ("collected", "in_locker", "posted")


@dataclass
class MaterialRow:
    """One material of the situation's list on the 受理 page: ticked when received."""

    name: str
    received: bool = True
    form: str = "original"  # original 原件 / copy 复印件
    count: int = 1


@dataclass
class CaseDraft:
    """What the clerk fills in on the 受理 page before ``case.accept``."""

    ticket: str
    number: str  # the ticket number (A001), for labels
    matter: str
    kind: str
    promised_days: int
    materials: list[MaterialRow] = field(default_factory=list)
    case_number: str = ""  # the provincial case number (办件编号), optional
    delivery: str = "pickup"
    compartment: str = ""
    address: str = ""  # 邮寄: held only until the hub confirmed; shown masked

    def args(self, window: str) -> dict[str, Any]:
        args: dict[str, Any] = {"window": window, "ticket": self.ticket, "kind": self.kind,
                                "promised_days": self.promised_days if self.kind == "promised" else 0,
                                "delivery": self.delivery,
                                "materials": [{"name": m.name, "form": m.form, "count": m.count}
                                              for m in self.materials if m.received]}
        if self.case_number.strip():
            args["number"] = self.case_number.strip()
        if self.delivery == "locker" and self.compartment.strip():
            args["compartment"] = self.compartment.strip()
        if self.delivery == "mail":
            args["address"] = self.address.strip()
        return args


def mask_address(address: str) -> str:
    """An address as the pad shows it after entry: the first six characters, then stars."""
    address = address.strip()
    if not address:
        return ""
    return address[:6] + "*" * 6


def code_label(code: str) -> str:
    """A case code for labels: as typed, unless it looks like an ID number scanned into the field."""
    code = code.strip()
    return mask_id(code) if looks_like_full_id(code) else code


def material_text(m: Any) -> str:
    """``居民身份证（原件 1 份）`` for a case's material (CaseMaterial or MaterialRow)."""
    form = getattr(m, "form_label", "") or FORM_LABELS.get(m.form, m.form)
    return tr("{n}（{f} {c} 份）", n=m.name, f=case_word("form", m.form, tr(form)), c=m.count)


def case_refusal(code: str, message: str) -> str:
    """A case refusal for the screen: the hub's own (more specific) Chinese message, or on an English
    pad the English of the code's words (pad/texts.py)."""
    words = CASE_ERROR_WORDS.get(code)
    return tr(words) if words and language() == "en" else message


# A case's words on the screen: the hub's Chinese labels, or English by their codes (hallq.i18n).
def state_word(c: CaseView) -> str:
    return case_word("state", c.state, c.state_label)


def kind_word(c: CaseView) -> str:
    return case_word("kind", c.kind, c.kind_label)


def delivery_word(c: CaseView) -> str:
    return case_word("delivery", c.delivery, c.delivery_label)


class CaseFront(WindowReadout):
    """The case ops of the window's pad (the base of :class:`pad.staff.StaffPad`)."""

    def __init__(self, state: HallState, device: str, window: str, clock: Clock) -> None:
        super().__init__(state, device, window, clock)
        self.case: CaseView | None = None  # the case on the 办件 page / just accepted
        self.ready: list[CaseView] = []  # 待领取 at this hall (cases.list view=ready)
        self.opened: dict[str, CaseView] = {}  # ticket id → the case this pad opened for it
        self.ready_stale = True  # an event/case arrived since the list was read
        self.case_rid = ""  # the request id of the last command that brought a case back
        self._sent_draft: CaseDraft | None = None
        # a hand-out refused because the applicant agreed another way (delivery_mismatch): the delivery
        # the staff tried, so the desk can offer 变更送达方式 to it; "" otherwise
        self.delivery_refused = ""

    # ------------------------------------------------------------ catalog lookups

    def _matter(self, matter: str) -> Matter | None:
        return self.state.matters.get(matter)

    def _situation(self, ticket: TicketView) -> Situation | None:
        m = self._matter(ticket.matter)
        return next((s for s in m.situations if s.id == ticket.situation), None) if m else None

    def case_offer(self) -> str:
        """Whether the just-served ticket gets a case: ``""`` (not offered), ``"special"`` (专窗:
        offered quietly) or ``"comprehensive"`` (综窗受理: offered and highlighted)."""
        t = self.last_served
        if t is None or t.outcome != "accepted" or t.id in self.opened or not self.logged_in:
            return ""
        m, s = self._matter(t.matter), self._situation(t)
        if m is None or m.mode == "online" or (s is not None and (s.consult_only or s.online)):
            return ""
        return "special" if m.mode == "special" else "comprehensive"

    def case_draft(self) -> CaseDraft:
        """The 受理 page's defaults for the ticket just served: the matter's kind and days, every
        material of the situation ticked as received (as the checklist said), delivery 现场领取."""
        t = self.last_served
        if t is None or not self.case_offer():
            raise NotAllowed(tr("没有可登记办件的受理业务"))
        m = self._matter(t.matter)
        kind = m.kind if m and m.kind in KIND_LABELS else "promised"
        days = m.promised_days if m and kind == "promised" else 0
        checked: set[str] = getattr(self, "checked", set())
        rows = [MaterialRow(name, received=not checked or name in checked) for name in t.materials]
        return CaseDraft(t.id, t.number, t.matter, kind, max(days, 1) if kind == "promised" else 0, rows)

    # ------------------------------------------------------------ 受理

    def accept_case(self, draft: CaseDraft) -> Command:
        if not self.idle:
            raise NotAllowed(tr("离线或有操作正在进行"))
        if draft.kind == "promised" and not 1 <= draft.promised_days <= 365:
            raise NotAllowed(tr("承诺件的承诺时限应为 1-365 个工作日"))
        if draft.delivery == "mail" and not draft.address.strip():
            raise NotAllowed(tr("邮寄送达需要填写收件地址"))
        if draft.delivery == "locker" and not draft.compartment.strip():
            raise NotAllowed(tr("自助柜送达需要填写柜格号"))
        cmd = self._send("case.accept", draft.args(self.window), tr("登记办件 {n}", n=draft.number))
        self._sent_draft = draft  # its address is forgotten once the hub confirmed (kept for a retry)
        return cmd

    def done_on_spot(self) -> Command:
        """当场办结 of the 即办件 just accepted."""
        c = self.case
        if c is None or c.kind != "immediate":
            raise NotAllowed(tr("只有即办件可以当场办结"))
        return self._send("case.done_on_spot", {"window": self.window, "case": c.id},
                          tr("当场办结 {c}", c=c.number or c.id))

    # ------------------------------------------------------------ 补正 and 出件

    def _code(self, code: str) -> str:
        code = code.strip()
        if not code:
            raise NotAllowed(tr("请扫描或输入办件码"))
        return code

    def lookup(self, code: str) -> Command:
        code = self._code(code)
        return self._send("case.get", {"case": code}, tr("查询办件 {c}", c=code_label(code)))

    def list_ready(self) -> Command:
        return self._send("cases.list", {"view": "ready"}, tr("待领取办件"))

    def receive_correction(self, code: str, materials: list[str]) -> Command:
        code = self._code(code)
        if not materials:
            raise NotAllowed(tr("请勾选收到的补正材料"))
        return self._send("case.receive_correction",
                          {"window": self.window, "case": code, "materials": [{"name": n} for n in materials]},
                          tr("接收补正材料 {c}", c=code_label(code)))

    def receive_result(self, code: str) -> Command:
        code = self._code(code)
        return self._send("case.receive_result", {"window": self.window, "case": code},
                          tr("出件窗口接收 {c}", c=code_label(code)))

    def collect(self, code: str, id_number: str = "", name: str = "", proxy: bool = False,
                authorisation: str = "") -> Command:
        code = self._code(code)
        args: dict[str, Any] = {"window": self.window, "case": code}
        if proxy:
            if not authorisation.strip():
                raise NotAllowed(tr("代领需要填写授权委托书编号"))
            args["proxy"], args["authorisation"] = True, authorisation.strip()
        if id_number.strip():
            try:
                args["id_number"] = validate_id(id_number)
            except InvalidIdNumber as exc:
                raise NotAllowed(str(exc)) from None
        elif not proxy:
            raise NotAllowed(tr("现场领取需要读取或输入领取人身份证号"))
        if name.strip():
            args["name"] = name.strip()
        return self._send("case.collect", args, tr("现场领取 {c}", c=code_label(code)))

    def to_locker(self, code: str, compartment: str = "") -> Command:
        code = self._code(code)
        args: dict[str, Any] = {"window": self.window, "case": code}
        if compartment.strip():
            args["compartment"] = compartment.strip()
        return self._send("case.locker", args, tr("投入自助柜 {c}", c=code_label(code)))

    def post(self, code: str, tracking: str) -> Command:
        code = self._code(code)
        if not tracking.strip():
            raise NotAllowed(tr("邮寄需要填写快递单号"))
        return self._send("case.post", {"window": self.window, "case": code, "tracking": tracking.strip()},
                          tr("邮寄 {c}", c=code_label(code)))

    def change_delivery(self, code: str, delivery: str, compartment: str = "", address: str = "") -> Command:
        """变更送达方式: the applicant asks for the result another way (before it reached them). The
        address (邮寄) goes once to the hub, which seals it; the pad keeps it only in the form."""
        code = self._code(code)
        if delivery not in DELIVERY_LABELS:
            raise NotAllowed(tr("请选择送达方式"))
        args: dict[str, Any] = {"window": self.window, "case": code, "delivery": delivery}
        if delivery == "locker":
            if not compartment.strip():
                raise NotAllowed(tr("自助柜送达需要填写柜格号"))
            args["compartment"] = compartment.strip()
        if delivery == "mail":
            if not address.strip():
                raise NotAllowed(tr("邮寄送达需要填写收件地址"))
            args["address"] = address.strip()
        return self._send("case.change_delivery", args,
                          tr("变更送达方式 {c} → {d}", c=code_label(code), d=tr(DELIVERY_LABELS[delivery])))

    def completion_after(self, case: CaseView) -> bool:
        """Whether the hall prints the 办结通知书 by itself after this case's hand-out
        (``[cases] print_completion_notice``, carried by the catalog)."""
        catalog = self.state.catalog
        if catalog is None or catalog.cases is None or case.state not in FINAL_STATES:
            return False  # the defaults (or an older hub): by hand only
        return case.delivery in catalog.cases.print_completion_notice

    def finished(self, cmd: Command, result: dict[str, Any] | None, code: str = "", message: str = "") -> None:
        if cmd.op in HAND_OUTS or cmd.op == "case.change_delivery":
            self.delivery_refused = HAND_OUTS[cmd.op] if code == "delivery_mismatch" and cmd.op in HAND_OUTS else ""
        if code:
            message = case_refusal(code, message)
        super().finished(cmd, result, code, message)

    # ------------------------------------------------------------ the hub's answers

    def case_confirmed(self, cmd: Command, result: dict[str, Any]) -> None:
        if cmd.op == "cases.list":
            self.ready = typed_list(result.get("cases"), CaseView, "case in cases.list", "cases")
            self.ready_stale = False
            return
        raw = result.get("case")
        case = typed(raw, CaseView, "case in a reply") if isinstance(raw, dict) else None
        if case is None:
            return
        self.case, self.case_rid = case, cmd.rid
        if cmd.op == "case.accept":
            self.opened[case.ticket] = case
            if self._sent_draft is not None:
                self._sent_draft.address = ""
                self._sent_draft = None
        if case.state != "ready":
            self.ready = [c for c in self.ready if c.id != case.id]

    def ready_listed(self, result: dict[str, Any]) -> None:
        """A quiet ``cases.list view=ready`` answer (the list refreshes without a notice)."""
        self.ready = typed_list(result.get("cases"), CaseView, "case in cases.list", "cases")
        self.ready_stale = False
        self.changed()

    def case_materials(self, case: CaseView) -> list[str]:
        """The situation's material list (catalog) for a case, to tick 补正 materials from."""
        m = self._matter(case.matter)
        s = next((s for s in m.situations if s.id == case.situation), None) if m else None
        return list(s.materials) if s else [x.name for x in case.materials]

    def case_confirmation(self, cmd: Command, result: dict[str, Any]) -> str:
        if cmd.op == "cases.list":
            cases = result.get("cases")
            return tr("待领取办件 {n} 件", n=len(cases) if isinstance(cases, list) else 0)
        raw = result.get("case")
        state = case_word("state", str(raw.get("state", "")), str(raw.get("state_label", ""))) \
            if isinstance(raw, dict) else ""
        if cmd.op == "case.get" or not state:
            return tr("{label}：已确认", label=cmd.label)
        return tr("{label}：已确认，办件状态：{s}", label=cmd.label, s=state)
