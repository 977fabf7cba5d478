"""The notifier's record of what it sent: a JSON-lines file, one line per try, no personal data.

Each line is ``{"key", "ticket", "kind", "day", "at", "to", "result", "tries"}``: the moment's key
(:mod:`notify.rules`), the ticket, the kind, the hall day, the time, a keyed tag of the number (HMAC
under ``notify.key`` beside the record, so the cap can count per number without keeping it), and
``sending`` / ``sent`` / ``failed`` / ``capped`` (over the day's cap: not sent). Never the phone number, never the text.

A ``sending`` line is written and flushed to disk *before* the gateway is called: a notifier killed
mid-send finds it on restart and does not send again (at most once: a citizen may miss a message
after a crash, but never gets one twice). Old lines can be dropped with the hall's retention (IT's
``logrotate`` or by hand): the keys of closed tickets are not needed after their day.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Record:
    path: Path
    _done: set[str] = field(default_factory=set)
    _per_day: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (to, day) → keys
    _key: bytes = b""

    @classmethod
    def open(cls, folder: str | Path) -> Record:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        key_file = folder / "notify.key"
        if not key_file.exists():
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
        rec = cls(folder / "notify-record.jsonl", _key=key_file.read_bytes())
        if rec.path.exists():
            for line in rec.path.read_text("utf-8").splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by a crash: its key was never sent
                rec._note(row)
        return rec

    def tag(self, phone: str) -> str:
        """The keyed tag that stands for a number in the record (not reversible without notify.key)."""
        return hmac.new(self._key, phone.encode(), hashlib.sha256).hexdigest()[:24]

    def done(self, key: str) -> bool:
        return key in self._done

    def count(self, to: str, day: str) -> int:
        """Messages tried today for a number (sending, sent and failed all count against the cap)."""
        return len(self._per_day.get((to, day), set()))

    def write(self, *, key: str, ticket: str, kind: str, day: str, at: float, to: str, result: str,
              tries: int = 0) -> None:
        row = {"key": key, "ticket": ticket, "kind": kind, "day": day, "at": at, "to": to, "result": result,
               "tries": tries}
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self._note(row)

    def rows(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.path.read_text("utf-8").splitlines()] if self.path.exists() else []

    def _note(self, row: dict[str, object]) -> None:
        key = str(row.get("key", ""))
        self._done.add(key)  # capped too: that moment is over, it is not tried again
        if row.get("result") == "capped":
            return  # nothing went out: it does not count against the cap
        self._per_day.setdefault((str(row.get("to", "")), str(row.get("day", ""))), set()).add(key)
