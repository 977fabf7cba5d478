"""User-facing text: Chinese first (zh_CN), English available.

Source code writes the Chinese text; ``tr("取号")`` returns it, or its English entry when
the language is English (``HALLQ_LANG=en`` or ``set_language("en")``). Each app adds its
own English entries with :func:`add_english`. A missing English entry falls back to the
Chinese text, never to an empty string: a hall screen must always say something.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGUAGES = ("zh_CN", "en")
_english: dict[str, str] = {}
_lang = "en" if os.environ.get("HALLQ_LANG", "zh_CN").lower().startswith("en") else "zh_CN"


def set_language(lang: str) -> None:
    global _lang
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    _lang = lang


def language() -> str:
    return _lang


def add_english(entries: Mapping[str, str]) -> None:
    _english.update(entries)


def tr(zh: str, **values: object) -> str:
    text = _english.get(zh, zh) if _lang == "en" else zh
    return text.format(**values) if values else text


def missing_english(texts: list[str]) -> list[str]:
    """Texts with no English entry (tests use this to keep catalogues complete)."""
    return [t for t in texts if t not in _english]


add_english({
    "已连接": "Connected",
    "连接中断，正在重连…": "Connection lost, reconnecting…",
    "暂停服务": "Service paused",
    "非常满意": "Very satisfied",
    "满意": "Satisfied",
    "基本满意": "Fairly satisfied",
    "不满意": "Dissatisfied",
    "非常不满意": "Very dissatisfied",
    "未评价": "Not rated",
    "受理": "Accept",
    "咨询": "Consult",
    "不予受理": "Reject",
    "过号": "Pass (no-show)",
})
