"""What the hall says for a call, as words with their pinyin (pure: no audio, no I/O).

A call (the typed :class:`hallq.messages.Call` of ``event/call``: number ``A001``, window ``S01``,
recall 0) fills a configurable template (``请{number}号到{window}窗口办理``, :class:`VoiceSettings`)
and is cut into *words* (:func:`words`): vocabulary words with their pinyin (请 qing3, 窗口 chuang1
kou3, 重呼 chong2 hu1 …), letters, and digits read one by one (A001 → A 零 零 一). Pinyin with tone
numbers is what the espeak-ng ``cmn-latn-pinyin`` voice reads best (it also takes 汉字, but picks the
wrong reading of polyphones such as 重 in 重呼); clip engines use the words as file names.
The first of the voice's three layers (:mod:`display.voice`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hallq.messages import Call

DIGITS = "零一二三四五六七八九"
DIGIT_PINYIN = ("ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3")

# Fixed vocabulary of calls, with the reading a caller uses (polyphones resolved here).
VOCABULARY: dict[str, str] = {
    "请": "qing3", "号": "hao4", "到": "dao4", "窗口": "chuang1 kou3", "办理": "ban4 li3",
    "重呼": "chong2 hu1", "再次": "zai4 ci4", "呼叫": "hu1 jiao4", "请注意": "qing3 zhu4 yi4",
    "前往": "qian2 wang3", "号窗口": "hao4 chuang1 kou3", "第": "di4", "次": "ci4", "窗": "chuang1",
    "口": "kou3", "办": "ban4", "理": "li3", "综合": "zong1 he2", "专窗": "zhuan1 chuang1",
    "零": "ling2", "一": "yi1", "二": "er4", "三": "san1", "四": "si4", "五": "wu3", "六": "liu4",
    "七": "qi1", "八": "ba1", "九": "jiu3", "十": "shi2", "幺": "yao1",
}
PAUSES = {"，": ",", ",": ",", "。": ".", ".": ".", "；": ",", "：": ",", ":": ",", "、": ",", " ": ""}


@dataclass(frozen=True)
class Word:
    """One spoken unit: ``text`` as written (零, A, 窗口, ，) and its pinyin ("" = read the text)."""

    text: str
    pinyin: str = ""

    @property
    def is_pause(self) -> bool:
        return self.text in PAUSES


@dataclass(frozen=True)
class Phrase:
    text: str  # what the screen would show: 请A001号到S01窗口办理
    words: tuple[Word, ...]

    @property
    def spoken(self) -> str:
        """The text as read aloud: 请A零零一号到S零一窗口办理."""
        return "".join(w.text for w in self.words)

    @property
    def pinyin(self) -> str:
        """Input for espeak-ng ``cmn-latn-pinyin``: ``qing3 A ling2 ling2 yi1 hao4 …``."""
        out: list[str] = []
        for w in self.words:
            if w.is_pause:
                if out and PAUSES[w.text]:
                    out[-1] += PAUSES[w.text]
            else:
                out.append(w.pinyin or w.text)
        return " ".join(out)


@dataclass(frozen=True)
class VoiceSettings:
    """How calls are spoken; every field can be set per hall screen (see docs/display.md)."""

    template: str = "请{number}号到{window}窗口办理"
    recall_template: str = "重呼，请{number}号到{window}窗口办理"
    repeat: int = 2  # times each call is said (after one chime)
    chime: bool = True
    gap_s: float = 0.7  # silence between repeats
    one: str = "yi1"  # some halls say 幺 (yao1) for 1 in numbers
    max_age_s: float = 120.0  # calls older than this (a backlog after a reconnect) are not spoken
    watchdog_s: float = 3.0  # extra time a player gets beyond the audio's length

    def __post_init__(self) -> None:
        if not 1 <= self.repeat <= 5:
            raise ValueError(f"repeat must be 1-5, got {self.repeat}")
        if self.one not in ("yi1", "yao1"):
            raise ValueError(f"one must be 'yi1' or 'yao1', got {self.one!r}")
        for t in (self.template, self.recall_template):
            try:
                t.format(number="A001", window="S01", window_name="", recall=1)
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(f"bad template {t!r}: use only {{number}} {{window}} {{window_name}} "
                                 f"{{recall}} ({exc})") from None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> VoiceSettings:
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown voice setting(s): {', '.join(sorted(unknown))}")
        return cls(**dict(data))


def words(text: str, one: str = "yi1") -> tuple[Word, ...]:
    """Cut text into spoken words: vocabulary (longest match), letters, digits one by one."""
    out: list[Word] = []
    longest = max(len(k) for k in VOCABULARY)
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isascii() and ch.isdigit():
            d = int(ch)
            out.append(Word(DIGITS[d], one if d == 1 else DIGIT_PINYIN[d]))
            i += 1
            continue
        if ch.isascii() and ch.isalpha():
            out.append(Word(ch.upper(), ch.upper()))
            i += 1
            continue
        if ch in PAUSES:
            if ch != " ":
                out.append(Word(ch))
            i += 1
            continue
        for n in range(min(longest, len(text) - i), 0, -1):
            piece = text[i:i + n]
            if piece in VOCABULARY:
                pinyin = one if piece == "一" else VOCABULARY[piece]
                out.append(Word(piece, pinyin))
                i += n
                break
        else:
            out.append(Word(ch))  # not in the vocabulary: the engine reads the character
            i += 1
    return tuple(out)


def call_phrase(call: Call, settings: VoiceSettings) -> Phrase:
    """The phrase for one call (``event/call``; a recall uses the recall template)."""
    template = settings.recall_template if call.recall else settings.template
    text = template.format(number=call.number, window=call.window, window_name=call.window_name,
                           recall=call.recall)
    return Phrase(text, words(text, settings.one))
