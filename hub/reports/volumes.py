"""叫号与办件 per window and per queue, against the department's reported volume (附件3, 附件8 一).

叫号 counts calls (``ticket.called``; a 重呼 recall is not a new call, a 特呼 of a passed
number is). Every call ends one way (see :mod:`hub.reports.replay`), so for each row::

    叫号 = 受理 + 咨询 + 不予受理 + 过号 + 转出 + 作废/过期 + 未结束

补录 (a walk-in recorded after the fact, never called) is not a call: it has its own
column and the 未叫号即办理 list (附件8 一2). 系统办件量 = 受理 + 咨询 + 不予受理 + 补录:
the services the window did, which is what a department reports as 业务量 (附件3).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from hub.hall import Hall
from hub.reports.replay import SERVED, Issue, Log, matter_name

COMPARED = (("accepted", "受理"), ("consulted", "咨询"), ("rejected", "不予受理"))


@dataclass(frozen=True)
class ReportedRow:
    """One line of the department's 业务量报送表 (附件3)."""

    window: str  # as written: a window id or name
    volume: int  # 业务量合计
    day: dt.date | None = None
    department: str = ""
    parts: tuple[tuple[str, int], ...] = ()  # optional breakdown: (accepted, n), (consulted, n) …
    line: int = 0


@dataclass
class VolumeRow:
    key: str  # window id or queue id
    name: str
    group: str  # department (windows) or zone (queues)
    called: int = 0
    ends: Counter[str] = field(default_factory=Counter)  # how calls ended
    backfill: Counter[str] = field(default_factory=Counter)  # 补录 outcomes
    reported: int | None = None
    reported_parts: dict[str, int] = field(default_factory=dict)

    @property
    def other_closed(self) -> int:
        return self.ends["cancelled"] + self.ends["expired"]

    @property
    def backfilled(self) -> int:
        return sum(self.backfill.values())

    def served(self, outcome: str = "") -> int:
        """系统办件量 (受理+咨询+不予受理, 补录 included), or one outcome's share of it."""
        outcomes = (outcome,) if outcome else SERVED
        return sum(self.ends[o] + self.backfill[o] for o in outcomes)

    @property
    def diff(self) -> int | None:
        return None if self.reported is None else self.reported - self.served()

    @property
    def mismatches(self) -> list[str]:
        """What differs from the report, in words; empty when it matches or nothing was reported."""
        if self.reported is None:
            return []
        out = []
        if self.reported != self.served():
            out.append(f"业务量报送{self.reported}件，系统办件量{self.served()}件")
        for outcome, zh in COMPARED:
            if outcome in self.reported_parts and self.reported_parts[outcome] != self.served(outcome):
                out.append(f"{zh}报送{self.reported_parts[outcome]}件，系统记录{self.served(outcome)}件")
        return out


@dataclass
class NoCall:
    """One 未叫号即办理 finding (附件8 一2)."""

    window: str
    ticket: str
    number: str
    at: float
    kind: str  # 补录 / 未叫号记录结果 / 未叫号评价
    matter: str
    outcome: str
    staff: str
    note: str


@dataclass
class Volumes:
    windows: list[VolumeRow]
    queues: list[VolumeRow]
    no_call: list[NoCall]
    reported_given: bool
    issues: list[Issue]

    @property
    def total(self) -> VolumeRow:
        t = VolumeRow("合计", "合计", "")
        for r in self.windows:
            t.called += r.called
            t.ends.update(r.ends)
            t.backfill.update(r.backfill)
        return t

    def no_call_by_window(self) -> dict[str, int]:
        """Distinct tickets found handled without a call, per window."""
        seen: dict[str, set[str]] = defaultdict(set)
        for n in self.no_call:
            seen[n.window].add(n.ticket)
        return {w: len(t) for w, t in sorted(seen.items())}


def _window_label(hall: Hall | None, wid: str) -> tuple[str, str]:
    if hall and wid in hall.windows:
        w = hall.windows[wid]
        return w.name, w.department
    return wid, ""


