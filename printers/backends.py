"""Backends (连接方式): open a python-escpos printer from a PrinterConfig; print; check status.

Everything printed goes through python-escpos's one hook, ``_raw(bytes)``, with bytes from
:mod:`printers.escpos_render`; a backend only opens and closes a device, as in python-escpos.
Hardware libraries (pyusb, pyserial, pycups) are imported only when a printer of that kind
is opened, so the hub and tests import this module without them.

Time limits: some printers never answer DLE EOT, and a USB or network read can block for
ever.  :func:`check_status` therefore runs the query in a worker thread and gives up after
``timeout`` seconds (reporting ``status_timeout``), closing the device to unblock the read;
the transport timeouts (socket, serial, USB) are set too, so the thread normally ends by
itself.  Writes use transport timeouts scaled to the job size.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from typing import Any

from printers.config import PrinterConfig
from printers.errors import (
    BackendUnavailable,
    ConfigInvalid,
    DeviceMissing,
    PrinterError,
    PrinterUnreachable,
    StatusTimeout,
    WriteFailed,
)
from printers.escpos_render import render
from printers.layout import Document
from printers.status import DLE_EOT, QUERIES, PrinterEmulator, PrinterStatus, interpret

READABLE = ("usb", "serial", "network", "dummy")


def _emulated_dummy(state: str) -> Any:
    from escpos.printer import Dummy

    class EmulatedDummy(Dummy):  # type: ignore[misc]
        """Dummy that collects bytes and answers status queries like a printer in ``state``."""

        def __init__(self) -> None:
            super().__init__()
            self.emulator = PrinterEmulator(state)
            self._pending = b""

        def _raw(self, msg: bytes) -> None:
            super()._raw(msg)
            self._pending += self.emulator.feed(msg)

        def _read(self) -> bytes:
            out, self._pending = self._pending, b""
            return out

    return EmulatedDummy()


def _open_usb(cfg: PrinterConfig) -> Any:
    from escpos.printer import Usb

    if not Usb.is_usable():
        raise BackendUnavailable("USB 打印需要 pyusb：pip install pyusb；并安装 libusb (apt-get install libusb-1.0-0)",
                                 where=cfg.where())
    p = Usb(cfg.vendor_id, cfg.product_id, timeout=int(cfg.status_timeout * 1000),
            in_ep=cfg.in_ep, out_ep=cfg.out_ep)
    try:
        p.open()
    except Exception as e:
        if type(e).__name__ == "NoBackendError":  # pyusb found no libusb shared library
            raise BackendUnavailable("USB 打印需要 libusb：apt-get install libusb-1.0-0", where=cfg.where()) from e
        raise
    return p


def _open_cups(cfg: PrinterConfig) -> Any:
    from escpos.printer import LP, CupsPrinter

    if CupsPrinter.is_usable():
        p = CupsPrinter(cfg.queue)
    elif shutil.which("lp") and shutil.which("lpstat"):
        p = LP(cfg.queue)
    else:
        hint = "apt-get install cups-client（或 pip install pycups）"
        raise BackendUnavailable(f"CUPS 打印需要 pycups 或 lp 命令：{hint}", where=cfg.where())
    p.open()
    return p


def open_printer(cfg: PrinterConfig) -> Any:
    """An opened python-escpos printer, or a typed PrinterError saying what and where."""
    from escpos.exceptions import DeviceNotFoundError

    try:
        if cfg.backend == "dummy":
            return _emulated_dummy(cfg.dummy_status)
        if cfg.backend == "usb":
            return _open_usb(cfg)
        if cfg.backend == "cups":
            return _open_cups(cfg)
        if cfg.backend == "serial":
            from escpos.printer import Serial

            p = Serial(devfile=cfg.port, baudrate=cfg.baudrate, timeout=cfg.status_timeout)
        elif cfg.backend == "network":
            from escpos.printer import Network

            p = Network(cfg.host, cfg.tcp_port, timeout=cfg.status_timeout)
        elif cfg.backend == "file":
            from escpos.printer import File

            p = File(cfg.path, auto_flush=True)
        else:
            raise BackendUnavailable(f"未知连接方式 {cfg.backend!r}", where=cfg.name)
        p.open()
        return p
    except PrinterError:
        raise
    except (DeviceNotFoundError, OSError) as e:
        detail = str(e).splitlines()[-1] if str(e) else type(e).__name__
        if cfg.backend == "network":
            raise PrinterUnreachable(f"无法连接网络打印机：{detail}", where=cfg.where()) from e
        kind = {"usb": "未找到 USB 打印机", "serial": "无法打开串口", "file": "无法打开设备文件"}
        raise DeviceMissing(f"{kind.get(cfg.backend, '无法打开打印机')}：{detail}", where=cfg.where()) from e
    except RuntimeError as e:  # python-escpos raises this when a dependency is missing
        raise BackendUnavailable(f"缺少依赖：{e}", where=cfg.where()) from e


def _read_reply(printer: Any, cfg: PrinterConfig, timeout: float) -> bytes:
    if cfg.backend == "network":
        printer.device.settimeout(max(0.01, timeout))
        try:
            return bytes(printer.device.recv(16))
        except TimeoutError:
            return b""
    if cfg.backend == "serial":
        printer.device.timeout = max(0.01, timeout)
        return bytes(printer.device.read(1))
    if cfg.backend == "usb":
        try:
            return bytes(printer.device.read(cfg.in_ep, 16, max(1, int(timeout * 1000))))
        except Exception:  # pyusb raises USBTimeoutError (a USBError) on no data
            return b""
    return bytes(printer._read())


def query_status(printer: Any, cfg: PrinterConfig, timeout: float) -> PrinterStatus:
    """Ask DLE EOT 1, 2, 4 on an open printer; stop at the first silence or the deadline."""
    deadline = time.monotonic() + timeout
    replies: dict[int, int] = {}
    for n in QUERIES:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        printer._raw(DLE_EOT + bytes([n]))
        reply = _read_reply(printer, cfg, remaining)
        if not reply:
            break
        replies[n] = reply[-1]
        if reply[-1] & 0x93 != 0x12:
            break  # not a status byte: no point asking more of whatever this is
    status = interpret(replies, where=cfg.where())
    if isinstance(status.error, StatusTimeout):
        status.error.message = f"打印机在 {timeout:g} 秒内未应答状态查询 (DLE EOT)"
    return status


def _unreadable_status(cfg: PrinterConfig) -> PrinterStatus:
    """file / cups printers cannot be asked; report what we can see without printing."""
    if cfg.backend == "file":
        target = cfg.path if os.path.exists(cfg.path) else os.path.dirname(cfg.path) or "."
        if not os.access(target, os.W_OK):
            return PrinterStatus(False, "unknown", None,
                                 DeviceMissing(f"设备文件不存在或不可写：{cfg.path}", where=cfg.where()))
        return PrinterStatus(True, "unknown", None)
    if cfg.is_a4:  # a CUPS queue is asked with lpstat; a dummy A4 printer plays its dummy_status
        from printers.cups import check_queue, dummy_error

        try:
            check_queue(cfg) if cfg.backend == "cups" else dummy_error(cfg)
        except PrinterError as e:
            return PrinterStatus(False, "unknown", None, e)
        return PrinterStatus(True, "unknown", None)
    if not shutil.which("lpstat"):
        return PrinterStatus(False, "unknown", None, BackendUnavailable(
            "查询 CUPS 队列需要 lpstat：apt-get install cups-client", where=cfg.where()))
    try:
        run = subprocess.run(["lpstat", "-p", cfg.queue], capture_output=True, text=True,
                             timeout=cfg.status_timeout, check=False)
    except subprocess.TimeoutExpired:
        return PrinterStatus(False, "unknown", None, StatusTimeout("lpstat 未在时限内返回", where=cfg.where()))
    if run.returncode != 0:
        return PrinterStatus(False, "unknown", None,
                             DeviceMissing(f"CUPS 队列不存在：{cfg.queue}", where=cfg.where()))
    return PrinterStatus("disabled" not in run.stdout, "unknown", None)


def check_status(cfg: PrinterConfig, timeout: float | None = None, *, printer: Any = None) -> PrinterStatus:
    """The printer's status within ``timeout`` seconds (default: the config's status_timeout)."""
    timeout = cfg.status_timeout if timeout is None else timeout
    if cfg.backend not in READABLE or cfg.is_a4:
        return _unreadable_status(cfg)
    box: dict[str, Any] = {}

    def work() -> None:
        own = printer is None
        p = None
        try:
            p = open_printer(cfg) if own else printer
            box["printer"] = p
            if not cfg.profile.status_query:
                box["status"] = PrinterStatus(True, "unknown", None)
            else:
                box["status"] = query_status(p, cfg, timeout)
        except PrinterError as e:
            box["status"] = PrinterStatus(False, "unknown", None, e)
        except OSError as e:  # the connection died mid-query
            kind = PrinterUnreachable if cfg.backend == "network" else DeviceMissing
            box["status"] = PrinterStatus(False, "unknown", None, kind(f"状态查询时连接中断：{e}", where=cfg.where()))
        except Exception as e:
            box["status"] = PrinterStatus(False, "unknown", None, WriteFailed(f"状态查询失败：{e}", where=cfg.where()))
        finally:
            if own and p is not None:
                _close(p)

    worker = threading.Thread(target=work, name=f"printer-status-{cfg.name}", daemon=True)
    worker.start()
    worker.join(timeout + 0.5)
    if worker.is_alive():
        if printer is None and "printer" in box:
            _close(box["printer"])  # unblocks a read stuck in the device
        return PrinterStatus(False, "unknown", None,
                             StatusTimeout(f"打印机在 {timeout:g} 秒内未应答", where=cfg.where()))
    result: PrinterStatus = box["status"]
    return result


def _close(printer: Any) -> None:
    with contextlib.suppress(Exception):  # closing a dead device must not hide the real error
        printer.close()


def _set_write_timeout(printer: Any, cfg: PrinterConfig, size: int) -> None:
    if cfg.backend == "network" and isinstance(printer.device, socket.socket):
        printer.device.settimeout(10 + size / 20_000)
    elif cfg.backend == "serial":
        printer.device.write_timeout = 5 + size * 10 / cfg.baudrate * 2


def print_bytes(cfg: PrinterConfig, data: bytes, *, printer: Any = None, check: bool = True) -> PrinterStatus:
    """Send ready-made ESC/POS bytes; a blocking status (paper out …) raises before printing."""
    if cfg.is_a4:
        raise ConfigInvalid(f"{cfg.name} 是 A4 打印机，不能打印小票；A4 通知书请用 printers.cups.print_pdf",
                            where=cfg.where())
    own = printer is None
    p = open_printer(cfg) if own else printer
    try:
        status = PrinterStatus(True, "unknown", None)
        if check and cfg.backend in READABLE and cfg.profile.status_query:
            status = check_status(cfg, printer=p)
            status.raise_if_blocking()
        _set_write_timeout(p, cfg, len(data))
        try:
            p._raw(data)
        except PrinterError:
            raise
        except Exception as e:
            raise WriteFailed(f"打印数据发送失败：{e}", where=cfg.where()) from e
        return status
    finally:
        if own:
            _close(p)


def print_document(cfg: PrinterConfig, doc: Document, *, printer: Any = None, check: bool = True) -> PrinterStatus:
    """Render ``doc`` for the printer's profile and print it; returns the status seen before."""
    if doc.width_mm != cfg.width:
        raise ValueError(f"文档纸宽 {doc.width_mm} 与打印机 {cfg.name} 的纸宽 {cfg.width} 不一致")
    return print_bytes(cfg, render(doc, cfg.profile), printer=printer, check=check)
