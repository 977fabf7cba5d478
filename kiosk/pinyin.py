"""Pinyin initials (拼音首字母) for the kiosk's search box, with no dependency.

People at a kiosk often type ``sfz`` for 身份证 or ``gjj`` for 公积金. The 3,755 level-1
characters of GB 2312 (the common ones: nearly every character in matter names) are stored
in pinyin order, so a character's initial follows from where its GB 2312 code falls in
the table below, a trick as old as GB 2312. Level-2 characters (ordered by radical) and
common polyphones (行 háng/xíng, 重, 长 …) come from a small table; anything else has no
initial and is simply not matched by initials (the keyword search still finds it).

``pypinyin`` would be exact for every character, but it is a 7 MB dictionary to turn
matter names like 不动产转移登记 into ``bdczydj``; the table does that already.
"""

from __future__ import annotations

# First GB 2312 code (as a big-endian int) of each initial's run in level 1.
_RUNS = (
    (0xB0A1, "a"), (0xB0C5, "b"), (0xB2C1, "c"), (0xB4EE, "d"), (0xB6EA, "e"), (0xB7A2, "f"),
    (0xB8C1, "g"), (0xB9FE, "h"), (0xBBF7, "j"), (0xBFA6, "k"), (0xC0AC, "l"), (0xC2E8, "m"),
    (0xC4C3, "n"), (0xC5B6, "o"), (0xC5BE, "p"), (0xC6DA, "q"), (0xC8BB, "r"), (0xC8F6, "s"),
    (0xCBFA, "t"), (0xCDDA, "w"), (0xCEF4, "x"), (0xD1B9, "y"), (0xD4D1, "z"),
)
_LEVEL1_END = 0xD7F9

# Level-2 characters seen in matter catalogues, and polyphones: every initial people may type.
EXTRA: dict[str, str] = {
    "行": "xh", "重": "zc", "长": "cz", "单": "ds", "曾": "zc", "朝": "cz", "还": "hh",
    "乐": "ly", "藏": "cz", "调": "dt", "传": "cz", "省": "sx", "属": "sz", "会": "hk",
    "参": "cs", "种": "z", "校": "xj", "系": "xj", "给": "gj", "划": "h", "处": "c",
    "缴": "j", "贷": "d", "赁": "l", "遗": "y", "殡": "b", "婚": "h", "孕": "y", "娩": "m",
    "嫁": "j", "驶": "s", "诊": "z", "抚": "f", "恤": "x", "赡": "s", "彧": "y", "罹": "l",
    "弃": "q", "兑": "d", "叁": "s", "祉": "z", "镇": "z", "瑕": "x", "滞": "z", "胎": "t",
}


def initials_of(char: str) -> str:
    """Every initial ``char`` may be typed with (``""`` if unknown); ASCII letters and digits stand for themselves."""
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    if char in EXTRA:
        return EXTRA[char]
    try:
        raw = char.encode("gb2312")
    except UnicodeEncodeError:
        return ""
    if len(raw) != 2:
        return ""
    code = raw[0] << 8 | raw[1]
    if not _RUNS[0][0] <= code < _LEVEL1_END:
        return ""
    letter = ""
    for start, initial in _RUNS:
        if code < start:
            break
        letter = initial
    return letter


def matches_initials(text: str, query: str) -> bool:
    """True if ``query`` (letters) is the pinyin initials of consecutive characters of ``text``.

    ``sfz`` matches 居民身份证申领; ``hk`` matches 户口迁移; punctuation in ``text`` is skipped.
    """
    query = query.lower()
    if not query or not query.isascii() or not query.isalnum():
        return False
    options = [initials_of(c) for c in text if initials_of(c)]
    n = len(query)
    return any(all(query[i] in options[start + i] for i in range(n)) for start in range(len(options) - n + 1))


def initials(text: str) -> str:
    """The first-listed initial of each character (``居民身份证`` → ``jmsfz``), for display and tests."""
    return "".join(initials_of(c)[:1] for c in text if initials_of(c))
