"""A source's scope: the part of the unit tree whose records its exports may change.

A pull source names a unit code (``redgov source add … --scope CODE``); a district's
registry must not add, change or retire anything of another district.  The check runs on
the diffed plan, after the diff and before anything is written (``sync_export(check=…)``,
also under the writers' lock when the diff is redone there), so a refused export writes
nothing at all.

Where a record sits in the tree, before the sync (the graph) and after it (the export):

- a unit: itself (its parent chain, so a unit moved out of the scope is outside too);
- an organisation: its ``所在单位编码``;
- a person: the compound they live in (``居住单位编码``), else the unit of their party
  organisation, else the units of the organisations they hold posts in;
- a relation row (任职, 监管, 物业服务, 走访) and a rating: its ends, as above.

A unit, organisation or person is inside when every place it has (before and after) lies
in the scope's subtree.  A relation or rating is inside when one end lies in the subtree
and every other end lies in it or at one of the scope's ancestors (a street's branch
reports to the district's party committee; a district department supervises a street's
company): references go upwards, never sideways into another branch.  Ancestry rewrites
(a parent renamed) follow the same rule as the unit they rewrite.  A place that cannot be
found at all counts as outside, and so does a record of a table this module does not
know how to place (a table added to the export later is refused until it is placed here).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..graph.cypher import cypher
from ..graph.display import record_key_text
from ..graph.stores.base import Store
from .diff import Plan
from .mapping import RATING_KEY_TABLES, REL_MAPS
from .report import Issue
from .schema import ANCHOR_TABLES, ORG_T, PERSON_T, TABLES, UNIT_T
from .state import GraphState
from .validate import Scan

__all__ = ["SHOWN", "scope_check"]

#: Records named in the refusal (the count covers all of them).
SHOWN = 20

_ORG_UNITS = cypher(
    "pull.scope.org_units",
    """
MATCH (o:Organisation)
WHERE @live(o)
RETURN o.code AS code, o.unit_code AS unit
""",
)
_PEOPLE_PLACES = cypher(
    "pull.scope.people_places",
    """
UNWIND $codes AS code
MATCH (p:Person {code: code})
WHERE @live(p)
RETURN p.code AS code, p.home_code AS home, p.party_org_code AS org
""",
)

_ENDS: dict[str, tuple[tuple[str, ...], ...]] = {
    **{m.table: m.key_tables for m in REL_MAPS.values()}, "评价": RATING_KEY_TABLES,
}


def _chain(code: str | None, parents: dict[str, str | None]) -> list[str]:
    out: list[str] = []
    while code is not None and code not in out:
        out.append(code)
        code = parents.get(code)
    return out


class _Places:
    """Unit positions of units, organisations and people, before and after the sync."""

    def __init__(self, store: Store, scope: str, found: Scan, state: GraphState, plan: Plan
                 ) -> None:
        pin = {"snapshot": state.snapshot}
        self.scope = scope
        self.before = {c: u.parent_code for c, u in state.units.items()}
        self.after = {**self.before, **{c: r.values.get("parent_code")
                                        for c, r in found.units.items() if not r.deleted}}
        self.org_before: dict[str, str | None] = {
            r["code"]: r["unit"] for r in store.read(_ORG_UNITS, pin)}
        self.org_after = {**self.org_before, **{c: r.values.get("unit_code")
                                                for c, r in found.orgs.items() if not r.deleted}}
        above = set(_chain(scope, self.after)[1:]) | set(_chain(scope, self.before)[1:])
        self.ancestors = above
        # People: those the plan touches and the person ends of touched relation rows.
        wanted = set(_touched(plan, PERSON_T))
        for table, ends in _ENDS.items():
            for key in _touched(plan, table):
                parts = TABLES[table].key_parts(key)
                wanted.update(parts[i] for i, t in enumerate(ends)
                              if PERSON_T in t and i < len(parts))
        self.person_before: dict[str, tuple[str | None, str | None]] = {
            r["code"]: (r["home"], r["org"])
            for r in store.read(_PEOPLE_PLACES, {**pin, "codes": sorted(wanted)})}
        self.person_after = dict(self.person_before)
        for rec in found.spool.records(PERSON_T):
            if rec.key in wanted and not rec.deleted:
                self.person_after[rec.key] = (rec.values.get("home_code"),
                                              rec.values.get("party_org_code"))
        self._units: dict[tuple[str, bool], bool] = {}
        self._inside: dict[tuple[str, str], bool] = {}
        self._upward: dict[tuple[str, str], bool] = {}
        self.posts: dict[str, set[str]] = {}
        for key in [*state.sigs.get("任职", {}), *found.sigs.get("任职", {})]:
            person, _, rest = key.partition("|")
            if person in wanted:
                self.posts.setdefault(person, set()).add(rest.partition("|")[0])

    def inside(self, unit: str | None, parents: dict[str, str | None]) -> bool:
        if unit is None:
            return False
        key = (unit, parents is self.after)
        known = self._units.get(key)
        if known is None:
            known = self._units[key] = self.scope in _chain(unit, parents)
        return known

    def _units_of(self, table: str, code: str, after: bool) -> list[str | None] | None:
        """The units a node sits at on one side; None when it does not exist there."""
        if table == UNIT_T:
            parents = self.after if after else self.before
            return [code] if code in parents else None
        orgs = self.org_after if after else self.org_before
        if table == ORG_T:
            return [orgs[code]] if code in orgs else None
        people = self.person_after if after else self.person_before
        if code not in people:
            return None
        home, org = people[code]
        if home:
            return [home]
        if org:
            return [orgs.get(org)]
        posts = self.posts.get(code)
        return [orgs.get(o) for o in sorted(posts)] if posts else [None]

    def node_inside(self, table: str, code: str) -> bool:
        known = self._inside.get((table, code))
        if known is None:
            known = self._inside[(table, code)] = self._node_inside(table, code)
        return known

    def _node_inside(self, table: str, code: str) -> bool:
        sides = [(self._units_of(table, code, a), self.after if a else self.before)
                 for a in (False, True)]
        seen = [(units, parents) for units, parents in sides if units is not None]
        return bool(seen) and all(self.inside(u, parents) for units, parents in seen
                                  for u in units)

    def node_upward(self, table: str, code: str) -> bool:
        """Inside, or sitting at one of the scope's ancestors (a reference upwards)."""
        known = self._upward.get((table, code))
        if known is None:
            known = self._upward[(table, code)] = self._node_upward(table, code)
        return known

    def _node_upward(self, table: str, code: str) -> bool:
        if self.node_inside(table, code):
            return True
        sides = [self._units_of(table, code, a) for a in (False, True)]
        found = [u for units in sides if units is not None for u in units]
        return bool(found) and all(u in self.ancestors for u in found)

    def row_inside(self, table: str, key: str) -> bool:
        parts = TABLES[table].key_parts(key)
        ends: list[tuple[str, ...]] = list(_ENDS[table])
        verdicts = []
        for i, tables in enumerate(ends):
            if i >= len(parts):
                return False
            code = parts[i]
            where = next((t for t in tables if self._known(t, code)), None)
            if where is None:
                return False
            verdicts.append((self.node_inside(where, code), self.node_upward(where, code)))
        return any(v[0] for v in verdicts) and all(v[1] for v in verdicts)

    def _known(self, table: str, code: str) -> bool:
        if table == UNIT_T:
            return code in self.after or code in self.before
        if table == ORG_T:
            return code in self.org_after or code in self.org_before
        return code in self.person_after or code in self.person_before


