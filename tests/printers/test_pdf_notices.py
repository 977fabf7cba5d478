"""The notices on A4: text read back from the PDF, codes scanned from the preview, □ and ID rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from printers.forms import Form, to_document
from printers.layout import QRCode
from printers.notices import SAMPLES, AcceptanceNotice, CorrectionNotice, HandoverSheet
from printers.pdf import code128_modules, rasterize, render_pdf, save_png
from printers.preview import save_png as save_slip_png
from tests.printers.printer_fakes import zbar

CASE = "LL-2026-000123"
CREATED = dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.UTC)


def _sample(kind: str, **changes: object) -> object:
    return dataclasses.replace(SAMPLES[kind](), **{"case_code": CASE, **changes})  # type: ignore[type-var]


def _text(pdf: bytes) -> str:
    """Every page's text with the whitespace taken out (PDF text runs split words at will)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _codes(png: Path, symbology: str) -> list[str]:
    run = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", f"-S{symbology}.enable", str(png)],
                         capture_output=True, text=True, timeout=30, check=False)
    return [line for line in run.stdout.splitlines() if line]


A4_FIELDS = {
    "acceptance": ["吕梁市政务服务中心", "受理通知书", "编号：SL20230419-0031", "受理编号", "SL20230419-0031",
                   "申请人(单位)", "𠮷祥建筑工程有限公司", "申请事项", "建筑工程施工许可证核发", "受理时间",
                   "2023-04-1910:12", "承诺时限", "5个工作日", "结果送达", "窗口领取（出证窗口）",
                   "已收取申请材料", "1.建筑工程施工许可证申请表", "4.法定代表人身份证复印件", "受理人", "王*",
                   "扫码查询办理进度", "申请人签字：", f"办件码{CASE}"],
    "completion": ["吕梁市政务服务中心", "办结通知书", "办结时间", "2023-04-2415:30", "办理结果", "准予许可",
                   "送达方式", "邮政快递送达", "快递单号", "1180012345678", "出证窗口", "统一出证窗口C01",
                   "领取人签字：", f"办件码{CASE}"],
    "handover": ["吕梁市政务服务中心", "申请材料交接确认单", "申请人（或单位）", "吕梁市某某商贸有限公司", "申请事项",
                 "食品经营许可（新办）", "审批组别", "市场监管审批组", "受理日期", "2023年4月19日", "评审/勘验",
                 "是■否□", "承诺时限", "10个工作日", "申请材料", "见“受理通知书”", "环节", "交接材料名称", "交接人",
                 "签字", "日期", "（一）受理环节", "1、受理通知书2、申请材料", "帮办人员", "审批组", "（二）审查环节",
                 "一次性意见告知单", "补正资料", "运行科/审批组", "（三）出证环节", "出证窗口", "申请人（或快递单号）",
                 "有关说明", "备注", f"办件码{CASE}"],
    "correction": ["审查意见一次性告知单", "吕梁市某某商贸有限公司（单位或个人）：", "2022年6月8日",
                   "经审查，意见如下", "1、经营场所平面布局图未标注清洗消毒区，请补充。",
                   "2、食品安全管理制度缺少进货查验记录制度。", "3、法定代表人签字页与营业执照不一致，请重新签署。",
                   "2022年6月20日前", "逾期将不予许可", "技术对接", "□需要■不需要", "科室承办人：", "帮办人员：",
                   "申请人：", "日期：", "市场监管局驻厅窗口", f"办件码{CASE}"],
}


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_a4_pdf_carries_every_field_as_text(kind: str) -> None:
    pdf = render_pdf(_sample(kind), created=CREATED)  # type: ignore[arg-type]
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    for field in A4_FIELDS[kind]:
        assert field.replace(" ", "") in text, field
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert [round(float(v)) for v in page.mediabox[2:]] == [595, 842]  # A4 in points
    assert not page.images  # text and codes are vectors, not pictures
    fonts = [f["/BaseFont"] for f in _fonts(reader)]
    assert fonts
    assert all(re.fullmatch(r"/[A-Z]{6}\+.+", str(name)) for name in fonts)  # embedded subsets


def _fonts(reader: PdfReader) -> list[dict[str, object]]:
    res = reader.pages[0]["/Resources"]["/Font"]  # type: ignore[index]
    return [res[k].get_object() for k in res]  # type: ignore[index,union-attr]


