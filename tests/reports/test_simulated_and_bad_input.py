"""A simulated day gives a workbook that opens and agrees with the event log; bad input gets a clear message."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from hub.reports.cli import main
from launcher.samples import sample_hall_path
from launcher.simulate.model import parse_profile
from launcher.simulate.run import simulate_day

from .test_known_day import keyed, table

SIM_DAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def sim_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hub.config import load_hall

    db = tmp_path_factory.mktemp("sim") / "day.db"
    simulate_day(load_hall(sample_hall_path()), SIM_DAY, db=db, profile=parse_profile("40"), transport="service",
                 seed=7)
    return db


def log_counts(db: Path) -> tuple[Counter[str], Counter[str], Counter[int]]:
    conn = sqlite3.connect(db)
    try:
        types: Counter[str] = Counter()
        outcomes: Counter[str] = Counter()
        levels: Counter[int] = Counter()
        for (data,) in conn.execute("SELECT data FROM events WHERE day=?", (SIM_DAY.isoformat(),)):
            d = json.loads(data)
            types[d["type"]] += 1
            if d["type"] == "ticket.outcome":
                outcomes[d["outcome"]] += 1
            if d["type"] == "evaluation.recorded":
                levels[d["level"]] += 1
        return types, outcomes, levels
    finally:
        conn.close()


def test_simulated_day_workbook_matches_the_event_log(sim_db: Path, tmp_path: Path) -> None:
    out, text = tmp_path / "sim.xlsx", tmp_path / "sim.md"
    code = main(["daily", "--db", str(sim_db), "--date", SIM_DAY.isoformat(), "--out", str(out),
                 "--config", str(sample_hall_path()), "--text", str(text), "--as-of", SIM_DAY.isoformat()])
    assert code == 0
    types, outcomes, levels = log_counts(sim_db)
    wb = load_workbook(out)
    assert len(wb.sheetnames) == 17 and wb.sheetnames[13] == "办件" and wb.sheetnames[15] == "回访号码查看"
    total = keyed(table(wb["叫号-窗口"], "各窗口叫号与办件"))["合计"]
    backfilled = total["补录·未叫号办理（件）"]
    assert total["叫号（件）"] == types["ticket.called"] > 50
    assert total["受理（件）"] + total["咨询（件）"] + total["不予受理（件）"] + total["过号（件）"] + backfilled \
        == types["ticket.outcome"]
    assert total["过号（件）"] == outcomes["passed"]
    assert total["系统办件量（件）"] == outcomes["accepted"] + outcomes["consulted"] + outcomes["rejected"]
    queues = keyed(table(wb["叫号-队列"], "各队列叫号与办件"))["合计"]
    assert queues["叫号（件）"] == types["ticket.called"]
    ev = keyed(table(wb["好差评"], "各窗口应评"))["合计"]
    assert ev["应评价（次）"] == types["evaluation.invited"]
    assert ev["实际评价（次）"] == sum(n for lv, n in levels.items() if lv > 0)
    assert ev["差评（次）"] == levels[1] + levels[2]
    assert len(table(wb["差评清单"], "差评清单")) - 1 == levels[1] + levels[2]
    overview = {r[0]: r[1] for r in table(wb["概览"], "主要指标")[1:]}
    assert overview["取号"] == types["ticket.issued"]
    quality = table(wb["数据质量"], "本期事件数")
    assert keyed(quality)["合计"]["条数（条）"] == sum(types.values())
    assert wb["分时段人流"]._images
    assert wb["叫号-窗口"]._charts
    assert "经汇总分析，本日（2026年11月24日）" in text.read_text(encoding="utf-8")


def test_weekly_and_monthly_cover_the_day(sim_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for kind, label in (("weekly", "2026年11月23日——2026年11月29日"), ("monthly", "2026年11月1日——2026年11月30日")):
        out = tmp_path / f"{kind}.xlsx"
        assert main([kind, "--db", str(sim_db), "--date", "2026-11-27", "--out", str(out)]) == 0
        wb = load_workbook(out)
        assert label in wb["概览"]["A2"].value
        zones = [c for r in wb["无差别受理"].iter_rows(values_only=True) for c in r if c]
        # no --config: the hall file the hub noted for 2026-11-24 names the zones
        assert not any("--config" in str(c) for c in zones)
        assert any("无差别综合受理区" in str(c) for c in zones)
        assert "使用数据库中 2026-11-24 的大厅文件" in capsys.readouterr().out


def test_old_days_use_the_hall_file_they_ran_with(sim_db: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from hub.config import load_hall

    noted = load_hall(sample_hall_path())
    conn = sqlite3.connect(sim_db)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta WHERE key LIKE 'hall_%'").fetchall())
    finally:
        conn.close()
    assert json.loads(meta[f"hall_day:{SIM_DAY}"]) == [noted.version]
    assert json.loads(meta[f"hall_file:{noted.version}"]) == noted.text
    # a hall file changed since: the report follows --config, and says it is not the day's file
    changed = tmp_path / "hall.toml"
    changed.write_text(noted.text.replace("无差别综合受理区", "综合受理区（新）"), encoding="utf-8")
    assert main(["daily", "--db", str(sim_db), "--date", str(SIM_DAY), "--out", str(tmp_path / "c.xlsx"),
                 "--config", str(changed)]) == 0
    assert "不是 2026-11-24 运行时的大厅文件" in capsys.readouterr().err
    # a database from before hall files were noted: no guessing, the sheet asks for --config
    old = tmp_path / "old.db"
    old.write_bytes(sim_db.read_bytes())
    conn = sqlite3.connect(old)
    with conn:
        conn.execute("DELETE FROM meta WHERE key LIKE 'hall_%'")
    conn.close()
    assert main(["daily", "--db", str(old), "--date", str(SIM_DAY), "--out", str(tmp_path / "o.xlsx")]) == 0
    zones = [c for r in load_workbook(tmp_path / "o.xlsx")["无差别受理"].iter_rows(values_only=True) for c in r if c]
    assert any("--config" in str(c) for c in zones)


def test_a_date_with_no_data(sim_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["daily", "--db", str(sim_db), "--date", "2026-11-25", "--out", str(tmp_path / "x.xlsx")])
    err = capsys.readouterr().err
    assert code == 1
    assert "2026年11月25日（日报）没有取号记录" in err
    assert "2026-11-24 至 2026-11-24" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_missing_database_is_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "typo.db"
    assert main(["daily", "--db", str(db), "--date", "2026-11-24", "--out", str(tmp_path / "x.xlsx")]) == 1
    assert "数据库文件不存在" in capsys.readouterr().err
    assert not db.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reported_file_with_wrong_columns(sim_db: Path, tmp_path: Path, fmt: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"reported.{fmt}"
    header, row = ["日期", "专窗编码", "件数"], ["2026-11-24", "R01", 5]
    if fmt == "csv":
        path.write_text(",".join(header) + "\n" + ",".join(map(str, row)) + "\n", encoding="utf-8")
    else:
        wb = Workbook()
        wb.active.append(header)
        wb.active.append(row)
        wb.save(path)
    code = main(["daily", "--db", str(sim_db), "--date", "2026-11-24", "--out", str(tmp_path / "x.xlsx"),
                 "--reported", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "缺少列 窗口、业务量" in err
    assert "找到的列：日期、专窗编码、件数" in err


def test_reported_file_with_a_bad_number(sim_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "reported.csv"
    path.write_text("窗口,业务量\nR01,十二\n", encoding="utf-8")
    code = main(["daily", "--db", str(sim_db), "--date", "2026-11-24", "--out", str(tmp_path / "x.xlsx"),
                 "--reported", str(path)])
    assert code == 1
    assert "第 2 行：业务量 应为非负整数，收到 '十二'" in capsys.readouterr().err


def test_bad_holiday_file_and_bad_date(sim_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hol = tmp_path / "holidays.txt"
    hol.write_text("2026-10-01\n+2026-10-11\n2026-13-01\n", encoding="utf-8")
    args = ["daily", "--db", str(sim_db), "--out", str(tmp_path / "x.xlsx")]
    assert main([*args, "--date", "2026-11-24", "--holidays", str(hol)]) == 1
    assert "line 3" in capsys.readouterr().err
    assert main([*args, "--date", "24/11/2026"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_python_dash_m_entry_point(sim_db: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "m.xlsx"
    proc = subprocess.run([sys.executable, "-m", "hub.reports", "daily", "--db", str(sim_db), "--date",
                           SIM_DAY.isoformat(), "--out", str(out)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "✓ 日报" in proc.stdout
    assert out.exists()
