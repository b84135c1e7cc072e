"""Each registry table's place in the graph, declared once.

A node table (单位, 组织, 人员, 评价) becomes a label with an identity property and the
structural relations that mirror its reference columns; a relation table (任职, 监管,
物业服务, 走访) becomes one relation per row between two nodes named by two of its values.
The sync's write texts (:mod:`.cypher_sync`), the diff's cascades (which relation rows go
with a retired node) and the re-pointing of relations when a node gets a new version are
all derived from these maps.  The maps themselves are declared with their tables in
:mod:`.schema`; a relation's properties and the cascades come from the columns there.

>>> NODE_MAPS["组织"].label, [link.type for link in NODE_MAPS["组织"].links]
('Organisation', ['SITS_AT', 'AFFILIATED_UNDER', 'BUILT_IN'])
>>> sorted({(e.type, e.src, e.dst) for e in EDGES if e.type == "SUPERVISES"})[:2]
[('SUPERVISES', 'Organisation', 'Organisation'), ('SUPERVISES', 'Organisation', 'Unit')]
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from .schema import IDENTITY, TABLE_ORDER, Link, NodeMap, RelMap

__all__ = ["EDGES", "IDENTITY", "NODE_MAPS", "REL_MAPS", "Edge", "Link", "NodeMap", "RelMap"]

NODE_MAPS: Final[dict[str, NodeMap]] = {
    t.name: t.graph for t in TABLE_ORDER if isinstance(t.graph, NodeMap)
}


def _rel_map(rm: RelMap, fields: tuple[str, ...], key_tables: tuple[tuple[str, ...], ...]
             ) -> RelMap:
    """A relation table's map with what the declaration implies: every value but the two
    ends and the type chooser is a property of the relation (none can be forgotten)."""
    ends = {rm.src, rm.dst, rm.type_field}
    return replace(rm, props=tuple(f for f in fields if f not in ends), key_tables=key_tables)


REL_MAPS: Final[dict[str, RelMap]] = {
    t.name: _rel_map(t.graph, t.fields, t.key_tables)
    for t in TABLE_ORDER if isinstance(t.graph, RelMap)
}
#: Keyed node tables whose rows go with a retired unit, organisation or person (like
#: relation rows): the node tables each identity part names, by position in the key (from
#: the columns' references; a score's scorer is declared not to cascade).
KEYED_NODE_TABLES: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    t.name: t.key_tables for t in TABLE_ORDER
    if isinstance(t.graph, NodeMap) and t.graph.key == "key"
}
RATING_KEY_TABLES: Final = KEYED_NODE_TABLES["评价"]


@dataclass(frozen=True)
class Edge:
    """A relation type between two labels, as the graph can hold it."""

    type: str
    src: str
    dst: str


def _edges() -> tuple[Edge, ...]:
    found: list[Edge] = []
    for nm in NODE_MAPS.values():
        for link in nm.links:
            for target in link.targets:
                found.append(Edge(link.type, target, nm.label) if link.inbound
                             else Edge(link.type, nm.label, target))
    for rm in REL_MAPS.values():
        for t in rm.types:
            found.extend(Edge(t, s, d) for s in rm.src_labels for d in rm.dst_labels)
    return tuple(dict.fromkeys(found))


#: Every (type, start label, end label) the loader writes: what re-pointing walks.
EDGES: Final = _edges()
