"""The one-line heading naming a show, shared by the seat and checkout screens."""

from __future__ import annotations

from bmstui.services.catalog import ShowInfo


def show_heading(show: ShowInfo) -> str:
    return (f"{show.title} ({show.certificate}) · {show.language} · {show.format} — "
            f"{show.theater}, {show.screen} — {show.local_start:%a %d %b, %H:%M}")