def test_a_rare_name_character_comes_from_the_rare_font_on_the_same_line() -> None:
    """𠮷 (Extension B) is not in WenQuanYi: the slip's fallback font draws it, and it stays text."""
    reader = PdfReader(io.BytesIO(render_pdf(_sample("acceptance"), created=CREATED)))  # type: ignore[arg-type]
    names = [str(f["/BaseFont"]) for f in _fonts(reader)]
    assert len(names) == 2, names  # WenQuanYi + one fallback, each a subset
    assert "𠮷祥建筑工程有限公司" in _text(render_pdf(_sample("acceptance"), created=CREATED))  # type: ignore[arg-type]


def test_case_code_and_progress_url_scan_from_the_preview(tmp_path: Path) -> None:
    for kind in SAMPLES:
        png = save_png(render_pdf(_sample(kind), created=CREATED), tmp_path / f"{kind}.png")  # type: ignore[arg-type]
        qrs = _codes(png, "qrcode")
        assert CASE in qrs, kind
        assert _codes(png, "code128") == [CASE], kind
        if kind == "acceptance":
            assert "https://zwfw.lvliang.gov.cn/b?n=SL20230419-0031" in qrs


def test_without_a_case_code_there_is_no_code_on_the_page(tmp_path: Path) -> None:
    pdf = render_pdf(SAMPLES["handover"](), created=CREATED)
    png = save_png(pdf, tmp_path / "h.png")
    assert zbar(png) == []
    assert _codes(png, "code128") == []
    assert "办件码" not in _text(pdf)


def test_code128_modules_are_a_real_code128_symbol() -> None:
    bars = code128_modules(CASE)
    assert bars.startswith("11010010000")  # Start B
    assert bars.endswith("1100011101011")  # Stop
    assert (len(bars) - 13) % 11 == 0


def test_the_handover_grid_has_a_signature_and_a_date_cell_for_every_party() -> None:
    sheet = SAMPLES["handover"]()
    parties = sum(len(step.parties) for stage in sheet.stages for step in stage.steps)
    assert parties == 10
    text = _text(render_pdf(sheet, created=CREATED))
    assert text.count("年月日") == parties


def test_a_character_no_font_has_is_printed_as_the_mask(caplog: pytest.LogCaptureFixture) -> None:
    """U+30000 (Extension G) is in no installed font: □ in its place, the rest of the name kept."""
    item = _sample("acceptance", applicant="\U00030000明商贸有限公司")
    with caplog.at_level("WARNING"):
        text = _text(render_pdf(item, created=CREATED))  # type: ignore[arg-type]
    assert "□明商贸有限公司" in text
    assert "\U00030000" not in text
    assert not [r for r in caplog.records if "missing the following glyphs" in r.getMessage()]  # fpdf2 dropped none


