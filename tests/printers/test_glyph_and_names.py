"""Issue 13 §4: a name character outside every installed font still gets a slip; one masking rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

import pytest

from hallq.idcard import mask_name
from printers import fonts
from printers.escpos_render import render
from printers.layout import TextLine
from printers.preview import paper
from printers.profiles import get_profile
from printers.slip import VALID_TODAY, sample_slip, valid_until
from tests.printers.escpos_reader import parse

EXT_G = "\U00030000"  # CJK Extension G: not in Hanazono (A-F) nor WenQuanYi


@pytest.mark.parametrize(("name", "masked"), [
    ("张三", "张**"), ("张三丰", "张**"), ("欧阳娜娜", "欧**"), ("买买提·艾力", "买**"),
    ("李", "**"), ("  王五 ", "王**"), ("", ""), ("   ", ""), (EXT_G + "明", EXT_G + "**"),
])
def test_one_name_rule_keeps_first_character_and_always_two_stars(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_names_of_any_length_mask_to_the_same_length() -> None:
    assert len({len(mask_name(n)) for n in ("张三", "张三丰", "欧阳娜娜", "欧阳娜娜娜")}) == 1


def test_slip_with_a_glyph_no_font_has_prints_with_the_mask(caplog: pytest.LogCaptureFixture) -> None:
    fonts._font_for.cache_clear()  # the warning is logged once per character and process
    assert not fonts.covered(EXT_G)
    slip = replace(sample_slip(), applicant_masked=mask_name(EXT_G + "明"))
    doc = slip.to_document(58)
    with caplog.at_level("WARNING"):
        data = render(doc, get_profile("generic-gb18030"))  # no FontMissing: the slip prints
    parsed = parse(data)
    assert "A006" in [ln.text for ln in parsed.lines]
    line = next(b for b in doc.blocks if isinstance(b, TextLine) and EXT_G in b.text)
    rasters = [r for r in parsed.rasters if r.height == 30]
    assert len(rasters) == 1
    from printers.raster import line_image

    printed = rasters[0].image()
    assert printed.tobytes() == line_image(line).tobytes()  # the preview shows the same □
    x = 12 * fonts.text_cols("申 请 人：")
    assert printed.crop((x, 0, x + 24, 24)).tobytes() == fonts.mask_cell().tobytes()
    assert paper(doc).size == paper(sample_slip().to_document(58)).size  # nothing else moved
    assert any("U+30000" in r.getMessage() for r in caplog.records)


def test_no_empty_applicant_or_id_line_without_a_name() -> None:
    texts = replace(sample_slip(), applicant_masked="", id_masked="").to_document(80).texts()
    assert not any(t.startswith(("申 请 人", "证件号码")) for t in texts)
    assert any(t.startswith("申 请 人：张**") for t in sample_slip().to_document(80).texts())


def test_slip_says_until_when_the_number_is_valid() -> None:
    assert valid_until(time(9, 0), ["12:30", "18:30"]) == "12:30"
    assert valid_until(time(12, 30), ["18:30", "12:30"]) == "18:30"
    assert valid_until(time(19, 0), ["12:30", "18:30"]) == ""
    assert valid_until(time(9, 0), []) == ""
    slip = replace(sample_slip(), issued_at=datetime(2023, 4, 19, 9, 5), valid_until="12:30")
    texts = slip.to_document(58).texts()
    assert "本号 12:30 前有效" in "".join(texts)
    assert VALID_TODAY not in texts
    assert VALID_TODAY in sample_slip().to_document(80).texts()
