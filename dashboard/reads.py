"""The dashboard's own reads: everything it shows that is not an audit question.

The hierarchy, a unit's organisations, posts, contracts and governance subgraph, person
search and a person's posts over time.  Headline figures and gaps never come from here:
they come from the audit catalog (``redgov.queries.run_question``), so the dashboard and
the CLI cannot disagree.  Every text is declared with ``cypher()`` so the lint test
covers it, takes its values as ``$parameters`` and only reads.

Every text answers for one published snapshot, ``$snapshot`` (the data module pins the
one chosen in the sidebar; a plain ``store.read`` pins the latest): the shared conditions
of ``graph.conditions`` keep only that snapshot's versions — ``@live`` on the first node of
every MATCH and on every relation, ``@current`` where retired records are left out,
``@active`` for a post, contract or supervision valid on ``$as_of`` (docs/model.md: not
retired, ``start <= $as_of`` or no start, ``$as_of < end`` or no end), ``@in_force`` for an
organisation not revoked, ``@in_scope`` for ``$scope``.  Where a page lists records of the
past beside those in force (a unit's organisations, a person's posts, a unit's contracts)
the read returns the condition as a flag (``in_force``, ``serving``, ``active``) rather than
leaving the page to work it out again from dates and statuses.  Nodes reached through a
live relation are live (the loader's contract).

Scope (a dashboard account's unit; None = everything) is applied here, not in the pages:
units, a unit's organisations and contracts take ``$scope`` in their text; people and the
bodies around a network are checked with :func:`inside_people` / :func:`inside_orgs`.  A
unit is inside when the scope is among its own and its ancestors' codes.  An organisation
or a person is inside when it has a footprint in the subtree: it sits at, is built in,
manages, lives in or supervises a unit there, or (a person) holds a post (本职 or 兼任) in
an organisation sitting at or built in one.  Everything else — the unit's parent's
bodies, a supervisor from elsewhere, a person's posts or home outside — is left out, so
it cannot be reached from a widget, a link or a download.  Unscoped, the texts run as
they always did, at the same cost.
"""

from __future__ import annotations

from typing import Any

from ..graph.cypher import cypher
from ..graph.scope import inside_units
from ..graph.stores.base import Store
from ..graph.vocabulary import LABEL_PERSON, REL

__all__ = [
    "contracts",
    "count_people",
    "inside_orgs",
    "inside_people",
    "network_rows",
    "person",
    "person_posts",
    "search_people",
    "unit_orgs",
    "units",
    "units_around",
    "units_at_levels",
]

POST_TYPES = [REL.SERVES_AS, REL.CROSS_APPOINTED_TO]

UNITS = cypher(
    "dashboard.units",
    """
MATCH (u:Unit)
WHERE @current(u) AND @in_scope(u)
RETURN u.code AS code, u.name AS name, u.level AS level, u.parent_code AS parent_code,
       u.compound_type AS compound_type, u.households AS households
ORDER BY code
""",
)

# The overview's chart names only districts and streets: those levels' rows (by the level
# index), not every unit (57,654 rows at a province: 2–3 s of the overview's first load).
UNITS_AT_LEVELS = cypher(
    "dashboard.units_at_levels",
    """
MATCH (u:Unit)
WHERE u.level IN $levels AND @current(u) AND @in_scope(u)
RETURN u.code AS code, u.name AS name, u.level AS level, u.parent_code AS parent_code,
       u.compound_type AS compound_type, u.households AS households
ORDER BY code
""",
)

# A unit's page: its subtree and the units above it (breadcrumbs, the places named above
# the network), the same rows `units` gives for them.  Not every unit: at a province that
# is 57,654 rows (seconds to read, for one page), a district's subtree ~700.  A compound's
# subtree is itself (no unit names a compound in its ancestry): no scan of the units.
UNITS_AROUND = cypher(
    "dashboard.units_around",
    """
MATCH (x:Unit {code: $code})
WHERE @current(x) AND @in_scope(x)
RETURN x.code AS code, x.name AS name, x.level AS level, x.parent_code AS parent_code,
       x.compound_type AS compound_type, x.households AS households
UNION
MATCH (x:Unit {code: $code})
WHERE @current(x) AND @in_scope(x) AND x.level <> 'compound'
WITH x
MATCH (u:Unit)
WHERE @in_subtree(u)
  AND @current(u) AND @in_scope(u)
RETURN u.code AS code, u.name AS name, u.level AS level, u.parent_code AS parent_code,
       u.compound_type AS compound_type, u.households AS households
UNION
MATCH (x:Unit {code: $code})
WHERE @current(x) AND @in_scope(x)
WITH x
UNWIND [x.city_code, x.district_code, x.street_code, x.community_code] AS above
MATCH (u:Unit {code: above})
WHERE @current(u) AND @in_scope(u)
RETURN u.code AS code, u.name AS name, u.level AS level, u.parent_code AS parent_code,
       u.compound_type AS compound_type, u.households AS households
""",
)

