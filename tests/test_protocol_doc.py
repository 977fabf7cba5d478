"""``docs/protocol.md`` says what the typed definitions say.

The doc stays written for people (prose, examples captured from a real hub); this test reads
its tables and examples and holds them to the one definition of each thing:

- §4, the operations: every op of :mod:`hallq.commands` has one row, with its roles, *own
  window*, *(query)*, and its arguments — name, ``*`` when required, type, ``≤N`` when a
  string's limit is not the default 200 — exactly as the op's Struct has them;
- §1 presence, §6 the ticket view, §7 the retained state, §8 the events: every field of the
  message (:mod:`hallq.messages`) is named in its section, and every field the section's
  examples show is one the message has.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from hallq import commands
from hallq import messages as m
from hallq import protocol as p

DOC = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text(encoding="utf-8")
TYPE_WORDS = {(str,): "str", (int,): "int", (int, float): "number", (bool,): "bool", (list,): "list[str]"}
ARG = re.compile(r"`([a-z_]+)`(\*?) (str|int|number|bool|list\[str\]|list\[material\])(?: ≤(\d+))?")


def type_word(op: str, name: str, arg: p.Arg) -> str:
    """The doc's word for an argument's type: a list of objects (a case's materials) is ``list[material]``."""
    info = msgspec.inspect.type_info(commands.COMMANDS[op])
    assert isinstance(info, msgspec.inspect.StructType)
    kind = next(f.type for f in info.fields if f.name == name)
    if isinstance(kind, msgspec.inspect.ListType) and isinstance(kind.item_type, msgspec.inspect.StructType):
        return "list[material]"
    return TYPE_WORDS[arg.types]


def section(start: str, end: str) -> str:
    """The text from the heading that starts with ``start`` to the next one that starts with ``end``."""
    a = DOC.index(f"\n{start}")
    return DOC[a:DOC.index(f"\n{end}", a + 1)]


def op_rows() -> dict[str, list[str]]:
    """§4's table rows by op: the cells after the op's own."""
    rows: dict[str, list[str]] = {}
    for line in section("## 4. Operations", "## 5.").splitlines():
        found = re.match(r"\| `([a-z_.]+)` ([^|]*)\|(.*)\|$", line)
        if found:
            assert found.group(1) not in rows, f"{found.group(1)} has two rows"
            rows[found.group(1)] = [found.group(2), *(c.strip() for c in found.group(3).split(" | "))]
    return rows


ROWS = op_rows()


def test_every_op_has_one_row_and_every_row_is_an_op() -> None:
    assert set(ROWS) == set(p.OPS)


@pytest.mark.parametrize("op", sorted(p.OPS))
def test_an_ops_row_says_who_may_send_it(op: str) -> None:
    name_cell, roles_cell = ROWS[op][0], ROWS[op][1]
    spec = p.OPS[op]
    assert ("(query)" in name_cell) == spec.query, f"{op}: (query) in the doc, query={spec.query} in the code"
    plain = re.sub(r"\s*\([^)]*\)", "", roles_cell)  # "(only tickets this kiosk issued…)" and the like
    roles, _, flags = plain.partition(";")
    named = tuple(commands.EVERYONE) if roles.strip() == "everyone" else tuple(r.strip() for r in roles.split(","))
    assert set(named) == set(spec.roles), f"{op}: the doc says {named}, the code {spec.roles}"
    assert ("own window" in flags) == spec.own_window, f"{op}: own window"


@pytest.mark.parametrize("op", sorted(p.OPS))
def test_an_ops_row_lists_its_arguments_as_they_are_defined(op: str) -> None:
    cell = ROWS[op][2]
    documented = {name: (required == "*", kind, int(limit) if limit else commands.TEXT_MAX)
                  for name, required, kind, limit in ARG.findall(cell)}
    defined = {name: (arg.required, type_word(op, name, arg), arg.max_len if arg.types == (str,) else commands.TEXT_MAX)
               for name, arg in p.OPS[op].args.items()}
    assert documented == defined, f"{op}: the doc's arguments differ from {commands.COMMANDS[op].__name__}"
    if not defined:
        assert cell == "—", f"{op} takes no arguments: its cell says —"


# ---------------------------------------------------------------- §1, §6-8: the messages


def fields(kind: type[msgspec.Struct]) -> set[str]:
    return set(kind.__struct_fields__)


def tree(kind: Any, seen: set[str] | None = None) -> set[str]:
    """Every field name of a message and of the messages inside it."""
    out = set() if seen is None else seen
    info = kind if isinstance(kind, msgspec.inspect.Type) else msgspec.inspect.type_info(kind)
    if isinstance(info, msgspec.inspect.StructType):
        for f in info.fields:
            if f.name not in out:
                out.add(f.name)
                tree(f.type, out)
    for inner in ("types", "item_type", "value_type"):
        value = getattr(info, inner, None)
        for one in value if isinstance(value, tuple) else (value,) if value is not None else ():
            tree(one, out)
    return out


# Maps whose keys are data, not fields: today's counts by outcome, queue weights, the hall file's
# own printer tables (docs/config.md), the evaluation levels. Their keys are not checked.
MAPS = re.compile(r'"(counts|weights|printers|evaluation_levels)":\s*\{(?:[^{}]|\{[^{}]*\})*\}')
# (section start, next heading, the message whose every field the section names, the message its
# examples show, or None when they show replies too)
SECTIONS: list[tuple[str, str, type[msgspec.Struct], type[msgspec.Struct] | None]] = [
    ("### Presence and last will", "### Device status", m.Presence, None),  # also the client's own "silent"
    ("### Device status", "## 2. Topic tree", m.DeviceStatus, m.DeviceStatus),
    ("### Device status", "## 2. Topic tree", m.PrinterReport, m.DeviceStatus),
    ("### Device status", "## 2. Topic tree", m.BackupReport, m.DeviceStatus),
    ("### Device status", "## 2. Topic tree", m.StandbyReport, m.DeviceStatus),
    ("## 6. The ticket view", "## 7.", m.TicketView, m.TicketView),
    ("### 7.1", "### 7.2", m.Catalog, m.Catalog),
    ("### 7.2", "### 7.3", m.QueuesState, m.QueuesState),
    ("### 7.2", "### 7.3", m.QueueSummary, m.QueuesState),
    ("### 7.3", "### 7.4", m.WindowState, m.WindowState),
    ("### 7.4", "## 8.", m.CallsState, m.CallsState),
    ("### 7.4", "## 8.", m.Call, m.CallsState),
    ("### 4.2", "### 4.3", m.SummonView, None),
]


@pytest.mark.parametrize(("start", "end", "kind", "whole"), SECTIONS, ids=[k.__name__ for _, _, k, _ in SECTIONS])
def test_a_message_section_names_every_field_and_shows_no_other(start: str, end: str, kind: type[msgspec.Struct],
                                                                whole: type[msgspec.Struct] | None) -> None:
    text = MAPS.sub(r'"\1":{}', section(start, end))
    shown = set(re.findall(r'"([a-z_]+)"\s*:', text))
    named = set(re.findall(r"`([a-z_]+)\*?`", text)) | set(re.findall(r'[{,]\s*"([a-z_]+)"', text)) | shown
    assert fields(kind) - named == set(), f"{start}: {kind.__name__}'s fields not in the doc"
    if whole is not None:
        assert shown - tree(whole) == set(), f"{start}: the examples show fields {whole.__name__} lacks"


def test_every_event_has_a_row_with_its_fields() -> None:
    text = section("## 8. Events", "## 9.")
    rows = {found.group(1): found.group(2) for found in re.finditer(r"^\| `event/([a-z]+)` \|(.*)\|$", text, re.M)}
    assert set(rows) == set(m.EVENTS)
    for kind, row in rows.items():
        shown = set(re.findall(r'"([a-z_]+)":', row))
        assert fields(m.EVENTS[kind]) <= shown, f"event/{kind}: {fields(m.EVENTS[kind]) - shown} not shown"
        assert shown <= tree(m.EVENTS[kind]), f"event/{kind}: {shown - tree(m.EVENTS[kind])} not defined"
