"""``hallq slip --config HALL.toml``: the slip *that hall's* kiosk would print.

The hall file is read with the hub's own loader (the same validation and the same Hall as a real
hub and its kiosks get), so this half of the ``slip`` command lives in the composition root;
:mod:`printers.cli` makes, previews and sends the slip and is handed this function.
"""

from __future__ import annotations

import argparse
import datetime as dt

from hallq import clock as hallclock
from hallq.idcard import InvalidIdNumber, mask_id, mask_name, validate_id
from hub.config import ConfigError, load_hall
from printers.cli import SlipArgsError, hall_printer
from printers.config import PrinterConfig
from printers.layout import Printable
from printers.slip import TicketSlip, valid_until


def hall_slip(args: argparse.Namespace) -> tuple[Printable, PrinterConfig | None]:
    """The slip a kiosk of the hall in ``args.config`` would print, and that kiosk's printer."""
    if args.kind != "ticket":
        raise SlipArgsError(f"--config 只用于取号小票 (--kind ticket)；{args.kind} 请用 --sample")
    try:
        hall = load_hall(args.config)
    except ConfigError as e:
        raise SlipArgsError(str(e)) from None
    ticketable = [(m, s) for m in hall.matters.values() for s in m.situations
                  if s.queue and not (s.online or s.consult_only)]
    if not ticketable:
        raise SlipArgsError(f"{args.config}: 没有可取号的情形 (no situation with a queue)")
    if args.matter:
        mine = [(m, s) for m, s in ticketable if m.id == args.matter]
        if not mine:
            known = "、".join(dict.fromkeys(m.id for m, _ in ticketable))
            raise SlipArgsError(f"--matter {args.matter!r}：大厅中没有这个可取号的事项；可选：{known}")
        ticketable = mine
    if args.situation:
        mine = [(m, s) for m, s in ticketable if s.id == args.situation]
        if not mine:
            known = "、".join(s.id for _, s in ticketable)
            raise SlipArgsError(
                f"--situation {args.situation!r}：事项 {ticketable[0][0].id} 没有这个情形；可选：{known}")
        ticketable = mine
    matter, situation = ticketable[0]
    id_masked = ""
    if args.id:
        try:
            id_masked = mask_id(validate_id(args.id))
        except InvalidIdNumber as e:
            raise SlipArgsError(f"--id：{e}") from None
    if args.at:
        try:
            issued = dt.datetime.strptime(args.at, "%Y-%m-%d %H:%M")
        except ValueError:
            raise SlipArgsError(f"--at 应为 \"YYYY-MM-DD HH:MM\"，而不是 {args.at!r}") from None
    else:
        issued = hallclock.local(hallclock.now(), hall.timezone).replace(tzinfo=None, second=0, microsecond=0)
    number = args.number or f"{situation.queue}001"
    ticket_id = f"{issued:%Y-%m-%d}-{number}"
    slip = TicketSlip(
        hall_name=hall.name, ticket_number=number, matter=matter.name, situation=situation.name,
        windows=[f"{hall.windows[w].name}（{w}）" if hall.windows[w].name not in ("", w) else w
                 for w in hall.windows_serving(situation.queue)],  # as the kiosk prints them
        applicant_masked=mask_name(args.name or ""),
        id_masked=id_masked, waiting_ahead=args.ahead, issued_at=issued,
        qr_url=hall.progress_url.format(ticket_id=ticket_id, ticket=ticket_id, number=number, hall=hall.id,
                                        date=f"{issued:%Y-%m-%d}", token=f"{ticket_id}.sample"),
        materials=list(situation.materials), notes=list(hall.slip_footer),
        valid_until=valid_until(issued.time(), hall.policy.expire_at),
    )
    return slip, hall_printer(hall.printer_tables, hall.devices, args.printer, args.printer_override)
