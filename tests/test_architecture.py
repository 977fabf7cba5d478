"""Layering rules from STYLE.md, checked on the source: the core is pure, the hub never imports Qt."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


PURE = [*(f"hub/core/{p.name}" for p in sorted((ROOT / "hub" / "core").glob("*.py"))), "hub/events.py", "hub/hall.py",
        "hub/rules.py", "hub/cases.py", "hub/case_events.py", "hub/case_figures.py", "hub/workdays.py",
        "hub/case_config.py"]
# Roots that mean I/O, threads or wall-clock time; and hallq/hub modules that do I/O.
IO_ROOTS = {"sqlite3", "sqlite_utils", "paho", "amqtt", "PySide6", "socket", "serial", "escpos", "threading",
            "time", "os", "subprocess", "asyncio"}
IO_MODULES = {"hallq.client", "hub.store", "hub.runtime", "hub.broker", "hub.service"}


@pytest.mark.parametrize("module", PURE)
def test_domain_core_does_no_io(module: str) -> None:
    bad = {m for m in imports(ROOT / module) if m.split(".")[0] in IO_ROOTS or m in IO_MODULES}
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("package", ["hub", "printers", "hallq"])
def test_hub_printers_and_protocol_never_import_qt(package: str) -> None:
    """Only hallq/qt (the shared Qt glue) and the device apps may import PySide6."""
    for path in (ROOT / package).rglob("*.py"):
        if path.is_relative_to(ROOT / "hallq" / "qt"):
            continue
        assert not any(m.startswith("PySide6") for m in imports(path)), path


def test_import_contracts_hold() -> None:
    """The [tool.importlinter] contracts in pyproject.toml: the floors as layers, devices independent of
    each other and of the hub, no Qt in hub/printers, a pure hub core. lint-imports prints which import broke which rule."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint is not None, "lint-imports is missing: install the dev extras (import-linter)"
    done = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout, done.stdout
    # the floors (STYLE.md §9): launcher > hub | kiosk | pad | display | web | notify > printers > hallq, checked as layers
    floors = r"Floors: launcher > hub \| kiosk \| pad \| display \| web \| notify > printers > hallq\s*KEPT"
    assert re.search(floors, done.stdout), done.stdout  # lint-imports drops the space before KEPT on a long name
    assert "The notifier talks to the hub only through the wire: hallq, no Qt, no printers KEPT" in done.stdout


def test_no_two_modules_import_each_other() -> None:
    """File cycles (display/cli.py ↔ display/demo.py was one) hide which module is the lower floor.
    Imports inside functions count too: they only postpone the cycle."""
    graph: dict[str, set[str]] = {}
    for package in ("hallq", "hub", "kiosk", "pad", "display", "printers", "launcher", "web", "notify"):
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found = imports(path)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found |= {f"{n.module}.{a.name}" for n in ast.walk(tree)
                      if isinstance(n, ast.ImportFrom) and n.module for a in n.names}
            graph[name] = found
    pairs = sorted((a, b) for a, found in graph.items() for b in found
                   if b in graph and a < b and a in graph[b])
    assert pairs == []


PACKAGES = ("hallq", "hub", "kiosk", "pad", "display", "printers", "launcher", "web", "notify")


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _runtime_imports(path: Path) -> set[str]:
    """What a module imports when it runs (inside functions too), not what only ``if TYPE_CHECKING:``
    imports; ``from a import b`` also names ``a.b`` (it may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(block.test) for stmt in block.body for n in ast.walk(stmt)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def test_no_import_cycles_anywhere() -> None:
    """No chain of modules comes back to where it started (issue 14: "No import cycles anywhere"),
    however long: each strongly connected part of the import graph is one module."""
    graph = {_module_name(p): _runtime_imports(p) for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    edges = {a: sorted(b for b in found if b in graph and b != a and not a.startswith(b + "."))
             for a, found in graph.items()}  # a module importing its own package's __init__ is no cycle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = [stack.pop()]
            while part[-1] != v:
                part.append(stack.pop())
            if len(part) > 1:
                cycles.append(sorted(part))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert cycles == []


# SQL lives in the store and the reports' read-only queries (issue 14).
# hub.backup works on the database file as a whole (SQLite's backup API, integrity_check, the schema
# version), the store's own business at file level.
# hub.store_purge is the store's purge queries, apart from hub/store.py only for its size.
SQL_HOMES = {"hub.store", "hub.reports.sources", "hub.backup", "hub.store_purge"}


def test_sql_lives_in_the_store_and_the_reports_queries() -> None:
    users = {_module_name(p) for package in PACKAGES for p in (ROOT / package).rglob("*.py")
             if any(m.split(".")[0] in ("sqlite3", "sqlite_utils") for m in imports(p))}
    assert users - SQL_HOMES == set(), "SQL outside hub/store.py, store_purge.py, backup.py, reports/sources.py"
