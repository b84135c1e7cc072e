"""Per-compound facts, computed once per snapshot while the sync that makes it publishes.

Most whole-graph questions aggregate the same things about every compound again and
again: has it an in-force party organisation (and its lowest code), an owners' committee,
a self-governance body, a supervisory committee, an active property-service contract; is
the secretary also the committee's chair (一肩挑, R6); how large is the party committee and
how many of its members hold a post in the compound's other bodies (R7); how many full
members live there, has it a work group, an instructor (R1).  A province has 51k
compounds, so each question re-walking every compound's neighbourhood costs seconds.

So the sync computes one :data:`LABEL` node per current compound (``code`` = the
compound's code) with those facts and the compound's name, type, households and ancestry
(``community_code`` … ``city_name``, so that ``@in_scope(f)`` works on a fact as on a
unit), under the writers' lock, after the versions it wrote and before the ``SyncRun`` is
published (:func:`write_facts`, one call from ``loaders/sync.py``).  The facts are read
from the graph as the new snapshot has it (``$snapshot`` = its ordinal, ``$as_of`` = its
date: what ``redgov audit`` answers by default), with the definitions' own conditions.

Facts are versions like everything else (``vf``/``vt``, :mod:`.conditions`): a compound
whose facts did not change keeps its version; a changed one is closed (``vt`` = the new
ordinal) and created again; the fact of a compound that is no longer current is closed.
So a re-sync that changes few compounds rewrites few facts, and a killed sync's facts are
removed with its other unpublished versions (``loaders/sync.remove_unpublished``).  The
run then carries ``facts`` = :data:`FACTS_VERSION`; a snapshot without it (synced before
facts existed, or by an older definition of the facts) is answered from the graph
(:func:`facts_ready`).  The per-organisation facts (:mod:`.org_facts`) are written in the
same step, before the mark, which covers both.

The catalog's ``.cypher`` definitions stay the truth: ``queries/from_facts/`` holds a
second text for the questions that these facts answer, and the tests prove at every
snapshot of the history fixtures (``tests/test_compound_facts.py``) and of a ``demo
--history`` graph (``tests/test_demo_history.py``), on both engines, that each gives its
definition's rows.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Final

from .conditions import OPEN
from .cypher import cypher
from .fact_versions import changes, fact_sig, read_texts
from .org_facts import READS as ORG_READS
from .org_facts import write_org_facts
from .stores.base import DEFAULT_BATCH
from .vocabulary import LABEL_COMPOUND_FACT

__all__ = ["FACTS_VERSION", "LABEL", "READS", "compute_facts", "facts_from", "facts_reader",
           "facts_ready", "warm_facts", "write_facts"]

LABEL: Final = LABEL_COMPOUND_FACT
#: Bump when what a fact holds or how it is computed changes: snapshots whose run carries
#: another version are answered from the graph, and the next sync rewrites every fact.
#: 2: the run's facts include the per-organisation facts (graph/org_facts.py).
FACTS_VERSION: Final = 2
#: Part of a compound fact's signature (version 2 changed no compound fact: kept at 1, so
#: the first sync after the upgrade does not rewrite every compound's fact).
_SIG_VERSION: Final = 1

_PARTY_KINDS = "['party_committee', 'general_branch', 'party_branch']"
_COMMITTEE_ROLES = "['secretary', 'deputy_secretary', 'committee_member', 'concurrent_member']"

#: The reads are flat: each matches what it needs with its conditions in one ``WHERE`` and
#: returns (compound, code) pairs, and :func:`facts_from` gathers them per compound.  They
#: were three reads that expanded every organisation seated at a compound with all its post
#: holders and aggregated the product (725,763 rows into FalkorDB's aggregation for 51,088
#: compounds); at province the server took 20.7 s for them, and 6.4 s for these.
_COMPOUND = "(c:Unit {level: 'compound'})"

#: Every current compound with what its fact copies.
_COMPOUNDS = cypher("compound_facts.compounds", f"""
MATCH {_COMPOUND}
WHERE @current(c)
RETURN c.code AS code, c.name AS name, c.compound_type AS compound_type,
       c.households AS households,
       c.community_code AS community_code, c.community_name AS community_name,
       c.street_code AS street_code, c.street_name AS street_name,
       c.district_code AS district_code, c.district_name AS district_name,
       c.city_code AS city_code, c.city_name AS city_name
