"""What changed between two snapshots, record by record (``redgov diff``'s first half).

The versioned model (docs/model.md, snapshots) copies a node when its record changes and closes the
old version, so the records that changed between snapshots ``from`` and ``to`` are exactly
the identities with a version live at one of them and not the other.  Each text below
reads those versions only — ``(x live at $from) <> @live(x)``, the later snapshot being
the pinned ``$snapshot`` — and Python pairs them by identity (units and organisations by
``code``; posts, supervisions and contracts by ``key``) and says what happened.  The
two-snapshot conditions are written once here (:func:`_either`, :func:`_side`).

A post, supervision or contract can also begin or end with no new version at all: its
dates were in the registry already and the later snapshot's date passed them (a post
ending on 2024-06-30, read at 2024-01-01 and at 2024-06-30).  The keyed texts therefore
also read the versions live at both snapshots whose start or end falls between the two
snapshot dates.  Whether such a record is held at a snapshot is the catalog's activity
rule (:mod:`graph.conditions` ``@active``) with ``as_of`` = that snapshot's date.

What is reported (each a :class:`Change`, with the provenance of both versions):

- units and organisations ``added`` (current at ``to`` only: new or restored),
  ``retired`` (current at ``from`` only), ``moved`` (a unit's parent or an organisation's
  所在单位 changed), ``reaffiliated`` (a party organisation's 隶属 changed) and
  ``changed`` (other values: name, status 正常/撤销, term end …, listed in ``fields``);
- posts, supervisions and contracts ``begun`` or ``ended`` (held at one snapshot only)
  and ``changed`` (held at both, other values);
- a unit's ancestry columns and the version bookkeeping are not values of the record:
  a compound whose community moved has not changed.

Scope: a record is in scope when one of its two versions is at or below the scope unit
(units: themselves; organisations: the unit they sit at; posts: the organisation's unit;
supervisions and contracts: the supervised or managed body's unit).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..graph.conditions import live
from ..graph.cypher import cypher
from ..graph.snapshots import Snapshot
from ..graph.stores.base import Store
from ..graph.vocabulary import REL

__all__ = ["Change", "Provenance", "record_changes"]


def _live_at(x: str, at: str) -> str:
    return f"({x}.vf <= {at} AND {at} < {x}.vt)"


# The later snapshot is ``$snapshot`` (so each text pins it, and its half of every
# condition is the shared ``@live``); the earlier one is ``$from``.


def _either(x: str) -> str:
    """x is live at exactly one of the snapshots ``$from`` and ``$snapshot``."""
    return f"({_live_at(x, '$from')} <> {live(x)})"


def _side(x: str) -> str:
    """x is live at the side of the row (``at_from``: the earlier snapshot)."""
    return f"CASE WHEN at_from THEN {_live_at(x, '$from')} ELSE {live(x)} END"


def _window(x: str) -> str:
    """x is live at both, and its start or end date lies between the two snapshot dates."""
    return (f"({_live_at(x, '$from')} AND {live(x)}"
            f" AND (({x}.start > $lo_date AND {x}.start <= $hi_date)"
            f" OR ({x}.end > $lo_date AND {x}.end <= $hi_date)))")


_UNIT_VERSIONS = cypher(
    "changes.unit_versions",
    f"""
MATCH (n:Unit)
WHERE {_either('n')}
RETURN n.code AS id, {_live_at('n', '$from')} AS at_from, properties(n) AS props,
       [n.code, n.community_code, n.street_code, n.district_code, n.city_code] AS area
""",
)
# An organisation's seat and 隶属 parent as its version's own side saw them (for scope,
# and to name where it moved).
_ORG_VERSIONS = cypher(
    "changes.organisation_versions",
    f"""
