"""Typed printer errors (打印机故障) with stable codes the kiosk can act on.

The kiosk shows ``message`` (Chinese first) to people and switches on ``code``; ``blocking``
says whether printing must stop (paper out) or may go on with a warning (paper near end).
Codes are part of the contract with kiosk/ and the hub: never rename one.
"""


from __future__ import annotations


class PrinterError(Exception):
    """Base class: ``code`` is stable, ``message`` is for people, ``where`` names the printer."""

    code = "printer_error"
    blocking = True

    def __init__(self, message: str, *, where: str = "") -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "where": self.where, "blocking": self.blocking}


class PaperOut(PrinterError):
    code = "paper_out"


class PaperNearEnd(PrinterError):
    """The near-end sensor tripped: a few metres are left, print but call staff."""

    code = "paper_near_end"
    blocking = False


class PrinterOffline(PrinterError):
    code = "offline"


class CoverOpen(PrinterError):
    code = "cover_open"


class DeviceMissing(PrinterError):
    """USB device not found, serial port or device file absent."""

    code = "device_missing"


class PrinterUnreachable(PrinterError):
    """A network printer refused or did not accept the connection in time."""

    code = "unreachable"


class StatusTimeout(PrinterError):
    """The printer did not answer a status query in time (some models never do)."""

    code = "status_timeout"


class BadReply(PrinterError):
    """Something answered, but not with ESC/POS status bytes (wrong port, not a printer)."""

    code = "bad_reply"


class WriteFailed(PrinterError):
    code = "write_failed"


class BackendUnavailable(PrinterError):
    """The backend needs a library or program that is not installed (pyusb, pycups, lp)."""

    code = "backend_unavailable"


class FontMissing(PrinterError):
    """No CJK font to render previews and raster lines; the message names what to install."""

    code = "font_missing"


class ConfigInvalid(PrinterError):
    code = "config_invalid"


ALL_ERRORS: tuple[type[PrinterError], ...] = (
    PaperOut,
    PaperNearEnd,
    PrinterOffline,
    CoverOpen,
    DeviceMissing,
    PrinterUnreachable,
    StatusTimeout,
    BadReply,
    WriteFailed,
    BackendUnavailable,
    FontMissing,
    ConfigInvalid,
)
