"""Logging for every hallq process: human lines or JSON lines, rotating files, no personal data.

The hub never hands a full ID number or phone number to a logger (they are masked at the door,
:mod:`hub.service`), but a log line can quote anything: an exception text, a device's payload,
a third-party library. So a :class:`RedactFilter` on every handler masks, belt and braces,
anything that looks like an 18-character ID number (or a 15-digit old one) or an 11-digit
mobile number, in the message, its arguments, extra fields and tracebacks.

:func:`setup` is what the CLI calls: ``--log-file PATH`` (rotated at ``--log-max-bytes``,
``--log-backups`` kept), ``--log-json`` for one JSON object a line (the default for files).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import re
import sys
from pathlib import Path
from typing import Any

# 17 digits + digit/X (GB 11643), 15-digit first-generation numbers, 11-digit mobiles (1[3-9]x).
# Lookarounds instead of \b: Chinese text around a number has no word boundary in Python's sense.
_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<!\d)(\d{6})\d{5}(\d{4})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")

# LogRecord attributes that are not "extra" fields
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(text: str) -> str:
    """Mask ID numbers (keep 6 + 4) and mobile numbers (keep 3 + 4) anywhere in ``text``."""
    text = _ID18.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    text = _ID15.sub(lambda m: m.group(1) + "*" * 5 + m.group(2), text)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return redact(str(value))


class RedactFilter(logging.Filter):
    """Rewrites each record so no handler sees an ID or phone number (attach to handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: log it rather than lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD:
                setattr(record, key, _clean(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``ts`` (ISO, local offset), ``level``, ``logger``, ``msg``, extras, ``exc``."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in body:
                body[key] = _clean(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            body["exc"] = record.exc_text
        return json.dumps(body, ensure_ascii=False, default=str)


HUMAN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup(*, level: int = logging.INFO, log_file: str | Path | None = None, json_lines: bool | None = None,
          max_bytes: int = 10 * 1024 * 1024, backups: int = 10) -> logging.Handler:
    """Configure the root logger once for a process; returns the handler (tests remove it).

    Files are JSON lines unless ``json_lines`` is False; stderr is human-readable unless True.
    """
    handler: logging.Handler
    if log_file:
        path = Path(log_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups,
                                                       encoding="utf-8")
        json_lines = True if json_lines is None else json_lines
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(HUMAN_FORMAT))
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_hallq", False)]:
        root.removeHandler(old)
        old.close()
    setattr(handler, "_hallq", True)  # noqa: B010 - a marker only hallq's handlers carry
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def basic(level: int = logging.INFO) -> None:
    """The default without ``--log-file``/``--log-json``: ``logging.basicConfig`` to stderr, as
    before (a no-op if the root logger already has handlers), with redaction on every root handler."""
    logging.basicConfig(level=level, format=HUMAN_FORMAT)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactFilter) for f in handler.filters):
            handler.addFilter(RedactFilter())
