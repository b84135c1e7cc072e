"""Field by field: what a sync would change, before and after, for a clerk to review.

:func:`loaders.diff.diff` knows *which* records a sync adds, changes and retires (by
identity); a reviewer also wants to see *what* changes in each.  The after values are the
export's normalised records (the scan kept units and organisations whole and spooled the
rest); the before values are the graph's version live at the latest snapshot, read back
by identity and named like the record's values.  Only what the graph may hold appears:
people carry ``id_masked`` / ``phone_masked`` and never an ID number or a phone; the keyed
ID hash is not shown either, only that it changed (:data:`HIDDEN`).

Each list is capped at ``limit`` records per table and kind (a first full sync adds
everything); the counts say how many there are in all.

>>> compare({"name": "甲", "gender": None}, {"name": "乙", "gender": None}, "人员")
[{'field': 'name', 'before': '甲', 'after': '乙'}]
>>> compare({"id_hash": "a1"}, {"id_hash": "b2"}, "人员")
[{'field': 'id_hash', 'before': None, 'after': None, 'hidden': True}]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..graph.cypher import cypher
from ..graph.stores.base import Store
from .diff import Plan
from .mapping import IDENTITY, NODE_MAPS, REL_MAPS
from .records import Record
from .schema import ORG_T, PERSON_T, TABLE_ORDER, TABLES, UNIT_T, hidden_fields, review_fields
from .validate import Scan

__all__ = ["FIELDS", "HIDDEN", "compare", "field_changes"]

#: Per table, the record's value fields a reviewer sees, in column order (from the
#: table declarations in schema.py).
FIELDS: dict[str, tuple[str, ...]] = {t.name: review_fields(t) for t in TABLE_ORDER}
#: Fields whose values are never shown, only whether they changed.
HIDDEN = hidden_fields()
#: A person's sig also covers the phone's keyed hash; when only the hidden middle digits
#: of the phone changed, no shown field differs and this pseudo-field says so.
PHONE = "phone"

# The graph side of each table comes from the table mapping (loaders/mapping.py): the
# label and identity of a node table; the start labels, types and end of a relation table.
_NODE_QUERIES = {
    nm.table: cypher(f"review.before.{nm.label}", f"""
UNWIND $keys AS k
MATCH (n:{nm.label} {{{nm.key}: k}})
WHERE @live(n)
RETURN n.{nm.key} AS key, properties(n) AS props
""")
    for nm in NODE_MAPS.values()
}
# Relations are found from their start node (the identity's first part, an indexed code).
_REL_QUERIES: dict[str, tuple[str, ...]] = {
    rm.table: tuple(
        cypher(f"review.before.{rm.table}.{src}", f"""
UNWIND $rows AS row
MATCH (a:{src} {{{IDENTITY[src]}: row.src}})-[r:{"|".join(rm.types)}]->(b)
WHERE @live(a, r) AND r.key = row.key
RETURN r.key AS key, properties(r) AS props, type(r) AS type, a.code AS src, b.code AS dst
""")
        for src in rm.src_labels)
    for rm in REL_MAPS.values()
}
#: Relation tables: which value names the start code, the end code and the type hold.
_REL_ENDS = {rm.table: (rm.src, rm.dst, rm.type_field) for rm in REL_MAPS.values()}
_READ_CHUNK = 2000


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == ""


def _same(a: Any, b: Any) -> bool:
    if _empty(a) and _empty(b):
        return True
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return list(a) == list(b)
    return bool(a == b)


def shown(table: str, values: dict[str, Any]) -> dict[str, Any]:
    """The record's reviewable fields (hidden ones and empty ones left out)."""
    return {f: values.get(f) for f in FIELDS[table]
            if f not in HIDDEN and not _empty(values.get(f))}


def compare(before: dict[str, Any], after: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """The fields that differ, in column order; hidden fields without their values."""
    out: list[dict[str, Any]] = []
    for f in FIELDS[table]:
        if _same(before.get(f), after.get(f)):
            continue
        if f in HIDDEN:
            out.append({"field": f, "before": None, "after": None, "hidden": True})
        else:
            out.append({"field": f, "before": before.get(f), "after": after.get(f)})
    return out


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _READ_CHUNK):
        yield items[i:i + _READ_CHUNK]


def _before(store: Store, table: str, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The live version's values of each identity, named as a record's values."""
    out: dict[str, dict[str, Any]] = {}
    if not keys:
        return out
    if table in _NODE_QUERIES:
        for chunk in _chunks(keys):
            for r in store.read(_NODE_QUERIES[table], {"keys": chunk}):
                out[r["key"]] = dict(r["props"] or {})
        return out
    src_name, dst_name, type_name = _REL_ENDS[table]
    spec = TABLES[table]
    for chunk in _chunks(keys):
        rows = [{"key": k, "src": spec.key_part(k, src_name)} for k in chunk]
        for query in _REL_QUERIES[table]:
            for r in store.read(query, {"rows": rows}):
                values = dict(r["props"] or {})
                values[src_name], values[dst_name] = r["src"], r["dst"]
                if type_name:
                    values[type_name] = r["type"]
                out[r["key"]] = values
    return out


def _records(scan: Scan, table: str) -> Iterable[Record]:
    if table == UNIT_T:
        return scan.units.values()
    if table == ORG_T:
        return scan.orgs.values()
    return scan.spool.records(table)


def field_changes(store: Store, scan: Scan, plan: Plan, limit: int = 2000
                  ) -> dict[str, dict[str, Any]]:
    """Per table: ``added`` (after values), ``changed`` (field before/after), ``retired``
    (before values), each a list of ``{key, name, …}`` capped at ``limit``; ``more`` says
    how many were left out per kind."""
    out: dict[str, dict[str, Any]] = {}
    for table, tp in plan.tables.items():
        if table not in FIELDS:
            continue
        added = sorted(tp.add | tp.restore)
        changed = sorted(tp.change)
        retired = sorted(tp.retire)
        want_added, want_changed = set(added[:limit]), set(changed[:limit])
        after: dict[str, dict[str, Any]] = {}
        if want_added or want_changed:
            for rec in _records(scan, table):
                if rec.key in want_added or rec.key in want_changed:
                    after[rec.key] = rec.values
        before = _before(store, table, changed[:limit] + retired[:limit])
        entry: dict[str, Any] = {"added": [], "changed": [], "retired": [], "more": {
            "added": max(0, len(added) - limit), "changed": max(0, len(changed) - limit),
            "retired": max(0, len(retired) - limit)}}
        for key in added[:limit]:
            values = after.get(key, {})
            entry["added"].append({"key": key, "name": values.get("name"),
                                   "restored": key in tp.restore,
                                   "fields": shown(table, values)})
        for key in changed[:limit]:
            old, new = before.get(key, {}), after.get(key, {})
            fields = compare(old, new, table)
            if not fields:  # only the sig moved: for people, the phone's hidden digits
                fields = [{"field": PHONE if table == PERSON_T else "sig", "before": None,
                           "after": None, "hidden": True}]
            entry["changed"].append({"key": key, "name": new.get("name") or old.get("name"),
                                     "fields": fields})
        for key in retired[:limit]:
            old = before.get(key, {})
            entry["retired"].append({"key": key, "name": old.get("name"),
                                     "fields": shown(table, old)})
        out[table] = entry
    return out
