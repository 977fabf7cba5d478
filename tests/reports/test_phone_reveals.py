"""回访号码查看记录 in the day's report: a real hub's day in which two guides looked at consenting citizens'
numbers for 回访 calls (``followup.phone``); the report counts them per guide and lists the tickets, for the
manager's audit, and never holds a number. Real hub, broker and SQLite; the report through its CLI."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hallq.client import RequestError
from hub.reports.cli import main
from launcher.local_hall import LocalHall
from tests.halls import running, sample_hall_plus
from tests.hub.hub_helpers import FakeClock
from tests.pad.conftest import PIN, issue

from .test_known_day import keyed, table

PHONES = ("13912345678", "13887654321", "13766554433")
DAY = dt.date(2026, 11, 23)  # tests/conftest.py's clock: Monday 09:00
SECOND_GUIDE = ('\n[[staff]]\nid = "2002"\nname = "钱明"\nroles = ["guide"]\npin_hash = '
                '"pbkdf2_sha256$120000$68616c6c7164656d$3e4ff03033da3a8fe860c24e3b0b64f87e22271521c3bc5c7468224ba0f9eeec"\n')


@pytest.fixture
def hall(tmp_path: Path, clock: FakeClock) -> Iterator[LocalHall]:
    h = sample_hall_plus(SECOND_GUIDE)
    assert h.policy.guide_sign_in_required
    yield from running(h, tmp_path / "hall.db", clock=clock)


def served_unrated(lh: LocalHall, clock: FakeClock, **extra: Any) -> dict[str, Any]:
    """A ticket issued at the kiosk, served at S01 (受理) and left 未评价 by the window's evaluator."""
    ticket = issue(lh.client("K1"), **extra)
    pad, screen = lh.client("P-S01"), lh.client("D-S01")
    if lh.hub is not None and lh.hub.service.core.windows["S01"].state.value != "open":
        pad.request("window.open", {"window": "S01", "staff": "1001", "pin": PIN})
    clock.advance(60)
    assert pad.request("ticket.call_next", {"window": "S01"})["ticket"]["id"] == ticket["id"]
    clock.advance(300)
    pad.request("ticket.outcome", {"window": "S01", "outcome": "accepted"})
    screen.request("evaluation.skip", {"window": "S01"})
    return ticket


def test_the_days_report_lists_each_guides_revealed_numbers_by_ticket(
        hall: LocalHall, clock: FakeClock, tmp_path: Path) -> None:
    t1, t2, t3 = (served_unrated(hall, clock, phone=p, notify_consent=True) for p in PHONES)
    silent = served_unrated(hall, clock, phone="13700001111")  # no consent: its number is never shown
    g1, g2 = hall.client("G1"), hall.client("G2")
    with pytest.raises(RequestError) as unsigned:  # the sample hall wants a name on every reveal
        g1.request("followup.phone", {"ticket": t1["id"]})
    assert unsigned.value.code == "not_signed_in"
    g1.request("guide.login", {"staff": "2001", "pin": PIN})
    g2.request("guide.login", {"staff": "2002", "pin": PIN})
    for guide, ticket in ((g1, t1), (g1, t2), (g2, t3), (g1, t1)):  # 赵芳 looks at A's number twice
        clock.advance(120)
        assert guide.request("followup.phone", {"ticket": ticket["id"]})["shown"]["phone"] in PHONES
    with pytest.raises(RequestError) as refused:
        g2.request("followup.phone", {"ticket": silent["id"]})
    assert refused.value.code == "no_consent"

    hall_file = tmp_path / "hall.toml"
    assert hall.hall.text
    hall_file.write_text(hall.hall.text, encoding="utf-8")
    out, text = tmp_path / "day.xlsx", tmp_path / "day.md"
    assert main(["daily", "--db", str(hall.db), "--date", DAY.isoformat(), "--out", str(out), "--config",
                 str(hall_file), "--text", str(text), "--as-of", DAY.isoformat()]) == 0

    sheet = load_workbook(out)["回访号码查看"]
    rows = keyed(table(sheet, "各引导人员查看群众电话号码次数"))
    assert rows["2001 赵芳"]["查看次数（次）"] == 3 and rows["2001 赵芳"]["引导台"] == "G1"
    assert rows["2001 赵芳"]["票号"] == "、".join((t1["id"], t2["id"], t1["id"]))
    assert rows["2002 钱明"]["查看次数（次）"] == 1 and rows["2002 钱明"]["票号"] == t3["id"]
    assert rows["合计"]["查看次数（次）"] == 4
    assert list(rows) == ["2001 赵芳", "2002 钱明", "合计"]  # the most looks first
    detail = table(sheet, "明细")
    assert [r[2:] for r in detail[1:]] == [["2001 赵芳", "G1", t1["id"]], ["2001 赵芳", "G1", t2["id"]],
                                           ["2002 钱明", "G2", t3["id"]], ["2001 赵芳", "G1", t1["id"]]]
    assert detail[1][0] == DAY.isoformat()

    body = text.read_text(encoding="utf-8")
    assert "## 七、回访号码查看记录" in body
    assert "本期引导台为回访查看群众电话号码4次（仅记录票号，不记录号码），按人员如下：" in body
    assert f"| 1 | 2001 赵芳 | G1 | 3 | {t1['id']}、{t2['id']}、{t1['id']} |" in body
    assert f"| 2 | 2002 钱明 | G2 | 1 | {t3['id']} |" in body
    # no number, not even the refused one, anywhere in the report
    with zipfile.ZipFile(out) as z:
        workbook_text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    for phone in (*PHONES, "13700001111"):
        assert phone not in body and phone not in workbook_text


def test_a_day_without_reveals_says_so(hall: LocalHall, clock: FakeClock, tmp_path: Path) -> None:
    served_unrated(hall, clock, phone=PHONES[0], notify_consent=True)
    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(hall.hall.text, encoding="utf-8")
    out, text = tmp_path / "day.xlsx", tmp_path / "day.md"
    assert main(["daily", "--db", str(hall.db), "--date", DAY.isoformat(), "--out", str(out), "--config",
                 str(hall_file), "--text", str(text), "--as-of", DAY.isoformat()]) == 0
    assert "本期引导台未查看群众电话号码。" in text.read_text(encoding="utf-8")
    assert keyed(table(load_workbook(out)["回访号码查看"], "各引导人员"))["合计"]["查看次数（次）"] == 0
