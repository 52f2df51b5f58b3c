"""Child process of ``bmstui bench startup``: start the app headless, print the wall-clock time
at which its first screen shows data, and exit. Argv: database URL, state folder, fresh|resume."""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main(url: str, folder: str, mode: str) -> None:
    import bmstui
    from bmstui.services.operators import OperatorInfo
    from bmstui.terminal_memory import TerminalMemory
    from screens.app import BoxOfficeApp

    bmstui.open_database(url)
    memory = TerminalMemory(Path(folder) / "terminal.json")
    if mode == "resume" and memory.get("city_id") is None:
        from bmstui.services import catalog

        memory.set("city_id", catalog.cities()[0].id)
    # Past sign-in as a cashier that exists only here: the probe reads the catalog and nothing
    # else, and a cashier's app offers no manager action (nor would a service accept this one).
    bench = OperatorInfo(id=0, name="startup-bench", role="cashier", active=True)
    app = BoxOfficeApp(memory=memory, resume=mode == "resume", operator=bench)
    ready_at: list[float] = []

    def check() -> None:
        screen = app.screen
        name = type(screen).__name__
        wanted = "MoviesScreen" if mode == "resume" else "CityScreen"
        list_id = "#movie-list" if mode == "resume" else "#city-list"
        found = screen.query(list_id) if name == wanted else None
        if found and found.first().option_count:
            ready_at.append(time.time())
            app.exit()

    app.call_later(lambda: app.set_interval(0.002, check))
    app.run(headless=True)
    print(ready_at[0] if ready_at else "never")


if __name__ == "__main__":
    main(*sys.argv[1:4])
