"""Per-party-organisation facts, computed once per snapshot in the publish step that writes
the per-compound facts (:mod:`.compound_facts`).

The per-organisation questions (``branch_committee_size``, ``secretary_origin``,
``funding_guarantee``) walk every active party organisation's seat, hosts, committee posts,
its secretaries' other posts and homes, and its funding rows; a province has ≈ 48k such
organisations, so each of them cost 4–5 s unscoped.  So the sync writes one :data:`LABEL`
node per (current active party organisation, live seat) — the row the definitions start
from — holding what they compute about it:

- the organisation's ``code``, ``name``, ``kind``, ``formation``, ``founded``;
- its seat unit's ``unit_code`` and ancestry (``community_code`` … ``city_code``, names), for
  the questions' columns and their scope (the definitions' ``@in_scope(u)`` on the seat);
- ``in_compound`` (built in a current compound), ``compound_codes`` (those compounds,
  ordered), ``in_company`` (built in an active property company);
- the committee's ``secretaries``, ``deputy_secretaries``, ``committee_members`` and
  ``committee`` (distinct people in active posts, R9);
- its secretaries, by code, with ``secretary_names`` and ``secretary_origins`` (R10, as
  ``secretary_origin`` decides it);
- ``funding_years`` with, per year, ``funding_amounts`` (the sum) and ``funding_rows``
  (R15: the year and the floors are the question's parameters, applied at read time, as
  is ``founded`` against the year's end).

An organisation that has seats but none live is in no definition's answer and has no fact;
one without any seat has one fact without ``unit_code``.  Empty lists are not stored (null
is absence, docs/model.md): the texts read them with ``coalesce``.

Versioned as the compound facts are (``vf``/``vt``, a signature per fact; ``key`` is the
organisation and seat), and written under the same lock by :func:`write_org_facts`, which
:func:`.compound_facts.write_facts` calls before it marks the run: the run's ``facts``
version covers both labels.  The definitions stay the truth: ``tests/test_compound_facts.py``
compares every ``queries/from_facts/`` text with its definition at every snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Final

from .conditions import OPEN
from .cypher import cypher
from .fact_versions import changes, fact_sig, read_texts
from .stores.base import DEFAULT_BATCH
from .vocabulary import LABEL_PARTY_ORG_FACT, LEVEL_ORDER

__all__ = ["LABEL", "READS", "compute_org_facts", "org_facts_from", "write_org_facts"]

LABEL: Final = LABEL_PARTY_ORG_FACT
#: Part of each fact's signature: bump with what a fact holds, so that every fact is rewritten.
_DEFINITION: Final = 1

_PARTY = """po.kind IN ['party_committee', 'general_branch', 'party_branch']
  AND @current(po) AND po.status = 'active'"""
_COMMITTEE_ROLES = "['secretary', 'deputy_secretary', 'committee_member', 'concurrent_member']"

#: Each active party organisation with each live seat (or none: no seat at all), as the
#: definitions start; its compounds and whether a property company hosts it.
_SEATS = cypher("org_facts.seats", f"""
MATCH (po:Organisation)
WHERE {_PARTY}
OPTIONAL MATCH (po)-[st:SITS_AT]->(u:Unit)
WITH po, u, st
WHERE st IS NULL OR @live(st)
OPTIONAL MATCH (po)-[b:BUILT_IN]->(host)
WITH po, u,
     collect(DISTINCT CASE WHEN @live(b) AND host.level = 'compound' AND @current(host)
                           THEN host.code END) AS compounds,
     count(CASE WHEN @live(b) AND host.kind = 'property_company' AND @current(host)
                 AND host.status = 'active' THEN 1 END) > 0 AS in_company
RETURN po.code AS code, po.name AS name, po.kind AS kind, po.formation AS formation,
       po.founded AS founded, u.code AS unit_code,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name,
       u.city_code AS city_code, u.level AS unit_level, @current(u) AS unit_current,
       compounds, in_company
""")

#: R9: the distinct people in each active committee post of each organisation.
_COMMITTEE = cypher("org_facts.committee", f"""
MATCH (po:Organisation)
WHERE {_PARTY}
OPTIONAL MATCH (m)-[r:SERVES_AS|CROSS_APPOINTED_TO]->(po)
WITH po, m, r, r.role IN {_COMMITTEE_ROLES} AND @active(r) AS live
WITH po,
     collect(DISTINCT CASE WHEN live AND r.role = 'secretary' THEN m.code END) AS secs,
     collect(DISTINCT CASE WHEN live AND r.role = 'deputy_secretary' THEN m.code END) AS deps,
     collect(DISTINCT CASE WHEN live AND r.role IN ['committee_member', 'concurrent_member']
                           THEN m.code END) AS mems,
     collect(DISTINCT CASE WHEN live THEN m.code END) AS everyone
