"""Fonts (no boxes), the CLI, and the notice forms."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from printers import fonts
from printers.cli import main
from printers.errors import FontMissing
from printers.escpos_render import render
from printers.fonts import text_cols
from printers.notices import SAMPLES
from printers.preview import save_png
from printers.profiles import get_profile
from tests.printers.escpos_reader import parse
from tests.printers.printer_fakes import TcpPrinter

ROOT = Path(__file__).resolve().parents[2]


def test_chinese_glyphs_are_real_glyphs_not_boxes() -> None:
    paths = tuple(fonts.font_paths())
    a, b = fonts.glyph("中", False, paths), fonts.glyph("国", False, paths)
    assert a.tobytes() != b.tobytes()
    assert a.size == (24, 24)
    assert fonts.glyph("A", False, paths).size == (12, 24)
    rare, ji = fonts.glyph("𠮷", False, paths), fonts.glyph("吉", False, paths)
    assert rare.tobytes() != ji.tobytes()  # a real Extension B glyph, not the ordinary 吉 and not a box
    assert 0 in rare.getextrema()


def test_no_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "font_paths", list)
    with pytest.raises(FontMissing) as info:
        fonts.require_cjk_font()
    assert info.value.code == "font_missing"
    assert "apt-get install fonts-wqy-microhei" in info.value.message
    with pytest.raises(FontMissing):
        fonts.render_line("无字体")


def test_a_character_no_font_has_prints_as_the_mask_not_a_box_nor_an_error(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 13 §4: a missing glyph never costs a ticket: it prints as □ and IT gets the code point."""
    wqy = [p for p in fonts.font_paths() if "wqy" in p]
    fonts._font_for.cache_clear()  # the warning is logged once per character and process
    monkeypatch.setattr(fonts, "font_paths", lambda: wqy)
    with caplog.at_level("WARNING", logger="hallq.printers.fonts"):
        line = fonts.render_line("𠮷**")
    assert line.crop((0, 0, 24, 24)).tobytes() == fonts.mask_cell().tobytes()
    assert line.crop((24, 0, 48, 24)).tobytes() == fonts.render_line("**").tobytes()
    assert line.tobytes() != fonts.render_line("吉**").tobytes()
    assert fonts.printable("𠮷明") == "□明"
    logged = [r.getMessage() for r in caplog.records if "glyph_missing" in r.getMessage()]
    assert logged and "U+20BB7" in logged[0]
    assert "𠮷" not in logged[0] and "**" not in logged[0]  # the code point only, no name


def test_cli_slip_writes_bytes_and_png(tmp_path: Path) -> None:
    out, png = tmp_path / "slip.bin", tmp_path / "slip.png"
    assert main(["slip", "--sample", "--out", str(out), "--png", str(png), "--width", "58"]) == 0
    parsed = parse(out.read_bytes())
    assert "A006" in [ln.text for ln in parsed.lines]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_python_m_printers_runs_each_kind(tmp_path: Path) -> None:
    for kind in ("ticket", "acceptance", "handover", "correction", "completion"):
        out = tmp_path / f"{kind}.bin"
        run = subprocess.run([sys.executable, "-m", "printers", "slip", "--sample", "--kind", kind,
                              "--profile", "xprinter", "--out", str(out)],
                             cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
        assert run.returncode == 0, run.stderr
        assert out.stat().st_size > 300


def _hall(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "hall.toml"
    p.write_text(body, encoding="utf-8")
    return p


def test_cli_printer_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tcp = TcpPrinter("near_end")
    try:
        hall = _hall(tmp_path, f'[printers.K1]\nbackend = "network"\nhost = "127.0.0.1"\ntcp_port = {tcp.port}\n'
                               '[printers.K2]\nbackend = "serial"\nport = "/dev/ttyS9"\nbaudrat = 9600\n')
        assert main(["printer", "check", "--printer", "K1", "--config", str(hall), "--json"]) == 1
        out = json.loads(capsys.readouterr().out)
        assert (out["online"], out["paper"], out["error"]["code"]) == (True, "near_end", "paper_near_end")
        assert main(["printer", "check", "--printer", "K2", "--config", str(hall)]) == 2
        err = capsys.readouterr().err
        assert "printers.K2.baudrat" in err
        assert "'baudrate'" in err
        assert main(["printer", "check", "--printer", "K9", "--config", str(hall)]) == 2
        assert "K9" in capsys.readouterr().err
        tcp.state = "ok"
        assert main(["printer", "check", "--printer", "K1", "--config", str(hall)]) == 0
        assert "在线，纸张正常" in capsys.readouterr().out
    finally:
        tcp.close()


def test_cli_missing_hall_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["printer", "check", "--printer", "K1", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml" in capsys.readouterr().err


SEED_FIELDS = {
    "handover": ["申请材料交接确认单", "申请人（或单位）", "申请事项", "审批组别", "受理日期", "评审/勘验",
                 "承诺时限", "（一）受理环节", "（二）审查环节", "（三）出证环节", "一次性意见告知单", "补正资料",
                 "帮办人员", "审批组", "出证窗口", "有关说明", "备注"],
    "correction": ["审查意见一次性告知单", "（单位或个人）", "经审查，意见如下", "1、", "3、", "一次性整改完善",
                   "逾期将不予许可", "技术对接", "需要", "不需要", "科室承办人", "帮办人员", "申请人", "日期"],
    "acceptance": ["受理通知书", "受理编号", "申请事项", "承诺时限", "5个工作日", "已收取申请材料", "申请人签字"],
    "completion": ["办结通知书", "办结时间", "办理结果", "准予许可", "送达方式", "快递单号", "领取人签字"],
}


@pytest.mark.parametrize("kind", list(SAMPLES))
@pytest.mark.parametrize("width", [58, 80])
def test_notices_carry_the_seed_form_fields(kind: str, width: int, tmp_path: Path) -> None:
    doc = SAMPLES[kind]().to_document(width)
    joined = "".join(t.replace(" ", "") for t in doc.texts())
    for field in SEED_FIELDS[kind]:
        assert field.replace(" ", "") in joined, field
    data = render(doc, get_profile("epson-tm-t82-cn"))
    assert len(parse(data).cuts) == 1
    png = save_png(doc, tmp_path / f"{kind}.png")
    assert png.stat().st_size > 1000


def test_rare_character_company_name_goes_out_as_raster() -> None:
    doc = SAMPLES["acceptance"]().to_document(80)
    parsed = parse(render(doc, get_profile("generic-gb18030")))
    assert not any("祥建筑" in ln.text for ln in parsed.lines)
    assert any(r.height == 30 for r in parsed.rasters)


def test_shipped_fonts_cover_common_rare_name_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = [p for p in fonts.font_paths() if "/printers/fonts/" in p.replace("\\", "/")]
    wqy = [p for p in fonts.font_paths() if "wqy" in p]
    assert len(shipped) == 2
    monkeypatch.setattr(fonts, "font_paths", lambda: shipped + wqy)
    img = fonts.render_line("申请人：𠮷*、𬌗")
    assert img.size == (12 * text_cols("申请人：𠮷*、𬌗"), 24)
    assert 0 in img.getextrema()
