"""无差别受理 status per zone (附件6 无差别受理工作情况通报), from the hall file.

A window is judged against the queues of its own zone, counting both stages (R10: a
queue reached only as ``overflow`` is still served by the window):

- 完全无差别: it serves every queue of its zone;
- 部分无差别: more than one of them, not all;
- 尚未开展: one only (a 专窗 serving its own department's queue).

A zone is 完全 when all its windows are, 尚未开展 when none serves more than one of its
queues, otherwise 部分: its windows that are not complete are listed as 子窗口, grouped by
the queues they serve. 可办事项数量 counts matters with a situation routed to those queues.
The hall file has no date for when a zone will be complete (预计实现无差别时间): left to fill in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hub.hall import Hall, WindowKind

FULL, PARTIAL, NONE = "完全无差别", "部分无差别", "尚未开展"


@dataclass
class SubWindows:
    names: list[str]
    queues: tuple[str, ...]
    matters: int
    level: str


@dataclass
class ZoneStatus:
    id: str
    name: str
    queues: tuple[str, ...]
    matters: int
    windows: int
    level: str
    groups: list[SubWindows] = field(default_factory=list)  # windows not 完全, by what they serve
    notes: list[str] = field(default_factory=list)


@dataclass
class ZoneReport:
    matters: int  # 进厅事项: matters with at least one situation handled at a window
    window_labels: list[str]  # 共设综合窗口、交警专窗 …
    zones: list[ZoneStatus]


def _matters_for(hall: Hall, queues: set[str]) -> int:
    return sum(1 for m in hall.matters.values() if any(s.queue in queues for s in m.situations))


def _label(hall: Hall, kind: WindowKind, name: str) -> str:
    if kind is WindowKind.COMPREHENSIVE:
        return "综合窗口"
    return re.sub(r"[（(].*?[）)]|\d+$", "", name).strip() or name


def compute_zones(hall: Hall) -> ZoneReport:
    in_hall = {q for m in hall.matters.values() for s in m.situations if s.queue for q in [s.queue]}
    labels: list[str] = []
    for w in hall.windows.values():
        label = _label(hall, w.kind, w.name)
        if label not in labels:
            labels.append(label)
    zones: list[ZoneStatus] = []
    for z in hall.zones.values():
        zq = tuple(q.id for q in hall.queues.values() if q.zone == z.id)
        wins = [w for w in hall.windows.values() if w.zone == z.id]
        levels: dict[str, str] = {}
        served: dict[str, tuple[str, ...]] = {}
        for w in wins:
            s = tuple(q for q in zq if q in w.queues or q in w.overflow)
            served[w.id] = s
            levels[w.id] = FULL if zq and len(s) == len(zq) else PARTIAL if len(s) > 1 else NONE
        if wins and all(v == FULL for v in levels.values()):
            level = FULL
        elif not wins or all(v == NONE for v in levels.values()):
            level = NONE
        else:
            level = PARTIAL
        status = ZoneStatus(z.id, z.name, zq, _matters_for(hall, set(zq)), len(wins), level)
        groups: dict[tuple[str, ...], SubWindows] = {}
        for w in wins:
            if levels[w.id] == FULL:
                continue
            key = served[w.id]
            g = groups.setdefault(key, SubWindows([], key, _matters_for(hall, set(key)), levels[w.id]))
            g.names.append(w.name)
        status.groups = list(groups.values())
        tidal = [w.id for w in wins if w.tidal]
        if tidal:
            status.notes.append(f"含潮汐/候鸟窗口 {'、'.join(tidal)}")
        if any(w.overflow for w in wins):
            status.notes.append("部分窗口经分段兜底（二段）办理")
        outside = sorted({q for w in wins for q in (*w.queues, *w.overflow) if q not in zq})
        if outside:
            status.notes.append(f"另办理其他区域队列 {'、'.join(outside)}")
        zones.append(status)
    return ZoneReport(_matters_for(hall, in_hall), labels, zones)