RETURN po.code AS code, size(secs) AS secretaries, size(deps) AS deputy_secretaries,
       size(mems) AS committee_members, size(everyone) AS committee
""")

#: R10: each secretary of an organisation built in a compound, and where they come from
#: (the conditions of queries/secretary_origin.cypher, which does not depend on the seat).
#: The secretaries are matched with their condition, not collected from every post holder
#: of the organisation (188,452 rows aggregated at province for 44,464 secretaries).
_SECRETARIES = cypher("org_facts.secretaries", f"""
MATCH (po:Organisation)
WHERE {_PARTY}
MATCH (po)-[b:BUILT_IN]->(c:Unit {{level: 'compound'}})
WHERE @live(b) AND @current(c)
WITH po, collect(DISTINCT c.code) AS compounds, collect(DISTINCT c.community_code) AS communities
MATCH (s:Person)-[sr:SERVES_AS|CROSS_APPOINTED_TO]->(po)
WHERE sr.role = 'secretary' AND @active(sr)
WITH DISTINCT po, compounds, communities, s
OPTIONAL MATCH (s)-[pr:SERVES_AS|CROSS_APPOINTED_TO]->(oc:Organisation)
OPTIONAL MATCH (oc)-[os:SITS_AT]->(oh:Unit)
OPTIONAL MATCH (s)-[lv:LIVES_IN]->(home:Unit)
WITH po, compounds, communities, s, pr, oc, oh, home, lv,
     @current(oc) AND oc.status = 'active' AND @active(pr) AND @live(os) AS live
WITH po, s,
     count(CASE WHEN live AND oc.kind = 'owners_committee' AND oh.code IN compounds
                THEN 1 END) AS committee_posts,
     count(CASE WHEN @live(lv) AND home.code IN compounds THEN 1 END) AS homes,
     count(CASE WHEN live AND type(pr) = 'SERVES_AS' AND oh.code IN communities
                THEN 1 END) AS community_posts
RETURN po.code AS code, s.code AS secretary_code, s.name AS secretary_name,
       CASE WHEN committee_posts > 0 THEN '业委会成员'
            WHEN homes > 0 AND s.standing IN ['full_member', 'probationary_member'] THEN '小区党员'
            WHEN community_posts > 0 THEN '社区工作人员'
            ELSE '其他' END AS origin
