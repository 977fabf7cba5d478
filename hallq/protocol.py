"""The hallq wire protocol over MQTT, shared by the hub, kiosks, pads and displays.

Designed for MQTT 3.1.1 (the embedded broker speaks nothing newer), so everything a
request/response needs is inside the JSON payload: the request ``id`` (client-made,
reused on retry: the hub answers a repeated id with its first answer) and the protocol
version ``v``. MQTT 5 brokers work the same way. ``docs/protocol.md`` is the contract
for people writing other clients; this module is its executable form, with the operations'
typed arguments in :mod:`hallq.commands` and the hub's messages in :mod:`hallq.messages`.
(Over 400 lines: the words for people of every state, action and error code sit here beside
the codes, so a device and the hub translate from the same tables.)

Topics (``<hall>`` is the hall id from the hall file, e.g. ``lvliang``)::

    hallq/<hall>/cmd/<device>         device → hub   commands (QoS 1, not retained)
    hallq/<hall>/reply/<device>       hub → device   replies (QoS 1, not retained)
    hallq/<hall>/catalog              hub, retained  matters, questionnaires, windows, queues
    hallq/<hall>/state/queues         hub, retained  waiting counts per queue
    hallq/<hall>/state/window/<id>    hub, retained  one window: state, staff, current ticket
    hallq/<hall>/state/calls          hub, retained  the most recent calls (for repaint)
    hallq/<hall>/event/<kind>         hub            call (recalls too), priority, evaluate, evaluated,
                                                     summon, reprint
    hallq/<hall>/presence/<device>    everyone, retained  online/offline (last will)
    hallq/<hall>/status/<device>      devices, retained   device health (printer paper …)
"""

from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import msgspec

from hallq import commands as cmds

VERSION = 1
ROOT = "hallq"
MAX_PAYLOAD = 64 * 1024  # bytes; commands are small, anything larger is refused
MAX_DEPTH = 8  # nested objects/arrays; a command needs 3 (envelope, args, a list argument)
MAX_NUMBER = 2**53 - 1  # every number must be finite and within ±(2^53 - 1): exact in JSON and in SQLite
_MAX_DIGITS = 20  # longer number literals are refused before Python converts them (int() stops at 4,300)
_SURROGATE = re.compile("[\ud800-\udfff]")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
HUB = "hub"  # the hub's device id in presence/<device>
# The hub's worker re-publishes its retained presence "online" this often (a heartbeat: paho's
# thread alone keeps the MQTT connection, and with it the last will, alive while the worker is
# stuck). A client that hears no beat for HUB_SILENT_S treats the hub as offline.
HUB_HEARTBEAT_S = 5.0
HUB_SILENT_S = 3 * HUB_HEARTBEAT_S
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


# ---------------------------------------------------------------- topics


class Topics:
    """Topic builders for one hall."""

    def __init__(self, hall: str) -> None:
        if not _SEGMENT.fullmatch(hall):
            raise ValueError(f"bad hall id {hall!r}")
        self.hall = hall
        self.base = f"{ROOT}/{hall}"

    def cmd(self, device: str) -> str:
        return f"{self.base}/cmd/{_seg(device)}"

    def reply(self, device: str) -> str:
        return f"{self.base}/reply/{_seg(device)}"

    @property
    def catalog(self) -> str:
        return f"{self.base}/catalog"

    @property
    def queues(self) -> str:
        return f"{self.base}/state/queues"

    def window(self, window: str) -> str:
        return f"{self.base}/state/window/{_seg(window)}"

    @property
    def windows(self) -> str:
        return f"{self.base}/state/window/+"

    @property
    def calls(self) -> str:
        return f"{self.base}/state/calls"

    def event(self, kind: str) -> str:
        return f"{self.base}/event/{_seg(kind)}"

    @property
    def events(self) -> str:
        return f"{self.base}/event/+"

    def presence(self, device: str) -> str:
        return f"{self.base}/presence/{_seg(device)}"

    @property
    def presences(self) -> str:
        return f"{self.base}/presence/+"

    def status(self, device: str) -> str:
        return f"{self.base}/status/{_seg(device)}"

    @property
    def statuses(self) -> str:
        return f"{self.base}/status/+"

    @property
    def cmds(self) -> str:
        return f"{self.base}/cmd/+"

    def parse(self, topic: str) -> tuple[str, str]:
        """``hallq/<hall>/cmd/K1`` → ``("cmd", "K1")``; ``…/state/queues`` → ``("state", "queues")``."""
        prefix = self.base + "/"
        if not topic.startswith(prefix):
            raise ValueError(f"topic {topic!r} is not under {self.base}")
        kind, _, rest = topic[len(prefix):].partition("/")
        return kind, rest