# The organisations of a unit's subtree: those sitting there, those built in one of its
# compounds (a joint branch may sit at the community) and the companies with an active
# contract for one of its compounds.  `rel` says how each one belongs.  The subtree's units
# are found once, not per relation, by their ancestors' codes (@in_subtree: from the codes'
# indexes on both engines; a list form scanned all 57,654 units of a province), and none
# for a compound: no
# other unit names a compound in its ancestry (loaders/diff.ancestry_of records the codes
# of cities, districts, streets and communities only), so its subtree is itself, found
# by the code index.
UNIT_ORGS = cypher(
    "dashboard.unit_orgs",
    """
MATCH (x:Unit {code: $code})
WHERE @live(x) AND x.level <> 'compound'
WITH x
MATCH (u:Unit)
WHERE @in_subtree(u)
  AND @live(u) AND @in_scope(u)
MATCH (o:Organisation)-[r:SITS_AT|BUILT_IN|MANAGES]->(u)
WHERE @current(o) AND @live(r) AND (type(r) <> 'MANAGES' OR (@active(r)))
RETURN o.code AS code, o.name AS name, o.kind AS kind, o.status AS status,
       o.formation AS formation, o.term_end AS term_end, u.code AS unit_code,
       u.name AS unit_name, type(r) AS rel, @in_force(o) AS in_force
UNION
MATCH (u:Unit {code: $code})
WHERE @live(u) AND u.level = 'compound' AND @in_scope(u)
MATCH (o:Organisation)-[r:SITS_AT|BUILT_IN|MANAGES]->(u)
WHERE @current(o) AND @live(r) AND (type(r) <> 'MANAGES' OR (@active(r)))
RETURN o.code AS code, o.name AS name, o.kind AS kind, o.status AS status,
       o.formation AS formation, o.term_end AS term_end, u.code AS unit_code,
       u.name AS unit_name, type(r) AS rel, @in_force(o) AS in_force
""",
)

POSTS = cypher(
    "dashboard.posts",
    """
MATCH (o:Organisation)
WHERE o.code IN $orgs AND @live(o)
MATCH (p:Person)-[r]->(o)
WHERE type(r) IN $post_types AND @live(p) AND @active(r)
RETURN p.code AS person_code, p.name AS person_name, p.standing AS standing,
       o.code AS org_code, o.name AS org_name, o.kind AS org_kind, type(r) AS rel,
       r.role AS role, r.title AS title, r.start AS start, r.end AS end_date
ORDER BY org_code, person_code, start
""",
)

# Who oversees these bodies (and, for the page's own unit, who oversees the unit).
SUPERVISIONS = cypher(
    "dashboard.supervisions",
    """
MATCH (o:Organisation)
WHERE o.code IN $orgs AND @live(o)
MATCH (s)-[r:SUPERVISES]->(o)
WHERE @live(s) AND @active(r)
RETURN s.code AS source, s.name AS source_name, s.kind AS source_kind,
       s.standing AS source_standing, $person_label IN labels(s) AS source_person,
       o.code AS target, o.name AS target_name, o.kind AS target_kind, r.kind AS kind
UNION
MATCH (u:Unit {code: $code})
WHERE @live(u)
MATCH (s)-[r:SUPERVISES]->(u)
WHERE @live(s) AND @active(r)
RETURN s.code AS source, s.name AS source_name, s.kind AS source_kind,
       s.standing AS source_standing, $person_label IN labels(s) AS source_person,
       u.code AS target, u.name AS target_name, null AS target_kind, r.kind AS kind
""",
)

