"""Operators: who is at the counter, what their role lets them do, and logging in.

Roles are enforced here, in the service layer, not only by hiding keys in the UI: a cashier's
call of a manager action raises ``NotAuthorized`` whatever the caller, and so does a call that
names nobody (``None``): scripts and the command line act as ``bmstui.administrator()``. Five failed logins lock
an operator for five minutes by the database clock; every login success and failure is written
to the audit trail in the same transaction as the counter it changes, and so is every change a
manager makes to an operator (kind "operator"). Nobody can disable or demote themselves, and
the last active manager stays one, so the chain can never lock itself out of management.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bmstui.domain.actors import Administrator, OnlineChannel
from bmstui.domain.errors import BookingError, LoginFailed, NotAuthorized, NotFound, shown
from bmstui.domain.ids import parse_id
from bmstui.domain.passwords import hash_password, verify_password
from bmstui.domain.text import clean_text
from bmstui.domain.vocabulary import Role
from bmstui.services import audit
from bmstui.store.db import database, db_now, is_mysql, now_sql, parse_db_datetime, transaction
from bmstui.store.models import ROLES, Operator

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
        return self.role == Role.MANAGER


def _info(row: Operator) -> OperatorInfo:
    return OperatorInfo(row.id, row.name, row.role, bool(row.active))


def _find(operator) -> Operator | None:
    """An Operator row from an OperatorInfo, a row, an id or a name."""
    if isinstance(operator, Administrator | OnlineChannel) or operator is None:
        return None
    if isinstance(operator, OperatorInfo | Operator):
        operator = operator.id
    if isinstance(operator, int) and not isinstance(operator, bool):
        try:
            operator = parse_id(operator, "operator")
        except NotFound:
            return None
        with database.connection_context():
            return Operator.get_or_none(Operator.id == operator)
    with database.connection_context():
        return Operator.get_or_none(Operator.name == clean_text(operator).strip())


def operator_id_of(operator) -> int | None:
    """The operator id a hold or sale records: from an operator's row or info (trusted, no
    query), an id or a name (looked up like every operator lookup, by ``_find``); None for
    nobody, the administrator, or an unknown id or name."""
    if operator is None or isinstance(operator, bool | Administrator | OnlineChannel):
        return None
    if isinstance(operator, OperatorInfo | Operator):
        return operator.id
    row = _find(operator)
    return row.id if row else None


def get(operator) -> OperatorInfo:
    row = _find(operator)
    if row is None:
        raise BookingError(f"No such operator: {str(operator)[:60]!r}")
    return _info(row)


def operators() -> list[OperatorInfo]:
    with database.connection_context():
        return [_info(row) for row in Operator.select().order_by(Operator.name)]


def _acting(operator, action: str) -> tuple[int | Administrator | OnlineChannel,
                                            Operator | None]:
    """(what the audit row records, the operator's row or None for the administrator and for
    an online channel)."""
    if operator is None:
        raise NotAuthorized(action, None)
    if isinstance(operator, Administrator | OnlineChannel):
        return operator, None
    row = _find(operator)
    if row is None or not row.active:
        raise NotAuthorized(action, "signed-out operator")
    return row.id, row


def require_actor(operator, action: str) -> int | Administrator:
    """Raise NotAuthorized unless someone is named: an active operator (any role) or the
    administrator. Returns what the audit row records: the operator's id, or the administrator.
    ``None`` is nobody, never "a script": scripts say ``bmstui.administrator()``."""
    return _acting(operator, action)[0]


def require_manager(operator, action: str) -> int | Administrator:
    """Raise NotAuthorized unless ``operator`` is an active manager or the administrator;
    returns what their audit rows carry (see ``require_actor``)."""
    actor, row = _acting(operator, action)
    if isinstance(actor, OnlineChannel):  # no row, and no manager right either
        raise NotAuthorized(action, actor.role)
    if row is not None and row.role != Role.MANAGER:
        raise NotAuthorized(action, row.role)
    return actor


def operator_fk(actor) -> int | None:
    """The operator row id a money row (payment, refund) carries for ``actor``: None for the
    administrator and for scripts, whose name is in the audit row instead."""
    return None if actor is None or isinstance(actor, Administrator | OnlineChannel) else actor


def _check_password(password: str) -> str:
    if len(str(password)) < MIN_PASSWORD:
        raise BookingError(f"A password needs at least {MIN_PASSWORD} characters")
    return hash_password(str(password))


def add(name: str, password: str, *, role: str = Role.CASHIER, by=None) -> OperatorInfo:
    """A new operator with a scrypt-hashed password (``by``: the manager adding them)."""
    actor = require_manager(by, "adding an operator")
    name = str(name).strip()
    if not name or len(name) > 60 or not name.replace(".", "").replace("-", "").replace(
            "_", "").isalnum():
        raise BookingError(f"An operator name is letters and digits (. - _ allowed), "
                           f"not {name[:60]!r}")
    if role not in ROLES:
        raise BookingError(f"A role is {' or '.join(ROLES)}, not {shown(role, 20, quoted=True)}")
    hashed = _check_password(password)

    def attempt() -> OperatorInfo:
        if Operator.select().where(Operator.name == name).exists():
            raise BookingError(f"Operator {name} exists already")
        Operator.insert(name=name, role=role, password_hash=hashed, created_at=now_sql()
                        ).execute()
        made = _info(Operator.get(Operator.name == name))
        audit.record("operator", operator_id=actor, detail=f"added {name} as {role}")
        return made

    return transaction(attempt)


def _locked_row(name_or_id) -> Operator:
    """The target row, locked on MariaDB until the change commits (SQLite's writer lock is
    already exclusive), so two managers changing one operator queue instead of racing."""
    key = name_or_id.id if isinstance(name_or_id, OperatorInfo | Operator) else name_or_id
    if isinstance(key, int) and not isinstance(key, bool):
        try:  # beyond 2^63-1 no row, and SQLite cannot even compare
            key = parse_id(key, "operator")
        except NotFound:
            key = 0
        query = Operator.select().where(Operator.id == key)
    else:
        query = Operator.select().where(Operator.name == clean_text(key).strip())
    row = (query.for_update() if is_mysql() else query).first()
    if row is None:
        raise BookingError(f"No such operator: {str(key)[:60]!r}")
    return row


def _keep_a_manager(row: Operator) -> None:
    """Refuse to take away the last active manager: nobody could manage the chain any more.
    The managers' rows are locked, so two managers demoting each other cannot both succeed."""
    query = Operator.select(Operator.id).where((Operator.role == Role.MANAGER)
                                               & (Operator.active == True))
    others = [id_ for (id_,) in (query.for_update() if is_mysql() else query).tuples()
              if id_ != row.id]
    if not others:
        raise BookingError(f"{row.name} is the last active manager; make someone else a "
                           "manager first")