def _seg(value: str) -> str:
    if not is_segment(value):
        raise ValueError(f"bad topic segment {value!r}")
    return value


def is_segment(value: str) -> bool:
    """A hall, device or window id usable as one topic level: ``[A-Za-z0-9_-]{1,32}``."""
    return _SEGMENT.fullmatch(value) is not None


# ---------------------------------------------------------------- errors


class ProtocolError(Exception):
    """A request the hub cannot even consider; ``code`` is one of :data:`ERROR_CODES`."""

    def __init__(self, code: str, message: str, request_id: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.request_id = request_id


# Protocol-level codes; domain codes (queue_empty, window_busy …) come from hub.core.
ERROR_CODES = {
    "too_large": "payload over the size limit",
    "bad_json": "payload is not UTF-8 JSON",
    "too_deep": f"JSON nested deeper than {MAX_DEPTH} levels",
    "bad_number": "NaN, Infinity or a number out of range (beyond ±(2^53 - 1), or an argument's own range)",
    "bad_text": "a string that is not Unicode text (a lone UTF-16 surrogate such as \\ud800)",
    "bad_envelope": "missing or wrong-typed v / id / op / args",
    "unsupported_version": "protocol version not supported by this hub",
    "unknown_op": "no such operation",
    "bad_args": "missing, unknown or wrong-typed argument",
    "unknown_device": "the device id is not in the hall file",
    "forbidden": "the device's role may not do this, or not for this window",
    "bad_pin": "staff number and PIN do not match",
    "not_signed_in": "the hall requires a guide to sign in (guide.login) before overrides",
    "invalid_id_number": "the ID number fails the GB 11643 check",
    "rate_limited": "the device sent too many commands; wait and retry with the same id",
    "internal": "the hub failed; nothing was changed",
}


# ---------------------------------------------------------------- words for people
#
# A refusal's ``message`` is read by citizens (kiosk) and staff (pads): it must be Chinese
# words, never a state name, an op name or a code. The hub builds its messages from these
# tables; devices show :func:`person_message`, which falls back to the code's words when a
# message still carries ASCII words (an older hub, a protocol-level refusal, a typo).

TICKET_STATE_WORDS = {
    "waiting": "正在等候", "called": "已叫号", "accepted": "已受理", "consulted": "已咨询办结",
    "rejected": "已不予受理", "passed": "已过号", "cancelled": "已取消", "expired": "已过期作废",
}
WINDOW_STATE_WORDS = {"open": "正在服务", "paused": "已暂停服务", "closed": "未开放（无人登录）"}
ACTION_WORDS = {
    "call": "叫号", "recall": "重呼", "accepted": "记为受理", "consulted": "记为咨询", "rejected": "记为不予受理",
    "passed": "记为过号", "transfer": "转移", "retake": "过号取号", "cancel": "取消", "expire": "作废",
    "verify_priority": "核验绿色通道", "open": "登录", "pause": "暂停服务", "resume": "恢复服务",
    "close": "退出登录",
}
# Every code a case command may be refused with, in words for people (stable: clients branch on them).
CASE_ERROR_WORDS = {
    "unknown_case": "没有这个办件",
    "duplicate_case": "该办件已受理，不能重复受理",
    "case_state": "办件当前的状态不能执行此操作",
    "already_signed": "该办件材料已签收，不能重复签收",
    "not_decided": "办件尚未办结，不能出件",
    "case_closed": "办件已送达申请人，不能再操作",
    "wrong_department": "这不是本部门的办件",
    "id_mismatch": "领取人身份与申请人不符",
    "proxy_unauthorised": "代领需要查验授权委托书",
    "delivery_mismatch": "与申请人约定的送达方式不符",
    "compartment_required": "请填写自助柜格口号",
    "tracking_required": "请填写快递单号",
    "address_required": "邮寄送达需要登记收件地址",
    "reason_required": "请填写原因",
    "bad_deadline": "补正期限不能早于今天",
    "bad_kind": "办件类型应为即办件或承诺件",
    "bad_promised_days": "承诺时限不正确",
    "bad_materials": "申请材料登记不正确",
    "bad_delivery": "送达方式不正确",
    "bad_department": "请指定办理部门",
    "bad_id_hash": "身份信息格式不正确",
    "bad_reference": "编号格式不正确",
    "not_immediate": "只有即办件可以当场办结",
    "bad_time": "操作时间早于办件的上一步，未被接受",
    "calendar_unknown": "该年度的节假日安排尚未配置，无法计算承诺时限",
}

# Every code a device may be refused with (protocol and domain), in words for people.
ERROR_WORDS = {
    "too_large": "请求内容过长，未被接受", "bad_json": "请求内容无法识别，未被接受",
    "too_deep": "请求内容层次过多，未被接受", "bad_number": "请求中有无效的数值，未被接受",
    "bad_text": "请求中有无效的文字，未被接受",
    "bad_envelope": "请求内容无法识别，未被接受", "unsupported_version": "设备软件版本与大厅服务器不一致，请联系管理员",
    "unknown_op": "大厅服务器不支持该操作，请联系管理员", "bad_args": "请求内容不完整，未被接受",
    "unknown_device": "本设备未在大厅登记，请联系管理员", "forbidden": "本设备不能执行该操作",
    "bad_pin": "工号或密码不正确", "not_signed_in": "请先签到：本大厅的引导台操作需记名",
    "invalid_id_number": "身份证号码校验不通过，请核对", "rate_limited": "操作过于频繁，请稍候再试",
    "internal": "大厅服务器内部错误，操作未生效", "timeout": "大厅服务器没有答复，操作可能未生效",
    "already_verified": "该号已是优先号", "appointment_used": "该预约已签到",
    "appointment_wrong_day": "预约日期不是今天", "bad_channel": "取号方式不正确", "bad_level": "评价等级不正确",
    "bad_outcome": "办理结果不正确", "bad_target": "请选择一个目标队列或窗口",
    "day_not_started": "新的一天尚未开始，请稍后再试", "duplicate_ticket": "您已取得该事项的号，请等候叫号",
    "hall_closed": "现在不是取号时间", "illegal_state": "该号当前的状态不能执行此操作",
    "no_current_ticket": "本窗口当前没有叫号", "no_followup": "这条服务无需回访",
    "no_pending_evaluation": "本窗口当前没有待评价的服务", "no_ticket_needed": "该事项无需取号",
    "not_current_ticket": "不是本窗口正在办理的号", "not_served_here": "本窗口不办理该号所在的队列",
    "queue_empty": "当前没有人等候", "quota_reached": "今日号源已取完", "reason_required": "请选择或填写原因",
    "recall_limit": "重呼次数已达上限", "retake_limit": "过号取号次数已达上限，请咨询引导台",
    "staff_elsewhere": "该工号已在其他窗口登录，请先在该窗口退出", "staff_role": "该工号不能在此登录",
    "unknown_appointment": "没有找到预约记录，请核对预约码或到引导台咨询", "unknown_matter": "没有这个事项",
    "unknown_priority_group": "没有这个优先群体", "unknown_queue": "没有这个队列",
    "unknown_situation": "该事项没有这个情形", "unknown_staff": "没有这个工号", "unknown_ticket": "今日没有这个票号",
    "unknown_window": "没有这个窗口", "window_busy": "请先记录当前号的办理结果",
    "window_not_open": "窗口未开放", "window_state": "窗口当前的状态不能执行此操作",
    "printer": "打印失败",
    "appointment_early": "还未到预约签到时间，请稍后再来", "summon_open": "已呼叫该部门后台，请稍候",
    "summon_state": "该呼叫的状态不能再这样登记", "unknown_summon": "今日没有这条呼叫",
    "not_accepted": "该号尚未记为受理，不能开办件", "ticket_elsewhere": "该号不是本窗口办理的，不能在此受理办件",
    "not_found": "未找到该号", "already_rated": "这次服务已经评价过，每次服务只能评价一次",
    "rating_closed": "评价期限已过，不能再评价", "no_rating": "这次服务无需在此评价",
    "no_consent": "该号没有同意接收通知",  # notify.phone (docs/notify.md)
    **{code: words for code, words in CASE_ERROR_WORDS.items() if code != "reason_required"},  # ours is wider
    "desk_not_signed_in": "请先签到：后台的办件操作需要经办人签到后才能执行",
    "staff_department": "该工号不属于本部门，不能在本后台签到",
}
GENERIC_ERROR_WORDS = "大厅服务器未接受该操作"
_ASCII_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z_]{2,}")  # 3+ letters with a lower-case one: not A001, S01, ID


