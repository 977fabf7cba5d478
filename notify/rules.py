"""Which message is due for a consenting citizen, from where the ticket and its case stand (pure).

``notify.watch`` gives a :class:`hallq.messages.NotifyItem` per consenting ticket; :func:`due` turns
one into the messages it calls for, each under a key that names the moment, not the text:

=============  ==================================================  ====================================
kind           when                                                key
=============  ==================================================  ====================================
``near``       waiting, with ``near`` or fewer people ahead        ``<ticket>:near``
``called``     called to a window                                  ``<ticket>:called:<window>``
``correction`` the case waits for 补正 materials (一次性告知 given)  ``<case>:correction:<reasons' hash>``
``pickup``     the case's result waits at the 出件 window          ``<case>:pickup``
=============  ==================================================  ====================================

The sender keeps the keys it has sent (:mod:`notify.record`), so each moment is messaged once: a
recall to the same window is not, a transfer called at another window is. Texts carry the ticket
number and windows, never a name or ID number.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from hallq.i18n import tr
from hallq.messages import NotifyItem
from notify import texts  # noqa: F401  (English for the messages)
from notify.config import NotifyConfig

KINDS = ("near", "called", "correction", "pickup")


@dataclass(frozen=True)
class Due:
    key: str
    ticket: str
    kind: str
    text: str = ""  # what the gateway sends; never logged or recorded


def due(item: NotifyItem, cfg: NotifyConfig) -> list[Due]:
    out: list[Due] = []
    sign = cfg.gateway.sign
    if item.state == "waiting" and 0 <= item.ahead <= cfg.near:
        words = (tr("{number} 号：下一位就是您，请到叫号屏前留意叫号。", number=item.number) if item.ahead == 0 else
                 tr("{number} 号：还有 {n} 位轮到您，请回到大厅留意叫号。", number=item.number, n=item.ahead))
        out.append(Due(f"{item.ticket}:near", item.ticket, "near", sign + words))
    if item.state == "called" and item.window:
        words = tr("{number} 号：请到 {window} 窗口办理。", number=item.number, window=item.window)
        out.append(Due(f"{item.ticket}:called:{item.window}", item.ticket, "called", sign + words))
    if item.case and item.case_state == "awaiting_correction":
        reasons = "；".join(item.reasons)
        tag = hashlib.sha256(reasons.encode()).hexdigest()[:8]
        where = item.case_window or cfg.pickup_place
        words = (tr("您的办件需要补正材料（一次性告知：{reasons}），请携带补正材料到 {window} 窗口。", reasons=reasons,
                    window=where) if reasons else
                 tr("您的办件需要补正材料，请携带一次性告知书所列材料到 {window} 窗口。", window=where))
        out.append(Due(f"{item.case}:correction:{tag}", item.ticket, "correction", sign + words))
    if item.case and item.case_state == "ready":
        words = tr("办件已办结，请到{place}领取。", place=cfg.pickup_place)
        out.append(Due(f"{item.case}:pickup", item.ticket, "pickup", sign + words))
    return out
