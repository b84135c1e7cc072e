"""The dashboard's own reads: everything it shows that is not an audit question.

The hierarchy, a unit's organisations, posts, contracts and governance subgraph, person
search and a person's posts over time.  Headline figures and gaps never come from here:
they come from the audit catalog (``redgov.queries.run_question``), so the dashboard and
the CLI cannot disagree.  Every text is declared with ``cypher()`` so the lint test
covers it, takes its values as ``$parameters`` and only reads.

Activity follows docs/model.md: a post, contract or supervision is active at ``$as_of``
when not retired, ``start <= $as_of`` (or no start) and ``$as_of < end`` (or no end).
"""

from __future__ import annotations

from typing import Any

from ..graph.cypher import cypher
from ..graph.stores.base import Store
from ..graph.vocabulary import LABEL_PERSON, REL

__all__ = [
    "contracts",
    "count_people",
    "network_rows",
    "person",
    "person_posts",
    "search_people",
    "unit_orgs",
    "units",
]

POST_TYPES = [REL.SERVES_AS, REL.CROSS_APPOINTED_TO]

UNITS = cypher(
    "dashboard.units",
    """
MATCH (u:Unit)
WHERE coalesce(u.retired, false) = false
RETURN u.code AS code, u.name AS name, u.level AS level, u.parent_code AS parent_code,
       u.compound_type AS compound_type, u.households AS households
ORDER BY code
""",
)

# The organisations of a unit's subtree: those sitting there, those built in one of its
# compounds (a joint branch may sit at the community) and the companies with an active
# contract for one of its compounds.  `rel` says how each one belongs.
UNIT_ORGS = cypher(
    "dashboard.unit_orgs",
    """
MATCH (u:Unit)
WHERE $code IN [u.code, u.community_code, u.street_code, u.district_code, u.city_code]
MATCH (o:Organisation)-[:SITS_AT]->(u)
WHERE coalesce(o.retired, false) = false
RETURN o.code AS code, o.name AS name, o.kind AS kind, o.status AS status,
       o.formation AS formation, o.term_end AS term_end, u.code AS unit_code,
       u.name AS unit_name, 'SITS_AT' AS rel
UNION
MATCH (u:Unit)
WHERE $code IN [u.code, u.community_code, u.street_code, u.district_code, u.city_code]
MATCH (o:Organisation)-[:BUILT_IN]->(u)
WHERE coalesce(o.retired, false) = false
RETURN o.code AS code, o.name AS name, o.kind AS kind, o.status AS status,
       o.formation AS formation, o.term_end AS term_end, u.code AS unit_code,
       u.name AS unit_name, 'BUILT_IN' AS rel
UNION
MATCH (u:Unit)
WHERE $code IN [u.code, u.community_code, u.street_code, u.district_code, u.city_code]
MATCH (o:Organisation)-[c:MANAGES]->(u)
WHERE coalesce(o.retired, false) = false AND coalesce(c.retired, false) = false
  AND (c.start IS NULL OR c.start <= $as_of) AND (c.end IS NULL OR $as_of < c.end)
RETURN o.code AS code, o.name AS name, o.kind AS kind, o.status AS status,
       o.formation AS formation, o.term_end AS term_end, u.code AS unit_code,
       u.name AS unit_name, 'MANAGES' AS rel
""",
)

POSTS = cypher(
    "dashboard.posts",
    """
MATCH (o:Organisation)
WHERE o.code IN $orgs
MATCH (p:Person)-[r]->(o)
WHERE type(r) IN $post_types AND coalesce(r.retired, false) = false
  AND (r.start IS NULL OR r.start <= $as_of) AND (r.end IS NULL OR $as_of < r.end)
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
WHERE o.code IN $orgs
MATCH (s)-[r:SUPERVISES]->(o)
WHERE coalesce(r.retired, false) = false
  AND (r.start IS NULL OR r.start <= $as_of) AND (r.end IS NULL OR $as_of < r.end)
RETURN s.code AS source, s.name AS source_name, s.kind AS source_kind,
       s.standing AS source_standing, $person_label IN labels(s) AS source_person,
       o.code AS target, o.name AS target_name, o.kind AS target_kind, r.kind AS kind
UNION
MATCH (u:Unit {code: $code})
MATCH (s)-[r:SUPERVISES]->(u)
WHERE coalesce(r.retired, false) = false
  AND (r.start IS NULL OR r.start <= $as_of) AND (r.end IS NULL OR $as_of < r.end)
RETURN s.code AS source, s.name AS source_name, s.kind AS source_kind,
       s.standing AS source_standing, $person_label IN labels(s) AS source_person,
       u.code AS target, u.name AS target_name, null AS target_kind, r.kind AS kind
""",
)