def person_message(code: str, message: str) -> str:
    """What a person reads for a refusal: the hub's message when it is Chinese words, else the code's words."""
    if message and not _ASCII_WORD.search(message):
        return message
    return ERROR_WORDS.get(code, GENERIC_ERROR_WORDS)


# ---------------------------------------------------------------- operations
#
# Every op and its arguments are defined once, as a typed command in hallq/commands.py; OPS is
# the view of those definitions the hub and the clients look things up in.

KIOSK, PAD, GUIDE, DISPLAY, ADMIN, EVERYONE = cmds.KIOSK, cmds.PAD, cmds.GUIDE, cmds.DISPLAY, cmds.ADMIN, cmds.EVERYONE
SLOT_BOUNDS = cmds.SLOT_BOUNDS


Arg = cmds.Arg


@dataclass(frozen=True)
class Op:
    command: type[cmds.Command]  # the op's arguments, typed
    args: dict[str, Arg]  # the same, as a table
    roles: tuple[str, ...]
    own_window: bool = False  # pads and window displays may name only their own window
    query: bool = False  # reads only: not logged, not stored for idempotency
    doc: str = ""


OPS: dict[str, Op] = {name: Op(kind, cmds.arguments(kind), kind.roles, kind.own_window, kind.query, cmds.doc(kind))
                      for name, kind in cmds.COMMANDS.items()}


