"""取号 on the kiosk: the keypad screens (ID, 过号取号, 预约签到), working, the ticket, refusals, and the two
out-of-service screens (offline, printer fault).

Each page redraws itself from :class:`~kiosk.model.KioskModel` (see :class:`kiosk.widgets.Page`); every
touch calls one model method.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QWidget

from hallq.i18n import tr
from hallq.waits import CAVEAT, UNKNOWN, wait_of
from kiosk.model import Field, Screen
from kiosk.widgets import AMBER, RED, Page, badge, button, card, label


class EntryPage(Page):
    """IDENTIFY, RETAKE and CHECKIN: fields over an on-screen keypad."""

    def fill(self) -> None:
        m = self.model
        b = self.body
        b.setSpacing(10 if m.elder else 18)  # 长者模式: big keys and fields, 确定 still on the first screen
        screen = m.screen
        if screen is Screen.IDENTIFY:
            assert m.walk is not None
            assert m.situation is not None
            b.addWidget(label(tr("请刷身份证或输入身份证号码"), "title"))
            what = tr("办理：{matter} · {situation}", matter=m.walk.matter.name, situation=m.situation.name)
            if m.assist:
                what += tr("（帮办代办）")
            b.addWidget(label(what, "subtitle"))
            if m.priority_group:
                b.addWidget(badge(tr("绿色通道：{group}（需到引导台核验）", group=m.group_name), warn=True))
            notify = m.catalog is not None and m.catalog.has_notifier  # the consent is asked (kiosk/consent.py)
            phone = tr("手机号码（选填，同意后用于接收短信通知）") if notify else \
                tr("手机号码（选填，用于接收办理通知）")
            fields = [(Field.ID, tr("身份证号码")), (Field.PHONE, phone)]
            confirm = tr("确定取号")
        elif screen is Screen.RETAKE:
            b.addWidget(label(tr("过号取号"), "title"))
            b.addWidget(label(tr("请输入小票上的票号（如 A012），重新排队；每张票可过号取号 {n} 次。",
                                 n=m.catalog.retake_limit if m.catalog else 1), "subtitle"))
            fields = [(Field.TICKET, tr("票号"))]
            confirm = tr("重新取号")
        else:
            b.addWidget(label(tr("预约签到"), "title"))
            b.addWidget(label(tr("请输入预约码，或刷身份证 / 输入身份证号码签到。"), "subtitle"))
            fields = [(Field.CODE, tr("预约码")), (Field.ID, tr("身份证号码"))]
            confirm = tr("签到取号")
        for f, name in fields:
            if f is Field.PHONE and m.elder and m.catalog is not None and m.catalog.has_notifier:
                from kiosk.consent import phone_row

                b.addLayout(phone_row(m))
            else:
                b.addWidget(label(name, "section"))
            value = QLabel(m.field_display(f) or " ")
            value.setObjectName("fieldActive" if f is m.field else "field")
            value.mousePressEvent = partial(lambda field, _e: m.select_field(field), f)  # type: ignore[method-assign]
            b.addWidget(value)
        if Field.ID in (f for f, _ in fields):
            b.addWidget(label(tr("为保护隐私，号码输完后出生日期以 * 显示"), "subtitle"))
        consent = screen is Screen.IDENTIFY and m.catalog is not None and m.catalog.has_notifier
        if consent and not m.elder:  # 同意接收短信通知 (kiosk/consent.py); 长者模式: beside the phone, words under 确定
            from kiosk.consent import consent_box

            b.addWidget(consent_box(m))
        if screen is Screen.IDENTIFY and m.card_name:
            from hallq.idcard import mask_name
            from hallq.qt.app import on_screen

            b.addWidget(label(tr("已读取身份证：{name}", name=on_screen(mask_name(m.card_name))), "subtitle"))
        if m.error:
            b.addWidget(label(m.error, "error"))
        b.addLayout(self._keypad())
        ok = button(confirm, m.submit, "primary", m.reachable)
        b.addWidget(ok)
        if consent and m.elder:
            from kiosk.consent import consent_note

            b.addWidget(consent_note(m))
        b.addStretch(1)

    def _keypad(self) -> QGridLayout:
        m = self.model
        f = m.field
        if f is Field.CODE:
            keys = list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
            cols = 9 if self.portrait else 12
        elif f is Field.TICKET:
            letters = sorted(m.catalog.queues) if m.catalog else list("ABC")
            keys = [*letters, *"1234567890"]
            cols = 6 if self.portrait else 11
        else:
            keys = [*"123456789", "X" if f is Field.ID else "", "0"]
            cols = 3
        buttons = [button(k, partial(m.key, k), "key") for k in keys if k]
        buttons += [button("⌫", lambda: m.key("⌫"), "key"), button(tr("清空"), m.clear_field, "key")]
        if m.elder and m.screen is Screen.IDENTIFY and m.catalog is not None and m.catalog.has_notifier:
            # 长者模式 with the consent's words: keys a little lower, so the words stay in view; lower still
            # under a green-channel note (the longest group names take two lines)
            low = 72 if m.priority_group else 92
            for b in buttons:
                b.setStyleSheet(f"min-height: {low}px;")
        g = QGridLayout()
        g.setSpacing(10)
        if f in (Field.ID, Field.PHONE):
            # a phone-style keypad, centred and not wider than a hand's reach; tall ⌫ and 清空 on the right
            positions = [(r, c) for r in range(4) for c in range(3)]
            order: list[QWidget] = [b for b in buttons if b.text() not in ("⌫", tr("清空"))]
            if f is Field.PHONE:
                order.insert(9, QWidget())
            for (r, c), w in zip(positions, order, strict=False):
                g.addWidget(w, r, c + 1)
            for w in buttons[-2:]:
                w.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            g.addWidget(buttons[-2], 0, 4, 2, 1)
            g.addWidget(buttons[-1], 2, 4, 2, 1)
            g.setColumnStretch(0, 1)
            g.setColumnStretch(5, 1)
            for c in range(1, 5):
                g.setColumnMinimumWidth(c, 170)
            return g
        for i, w in enumerate(buttons):
            g.addWidget(w, i // cols, i % cols)
        return g


class WorkingPage(Page):
    scrolls = False

    def fill(self) -> None:
        m = self.model
        text = tr("正在为您打印小票，请稍候…") if m.pending is None else tr("正在为您取号，请稍候…")
        self.body.addStretch(1)
        self.body.addWidget(label(text, "huge", align=Qt.AlignmentFlag.AlignCenter))
        if m.pending is not None and m.reconnecting:
            self.body.addWidget(label(tr("网络正在恢复，恢复后将自动为您取号，请不要离开。"), "section",
                                      align=Qt.AlignmentFlag.AlignCenter))
        self.body.addStretch(1)


class TicketPage(Page):
    def fill(self) -> None:
        m = self.model
        t = m.ticket or {}
        b = self.body
        center = Qt.AlignmentFlag.AlignCenter
        b.addWidget(label(tr("取号成功，请取走小票"), "title", align=center))
        b.addWidget(label(tr("您的号码"), "subtitle", align=center))
        b.addWidget(label(str(t.get("number", "")), "big", align=center))
        rows = [(tr("办理业务"), f"{t.get('matter_name', '')} · {t.get('situation_name', '')}"),
                (tr("办理窗口"), "、".join(m.catalog.window_labels(t.get("windows") or []) if m.catalog
                                          else t.get("windows") or []) or tr("请留意叫号屏")),
                (tr("等待人数"), tr("前面还有 {n} 人", n=t.get("ahead", 0)))]
        wait = wait_of(t)
        if wait is not None:  # 预计等候 (the hub's estimate at issue)
            rows.append((tr("预计等候"), wait))
        if t.get("id_masked"):
            rows.append((tr("证件号码"), t["id_masked"]))
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        for i, (k, v) in enumerate(rows):
            grid.addWidget(label(k, "subtitle"), i, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label(v, "section"), i, 1)
        grid.setColumnStretch(1, 1)
        holder = QWidget()
        holder.setLayout(grid)
        b.addWidget(card(holder))
        if t.get("priority_group") and not t.get("priority_verified"):
            b.addWidget(card(label(tr("您申报了绿色通道（{group}），请到引导台出示证件核验，核验后优先叫号。",
                                      group=m.catalog.priority_groups.get(t["priority_group"], t["priority_group"])
                                      if m.catalog else t["priority_group"])), name="notice"))
        if m.checkin_note:  # 预约签到: late/early → an ordinary ticket, said plainly
            b.addWidget(card(label(m.checkin_note, "section"), name="notice"))
        if wait is not None and wait != tr(UNKNOWN):
            b.addWidget(label(tr(CAVEAT), "subtitle", align=center))
        b.addWidget(label(tr("票号当天有效。过号后可在本机【过号取号】重新排队。"), "subtitle", align=center))
        b.addWidget(button(tr("完成"), m.home, "primary"))
        b.addStretch(1)


class NoticePage(Page):
    def fill(self) -> None:
        m = self.model
        n = m.notice
        b = self.body
        b.addStretch(1)
        if n is not None:
            title = label(n.title, "huge", align=Qt.AlignmentFlag.AlignCenter)
            title.setStyleSheet(f"color: {RED if n.kind == 'error' else AMBER};")
            b.addWidget(title)
            b.addWidget(label(n.body, "section", align=Qt.AlignmentFlag.AlignCenter))
        b.addStretch(1)
        row = QHBoxLayout()
        if m.pending_print is None:
            row.addWidget(button(tr("返回上一步"), m.back, "nav"))
        row.addWidget(button(tr("返回首页"), m.home, "primary"))
        b.addLayout(row)


class OfflinePage(Page):
    scrolls = False

    def fill(self) -> None:
        b = self.body
        center = Qt.AlignmentFlag.AlignCenter
        b.addStretch(1)
        b.addWidget(label("||", "icon", align=center), 0, center)
        b.addWidget(label(tr("暂停取号，请咨询引导台"), "huge", align=center))
        b.addWidget(label(tr("本机暂时无法连接大厅系统，正在自动恢复，请稍候。"), "section", align=center))
        b.addStretch(2)


class PaperOutPage(Page):
    scrolls = False

    def fill(self) -> None:
        m = self.model
        b = self.body
        center = Qt.AlignmentFlag.AlignCenter
        b.addStretch(1)
        b.addWidget(label("!", "icon", align=center), 0, center)
        b.addWidget(label(tr("暂停取号，请咨询引导台"), "huge", align=center))
        # the printer's message (请更换纸卷 …) is for staff: it is in this kiosk's status on the guide console
        b.addWidget(label(tr("本机打印机暂停服务，工作人员已收到提醒。请到引导台取号，或先查看办事指南。"), "section",
                          align=center))
        b.addStretch(1)
        b.addWidget(button(tr("查看办事指南（不取号）"), m.open_all, "action"))
        b.addStretch(1)
