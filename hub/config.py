"""Load and check the hall file (TOML) into a :class:`hub.hall.Hall`.

Halls are configured by their IT staff, not by programmers, so a typo must never pass
silently: every unknown key, wrong type, dangling reference or unreachable question is
reported with its key path (``matters[3].situations[1].queue``) and, where it can be
found, the line of the file. All errors are collected, not just the first.

Why this file is long (~630 lines): it reads the whole hall file, table by table, and each table's
checks stay next to its parsing so that a key's error message and its reading are one edit; the
case and backup tables already live in their own modules (hub.case_config, hub.backup).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import tomllib
import zoneinfo
from pathlib import Path, PureWindowsPath
from typing import Any

from hub.case_config import MATTER_CASE_KEYS, CaseRules, parse_cases, parse_matter_case_fields
from hub.config_checker import ConfigError, ConfigIssue, _Checker
from hub.hall import (
    AppointmentRules,
    BackupRules,
    Device,
    Hall,
    HaRules,
    Matter,
    MatterKind,
    MatterMode,
    Option,
    Policy,
    PriorityGroup,
    Question,
    Queue,
    Role,
    Situation,
    Staff,
    Window,
    WindowKind,
    Zone,
)

# ConfigError and ConfigIssue live in hub.config_checker (hub.case_config shares it) and are imported from here
__all__ = ["PROGRESS_FIELDS", "ConfigError", "ConfigIssue", "check_pin", "hash_pin", "load_hall", "locate_line",
           "parse_hall"]
_HALL_ID = re.compile(r"^[a-z0-9_-]{1,32}$")
_QUEUE_ID = re.compile(r"^[A-Z]{1,2}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _parse_time(c: _Checker, text: str, path: str) -> dt.time | None:
    m = _HHMM.match(text)
    if not m:
        c.error(path, f"时间格式应为 HH:MM (expected HH:MM), got {text!r}")
        return None
    return dt.time(int(m.group(1)), int(m.group(2)))


# ---------------------------------------------------------------- sections

_TOP = ("hall", "policy", "appointments", "cases", "zones", "queues", "windows", "matters", "priority_groups", "staff",
        "devices", "printers", "backup", "ha",
        "notify")  # [notify]: read and checked by the notifier (notify/config.py), not the hub


def _policy(c: _Checker, data: Any) -> Policy:
    d = c.table(data, "policy", [*Policy.__dataclass_fields__, "opening_hours", "expire_at"])
    base = Policy()
    kwargs: dict[str, Any] = {}
    for name in (
        "recall_limit",
        "retake_places_back",
        "retake_limit",
        "priority_max_consecutive",
        "evaluation_timeout_s",
        "followup_working_days",
        "rate_per_minute",
        "rate_burst",
        "retention_days",
        "alert_wait_min",
        "alert_pause_min",
        "summon_escalate_min",
    ):
        value = c.get(d, name, "policy", int, default=getattr(base, name))
        if value < 0:
            c.error(f"policy.{name}", "不能为负数 (must not be negative)")
        kwargs[name] = value
    for name in ("one_active_ticket_per_matter", "transfer_keeps_place", "guide_sign_in_required",
                 "backoffice_sign_in_required"):
        kwargs[name] = c.get(d, name, "policy", bool, default=getattr(base, name))
    kwargs["assist_queue"] = c.get(d, "assist_queue", "policy", str, default="")
    if "expire_at" in d:
        times = [_parse_time(c, t, f"policy.expire_at[{i}]") for i, t in enumerate(c.strings(d, "expire_at", "policy"))]
        kwargs["expire_at"] = tuple(sorted(t for t in times if t))
    if "opening_hours" in d:
        spans = []
        for i, span in enumerate(c.strings(d, "opening_hours", "policy")):
            parts = span.split("-")
            where = f"policy.opening_hours[{i}]"
            if len(parts) != 2:
                c.error(where, f"应为 'HH:MM-HH:MM' (expected a span), got {span!r}")
                continue
            start, end = _parse_time(c, parts[0].strip(), where), _parse_time(c, parts[1].strip(), where)
            if start and end:
                if end <= start:
                    c.error(where, f"结束时间应晚于开始时间 (end before start): {span!r}")
                spans.append((start, end))
        kwargs["opening_hours"] = tuple(spans)
    return Policy(**kwargs)


def _appointments(c: _Checker, data: Any) -> AppointmentRules:
    d = c.table(data, "appointments", AppointmentRules.__dataclass_fields__)
    base = AppointmentRules()
    kwargs: dict[str, Any] = {}
    for name in ("checkin_early_min", "checkin_late_min"):
        value = c.get(d, name, "appointments", int, default=getattr(base, name))
        if not 0 <= value <= 24 * 60:
            c.error(f"appointments.{name}", f"应为 0-1440 分钟 (minutes, 0-1440), got {value}")
        kwargs[name] = value
    kwargs["early_gets_ticket"] = c.get(d, "early_gets_ticket", "appointments", bool, default=base.early_gets_ticket)
    return AppointmentRules(**kwargs)


def _zones(c: _Checker, doc: dict[str, Any]) -> dict[str, Zone]:
    out: dict[str, Zone] = {}
    for path, d, zid in c.entries(doc, "zones", ("id", "name")):
        out[zid] = Zone(zid, c.get(d, "name", path, str))
    return out


def _queues(c: _Checker, doc: dict[str, Any], zones: dict[str, Zone]) -> dict[str, Queue]:
    out: dict[str, Queue] = {}
    for path, d, qid in c.entries(doc, "queues", ("id", "name", "zone", "daily_quota"), _QUEUE_ID):
        zone = c.get(d, "zone", path, str)
        _ref(c, zone, zones, f"{path}.zone", "zone")
        quota = c.get(d, "daily_quota", path, int, default=0)
        if quota < 0:
            c.error(f"{path}.daily_quota", "不能为负数 (must not be negative)")
        out[qid] = Queue(qid, c.get(d, "name", path, str), zone, quota)
    return out


def _windows(c: _Checker, doc: dict[str, Any], zones: dict[str, Zone], queues: dict[str, Queue]) -> dict[str, Window]:
    out: dict[str, Window] = {}
    keys = ("id", "name", "kind", "zone", "queues", "overflow", "weights", "department", "tidal")
    for path, d, wid in c.entries(doc, "windows", keys):
        zone = c.get(d, "zone", path, str)
        _ref(c, zone, zones, f"{path}.zone", "zone")
        served = c.strings(d, "queues", path, required=True)
        overflow = c.strings(d, "overflow", path)
        for key, ids in (("queues", served), ("overflow", overflow)):
            for i, q in enumerate(ids):
                _ref(c, q, queues, f"{path}.{key}[{i}]", "queue")
        if "queues" in d and not served:
            c.error(f"{path}.queues", "窗口至少要服务一个队列 (a window needs at least one queue)")
        for q in set(served) & set(overflow):
            c.error(f"{path}.overflow", f"队列 {q} 同时出现在 queues 和 overflow 中 (queue in both stages)")
        weights: dict[str, int] = {}
        raw_w = d.get("weights", {})
        if not isinstance(raw_w, dict):
            c.error(f"{path}.weights", "应为表, 例如 { A = 2, B = 1 } (expected a table)")
        else:
            for q, w in raw_w.items():
                if q not in served and q not in overflow:
                    c.error(f"{path}.weights.{q}", f"窗口未服务队列 {q} (weight for a queue the window does not serve)")
                if not isinstance(w, int) or isinstance(w, bool) or w < 1:
                    c.error(f"{path}.weights.{q}", f"权重应为正整数 (expected a positive integer), got {w!r}")
                else:
                    weights[q] = w
        out[wid] = Window(
            id=wid,
            name=c.get(d, "name", path, str),
            kind=c.enum(d, "kind", path, WindowKind),
            zone=zone,
            queues=served,
            overflow=overflow,
            weights=weights,
            department=c.get(d, "department", path, str, default=""),
            tidal=c.get(d, "tidal", path, bool, default=False),
        )
    return out


def _situation(
    c: _Checker, d: dict[str, Any], path: str, matter_queue: str, queues: dict[str, Queue], mode: MatterMode
) -> Situation:
    c.table(
        d,
        path,
        (
            "id",
            "name",
            "queue",
            "materials",
            "conditions",
            "assist",
            "online",
            "consult_only",
            "online_url",
            "guidance",
        ),
    )
    sid = c.get(d, "id", path, str)
    c.ident(sid, f"{path}.id")
    online = c.get(d, "online", path, bool, default=mode is MatterMode.ONLINE)
    consult = c.get(d, "consult_only", path, bool, default=False)
    queue = c.get(d, "queue", path, str, default=matter_queue)
    if not online and not consult:
        if not queue:
            c.error(f"{path}.queue", "需要取号的情形必须指定队列 (a ticketed situation needs a queue)")
        else:
            _ref(c, queue, queues, f"{path}.queue", "queue")
    if online and consult:
        c.error(path, "online 与 consult_only 不能同时为 true (a situation is either online or consult-only)")
    if online and d.get("assist") is True:
        c.error(f"{path}.assist",
                "全程网办情形不应设 assist；“我需要帮助”会自动取帮办号 (online situations route online)")
    url = c.get(d, "online_url", path, str, default="")
    if online and not url:
        c.error(f"{path}.online_url", "全程网办情形需要网办地址 (an online situation needs online_url)")
    return Situation(
        id=sid,
        name=c.get(d, "name", path, str),
        queue=queue,
        materials=c.strings(d, "materials", path),
        conditions=c.strings(d, "conditions", path),
        assist=c.get(d, "assist", path, bool, default=False),
        online=online,
        consult_only=consult,
        online_url=url,
        guidance=c.get(d, "guidance", path, str, default=""),
    )


def _questions(c: _Checker, d: dict[str, Any], path: str, situations: dict[str, Situation]) -> tuple[Question, ...]:
    out: list[Question] = []
    seen: dict[str, str] = {}
    raw: list[tuple[str, Question]] = []
    for qpath, q in c.list_of_tables(d, "questions", path):
        c.table(q, qpath, ("id", "text", "options"))
        qid = c.get(q, "id", qpath, str)
        c.ident(qid, f"{qpath}.id")
        c.unique(seen, qid, f"{qpath}.id")
        options: list[Option] = []
        for opath, o in c.list_of_tables(q, "options", qpath):
            c.table(o, opath, ("text", "next", "situation"))
            nxt = c.get(o, "next", opath, str, default="")
            sit = c.get(o, "situation", opath, str, default="")
            if bool(nxt) == bool(sit):
                c.error(opath, "选项须指定 next (下一问题) 或 situation (情形) 之一 (exactly one of next/situation)")
            if sit and sit not in situations:
                c.error(f"{opath}.situation", f"未定义的情形 (unknown situation {sit!r})")
            options.append(Option(c.get(o, "text", opath, str), nxt, sit))
        if not options:
            c.error(f"{qpath}.options", "问题至少需要一个选项 (a question needs options)")
        raw.append((qpath, Question(qid, c.get(q, "text", qpath, str), tuple(options))))
    ids = {question.id for _, question in raw}
    for qpath, question in raw:
        for i, opt in enumerate(question.options):
            if opt.next and opt.next not in ids:
                c.error(f"{qpath}.options[{i}].next", f"未定义的问题 (unknown question {opt.next!r})")
        out.append(question)
    if out:
        _check_tree(c, path, out, situations)
    elif len(situations) > 1:
        c.error(f"{path}.questions", "多个情形需要问答引导 (several situations need a questionnaire)")
    return tuple(out)


def _check_tree(c: _Checker, path: str, questions: list[Question], situations: dict[str, Situation]) -> None:
    """Every question reachable from the first, no cycles, every situation reachable."""
    by_id = {q.id: q for q in questions}
    reached_q: set[str] = set()
    reached_s: set[str] = set()

    def walk(qid: str, trail: tuple[str, ...]) -> None:
        if qid in trail:
            c.error(f"{path}.questions", f"问答出现循环 (cycle): {' → '.join((*trail, qid))}")
            return
        if qid not in by_id or qid in reached_q:
            return
        reached_q.add(qid)
        for o in by_id[qid].options:
            if o.next:
                walk(o.next, (*trail, qid))
            elif o.situation:
                reached_s.add(o.situation)

    walk(questions[0].id, ())
    for q in questions:
        if q.id not in reached_q:
            c.error(f"{path}.questions", f"问题 {q.id!r} 无法到达 (unreachable from the first question)")
    for sid in situations:
        if sid not in reached_s:
            c.error(f"{path}.situations", f"情形 {sid!r} 无法通过问答到达 (no answer leads to it)")


def _matters(c: _Checker, doc: dict[str, Any], zones: dict[str, Zone], queues: dict[str, Queue],
             rules: CaseRules) -> dict[str, Matter]:
    out: dict[str, Matter] = {}
    keys = (
        "id",
        "code",
        "name",
        "department",
        "zone",
        "kind",
        "mode",
        "promised_days",
        "queue",
        "situations",
        "questions",
        "keywords",
        "popular",
        *MATTER_CASE_KEYS,
    )
    for path, d, mid in c.entries(doc, "matters", keys):
        zone = c.get(d, "zone", path, str)
        _ref(c, zone, zones, f"{path}.zone", "zone")
        mode = c.enum(d, "mode", path, MatterMode, default=MatterMode.COMPREHENSIVE)
        kind = c.enum(d, "kind", path, MatterKind, default=MatterKind.IMMEDIATE)
        days = c.get(d, "promised_days", path, int, default=0)
        if kind is MatterKind.PROMISED and days <= 0:
            c.error(f"{path}.promised_days", "承诺件需要承诺时限 (a promised matter needs promised_days > 0)")
        queue = c.get(d, "queue", path, str, default="")
        _ref(c, queue, queues, f"{path}.queue", "queue")
        situations: dict[str, Situation] = {}
        sseen: dict[str, str] = {}
        for spath, s in c.list_of_tables(d, "situations", path):
            sit = _situation(c, s, spath, queue, queues, mode)
            c.unique(sseen, sit.id, f"{spath}.id")
            situations[sit.id] = sit
        if not situations:
            c.error(f"{path}.situations", "事项至少需要一个情形 (a matter needs at least one situation)")
        out[mid] = Matter(
            id=mid,
            code=c.get(d, "code", path, str, default=mid),
            name=c.get(d, "name", path, str),
            department=c.get(d, "department", path, str),
            zone=zone,
            kind=kind,
            mode=mode,
            promised_days=days,
            situations=tuple(situations.values()),
            questions=_questions(c, d, path, situations),
            keywords=c.strings(d, "keywords", path),
            popular=c.get(d, "popular", path, bool, default=False),
            case=parse_matter_case_fields(c, d, path, rules),
        )
    return out


def _groups(c: _Checker, doc: dict[str, Any]) -> dict[str, PriorityGroup]:
    out: dict[str, PriorityGroup] = {}
    for path, d, gid in c.entries(doc, "priority_groups", ("id", "name", "needs_verification")):
        out[gid] = PriorityGroup(
            gid, c.get(d, "name", path, str), c.get(d, "needs_verification", path, bool, default=True)
        )
    return out


def _staff(c: _Checker, doc: dict[str, Any]) -> dict[str, Staff]:
    out: dict[str, Staff] = {}
    for path, d, sid in c.entries(doc, "staff", ("id", "name", "pin_hash", "roles", "department")):
        pin_hash = c.get(d, "pin_hash", path, str)
        if pin_hash and not pin_hash.startswith("pbkdf2_sha256$"):
            c.error(
                f"{path}.pin_hash",
                "应为 `hallq config hash-pin` 生成的散列，不能写明文 PIN (expected a pbkdf2_sha256 hash)",
            )
        roles: list[Role] = []
        staff_roles = {r.value: r for r in (Role.PAD, Role.GUIDE, Role.ADMIN, Role.BACKOFFICE)}
        for i, r in enumerate(c.strings(d, "roles", path) or ("pad",)):
            if r in staff_roles:
                roles.append(staff_roles[r])
            else:
                c.error(f"{path}.roles[{i}]", f"未知角色 (unknown role {r!r}); allowed: pad, guide, admin, backoffice")
        department = c.get(d, "department", path, str, default="")
        if Role.BACKOFFICE in roles and not department.strip():
            c.error(f"{path}.department", "后台审批人员必须注明所属部门，只能在本部门的后台签到 "
                                          "(a backoffice clerk needs a department: they sign in at its desk only)")
        out[sid] = Staff(sid, c.get(d, "name", path, str), pin_hash, tuple(roles), department)
    return out


def _devices(c: _Checker, doc: dict[str, Any], hall_refs: dict[str, dict[str, Any]]) -> dict[str, Device]:
    out: dict[str, Device] = {}
    for path, d, did in c.entries(doc, "devices", ("id", "role", "window", "zone", "printer", "department")):
        role = c.enum(d, "role", path, Role)
        department = c.get(d, "department", path, str, default="")
        if role is Role.BACKOFFICE and not department.strip():
            c.error(f"{path}.department", "后台设备必须绑定部门 (a backoffice device needs a department)")
        elif department and department not in hall_refs["departments"]:
            names = "、".join(sorted(hall_refs["departments"]))
            c.error(f"{path}.department", f"没有事项或窗口属于部门 {department!r} (no matter or window names it); "
                                          f"known: {names}")
        window = c.get(d, "window", path, str, default="")
        zone = c.get(d, "zone", path, str, default="")
        printer = c.get(d, "printer", path, str, default="")
        if window:
            _ref(c, window, hall_refs["windows"], f"{path}.window", "window")
        elif role is Role.PAD:
            c.error(f"{path}.window", "窗口平板必须绑定窗口 (a pad needs a window)")
        if zone:
            _ref(c, zone, hall_refs["zones"], f"{path}.zone", "zone")
        if printer:
            _ref(c, printer, hall_refs["printers"], f"{path}.printer", "printer")
        out[did] = Device(did, role, window, zone, printer, department)
    return out


def _ref(c: _Checker, value: str, known: dict[str, Any], path: str, what: str) -> None:
    if value and value not in known:
        hint = difflib.get_close_matches(value, list(known), n=1)
        more = f"; did you mean {hint[0]!r}?" if hint else ""
        c.error(path, f"未定义的{_WHAT_ZH.get(what, what)} (unknown {what} {value!r}){more}")


PROGRESS_FIELDS = {"ticket_id": "2026-11-23-A001", "ticket": "2026-11-23-A001", "number": "A001",
                   "hall": "lvliang", "date": "2026-11-23",
                   "token": "2026-11-23-A001.Xc1bIWSLL9pm0Rr2m5vC3w"}  # the phone page's key (docs/web.md)
_WHAT_ZH = {"zone": "区域", "queue": "队列", "window": "窗口", "printer": "打印机", "situation": "情形"}


def _printers(c: _Checker, doc: dict[str, Any]) -> dict[str, Any]:
    raw = doc.get("printers", {})
    if not raw:
        return {}
    from printers.config import parse_printers

    configs, errors = parse_printers(raw, "printers")
    for path, message in errors:
        c.error(path, message)
    return dict(configs)


# ---------------------------------------------------------------- entry points


def _departments_named(doc: dict[str, Any]) -> set[str]:
    """Every department a matter, window or staff member names, as written ([[cases.departments]] must be one)."""
    out: set[str] = set()
    for key in ("matters", "windows", "staff"):
        raw = doc.get(key)
        for t in raw if isinstance(raw, list) else []:
            if isinstance(t, dict) and isinstance(t.get("department"), str) and t["department"].strip():
                out.add(t["department"])
    return out


def _backup(c: _Checker, data: Any) -> BackupRules:
    """``[backup]``: ``dir`` (required in the table), ``every_min`` (default 30), ``keep`` (default 48).
    No table at all: an empty ``dir``, the hub takes no copies of its own (``hallq backup`` still works)."""
    if data is None:
        return BackupRules()
    d = c.table(data, "backup", ("dir", "every_min", "keep"))
    folder = c.get(d, "dir", "backup", str)
    if folder.strip() and not (Path(folder).is_absolute() or PureWindowsPath(folder).is_absolute()):
        c.error("backup.dir", f"应为绝对路径 (must be an absolute path), got {folder!r}")
    every = c.get(d, "every_min", "backup", int, default=BackupRules.every_min)
    keep = c.get(d, "keep", "backup", int, default=BackupRules.keep)
    if every < 1:
        c.error("backup.every_min", f"至少为 1 分钟 (must be at least 1 minute), got {every}")
    if keep < 1:
        c.error("backup.keep", f"至少保留 1 份 (must keep at least 1 copy), got {keep}")
    return BackupRules(dir=folder, every_min=every, keep=keep)


def _ha(c: _Checker, data: Any) -> HaRules:
    """``[ha]``: ``witness`` ("host:port", empty or absent: no witness), ``lease_ttl_s`` (5), ``renew_s`` (1),
    ``ack_timeout_ms`` (1000), ``witness_key`` (an absolute path; empty: ``witness.key`` beside the hall's
    database). No table: one hub, or a standby promoted by hand."""
    if data is None:
        return HaRules()
    d = c.table(data, "ha", ("witness", "lease_ttl_s", "renew_s", "ack_timeout_ms", "witness_key"))
    witness = c.get(d, "witness", "ha", str, default="").strip()
    if witness:
        host, _, port = witness.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            c.error("ha.witness", f"应为 '主机:端口' (expected 'host:port'), got {witness!r}")
    ttl = c.get(d, "lease_ttl_s", "ha", float, default=HaRules.lease_ttl_s)
    renew = c.get(d, "renew_s", "ha", float, default=HaRules.renew_s)
    ack = c.get(d, "ack_timeout_ms", "ha", int, default=HaRules.ack_timeout_ms)
    if renew <= 0:
        c.error("ha.renew_s", f"应大于 0 (must be above 0), got {renew}")
    if ttl < 2 * renew:
        c.error("ha.lease_ttl_s", f"至少为续约间隔的两倍 (must be at least twice renew_s = {renew}), got {ttl}")
    if not 50 <= ack <= 60_000:
        c.error("ha.ack_timeout_ms", f"应为 50-60000 毫秒 (milliseconds, 50-60000), got {ack}")
    key = c.get(d, "witness_key", "ha", str, default="").strip()
    if key and not (Path(key).is_absolute() or PureWindowsPath(key).is_absolute()):
        c.error("ha.witness_key", f"见证密钥文件应为绝对路径 (must be an absolute path), got {key!r}")
    if key and not witness:
        c.error("ha.witness_key", "设了见证密钥却没有 witness 地址 (witness_key without a witness)")
    return HaRules(witness=witness, lease_ttl_s=ttl, renew_s=renew, ack_timeout_ms=ack, witness_key=key)


def parse_hall(doc: dict[str, Any], *, text: str = "", source: str = "<hall>") -> Hall:
    """Build a Hall from a parsed TOML document; raise ConfigError listing every problem."""
    c = _Checker()
    c.table(doc, "", _TOP)
    h = c.table(doc.get("hall", {}), "hall", ("id", "name", "timezone", "progress_url", "notices", "slip_footer"))
    if "hall" not in doc:
        c.error("hall", "缺少 [hall] 表 (the [hall] table is missing)")
    hall_id = c.get(h, "id", "hall", str)
    c.ident(hall_id, "hall.id", _HALL_ID)
    tz = c.get(h, "timezone", "hall", str, default="Asia/Shanghai")
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        c.error("hall.timezone", f"未知时区 (unknown time zone {tz!r}), e.g. 'Asia/Shanghai'")
    policy = _policy(c, doc.get("policy", {}))
    appointments = _appointments(c, doc.get("appointments", {}))
    zones = _zones(c, doc)
    queues = _queues(c, doc, zones)
    _ref(c, policy.assist_queue, queues, "policy.assist_queue", "queue")
    windows = _windows(c, doc, zones, queues)
    departments = _departments_named(doc)
    cases = parse_cases(c, doc.get("cases", {}), departments)
    matters = _matters(c, doc, zones, queues, cases)
    printers = _printers(c, doc)
    backup = _backup(c, doc.get("backup"))
    ha = _ha(c, doc.get("ha"))
    devices = _devices(c, doc, {"windows": windows, "zones": zones, "printers": printers,
                                "departments": dict.fromkeys(departments)})
    # as written, so a window skipped for repeating an id still counts (its repeat is the one error)
    raw = doc.get("windows")
    tables = [t for t in raw if isinstance(t, dict)] if isinstance(raw, list) else []
    served = {q for t in tables for k in ("queues", "overflow") if isinstance(t.get(k), list) for q in t[k]}
    for q in queues.values():
        if q.id not in served:
            c.error(f"queues[{list(queues).index(q.id)}]", f"队列 {q.id} 没有任何窗口服务 (no window serves it)")
    progress_url = c.get(h, "progress_url", "hall", str, default="")
    try:
        progress_url.format(**PROGRESS_FIELDS)
    except (KeyError, IndexError, ValueError) as exc:
        c.error("hall.progress_url", f"未知占位符 (unknown placeholder) {exc}; allowed: "
                + ", ".join("{" + k + "}" for k in PROGRESS_FIELDS))
    if not zones:
        c.error("zones", "至少需要一个区域 (at least one [[zones]])")
    if not windows:
        c.error("windows", "至少需要一个窗口 (at least one [[windows]])")
    hall = Hall(
        id=hall_id,
        name=c.get(h, "name", "hall", str),
        timezone=tz,
        policy=policy,
        zones=zones,
        queues=queues,
        windows=windows,
        matters=matters,
        priority_groups=_groups(c, doc),
        staff=_staff(c, doc),
        devices=devices,
        progress_url=progress_url,
        notices=c.strings(h, "notices", "hall"),
        slip_footer=c.strings(h, "slip_footer", "hall"),
        printers=printers,
        printer_tables={k: dict(v) for k, v in doc.get("printers", {}).items() if isinstance(v, dict)}
        if isinstance(doc.get("printers"), dict) else {},
        version=hashlib.sha256(text.encode()).hexdigest()[:12] if text else "",
        text=text,
        appointments=appointments,
        cases=cases,
        backup=backup,
        ha=ha,
    )
    if c.issues:
        located = [ConfigIssue(i.path, i.message, locate_line(text, i.path)) for i in c.issues]
        raise ConfigError(source, located)
    return hall


def load_hall(path: str | Path) -> Hall:
    """Read a hall file; raise ConfigError (TOML syntax errors included) with line numbers."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), [ConfigIssue("", f"无法读取文件 (cannot read): {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), [ConfigIssue("", "文件应为 UTF-8 编码 (the file must be UTF-8)")]) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError(
            str(path), [ConfigIssue("", f"TOML 语法错误 (syntax error): {exc}", int(m.group(1)) if m else None)]
        ) from None
    return parse_hall(doc, text=text, source=str(path))