@dataclass
class Request:
    id: str
    op: str
    args: dict[str, Any] = field(default_factory=dict)
    v: int = VERSION
    command: cmds.Command | None = None  # the args, typed and checked (set by decode_request)

    def encode(self) -> bytes:
        return dump({"v": self.v, "id": self.id, "op": self.op, "args": self.args})


def new_request_id() -> str:
    return uuid.uuid4().hex


def decode_request(payload: bytes) -> Request:
    """Parse and check one command payload; raise ProtocolError saying exactly what is wrong.

    Nothing a device sends can make this raise anything else: depth is measured before the
    parser recurses, number literals are checked before Python converts them, and every
    string is checked for lone surrogates (which JSON's ``\\ud800`` escapes can smuggle in and
    which no UTF-8 reply, log line or database row could hold).
    """
    if len(payload) > MAX_PAYLOAD:
        raise ProtocolError("too_large", f"payload is {len(payload)} bytes; the limit is {MAX_PAYLOAD}")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError("bad_json", f"payload is not UTF-8 JSON: {exc}") from None
    data = parse(text)
    rid = data.get("id") if isinstance(data, dict) else None
    rid = rid if isinstance(rid, str) and 1 <= len(rid) <= 64 and not _SURROGATE.search(rid) else None
    _check_values(data, rid)
    if not isinstance(data, dict):
        raise ProtocolError("bad_envelope", "payload must be a JSON object")
    if rid is None:
        raise ProtocolError("bad_envelope", "'id' must be a string of 1-64 characters (a client-made request id)")
    v = data.get("v")
    if not isinstance(v, int) or isinstance(v, bool):
        raise ProtocolError("bad_envelope", "'v' (protocol version) must be an integer", rid)
    if v != VERSION:
        raise ProtocolError("unsupported_version", f"protocol version {v} is not supported; this hub speaks {VERSION}",
                            rid)
    op = data.get("op")
    if not isinstance(op, str):
        raise ProtocolError("bad_envelope", "'op' must be a string", rid)
    if op not in OPS:
        raise ProtocolError("unknown_op", f"unknown op {op!r}", rid)
    args = data.get("args", {})
    if not isinstance(args, dict):
        raise ProtocolError("bad_envelope", "'args' must be a JSON object", rid)
    extra = set(data) - {"v", "id", "op", "args"}
    if extra:
        raise ProtocolError("bad_envelope", f"unknown envelope field(s): {', '.join(sorted(extra))}", rid)
    return Request(rid, op, args, v, check_args(op, args, rid))