""")

#: The bodies seated at each compound: owners' committees, supervisory committees,
#: self-governance bodies.
_BODIES = cypher("compound_facts.bodies", f"""
MATCH (b:Organisation)-[bs:SITS_AT]->{_COMPOUND}
WHERE b.kind IN ['owners_committee', 'supervisory_committee', 'self_governance_body']
  AND @live(bs) AND @current(b) AND b.status = 'active' AND @current(c)
RETURN DISTINCT c.code AS code, b.kind AS kind, b.code AS body
""")

#: The chairs (directors) of the owners' committees seated at each compound.
_CHAIRS = cypher("compound_facts.chairs", f"""
MATCH (h:Person)-[hr:SERVES_AS|CROSS_APPOINTED_TO]->(b:Organisation)-[bs:SITS_AT]->{_COMPOUND}
WHERE b.kind = 'owners_committee' AND hr.role = 'director' AND @active(hr)
  AND @live(bs) AND @current(b) AND b.status = 'active' AND @current(c)
RETURN DISTINCT c.code AS code, h.code AS chair
""")

#: The property companies managing each compound under an active contract.
_COMPANIES = cypher("compound_facts.companies", f"""
MATCH (co:Organisation)-[k:MANAGES]->{_COMPOUND}
WHERE co.kind = 'property_company' AND @current(co) AND co.status = 'active' AND @active(k)
  AND @current(c)
RETURN DISTINCT c.code AS code, co.code AS company
""")

_PARTY_ORG = f"""po.kind IN {_PARTY_KINDS} AND @live(pb) AND @current(po) AND po.status = 'active'
  AND @current(c)"""

#: The party organisations built in each compound.
_PARTY_ORGS = cypher("compound_facts.party_orgs", f"""
MATCH (po:Organisation)-[pb:BUILT_IN]->{_COMPOUND}
WHERE {_PARTY_ORG}
RETURN DISTINCT c.code AS code, po.code AS party_org
""")

#: Every active post of each committee member of those organisations, with whether the
#: member is a secretary there.  A member's committee post is one of the posts, so the
#: members are exactly the people of these rows.
_POSTS = cypher("compound_facts.posts", f"""
MATCH (m:Person)-[mr:SERVES_AS|CROSS_APPOINTED_TO]->(po:Organisation)-[pb:BUILT_IN]->{_COMPOUND}
WHERE mr.role IN {_COMMITTEE_ROLES} AND @active(mr) AND {_PARTY_ORG}
MATCH (m)-[xr:SERVES_AS|CROSS_APPOINTED_TO]->(xb:Organisation)
WHERE @active(xr)
RETURN DISTINCT c.code AS code, m.code AS member, mr.role = 'secretary' AS secretary,
       xb.code AS body
""")

_WORK_GROUP = """wg.kind = 'party_work_group' AND @live(wr) AND @current(wg)
  AND wg.status = 'active' AND @current(c)"""

#: R1's facts for a compound without a party organisation: the work groups built in or
#: seated at it, whether someone guides one of them (party-building guidance, or an
#: instructor's post), whether someone guides the compound, its resident full members.
_GROUPS = cypher("compound_facts.groups", f"""
MATCH (wg:Organisation)-[wr:BUILT_IN|SITS_AT]->{_COMPOUND}
WHERE {_WORK_GROUP}
RETURN DISTINCT c.code AS code
""")
_GROUP_GUIDES = cypher("compound_facts.group_guides", f"""
MATCH (g:Person)-[r:SUPERVISES|SERVES_AS|CROSS_APPOINTED_TO]->(wg:Organisation)
      -[wr:BUILT_IN|SITS_AT]->{_COMPOUND}
