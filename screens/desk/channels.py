"""Online channels on the manager's desk: add one (its key is shown once), revoke one.

A key is shown in a dialog of its own right after the channel is added, to be copied into the
website's settings; only a hash of it is kept, so closing the dialog is the last time anyone
sees it. Revoking stops the key at once (a revoked channel stays listed, with when).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from bmstui.domain.actors import SCOPES
from bmstui.services import channels
from bmstui.services.channels import ChannelInfo
from screens.widgets.admin_form import AdminPane, Field, FormScreen


class KeyShownOnce(ModalScreen):
    """The new channel's key, until the manager says it is copied."""

    BINDINGS = [Binding("enter,escape", "dismiss(None)", "Copied: close")]

    def __init__(self, name: str, key: str) -> None:
        super().__init__()
        self.channel_name = name
        self.key = key

    def compose(self) -> ComposeResult:
        with Vertical(id="key-box"):
            yield Static(Text(f"Key of the channel {self.channel_name}", style="bold"))
            yield Static(Text(self.key, style="bold"), id="key-text")
            yield Static("Copy it into the website's settings now: it is shown only this "
                         "once (only a hash is kept). A lost key is replaced: revoke the "
                         "channel and add another.", id="key-note")
            yield Static(Text("enter: copied, close", style="dim"))


class ChannelsPane(AdminPane):
    BINDINGS = [Binding("d", "revoke", "Revoke")]
    TYPED_ACTIONS = AdminPane.TYPED_ACTIONS | {"revoke"}
    COLUMNS = ("Channel", "Key id", "Scopes", "State", "Added (UTC)")
    NOUN = "channel"

    def fetch(self) -> list[ChannelInfo]:
        return channels.channels()

    def key(self, item) -> str:
        return item.name if isinstance(item, ChannelInfo) else item[0].name

    def cells(self, channel: ChannelInfo) -> tuple:
        state = ("active" if channel.active
                 else f"revoked {channel.revoked_at:%Y-%m-%d %H:%M}")
        return (channel.name, channel.key_id, ",".join(channel.scopes), state,
                f"{channel.created_at:%Y-%m-%d %H:%M}")

    def summary(self, items: list[ChannelInfo]) -> str:
        if not items:
            return "No online channels; n adds one (bmstui serve sells through them)"
        active = sum(1 for c in items if c.active)
        return f"{len(items)} channels · {active} active · d revokes the highlighted one"

    def action_new(self) -> None:
        by = self.by

        def save(values: dict) -> tuple[ChannelInfo, str]:
            chosen = [scope for scope in SCOPES if values.get(scope)]
            return channels.add(values["name"], scopes=chosen, by=by)

        fields = [Field("name", "Name", placeholder="a-z 0-9 . _ - (website, app)"),
                  *(Field(scope, f"May {scope}", "flag", value=True) for scope in SCOPES)]

        def closed(result) -> None:
            if result is None:
                return
            info, key = result
            self.load(keep=info.name)
            self.app.push_screen(KeyShownOnce(info.name, key))

        self.app.push_screen(FormScreen("New online channel", fields, save), closed)

    def action_edit(self) -> None:
        channel = self.chosen()
        if channel is not None:
            self.app.notify(f"{channel.name}: scopes {', '.join(channel.scopes)}; a channel's "
                            "key cannot be changed, only revoked (d) and replaced (n)")

    def action_revoke(self) -> None:
        channel = self.chosen()
        if channel is None:
            return
        if not channel.active:
            self.app.notify(f"{channel.name} is already revoked", severity="warning")
            return
        self.change(channels.revoke, channel.name,
                    message=lambda c: f"Revoked {c.name}: its key no longer works")
