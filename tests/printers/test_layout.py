"""Folding, the document model and the slip's privacy rules."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from printers.fonts import text_cols
from printers.layout import _TOKEN, NO_LINE_START, Builder, Document, QRCode, TextLine, fold
from printers.slip import TicketSlip, progress_url, sample_slip

CJK_TEXT = st.text(alphabet=st.sampled_from(list("政务服务中心不动产登记，。、（）【】ABC123 xyz-/:")), max_size=120)


@given(CJK_TEXT, st.integers(min_value=4, max_value=48))
def test_fold_keeps_every_character_and_fits(text: str, cols: int) -> None:
    lines = fold(text, cols)
    assert all(text_cols(line) <= cols for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@given(CJK_TEXT, st.integers(min_value=4, max_value=48))
@example("、、、 、", 6)  # a line of only closing punctuation, then a space at the break (found by hypothesis)
@example("、、、、、、、", 4)
@example("政政政 、", 6)  # a break at a space must not leave 、 to start the next line
def test_fold_does_not_start_a_continuation_line_with_closing_punctuation(text: str, cols: int) -> None:
    lines = fold(text, cols)
    assert all(text_cols(line) <= cols for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for prev, line in itertools.pairwise(lines):
        if line[0] in NO_LINE_START:
            # allowed only when nothing could be brought down: the previous line has no other
            # character that may start a line, or bringing it and the punctuation would not fit
            toks = _TOKEN.findall(prev)
            starters = [i for i, t in enumerate(toks) if t[0] not in NO_LINE_START and t != " "]
            first = _TOKEN.findall(line)[0]
            assert (not starters or starters[-1] == 0
                    or text_cols("".join(toks[starters[-1]:]).rstrip() + first) > cols), (prev, line)


def test_fold_keeps_ascii_words_and_bracketed_terms_together() -> None:
    assert fold("过号后请于自助取号机选择【过号取号】", 32) == ["过号后请于自助取号机选择", "【过号取号】"]
    assert fold("办理窗口 S01、S02、S03 A0012345", 12)[-1].endswith("A0012345")


def test_field_indents_continuation_under_the_value() -> None:
    doc = Builder(58).field("办理情形：", "二手房转移登记（买卖）兼抵押权首次登记及预告登记").build()
    lines = doc.texts()
    assert len(lines) > 1
    assert lines[0].startswith("办理情形：")
    assert all(line.startswith(" " * 10) for line in lines[1:])


def test_document_refuses_overwide_lines_and_full_id_numbers() -> None:
    with pytest.raises(ValueError, match="行宽"):
        Document(58, (TextLine("中" * 17),))
    with pytest.raises(ValueError, match="身份证"):
        Document(80, (TextLine("11010519491231002X"),))
    with pytest.raises(ValueError, match="58 或 80"):
        Document(76, ())


def test_slip_refuses_a_full_id_number() -> None:
    with pytest.raises(ValueError, match="身份证"):
        replace(sample_slip(), id_masked="11010519491231002X")
    # a masked number passes
    assert replace(sample_slip(), id_masked="110105********002X").id_masked.startswith("110105")


def test_slip_has_every_r4_element_in_reading_order() -> None:
    texts = sample_slip().to_document(58).texts()
    joined = "\n".join(texts)
    for needle in ("吕梁市政务服务中心", "A006", "不动产登记", "二手房转移登记", "S01、S02、S03", "张**",
                   "141002********029X", "6 人", "2023-04-19 16:45", "票号当天有效", "【过号取号】",
                   "扫码查询办理进度", "所需材料", "不动产权证书原件"):
        assert needle in joined, needle
    assert joined.index("A006") < joined.index("办理业务") < joined.index("票号当天有效") < joined.index("所需材料")


def test_ticket_number_is_the_largest_text() -> None:
    for width, expected in ((58, 4), (80, 6)):
        doc = sample_slip().to_document(width)
        big = max((b for b in doc.blocks if isinstance(b, TextLine)), key=lambda b: b.size)
        assert big.text == "A006"
        assert big.size == expected


def test_materials_checklist_can_be_switched_off() -> None:
    on = sample_slip().to_document(80)
    off = replace(sample_slip(), show_materials=False).to_document(80)
    assert "所需材料（请提前备齐）" in on.texts()
    assert not any("所需材料" in t or "不动产权证书" in t for t in off.texts())


def test_qr_block_carries_the_url() -> None:
    slip = sample_slip()
    qrs = [b for b in slip.to_document(58).blocks if isinstance(b, QRCode)]
    assert [q.data for q in qrs] == [slip.qr_url]


def test_progress_url_template() -> None:
    assert progress_url("https://x/q?t={ticket}", ticket="A1") == "https://x/q?t=A1"
    with pytest.raises(ValueError, match="占位符"):
        progress_url("https://x/q?t={tiket}", ticket="A1")


def test_negative_wait_and_empty_ticket_are_refused() -> None:
    with pytest.raises(ValueError, match="等待人数"):
        TicketSlip(**{**sample_slip().__dict__, "waiting_ahead": -1})
    with pytest.raises(ValueError, match="票号"):
        TicketSlip(**{**sample_slip().__dict__, "ticket_number": " "})
