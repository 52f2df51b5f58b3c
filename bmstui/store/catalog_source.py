"""The shipped catalog files: the hall layouts of ``data/layouts.toml``, and reading a catalog
file against them.

The domain reads text it is given; this module knows where the shipped files are. It is also the
old ``bmstui.catalog_file`` import path, so everything of ``bmstui.domain.catalog_file`` is
importable here.
"""

from __future__ import annotations

from bmstui.domain import catalog_file as _domain
from bmstui.domain.catalog_file import *  # noqa: F403
from bmstui.domain.catalog_file import CatalogFile, SeatSpec, layouts_of
from bmstui.paths import data_dir


def builtin_layouts() -> dict[str, tuple[SeatSpec, ...]]:
    """The layouts shipped in ``data/layouts.toml``, by name."""
    return layouts_of((data_dir() / "layouts.toml").read_text(encoding="utf-8"))


def read_catalog_file(text: str, source: str = "<text>") -> CatalogFile:
    """``bmstui.domain.catalog_file.read_catalog_file`` with the shipped layouts known."""
    return _domain.read_catalog_file(text, source, builtin=builtin_layouts())
