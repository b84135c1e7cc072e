"""The ONE place that says what may legitimately differ between the two engines' answers.

The differential test (test_differential.py) syncs the same exports into FalkorDB and
Neo4j and compares graphs and catalog answers after :func:`normalise`.  Everything not
listed here must be equal; a difference that needs a new rule here is a bug unless it is
a property of the drivers or of the run itself:

**Run identity and clock** — the only rule.  Each sync draws a fresh run id
(``SyncRun.id``, and the ``run`` property every node and relation written by it carries)
and reads the clock (``started_at``, ``finished_at``, ``duration_s``, and the phase
timings ``phases`` / ``phases_json``).  Run ids are replaced by their position in the sync
order (``run#1``, ``run#2`` …); the clock fields are dropped.

Nothing else is normalised: not integer vs float (on these data sets both engines return
``int`` for every integer and every aggregate of integers, so no rule is needed — a
``3`` vs ``3.0`` would show in CSV output and is treated as a bug), not ordering (rows
are compared as lists, in the catalog's order), not nulls, dates or strings.
"""

from __future__ import annotations

import json
from typing import Any

from redgov.graph.cypher import cypher

CLOCK_FIELDS = frozenset({"started_at", "finished_at", "duration_s", "phases", "phases_json"})


def normalise(value: Any, run_ids: dict[str, str] | None = None) -> Any:
    """``value`` with run ids mapped through ``run_ids`` and clock fields dropped."""
    runs = run_ids or {}
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return runs.get(value, value)
    if isinstance(value, dict):
        return {k: normalise(v, runs) for k, v in value.items() if k not in CLOCK_FIELDS}
    if isinstance(value, list | tuple):
        return [normalise(v, runs) for v in value]
    return value


def run_map(run_ids: list[str]) -> dict[str, str]:
    """Run ids in the order their syncs ran → ``run#1``, ``run#2`` …"""
    return {rid: f"run#{i}" for i, rid in enumerate(run_ids, 1)}


# --- what readers see at one snapshot ---------------------------------------------------

#: Version bookkeeping left out of :func:`dump_at`: which snapshots a version spans and
#: which run wrote it say how the graph got there, not what a reader sees.
BOOKKEEPING = frozenset({"vf", "vt", "run"})

_LIVE_NODES = cypher(
    "test.snapshot.dump_live_nodes",
    "MATCH (n) WHERE @live(n) RETURN labels(n) AS labels, properties(n) AS props",
)
_LIVE_RELS = cypher(
    "test.snapshot.dump_live_rels",
    """
MATCH (a)-[r]->(b)
WHERE @live(r)
RETURN type(r) AS type, properties(r) AS props,
       labels(a) AS a_labels, coalesce(a.code, a.key) AS a_id, a.vf AS a_vf, a.vt AS a_vt,
       labels(b) AS b_labels, coalesce(b.code, b.key) AS b_id, b.vf AS b_vf, b.vt AS b_vt
""",
)
_ALL_VERSIONS = cypher(
    "test.snapshot.all_versions",
    """
MATCH (n) WHERE n.vf IS NOT NULL
RETURN labels(n) AS labels, properties(n) AS props, null AS a_id, null AS b_id
UNION ALL
MATCH (a)-[r]->(b) WHERE r.vf IS NOT NULL
RETURN [type(r)] AS labels, properties(r) AS props,
       coalesce(a.code, a.key) AS a_id, coalesce(b.code, b.key) AS b_id
""",
)


def _visible(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in BOOKKEEPING}


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def dump_at(store: Any, ordinal: int) -> tuple[list[str], list[str]]:
    """Every node and relation live at snapshot ``ordinal``, as sorted JSON lines.

    Properties minus :data:`BOOKKEEPING`; a relation names its ends by label and identity
    (``code`` or ``key``), not by their properties, so a relation re-pointed to a new
    version of an unchanged end dumps the same.  ``SyncRun`` nodes carry no ``vf`` and
    are not part of any snapshot.  Raises AssertionError when a live relation joins an
    end that is not live at ``ordinal`` (the contract: a node reached through a live
    relation is live) — a dump that silently dropped or kept such a relation would hide
    exactly the mix of snapshots the tests look for.
    """
    params = {"snapshot": ordinal}
    nodes = sorted(_line([sorted(r["labels"]), _visible(r["props"])])
                   for r in store.read(_LIVE_NODES, params))
    rels: list[str] = []
    for r in store.read(_LIVE_RELS, params):
        for end in ("a", "b"):
            vf, vt = r[f"{end}_vf"], r[f"{end}_vt"]
            assert vf is not None and vf <= ordinal < vt, (
                f"live {r['type']} {r['props'].get('key', '')} at snapshot {ordinal} joins "
                f"{r[f'{end}_id']} whose version spans [{vf}, {vt})")
        rels.append(_line([r["type"], _visible(r["props"]), sorted(r["a_labels"]), r["a_id"],
                           sorted(r["b_labels"]), r["b_id"]]))
    return nodes, sorted(rels)


def versions(store: Any, drop: frozenset[str] = frozenset({"run"})) -> list[str]:
    """Every version the loader wrote (published or not), properties minus ``drop``, as
    sorted JSON lines: what storage holds, for counting and for comparing two histories
    (run ids differ between two graphs, ordinals do not)."""
    return sorted(
        _line([r["labels"], {k: v for k, v in r["props"].items() if k not in drop},
               r["a_id"], r["b_id"]])
        for r in store.read(_ALL_VERSIONS)
    )


def identities(dump: tuple[list[str], list[str]]) -> list[tuple[Any, ...]]:
    """The identity of every element of a :func:`dump_at` (label/type and code, key or
    ends): at one snapshot each identity may appear once."""
    out: list[tuple[Any, ...]] = []
    for line in dump[0]:
        labels, props = json.loads(line)
        out.append((tuple(labels), props.get("code", props.get("key"))))
    for line in dump[1]:
        type_, props, _, a_id, _, b_id = json.loads(line)
        out.append((type_, props["key"]) if "key" in props else (type_, a_id, b_id))
    return out
