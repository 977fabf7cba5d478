"""The slip's predicted wait (预计等候, issue 17): one line after the waiting count, said to be an estimate,
in the bytes the printer gets; none from an older hub; 暂无法估计 when the hub has no basis."""

from __future__ import annotations

from dataclasses import replace

import pytest

from printers.escpos_render import render
from printers.profiles import get_profile
from printers.slip import SLIP_CAVEAT, sample_slip
from tests.printers.escpos_reader import parse


@pytest.mark.parametrize("width", [58, 80])
def test_the_wait_line_and_its_caveat_reach_the_printer(width: int) -> None:
    data = render(sample_slip().to_document(width), get_profile("generic-gb18030"))
    text = "\n".join(line.text for line in parse(data).lines)
    assert "预计等候：约 15-25 分钟" in text
    assert SLIP_CAVEAT in text  # one line, even on 58 mm
    assert text.index("等待人数") < text.index("预计等候") < text.index(SLIP_CAVEAT) < text.index("取号时间")


@pytest.mark.parametrize(("wait", "said"),
                         [((0, 5), "约 5 分钟内"), ((None, None), "暂无法估计"), ((20, 40), "约 20-40 分钟")])
def test_the_wait_in_words(wait: tuple[int | None, int | None], said: str) -> None:
    texts = replace(sample_slip(), wait=wait).to_document(58).texts()
    assert f"预计等候：{said}" in texts


def test_no_wait_line_without_a_prediction() -> None:
    assert not any("预计等候" in t for t in replace(sample_slip(), wait=None).to_document(80).texts())
