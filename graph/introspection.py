"""What is in the graph: counts per label and relation type, and the sync runs.

Used by ``redgov status`` and the dashboard's sync page; kept apart from the stores so the
same Cypher serves both engines.
"""

from __future__ import annotations

from typing import Any

from .cypher import cypher
from .stores.base import Store
from .vocabulary import META_LABELS

__all__ = ["graph_counts", "last_sync_run", "status", "sync_runs"]

_NODE_COUNTS = cypher(
    "introspection.node_counts",
    """
MATCH (n)
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


def graph_counts(store: Store) -> tuple[dict[str, int], dict[str, int]]:
    # On Neo4j accounts share the database: they are not governance data, never counted.
    nodes = {r["label"]: int(r["n"])
             for r in store.read(_NODE_COUNTS, {"meta_labels": list(META_LABELS)})}
    rels = {r["type"]: int(r["n"]) for r in store.read(_REL_COUNTS)}
    return nodes, rels


def sync_runs(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    """Newest first."""
    return [r["run"] for r in store.read(_SYNC_RUNS, {"limit": limit})]


def last_sync_run(store: Store) -> dict[str, Any] | None:
    runs = sync_runs(store, 1)
    return runs[0] if runs else None


def status(store: Store) -> dict[str, Any]:
    nodes, rels = graph_counts(store)
    return {
        "store": store.description,
        "engine": store.engine,
        "engine_version": store.version(),
        "nodes": nodes,
        "relations": rels,
        "last_sync": last_sync_run(store),
    }
