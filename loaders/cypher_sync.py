"""Every Cypher text the sync writes with, derived from the table mapping (:mod:`.mapping`).

All are ``UNWIND $rows AS row …`` batches with ``$ordinal`` (the snapshot being written),
``$open`` (``vt`` of a current version), ``$run``, ``$date`` and ``$table``.  A record that
changes gets a new version: :data:`FORK` closes the current one (``vt = $ordinal``) and
copies it (``vf = $ordinal``), only once per sync (``vf < $ordinal``); later steps of the
same sync then modify that fresh version in place.  :data:`REPOINT_OUT` / :data:`REPOINT_IN`
move every open relation of a closed version onto the new one (closing the old relation,
or deleting it when it was itself written by this sync and so was never published), one
text per (type, start label, end label) the mapping allows.  Relations whose values
changed are closed (or deleted, when written by this sync) and created again.

``props`` never holds a null: FalkorDB 4.16 mixes up the remaining properties when
``SET n += map`` removes several at once, so the loader leaves nulls out and clears single
fields with explicit ``SET n.x = row.x`` (ancestry).

Texts are generated from the mapping, not written out one by one (47 of them were, and
each spelt its label, key and bookkeeping again); every generated text is registered with
:func:`~redgov.graph.cypher.cypher`, so the lint test still sees each one.
"""

from __future__ import annotations

from typing import Final

from ..graph.cypher import cypher
from .mapping import EDGES, IDENTITY, NODE_MAPS, REL_MAPS, Edge

__all__ = [
    "CLEANUP",
    "CREATE",
    "CREATE_REL",
    "CREATE_SYNC_RUN",
    "DROP_LINKS",
    "DROP_REL",
    "FORK",
    "FORK_REL",
    "LINK",
    "PUBLISH",
    "REPOINT_IN",
    "REPOINT_OUT",
    "RETIRE",
    "RETIRE_REL",
    "REWRITE",
    "UPDATE_ANCESTRY",
]

_BOOK = "n.run = $run, n.src_table = $table, n.retired = false, n.vf = $ordinal, n.vt = $open"


def _k(label: str) -> str:
    return IDENTITY[label]


def _pair(name: str, text_new: str, text_old: str) -> tuple[str, str]:
    """(delete what this sync wrote, close what an earlier snapshot published)."""
    return cypher(f"{name}.unpublished", text_new), cypher(f"{name}.published", text_old)


# --- nodes ----------------------------------------------------------------------------------
CREATE: Final[dict[str, str]] = {}
FORK: Final[dict[str, str]] = {}
REWRITE: Final[dict[str, str]] = {}
RETIRE: Final[dict[str, str]] = {}
for _nm in NODE_MAPS.values():
    _l, _key = _nm.label, _k(_nm.label)
    CREATE[_l] = cypher(
        f"sync.create.{_l}", f"UNWIND $rows AS row CREATE (n:{_l}) SET n += row.props, {_BOOK}"
    )
    FORK[_l] = cypher(f"sync.fork.{_l}", f"""
UNWIND $rows AS row
MATCH (o:{_l} {{{_key}: row.key}})
WHERE o.vt = $open AND o.vf < $ordinal
CREATE (n:{_l})
SET n = properties(o), n.vf = $ordinal, n.run = $run
SET o.vt = $ordinal
""")
    REWRITE[_l] = cypher(f"sync.rewrite.{_l}", f"""
UNWIND $rows AS row
MATCH (n:{_l} {{{_key}: row.key}})
WHERE n.vt = $open
SET n = row.props, {_BOOK}
""")
    RETIRE[_l] = cypher(f"sync.retire.{_l}", f"""
UNWIND $rows AS row
MATCH (n:{_l} {{{_key}: row.key}})
WHERE n.vt = $open
SET n.retired = true, n.retired_on = $date, n.run = $run
""")

UPDATE_ANCESTRY = cypher(
    "sync.update.ancestry",
    """
UNWIND $rows AS row
MATCH (n:Unit {code: row.key})
WHERE n.vt = $open
SET n.city_code = row.city_code, n.city_name = row.city_name,
    n.district_code = row.district_code, n.district_name = row.district_name,
    n.street_code = row.street_code, n.street_name = row.street_name,
    n.community_code = row.community_code, n.community_name = row.community_name,
    n.run = $run
""",
)

