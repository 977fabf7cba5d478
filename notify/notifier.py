"""The notifier's one pass: ask the hub where each consenting citizen stands, send what is due.

:meth:`Notifier.run_once` asks ``notify.watch`` (no phone numbers in it), lets :func:`notify.rules.due`
decide, skips every moment already in the :class:`~notify.record.Record`, and for each new one asks
``notify.phone`` for that ticket's number (held only for the call to the gateway), checks the day's cap
per number, writes ``sending``, then tries the transport with retries and a doubling backoff and writes
``sent`` or ``failed``. A failing gateway never stops the pass: the next message is tried. Nothing is
sent for a ticket without consent (the hub lists only consenting ones and unseals only theirs).

Log lines name the ticket, the kind and the result: never the number or the text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import msgspec

from hallq import clock as hallclock
from hallq.client import RequestError
from hallq.messages import NotifyItem
from notify.config import NotifyConfig
from notify.record import Record
from notify.rules import Due, due
from notify.transport import Transport, TransportError

log = logging.getLogger("hallq.notify")

Ask = Callable[[str, dict[str, Any]], dict[str, Any]]  # HallClient.request


class Notifier:
    def __init__(self, ask: Ask, transport: Transport, record: Record, cfg: NotifyConfig, *,
                 clock: Callable[[], float] = hallclock.now, sleep: Callable[[float], None] = time.sleep) -> None:
        self.ask = ask
        self.transport = transport
        self.record = record
        self.cfg = cfg
        self.clock = clock
        self.sleep = sleep

    def run_once(self) -> list[tuple[str, str]]:
        """One pass; the (key, result) of every message tried."""
        items = msgspec.convert(self.ask("notify.watch", {})["items"], list[NotifyItem])
        out = []
        for item in items:
            for d in due(item, self.cfg):
                if not self.record.done(d.key):
                    result = self._send(d)
                    if result:
                        out.append((d.key, result))
        return out

    def _send(self, d: Due) -> str:
        try:
            phone = str(self.ask("notify.phone", {"ticket": d.ticket})["phone"])
        except RequestError as exc:
            if exc.code != "no_consent":
                raise  # the hub away or refusing (rate_limited): the pass ends, the next one tries again
            log.info("no number for %s (%s): %s", d.ticket, d.kind, exc.code,
                     extra={"ticket": d.ticket, "kind": d.kind, "code": exc.code})
            return ""  # consent gone (purged) between the two asks: nothing to send
        now = self.clock()
        day = hallclock.local(now, self.cfg.timezone).date().isoformat()
        to = self.record.tag(phone)
        def write(result: str, at: float, tries: int = 0) -> None:
            self.record.write(key=d.key, ticket=d.ticket, kind=d.kind, day=day, to=to, at=at, result=result,
                              tries=tries)

        if self.record.count(to, day) >= self.cfg.daily_cap:
            write("capped", now)
            log.warning("%s %s not sent: daily cap %d reached", d.ticket, d.kind, self.cfg.daily_cap,
                        extra={"ticket": d.ticket, "kind": d.kind, "result": "capped"})
            return "capped"
        write("sending", now)  # on disk before the gateway is called
        delay = self.cfg.backoff_s
        for tries in range(1, self.cfg.retries + 2):
            try:
                self.transport.send(phone, d.text, d.key)
            except TransportError as exc:
                log.warning("%s %s try %d failed: %s", d.ticket, d.kind, tries, exc,
                            extra={"ticket": d.ticket, "kind": d.kind, "tries": tries})
                if tries <= self.cfg.retries:
                    self.sleep(delay)
                    delay *= 2
                continue
            write("sent", self.clock(), tries)
            log.info("%s %s sent", d.ticket, d.kind, extra={"ticket": d.ticket, "kind": d.kind, "result": "sent"})
            return "sent"
        write("failed", self.clock(), self.cfg.retries + 1)
        log.error("%s %s failed after %d tries", d.ticket, d.kind, self.cfg.retries + 1,
                  extra={"ticket": d.ticket, "kind": d.kind, "result": "failed"})
        return "failed"