AFFILIATIONS = cypher(
    "dashboard.affiliations",
    """
MATCH (o:Organisation)
WHERE o.code IN $orgs AND @live(o)
MATCH (o)-[a:AFFILIATED_UNDER]->(p:Organisation)
WHERE @live(a)
RETURN o.code AS org_code, p.code AS parent_code, p.name AS parent_name, p.kind AS parent_kind
ORDER BY org_code
""",
)

CONTRACTS = cypher(
    "dashboard.contracts",
    """
MATCH (u:Unit)
WHERE @in_subtree(u)
  AND @live(u)
MATCH (o:Organisation)-[c:MANAGES]->(u)
WHERE @live(o, c)
RETURN o.code AS company_code, o.name AS company_name, u.code AS compound_code,
       u.name AS compound_name, c.project AS project, c.start AS start, c.end AS end_date,
       coalesce(c.retired, false) AS retired, (@active(c) AND @in_force(o)) AS active
ORDER BY compound_code, start
LIMIT $limit
""",
)

SEARCH_PEOPLE = cypher(
    "dashboard.search_people",
    """
MATCH (p:Person)
WHERE @current(p) AND (p.code CONTAINS $q OR p.name CONTAINS $q)
RETURN p.code AS code, p.name AS name, p.standing AS standing
ORDER BY code
SKIP $skip
LIMIT $limit
""",
)

COUNT_PEOPLE = cypher(
    "dashboard.count_people",
    """
MATCH (p:Person)
WHERE @current(p) AND (p.code CONTAINS $q OR p.name CONTAINS $q)
RETURN count(p) AS n
""",
)

PERSON = cypher(
    "dashboard.person",
    """
MATCH (p:Person {code: $code})
WHERE @live(p)
OPTIONAL MATCH (p)-[h:LIVES_IN]->(u:Unit)
WHERE @live(h)
RETURN p.code AS code, p.name AS name, p.standing AS standing, u.code AS home_code,
       u.name AS home_name
""",
)

PERSON_POSTS = cypher(
    "dashboard.person_posts",
    """
MATCH (p:Person {code: $code})
WHERE @live(p)
MATCH (p)-[r]->(o:Organisation)
WHERE type(r) IN $post_types AND @live(r)
OPTIONAL MATCH (o)-[s:SITS_AT]->(u:Unit)
WHERE @live(s)
RETURN type(r) AS rel, r.title AS title, r.role AS role, r.start AS start,
       r.end AS end_date, coalesce(r.retired, false) AS retired, o.code AS org_code,
       o.name AS org_name, o.kind AS org_kind, u.code AS unit_code, u.name AS unit_name,
       (@active(r) AND @in_force(o)) AS serving
ORDER BY start, org_code
""",
)


# Scoped reads.  The texts above serve the whole graph unchanged (an admin, or no accounts
# at all); with a scope, the organisations, people and units they return are checked with
# the plain traversals below, batched over the codes in hand — far cheaper on FalkorDB
# than a pattern comprehension per row (which it also refuses inside a WHERE).  The WITH
# after each lookup makes FalkorDB start from the code index, not from every Unit.
INSIDE_ORGS = cypher(
    "dashboard.inside_orgs",
    """
UNWIND $codes AS code
MATCH (o:Organisation {code: code})
WHERE @live(o)
WITH o
MATCH (o)-[r:SITS_AT|BUILT_IN|MANAGES|SUPERVISES]->(x:Unit)
WHERE @live(r) AND @in_scope(x)
RETURN DISTINCT o.code AS code
""",
)
INSIDE_PEOPLE = cypher(
    "dashboard.inside_people",
    """
UNWIND $codes AS code
MATCH (p:Person {code: code})
WHERE @live(p)
WITH p
MATCH (p)-[r:LIVES_IN|SUPERVISES]->(x:Unit)
WHERE @live(r) AND @in_scope(x)
RETURN DISTINCT p.code AS code
UNION
UNWIND $codes AS code
MATCH (p:Person {code: code})
WHERE @live(p)
WITH p
MATCH (p)-[r:SERVES_AS|CROSS_APPOINTED_TO]->(:Organisation)-[s:SITS_AT|BUILT_IN]->(x:Unit)
WHERE @live(r, s) AND @in_scope(x)
RETURN DISTINCT p.code AS code
""",
)
# People search from the subtree's units outwards: residents and instructors of its units,
# then holders of posts in its bodies; each part sorted and cut, merged by the caller.
#: The scoped search reads every match of one scope (it pages in Python).
SCOPED_SEARCH_MAX = 1_000_000

