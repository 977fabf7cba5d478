"""The staff pad's case pages, wired (办件): 登记办件 after 受理, the 办件 desk, and printing case notices.

A mixin of :class:`~pad.staff_view.StaffView`, as :mod:`pad.staff_choices` is: it adds
:class:`~pad.case_accept.CaseAcceptPage` and :class:`~pad.case_desk_view.CaseDeskPage` to the
view's stack, turns their taps into :class:`~pad.case_front.CaseFront` commands, and prints the
case's notices on the window's slip printer and, where the printer names one (``a4 = "…"``), on
its A4 printer (:func:`pad.printing.print_case_notice`), on the link's worker thread.

What prints by itself: after 受理 the 受理通知书 (承诺件) and the 材料转递单 (附件4) with the case
code; after 当场办结 the 办结通知书; after a hand-out at the 出件 window (现场领取, 自助柜, 邮寄) the
办结通知书 when the hall file says so for that way (``[cases] print_completion_notice``, carried
by the catalog). The desk's buttons print again: the 办结通知书 after a hand-out, and the case's
附件5 (审查意见一次性告知单: the department's reasons, the deadline, this window to bring the 补正
materials to) while a case waits for its 补正.

A hand-out the hub refuses because the applicant agreed another way (``delivery_mismatch``)
leads to 变更送达方式 on the desk, with the way staff tried chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QPushButton, QStackedWidget, QWidget

from hallq import clock as hallclock
from hallq.client import RequestError
from hallq.i18n import tr
from hallq.messages import CaseView
from pad.case_accept import CaseAcceptPage
from pad.case_desk_view import CaseDeskPage, tab_for
from pad.case_front import FINAL_STATES, CaseDraft
from pad.case_notices import CASE_KINDS, build_case_notice, case_notices_for
from pad.link import Link
from pad.presenter import Command, NotAllowed, Notice
from pad.printing import print_case_notice, window_printers
from pad.staff import StaffPad


class CaseViews:
    """The case pages of the staff pad; the view provides what is declared here."""

    pad: StaffPad
    link: Link | None
    stack: QStackedWidget
    serve_page: QWidget
    case_accept_btn: QPushButton
    case_desk_btn: QPushButton

    def refresh(self) -> None:
        raise NotImplementedError

    def _case_pages(self) -> tuple[QWidget, QWidget]:
        self.case_accept = CaseAcceptPage(self._case_send, self._case_back, self._case_print_one, self._case_done)
        self.case_desk = CaseDeskPage(self._case_act, self._case_back)
        self.case_printed: list[str] = []  # case notice kinds printed, newest last
        self._desk_painted: tuple[str, ...] = ()  # (case id, state, delivery …) last painted: the tab moves once
        self._listing = False
        return self.case_accept, self.case_desk

    # ------------------------------------------------------------ sending, with a follow-up

    def _case_tap(self, make: Callable[[], Command], then: Callable[[CaseView], None] | None = None) -> None:
        pad = self.pad
        try:
            cmd = make()
        except NotAllowed as exc:
            pad.notice = Notice("error", str(exc))
            pad.changed()
            return
        if self.link is None:
            return

        def done(sent: Command) -> None:
            if then is not None and pad.case_rid == sent.rid and pad.case is not None:
                then(pad.case)

        self.link.send(cmd, done)

    # ------------------------------------------------------------ 登记办件

    def open_case_accept(self) -> None:
        pad = self.pad
        try:
            draft = pad.case_draft()
        except NotAllowed as exc:
            pad.notice = Notice("error", str(exc))
            pad.changed()
            return
        t = pad.last_served
        title = tr("登记办件 {n}：{m} · {s}", n=draft.number, m=t.matter_name if t else "",
                   s=t.situation_name if t else "")
        if pad.case_offer() == "special":
            hint = tr("专窗事项“叫号即为受理”，由专窗办结，一般无需登记办件；材料需转递后台时再登记。")
        else:
            hint = tr("一窗受理：登记后打印受理通知书和材料转递单，材料随转递单交后台审批。咨询类业务可跳过。")
        self.case_accept.load(draft, title, hint)
        self.stack.setCurrentWidget(self.case_accept)
        self.refresh()

    def _case_send(self, draft: CaseDraft) -> None:
        self._case_tap(lambda: self.pad.accept_case(draft), self._case_accepted)

    def _case_accepted(self, case: CaseView) -> None:
        self.case_accept.show_case(case, self.pad.printer_configured)
        if self.pad.printer_configured:
            self._case_print(case_notices_for(case, "accept"), case)

    def _case_done(self) -> None:
        self._case_tap(self.pad.done_on_spot, self._case_done_on_spot)

    def _case_done_on_spot(self, case: CaseView) -> None:
        self.case_accept.show_case(case, self.pad.printer_configured)
        if self.pad.printer_configured:
            self._case_print(case_notices_for(case, "done"), case)

    def _case_back(self) -> None:
        self.stack.setCurrentWidget(self.serve_page)
        self.refresh()

    # ------------------------------------------------------------ the 办件 desk

    def open_case_desk(self) -> None:
        self.stack.setCurrentWidget(self.case_desk)
        self.case_desk.code.setFocus()  # ready for the scanner
        self._list_ready()
        self.refresh()

    def _case_act(self, action: str) -> None:
        pad, desk = self.pad, self.case_desk
        code = desk.code.text()
        match action:
            case "lookup":
                self._case_tap(lambda: pad.lookup(code))
            case "list_ready":
                self._list_ready()
            case "pick_ready":
                picked = desk.ready.selected_id()
                case = next((c for c in pad.ready if c.id == picked), None)
                if case is not None:
                    desk.code.setText(case.id)
                    pad.case = case
                    self.refresh()
            case "receive_correction":
                materials = desk.corrections()
                self._case_tap(lambda: pad.receive_correction(code, materials), lambda _c: desk.clear_person())
            case "receive_result":
                self._case_tap(lambda: pad.receive_result(code))
            case "collect":
                id_number, name = desk.id_number.text(), desk.collector.text()
                proxy, auth = desk.proxy.isChecked(), desk.authorisation.text()
                self._case_tap(lambda: pad.collect(code, id_number, name, proxy, auth), self._handed_out)
            case "locker":
                compartment = desk.compartment.text()
                self._case_tap(lambda: pad.to_locker(code, compartment), self._handed_out)
            case "post":
                tracking = desk.tracking.text()
                self._case_tap(lambda: pad.post(code, tracking), self._handed_out)
            case "change_delivery":
                way, compartment, address = desk.change_request()
                self._case_tap(lambda: pad.change_delivery(code, way, compartment, address),
                               lambda _c: desk.clear_change())
            case "print":
                if pad.case is not None:
                    self._case_print(["completion"], pad.case)
            case "print_correction":
                if pad.case is not None:
                    self._case_print(["correction"], pad.case)

    def _handed_out(self, case: CaseView) -> None:
        self.case_desk.clear_person()
        if self.pad.printer_configured and self.pad.completion_after(case):
            self._case_print(["completion"], case)

    def _list_ready(self) -> None:
        """``cases.list view=ready`` quietly: the list refreshes without taking the notice line."""
        pad = self.pad
        if self.link is None or not pad.online or self._listing:
            return
        self._listing = True

        def delivered(result: dict[str, Any] | None, error: RequestError | None) -> None:
            self._listing = False
            if error is None and result is not None:
                pad.ready_listed(result)
            self.refresh()

        self.link.hall.request("cases.list", {"view": "ready"}, delivered, timeout=4.0, retries=1)

    # ------------------------------------------------------------ printing

    def _case_print_one(self, kind: str) -> None:
        if self.pad.case is not None:
            self._case_print([kind], self.pad.case)

    def _case_print(self, kinds: list[str], case: CaseView) -> None:
        pad = self.pad
        name, _table = pad.state.printer_table(pad.device)
        tables = pad.state.catalog.printers if pad.state.catalog else {}
        t = pad.last_served
        url = t.progress_url if t is not None and t.id == case.ticket else ""
        now = pad.clock()
        staff = pad.staff.name if pad.staff else ""
        notices = [(k, build_case_notice(k, case, pad.state, window=pad.window, staff=staff, now=now,
                                         progress_url=url)) for k in kinds]
        words = "、".join(tr(CASE_KINDS[k]) for k in kinds)
        pad.notice = Notice("info", tr("正在打印{k}…", k=words))
        self.refresh()
        created = hallclock.local(now, pad.state.timezone)

        def work() -> list[str]:
            printers = window_printers(name, tables)
            done: list[str] = []
            for _k, notice in notices:
                done = print_case_notice(printers, notice, created)
            return done

        def finished(papers: Any, error: BaseException | None) -> None:
            if error is not None:
                pad.notice = Notice("error", tr("{k}打印失败：{e}", k=words, e=getattr(error, "message", str(error))))
            else:
                pad.notice = Notice("info", tr("{k}已打印（{p}）", k=words, p="、".join(papers)))
                self.case_printed.extend(kinds)
            self.refresh()

        if self.link is not None:
            self.link.run(work, finished)

    # ------------------------------------------------------------ repaint

    def _case_refresh(self) -> None:
        pad = self.pad
        acts = pad.actions()
        offer = pad.case_offer()
        self.case_accept_btn.setEnabled(acts["case_accept"])
        kind = "good" if offer == "comprehensive" else ""
        if self.case_accept_btn.property("kind") != kind:
            self.case_accept_btn.setProperty("kind", kind)
            self.case_accept_btn.style().unpolish(self.case_accept_btn)
            self.case_accept_btn.style().polish(self.case_accept_btn)
        self.case_desk_btn.setVisible(pad.page == "serve")
        self.case_desk_btn.setEnabled(acts["case_desk"])
        self.case_accept.set_enabled(pad.idle)
        desk = self.case_desk
        if self.stack.currentWidget() is desk:
            case = pad.case
            painted = (case.id, case.state, case.delivery, case.compartment, str(case.address)) if case else ()
            if painted != self._desk_painted:
                if not painted or not self._desk_painted or painted[0] != self._desk_painted[0]:
                    desk.clear_change()  # another case: nothing of the last one's change stays
                self._desk_painted = painted
                desk.show_case(case, pad.case_materials(case) if case else [], move_tab=True)
            if pad.delivery_refused and case is not None:  # the hub's refusal leads to 变更送达方式
                words = pad.notice.text.split("：", 1)[-1] if pad.notice else ""  # the hub's, without the label
                desk.offer_change(pad.delivery_refused, words)
                pad.delivery_refused = ""
            desk.fill_ready(pad.ready)
            prints = {desk.print_btn: case is not None and case.state in FINAL_STATES,
                      desk.print_correction_btn: case is not None and case.state == "awaiting_correction"
                      and bool(case.reasons)}
            for b in desk.findChildren(QPushButton):
                if b in prints:
                    b.setEnabled(pad.printer_configured and prints[b])
                elif b.objectName().startswith("case_") and b.objectName() not in ("case_desk_back",):
                    b.setEnabled(pad.idle)
            if pad.ready_stale and pad.idle:
                self._list_ready()
        elif self.stack.currentWidget() is self.case_accept and pad.case is not None \
                and self.case_accept.faces.currentWidget() is self.case_accept.done_face:
            self.case_accept.show_case(pad.case, pad.printer_configured)


__all__ = ["CaseViews", "tab_for"]