WHERE {_WORK_GROUP} AND @active(r)
  AND (type(r) = 'SUPERVISES' AND r.kind = 'party_building_guidance'
       OR type(r) <> 'SUPERVISES' AND r.role = 'instructor')
RETURN DISTINCT c.code AS code
""")
_COMPOUND_GUIDES = cypher("compound_facts.compound_guides", f"""
MATCH (ci:Person)-[cs:SUPERVISES]->{_COMPOUND}
WHERE cs.kind = 'party_building_guidance' AND @active(cs) AND @current(c)
RETURN DISTINCT c.code AS code
""")
_FULL_MEMBERS = cypher("compound_facts.full_members", f"""
MATCH (res:Person)-[lv:LIVES_IN]->{_COMPOUND}
WHERE res.standing = 'full_member' AND @live(lv) AND @current(res) AND @current(c)
RETURN c.code AS code, count(res) AS full_members
""")

#: The current fact versions' signatures, to write only what changed.
_CURRENT = cypher("sync.compound_facts.current", f"""
MATCH (f:{LABEL})
WHERE f.vt = $open
RETURN f.code AS code, f.sig AS sig
""")
_CLOSE = cypher("compound_facts.close", f"""
UNWIND $rows AS row
MATCH (f:{LABEL} {{code: row.code}})
WHERE f.vt = $open AND f.vf < $ordinal
SET f.vt = $ordinal
""")
_CREATE = cypher("compound_facts.create", f"""
UNWIND $rows AS row
CREATE (f:{LABEL})
SET f += row.props, f.run = $run, f.vf = $ordinal, f.vt = $open
""")
_MARK_RUN = cypher("compound_facts.mark_run", """
MATCH (r:SyncRun {id: $id})
WHERE r.ordinal = $ordinal
SET r.facts = $version
""")
_RUN_FACTS = cypher(
    "snapshots.compound_facts_version",
    "MATCH (r:SyncRun {id: $id}) WHERE r.published = true RETURN r.facts AS facts",
)


def _lowest(codes: Iterable[Any]) -> Any:
    found = [c for c in codes if c is not None]
    return min(found) if found else None


def _fact(c: Mapping[str, Any], g: _Gathered) -> dict[str, Any]:
    """One compound's fact from its compound row and what the other reads gathered."""
    code = c["code"]
    committees = g.bodies.get((code, "owners_committee"), set())
    supervisors = g.bodies.get((code, "supervisory_committee"), set())
    companies = g.companies.get(code, set())
    chairs = g.chairs.get(code, set())
    party_orgs = g.party_orgs.get(code, set())
    posts = g.posts.get(code, ())
    members = {m for m, _, _ in posts}
    secretaries = {m for m, secretary, _ in posts if secretary}
    bodies = committees | supervisors | companies
    crossers = {m for m, _, body in posts if body in bodies}
    both = secretaries & chairs
    has_party_org, has_committee = bool(party_orgs), bool(committees)
    group_guides = code in g.group_guides
    has_work_group, compound_guides = code in g.groups, code in g.compound_guides
    fact = {
        "code": code, "name": c["name"], "compound_type": c["compound_type"],
        "households": c["households"],
        **{f"{lv}_{x}": c[f"{lv}_{x}"] for lv in ("community", "street", "district", "city")
           for x in ("code", "name")},
        "has_party_org": has_party_org,
        "party_org_code": _lowest(party_orgs),
        "has_owners_committee": has_committee,
        "committee_code": _lowest(committees),
        "has_supervisory_committee": bool(supervisors),
        "has_self_governance": bool(g.bodies.get((code, "self_governance_body"))),
        "managed": bool(companies),
        # one_shoulder's answer: the pair that shares a person, else the lowest of each
        "one_shoulder": has_party_org and has_committee and bool(both),
        "secretary_code": _lowest(both or secretaries),
        "chair_code": _lowest(both or chairs),
        "committee_size": len(members),
        "cross_size": len(crossers),
        "full_members": int(g.full_members.get(code, 0)),
        "has_work_group": has_work_group,
        "has_instructor": group_guides or compound_guides,
        "group_guided": group_guides or (has_work_group and compound_guides),
    }
    fact = {k: v for k, v in fact.items() if v is not None}  # null is absence (docs/model.md)
    fact["sig"] = fact_sig(_SIG_VERSION, fact)
    return fact


