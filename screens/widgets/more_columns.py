"""A line under a wide table saying that some of its columns are off to the right.

A DataTable wider than the terminal (80 columns) scrolls sideways without a word, and a
manager misses "Cash in drawer" or a coupon's validity. The table shows a horizontal
scrollbar exactly when columns are hidden, so this line follows that.
"""

from __future__ import annotations

from textual.widgets import DataTable, Static

HINT = "More columns to the right: ← → on the table scroll them."


class MoreColumns(Static):
    DEFAULT_CSS = """
    MoreColumns { height: auto; padding: 0 1; color: $warning; display: none; }
    """

    def __init__(self, table: DataTable, **kwargs) -> None:
        super().__init__(HINT, **kwargs)
        self.table = table

    def on_mount(self) -> None:
        self.watch(self.table, "show_horizontal_scrollbar", self._follow, init=True)

    def _follow(self, shown: bool) -> None:
        self.display = shown
