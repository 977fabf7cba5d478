"""The kiosk's touch screens (PySide6). Views only bind to :class:`kiosk.model.KioskModel`.

Each screen is a page that redraws itself from the model when the model changes; every
touch calls one model method. Touch-first: buttons at least 72 px high (96 px in 长者模式),
no hover-only affordances, lists scroll by dragging. Portrait 1080×1920 and landscape
1920×1080 both work: tile grids take 2 columns in portrait, 3 in landscape; in landscape the
zones come before the popular matters so that all of them are above the fold.

长者模式 (elder mode) scales every text and button by :data:`ELDER_SCALE` (≥ 1.6×), uses fewer
columns and drops secondary lines (departments under matter names), but keeps every function
of the normal screens: search, zones, 全部事项, every popular matter.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import qrcode
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hallq import clock as hallclock
from hallq.i18n import tr
from kiosk.catalog import Route
from kiosk.idreader import WedgeDecoder
from kiosk.model import Field, KioskModel, Screen
from kiosk.strings import register as _register_strings

_register_strings()

ELDER_SCALE = 1.65  # 长者模式: every font and button ≥ 1.6× (24 px → 40 px)
HEADER_SCALE_MAX = 1.25  # the header bar (hall name, clock) grows less, so that it still fits one line

BLUE, DARK, RED, BG, TEXT, MUTED, GREEN, AMBER = (
    "#0b4ea2", "#083a7a", "#c8161d", "#eef3fa", "#1d2733", "#5b6b7f", "#1a7f37", "#b26a00")


def stylesheet(scale: float) -> str:
    def px(n: float) -> str:
        return f"{round(n * scale)}px"

    def hpx(n: float) -> str:
        return f"{round(n * min(scale, HEADER_SCALE_MAX))}px"

    return f"""
    QWidget#kiosk {{ background: {BG}; }}
    QWidget {{ color: {TEXT}; font-size: {px(24)}; }}
    QFrame#header {{ background: {BLUE}; border-bottom: 6px solid {RED}; }}
    QLabel#hall {{ color: white; font-size: {hpx(34)}; font-weight: bold; }}
    QLabel#clock {{ color: white; font-size: {hpx(24)}; }}
    QLabel#title {{ font-size: {px(38)}; font-weight: bold; color: {DARK}; }}
    QLabel#subtitle {{ font-size: {px(24)}; color: {MUTED}; }}
    QLabel#section {{ font-size: {px(28)}; font-weight: bold; color: {DARK}; padding-top: {px(8)}; }}
    QLabel#hint {{ font-size: {hpx(24)}; color: {MUTED}; }}
    QLabel#trail {{ font-size: {px(22)}; color: {BLUE}; }}
    QLabel#error {{ font-size: {px(26)}; color: {RED}; font-weight: bold; }}
    QLabel#big {{ font-size: {px(150)}; font-weight: bold; color: {RED}; }}
    QLabel#huge {{ font-size: {px(52)}; font-weight: bold; color: {DARK}; }}
    QLabel#badge {{ background: {BLUE}; color: white; border-radius: {px(8)}; padding: {px(6)} {px(16)};
                   font-size: {px(24)}; }}
    QLabel#badgeWarn {{ background: {AMBER}; color: white; border-radius: {px(8)}; padding: {px(6)} {px(16)};
                       font-size: {px(24)}; }}
    QFrame#badge {{ background: {BLUE}; border-radius: {px(8)}; }}
    QFrame#badgeWarn {{ background: {AMBER}; border-radius: {px(8)}; }}
    QLabel#badgeText {{ background: transparent; color: white; font-size: {px(26)}; font-weight: bold; }}
    QLabel#field {{ background: white; border: 3px solid #b8c6da; border-radius: {px(10)}; padding: {hpx(8)};
                   font-size: {px(40)}; font-family: monospace; min-height: {hpx(60)}; }}
    QLabel#fieldActive {{ background: white; border: 4px solid {BLUE}; border-radius: {px(10)}; padding: {hpx(8)};
                         font-size: {px(40)}; font-family: monospace; min-height: {hpx(60)}; }}
    QFrame#card {{ background: white; border: 1px solid #d5deea; border-radius: {px(14)}; }}
    QFrame#notice {{ background: #fff8e6; border: 1px solid #f0d9a0; border-radius: {px(12)}; }}
    QPushButton {{ min-height: {px(76)}; border-radius: {px(12)}; padding: {px(10)} {px(18)};
                   background: white; border: 2px solid #c3d0e3; font-size: {px(26)}; }}
    QPushButton:pressed {{ background: #dfe8f5; }}
    QPushButton:disabled {{ color: #9aa6b5; background: #e7ebf0; border-color: #d5dbe3; }}
    QPushButton#tile {{ text-align: left; min-height: {px(120)}; font-size: {px(28)}; font-weight: bold;
                        border-left: {px(10)} solid {BLUE}; border-top-left-radius: 0; border-bottom-left-radius: 0; }}
    QLabel#icon {{ background: {RED}; color: white; font-size: {px(96)}; font-weight: bold;
                   min-width: {px(150)}; max-width: {px(150)}; min-height: {px(150)}; max-height: {px(150)};
                   border-radius: {px(75)}; }}
    QPushButton#zone {{ min-height: {px(110)}; font-size: {px(28)}; font-weight: bold; background: {DARK};
                        color: white; border: none; }}
    QPushButton#primary {{ background: {BLUE}; color: white; border: none; font-size: {px(32)};
                           font-weight: bold; min-height: {px(96)}; }}
    QPushButton#primary:disabled {{ background: #9db3d3; color: #eef2f7; }}
    QPushButton#danger {{ background: {RED}; color: white; border: none; font-size: {px(30)}; font-weight: bold; }}
    QPushButton#action {{ background: white; color: {DARK}; border: 3px solid {BLUE}; font-size: {px(28)};
                          font-weight: bold; min-height: {px(100)}; }}
    QPushButton#option {{ text-align: left; min-height: {px(110)}; font-size: {px(32)}; padding-left: {px(28)};
                          border: 3px solid #b8c6da; }}
    QPushButton#key {{ min-height: {hpx(84)}; font-size: {px(38)}; font-weight: bold; }}
    QPushButton#nav {{ min-height: {px(72)}; min-width: {hpx(180)}; font-size: {px(26)};
                       padding: {hpx(10)} {hpx(16)}; }}
    QPushButton#elder {{ min-height: {px(56)}; background: transparent; color: white; border: 2px solid white;
                         font-size: {px(24)}; }}
    QPushButton#elderOn {{ min-height: {px(56)}; background: {RED}; color: white; border: 2px solid white;
                           font-size: {px(24)}; font-weight: bold; }}
    QLineEdit {{ font-size: {px(36)}; min-height: {px(76)}; border: 3px solid {BLUE}; border-radius: {px(10)};
                 padding: 0 {px(14)}; background: white; }}
    QScrollArea {{ border: none; background: transparent; }}
    QScrollArea > QWidget > QWidget {{ background: transparent; }}
    """


def clear(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.hide()
            w.deleteLater()
        elif item.layout() is not None:
            clear(item.layout())


def label(text: str, name: str = "", wrap: bool = True, align: Qt.AlignmentFlag | None = None) -> QLabel:
    lab = QLabel(text)
    if name:
        lab.setObjectName(name)
    lab.setWordWrap(wrap)
    if align is not None:
        lab.setAlignment(align)
    return lab


def badge(text: str, warn: bool = False) -> QFrame:
    """A coloured note the width of the page, its text wrapped inside.

    The colour and padding sit on a frame around a plain label: a word-wrapped QLabel with
    stylesheet padding gets its height from the text alone, which cut the green-channel
    instruction on the ID screen down to an unreadable line and a half."""
    f = QFrame()
    f.setObjectName("badgeWarn" if warn else "badge")
    lay = QVBoxLayout(f)
    lay.setContentsMargins(18, 8, 18, 8)
    text_label = label(text, "badgeText")
    lay.addWidget(text_label)
    return f


def button(text: str, on: Callable[[], None], name: str = "", enabled: bool = True) -> QPushButton:
    b = QPushButton(text)
    if name:
        b.setObjectName(name)
    b.setEnabled(enabled)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    b.clicked.connect(lambda _checked=False: on())  # clicked(bool) must not fill a default argument
    return b


def wrapped_button(text: str, on: Callable[[], None], name: str = "tile", sub: str = "") -> QPushButton:
    """A tile: QPushButton cannot wrap text, so a label inside does; the whole tile takes the touch."""
    b = button("", on, name)
    b.setAccessibleName(text)
    b.setProperty("tileText", text)
    inner = QVBoxLayout(b)
    inner.setContentsMargins(24, 10, 16, 10)
    main = label(text)
    main.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    main.setStyleSheet("font-weight: bold; background: transparent; color: inherit;")
    inner.addWidget(main)
    if sub:
        s = label(sub, "subtitle")
        s.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        s.setStyleSheet("background: transparent; font-weight: normal; font-size: 80%;")
        inner.addWidget(s)
    b.setMinimumHeight(main.sizeHint().height() + 40)
    return b


def card(*widgets: QWidget, name: str = "card", spacing: int = 10) -> QFrame:
    f = QFrame()
    f.setObjectName(name)
    lay = QVBoxLayout(f)
    lay.setContentsMargins(24, 18, 24, 18)
    lay.setSpacing(spacing)
    for w in widgets:
        lay.addWidget(w)
    return f


def qr_pixmap(url: str, size: int) -> QPixmap:
    img = qrcode.make(url, border=2).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    pix = QPixmap()
    pix.loadFromData(buf.getvalue(), "PNG")
    return pix.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)


class Page(QWidget):
    """A screen: a scrollable body that :meth:`redraw` fills from the model."""

    scrolls = True

    def __init__(self, model: KioskModel) -> None:
        super().__init__()
        self.model = model
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        holder = QWidget()
        self.body = QVBoxLayout(holder)
        self.body.setContentsMargins(36, 28, 36, 28)
        self.body.setSpacing(18)
        if self.scrolls:
            area = QScrollArea()
            area.setWidgetResizable(True)
            area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            area.setWidget(holder)
            QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
            outer.addWidget(area)
            self.area: QScrollArea | None = area
        else:
            outer.addWidget(holder)
            self.area = None

    @property
    def portrait(self) -> bool:
        win = self.window()
        return win.height() > win.width()

    @property
    def columns(self) -> int:
        return 2 if self.portrait else 3

    def redraw(self) -> None:
        key = (self.model.screen, id(self.model.walk), len(self.model.walk.path) if self.model.walk else 0)
        bar = self.area.verticalScrollBar() if self.area is not None else None
        keep = bar.value() if bar is not None and key == getattr(self, "_key", None) else 0
        self._key = key
        clear(self.body)
        self.fill()
        holder = self.body.parentWidget()
        if holder is not None and holder.isVisible():
            # Qt shows widgets added to a visible parent only on the next event loop pass; show them
            # now so that the screen is complete (and tappable) as soon as the model has changed.
            for w in holder.findChildren(QWidget):
                if not w.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide):
                    w.setVisible(True)
        if bar is not None:
            QTimer.singleShot(0, lambda: bar.setValue(keep))

    def fill(self) -> None:
        raise NotImplementedError

    def grid(self, widgets: Sequence[QWidget], columns: int | None = None) -> QGridLayout:
        g = QGridLayout()
        g.setSpacing(16)
        cols = columns or self.columns
        for i, w in enumerate(widgets):
            g.addWidget(w, i // cols, i % cols)
        for c in range(cols):
            g.setColumnStretch(c, 1)
        return g


class StartPage(Page):
    def fill(self) -> None:
        m, cat = self.model, self.model.catalog
        assert cat is not None
        b = self.body
        b.addWidget(label(tr("您好！请选择要办理的事项"), "title"))
        actions = [
            button(tr("搜索事项"), m.open_search, "action"),
            button(tr("老年人/特殊群体"), m.open_priority, "action"),
            button(tr("过号取号"), m.open_retake, "action"),
            button(tr("预约签到"), m.open_checkin, "action"),
        ]
        b.addLayout(self.grid(actions, 2 if m.elder or self.portrait else 4))
        # 长者模式 keeps every choice, in fewer columns and without the departments' small print
        wide = 2 if m.elder or self.portrait else 3
        tiles = [wrapped_button(pm.name, partial(m.open_matter, pm.id), sub="" if m.elder else pm.department)
                 for pm in cat.popular()]
        zones = [button(f"{name}", partial(m.open_zone, zid), "zone") for zid, name in cat.zones.items()]
        zones.append(button(tr("全部事项"), m.open_all, "zone"))
        sections = [(tr("常办事项"), self.grid(tiles, wide)),
                    (tr("按办事区域查找"), self.grid(zones, 2 if m.elder or self.portrait else 4))]
        if not self.portrait:
            sections.reverse()  # landscape: every zone above the fold, the matters below
        for title, grid in sections:
            b.addWidget(label(title, "section"))
            b.addLayout(grid)
        if cat.notices:
            lines = [label(tr("大厅公告"), "section")]
            lines += [label("· " + n) for n in cat.notices]
            b.addWidget(card(*lines, name="notice", spacing=6))
        b.addStretch(1)


class MattersPage(Page):
    def __init__(self, model: KioskModel) -> None:
        super().__init__(model)
        self.search_box: QLineEdit | None = None

    def fill(self) -> None:
        m = self.model
        b = self.body
        title = tr("搜索事项") if m.searching else m.list_title
        if m.priority_group:
            b.addWidget(badge(tr("绿色通道：{group}（需到引导台核验）", group=m.group_name), warn=True))
        b.addWidget(label(title, "title"))
        if m.searching:
            self.search_box = QLineEdit(m.search_text)
            self.search_box.setPlaceholderText(tr("输入关键词或拼音首字母，如 sfz = 身份证"))
            self.search_box.textEdited.connect(m.search)
            b.addWidget(self.search_box)
            letters = "QWERTYUIOPASDFGHJKLZXCVBNM"
            keys = [button(c, partial(lambda ch: m.search(m.search_text + ch.lower()), c), "key") for c in letters]
            keys.append(button("⌫", lambda: m.search(m.search_text[:-1]), "key"))
            grid = QGridLayout()
            grid.setSpacing(8)
            per_row = (7 if m.elder else 9) if self.portrait else 14  # 长者模式: bigger keys, fewer a row
            for i, k in enumerate(keys):
                grid.addWidget(k, i // per_row, i % per_row)
            b.addLayout(grid)
            hint = tr("找到 {n} 项", n=len(m.matters)) if m.search_text else tr("常办事项")
            b.addWidget(label(hint, "section"))
        if not m.matters:
            b.addWidget(label(tr("没有找到相关事项。可换个说法，或到引导台咨询。"), "subtitle"))
        tiles = [wrapped_button(x.name, partial(m.open_matter, x.id), sub="" if m.elder else x.department)
                 for x in m.matters]
        b.addLayout(self.grid(tiles, 2 if self.portrait or m.elder else 3))
        b.addStretch(1)

    def redraw(self) -> None:
        keep_focus = self.search_box is not None and self.search_box.hasFocus()
        super().redraw()
        if keep_focus and self.search_box is not None:
            self.search_box.setFocus()
            self.search_box.setCursorPosition(len(self.search_box.text()))


class PriorityPage(Page):
    def fill(self) -> None:
        m, cat = self.model, self.model.catalog
        assert cat is not None
        b = self.body
        b.addWidget(label(tr("老年人/特殊群体 绿色通道"), "title"))
        b.addWidget(label(tr("请选择您所属的群体。取号后请到引导台出示相关证件核验，核验后优先办理。"), "subtitle"))
        groups = [button(name, partial(m.choose_priority, gid), "option")
                  for gid, name in cat.priority_groups.items()]
        b.addLayout(self.grid(groups, 1 if self.portrait else 2))
        b.addStretch(1)


class QuestionPage(Page):
    def fill(self) -> None:
        m = self.model
        walk, q = m.walk, m.question
        assert walk is not None
        assert q is not None
        b = self.body
        b.addWidget(label(" › ".join(walk.trail()), "trail"))
        b.addWidget(label(tr("第 {n} 步", n=len(walk.path) + 1), "badge", wrap=False), 0, Qt.AlignmentFlag.AlignLeft)
        b.addWidget(label(q.text, "huge"))
        for i, opt in enumerate(q.options):
            b.addWidget(wrapped_button(opt.text, partial(m.answer, i), "option"))
        b.addStretch(1)


ROUTE_BADGES = {Route.WINDOW: "窗口办理", Route.ASSIST: "建议帮办代办", Route.ONLINE: "可全程网办",
                Route.CONSULT: "咨询事项，无需取号"}


class ResultPage(Page):
    def fill(self) -> None:
        m = self.model
        walk, s, route, cat = m.walk, m.situation, m.route, m.catalog
        assert walk is not None
        assert s is not None
        assert route is not None
        assert cat is not None
        b = self.body
        b.addWidget(label(" › ".join(walk.trail()), "trail"))
        b.addWidget(label(walk.matter.name, "title"))
        row = QHBoxLayout()
        row.addWidget(label(tr("办理情形：{name}", name=s.name), "section"), 1)
        row.addWidget(label(tr(ROUTE_BADGES[route]), "badgeWarn" if route is Route.ASSIST else "badge", wrap=False))
        b.addLayout(row)
        info: list[QWidget] = []
        if s.materials:
            info.append(card(label(tr("请备齐以下材料"), "section"),
                             *(label(f"☐ {x}") for x in s.materials)))
        if s.conditions:
            info.append(card(label(tr("请自查是否符合以下条件"), "section"),
                             *(label(f"✔ {x}") for x in s.conditions)))
        if info:
            b.addLayout(self.grid(info, 1 if self.portrait or len(info) == 1 else 2))
        if walk.matter.promised_days:
            b.addWidget(label(tr("承诺办结时限：{n} 个工作日", n=walk.matter.promised_days), "subtitle"))
        blocked = m.printer.blocking or m.pending_print is not None
        if route is Route.ONLINE:
            self._online(s.online_url, s.guidance)
        elif route is Route.CONSULT:
            where = cat.zones.get(walk.matter.zone, "")
            text = s.guidance or tr("请到{zone}咨询，无需取号。", zone=where)
            b.addWidget(card(label(tr("请前往"), "section"), label(where, "huge"), label(text)))
        elif route is Route.ASSIST:
            b.addWidget(card(label(tr("该情形材料较复杂或需填写表单，建议由帮办代办人员协助办理。"))))
            b.addWidget(button(tr("取帮办代办号"), lambda: m.take_ticket(assist=True), "primary", not blocked))
        else:
            b.addWidget(button(tr("取号"), m.take_ticket, "primary", not blocked))
        if m.can_ask_help and route is not Route.ASSIST:
            text = tr("我需要帮助（帮办网办）") if route is Route.ONLINE else tr("我需要帮助（取帮办代办号）")
            b.addWidget(button(text, lambda: m.take_ticket(assist=True), "action", not blocked))
        if blocked and route is not Route.CONSULT:
            b.addWidget(label(tr("打印机故障，本机暂停取号，请咨询引导台。"), "error"))
        b.addStretch(1)

    def _online(self, url: str, guidance: str) -> None:
        b = self.body
        steps = [label(tr("无需到窗口排队，用手机即可办理："), "section"),
                 label(tr("1. 用微信或支付宝扫描右侧二维码")),
                 label(tr("2. 登录后按页面提示填写信息、上传材料")),
                 label(tr("3. 提交后可在“办件查询”中查看进度"))]
        if guidance:
            steps.append(label(guidance, "subtitle"))
        row = QHBoxLayout()
        row.addWidget(card(*steps), 3)
        if url:
            qr = QLabel()
            qr.setPixmap(qr_pixmap(url, 300))
            qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
            row.addWidget(card(qr, label(tr("扫码办理"), align=Qt.AlignmentFlag.AlignCenter)), 2)
        b.addLayout(row)


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
            fields = [(Field.ID, tr("身份证号码")), (Field.PHONE, tr("手机号码（选填，用于接收办理通知）"))]
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
            b.addWidget(label(name, "section"))
            value = QLabel(m.field_display(f) or " ")
            value.setObjectName("fieldActive" if f is m.field else "field")
            value.mousePressEvent = partial(lambda field, _e: m.select_field(field), f)  # type: ignore[method-assign]
            b.addWidget(value)
        if Field.ID in (f for f, _ in fields):
            b.addWidget(label(tr("为保护隐私，号码输完后出生日期以 * 显示"), "subtitle"))
        if screen is Screen.IDENTIFY and m.card_name:
            from hallq.idcard import mask_name
            from hallq.qt.app import on_screen

            b.addWidget(label(tr("已读取身份证：{name}", name=on_screen(mask_name(m.card_name))), "subtitle"))
        if m.error:
            b.addWidget(label(m.error, "error"))
        b.addLayout(self._keypad())
        ok = button(confirm, m.submit, "primary", m.online)
        b.addWidget(ok)
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


PAGES: dict[Screen, type[Page]] = {
    Screen.START: StartPage, Screen.MATTERS: MattersPage, Screen.PRIORITY: PriorityPage,
    Screen.QUESTION: QuestionPage, Screen.RESULT: ResultPage, Screen.IDENTIFY: EntryPage,
    Screen.RETAKE: EntryPage, Screen.CHECKIN: EntryPage, Screen.WORKING: WorkingPage,
    Screen.TICKET: TicketPage, Screen.NOTICE: NoticePage, Screen.OFFLINE: OfflinePage,
    Screen.PAPER_OUT: PaperOutPage,
}
NO_NAV = (Screen.START, Screen.OFFLINE, Screen.PAPER_OUT, Screen.WORKING, Screen.TICKET, Screen.NOTICE)


class KioskWindow(QWidget):
    """The whole kiosk screen: header (hall, clock, 长者模式), the current page, Back/Home."""

    def __init__(self, model: KioskModel, wedge: WedgeDecoder | None = None) -> None:
        super().__init__()
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.model = model
        self.wedge = wedge
        self._scale = 0.0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        header = QFrame()
        header.setObjectName("header")
        h = QHBoxLayout(header)
        h.setContentsMargins(32, 16, 32, 16)
        self.hall_label = label("", "hall", wrap=False)
        self.clock = label("", "clock", wrap=False)
        self.elder_button = button("", lambda: model.set_elder(not model.elder), "elder")
        self.elder_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.hall_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hall_label.setMinimumWidth(200)
        h.addWidget(self.hall_label, 1)
        h.addWidget(self.clock)
        h.addSpacing(24)
        h.addWidget(self.elder_button)
        lay.addWidget(header)
        self.stack = QStackedWidget()
        self.pages: dict[Screen, Page] = {}
        for screen, cls in PAGES.items():
            page = self.pages.get(Screen.IDENTIFY) if cls is EntryPage and Screen.IDENTIFY in self.pages else None
            if page is None:
                page = cls(model)
                self.stack.addWidget(page)
            self.pages[screen] = page
        lay.addWidget(self.stack, 1)
        self.footer = QFrame()
        f = QHBoxLayout(self.footer)
        f.setContentsMargins(32, 12, 32, 20)
        self.back_button = button(tr("返回上一步"), model.back, "nav")
        self.home_button = button(tr("返回首页"), model.home, "nav")
        self.hint = label("", "hint", wrap=False)  # small print: grows less in 长者模式, fits between the buttons
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # the countdown never widens the window (long English, 长者模式): it gets what is left
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for w in (self.back_button, self.home_button):
            w.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        f.addWidget(self.back_button)
        f.addWidget(self.hint, 1)
        f.addWidget(self.home_button)
        lay.addWidget(self.footer)
        self._wedge_last = 0.0
        self._before_burst: dict[Field, str] = {}
        model.subscribe(self.refresh)
        self._clock_timer = QTimer(self)
        self._clock_timer.timeout.connect(self._update_clock)
        self._clock_timer.start(1000)
        self._update_clock()
        self.installEventFilter(self)
        self.refresh()

    def _update_clock(self) -> None:
        tz = self.model.catalog.timezone if self.model.catalog else None
        self.clock.setText(hallclock.local(self.model.clock(), tz).strftime("%Y-%m-%d %H:%M"))
        m = self.model
        if m.visible not in (Screen.START, Screen.OFFLINE, Screen.PAPER_OUT, Screen.WORKING):
            limit = m.ticket_timeout if m.screen is Screen.TICKET else m.idle_timeout
            left = max(0, int(limit - (m.clock() - m.last_activity)))
            self.hint.setText(tr("{n} 秒无操作将返回首页", n=left))
        else:
            self.hint.setText("")

    def refresh(self) -> None:
        m = self.model
        scale = ELDER_SCALE if m.elder else 1.0
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(stylesheet(scale))
        cat = m.catalog
        self.hall_label.setText(cat.hall_name if cat else "hallq")
        self.elder_button.setText(tr("长者模式：开") if m.elder else tr("长者模式"))
        self.elder_button.setObjectName("elderOn" if m.elder else "elder")
        self.elder_button.style().unpolish(self.elder_button)
        self.elder_button.style().polish(self.elder_button)
        screen = m.visible
        page = self.pages[screen]
        self.stack.setCurrentWidget(page)
        self.footer.setVisible(screen not in NO_NAV)
        self.back_button.setText(tr("返回上一步"))
        self.home_button.setText(tr("返回首页"))
        page.redraw()
        self._update_clock()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.pages[self.model.visible].redraw()

    def current_page(self) -> Page:
        return self.pages[self.model.visible]

    def buttons(self) -> list[QPushButton]:
        """Visible buttons on the current screen and the footer (tests press them by text)."""
        out = [b for b in self.current_page().findChildren(QPushButton) if b.isVisibleTo(self)]
        if self.footer.isVisible():
            out += [self.back_button, self.home_button]
        return [*out, self.elder_button]

    def button(self, text: str) -> QPushButton:
        for b in self.buttons():
            if b.text() == text or b.property("tileText") == text:
                return b
        names = [b.text() or b.property("tileText") for b in self.buttons()]
        raise LookupError(f"no button {text!r} on {self.model.visible}; there are {names}")

    def texts(self) -> list[str]:
        """Every visible text on the current screen (tests check what people would read)."""
        page = self.current_page()
        out = [w.text() for w in page.findChildren(QLabel) if w.isVisibleTo(self) and w.text()]
        out += [b.text() or str(b.property("tileText") or "") for b in page.findChildren(QPushButton)
                if b.isVisibleTo(self)]
        return out

    # ------------------------------------------------------------ keyboard and wedge reader

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            self.model.touch()
        return super().eventFilter(obj, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        m = self.model
        key = event.key()
        text = "\r" if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) else event.text()
        if self.wedge is not None:
            if not self.wedge.in_burst or time.monotonic() - self._wedge_last > self.wedge.max_gap:
                self._before_burst = dict(m.fields)  # a card's fast keys are undone when it completes
            self._wedge_last = time.monotonic()
            card = self.wedge.feed(text, self._wedge_last)
            if card is not None:
                m.fields.update(self._before_burst)
                m.card_read(card.id_number, card.name)
                return
        if m.visible in (Screen.IDENTIFY, Screen.RETAKE, Screen.CHECKIN):
            if key == Qt.Key.Key_Backspace:
                m.key("⌫")
            elif text == "\r":
                m.submit()
            elif len(text) == 1 and text.isalnum():
                m.key(text)
            return
        super().keyPressEvent(event)
