"""The day's summary, read back from the hub's database (what reports will read), not from the simulator."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hub.reports.sources import read_day_tickets


@dataclass
class DaySummary:
    day: str
    tickets: int = 0
    called: int = 0
    states: Counter[str] = field(default_factory=Counter)
    waits_s: list[float] = field(default_factory=list)
    evaluations: Counter[int] = field(default_factory=Counter)
    events: int = 0
    by_hour: Counter[int] = field(default_factory=Counter)

    @property
    def mean_wait_min(self) -> float:
        return sum(self.waits_s) / len(self.waits_s) / 60 if self.waits_s else 0.0

    def wait_percentile_min(self, q: float) -> float:
        if not self.waits_s:
            return 0.0
        s = sorted(self.waits_s)
        return s[min(len(s) - 1, int(q * len(s)))] / 60

    def render(self) -> str:
        st = self.states
        rated = sum(v for k, v in self.evaluations.items() if k and k > 0)
        bad = self.evaluations[1] + self.evaluations[2]
        lines = [
            f"day {self.day}: {self.tickets} tickets, {self.called} called, {self.events} events",
            f"  wait (issue → first call): mean {self.mean_wait_min:.1f} min, "
            f"p90 {self.wait_percentile_min(0.9):.1f} min",
            f"  outcomes: 受理 accepted {st['accepted']}, 咨询 consulted {st['consulted']}, "
            f"不予受理 rejected {st['rejected']}, 过号 passed {st['passed']}",
            f"  left: expired {st['expired']}, cancelled {st['cancelled']}, still waiting {st['waiting']}, "
            f"called {st['called']}",
            f"  好差评: rated {rated} (差评 {bad}), 未评价 {self.evaluations[0]}",
        ]
        if self.by_hour:
            hours = " ".join(f"{h:02d}:{n}" for h, n in sorted(self.by_hour.items()))
            lines.append(f"  tickets by hour: {hours}")
        return "\n".join(lines)


def summarize(db: str | Path, day: str, tz: str = "Asia/Shanghai") -> DaySummary:
    import datetime as dt
    import zoneinfo

    zone = zoneinfo.ZoneInfo(tz)
    s = DaySummary(day)
    rows, s.events = read_day_tickets(db, day)
    for state, issued, first_called, evaluation in rows:
        s.tickets += 1
        s.states[state] += 1
        s.by_hour[dt.datetime.fromtimestamp(issued, zone).hour] += 1
        if first_called is not None:
            s.called += 1
            s.waits_s.append(first_called - issued)
        if evaluation is not None:
            s.evaluations[evaluation] += 1
    return s
