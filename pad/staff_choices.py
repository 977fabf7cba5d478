"""The staff pad's choice pages and printing (窗口人员): 过号 confirmed, 不予受理 and 暂停 reasons,
特呼 numbers, 转移 targets, 呼叫后台 departments, 补录 in three taps, and the window's notices.

A mixin of :class:`~pad.staff_view.StaffView`: each ask opens the view's one
:class:`~pad.widgets.ChoicePage` and turns the choice into a :class:`~pad.staff.StaffPad`
command. What it uses of the view is declared on :class:`StaffChoices`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QStackedWidget

from hallq import clock as hallclock
from hallq.i18n import tr
from pad.link import Link
from pad.notices import KINDS, build_notice
from pad.presenter import Command, Notice
from pad.printing import print_notice, printer_config
from pad.staff import BACKFILL_OUTCOMES, OUTCOME_LABELS, PAUSE_REASONS, REJECT_REASONS, StaffPad
from pad.widgets import ChoicePage


class StaffChoices:
    """The staff pad's asks; the view provides what is declared here."""

    pad: StaffPad
    link: Link | None
    stack: QStackedWidget
    choice: ChoicePage
    printed: list[str]  # notice kinds printed, newest last

    def _send(self, make: Callable[[], Command]) -> Command | None:
        raise NotImplementedError

    def refresh(self) -> None:
        raise NotImplementedError

    def _outcome(self, key: str) -> None:
        if key == "passed":  # one tap must not lose a citizen: 过号 is confirmed on its own page
            number = self.pad.current.number if self.pad.current else ""
            self._open_choice(tr("过号 {n}：确认申请人未到？", n=number), [("passed", tr("确认过号 {n}", n=number))],
                              lambda _k, _t: self._send(lambda: self.pad.outcome("passed")),
                              hint=tr("过号后该号作废；申请人可到自助机“过号取号”重新排队。未到请先“重呼”"),
                              columns=2)
            return
        if key != "rejected":
            self._send(lambda: self.pad.outcome(key))
            return
        self._open_choice(tr("不予受理：请选择原因"), [(r, tr(r)) for r in REJECT_REASONS],
                          lambda r, note: self._send(lambda: self.pad.outcome("rejected", tr(r), note)),
                          text=tr("补充说明（可选）"))

    def _ask_pause(self) -> None:
        self._open_choice(tr("暂停服务：请选择原因"), [(r, tr(r)) for r in PAUSE_REASONS],
                          lambda r, _t: self._send(lambda: self.pad.pause(r)))

    def _ask_number(self) -> None:
        letters = list(self.pad.state.queues)
        self._open_choice(tr("特呼：输入票号"), [("go", tr("呼叫"))],
                          lambda _k, number: self._send(lambda: self.pad.call(number)),
                          text=tr("票号，如 A012"), keypad=True, need_text=True, letters=letters)

    def _ask_transfer(self) -> None:
        queues, windows = self.pad.transfer_targets()
        options = [(f"q:{q}", tr("队列 {x}", x=name)) for q, name in queues]
        options += [(f"w:{w}", tr("窗口 {x}", x=name)) for w, name in windows]

        def chosen(key: str, note: str) -> None:
            kind, _, target = key.partition(":")
            self._send(lambda: self.pad.transfer(to_queue=target if kind == "q" else "",
                                                 to_window=target if kind == "w" else "", note=note))

        self._open_choice(tr("转移 {n}：选择目标队列或窗口", n=self.pad.current.number if self.pad.current else ""),
                          options, chosen, text=tr("转移说明（将转给下一个窗口）"), columns=5)

    def _ask_summon(self) -> None:
        own = self.pad.summon_department()
        options = [("", tr("本事项部门：{d}", d=own))] if own else []
        options += [(d, d) for d in self.pad.state.departments() if d != own]
        self._open_choice(tr("呼叫后台：请后台审批人员到窗口"), options,
                          lambda d, note: self._send(lambda: self.pad.summon(d or own, note)),
                          text=tr("说明（可选）"), columns=3)

    def _ask_backfill(self) -> None:
        """补录 in three taps: matter → situation (when it has several) → what was done."""
        def outcome_page(matter: str, situation: str) -> None:
            def chosen(outcome: str, note: str) -> None:
                if outcome == "rejected":
                    self._open_choice(tr("补录：不予受理的原因"), [(r, tr(r)) for r in REJECT_REASONS],
                                      lambda r, n: self._send(lambda: self.pad.backfill(matter, situation, "rejected",
                                                                                         tr(r), n or note)),
                                      text=tr("补充说明（可选）"))
                    return
                self._send(lambda: self.pad.backfill(matter, situation, outcome, note=note))
            name = self.pad.state.matters[matter].name if matter in self.pad.state.matters else matter
            self._open_choice(tr("补录 {m}：办理结果", m=name),
                              [(o, tr(OUTCOME_LABELS[o])) for o in BACKFILL_OUTCOMES], chosen,
                              text=tr("补充说明（可选）"), columns=3)

        def matter_chosen(matter: str, _text: str) -> None:
            situations = self.pad.situations(matter)
            if len(situations) == 1:
                outcome_page(matter, situations[0][0])
                return
            name = self.pad.state.matters[matter].name if matter in self.pad.state.matters else matter
            self._open_choice(tr("补录 {m}：选择情形", m=name), situations,
                              lambda s, _t: outcome_page(matter, s), columns=2)

        self._open_choice(tr("补录：未取号直接办理的业务，选择事项"), self.pad.backfill_matters(), matter_chosen,
                          hint=tr("本窗口的事项在前；补录会生成一个票号并邀请评价"), columns=3)

    def _ask_print(self) -> None:
        subject = self.pad.print_subject
        options = [(k, tr(v)) for k, v in KINDS.items()]
        self._open_choice(tr("打印 {n} 的通知书", n=subject.number if subject else ""), options,
                          lambda k, _t: self.print_notice(k),
                          hint=tr("一次性告知单列出材料清单中未勾选的材料"))

    def _open_choice(self, title: str, options: list[tuple[str, str]], on_choose: Any, **kw: Any) -> None:
        self.choice.ask(title, options, on_choose, **kw)
        self.stack.setCurrentWidget(self.choice)

    # ------------------------------------------------------------ printing

    def print_notice(self, kind: str) -> None:
        pad = self.pad
        subject = pad.print_subject
        if subject is None or not pad.can("print"):
            return
        name, table = pad.state.printer_table(pad.device)
        notice = build_notice(kind, subject, pad.state, window=pad.window,
                              staff=pad.staff.name if pad.staff else "", checked=set(pad.checked),
                              reason="",  # a ticket view carries no reason (the outcome's stays at the hub)
                              now=hallclock.local(pad.clock(), pad.state.timezone).replace(tzinfo=None))
        label_ = tr(KINDS[kind])
        pad.notice = Notice("info", tr("正在打印{k}…", k=label_))
        self.refresh()

        def work() -> str:
            return print_notice(printer_config(name, table), notice)

        def done(paper: Any, error: BaseException | None) -> None:
            if error is not None:
                pad.notice = Notice("error", tr("{k}打印失败：{e}", k=label_, e=getattr(error, "message", str(error))))
            elif paper == "near_end":
                pad.notice = Notice("error", tr("{k}已打印；纸卷即将用完，请尽快更换", k=label_))
            else:
                pad.notice = Notice("info", tr("{k}已打印", k=label_))
            if error is None:
                self.printed.append(kind)
            self.refresh()

        if self.link is not None:
            self.link.run(work, done)
