"""Login throttling shared by every dashboard host: a growing delay, then a lock.

After the k-th failed login for a name the next attempt is refused until
``DELAYS_S[k-1]`` seconds have passed (1, 2, 4, 8 s …); from ``LOCK_AFTER`` failures on
the name is locked for ``LOCK_S`` seconds.  A successful login (or a new password set by
``redgov user passwd``) clears the record.  Unknown names are throttled like real ones,
so the answers do not tell which names exist.  The state lives in the store's metadata
space, so a lock set through one host holds on all.

The decision is one atomic write in the store, taken *before* the password is checked
(:func:`attempt`): it records the attempt as a failure in advance and says whether it
may proceed; a success then clears the record.  Sixteen sessions submitting at once
therefore get one check between them, not sixteen (a read-then-write would let them all
through).  On Neo4j the query's first ``SET`` takes the record's write lock before any
property is read, so concurrent attempts queue on it; FalkorDB runs a graph's writes one
at a time.

A record is forgotten :data:`FORGET_S` after its last delay or lock ends (each attempt
deletes a batch of such records), so failed logins under many names do not make the
store grow: it holds at most the names tried in the last quarter of an hour.

>>> t = Throttle(failures=2, next_try=105.0, locked_until=0.0)
>>> t.refused(100.0), t.refused(106.0)
(5.0, 0.0)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..graph.cypher import cypher
from ..graph.stores.base import Store
from .accounts import check_name

__all__ = ["DELAYS_S", "FORGET_S", "LOCK_AFTER", "LOCK_S", "Throttle", "attempt", "clear",
           "record_failure", "state"]

DELAYS_S: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
LOCK_AFTER = 5
LOCK_S = 15 * 60.0
#: Seconds after its delay or lock ends that a record is kept (then its count restarts).
FORGET_S = 15 * 60.0
#: Expired records deleted by one attempt, at most.
_SWEEP_BATCH = 200

_STATE = cypher(
    "access.throttle.state",
    """
MATCH (t:LoginThrottle {name: $name})
WHERE coalesce(t.expires, 0.0) > $now
RETURN t.failures AS failures, t.next_try AS next_try, t.locked_until AS locked_until
""",
)
# The attempt: take the record's lock (the first SET), read it (an expired record counts
# from zero), decide, and when allowed charge the failure in advance.
_ATTEMPT = cypher(
    "access.throttle.attempt",
    """
MERGE (t:LoginThrottle {name: $name})
SET t.seen = $now
WITH t, coalesce(t.expires, 0.0) <= $now AS stale
WITH t, CASE WHEN stale THEN 0 ELSE coalesce(t.failures, 0) END AS failures_before,
     CASE WHEN stale THEN 0.0 ELSE coalesce(t.next_try, 0.0) END AS next_before,
     CASE WHEN stale THEN 0.0 ELSE coalesce(t.locked_until, 0.0) END AS locked_before
WITH t, failures_before, next_before, locked_before,
     $now >= next_before AND $now >= locked_before AS allowed
WITH t, allowed, locked_before,
     CASE WHEN allowed THEN failures_before + 1 ELSE failures_before END AS failures,
     CASE WHEN allowed
          THEN $now + $delays[CASE WHEN failures_before + 1 > size($delays)
                                   THEN size($delays) - 1 ELSE failures_before END]
          ELSE next_before END AS next_try
WITH t, allowed, failures, next_try,
     CASE WHEN allowed AND failures >= $lock_after THEN $now + $lock_s
          ELSE locked_before END AS locked_until
SET t.failures = failures, t.next_try = next_try, t.locked_until = locked_until,
    t.expires = CASE WHEN next_try > locked_until THEN next_try ELSE locked_until END
                + $forget_s
RETURN allowed, failures, next_try, locked_until
""",
)
# A failure recorded whatever the delay (another host's, or a test's).
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
WITH t
SET t.expires = CASE WHEN t.next_try > t.locked_until THEN t.next_try ELSE t.locked_until END
                + $forget_s
RETURN t.failures AS failures, t.next_try AS next_try, t.locked_until AS locked_until
""",
)
_SWEEP = cypher(
    "access.throttle.sweep",
    """
MATCH (t:LoginThrottle)
WHERE coalesce(t.expires, 0.0) <= $now
WITH t LIMIT $batch
DELETE t
RETURN count(*) AS deleted
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
    """The record's key: an account name as :func:`accounts.check_name` accepts it (an
    empty or whitespace-edged key would crash FalkorDB 4.16.3, see accounts)."""
    return check_name(name)


def _throttle(rows: list) -> Throttle:
    if not rows:
        return Throttle()
    r = rows[0]
    return Throttle(int(r.get("failures") or 0), float(r.get("next_try") or 0.0),
                    float(r.get("locked_until") or 0.0))


def state(store: Store, name: str, now: float | None = None) -> Throttle:
    now = time.time() if now is None else now
    return _throttle(store.read_meta(_STATE, {"name": _key(name), "now": float(now)}))


def _params(name: str, now: float) -> dict:
    return {"name": _key(name), "now": float(now), "delays": list(DELAYS_S),
            "lock_after": LOCK_AFTER, "lock_s": LOCK_S, "forget_s": FORGET_S}


def attempt(store: Store, name: str, now: float | None = None) -> tuple[bool, Throttle]:
    """Decide an attempt atomically: (may the password be checked?, the record after).

    When allowed, the attempt is already counted as a failure; :func:`clear` it on
    success.  Expired records are swept first.
    """
    now = time.time() if now is None else now
    store.write_meta(_SWEEP, {"now": float(now), "batch": _SWEEP_BATCH})
    rows = store.write_meta(_ATTEMPT, _params(name, now))
    return bool(rows and rows[0].get("allowed")), _throttle(rows)


def record_failure(store: Store, name: str, now: float | None = None) -> Throttle:
    now = time.time() if now is None else now
    return _throttle(store.write_meta(_FAIL, _params(name, now)))


def clear(store: Store, name: str) -> None:
    store.write_meta(_CLEAR, {"name": _key(name)})
