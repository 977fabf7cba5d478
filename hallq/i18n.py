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

# The case's (办件) words by their codes, for a device in English. The hub sends each code with its
# Chinese label (``state`` and ``state_label`` …); a device shows the label in Chinese and these in
# English. Keyed by code, not by the Chinese word: 不予许可 is a state ("Not permitted") and a back
# office's button ("Deny"), and one Chinese word can need two English ones.
CASE_WORDS_EN: dict[str, dict[str, str]] = {  # the words are the hub's own English (hub/cases.py)
    "state": {
        "accepted": "Accepted", "transferring": "In transfer", "in_review": "Signed for (in review)",
        "awaiting_correction": "Awaiting correction", "correction_received": "Correction received",
        "approved": "Completed", "denied": "Not permitted", "result_transferring": "Result in transfer",
        "ready": "Ready for pickup", "collected": "Collected", "in_locker": "In locker", "posted": "Posted",
    },
    "kind": {"immediate": "Immediate case", "promised": "Promised case"},
    "delivery": {"pickup": "Pickup at the hall", "locker": "Self-service locker", "mail": "By post"},
    "form": {"original": "Original", "copy": "Copy"},
    "action": {
        "accept": "Accepted", "pick_up": "Picked up for transfer", "sign": "Signed for",
        "notify_correction": "One-time correction notice", "receive_correction": "Corrections received",
        "approve": "Completed", "deny": "Not permitted", "send_out": "Result sent out",
        "receive_result": "Result received", "collect": "Collected", "locker": "Put in locker", "post": "Posted",
        "change_delivery": "Delivery changed",
        "done_on_spot": "Finished on the spot",
    },
}


def case_word(kind: str, code: str, label: str) -> str:
    """A case word (``kind``: state, kind, delivery, form, action) for the screen: the hub's Chinese
    ``label`` in Chinese, the English for ``code`` in English (the label when the code is unknown)."""
    if _lang == "en":
        return CASE_WORDS_EN.get(kind, {}).get(code, label)
    return label