SEARCH_PEOPLE_SCOPED = cypher(
    "dashboard.search_people_scoped",
    """
MATCH (x:Unit)
WHERE @live(x) AND @in_scope(x)
MATCH (p:Person)-[r:LIVES_IN|SUPERVISES]->(x)
WHERE @current(p) AND @live(r) AND (p.code CONTAINS $q OR p.name CONTAINS $q)
RETURN DISTINCT p.code AS code, p.name AS name, p.standing AS standing
ORDER BY code
LIMIT $limit
UNION
MATCH (x:Unit)
WHERE @live(x) AND @in_scope(x)
MATCH (p:Person)-[r:SERVES_AS|CROSS_APPOINTED_TO]->(:Organisation)-[s:SITS_AT|BUILT_IN]->(x)
WHERE @current(p) AND @live(r, s) AND (p.code CONTAINS $q OR p.name CONTAINS $q)
RETURN DISTINCT p.code AS code, p.name AS name, p.standing AS standing
ORDER BY code
LIMIT $limit
""",
)


def units(store: Store, scope: str | None = None) -> list[dict[str, Any]]:
    return store.read(UNITS, {"scope": scope})


def units_at_levels(store: Store, levels: list[str],
                    scope: str | None = None) -> list[dict[str, Any]]:
    """The rows :func:`units` gives for the units at ``levels`` only."""
    return store.read(UNITS_AT_LEVELS, {"levels": list(levels), "scope": scope})


def units_around(store: Store, code: str, scope: str | None = None) -> list[dict[str, Any]]:
    """The unit ``code``, its subtree and the units above it (those inside ``scope``; none
    when ``code`` itself is outside), by code: what a unit's page needs of ``units``, with
    the same rows."""
    rows = store.read(UNITS_AROUND, {"code": code, "scope": scope})
    return sorted({r["code"]: r for r in rows}.values(), key=lambda r: r["code"])


def unit_orgs(store: Store, code: str, as_of: str,
              scope: str | None = None) -> list[dict[str, Any]]:
    """Live organisations of the subtree; one row per organisation (first `rel` wins),
    ``in_force`` False for one revoked at the snapshot (listed, never drawn as serving)."""
    seen: dict[str, dict[str, Any]] = {}
    order = {"SITS_AT": 0, "BUILT_IN": 1, "MANAGES": 2}
    rows = sorted(store.read(UNIT_ORGS, {"code": code, "as_of": as_of, "scope": scope}),
                  key=lambda r: (order.get(r["rel"], 9), r["code"]))
    for row in rows:
        seen.setdefault(row["code"], row)
    return sorted(seen.values(), key=lambda r: r["code"])


def inside_orgs(store: Store, scope: str | None, codes: list[str]) -> set[str]:
    """Those of ``codes`` (organisations) with a footprint in ``scope``'s subtree."""
    wanted = sorted({c for c in codes if c})
    if scope is None or not wanted:
        return set(wanted)
    return {r["code"] for r in store.read(INSIDE_ORGS, {"codes": wanted, "scope": scope})}


def inside_people(store: Store, scope: str | None, codes: list[str]) -> set[str]:
    """Those of ``codes`` (people) with a footprint in ``scope``'s subtree."""
    wanted = sorted({c for c in codes if c})
    if scope is None or not wanted:
        return set(wanted)
    return {r["code"] for r in store.read(INSIDE_PEOPLE, {"codes": wanted, "scope": scope})}


