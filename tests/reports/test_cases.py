"""The 办件 part of the reports over the hand-built fortnight (case_fortnight.py), figures worked out by hand.

October 2026 (月报), judged as of Friday 10-16 for the live lists:

附件8 三 (limit 1 working day, same clock time): C2 accepted Fri 10-09 16:00 had to be signed for by
the 调休 Saturday 10-10 16:00, signed Mon 10-12 09:00 → late (市场监管局). C5 accepted Mon 10-12 10:00,
limit Tue 10-13 10:00, never signed → 超时仍未签收 (不动产登记中心). C3 accepted Wed 09-30 11:00, signed
Thu 10-08 09:00: 10-01..07 are 国庆, so its limit was 10-08 11:00 → in time. C1, C8, C7 signed in time.

附件8 四:
    公安局        本月受理 C4, C7 = 2; 上月结转 C3 = 1; 按期 C3 (不予许可 10-09 ≤ 10-13), C4 (当场) = 2; 逾期 0
                  按期办结率 2/2 = 100.0%; 总办结率 2/3 = 66.7%
    市场监管局    本月受理 C8, C2 = 2; 上月结转 C1 = 1; 按期 C8 (10-09 ≤ 10-12), C1 (10-13 ≤ 10-13, 补正顺延) = 2;
                  逾期 C2 (10-12 > 10-10) = 1; 按期办结率 2/3 = 66.7%; 总办结率 3/3 = 100.0%
    不动产登记中心 本月受理 C5 = 1; C6 办结 in September: 结转 0; 办结 0; 按期办结率 —; 总办结率 0/1 = 0.0%
    合计          受理 5, 结转 2, 按期 4, 逾期 1: 按期办结率 4/5 = 80.0%, 总办结率 5/7 = 71.4%

Overdue on 10-16: C5 (due Wed 10-14, still 转递中): 10-15, 10-16 → 2 working days over. Nothing else
undecided is past its date (C7 comes on 10-30). Unclaimed: C8 waits at the 出件 window since Fri 10-09
15:00: 10-10 (调休), 12, 13, 14, 15, 16 = 6 working days — under the default 10, listed with a limit of 5.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hub.case_figures import CompletionFigures, OverdueCase, TransferAnomaly, UnclaimedResult
from hub.cases import CaseState
from hub.hall import Hall
from hub.reports.archive import build_archive
from hub.reports.build import Report, Settings, build_report
from hub.reports.cases import NO_CASES
from hub.reports.cli import main
from hub.reports.period import Period
from hub.reports.sources import read_case_rows, read_rows

from .case_fortnight import ADDRESS, APPLICANT_ID, BD, GA, MS, at, case_hall, write_fortnight
from .test_known_day import keyed, table

OCT = Period.of("monthly", dt.date(2026, 10, 1))
AS_OF = dt.date(2026, 10, 16)


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    db = tmp_path / "cases.db"
    return db, write_fortnight(case_hall(), db)


@pytest.fixture
def fortnight_db(written: tuple[Path, dict[str, str]]) -> Path:
    return written[0]


@pytest.fixture
def cid(written: tuple[Path, dict[str, str]]) -> dict[str, str]:
    """C1..C8 → the id the hub gave each case (``<ticket id>-1``)."""
    return written[1]


def report_of(db: Path, hall: Hall, period: Period = OCT, as_of: dt.date = AS_OF) -> Report:
    return build_report(read_rows(db, period), hall, period, Settings(as_of=as_of), case_rows=read_case_rows(db))


def test_the_database_is_the_stores_format(fortnight_db: Path) -> None:
    with sqlite3.connect(fortnight_db) as conn:
        rows = conn.execute("SELECT day, type, device, request_id FROM events WHERE type LIKE 'case.%' "
                            "ORDER BY seq").fetchall()
        tickets = conn.execute("SELECT COUNT(*) FROM events WHERE type='ticket.issued'").fetchone()[0]
    assert len(rows) == 39 and tickets == 8  # every command of the fortnight; a ticket before each 受理
    assert rows[0] == ("2026-09-15", "case.accepted", "P3", rows[0][3])  # C6 at the 不动产 window W3
    assert all(r[3] for r in rows)  # each written with its command's request id
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # written as the days went by


def test_attachment_8_three_and_four_from_the_database(fortnight_db: Path, small: Hall, cid: dict[str, str]) -> None:
    cs = report_of(fortnight_db, small).cases
    assert cs is not None and cs.given and cs.issues == []
    assert cs.transfers == [TransferAnomaly(BD, late=(), unsigned=(cid["C5"],)), TransferAnomaly(MS, late=(cid["C2"],), unsigned=())]
    assert cs.completion == [  # by department name, as case_figures sorts them
        CompletionFigures(BD, accepted=1, carried_over=0, on_time=0, late=0),
        CompletionFigures(GA, accepted=2, carried_over=1, on_time=2, late=0, on_time_cases=(cid["C3"], cid["C4"])),
        CompletionFigures(MS, accepted=2, carried_over=1, on_time=2, late=1, on_time_cases=(cid["C1"], cid["C8"]),
                          late_cases=(cid["C2"],)),
    ]
    assert [(f.on_time_rate, f.total_rate) for f in cs.completion] == [(None, 0.0), (100.0, 66.7), (66.7, 100.0)]
    assert cs.overdue == [OverdueCase(BD, cid["C5"], CaseState.TRANSFERRING, dt.date(2026, 10, 14), 2)]
    assert cs.unclaimed == []  # C8 has waited 6 working days; the default lists from 10
    # September: three accepted, C6 办结 on time, nothing late; C3's limit (10-08) lies after September
    sep = report_of(fortnight_db, small, Period.of("monthly", dt.date(2026, 9, 1)), dt.date(2026, 9, 30)).cases
    assert sep is not None
    assert sep.transfers == []
    assert [(f.department, f.accepted, f.carried_over, f.on_time, f.late) for f in sep.completion] == [
        (BD, 1, 0, 1, 0), (GA, 1, 0, 0, 0), (MS, 1, 0, 0, 0)]


def test_case_events_are_not_ticket_findings(fortnight_db: Path, small: Hall) -> None:
    r = report_of(fortnight_db, small)
    assert [i for i in r.issues if "case." in i.detail] == []
    assert not any(k.startswith("case.") for k in r.log.event_counts)
    assert r.issued == 5  # October's tickets (C4, C8, C2, C5, C7): the ticket replay still counts them


LIMITS = "\n[cases]\ntransfer_limit_working_days = 2\nunclaimed_after_working_days = 5\n"


def test_the_halls_cases_table_sets_the_limits(fortnight_db: Path, cid: dict[str, str]) -> None:
    hall = case_hall(LIMITS)  # hall.cases, as parse_hall read it
    assert hall.cases is not None and hall.cases.transfer_limit_working_days == 2
    cs = report_of(fortnight_db, hall).cases
    assert cs is not None
    # 2 working days: C2 (signed Mon 09:00, limit Mon 16:00) is in time; C5 is still past its limit
    assert cs.transfers == [TransferAnomaly(BD, late=(), unsigned=(cid["C5"],))]
    assert cs.unclaimed == [UnclaimedResult(MS, cid["C8"], at(10, 9, 15), 6)]
    # a Hall built by hand (no parsed ``cases``) whose text has a typo: a finding, the defaults apply
    small = case_hall()
    bad = dataclasses.replace(small, cases=None, text=small.text + "\n[cases]\nunclaimed_after_working_day = 5\n")
    r = report_of(fortnight_db, bad)
    assert [i.kind for i in r.issues] == ["办件配置有误"]
    assert "unclaimed_after_working_day" in r.issues[0].detail


def test_the_report_reads_the_cases_table_the_hub_ran_with(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No --config: the hall file the hub noted in its database that month, [cases] included."""
    db = tmp_path / "limits.db"
    cid = write_fortnight(case_hall(LIMITS), db)
    text = tmp_path / "oct.md"
    assert main(["monthly", "--db", str(db), "--date", "2026-10-15", "--out", str(tmp_path / "oct.xlsx"),
                 "--text", str(text), "--as-of", AS_OF.isoformat()]) == 0
    assert "大厅配置：使用数据库中" in capsys.readouterr().out
    md = text.read_text(encoding="utf-8")
    three = md.split("## 三、材料转递异常")[1].split("## 四")[0]
    assert f"受理后超过2个工作日至2026年10月16日仍未签收（{cid['C5']}）" in three
    assert cid["C2"] not in three  # late by the default 1 day, in time by the hall's 2
    six = md.split("## 六、逾期未办结与待领取办件")[1]
    assert cid["C8"] in six and "待领取5个工作日及以上" in six


