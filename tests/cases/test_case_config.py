"""The hall file's [cases] table and a matter's case keys: defaults, a full table, every mistake reported."""

from __future__ import annotations

import datetime as dt
import tomllib

from hub.case_config import DEFAULT_STUCK_HOURS, CaseRules, check_cases
from hub.cases import CaseState, Delivery

FULL = """
[cases]
transfer_limit_working_days = 1
correction_deadline_working_days = 15
unclaimed_after_working_days = 20
deliveries = ["pickup", "mail"]
result_kinds = ["证书", "批复文书"]
days_off = [2026-12-31, "2026-11-27"]
extra_working_days = ["2026-11-29"]

[cases.stuck_hours]
accepted = 2
ready = 48.5

[[cases.departments]]
name = "市场监督管理局"
transfer_limit_working_days = 2

[[matters]]
id = "licence"
result_kind = "证书"
inspection = true
deliveries = ["mail"]
"""


def test_a_hall_that_writes_nothing_gets_the_defaults() -> None:
    rules, issues = check_cases({})
    assert issues == []
    assert rules == CaseRules()
    assert rules.deliveries == (Delivery.PICKUP, Delivery.LOCKER, Delivery.MAIL)
    assert rules.transfer_limit("公安局") == 1 and rules.stuck_hours == DEFAULT_STUCK_HOURS


def test_a_full_table() -> None:
    rules, issues = check_cases(tomllib.loads(FULL), ["市场监督管理局", "公安局"])
    assert issues == []
    assert (rules.correction_deadline_working_days, rules.unclaimed_after_working_days) == (15, 20)
    assert rules.deliveries == (Delivery.PICKUP, Delivery.MAIL) and rules.result_kinds == ("证书", "批复文书")
    assert rules.stuck_hours[CaseState.ACCEPTED] == 2.0 and rules.stuck_hours[CaseState.READY] == 48.5
    assert rules.stuck_hours[CaseState.TRANSFERRING] == DEFAULT_STUCK_HOURS[CaseState.TRANSFERRING]
    assert rules.transfer_limit("市场监督管理局") == 2 and rules.transfer_limit("公安局") == 1
    cal = rules.calendar
    assert not cal.is_working_day(dt.date(2026, 11, 27))  # a Friday the hall closes
    assert cal.is_working_day(dt.date(2026, 11, 29))  # a Sunday it works
    assert cal.add_working_days(dt.date(2026, 11, 26), 1) == dt.date(2026, 11, 29)


BAD = """
[cases]
transfer_limit_wrking_days = 1
unclaimed_after_working_days = 0
deliveries = ["pickup", "drone"]
days_off = ["2026-11-31", 5, "2026-11-30"]
extra_working_days = ["2026-11-30"]
own_years = [2027, 1999]

[cases.stuck_hours]
collected = 3
accepted = -1

[[cases.departments]]
name = "市场监管局"

[[matters]]
id = "licence"
result_kind = "执照"
deliveries = ["locker"]
inspection = "yes"
"""


def test_every_mistake_is_reported_with_its_key_path() -> None:
    _, issues = check_cases(tomllib.loads(BAD), ["市场监督管理局"])
    found = {(i.path, i.message.split(" (")[0]) for i in issues}
    expected = {
        ("cases.transfer_limit_wrking_days", "未知的键"),
        ("cases.unclaimed_after_working_days", "应为 1-366 个工作日"),
        ("cases.deliveries[1]", "未知送达方式"),
        ("cases.days_off[0]", "日期格式应为 YYYY-MM-DD"),
        ("cases.days_off[1]", "应为日期"),
        ("cases.extra_working_days", "2026-11-30 同时列在 days_off 中"),
        ("cases.own_years[1]", "应为 2000-2100 之间的年份"),
        ("cases.own_years", "2027 年由本文件描述，但 days_off 中没有该年的节假日"),
        ("cases.stuck_hours.collected", "未知的键"),
        ("cases.stuck_hours.accepted", "应为正数小时"),
        ("cases.departments[0].name", "没有事项或窗口属于部门 '市场监管局'"),
        ("matters[0].result_kind", "未列入 [cases] result_kinds 的结果类型"),
        ("matters[0].deliveries[0]", "大厅未开通该送达方式"),
        ("matters[0].inspection", "应为布尔值"),
    }
    assert found == expected, sorted(found ^ expected)
    assert any("did you mean 'transfer_limit_working_days'" in i.message for i in issues)


def test_the_sample_hall_reads_with_the_defaults() -> None:
    from launcher.samples import sample_hall_path

    doc = tomllib.loads(sample_hall_path().read_text(encoding="utf-8"))
    departments = {m["department"] for m in doc["matters"]}
    rules, issues = check_cases(doc, departments)
    assert issues == []
    assert rules == CaseRules()


def _sample_doc() -> dict[str, object]:
    from launcher.samples import sample_hall_path

    return tomllib.loads(sample_hall_path().read_text(encoding="utf-8"))


def test_parse_hall_reads_the_cases_table_and_the_matters_case_keys() -> None:
    from hub.config import parse_hall

    doc = _sample_doc()
    matters = doc["matters"]
    assert isinstance(matters, list)
    department = matters[0]["department"]
    doc["cases"] = {"transfer_limit_working_days": 2, "deliveries": ["pickup", "mail"],
                    "departments": [{"name": department, "transfer_limit_working_days": 3}]}
    matters[0].update({"result_kind": "证书", "inspection": True, "deliveries": ["mail"]})
    hall = parse_hall(doc)
    assert hall.cases is not None
    assert hall.cases.transfer_limit_working_days == 2
    assert hall.cases.deliveries == (Delivery.PICKUP, Delivery.MAIL)
    assert hall.cases.transfer_limit(department) == 3
    first = hall.matters[matters[0]["id"]]
    assert first.case is not None
    assert (first.case.result_kind, first.case.inspection, first.case.deliveries) == ("证书", True, (Delivery.MAIL,))


def test_parse_hall_reports_case_typos_with_their_key_paths() -> None:
    import pytest

    from hub.config import ConfigError, parse_hall

    doc = _sample_doc()
    doc["cases"] = {"transfer_limt": 1, "departments": [{"name": "没有的部门"}], "deliveries": ["drone"]}
    matters = doc["matters"]
    assert isinstance(matters, list)
    matters[0]["result_kind"] = "奖状"
    matters[1]["deliverys"] = ["mail"]
    with pytest.raises(ConfigError) as info:
        parse_hall(doc)
    paths = {i.path for i in info.value.issues}
    assert {"cases.transfer_limt", "cases.departments[0].name", "cases.deliveries[0]", "matters[0].result_kind",
            "matters[1].deliverys"} <= paths


def test_a_backoffice_device_is_bound_to_a_known_department() -> None:
    import pytest

    from hub.config import ConfigError, parse_hall
    from hub.hall import Role

    doc = _sample_doc()
    devices = doc["devices"]
    assert isinstance(devices, list)
    devices += [{"id": "B1", "role": "backoffice", "department": "公安局"}, {"id": "B2", "role": "backoffice"},
                {"id": "B3", "role": "backoffice", "department": "公按局"}]
    with pytest.raises(ConfigError) as info:
        parse_hall(doc)
    n = len(devices)
    assert {i.path for i in info.value.issues} == {f"devices[{n - 2}].department", f"devices[{n - 1}].department"}
    del devices[-2:]
    hall = parse_hall(doc)
    assert (hall.devices["B1"].role, hall.devices["B1"].department) == (Role.BACKOFFICE, "公安局")
