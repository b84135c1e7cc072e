"""One login attempt: throttling first, then the password, then the bookkeeping.

>>> LoginResult(None, "wait", 2.0).ok
False
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..graph.stores.base import Store
from . import accounts, throttle
from .accounts import Account

__all__ = ["LoginResult", "login"]


@dataclass(frozen=True)
class LoginResult:
    account: Account | None
    reason: str  # "ok", "bad" (wrong name or password, or disabled), "wait", "locked",
    # "invalid" (a name no account can have: refused before any store call)
    wait_s: float = 0.0
    refused: bool = False  # turned away by the throttle; the password was not checked

    @property
    def ok(self) -> bool:
        return self.account is not None


def login(store: Store, name: str, password: str, now: float | None = None) -> LoginResult:
    """Check a name and password.

    A name no account can have (empty, blank, too long, control characters) is refused
    with no store call.  Then the throttle decides in one atomic write (the attempt is
    counted before the hash is checked); while throttled the password is not checked.
    """
    if not accounts.valid_name(name):
        return LoginResult(None, "invalid", refused=True)
    now = time.time() if now is None else now
    allowed, after = throttle.attempt(store, name, now)
    if not allowed:
        return LoginResult(None, "locked" if after.locked(now) else "wait", after.refused(now),
                           refused=True)
    account = accounts.verify_password(store, name, password)
    if account is None:
        return LoginResult(None, "locked" if after.locked(now) else "bad", after.refused(now))
    throttle.clear(store, name)
    accounts.touch_login(store, name)
    return LoginResult(account, "ok")