# --- re-pointing the relations of a node that got a new version --------------------------------
#: Edge → (delete-unpublished text, close-published text); rows are keys of closed versions.
REPOINT_OUT: Final[dict[Edge, tuple[str, ...]]] = {}
REPOINT_IN: Final[dict[Edge, tuple[str, ...]]] = {}
for _e in EDGES:
    _ks, _kd = _k(_e.src), _k(_e.dst)
    _name = f"sync.repoint.{_e.type}.{_e.src}.{_e.dst}"
    for _cmp, _tail, _which in (("=", "DELETE r", "unpublished"),
                                ("<", "SET r.vt = $ordinal", "published")):
        _out = cypher(f"{_name}.out.{_which}", f"""
UNWIND $rows AS row
MATCH (o:{_e.src} {{{_ks}: row.key}})-[r:{_e.type}]->(x:{_e.dst})
WHERE o.vt = $ordinal AND r.vt = $open AND r.vf {_cmp} $ordinal
MATCH (n:{_e.src} {{{_ks}: row.key}})
WHERE n.vt = $open
MATCH (y:{_e.dst} {{{_kd}: x.{_kd}}})
WHERE y.vt = $open
CREATE (n)-[r2:{_e.type}]->(y)
SET r2 = properties(r), r2.vf = $ordinal
{_tail}
""")
        _in = cypher(f"{_name}.in.{_which}", f"""
UNWIND $rows AS row
MATCH (x:{_e.src})-[r:{_e.type}]->(o:{_e.dst} {{{_kd}: row.key}})
WHERE o.vt = $ordinal AND r.vt = $open AND r.vf {_cmp} $ordinal
MATCH (n:{_e.dst} {{{_kd}: row.key}})
WHERE n.vt = $open
MATCH (y:{_e.src} {{{_ks}: x.{_ks}}})
WHERE y.vt = $open
CREATE (y)-[r2:{_e.type}]->(n)
SET r2 = properties(r), r2.vf = $ordinal
{_tail}
""")
        REPOINT_OUT.setdefault(_e, ())
        REPOINT_IN.setdefault(_e, ())
        REPOINT_OUT[_e] += (_out,)
        REPOINT_IN[_e] += (_in,)

# --- structural relations (mirror a value of their record) ------------------------------------
#: (label, Link.type, target label) → text creating the link of a (re)written record.
LINK: Final[dict[tuple[str, str, str], str]] = {}
#: (label, Link.type, target label) → text deleting a rewritten record's copied links (all
#: written by this sync: the record's version is this sync's).
DROP_LINKS: Final[dict[tuple[str, str, str], str]] = {}
for _nm in NODE_MAPS.values():
    _l, _key = _nm.label, _k(_nm.label)
    for _link in _nm.links:
        for _t in _link.targets:
            _kt = _k(_t)
            _arrow = (f"(b)-[r:{_link.type}]->(a)" if _link.inbound
                      else f"(a)-[r:{_link.type}]->(b)")
            _name = f"sync.link.{_l}.{_link.type}.{_t}"
            LINK[(_l, _link.type, _t)] = cypher(_name, f"""
UNWIND $rows AS row
MATCH (a:{_l} {{{_key}: row.key}})
WHERE a.vt = $open
MATCH (b:{_t} {{{_kt}: row.to}})
WHERE b.vt = $open
CREATE {_arrow}
SET r.run = $run, r.src_table = $table, r.src_row = row.row, r.vf = $ordinal, r.vt = $open
""")
            _pattern = (f"(:{_t})-[r:{_link.type}]->(a:{_l} {{{_key}: row.key}})" if _link.inbound
                        else f"(a:{_l} {{{_key}: row.key}})-[r:{_link.type}]->(:{_t})")
            _name = f"sync.drop_links.{_l}.{_link.type}.{_t}"
            DROP_LINKS[(_l, _link.type, _t)] = cypher(_name, f"""
UNWIND $rows AS row
MATCH {_pattern}
WHERE a.vt = $open AND r.vt = $open AND r.vf = $ordinal
DELETE r
""")

# --- keyed relations (one registry row each) --------------------------------------------------
#: Edge → text creating the relation of an added or changed row.
CREATE_REL: Final[dict[Edge, str]] = {}
#: (type, start label) → (delete-unpublished, close-published) for a changed row.
DROP_REL: Final[dict[tuple[str, str], tuple[str, str]]] = {}
#: (type, start label) → fork text (a new version of a relation about to be retired).
FORK_REL: Final[dict[tuple[str, str], str]] = {}
#: (type, start label) → text marking the (fresh) version retired.
RETIRE_REL: Final[dict[tuple[str, str], str]] = {}
_END = ("SET r.retired = true, r.retired_on = $date, r.run = $run, "
        "r.end = CASE WHEN r.end IS NULL OR r.end > $date THEN $date ELSE r.end END")
