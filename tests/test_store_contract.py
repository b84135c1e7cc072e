"""One contract, every store: each test runs on the embedded FalkorDB and on a real Neo4j 5.

The ``store`` fixture (tests/conftest.py) is parametrised over both engines; the last two
tests pin FalkorDB internals (its staging copy and its lock key) and use ``falkor_store``.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from redgov.graph.stores import ReadOnlyViolation, Store, StoreError


def test_read_returns_rows_as_dicts(store: Store) -> None:
    rows = store.read("UNWIND [1, 2] AS x RETURN x, x * 10 AS y ORDER BY x")
    assert rows == [{"x": 1, "y": 10}, {"x": 2, "y": 20}]


def test_parameters_are_passed_not_pasted(store: Store) -> None:
    tricky = "x' }) DETACH DELETE n //"
    rows = store.read("RETURN $s AS s, $n AS n, $l AS l", {"s": tricky, "n": 3, "l": ["a"]})
    assert rows == [{"s": tricky, "n": 3, "l": ["a"]}]


def test_parameter_values_round_trip_through_writes_and_reads(store: Store) -> None:
    """Every value shape a sync sends (nested maps and lists, quotes, backslashes, control
    characters, Chinese, empty strings, booleans, floats, nulls) is written and read back
    unchanged: FalkorDB's parameter text is rendered by the store itself, Neo4j's by Bolt."""
    props = {"name": 'a "quoted" \\ back\\slash\ttab\nline 中文', "empty": "",
             "flag": True, "off": False, "n": -7, "x": 2.5, "codes": ["A1", "B\"2", ""]}
    with store.writing() as w:
        w.run("UNWIND $rows AS row CREATE (n:ContractProbe) SET n += row.props, n.k = $k",
              {"rows": [{"props": props}], "k": None})
    rows = store.read("MATCH (n:ContractProbe) RETURN properties(n) AS p")
    assert rows == [{"p": props}], rows
    echoed = store.read("RETURN $m AS m, $l AS l, $none AS none",
                        {"m": {"inner": {"q": '"', "b": "\\"}}, "l": [None, True, 1.0, [1, ["x"]]],
                         "none": None})
    assert echoed == [{"m": {"inner": {"q": '"', "b": "\\"}}, "l": [None, True, 1.0, [1, ["x"]]],
                       "none": None}], echoed


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


def test_refused_write_is_a_store_error_and_leaves_nothing(store: Store) -> None:
    """A write the engine refuses (a duplicate run id) fails the transaction as a StoreError."""
    with pytest.raises(StoreError, match="refused a write"), store.transaction() as w:
        w.run("CREATE (:SyncRun {id: 'dup'})")
        w.run("CREATE (:SyncRun {id: 'dup'})")
    assert store.read("MATCH (u:SyncRun) RETURN count(u) AS n") == [{"n": 0}]


def test_versioned_identities_are_not_unique(store: Store) -> None:
    """Several versions of one unit share its code (one per span of snapshots)."""
    with store.writing() as w:
        w.run("CREATE (:Unit {code: 'same', vf: 1, vt: 2})")
        w.run("CREATE (:Unit {code: 'same', vf: 2, vt: 9})")
    assert store.read("MATCH (u:Unit {code: 'same'}) RETURN count(u) AS n") == [{"n": 2}]


def test_writing_commits_each_write_at_once(store: Store) -> None:
    """``writing()`` commits query by query (bounded memory): a reader sees each write
    before the block ends, and a failure keeps what was already written."""
    seen: list[int] = []
    with pytest.raises(RuntimeError), store.writing() as w:
        w.run("CREATE (:ContractProbe {code: 'a'})")
        seen.append(store.read("MATCH (n:ContractProbe) RETURN count(n) AS n")[0]["n"])
        raise RuntimeError("stop")
    assert seen == [1]
    assert store.read("MATCH (n:ContractProbe) RETURN count(n) AS n") == [{"n": 1}]


def test_writing_waits_for_another_writer(store: Store) -> None:
    """The writers' lock spans ``writing()`` and ``transaction()`` alike."""
    events: list[str] = []

    def second() -> None:
        with store.writing() as w:
            events.append("second-start")
            w.run("CREATE (:ContractProbe {code: 'second'})")

    with store.writing() as w:
        w.run("CREATE (:ContractProbe {code: 'first'})")
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.5)
        events.append("first-end")
    t.join(30)
    assert events == ["first-end", "second-start"], events


