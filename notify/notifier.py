"""The notifier's one pass: ask the hub where each consenting citizen stands, send what is due.

:meth:`Notifier.run_once` asks ``notify.watch`` (no phone numbers in it), lets :func:`notify.rules.due`
decide, skips every moment already in the :class:`~notify.record.Record`, and for each new one asks
``notify.phone`` for that ticket's number (held only for the call to the gateway), then claims the
moment from the hub (``notify.claim``: granted to one notifier only, across restarts, PCs and a hub
failover, and only while the number is under the day's cap), writes ``sending``, then tries the
transport with retries and a doubling backoff and writes ``sent`` or ``failed``. A claim the hub
refuses is written ``capped`` or ``taken`` (another notifier sends it) and not sent. A failing gateway
never stops the pass: the next message is tried. Nothing is sent for a ticket without consent (the hub
lists only consenting ones and unseals only theirs).

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
from hallq.messages import NotifyClaimAnswer, NotifyItem
from notify.config import NotifyConfig
from notify.record import Record
from notify.rules import Due, due
from notify.transport import Transport, TransportError

log = logging.getLogger("hallq.notify")

Ask = Callable[[str, dict[str, Any]], dict[str, Any]]  # HallClient.request


class Notifier:
    def __init__(self, ask: Ask, transport: Transport, record: Record, cfg: NotifyConfig, *,
                 clock: Callable[[], float] = hallclock.now, sleep: Callable[[float], None] = time.sleep,
                 device: str = "") -> None:
        self.ask = ask
        self.device = device  # this notifier's device id: a claim the hub holds for it and the record lacks is resumed
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
            answer = msgspec.convert(self.ask("notify.claim", {"ticket": d.ticket, "key": d.key, "kind": d.kind,
                                                               "cap": self.cfg.daily_cap})["claim"], NotifyClaimAnswer)
        except RequestError as exc:
            if exc.code != "no_consent":
                raise  # the hub away or refusing (rate_limited): the pass ends, the next one tries again
            log.info("no number for %s (%s): %s", d.ticket, d.kind, exc.code,
                     extra={"ticket": d.ticket, "kind": d.kind, "code": exc.code})
            return ""  # consent gone (purged) between the asks: nothing to send
        now = self.clock()
        day = hallclock.local(now, self.cfg.timezone).date().isoformat()
        def write(result: str, at: float, tries: int = 0, by: str = "") -> None:
            self.record.write(key=d.key, ticket=d.ticket, kind=d.kind, day=day, at=at, result=result, tries=tries,
                              by=by)

        if answer.capped:
            write("capped", now, by=answer.by)
            log.warning("%s %s not sent: daily cap %d reached", d.ticket, d.kind, self.cfg.daily_cap,
                        extra={"ticket": d.ticket, "kind": d.kind, "result": "capped"})
            return "capped"
        if not answer.granted and not (self.device and answer.by == self.device):
            write("taken", now, by=answer.by)
            log.info("%s %s claimed by %s: not sent here", d.ticket, d.kind, answer.by,
                     extra={"ticket": d.ticket, "kind": d.kind, "result": "taken", "by": answer.by})
            return "taken"
        # granted; or claimed by this very device whose record has no line for it (the claim's answer was lost
        # before the "sending" line): the gateway was never called for it, so it is sent now
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
