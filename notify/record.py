"""The notifier's log of what it did with each moment: a JSON-lines file, one line per step, no personal data.

Each line is ``{"key", "ticket", "kind", "day", "at", "result", "tries", "by"}``: the moment's key
(:mod:`notify.rules`), the ticket, the kind, the hall day, the time, and what became of it:
``sending`` (written before the gateway is called) then ``sent`` / ``failed``; ``capped`` (the hub
refused the claim: the number reached the day's cap, nothing sent); ``taken`` (another notifier, named
in ``by``, claimed the moment first: it sends it, this one does not). Never the phone number, never
the text, nothing derived from the number.

Who may send a moment is decided by the hub (``notify.claim``, docs/notify.md), which keeps the claims
with the hall's events, replicated to the standby hub: that is what stops two notifiers, or a notifier
after a failover, from sending a moment twice. This record is the notifier's own account, read by
``hallq doctor``, and a first filter: a key it already holds is not asked about again. A ``sending`` line
is flushed to disk *before* the gateway is called, so a notifier killed mid-send does not send again.
Old lines can be dropped with the hall's retention (IT's ``logrotate`` or by hand).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Record:
    path: Path
    _done: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, folder: str | Path) -> Record:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        rec = cls(folder / "notify-record.jsonl")
        if rec.path.exists():
            for line in rec.path.read_text("utf-8").splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by a crash: its key was never sent
                rec._done.add(str(row.get("key", "")))
        return rec

    def done(self, key: str) -> bool:
        """Any line for the key: sent, failed, capped, taken by another, or cut off mid-send (not tried again)."""
        return key in self._done

    def write(self, *, key: str, ticket: str, kind: str, day: str, at: float, result: str, tries: int = 0,
              by: str = "") -> None:
        row: dict[str, object] = {"key": key, "ticket": ticket, "kind": kind, "day": day, "at": at,
                                  "result": result, "tries": tries}
        if by:
            row["by"] = by
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self._done.add(key)

    def rows(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.path.read_text("utf-8").splitlines()] if self.path.exists() else []
