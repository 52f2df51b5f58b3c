"""Operators: who is at the counter, what their role lets them do, and logging in.

Roles are enforced here, in the service layer, not only by hiding keys in the UI: a cashier's
call of a manager action raises ``NotAuthorized`` whatever the caller. Five failed logins lock
an operator for five minutes by the database clock; every login success and failure is written
to the audit trail in the same transaction as the counter it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bmstui.config import get_settings
from bmstui.db import database, db_now, is_mysql, now_sql, parse_db_datetime, transaction
from bmstui.errors import BookingError, LoginFailed, NotAuthorized
from bmstui.models import ROLES, AuditEvent, Operator
from bmstui.passwords import hash_password, verify_password

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 5
MIN_PASSWORD = 8


@dataclass(frozen=True)
class OperatorInfo:
    id: int
    name: str
    role: str  # cashier | manager
    active: bool

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


def _info(row: Operator) -> OperatorInfo:
    return OperatorInfo(row.id, row.name, row.role, bool(row.active))


def _find(operator) -> Operator | None:
    """An Operator row from an OperatorInfo, a row, an id or a name."""
    if isinstance(operator, OperatorInfo | Operator):
        operator = operator.id
    with database.connection_context():
        if isinstance(operator, int) and not isinstance(operator, bool):
            return Operator.get_or_none(Operator.id == operator)
        return Operator.get_or_none(Operator.name == str(operator).strip())


def get(operator) -> OperatorInfo:
    row = _find(operator)
    if row is None:
        raise BookingError(f"No such operator: {str(operator)[:60]!r}")
    return _info(row)


def operators() -> list[OperatorInfo]:
    with database.connection_context():
        return [_info(row) for row in Operator.select().order_by(Operator.name)]


def require_manager(operator, action: str) -> None:
    """Raise NotAuthorized unless ``operator`` is an active manager. ``None`` is a script run by
    whoever administers the database (the command line and the API without a login): allowed."""
    if operator is None:
        return
    row = _find(operator)
    if row is None or not row.active:
        raise NotAuthorized(action, "signed-out operator")
    if row.role != "manager":
        raise NotAuthorized(action, row.role)


def add(name: str, password: str, *, role: str = "cashier", by=None) -> OperatorInfo:
    """A new operator with a scrypt-hashed password (``by``: the manager adding them)."""
    require_manager(by, "adding an operator")
    name = str(name).strip()
    if not name or len(name) > 60 or not name.replace(".", "").replace("-", "").replace(
            "_", "").isalnum():
        raise BookingError(f"An operator name is letters and digits (. - _ allowed), "
                           f"not {name[:60]!r}")
    if role not in ROLES:
        raise BookingError(f"A role is {' or '.join(ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD:
        raise BookingError(f"A password needs at least {MIN_PASSWORD} characters")
    hashed = hash_password(password)

    def attempt() -> OperatorInfo:
        if Operator.select().where(Operator.name == name).exists():
            raise BookingError(f"Operator {name} exists already")
        Operator.insert(name=name, role=role, password_hash=hashed, created_at=now_sql()
                        ).execute()
        return _info(Operator.get(Operator.name == name))

    return transaction(attempt)


def _audit(kind: str, operator_id: int | None, detail: str) -> None:
    AuditEvent.insert(at=now_sql(), kind=kind, operator=operator_id,
                      terminal=get_settings().terminal, detail=detail[:2000]).execute()


def _locked_text(name: str, until: datetime, now: datetime) -> str:
    minutes = max(1, round((until - now).total_seconds() / 60))
    return (f"Operator {name} is locked for {minutes} more minute{'s' if minutes > 1 else ''} "
            f"after {MAX_FAILED_LOGINS} failed logins")


def login(name: str, password: str) -> OperatorInfo:
    """The operator, if the password is right and they are neither locked nor disabled."""
    name = str(name).strip()[:60]
    row = _find(name) if name else None
    # Verify outside the transaction: scrypt is slow on purpose, and holds no lock meanwhile.
    right = row is not None and verify_password(str(password), row.password_hash)

    def attempt() -> OperatorInfo | str:
        if row is None:
            _audit("login_failed", None, f"unknown operator {name!r}")
            return "Wrong operator name or password"
        query = Operator.select().where(Operator.id == row.id)
        current = (query.for_update() if is_mysql() else query).get()
        now = db_now()
        until = current.locked_until and parse_db_datetime(current.locked_until)
        if until and until > now:
            _audit("login_failed", current.id, "locked")
            return _locked_text(current.name, until, now)
        if not current.active:
            _audit("login_failed", current.id, "disabled")
            return f"Operator {current.name} is disabled; ask a manager"
        if right:
            Operator.update(failed_logins=0, locked_until=None).where(
                Operator.id == current.id).execute()
            _audit("login", current.id, current.role)
            return _info(current)
        failed = current.failed_logins + 1
        locked = now + timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED_LOGINS else None
        Operator.update(failed_logins=0 if locked else failed, locked_until=locked).where(
            Operator.id == current.id).execute()
        _audit("login_failed", current.id, f"wrong password ({failed})")
        if locked:
            return _locked_text(current.name, locked, now)
        left = MAX_FAILED_LOGINS - failed
        return f"Wrong operator name or password ({left} tr{'y' if left == 1 else 'ies'} left)"

    outcome = transaction(attempt)
    if isinstance(outcome, str):  # refusals still commit their audit row and counter
        raise LoginFailed(outcome)
    return outcome
