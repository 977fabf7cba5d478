"""The bytes, decoded independently: text runs, rare-character rasters, QR payloads, sizes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from printers.escpos_render import render
from printers.layout import Builder, QRCode, Rule, TextLine
from printers.notices import SAMPLES
from printers.preview import paper as preview_paper
from printers.preview import save_png
from printers.profiles import PROFILES, get_profile
from printers.slip import sample_slip
from tests.printers.escpos_reader import paper, parse
from tests.printers.printer_fakes import zbar

TEXT_PROFILES = [p for p in PROFILES.values() if p.text_mode]
ALL_DOCS = {"ticket": sample_slip, **SAMPLES}


def _parse(data: bytes, profile_name: str):  # type: ignore[no-untyped-def]
    p = get_profile(profile_name)
    return parse(data, chinese_default=p.chinese_mode != "fs", encoding=p.encoding)


def _expected_text_lines(doc):  # type: ignore[no-untyped-def]
    out = []
    for b in doc.blocks:
        if isinstance(b, TextLine):
            out.append(b)
        elif isinstance(b, Rule):
            out.append(TextLine(b.char * doc.columns))
    return out


@pytest.mark.parametrize("profile", [p.name for p in TEXT_PROFILES])
@pytest.mark.parametrize("kind", list(ALL_DOCS))
@pytest.mark.parametrize("width", [58, 80])
def test_text_runs_decode_back_to_the_document(profile: str, kind: str, width: int) -> None:
    doc = ALL_DOCS[kind]().to_document(width)
    parsed = _parse(render(doc, get_profile(profile)), profile)
    expected = [b for b in _expected_text_lines(doc) if b.text.encode("gbk", "replace").decode("gbk") == b.text]
    assert [ln.text for ln in parsed.lines] == [b.text for b in expected]
    assert [(ln.size, ln.bold) for ln in parsed.lines] == [(b.size, b.bold) for b in expected]
    assert parsed.high_bytes_outside_fs == 0 or get_profile(profile).chinese_mode != "fs"


def test_fs_profile_wraps_every_chinese_run_in_fs_and() -> None:
    doc = Builder(58).text("，：（）").text("ABC").text("窗口S01").build()
    data = render(doc, get_profile("generic-gb18030"))
    assert b"\x1c&" + "，：（）".encode("gb18030") + b"\x1c." in data  # punctuation-only line, not "?"
    assert b"?" not in data
    parsed = parse(data)
    assert parsed.high_bytes_outside_fs == 0
    assert [ln.text for ln in parsed.lines] == ["，：（）", "ABC", "窗口S01"]


def test_default_and_utf8_profiles_send_no_fs_and() -> None:
    doc = Builder(58).text("吕梁市政务服务中心").build()
    assert b"\x1c&" not in render(doc, get_profile("xprinter"))
    utf8 = render(doc, get_profile("utf8"))
    assert "吕梁市政务服务中心".encode() in utf8
    assert b"\x1c&" not in utf8


def test_rare_character_line_becomes_a_raster_of_the_same_line() -> None:
    slip = replace(sample_slip(), applicant_masked="𠮷*")
    doc = slip.to_document(58)
    data = render(doc, get_profile("generic-gb18030"))
    parsed = parse(data)
    texts = [ln.text for ln in parsed.lines]
    assert not any("𠮷" in t for t in texts)
    assert "申 请 人：张*" not in texts
    # the mixed line (GBK label + rare character) is one raster, pixel-equal to the preview's line
    from printers.raster import line_image

    line = next(b for b in doc.blocks if isinstance(b, TextLine) and "𠮷" in b.text)
    rasters = [r for r in parsed.rasters if r.height == 30]
    assert len(rasters) == 1
    assert rasters[0].image().tobytes() == line_image(line).tobytes()
    # and the lines around it are still text
    assert "办理窗口：S01、S02、S03" in texts
    assert "证件号码：141002********029X" in texts


def test_native_qr_payload_is_the_url() -> None:
    slip = sample_slip()
    parsed = parse(render(slip.to_document(80), get_profile("generic-gb18030")))
    assert [(q.data, q.model, q.ecc) for q in parsed.qrs] == [(slip.qr_url, 2, 1)]
    assert parsed.qrs[0].module == get_profile("generic-gb18030").qr_module


@pytest.mark.parametrize("width", [58, 80])
def test_qr_in_the_png_preview_scans_to_the_url(tmp_path: Path, width: int) -> None:
    slip = sample_slip()
    png = save_png(slip.to_document(width), tmp_path / "slip.png")
    assert zbar(png) == [slip.qr_url]


def test_raster_qr_in_the_printed_bytes_scans_to_the_url(tmp_path: Path) -> None:
    slip = sample_slip()
    doc = Builder(58).qr(slip.qr_url).build()
    parsed = parse(render(doc, get_profile("raster-only")))
    assert parsed.qrs == []
    page = paper(parsed, 384)
    framed = page.crop((-24, -24, page.width + 24, page.height + 24))  # paper margins as quiet zone
    framed.paste(1, (0, 0, framed.width, 24))
    path = tmp_path / "printed-qr.png"
    framed.save(path)
    assert zbar(path) == [slip.qr_url]


@pytest.mark.parametrize("kind", list(ALL_DOCS))
@pytest.mark.parametrize("width", [58, 80])
def test_raster_only_output_is_the_preview_dot_for_dot(kind: str, width: int) -> None:
    doc = ALL_DOCS[kind]().to_document(width)
    profile = get_profile("raster-only")
    parsed = parse(render(doc, profile))
    assert parsed.lines == []
    assert parsed.qrs == []
    printed = paper(parsed, doc.dots)
    preview = preview_paper(doc, profile)
    assert printed.size == preview.size
    assert printed.tobytes() == preview.tobytes()


def test_cut_command_follows_the_profile() -> None:
    doc = sample_slip().to_document(58)
    assert parse(render(doc, get_profile("generic-gb18030"))).cuts == [b"\x1dVB\x00"]
    assert parse(render(doc, get_profile("generic-gb18030", cut="full"))).cuts == [b"\x1dV\x00"]
    assert parse(render(doc, get_profile("generic-gb18030", cut="none"))).cuts == []


def test_native_slip_is_a_few_kb_and_raster_is_much_bigger() -> None:
    doc = sample_slip().to_document(80)
    native = len(render(doc, get_profile("generic-gb18030")))
    raster_qr = len(render(doc, get_profile("generic-gb18030", native_qr=False)))
    raster = len(render(doc, get_profile("raster-only")))
    assert native < 3000
    assert native < raster_qr < raster


def test_qr_module_size_is_the_same_in_bytes_and_preview() -> None:
    url = sample_slip().qr_url
    doc = Builder(80).qr(url).build()
    profile = get_profile("generic-gb18030", qr_module=4)
    assert parse(render(doc, profile)).qrs[0].module == 4
    small = preview_paper(doc, profile)
    big = preview_paper(doc, get_profile("generic-gb18030", qr_module=8))
    assert big.height - 24 == 2 * (small.height - 24)
    assert isinstance(doc.blocks[0], QRCode)
