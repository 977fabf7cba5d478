"""The queue ticket slip (统一取号小票, R4 / 附件7): what the kiosk prints when a person takes a number.

Privacy: the slip carries the *masked* name and ID number only (``张**``, ``141002********029X``);
a full valid ID number is refused at construction, and again by the Document for any line.
A slip without a name or ID number has no 申请人 / 证件号码 line (not an empty one).

Validity: a hall that voids waiting tickets at set times (``[policy] expire_at``, 清号时刻)
prints until when this number is valid (``本号 12:30 前有效``), computed by :func:`valid_until`
from the issue time; a hall without one prints 票号当天有效 as in 附件7.

Layout, top to bottom (what people read first comes first): hall name; the ticket number,
as large as fits; matter, situation, windows, masked person, wait count, the predicted wait (预计等候
约 15-25 分钟, said to be an estimate), time; the validity
and re-take rules; the progress QR code; optionally the materials checklist for the situation.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time

from hallq.idcard import looks_like_full_id, mask_name
from hallq.waits import wait_words
from printers.fonts import text_cols
from printers.layout import Builder, Document

VALID_TODAY = "凭此票办理业务，票号当天有效"
VALID_UNTIL = "凭此票办理业务\n本号 {time} 前有效"  # two lines: the time never breaks apart on 58 or 80 mm
RETAKE_RULE = "过号后请于自助取号机选择【过号取号】"
QR_CAPTION = "扫码查询办理进度"
SLIP_CAVEAT = "（估计时间，以实际叫号为准）"  # the predicted wait is an estimate; one line on 58 mm


@dataclass
class TicketSlip:
    hall_name: str
    ticket_number: str
    matter: str
    situation: str
    windows: list[str]
    applicant_masked: str
    id_masked: str
    waiting_ahead: int
    issued_at: datetime
    qr_url: str
    materials: list[str] = field(default_factory=list)
    show_materials: bool = True
    notes: list[str] = field(default_factory=list)
    valid_until: str = ""  # "HH:MM" of the next 清号时刻 after issue; "" = 票号当天有效
    # the hub's predicted wait (wait_lo_min, wait_hi_min; (None, None): 暂无法估计); None: no line (an older hub)
    wait: tuple[int | None, int | None] | None = None
    wait_past: str = ""  # the hub's wait_past_close: "session" / "day" print 本时段/今日可能无法办理 instead

    def __post_init__(self) -> None:
        for name in ("id_masked", "applicant_masked", "qr_url", "ticket_number"):
            if looks_like_full_id(getattr(self, name)):
                raise ValueError(f"{name} 含有完整身份证号码，小票只能打印脱敏号码 (use hallq.idcard.mask_id)")
        if self.waiting_ahead < 0:
            raise ValueError(f"等待人数不能为负数: {self.waiting_ahead}")
        if not self.ticket_number.strip():
            raise ValueError("票号不能为空 (empty ticket number)")

    def to_document(self, width_mm: int) -> Document:
        b = Builder(width_mm, title=f"取号小票 {self.ticket_number}")
        b.heading(self.hall_name)
        b.text("统一取号小票", align="center")
        b.rule()
        b.text("排队号码", align="center")
        size = _largest(self.ticket_number, b.columns, max_size=b.columns // 8)
        b.text(self.ticket_number, size=size, bold=True, align="center")
        b.rule()
        b.field("办理业务：", self.matter)
        if self.situation:
            b.field("办理情形：", self.situation)
        b.field("办理窗口：", "、".join(self.windows) or "请留意叫号屏")
        if self.applicant_masked:
            b.field("申 请 人：", self.applicant_masked)
        if self.id_masked:
            b.field("证件号码：", self.id_masked)
        b.field("等待人数：", f"{self.waiting_ahead} 人")
        if self.wait is not None:
            b.field("预计等候：", wait_words(*self.wait, chinese=True, past=self.wait_past))
            b.text(SLIP_CAVEAT)
        b.field("取号时间：", self.issued_at.strftime("%Y-%m-%d %H:%M"))
        b.rule()
        b.text(VALID_UNTIL.format(time=self.valid_until) if self.valid_until else VALID_TODAY)
        b.text(RETAKE_RULE)
        if self.qr_url:
            b.qr(self.qr_url, caption=QR_CAPTION)
        if self.show_materials and self.materials:
            b.rule()
            b.text("所需材料（请提前备齐）", bold=True)
            b.items(self.materials)
        if self.notes:
            b.rule()
            b.text("温馨提示", align="center")
            for note in self.notes:
                b.text(note)
        return b.feed(2).cut().build()


def _largest(text: str, columns: int, max_size: int) -> int:
    size = max(1, min(8, max_size))
    while size > 1 and text_cols(text) * size > columns:
        size -= 1
    return size


def valid_until(issued: time, expire_at: Sequence[str | time]) -> str:
    """The first 清号时刻 (``"HH:MM"``) after ``issued`` (hall-local), or "" when none is left today."""
    marks = sorted(t if isinstance(t, time) else time.fromisoformat(t) for t in expire_at)
    return next((f"{m:%H:%M}" for m in marks if m > issued), "")


def progress_url(template: str, **values: object) -> str:
    """Fill a progress-URL template from the hall file, e.g. ``https://…/q?t={ticket}&d={date}``.

    Unknown placeholders are an error at once, not a broken QR code on every slip.
    """
    names = {n for _, n, _, _ in string.Formatter().parse(template) if n}
    missing = names - values.keys()
    if missing:
        raise ValueError(f"二维码网址模板中有未知占位符 (unknown placeholders): {sorted(missing)}")
    return template.format(**values)


def sample_slip() -> TicketSlip:
    """The seed's slip (吕梁市政务服务中心, 2023-04-19), with a situation and materials added."""
    return TicketSlip(
        hall_name="吕梁市政务服务中心",
        ticket_number="A006",
        matter="不动产登记",
        situation="二手房转移登记（买卖）",
        windows=["S01", "S02", "S03"],
        applicant_masked=mask_name("张三"),
        id_masked="141002********029X",
        waiting_ahead=6,
        wait=(15, 25),
        issued_at=datetime(2023, 4, 19, 16, 45),
        qr_url=progress_url(
            "https://zwfw.lvliang.gov.cn/q?t={ticket}&d={date}", ticket="A006", date="20230419"
        ),
        materials=[
            "买卖双方身份证原件及复印件",
            "不动产权证书原件",
            "存量房买卖合同（网签备案）",
            "完税凭证（契税、增值税及附加）",
            "婚姻状况证明（结婚证或单身声明）",
        ],
        notes=["关注【吕梁政务服务】支付宝小程序及微信公众号，办理进度随时查"],
    )
