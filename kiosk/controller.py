"""Wires the kiosk model to the hall (MQTT through :class:`hallq.qt.bridge.QtHall`), the printer,
the ID-card reader and the clock.

The model decides; this class carries out its effects off the GUI thread and hands every
answer back on the GUI thread through queued Qt signals:

* :class:`~kiosk.model.Send` → :meth:`QtHall.request` (the one device shell's request
  worker) with the model's request id (so a retry, even after the hub was down, can never
  issue a second ticket); an answer after :meth:`close` is dropped by the shell;
* :class:`~kiosk.model.Print` → the slip on the kiosk's printer, recorded in the unprinted
  spool first and removed once printed or voided;
* the printer's status every few seconds → the model, and ``HallClient.set_status`` when it
  changes (guides see paper out on their pads);
* retained catalogue, the hub's presence and ``event/reprint`` → typed by a
  :class:`~hallq.mirror.HallMirror` → the model.
"""

from __future__ import annotations

import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import msgspec
from PySide6.QtCore import QObject, QTimer, Signal

from hallq import clock as hallclock
from hallq.client import HallClient, RequestError
from hallq.mirror import HUB_DEVICE, HallMirror
from hallq.qt.bridge import QtHall
from kiosk.idreader import CardRead, IdReader
from kiosk.model import KioskModel, Print, Purpose, Send
from kiosk.printing import KioskPrinter, PrinterState, UnprintedSpool, printer_config, slip_for
from printers.errors import PrinterError, WriteFailed

log = logging.getLogger("hallq.kiosk")


