"""Operators on the manager's desk: add one, change a role, disable, reset a password.

The service keeps the chain manageable (nobody disables or demotes themselves, the last active
manager stays one) and says so when it refuses. Passwords are typed twice and never stay on the
screen once saved.
"""

from __future__ import annotations

from textual.binding import Binding

from bmstui.domain.vocabulary import ROLES
from bmstui.services import operators
from bmstui.services.operators import OperatorInfo
from screens.widgets.admin_form import AdminPane, Field, FormScreen

ROLE_CHOICES = tuple((role, role) for role in ROLES)


def _password() -> Field:
    return Field("password", "Password", "password",
                 placeholder=f"at least {operators.MIN_PASSWORD} characters")


class OperatorsPane(AdminPane):
    BINDINGS = [
        Binding("d", "toggle_active", "Disable/enable"),
        Binding("r", "role", "Role"),
        Binding("p", "password", "Password"),
    ]
    COLUMNS = ("Name", "Role", "Status")
    NOUN = "operator"

    def fetch(self) -> list[OperatorInfo]:
        return operators.operators()

    def key(self, operator: OperatorInfo) -> str:
        return operator.name

    def cells(self, operator: OperatorInfo) -> tuple:
        me = self.by is not None and self.by.id == operator.id
        return (operator.name + (" (you)" if me else ""), operator.role,
                "active" if operator.active else "disabled")

    def summary(self, items: list[OperatorInfo]) -> str:
        if not items:
            return super().summary(items)
        managers = sum(1 for o in items if o.active and o.is_manager)
        off = sum(1 for o in items if not o.active)
        return (f"{len(items)} operators · {managers} active "
                f"manager{'' if managers == 1 else 's'} · {off} disabled")

    def action_new(self) -> None:
        by = self.by

        def save(values: dict) -> OperatorInfo:
            return operators.add(values["name"], values["password"], role=values["role"],
                                 by=by)

        fields = [Field("name", "Name", placeholder="letters, digits, . - _"),
                  Field("role", "Role", "choice", value="cashier", choices=ROLE_CHOICES),
                  _password()]
        self.open_form(FormScreen("New operator", fields, save),
                       lambda o: f"Saved operator {o.name} ({o.role}); they can sign in now")

    def action_edit(self) -> None:
        operator = self.chosen()
        if operator is None:
            return
        by = self.by

        def save(values: dict) -> OperatorInfo:
            saved = operator
            if "role" in values:
                saved = operators.set_role(operator.id, values["role"], by=by)
            if "active" in values:
                saved = operators.set_active(operator.id, values["active"], by=by)
            return saved

        fields = [Field("name", "Name", value=operator.name, fixed=True),
                  Field("role", "Role", "choice", value=operator.role, choices=ROLE_CHOICES),
                  Field("active", "May sign in", "flag", value=operator.active)]
        self.open_form(FormScreen(f"Operator {operator.name}", fields, save, changes_only=True),
                       lambda o: f"Saved operator {o.name}: {o.role}, "
                       + ("active" if o.active else "disabled"))

    def action_role(self) -> None:
        operator = self.chosen()
        if operator is None:
            return
        by = self.by

        def save(values: dict) -> OperatorInfo:
            return operators.set_role(operator.id, values["role"], by=by)

        fields = [Field("name", "Name", value=operator.name, fixed=True),
                  Field("role", "Role", "choice", value=operator.role, choices=ROLE_CHOICES)]
        self.open_form(FormScreen(f"Role of {operator.name}", fields, save, changes_only=True),
                       lambda o: f"Saved: {o.name} is a {o.role}")

    def action_password(self) -> None:
        operator = self.chosen()
        if operator is None:
            return
        by = self.by

        def save(values: dict) -> OperatorInfo:
            return operators.reset_password(operator.id, values["password"], by=by)

        fields = [Field("name", "Name", value=operator.name, fixed=True), _password()]
        self.open_form(FormScreen(f"New password for {operator.name}", fields, save,
                                  note="lifts a lockout"),
                       lambda o: f"Saved a new password for {o.name}")

    def action_toggle_active(self) -> None:
        operator = self.chosen()
        if operator is None:
            return
        self.change(operators.set_active, operator.id, not operator.active,
                    message=lambda o: f"Saved: {o.name} is "
                    + ("enabled and may sign in" if o.active else "disabled"))
