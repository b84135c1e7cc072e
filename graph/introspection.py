"""What is in the graph: counts per label and relation type, and the sync runs.

Used by ``redgov status`` and the dashboard's sync page; kept apart from the stores so the
same Cypher serves both engines.  Counts are taken at one published snapshot: only the
versions live in it (``@live``), never ``SyncRun`` nodes (not versioned: the snapshots'
own records) nor the metadata labels (accounts on Neo4j).

Counting scans every node and relation (seconds on a province), but a published snapshot
never changes, so ``status`` counts each snapshot once and keeps the counts in the store's
metadata space (:mod:`.summaries`): every later ``redgov status`` (on any host, after a
restart too) reads them back in one lookup.
"""

from __future__ import annotations

from typing import Any

from .cypher import cypher
from .snapshots import NO_SNAPSHOT, Snapshot, list_snapshots, resolve
from .stores.base import Store
from .summaries import kept
from .vocabulary import LABEL_COMPOUND_FACT, LABEL_PARTY_ORG_FACT, LABEL_SYNC_RUN, META_LABELS

__all__ = ["counts_at", "graph_counts", "last_sync_run", "status", "sync_runs"]

_NODE_COUNTS = cypher(
    "introspection.node_counts",
    """
MATCH (n)
WHERE @live(n)
UNWIND labels(n) AS label
WITH label
WHERE NOT label IN $meta_labels
RETURN label, count(*) AS n
ORDER BY label
""",
)
_REL_COUNTS = cypher(
    "introspection.rel_counts",
    """
MATCH ()-[r]->()
WHERE @live(r)
RETURN type(r) AS type, count(*) AS n
ORDER BY type
""",
)
_SYNC_RUNS = cypher(
    "introspection.sync_runs",
    """
MATCH (r:SyncRun)
RETURN properties(r) AS run
ORDER BY r.started_at DESC
LIMIT $limit
""",
)


def graph_counts(
    store: Store, snapshot: int | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relations per type live at ``snapshot`` (an ordinal; None: the
    latest published)."""
    pin: dict[str, Any] = {} if snapshot is None else {"snapshot": snapshot}
    # On Neo4j accounts share the database: they are not governance data, never counted;
    # nor are the facts computed from the graph (graph/compound_facts.py, org_facts.py).
    hidden = sorted({*META_LABELS, LABEL_SYNC_RUN, LABEL_COMPOUND_FACT, LABEL_PARTY_ORG_FACT})
    nodes = {r["label"]: int(r["n"])
             for r in store.read(_NODE_COUNTS, {"meta_labels": hidden, **pin})}
    rels = {r["type"]: int(r["n"]) for r in store.read(_REL_COUNTS, pin)}
    return nodes, rels


def counts_at(store: Store, snapshot: Snapshot | None) -> tuple[dict[str, int], dict[str, int]]:
    """:func:`graph_counts` at ``snapshot``, kept for it.  Counting scans every node and
    relation (about 10 s at province), so the warm step after a sync keeps them
    (dashboard/warm.py) and a ``redgov status`` after it reads them."""
    nodes, rels = kept(
        store, "status.counts", snapshot,
        lambda: graph_counts(store, snapshot.ordinal if snapshot is not None else NO_SNAPSHOT))
    return dict(nodes), dict(rels)


def sync_runs(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    """Newest first."""
    return [r["run"] for r in store.read(_SYNC_RUNS, {"limit": limit})]


def last_sync_run(store: Store) -> dict[str, Any] | None:
    runs = sync_runs(store, 1)
    return runs[0] if runs else None


def status(store: Store, snapshot: Snapshot | str | None = None) -> dict[str, Any]:
    """The store, its engine, the counts at ``snapshot`` (a resolved one, a date, a run id;
    default the latest), the published snapshots (oldest first) and the last sync run.

    Raises :class:`~redgov.graph.snapshots.SnapshotNotFound` for a value naming none.
    """
    chosen = snapshot if isinstance(snapshot, Snapshot) else resolve(store.read, snapshot)
    snapshots = list_snapshots(store.read)
    nodes, rels = counts_at(store, chosen)
    return {
        "store": store.description,
        "engine": store.engine,
        "engine_version": store.version(),
        "snapshot": chosen.to_json() if chosen is not None else None,
        "nodes": nodes,
        "relations": rels,
        "snapshots": [s.to_json() for s in snapshots],
        "last_sync": last_sync_run(store),
    }
