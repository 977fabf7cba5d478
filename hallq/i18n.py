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

# The case's (办件) words by their codes: the one source of truth, Chinese and English, for the hub
# (hub/cases.py takes its STATE_WORDS, ACTION_WORDS … and their English from here), the pads and the
# phone page. The hub sends each code with its Chinese label (``state`` and ``state_label`` …); a
# device shows the label in Chinese and the English of the code in English. Keyed by code, not by
# the Chinese word: 不予许可 is a state ("Not permitted") and a back office's action ("Deny"). An action's
# English is the one word for the button and the history line alike (受理 "Accept", as the ticket's
# outcome says it); tests/cases/test_case_words.py holds every code to one Chinese and one English word.
CASE_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "state": {
        "accepted": ("已受理", "Accepted"), "transferring": ("转递中", "In transfer"),
        "in_review": ("已签收（审查中）", "Signed for (in review)"),
        "awaiting_correction": ("待补正", "Awaiting correction"),
        "correction_received": ("补正已收", "Correction received"), "approved": ("已办结", "Completed"),
        "denied": ("不予许可", "Not permitted"), "result_transferring": ("出件转递中", "Result in transfer"),
        "ready": ("待领取", "Ready for pickup"), "collected": ("已领取", "Collected"),
        "in_locker": ("已投柜", "In locker"), "posted": ("已邮寄", "Posted"),
    },
    "kind": {"immediate": ("即办件", "Immediate case"), "promised": ("承诺件", "Promised case")},
    "delivery": {"pickup": ("现场领取", "Pickup at the hall"), "locker": ("自助柜", "Self-service locker"),
                 "mail": ("邮寄", "By post")},
    "form": {"original": ("原件", "Original"), "copy": ("复印件", "Copy")},
    "action": {
        "accept": ("受理", "Accept"), "pick_up": ("转递取件", "Pick up"), "sign": ("签收", "Sign for"),
        "notify_correction": ("出具一次性告知单", "Issue the one-time notice"),
        "receive_correction": ("接收补正材料", "Receive corrections"), "approve": ("办结", "Complete"),
        "deny": ("不予许可", "Deny"), "send_out": ("出件转递", "Send result out"),
        "receive_result": ("出件窗口接收", "Receive result"), "collect": ("现场领取", "Pickup at the hall"),
        "locker": ("投入自助柜", "Put in locker"), "post": ("邮寄", "By post"),
        "change_delivery": ("变更送达方式", "Change delivery"), "done_on_spot": ("当场办结", "Complete on the spot"),
    },
}
CASE_WORDS_ZH: dict[str, dict[str, str]] = {kind: {code: zh for code, (zh, _) in words.items()}
                                            for kind, words in CASE_WORDS.items()}
CASE_WORDS_EN: dict[str, dict[str, str]] = {kind: {code: en for code, (_, en) in words.items()}
                                            for kind, words in CASE_WORDS.items()}


def case_word(kind: str, code: str, label: str) -> str:
    """A case word (``kind``: state, kind, delivery, form, action) for the screen: the hub's Chinese
    ``label`` in Chinese, the English for ``code`` in English (the label when the code is unknown)."""
    if _lang == "en":
        return CASE_WORDS_EN.get(kind, {}).get(code, label)
    return label