def test_a_mistake_in_the_cases_table_is_the_hall_files_error(fortnight_db: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(case_hall().text + "\n[cases]\nunclaimed_after_working_day = 5\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert main(["monthly", "--db", str(fortnight_db), "--date", "2026-10-15", "--out", str(out), "--config",
                 str(bad)]) == 1
    assert "cases.unclaimed_after_working_day" in capsys.readouterr().err  # the key path, said before any report
    assert not out.exists()


@pytest.fixture
def october(fortnight_db: Path, tmp_path: Path, small_hall_text: str) -> tuple[Path, str, str]:
    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(small_hall_text, encoding="utf-8")
    out, text = tmp_path / "oct.xlsx", tmp_path / "oct.md"
    code = main(["monthly", "--db", str(fortnight_db), "--date", "2026-10-15", "--out", str(out), "--config",
                 str(hall_file), "--text", str(text), "--as-of", AS_OF.isoformat()])
    assert code == 0
    return out, text.read_text(encoding="utf-8"), str(fortnight_db)


def test_transfer_sheet(october: tuple[Path, str, str], cid: dict[str, str]) -> None:
    ws = load_workbook(october[0])["材料转递"]
    assert ws["A1"].value == "十一、材料转递情况（附件8 三）"
    rows = keyed(table(ws, "各部门材料转递超时件数"))
    assert [rows[d]["签收超时（件）"] for d in (BD, MS, "合计")] == [0, 1, 1]
    assert [rows[d]["超时仍未签收（件）"] for d in (BD, MS, "合计")] == [1, 0, 1]
    detail = table(ws, "明细")
    assert [r[:2] + r[4:] for r in detail[1:]] == [
        [BD, cid["C5"], "2026-10-12 10:00", "2026-10-13 10:00", "未签收", "超时仍未签收"],
        [MS, cid["C2"], "2026-10-09 16:00", "2026-10-10 16:00", "2026-10-12 09:00", "签收超时"],
    ]
    assert detail[1][3] == "不动产登记" and detail[2][3] == "企业开办"  # matter names from the hall file


