"""The manager's desk catalogue panes share two things: a modal form built from field specs, and
a table pane that lists rows, opens that form and keeps the cursor on the row just saved.

Typed text becomes a value here only as far as a form must (blank is none, local time is UTC,
whole numbers are numbers); what a value may be is the service's to decide. Its refusal shows
in the form's status line with everything typed still in place, so nothing is typed twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, DataTable, Footer, Input, Label, Select, Static, TextArea

from bmstui.domain.clock import to_local, to_utc
from bmstui.domain.errors import InvalidAmount
from bmstui.domain.money_input import parse_optional_amount
from screens.background import explain, run_service
from screens.widgets.more_columns import MoreColumns
from screens.widgets.typing_keys import TypingAware

WHEN_FORMAT = "%Y-%m-%d %H:%M"


class FormRefusal(Exception):
    """Typed text a form cannot even hand to the service (a date that is not a date)."""


@dataclass(frozen=True)
class Field:
    """One value of a form. ``kind``: text, long (several lines), int, amount (blank = none),
    money (rupees through the one money parser; blank = none), when (local date and time,
    handed over as UTC), choice, flag, password (typed twice)."""

    name: str
    label: str
    kind: str = "text"
    value: Any = None
    choices: tuple[tuple[str, Any], ...] = ()
    placeholder: str = ""
    fixed: bool = False  # shown, not changeable (a coupon's code once printed on flyers)

    def shown(self) -> Any:
        """The initial state of the widget: text for inputs, the value for a choice or flag."""
        if self.kind in ("choice", "flag"):
            return self.value
        if self.value is None or self.kind == "password":
            return ""
        if isinstance(self.value, datetime):
            # "when" fields are coupons' validity: chain-wide, on the chain's clock.
            return f"{to_local(self.value, None):{WHEN_FORMAT}}"
        if isinstance(self.value, Decimal):
            return f"{self.value.normalize():f}"
        return str(self.value)

    def parse(self, raw: Any) -> Any:
        """The value to hand to the service (FormRefusal when it cannot be handed over)."""
        if self.kind in ("choice", "flag"):
            return None if raw is Select.NULL else raw
        text = str(raw).strip()
        if self.kind in ("text", "long", "password"):
            return str(raw) if self.kind == "password" else text
        if not text:
            return None
        if self.kind == "int":
            try:
                return int(text)
            except ValueError:
                return text  # the service says what it wants instead
        if self.kind == "money":
            try:
                return parse_optional_amount(text, self.label.removesuffix(" ₹").strip())
            except InvalidAmount as exc:
                raise FormRefusal(str(exc)) from None
        if self.kind == "when":
            try:
                return to_utc(datetime.fromisoformat(text).replace(tzinfo=None), None)
            except ValueError:
                raise FormRefusal(f"{self.label}: {text[:30]!r} is not a date and time "
                                  "(e.g. 2026-12-31 or 2026-12-31 18:00)") from None
        return text


class FormScreen(ModalScreen[Any]):
    """A form over the desk: F10 (or ctrl+s) hands the values to ``save`` on a worker thread
    and closes with its result; a refusal stays in the form. With ``changes_only`` (editing),
    only the fields that differ from their initial values are handed over."""

    BINDINGS = [
        Binding("f10,ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, fields: Iterable[Field], save: Callable[[dict], Any], *,
                 changes_only: bool = False, note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = tuple(fields)
        self.save_fn = save
        self.changes_only = changes_only
        self.note = note
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="admin-form", classes="admin-form"):
            yield Static(self.title_text, id="form-title")
            with VerticalScroll(id="form-fields"):
                for field in self.fields:
                    yield from self._row(field)
            yield Static(id="form-status")
            yield Static("F10 or ctrl+s: save · escape: cancel"
                         + (f" · {self.note}" if self.note else ""), id="form-keys")
        yield Footer()

    def _row(self, field: Field) -> ComposeResult:
        with Horizontal(classes=f"form-field form-{field.kind}"):
            yield Label(field.label, classes="form-label")
            yield self._widget(field, f"field-{field.name}")
        if field.kind == "money":  # what the money parser refuses is said under the field
            yield Static(id=f"field-{field.name}-refusal", classes="field-refusal")
        if field.kind == "password":
            with Horizontal(classes="form-field form-password"):
                yield Label("…once more", classes="form-label")
                yield Input(password=True, placeholder="the same again", compact=True,
                            id=f"field-{field.name}-again")

    def _widget(self, field: Field, widget_id: str) -> Widget:
        shown = field.shown()
        if field.kind == "choice":
            choices = list(field.choices)
            if shown is not None and all(value != shown for _, value in choices):
                choices.append((str(shown), shown))  # an old value the list no longer has
            return Select(choices, value=Select.NULL if shown is None else shown,
                          allow_blank=shown is None, compact=True, id=widget_id,
                          disabled=field.fixed)
        if field.kind == "flag":
            return Checkbox("yes", value=bool(shown), compact=True, id=widget_id,
                            disabled=field.fixed)
        if field.kind == "long":
            return TextArea(shown, compact=True, soft_wrap=True, show_line_numbers=False,
                            id=widget_id, disabled=field.fixed)
        return Input(shown, placeholder=field.placeholder, password=field.kind == "password",
                     compact=True, id=widget_id, disabled=field.fixed)

    def on_mount(self) -> None:
        first = next((f for f in self.fields if not f.fixed), None)
        if first is not None:
            self.query_one(f"#field-{first.name}").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        field = next((f for f in self.fields if f.kind == "money"
                      and event.input.id == f"field-{f.name}"), None)
        if field is not None:
            self._check_money(field)

    def _check_money(self, field: Field) -> bool:
        """Say under a money field what is wrong with it (nothing when it reads)."""
        line = self.query_one(f"#field-{field.name}-refusal", Static)
        try:
            field.parse(self.raw(field))
        except FormRefusal as exc:
            line.update(f"✗ {exc}")
            line.display = True
            return False
        line.update("")
        line.display = False
        return True

    # --- reading the widgets ------------------------------------------------------------------

    def raw(self, field: Field) -> Any:
        widget = self.query_one(f"#field-{field.name}")
        if isinstance(widget, TextArea):
            return widget.text
        return widget.value

    def _changed(self, field: Field) -> bool:
        raw = self.raw(field)
        shown = field.shown()
        if field.kind in ("text", "long", "int", "amount", "money", "when"):
            return str(raw).strip() != str(shown).strip()
        return raw != shown

    def values(self) -> dict[str, Any]:
        """The values to save (FormRefusal naming the first one that cannot be handed over)."""
        values = {}
        for field in self.fields:
            if field.fixed or (self.changes_only and not self._changed(field)):
                continue
            if field.kind == "password":
                again = self.query_one(f"#field-{field.name}-again", Input).value
                if again != self.raw(field):
                    self.clear_passwords()
                    raise FormRefusal("The two passwords differ; type the password twice")
            values[field.name] = field.parse(self.raw(field))
        return values

    def clear_passwords(self) -> None:
        for field in self.fields:
            if field.kind == "password":
                for widget_id in (f"field-{field.name}", f"field-{field.name}-again"):
                    self.query_one(f"#{widget_id}", Input).value = ""
        first = next((f for f in self.fields if f.kind == "password"), None)
        if first is not None:
            self.query_one(f"#field-{first.name}").focus()

    # --- saving -------------------------------------------------------------------------------

    def status(self, text: str, *, refused: bool = False) -> None:
        line = self.query_one("#form-status", Static)
        line.update(text)
        line.set_class(refused, "-refused")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves on to the next field; on the last one it saves."""
        event.stop()
        editable = [w for w in self.query("#form-fields Input, #form-fields Select, "
                                          "#form-fields Checkbox, #form-fields TextArea")
                    if not w.disabled]
        if editable and event.input is editable[-1]:
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        if self.busy:
            return
        bad = [f for f in self.fields if f.kind == "money" and not f.fixed
               and not self._check_money(f)]
        if bad:
            self.status(f"{bad[0].label}: see under the field", refused=True)
            self.query_one(f"#field-{bad[0].name}").focus()
            return
        try:
            values = self.values()
        except FormRefusal as exc:
            self.status(str(exc), refused=True)
            return
        if self.changes_only and not values:
            self.status("Nothing changed; escape closes the form")
            return
        self.busy = True
        self.status("Saving…")
        run_service(self, self.save_fn, values, done=self._saved, failed=self._refused,
                    group="admin-save")

    def _saved(self, result: Any) -> None:
        self.busy = False
        self.clear_passwords()  # a password never stays on the screen
        self.dismiss(result)

    def _refused(self, exc: BaseException) -> None:
        self.busy = False
        self.status(explain(exc, self), refused=True)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AdminPane(TypingAware, Vertical):
    """A table of one kind of row, with ``n`` new and ``e``/enter edit; subclasses give the
    columns, ``fetch`` (run on a worker thread), ``cells``, ``key`` and the forms."""

    BINDINGS = [
        Binding("n", "new", "New"),
        Binding("e", "edit", "Edit", key_display="e/⏎"),
    ]
    TYPED_ACTIONS = frozenset({"new", "edit", "toggle_active", "role", "password"})
    COLUMNS: tuple[str, ...] = ()
    NOUN = "row"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.items: list = []

    @property
    def table_id(self) -> str:
        return f"{self.id}-table"

    def compose(self) -> ComposeResult:
        table = DataTable(id=self.table_id, cursor_type="row", zebra_stripes=True,
                          classes="admin-table")
        yield table
        yield MoreColumns(table)
        yield Static(id=f"{self.id}-summary", classes="pane-summary")

    @property
    def table(self) -> DataTable:
        return self.query_one(f"#{self.table_id}", DataTable)

    def on_mount(self) -> None:
        self.table.add_columns(*self.COLUMNS)
        self.load()

    def on_show(self) -> None:
        """Coming into view (its tab chosen), the list takes the keys (n, e, ...); shift+tab
        goes back to the tabs."""
        self.table.focus()

    # --- what subclasses fill in --------------------------------------------------------------

    def fetch(self) -> list:
        raise NotImplementedError

    def cells(self, item) -> tuple:
        raise NotImplementedError

    def key(self, item) -> str:
        raise NotImplementedError

    def summary(self, items: list) -> str:
        return f"{len(items)} {self.NOUN}s" if items else f"No {self.NOUN}s yet; n adds one"

    # --- the list -----------------------------------------------------------------------------

    def load(self, keep: str | None = None) -> None:
        run_service(self, self.fetch, done=lambda items: self.show_items(items, keep),
                    group=f"{self.id}-load", exclusive=True)

    def show_items(self, items: list, keep: str | None = None) -> None:
        table = self.table
        keep = keep if keep is not None else self.current_key()
        self.items = list(items)
        table.clear()
        for item in self.items:
            table.add_row(*self.cells(item), key=self.key(item))
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        self.query_one(f"#{self.id}-summary", Static).update(self.summary(self.items))

    def current_key(self) -> str | None:
        table = self.table
        if not self.items or not 0 <= table.cursor_row < table.row_count:
            return None
        return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value

    def current(self):
        key = self.current_key()
        return next((item for item in self.items if self.key(item) == key), None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    # --- changing rows ------------------------------------------------------------------------

    @property
    def by(self):
        """The signed-in operator every change is made as (the desk needs one to open)."""
        return self.app.operator

    def open_form(self, form: FormScreen, message: Callable[[Any], str]) -> None:
        """Push ``form``; once it saved, say ``message(result)`` and show the saved row."""

        def closed(result: Any) -> None:
            if result is not None:
                self.saved(result, message(result))

        self.app.push_screen(form, closed)

    def saved(self, result: Any, message: str) -> None:
        self.app.notify(message)
        self.load(keep=self.key(result))

    def change(self, fn: Callable[..., Any], *args: Any, message: Callable[[Any], str],
               **kwargs: Any) -> None:
        """A one-key change (enable, disable) without a form; a refusal is a notice."""
        run_service(self, fn, *args, by=self.by, done=lambda r: self.saved(r, message(r)),
                    group="admin-save", **kwargs)

    def chosen(self):
        """The highlighted row, or a notice that there is none."""
        item = self.current()
        if item is None:
            self.app.notify(f"Choose a {self.NOUN} first", severity="warning")
        return item

    def action_new(self) -> None:
        raise NotImplementedError

    def action_edit(self) -> None:
        raise NotImplementedError