MATCH (n:Organisation)
WHERE {_either('n')}
WITH n, {_live_at('n', '$from')} AS at_from
OPTIONAL MATCH (n)-[s:SITS_AT]->(u:Unit)
WHERE {_side('s')}
OPTIONAL MATCH (n)-[a:AFFILIATED_UNDER]->(p:Organisation)
WHERE {_side('a')}
RETURN n.code AS id, at_from, properties(n) AS props,
       u.name AS unit_name, p.name AS parent_name,
       [u.code, u.community_code, u.street_code, u.district_code, u.city_code] AS area
""",
)


def _keyed(name: str, types: str, scoped: bool) -> str:
    """One keyed relation family's changed versions.  With a scope the text starts from
    the scope's units and the organisations sitting at one (at either snapshot) and
    follows only the relations into those, so a district's diff reads the district, not
    the province; without one it scans the relation type."""
    return cypher(
        f"changes.{name}_versions{'_scoped' if scoped else ''}",
        (f"""
MATCH (u:Unit)
WHERE @in_scope(u) AND ({_live_at('u', '$from')} OR @live(u))
OPTIONAL MATCH (o:Organisation)-[t:SITS_AT]->(u)
WHERE {_live_at('t', '$from')} OR @live(t)
WITH collect(DISTINCT u) + collect(DISTINCT o) AS targets
UNWIND targets AS b
MATCH (a)-[r:{types}]->(b)""" if scoped else f"MATCH (a)-[r:{types}]->(b)") + f"""
WHERE {_either('r')} OR {_window('r')}
WITH a, r, b, {_live_at('r', '$from')} AS at_from, @live(r) AS at_to
OPTIONAL MATCH (b)-[s:SITS_AT]->(u:Unit)
WHERE {_side('s')}
WITH a, r, b, at_from, at_to, CASE WHEN u IS NULL THEN b ELSE u END AS place
RETURN r.key AS id, at_from, at_to, type(r) AS rel, properties(r) AS props,
       a.code AS a_code, a.name AS a_name, b.code AS b_code, b.name AS b_name,
       [place.code, place.community_code, place.street_code, place.district_code,
        place.city_code] AS area
