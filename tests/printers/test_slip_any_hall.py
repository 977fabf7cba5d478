"""Issue 13 §6: ``hallq slip --config HALL.toml`` prints that hall's slip on that hall's printer."""

from __future__ import annotations

from pathlib import Path

import pytest

from launcher.cli import main
from tests.other_hall import write_other_hall
from tests.printers.escpos_reader import parse

SAMPLE_ID = "11010519491231002X"


def _text(data: bytes) -> str:
    return "".join(ln.text for ln in parse(data).lines)


def test_slip_of_another_hall_with_a_name_id_and_matter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hall = write_other_hall(tmp_path)
    out, sent, png = tmp_path / "slip.bin", tmp_path / "sent.bin", tmp_path / "slip.png"
    code = main(["slip", "--config", str(hall), "--name", "欧阳娜娜", "--id", SAMPLE_ID, "--matter", "marriage",
                 "--at", "2026-11-23 10:05", "--number", "H007", "--out", str(out), "--png", str(png),
                 "--printer-override", f"file:{sent}"])
    assert code == 0, capsys.readouterr().err
    text = _text(out.read_bytes())
    for expected in ("冠县便民服务中心", "H007", "结婚登记", "双方均为本县户籍", "婚姻登记窗口（M01）", "欧**", "110105********002X",
                     "本号 11:45 前有效", "冠县政务服务热线 12345", "双方户口簿"):
        assert expected in text, expected
    for absent in ("吕梁", "lvliang", "票号当天有效", SAMPLE_ID):
        assert absent not in text, absent
    qr = [q.data for q in parse(out.read_bytes()).qrs]
    assert qr == ["https://gx.example.cn/jd?no=H007&d=2026-11-23"]
    # the hall's kiosk printer is 58 mm with the xprinter profile (no FS &): that is what was made
    assert "58mm xprinter" in capsys.readouterr().out
    assert b"\x1c&" not in out.read_bytes()
    assert sent.read_bytes() == out.read_bytes()  # --printer-override received the same bytes
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_slip_without_a_name_has_no_applicant_line(tmp_path: Path) -> None:
    out = tmp_path / "slip.bin"
    assert main(["slip", "--config", str(write_other_hall(tmp_path)), "--at", "2026-11-23 18:00",
                 "--out", str(out)]) == 0
    text = _text(out.read_bytes())
    assert "申 请 人" not in text
    assert "证件号码" not in text
    assert "票号当天有效" in text  # after the last 清号时刻 of the day


@pytest.mark.parametrize(("args", "message"), [
    (["--matter", "nope"], "marriage"),
    (["--id", "110105194912310021"], "校验位"),
    (["--printer", "nope"], "narrow"),
    (["--printer-override", "usb"], "dummy[:STATE]"),
    (["--at", "tomorrow"], "YYYY-MM-DD HH:MM"),
])
def test_slip_bad_arguments_say_what(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                     message: str) -> None:
    out = tmp_path / "slip.bin"
    assert main(["slip", "--config", str(write_other_hall(tmp_path)), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "110105194912310021" not in err
    assert not out.exists()


def test_slip_needs_sample_or_config(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slip"]) == 2
    assert "--config" in capsys.readouterr().err
