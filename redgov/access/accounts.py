"""Dashboard accounts in the store's metadata space: roles, scopes, argon2 password hashes.

An account has a name, a role (``viewer`` < ``auditor`` < ``admin``, see
``graph.vocabulary.ACCOUNT_ROLES``), a scope (a unit code: the account sees that unit's
subtree only; an admin may have none, meaning the whole graph) and a password hashed
with argon2id (``argon2-cffi``, memory-hard).  The hash never leaves this module: the
:class:`Account` handed to callers carries none.  ``epoch`` grows with every password
change or disabling.  ``sid`` is a random id drawn when the account is created and drawn
again on every password, role, scope or enabled/disabled change: a dashboard session is
bound to it, so a session opened before the change ends at its next page run, and an
account removed and added again under the same name never matches an old session (an
epoch restarts at 1; a random id is never reused).

Account names are checked (:func:`check_name`) before any store call: FalkorDB 4.16.3
crashes (signal 11) on a write of an empty or whitespace-edged string to a property
with a unique constraint, which both metadata labels have (docs/model.md, "Engine
notes").  At most :data:`HASHES_IN_FLIGHT` argon2 computations (64 MiB each) run at once
in a process; the others wait their turn (:data:`hashing`).

There is no default account: with none defined the dashboard serves one person on
127.0.0.1 only (``redgov dashboard`` refuses other addresses).
"""

from __future__ import annotations

import functools
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..graph.cypher import cypher
from ..graph.settings import Setting, whole
from ..graph.stores.base import Store
from ..graph.vocabulary import ACCOUNT_ROLE_ZH, ACCOUNT_ROLES

__all__ = [
    "HASHES_IN_FLIGHT",
    "MAX_NAME",
    "MIN_PASSWORD",
    "Account",
    "AccountError",
    "accounts_exist",
    "check_name",
    "check_password_policy",
    "create",
    "get",
    "list_accounts",
    "remove",
    "set_disabled",
    "set_password",
    "set_role_scope",
    "touch_login",
    "valid_name",
    "verify_password",
]

#: The password policy: at least this many characters, not all of one kind, not the name.
MIN_PASSWORD = 12
#: The longest account name.
MAX_NAME = 64
# fullmatch, never match: ``$`` also matches before a final newline ("ab\n").
_NAME = re.compile(rf"[\w.@-]{{2,{MAX_NAME}}}")
#: argon2 computations allowed at once in this process ($REDGOV_LOGIN_HASHES, default 2):
#: each takes 64 MiB, so sixteen parallel logins must not take a gigabyte.
LOGIN_HASHES = Setting("REDGOV_LOGIN_HASHES", 2, 1, 16, "argon2 computations at once")
HASHES_IN_FLIGHT = whole(LOGIN_HASHES)


class _InFlight:
    """A bounded semaphore that also counts: how many argon2 computations run now, and
    the most seen at once (the tests read :attr:`peak`)."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._sem = threading.BoundedSemaphore(bound)
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._sem:
            with self._lock:
                self.running += 1
                self.peak = max(self.peak, self.running)
            try:
                yield
            finally:
                with self._lock:
                    self.running -= 1


#: The process's argon2 slots; see :data:`HASHES_IN_FLIGHT`.
hashing = _InFlight(HASHES_IN_FLIGHT)


class _BoundedHasher:
    """The argon2 hasher, each hash and verification taking one of :data:`hashing`'s slots."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher

    def hash(self, password: str) -> str:
        with hashing.slot():
            return self._hasher.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        with hashing.slot():
            return self._hasher.verify(stored, password)

    def check_needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


_HASHER = _BoundedHasher(PasswordHasher())  # argon2id, 64 MiB, t=3, p=4: RFC 9106's profile


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so an unknown name costs what a known one
    does.  Made on first use, not at import: one argon2 hash (64 MiB, t=3) is ~0.3–1 s that
    every CLI command (``redgov status`` …) paid at start-up.  Every check asks for it first,
    known name or not, so the one-time cost does not tell names apart either."""
    return _HASHER.hash("redgov-no-such-account")


_COUNT = cypher("access.accounts.count", "MATCH (a:Account) RETURN count(a) AS n")
_GET = cypher(
    "access.accounts.get",
    """
