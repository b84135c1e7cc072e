"""Schema setup, the one place where the two engines differ.

Versioned labels (units, organisations, people, ratings: several versions per identity,
see :mod:`.conditions`) get a plain index on their identity on both engines; unique
identities (sync run ids, the lock, accounts) get uniqueness constraints on Neo4j 5 and an
index plus a ``GRAPH.CONSTRAINT`` on FalkorDB, which has no Cypher constraint syntax.
Both engines also get plain indexes on the properties the catalog filters by.
"""

from __future__ import annotations

from .cypher import cypher
from .vocabulary import (
    LABEL_ACCOUNT,
    LABEL_FUNDING,
    LABEL_INCIDENT,
    LABEL_LOGIN_SESSION,
    LABEL_LOGIN_THROTTLE,
    LABEL_NAMING,
    LABEL_ORGANISATION,
    LABEL_PERSON,
    LABEL_RATING,
    LABEL_SCORE,
    LABEL_SNAPSHOT_SUMMARY,
    LABEL_SYNC_RUN,
    LABEL_UNIT,
)

__all__ = [
    "KEYS",
    "LOOKUPS",
    "META_KEYS",
    "UNIQUE_KEYS",
    "VERSIONED_KEYS",
    "falkordb_index_statements",
    "falkordb_meta_index_statements",
    "neo4j_meta_schema_statements",
    "neo4j_schema_statements",
]

#: The identity property of each label (indexed).
KEYS: dict[str, str] = {
    LABEL_UNIT: "code",
    LABEL_ORGANISATION: "code",
    LABEL_PERSON: "code",
    LABEL_RATING: "key",
    LABEL_SCORE: "key",
    LABEL_NAMING: "key",
    LABEL_INCIDENT: "key",
    LABEL_FUNDING: "key",
    LABEL_SYNC_RUN: "id",
}
#: Labels whose nodes are versions (several per identity, one per snapshot span): their
#: identity is indexed, not unique.
VERSIONED_KEYS: dict[str, str] = {k: v for k, v in KEYS.items() if k != LABEL_SYNC_RUN}
#: Unique identities.
UNIQUE_KEYS: dict[str, str] = {LABEL_SYNC_RUN: "id"}
#: Secondary properties queries filter by.  Only what a query uses: FalkorDB rebuilds every
#: index when it loads its snapshot (5–6 s of a 10 s restart at province scale), and each
#: index also costs every write.
LOOKUPS: dict[str, tuple[str, ...]] = {
    LABEL_UNIT: ("level",),
    LABEL_ORGANISATION: ("kind",),
    # duplicate_people: the marked people (dup_shared), then each one's matches by
    # ID-number hash and by dup_key (loaders/duplicates.py).
    LABEL_PERSON: ("id_hash", "dup_key", "dup_shared"),
}

# Index texts are written out (not formatted from KEYS) so that each is a literal the
# linter sees; a test checks they cover KEYS and LOOKUPS exactly.
_FALKOR_INDEXES = {
    (LABEL_UNIT, "code"): "CREATE INDEX FOR (n:Unit) ON (n.code)",
    (LABEL_ORGANISATION, "code"): "CREATE INDEX FOR (n:Organisation) ON (n.code)",
    (LABEL_PERSON, "code"): "CREATE INDEX FOR (n:Person) ON (n.code)",
    (LABEL_RATING, "key"): "CREATE INDEX FOR (n:Rating) ON (n.key)",
    (LABEL_SCORE, "key"): "CREATE INDEX FOR (n:Score) ON (n.key)",
    (LABEL_NAMING, "key"): "CREATE INDEX FOR (n:Naming) ON (n.key)",
    (LABEL_INCIDENT, "key"): "CREATE INDEX FOR (n:Incident) ON (n.key)",
    (LABEL_FUNDING, "key"): "CREATE INDEX FOR (n:Funding) ON (n.key)",
    (LABEL_SYNC_RUN, "id"): "CREATE INDEX FOR (n:SyncRun) ON (n.id)",
    (LABEL_UNIT, "level"): "CREATE INDEX FOR (n:Unit) ON (n.level)",
    (LABEL_ORGANISATION, "kind"): "CREATE INDEX FOR (n:Organisation) ON (n.kind)",
    (LABEL_PERSON, "id_hash"): "CREATE INDEX FOR (n:Person) ON (n.id_hash)",
    (LABEL_PERSON, "dup_key"): "CREATE INDEX FOR (n:Person) ON (n.dup_key)",
    (LABEL_PERSON, "dup_shared"): "CREATE INDEX FOR (n:Person) ON (n.dup_shared)",
}
for (_label, _prop), _text in _FALKOR_INDEXES.items():
    cypher(f"schema.falkordb.{_label}.{_prop}", _text)