# ---------------------------------------------------------------- line finder

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"]+)\s*\]\]?")
_KEYLINE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")
_SEGMENT = re.compile(r"([A-Za-z0-9_\-]+)(?:\[(\d+)\])?")


def locate_line(text: str, path: str) -> int | None:
    """Best-effort line of a key path such as ``matters[2].situations[0].queue``.

    Walks table headers, counting ``[[array]]`` occurrences per parent, so it handles the
    plain style the sample hall uses; inline tables resolve to the line of their key.
    """
    if not text or not path:
        return None
    segments = [(m.group(1), int(m.group(2)) if m.group(2) is not None else None) for m in _SEGMENT.finditer(path)]
    counts: dict[str, int] = {}
    current: list[tuple[str, int | None]] = []
    best: int | None = None
    best_depth = -1
    for lineno, line in enumerate(text.splitlines(), 1):
        h = _HEADER.match(line)
        if h:
            names = h.group(2).replace('"', "").split(".")
            is_array = h.group(1) == "[["
            parent = current[: len(names) - 1]
            key = "/".join(f"{n}{'' if i is None else i}" for n, i in parent) + "/" + names[-1]
            if is_array:
                counts[key] = counts.get(key, -1) + 1
            current = [*parent, (names[-1], counts[key] if is_array else None)]
            depth = _match_depth(current, segments)
            if depth == len(current) and depth > best_depth:
                best, best_depth = lineno, depth
            continue
        k = _KEYLINE.match(line)
        if k:
            full = [*current, (k.group(1), None)]
            depth = _match_depth(full, segments)
            if depth == len(full) and depth > best_depth:
                best, best_depth = lineno, depth
    return best


def _match_depth(have: list[tuple[str, int | None]], want: list[tuple[str, int | None]]) -> int:
    depth = 0
    for (hn, hi), (wn, wi) in zip(have, want, strict=False):
        if hn != wn or (hi is not None and wi is not None and hi != wi) or (hi is not None and wi is None):
            break
        depth += 1
    return depth


def hash_pin(pin: str, *, salt: bytes | None = None, iterations: int = 120_000) -> str:
    """A staff PIN as stored in the hall file: ``pbkdf2_sha256$iterations$salt$hash``."""
    import os

    salt = salt or os.urandom(8)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    import hmac

    try:
        _, iterations, salt, digest = stored.split("$")
        got = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)