MATCH (a:Account {name: $name})
RETURN a.name AS name, a.role AS role, a.scope AS scope,
       coalesce(a.disabled, false) AS disabled, a.created_at AS created_at,
       a.updated_at AS updated_at, coalesce(a.epoch, 0) AS epoch, a.last_login AS last_login,
       a.sid AS sid, a.hash AS hash
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
SET a.hash = $hash, a.epoch = coalesce(a.epoch, 0) + 1, a.updated_at = $now, a.sid = $sid
RETURN a.name AS name
""",
)
_SET_DISABLED = cypher(
    "access.accounts.set_disabled",
    """
MATCH (a:Account {name: $name})
SET a.disabled = $disabled, a.epoch = coalesce(a.epoch, 0) + 1, a.updated_at = $now,
    a.sid = $sid
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
# A role or scope change; the scope is removed (whole graph) with ``$scope`` null, which
# both engines treat as removing the property (a plain SET, not a ``SET +=`` map).
_SET_ROLE_SCOPE = cypher(
    "access.accounts.set_role_scope",
    """
MATCH (a:Account {name: $name})
SET a.role = $role, a.scope = $scope, a.epoch = coalesce(a.epoch, 0) + 1,
    a.updated_at = $now, a.sid = $sid
RETURN a.name AS name
""",
)
# Accounts made before session ids existed get one at their next sign-in.
_GIVE_SID = cypher(
    "access.accounts.give_sid",
    """
MATCH (a:Account {name: $name})
WHERE a.sid IS NULL
SET a.sid = $sid
RETURN a.name AS name
""",
)
_TOUCH = cypher(
    "access.accounts.touch",
    "MATCH (a:Account {name: $name}) SET a.last_login = $now RETURN a.name AS name",
)


class AccountError(ValueError):
    """A refused account operation; the message is safe to show (never a password).

    The message is Chinese when ``en`` gives its English form (:meth:`text` picks one).
    """

    def __init__(self, message: str, en: str | None = None) -> None:
        super().__init__(message)
        self.en = en

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" and self.en else str(self)


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
    #: The random id a dashboard session is bound to (never shown, never in a listing).
    sid: str | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["sid"]
        return out

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


def _new_sid() -> str:
    return secrets.token_urlsafe(18)


def check_name(name: str) -> str:
    """The name, or :class:`AccountError` (Chinese first) when it cannot be an account's.

    Called before any store call that carries a name (see the module docstring).

    >>> check_name("li.wei")
    'li.wei'
    >>> check_name("  ")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    redgov.access.accounts.AccountError: 账户名无效...
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        shown = repr(name[:MAX_NAME + 1]) if isinstance(name, str) else "?"
        raise AccountError(
            f"账户名无效（{shown}）：须为 2–{MAX_NAME} 个字母、数字或 _ . @ -，不能为空、"
            "不含空白或控制字符",
            en=f"invalid account name {shown}: 2–{MAX_NAME} letters, digits, "
            "'_', '.', '@' or '-', no spaces or control characters")
    return name


def valid_name(name: object) -> bool:
    """True when ``name`` passes :func:`check_name` (the login form's test)."""
    return isinstance(name, str) and bool(_NAME.fullmatch(name))


def check_password_policy(name: str, password: str) -> None:
    """Refuse short or trivial passwords (the message says which rule failed).

    >>> check_password_policy("li", "correct horse battery")
    >>> check_password_policy("li", "short")
    Traceback (most recent call last):
    ...
    redgov.access.accounts.AccountError: 密码至少需要 12 个字符
    """
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD} 个字符",
                           en=f"the password needs at least {MIN_PASSWORD} characters")
    if len(set(password)) < 4:
        raise AccountError("密码至少需要 4 个不同的字符",
                           en="the password needs at least 4 different characters")
    if name.lower() in password.lower():
        raise AccountError("密码不得包含账户名称",
                           en="the password must not contain the account name")


def accounts_exist(store: Store) -> bool:
    rows = store.read_meta(_COUNT)
    return bool(rows and int(rows[0]["n"]))


def get(store: Store, name: str) -> Account | None:
    if not valid_name(name):
        return None
    rows = store.read_meta(_GET, {"name": name})
    return _account(rows[0]) if rows else None


def list_accounts(store: Store) -> list[Account]:
    return [_account(r) for r in store.read_meta(_LIST)]


