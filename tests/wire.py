"""Whole hub payloads from the few fields a test cares about.

Device models read the hub's messages as typed structs (hallq/mirror.py), and a payload that
lacks a field the hub always sends is malformed there. Tests write only the fields they are
about; :func:`complete` fills the rest with empty values of the right type (``""``, ``0``,
``False``, ``[]``, ``{}``, ``None`` where the field may be null), the way a hub with nothing
to say would send them, recursively into nested messages and lists of them.
"""

from __future__ import annotations

import functools
from typing import Any

import msgspec.inspect as mi

from hallq import messages as m


def _empty(t: mi.Type) -> Any:
    if isinstance(t, mi.UnionType):
        if any(isinstance(x, mi.NoneType) for x in t.types):
            return None
        return _empty(t.types[0])
    match t:
        case mi.StrType():
            return ""
        case mi.IntType():
            return 0
        case mi.FloatType():
            return 0.0
        case mi.BoolType():
            return False
        case mi.ListType():
            return []
        case mi.DictType():
            return {}
        case mi.StructType():
            return _fill(t, {})
    return None


def _inner(t: mi.Type) -> mi.StructType | None:
    """The struct a field holds (itself, the items of its list, or the non-null side of a union)."""
    if isinstance(t, mi.StructType):
        return t
    if isinstance(t, mi.ListType):
        return _inner(t.item_type)
    if isinstance(t, mi.UnionType):
        return next((s for s in map(_inner, t.types) if s is not None), None)
    return None


def _fill(info: mi.StructType, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in info.fields:
        if f.encode_name in data:
            value = data[f.encode_name]
            inner = _inner(f.type)
            if inner is not None and isinstance(value, dict):
                value = _fill(inner, value)
            elif inner is not None and isinstance(value, list):
                value = [_fill(inner, v) if isinstance(v, dict) else v for v in value]
            out[f.encode_name] = value
        elif f.required:
            out[f.encode_name] = _empty(f.type)
    out.update({k: v for k, v in data.items() if k not in out})  # fields the types do not know pass through
    return out


def complete(kind: type[Any], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every field ``kind`` requires, nested messages included."""
    info = mi.type_info(kind)
    assert isinstance(info, mi.StructType)
    return _fill(info, data)


# Whole messages of each kind: ``wire.window({"id": "S01", "state": "open"})``.
catalog = functools.partial(complete, m.Catalog)
window = functools.partial(complete, m.WindowState)
queues = functools.partial(complete, m.QueuesState)
status = functools.partial(complete, m.DeviceStatus)
ticket = functools.partial(complete, m.TicketView)
call = functools.partial(complete, m.Call)


def presence(online: bool, **extra: Any) -> dict[str, Any]:
    return complete(m.Presence, {"online": online, **extra})
