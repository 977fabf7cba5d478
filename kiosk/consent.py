"""同意接收办理通知: the one tap on the ID screen that lets the hall message a citizen (docs/notify.md).

Shown only where the hall runs a notifier (a ``notify`` device in the catalogue). The words say what
is sent, that it can be declined, and how long the number is kept; the button says plainly whether
the citizen has agreed. Without the tap the number (if typed) is kept only as ``138****5678``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hallq.i18n import tr
from kiosk.model import KioskModel
from kiosk.widgets import button, label


def consent_text(days: int) -> str:
    return tr("同意后，我们会用短信通知您：还有几位轮到您、请到哪个窗口办理、办件办结后到哪里领取。"
              "手机号码加密保存，只用于这些通知，办件结束后保存 {days} 天即删除。不同意也可以正常取号。",
              days=days)


def consent_button(model: KioskModel, compact: bool = False) -> QPushButton:
    """One button that says whether the citizen agreed, and turns it on or off (``compact``: 长者模式,
    beside the phone field's name, so that 确定取号 stays on the first screen)."""
    on = model.notify_consent
    if compact:
        b = button(tr("✔ 已同意短信通知") if on else tr("☐ 同意接收短信通知"), model.toggle_consent,
                   "elderOn" if on else "nav")
        b.setStyleSheet("min-height: 0px; padding: 6px 18px;")  # as tall as its words: the row stays one line
        return b
    text = tr("✔ 已同意接收短信通知（点此取消）") if on else tr("☐ 同意接收短信通知（点此同意）")
    return button(text, model.toggle_consent, "primary" if on else "action")


def consent_short(days: int) -> str:
    """长者模式's words under 确定取号: the same three facts in one large line (the long text would be cut)."""
    return tr("短信通知叫号和领取；号码加密，{days}天后删除；可不同意", days=days)


def consent_note(model: KioskModel) -> QLabel:
    """What is sent, that it can be declined, how long the number is kept (长者模式: :func:`consent_short`)."""
    days = model.catalog.retention_days if model.catalog else 90
    return label(consent_short(days) if model.elder else consent_text(days), "subtitle")


def consent_box(model: KioskModel) -> QWidget:
    """The consent, stated, and its button, in one card (长者模式 splits them: see :func:`phone_row`)."""
    box = QFrame()
    box.setObjectName("card")
    lay = QVBoxLayout(box)
    lay.setContentsMargins(16, 8, 16, 8)  # tighter than a card: 确定取号 stays on the first screen
    lay.setSpacing(4)
    lay.addWidget(consent_button(model))
    lay.addWidget(consent_note(model))
    return box


def phone_row(model: KioskModel) -> QHBoxLayout:
    """长者模式: the phone field's name and the compact consent button on one line."""
    row = QHBoxLayout()
    row.addWidget(label(tr("手机号码（选填）"), "section"), 1)
    row.addWidget(consent_button(model, compact=True))
    return row