def test_completion_sheet(october: tuple[Path, str, str], cid: dict[str, str]) -> None:
    ws = load_workbook(october[0])["办结率"]
    rows = keyed(table(ws, "各部门办结率"))
    cols = ("本月受理（件）", "上月结转未办结（件）", "按期办结（件）", "按期办结率（%）", "逾期办结（件）", "总办结率（%）")
    assert [rows[GA][c] for c in cols] == [2, 1, 2, 100.0, 0, 66.7]
    assert [rows[MS][c] for c in cols] == [2, 1, 2, 66.7, 1, 100.0]
    assert [rows[BD][c] for c in cols] == [1, 0, 0, "—", 0, 0.0]
    assert [rows["合计"][c] for c in cols] == [5, 2, 4, 80.0, 1, 71.4]
    decided = table(ws, "本期办结明细")
    assert [(r[1], r[5], r[6], r[7], r[8]) for r in decided[1:]] == [
        (cid["C4"], "2026-10-08", "2026-10-08 10:00", "办结", "按期"),
        (cid["C3"], "2026-10-13", "2026-10-09 10:00", "不予许可", "按期"),
        (cid["C8"], "2026-10-12", "2026-10-09 10:00", "办结", "按期"),
        (cid["C2"], "2026-10-10", "2026-10-12 14:00", "办结", "逾期"),
        (cid["C1"], "2026-10-13", "2026-10-13 16:00", "办结", "按期"),
    ]