def test_a_full_id_number_is_refused_on_a4_as_on_the_slip() -> None:
    full = "11010519491231002X"
    with pytest.raises(ValueError, match="完整身份证号码"):
        render_pdf(_sample("acceptance", applicant=f"张三 {full}"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="完整身份证号码"):
        render_pdf(_sample("acceptance", qr_url=f"https://x.example/?id={full}"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="完整身份证号码"):
        SAMPLES["correction"]().__class__(**{**dataclasses.asdict(SAMPLES["correction"]()),
                                             "opinions": [f"身份证 {full} 模糊"]}).to_form()
    masked = _text(render_pdf(_sample("acceptance", applicant="张* 110105********002X"),  # type: ignore[arg-type]
                              created=CREATED))
    assert "110105********002X" in masked


@pytest.mark.parametrize("bad", ["办件-001", "LL 2026", "", "x" * 65, "11010519491231002X"])
def test_a_bad_case_code_is_a_clear_error(bad: str) -> None:
    if not bad:
        assert render_pdf(_sample("handover", case_code=""), created=CREATED)  # type: ignore[arg-type]
        return
    with pytest.raises(ValueError, match=r"办件码|完整身份证号码"):
        _sample("handover", case_code=bad).to_form()  # type: ignore[attr-defined]


def test_a_long_notice_flows_onto_a_second_page_and_loses_nothing() -> None:
    base = SAMPLES["correction"]()
    opinions = [f"第{n}项材料需要补正：请提交加盖公章的原件复印件并注明用途。" for n in range(1, 41)]
    item = CorrectionNotice(**{**dataclasses.asdict(base), "opinions": opinions})
    pdf = render_pdf(item, created=CREATED)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    text = _text(pdf)
    for n, opinion in enumerate(opinions, 1):
        assert f"{n}、{opinion}" in text
    assert text.index("40、") < text.index("科室承办人：") < text.index("市场监管局驻厅窗口")
    assert "第2页共2页" in text


def test_long_values_wrap_inside_their_cells() -> None:
    long = "吕梁市离石区某某街道某某社区居民委员会关于某某建设项目的联合申请（含附属设施及配套工程）"
    pdf = render_pdf(_sample("handover", matter=long), created=CREATED)  # type: ignore[arg-type]
    assert long.replace("（", "（") in _text(pdf)


def test_the_preview_is_the_pdf_at_150_dpi(tmp_path: Path) -> None:
    pdf = render_pdf(_sample("completion"), created=CREATED)  # type: ignore[arg-type]
    pages = rasterize(pdf, dpi=150).pages
    assert len(pages) == 1
    w, h = pages[0].size
    assert abs(w - 1240) <= 1  # 210 x 297 mm at 150 dpi
    assert abs(h - 1754) <= 1
    dark = sum(pages[0].convert("L").histogram()[:128])
    assert dark > 20_000  # text, rules and codes, not a blank page
    png = save_png(pdf, tmp_path / "c.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_pdf_is_the_same_for_the_same_notice() -> None:
    item = _sample("handover")
    assert render_pdf(item, created=CREATED) == render_pdf(item, created=CREATED)  # type: ignore[arg-type]


def test_the_slip_prints_the_case_code_as_a_qr_transfer_staff_can_scan(tmp_path: Path) -> None:
    sheet = _sample("handover")
    doc = sheet.to_document(80)  # type: ignore[attr-defined]
    assert QRCode(CASE, f"办件码 {CASE}") in doc.blocks
    assert f"办件码 {CASE}" in doc.texts()
    assert zbar(save_slip_png(doc, tmp_path / "slip.png")) == [CASE]
    plain = SAMPLES["handover"]().to_document(80)
    assert not any(isinstance(b, QRCode) for b in plain.blocks)  # no code given: the slip as before


def test_the_slip_and_the_page_come_from_one_form() -> None:
    item = _sample("acceptance")
    form = item.to_form()  # type: ignore[attr-defined]
    assert isinstance(form, Form)
    assert to_document(form, 58) == item.to_document(58)  # type: ignore[attr-defined]
    slip_text = "".join(t.replace(" ", "") for t in item.to_document(80).texts())  # type: ignore[attr-defined]
    page_text = _text(render_pdf(form, created=CREATED))
    assert form.title == "受理通知书 SL20230419-0031"  # the PDF's title (metadata), not a printed line
    assert PdfReader(io.BytesIO(render_pdf(form, created=CREATED))).metadata.title == form.title  # type: ignore[union-attr]
    for s in form.strings():
        if s and s != form.title and "\n" not in s and len(s) < 30 and not s.startswith("http"):
            bare = s.replace(" ", "").rstrip("：")
            assert bare in page_text, s
            assert bare in slip_text, s
    assert isinstance(item, AcceptanceNotice)
    assert isinstance(SAMPLES["handover"](), HandoverSheet)


def test_cli_notice_writes_every_form_as_pdf_and_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from launcher.cli import main as hallq

    assert hallq(["notice", "--kind", "all", "--out-dir", str(tmp_path), "--case-code", "LL-2026-000999"]) == 0
    out = capsys.readouterr().out
    for kind in SAMPLES:
        pdf, png = tmp_path / f"{kind}.pdf", tmp_path / f"{kind}.png"
        assert f"{kind} A4" in out
        assert "办件码LL-2026-000999" in _text(pdf.read_bytes())
        assert _codes(png, "code128") == ["LL-2026-000999"]
    assert hallq(["notice", "--kind", "correction", "--case-code", "办件1"]) == 2
    assert hallq(["notice", "--kind", "correction", "--case-code", "办件1", "--pdf", str(tmp_path / "x.pdf")]) == 2
    assert "办件码应为" in capsys.readouterr().err


# The slip's Documents (every line, size, weight, alignment, rule, QR, feed and cut) as they were before
# the notices moved onto the Form model: sha256 of repr(doc), first 16 hex digits. Taken from the code
# before the change; the ESC/POS bytes of every profile were compared the same way at the time.
SLIP_BEFORE_FORMS = {
    "acceptance-58": "687d9124b6d1987f", "acceptance-80": "bac5b7c329efe0f0",
    "acceptance-min-58": "8d1d33754d5ff437", "acceptance-min-80": "e1a40e4df7586b83",
    "completion-58": "bac1eede5e981495", "completion-80": "0a28c106d627ca95",
    "completion-min-58": "0c7e54730cc6e584", "completion-min-80": "eb0a1a9f30985f95",
    "correction-58": "93cace03d449110c", "correction-80": "3133982182a3b11f",
    "correction-none-58": "3f36aab5c5d729c1", "correction-none-80": "f546d9d78dc0a206",
    "correction-true-58": "82e17b870fa7f67f", "correction-true-80": "9d6e2d0d6a085351",
    "handover-58": "fdcad5eb8c9586c2", "handover-80": "02b7c4edf8dabd14",
    "handover-false-58": "c3eae2a7c78bcc10", "handover-false-80": "90acbe726bda168b",
    "handover-none-58": "c65683439963e3d7", "handover-none-80": "819fee79eece30bb",
}


def test_the_slip_is_line_for_line_what_it_was_before_the_form_model() -> None:
    import hashlib

    items = {k: f() for k, f in SAMPLES.items()}
    items["acceptance-min"] = dataclasses.replace(items["acceptance"], contact_phone="", qr_url="")  # type: ignore[type-var]
    items["completion-min"] = dataclasses.replace(items["completion"], tracking_no="")  # type: ignore[type-var]
    items["handover-none"] = dataclasses.replace(items["handover"], review_required=None,  # type: ignore[type-var]
                                                 promised_days=None, accepted_on=None, hall_name="", notes="x")
    items["handover-false"] = dataclasses.replace(items["handover"], review_required=False)  # type: ignore[type-var]
    items["correction-none"] = dataclasses.replace(items["correction"], technical_meeting=None)  # type: ignore[type-var]
    items["correction-true"] = dataclasses.replace(items["correction"], technical_meeting=True)  # type: ignore[type-var]
    seen = {f"{name}-{w}": hashlib.sha256(repr(item.to_document(w)).encode()).hexdigest()[:16]
            for name, item in items.items() for w in (58, 80)}
    assert seen == SLIP_BEFORE_FORMS


def test_recorded_handovers_fill_the_rows_on_both_papers() -> None:
    """The 归档 copy: who signed at each handover and when, in the party's own row."""
    from printers.forms import HandoverStage, HandoverStep

    sheet = SAMPLES["handover"]()
    first = sheet.stages[0]
    sheet.stages[0] = HandoverStage(first.name, (HandoverStep(
        first.steps[0].materials, first.steps[0].parties,
        signed=(("王*", "2026-11-23 10:05"), ("李*", "2026-11-23 14:30"))),))
    text = _text(render_pdf(sheet, created=CREATED))
    assert "帮办人员王*2026-11-2310:05" in text
    assert "审批组李*2026-11-2314:30" in text
    assert text.count("年月日") == 8  # the other parties still sign by hand
    lines = sheet.to_document(80).texts()
    assert "帮办人员：王* 2026-11-23 10:05" in lines
    assert "审批组：李* 2026-11-23 14:30" in lines


def test_a_long_handover_table_breaks_between_stages_and_repeats_its_header() -> None:
    from printers.forms import HandoverStage, HandoverStep

    sheet = SAMPLES["handover"]()
    extra = [HandoverStage(f"（{n}）复核环节", (HandoverStep(f"复核材料第{n}批", ("审批组", "帮办人员")),
                                              HandoverStep(f"补正材料第{n}批", ("帮办人员", "审批组"))))
             for n in range(4, 9)]
    sheet.stages = [*sheet.stages, *extra]
    pdf = render_pdf(sheet, created=CREATED)
    pages = [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 2
    assert all("环节交接材料名称交接人签字日期" in page for page in pages)
    assert ["第1页共2页" in pages[0], "第2页共2页" in pages[1]] == [True, True]
    for n in range(4, 9):  # every stage whole on one page
        assert sum(f"复核材料第{n}批" in page and f"补正材料第{n}批" in page for page in pages) == 1
    assert "备注" in pages[1]


def test_a_long_case_id_as_the_hub_allows_still_scans(tmp_path: Path) -> None:
    """The hub's case ids run to 64 characters ([A-Za-z0-9_.:/-]); both codes must still read."""
    code = "LL-2026-11-23/S01:" + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghij"[:46]
    assert len(code) == 64
    png = save_png(render_pdf(_sample("handover", case_code=code), created=CREATED),  # type: ignore[arg-type]
                   tmp_path / "long.png", dpi=300)  # read at 300 dpi; an office laser prints at 600
    assert _codes(png, "qrcode") == [code]
    assert _codes(png, "code128") == [code]
