"""One case's full history as one document for 归档 (seed 000 §二(一)6): ``hallq report case``.

The document is a small layout model (:class:`ArchiveDoc`: a title, labelled fields, captioned
tables) built from the case's events alone, then rendered as Markdown text or an .xlsx sheet.
It holds three parts:

* 基本信息 — the case as it stands: matter, department, 即办件/承诺件, promised date (and the
  original one if 补正 moved it), the materials received (原件/复印件, counts), the delivery
  method, the decision and how the result reached the applicant;
* 申请材料交接记录 (附件4) — every handover, read off the events by :func:`hub.cases.handover_rows`:
  环节, what changed hands, from whom to whom, who (工号, and the name of a back-office clerk
  signed in at the desk: “3001 陈刚”; device) and when;
* 办理过程 — every event of the case in order, with who, when and what, and its number in the
  hub's log (事件序号) so the record can be checked against the database.

Personal data stays as the log keeps it: the applicant and a collector masked, the ID only as
the hub's keyed hash (not printed), a postal address only as an opaque reference.

On A4 (``.pdf``, and ``.png``: the PDF's own pages rendered by PDFium, to look at before printing)
the same document becomes a :class:`printers.forms.Form` drawn by :mod:`printers.pdf`: the fields
in a ruled table, 附件4 as its grid (环节 | 交接材料 | 交出 → 接收 | 经办人（工号/姓名、设备）| 时间), the
办理过程 as a numbered list, the case code as Code 128 and QR in the top corner.

A month's archive (:func:`closed_cases`, ``hallq report case --period YYYY-MM --out DIR``): every
case whose result reached the applicant in the month (现场领取, 自助柜, 邮寄, 当场办结), one PDF each,
and an index (``索引.md``) of them.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub import case_events as ce
from hub.case_config import CaseRules
from hub.cases import (
    ACTION_WORDS,
    DELIVERY_WORDS,
    FORM_WORDS,
    KIND_WORDS,
    STATE_WORDS,
    Case,
    CaseBook,
    CaseKind,
    Delivery,
    MaterialForm,
    correction_marks,
    handover_rows,
)
from hub.reports.cases import CaseRow, decode
from hub.workdays import WorkCalendar
from printers import forms as f

FORMATS = (".xlsx", ".md", ".txt", ".pdf", ".png")
DASH = "—"
# who acted: a window's or guide's 工号, a back-office clerk's 工号 and name (“3001 陈刚”, issue 15)
STAFF_HEADER = "经办人（工号/姓名）"
STAFF_NOTE = "经办人：窗口与引导人员记工号，后台审批记签到经办人的工号和姓名。"


class ArchiveError(Exception):
    """The case cannot be exported; the message says why, for the person running the command."""


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass
class ArchiveDoc:
    title: str
    subtitle: str
    case_id: str = ""
    number: str = ""  # the provincial case number, if any
    hall_name: str = ""
    handovers: tuple[tuple[str, str, str, str, str, str], ...] = ()  # 环节, 材料, 交出, 接收, 经办人, 时间
    fields: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _form(f: str) -> str:
    try:
        return FORM_WORDS[MaterialForm(f)]
    except ValueError:
        return f


def _delivery(d: str) -> str:
    try:
        return DELIVERY_WORDS[Delivery(d)]
    except ValueError:
        return d


def _materials(rows: Iterable[ce.MaterialRow], marks: Iterable[bool] = ()) -> str:
    """The materials, each 补正 one marked “（补正）” (``marks``: :func:`hub.cases.correction_marks`)."""
    flags = list(marks)
    return "；".join(f"{name}（{_form(form)}{count}份）" + ("（补正）" if i < len(flags) and flags[i] else "")
                    for i, (name, form, count) in enumerate(rows))


def details(e: ce.CaseEvent) -> str:
    """What an event says beyond its step, who and when, in words."""
    if isinstance(e, ce.CaseAccepted):
        return (f"{KIND_WORDS[CaseKind(e.kind)]}，承诺时限{e.promised_days}个工作日，承诺办结日期{e.due}；"
                f"承办部门{e.department}；受理窗口{e.window}；送达方式{_delivery(e.delivery)}"
                + (f"（格口 {e.compartment}）" if e.compartment else "") + f"；材料：{_materials(e.materials)}")
    if isinstance(e, ce.CasePickedUp):
        return "转递人员取走材料，送往承办部门"
    if isinstance(e, ce.CaseSigned):
        return f"{e.department}签收"
    if isinstance(e, ce.CaseCorrectionNotified):
        return f"{e.department}：{'；'.join(e.reasons)}；请于{e.deadline}前通过受理窗口报回"
    if isinstance(e, ce.CaseCorrectionReceived):
        return (f"窗口{e.window}接收补正材料：{_materials(e.materials)}；停止计时{e.paused_days}个工作日，"
                f"承诺办结日期顺延至{e.due}")
    if isinstance(e, ce.CaseApproved):
        return f"{e.department}办结，结果：{e.result_kind or DASH}"
    if isinstance(e, ce.CaseDenied):
        return f"{e.department}不予许可：{'；'.join(e.reasons)}"
    if isinstance(e, ce.CaseResultSent):
        return f"{e.department}出件转递至统一出件窗口"
    if isinstance(e, ce.CaseResultReceived):
        return f"出件窗口{e.window}接收，待领取"
    if isinstance(e, ce.CaseCollected):
        who = f"申请人 {e.collector_masked}"
        if e.proxy:
            who = f"代领人 {e.collector_masked}，授权委托书 {e.authorisation}"
        return f"窗口{e.window}交付，{who}"
    if isinstance(e, ce.CaseLockered):
        return f"投入自助取件柜，格口 {e.compartment}"
    if isinstance(e, ce.CasePosted):
        return f"邮寄送达，快递单号 {e.tracking}"
    if isinstance(e, ce.CaseDeliveryChanged):
        return f"送达方式改为{_delivery(e.delivery)}" + (f"（格口 {e.compartment}）" if e.compartment else "")
    if isinstance(e, ce.CaseDoneOnTheSpot):
        return f"即办件当场办结，窗口{e.window}交付，结果：{e.result_kind or DASH}"
    return ""


def find_case(rows: list[CaseRow], ref: str, timezone: str,
              calendar: WorkCalendar | None = None) -> tuple[Case, list[int]]:
    """The case by its id or provincial number, replayed from its events; the log seq of each history entry.

    Refuses (:class:`ArchiveError`) an unknown reference, and a log whose events for the case do
    not replay (saying which event)."""
    accepted = [r for r in rows if r.data.get("type") == ce.CaseAccepted.type
                and ref in (r.data.get("case"), r.data.get("number") or None)]
    if not accepted:
        known = sum(1 for r in rows if r.data.get("type") == ce.CaseAccepted.type)
        raise ArchiveError(f"数据库中没有办件 {ref}（按办件号或办件编号查找；库中共有 {known} 件办件）")
    case_id = str(accepted[0].data["case"])
    mine = [r for r in rows if r.data.get("case") == case_id]
    book = CaseBook(calendar or WorkCalendar(), timezone)
    seqs: list[int] = []
    events: list[tuple[ce.CaseEvent, int]] = []
    for r in mine:
        try:
            events.append((ce.case_event_from_dict(r.data), r.seq))
        except (KeyError, TypeError, ValueError) as exc:
            raise ArchiveError(f"办件 {case_id} 的事件 #{r.seq} 无法解析：{exc}") from None
    for e, seq in sorted(events, key=lambda x: (x[0].at, x[1])):
        try:
            book.apply(e)
        except (KeyError, ValueError):
            raise ArchiveError(f"办件 {case_id} 的事件 #{seq}（{e.type}）不能接续此前的记录，无法归档") from None
        seqs.append(seq)
    return book.cases[case_id], seqs


def build_archive(rows: list[CaseRow], ref: str, timezone: str, hall_name: str = "政务服务中心",
                  matter_names: dict[str, str] | None = None, calendar: WorkCalendar | None = None,
                  situation_names: dict[tuple[str, str], str] | None = None) -> ArchiveDoc:
    c, seqs = find_case(rows, ref, timezone, calendar)
    tz = zoneinfo.ZoneInfo(timezone)

    def when(at: float | None) -> str:
        return DASH if at is None else f"{dt.datetime.fromtimestamp(at, tz):%Y-%m-%d %H:%M:%S}"

    first = c.history[0]
    assert isinstance(first, ce.CaseAccepted)
    names = matter_names or {}
    decision = {"approved": "办结", "denied": "不予许可"}.get(c.decision, DASH)
    result = c.result_kind if c.decision == "approved" else "；".join(c.reasons) if c.decision == "denied" else ""
    last = c.history[-1]
    handed = {"collected": f"申请人 {c.collector_masked}", "in_locker": f"自助柜格口 {c.compartment}",
              "posted": f"邮寄，快递单号 {c.tracking}"}
    if isinstance(last, ce.CaseCollected) and last.proxy:
        handed["collected"] = f"代领人 {last.collector_masked}（授权委托书 {last.authorisation}）"
    doc = ArchiveDoc(
        f"{hall_name}办件档案",
        f"办件 {c.id}　申请材料交接确认单（附件4）及办理过程记录　时间为 {timezone} 当地时间",
        c.id, c.number, hall_name,
    )
    doc.fields = [
        ("办件号", c.id),
        ("办件编号（省级系统）", c.number or DASH),
        ("票号", c.ticket or DASH),
        ("事项", names.get(c.matter, c.matter)),
        ("情形", (situation_names or {}).get((c.matter, c.situation), c.situation) or DASH),
        ("承办部门", c.department),
        ("办件类型", KIND_WORDS[c.kind]),
        ("承诺时限", f"{c.promised_days}个工作日" if c.kind is CaseKind.PROMISED else "即办"),
        ("承诺办结日期", c.due.isoformat() + (f"（原为 {first.due}，补正顺延 {c.paused_days} 个工作日）"
                                             if c.due.isoformat() != first.due else "")),
        ("受理窗口", c.window),
        ("申请人（脱敏）", c.applicant_masked or DASH),
        ("申请材料", _materials(c.materials, correction_marks(c))),
        ("送达方式", DELIVERY_WORDS[c.delivery]),
        ("当前状态", STATE_WORDS[c.state]),
        ("受理时间", when(c.accepted_at)),
        ("签收时间", when(c.signed_at)),
        ("办理结果", f"{decision}（{result}）" if result else decision),
        ("办结时间", when(c.decided_at)),
        ("补正次数", str(c.corrections)),
        ("送达", f"{when(c.closed_at)}　{handed.get(c.state.value, '')}".strip() if c.closed_at else "尚未送达"),
    ]
    doc.handovers = tuple((h.stage, h.what + (f"（{h.note}）" if h.note else ""), h.giver, h.receiver,
                           "，".join(x for x in (f"工号 {h.staff}" if h.staff else "", h.device) if x) or DASH,
                           when(h.at)[:16]) for h in handover_rows(c))
    doc.tables.append(Table(
        "申请材料交接记录（附件4）",
        ("序号", "环节", "交接材料", "交出", "接收", STAFF_HEADER, "设备", "交接时间", "说明"),
        tuple((i, h.stage, h.what, h.giver, h.receiver, h.staff or DASH, h.device or DASH, when(h.at), h.note or DASH)
              for i, h in enumerate(handover_rows(c), 1))))
    doc.tables.append(Table(
        "办理过程（全部记录，按时间）",
        ("序号", "时间", "环节", STAFF_HEADER, "设备", "内容", "事件序号"),
        tuple((i, when(e.at), ACTION_WORDS.get(e.action, e.type), e.staff or DASH, e.device or DASH, details(e),
               seq) for i, (e, seq) in enumerate(zip(c.history, seqs, strict=True), 1))))
    doc.notes.append(STAFF_NOTE)
    doc.notes.append("本档案由系统事件记录生成，身份证号码仅以密钥散列保存、不予打印；邮寄地址加密保存、不予打印。")
    return doc


def render_text(doc: ArchiveDoc) -> str:
    out = [f"# {doc.title}", "", doc.subtitle, "", "## 基本信息", "", "| 项目 | 内容 |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in doc.fields]
    for t in doc.tables:
        out += ["", f"## {t.caption}", "", "| " + " | ".join(t.headers) + " |", "|" + "---|" * len(t.headers)]
        out += ["| " + " | ".join(str(x) for x in row) + " |" for row in t.rows]
        if not t.rows:
            out.append("| （无） |" + " |" * (len(t.headers) - 1))
    out += ["", *(f"注：{n}" for n in doc.notes), ""]
    return "\n".join(out)


def write_xlsx(doc: ArchiveDoc, path: str | Path) -> None:
    from openpyxl import Workbook

    from hub.reports.sheet import Sheet

    wb = Workbook()
    ws = wb.active
    ws.title = "办件档案"
    s = Sheet(ws, doc.title, doc.subtitle)
    s.caption("基本信息")
    s.table(["项目", "内容"], [list(f) for f in doc.fields])
    for t in doc.tables:
        s.caption(t.caption)
        s.table(list(t.headers), [list(r) for r in t.rows])
    for n in doc.notes:
        s.note(n)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def to_form(doc: ArchiveDoc) -> f.Form:
    """The archive on A4: the layout model :mod:`printers.pdf` draws (the same one the notices use)."""
    stages: list[f.HandoverStage] = []
    for stage, what, giver, receiver, who, at in doc.handovers:
        step = f.HandoverStep(what, (f"{giver} → {receiver}",), ((who, at),))
        if stages and stages[-1].name == stage:
            stages[-1] = f.HandoverStage(stage, (*stages[-1].steps, step))
        else:
            stages.append(f.HandoverStage(stage, (step,)))
    steps = doc.tables[1].rows if len(doc.tables) > 1 else ()
    blocks: list[f.Block] = [
        f.Heading(doc.hall_name or "政务服务中心", 2),
        f.Heading("办件档案", 1),
        f.Para(doc.subtitle.replace(f"办件 {doc.case_id}　", ""), align="center"),
        f.Para("一、基本信息", bold=True),
        f.Fields(tuple(f.Field(k, v) for k, v in doc.fields)),
        f.Para("二、申请材料交接记录（附件4）", bold=True),
    ]
    if stages:
        blocks.append(f.Handover(tuple(stages), "经办人为系统记录的操作人与设备：窗口与引导人员记工号，"
                                                 "后台审批记签到经办人的工号和姓名；时间为当地时间。"))
    else:
        blocks.append(f.Para("（无交接记录）"))
    blocks.append(f.Para("三、办理过程（全部记录，按时间）", bold=True))
    blocks.append(f.Items(tuple(f"{at}　{step}　{who if who != DASH else ''}{'（' + dev + '）' if dev != DASH else ''}"
                                f"　{what}　〔事件 #{seq}〕" for _, at, step, who, dev, what, seq in steps),
                          mark="{n}、"))
    blocks += [f.Para(f"注：{n}") for n in doc.notes]
    blocks.append(f.Signatures(("归档人", "审核人")))
    code = doc.case_id if f.CASE_CODE.fullmatch(doc.case_id) else ""
    return f.Form(doc.title, tuple(blocks), number=doc.number or doc.case_id, case_code=code,
                  issuer=doc.hall_name)


def write_pdf(doc: ArchiveDoc, path: str | Path, created: dt.datetime | None = None) -> None:
    """The archive as an A4 PDF; a ``.png`` path gets the PDF's pages as a preview image instead."""
    from printers.pdf import render_pdf, save_png

    data = render_pdf(to_form(doc), created=created)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".png":
        save_png(data, path)
    else:
        path.write_bytes(data)