def test_case_sheet_per_department_and_overdue(october: tuple[Path, str, str], cid: dict[str, str]) -> None:
    ws = load_workbook(october[0])["办件"]
    assert ws["A1"].value.startswith("十三、办件情况")
    rows = keyed(table(ws, "各部门办件情况"))
    cols = ("本月受理（件）", "按期办结率（%）", "总办结率（%）", "转递签收超时（件）", "超时仍未签收（件）", "逾期未办结（件）",
            "待领取≥10个工作日（件）")
    assert [rows[BD][c] for c in cols] == [1, "—", 0.0, 0, 1, 1, 0]
    assert [rows[MS][c] for c in cols] == [2, 66.7, 100.0, 1, 0, 0, 0]
    assert [rows["合计"][c] for c in cols] == [5, 80.0, 71.4, 1, 1, 1, 0]
    overdue = table(ws, "逾期未办结办件")
    assert overdue[1:] == [[BD, cid["C5"], "—", "不动产登记", "2026-10-12 10:00", "2026-10-14", 2, "转递中"]]
    assert table(ws, "待领取办理结果")[1:] == [["（无）", None, None, None, None, None, None]]


def test_notice_text_in_the_seed_wording(october: tuple[Path, str, str], cid: dict[str, str]) -> None:
    text = october[1]
    three = text.split("## 三、材料转递异常")[1].split("## 四")[0]
    assert f"1. 不动产登记中心有1件办件受理后超过1天至2026年10月16日仍未签收（{cid['C5']}）。" in three
    assert f"2. 市场监管局存在1件办件材料转递完成时间较申报时间超过了1天（{cid['C2']}）。" in three
    four = text.split("## 四、办结率异常")[1].split("## 五")[0]
    assert "1. 不动产登记中心本月受理1件，上月结转未办结0件，按期办结0件，按期办结率—，逾期办结0件，总办结率0.0%。" in four
    assert ("2. 公安局本月受理2件，上月结转未办结1件，按期办结2件，按期办结率100.0%，逾期办结0件，"
            "总办结率66.7%。") in four
    assert "3. 市场监管局本月受理2件，上月结转未办结1件，按期办结2件，按期办结率66.7%，逾期办结1件，总办结率100.0%。" in four
    six = text.split("## 六、逾期未办结与待领取办件")[1].split("---")[0]
    assert "截至2026年10月16日，逾期未办结办件1件：" in six
    assert f"- 不动产登记中心：{cid['C5']}（不动产登记，承诺办结日期2026年10月14日，逾期2个工作日，转递中）" in six
    assert "截至2026年10月16日，没有待领取10个工作日及以上的办理结果。" in six
    assert "R15" not in text and "暂无数据来源" not in text


def test_a_database_without_case_events_says_so(known_db: Path, tmp_path: Path) -> None:
    out, text = tmp_path / "r.xlsx", tmp_path / "r.md"
    assert main(["daily", "--db", str(known_db), "--date", "2026-11-23", "--out", str(out), "--text", str(text),
                 "--as-of", "2026-11-23"]) == 0
    md = text.read_text(encoding="utf-8")
    for heading in ("## 三、材料转递异常", "## 四、办结率异常", "## 六、逾期未办结与待领取办件"):
        assert md.split(heading)[1].lstrip().startswith(NO_CASES)
    assert NO_CASES.startswith("数据库中没有办件记录")
    wb = load_workbook(out)
    for name in ("材料转递", "办结率", "办件"):
        cells = [c for r in wb[name].iter_rows(values_only=True) for c in r if c]
        assert cells[2:] == ["没有办件记录", NO_CASES], name


