"""A blank account name must never reach the store: FalkorDB 4.16.3 dies on it.

Found by issue 17: a failed login with an empty account name crashed the embedded
server (``crashed by signal: 11`` in ``redis.log``, in ``EnforceUniqueEntity``).  Bisected
on a throw-away server: the crash needs only a write of a string that is empty or has
ASCII whitespace at either end (``""``, ``" "``, ``" a"``, ``"a "``, ``"\\t"``, ``"\\n"``) to a
property under a unique constraint — ``MERGE``, ``CREATE`` or ``SET``, parameter or
literal alike.  The throttle's ``$delays[…]`` indexing was not involved; without the
constraint (index only) the same write runs; ``"a b"``, ``"张三"`` or a non-breaking space
do not crash.  Both metadata labels (Account, LoginThrottle) have such a constraint.

The first test runs that minimal shape against a real throw-away engine and asserts what
it does (it still crashes; when an upgrade stops that, the test says so and
docs/model.md must be updated).  The others show that redgov never sends it: every entry
point refuses such names before any store call, on both engines, and the engine stays up.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis
from falkordb import FalkorDB
from redgov.graph.stores.embedded_server import ensure_server, stop_server

from redgov.access import accounts, throttle
from redgov.access.accounts import AccountError
from redgov.access.login import login

PW = "correct-horse-battery"
#: The names that crash FalkorDB 4.16.3 under a unique constraint, and their neighbours.
CRASHING = ("", " ", " a", "a ", "\t", "\n", "  ")
HOSTILE = (*CRASHING, "a", "x" * 65, "li\x00", "li\nx", "li\u202e", "li\r")


def _throwaway(tmp_path: Path) -> tuple[Path, FalkorDB]:
    home = tmp_path / "throwaway"
    home.mkdir()
    info = ensure_server(home)
    return home, FalkorDB(host=info.host, port=info.port, password=info.password)


def _crashed(home: Path) -> bool:
    log = home / "redis.log"
    return log.exists() and "crashed by signal" in log.read_text(errors="replace")


@pytest.mark.parametrize("value", [" a", ""])
def test_the_minimal_crashing_shape_on_falkordb(tmp_path: Path, value: str) -> None:
    """A unique constraint and a MERGE of a whitespace-edged string: the server dies."""
    home, db = _throwaway(tmp_path)
    try:
        graph = db.select_graph("m")
        graph.query("CREATE INDEX FOR (n:L) ON (n.name)")
        db.connection.execute_command("GRAPH.CONSTRAINT", "CREATE", "m", "UNIQUE", "NODE", "L",
                                      "PROPERTIES", "1", "name")
        time.sleep(0.3)  # the constraint is built asynchronously
        assert graph.query("MERGE (n:L {name: $v}) RETURN n.name", {"v": "a b"}).result_set \
            == [["a b"]]
        with pytest.raises(redis.ConnectionError):
            graph.query("MERGE (n:L {name: $v}) RETURN n.name", {"v": value})
        time.sleep(0.3)
        assert _crashed(home), (
            "FalkorDB no longer crashes on a whitespace-edged unique key: update the "
            "'blank names' note in docs/model.md (Engine notes)")
    finally:
        stop_server(home)


def test_redgov_never_sends_it_to_a_throwaway_falkordb(tmp_path: Path) -> None:
    """Every account entry point with each hostile name, against a real server whose
    metadata graph has its unique constraints: refused, and the server stays up."""
    from redgov.graph.stores.falkordb_store import FalkorStore

    home, _ = _throwaway(tmp_path)
    info = ensure_server(home)
    store = FalkorStore(host=info.host, port=info.port, password=info.password, graph="g",
                        description="throw-away")
    try:
        accounts.create(store, "li", PW, "viewer", "S1")  # the constraints are in place
        for name in HOSTILE:
            result = login(store, name, PW)
            assert (result.ok, result.reason, result.refused) == (False, "invalid", True), name
            assert accounts.get(store, name) is None
            for call in (lambda n: accounts.remove(store, n),
                         lambda n: accounts.set_disabled(store, n, True),
                         lambda n: accounts.set_password(store, n, PW),
                         lambda n: accounts.create(store, n, PW, "viewer", "S1"),
                         lambda n: throttle.attempt(store, n),
                         lambda n: throttle.clear(store, n)):
                with pytest.raises(AccountError, match="账户名无效"):
                    call(name)
        assert not _crashed(home), (home / "redis.log").read_text()[-2000:]
        assert store.read_meta("MATCH (t:LoginThrottle) RETURN count(t) AS n") == [{"n": 0}]
        assert login(store, "li", PW).ok
    finally:
        store.close()
        stop_server(home)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused_before_the_store_on_both_engines(store, name: str) -> None:
    accounts.create(store, "li", PW, "viewer", "S1")
    result = login(store, name, PW)
    assert (result.ok, result.reason) == (False, "invalid"), result
    rows = store.read_meta("MATCH (t:LoginThrottle) RETURN t.name AS name")
    assert rows == [], rows
    assert login(store, "li", PW).ok  # the engine is still there
