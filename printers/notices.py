"""Window notices (窗口通知书, R14), printed on the window's thermal printer.

Four forms from the hall's reform plan (seed 000):

* 受理通知书 (:class:`AcceptanceNotice`): a promised-time matter was accepted; what was
  handed in, the promised working days, how the result will be delivered.
* 办结通知书 (:class:`CompletionNotice`): the matter is finished; the outcome and the
  documents to collect.
* 申请材料交接确认单 (:class:`HandoverSheet`, 附件4): who handed which papers to whom at each
  stage (受理 → 审查 → 出证), with signature and date lines.
* 审查意见一次性告知单 (:class:`CorrectionNotice`, 附件5): every review comment at once, the
  deadline to hand corrections back, and whether a technical meeting is needed.

On paper the seed's tables become label-value lines and signature lines, folded to the width.
Full ID numbers are refused by the Document, as on the slip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from printers.layout import Builder, Document, Printable


def _d(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "    年  月  日"


@dataclass
class AcceptanceNotice:
    """受理通知书."""

    hall_name: str
    notice_no: str
    applicant: str
    matter: str
    accepted_at: datetime
    promised_days: int
    materials: list[str]
    window: str
    handler: str
    delivery: str = "窗口领取"
    contact_phone: str = ""
    qr_url: str = ""

    def to_document(self, width_mm: int) -> Document:
        b = Builder(width_mm, title=f"受理通知书 {self.notice_no}")
        b.heading(self.hall_name).heading("受理通知书").rule()
        b.field("受理编号：", self.notice_no)
        b.field("申请人(单位)：", self.applicant)
        b.field("申请事项：", self.matter)
        b.field("受理时间：", self.accepted_at.strftime("%Y-%m-%d %H:%M"))
        b.field("承诺时限：", f"{self.promised_days}个工作日")
        b.field("结果送达：", self.delivery)
        b.rule()
        b.text(f"你（单位）提交的{self.matter}申请材料齐全、符合法定形式，决定予以受理。")
        b.text("已收取申请材料：", bold=True)
        b.items(self.materials)
        b.rule()
        b.field("受理窗口：", self.window)
        b.field("受 理 人：", self.handler)
        if self.contact_phone:
            b.field("咨询电话：", self.contact_phone)
        if self.qr_url:
            b.qr(self.qr_url, caption="扫码查询办理进度")
        b.signature("申请人签字")
        return b.feed(2).cut().build()


@dataclass
class CompletionNotice:
    """办结通知书."""

    hall_name: str
    notice_no: str
    applicant: str
    matter: str
    accepted_at: datetime
    completed_at: datetime
    outcome: str
    documents: list[str]
    delivery: str
    window: str
    handler: str
    tracking_no: str = ""

    def to_document(self, width_mm: int) -> Document:
        b = Builder(width_mm, title=f"办结通知书 {self.notice_no}")
        b.heading(self.hall_name).heading("办结通知书").rule()
        b.field("受理编号：", self.notice_no)
        b.field("申请人(单位)：", self.applicant)
        b.field("申请事项：", self.matter)
        b.field("受理时间：", self.accepted_at.strftime("%Y-%m-%d %H:%M"))
        b.field("办结时间：", self.completed_at.strftime("%Y-%m-%d %H:%M"))
        b.field("办理结果：", self.outcome, bold=True)
        b.rule()
        b.text("办理结果文书、证书：", bold=True)
        b.items(self.documents)
        b.field("送达方式：", self.delivery)
        if self.tracking_no:
            b.field("快递单号：", self.tracking_no)
        b.rule()
        b.field("出证窗口：", self.window)
        b.field("经 办 人：", self.handler)
        b.signature("领取人签字")
        return b.feed(2).cut().build()


@dataclass
class HandoverStep:
    """One row of 附件4: materials handed over at one step, and who signs for them."""

    materials: str
    parties: list[str]


@dataclass
class HandoverStage:
    name: str
    steps: list[HandoverStep]


def _default_stages() -> list[HandoverStage]:
    return [
        HandoverStage("（一）受理环节", [HandoverStep("1、受理通知书 2、申请材料", ["帮办人员", "审批组"])]),
        HandoverStage(
            "（二）审查环节",
            [
                HandoverStep("一次性意见告知单", ["审批组", "帮办人员"]),
                HandoverStep("补正资料", ["帮办人员", "审批组"]),
                HandoverStep("审查结果（文书、证书、备案表、《制证信息表》）", ["运行科/审批组", "帮办人员"]),
            ],
        ),
        HandoverStage(
            "（三）出证环节",
            [HandoverStep("文书、证书、备案表、《制证信息表》等", ["出证窗口", "申请人（或快递单号）"])],
        ),
    ]


@dataclass
class HandoverSheet:
    """申请材料交接确认单 (附件4)."""

    applicant: str
    matter: str
    group: str
    accepted_on: date | None
    review_required: bool | None
    promised_days: int | None
    stages: list[HandoverStage] = field(default_factory=_default_stages)
    notes: str = ""
    hall_name: str = ""

    def to_document(self, width_mm: int) -> Document:
        b = Builder(width_mm, title="申请材料交接确认单")
        if self.hall_name:
            b.heading(self.hall_name)
        b.heading("申请材料交接确认单").rule()
        b.field("申请人（或单位）：", self.applicant)
        b.field("申请事项：", self.matter)
        b.field("审批组别：", self.group)
        b.field("受理日期：", _d(self.accepted_on))
        yes, no = ("■", "□") if self.review_required else ("□", "■" if self.review_required is False else "□")
        b.field("评审/勘验：", f"是{yes}  否{no}")
        days = str(self.promised_days) if self.promised_days is not None else "    "
        b.field("承诺时限：", f"{days}个工作日")
        b.field("申请材料：", "见“受理通知书”")
        for stage in self.stages:
            b.rule("=")
            b.text(stage.name, bold=True)
            for i, step in enumerate(stage.steps):
                if i:
                    b.rule()
                b.field("交接材料：", step.materials)
                for party in step.parties:
                    b.signature(party)
        b.rule("=")
        b.text("有关说明：")
        b.feed(1)
        b.field("备注：", self.notes or " ")
        return b.feed(2).cut().build()


@dataclass
class CorrectionNotice:
    """审查意见一次性告知单 (附件5): all review comments at once."""

    addressee: str
    submitted_on: date
    matter: str
    opinions: list[str]
    deadline: date
    technical_meeting: bool | None = None
    issuer: str = "（科室或驻厅窗口）"
    signatories: list[str] = field(default_factory=lambda: ["科室承办人", "帮办人员", "申请人"])

    def to_document(self, width_mm: int) -> Document:
        b = Builder(width_mm, title="审查意见一次性告知单")
        b.heading("审查意见一次性告知单").rule()
        b.text(f"{self.addressee}（单位或个人）：", bold=True)
        b.text(
            f"你（单位）于{_d(self.submitted_on)}提交{self.matter}事项的申报材料。经审查，意见如下："
        )
        for n, opinion in enumerate(self.opinions, 1):
            b.field(f"{n}、", opinion)
        b.text(
            f"请按审查意见一次性整改完善，并于{_d(self.deadline)}前通过受理窗口报回我科室，逾期将不予许可。"
        )
        b.rule()
        need = {True: ("■", "□"), False: ("□", "■"), None: ("□", "□")}[self.technical_meeting]
        b.text("注：与申请人进行技术对接等特殊要求。")
        b.text(f"{need[0]}需要    {need[1]}不需要")
        b.rule()
        for who in self.signatories:
            b.signature(who)
        b.text(self.issuer, align="right")
        return b.feed(2).cut().build()


def sample_acceptance() -> AcceptanceNotice:
    return AcceptanceNotice(
        hall_name="吕梁市政务服务中心",
        notice_no="SL20230419-0031",
        applicant="𠮷祥建筑工程有限公司",
        matter="建筑工程施工许可证核发",
        accepted_at=datetime(2023, 4, 19, 10, 12),
        promised_days=5,
        materials=["建筑工程施工许可证申请表", "建设工程规划许可证", "施工合同及中标通知书", "法定代表人身份证复印件"],
        window="综合受理窗口 Z03",
        handler="王*",
        delivery="窗口领取（出证窗口）",
        contact_phone="0358-8888888",
        qr_url="https://zwfw.lvliang.gov.cn/b?n=SL20230419-0031",
    )


def sample_completion() -> CompletionNotice:
    return CompletionNotice(
        hall_name="吕梁市政务服务中心",
        notice_no="SL20230419-0031",
        applicant="𠮷祥建筑工程有限公司",
        matter="建筑工程施工许可证核发",
        accepted_at=datetime(2023, 4, 19, 10, 12),
        completed_at=datetime(2023, 4, 24, 15, 30),
        outcome="准予许可",
        documents=["建筑工程施工许可证（正本一份、副本一份）"],
        delivery="邮政快递送达",
        tracking_no="1180012345678",
        window="统一出证窗口 C01",
        handler="李*",
    )


def sample_handover() -> HandoverSheet:
    return HandoverSheet(
        applicant="吕梁市某某商贸有限公司",
        matter="食品经营许可（新办）",
        group="市场监管审批组",
        accepted_on=date(2023, 4, 19),
        review_required=True,
        promised_days=10,
        hall_name="吕梁市政务服务中心",
    )


def sample_correction() -> CorrectionNotice:
    return CorrectionNotice(
        addressee="吕梁市某某商贸有限公司",
        submitted_on=date(2022, 6, 8),
        matter="食品经营许可（新办）",
        opinions=[
            "经营场所平面布局图未标注清洗消毒区，请补充。",
            "食品安全管理制度缺少进货查验记录制度。",
            "法定代表人签字页与营业执照不一致，请重新签署。",
        ],
        deadline=date(2022, 6, 20),
        technical_meeting=False,
        issuer="市场监管局驻厅窗口",
    )


SAMPLES: dict[str, Callable[[], Printable]] = {
    "acceptance": sample_acceptance,
    "completion": sample_completion,
    "handover": sample_handover,
    "correction": sample_correction,
}