def test_a_case_event_that_does_not_follow_is_a_finding(fortnight_db: Path, small: Hall, cid: dict[str, str]) -> None:
    with sqlite3.connect(fortnight_db) as conn:  # a 签收 for a case never accepted, a second 受理 of C1, garbage
        conn.execute("INSERT INTO events(at, day, type, data) VALUES (?, '2026-10-12', 'case.signed', ?)",
                     (at(10, 12, 11), '{"type": "case.signed", "at": %f, "case": "C99", "device": "B", "staff": "",'
                                      ' "department": "公安局"}' % at(10, 12, 11)))
        conn.execute("INSERT INTO events(at, day, type, data) VALUES (?, '2026-10-12', 'case.approved', ?)",
                     (at(10, 12, 12), '{"type": "case.approved", "at": 1}'))
    r = report_of(fortnight_db, small)
    found = [(i.kind, i.day) for i in r.issues]
    assert found == [("无法识别的办件事件", "2026-10-12"), ("办件事件无法接续", "2026-10-12")]
    assert "C99" in r.issues[1].detail and "没有受理记录" in r.issues[1].detail
    assert r.cases is not None and r.cases.completion[2].late_cases == (cid["C2"],)  # the rest still counts


# ---------------------------------------------------------------- 归档: one case's history


C1_HANDOVERS = [
    # 环节, 交接材料, 交出, 接收, 工号, 设备, 时间, 说明
    ["受理环节", "受理通知书、申请材料", "帮办人员", "审批组", "5001", "B-MS", "2026-09-30 09:00:00", "—"],
    ["审查环节", "一次性意见告知单", "审批组", "帮办人员", "5001", "B-MS", "2026-09-30 15:00:00", "住所证明需加盖公章"],
    ["审查环节", "补正资料", "帮办人员", "审批组", "5002", "B-MS", "2026-10-12 09:00:00", "—"],
    ["审查环节", "审查结果（文书、证书、备案表、《制证信息表》）", "运行科/审批组", "帮办人员", "5003", "B-MS",
     "2026-10-14 09:00:00", "—"],
    ["出证环节", "文书、证书、备案表、《制证信息表》等", "帮办人员", "出证窗口", "1002", "P2", "2026-10-14 10:00:00", "—"],
    ["出证环节", "办理结果", "出证窗口", "申请人 张**", "1002", "P2", "2026-10-15 10:00:00", "—"],
]
C1_STEPS = [  # 时间, 环节, 工号, 设备
    ("2026-09-29 10:00:00", "受理", "1001", "P1"), ("2026-09-29 11:00:00", "转递取件", "3001", "T1"),
    ("2026-09-30 09:00:00", "签收", "5001", "B-MS"), ("2026-09-30 15:00:00", "出具一次性告知单", "5001", "B-MS"),
    ("2026-10-10 10:00:00", "接收补正材料", "1002", "P2"), ("2026-10-10 11:00:00", "转递取件", "3002", "T1"),
    ("2026-10-12 09:00:00", "签收", "5002", "B-MS"), ("2026-10-13 16:00:00", "办结", "5001", "B-MS"),
    ("2026-10-14 09:00:00", "出件转递", "5003", "B-MS"), ("2026-10-14 10:00:00", "出件窗口接收", "1002", "P2"),
    ("2026-10-15 10:00:00", "现场领取", "1002", "P2"),
]