def test_reads_refuse_writes(store: Store) -> None:
    """Every kind of write, one message on both engines (Neo4j: by READ access mode)."""
    for query in ("CREATE (:ContractProbe {code: 'sneaky'})",
                  "MERGE (n:ContractProbe {code: 'm'}) RETURN n.code AS code",
                  "MATCH (n) DETACH DELETE n",
                  "MATCH (n:Unit) SET n.x = 1"):
        with pytest.raises(ReadOnlyViolation) as err:
            store.read(query)
        assert str(err.value) == "this entry point only reads: the query tries to write"
    assert store.read("MATCH (n:ContractProbe) RETURN count(n) AS n") == [{"n": 0}]


def test_schema_setup_is_idempotent(store: Store) -> None:
    store.setup_schema()
    store.setup_schema()
    assert store.read("RETURN 1 AS one") == [{"one": 1}]


def test_no_server_hint_reaches_the_log(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """Neo4j hints ("property key does not exist") would reach users as driver warnings."""
    with caplog.at_level("INFO"):
        assert store.read("MATCH (n:NoSuchLabel) RETURN n.no_such_key AS x") == []
    assert [r.getMessage() for r in caplog.records if r.levelname != "DEBUG"] == []


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


# --- the metadata space (accounts, login throttling) -----------------------------------

_META_CLEAN = "MATCH (n:Account) DETACH DELETE n"
_META_NAMES = "MATCH (a:Account) RETURN a.name AS name ORDER BY name"


@pytest.fixture
def meta_store(store: Store) -> Iterator[Store]:
    """The store with an empty metadata space (on Neo4j it shares the database).

    On ``store``, which tests/conftest.py runs on every engine."""
    store.write_meta(_META_CLEAN)
    yield store
    store.write_meta(_META_CLEAN)


def test_meta_space_starts_empty_and_round_trips(meta_store: Store) -> None:
    assert meta_store.read_meta(_META_NAMES) == []
    rows = meta_store.write_meta("CREATE (a:Account) SET a.name = $name RETURN a.name AS name",
                                 {"name": "li"})
    assert rows == [{"name": "li"}]
    assert meta_store.read_meta(_META_NAMES) == [{"name": "li"}]


def test_meta_account_names_are_unique(meta_store: Store) -> None:
    create = "CREATE (a:Account) SET a.name = $name RETURN a.name AS name"
    meta_store.write_meta(create, {"name": "wang"})
    with pytest.raises(StoreError):
        meta_store.write_meta(create, {"name": "wang"})
    assert meta_store.read_meta(_META_NAMES) == [{"name": "wang"}]


def test_read_meta_refuses_writes(meta_store: Store) -> None:
    meta_store.write_meta("CREATE (a:Account) SET a.name = 'seed'")
    with pytest.raises(ReadOnlyViolation):
        meta_store.read_meta("CREATE (a:Account) SET a.name = 'sneaky'")
    assert meta_store.read_meta(_META_NAMES) == [{"name": "seed"}]


def test_meta_write_during_a_sync_survives_its_commit(meta_store: Store) -> None:
    """On FalkorDB a transaction publishes a copy of the live graph: a write made meanwhile
    to the live graph would be lost.  The metadata space is outside that copy."""
    with meta_store.transaction() as w:
        w.run("CREATE (:ContractProbe {code: 'sync'})")
        meta_store.write_meta("CREATE (a:Account) SET a.name = 'during'")
    assert meta_store.read_meta(_META_NAMES) == [{"name": "during"}]
    assert meta_store.read("MATCH (n:ContractProbe) RETURN n.code AS c") == [{"c": "sync"}]


def test_meta_is_not_governance_data(meta_store: Store) -> None:
    """Neither the catalog's labels nor `redgov status` counts see accounts."""
    from redgov.graph.introspection import graph_counts

    meta_store.write_meta("CREATE (a:Account) SET a.name = 'counted?'")
    meta_store.write_meta("MERGE (t:LoginThrottle {name: 'x'}) SET t.failures = 1")
    nodes, _ = graph_counts(meta_store)
    assert "Account" not in nodes and "LoginThrottle" not in nodes, nodes
    meta_store.write_meta("MATCH (t:LoginThrottle) DELETE t")
