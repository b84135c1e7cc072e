"""Dashboard accounts in the store's metadata space: roles, scopes, argon2 password hashes.

An account has a name, a role (``viewer`` < ``auditor`` < ``admin``, see
``graph.vocabulary.ACCOUNT_ROLES``), a scope (a unit code: the account sees that unit's
subtree only; an admin may have none, meaning the whole graph) and a password hashed
with argon2id (``argon2-cffi``, memory-hard).  The hash never leaves this module: the
:class:`Account` handed to callers carries none.  ``epoch`` grows with every password
change or disabling, so a dashboard session opened before it ends at its next page run.

There is no default account: with none defined the dashboard serves one person on
127.0.0.1 only (``redgov dashboard`` refuses other addresses).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..graph.cypher import cypher
from ..graph.stores.base import Store
from ..graph.vocabulary import ACCOUNT_ROLES

__all__ = [
    "MIN_PASSWORD",
    "Account",
    "AccountError",
    "accounts_exist",
    "check_password_policy",
    "create",
    "get",
    "list_accounts",
    "remove",
    "set_disabled",
    "set_password",
    "touch_login",
    "verify_password",
]

#: The password policy: at least this many characters, not all of one kind, not the name.
MIN_PASSWORD = 12
_NAME = re.compile(r"^[\w.@-]{2,64}$")
_HASHER = PasswordHasher()  # argon2id, 64 MiB, t=3, p=4: the library's RFC 9106 profile
# Verified against when the name is unknown, so an unknown name costs what a known one does.
_DUMMY_HASH = _HASHER.hash("redgov-no-such-account")

_COUNT = cypher("access.accounts.count", "MATCH (a:Account) RETURN count(a) AS n")
_GET = cypher(
    "access.accounts.get",
    """
MATCH (a:Account {name: $name})
RETURN a.name AS name, a.role AS role, a.scope AS scope,
       coalesce(a.disabled, false) AS disabled, a.created_at AS created_at,
       a.updated_at AS updated_at, coalesce(a.epoch, 0) AS epoch, a.last_login AS last_login,
       a.hash AS hash
""",
)
_LIST = cypher(
    "access.accounts.list",
    """
MATCH (a:Account)
RETURN a.name AS name, a.role AS role, a.scope AS scope,
       coalesce(a.disabled, false) AS disabled, a.created_at AS created_at,
       a.updated_at AS updated_at, coalesce(a.epoch, 0) AS epoch, a.last_login AS last_login
ORDER BY name
""",
)
# One MERGE: the existence check and the creation are atomic together (and the unique
# constraint on Account.name backs it up).  A fresh argon2 hash has a random salt, so the
# stored hash equals the one sent only when this query created the account.
_CREATE = cypher(
    "access.accounts.create",
    """
MERGE (a:Account {name: $name})
ON CREATE SET a += $props
RETURN a.hash = $hash AS created
""",
)
_SET_HASH = cypher(
    "access.accounts.set_hash",
    """
MATCH (a:Account {name: $name})
SET a.hash = $hash, a.epoch = coalesce(a.epoch, 0) + 1, a.updated_at = $now
RETURN a.name AS name
""",
)
_SET_DISABLED = cypher(
    "access.accounts.set_disabled",
    """
MATCH (a:Account {name: $name})
SET a.disabled = $disabled, a.epoch = coalesce(a.epoch, 0) + 1, a.updated_at = $now
RETURN a.name AS name
""",
)
_REMOVE = cypher(
    "access.accounts.remove",
    """