_NEO4J_SCHEMA = (
    # Versioned labels: older redgov made their identities unique; several versions now
    # share one, so those constraints go and plain indexes take their place.
    cypher("schema.neo4j.drop_unit_code", "DROP CONSTRAINT redgov_unit_code IF EXISTS",
           neo4j_only=True),
    cypher("schema.neo4j.drop_org_code", "DROP CONSTRAINT redgov_org_code IF EXISTS",
           neo4j_only=True),
    cypher("schema.neo4j.drop_person_code", "DROP CONSTRAINT redgov_person_code IF EXISTS",
           neo4j_only=True),
    cypher("schema.neo4j.drop_rating_key", "DROP CONSTRAINT redgov_rating_key IF EXISTS",
           neo4j_only=True),
    cypher("schema.neo4j.unit_code",
           "CREATE INDEX redgov_unit_code_idx IF NOT EXISTS FOR (n:Unit) ON (n.code)",
           neo4j_only=True),
    cypher("schema.neo4j.org_code",
           "CREATE INDEX redgov_org_code_idx IF NOT EXISTS FOR (n:Organisation) ON (n.code)",
           neo4j_only=True),
    cypher("schema.neo4j.person_code",
           "CREATE INDEX redgov_person_code_idx IF NOT EXISTS FOR (n:Person) ON (n.code)",
           neo4j_only=True),
    cypher("schema.neo4j.rating_key",
           "CREATE INDEX redgov_rating_key_idx IF NOT EXISTS FOR (n:Rating) ON (n.key)",
           neo4j_only=True),
    cypher("schema.neo4j.score_key",
           "CREATE INDEX redgov_score_key_idx IF NOT EXISTS FOR (n:Score) ON (n.key)",
           neo4j_only=True),
    cypher("schema.neo4j.naming_key",
           "CREATE INDEX redgov_naming_key_idx IF NOT EXISTS FOR (n:Naming) ON (n.key)",
           neo4j_only=True),
    cypher("schema.neo4j.incident_key",
           "CREATE INDEX redgov_incident_key_idx IF NOT EXISTS FOR (n:Incident) ON (n.key)",
           neo4j_only=True),
    cypher("schema.neo4j.funding_key",
           "CREATE INDEX redgov_funding_key_idx IF NOT EXISTS FOR (n:Funding) ON (n.key)",
           neo4j_only=True),
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
    cypher(
        "schema.neo4j.person_id_hash",
        "CREATE INDEX redgov_person_id_hash IF NOT EXISTS FOR (n:Person) ON (n.id_hash)",
        neo4j_only=True,
    ),
    # duplicate_people no longer looks people up by name (dup_key instead).
    cypher(
        "schema.neo4j.drop_person_name",
        "DROP INDEX redgov_person_name IF EXISTS",
        neo4j_only=True,
    ),
    cypher(
        "schema.neo4j.person_dup_key",
        "CREATE INDEX redgov_person_dup_key IF NOT EXISTS FOR (n:Person) ON (n.dup_key)",
        neo4j_only=True,
    ),
    cypher(
        "schema.neo4j.person_dup_shared",
        "CREATE INDEX redgov_person_dup_shared IF NOT EXISTS FOR (n:Person) ON (n.dup_shared)",
        neo4j_only=True,
    ),
)


def falkordb_index_statements() -> dict[tuple[str, str], str]:
    """(label, property) → CREATE INDEX text, for FalkorDB."""
    return dict(_FALKOR_INDEXES)


def neo4j_schema_statements() -> tuple[str, ...]:
    """Idempotent constraint and index statements for Neo4j 5."""
    return _NEO4J_SCHEMA


# -- the metadata space (Store.read_meta / write_meta): accounts and login throttling ------
#: Unique names.  On FalkorDB these live in their own graph key (``<graph>__meta``), on
#: Neo4j in the same database under labels no governance query matches.
META_KEYS: dict[str, str] = {LABEL_ACCOUNT: "name", LABEL_LOGIN_THROTTLE: "name",
                             LABEL_LOGIN_SESSION: "key", LABEL_SNAPSHOT_SUMMARY: "key"}
_FALKOR_META_INDEXES = {
    (LABEL_ACCOUNT, "name"): cypher(
        "schema.falkordb.meta.account_name", "CREATE INDEX FOR (n:Account) ON (n.name)"),
    (LABEL_LOGIN_THROTTLE, "name"): cypher(
        "schema.falkordb.meta.throttle_name", "CREATE INDEX FOR (n:LoginThrottle) ON (n.name)"),
    (LABEL_LOGIN_SESSION, "key"): cypher(
        "schema.falkordb.meta.session_key", "CREATE INDEX FOR (n:LoginSession) ON (n.key)"),
    (LABEL_SNAPSHOT_SUMMARY, "key"): cypher(
        "schema.falkordb.meta.summary_key", "CREATE INDEX FOR (n:SnapshotSummary) ON (n.key)"),
}
_NEO4J_META_SCHEMA = (
    cypher(
        "schema.neo4j.account_name",
        "CREATE CONSTRAINT redgov_account_name IF NOT EXISTS "
        "FOR (n:Account) REQUIRE n.name IS UNIQUE",
        neo4j_only=True,
    ),
    cypher(
        "schema.neo4j.throttle_name",
        "CREATE CONSTRAINT redgov_throttle_name IF NOT EXISTS "
        "FOR (n:LoginThrottle) REQUIRE n.name IS UNIQUE",
        neo4j_only=True,
    ),
    cypher(
        "schema.neo4j.session_key",
        "CREATE CONSTRAINT redgov_session_key IF NOT EXISTS "
        "FOR (n:LoginSession) REQUIRE n.key IS UNIQUE",
        neo4j_only=True,
    ),
    cypher(
        "schema.neo4j.summary_key",
        "CREATE CONSTRAINT redgov_summary_key IF NOT EXISTS "
        "FOR (n:SnapshotSummary) REQUIRE n.key IS UNIQUE",
        neo4j_only=True,
    ),
)


def falkordb_meta_index_statements() -> dict[tuple[str, str], str]:
    """(label, property) → CREATE INDEX text for the FalkorDB metadata graph (then a
    unique constraint on each, as for :data:`KEYS`)."""
    return dict(_FALKOR_META_INDEXES)


def neo4j_meta_schema_statements() -> tuple[str, ...]:
    """Idempotent uniqueness constraints for the metadata labels on Neo4j 5."""
    return _NEO4J_META_SCHEMA
