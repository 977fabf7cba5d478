"""``hallq config check`` for the ``[notify]`` table: the notifier's own reading (:func:`notify.config.parse`),
each problem with its key path and line, beside the hub's problems, in one list.

The hub does not read ``[notify]`` (a typo there must not stop the hall's hub), so the check is made here,
at the roof, where both readers may be imported. Made where the notifier's service environment is not,
it only warns about an unset ``secret_env``; a ``secret_file`` (relative to the hall file) must be there.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any


def notify_issues(path: str | Path) -> tuple[list[Any], list[str]]:
    """``(errors as hub.config.ConfigIssue, warnings)`` of the hall file's ``[notify]``."""
    from hub.config import ConfigIssue, locate_line
    from notify.config import NotifyConfigError, parse

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        doc = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return [], []  # the hub's check says what is wrong with the file itself
    devices = doc.get("devices")
    notifiers = [d.get("id") for d in devices if isinstance(d, dict) and d.get("role") == "notify"] \
        if isinstance(devices, list) else []
    table = doc.get("notify")
    if table is None:
        return [], ([f"notify: 有通知设备 {'、'.join(map(str, notifiers))} 但没有 [notify] 表，hallq notify 需要它 "
                     "(a notify device but no [notify] table; see docs/notify.md)"] if notifiers else [])
    warnings = []
    gateway = table.get("gateway") if isinstance(table, dict) else None
    name = gateway.get("secret_env") if isinstance(gateway, dict) else None
    if isinstance(name, str) and name.strip() and not os.environ.get(name):
        warnings.append(f"notify.gateway.secret_env: 环境变量 {name} 在这里未设置，请确认通知程序的服务环境里有它 "
                        "(not set here: make sure the notifier's service sets it)")
    try:
        parse(doc, base=path.parent, need_env=False)
    except NotifyConfigError as exc:
        issues = []
        for problem in exc.problems:
            key, _, words = problem.partition(": ")
            issues.append(ConfigIssue(key, words, locate_line(text, key)))
        return issues, warnings
    return [], warnings