MATCH (a:Account {name: $name})
WITH a, a.name AS name
DELETE a
RETURN name
""",
)
_TOUCH = cypher(
    "access.accounts.touch",
    "MATCH (a:Account {name: $name}) SET a.last_login = $now RETURN a.name AS name",
)


class AccountError(ValueError):
    """A refused account operation; the message is safe to show (never a password)."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    scope: str | None  # a unit code; None = the whole graph (admins only)
    disabled: bool = False
    created_at: str | None = None
    updated_at: str | None = None
    epoch: int = 0
    last_login: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def at_least(self, role: str) -> bool:
        """``viewer`` < ``auditor`` < ``admin``.

        >>> auditor, viewer = Account("a", "auditor", "S1"), Account("b", "viewer", "S1")
        >>> auditor.at_least("viewer"), viewer.at_least("auditor")
        (True, False)
        """
        return ACCOUNT_ROLES.index(self.role) >= ACCOUNT_ROLES.index(role)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _account(row: dict[str, Any]) -> Account:
    return Account(**{k: row.get(k) for k in Account.__dataclass_fields__})


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise AccountError(
            f"account name {name!r}: 2–64 letters, digits, '_', '.', '@' or '-'")
    return name


def check_password_policy(name: str, password: str) -> None:
    """Refuse short or trivial passwords (the message says which rule failed).

    >>> check_password_policy("li", "correct horse battery")
    >>> check_password_policy("li", "short")
    Traceback (most recent call last):
    ...
    redgov.access.accounts.AccountError: the password needs at least 12 characters
    """
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if len(set(password)) < 4:
        raise AccountError("the password needs at least 4 different characters")
    if name.lower() in password.lower():
        raise AccountError("the password must not contain the account name")


def accounts_exist(store: Store) -> bool:
    rows = store.read_meta(_COUNT)
    return bool(rows and int(rows[0]["n"]))


def get(store: Store, name: str) -> Account | None:
    rows = store.read_meta(_GET, {"name": name})
    return _account(rows[0]) if rows else None


def list_accounts(store: Store) -> list[Account]:
    return [_account(r) for r in store.read_meta(_LIST)]


def create(store: Store, name: str, password: str, role: str, scope: str | None) -> Account:
    """Create an account; the caller has checked that ``scope`` is a unit of the graph."""
    check_name(name)
    if role not in ACCOUNT_ROLES:
        raise AccountError(f"role {role!r}: one of {', '.join(ACCOUNT_ROLES)}")
    if scope is None and role != "admin":
        raise AccountError(f"a {role} needs a scope (a unit code): only an admin may see all")
    check_password_policy(name, password)
    now = _now()
    props: dict[str, Any] = {"name": name, "role": role, "hash": _HASHER.hash(password),
                             "disabled": False, "created_at": now, "updated_at": now,
                             "epoch": 1}
    if scope is not None:  # never send a null in a `SET +=` map (docs/engine-notes.md)
        props["scope"] = scope
    rows = store.write_meta(_CREATE, {"name": name, "props": props, "hash": props["hash"]})
    if not rows or not rows[0]["created"]:
        raise AccountError(f"an account named {name!r} already exists")
    account = get(store, name)
    assert account is not None
    return account


def set_password(store: Store, name: str, password: str) -> None:
    check_password_policy(name, password)
    if not store.write_meta(_SET_HASH, {"name": name, "hash": _HASHER.hash(password),
                                        "now": _now()}):
        raise AccountError(f"no account named {name!r}")


def set_disabled(store: Store, name: str, disabled: bool) -> None:
    if not store.write_meta(_SET_DISABLED, {"name": name, "disabled": disabled, "now": _now()}):
        raise AccountError(f"no account named {name!r}")


def remove(store: Store, name: str) -> None:
    if not store.write_meta(_REMOVE, {"name": name}):
        raise AccountError(f"no account named {name!r}")


def touch_login(store: Store, name: str) -> None:
    store.write_meta(_TOUCH, {"name": name, "now": _now()})


def verify_password(store: Store, name: str, password: str) -> Account | None:
    """The account when the password is right and it is enabled, else None.

    Unknown names cost one argon2 verification too, so timing does not tell which
    names exist; a disabled account answers exactly like a wrong password.
    """
    rows = store.read_meta(_GET, {"name": name})
    stored = rows[0].get("hash") if rows else None
    try:
        _HASHER.verify(stored or _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not rows or rows[0].get("disabled"):
        return None
    if _HASHER.check_needs_rehash(stored):
        store.write_meta(_SET_HASH, {"name": name, "hash": _HASHER.hash(password),
                                     "now": _now()})
        return get(store, name)
    return _account(rows[0])