for _rm in REL_MAPS.values():
    for _type in _rm.types:
        for _s in _rm.src_labels:
            _ks = _k(_s)
            _from = f"(a:{_s} {{{_ks}: row.src}})-[r:{_type} {{key: row.key}}]->(b)"
            _name = f"sync.rel.{_type}.{_s}"
            DROP_REL[(_type, _s)] = _pair(
                f"{_name}.drop",
                f"UNWIND $rows AS row MATCH {_from} "
                "WHERE r.vt = $open AND r.vf = $ordinal DELETE r",
                f"UNWIND $rows AS row MATCH {_from} "
                "WHERE r.vt = $open AND r.vf < $ordinal SET r.vt = $ordinal",
            )
            FORK_REL[(_type, _s)] = cypher(f"{_name}.fork", f"""
UNWIND $rows AS row
MATCH {_from}
WHERE r.vt = $open AND r.vf < $ordinal
CREATE (a)-[r2:{_type}]->(b)
SET r2 = properties(r), r2.vf = $ordinal, r2.run = $run
SET r.vt = $ordinal
""")
            _end = (_END if "end" in _rm.props
                    else "SET r.retired = true, r.retired_on = $date, r.run = $run")
            RETIRE_REL[(_type, _s)] = cypher(
                f"{_name}.retire",
                f"UNWIND $rows AS row MATCH {_from} WHERE r.vt = $open {_end}",
            )
            for _d in _rm.dst_labels:
                _kd = _k(_d)
                CREATE_REL[Edge(_type, _s, _d)] = cypher(f"{_name}.{_d}.create", f"""
UNWIND $rows AS row
MATCH (a:{_s} {{{_ks}: row.src}})
WHERE a.vt = $open
MATCH (b:{_d} {{{_kd}: row.dst}})
WHERE b.vt = $open
CREATE (a)-[r:{_type}]->(b)
SET r += row.props, r.run = $run, r.src_table = $table, r.retired = false,
    r.vf = $ordinal, r.vt = $open
""")

# --- the run: written unpublished first, published last ------------------------------------------
CREATE_SYNC_RUN = cypher(
    "sync.create.sync_run",
    "CREATE (n:SyncRun) SET n += $props, n.ordinal = $ordinal, n.published = false "
    "RETURN n.id AS id",
)
PUBLISH = cypher(
    "sync.publish",
    "MATCH (n:SyncRun {id: $id}) WHERE n.ordinal = $ordinal "
    "SET n += $props, n.published = true RETURN n.id AS id",
)

# --- removing what a killed sync left (never published, so no reader saw it) --------------------
CLEANUP: Final = (
    cypher("sync.cleanup.relations", """
MATCH ()-[r]->()
WHERE r.vf > $published
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS n
"""),
    cypher("sync.cleanup.nodes", """
MATCH (n)
WHERE n.vf > $published
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS n
"""),
    cypher("sync.cleanup.reopen_relations", """
MATCH ()-[r]->()
WHERE r.vt > $published AND r.vt < $open
WITH r LIMIT $limit
SET r.vt = $open
RETURN count(*) AS n
"""),
    cypher("sync.cleanup.reopen_nodes", """
MATCH (n)
WHERE n.vt > $published AND n.vt < $open
WITH n LIMIT $limit
SET n.vt = $open
RETURN count(*) AS n
"""),
)
UNPUBLISHED_RUNS = cypher(
    "sync.cleanup.unpublished_runs",
    "MATCH (n:SyncRun) WHERE n.published = false RETURN n.id AS id, n.ordinal AS ordinal",
)
DROP_UNPUBLISHED_RUNS = cypher(
    "sync.cleanup.drop_unpublished_runs",
    "MATCH (n:SyncRun) WHERE n.published = false DELETE n",
)

# --- adopting a graph an older redgov wrote (no versions yet) ------------------------------------
LEGACY_RUNS = cypher(
    "sync.legacy.runs",
    "MATCH (n:SyncRun) WHERE n.ordinal IS NULL AND n.legacy IS NULL RETURN n.id AS id "
    "ORDER BY id DESC",
)
ADOPT_LEGACY: Final = (
    cypher("sync.legacy.nodes", """
MATCH (n)
WHERE n.vf IS NULL AND (n:Unit OR n:Organisation OR n:Person OR n:Rating)
WITH n LIMIT $limit
SET n.vf = 1, n.vt = $open
RETURN count(*) AS n
"""),
    cypher("sync.legacy.relations", """
MATCH ()-[r]->()
WHERE r.vf IS NULL
WITH r LIMIT $limit
SET r.vf = 1, r.vt = $open
RETURN count(*) AS n
"""),
)
#: The newest legacy run becomes snapshot 1; older ones stay as history, not snapshots
#: (the graph they wrote was overwritten before versions existed).
ADOPT_LEGACY_RUN = cypher(
    "sync.legacy.adopt_run",
    "MATCH (n:SyncRun {id: $id}) SET n.ordinal = 1, n.published = true",
)
MARK_LEGACY_RUNS = cypher(
    "sync.legacy.mark_runs",
    "MATCH (n:SyncRun) WHERE n.ordinal IS NULL SET n.legacy = true",
)
