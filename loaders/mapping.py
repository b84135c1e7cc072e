"""Each registry table's place in the graph, declared once.

A node table (单位, 组织, 人员, 评价) becomes a label with an identity property and the
structural relations that mirror its reference columns; a relation table (任职, 监管,
物业服务, 走访) becomes one relation per row between two nodes named by two of its values.
The sync's write texts (:mod:`.cypher_sync`), the diff's cascades (which relation rows go
with a retired node) and the re-pointing of relations when a node gets a new version are
all derived from these declarations, so a table's label, endpoints or properties are
spelt here and nowhere else in the loader.  (How a *column* becomes a value is the row
builder's business, one function per table in :mod:`.records`.)

>>> NODE_MAPS["组织"].label, [link.type for link in NODE_MAPS["组织"].links]
('Organisation', ['SITS_AT', 'AFFILIATED_UNDER', 'BUILT_IN'])
>>> sorted({(e.type, e.src, e.dst) for e in EDGES if e.type == "SUPERVISES"})[:2]
[('SUPERVISES', 'Organisation', 'Organisation'), ('SUPERVISES', 'Organisation', 'Unit')]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ..graph.vocabulary import (
    LABEL_FUNDING,
    LABEL_INCIDENT,
    LABEL_NAMING,
    LABEL_ORGANISATION,
    LABEL_PERSON,
    LABEL_RATING,
    LABEL_SCORE,
    LABEL_UNIT,
    REL,
)

__all__ = ["EDGES", "IDENTITY", "NODE_MAPS", "REL_MAPS", "Edge", "Link", "NodeMap", "RelMap"]

#: The identity property of each versioned label.
IDENTITY: Final = {LABEL_UNIT: "code", LABEL_ORGANISATION: "code", LABEL_PERSON: "code",
                   LABEL_RATING: "key", LABEL_SCORE: "key", LABEL_NAMING: "key",
                   LABEL_INCIDENT: "key", LABEL_FUNDING: "key"}
#: A candidate or an incident's subject: a unit, an organisation or a person (the first
#: label holding the code wins, see apply.py).
_ANY: Final = (LABEL_UNIT, LABEL_ORGANISATION, LABEL_PERSON)


@dataclass(frozen=True)
class Link:
    """A structural relation mirroring one value of a node record (a reference column).

    ``targets``: labels the referenced code may name (the first that holds it wins);
    ``many``: the value is a list of codes; ``inbound``: the relation points from the
    referenced node to this one (a company ``RATED`` its rating).
    """

    type: str
    field: str
    targets: tuple[str, ...]
    many: bool = False
    inbound: bool = False


@dataclass(frozen=True)
class NodeMap:
    table: str
    label: str
    links: tuple[Link, ...] = ()

    @property
    def key(self) -> str:
        return IDENTITY[self.label]


@dataclass(frozen=True)
class RelMap:
    """One relation per row: ``types`` chosen by ``type_field`` (or the only one), from
    the node named by ``src`` to the node named by ``dst``, carrying ``props``."""

    table: str
    types: tuple[str, ...]
    src: str
    src_labels: tuple[str, ...]
    dst: str
    dst_labels: tuple[str, ...]
    props: tuple[str, ...]
    type_field: str | None = None
    #: node tables each identity part names (by position in the key), for cascades.
    key_tables: tuple[tuple[str, ...], ...] = ()


NODE_MAPS: Final = {
    m.table: m
    for m in (
        NodeMap("单位", LABEL_UNIT, (Link(REL.PART_OF, "parent_code", (LABEL_UNIT,)),)),
        NodeMap("组织", LABEL_ORGANISATION, (
            Link(REL.SITS_AT, "unit_code", (LABEL_UNIT,)),
            Link(REL.AFFILIATED_UNDER, "parent_code", (LABEL_ORGANISATION,)),
            Link(REL.BUILT_IN, "built_in_codes", (LABEL_UNIT, LABEL_ORGANISATION), many=True),
        )),
        NodeMap("人员", LABEL_PERSON, (
            Link(REL.LIVES_IN, "home_code", (LABEL_UNIT,)),
            Link(REL.MEMBER_OF, "party_org_code", (LABEL_ORGANISATION,)),
        )),
        NodeMap("评价", LABEL_RATING, (
            Link(REL.RATED, "company_code", (LABEL_ORGANISATION,), inbound=True),
        )),
        # 示范创建 (seed 004): keyed nodes like 评价, linked from their candidate / subject.
        NodeMap("评分", LABEL_SCORE, (Link(REL.SCORED, "candidate_code", _ANY, inbound=True),)),
        NodeMap("命名", LABEL_NAMING, (Link(REL.NAMED, "candidate_code", _ANY, inbound=True),)),
        NodeMap("事件", LABEL_INCIDENT, (
            Link(REL.HAD_INCIDENT, "target_code", _ANY, inbound=True),
        )),
        NodeMap("经费", LABEL_FUNDING, (
            Link(REL.FUNDED, "org_code", (LABEL_ORGANISATION,), inbound=True),
        )),
    )
}

REL_MAPS: Final = {
    m.table: m
    for m in (
        RelMap("任职", (REL.SERVES_AS, REL.CROSS_APPOINTED_TO), "person", (LABEL_PERSON,),
               "org", (LABEL_ORGANISATION,), ("title", "role", "start", "end"),
               type_field="type", key_tables=(("人员",), ("组织",))),
        RelMap("监管", (REL.SUPERVISES,), "src", (LABEL_ORGANISATION, LABEL_PERSON),
               "dst", (LABEL_ORGANISATION, LABEL_UNIT), ("kind", "start", "end"),
               key_tables=(("组织", "人员"), ("组织", "单位"))),
        RelMap("物业服务", (REL.MANAGES,), "company", (LABEL_ORGANISATION,),
               "compound", (LABEL_UNIT,), ("project", "start", "end"),
               key_tables=(("组织",), ("单位",))),
        RelMap("走访", (REL.VISITED,), "person", (LABEL_PERSON,), "org", (LABEL_ORGANISATION,),
               ("date",), key_tables=(("人员",), ("组织",))),
    )
}
#: Keyed node tables whose rows go with a retired unit, organisation or person (like
#: relation rows): the node tables each identity part names, by position in the key.  A
#: score goes with its candidate, not with its scorer (the scores stay the record of what
#: was scored even when the scoring office is reorganised).
KEYED_NODE_TABLES: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "评价": (("组织",),),
    "评分": ((), (), ("单位", "组织", "人员")),
    "命名": ((), (), ("单位", "组织", "人员")),
    "事件": (("单位", "组织", "人员"),),
    "经费": (("组织",),),
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