def _queue_label(hall: Hall | None, qid: str) -> tuple[str, str]:
    if hall and qid in hall.queues:
        q = hall.queues[qid]
        return q.name, hall.zones[q.zone].name if q.zone in hall.zones else q.zone
    return qid, ""


def _order(hall: Hall | None, ids: set[str], configured: list[str]) -> list[str]:
    return [i for i in configured if i in ids] + sorted(ids - set(configured))


def compute_volumes(log: Log, hall: Hall | None, reported: list[ReportedRow] | None = None) -> Volumes:
    issues: list[Issue] = []
    wins: dict[str, VolumeRow] = {}
    ques: dict[str, VolumeRow] = {}

    def wrow(wid: str) -> VolumeRow:
        if wid not in wins:
            wins[wid] = VolumeRow(wid, *_window_label(hall, wid))
        return wins[wid]

    def qrow(qid: str) -> VolumeRow:
        if qid not in ques:
            ques[qid] = VolumeRow(qid, *_queue_label(hall, qid))
        return ques[qid]

    if hall:  # every configured window and queue gets a row, even at zero
        for wid in hall.windows:
            wrow(wid)
        for qid in hall.queues:
            qrow(qid)
    for call in log.calls:
        for row in (wrow(call.window), qrow(call.queue)):
            row.called += 1
            row.ends[call.end] += 1
    no_call: list[NoCall] = []
    called_at: dict[str, set[str]] = defaultdict(set)
    for call in log.calls:
        called_at[call.ticket].add(call.window)
    backfilled: set[tuple[str, str]] = set()
    for o in log.outcomes:
        if o.call is not None:
            continue
        t = log.tickets[o.ticket]
        kind = "补录" if t.backfill else "未叫号记录结果"
        if o.outcome in SERVED:
            wrow(o.window).backfill[o.outcome] += 1
            qrow(o.queue).backfill[o.outcome] += 1
        else:
            issues.append(Issue("未叫号过号", f"{t.number}（{o.window}）未叫号却记录为过号；不计入办件量"))
        backfilled.add((o.ticket, o.window))
        no_call.append(NoCall(o.window, o.ticket, t.number, o.at, kind, matter_name(hall, t.matter), o.outcome,
                              o.staff, o.note))
    for e in log.evaluations:
        if e.recorded_at is None or e.level is None or (e.ticket, e.window) in backfilled:
            continue
        if e.window not in called_at.get(e.ticket, set()):
            t = log.tickets[e.ticket]
            no_call.append(NoCall(e.window, e.ticket, t.number, e.recorded_at, "未叫号评价",
                                  matter_name(hall, t.matter), "", e.staff,
                                  f"评价等级 {e.level}"))
    no_call.sort(key=lambda n: (n.window, n.at))
    if reported is not None:
        issues += _apply_reported(reported, wins, hall)
    windows = [wins[w] for w in _order(hall, set(wins), list(hall.windows) if hall else [])]
    queues = [ques[q] for q in _order(hall, set(ques), list(hall.queues) if hall else [])]
    return Volumes(windows, queues, no_call, reported is not None, issues)


def _apply_reported(reported: list[ReportedRow], wins: dict[str, VolumeRow], hall: Hall | None) -> list[Issue]:
    issues: list[Issue] = []
    by_name = {w.name: w.id for w in hall.windows.values()} if hall else {}
    for r in reported:
        wid = r.window if r.window in wins else by_name.get(r.window, "")
        if not wid or wid not in wins:
            issues.append(Issue("报送表未知窗口",
                                f"业务量报送表第 {r.line} 行的窗口 {r.window!r} 不在大厅配置或本期记录中"))
            continue
        row = wins[wid]
        row.reported = (row.reported or 0) + r.volume
        for outcome, n in r.parts:
            row.reported_parts[outcome] = row.reported_parts.get(outcome, 0) + n
    return issues
