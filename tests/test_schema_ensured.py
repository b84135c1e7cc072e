"""The schema is ensured in production: a store's first sync creates graph/schema.py's
indexes and constraints, a later sync creates nothing, and reads never try.

Before this, only tests and benchmarks called ``setup_schema()`` on Neo4j, so a real
Neo4j deployment answered every read without an index (and its writers' lock had no
uniqueness constraint to wait on).  Each test starts from a store with none of redgov's
schema — Neo4j: the one database's indexes and constraints dropped; FalkorDB: a graph
holding one node and no index — and checks the engine's own index listing.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from redgov.graph.introspection import status
from redgov.graph.schema import KEYS, LOOKUPS, UNIQUE_KEYS
from redgov.graph.stores import Store
from redgov.graph.stores.falkordb_store import FalkorStore
from redgov.loaders import sync_export
from redgov.queries import run_question

HISTORY = Path(__file__).parent / "fixtures" / "history"
#: Every (label, property) graph/schema.py indexes on both engines.
WANTED_INDEXES = {*KEYS.items(), *((label, p) for label, props in LOOKUPS.items()
                                   for p in props)}
#: The unique identities (Neo4j adds its writers' lock node).
WANTED_UNIQUE = set(UNIQUE_KEYS.items())


def listing(store: Store) -> tuple[set[tuple[str, str]], set[tuple[str, str]], dict[str, int]]:
    """(indexed pairs, unique pairs, Neo4j index name → id) as the engine lists them."""
    if isinstance(store, FalkorStore):
        if not store._graph_exists(store.graph_name):
            return set(), set(), {}
        graph = store._db.select_graph(store.graph_name)
        indexes = {(row[0], prop) for row in
                   graph.ro_query("CALL db.indexes() YIELD label, properties").result_set
                   for prop in row[1]}
        unique = {(row[0], prop) for row in graph.ro_query(
            "CALL db.constraints() YIELD label, properties").result_set for prop in row[1]}
        return indexes, unique, {}
    with store._session("r") as session:  # type: ignore[attr-defined]
        rows = list(session.run(
            "SHOW INDEXES YIELD id, name, labelsOrTypes, properties WHERE labelsOrTypes "
            "IS NOT NULL RETURN id, name, labelsOrTypes[0] AS label, properties[0] AS prop"))
        unique = {(r["label"], r["prop"]) for r in session.run(
            "SHOW CONSTRAINTS YIELD labelsOrTypes, properties "
            "RETURN labelsOrTypes[0] AS label, properties[0] AS prop")}
    return {(r["label"], r["prop"]) for r in rows}, unique, {r["name"]: r["id"] for r in rows}


@contextlib.contextmanager
def bare(engine, store: Store) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """A store holding none of redgov's schema (``store`` holds the engine's graph lease)."""
    if not isinstance(store, FalkorStore):
        with store._session("w") as session:  # type: ignore[attr-defined]
            for row in list(session.run("SHOW CONSTRAINTS YIELD name")):
                session.run(f"DROP CONSTRAINT `{row['name']}`").consume()
            for row in list(session.run("SHOW INDEXES YIELD name, type WHERE type = 'RANGE'")):
                session.run(f"DROP INDEX `{row['name']}`").consume()
        yield store  # the next test's fresh graph sets the schema up again
        return
    name = f"t_{uuid.uuid4().hex[:12]}"
    other = engine.open(name)
    try:
        other._db.select_graph(name).query("CREATE (:Probe {x: 1})")
        yield other
    finally:
        for key in (name, f"{name}__staging", f"{name}__old", f"{name}__meta"):
            if other._graph_exists(key):
                other._redis.execute_command("GRAPH.DELETE", key)
        other.close()


def test_a_first_sync_creates_the_schema_and_a_second_creates_nothing(engine, store) -> None:
    with bare(engine, store) as s:
        indexes, unique, _ = listing(s)
        assert not indexes & WANTED_INDEXES and not unique & WANTED_UNIQUE, (indexes, unique)

        first = sync_export(s, HISTORY / "e1_2024-06-30_full")
        assert first.status == "applied", first.errors[:3]
        indexes, unique, ids = listing(s)
        assert indexes >= WANTED_INDEXES, sorted(WANTED_INDEXES - indexes)
        assert unique >= WANTED_UNIQUE, (sorted(WANTED_UNIQUE - unique), sorted(unique))
        if engine.name == "neo4j":
            assert ("RedgovLock", "name") in unique, sorted(unique)  # the lock waits on it
        assert s.schema_changes, s.schema_changes  # type: ignore[attr-defined]

        # Another process's sync (a new store object): two listings, nothing created.
        again = engine.open(getattr(s, "graph_name", "neo4j"))
        try:
            second = sync_export(again, HISTORY / "e2_2024-09-30_full")
            assert second.status == "applied", second.errors[:3]
            assert again.schema_changes == (), again.schema_changes  # type: ignore[attr-defined]
        finally:
            again.close()
        after = listing(s)
        assert after == (indexes, unique, ids), (after, ids)  # Neo4j: same index ids


def test_reads_never_create_the_schema(engine, store) -> None:
    """A reader (the dashboard, ``redgov cypher``, a read-only account) does not try."""
    with bare(engine, store) as s:
        before = listing(s)
        for name in ("overdue_reelection", "duplicate_people", "coverage_rollup"):
            run_question(s, name)
        status(s)  # also keeps its counts in the metadata space: not the graph's schema
        s.read("MATCH (n) RETURN count(n) AS n")
        after = listing(s)
        assert not after[0] & WANTED_INDEXES, sorted(after[0] & WANTED_INDEXES)
        assert after[0] == before[0], (before, after)


def test_setup_schema_is_idempotent_and_cheap_when_present(engine, store) -> None:
    """The fixtures' setup_schema() and a sync's check agree: nothing left to create."""
    store.setup_schema()
    assert store.ensure_schema() == (), store.schema_changes  # type: ignore[attr-defined]
    indexes, unique, _ = listing(store)
    assert indexes >= WANTED_INDEXES and unique >= WANTED_UNIQUE, (indexes, unique)


def test_an_older_unique_constraint_on_a_versioned_identity_is_replaced(store) -> None:
    """An older redgov made Unit.code unique; versions now share it: the check drops the
    constraint and makes the plain index, once."""
    if isinstance(store, FalkorStore):
        store._redis.execute_command("GRAPH.CONSTRAINT", "CREATE", store.graph_name, "UNIQUE",
                                     "NODE", "Unit", "PROPERTIES", "1", "code")
    else:
        with store._session("w") as session:  # type: ignore[attr-defined]
            session.run("DROP INDEX redgov_unit_code_idx IF EXISTS").consume()
            session.run("CREATE CONSTRAINT redgov_unit_code IF NOT EXISTS "
                        "FOR (n:Unit) REQUIRE n.code IS UNIQUE").consume()
    assert ("Unit", "code") in listing(store)[1], listing(store)
    ran = store.ensure_schema()  # type: ignore[attr-defined]
    assert any("Unit" in step for step in ran), ran
    indexes, unique, _ = listing(store)
    assert ("Unit", "code") not in unique and ("Unit", "code") in indexes, (indexes, unique)
    assert store.ensure_schema() == (), store.schema_changes  # type: ignore[attr-defined]


def test_a_read_only_account_reads_and_never_tries(server, falkor_graph_name: str) -> None:
    """A server account allowed nothing but ``GRAPH.RO_QUERY`` (a Redis ACL user, given as
    ``falkordb://user:password@…``) answers questions and status on a graph without the
    schema, and the schema is still absent after.  FalkorDB only: Neo4j Community, the
    tests' server, has no read-only roles (its reads run in READ access mode, and the test
    above shows they create nothing)."""
    from redgov.graph.stores import open_store

    admin = FalkorStore(host=server.host, port=server.port, password=server.password,
                        graph=falkor_graph_name, description="test admin")
    user, secret = f"t_ro_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    admin._redis.execute_command(
        "ACL", "SETUSER", user, "on", f">{secret}", "~*", "&*", "-@all", "+graph.ro_query",
        "+ping", "+exists", "+info", "+hello", "+auth", "+client|setname", "+client|setinfo",
        "+module|list")
    try:
        admin._db.select_graph(falkor_graph_name).query("CREATE (:Probe {x: 1})")
        reader = open_store(
            f"falkordb://{user}:{secret}@{server.host}:{server.port}/{falkor_graph_name}")
        try:
            for name in ("overdue_reelection", "duplicate_people"):
                assert run_question(reader, name).count == 0
            status(reader)
        finally:
            reader.close()
        indexes, _, _ = listing(admin)
        assert not indexes & WANTED_INDEXES, sorted(indexes)
    finally:
        admin._redis.execute_command("ACL", "DELUSER", user)
        for key in (falkor_graph_name, f"{falkor_graph_name}__meta"):
            if admin._graph_exists(key):
                admin._redis.execute_command("GRAPH.DELETE", key)
        admin.close()


def test_a_retired_index_is_dropped_by_the_next_writer_and_only_once(engine, store) -> None:
    """``Person.name`` (made by an older redgov, read by nothing now: graph/schema.py
    RETIRED) goes at the next writer's lock, on both engines; the writer after that drops
    nothing."""
    from redgov.graph.schema import RETIRED

    assert ("Person", "name") in RETIRED and ("Person", "name") not in WANTED_INDEXES
    store.setup_schema()
    if isinstance(store, FalkorStore):  # the older redgov's own statements, as it ran them
        store._db.select_graph(store.graph_name).query("CREATE INDEX FOR (n:Person) ON (n.name)")
    else:
        with store._session("w") as session:  # type: ignore[attr-defined]
            session.run("CREATE INDEX redgov_person_name IF NOT EXISTS "
                        "FOR (n:Person) ON (n.name)").consume()
            session.run("CALL db.awaitIndexes(60)").consume()
    assert ("Person", "name") in listing(store)[0], sorted(listing(store)[0])

    first = sync_export(store, HISTORY / "e1_2024-06-30_full")  # takes the writers' lock
    assert first.status == "applied", first.errors[:3]
    assert any("person" in step.lower() and "name" in step for step in store.schema_changes), (
        store.schema_changes)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10  # FalkorDB drops an index asynchronously
    while ("Person", "name") in listing(store)[0] and time.monotonic() < deadline:
        time.sleep(0.1)
    indexes, unique, _ = listing(store)
    assert ("Person", "name") not in indexes, sorted(indexes)
    assert indexes >= WANTED_INDEXES and unique >= WANTED_UNIQUE, (indexes, unique)
    assert store.ensure_schema() == (), store.schema_changes  # type: ignore[attr-defined]