def _change(name_or_id, by, action: str, apply) -> OperatorInfo:
    """Run ``apply(row, actor_id)`` on the locked target in one transaction with its audit row;
    ``apply`` returns the audit detail, or None when nothing changed (no row written)."""
    actor = require_manager(by, action)

    def attempt() -> OperatorInfo:
        row = _locked_row(name_or_id)
        detail = apply(row, actor)
        if detail is not None:
            audit.record("operator", operator_id=actor, detail=detail)
        return _info(Operator.get_by_id(row.id))

    return transaction(attempt)


def set_active(name_or_id, active: bool, *, by) -> OperatorInfo:
    """Enable or disable an operator; a disabled one cannot sign in, and loses manager powers
    at once (every manager action re-reads the row). Nobody disables their own account."""
    active = bool(active)

    def apply(row: Operator, actor) -> str | None:
        if row.active == active:
            return None
        if not active:
            if row.id == actor:
                raise BookingError("You cannot disable your own account")
            if row.role == Role.MANAGER:
                _keep_a_manager(row)
        Operator.update(active=active).where(Operator.id == row.id).execute()
        return f"{'enabled' if active else 'disabled'} {row.name}"

    return _change(name_or_id, by, "enabling or disabling an operator", apply)


def set_role(name_or_id, role: str, *, by) -> OperatorInfo:
    """Make an operator a cashier or a manager. A manager cannot demote themselves."""
    if role not in ROLES:
        raise BookingError(f"A role is {' or '.join(ROLES)}, not {shown(role, 20, quoted=True)}")

    def apply(row: Operator, actor) -> str | None:
        if row.role == role:
            return None
        if role != Role.MANAGER:
            if row.id == actor:
                raise BookingError("You cannot remove your own manager role")
            if row.active:
                _keep_a_manager(row)
        Operator.update(role=role).where(Operator.id == row.id).execute()
        return f"{row.name}: role {row.role} -> {role}"

    return _change(name_or_id, by, "changing an operator's role", apply)


