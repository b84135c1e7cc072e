"""Schema setup, the one place where the two engines differ.

Versioned labels (units, organisations, people, ratings: several versions per identity,
see :mod:`.conditions`) get a plain index on their identity on both engines; unique
identities (sync run ids, the lock, accounts) get uniqueness constraints on Neo4j 5 and an
index plus a ``GRAPH.CONSTRAINT`` on FalkorDB, which has no Cypher constraint syntax.
Both engines also get plain indexes on the properties the catalog filters by.

Who creates them: the store itself, whenever a writer takes the lock (``writing()``, which
every sync uses, and ``transaction()``) and before its first metadata write — it lists what
the engine holds and runs only what is missing (:func:`neo4j_missing`,
:func:`falkordb_missing`), so a production server gets its indexes from its first sync, an
older store gets the ones added here since, a store that has them all pays two listings,
and a read never tries (a read-only account need not be allowed to; FalkorDB's one
exception: a graph that does not exist at all is made, empty and with its schema, by the
first read, since FalkorDB cannot read a missing graph).  ``setup_schema()`` is the same
check, called by hand (tests, benchmarks).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .cypher import cypher
from .vocabulary import (
    LABEL_ACCOUNT,
    LABEL_COMPOUND_FACT,
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
    "FALKORDB_LIST_CONSTRAINTS",
    "FALKORDB_LIST_INDEXES",
    "KEYS",
    "LOOKUPS",
    "META_KEYS",
    "NEO4J_LIST_CONSTRAINTS",
    "NEO4J_LIST_INDEXES",
    "RETIRED",
    "UNIQUE_KEYS",
    "VERSIONED_KEYS",
    "FalkorSteps",
    "Present",
    "falkordb_index_statements",
    "falkordb_meta_index_statements",
    "falkordb_meta_missing",
    "falkordb_missing",
    "falkordb_present",
    "neo4j_meta_missing",
    "neo4j_meta_schema_statements",
    "neo4j_missing",
    "neo4j_present",
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
    LABEL_COMPOUND_FACT: "code",
    LABEL_SYNC_RUN: "id",
}
#: Labels whose nodes are versions (several per identity, one per snapshot span): their
#: identity is indexed, not unique.
VERSIONED_KEYS: dict[str, str] = {k: v for k, v in KEYS.items() if k != LABEL_SYNC_RUN}
#: The Neo4j writers' lock node (stores/neo4j_store.py); unique by name.
_LOCK_LABEL = "RedgovLock"
#: Unique identities.
UNIQUE_KEYS: dict[str, str] = {LABEL_SYNC_RUN: "id"}
#: Secondary properties queries filter by.  Only what a query uses: FalkorDB rebuilds every
#: index when it loads its snapshot (5–6 s of a 10 s restart at province scale), and each
#: index also costs every write.
LOOKUPS: dict[str, tuple[str, ...]] = {
    # The dashboard's reads of a unit's subtree (dashboard/reads.py): each ancestor code
    # seeked by its index instead of every unit scanned (at province, 57,654 units).
    LABEL_UNIT: ("level", "community_code", "street_code", "district_code", "city_code"),
    LABEL_ORGANISATION: ("kind",),
    # duplicate_people: the marked people (dup_shared), then each one's matches by
    # ID-number hash and by dup_key (loaders/duplicates.py).
    LABEL_PERSON: ("id_hash", "dup_key", "dup_shared"),
    # coverage_rollup from facts: the compounds under one unit of the rolled-up level.
    LABEL_COMPOUND_FACT: ("community_code", "street_code", "district_code", "city_code"),
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
    (LABEL_UNIT, "community_code"): "CREATE INDEX FOR (n:Unit) ON (n.community_code)",
    (LABEL_UNIT, "street_code"): "CREATE INDEX FOR (n:Unit) ON (n.street_code)",
    (LABEL_UNIT, "district_code"): "CREATE INDEX FOR (n:Unit) ON (n.district_code)",
    (LABEL_UNIT, "city_code"): "CREATE INDEX FOR (n:Unit) ON (n.city_code)",
    (LABEL_ORGANISATION, "kind"): "CREATE INDEX FOR (n:Organisation) ON (n.kind)",
    (LABEL_PERSON, "id_hash"): "CREATE INDEX FOR (n:Person) ON (n.id_hash)",
    (LABEL_COMPOUND_FACT, "code"): "CREATE INDEX FOR (n:CompoundFact) ON (n.code)",
    (LABEL_COMPOUND_FACT, "community_code"):
        "CREATE INDEX FOR (n:CompoundFact) ON (n.community_code)",
    (LABEL_COMPOUND_FACT, "street_code"): "CREATE INDEX FOR (n:CompoundFact) ON (n.street_code)",
    (LABEL_COMPOUND_FACT, "district_code"):
        "CREATE INDEX FOR (n:CompoundFact) ON (n.district_code)",
    (LABEL_COMPOUND_FACT, "city_code"): "CREATE INDEX FOR (n:CompoundFact) ON (n.city_code)",
    (LABEL_PERSON, "dup_key"): "CREATE INDEX FOR (n:Person) ON (n.dup_key)",
    (LABEL_PERSON, "dup_shared"): "CREATE INDEX FOR (n:Person) ON (n.dup_shared)",
}
for (_label, _prop), _text in _FALKOR_INDEXES.items():
    cypher(f"schema.falkordb.{_label}.{_prop}", _text)

#: Indexes an older redgov made that nothing reads any more: a writer taking the lock drops
#: them where the graph still has them.  Each costs every write of its label and, on
#: FalkorDB, its share of every restart (the engine rebuilds all indexes while it loads,
#: before it answers).  ``Person.name`` was read by the old ``duplicate_people`` grouping;
#: the question now looks people up by ``dup_key``/``id_hash`` from ``dup_shared`` and the
#: people search uses ``CONTAINS``, which no index serves.
RETIRED: frozenset[tuple[str, str]] = frozenset({(LABEL_PERSON, "name")})
# FalkorDB's form (Neo4j 5 removed it: Neo4j drops its index by name, below).
_FALKOR_DROPS = {
    (LABEL_PERSON, "name"): cypher("schema.falkordb.drop.Person.name",
                                   "DROP INDEX ON :Person(name)", falkordb_only=True),
}

@dataclass(frozen=True)
class _Neo4jItem:
    """One Neo4j schema statement and what the engine lists once it has run."""

    #: "index" (plain range index), "unique" (constraint), "drop" (a constraint) or
    #: "drop_index" (a retired plain index, by name)
    kind: str
    label: str
    prop: str
    name: str  # the index's or constraint's name
    text: str


def _n4j(kind: str, label: str, prop: str, name: str, registered: str, text: str) -> _Neo4jItem:
    return _Neo4jItem(kind, label, prop, name, cypher(registered, text, neo4j_only=True))


_NEO4J_ITEMS = (
    # Versioned labels: older redgov made their identities unique; several versions now
    # share one, so those constraints go and plain indexes take their place.
    _n4j("drop", LABEL_UNIT, "code", "redgov_unit_code", "schema.neo4j.drop_unit_code",
         "DROP CONSTRAINT redgov_unit_code IF EXISTS"),
    _n4j("drop", LABEL_ORGANISATION, "code", "redgov_org_code", "schema.neo4j.drop_org_code",
         "DROP CONSTRAINT redgov_org_code IF EXISTS"),
    _n4j("drop", LABEL_PERSON, "code", "redgov_person_code", "schema.neo4j.drop_person_code",
         "DROP CONSTRAINT redgov_person_code IF EXISTS"),
    _n4j("drop", LABEL_RATING, "key", "redgov_rating_key", "schema.neo4j.drop_rating_key",
         "DROP CONSTRAINT redgov_rating_key IF EXISTS"),
    _n4j("index", LABEL_UNIT, "code", "redgov_unit_code_idx", "schema.neo4j.unit_code",
         "CREATE INDEX redgov_unit_code_idx IF NOT EXISTS FOR (n:Unit) ON (n.code)"),
    _n4j("index", LABEL_ORGANISATION, "code", "redgov_org_code_idx", "schema.neo4j.org_code",
         "CREATE INDEX redgov_org_code_idx IF NOT EXISTS FOR (n:Organisation) ON (n.code)"),
    _n4j("index", LABEL_PERSON, "code", "redgov_person_code_idx", "schema.neo4j.person_code",
         "CREATE INDEX redgov_person_code_idx IF NOT EXISTS FOR (n:Person) ON (n.code)"),
    _n4j("index", LABEL_RATING, "key", "redgov_rating_key_idx", "schema.neo4j.rating_key",
         "CREATE INDEX redgov_rating_key_idx IF NOT EXISTS FOR (n:Rating) ON (n.key)"),
    _n4j("index", LABEL_SCORE, "key", "redgov_score_key_idx", "schema.neo4j.score_key",
         "CREATE INDEX redgov_score_key_idx IF NOT EXISTS FOR (n:Score) ON (n.key)"),
    _n4j("index", LABEL_NAMING, "key", "redgov_naming_key_idx", "schema.neo4j.naming_key",
         "CREATE INDEX redgov_naming_key_idx IF NOT EXISTS FOR (n:Naming) ON (n.key)"),
    _n4j("index", LABEL_INCIDENT, "key", "redgov_incident_key_idx",
         "schema.neo4j.incident_key",
         "CREATE INDEX redgov_incident_key_idx IF NOT EXISTS FOR (n:Incident) ON (n.key)"),
    _n4j("index", LABEL_FUNDING, "key", "redgov_funding_key_idx", "schema.neo4j.funding_key",
         "CREATE INDEX redgov_funding_key_idx IF NOT EXISTS FOR (n:Funding) ON (n.key)"),
    _n4j("unique", LABEL_SYNC_RUN, "id", "redgov_run_id", "schema.neo4j.run_id",
         "CREATE CONSTRAINT redgov_run_id IF NOT EXISTS FOR (n:SyncRun) REQUIRE n.id IS UNIQUE"),
    # The writers' lock (stores/neo4j_store.py): without it, two transactions that MERGE the
    # lock node at once each create one and neither waits.
    _n4j("unique", _LOCK_LABEL, "name", "redgov_lock_name", "schema.neo4j.lock_name",
         "CREATE CONSTRAINT redgov_lock_name IF NOT EXISTS "
         "FOR (n:RedgovLock) REQUIRE n.name IS UNIQUE"),
    _n4j("index", LABEL_UNIT, "level", "redgov_unit_level", "schema.neo4j.unit_level",
         "CREATE INDEX redgov_unit_level IF NOT EXISTS FOR (n:Unit) ON (n.level)"),
    # A unit's ancestors' codes (dashboard/reads.py: a unit's subtree).
    *(_n4j("index", LABEL_UNIT, _p, f"redgov_unit_{_p}", f"schema.neo4j.unit_{_p}",
           f"CREATE INDEX redgov_unit_{_p} IF NOT EXISTS FOR (n:Unit) ON (n.{_p})")
      for _p in ("community_code", "street_code", "district_code", "city_code")),
    _n4j("index", LABEL_ORGANISATION, "kind", "redgov_org_kind", "schema.neo4j.org_kind",
         "CREATE INDEX redgov_org_kind IF NOT EXISTS FOR (n:Organisation) ON (n.kind)"),
    _n4j("index", LABEL_PERSON, "id_hash", "redgov_person_id_hash",
         "schema.neo4j.person_id_hash",
         "CREATE INDEX redgov_person_id_hash IF NOT EXISTS FOR (n:Person) ON (n.id_hash)"),
    # Retired (see RETIRED): made by an older redgov, read by nothing now.
    _n4j("drop_index", LABEL_PERSON, "name", "redgov_person_name",
         "schema.neo4j.drop_person_name", "DROP INDEX redgov_person_name IF EXISTS"),
    # Per-compound facts (graph/compound_facts.py): identity and the roll-up's level codes.
    *(_n4j("index", LABEL_COMPOUND_FACT, _p, f"redgov_compound_fact_{_p}",
           f"schema.neo4j.compound_fact_{_p}",
           f"CREATE INDEX redgov_compound_fact_{_p} IF NOT EXISTS "
           f"FOR (n:CompoundFact) ON (n.{_p})")
      for _p in ("code", "community_code", "street_code", "district_code", "city_code")),
    _n4j("index", LABEL_PERSON, "dup_key", "redgov_person_dup_key",
         "schema.neo4j.person_dup_key",
         "CREATE INDEX redgov_person_dup_key IF NOT EXISTS FOR (n:Person) ON (n.dup_key)"),
    _n4j("index", LABEL_PERSON, "dup_shared", "redgov_person_dup_shared",
         "schema.neo4j.person_dup_shared",
         "CREATE INDEX redgov_person_dup_shared IF NOT EXISTS FOR (n:Person) ON (n.dup_shared)"),
)
_NEO4J_SCHEMA = tuple(item.text for item in _NEO4J_ITEMS)


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
_NEO4J_META_ITEMS = (
    _n4j("unique", LABEL_ACCOUNT, "name", "redgov_account_name", "schema.neo4j.account_name",
         "CREATE CONSTRAINT redgov_account_name IF NOT EXISTS "
         "FOR (n:Account) REQUIRE n.name IS UNIQUE"),
    _n4j("unique", LABEL_LOGIN_THROTTLE, "name", "redgov_throttle_name",
         "schema.neo4j.throttle_name",
         "CREATE CONSTRAINT redgov_throttle_name IF NOT EXISTS "
         "FOR (n:LoginThrottle) REQUIRE n.name IS UNIQUE"),
    _n4j("unique", LABEL_LOGIN_SESSION, "key", "redgov_session_key", "schema.neo4j.session_key",
         "CREATE CONSTRAINT redgov_session_key IF NOT EXISTS "
         "FOR (n:LoginSession) REQUIRE n.key IS UNIQUE"),
    _n4j("unique", LABEL_SNAPSHOT_SUMMARY, "key", "redgov_summary_key",
         "schema.neo4j.summary_key",
         "CREATE CONSTRAINT redgov_summary_key IF NOT EXISTS "
         "FOR (n:SnapshotSummary) REQUIRE n.key IS UNIQUE"),
)
_NEO4J_META_SCHEMA = tuple(item.text for item in _NEO4J_META_ITEMS)


def falkordb_meta_index_statements() -> dict[tuple[str, str], str]:
    """(label, property) → CREATE INDEX text for the FalkorDB metadata graph (then a
    unique constraint on each, as for :data:`KEYS`)."""
    return dict(_FALKOR_META_INDEXES)


def neo4j_meta_schema_statements() -> tuple[str, ...]:
    """Idempotent uniqueness constraints for the metadata labels on Neo4j 5."""
    return _NEO4J_META_SCHEMA


# -- ensuring the schema: list what the store holds, add only what is missing -------------
# Each store calls these when it takes the writers' lock (``writing()``, ``transaction()``)
# and before its first metadata write, never on a read: a sync therefore brings a fresh
# or an older store's schema up to this module's, a read-only account never tries to, and
# a store that has it all pays two listings and runs nothing.
NEO4J_LIST_INDEXES = cypher(
    "schema.neo4j.list_indexes",
    "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, owningConstraint",
    neo4j_only=True,
)
NEO4J_LIST_CONSTRAINTS = cypher(
    "schema.neo4j.list_constraints",
    "SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties",
    neo4j_only=True,
)
# FalkorDB-only: Neo4j 5 lists them with SHOW INDEXES / SHOW CONSTRAINTS.
FALKORDB_LIST_INDEXES = cypher(
    "falkordb.list_indexes", "CALL db.indexes() YIELD label, properties", falkordb_only=True
)
FALKORDB_LIST_CONSTRAINTS = cypher(
    "schema.falkordb.list_constraints",
    "CALL db.constraints() YIELD type, label, properties, entitytype",
    falkordb_only=True,
)


@dataclass(frozen=True)
class Present:
    """The schema a graph holds, as its engine lists it."""

    #: (label, property) of each plain single-property node index (not a constraint's own).
    indexes: frozenset[tuple[str, str]] = frozenset()
    #: (label, property) of each single-property node uniqueness constraint.
    unique: frozenset[tuple[str, str]] = frozenset()
    #: Neo4j: the constraints' names (an older redgov's constraints are dropped by name).
    constraint_names: frozenset[str] = frozenset()
    #: Neo4j: the plain indexes' names (a retired index is dropped by name).
    index_names: frozenset[str] = frozenset()


def _pairs(rows: Iterable[Mapping[str, Any]], label: str, props: str) -> frozenset[
        tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for row in rows:
        labels = row.get(label)
        labels = [labels] if isinstance(labels, str) else list(labels or [])
        properties = list(row.get(props) or [])
        if len(labels) == 1 and len(properties) == 1:
            found.add((labels[0], properties[0]))
    return frozenset(found)


def neo4j_present(indexes: Iterable[Mapping[str, Any]],
                  constraints: Iterable[Mapping[str, Any]]) -> Present:
    """What :data:`NEO4J_LIST_INDEXES` and :data:`NEO4J_LIST_CONSTRAINTS` rows say."""
    constraints = list(constraints)
    plain = [r for r in indexes if r.get("type") == "RANGE" and r.get("entityType") == "NODE"
             and not r.get("owningConstraint")]
    unique = [r for r in constraints if "UNIQUENESS" in str(r.get("type") or "")
              and r.get("entityType") == "NODE"]
    return Present(_pairs(plain, "labelsOrTypes", "properties"),
                   _pairs(unique, "labelsOrTypes", "properties"),
                   frozenset(str(r.get("name")) for r in constraints),
                   frozenset(str(r.get("name")) for r in plain))


def falkordb_present(indexes: Iterable[Mapping[str, Any]],
                     constraints: Iterable[Mapping[str, Any]]) -> Present:
    """What :data:`FALKORDB_LIST_INDEXES` and :data:`FALKORDB_LIST_CONSTRAINTS` rows say
    (a constraint still being built counts: asking for it again would fail)."""
    found: set[tuple[str, str]] = set()
    for row in indexes:
        for prop in row.get("properties") or []:
            found.add((row["label"], prop))
    unique = [r for r in constraints if r.get("type") == "UNIQUE"
              and r.get("entitytype", "NODE") == "NODE"]
    return Present(frozenset(found), _pairs(unique, "label", "properties"))


def _neo4j_missing(items: Iterable[_Neo4jItem], present: Present) -> list[str]:
    out = []
    for item in items:
        if item.kind == "drop":
            wanted = item.name in present.constraint_names
        elif item.kind == "drop_index":
            wanted = item.name in present.index_names
        elif item.kind == "unique":
            wanted = (item.label, item.prop) not in present.unique
        else:
            wanted = (item.label, item.prop) not in present.indexes
        if wanted:
            out.append(item.text)
    return out


def neo4j_missing(present: Present) -> list[str]:
    """The statements of :func:`neo4j_schema_statements` a Neo4j graph holding ``present``
    still needs, in order (an older redgov's constraints dropped first: each held the
    index that then has to be made)."""
    return _neo4j_missing(_NEO4J_ITEMS, present)


def neo4j_meta_missing(present: Present) -> list[str]:
    """The same for the metadata labels' constraints."""
    return _neo4j_missing(_NEO4J_META_ITEMS, present)


