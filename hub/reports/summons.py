"""呼叫后台 (R11) in the reports: how often each department was summoned to a window, how
fast it answered, and how often nobody did in time (escalated to the guide).

Counted from the event log (``window.summoned``, ``summon.answered``, ``summon.escalated``):

- 呼叫: summons made; 已响应: answered (已响应, or 已到窗口 with no 已响应 before it);
  已到窗口: the back-office person reached the window; 未响应: neither by the end of the log;
- 升级: summons left unanswered for ``[policy] summon_escalate_min`` (an alert on the guide console);
- 响应时长: summon → first answer, in minutes, over the answered ones (p50, p90 nearest rank, mean).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.hall import Hall
from hub.reports.flow import Stat
from hub.reports.replay import Log, SummonRecord


@dataclass
class SummonRow:
    department: str
    summoned: int = 0
    responded: int = 0
    arrived: int = 0
    unanswered: int = 0
    escalated: int = 0
    response: Stat = field(default_factory=lambda: Stat.of([]))

    @property
    def escalation_rate(self) -> float | None:
        return self.escalated / self.summoned if self.summoned else None


@dataclass
class Summons:
    departments: list[SummonRow]
    total: SummonRow
    items: list[SummonRecord]  # every summon of the period, in the order made


def _row(department: str, items: list[SummonRecord]) -> SummonRow:
    responses = [s.response_s for s in items if s.response_s is not None]
    return SummonRow(department, len(items), len(responses), sum(1 for s in items if s.arrived_at is not None),
                     sum(1 for s in items if s.responded_at is None),
                     sum(1 for s in items if s.escalated_at is not None), Stat.of(responses))


def compute_summons(log: Log, hall: Hall | None = None) -> Summons:
    items = list(log.summons.values())
    by_department: dict[str, list[SummonRecord]] = {}
    for s in items:
        by_department.setdefault(s.department, []).append(s)
    rows = [_row(d, by_department[d]) for d in sorted(by_department)]
    return Summons(rows, _row("合计", items), items)