""")

#: R15: per organisation and year, the sum of its live funding rows and how many there are
#: (``toInteger`` as the definitions: FalkorDB's ``sum`` is a double, Neo4j's an integer).
_FUNDING = cypher("org_facts.funding", f"""
MATCH (po:Organisation)
WHERE {_PARTY}
MATCH (po)-[fr:FUNDED]->(f:Funding)
WHERE @live(fr) AND @current(f)
RETURN po.code AS code, f.year AS year, toInteger(sum(f.amount)) AS amount, count(*) AS n
""")

_CURRENT = cypher("sync.org_facts.current", f"""
MATCH (f:{LABEL})
WHERE f.vt = $open
RETURN f.key AS key, f.sig AS sig
""")
#: No index on ``key`` (each index costs every restart): one label scan per batch.
_CLOSE = cypher("org_facts.close", f"""
MATCH (f:{LABEL})
WHERE f.vt = $open AND f.vf < $ordinal AND f.key IN $keys
SET f.vt = $ordinal
""")
_CREATE = cypher("org_facts.create", f"""
UNWIND $rows AS row
CREATE (f:{LABEL})
SET f += row.props, f.run = $run, f.vf = $ordinal, f.vt = $open
""")


def _sort_key(value: Any) -> tuple[bool, str]:
    return (value is None, str(value))


def _rolls(seat: Mapping[str, Any]) -> dict[str, Any]:
    """``roll_<level>``: the code of the seat's unit at each level (itself, or its ancestry
    property), for ``funding_rollup``; only for a current seat, as the roll-up counts."""
    if not seat["unit_current"] or seat["unit_level"] not in LEVEL_ORDER:
        return {}
    own = LEVEL_ORDER.index(seat["unit_level"])
    out = {}
    for i, level in enumerate(LEVEL_ORDER):
        code = seat["unit_code"] if i == own else seat.get(f"{level}_code") if i < own else None
        if code is not None:
            out[f"roll_{level}"] = code
    return out


#: The reads, costliest first (:func:`.fact_versions.read_texts` asks them in this order).
READS: Final = {"org_facts.secretaries": _SECRETARIES, "org_facts.seats": _SEATS,
                "org_facts.committee": _COMMITTEE, "org_facts.funding": _FUNDING}


def compute_org_facts(run: Any, ordinal: int, as_of: str,
                      read: Any = None) -> list[dict[str, Any]]:
    """Every (active party organisation, live seat)'s fact at snapshot ``ordinal`` as of
    ``as_of``; ``run`` is a writer's ``run`` or a store's ``read`` (``read``: the store's,
    to ask the reads side by side, :func:`.fact_versions.read_texts`)."""
    params = {"snapshot": ordinal, "as_of": as_of}
    return org_facts_from(read_texts(READS, params, run, read))


def org_facts_from(rows: Mapping[str, list[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """The organisation facts from the rows of :data:`READS` (by name)."""
    committee = {r["code"]: r for r in rows["org_facts.committee"]}
    secretaries: dict[Any, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows["org_facts.secretaries"]:
        secretaries[r["code"]].append(r)
    funding: dict[Any, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows["org_facts.funding"]:
        funding[r["code"]].append(r)
    facts, seen = [], defaultdict(int)
    for seat in rows["org_facts.seats"]:
        code = seat["code"]
        secs = sorted(secretaries.get(code, []), key=lambda r: _sort_key(r["secretary_code"]))
        years = sorted(funding.get(code, []), key=lambda r: _sort_key(r["year"]))
        compounds = sorted(c for c in seat["compounds"] if c is not None)
        fact = {k: seat[k] for k in ("code", "name", "kind", "formation", "founded",
                                      "unit_code", "community_code", "community_name",
                                      "street_code", "street_name", "district_code",
                                      "district_name", "city_code", "in_company")}
        fact |= {k: int(v) for k, v in committee[code].items() if k != "code"}
        fact |= _rolls(seat)
        fact |= {
            "in_compound": bool(compounds), "compound_codes": compounds,
            "secretary_codes": [r["secretary_code"] for r in secs],
            "secretary_names": [r["secretary_name"] for r in secs],
            "secretary_origins": [r["origin"] for r in secs],
            "funding_years": [r["year"] for r in years],
            "funding_amounts": [r["amount"] for r in years],
            "funding_rows": [int(r["n"]) for r in years],
        }
        # null is absence (docs/model.md); so is an empty list (the texts coalesce)
        fact = {k: v for k, v in fact.items() if v is not None and v != []}
        ident = f"{code}\x1f{seat['unit_code'] or ''}"
        seen[ident] += 1
        fact["key"] = f"{ident}\x1f{seen[ident]}"
        fact["sig"] = fact_sig(_DEFINITION, fact)
        facts.append(fact)
    return sorted(facts, key=lambda f: f["key"])


def write_org_facts(writer: Any, run_id: str, ordinal: int, as_of: str,
                    batch_size: int = DEFAULT_BATCH,
                    rows: Mapping[str, list[Mapping[str, Any]]] | None = None
                    ) -> dict[str, Any]:
    """Compute snapshot ``ordinal``'s organisation facts (from ``rows`` of :data:`READS`
    when the caller read them already) and write what changed: a changed or gone fact's
    version is closed, a changed or new one created.  Under the writers' lock, before the
    run is published.  Returns orgs (facts), created and closed."""
    facts = (org_facts_from(rows) if rows is not None
             else compute_org_facts(writer.run, ordinal, as_of))
    current = {r["key"]: r["sig"] for r in writer.run(_CURRENT, {"open": OPEN})}
    fresh, close = changes(facts, current, "key")
    for i in range(0, len(close), batch_size):
        writer.run(_CLOSE, {"keys": close[i:i + batch_size], "ordinal": ordinal, "open": OPEN})
    params = {"ordinal": ordinal, "open": OPEN, "run": run_id}
    for i in range(0, len(fresh), batch_size):
        writer.run(_CREATE, {**params, "rows": [{"props": f} for f in fresh[i:i + batch_size]]})
    return {"orgs": len(facts), "org_created": len(fresh), "org_closed": len(close)}
