"""同意接收办理通知: the one tap on the ID screen that lets the hall message a citizen (docs/notify.md).

Shown only where the hall runs a notifier (a ``notify`` device in the catalogue). The words say what
is sent, that it can be declined, and how long the number is kept; the button says plainly whether
the citizen has agreed. Without the tap the number (if typed) is kept only as ``138****5678``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QWidget

from hallq.i18n import tr
from kiosk.model import KioskModel
from kiosk.widgets import button, card, label


def consent_text(days: int) -> str:
    return tr("同意后，我们会用短信通知您：还有几位轮到您、请到哪个窗口办理、办件办结后到哪里领取。"
              "手机号码加密保存，只用于这些通知，办件结束后保存 {days} 天即删除。不同意也可以正常取号。",
              days=days)


def consent_box(model: KioskModel) -> QWidget:
    """The consent, stated, and one button that turns it on or off."""
    days = model.catalog.retention_days if model.catalog else 90
    on = model.notify_consent
    text = tr("✔ 已同意接收短信通知（点此取消）") if on else tr("☐ 同意接收短信通知（点此同意）")
    tap = button(text, model.toggle_consent, "primary" if on else "action")
    box: QFrame = card(tap, label(consent_text(days), "subtitle"))
    return box