def test_archive_of_a_case_as_a_workbook(fortnight_db: Path, tmp_path: Path, small_hall_text: str,
                                         capsys: pytest.CaptureFixture[str], cid: dict[str, str]) -> None:
    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(small_hall_text, encoding="utf-8")
    out = tmp_path / "C1.xlsx"
    assert main(["case", "SX2026092900017", "--db", str(fortnight_db), "--out", str(out), "--config",
                 str(hall_file)]) == 0  # found by the provincial number too
    assert f"✓ 办件 {cid['C1']} 档案：交接 6 次，办理过程 11 条" in capsys.readouterr().out
    ws = load_workbook(out)["办件档案"]
    assert ws["A1"].value == "测试大厅办件档案"
    info = {r[0]: r[1] for r in table(ws, "基本信息")[1:]}
    assert info["办件编号（省级系统）"] == "SX2026092900017"
    assert info["情形"] == "一般情形"  # the situation's name from the hall file, not its id
    assert info["事项"] == "企业开办" and info["承办部门"] == MS
    assert info["承诺办结日期"] == "2026-10-13（原为 2026-10-09，补正顺延 3 个工作日）"
    assert info["申请材料"] == ("营业执照申请书（原件1份）；身份证（原件1份）；住所证明（复印件2份）；"
                            "住所证明（原件1份）（补正）")  # the one that came in as 补正 is marked
    assert info["办理结果"] == "办结（证书）" and info["当前状态"] == "已领取"
    assert info["送达"] == "2026-10-15 10:00:00　申请人 张**"
    hand = table(ws, "申请材料交接记录")
    # the column holds a 工号, or a back-office clerk's 工号 and name (issue 15): the header says both
    assert hand[0] == ["序号", "环节", "交接材料", "交出", "接收", "经办人（工号/姓名）", "设备", "交接时间", "说明"]
    assert [r[1:] for r in hand[1:]] == C1_HANDOVERS
    assert [r[0] for r in hand[1:]] == list(range(1, 7))
    steps = table(ws, "办理过程")
    assert [(r[1], r[2], r[3], r[4]) for r in steps[1:]] == C1_STEPS
    seqs = [r[6] for r in steps[1:]]
    assert seqs == sorted(seqs) and len(set(seqs)) == 11  # each the event's number in the hub's log
    assert steps[2][5] == "转递人员取走材料，送往承办部门"
    assert steps[5][5] == "窗口W2接收补正材料：住所证明（原件1份）；停止计时3个工作日，承诺办结日期顺延至2026-10-13"
    id_hash = applicant_hash(fortnight_db, cid["C1"])
    assert len(id_hash) == 64  # the hub's keyed hash of C1's applicant: in the log, never in the archive
    assert not any(id_hash in str(c) for r in ws.iter_rows(values_only=True) for c in r if c)


def applicant_hash(db: Path, case: str) -> str:
    with sqlite3.connect(db) as conn:
        for (data,) in conn.execute("SELECT data FROM events WHERE type='case.accepted'"):
            d = json.loads(data)
            if d["case"] == case:
                return str(d["id_hash"])
    raise AssertionError(case)