def network_rows(store: Store, code: str, orgs: list[str], as_of: str,
                 scope: str | None = None) -> dict[str, list]:
    """Posts, supervisions and affiliations around the given organisations (those of them
    inside ``scope``; a supervisor or a parent outside it is left out)."""
    if scope is not None:
        orgs = sorted(inside_orgs(store, scope, orgs))
        if code not in inside_units(store, scope, [code]):
            code = ""  # nor the page unit's own supervisors
    base = {"orgs": orgs, "as_of": as_of}
    posts = store.read(POSTS, {**base, "post_types": POST_TYPES})
    supervisions = store.read(SUPERVISIONS, {**base, "code": code, "person_label": LABEL_PERSON})
    affiliations = store.read(AFFILIATIONS, {"orgs": orgs})
    if scope is not None:
        sources = (inside_people(store, scope, [s["source"] for s in supervisions
                                                if s["source_person"]])
                   | inside_orgs(store, scope, [s["source"] for s in supervisions
                                                if not s["source_person"]]))
        supervisions = [s for s in supervisions if s["source"] in sources]
        parents = inside_orgs(store, scope, [a["parent_code"] for a in affiliations])
        affiliations = [a for a in affiliations if a["parent_code"] in parents]
    return {"posts": posts, "supervisions": supervisions, "affiliations": affiliations}


def contracts(store: Store, code: str, limit: int = 500,
              scope: str | None = None, as_of: str | None = None) -> list[dict[str, Any]]:
    """The subtree's contracts, each with ``active``: in force on ``as_of`` with a company
    not revoked (None without ``as_of``)."""
    return store.read(CONTRACTS, {"code": code, "limit": limit, "scope": scope,
                                  "as_of": as_of})


def search_people(store: Store, q: str, limit: int = 50, skip: int = 0,
                  scope: str | None = None) -> list[dict[str, Any]]:
    """One page of the people matching ``q`` (by code order), within ``scope``'s subtree."""
    if scope is None:
        return store.read(SEARCH_PEOPLE, {"q": q, "limit": limit, "skip": skip})
    return _scoped_matches(store, q, scope)[skip:skip + limit]


def count_people(store: Store, q: str, scope: str | None = None) -> int:
    """How many people match ``q`` in all (the search pages through them)."""
    if scope is None:
        return int(store.read(COUNT_PEOPLE, {"q": q})[0]["n"])
    return len(_scoped_matches(store, q, scope))


def _scoped_matches(store: Store, q: str, scope: str) -> list[dict[str, Any]]:
    """Every match inside ``scope``, by code: the scoped search is a union of two ways in
    (home, posts), which neither engine pages through in one text, so it is paged here;
    one scope's matches are few enough to hold."""
    rows = store.read(SEARCH_PEOPLE_SCOPED, {"q": q, "limit": SCOPED_SEARCH_MAX, "scope": scope})
    found = {r["code"]: r for r in rows}
    return [found[c] for c in sorted(found)]


def person(store: Store, code: str, scope: str | None = None) -> dict[str, Any] | None:
    """The person, or None when unknown or outside ``scope`` (their home only if inside)."""
    if scope is not None and code not in inside_people(store, scope, [code]):
        return None
    rows = store.read(PERSON, {"code": code})
    if not rows:
        return None
    row = dict(rows[0])
    if scope is not None and row.get("home_code") not in inside_units(
            store, scope, [row.get("home_code")]):
        row["home_code"] = row["home_name"] = None
    return row


def person_posts(store: Store, code: str, scope: str | None = None,
                 as_of: str | None = None) -> list[dict[str, Any]]:
    """The person's posts in organisations inside ``scope`` (a seat outside left blank),
    each with ``serving``: held on ``as_of`` in an organisation not revoked."""
    rows = store.read(PERSON_POSTS, {"code": code, "post_types": POST_TYPES, "as_of": as_of})
    if scope is None:
        return rows
    keep = inside_orgs(store, scope, [r["org_code"] for r in rows])
    seats = inside_units(store, scope, [r["unit_code"] for r in rows])
    out = []
    for r in rows:
        if r["org_code"] in keep:
            r = dict(r)
            if r.get("unit_code") not in seats:
                r["unit_code"] = r["unit_name"] = None
            out.append(r)
    return out


#: The latest 示范创建 year with scores up to ``$year`` (the 示范创建 page's default year:
#: a snapshot dated early in a year still shows the last evaluation held).
SCORED_YEAR = cypher(
    "dashboard.scored_year",
    "MATCH (s:Score) WHERE @current(s) AND s.year <= $year RETURN max(s.year) AS year",
)


def scored_year(store: Store, year: int) -> int | None:
    rows = store.read(SCORED_YEAR, {"year": year})
    value = rows[0]["year"] if rows else None
    return int(value) if value is not None else None
