"""People flow (R17): waiting and service times, arrivals by hour and zone, peaks, staffing advice.

- 等候时长 (wait) is issue → first call of each ticket, by the queue it was issued to and the
  hour it was issued; tickets never called (过期/作废) have no wait and are counted apart.
- 办理时长 (service) is call → outcome of every call ending in 受理/咨询/不予受理 (a 过号 is
  not a service), by the queue when called and the hour of the call.
- Percentiles are nearest-rank: p90 is the smallest value at least 90% of the sample is
  at or below. Times are in minutes.
- 取号人数 (arrivals) counts tickets issued at kiosks, by appointment or by guides; a 补录
  was never in a queue and is left out. Several days (周报/月报) are averaged per day
  with data for the staffing model, summed for the heatmap.
- 建议窗口数 (staffing): per hour and queue, the fewest windows n for which an M/M/n queue
  (Erlang C) with the measured arrival rate λ and the queue's mean service time 1/μ over
  the period keeps the mean wait Wq = C(n, λ/μ) / (nμ − λ) at or under the target. Shown
  beside the windows open that hour (open minutes / 60, averaged over days) whose first
  stage serves the queue, and those reaching it at either stage (windows serve several
  queues, so the per-queue open counts overlap).
- 高峰时段 (peaks): hours whose arrivals reach 80% of the busiest hour's.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from hub.hall import Hall
from hub.reports.replay import Log

PEAK_SHARE = 0.8
NO_ZONE = ("", "（未配置区域）")


@dataclass(frozen=True)
class Stat:
    n: int
    p50: float | None
    p90: float | None
    mean: float | None

    @classmethod
    def of(cls, seconds: list[float]) -> Stat:
        if not seconds:
            return cls(0, None, None, None)
        mins = sorted(s / 60 for s in seconds)
        return cls(len(mins), percentile(mins, 50), percentile(mins, 90), sum(mins) / len(mins))


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest rank on an already sorted list."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def erlang_c(n: int, a: float) -> float:
    """Probability of waiting in M/M/n with offered load a = λ/μ (needs n > a)."""
    b = 1.0
    for k in range(1, n + 1):  # Erlang B by recursion: stable for large n
        b = a * b / (k + a * b)
    return n * b / (n - a * (1 - b))


def windows_needed(lam: float, mean_service_min: float, target_wait_min: float,
                   limit: int = 500) -> tuple[int, float]:
    """(n, mean wait in minutes at n): the fewest servers meeting the target; λ per hour."""
    if lam <= 0:
        return 0, 0.0
    mu = 60.0 / mean_service_min  # per hour
    a = lam / mu
    n = max(1, math.floor(a) + 1)
    while n < limit:
        wq = erlang_c(n, a) / (n * mu - lam) * 60
        if wq <= target_wait_min:
            return n, wq
        n += 1
    return n, erlang_c(n, a) / (n * mu - lam) * 60


@dataclass
class StaffRow:
    hour: int
    queue: str
    name: str
    arrivals: float  # per hour (λ)
    service_min: float | None  # queue mean over the period (1/μ)
    needed: int | None  # None: no service-time sample for the queue
    predicted_wait: float | None
    open_stage1: float
    open_any: float

    @property
    def gap(self) -> float | None:
        return None if self.needed is None else self.open_stage1 - self.needed


@dataclass
class Flow:
    days: int
    hours: list[int]
    zones: list[tuple[str, str]]
    arrivals: dict[tuple[int, str], int]  # (hour, zone id) → tickets, summed over the period
    wait_queue: dict[str, Stat]
    wait_hour: dict[int, Stat]
    wait_total: Stat
    service_queue: dict[str, Stat]
    service_hour: dict[int, Stat]
    service_total: Stat
    never_called: dict[str, int]  # queue → tickets issued but never called
    queue_names: dict[str, str]
    staffing: list[StaffRow]
    open_total: dict[int, float]  # hour → windows open (any queue), per day
    target_wait: float
    peaks: list[int] = field(default_factory=list)

    def arrivals_by_hour(self) -> dict[int, int]:
        out: dict[int, int] = defaultdict(int)
        for (h, _), n in self.arrivals.items():
            out[h] += n
        return {h: out.get(h, 0) for h in self.hours}

    def zone_peak(self, zone: str) -> tuple[int, int] | None:
        counts = [(n, -h) for (h, z), n in self.arrivals.items() if z == zone and n]
        if not counts:
            return None
        n, h = max(counts)
        return -h, n


def _zone_of(hall: Hall | None, queue: str) -> str:
    if hall and queue in hall.queues:
        return hall.queues[queue].zone
    return NO_ZONE[0]


def _hour_overlaps(log: Log, start: float, end: float) -> list[tuple[int, float]]:
    """(local hour, seconds) pieces of [start, end)."""
    out = []
    t = start
    while t < end:
        local = log.local(t)
        nxt = local.replace(minute=0, second=0, microsecond=0).timestamp() + 3600
        piece = min(end, nxt) - t
        out.append((local.hour, piece))
        t += piece
    return out


def compute_flow(log: Log, hall: Hall | None, target_wait_min: float = 10.0) -> Flow:
    days = max(1, len({t.day for t in log.tickets.values()}))
    arrivals: dict[tuple[int, str], int] = defaultdict(int)
    q_arrivals: dict[tuple[int, str], int] = defaultdict(int)
    first_call: dict[str, float] = {}
    for c in log.calls:
        first_call.setdefault(c.ticket, c.at)
    waits_q: dict[str, list[float]] = defaultdict(list)
    waits_h: dict[int, list[float]] = defaultdict(list)
    never: dict[str, int] = defaultdict(int)
    for t in log.tickets.values():
        if t.backfill:
            continue
        h = log.hour(t.issued_at)
        arrivals[(h, _zone_of(hall, t.queue))] += 1
        q_arrivals[(h, t.queue)] += 1
        if t.id in first_call:
            w = first_call[t.id] - t.issued_at
            waits_q[t.queue].append(w)
            waits_h[h].append(w)
        else:
            never[t.queue] += 1
    serv_q: dict[str, list[float]] = defaultdict(list)
    serv_h: dict[int, list[float]] = defaultdict(list)
    for c in log.calls:
        s = c.service_s
        if s is not None:
            serv_q[c.queue].append(s)
            serv_h[log.hour(c.at)].append(s)
    open1: dict[tuple[int, str], float] = defaultdict(float)
    open_any: dict[tuple[int, str], float] = defaultdict(float)
    open_total: dict[int, float] = defaultdict(float)
    for span in log.spans:
        for h, secs in _hour_overlaps(log, span.start, span.end):
            open_total[h] += secs
            for q in span.queues:
                open1[(h, q)] += secs
            for q in {*span.queues, *span.overflow}:
                open_any[(h, q)] += secs
    hours = sorted({h for h, _ in q_arrivals} | {h for h, s in open_total.items() if s > 0})
    if hours:
        hours = list(range(hours[0], hours[-1] + 1))
    queues = list(hall.queues) if hall else []
    queues += sorted({q for _, q in q_arrivals} - set(queues))
    names = {q: (hall.queues[q].name if hall and q in hall.queues else q) for q in queues}
    service_queue = {q: Stat.of(serv_q.get(q, [])) for q in queues}
    staffing: list[StaffRow] = []
    for h in hours:
        for q in queues:
            lam = q_arrivals.get((h, q), 0) / days
            o1 = open1.get((h, q), 0.0) / 3600 / days
            oa = open_any.get((h, q), 0.0) / 3600 / days
            if not lam and not o1:
                continue
            mean = service_queue[q].mean
            needed, wq = windows_needed(lam, mean, target_wait_min) if mean else (None, None)
            staffing.append(StaffRow(h, q, names[q], lam, mean, needed, wq, o1, oa))
    zones = [(z.id, z.name) for z in hall.zones.values()] if hall else []
    if any(z == NO_ZONE[0] for _, z in arrivals):
        zones.append(NO_ZONE)
    flow = Flow(days, hours, zones, dict(arrivals),
                {q: Stat.of(waits_q.get(q, [])) for q in queues}, {h: Stat.of(waits_h.get(h, [])) for h in hours},
                Stat.of([w for ws in waits_q.values() for w in ws]), service_queue,
                {h: Stat.of(serv_h.get(h, [])) for h in hours}, Stat.of([s for ss in serv_q.values() for s in ss]),
                {q: never.get(q, 0) for q in queues}, names, staffing,
                {h: open_total.get(h, 0.0) / 3600 / days for h in hours}, target_wait_min)
    by_hour = flow.arrivals_by_hour()
    top = max(by_hour.values(), default=0)
    flow.peaks = [h for h, n in by_hour.items() if top and n >= PEAK_SHARE * top]
    return flow