def test_archive_of_a_case_as_text(fortnight_db: Path, tmp_path: Path, cid: dict[str, str]) -> None:
    out = tmp_path / "C3.md"
    assert main(["case", cid["C3"], "--db", str(fortnight_db), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 测试大厅办件档案")  # no --config: the hall file the hub noted in its database
    rows = text.split("## 申请材料交接记录（附件4）")[1].split("## 办理过程")[0]
    assert [line.split(" | ")[1:5] for line in rows.strip().splitlines()[2:]] == [
        ["受理环节", "受理通知书、申请材料", "帮办人员", "审批组"],
        ["审查环节", "审查结果（文书、证书、备案表、《制证信息表》）", "运行科/审批组", "帮办人员"],
        ["出证环节", "文书、证书、备案表、《制证信息表》等", "帮办人员", "出证窗口"],
        ["出证环节", "办理结果", "出证窗口", "快递"],
    ]
    assert "快递单号 EMS1234567" in rows
    assert "| 不予许可 | — | B-GA | 公安局不予许可：经营场所不符合规划用途 |" in text  # the back office's device
    assert "addr:" not in text  # the address reference is not printed either
    assert "| 序号 | 时间 | 环节 | 经办人（工号/姓名） | 设备 | 内容 | 事件序号 |" in text
    assert "注：经办人：窗口与引导人员记工号，后台审批记签到经办人的工号和姓名。" in text
    assert "经办人（工号）" not in text
    doc = build_archive(read_case_rows(fortnight_db), cid["C3"], "Asia/Shanghai")
    assert [f for f in doc.fields if f[0] == "送达方式"] == [("送达方式", "邮寄")]


@pytest.mark.parametrize(("argv", "code", "words"), [
    (["case", "C42"], 1, "数据库中没有办件 C42（按办件号或办件编号查找；库中共有 8 件办件）"),
    (["case", "C1", "--date", "2026-10-01"], 2, "办件档案不接受 --date"),
    (["case"], 2, "需要办件号"),
    (["monthly", "C1", "--date", "2026-10-01"], 2, "monthly 报表不接受办件号 'C1'"),
    (["monthly"], 2, "需要 --date"),
])
def test_archive_refusals(fortnight_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                          code: int, words: str) -> None:
    out = tmp_path / "x.xlsx"
    assert main([*argv, "--db", str(fortnight_db), "--out", str(out)]) == code
    assert words in capsys.readouterr().err
    assert not out.exists()


def test_archive_refusals_bad_suffix_and_no_cases(fortnight_db: Path, known_db: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["case", "C1", "--db", str(fortnight_db), "--out", str(tmp_path / "c.doc")]) == 2
    assert "--out 应为 .xlsx、.md、.txt、.pdf、.png 文件" in capsys.readouterr().err
    assert main(["case", "C1", "--db", str(known_db), "--out", str(tmp_path / "c.md")]) == 1
    assert "数据库中没有办件记录" in capsys.readouterr().err


def test_a_period_not_over_lists_only_cases_already_past_their_limit(fortnight_db: Path, small: Hall, cid: dict[str, str]) -> None:
    """A report run on Tue 10-13: C5 (accepted Mon 10:00) may be signed for until 10:00 today."""
    def transfers_at(now: float) -> list[TransferAnomaly]:
        r = build_report(read_rows(fortnight_db, OCT), small, OCT, Settings(as_of=dt.date(2026, 10, 13), now=now),
                         case_rows=read_case_rows(fortnight_db))
        assert r.cases is not None
        return r.cases.transfers

    assert transfers_at(at(10, 13, 9, 59)) == [TransferAnomaly(MS, late=(cid["C2"],), unsigned=())]
    assert transfers_at(at(10, 13, 10, 1)) == [TransferAnomaly(BD, late=(), unsigned=(cid["C5"],)),
                                               TransferAnomaly(MS, late=(cid["C2"],), unsigned=())]


# ---------------------------------------------------------------- 归档 on A4, and a month's archive


def pdf_text(path: Path) -> str:
    """The PDF's text with the whitespace taken out (PDF text runs split words at will)."""
    import io
    import re

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_archive_of_a_case_on_a4(fortnight_db: Path, tmp_path: Path, cid: dict[str, str],
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """No --config: the hall's name comes from the hall file the hub noted in its database."""
    out, png = tmp_path / "C1.pdf", tmp_path / "C1.png"
    assert main(["case", "SX2026092900017", "--db", str(fortnight_db), "--out", str(out)]) == 0
    assert main(["case", cid["C1"], "--db", str(fortnight_db), "--out", str(png)]) == 0
    assert f"✓ 办件 {cid['C1']} 档案：交接 6 次" in capsys.readouterr().out
    assert out.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(out)
    assert text.startswith(f"办件码{cid['C1']}测试大厅办件档案编号：SX2026092900017")
    handovers = text.split("二、申请材料交接记录（附件4）")[1].split("三、办理过程")[0]
    rows = [  # every 附件4 row: what, from → to, who (工号, device), when
        ("受理通知书、申请材料", "帮办人员→审批组", "工号5001，B-MS", "2026-09-3009:00"),
        ("一次性意见告知单（住所证明需加盖公章）", "审批组→帮办人员", "工号5001，B-MS", "2026-09-3015:00"),
        ("补正资料", "帮办人员→审批组", "工号5002，B-MS", "2026-10-1209:00"),
        ("审查结果（文书、证书、备案表、《制证信息表》）", "运行科/审批组→帮办人员", "工号5003，B-MS", "2026-10-1409:00"),
        ("文书、证书、备案表、《制证信息表》等", "帮办人员→出证窗口", "工号1002，P2", "2026-10-1410:00"),
        ("办理结果", "出证窗口→申请人张**", "工号1002，P2", "2026-10-1510:00"),
    ]
    at = 0
    for row in rows:
        at = handovers.index("".join(row), at)  # in this order, each row whole
    for stage in ("受理环节", "审查环节", "出证环节"):
        assert stage in handovers
    info = text.split("一、基本信息")[1].split("二、")[0]
    for words in ("申请材料营业执照申请书（原件1份）；身份证（原件1份）；住所证明（复印件2份）；住所证明（原件1份）",
                  "办理结果办结（证书）", "当前状态已领取", "送达2026-10-1510:00:00申请人张**"):
        assert words in info, words
    assert "经办人为系统记录的操作人与设备：窗口与引导人员记工号，后台审批记签到经办人的工号和姓名" in handovers
    steps = text.split("三、办理过程")[1]
    assert [n for n in range(1, 13) if f"{n}、2026-" in steps] == list(range(1, 12))  # all 11 steps
    assert APPLICANT_ID not in text
    assert applicant_hash(fortnight_db, cid["C1"]) not in text
    from PIL import Image

    with Image.open(png) as im:  # the preview: the A4 pages at 150 dpi on a grey table
        assert abs(im.width - (1240 + 32)) <= 1  # 210 mm at 150 dpi, 16 px of table each side
        assert im.height > 2 * 1754


def test_a_months_archive_one_pdf_per_closed_case(fortnight_db: Path, tmp_path: Path, cid: dict[str, str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "2026-10"
    assert main(["case", "--period", "2026-10", "--db", str(fortnight_db), "--out", str(out)]) == 0
    assert "结案 4 件" in capsys.readouterr().out
    # closed in October: C4 当场办结 10-08, C3 邮寄 10-10, C2 自助柜 10-13, C1 领取 10-15; C8 still 待领取,
    # C5 and C7 open, C6 decided in September but never handed over in the log
    order = ["C4", "C3", "C2", "C1"]
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(f"{cid[n]}.pdf" for n in order)
    index = (out / "索引.md").read_text(encoding="utf-8")
    lines = [ln for ln in index.splitlines() if ln.startswith("| ") and ln[2].isdigit()]
    assert [ln.split(" | ")[1] for ln in lines] == [cid[n] for n in order]
    assert [ln.split(" | ")[7] for ln in lines] == ["已领取", "已邮寄", "已投柜", "已领取"]
    assert "| 4 | " + cid["C1"] + " | SX2026092900017 | 企业开办 | 市场监管局 | 2026-09-29 10:00 | 2026-10-15 10:00 |" in index
    c3 = pdf_text(out / f"{cid['C3']}.pdf")
    assert "邮寄送达，快递单号EMS1234567" in c3
    assert "公安局不予许可：经营场所不符合规划用途" in c3
    assert "addr:" not in c3
    assert ADDRESS.replace(" ", "") not in c3


@pytest.mark.parametrize(("argv", "code", "words"), [
    (["case", "--period", "2026-13"], 2, "--period 应为 YYYY-MM"),
    (["case", "X", "--period", "2026-10"], 2, "办件号与 --period 只能给一个"),
    (["case", "--period", "2026-08"], 1, "2026-08 没有结案（已送达）的办件"),
])
def test_month_archive_refusals(fortnight_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                argv: list[str], code: int, words: str) -> None:
    out = tmp_path / "dir"
    assert main([*argv, "--db", str(fortnight_db), "--out", str(out)]) == code
    assert words in capsys.readouterr().err
    assert not out.exists()