@dataclass
class FalkorSteps:
    """What a FalkorDB graph still needs: retired indexes to drop and index texts to create
    (Cypher), then ``GRAPH.CONSTRAINT`` commands (not Cypher on FalkorDB) as (``"CREATE"`` or
    ``"DROP"``, label, property)."""

    indexes: list[str] = field(default_factory=list)
    constraints: list[tuple[str, str, str]] = field(default_factory=list)
    drops: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.drops or self.indexes or self.constraints)

    def describe(self) -> tuple[str, ...]:
        """Every step as one line (what a store reports it ran)."""
        return (*self.drops, *self.indexes,
                *(f"GRAPH.CONSTRAINT {op} UNIQUE NODE {label} {prop}"
                  for op, label, prop in self.constraints))


def falkordb_missing(present: Present) -> FalkorSteps:
    """What a FalkorDB graph holding ``present`` still needs: none of the :data:`RETIRED`
    indexes, every index of :data:`KEYS` and :data:`LOOKUPS`, a unique constraint on
    :data:`UNIQUE_KEYS`, and none on the versioned labels (an older redgov made their
    identities unique)."""
    steps = FalkorSteps()
    steps.drops = [text for key, text in _FALKOR_DROPS.items() if key in present.indexes]
    steps.indexes = [text for key, text in _FALKOR_INDEXES.items()
                     if key not in present.indexes]
    steps.constraints = [("DROP", label, prop) for label, prop in VERSIONED_KEYS.items()
                         if (label, prop) in present.unique]
    steps.constraints += [("CREATE", label, prop) for label, prop in UNIQUE_KEYS.items()
                          if (label, prop) not in present.unique]
    return steps


def falkordb_meta_missing(present: Present) -> FalkorSteps:
    """The same for the FalkorDB metadata graph (:data:`META_KEYS`, each unique)."""
    steps = FalkorSteps()
    steps.indexes = [text for key, text in _FALKOR_META_INDEXES.items()
                     if key not in present.indexes]
    steps.constraints = [("CREATE", label, prop) for label, prop in META_KEYS.items()
                         if (label, prop) not in present.unique]
    return steps