def create(store: Store, name: str, password: str, role: str, scope: str | None) -> Account:
    """Create an account; the caller has checked that ``scope`` is a unit of the graph."""
    check_name(name)
    if role not in ACCOUNT_ROLES:
        raise _bad_role(role)
    if scope is None and role != "admin":
        raise _needs_scope(role)
    check_password_policy(name, password)
    now = _now()
    props: dict[str, Any] = {"name": name, "role": role, "hash": _HASHER.hash(password),
                             "disabled": False, "created_at": now, "updated_at": now,
                             "epoch": 1}
    if scope is not None:  # never send a null in a `SET +=` map (docs/engine-notes.md)
        props["scope"] = scope
    props["sid"] = _new_sid()  # the id an open session is bound to (module docstring)
    rows = store.write_meta(_CREATE, {"name": name, "props": props, "hash": props["hash"]})
    if not rows or not rows[0]["created"]:
        raise AccountError(f"名为 {name!r} 的账户已存在",
                           en=f"an account named {name!r} already exists")
    account = get(store, name)
    assert account is not None
    return account


def _no_such(name: str) -> AccountError:
    return AccountError(f"没有名为 {name!r} 的账户", en=f"no account named {name!r}")


def _bad_role(role: str) -> AccountError:
    return AccountError(f"角色 {role!r} 无效（可用：{'、'.join(ACCOUNT_ROLE_ZH.values())}）",
                        en=f"role {role!r}: one of {', '.join(ACCOUNT_ROLES)}")


def _needs_scope(role: str) -> AccountError:
    return AccountError(f"{ACCOUNT_ROLE_ZH.get(role, role)}需要可见范围（单位编码）："
                        "只有管理员可以看全部",
                        en=f"a {role} needs a scope (a unit code): only an admin may see all")


def set_password(store: Store, name: str, password: str) -> None:
    check_name(name)
    check_password_policy(name, password)
    if not store.write_meta(_SET_HASH, {"name": name, "hash": _HASHER.hash(password),
                                        "now": _now(), "sid": _new_sid()}):
        raise _no_such(name)


def set_disabled(store: Store, name: str, disabled: bool) -> None:
    check_name(name)
    if not store.write_meta(_SET_DISABLED, {"name": name, "disabled": disabled, "now": _now(),
                                            "sid": _new_sid()}):
        raise _no_such(name)


def set_role_scope(store: Store, name: str, role: str, scope: str | None) -> Account:
    """Change an account's role and scope at once (None: the whole graph, admins only);
    its open sessions end at their next page run (a new ``sid``)."""
    check_name(name)
    if role not in ACCOUNT_ROLES:
        raise _bad_role(role)
    if scope is None and role != "admin":
        raise _needs_scope(role)
    if not store.write_meta(_SET_ROLE_SCOPE, {"name": name, "role": role, "scope": scope,
                                              "now": _now(), "sid": _new_sid()}):
        raise _no_such(name)
    account = get(store, name)
    assert account is not None
    return account


def remove(store: Store, name: str) -> None:
    check_name(name)
    if not store.write_meta(_REMOVE, {"name": name}):
        raise _no_such(name)


def touch_login(store: Store, name: str) -> None:
    check_name(name)
    store.write_meta(_TOUCH, {"name": name, "now": _now()})


def verify_password(store: Store, name: str, password: str) -> Account | None:
    """The account when the password is right and it is enabled, else None.

    Unknown names cost one argon2 verification too, so timing does not tell which
    names exist; a disabled account answers exactly like a wrong password.  A name that
    cannot be an account's is refused before any store call.
    """
    check_name(name)
    dummy = _dummy_hash()
    rows = store.read_meta(_GET, {"name": name})
    stored = rows[0].get("hash") if rows else None
    try:
        _HASHER.verify(stored or dummy, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not rows or rows[0].get("disabled"):
        return None
    if _HASHER.check_needs_rehash(stored):
        store.write_meta(_SET_HASH, {"name": name, "hash": _HASHER.hash(password),
                                     "now": _now(), "sid": _new_sid()})
        return get(store, name)
    if not rows[0].get("sid"):
        store.write_meta(_GIVE_SID, {"name": name, "sid": _new_sid()})
        return get(store, name)
    return _account(rows[0])
