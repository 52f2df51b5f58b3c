"""The box-office application: owns the settings and the screen stack."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from bmstui.config import Settings, get_settings


class BoxOfficeApp(App):
    """One counter terminal."""

    TITLE = "bmstui"
    SUB_TITLE = "box office"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(self, settings: Settings | None = None, **kwargs):
        super().__init__(**kwargs)
        self.settings = settings or get_settings()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Counter {self.settings.terminal} — ready", id="welcome")
        yield Footer()