def write_archive(doc: ArchiveDoc, path: str | Path, created: dt.datetime | None = None) -> None:
    """By the file's suffix: .xlsx, .md/.txt (Markdown), .pdf (A4) or .png (the A4 pages as an image)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        write_xlsx(doc, path)
    elif suffix in (".md", ".txt"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(render_text(doc), encoding="utf-8")
    elif suffix in (".pdf", ".png"):
        write_pdf(doc, path, created)
    else:
        raise ArchiveError(f"--out 应为 {'、'.join(FORMATS)} 文件 (got {suffix or 'no extension'})")


@dataclass(frozen=True)
class ClosedCase:
    """A case whose result reached the applicant: one line of a month's 归档 index."""

    id: str
    number: str
    matter: str
    department: str
    accepted_at: float
    closed_at: float
    state: str  # the final state's words


def closed_cases(rows: list[CaseRow], first: dt.date, last: dt.date, timezone: str,
                 rules: CaseRules | None = None) -> list[ClosedCase]:
    """Every case closed (领取, 投柜, 邮寄, 当场办结) from ``first`` to ``last`` (local days), by closing time.

    A case whose events do not replay is left out here; exporting it names the event (:func:`find_case`)."""
    rules = rules or CaseRules()
    events, _ = decode(rows, rules, timezone)
    book = CaseBook(rules.calendar, timezone)
    for e in events:
        book.apply(e)
    tz = zoneinfo.ZoneInfo(timezone)
    out = [ClosedCase(c.id, c.number, c.matter, c.department, c.accepted_at, c.closed_at, STATE_WORDS[c.state])
           for c in book.cases.values()
           if c.closed_at is not None and first <= dt.datetime.fromtimestamp(c.closed_at, tz).date() <= last]
    return sorted(out, key=lambda c: (c.closed_at, c.id))


def archive_file_name(case_id: str) -> str:
    """The PDF's file name: the case id with anything unsafe in a file name replaced."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in case_id) + ".pdf"