class _BadNumber:
    """What the parser leaves where a number the hall cannot hold was (found with its path later)."""

    def __init__(self, literal: str) -> None:
        self.literal = literal if len(literal) <= 24 else f"{literal[:12]}…（{len(literal)} 位）"


def _parse_int(literal: str) -> int | _BadNumber:
    if len(literal.lstrip("-")) > _MAX_DIGITS:
        return _BadNumber(literal)
    value = int(literal)
    return value if abs(value) <= MAX_NUMBER else _BadNumber(literal)


def _parse_float(literal: str) -> float | _BadNumber:
    value = float(literal)  # a long literal is fine here; 1e999 becomes inf and is refused
    return value if math.isfinite(value) and abs(value) <= MAX_NUMBER else _BadNumber(literal)


def parse(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """JSON text → Python, for anything a device may send: ProtocolError for a payload that
    is not JSON (``bad_json``) or nests deeper than ``max_depth`` (``too_deep``). Numbers the
    hall cannot hold (NaN, ±Infinity, beyond ±MAX_NUMBER) come back as markers that
    :func:`decode_request` reports with their place (``bad_number``)."""
    if text.count("[") + text.count("{") > max_depth:  # only then can it be too deep: measure
        depth = deepest = 0
        for bracket in _BRACKET.findall(_STRING.sub("", text)):
            depth += 1 if bracket in "[{" else -1
            deepest = max(deepest, depth)
        if deepest > max_depth:
            raise ProtocolError("too_deep", f"数据嵌套过深（{deepest} 层，上限 {max_depth} 层）"
                                f" (JSON nested {deepest} levels deep; the limit is {max_depth})")
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_BadNumber)
    except json.JSONDecodeError as exc:
        raise ProtocolError("bad_json", f"payload is not UTF-8 JSON: {exc}") from None
    except RecursionError:  # not reached after the depth check; kept so no payload can escape as a crash
        raise ProtocolError("too_deep", f"数据嵌套过深 (JSON nested deeper than {max_depth} levels)") from None


