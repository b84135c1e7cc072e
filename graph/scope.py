"""Scope: the part of the unit tree an account may see, and intersecting it with a request.

A scope is a unit code; it covers the unit's subtree.  Units carry their ancestors' codes
(docs/model.md), so "inside the subtree of S" is the property test
``S IN [u.code, u.community_code, u.street_code, u.district_code, u.city_code]`` — the
same condition every catalog question applies to ``$scope`` (``@in_scope``).  Units are
read at a snapshot: every function takes ``snapshot`` (an ordinal; None: the latest
published one, filled in by the store).

An account's scope is intersected with the scope a page or a command asks for: a unit
inside the account's subtree narrows it, an ancestor of the account's unit is narrowed
to the account's unit, and anything else (another branch of the tree, an unknown code)
is :class:`OutOfScope` — reported exactly like a unit that does not exist, so nothing
outside is revealed, not even its existence.  The scope's ancestors stay visible as
context (a street official's rows name their district), nothing else outside does.

>>> ScopeUnit("S1", "street", ("C", "D1")).covers_level("district")
False
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .cypher import cypher
from .stores.base import Store
from .vocabulary import LEVEL_ORDER

__all__ = [
    "UNIT_COLUMNS",
    "OutOfScope",
    "ScopeUnit",
    "clamp_level",
    "inside_units",
    "intersect",
    "redact_rows",
    "resolve",
    "visible_units",
]

_UNIT = cypher(
    "scope.unit",
    """
MATCH (u:Unit {code: $code})
WHERE @live(u)
RETURN u.code AS code, u.level AS level,
       [c IN [u.city_code, u.district_code, u.street_code, u.community_code]
        WHERE c IS NOT NULL AND c <> u.code] AS above
""",
)
_INSIDE = cypher(
    "scope.inside",
    """
UNWIND $codes AS code
MATCH (u:Unit {code: code})
WHERE @live(u) AND @in_scope(u)
RETURN u.code AS code
""",
)

#: Unit-code columns of catalog answers → the column holding that unit's name.
UNIT_COLUMNS: dict[str, str | None] = {
    "compound_code": "compound_name", "unit_code": "unit_name", "home_code": None,
    "community_code": "community_name", "street_code": "street_name",
    "district_code": "district_name", "city_code": "city_name",
}


class OutOfScope(LookupError):
    """The unit asked for is outside the account's subtree (or does not exist)."""


@dataclass(frozen=True)
class ScopeUnit:
    code: str
    level: str
    above: tuple[str, ...]  # ancestors' codes, the top first

    def covers_level(self, level: str) -> bool:
        """True when units of ``level`` can lie inside this unit's subtree."""
        return LEVEL_ORDER.index(level) >= LEVEL_ORDER.index(self.level)


def _at(params: dict[str, Any], snapshot: int | None) -> dict[str, Any]:
    """``params`` pinned to ``snapshot`` (left to the store's latest when None)."""
    return params if snapshot is None else {**params, "snapshot": snapshot}


def resolve(store: Store, code: str, *, snapshot: int | None = None) -> ScopeUnit | None:
    rows = store.read(_UNIT, _at({"code": code}, snapshot))
    if not rows:
        return None
    return ScopeUnit(rows[0]["code"], rows[0]["level"], tuple(rows[0]["above"] or ()))


def intersect(store: Store, account_scope: str | None, requested: str | None, *,
              snapshot: int | None = None) -> str | None:
    """The scope to run with: ``requested`` narrowed to ``account_scope``.

    ``account_scope`` None means the whole graph (no narrowing at all).
    """
    if account_scope is None:
        return requested
    if requested is None or requested == account_scope:
        return account_scope
    asked = resolve(store, requested, snapshot=snapshot)
    if asked is None:
        raise OutOfScope(requested)
    if account_scope in asked.above:
        return requested
    mine = resolve(store, account_scope, snapshot=snapshot)
    if mine is not None and requested in mine.above:
        return account_scope
    raise OutOfScope(requested)


def clamp_level(store: Store, scope: str, level: str, *, snapshot: int | None = None) -> str:
    """A roll-up level above the scope's own level becomes the scope's level: the scope's
    one row, not its parent's (whose figures would count units outside)."""
    unit = resolve(store, scope, snapshot=snapshot)
    if unit is None or unit.covers_level(level):
        return level
    return unit.level


def inside_units(store: Store, scope: str | None, codes: Iterable[str | None], *,
                 snapshot: int | None = None) -> set[str]:
    """Those of ``codes`` inside ``scope``'s subtree (all of them when ``scope`` is None)."""
    wanted = sorted({c for c in codes if c})
    if scope is None or not wanted:
        return set(wanted)
    return {r["code"] for r in store.read(
        _INSIDE, _at({"codes": wanted, "scope": scope}, snapshot))}


def visible_units(store: Store, account_scope: str | None, codes: Iterable[str], *,
                  snapshot: int | None = None) -> set[str]:
    """Those of ``codes`` an account of ``account_scope`` may see: its subtree's units and
    its own unit's ancestors (the context its rows are placed in)."""
    wanted = sorted({c for c in codes if c})
    if account_scope is None:
        return set(wanted)
    if not wanted:
        return set()
    seen = inside_units(store, account_scope, wanted, snapshot=snapshot)
    mine = resolve(store, account_scope, snapshot=snapshot)
    if mine is not None:
        seen |= set(mine.above) & set(wanted)
    return seen


def redact_rows(store: Store, account_scope: str | None, rows: list[dict[str, Any]], *,
                snapshot: int | None = None) -> list[dict[str, Any]]:
    """Blank every unit column (and its name) naming a unit the account may not see.

    The questions already keep to the scope; this catches what a row says *about* its
    subject — a person's home compound elsewhere, say — so that no unit outside reaches
    the account through any column.
    """
    if account_scope is None or not rows:
        return rows
    present = [c for c in UNIT_COLUMNS if c in rows[0]]
    codes = {str(r[c]) for r in rows for c in present if r.get(c)}
    visible = visible_units(store, account_scope, codes, snapshot=snapshot)
    out = []
    for row in rows:
        row = dict(row)
        for column in present:
            value = row.get(column)
            if value and str(value) not in visible:
                row[column] = None
                name = UNIT_COLUMNS[column]
                if name and name in row:
                    row[name] = None
        out.append(row)
    return out