""",
    )


_KEYED_TYPES = {
    "post": f"{REL.SERVES_AS}|{REL.CROSS_APPOINTED_TO}",
    "supervision": REL.SUPERVISES,
    "contract": REL.MANAGES,
}
_KEYED = {kind: _keyed(kind, types, False) for kind, types in _KEYED_TYPES.items()}
_KEYED_SCOPED = {kind: _keyed(kind, types, True) for kind, types in _KEYED_TYPES.items()}

#: Not values of a record: version bookkeeping, provenance, derived and ancestry columns.
_NOT_VALUES = frozenset({
    "vf", "vt", "run", "src_table", "src_row", "sig", "retired", "retired_on", "key",
    "term_end_day", "start_day", "end_day", "date_day",
    "city_code", "city_name", "district_code", "district_name", "street_code",
    "street_name", "community_code", "community_name",
})
#: The parent of a unit at each level is named by one of its ancestry columns.
_PARENT_NAME = {"compound": "community_name", "community": "street_name",
                "street": "district_name", "district": "city_name"}


@dataclass(frozen=True)
class Provenance:
    """Where a version came from: the run that wrote it, the registry table and row."""

    run: str | None
    src_table: str | None
    src_row: int | None
    snapshot_date: str | None = None

    @classmethod
    def of(cls, props: Mapping[str, Any] | None,
           dates: Mapping[str, str | None]) -> Provenance | None:
        if props is None:
            return None
        run = props.get("run")
        return cls(run, props.get("src_table"), props.get("src_row"), dates.get(run or ""))

    def to_json(self) -> dict[str, Any]:
        return {"run": self.run, "src_table": self.src_table, "src_row": self.src_row,
                "snapshot_date": self.snapshot_date}


@dataclass(frozen=True)
class Change:
    """One record's change between two snapshots.

    ``kind`` is the record (``unit``, ``organisation``, ``post``, ``supervision``,
    ``contract``), ``change`` what happened (display domain ``change``), ``subtype`` its
    level / organisation kind / role / supervision kind; ``before`` and ``after`` the
    values that differ (for ``moved``: the parent; for ``added``/``begun``: nothing before).
    """

    kind: str
    change: str
    id: str
    name: str | None
    subtype: str | None
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    source_from: Provenance | None = None
    source_to: Provenance | None = None
    parties: dict[str, Any] = field(default_factory=dict)  # a post's person and organisation …

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "change": self.change, "id": self.id, "name": self.name,
                "subtype": self.subtype, "before": self.before, "after": self.after,
                "parties": self.parties,
                "source_from": self.source_from.to_json() if self.source_from else None,
                "source_to": self.source_to.to_json() if self.source_to else None}


def _values(props: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (props or {}).items() if k not in _NOT_VALUES}


def _current(props: Mapping[str, Any] | None) -> bool:
    return props is not None and not props.get("retired")


def _held(props: Mapping[str, Any] | None, on: str | None) -> bool:
    """The activity rule (``@active``) on one version, in Python."""
    if props is None or props.get("retired"):
        return False
    if on is None:
        return True
    start, end = props.get("start"), props.get("end")
    return (start is None or str(start) <= on) and (end is None or on < str(end))


def _differences(a: Mapping[str, Any], b: Mapping[str, Any],
                 skip: Iterable[str] = ()) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = sorted((set(a) | set(b)) - set(skip))
    changed = [k for k in keys if a.get(k) != b.get(k)]
    return {k: a.get(k) for k in changed}, {k: b.get(k) for k in changed}


def _in_scope(scope: str | None, *areas: Iterable[Any] | None) -> bool:
    return scope is None or any(a is not None and scope in a for a in areas)


@dataclass
class _Pair:
    """The two versions of one identity: live at ``from`` and live at ``to`` (either None)."""

    first: dict[str, Any] | None = None
    second: dict[str, Any] | None = None

    def put(self, row: dict[str, Any], at_from: bool, at_to: bool) -> None:
        if at_from:
            self.first = row
        if at_to:
            self.second = row


def _pairs(rows: Iterable[dict[str, Any]], keyed: bool) -> dict[str, _Pair]:
    out: dict[str, _Pair] = {}
    for row in rows:
        at_from = bool(row["at_from"])
        at_to = bool(row["at_to"]) if keyed else not at_from
        out.setdefault(str(row["id"]), _Pair()).put(row, at_from, at_to)
    return out


def _node_changes(kind: str, pairs: Mapping[str, _Pair], scope: str | None,
                  dates: Mapping[str, str | None]) -> list[Change]:
    out: list[Change] = []
    move_key = "parent_code" if kind == "unit" else "unit_code"
    for code, pair in sorted(pairs.items()):
        f, t = pair.first, pair.second
        if not _in_scope(scope, f and f["area"], t and t["area"]):
            continue
        fp, tp = (f or {}).get("props"), (t or {}).get("props")
        shown = tp or fp or {}
        subtype = shown.get("level" if kind == "unit" else "kind")
        src = {"source_from": Provenance.of(fp, dates), "source_to": Provenance.of(tp, dates)}

        def add(change: str, before: dict[str, Any], after: dict[str, Any],
                code: str = code, shown: Mapping[str, Any] = shown,
                subtype: Any = subtype, src: dict[str, Any] = src) -> None:
            out.append(Change(kind, change, code, shown.get("name"), subtype, before, after,
                              **src))

        now_from, now_to = _current(fp), _current(tp)
        if not now_from and now_to:
            add("added", {}, _values(tp))
        elif now_from and not now_to:
            add("retired", _values(fp), {"retired_on": (tp or {}).get("retired_on")})
        elif now_from and now_to:
            a, b = _values(fp), _values(tp)
            if a.get(move_key) != b.get(move_key):
                add("moved", *_place(kind, f, t, move_key))
            if kind == "organisation" and a.get("parent_code") != b.get("parent_code"):
                add("reaffiliated",
                    {"parent_code": a.get("parent_code"),
                     "parent_name": (f or {}).get("parent_name")},
                    {"parent_code": b.get("parent_code"),
                     "parent_name": (t or {}).get("parent_name")})
            before, after = _differences(a, b, (move_key, "parent_code"))
            if before or after:
                add("changed", before, after)
    return out


def _place(kind: str, f: Mapping[str, Any] | None, t: Mapping[str, Any] | None,
           move_key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A move's before and after: the parent (units) or the seat (organisations)."""
    def side(v: Mapping[str, Any] | None) -> dict[str, Any]:
        props = (v or {}).get("props") or {}
        if kind == "unit":
            name = props.get(_PARENT_NAME.get(str(props.get("level")), ""), None)
        else:
            name = (v or {}).get("unit_name")
        return {move_key: props.get(move_key), "name": name}
    return side(f), side(t)


