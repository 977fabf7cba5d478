"""A4 notices through CUPS: a real private cupsd with a raw queue; the printer is a socket sink."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from printers.backends import print_bytes
from printers.config import PrinterConfig, parse_printers
from printers.cups import print_pdf
from printers.errors import (
    BackendUnavailable,
    ConfigInvalid,
    DeviceMissing,
    PrinterError,
    PrinterOffline,
    PrinterUnreachable,
)
from printers.notices import SAMPLES
from printers.pdf import render_pdf
from tests.printers.local_cups import QUEUE, LocalCups

CREATED = dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def cups() -> Iterator[LocalCups]:
    server = LocalCups()
    saved = os.environ.get("CUPS_SERVER")
    os.environ["CUPS_SERVER"] = str(server.sock)
    try:
        yield server
    finally:
        if saved is None:
            os.environ.pop("CUPS_SERVER", None)
        else:
            os.environ["CUPS_SERVER"] = saved
        server.close()


@pytest.fixture
def queue(cups: LocalCups) -> Iterator[LocalCups]:
    cups.admin("cupsenable", QUEUE)
    cups.admin("cupsaccept", QUEUE)
    cups.sink.jobs.clear()
    yield cups
    cups.admin("cancel", "-a", QUEUE)


def _a4(queue_name: str = QUEUE, **extra: object) -> PrinterConfig:
    configs, errors = parse_printers({"HALL-A4": {"backend": "cups", "queue": queue_name, "paper": "a4", **extra}})
    assert errors == []
    return configs["HALL-A4"]


def _pdf() -> bytes:
    notice = dataclasses.replace(SAMPLES["acceptance"](), case_code="LL-2026-000123")
    return render_pdf(notice, created=CREATED)


def test_a4_notice_prints_through_a_real_cups_queue(queue: LocalCups) -> None:
    pdf = _pdf()
    job = print_pdf(_a4(), pdf, title="受理通知书 SL20230419-0031")
    assert job.printer == "HALL-A4"
    assert job.job.startswith(f"{QUEUE}-")
    jobs = queue.wait_for_jobs(1)
    assert jobs == [pdf]  # the raw queue handed the printer our PDF, byte for byte
    text = PdfReader(io.BytesIO(jobs[0])).pages[0].extract_text()
    assert "受理通知书" in text
    assert job.job in queue.admin("lpstat", "-W", "completed", "-o", QUEUE)


def test_a_stopped_printer_is_a_clear_chinese_error_and_no_job_is_held(queue: LocalCups) -> None:
    queue.admin("cupsdisable", QUEUE)
    with pytest.raises(PrinterOffline) as info:
        print_pdf(_a4(), _pdf())
    assert "已停止" in info.value.message
    assert f"cupsenable {QUEUE}" in info.value.message
    assert info.value.blocking
    assert queue.admin("lpstat", "-o", QUEUE) == ""  # nothing waiting to come out later
    assert queue.sink.jobs == []


def test_a_queue_that_rejects_jobs_says_how_to_accept(queue: LocalCups) -> None:
    queue.admin("cupsreject", QUEUE)
    with pytest.raises(PrinterOffline, match=f"拒绝接收.*cupsaccept {QUEUE}"):
        print_pdf(_a4(), _pdf())


def test_a_missing_queue_names_the_queues_there_are(queue: LocalCups) -> None:
    with pytest.raises(DeviceMissing) as info:
        print_pdf(_a4("no-such-queue"), _pdf())
    assert "没有打印队列 'no-such-queue'" in info.value.message
    assert QUEUE in info.value.message
    assert "no-such-queue" in info.value.where


def test_no_scheduler_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "gone.sock"))
    with pytest.raises(PrinterUnreachable, match="CUPS 打印服务未运行"):
        print_pdf(_a4(), _pdf())


def test_cups_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no lp, no lpstat
    with pytest.raises(BackendUnavailable) as info:
        print_pdf(_a4(), _pdf())
    assert "apt-get install cups-client" in info.value.message
    assert info.value.code == "backend_unavailable"


def test_lp_failing_is_a_write_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cups: LocalCups) -> None:
    """An lp that refuses (here a wrapper that fails like a full spool) is reported with its words."""
    fake = tmp_path / "lp"
    fake.write_text("#!/bin/sh\necho 'lp: Error - No space left on device' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    real_lpstat = tmp_path / "lpstat"
    real_lpstat.symlink_to("/usr/bin/lpstat")
    monkeypatch.setenv("PATH", str(tmp_path))
    cups.admin("cupsenable", QUEUE)
    cups.admin("cupsaccept", QUEUE)
    with pytest.raises(PrinterError) as info:
        print_pdf(_a4(), _pdf())
    assert info.value.code == "write_failed"
    assert "提交 A4 打印任务失败" in info.value.message
    assert "No space left" in info.value.message


def test_a_receipt_printer_takes_no_a4_and_an_a4_printer_no_slip() -> None:
    roll = parse_printers({"S01": {"backend": "dummy"}})[0]["S01"]
    with pytest.raises(ConfigInvalid, match="小票打印机"):
        print_pdf(roll, _pdf())
    with pytest.raises(ConfigInvalid, match="A4 打印机"):
        print_bytes(_a4(), b"\x1b@")
    with pytest.raises(ValueError, match="不是 PDF"):
        print_pdf(_a4(), b"\x1b@hello")


def test_file_and_dummy_a4_printers(tmp_path: Path) -> None:
    out = tmp_path / "notice.pdf"
    configs, errors = parse_printers({
        "F": {"backend": "file", "path": str(out), "paper": "a4"},
        "D": {"backend": "dummy", "paper": "a4", "dummy_status": "out"},
        "BAD": {"backend": "file", "path": str(tmp_path / "no" / "dir.pdf"), "paper": "a4"},
    })
    assert errors == []
    pdf = _pdf()
    assert print_pdf(configs["F"], pdf).job == str(out)
    assert out.read_bytes() == pdf
    with pytest.raises(PrinterOffline, match="缺纸"):
        print_pdf(configs["D"], pdf)
    with pytest.raises(DeviceMissing, match="无法写入文件"):
        print_pdf(configs["BAD"], pdf)


def test_a4_config_errors_name_the_key() -> None:
    _, errors = parse_printers({
        "A": {"backend": "usb", "vendor_id": 1, "product_id": 2, "paper": "a4"},
        "B": {"backend": "cups", "queue": "q", "paper": "a4", "width": 80},
        "C": {"backend": "dummy", "paper": "A4"},
        "S01": {"backend": "dummy", "a4": "HALL-A4"},
        "S02": {"backend": "dummy", "a4": "S01"},
    })
    keys = dict(errors)
    assert "不能用 'usb'" in keys["printers.A.paper"]
    assert "A4 打印机不用此项" in keys["printers.B.width"]
    assert "a4" in keys["printers.C.paper"]
    assert "没有名为 'HALL-A4' 的打印机" in keys["printers.S01.a4"]
    assert "不是 A4 打印机" in keys["printers.S02.a4"]
    configs, errors = parse_printers({"S01": {"backend": "dummy", "a4": "HALL-A4"},
                                      "HALL-A4": {"backend": "cups", "queue": "hall-a4", "paper": "a4"}})
    assert errors == []
    assert configs["S01"].a4 == "HALL-A4"
    assert configs["HALL-A4"].is_a4
    assert configs["HALL-A4"].where() == "A4 打印机 HALL-A4 (cups queue hall-a4)"


def test_cli_notice_prints_on_the_halls_a4_printer(queue: LocalCups, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from printers.cli import main

    hall = tmp_path / "hall.toml"
    hall.write_text(f'[printers.S01]\nbackend = "dummy"\na4 = "HALL-A4"\n'
                    f'[printers.HALL-A4]\nbackend = "cups"\nqueue = "{QUEUE}"\npaper = "a4"\n', encoding="utf-8")
    assert main(["notice", "--kind", "handover", "--config", str(hall), "--printer", "S01"]) == 0
    out = capsys.readouterr().out
    assert f"已发送到 A4 打印机 HALL-A4 (cups queue {QUEUE})：{QUEUE}-" in out
    jobs = queue.wait_for_jobs(1)
    assert len(jobs) == 1
    assert "申请材料交接确认单" in PdfReader(io.BytesIO(jobs[0])).pages[0].extract_text()
    queue.admin("cupsdisable", QUEUE)
    assert main(["notice", "--kind", "acceptance", "--config", str(hall), "--printer", "HALL-A4"]) == 1
    assert "错误 [offline]" in capsys.readouterr().err
    hall.write_text('[printers.S01]\nbackend = "dummy"\n', encoding="utf-8")
    assert main(["notice", "--config", str(hall), "--printer", "S01"]) == 2
    assert "不是 A4 打印机" in capsys.readouterr().err


def test_printer_check_asks_the_a4_queue(queue: LocalCups, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from printers.cli import main

    hall = tmp_path / "hall.toml"
    hall.write_text(f'[printers.HALL-A4]\nbackend = "cups"\nqueue = "{QUEUE}"\npaper = "a4"\n'
                    '[printers.A4-DEMO]\nbackend = "dummy"\npaper = "a4"\n'
                    '[printers.A4-OUT]\nbackend = "dummy"\npaper = "a4"\ndummy_status = "out"\n', encoding="utf-8")
    assert main(["printer", "check", "--printer", "HALL-A4", "--config", str(hall)]) == 0
    assert "A4 打印机 HALL-A4" in capsys.readouterr().out
    queue.admin("cupsdisable", QUEUE)
    assert main(["printer", "check", "--printer", "HALL-A4", "--config", str(hall)]) == 1
    out = capsys.readouterr().out
    assert f"cupsenable {QUEUE}" in out
    assert "错误代码 (code): offline" in out
    assert main(["printer", "check", "--printer", "A4-DEMO", "--config", str(hall)]) == 0
    assert main(["printer", "check", "--printer", "A4-OUT", "--config", str(hall)]) == 1
    assert "缺纸" in capsys.readouterr().out
