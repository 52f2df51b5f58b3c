"""A counter run as the command line runs it, in a pseudo-terminal (spawned by
test_ui_exit_release.py): signal handlers on, the holds released after the run. It opens one
show's seat grid straight away; the test types the keys that hold seats, then ends it."""

from __future__ import annotations

import sys
from pathlib import Path

import bmstui
from bmstui.config import get_settings
from bmstui.services import catalog, operators
from bmstui.terminal_memory import TerminalMemory
from screens.app import BoxOfficeApp
from screens.exit_path import run_counter
from screens.sale.seats import SeatScreen


class AtTheGrid(BoxOfficeApp):
    CSS_PATH = Path(sys.modules[BoxOfficeApp.__module__].__file__).parent / "bmstui.tcss"
    show_id = 0

    def on_ready(self) -> None:
        self.push_screen(SeatScreen(catalog.show(self.show_id)))


def main(url: str, show_id: str, operator: str, folder: str) -> int:
    bmstui.open_database(url)
    app = AtTheGrid(settings=get_settings(), operator=operators.get(operator),
                    handle_signals=True, resume=False,
                    memory=TerminalMemory(Path(folder) / "terminal.json"),
                    tickets_dir=Path(folder) / "tickets")
    app.show_id = int(show_id)
    return run_counter(app)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
