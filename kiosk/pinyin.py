"""Pinyin for the kiosk's search box: initials (``sfz``) and full pinyin (``shenfenzheng``).

People at a kiosk type ``sfz`` for 身份证, ``gjj`` for 公积金, or spell it out:
``shenfenzheng``, ``gongjijin``, even mixed (``shenfz``). Every character's readings come
from ``pypinyin`` (all of them: 行 is both háng and xíng, 重 both chóng and zhòng), so any
character of any matter name can be found, not only the common GB 2312 ones.

A query matches consecutive characters of a text when it can be split, left to right, into
one piece per character, each piece being a reading of that character, its initial (the
first letter, or zh/ch/sh), or — for the last character only — the start of a reading
(the citizen is still typing). ASCII letters and digits in a text stand for themselves;
punctuation is skipped. :func:`match` says where the match starts and whether it covers
the whole text, which the catalogue uses to rank results.
"""

from __future__ import annotations

from enum import IntEnum
from functools import lru_cache

from pypinyin import Style, pinyin


class Fit(IntEnum):
    """How a query fits a text, best last (so that ``max`` picks the best)."""

    NONE = 0
    INSIDE = 1  # from a character after the first: 就医备案 for ``yb`` in 异地就医备案
    PREFIX = 2  # from the first character: 身份证 for ``sfz`` in 身份证丢失
    WHOLE = 3  # every character, nothing more: ``yb`` for 医保


@lru_cache(maxsize=4096)
def readings_of(char: str) -> tuple[str, ...]:
    """Every toneless reading of ``char`` (``行`` → xing, hang, heng); ASCII letters and digits stand
    for themselves; ``()`` for punctuation and anything without a reading."""
    if char.isascii():
        return (char.lower(),) if char.isalnum() else ()
    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    out: list[str] = []
    for r in found[0] if found else []:
        if r.isascii() and r.isalpha() and r not in out:
            out.append(r)
    return tuple(out)


def initials_of(char: str) -> str:
    """Every initial ``char`` may be typed with (``""`` if none), e.g. 行 → ``"xh"``."""
    out = ""
    for r in readings_of(char):
        if r[0] not in out:
            out += r[0]
    return out


@lru_cache(maxsize=1024)
def _syllables(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(r for r in (readings_of(c) for c in text) if r)


def _pieces(reading: str) -> tuple[str, ...]:
    """What may stand for one character: the reading or its initial (zh/ch/sh count as one)."""
    if reading[:2] in ("zh", "ch", "sh") and len(reading) > 2:
        return (reading, reading[:2], reading[0])
    return (reading, reading[0]) if len(reading) > 1 else (reading,)


def _fits_from(sylls: tuple[tuple[str, ...], ...], i: int, q: str) -> int:
    """The number of characters from ``i`` that ``q`` covers exactly, or -1 if it does not fit."""
    if not q:
        return 0
    if i >= len(sylls):
        return -1
    best = -1
    for reading in sylls[i]:
        if reading.startswith(q):  # the last character, still being typed
            return 1
        for piece in _pieces(reading):
            if q.startswith(piece):
                rest = _fits_from(sylls, i + 1, q[len(piece):])
                if rest >= 0:
                    best = max(best, rest + 1)
    return best


def match(text: str, query: str) -> Fit:
    """How ``query`` (ASCII letters/digits, any case) fits ``text`` as pinyin: see :class:`Fit`."""
    q = query.lower()
    if not q or not q.isascii() or not q.isalnum():
        return Fit.NONE
    sylls = _syllables(text)
    best = Fit.NONE
    for start in range(len(sylls)):
        covered = _fits_from(sylls, start, q)
        if covered < 0:
            continue
        if start == 0:
            return Fit.WHOLE if covered == len(sylls) else Fit.PREFIX
        best = Fit.INSIDE
    return best


def matches_initials(text: str, query: str) -> bool:
    """True if ``query`` is the pinyin (initials, full or mixed) of consecutive characters of ``text``."""
    return match(text, query) is not Fit.NONE


def initials(text: str) -> str:
    """The first initial of each character (``居民身份证`` → ``jmsfz``), for display and tests."""
    return "".join(initials_of(c)[:1] for c in text if initials_of(c))
