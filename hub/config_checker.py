"""The hall file's checker: typed reads from the parsed TOML that record every problem with its key path.

Shared by :mod:`hub.config` (the hall file) and :mod:`hub.case_config` (its ``[cases]`` table and a
matter's case keys), so that neither imports the other.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@dataclass(frozen=True)
class ConfigIssue:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path} (line {self.line})" if self.line else self.path
        return f"{where}: {self.message}"


class ConfigError(Exception):
    """The hall file has errors; ``issues`` lists every one."""

    def __init__(self, source: str, issues: list[ConfigIssue]) -> None:
        self.source = source
        self.issues = issues
        lines = "\n".join(f"  {i}" for i in issues)
        super().__init__(f"{source}: {len(issues)} error(s) in the hall file:\n{lines}")


class _Checker:
    """Typed reads from nested dicts that record issues instead of raising."""

    def __init__(self) -> None:
        self.issues: list[ConfigIssue] = []

    def error(self, path: str, message: str) -> None:
        self.issues.append(ConfigIssue(path, message))

    def table(self, data: Any, path: str, known: Iterable[str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.error(path, f"应为表 (expected a table), got {_tname(data)}")
            return {}
        known = list(known)
        for key in data:
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                more = f"; did you mean '{hint[0]}'?" if hint else f"; known keys: {', '.join(known)}"
                self.error(_join(path, key), f"未知的键 (unknown key){more}")
        return data

    def get(self, data: dict[str, Any], key: str, path: str, kind: type[T], default: T | None = None) -> T:
        full = _join(path, key)
        if key not in data:
            if default is None:
                self.error(full, "缺少必填项 (required key is missing)")
                return _zero(kind)
            return default
        value = data[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)  # type: ignore[return-value]
        if not ok:
            self.error(full, f"应为{_KIND_ZH.get(kind, kind.__name__)} (expected {kind.__name__}), got {value!r}")
            return default if default is not None else _zero(kind)
        if isinstance(value, str) and default is None and not value.strip():
            self.error(full, "不能为空 (must not be empty)")
        return value  # type: ignore[no-any-return]

    def strings(self, data: dict[str, Any], key: str, path: str, required: bool = False) -> tuple[str, ...]:
        full = _join(path, key)
        if key not in data:
            if required:
                self.error(full, "缺少必填项 (required key is missing)")
            return ()
        value = data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(full, f"应为字符串列表 (expected a list of strings), got {value!r}")
            return ()
        return tuple(value)

    def enum(self, data: dict[str, Any], key: str, path: str, enum: type[T], default: T | None = None) -> T:
        raw = self.get(data, key, path, str, default=str(default) if default is not None else None)
        try:
            return enum(raw)  # type: ignore[call-arg]
        except ValueError:
            allowed = ", ".join(str(e) for e in enum)  # type: ignore[attr-defined]
            self.error(_join(path, key), f"取值无效 (invalid value) {raw!r}; allowed: {allowed}")
            return default if default is not None else next(iter(enum))  # type: ignore[call-overload]

    def list_of_tables(self, data: dict[str, Any], key: str, path: str) -> list[tuple[str, dict[str, Any]]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(_join(path, key), "应为表数组 (expected an array of tables, [[...]])")
            return []
        return [(f"{_join(path, key)}[{i}]", v) for i, v in enumerate(value)]

    def entries(self, doc: dict[str, Any], key: str, known: Iterable[str],
                pattern: re.Pattern[str] = _ID) -> Iterator[tuple[str, dict[str, Any], str]]:
        """Each ``[[key]]`` table checked for unknown keys, with its ``id`` checked and unique.

        A table repeating an earlier id is reported alone and then skipped: the first one stays,
        so nothing that follows (a queue "no window serves it") blames the hall for the repeat."""
        seen: dict[str, str] = {}
        for path, d in self.list_of_tables(doc, key, ""):
            if isinstance(d.get("id"), str) and d["id"] in seen:
                self.unique(seen, d["id"], f"{path}.id")
                continue
            self.table(d, path, known)
            ident = self.get(d, "id", path, str)
            self.ident(ident, f"{path}.id", pattern)
            self.unique(seen, ident, f"{path}.id")
            yield path, d, ident

    def ident(self, value: str, path: str, pattern: re.Pattern[str] = _ID) -> None:
        if value and not pattern.match(value):
            self.error(path, f"标识符格式不正确 (invalid id {value!r}; expected {pattern.pattern})")

    def unique(self, seen: dict[str, str], value: str, path: str) -> None:
        if value in seen:
            self.error(path, f"重复的标识 (duplicate id {value!r}, first at {seen[value]})")
        else:
            seen[value] = path


_KIND_ZH = {str: "字符串", int: "整数", bool: "布尔值", float: "数字", list: "列表", dict: "表"}


def _zero(kind: type[T]) -> T:
    return kind()


def _tname(value: Any) -> str:
    return type(value).__name__


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
