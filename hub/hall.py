"""The hall as configured: zones, queues, windows, matters, situations, questionnaires.

These are plain frozen dataclasses built by :mod:`hub.config` from the hall file and
read by the domain core (:mod:`hub.core`). Nothing here does I/O. The names follow the
hall's own words: a *matter* (事项) has *situations* (情形) reached through a
*questionnaire* (情形引导); a *queue* (队列, one prefix letter) is served by *windows*
(窗口) in *stages* (R10: any window of a zone can reach every queue of the zone).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # hub.case_config reads the hall file with hub.config, which builds these classes
    from hub.case_config import CaseRules, MatterCaseFields


class WindowKind(StrEnum):
    """R8 window kinds (窗口类型)."""

    COMPREHENSIVE = "comprehensive"  # 无差别综合窗口
    DOMAIN = "domain"  # 分领域综合窗口
    SPECIAL = "special"  # 专窗 (不动产, 公积金, 交警 …)
    FUNCTIONAL = "functional"  # 功能性窗口 (综合咨询, 办不成事反映, 帮办代办, 出件)
    EXCLUSIVE = "exclusive"  # 专属窗口 (便企, 绿色通道, 潮汐/候鸟)


WINDOW_KIND_NAMES = {
    WindowKind.COMPREHENSIVE: "无差别综合窗口",
    WindowKind.DOMAIN: "分领域综合窗口",
    WindowKind.SPECIAL: "专窗",
    WindowKind.FUNCTIONAL: "功能性窗口",
    WindowKind.EXCLUSIVE: "专属窗口",
}


class MatterKind(StrEnum):
    IMMEDIATE = "immediate"  # 即办件
    PROMISED = "promised"  # 承诺件


class MatterMode(StrEnum):
    COMPREHENSIVE = "comprehensive"  # 综窗受理
    SPECIAL = "special"  # 专窗办理
    ONLINE = "online"  # 全程网办


class Role(StrEnum):
    KIOSK = "kiosk"
    PAD = "pad"
    GUIDE = "guide"
    DISPLAY = "display"
    ADMIN = "admin"
    BACKOFFICE = "backoffice"  # 后台审批: one department's desk (docs/cases.md)
    WEB = "web"  # the citizen's phone page (web/, docs/web.md): progress.get / progress.rate only
    NOTIFY = "notify"  # the notifier: messages to citizens who consented (docs/notify.md)


@dataclass(frozen=True)
class Zone:
    id: str
    name: str


@dataclass(frozen=True)
class Queue:
    id: str  # the prefix letter(s) of its ticket numbers
    name: str
    zone: str
    daily_quota: int = 0  # 0: no quota


@dataclass(frozen=True)
class Window:
    id: str
    name: str
    kind: WindowKind
    zone: str
    queues: tuple[str, ...]  # stage 1
    overflow: tuple[str, ...] = ()  # stage 2: served only when stage 1 is empty
    weights: dict[str, int] = field(default_factory=dict)  # missing: 1
    department: str = ""
    tidal: bool = False  # 潮汐/候鸟: usually closed, opened at peaks


@dataclass(frozen=True)
class Situation:
    id: str
    name: str
    queue: str  # target queue ("" for online / consult-only)
    materials: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    assist: bool = False  # 帮办代办 suggested
    online: bool = False  # 全程网办: no window ticket
    consult_only: bool = False  # 政策咨询: no ticket, go to the zone
    online_url: str = ""
    guidance: str = ""  # where to go / what to do, for online or consult-only


@dataclass(frozen=True)
class Option:
    text: str
    next: str = ""  # another question id, or
    situation: str = ""  # the situation this answer ends at


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Matter:
    id: str
    code: str
    name: str
    department: str
    zone: str
    kind: MatterKind
    mode: MatterMode
    promised_days: int
    situations: tuple[Situation, ...]
    questions: tuple[Question, ...] = ()  # the first one starts the questionnaire
    keywords: tuple[str, ...] = ()
    popular: bool = False
    case: MatterCaseFields | None = None  # result_kind, inspection, deliveries (None: the defaults)

    def situation(self, situation_id: str) -> Situation | None:
        return next((s for s in self.situations if s.id == situation_id), None)


@dataclass(frozen=True)
class PriorityGroup:
    id: str
    name: str
    needs_verification: bool = True  # self-declared at a kiosk: a guide confirms


@dataclass(frozen=True)
class Staff:
    id: str
    name: str
    pin_hash: str
    roles: tuple[Role, ...] = (Role.PAD,)
    department: str = ""


@dataclass(frozen=True)
class Device:
    id: str
    role: Role
    window: str = ""  # pads and window screens
    zone: str = ""  # hall screens
    printer: str = ""  # a name in [printers]
    department: str = ""  # a back office's department (as the matters name it)


@dataclass(frozen=True)
class Policy:
    """Queueing rules a hall tunes (see docs/config.md, section [policy])."""

    recall_limit: int = 3
    retake_places_back: int = 3
    retake_limit: int = 1
    priority_max_consecutive: int = 2
    one_active_ticket_per_matter: bool = True
    transfer_keeps_place: bool = True
    assist_queue: str = ""  # 帮办代办 queue: situations with assist = true, and "我需要帮助"
    evaluation_timeout_s: int = 60
    followup_working_days: int = 5
    expire_at: tuple[dt.time, ...] = (dt.time(12, 30), dt.time(18, 0))
    opening_hours: tuple[tuple[dt.time, dt.time], ...] = ((dt.time(0, 0), dt.time(23, 59, 59)),)
    rate_per_minute: int = 0  # commands per device per minute on average; 0: no limit
    rate_burst: int = 20  # commands a device may send at once before the average applies
    retention_days: int = 90  # `hallq purge`: personal fields of older days are blanked
    alert_wait_min: int = 30  # guide console: a queue whose oldest ticket waited this long
    alert_pause_min: int = 15  # guide console: a window paused this long
    guide_sign_in_required: bool = False  # overrides from a guide console need a signed-in guide
    backoffice_sign_in_required: bool = False  # case steps from a back office need a signed-in clerk (issue 15)
    summon_escalate_min: int = 10  # 呼叫后台 unanswered this long: an alert on the guide console; 0: never


@dataclass(frozen=True)
class AppointmentRules:
    """预约签到 window (R5, docs/config.md section [appointments]): check in from
    ``checkin_early_min`` before the booked slot to ``checkin_late_min`` after it."""

    checkin_early_min: int = 30
    checkin_late_min: int = 15
    early_gets_ticket: bool = False  # too early: an ordinary ticket now instead of "come back at"


@dataclass(frozen=True)
class BackupRules:
    """[backup] (docs/config.md): the hub copies its database into ``dir`` every ``every_min``
    minutes and when it stops, keeping the newest ``keep`` copies (docs/operations.md)."""

    dir: str = ""  # empty: no [backup] table, the hub takes no copies of its own
    every_min: int = 30
    keep: int = 48


@dataclass(frozen=True)
class HaRules:
    """[ha] (docs/config.md): a standby hub on a second PC (docs/operations.md, 主备切换).
    ``witness`` ("host:port") set: a witness grants the lease (hub/ha/lease_client.py); empty: one hub,
    or two PCs promoted by hand (``hallq standby promote``)."""

    witness: str = ""
    lease_ttl_s: float = 5.0  # how long a lease lasts without renewal
    renew_s: float = 1.0  # how often the holder renews it
    ack_timeout_ms: int = 1000  # the primary waits this long for the standby's ack of a batch
    witness_key: str = ""  # the witness's shared key file (absolute); empty: witness.key beside the hall db


@dataclass(frozen=True)
class Hall:
    id: str
    name: str
    timezone: str
    policy: Policy
    zones: dict[str, Zone]
    queues: dict[str, Queue]
    windows: dict[str, Window]
    matters: dict[str, Matter]
    priority_groups: dict[str, PriorityGroup]
    staff: dict[str, Staff]
    devices: dict[str, Device]
    progress_url: str = ""
    notices: tuple[str, ...] = ()
    slip_footer: tuple[str, ...] = ()  # 温馨提示 lines at the foot of every ticket slip
    printers: dict[str, Any] = field(default_factory=dict)
    printer_tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # as written, for devices
    version: str = ""  # content hash of the hall file, set by the loader
    text: str = field(default="", repr=False, compare=False)  # the file as read: kept per day by the hub
    appointments: AppointmentRules = field(default_factory=AppointmentRules)
    cases: CaseRules | None = None  # [cases] (None: a hall built by hand; the hub uses the defaults)
    backup: BackupRules = field(default_factory=BackupRules)  # [backup]
    ha: HaRules = field(default_factory=HaRules)  # [ha]

    def windows_serving(self, queue_id: str) -> list[str]:
        """Windows whose stage 1 includes the queue (the slip's 办理窗口 line)."""
        return [w.id for w in self.windows.values() if queue_id in w.queues and not w.tidal]
