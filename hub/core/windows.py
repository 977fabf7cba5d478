"""At the windows: staff log in, pause, resume and log out (AB岗 too), queues change at run time
(潮汐窗口), guides sign in, 呼叫后台 (R11, its life in :mod:`hub.core`'s docstring) and 好差评
(R13); and how each of their events changes the day.
"""

from __future__ import annotations

from collections.abc import Iterable

from hub import events as ev
from hub.core.estimate import refresh as refresh_wait
from hub.core.model import (
    SUMMON_LABELS,
    SUMMON_OPEN,
    SUMMON_TRANSITIONS,
    DomainError,
    Summon,
    SummonState,
    WindowState,
)
from hub.core.state import HallState


class WindowDesk(HallState):
    """The window, guide, summon and evaluation commands of :class:`hub.core.HallCore`."""

    def open_window(self, now: float, window: str, staff: str, device: str = "") -> list[ev.Event]:
        w = self.window(window)
        self._wmove(w, "open")
        if staff not in self.hall.staff:
            raise DomainError("unknown_staff", f"没有工号 {staff}")
        elsewhere = next((o.id for o in self.windows.values() if o.staff == staff and o.id != window
                          and o.state is not WindowState.CLOSED), "")
        if elsewhere:
            raise DomainError("staff_elsewhere", f"工号 {staff} 已在窗口 {elsewhere} 登录，请先在该窗口退出")
        return self._new_forecast(now, self._emit(ev.WindowOpened(now, window, staff, device)))

    def pause(self, now: float, window: str, reason: str, by: str = "") -> list[ev.Event]:
        w = self.window(window)
        self._wmove(w, "pause")
        self._free_current(w)
        if not reason.strip():
            raise DomainError("reason_required", "暂停需要选择原因")
        return self._new_forecast(now, self._emit(ev.WindowPaused(now, window, reason, by)))

    def resume(self, now: float, window: str, by: str = "") -> list[ev.Event]:
        self._wmove(self.window(window), "resume")
        return self._new_forecast(now, self._emit(ev.WindowResumed(now, window, by)))

    def close_window(self, now: float, window: str, by: str = "") -> list[ev.Event]:
        w = self.window(window)
        self._wmove(w, "close")
        self._free_current(w)
        return self._new_forecast(now, self._emit(ev.WindowClosed(now, window, by)))

    def set_queues(self, now: float, window: str, queues: Iterable[str], overflow: Iterable[str] = (),
                   reason: str = "", by: str = "") -> list[ev.Event]:
        """潮汐/候鸟 and peaks: change which queues a window serves, at run time (R10)."""
        self.window(window)
        queues, overflow = tuple(queues), tuple(overflow)
        for q in (*queues, *overflow):
            if q not in self.hall.queues:
                raise DomainError("unknown_queue", f"没有队列 {q}")
        if not queues:
            raise DomainError("bad_target", "窗口至少要服务一个队列")
        if set(queues) & set(overflow):
            raise DomainError("bad_target", "同一队列不能同时在两个阶段")
        return self._new_forecast(now, self._emit(ev.WindowQueuesChanged(now, window, queues, overflow, reason, by)))

    def _new_forecast(self, now: float, events: list[ev.Event]) -> list[ev.Event]:
        """A window changed: the predicted wait's kept forecast is renewed at once, in the command (so
        every reply and summary after it reads the same one, however commands are batched)."""
        refresh_wait(self, now)
        return events

    def guide_login(self, now: float, device: str, staff: str) -> list[ev.Event]:
        """引导人员签到: overrides from this console are audited with this staff member."""
        if staff not in self.hall.staff:
            raise DomainError("unknown_staff", f"没有工号 {staff}")
        return self._emit(ev.GuideSignedIn(now, device, staff))

    def guide_logout(self, now: float, device: str) -> list[ev.Event]:
        if device not in self.guides:
            raise DomainError("not_signed_in", "本引导台当前没有人员签到")
        return self._emit(ev.GuideSignedOut(now, device))

    def summon(self, now: float, window: str, department: str = "", note: str = "", by: str = "") -> list[ev.Event]:
        """呼叫后台 (R11): ask back-office staff of the matter's department to come."""
        w = self.window(window)
        if w.state is WindowState.CLOSED:
            raise DomainError("window_not_open", f"窗口 {window} 未开放")
        t = self.tickets.get(w.current) if w.current else None
        if not department and t is not None:
            department = self.hall.matters[t.matter].department
        department = department or self.hall.windows[window].department
        if not department:
            raise DomainError("bad_target", "请指定要呼叫的后台部门")
        for s in self.summons.values():
            if s.window == window and s.department == department and s.state in SUMMON_OPEN:
                raise DomainError("summon_open", f"已呼叫{department}后台（{SUMMON_LABELS[s.state]}），请稍候")
        sid = f"{self.day}-H{len(self.summons) + 1:03d}"
        return self._emit(ev.BackOfficeSummoned(now, window, department, t.id if t else "", note, by, sid))

    def summon_of(self, ref: str) -> Summon:
        if ref not in self.summons:
            raise DomainError("unknown_summon", f"今日没有呼叫 {ref}")
        return self.summons[ref]

    def answer_summon(self, now: float, summon: str, action: str, device: str = "",
                      staff: str = "") -> list[ev.Event]:
        """已响应 (``respond``) or 已到窗口 (``arrive``) for a summon."""
        s = self.summon_of(summon)
        new = SUMMON_TRANSITIONS.get((s.state, action))
        if new is None:
            done = {"respond": "已响应", "arrive": "已到窗口"}.get(action, action)
            raise DomainError("summon_state", f"该呼叫当前为{SUMMON_LABELS[s.state]}，不能再记为{done}")
        return self._emit(ev.SummonAnswered(now, s.id, s.window, new.value, device, staff))

    def evaluate(self, now: float, window: str, level: int, reason: str = "", ticket: str = "",
                 device: str = "") -> list[ev.Event]:
        """好差评 一次一评 (R13): 5 非常满意 … 1 非常不满意; 1 and 2 are 差评 and need a reason."""
        w = self.window(window)
        if not w.evaluation:
            raise DomainError("no_pending_evaluation", f"窗口 {window} 当前没有待评价的服务")
        if ticket and self.ticket(ticket).id != w.evaluation:
            raise DomainError("not_current_ticket", f"{ticket} 不是窗口 {window} 待评价的服务")
        if level not in (1, 2, 3, 4, 5):
            raise DomainError("bad_level", f"评价等级应为 1-5，收到 {level}")
        if level <= 2 and not reason.strip():
            raise DomainError("reason_required", "差评需要选择原因")
        return self._emit(ev.EvaluationRecorded(now, w.evaluation, window, level, reason, device))

    def skip_evaluation(self, now: float, window: str, device: str = "") -> list[ev.Event]:
        """The evaluator timed out or the citizen left: 未评价."""
        w = self.window(window)
        if not w.evaluation:
            raise DomainError("no_pending_evaluation", f"窗口 {window} 当前没有待评价的服务")
        return self._emit(ev.EvaluationRecorded(now, w.evaluation, window, 0, "timeout", device))

    # ------------------------------------------------------------------ their events

    def _on_window_opened(self, e: ev.WindowOpened) -> None:
        self.windows_version += 1  # the predicted wait's kept forecast no longer holds
        self.service_times.forget(e.window)
        w = self.windows[e.window]
        w.state, w.staff, w.device, w.reason, w.since = WindowState.OPEN, e.staff, e.device, "", e.at

    def _on_window_paused(self, e: ev.WindowPaused) -> None:
        self.windows_version += 1  # the predicted wait's kept forecast no longer holds
        self.service_times.forget(e.window)
        w = self.windows[e.window]
        w.state, w.reason, w.since = WindowState.PAUSED, e.reason, e.at

    def _on_window_resumed(self, e: ev.WindowResumed) -> None:
        self.windows_version += 1  # the predicted wait's kept forecast no longer holds
        w = self.windows[e.window]
        w.state, w.reason, w.since = WindowState.OPEN, "", e.at

    def _on_window_closed(self, e: ev.WindowClosed) -> None:
        self.windows_version += 1  # the predicted wait's kept forecast no longer holds
        self.service_times.forget(e.window)
        w = self.windows[e.window]
        w.state, w.staff, w.device, w.reason, w.since = WindowState.CLOSED, "", "", "", e.at

    def _on_window_queues_changed(self, e: ev.WindowQueuesChanged) -> None:
        self.windows_version += 1  # the predicted wait's kept forecast no longer holds
        w = self.windows[e.window]
        w.queues, w.overflow, w.wrr = e.queues, e.overflow, {}

    def _on_window_summoned(self, e: ev.BackOfficeSummoned) -> None:
        sid = e.summon or f"{self.day}-H{len(self.summons) + 1:03d}"
        self.summons[sid] = Summon(sid, e.window, e.department, e.ticket, e.note, e.by, e.at)

    def _on_summon_answered(self, e: ev.SummonAnswered) -> None:
        s = self.summons[e.summon]
        s.state, s.answered_by, s.answered_staff = SummonState(e.state), e.device, e.staff
        if s.state is SummonState.RESPONDED:
            s.responded_at = e.at
        else:
            s.arrived_at = e.at
            s.responded_at = s.responded_at or e.at

    def _on_summon_escalated(self, e: ev.SummonEscalated) -> None:
        s = self.summons[e.summon]
        s.state, s.escalated_at = SummonState.ESCALATED, e.at

    def _on_evaluation_followed_up(self, e: ev.EvaluationFollowedUp) -> None:
        pass  # about a ticket of an earlier day, kept in the log for the reports; no state today

    def _on_guide_signed_in(self, e: ev.GuideSignedIn) -> None:
        self.guides = {d: s for d, s in self.guides.items() if s != e.staff}  # one console per guide
        self.guides[e.device] = e.staff

    def _on_guide_signed_out(self, e: ev.GuideSignedOut) -> None:
        self.guides.pop(e.device, None)

    def _on_evaluation_invited(self, e: ev.EvaluationInvited) -> None:
        w = self.windows[e.window]
        w.evaluation, w.evaluation_at = e.ticket, e.at

    def _on_evaluation_recorded(self, e: ev.EvaluationRecorded) -> None:
        t = self.tickets.get(e.ticket)
        if t is not None:
            t.evaluation, t.evaluation_reason = e.level, e.reason
        w = self.windows[e.window]
        if w.evaluation == e.ticket:
            w.evaluation, w.evaluation_at = "", 0.0