class KioskController(QObject):
    _printed = Signal(object, bool, object, object)  # view, reprint, state, error
    _printer_state = Signal(object)
    _card = Signal(object)
    probe_every_s = 5.0

    def __init__(self, client: HallClient, model: KioskModel, *, spool_path: str | Path,
                 printer_override: str = "", printer: KioskPrinter | None = None, reader: IdReader | None = None,
                 request_timeout: float = 3.0, request_retries: int = 1, printer_poll_s: float = 5.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.hall = QtHall(client, self)
        self.model = model
        self.spool = UnprintedSpool(spool_path)
        self.printer_override = printer_override
        self.printer = printer
        self.printer_error = ""  # configuration problem, shown as a printer fault
        self.reader = reader
        self.request_timeout = request_timeout
        self.request_retries = request_retries
        self._printing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-print")
        self._printing_now: set[str] = set()
        self._status_busy = False
        self._published: dict[str, Any] | None = None
        self._spool_settled = False
        self._probing = False
        self._last_probe = 0.0
        t = client.topics
        self.mirror = HallMirror(t)  # the hub's messages, typed
        self._hub_presence = t.presence("hub")
        for topic in (t.catalog, self._hub_presence, t.event("reprint"), t.queues):  # queues: 预计等候
            client.subscribe(topic)
        self.hall.message.connect(self._on_message)
        self.hall.connection_changed.connect(self._on_connection)
        self._printed.connect(self._on_printed)
        self._printer_state.connect(self._on_printer_state)
        self._card.connect(self._on_card)
        model.subscribe(self._flush)
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(1000)
        self.idle_timer.timeout.connect(self._tick)
        self.idle_timer.start()
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(int(printer_poll_s * 1000))
        self.poll_timer.timeout.connect(self.check_printer)
        self.poll_timer.start()
        if reader is not None:
            reader.start(self._card.emit)
        if client.connected.is_set():
            model.set_broker(True)
            for topic in (t.catalog, self._hub_presence):
                if topic in client.state:
                    self._on_message(topic, client.state[topic])

    # ------------------------------------------------------------ inputs from the hall

    def _on_connection(self, up: bool) -> None:
        self.model.set_broker(up)
        if up and self._published is not None:
            self.client.set_status(self._published)  # retained, but a broker may have lost it

    def _on_message(self, topic: str, data: Any) -> None:
        change = self.mirror.feed(topic, data)  # typed; a malformed payload is logged there and ignored
        if change is None or change.message is None:
            return
        message = change.message
        if change.kind == "catalog":
            self.model.set_catalog(message)
            self._setup_printer()
        elif change.kind == "queues":
            self.model.set_queues(message.queues)
        elif change.kind == "presence" and change.name == HUB_DEVICE:
            self.model.set_hub(message.online)
        elif change.kind == "event" and change.name == "reprint" and message.device == self.model.device:
            self.model.on_reprint_request(msgspec.to_builtins(message.ticket))  # the hub's ticket view, as sent
            self._flush()

    def _on_card(self, card: CardRead) -> None:
        self.model.card_read(card.id_number, card.name)

    # ------------------------------------------------------------ printer

    def _setup_printer(self) -> None:
        if self.printer is not None or self.model.catalog is None:
            return
        cat = self.model.catalog
        device = cat.devices.get(self.model.device)
        name = device.printer if device else ""
        try:
            self.printer = KioskPrinter(printer_config(cat.printers, name, self.printer_override))
        except (ValueError, PrinterError) as exc:
            self.printer_error = str(exc)
            log.error("kiosk %s: no usable printer: %s", self.model.device, exc)
            self._on_printer_state(PrinterState(False, "unknown", "config", f"打印机配置错误：{exc}", True, True))
            return
        self.check_printer()

    def check_printer(self) -> None:
        if self.printer is None or self._status_busy or self._printing_now:
            return
        self._status_busy = True
        printer = self.printer

        def work() -> None:
            try:
                state = printer.status()
            except PrinterError as exc:
                state = PrinterState.from_error(exc)
            except Exception as exc:  # a driver bug must show as a fault, not kill the poll
                state = PrinterState.from_error(WriteFailed(f"状态查询失败：{exc}"))
            self._printer_state.emit(state)

        self._printing.submit(work)

    def _on_printer_state(self, state: PrinterState) -> None:
        self._status_busy = False
        self._publish_status(state)
        self.model.set_printer(state)
        self._settle_spool()

    def _publish_status(self, state: PrinterState) -> None:
        status = state.as_status()
        if status != self._published:
            self._published = status
            if self.client.connected.is_set():
                self.client.set_status(status)

    def _settle_spool(self) -> None:
        """Tickets an earlier run issued but never printed: void them once (the citizen has gone)."""
        if self._spool_settled or not self.model.online:
            return
        self._spool_settled = True
        left = [tid for tid in self.spool.entries() if tid not in self._printing_now
                and not (self.model.pending_print and self.model.pending_print.get("id") == tid)]
        if left:
            log.warning("voiding %d ticket(s) left unprinted by an earlier run", len(left))
            self.model.void_unprinted(left)
            self._flush()

    # ------------------------------------------------------------ effects

    def _flush(self) -> None:
        for effect in self.model.take_effects():
            if isinstance(effect, Send):
                if self.model.online:
                    self._send(effect)
                # offline: the model keeps it (pending or orphan) and repeats it when back
            elif isinstance(effect, Print):
                self._print(effect)

    def _send(self, send: Send) -> None:
        log.info("kiosk %s → %s (request %s)", self.model.device, send.op, send.request_id[:8])

        self.hall.request(send.op, send.args, lambda result, error: self._on_replied(send, result, error),
                          timeout=self.request_timeout, retries=self.request_retries, request_id=send.request_id)

    def _on_replied(self, send: Send, result: dict[str, Any] | None, error: RequestError | None) -> None:
        if send.purpose is Purpose.VOID and (error is None or error.code != "timeout"):
            self.spool.remove(str(send.args.get("ticket", "")))  # voided, or nothing left to void
        if error is None:
            self.model.on_reply(send, result or {})
        else:
            log.info("kiosk %s: %s refused: %s", self.model.device, send.op, error.code)
            self.model.on_error(send, error.code, error.message)
        self._flush()

    def _print(self, job: Print) -> None:
        view = job.view
        tid = str(view.get("id", ""))
        if tid in self._printing_now:
            return
        if self.printer is None:
            self._on_printed(view, job.reprint, PrinterState(False, "unknown", "config", self.printer_error
                                                             or "没有配置打印机", True, True), True)
            return
        cat = self.model.catalog
        hall_name = cat.hall_name if cat else ""
        tz = cat.timezone if cat else "Asia/Shanghai"
        expire_at, footer = (cat.expire_at, cat.slip_footer) if cat else ((), ())
        group = cat.priority_groups.get(view.get("priority_group", ""), "") if cat else ""
        window_names = dict(cat.windows) if cat else {}
        if not job.reprint:
            self.spool.add(tid, str(view.get("number", "")), hallclock.now())
        self._printing_now.add(tid)
        printer = self.printer

        def work() -> None:
            try:
                state = printer.print_slip(slip_for(view, hall_name, tz, group, window_names,
                                                    expire_at=expire_at, footer=footer))
            except PrinterError as exc:
                self._printed.emit(view, job.reprint, PrinterState.from_error(exc), exc)
            except Exception as exc:
                err = WriteFailed(f"打印失败：{exc}")
                self._printed.emit(view, job.reprint, PrinterState.from_error(err), err)
            else:
                self._printed.emit(view, job.reprint, state, None)

        self._printing.submit(work)

    def _on_printed(self, view: dict[str, Any], reprint: bool, state: PrinterState, error: object) -> None:
        self._printing_now.discard(str(view.get("id", "")))
        self._publish_status(state)
        if error is None:
            if not reprint:
                self.spool.remove(str(view.get("id", "")))
            self.model.printer = state
            self.model.on_printed(view, reprint)
        else:
            log.warning("kiosk %s: slip %s not printed: %s", self.model.device, view.get("number"),
                        getattr(error, "code", error))
            self.model.on_print_failed(view, state, reprint)
        self._flush()

    # ------------------------------------------------------------ time

    def _tick(self) -> None:
        self.model.tick()
        self._flush()
        self._probe_hub()

    def _probe_hub(self) -> None:
        """After a timeout the hub may be back without re-announcing itself: ask it now and then."""
        m = self.model
        if m.hub_up or not m.broker_up or m.catalog is None or self._probing:
            return
        now = time.monotonic()
        if now - self._last_probe < self.probe_every_s:
            return
        self._last_probe, self._probing = now, True

        self.hall.request("hall.snapshot", {}, lambda result, error: self._on_probed(error is None),
                          timeout=self.request_timeout, retries=0)

    def _on_probed(self, ok: bool) -> None:
        self._probing = False
        if ok:
            self.model.set_hub(True)

    def close(self) -> None:
        self.model.unsubscribe_all()
        for sig in (self._printed, self._printer_state, self._card):
            with contextlib.suppress(RuntimeError, TypeError):  # nothing connected
                sig.disconnect()
        self.idle_timer.stop()
        self.poll_timer.stop()
        if self.reader is not None:
            self.reader.stop()
        self._printing.shutdown(wait=True, cancel_futures=True)
        self.hall.close()  # requests still on their way are dropped (the one late-reply guard); the client stops

