"""The screens' header: Textual's, with a title watcher that survives its own removal.

Textual's ``Header`` redraws its title whenever the app's title changes, by looking up its
title part; a header on a screen being replaced may already have lost that part, and the
lookup then raises inside a watcher (seen when signing in changed the title as the sign-in
screen went away: a test's teardown failed, a clerk's app could have stopped). A header with
no title part left has nothing to redraw, so that is ignored here, as Textual already ignores
a header with no screen.
"""

from __future__ import annotations

from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widget import Widget
from textual.widgets import Header
from textual.widgets._header import HeaderTitle


class Heading(Header):
    def _on_mount(self, event: Mount) -> None:
        # Textual calls every class's _on_mount up the MRO: this one stands in for Header's
        # (stopped below), and does Widget's part itself.
        event.prevent_default()
        Widget._on_mount(self, event)

        async def set_title() -> None:
            try:
                self.query_one(HeaderTitle).update(self.format_title())
            except (NoScreen, NoMatches):
                pass

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)
