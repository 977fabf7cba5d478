"""The back office (后台审批): one department's desk after 受理. No Qt.

A ``backoffice`` device is bound to one department in the hall file (``[[devices]] department``,
carried in the catalog). It reads that department's open cases with ``cases.list`` (the hub
answers a back office with its own department's only) and sorts them into the views its tabs
show (:data:`VIEWS`):

* 待签收 — the folder is on its way (已受理, 转递中, 补正已收): sign for it by scanning the 转递单's
  code (a keyboard-wedge scanner types it and Enter; a person may type it too) or from the list;
* 审查中 — signed for, under review: 一次性告知 (every reason, one per line, and a deadline; left
  empty, the hub takes the hall's ``[cases] correction_deadline_working_days``), 办结 with a result
  kind, 不予许可 with reasons;
* 待出件 — decided, the result still here: 出件转递 to the 出件 window;
* 今日到期 / 已逾期 — undecided cases whose promised date is today / has passed (the hub says
  which are overdue and how many working days are left: ``days_left``);
* 待补正 — cases this desk returned with an 一次性告知, waiting for the applicant's 补正 (the
  补正期限 in the 剩余 column); they come back to 待签收 when the window receives the materials.

签到 (issue 15: every handover's *who*): a clerk signs in with 工号 and PIN (``backoffice.login``;
a ``backoffice`` staff entry of this desk's department, no other). The hub then records the clerk
(工号 and name) on every case step from this desk; where the hall file lists clerks for the
department, the hub refuses case steps from a desk nobody is signed in at (``desk_not_signed_in``).
Like a guide's, a sign-in lasts the hub's day. The sign-in is the hub's, not the screen's: a desk that
starts (a restarted pad) or reconnects asks ``backoffice.whoami`` and shows the clerk still signed in
there without asking for the PIN again, or the 签到 strip when the sign-in has ended (签退, a new day,
the clerk signed in at another desk); it asks again every few minutes and after a ``desk_not_signed_in``
refusal, so a sign-in that ended at midnight shows as ended. Materials that came in as 补正 are marked “（补正）”.

Every ``event/case`` of its department makes it list again, so the tabs stay live. A case's
history (every step, the 附件4 handover rows marked) comes from ``case.get``.

呼叫后台 (R11): the window's summons to this department arrive on ``event/summon`` (every
department's: only this one's are kept); a back office that starts mid-day reads the open ones
from ``hall.snapshot``. The desk answers 已响应 / 已到窗口 (``summon.respond`` / ``summon.arrive``:
the hub lets a back office answer only its own department's), which the window's pad then shows;
a new or escalated summons counts in :attr:`BackOffice.chimes` (the view sounds each).

(A little over 400 lines: the lists, the case steps, 签到 and 呼叫后台 are one desk's presenter,
which the view binds as one object.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hallq import clock as hallclock
from hallq.i18n import case_word, tr
from hallq.messages import CaseStep, CaseView, SummonEvent, SummonView
from pad.case_front import case_refusal, delivery_word, kind_word, state_word
from pad.presenter import Clock, Command, NotAllowed, Presenter, minutes
from pad.replies import staff_of, typed, typed_list
from pad.state import HUB_DEVICE, Change, HallState

TO_SIGN = ("accepted", "transferring", "correction_received")
DECIDED_HERE = ("approved", "denied")  # decided, the result not yet sent out
UNDECIDED = ("accepted", "transferring", "in_review", "awaiting_correction", "correction_received")
VIEWS = (("to_sign", "待签收"), ("in_review", "审查中"), ("due_today", "今日到期"), ("overdue", "已逾期"),
         ("to_send", "待出件"), ("awaiting", "待补正"))
# 一次性告知's reasons: an example per department where the hall has one, else a neutral one
REASON_EXAMPLES = {
    "公安局": "如：\n户口簿复印件缺少本人页\n照片不符合证件照规格",
    "市场监督管理局": "如：\n营业执照复印件未加盖公章\n经营场所平面图未标注消毒区",
}
REASON_EXAMPLE = "如：\n某材料缺少签名或盖章\n某材料复印件不清晰，请提供原件核对"
RESULT_KINDS = ("文书", "证书", "备案表", "《制证信息表》")  # docs/cases.md; the matter's own is the default
SUMMON_STATES = {"pending": "待响应", "escalated": "超时未响应", "responded": "已响应", "arrived": "已到窗口"}
SUMMON_OPEN = ("pending", "escalated", "responded")



@dataclass
class SummonSeen:
    """One 呼叫后台 to this department, as the desk last heard of it."""

    id: str
    window: str
    department: str
    number: str
    note: str
    state: str
    at: float
    answered_at: float | None = None


def reasons_of(text: str) -> list[str]:
    """Every reason, one per line (blank lines and list marks such as “1、” left out)."""
    out = []
    for line in text.splitlines():
        item = line.strip().lstrip("0123456789.、)） ").strip()
        if item:
            out.append(item)
    return out


def reasons_example(department: str) -> str:
    """The 一次性告知 field's placeholder: the department's kind of reasons, or neutral ones."""
    return tr(REASON_EXAMPLES.get(department, REASON_EXAMPLE))


class BackOffice(Presenter):
    """One department's desk: its cases by view, the actions on one, and its summons."""

    def __init__(self, state: HallState, device: str, clock: Clock = hallclock.now) -> None:
        super().__init__(state, device, clock)
        self.cases: list[CaseView] = []
        self.listed_once = False
        self.needs_refresh = True
        self.view = "to_sign"
        self.selected = ""
        self.history: list[CaseStep] = []
        self.history_case: CaseView | None = None
        self.summons: dict[str, SummonSeen] = {}
        self.selected_summon = ""
        self.chimes = 0
        self._heard: set[tuple[str, str]] = set()
        self.needs_snapshot = True
        self.to_print: CaseView | None = None  # a 一次性告知 just confirmed: the view prints its 附件5
        self.operator = ""  # the clerk signed in here: “王某（3001）”
        self.needs_whoami = True  # who is signed in here is the hub's to say (start, reconnect, a refusal)
        self.who_known = False  # until the hub has said, the screen neither names a clerk nor asks for a PIN
        self._signings = 0  # 签到/签退 answered here: a whoami asked before one of them is out of date
        self._whoami_asked = 0

    def finished(self, cmd: Command, result: dict[str, Any] | None, code: str = "", message: str = "") -> None:
        if code:
            message = case_refusal(code, message)
        if code == "desk_not_signed_in" or (code and cmd.op.startswith("backoffice.log")):
            self.needs_whoami = True  # the sign-in ended (a new day): the 签到 strip comes back
        super().finished(cmd, result, code, message)

    # ------------------------------------------------------------ who this desk is

    @property
    def department(self) -> str:
        d = self.state.devices.get(self.device)
        return d.department if d is not None else ""

    def title(self) -> str:
        return tr("后台审批 {d}", d=self.department or tr("（未绑定部门）"))

    def reasons_example(self) -> str:
        return reasons_example(self.department)

    # ------------------------------------------------------------ who is at this desk (签到)

    def login(self, staff: str, pin: str) -> Command:
        """签到: the hub then records this clerk (工号 and name) on every case step from this desk."""
        if not staff.strip() or not pin.strip():
            raise NotAllowed(tr("请输入工号和密码"))
        return self._send("backoffice.login", {"staff": staff.strip(), "pin": pin.strip()}, tr("签到"))

    def logout(self) -> Command:
        return self._send("backoffice.logout", {}, tr("签退"))

    def whoami(self) -> Command:
        """``backoffice.whoami``: who the hub has signed in at this desk (a query; the link sends it)."""
        self.needs_whoami = False
        self._whoami_asked = self._signings
        return Command("backoffice.whoami", {}, tr("签到"))

    def whoami_read(self, result: dict[str, Any] | None, code: str = "") -> None:
        if result is None or code:
            self.needs_whoami = True
            return
        if self._whoami_asked != self._signings or (self.pending is not None
                                                    and self.pending.op.startswith("backoffice.log")):
            return  # a 签到/签退 here crossed the question: its own answer says who (no flicker back)
        staff = staff_of(result) if result.get("staff") is not None else None
        self.operator = f"{staff.name}（{staff.id}）" if staff else ""
        self.who_known = True
        self.changed()

    # ------------------------------------------------------------ the lists

    def refresh(self) -> Command:
        """``cases.list`` of this department's open cases (a query; the link sends it)."""
        self.needs_refresh = False
        return Command("cases.list", {"view": "open"}, tr("刷新"))

    def listed(self, result: dict[str, Any] | None, code: str = "") -> None:
        if result is not None and not code:
            self.cases = typed_list(result.get("cases"), CaseView, "case in cases.list", "cases")
            self.listed_once = True
        self.changed()

    def today(self) -> str:
        return hallclock.local(self.clock(), self.state.timezone).date().isoformat()

    def in_view(self, c: CaseView, view: str) -> bool:
        if view == "to_sign":
            return c.state in TO_SIGN
        if view == "in_review":
            return c.state == "in_review"
        if view == "due_today":
            return c.state in UNDECIDED and c.due == self.today()
        if view == "overdue":
            return c.state in UNDECIDED and c.overdue
        if view == "to_send":
            return c.state in DECIDED_HERE
        if view == "awaiting":
            return c.state == "awaiting_correction"
        return False

    def counts(self) -> dict[str, int]:
        return {v: sum(1 for c in self.cases if self.in_view(c, v)) for v, _ in VIEWS}

    def rows(self, view: str | None = None) -> list[dict[str, Any]]:
        """The cases of a view, by promised date: the table's rows."""
        out = []
        for c in self.cases:
            if not self.in_view(c, view or self.view):
                continue
            out.append({"id": c.id, "code": c.number or c.id, "matter": c.matter_name, "applicant": c.applicant,
                        "state": state_word(c), "kind": kind_word(c), "due": c.due,
                        "left": self.days_left_text(c), "overdue": c.overdue,
                        "due_today": c.state in UNDECIDED and c.due == self.today(),
                        "accepted": self._when(c.accepted_at)})
        return out

    def days_left_text(self, c: CaseView) -> str:
        """Working days left as the hub counted them at the last list (re-read each minute)."""
        if c.state not in UNDECIDED:
            return ""
        if c.state == "awaiting_correction" and c.correction_deadline:
            return tr("补正期限 {d}", d=c.correction_deadline)  # the promised date waits for the 补正
        if c.overdue:
            return tr("逾期 {n} 个工作日", n=max(1, -c.days_left))
        if c.days_left <= 0 or c.due == self.today():
            return tr("今日到期")
        return tr("剩 {n} 个工作日", n=c.days_left)

    def _when(self, at: float | None) -> str:
        if not at:
            return ""
        return hallclock.local(at, self.state.timezone).strftime("%m-%d %H:%M")

    def select_view(self, view: str) -> None:
        self.view = view
        self.changed()

    def select(self, case_id: str) -> None:
        self.selected = case_id
        self.changed()

    @property
    def case(self) -> CaseView | None:
        return next((c for c in self.cases if c.id == self.selected), None)

    def case_text(self) -> str:
        """The chosen case in a few lines (for the panel)."""
        c = self.case
        if c is None:
            return ""
        lines = [tr("事项：{m}（{k}）", m=c.matter_name, k=kind_word(c)), tr("申请人：{a}", a=c.applicant or "-"),
                 tr("受理：{w} 窗口 {t}", w=c.window, t=self._when(c.accepted_at)),
                 tr("承诺办结：{d}（{left}）", d=c.due, left=self.days_left_text(c) or state_word(c)),
                 tr("送达方式：{d}", d=delivery_word(c))]
        if c.materials:
            forms = [f"{x.name}（{case_word('form', x.form, x.form_label)}{x.count}份）"
                     + (tr("（补正）") if x.correction else "") for x in c.materials]
            lines.append(tr("材料：{m}", m="、".join(forms)))
        if c.reasons:
            lines.append(tr("意见：{r}", r="；".join(c.reasons)))
        if c.correction_deadline:
            lines.append(tr("补正期限：{d}", d=c.correction_deadline))
        return "\n".join(lines)

    # ------------------------------------------------------------ what the desk does

    def _case_ref(self, ref: str = "") -> str:
        ref = ref.strip() or self.selected
        if not ref:
            raise NotAllowed(tr("请先选择办件或扫描转递单"))
        return ref

    def _label(self, what: str, ref: str) -> str:
        c = next((x for x in self.cases if ref in (x.id, x.number)), None)
        return f"{what} {c.number or c.id if c else ref}"

    def sign(self, ref: str = "") -> Command:
        """签收 the folder: by the code scanned off the 转递单, or the chosen case."""
        ref = self._case_ref(ref)
        return self._send("case.sign", {"case": ref}, self._label(tr("签收"), ref))

    def notify_correction(self, reasons_text: str, deadline: str = "") -> Command:
        """一次性告知 (附件5): every reason at once, one per line; the deadline may be left to the hall."""
        ref = self._case_ref()
        reasons = reasons_of(reasons_text)
        if not reasons:
            raise NotAllowed(tr("请逐条填写审查意见（每行一条）"))
        args: dict[str, Any] = {"case": ref, "reasons": reasons}
        if deadline.strip():
            try:
                dt.date.fromisoformat(deadline.strip())
            except ValueError:
                raise NotAllowed(tr("补正期限应为日期，如 2026-12-10")) from None
            args["deadline"] = deadline.strip()
        return self._send("case.notify_correction", args, self._label(tr("一次性告知"), ref))

    def approve(self, result_kind: str = "") -> Command:
        ref = self._case_ref()
        args: dict[str, Any] = {"case": ref}
        if result_kind.strip():
            args["result_kind"] = result_kind.strip()
        return self._send("case.approve", args, self._label(tr("办结"), ref))

    def deny(self, reasons_text: str) -> Command:
        ref = self._case_ref()
        reasons = reasons_of(reasons_text)
        if not reasons:
            raise NotAllowed(tr("不予许可需要逐条填写理由"))
        return self._send("case.deny", {"case": ref, "reasons": reasons}, self._label(tr("不予许可"), ref))

    def send_out(self) -> Command:
        ref = self._case_ref()
        return self._send("case.send_out", {"case": ref}, self._label(tr("出件转递"), ref))

    def load_history(self, ref: str = "") -> Command:
        ref = self._case_ref(ref)
        return self._send("case.get", {"case": ref}, self._label(tr("流转记录"), ref))

    def history_rows(self) -> list[dict[str, Any]]:
        rows = []
        for i, s in enumerate(self.history):
            hand = f"{s.giver} → {s.receiver}" if s.giver else ""
            action = case_word("action", s.action, s.action_label)
            rows.append({"id": str(i), "time": self._when(s.at), "action": action, "stage": s.stage,
                         "material": s.material, "handover": hand, "by": s.staff or s.device, "note": s.note})
        return rows

    # ------------------------------------------------------------ 呼叫后台

    def snapshot(self) -> Command:
        """``hall.snapshot``: the open summons of the day (a desk starting mid-day)."""
        self.needs_snapshot = False
        return Command("hall.snapshot", {}, tr("刷新"))

    def snapshot_read(self, result: dict[str, Any] | None, code: str = "") -> None:
        if result is None or code:
            self.needs_snapshot = True
            return
        for w in result.get("windows") or []:
            for raw in (w.get("summons") if isinstance(w, dict) else None) or []:
                sm = typed(raw, SummonView, "summon in hall.snapshot")
                if sm is not None:
                    self._seen_view(sm)
        self._listen()
        self.changed()

    def _seen_view(self, sm: SummonView) -> None:
        if sm.department != self.department:
            return
        answered = sm.responded_at if sm.responded_at is not None else sm.arrived_at
        self.summons[sm.id] = SummonSeen(sm.id, sm.window, sm.department, sm.number, sm.note, sm.state, sm.at,
                                         answered)

    def _seen_event(self, e: SummonEvent) -> None:
        if e.department != self.department or not e.summon:
            return
        old = self.summons.get(e.summon)
        answered = old.answered_at if old else None
        if e.state in ("responded", "arrived") and answered is None:
            answered = self.clock()
        self.summons[e.summon] = SummonSeen(e.summon, e.window, e.department, old.number if old else "", e.note,
                                            e.state, e.at, answered)

    def _listen(self) -> None:
        for sm in self.summons.values():
            key = (sm.id, sm.state)
            if sm.state in ("pending", "escalated") and key not in self._heard:
                self._heard.add(key)
                self.chimes += 1

    def summon_rows(self) -> list[dict[str, Any]]:
        """Open summons to this department, oldest first, with the wait."""
        now = self.clock()
        rows = []
        for sm in sorted(self.summons.values(), key=lambda s: s.at):
            if sm.state not in SUMMON_OPEN:
                continue
            if sm.state == "responded" and sm.answered_at is not None:
                wait = tr("响应用时 {t}", t=minutes(sm.answered_at - sm.at))
            else:
                wait = tr("已等 {t}", t=minutes(now - sm.at))
            rows.append({"id": sm.id, "window": sm.window, "state": sm.state,
                         "state_text": tr(SUMMON_STATES.get(sm.state, sm.state)), "wait": wait,
                         "ticket": sm.number, "note": sm.note, "escalated": sm.state == "escalated"})
        return rows

    def select_summon(self, summon_id: str) -> None:
        self.selected_summon = summon_id
        self.changed()

    def _answer(self, op: str, what: str, summon_id: str = "") -> Command:
        sid = summon_id or self.selected_summon
        if not sid and len(self.summon_rows()) == 1:
            sid = self.summon_rows()[0]["id"]  # one summons open: the buttons mean that one
        row = next((r for r in self.summon_rows() if r["id"] == sid), None)
        if row is None:
            raise NotAllowed(tr("请先选择一条呼叫"))
        return self._send(op, {"summon": sid}, tr("{w} 呼叫{d}：{what}", w=row["window"], d=self.department,
                                                   what=what))

    def respond_summon(self, summon_id: str = "") -> Command:
        return self._answer("summon.respond", tr("已响应"), summon_id)

    def arrive_summon(self, summon_id: str = "") -> Command:
        return self._answer("summon.arrive", tr("已到窗口"), summon_id)

    # ------------------------------------------------------------ answers and events

    def confirmed(self, cmd: Command, result: dict[str, Any]) -> None:
        if cmd.op == "backoffice.login":
            staff = staff_of(result)
            self.operator = f"{staff.name}（{staff.id}）" if staff else ""
            self.who_known, self._signings = True, self._signings + 1
        elif cmd.op == "backoffice.logout":
            self.operator = ""
            self.who_known, self._signings = True, self._signings + 1
        if cmd.op.startswith("case.") and cmd.op != "case.get":
            self.needs_refresh = True
            c = typed(result.get("case"), CaseView, "case in a reply")
            if c is not None:
                self.cases = [c if x.id == c.id else x for x in self.cases]
                if cmd.op == "case.sign":
                    self.selected = c.id
                if cmd.op == "case.notify_correction":
                    self.to_print = c
        if cmd.op == "case.get":
            self.history_case = typed(result.get("case"), CaseView, "case in case.get")
            self.history = typed_list(result.get("history"), CaseStep, "step in case.get", "history")
        if cmd.op in ("summon.respond", "summon.arrive"):
            sm = typed(result.get("summon"), SummonView, "summon in a reply")
            if sm is not None:
                self._seen_view(sm)

    def relevant(self, change: Change) -> bool:
        if change.kind == "event" and change.name == "case":
            if change.message is None or change.message.department == self.department:
                self.needs_refresh = True
            return False  # the list that follows repaints
        if change.kind == "event" and change.name == "summon" and isinstance(change.message, SummonEvent):
            self._seen_event(change.message)
            self._listen()
            return True
        if change.kind == "presence" and change.name == HUB_DEVICE and self.state.hub_online:
            self.needs_refresh = self.needs_snapshot = True  # the hub is back: events may have been missed
            self.needs_whoami = True  # (a standby that took over knows the sign-ins from the event log)
        return change.kind != "event"

    def set_broker_online(self, up: bool) -> None:
        if up:
            self.needs_refresh = self.needs_snapshot = True  # reconnected: read again what may have changed
            self.needs_whoami = True
        super().set_broker_online(up)


