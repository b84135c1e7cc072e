"""Login throttling shared by every dashboard host: a growing delay, then a lock.

After the k-th failed login for a name the next attempt is refused until
``DELAYS_S[k-1]`` seconds have passed (1, 2, 4, 8 s …); from ``LOCK_AFTER`` failures on
the name is locked for ``LOCK_S`` seconds.  A successful login (or a new password set by
``redgov user passwd``) clears the record.  Unknown names are throttled like real ones,
so the answers do not tell which names exist.  The state lives in the store's metadata
space (one atomic query per failure), so a lock set through one host holds on all.

>>> t = Throttle(failures=2, next_try=105.0, locked_until=0.0)
>>> t.refused(100.0), t.refused(106.0)
(5.0, 0.0)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..graph.cypher import cypher
from ..graph.stores.base import Store

__all__ = ["DELAYS_S", "LOCK_AFTER", "LOCK_S", "Throttle", "clear", "record_failure", "state"]

DELAYS_S: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
LOCK_AFTER = 5
LOCK_S = 15 * 60.0

_STATE = cypher(
    "access.throttle.state",
    """
MATCH (t:LoginThrottle {name: $name})
RETURN t.failures AS failures, t.next_try AS next_try, t.locked_until AS locked_until
""",
)
_FAIL = cypher(
    "access.throttle.fail",
    """
MERGE (t:LoginThrottle {name: $name})
SET t.failures = coalesce(t.failures, 0) + 1, t.last_failure = $now
WITH t
SET t.next_try = $now + $delays[CASE WHEN t.failures > size($delays) THEN size($delays) - 1
                                     ELSE t.failures - 1 END],
    t.locked_until = CASE WHEN t.failures >= $lock_after THEN $now + $lock_s
                          ELSE coalesce(t.locked_until, 0.0) END
RETURN t.failures AS failures, t.next_try AS next_try, t.locked_until AS locked_until
""",
)
_CLEAR = cypher(
    "access.throttle.clear",
    """
MATCH (t:LoginThrottle {name: $name})
WITH t, t.name AS name
DELETE t
RETURN name
""",
)


@dataclass(frozen=True)
class Throttle:
    failures: int = 0
    next_try: float = 0.0
    locked_until: float = 0.0

    def locked(self, now: float) -> bool:
        return now < self.locked_until

    def refused(self, now: float) -> float:
        """Seconds to wait before the next attempt is heard (0: go ahead)."""
        return max(0.0, max(self.next_try, self.locked_until) - now)


def _key(name: str) -> str:
    return (name or "")[:64]


def _throttle(rows: list) -> Throttle:
    if not rows:
        return Throttle()
    r = rows[0]
    return Throttle(int(r.get("failures") or 0), float(r.get("next_try") or 0.0),
                    float(r.get("locked_until") or 0.0))


def state(store: Store, name: str) -> Throttle:
    return _throttle(store.read_meta(_STATE, {"name": _key(name)}))


def record_failure(store: Store, name: str, now: float | None = None) -> Throttle:
    now = time.time() if now is None else now
    return _throttle(store.write_meta(_FAIL, {
        "name": _key(name), "now": float(now), "delays": list(DELAYS_S),
        "lock_after": LOCK_AFTER, "lock_s": LOCK_S,
    }))


def clear(store: Store, name: str) -> None:
    store.write_meta(_CLEAR, {"name": _key(name)})
