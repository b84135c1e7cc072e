"""Diff a validated export against the graph: what to add, change, retire (pure).

Per table, by identity: *added* (not in the graph, or retired there and now back),
*changed* (signature differs), *unchanged*, and *retired* — records a ``全量`` export no
longer holds, records a ``增量`` export deletes, and (counted once, in their own table)
the posts, supervisions, contracts, visits and ratings of a unit, organisation or person
retired by this sync.  Units whose denormalised ancestry moved (a street renamed, a
community moved) are listed apart: rewriting their ancestry is not a change of theirs.

>>> plan = Plan()
>>> plan.table("单位").add.add("HL01"); plan.counts()["单位"]
{'added': 1, 'changed': 0, 'retired': 0, 'unchanged': 0}
"""

from __future__ import annotations

from collections.abc import KeysView, Mapping
from dataclasses import dataclass, field
from typing import Any

from .mapping import KEYED_NODE_TABLES, REL_MAPS
from .schema import ANCHOR_TABLES, UNIT_T
from .state import ANCESTRY, GraphState, UnitInfo, is_retired
from .tables import TABLE_ORDER, TABLES
from .validate import Scan

__all__ = ["Plan", "TablePlan", "ancestry_of", "diff", "diff_table"]

#: Relation tables: the node tables each identity part points into (by position in the key),
#: from the table mapping (ratings are nodes, but go with their company all the same).
_ENDPOINTS: dict[str, tuple[tuple[str, ...], ...]] = {
    **{m.table: m.key_tables for m in REL_MAPS.values()}, **KEYED_NODE_TABLES,
}


@dataclass
class TablePlan:
    #: not in the graph at all: CREATE (once the table is written whole, maybe the export's
    #: own identities, read only: :meth:`share_adds`)
    add: set[str] | KeysView[str] = field(default_factory=set)
    restore: set[str] = field(default_factory=set)  # retired in the graph, back: counted added
    change: set[str] = field(default_factory=set)
    retire: set[str] = field(default_factory=set)
    unchanged: int = 0

    def writes(self) -> set[str]:
        """Identities whose row is (re)written from the export."""
        return self.add | self.restore | self.change  # a new set (a view's union is one too)

    def share_adds(self, listed: Mapping[str, str]) -> bool:
        """Hold the additions as ``listed``'s own identities (a view) when they are exactly
        those, and say so.  Why: a table new to the graph, streamed while it was validated
        (:class:`.apply.Stream`), collected its identities from the spooled records, copies
        of the strings its listing holds; at province that set and its strings are ≈ 300 MB
        of the sync's memory for 2.5 M identities.  Call it once the table's writes are
        done: the view is read only."""
        add = self.add
        if isinstance(add, KeysView) or len(add) != len(listed) or not add <= listed.keys():
            return False
        self.add = listed.keys()
        return True

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.add) + len(self.restore),
            "changed": len(self.change),
            "retired": len(self.retire),
            "unchanged": self.unchanged,
        }


@dataclass
class Plan:
    tables: dict[str, TablePlan] = field(default_factory=dict)
    #: unit code → ancestry values to write, for units not otherwise rewritten.
    ancestry: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: every unit's ancestry after the sync (for the units that are rewritten).
    unit_ancestry: dict[str, dict[str, Any]] = field(default_factory=dict)

    def table(self, name: str) -> TablePlan:
        return self.tables.setdefault(name, TablePlan())

    def counts(self) -> dict[str, dict[str, int]]:
        return {name: plan.counts() for name, plan in self.tables.items()}

    @property
    def empty(self) -> bool:
        return not self.ancestry and not any(
            p.add or p.restore or p.change or p.retire for p in self.tables.values()
        )


def diff(scan: Scan, state: GraphState) -> Plan:
    plan = Plan()
    for spec in TABLE_ORDER:
        diff_table(plan, scan, state, spec.name)
    return plan


