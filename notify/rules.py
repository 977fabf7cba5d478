"""Which message is due for a consenting citizen, from where the ticket and its case stand (pure).

``notify.watch`` gives a :class:`hallq.messages.NotifyItem` per consenting ticket; :func:`due` turns
one into the messages it calls for, each under a key that names the moment, not the text:

=============  ==================================================  ====================================
kind           when                                                key
=============  ==================================================  ====================================
``near``       waiting, with ``near`` or fewer people ahead        ``<ticket>:near``
``called``     called to a window                                  ``<ticket>:called:<window>``
``correction`` the case waits for 补正 materials (一次性告知 given)  ``<case>:correction:<reasons' hash>``
``pickup``     the result waits at the 出件 window, to be collected  ``<case>:pickup``
               there (a 不予许可 decision too: its written decision)
``locker``     the result is in a self-service locker (已投柜)        ``<case>:locker``
``posted``     the result is posted (已邮寄), with the tracking number ``<case>:posted``
``denied``     the case is refused (不予许可), its written decision  ``<case>:denied``
               not yet at the 出件 window (to be posted: "as chosen")
``rejected``   the application was refused at the window (不予受理) ``<ticket>:rejected``
=============  ==================================================  ====================================

A result to be posted or put in a locker is not announced at the 出件 window (the citizen need not
come): only once it is posted or in the locker. The texts name the tracking number and the
compartment, never the postal address (the hub keeps it sealed and never gives it out).

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

KINDS = ("near", "called", "correction", "pickup", "locker", "posted", "denied", "rejected")


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
    if item.state == "rejected":
        words = tr("{number} 号：您的申请不予受理，请到 {window} 窗口领取书面告知。", number=item.number,
                   window=item.window or cfg.pickup_place)
        out.append(Due(f"{item.ticket}:rejected", item.ticket, "rejected", sign + words))
    if item.case:
        out.extend(_result(item, cfg, sign))
    return out


def _result(item: NotifyItem, cfg: NotifyConfig, sign: str) -> list[Due]:
    """The messages of a decided case: refused (不予许可), then where its result is."""
    denied = item.decision == "denied" or item.case_state == "denied"
    at_window = item.delivery in ("", "pickup")  # else posted or put in a locker: the citizen need not come
    if denied and item.case_state in ("denied", "result_transferring"):
        reasons = "；".join(item.reasons)
        if not at_window:
            words = tr("您的办件经审查不予许可（{reasons}），书面决定将按您选择的方式送达，届时另行通知。",
                       reasons=reasons or tr("见书面决定"))
        elif reasons:
            words = tr("您的办件经审查不予许可（{reasons}），书面决定送到{place}后请凭身份证领取。", reasons=reasons,
                       place=cfg.pickup_place)
        else:
            words = tr("您的办件经审查不予许可，书面决定送到{place}后请凭身份证领取。", place=cfg.pickup_place)
        return [Due(f"{item.case}:denied", item.ticket, "denied", sign + words)]
    if item.case_state == "ready" and at_window:
        words = (tr("不予许可的书面决定已送到{place}，请凭身份证领取。", place=cfg.pickup_place) if denied else
                 tr("办件已办结，请到{place}领取。", place=cfg.pickup_place))
        return [Due(f"{item.case}:pickup", item.ticket, "pickup", sign + words)]
    if item.case_state == "in_locker":
        words = (tr("办件已办结，结果已放入自助柜 {box} 号格口，请按柜机提示取件。", box=item.compartment)
                 if item.compartment else tr("办件已办结，结果已放入自助柜，请按柜机提示取件。"))
        return [Due(f"{item.case}:locker", item.ticket, "locker", sign + words)]
    if item.case_state == "posted":
        words = (tr("办件已办结，结果已邮寄，快递单号 {tracking}，请留意查收。", tracking=item.tracking)
                 if item.tracking else tr("办件已办结，结果已邮寄，请留意查收。"))
        return [Due(f"{item.case}:posted", item.ticket, "posted", sign + words)]
    return []
