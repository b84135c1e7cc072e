"""The login throttle under concurrency, its expiry, and the bound on argon2 in flight.

Before (issue 17): the throttle was read, then the hash checked, then the failure
written, so sixteen sessions submitting at once were all checked and the right password
was accepted after 39 failures; every check took 64 MiB of argon2 at once; records of
unknown names stayed forever.  Now one atomic write decides before the hash is checked,
at most ``accounts.HASHES_IN_FLIGHT`` hashes run at once in a process, and a record is
forgotten ``FORGET_S`` after its delay or lock ends.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from redgov.access import accounts, throttle
from redgov.access.login import LoginResult, login

PW = "correct-horse-battery"
SESSIONS = 16


def _burst(store, names: list[str], password: str, now: float) -> list[LoginResult]:
    """Every name's login at once, each from its own thread (as Streamlit sessions are)."""
    with ThreadPoolExecutor(len(names)) as pool:
        return list(pool.map(lambda n: login(store, n, password, now), names))


def test_concurrent_wrong_passwords_cannot_skip_the_throttle(store) -> None:
    accounts.create(store, "li", PW, "viewer", "S1")
    now = 1_000_000.0
    checked = []
    wait = 0.0
    for _round in range(throttle.LOCK_AFTER):
        now += wait + 0.01  # just after the previous round's delay
        results = _burst(store, ["li"] * SESSIONS, "wrong-password!!", now)
        heard = [r for r in results if not r.refused]
        checked.append(len(heard))
        assert all(not r.ok for r in results), results
        wait = max(r.wait_s for r in results)
    assert checked == [1] * throttle.LOCK_AFTER, checked  # one check per round, not 16
    assert throttle.state(store, "li", now).locked(now)
    right = _burst(store, ["li"] * SESSIONS, PW, now)
    assert [r.reason for r in right] == ["locked"] * SESSIONS, [r.reason for r in right]
    assert login(store, "li", PW, now + throttle.LOCK_S + 1).ok


def test_concurrent_right_passwords_while_waiting_are_refused(store) -> None:
    accounts.create(store, "li", PW, "viewer", "S1")
    login(store, "li", "wrong-password!!", 5000.0)
    results = _burst(store, ["li"] * SESSIONS, PW, 5000.5)
    assert [r.reason for r in results] == ["wait"] * SESSIONS, results


def test_hashes_in_flight_stay_within_the_bound(store) -> None:
    """Sixteen different names at once: each is allowed one check, but no more than the
    bound are hashed at the same moment."""
    accounts.create(store, "li", PW, "viewer", "S1")
    accounts.hashing.peak = 0
    names = [f"user{i:02d}" for i in range(SESSIONS)]
    results = _burst(store, names, "wrong-password!!", 9000.0)
    assert [r.reason for r in results] == ["bad"] * SESSIONS, results
    assert 1 <= accounts.hashing.peak <= accounts.HASHES_IN_FLIGHT, (
        accounts.hashing.peak, accounts.HASHES_IN_FLIGHT)
    assert accounts.hashing.running == 0


def _records(store) -> list[str]:
    return sorted(r["name"] for r in store.read_meta(
        "MATCH (t:LoginThrottle) RETURN t.name AS name"))


def test_records_of_unknown_names_expire(store) -> None:
    accounts.create(store, "li", PW, "viewer", "S1")
    names = [f"ghost{i}" for i in range(20)]
    for name in names:
        assert login(store, name, PW, 100.0).reason == "bad"
    assert _records(store) == sorted(names)
    # Still there while they matter (inside the delay and the forget window) ...
    login(store, "li", "wrong-password!!", 100.0 + throttle.FORGET_S / 2)
    assert len(_records(store)) == 21, _records(store)
    # ... gone once forgotten: the next attempt sweeps them, whoever makes it.
    later = 100.0 + max(throttle.DELAYS_S) + throttle.FORGET_S + 1
    login(store, "ghost-new", PW, later)
    assert _records(store) == ["ghost-new", "li"], _records(store)


def test_a_forgotten_record_counts_from_zero(store) -> None:
    accounts.create(store, "li", PW, "viewer", "S1")
    now = 0.0
    for _ in range(3):
        now += 100
        login(store, "li", "wrong-password!!", now)
    assert throttle.state(store, "li", now).failures == 3
    later = now + throttle.FORGET_S + 100
    assert throttle.state(store, "li", later) == throttle.Throttle()
    assert login(store, "li", "wrong-password!!", later).wait_s == throttle.DELAYS_S[0]
