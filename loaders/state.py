"""What the graph already holds, read once per sync and then handled as plain data.

The diff and the reference checks need, per registry table, each record's identity and
``sig`` (and whether it is retired); units and organisations also need the fields the
level rules, the company checks and the unit ancestry use.  Everything is read with a
few whole-label queries before validation starts, so validation and diff stay pure.

Retired records are kept with their signature prefixed by ``~`` (one string per record
instead of a tuple: at a million people that halves the memory).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..graph.cypher import cypher
from ..graph.snapshots import NO_SNAPSHOT, latest
from ..graph.stores.base import Store
from .mapping import NODE_MAPS, REL_MAPS, NodeMap, RelMap
from .schema import ORG_T, UNIT_T

__all__ = ["ANCESTRY", "GraphState", "UnitInfo", "is_retired", "read_state"]

RETIRED_MARK = "~"
#: The denormalised ancestry fields of a unit, in level order (docs/model.md).
ANCESTRY = (
    "city_code", "city_name", "district_code", "district_name",
    "street_code", "street_name", "community_code", "community_name",
)


def is_retired(stored: str) -> bool:
    return stored.startswith(RETIRED_MARK)


def mark(sig: str | None, retired: bool | None) -> str:
    return (RETIRED_MARK if retired else "") + (sig or "")


@dataclass
class UnitInfo:
    level: str | None
    name: str | None
    parent_code: str | None
    ancestry: tuple[Any, ...] = ()


@dataclass
class GraphState:
    """Per registry table (Chinese name): identity → sig (``~sig`` when retired)."""

    sigs: dict[str, dict[str, str]] = field(default_factory=dict)
    units: dict[str, UnitInfo] = field(default_factory=dict)
    org_kinds: dict[str, str | None] = field(default_factory=dict)
    org_parents: dict[str, str | None] = field(default_factory=dict)
    #: the published snapshot this state was read at
    snapshot: int = 0
    #: taken from the bundle kept at that snapshot (loaders/kept.py), not read from the graph
    kept: bool = False

    def table(self, name: str) -> dict[str, str]:
        return self.sigs.setdefault(name, {})


#: Units and organisations are read whole (the level rules, the company checks and the
#: unit ancestry need their fields): one hand-written text each.
_WHOLE = (UNIT_T, ORG_T)
_UNITS = cypher(
    "sync.state.units",
    """
MATCH (u:Unit)
WHERE @live(u)
RETURN u.code AS code, u.sig AS sig, u.retired AS retired, u.level AS level, u.name AS name,
       u.parent_code AS parent_code,
       [u.city_code, u.city_name, u.district_code, u.district_name, u.street_code,
        u.street_name, u.community_code, u.community_name] AS ancestry
""",
)
_ORGS = cypher(
    "sync.state.orgs",
    """
MATCH (o:Organisation)
WHERE @live(o)
RETURN o.code AS code, o.sig AS sig, o.retired AS retired, o.kind AS kind,
       o.parent_code AS parent_code
""",
)
# Keyed records come back as ONE row holding a list of "identity sig" strings (identities
# never contain spaces): parsing a million one-cell rows costs the client ~40 µs each,
# a million list items a few µs.  A retired record's sig is prefixed with "~".  One text
# per keyed label and per relation type, generated from the table declarations
# (loaders/schema.py) and each registered, so the lint test sees it.
_ITEMS = ("collect({v}.{key} + ' ' + CASE WHEN {v}.retired THEN '~' ELSE '' END"
          " + coalesce({v}.sig, ''))")


def _node_read(nm: NodeMap) -> str:
    items = _ITEMS.format(v="n", key=nm.key)
    return cypher(f"sync.state.{nm.label}",
                  f"\nMATCH (n:{nm.label})\nWHERE @live(n)\nRETURN {items}\n       AS items\n")


def _end(labels: tuple[str, ...]) -> str:
    return f"(:{labels[0]})" if len(labels) == 1 else "()"


def _rel_read(rm: RelMap, rel_type: str) -> str:
    items = _ITEMS.format(v="e", key="key")
    return cypher(f"sync.state.{rel_type}", f"""
MATCH {_end(rm.src_labels)}-[e:{rel_type}]->{_end(rm.dst_labels)}
WHERE @live(e)
RETURN {items}
       AS items
""")


_KEYED: tuple[tuple[str, str], ...] = (
    *((nm.table, _node_read(nm)) for nm in NODE_MAPS.values() if nm.table not in _WHOLE),
    *((rm.table, _rel_read(rm, t)) for rm in REL_MAPS.values() for t in rm.types),
)


def read_state(store: Store) -> GraphState:
    """The graph as the latest published snapshot holds it (one ordinal for every read:
    a sync publishing meanwhile is caught by the re-check under the writer's lock)."""
    state = GraphState()
    state.snapshot = latest(store.read)
    if state.snapshot == NO_SNAPSHOT:
        # Nothing published yet: every version has vf >= 1, so no read below could find
        # one.  Skipping them spares a first sync ~15 reads, each planned anew on Neo4j.
        return state
    pin = {"snapshot": state.snapshot}
    units = state.table(UNIT_T)
    for r in store.read(_UNITS, pin):
        units[r["code"]] = mark(r["sig"], r["retired"])
        state.units[r["code"]] = UnitInfo(
            r["level"], r["name"], r["parent_code"], tuple(r["ancestry"] or ())
        )
    orgs = state.table(ORG_T)
    for r in store.read(_ORGS, pin):
        orgs[r["code"]] = mark(r["sig"], r["retired"])
        state.org_kinds[r["code"]] = r["kind"]
        state.org_parents[r["code"]] = r["parent_code"]
    for table, query in _KEYED:
        sigs = state.table(table)
        for r in store.read(query, pin):
            for item in r["items"] or ():
                key, _, stored = item.partition(" ")
                sigs[key] = stored
    return state
