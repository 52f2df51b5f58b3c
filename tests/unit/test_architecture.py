"""The house's plan, checked: the import contracts of pyproject.toml hold, no module imports
itself back through others, and every old import path of a moved module still works."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from bmstui.moved import MOVED

REPO_ROOT = Path(__file__).resolve().parents[1]
while not (REPO_ROOT / "pyproject.toml").is_file():
    REPO_ROOT = REPO_ROOT.parent


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(
                        child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _graph():
    return grimp.build_graph("bmstui", "screens", exclude_type_checking_imports=True)


def test_no_module_of_bmstui_or_screens_imports_itself_back():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    """The test above would pass on any graph if ``_cycles`` could not see one."""
    graph = _graph()
    graph.add_import(importer="bmstui.domain.pricing", imported="bmstui.services.sales")
    assert any({"bmstui.domain.pricing", "bmstui.services.sales"} <= set(c)
               for c in _cycles(graph))


def test_the_import_contracts_of_pyproject_hold():
    linter = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([linter, "--no-cache"], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.lower().split("contracts:")[-1].split("\n")[0]  # "5 kept, 0 broken."
    assert re.search(r"\b\d+ kept\b", summary), result.stdout[-4000:]
    assert not re.search(r"\b[1-9]\d* broken\b", summary), result.stdout[-4000:]


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_import_path_is_the_moved_module_itself(old):
    assert importlib.import_module(old) is importlib.import_module(MOVED[old])


def test_the_published_names_of_the_readme_still_import():
    import bmstui
    from bmstui import best_seats, errors, report_chart, tickets  # noqa: F401
    from bmstui.cli import main  # the console script's entry point
    from bmstui.services import catalog, sales, seating  # noqa: F401

    assert callable(main) and callable(bmstui.open_database)
    assert best_seats.best_available and tickets.ticket and report_chart
    assert errors.BookingError is importlib.import_module("bmstui.domain.errors").BookingError