AFFILIATIONS = cypher(
    "dashboard.affiliations",
    """
MATCH (o:Organisation)
WHERE o.code IN $orgs
MATCH (o)-[:AFFILIATED_UNDER]->(p:Organisation)
RETURN o.code AS org_code, p.code AS parent_code, p.name AS parent_name, p.kind AS parent_kind
ORDER BY org_code
""",
)

CONTRACTS = cypher(
    "dashboard.contracts",
    """
MATCH (u:Unit)
WHERE $code IN [u.code, u.community_code, u.street_code, u.district_code, u.city_code]
MATCH (o:Organisation)-[c:MANAGES]->(u)
RETURN o.code AS company_code, o.name AS company_name, u.code AS compound_code,
       u.name AS compound_name, c.project AS project, c.start AS start, c.end AS end_date,
       coalesce(c.retired, false) AS retired
ORDER BY compound_code, start
LIMIT $limit
""",
)

SEARCH_PEOPLE = cypher(
    "dashboard.search_people",
    """
MATCH (p:Person)
WHERE coalesce(p.retired, false) = false AND (p.code CONTAINS $q OR p.name CONTAINS $q)
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
WHERE coalesce(p.retired, false) = false AND (p.code CONTAINS $q OR p.name CONTAINS $q)
RETURN count(p) AS n
""",
)

PERSON = cypher(
    "dashboard.person",
    """
MATCH (p:Person {code: $code})
OPTIONAL MATCH (p)-[:LIVES_IN]->(u:Unit)
RETURN p.code AS code, p.name AS name, p.standing AS standing, u.code AS home_code,
       u.name AS home_name
""",
)

PERSON_POSTS = cypher(
    "dashboard.person_posts",
    """
MATCH (p:Person {code: $code})
MATCH (p)-[r]->(o:Organisation)
WHERE type(r) IN $post_types
OPTIONAL MATCH (o)-[:SITS_AT]->(u:Unit)
RETURN type(r) AS rel, r.title AS title, r.role AS role, r.start AS start,
       r.end AS end_date, coalesce(r.retired, false) AS retired, o.code AS org_code,
       o.name AS org_name, o.kind AS org_kind, u.code AS unit_code, u.name AS unit_name
ORDER BY start, org_code
""",
)


def units(store: Store) -> list[dict[str, Any]]:
    return store.read(UNITS)


def unit_orgs(store: Store, code: str, as_of: str) -> list[dict[str, Any]]:
    """Live organisations of the subtree; one row per organisation (first `rel` wins)."""
    seen: dict[str, dict[str, Any]] = {}
    order = {"SITS_AT": 0, "BUILT_IN": 1, "MANAGES": 2}
    rows = sorted(store.read(UNIT_ORGS, {"code": code, "as_of": as_of}),
                  key=lambda r: (order.get(r["rel"], 9), r["code"]))
    for row in rows:
        seen.setdefault(row["code"], row)
    return sorted(seen.values(), key=lambda r: r["code"])


def network_rows(store: Store, code: str, orgs: list[str], as_of: str) -> dict[str, list]:
    """Posts, supervisions and affiliations around the given organisations."""
    base = {"orgs": orgs, "as_of": as_of}
    return {
        "posts": store.read(POSTS, {**base, "post_types": POST_TYPES}),
        "supervisions": store.read(SUPERVISIONS, {**base, "code": code,
                                                  "person_label": LABEL_PERSON}),
        "affiliations": store.read(AFFILIATIONS, {"orgs": orgs}),
    }


def contracts(store: Store, code: str, limit: int = 500) -> list[dict[str, Any]]:
    return store.read(CONTRACTS, {"code": code, "limit": limit})


def search_people(store: Store, q: str, limit: int = 50, skip: int = 0
                  ) -> list[dict[str, Any]]:
    """One page of the people matching ``q`` (by code order)."""
    return store.read(SEARCH_PEOPLE, {"q": q, "limit": limit, "skip": skip})


def count_people(store: Store, q: str) -> int:
    """How many people match ``q`` in all (the search pages through them)."""
    return int(store.read(COUNT_PEOPLE, {"q": q})[0]["n"])


def person(store: Store, code: str) -> dict[str, Any] | None:
    rows = store.read(PERSON, {"code": code})
    return rows[0] if rows else None


def person_posts(store: Store, code: str) -> list[dict[str, Any]]:
    return store.read(PERSON_POSTS, {"code": code, "post_types": POST_TYPES})