def _check_values(data: Any, rid: str | None) -> None:
    """Every number finite and in range, every string (keys too) encodable as UTF-8."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _BadNumber):
            raise ProtocolError("bad_number", f"{path or '数据'}: 数值 {value.literal} 无效（不接受 NaN、Infinity 或"
                                f"超过 ±{MAX_NUMBER} 的数） (not a number the hall accepts)", rid)
        if isinstance(value, str) and _SURROGATE.search(value):
            raise ProtocolError("bad_text", f"{path or '数据'}: 文字含无效字符（孤立代理项 \\ud800-\\udfff）"
                                " (a lone surrogate is not text)", rid)
        if isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):
                    raise ProtocolError("bad_text", f"{path or '数据'}: 字段名含无效字符（孤立代理项）"
                                        " (a key with a lone surrogate)", rid)
                stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))


def check_args(op: str, args: dict[str, Any], rid: str | None = None) -> cmds.Command:
    """``args`` of ``op`` as its typed command (:mod:`hallq.commands`); ProtocolError saying
    which argument is wrong and how: ``bad_args``, or ``bad_number`` for a number outside the
    argument's own range. Mistakes are reported in the order of the op's definition: an unknown
    argument first, then a missing one, then the first argument (in the op's order) of a wrong
    type, too long or out of range. KeyError for an op that does not exist."""
    kind = cmds.COMMANDS[op]
    names = kind.__struct_fields__
    for name in args:
        if name not in names:
            raise ProtocolError("bad_args", f"{op}: unknown argument {name!r}", rid)
    for name in _REQUIRED[op]:
        if name not in args:
            raise ProtocolError("bad_args", f"{op}: missing argument {name!r}", rid)
    ordered = {name: args[name] for name in names if name in args}  # so the first mistake is reported first
    try:
        return msgspec.convert(ordered, kind)
    except msgspec.ValidationError as exc:
        raise _argument_error(op, ordered, str(exc), rid) from None


_REQUIRED = {op: tuple(name for name, arg in spec.args.items() if arg.required) for op, spec in OPS.items()}
_AT = re.compile(r" - at `\$\.(\w+)(\[\d+\])?`$")
_TOO_LONG = re.compile(r"^Expected `str` of length <= (\d+)")
_OUT_OF_RANGE = re.compile(r"^Expected `(?:int|float)` [<>]=? ")
_WORDS = {"str": "a string", "int": "an integer", "float": "a number", "bool": "a boolean", "list": "a list"}


def _argument_error(op: str, args: dict[str, Any], error: str,
                    rid: str | None) -> ProtocolError:
    """msgspec's account of a bad argument (``Expected `str` of length <= 40 - at `$.name```),
    in the words clients have always been given (``ticket.issue: 'name' is longer than 40 characters``)."""
    at = _AT.search(error)
    if at is None:  # not foreseen: msgspec's own words still say what and where
        return ProtocolError("bad_args", f"{op}: {error}", rid)
    name, item = at.group(1), at.group(2)
    if item:
        return ProtocolError("bad_args", f"{op}: {name!r} must be a list of short strings", rid)
    too_long = _TOO_LONG.match(error)
    if too_long:
        return ProtocolError("bad_args", f"{op}: {name!r} is longer than {too_long.group(1)} characters", rid)
    arg = OPS[op].args[name]
    if _OUT_OF_RANGE.match(error) and arg.bounds:
        low, high = arg.bounds
        return ProtocolError("bad_number", f"{op}: {name!r} 超出范围 {low:.0f}-{high:.0f} (out of range)", rid)
    value = args[name]
    got = "a boolean" if isinstance(value, bool) else type(value).__name__
    expected = " or ".join(_WORDS[t.__name__] for t in arg.types)
    return ProtocolError("bad_args", f"{op}: {name!r} must be {expected}, got {got}", rid)


# ---------------------------------------------------------------- replies and state


def encode_reply(request_id: str | None, result: dict[str, Any] | None = None, *, code: str = "",
                 message: str = "") -> bytes:
    body: dict[str, Any] = {"v": VERSION, "id": request_id}
    if code:
        body["ok"] = False
        body["error"] = {"code": code, "message": message}
    else:
        body["ok"] = True
        body["result"] = result or {}
    return dump(body)


def dump(obj: Any) -> bytes:
    """Compact UTF-8 JSON. NaN/Infinity are never written (ValueError): no client could read them."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def load(payload: bytes) -> Any:
    """A hub message → Python; ValueError for what no hub sends: not UTF-8 JSON, NaN/Infinity or
    numbers out of range, lone surrogates, or nesting past 64 levels (the catalog carries the hall
    file's printer tables, so it may be deeper than a command; the parser must still not recurse
    without end)."""
    try:
        data = parse(payload.decode("utf-8"), max_depth=64)
        _check_values(data, None)
    except ProtocolError as exc:
        raise ValueError(exc.message) from None
    return data


def presence(online: bool, role: str, at: float, **extra: Any) -> bytes:
    return dump({"v": VERSION, "online": online, "role": role, "at": at, **extra})


# ---------------------------------------------------------------- the hub's epoch (fencing reaches the devices)
#
# A hall with a standby hub numbers its hubs' terms: the epoch (fencing token) grows with every
# promotion and is never reused (hub/ha/gate.py). A hub with an epoch above 0 stamps it, as the last
# field ``epoch``, into everything it publishes to devices: replies, the catalog, retained state,
# events, ``status/hub`` and its heartbeat on ``presence/hub``. A device keeps the highest epoch it
# has seen and drops (logging code ``stale_epoch``) a reply or a hub message stamped below it: an
# old primary's last reply or retained state never overrides the new hub's (docs/protocol.md §3).
# A message without the field is epoch 0: a hall without a standby sends exactly what it always did.

EPOCH = "epoch"


def stamp_epoch(payload: bytes, epoch: int) -> bytes:
    """``payload`` (a JSON object, as msgspec or :func:`dump` write it: no trailing space) with
    ``"epoch": epoch`` appended as its last field; unchanged for epoch 0, an empty payload (a
    cleared retained topic) or anything that is not a non-empty JSON object."""
    if epoch <= 0 or len(payload) < 3 or payload[:1] != b"{" or payload[-1:] != b"}":
        return payload
    return b'%s,"epoch":%d}' % (payload[:-1], epoch)


def epoch_of(data: Any) -> int:
    """The epoch a decoded hub message is stamped with (0: none, or not a whole number)."""
    value = data.get(EPOCH) if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
