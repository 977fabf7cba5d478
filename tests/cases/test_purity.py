"""The case core is held to the hub core's purity contract (import-linter, run by tests/test_architecture.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASE_CORE = {"hub.cases", "hub.case_events", "hub.case_figures", "hub.workdays"}


def test_the_purity_contract_names_the_case_core() -> None:
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pure = next(c for c in doc["tool"]["importlinter"]["contracts"] if c["name"].startswith("The hub's core is pure"))
    assert set(pure["source_modules"]) >= {"hub.core"} | CASE_CORE
    assert {"sqlite3", "threading", "time", "paho", "hub.store"} <= set(pure["forbidden_modules"])


def test_no_case_module_reads_the_machine_clock() -> None:
    for name in CASE_CORE | {"hub.case_config"}:
        src = (ROOT / (name.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        for banned in ("date.today(", "datetime.now(", "time.time(", "hallclock", "localtime("):
            assert banned not in src, (name, banned)