def reset_password(name_or_id, password: str, *, by) -> OperatorInfo:
    """Set a new password (never written to the audit trail) and lift a lockout, so a clerk
    locked out by five wrong tries is back at the counter at once."""
    require_manager(by, "resetting a password")
    hashed = _check_password(password)  # scrypt outside the transaction: it is slow on purpose

    def apply(row: Operator, actor) -> str:
        Operator.update(password_hash=hashed, failed_logins=0, locked_until=None).where(
            Operator.id == row.id).execute()
        return f"password reset for {row.name}"

    return _change(name_or_id, by, "resetting a password", apply)


def _locked_text(name: str, until: datetime, now: datetime) -> str:
    minutes = max(1, round((until - now).total_seconds() / 60))
    return (f"Operator {name} is locked for {minutes} more minute{'s' if minutes > 1 else ''} "
            f"after {MAX_FAILED_LOGINS} failed logins")


def login(name: str, password: str) -> OperatorInfo:
    """The operator, if the password is right and they are neither locked nor disabled."""
    name = clean_text(name).strip()[:60]
    if len(str(password)) < MIN_PASSWORD:
        # No password is this short, so it is no guess: a key or two typed into the wrong
        # field (a locked counter's) must not count towards anyone's lock-out.
        raise LoginFailed(f"A password has at least {MIN_PASSWORD} characters; "
                          "this was not counted as a try")
    row = _find(name) if name else None
    # Verify outside the transaction: scrypt is slow on purpose, and holds no lock meanwhile.
    right = row is not None and verify_password(str(password), row.password_hash)

    def attempt() -> OperatorInfo | str:
        if row is None:
            # Not the name itself: a name typed into the wrong field is often a password.
            audit.record("login_failed", operator_id=None,
                         detail=f"unknown operator name ({len(name)} characters)")
            return "Wrong operator name or password"
        query = Operator.select().where(Operator.id == row.id)
        current = (query.for_update() if is_mysql() else query).get()
        now = db_now()
        until = current.locked_until and parse_db_datetime(current.locked_until)
        if until and until > now:
            audit.record("login_failed", operator_id=current.id, detail="locked")
            return _locked_text(current.name, until, now)
        if not current.active:
            audit.record("login_failed", operator_id=current.id, detail="disabled")
            return f"Operator {current.name} is disabled; ask a manager"
        if right:
            Operator.update(failed_logins=0, locked_until=None).where(
                Operator.id == current.id).execute()
            audit.record("login", operator_id=current.id, detail=current.role)
            return _info(current)
        failed = current.failed_logins + 1
        locked = now + timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED_LOGINS else None
        Operator.update(failed_logins=0 if locked else failed, locked_until=locked).where(
            Operator.id == current.id).execute()
        audit.record("login_failed", operator_id=current.id, detail=f"wrong password ({failed})")
        if locked:
            return _locked_text(current.name, locked, now)
        left = MAX_FAILED_LOGINS - failed
        return f"Wrong operator name or password ({left} tr{'y' if left == 1 else 'ies'} left)"

    outcome = transaction(attempt)
    if isinstance(outcome, str):  # refusals still commit their audit row and counter
        raise LoginFailed(outcome)
    return outcome
