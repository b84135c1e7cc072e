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
    reason: str  # "ok", "bad" (wrong name or password, or disabled), "wait", "locked"
    wait_s: float = 0.0
    refused: bool = False  # turned away by the throttle; the password was not checked

    @property
    def ok(self) -> bool:
        return self.account is not None


def login(store: Store, name: str, password: str, now: float | None = None) -> LoginResult:
    """Check a name and password.  While throttled the password is not even checked."""
    now = time.time() if now is None else now
    before = throttle.state(store, name)
    if before.refused(now) > 0:
        return LoginResult(None, "locked" if before.locked(now) else "wait", before.refused(now),
                           refused=True)
    account = accounts.verify_password(store, name, password)
    if account is None:
        after = throttle.record_failure(store, name, now)
        return LoginResult(None, "locked" if after.locked(now) else "bad", after.refused(now))
    if before.failures:
        throttle.clear(store, name)
    accounts.touch_login(store, name)
    return LoginResult(account, "ok")
