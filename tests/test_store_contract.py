"""One contract, every store: each test runs on the embedded FalkorDB and on a real Neo4j 5.

The ``store`` fixture (tests/conftest.py) is parametrised over both engines; the last two
tests pin FalkorDB internals (its staging copy and its lock key) and use ``falkor_store``.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from redgov.graph.stores import ReadOnlyViolation, Store, StoreError


def test_read_returns_rows_as_dicts(store: Store) -> None:
    rows = store.read("UNWIND [1, 2] AS x RETURN x, x * 10 AS y ORDER BY x")
    assert rows == [{"x": 1, "y": 10}, {"x": 2, "y": 20}]


def test_parameters_are_passed_not_pasted(store: Store) -> None:
    tricky = "x' }) DETACH DELETE n //"
    rows = store.read("RETURN $s AS s, $n AS n, $l AS l", {"s": tricky, "n": 3, "l": ["a"]})
    assert rows == [{"s": tricky, "n": 3, "l": ["a"]}]


def test_committed_transaction_is_visible(store: Store) -> None:
    with store.transaction() as w:
        sent = w.run_batched(
            "UNWIND $rows AS row CREATE (:ContractProbe {code: row.code})",
            ({"code": f"c{i}"} for i in range(12)), batch_size=5,
        )
    assert sent == 12
    assert store.read("MATCH (n:ContractProbe) RETURN count(n) AS n") == [{"n": 12}]


def test_failed_transaction_leaves_nothing(store: Store) -> None:
    with store.transaction() as w:
        w.run("CREATE (:ContractProbe {code: 'keep'})")
    with pytest.raises(RuntimeError), store.transaction() as w:
        w.run("MATCH (n:ContractProbe) SET n.code = 'changed'")
        w.run("CREATE (:ContractProbe {code: 'new'})")
        raise RuntimeError("fail after two writes")
    rows = store.read("MATCH (n:ContractProbe) RETURN n.code AS code")
    assert rows == [{"code": "keep"}]


def test_reads_refuse_writes(store: Store) -> None:
    with pytest.raises(ReadOnlyViolation):
        store.read("CREATE (:ContractProbe {code: 'sneaky'})")
    assert store.read("MATCH (n:ContractProbe) RETURN count(n) AS n") == [{"n": 0}]


def test_schema_setup_is_idempotent(store: Store) -> None:
    store.setup_schema()
    store.setup_schema()
    assert store.read("RETURN 1 AS one") == [{"one": 1}]


def test_bad_query_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError):
        store.read("MATCH (n RETURN n")


def test_second_writer_waits_for_the_first(store: Store) -> None:
    """Writers serialise: the second transaction starts only after the first commits."""
    events: list[str] = []

    def second() -> None:
        with store.transaction() as w:
            events.append("second-start")
            w.run("CREATE (:ContractProbe {code: 'second'})")

    with store.transaction() as w:
        w.run("CREATE (:ContractProbe {code: 'first'})")
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.5)
        events.append("first-commit")
    t.join(30)
    assert events == ["first-commit", "second-start"], events
    rows = store.read("MATCH (n:ContractProbe) RETURN n.code AS c ORDER BY c")
    assert rows == [{"c": "first"}, {"c": "second"}]


def test_orphaned_staging_copy_is_cleaned(falkor_store) -> None:
    """A writer killed mid-transaction leaves a staging copy; the next one discards it."""
    store = falkor_store
    staging = f"{store.graph_name}__staging"
    store._redis.execute_command("GRAPH.QUERY", staging, "CREATE (:ContractProbe {code: 'x'})")
    with store.transaction() as w:
        w.run("CREATE (:ContractProbe {code: 'y'})")
    assert store.read("MATCH (n:ContractProbe) RETURN n.code AS c") == [{"c": "y"}]
    assert not store._graph_exists(staging)


def test_dead_lock_holder_is_ignored(falkor_store) -> None:
    """A lock left by a process that no longer exists on this host does not block writers."""
    store = falkor_store
    import socket

    store._redis.set(store._lock_key, f"{socket.gethostname()}:999999999:{uuid.uuid4().hex}")
    with store.transaction() as w:
        w.run("CREATE (:ContractProbe {code: 'z'})")
    assert store.read("MATCH (n:ContractProbe) RETURN count(n) AS n") == [{"n": 1}]