def _keyed_changes(kind: str, pairs: Mapping[str, _Pair], scope: str | None,
                   on_from: str | None, on_to: str | None,
                   dates: Mapping[str, str | None]) -> list[Change]:
    out: list[Change] = []
    for key, pair in sorted(pairs.items()):
        f, t = pair.first, pair.second
        if not _in_scope(scope, f and f["area"], t and t["area"]):
            continue
        fp, tp = (f or {}).get("props"), (t or {}).get("props")
        held_from, held_to = _held(fp, on_from), _held(tp, on_to)
        shown = t or f
        assert shown is not None
        props = shown["props"]
        parties = {"from_code": shown["a_code"], "from_name": shown["a_name"],
                   "to_code": shown["b_code"], "to_name": shown["b_name"], "rel": shown["rel"]}
        subtype = props.get("role") or props.get("kind") or props.get("project")
        name = props.get("title") or props.get("project")
        src = {"source_from": Provenance.of(fp, dates), "source_to": Provenance.of(tp, dates)}
        a = {**_values(fp), "rel": (f or {}).get("rel")} if fp else {}
        b = {**_values(tp), "rel": (t or {}).get("rel")} if tp else {}
        if not held_from and held_to:
            out.append(Change(kind, "begun", key, name, subtype, {}, b, parties=parties, **src))
        elif held_from and not held_to:
            after = _differences(a, b)[1] if tp else {}
            if tp and tp.get("retired"):
                after["retired_on"] = tp.get("retired_on")
            out.append(Change(kind, "ended", key, name, subtype, a, after, parties=parties,
                              **src))
        elif held_from and held_to:
            before, after = _differences(a, b)
            if before or after:
                out.append(Change(kind, "changed", key, name, subtype, before, after,
                                  parties=parties, **src))
    return out


def record_changes(store: Store, first: Snapshot, second: Snapshot,
                   scope: str | None = None) -> list[Change]:
    """Every record change from snapshot ``first`` to ``second`` within ``scope``.

    Order: units, organisations, posts, supervisions, contracts; within each by code/key.
    """
    dates = _run_dates(store)
    params = {"from": first.ordinal, "snapshot": second.ordinal}
    lo, hi = sorted([first.date or "", second.date or ""])
    keyed_params = {**params, "lo_date": lo, "hi_date": hi}
    out = _node_changes("unit", _pairs(store.read(_UNIT_VERSIONS, params), False), scope,
                        dates)
    out += _node_changes("organisation", _pairs(store.read(_ORG_VERSIONS, params), False),
                         scope, dates)
    texts = _KEYED if scope is None else _KEYED_SCOPED
    for kind, text in texts.items():
        rows = store.read(text, {**keyed_params, "scope": scope})
        out += _keyed_changes(kind, _pairs(rows, True), scope, first.date, second.date, dates)
    return out


def _run_dates(store: Store) -> dict[str, str | None]:
    from ..graph.snapshots import list_snapshots

    return {s.run_id: s.date for s in list_snapshots(store.read)}