def _touched(plan: Plan, table: str) -> Iterable[str]:
    tp = plan.tables.get(table)
    if tp is None:
        return ()
    return sorted(tp.add | tp.restore | tp.change | tp.retire)


def _verb(plan: Plan, table: str, key: str) -> tuple[str, str]:
    tp = plan.tables[table]
    if key in tp.retire:
        return "退出", "retire"
    if key in tp.change:
        return "修改", "change"
    return "新增", "add"


def scope_check(scope: str, source: str) -> Any:
    """A :data:`loaders.sync.PlanCheck` refusing any change outside ``scope``'s subtree."""

    def check(store: Store, found: Scan, state: GraphState, plan: Plan) -> list[Issue]:
        if plan.empty:
            return []
        places = _Places(store, scope, found, state, plan)
        outside: list[tuple[str, str, str, str]] = []
        for table in ANCHOR_TABLES:
            for key in _touched(plan, table):
                if not places.node_inside(table, key):
                    outside.append((table, key, *_verb(plan, table, key)))
        for code in sorted(plan.ancestry):
            if not places.node_inside(UNIT_T, code):
                outside.append((UNIT_T, code, "修改", "change"))
        for table in _ENDS:
            for key in _touched(plan, table):
                if not places.row_inside(table, key):
                    outside.append((table, key, *_verb(plan, table, key)))
        for table in sorted(set(plan.tables) - {*ANCHOR_TABLES, *_ENDS}):
            # A table this check cannot place in the tree: refused rather than let through.
            outside.extend((table, key, *_verb(plan, table, key))
                           for key in _touched(plan, table))
        issues = [Issue(table, None, None, record_key_text(table, key),
                        f"来源 {source} 的范围是 {scope}，此导出将{zh}范围之外的记录："
                        "未写入任何数据",
                        f"source {source} may only change unit {scope}'s subtree; this export "
                        f"would {en} a record outside it: nothing was written")
                  for table, key, zh, en in outside[:SHOWN]]
        if len(outside) > SHOWN:
            more = len(outside) - SHOWN
            issues.append(Issue("", None, None, None, f"……范围之外另有 {more} 条记录",
                                f"… and {more} more records outside the scope"))
        return issues

    return check

