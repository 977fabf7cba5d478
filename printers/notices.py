"""Window notices (窗口通知书, R14), on the window's thermal printer and on A4.

Four forms from the hall's reform plan (seed 000):

* 受理通知书 (:class:`AcceptanceNotice`): a promised-time matter was accepted; what was
  handed in, the promised working days, how the result will be delivered.
* 办结通知书 (:class:`CompletionNotice`): the matter is finished; the outcome and the
  documents to collect.
* 申请材料交接确认单 (:class:`HandoverSheet`, 附件4, the 材料转递单): who handed which papers to
  whom at each stage (受理 → 审查 → 出证), with signature and date lines.
* 审查意见一次性告知单 (:class:`CorrectionNotice`, 附件5): every review comment at once, the
  deadline to hand corrections back, and whether a technical meeting is needed.

Each describes itself once as a :class:`~printers.forms.Form` (``to_form()``); the slip
(``to_document(width)``) and the A4 PDF (:func:`printers.pdf.render_pdf`) are both drawn from it.
On the slip the seed's tables become label-value lines and signature lines, folded to the width;
on A4 they are ruled tables as in the seed.  ``case_code`` (办件码, given by whoever opened the
case) is printed as a QR code on both papers and as a Code 128 barcode on A4, so transfer staff
can scan the sheet.  Full ID numbers are refused, as on the slip.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Self

from printers.forms import (
    QR,
    Block,
    Field,
    Fields,
    Form,
    Handover,
    HandoverStage,
    HandoverStep,
    Heading,
    Items,
    Para,
    Rule,
    Signatures,
    to_document,
)
from printers.layout import Document


def _d(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "    年  月  日"


class Notice:
    """Both papers from one :class:`~printers.forms.Form`: the slip and the A4 page."""

    case_code: str

    def to_form(self) -> Form:
        raise NotImplementedError

    def with_case_code(self, code: str) -> Self:
        """The same notice carrying the case code (办件码) ``code``."""
        return dataclasses.replace(self, case_code=code)  # type: ignore[type-var]

    def to_document(self, width_mm: int) -> Document:
        return to_document(self.to_form(), width_mm)


@dataclass
class AcceptanceNotice(Notice):
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
    case_code: str = ""

    def to_form(self) -> Form:
        blocks: list[Block] = [
            Heading(self.hall_name, 2), Heading("受理通知书"), Rule(),
            Fields((
                Field("受理编号：", self.notice_no),
                Field("申请人(单位)：", self.applicant),
                Field("申请事项：", self.matter),
                Field("受理时间：", self.accepted_at.strftime("%Y-%m-%d %H:%M")),
                Field("承诺时限：", f"{self.promised_days}个工作日"),
                Field("结果送达：", self.delivery),
            )),
            Rule(),
            Para(f"你（单位）提交的{self.matter}申请材料齐全、符合法定形式，决定予以受理。"),
            Para("已收取申请材料：", bold=True),
            Items(tuple(self.materials)),
            Rule(),
            Fields((
                Field("受理窗口：", self.window),
                Field("受 理 人：", self.handler),
                *([Field("咨询电话：", self.contact_phone)] if self.contact_phone else []),
            )),
        ]
        if self.qr_url:
            blocks.append(QR(self.qr_url, caption="扫码查询办理进度"))
        blocks.append(Signatures(("申请人签字",)))
        return Form(f"受理通知书 {self.notice_no}", tuple(blocks), number=self.notice_no, case_code=self.case_code)


@dataclass
class CompletionNotice(Notice):
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
    case_code: str = ""

    def to_form(self) -> Form:
        blocks: tuple[Block, ...] = (
            Heading(self.hall_name, 2), Heading("办结通知书"), Rule(),
            Fields((
                Field("受理编号：", self.notice_no),
                Field("申请人(单位)：", self.applicant),
                Field("申请事项：", self.matter),
                Field("受理时间：", self.accepted_at.strftime("%Y-%m-%d %H:%M")),
                Field("办结时间：", self.completed_at.strftime("%Y-%m-%d %H:%M")),
                Field("办理结果：", self.outcome, bold=True),
            )),
            Rule(),
            Para("办理结果文书、证书：", bold=True),
            Items(tuple(self.documents)),
            Fields((
                Field("送达方式：", self.delivery),
                *([Field("快递单号：", self.tracking_no)] if self.tracking_no else []),
            )),
            Rule(),
            Fields((Field("出证窗口：", self.window), Field("经 办 人：", self.handler))),
            Signatures(("领取人签字",)),
        )
        return Form(f"办结通知书 {self.notice_no}", blocks, number=self.notice_no, case_code=self.case_code)


def _default_stages() -> list[HandoverStage]:
    return [
        HandoverStage("（一）受理环节", (HandoverStep("1、受理通知书 2、申请材料", ("帮办人员", "审批组")),)),
        HandoverStage(
            "（二）审查环节",
            (
                HandoverStep("一次性意见告知单", ("审批组", "帮办人员")),
                HandoverStep("补正资料", ("帮办人员", "审批组")),
                HandoverStep("审查结果（文书、证书、备案表、《制证信息表》）", ("运行科/审批组", "帮办人员")),
            ),
        ),
        HandoverStage(
            "（三）出证环节",
            (HandoverStep("文书、证书、备案表、《制证信息表》等", ("出证窗口", "申请人（或快递单号）")),),
        ),
    ]


@dataclass
class HandoverSheet(Notice):
    """申请材料交接确认单 (附件4), the 材料转递单 that travels with the folder."""

    applicant: str
    matter: str
    group: str
    accepted_on: date | None
    review_required: bool | None
    promised_days: int | None
    stages: list[HandoverStage] = field(default_factory=_default_stages)
    notes: str = ""
    hall_name: str = ""
    case_code: str = ""

    def to_form(self) -> Form:
        yes, no = ("■", "□") if self.review_required else ("□", "■" if self.review_required is False else "□")
        days = str(self.promised_days) if self.promised_days is not None else "    "
        blocks: tuple[Block, ...] = (
            *([Heading(self.hall_name, 2)] if self.hall_name else []),
            Heading("申请材料交接确认单"), Rule(),
            Fields((
                Field("申请人（或单位）：", self.applicant),
                Field("申请事项：", self.matter),
                Field("审批组别：", self.group),
                Field("受理日期：", _d(self.accepted_on)),
                Field("评审/勘验：", f"是{yes}  否{no}"),
                Field("承诺时限：", f"{days}个工作日"),
                Field("申请材料：", "见“受理通知书”"),
            ), pairs=True),
            Handover(tuple(self.stages), self.notes),
        )
        return Form("申请材料交接确认单", blocks, case_code=self.case_code)


@dataclass
class CorrectionNotice(Notice):
    """审查意见一次性告知单 (附件5): all review comments at once."""

    addressee: str
    submitted_on: date
    matter: str
    opinions: list[str]
    deadline: date
    technical_meeting: bool | None = None
    issuer: str = "（科室或驻厅窗口）"
    signatories: list[str] = field(default_factory=lambda: ["科室承办人", "帮办人员", "申请人"])
    case_code: str = ""
    return_to: str = ""  # where the 补正 materials go back (a window); "": 通过受理窗口报回我科室

    def to_form(self) -> Form:
        need = {True: ("■", "□"), False: ("□", "■"), None: ("□", "□")}[self.technical_meeting]
        where = f"交回{self.return_to}" if self.return_to else "通过受理窗口报回我科室"
        blocks: tuple[Block, ...] = (
            Heading("审查意见一次性告知单"), Rule(),
            Para(f"{self.addressee}（单位或个人）：", bold=True),
            Para(f"你（单位）于{_d(self.submitted_on)}提交{self.matter}事项的申报材料。经审查，意见如下："),
            Items(tuple(self.opinions), mark="{n}、"),
            Para(f"请按审查意见一次性整改完善，并于{_d(self.deadline)}前{where}，逾期将不予许可。"),
            Rule(),
            Para("注：与申请人进行技术对接等特殊要求。"),
            Para(f"{need[0]}需要    {need[1]}不需要"),
            Rule(),
            Signatures(tuple(self.signatories)),
        )
        return Form("审查意见一次性告知单", blocks, case_code=self.case_code, issuer=self.issuer)


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


SAMPLES: dict[str, Callable[[], Notice]] = {
    "acceptance": sample_acceptance,
    "completion": sample_completion,
    "handover": sample_handover,
    "correction": sample_correction,
}
