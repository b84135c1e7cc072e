"""The calibration figures counted in the graph, with the same definitions as
:mod:`.measure` uses on the CSV files (see there), so ``redgov demo`` can show what the
sync actually built and the tests can compare export, summary and graph.

Every enumeration value is a parameter taken from the vocabulary; activity follows
docs/model.md (``retired = false``, start ≤ as_of < end), written with the shared
snapshot conditions (``@live``/``@current``/``@active``, :mod:`redgov.graph.conditions`), so
the figures can be read for any published snapshot.
"""

from __future__ import annotations

from typing import Any

from ...graph.cypher import cypher
from ...graph.stores.base import Store
from ...graph.vocabulary import (
    COMPANY_KIND,
    LEVELS,
    MEMBER_STANDINGS,
    ORG_KINDS,
    ORG_STATUS,
    PARTY_ORG_KINDS,
    REL,
    normalise_role,
)

__all__ = ["graph_figures"]

_COMPOUND_ORGS = cypher(
    "demo.compound_party_orgs",
    """
MATCH (o:Organisation)-[b:BUILT_IN]->(u:Unit)
WHERE @current(o) AND @live(b) AND o.kind IN $party_kinds AND o.status = $active
  AND u.level = $compound
RETURN count(DISTINCT o) AS branches, count(DISTINCT u) AS covered
""",
)
_COMPOUNDS = cypher(
    "demo.compounds",
    """
MATCH (u:Unit)
WHERE @current(u) AND u.level = $compound
RETURN count(u) AS compounds
""",
)
_MANAGED = cypher(
    "demo.managed_compounds",
    """
MATCH (o:Organisation)-[m:MANAGES]->(u:Unit)
WHERE @live(o) AND @active(m)
RETURN count(DISTINCT u) AS managed
""",
)
_OWNERS = cypher(
    "demo.owners_committee_compounds",
    """
MATCH (o:Organisation)-[s:SITS_AT]->(u:Unit)
WHERE @current(o) AND @live(s) AND o.kind = $owners AND o.status = $active
  AND u.level = $compound
RETURN count(DISTINCT u) AS compounds
""",
)
_COMPANIES = cypher(
    "demo.companies_with_party_org",
    """
MATCH (o:Organisation)-[b:BUILT_IN]->(c:Organisation)
WHERE @current(o) AND @live(b) AND o.kind IN $party_kinds AND o.status = $active
  AND c.kind = $company
RETURN count(DISTINCT c) AS companies
""",
)
_CHAIRS = cypher(
    "demo.party_member_chairs",
    """
MATCH (p:Person)-[r]->(o:Organisation)
WHERE @live(p) AND type(r) IN $post_types AND r.role = $director AND @active(r)
  AND o.kind = $owners AND o.status = $active AND @current(o)
  AND p.standing IN $members
RETURN count(DISTINCT p) AS chairs
""",
)
_ONE_SHOULDER = cypher(
    "demo.one_shoulder",
    """
MATCH (p:Person)-[s]->(b:Organisation)-[bi:BUILT_IN]->(u:Unit)
WHERE @live(p) AND type(s) IN $post_types AND s.role = $secretary AND @active(s)
  AND b.kind IN $party_kinds AND b.status = $active AND @current(b) AND @live(bi)
  AND u.level = $compound
MATCH (p)-[c]->(oc:Organisation)-[sa:SITS_AT]->(u)
WHERE type(c) IN $post_types AND c.role = $director AND @active(c)
  AND oc.kind = $owners AND oc.status = $active AND @current(oc) AND @live(sa)
RETURN count(DISTINCT p) AS one_shoulder
""",
)


def graph_figures(store: Store, as_of: str, snapshot: int | None = None) -> dict[str, Any]:
    """Compounds, compound party organisations, managed, owners' committees, companies
    with a party organisation, 一肩挑 and party-member chairs, as of ``as_of`` (ISO), in the
    published snapshot ``snapshot`` (an ordinal; default the latest)."""
    params = {
        "party_kinds": list(PARTY_ORG_KINDS), "active": ORG_STATUS["正常"],
        "compound": LEVELS["小区"],
        "as_of": as_of, "owners": ORG_KINDS["业主委员会"], "company": COMPANY_KIND,
        "post_types": [REL.SERVES_AS, REL.CROSS_APPOINTED_TO], "director": normalise_role("主任"),
        "secretary": normalise_role("书记"), "members": list(MEMBER_STANDINGS),
    }
    if snapshot is not None:
        params["snapshot"] = snapshot

    def one(query: str) -> dict[str, Any]:
        rows = store.read(query, params)
        return {k: int(v) for k, v in rows[0].items()} if rows else {}

    orgs = one(_COMPOUND_ORGS)
    return {
        "compounds": one(_COMPOUNDS)["compounds"],
        "compound_branches": orgs.get("branches", 0),
        "compounds_covered": orgs.get("covered", 0),
        "managed_compounds": one(_MANAGED)["managed"],
        "owners_committee_compounds": one(_OWNERS)["compounds"],
        "companies_with_party_org": one(_COMPANIES)["companies"],
        "one_shoulder": one(_ONE_SHOULDER)["one_shoulder"],
        "party_member_chairs": one(_CHAIRS)["chairs"],
    }
