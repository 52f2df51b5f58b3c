"""Package boundaries: bmstui never needs textual, and a built wheel carries the demo catalog."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

IMPORT_ALL_WITHOUT_TEXTUAL = r"""
import importlib, pkgutil, sys
sys.modules["textual"] = None  # any "import textual..." now raises ImportError
import bmstui
# The UI benches drive the screens headless: they are the one part of bmstui that needs them.
UI_PROBES = {"bmstui.bench.grid_probe", "bmstui.bench.startup_probe"}
names = ["bmstui"] + [m.name for m in pkgutil.walk_packages(bmstui.__path__, "bmstui.")
                      if m.name not in UI_PROBES]
for name in names:
    importlib.import_module(name)
assert sys.modules["textual"] is None
leaked = sorted(n for n in sys.modules if n.startswith(("textual.", "screens")))
assert not leaked, leaked
print("\n".join(names))
"""


def test_every_bmstui_module_imports_without_textual():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL_WITHOUT_TEXTUAL],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    imported = set(result.stdout.split())
    # The walk really covered the package, subpackages included.
    for name in ("bmstui.cli", "bmstui.cli.core", "bmstui.config", "bmstui.store.schema",
                 "bmstui.store.seeding", "bmstui.services", "bmstui.services.seating"):
        assert name in imported
    on_disk = {
        "bmstui." + ".".join(p.relative_to(REPO_ROOT / "bmstui").with_suffix("").parts)
        for p in (REPO_ROOT / "bmstui").rglob("*.py")
        if p.name != "__init__.py" and "__pycache__" not in p.parts
    } - {"bmstui.bench.grid_probe", "bmstui.bench.startup_probe"}
    assert on_disk <= imported, sorted(on_disk - imported)


def test_blocking_textual_really_blocks_it():
    """The check above would be empty if ``sys.modules[...] = None`` did not stop the import."""
    result = subprocess.run(
        [sys.executable, "-c",
         "import sys; sys.modules['textual'] = None\nimport screens.app"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
    )
    assert result.returncode != 0
    assert "ImportError" in result.stderr or "ModuleNotFoundError" in result.stderr


@pytest.mark.slow
def test_wheel_contains_the_demo_catalog_and_the_ui(tmp_path):
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path)]
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")  # the installed hatchling: works offline
    result = subprocess.run(
        [*command, str(REPO_ROOT)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = list(tmp_path.glob("bmstui-*.whl"))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = wheel.read(entry_points).decode()
    for data in ("catalog", "layouts", "movies", "pricing", "schedule"):
        assert f"bmstui/data/{data}.toml" in names, sorted(names)
    assert "screens/app.py" in names
    assert "bmstui/cli/entry.py" in names and "bmstui/domain/best_seats.py" in names
    assert not any(n.startswith("tests/") for n in names)
    assert "bmstui = bmstui.cli:main" in scripts
