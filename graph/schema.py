"""Schema setup, the one place where the two engines differ.

Neo4j 5 gets uniqueness constraints (which bring their own index); FalkorDB has no
Cypher constraint syntax, so it gets an exact-match index per key and then a unique
constraint through the ``GRAPH.CONSTRAINT`` command (see ``stores/falkordb.py``).
Both engines also get plain indexes on the properties the catalog filters by.
"""

from __future__ import annotations

from .cypher import cypher
from .vocabulary import (
    LABEL_ORGANISATION,
    LABEL_PERSON,
    LABEL_RATING,
    LABEL_SYNC_RUN,
    LABEL_UNIT,
)

__all__ = ["KEYS", "LOOKUPS", "falkordb_index_statements", "neo4j_schema_statements"]

#: The identity property of each label: unique, and what MERGE matches on.
KEYS: dict[str, str] = {
    LABEL_UNIT: "code",
    LABEL_ORGANISATION: "code",
    LABEL_PERSON: "code",
    LABEL_RATING: "key",
    LABEL_SYNC_RUN: "id",
}
#: Secondary properties queries filter by.  Only what a query uses: FalkorDB rebuilds every
#: index when it loads its snapshot (5–6 s of a 10 s restart at province scale), and each
#: index also costs every write.
LOOKUPS: dict[str, tuple[str, ...]] = {
    LABEL_UNIT: ("level",),
    LABEL_ORGANISATION: ("kind",),
}

# Index texts are written out (not formatted from KEYS) so that each is a literal the
# linter sees; a test checks they cover KEYS and LOOKUPS exactly.
_FALKOR_INDEXES = {
    (LABEL_UNIT, "code"): "CREATE INDEX FOR (n:Unit) ON (n.code)",
    (LABEL_ORGANISATION, "code"): "CREATE INDEX FOR (n:Organisation) ON (n.code)",
    (LABEL_PERSON, "code"): "CREATE INDEX FOR (n:Person) ON (n.code)",
    (LABEL_RATING, "key"): "CREATE INDEX FOR (n:Rating) ON (n.key)",
    (LABEL_SYNC_RUN, "id"): "CREATE INDEX FOR (n:SyncRun) ON (n.id)",
    (LABEL_UNIT, "level"): "CREATE INDEX FOR (n:Unit) ON (n.level)",
    (LABEL_ORGANISATION, "kind"): "CREATE INDEX FOR (n:Organisation) ON (n.kind)",
}
for (_label, _prop), _text in _FALKOR_INDEXES.items():
    cypher(f"schema.falkordb.{_label}.{_prop}", _text)

_NEO4J_SCHEMA = (
    cypher(
        "schema.neo4j.unit_code",
        "CREATE CONSTRAINT redgov_unit_code IF NOT EXISTS FOR (n:Unit) REQUIRE n.code IS UNIQUE",
        neo4j_only=True,
    ),
    cypher(
        "schema.neo4j.org_code",
        "CREATE CONSTRAINT redgov_org_code IF NOT EXISTS "
        "FOR (n:Organisation) REQUIRE n.code IS UNIQUE",
        neo4j_only=True,
    ),
    cypher(
        "schema.neo4j.person_code",
        "CREATE CONSTRAINT redgov_person_code IF NOT EXISTS "
        "FOR (n:Person) REQUIRE n.code IS UNIQUE",
        neo4j_only=True,
    ),
    cypher(
        "schema.neo4j.rating_key",
        "CREATE CONSTRAINT redgov_rating_key IF NOT EXISTS FOR (n:Rating) REQUIRE n.key IS UNIQUE",
        neo4j_only=True,
    ),
    cypher(
        "schema.neo4j.run_id",
        "CREATE CONSTRAINT redgov_run_id IF NOT EXISTS FOR (n:SyncRun) REQUIRE n.id IS UNIQUE",
        neo4j_only=True,
    ),
    # The writers' lock (stores/neo4j_store.py): without it, two transactions that MERGE the
    # lock node at once each create one and neither waits.
    cypher(
        "schema.neo4j.lock_name",
        "CREATE CONSTRAINT redgov_lock_name IF NOT EXISTS "
        "FOR (n:RedgovLock) REQUIRE n.name IS UNIQUE",
        neo4j_only=True,
    ),
    cypher(
        "schema.neo4j.unit_level",
        "CREATE INDEX redgov_unit_level IF NOT EXISTS FOR (n:Unit) ON (n.level)",
        neo4j_only=True,
    ),
    cypher(
        "schema.neo4j.org_kind",
        "CREATE INDEX redgov_org_kind IF NOT EXISTS FOR (n:Organisation) ON (n.kind)",
        neo4j_only=True,
    ),
)


def falkordb_index_statements() -> dict[tuple[str, str], str]:
    """(label, property) → CREATE INDEX text, for FalkorDB."""
    return dict(_FALKOR_INDEXES)


def neo4j_schema_statements() -> tuple[str, ...]:
    """Idempotent constraint and index statements for Neo4j 5."""
    return _NEO4J_SCHEMA