def diff_table(plan: Plan, scan: Scan, state: GraphState, name: str) -> TablePlan | None:
    """Add table ``name``'s part to ``plan`` and return it (None: nothing to do there).

    Tables are diffed in ``TABLE_ORDER``, each after the ones before it: a table's part
    depends only on its own rows, the graph and the tables before it (the units' and
    organisations' and people's retirements cascade into the later tables, the unit
    ancestry needs the units), so a sync may write a table as soon as it is diffed
    (:mod:`.overlap`).  A table the export leaves out keeps a part only for what retires
    with a unit, organisation or person.
    """
    tp = plan.table(name)
    graph = state.sigs.get(name, {})
    export = scan.sigs.get(name)
    full = not scan.manifest.incremental
    # An optional table left out of a full export says nothing about its records.
    if export is not None and full and export.items() <= graph.items():
        # All as the graph holds it (a re-sync): no record to compare one by one.
        tp.unchanged += len(export)
        if len(graph) > len(export):
            tp.retire.update(k for k, s in graph.items() if not is_retired(s) and k not in export)
    elif export is not None:
        for key, sig in export.items():
            stored = graph.get(key)
            if sig == "":  # 增量 删除
                if stored is not None and not is_retired(stored):
                    tp.retire.add(key)
                else:
                    tp.unchanged += 1
            elif stored is None:
                tp.add.add(key)
            elif is_retired(stored):
                tp.restore.add(key)
            elif stored != sig:
                tp.change.add(key)
            else:
                tp.unchanged += 1
        if full:
            tp.retire.update(k for k, s in graph.items() if not is_retired(s) and k not in export)
    if name in _ENDPOINTS:
        _cascade(plan, name, scan, state)
    if name == UNIT_T:
        _ancestry(plan, scan, state)
    if export is None and not tp.retire:
        del plan.tables[name]
        return None
    return tp


def _cascade(plan: Plan, table: str, scan: Scan, state: GraphState) -> None:
    """Rows of ``table`` whose unit, organisation or person retires retire with it."""
    empty: set[str] = set()
    gone = {t: plan.tables[t].retire if t in plan.tables else empty for t in ANCHOR_TABLES}
    if not any(gone.values()):
        return
    ends = _ENDPOINTS[table]
    spec = TABLES[table]
    tp = plan.table(table)
    listed = scan.sigs.get(table, {})
    for key, stored in state.sigs.get(table, {}).items():
        if is_retired(stored) or key in tp.retire:
            continue
        parts = spec.key_parts(key)
        if any(parts[i] in gone[t] for i, tables in enumerate(ends) for t in tables):
            if key in tp.change:
                tp.change.discard(key)
            elif key in listed:  # it was counted unchanged (or a repeated 删除)
                tp.unchanged -= 1
            tp.retire.add(key)


def ancestry_of(code: str, units: dict[str, UnitInfo]) -> dict[str, Any]:
    """A unit's ancestry fields: each level's code and name found walking up its parents."""
    out: dict[str, Any] = dict.fromkeys(ANCESTRY)
    seen: set[str] = set()
    node: str | None = code
    while node is not None and node in units and node not in seen:
        seen.add(node)
        info = units[node]
        if info.level and f"{info.level}_code" in out and out[f"{info.level}_code"] is None:
            out[f"{info.level}_code"] = node
            out[f"{info.level}_name"] = info.name
        node = info.parent_code
    return out


def _ancestry(plan: Plan, scan: Scan, state: GraphState) -> None:
    """Ancestry after the sync for every live unit; rewrite those whose stored one moved."""
    units: dict[str, UnitInfo] = {}
    if scan.manifest.incremental:
        units.update(state.units)
    for code, rec in scan.units.items():
        if not rec.deleted:
            v = rec.values
            units[code] = UnitInfo(v["level"], v["name"], v["parent_code"])
    tp = plan.tables.get(UNIT_T, TablePlan())
    rewritten = tp.writes()
    graph_units = state.sigs.get(UNIT_T, {})
    for code in units:
        if code in tp.retire:
            continue
        anc = ancestry_of(code, units)
        if code in rewritten:
            plan.unit_ancestry[code] = anc
            continue
        stored = state.units.get(code)
        if stored is None or is_retired(graph_units.get(code, "")):
            continue
        if tuple(anc[f] for f in ANCESTRY) != tuple(stored.ancestry):
            plan.ancestry[code] = anc
