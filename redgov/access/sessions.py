"""Dashboard sign-in sessions kept in the store, beside the accounts.

A browser that signs in gets a random session id (256 bits, :func:`secrets.token_urlsafe`)
in an HttpOnly cookie; the store keeps only its SHA-256 (``key``), so whoever reads the
metadata space learns no usable cookie.  A session record names its account and the
account's never-reused id at sign-in (``binding``: ``Account.sid``, drawn again on every
password, role, scope or enabled/disabled change).  :func:`check` accepts a session only
while that id still matches, the account is enabled, the session was used within the idle
limit (``REDGOV_IDLE_MINUTES``, default 15) and its absolute lifetime has not passed
(``REDGOV_SESSION_HOURS``, default 12): so logout, ``redgov user disable/passwd/set/remove``
end every session of the account at once, on every host sharing the store.  The account
commands also delete the records (:func:`end_all`), so none lingers.

Records live in the metadata space (``Store.read_meta``/``write_meta``): the FalkorDB
``<graph>__meta`` key, or the ``LoginSession`` label on Neo4j, which the read guard keeps
out of every read a person can send, like the accounts themselves.

>>> Session("k", "li", "b1", "password", 100.0, 100.0, 200.0).idle_for(160.0)
60.0
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from ..graph.cypher import cypher
from ..graph.settings import Setting, number
from ..graph.stores.base import Store
from .accounts import Account

__all__ = [
    "Check",
    "Session",
    "absolute_s",
    "binding",
    "check",
    "end",
    "end_all",
    "idle_s",
    "key_of",
    "open_session",
    "purge_expired",
    "sessions_of",
]

#: How long an unused session lives (minutes), and how long any session lives (hours).
IDLE_ENV, ABSOLUTE_ENV = "REDGOV_IDLE_MINUTES", "REDGOV_SESSION_HOURS"
#: ``seen`` is written at most this often (seconds) while a session is used: one write per
#: page run would cost a round trip each; the idle limit is minutes.
TOUCH_EVERY_S = 15.0
_MAX_ID = 128  # a cookie value longer than this is not one of ours

_OPEN = cypher(
    "access.sessions.open",
    """
CREATE (s:LoginSession)
SET s += $props
RETURN s.key AS key
""",
)
_GET = cypher(
    "access.sessions.get",
    """
MATCH (s:LoginSession {key: $key})
RETURN s.key AS key, s.account AS account, s.binding AS binding, s.via AS via,
       s.created AS created, s.seen AS seen, s.expires AS expires, s.revoked AS revoked
""",
)
_TOUCH = cypher(
    "access.sessions.touch",
    "MATCH (s:LoginSession {key: $key}) SET s.seen = $now RETURN s.key AS key",
)
_END = cypher(
    "access.sessions.end",
    """
MATCH (s:LoginSession {key: $key})
WITH s, s.account AS account
DELETE s
RETURN account
""",
)
# Marked, not deleted: the open tab then tells its user why it ended (and deletes it).
_END_ALL = cypher(
    "access.sessions.end_all",
    """
MATCH (s:LoginSession)
WHERE s.account = $account AND s.revoked IS NULL
SET s.revoked = $now
RETURN count(s) AS n
""",
)
_OF = cypher(
    "access.sessions.of",
    """
MATCH (s:LoginSession)
WHERE s.account = $account
RETURN s.key AS key, s.account AS account, s.binding AS binding, s.via AS via,
       s.created AS created, s.seen AS seen, s.expires AS expires, s.revoked AS revoked
ORDER BY created
""",
)
_PURGE = cypher(
    "access.sessions.purge",
    """
MATCH (s:LoginSession)
WHERE s.expires < $now OR s.seen < $idle_before
WITH s, s.key AS key
DELETE s
RETURN count(key) AS n
""",
)


#: Minutes unused, and hours in all, after which a session ends (graph/settings.py: read
#: on each call, so a server started with another value uses it; a bad value gives the
#: default rather than a page that fails on every click).
IDLE = Setting(IDLE_ENV, 15, 0.05, 7 * 24 * 60, "minutes unused before a session ends")
ABSOLUTE = Setting(ABSOLUTE_ENV, 12, 0.02, 30 * 24, "hours in all before a session ends")


def idle_s() -> float:
    """The idle limit in seconds (``REDGOV_IDLE_MINUTES``, default 15)."""
    return number(IDLE) * 60


def absolute_s() -> float:
    """The whole session's limit in seconds (``REDGOV_SESSION_HOURS``, default 12)."""
    return number(ABSOLUTE) * 3600


