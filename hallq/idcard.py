"""Chinese resident ID numbers (居民身份证号码, GB 11643-1999) and other personal data.

A full ID number must never reach a screen, a slip, a log line or the database at rest.
Code that receives one validates it here, keeps only :func:`mask_id` (for people to read)
and :func:`keyed_hash` (for "is this the same person", e.g. one active ticket per person),
and drops the number.

The check character is ISO 7064 MOD 11-2: the first 17 digits times the weights
7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, summed, mod 11, mapped through "10X98765432".
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")
_PHONE = re.compile(r"^1\d{10}$")


class InvalidIdNumber(ValueError):
    """The text is not a valid 18-character resident ID number; ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_char(first17: str) -> str:
    """The check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize_id(text: str) -> str:
    """Strip spaces and upper-case a trailing x, as card readers and keypads vary."""
    return text.strip().replace(" ", "").upper()


def validate_id(text: str, *, today: _dt.date | None = None) -> str:
    """Return the normalised number or raise :class:`InvalidIdNumber` (never echoing it)."""
    number = normalize_id(text)
    if len(number) != 18:
        raise InvalidIdNumber("id_length", f"身份证号码应为18位，现为{len(number)}位")
    if not _SHAPE.match(number):
        raise InvalidIdNumber("id_chars", "身份证号码前17位应为数字，最后一位为数字或X")
    try:
        birth = _dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("id_birth", "身份证号码中的出生日期无效") from None
    if birth.year < 1800 or (today is not None and birth > today):
        raise InvalidIdNumber("id_birth", "身份证号码中的出生日期无效")
    if check_char(number[:17]) != number[17]:
        raise InvalidIdNumber("id_checksum", "身份证号码校验位不正确，请核对后重新输入")
    return number


def is_valid_id(text: str) -> bool:
    try:
        validate_id(text)
    except InvalidIdNumber:
        return False
    return True


def mask_id(number: str) -> str:
    """Keep the first 6 and last 4 characters: ``141002********029X``-style, 8 stars."""
    number = normalize_id(number)
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """``138****5678``; anything that is not an 11-digit mobile number is fully starred."""
    phone = phone.strip()
    if not _PHONE.match(phone):
        return "*" * len(phone)
    return phone[:3] + "****" + phone[-4:]


NAME_STARS = "**"


def mask_name(name: str) -> str:
    """The first character and always two stars (张三 → 张**, 欧阳娜娜 → 欧**).

    The star count is fixed so the length of the given name does not show; a one-character
    name shows no character at all (``**``), as its first character would be all of it; an
    empty name stays empty (the slip then has no 申请人 line).  docs/protocol.md §9.
    """
    name = name.strip()
    if not name:
        return ""
    if len(name) == 1:
        return NAME_STARS
    return name[0] + NAME_STARS


def keyed_hash(value: str, key: bytes) -> str:
    """HMAC-SHA256 of a normalised identifier; the key lives outside the database."""
    return hmac.new(key, normalize_id(value).encode("ascii", "replace"), hashlib.sha256).hexdigest()


def looks_like_full_id(text: str) -> bool:
    """True if ``text`` contains a valid full ID number anywhere (for leak checks)."""
    return any(is_valid_id(m) for m in re.findall(r"\d{17}[\dXx]", text))
