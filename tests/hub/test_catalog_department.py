"""The catalog names a back office's department (additive: a hall without back offices sends the same bytes)."""

from __future__ import annotations

import msgspec

from hallq import messages as m
from hub.publisher import catalog, catalog_message
from tests.cases.test_wire import case_hall


def test_a_backoffice_device_carries_its_department_in_the_catalog() -> None:
    hall = case_hall()
    devices = {d["id"]: d for d in catalog(hall)["devices"]}
    assert devices["B-GA"]["department"] == "公安局"
    assert devices["B-SJ"]["department"] == "市场监督管理局"
    assert "department" not in devices["K1"]  # empty: left out, as before the field existed
    wire = msgspec.json.encode(catalog_message(hall))
    back = m.decode(m.Catalog, wire)
    assert {d.id: d.department for d in back.devices if d.role == "backoffice"} == {
        "B-GA": "公安局", "B-SJ": "市场监督管理局",
        "BO-GA": "公安局", "BO-SJ": "市场监督管理局"}  # the sample hall's own two desks, and the test's


def test_an_older_client_without_the_field_still_decodes_the_catalog() -> None:
    class OldDevice(msgspec.Struct):
        id: str
        role: str
        window: str
        zone: str
        printer: str

    wire = msgspec.json.encode(catalog_message(case_hall()))
    devices = msgspec.json.decode(msgspec.json.encode(msgspec.json.decode(wire)["devices"]), type=list[OldDevice])
    assert "B-GA" in {d.id for d in devices}
