"""情形引导 on the kiosk: the start screen, matter lists and search, priority groups, the questions, the result.

Each page redraws itself from :class:`~kiosk.model.KioskModel` (see :class:`kiosk.widgets.Page`); every
touch calls one model method. Tile grids take 2 columns in portrait, 3 in landscape; in landscape the
zones come before the popular matters so that all of them are above the fold. 长者模式 keeps every
choice, in fewer columns and without secondary lines (departments under matter names).
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from hallq.i18n import tr
from hallq.waits import CAVEAT, UNKNOWN
from kiosk.catalog import Route
from kiosk.model import KioskModel
from kiosk.widgets import Page, badge, button, card, label, qr_pixmap, wrapped_button


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
        if m.expected_wait is not None:  # 预计等候 before taking the ticket, said to be an estimate
            b.addWidget(label(tr("预计等候：{wait}", wait=m.expected_wait), "section"))
            if m.expected_wait != tr(UNKNOWN):
                b.addWidget(label(tr(CAVEAT), "subtitle"))
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