def key_of(session_id: str) -> str:
    """What the store keeps for a session id: its SHA-256, never the id itself.

    >>> len(key_of("abc")), key_of("abc") == key_of("abc")
    (64, True)
    """
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def binding(account: Account) -> str:
    """The account's never-reused id that a session is bound to."""
    # An account made before ids existed has none until its next password sign-in.
    return str(account.sid) if account.sid else f"epoch-{account.epoch}"


@dataclass(frozen=True)
class Session:
    key: str
    account: str
    binding: str
    via: str  # "password" or "oidc"
    created: float
    seen: float
    expires: float
    revoked: float | None = None  # when an account command ended it (it logged that)

    def idle_for(self, now: float) -> float:
        return now - self.seen


@dataclass(frozen=True)
class Check:
    """What :func:`check` found: the session and its account, or why there is none.

    ``reason``: ``ok``; ``none`` (no such session: never was, ended, or forged);
    ``expired`` (idle too long, or past its lifetime); ``revoked`` (the account was
    disabled, removed, or its password, role or scope changed).
    """

    reason: str
    session: Session | None = None
    account: Account | None = None

    @property
    def ok(self) -> bool:
        return self.reason == "ok"


def _session(row: dict[str, Any]) -> Session:
    return Session(str(row["key"]), str(row["account"]), str(row["binding"]),
                   str(row.get("via") or "password"), float(row["created"]),
                   float(row["seen"]), float(row["expires"]),
                   None if row.get("revoked") is None else float(row["revoked"]))


def open_session(store: Store, account: Account, via: str,
                 now: float | None = None) -> tuple[str, Session]:
    """Start a session for ``account``; the raw id (for the cookie) and the record."""
    now = time.time() if now is None else now
    purge_expired(store, now)  # sessions nobody ended (closed browsers) go here
    session_id = secrets.token_urlsafe(32)
    record = Session(key_of(session_id), account.name, binding(account), via, now, now,
                     now + absolute_s())
    store.write_meta(_OPEN, {"props": {
        "key": record.key, "account": record.account, "binding": record.binding,
        "via": record.via, "created": record.created, "seen": record.seen,
        "expires": record.expires}})
    return session_id, record


def _get(store: Store, session_id: str) -> Session | None:
    if not session_id or len(session_id) > _MAX_ID:
        return None
    rows = store.read_meta(_GET, {"key": key_of(session_id)})
    return _session(rows[0]) if rows else None


def check(store: Store, session_id: str | None, now: float | None = None) -> Check:
    """Is this cookie's session alive?  An expired or revoked one is deleted here."""
    from . import accounts

    now = time.time() if now is None else now
    found = _get(store, session_id or "")
    if found is None:
        return Check("none")
    if now >= found.expires or found.idle_for(now) > idle_s():
        store.write_meta(_END, {"key": found.key})
        return Check("expired", found)
    if found.revoked is not None:
        store.write_meta(_END, {"key": found.key})
        return Check("revoked", found)
    account = accounts.get(store, found.account)
    if account is None or account.disabled or binding(account) != found.binding:
        store.write_meta(_END, {"key": found.key})
        return Check("revoked", found)
    if found.idle_for(now) >= min(TOUCH_EVERY_S, idle_s() / 4):
        store.write_meta(_TOUCH, {"key": found.key, "now": now})
    return Check("ok", found, account)


def end(store: Store, session_id: str | None) -> str | None:
    """End one session (logout); the account it belonged to, or None if there was none."""
    if not session_id or len(session_id) > _MAX_ID:
        return None
    rows = store.write_meta(_END, {"key": key_of(session_id)})
    return str(rows[0]["account"]) if rows else None


def end_all(store: Store, account: str, now: float | None = None) -> int:
    """End every session of ``account`` (an account command changed it); how many.

    The records stay, marked, until each tab's next page run tells its user why it
    ended, or until they expire (:func:`purge_expired`)."""
    now = time.time() if now is None else now
    rows = store.write_meta(_END_ALL, {"account": account, "now": now})
    return int(rows[0]["n"]) if rows else 0


def sessions_of(store: Store, account: str) -> list[Session]:
    return [_session(r) for r in store.read_meta(_OF, {"account": account})]


def purge_expired(store: Store, now: float | None = None) -> int:
    """Delete every session past its lifetime or idle limit, so the store does not grow
    with sessions nobody ended (a closed browser never logs out).  Run at each sign-in."""
    now = time.time() if now is None else now
    rows = store.write_meta(_PURGE, {"now": now, "idle_before": now - idle_s()})
    return int(rows[0]["n"]) if rows else 0