class _Gathered:
    """The flat reads' rows gathered per compound code (sets: the reads are DISTINCT, and
    a fact only asks whether there is one, how many, or the lowest)."""

    def __init__(self, rows: Mapping[str, list[Mapping[str, Any]]]) -> None:
        self.bodies: dict[tuple[Any, Any], set[Any]] = defaultdict(set)
        for r in rows["compound_facts.bodies"]:
            self.bodies[r["code"], r["kind"]].add(r["body"])
        self.chairs = _pairs(rows["compound_facts.chairs"], "chair")
        self.companies = _pairs(rows["compound_facts.companies"], "company")
        self.party_orgs = _pairs(rows["compound_facts.party_orgs"], "party_org")
        self.posts: dict[Any, list[tuple[Any, bool, Any]]] = defaultdict(list)
        for r in rows["compound_facts.posts"]:
            self.posts[r["code"]].append((r["member"], bool(r["secretary"]), r["body"]))
        self.groups = {r["code"] for r in rows["compound_facts.groups"]}
        self.group_guides = {r["code"] for r in rows["compound_facts.group_guides"]}
        self.compound_guides = {r["code"] for r in rows["compound_facts.compound_guides"]}
        self.full_members = {r["code"]: r["full_members"]
                             for r in rows["compound_facts.full_members"]}


def _pairs(rows: list[Mapping[str, Any]], value: str) -> dict[Any, set[Any]]:
    out: dict[Any, set[Any]] = defaultdict(set)
    for r in rows:
        out[r["code"]].add(r[value])
    return out


#: The reads, costliest first (:func:`.fact_versions.read_texts` asks them in this order).
READS: Final = {"compound_facts.posts": _POSTS, "compound_facts.full_members": _FULL_MEMBERS,
                "compound_facts.chairs": _CHAIRS, "compound_facts.party_orgs": _PARTY_ORGS,
                "compound_facts.bodies": _BODIES, "compound_facts.companies": _COMPANIES,
                "compound_facts.compounds": _COMPOUNDS,
                "compound_facts.group_guides": _GROUP_GUIDES,
                "compound_facts.compound_guides": _COMPOUND_GUIDES,
                "compound_facts.groups": _GROUPS}


def compute_facts(run: Any, ordinal: int, as_of: str, read: Any = None) -> list[dict[str, Any]]:
    """Every current compound's fact at snapshot ``ordinal`` (published or being written),
    as of ``as_of``; ``run`` is a writer's ``run`` or a store's ``read`` (``read``: the
    store's, to ask the reads side by side, :func:`.fact_versions.read_texts`)."""
    params = {"snapshot": ordinal, "as_of": as_of}
    return facts_from(read_texts(READS, params, run, read))


def facts_from(rows: Mapping[str, list[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """The compound facts from the rows of :data:`READS` (by name)."""
    gathered = _Gathered(rows)
    return sorted((_fact(c, gathered) for c in rows["compound_facts.compounds"]),
                  key=lambda f: f["code"])


#: An ordinal no version is live at (ordinals start at 1): every read answers nothing.
_NO_SNAPSHOT: Final = -1


def facts_reader(store: Any) -> Any:
    """The store's ``read`` where the sync asks the facts' reads beside its writer (the
    warm-up, :func:`warm_facts`; two at a time at publish, :func:`.fact_versions.read_texts`),
    else None (one after another on the writer, as before).  Neo4j only: there the cost is
    the planner, which this takes off the publish step.  On FalkorDB the planning is cheap,
    and the one province run with the reads side by side (2026-12-06, load ≈ 12) lost its
    server to a segfault in a FalkorDB reader thread after 495 s, about when publish ran:
    not understood, so FalkorDB keeps the serial reads on the writer that province had run."""
    return store.read if getattr(store, "engine", None) == "neo4j" else None


def warm_facts(read: Any, as_of: str | None) -> threading.Thread | None:
    """Ask every facts read once, for a snapshot nothing is live at, in a thread of its
    own, so that an engine that plans a text once and keeps the plan has it planned when
    the sync publishes: Neo4j's planner, cold in a new server, took seconds a text (most of
    the facts' 30–40 s of a city sync), and it plans beside the row writes this way.
    Cheap on both engines (each read stops at its first, empty match); best effort: a
    read that fails here is asked again at publish.  Join the thread before publishing.
    ``read`` None (:func:`facts_reader`): nothing to do."""
    if as_of is None or read is None:
        return None

    def warm() -> None:
        params = {"snapshot": _NO_SNAPSHOT, "as_of": as_of}
        for text in (*READS.values(), *ORG_READS.values()):
            try:
                read(text, params)
            except Exception:  # a warm-up only: publish asks again
                return

    thread = threading.Thread(target=warm, name="facts-warm", daemon=True)
    thread.start()
    return thread


def write_facts(writer: Any, run_id: str, ordinal: int, as_of: str | None,
                batch_size: int = DEFAULT_BATCH, read: Any = None) -> dict[str, Any]:
    """Compute snapshot ``ordinal``'s facts and write what changed (see the module
    docstring); mark the run.  Called under the writers' lock before publishing.
    ``read``: the store's ``read``, to ask the reads of both fact labels side by side
    (:func:`.fact_versions.read_texts`; without it, one after another on the writer).

    Returns figures for the report: compounds, facts created and closed, seconds
    (``read_s``: the reads of both labels, inside ``compute_s``).
    """
    t0 = time.perf_counter()
    if as_of is None:  # a run always has a snapshot date; nothing to answer for without one
        return {}
    params = {"snapshot": ordinal, "as_of": as_of}
    rows = read_texts({**READS, **ORG_READS}, params, writer.run, read)
    read_s = time.perf_counter() - t0
    facts = facts_from(rows)
    t1 = time.perf_counter()
    current = {r["code"]: r["sig"] for r in writer.run(_CURRENT, {"open": OPEN})}
    fresh, close = changes(facts, current, "code")
    params = {"ordinal": ordinal, "open": OPEN, "run": run_id}
    closed = _batched(writer, _CLOSE, [{"code": c} for c in close],
                      {"ordinal": ordinal, "open": OPEN}, batch_size)
    created = _batched(writer, _CREATE, [{"props": f} for f in fresh], params, batch_size)
    t2 = time.perf_counter()
    # The per-organisation facts, in the same step; the run's mark covers both labels.
    orgs = write_org_facts(writer, run_id, ordinal, as_of, batch_size, rows=rows)
    writer.run(_MARK_RUN, {"id": run_id, "ordinal": ordinal, "version": FACTS_VERSION})
    return {"compounds": len(facts), "created": created, "closed": closed,
            "read_s": round(read_s, 3), "compute_s": round(t1 - t0, 3),
            "write_s": round(t2 - t1, 3), **orgs,
            "org_s": round(time.perf_counter() - t2, 3)}


def _batched(writer: Any, text: str, rows: list[dict[str, Any]], params: Mapping[str, Any],
             size: int) -> int:
    for i in range(0, len(rows), size):
        writer.run(text, {**params, "rows": rows[i:i + size]})
    return len(rows)


def facts_ready(read: Any, run_id: str | None) -> bool:
    """Whether the published snapshot of run ``run_id`` has facts of this version."""
    if run_id is None:
        return False
    rows = read(_RUN_FACTS, {"id": run_id})
    return bool(rows) and rows[0]["facts"] == FACTS_VERSION
