"""Network questions answered with networkx beside the Cypher catalog.

The cross-appointment network joins people to the bodies they hold an active post in
(本职 or 兼任).  Projected onto organisations it shows interlocks (two bodies sharing
people) and their components; on the bipartite graph, betweenness finds the people who
bridge the most bodies; counting posts finds people holding more than a threshold.

All three read the active posts through :data:`HOLDERS` — the same matching as
:data:`ACTIVE_POSTS` (one row per post, kept as the reference shape for the ``*_rows``
functions and tests) but grouped per person in the engine, so the activity rule, the
retired/撤销 exclusions and the scope are exactly those of the Cypher questions while the
client decodes a fraction of the cells (interlocks read only people with two or more
bodies, overloaded only people above the threshold; names and pivot columns are looked
up for the people and organisations in the answer).  Province scale: interlocks 36 s →
~9 s, overloaded 34 s → ~4 s, brokers 251 s → ~25 s with identical rows.

The questions now compute from :data:`NETWORK_POSTS` (every current post with its dates,
the date test applied in the client: queries/post_network.py), which one read answers for
every ``as_of`` and which is kept per snapshot (:func:`read_network`); :data:`HOLDERS` and
:func:`read_holders` stay as the reference the tests compare it with.

>>> rows = [_post("P1", "O1"), _post("P1", "O2"), _post("P2", "O2")]
>>> [(r["org_a_code"], r["org_b_code"], r["shared"]) for r in interlock_rows(rows)]
[('O1', 'O2', 1)]
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

import networkx as nx

from ..graph.cypher import cypher
from ..graph.snapshots import Snapshot
from ..graph.stores.base import Store
from .betweenness import sampled_betweenness, sampled_betweenness_of
from .catalog import COMMON_PARAMS, Column, Finding, Param, Question
from .kept_answers import keep_blob, read_blob
from .post_network import ActiveNetwork, Holder, PostNetwork

Info = Mapping[str, Mapping[str, Any]]

__all__ = ["ACTIVE_POSTS", "ANALYTICS", "broker_rows", "interlock_rows", "overloaded_rows"]

ACTIVE_POSTS = cypher(
    "queries.analytics.active_posts",
    """
MATCH (o:Organisation)
WHERE @current(o) AND o.status = 'active'
OPTIONAL MATCH (o)-[st:SITS_AT]->(u:Unit)
WITH o, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
MATCH (p:Person)-[r:SERVES_AS|CROSS_APPOINTED_TO]->(o)
WHERE @active(r)
OPTIONAL MATCH (p)-[lv:LIVES_IN]->(h:Unit)
WITH p, o, u, h, lv
WHERE lv IS NULL OR @live(lv)
RETURN p.code AS person_code, p.name AS person_name,
       o.code AS org_code, o.name AS org_name, o.kind AS org_kind,
       u.code AS org_unit, h.code AS home_code
ORDER BY person_code, org_code
""",
)
# Pivot columns are looked up once per unit rather than repeated on every post: the
# client spends far more time decoding result cells than the engine spends matching.
UNIT_AREAS = cypher(
    "queries.analytics.unit_areas",
    """
UNWIND $codes AS code
MATCH (u:Unit {code: code})
WHERE @live(u)
RETURN u.code AS code,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
""",
)

# The lean reads the three questions use: one row per post holder (its distinct bodies as a
# list) instead of one row per post, and names and pivot columns looked up only for the
# people and organisations that appear in an answer.  Decoding result cells in the client
# costs far more than the engine's matching, so fewer cells is what makes them fast.
HOLDERS = cypher(
    "queries.analytics.holders",
    """
MATCH (o:Organisation)
WHERE @current(o) AND o.status = 'active'
OPTIONAL MATCH (o)-[st:SITS_AT]->(u:Unit)
WITH o, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
MATCH (p:Person)-[r:SERVES_AS|CROSS_APPOINTED_TO]->(o)
WHERE @active(r)
WITH p.code AS person_code, count(*) AS posts, collect(DISTINCT o.code) AS org_codes
WHERE posts > $min_posts AND size(org_codes) >= $min_bodies
RETURN person_code, posts, org_codes
ORDER BY person_code
""",
)
# The one read the three questions make: one row per organisation with its active post
# holders' codes (a code repeated per post), joined by spaces into one string.  Grouping
# per organisation (thousands of groups) costs the engine a third of grouping per person
# (tens of thousands), and the client decodes one string per body instead of one cell per
# post; the regrouping per person is done here.  A code never holds a space (the loader's
# clean_code removes every one), and collect() skips nulls, so splitting on spaces gives
# the codes back exactly.  Same matching as HOLDERS, so the same posts.  The join is
# written the one way FalkorDB 4.16 builds long strings right (docs/engine-notes.md: an
# accumulator that starts as '' and has a literal appended loses bytes past 512).
BODY_HOLDERS = cypher(
    "queries.analytics.body_holders",
    """
MATCH (o:Organisation)
WHERE @current(o) AND o.status = 'active'
OPTIONAL MATCH (o)-[st:SITS_AT]->(u:Unit)
WITH o, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
MATCH (p:Person)-[r:SERVES_AS|CROSS_APPOINTED_TO]->(o)
WHERE @active(r)
WITH o.code AS org_code, collect(p.code) AS codes
RETURN org_code,
       reduce(joined = '', c IN codes | CASE WHEN joined = '' THEN c ELSE joined + (' ' + c) END)
         AS person_codes
""",
)
# Every *current* post of the active organisations in scope, with its two dates, one row per
# organisation (``person,start,end`` joined by spaces; queries/post_network.py).  The same
# matching as BODY_HOLDERS except the date test, which depends on ``as_of`` alone and is
# applied in the client (a missing start as '', a missing end as '~': the comparisons
# @active makes), so one read answers the three questions for every date of the snapshot.
NETWORK_POSTS = cypher(
    "queries.analytics.network_posts",
    """
MATCH (o:Organisation)
WHERE @current(o) AND o.status = 'active'
OPTIONAL MATCH (o)-[st:SITS_AT]->(u:Unit)
WITH o, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
MATCH (p:Person)-[r:SERVES_AS|CROSS_APPOINTED_TO]->(o)
WHERE @current(r)
WITH o.code AS org_code,
     collect(p.code + ',' + coalesce(r.start, '') + ',' + coalesce(r.end, '~')) AS codes
RETURN org_code,
       reduce(joined = '', c IN codes | CASE WHEN joined = '' THEN c ELSE joined + (' ' + c) END)
         AS posts
""",
)
# NETWORK_POSTS for one scope, from the live units in it (a live seat's unit is live): the
# same rows (with a scope, an organisation without a live seat is in none, and each live
# seat in scope makes a row), without a pass over every organisation.  Its end repeats
# NETWORK_POSTS's: a Cypher piece outside cypher() is refused (tests/test_cypher_lint.py).
# The ``WITH u`` keeps FalkorDB's planner from starting at the Organisation label: at
# province (150k organisations) a district's read took 0.55 s of the server that way,
# 0.06 s this way.
NETWORK_POSTS_SCOPED = cypher(
    "queries.analytics.network_posts_scoped",
    """
MATCH (u:Unit)
WHERE @live(u) AND @in_scope(u)
WITH u
MATCH (o:Organisation)-[st:SITS_AT]->(u)
WHERE @live(st) AND @current(o) AND o.status = 'active'
MATCH (p:Person)-[r:SERVES_AS|CROSS_APPOINTED_TO]->(o)
WHERE @current(r)
WITH o.code AS org_code,
     collect(p.code + ',' + coalesce(r.start, '') + ',' + coalesce(r.end, '~')) AS codes
RETURN org_code,
       reduce(joined = '', c IN codes | CASE WHEN joined = '' THEN c ELSE joined + (' ' + c) END)
         AS posts
""",
)
PEOPLE_INFO = cypher(
    "queries.analytics.people_info",
    """
UNWIND $codes AS code
MATCH (p:Person {code: code})
WHERE @live(p)
OPTIONAL MATCH (p)-[lv:LIVES_IN]->(h:Unit)
WITH p, h, lv
WHERE lv IS NULL OR @live(lv)
RETURN p.code AS code, p.name AS name, h.code AS home_code,
       h.community_code AS community_code, h.community_name AS community_name,
       h.street_code AS street_code, h.street_name AS street_name,
       h.district_code AS district_code, h.district_name AS district_name
""",
)
ORG_INFO = cypher(
    "queries.analytics.org_info",
    """
UNWIND $codes AS code
MATCH (o:Organisation {code: code})
WHERE @live(o)
OPTIONAL MATCH (o)-[st:SITS_AT]->(u:Unit)
WITH o, u, st
WHERE st IS NULL OR @live(st)
RETURN o.code AS code, o.name AS name, o.kind AS kind,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
""",
)

_PIVOT = ("community_code", "community_name", "street_code", "street_name",
          "district_code", "district_name")
_PIVOT_ZH = ("社区编码", "社区名称", "街道编码", "街道名称", "区县编码", "区县名称")


def _pivot_columns(whose: str) -> list[Column]:
    return [Column(n, z, f"{n.replace('_', ' ')} of {whose}") for n, z in zip(
        _PIVOT, _PIVOT_ZH, strict=True)]


def _pivot(post: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k: post.get(f"{prefix}_{k}") for k in _PIVOT}


def _post(person: str, org: str, **extra: Any) -> dict[str, Any]:
    """A post row as ACTIVE_POSTS returns it (for doctests and unit tests)."""
    return {"person_code": person, "person_name": person, "org_code": org, "org_name": org,
            "org_kind": None, **extra}


def bipartite(posts: list[Mapping[str, Any]]) -> nx.Graph:
    """People ↔ organisations; node ids are ("p", code) and ("o", code)."""
    g = nx.Graph()
    for post in posts:
        g.add_edge(("p", post["person_code"]), ("o", post["org_code"]))
    return g


def _interlocks(
    people_of: Mapping[str, Iterable[str]], org_info: Callable[[list[str]], Info]
) -> list[dict[str, Any]]:
    """Interlock rows from each person's bodies; ``org_info`` gives name, kind and pivots."""
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    for person, bodies in people_of.items():
        ordered = sorted(set(bodies))
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                shared[(a, b)].add(person)
    projection = nx.Graph()
    projection.add_edges_from(shared)
    components = sorted(
        (sorted(c) for c in nx.connected_components(projection)), key=lambda c: (-len(c), c[0])
    )
    component_of = {org: (i + 1, len(c)) for i, c in enumerate(components) for org in c}
    orgs = org_info(sorted(component_of))
    rows = []
    for (a, b), people in sorted(shared.items()):
        oa, ob = orgs[a], orgs[b]
        rows.append({
            "org_a_code": a, "org_a_name": oa["name"], "org_a_kind": oa["kind"],
            "org_b_code": b, "org_b_name": ob["name"], "org_b_kind": ob["kind"],
            "shared": len(people), "person_codes": sorted(people),
            "component": component_of[a][0], "component_size": component_of[a][1],
            **{k: oa.get(k) for k in _PIVOT},
        })
    return rows


def interlock_rows(posts: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per pair of organisations sharing at least one person."""
    orgs = {p["org_code"]: {"name": p["org_name"], "kind": p["org_kind"], **_pivot(p, "org")}
            for p in posts}
    people_of: dict[str, set[str]] = defaultdict(set)
    for p in posts:
        people_of[p["person_code"]].add(p["org_code"])
    return _interlocks(people_of, lambda codes: orgs)


def _people(posts: list[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in posts:
        entry = out.setdefault(p["person_code"], {"post": p, "posts": 0, "orgs": set()})
        entry["posts"] += 1
        entry["orgs"].add(p["org_code"])
    return out


def _person_info(posts: list[Mapping[str, Any]]) -> Callable[[list[str]], Info]:
    """Name, home and home pivots of each person, from their first post row."""
    people = _people(posts)
    return lambda codes: {c: {"name": people[c]["post"]["person_name"],
                              "home_code": people[c]["post"].get("home_code"),
                              **_pivot(people[c]["post"], "home")} for c in codes}


def _person_row(
    code: str, info: Mapping[str, Any], orgs: Iterable[str], **figures: Any
) -> dict[str, Any]:
    """A person's row in its columns' order: ``figures`` go between the name and the bodies."""
    bodies = sorted(set(orgs))
    return {"person_code": code, "person_name": info["name"], **figures, "bodies": len(bodies),
            "org_codes": bodies, "home_code": info["home_code"],
            **{k: info.get(k) for k in _PIVOT}}


#: Up to this many nodes betweenness is exact; above, it is estimated from ``pivots`` sources.
EXACT_LIMIT = 2000


def _centrality(g: nx.Graph, pivots: int) -> Mapping[tuple[str, str], float]:
    """Betweenness of every node: sampled from ``pivots`` sources above EXACT_LIMIT nodes."""
    if pivots and g.number_of_nodes() > EXACT_LIMIT:
        return sampled_betweenness(g, pivots, 0)
    return nx.betweenness_centrality(g, normalized=False)  # type: ignore[no-any-return]


def _brokers(
    centrality: Mapping[tuple[str, str], float], orgs_of: Mapping[str, Iterable[str]],
    person_info: Callable[[list[str]], Info], top: int,
) -> list[dict[str, Any]]:
    """Broker rows from the network's betweenness (nodes missing from it count 0)."""
    ranked = sorted(
        ((round(v, 4), node[1]) for node, v in centrality.items() if node[0] == "p" and v > 0),
        key=lambda t: (-t[0], t[1]),
    )
    if top and top > 0:
        ranked = ranked[:top]
    info = person_info([code for _, code in ranked])
    rows = []
    for rank, (value, code) in enumerate(ranked, start=1):
        row = _person_row(code, info[code], orgs_of[code])
        rows.append({"rank": rank, "person_code": code, "person_name": row["person_name"],
                     "bodies": row["bodies"], "betweenness": value, **row})
    return rows


def broker_rows(
    posts: list[Mapping[str, Any]], top: int = 20, pivots: int = 100
) -> list[dict[str, Any]]:
    """People with positive betweenness on the bipartite network, highest first.

    Raw (unnormalised) betweenness: the number of shortest person–organisation paths a
    person lies on, so figures do not change with the size of the scope around them.
    Exact betweenness costs a breadth-first search per node (52 s on the district demo's
    ~14,000 nodes), so a network above EXACT_LIMIT nodes is estimated from ``pivots``
    sources with a fixed seed (networkx's sampling, rescaled to the same unit; computed
    by :func:`sampled_betweenness`, which gives networkx's figures exactly);
    ``pivots = 0`` forces the exact figure.
    """
    people = _people(posts)
    orgs_of = {c: e["orgs"] for c, e in people.items()}
    return _brokers(_centrality(bipartite(posts), pivots), orgs_of, _person_info(posts), top)


def _overloaded(
    holders: list[Holder], person_info: Callable[[list[str]], Info], threshold: int
) -> list[dict[str, Any]]:
    over = [h for h in holders if h.posts > threshold]
    info = person_info([h.code for h in over])
    rows = [_person_row(h.code, info[h.code], h.orgs, posts=h.posts) for h in over]
    return sorted(rows, key=lambda r: (-r["posts"], r["person_code"]))


def overloaded_rows(posts: list[Mapping[str, Any]], threshold: int = 3) -> list[dict[str, Any]]:
    """People holding more than ``threshold`` active posts (either type)."""
    holders = [Holder(c, e["posts"], sorted(e["orgs"])) for c, e in _people(posts).items()]
    return _overloaded(holders, _person_info(posts), threshold)


def _at(params: dict[str, Any], snapshot: int | None) -> dict[str, Any]:
    """``params`` pinned to ``snapshot`` (left to the store's latest when None)."""
    return params if snapshot is None else {**params, "snapshot": snapshot}


def read_posts(
    store: Store, as_of: str, scope: str | None, snapshot: int | None = None
) -> list[dict[str, Any]]:
    """Active posts in scope, each with its organisation's and holder's home pivot columns.

    One row per post: the reference shape (tests, small scopes).  The questions themselves
    read :data:`HOLDERS`, which returns the same posts grouped by person.
    """
    posts = store.read(ACTIVE_POSTS, _at({"as_of": as_of, "scope": scope}, snapshot))
    codes = sorted({c for p in posts for c in (p["org_unit"], p["home_code"]) if c})
    areas = ({r["code"]: r for r in store.read(UNIT_AREAS, _at({"codes": codes}, snapshot))}
             if codes else {})
    for p in posts:
        org, home = areas.get(p["org_unit"], {}), areas.get(p["home_code"], {})
        for k in _PIVOT:
            p[f"org_{k}"], p[f"home_{k}"] = org.get(k), home.get(k)
    return posts


def read_holders(
    store: Store, as_of: str, scope: str | None, min_posts: int = 0, min_bodies: int = 1,
    snapshot: int | None = None,
) -> list[Holder]:
    """Post holders in scope ordered by code, keeping those with more than ``min_posts``
    posts and at least ``min_bodies`` bodies.

    Read per body (:data:`BODY_HOLDERS`) and regrouped per person here: the same holders,
    posts and bodies as :data:`HOLDERS` gives, at a fraction of the engine's and the
    client's time (a person's code repeats once per post, so counting them counts posts).
    """
    rows = store.read(BODY_HOLDERS, _at({"as_of": as_of, "scope": scope}, snapshot))
    posts_of: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        org = r["org_code"]
        for person in r["person_codes"].split():
            posts_of[person].append(org)
    holders = []
    for code in sorted(posts_of):
        posts = posts_of[code]
        if len(posts) <= min_posts:
            continue
        bodies = posts if len(posts) == 1 else sorted(set(posts))
        if len(bodies) >= min_bodies:
            holders.append(Holder(code, len(posts), bodies))
    return holders


def _lookup(store: Store, query: str, snapshot: int | None) -> Callable[[list[str]], Info]:
    def fetch(codes: list[str]) -> Info:
        if not codes:
            return {}
        return {r["code"]: r for r in store.read(query, _at({"codes": codes}, snapshot))}
    return fetch


#: The snapshot a network question is computed for (queries/runner.py sets it around the
#: computation when a loader-made run id names it): :func:`read_network` keeps its read.
COMPUTING_FOR: ContextVar[Snapshot | None] = ContextVar("COMPUTING_FOR", default=None)
#: The kept network's name (queries/kept_answers.py ``keep_blob``).
KEPT_NETWORK = "network_posts"


def read_network(store: Store, scope: str | None, snapshot: int | None = None) -> PostNetwork:
    """Every current post in scope with its dates (:data:`NETWORK_POSTS`), for any date.

    A published snapshot never changes, so when :data:`COMPUTING_FOR` names it (a loader
    run id) the unscoped read is kept with the snapshot's kept answers, compressed
    (:meth:`PostNetwork.encode`, a few MB at province; ``summaries.forget`` deletes it
    with them): a first ask for another ``as_of``, in another process, or of another of
    the three questions decodes that instead of reading the graph (at province the graph
    read is most of a first ask).  Scoped reads are small and not kept.
    """
    snap = COMPUTING_FOR.get()
    kept = (snap is not None and scope is None
            and (snapshot is None or snap.ordinal == snapshot))
    if kept:
        blob = read_blob(store, KEPT_NETWORK, snap, {"scope": None})
        if blob is not None:
            try:
                return PostNetwork.decode(blob)
            except ValueError:
                pass  # damaged: read again (and kept over it)
    text = NETWORK_POSTS if scope is None else NETWORK_POSTS_SCOPED
    net = PostNetwork.from_rows(store.read(text, _at({"scope": scope}, snapshot)))
    if kept:
        keep_blob(store, KEPT_NETWORK, snap, {"scope": None}, net.encode())
    return net


def active_network(store: Store, bound: Mapping[str, Any]) -> ActiveNetwork:
    """The posts active on ``bound["as_of"]`` in ``bound["scope"]`` at its snapshot."""
    return read_network(store, bound["scope"], bound.get("snapshot")).at(bound["as_of"])


def _compute_interlocks(store: Store, bound: Mapping[str, Any]) -> list[dict[str, Any]]:
    # Only people with two or more bodies make a pair.
    holders = active_network(store, bound).holders(min_bodies=2)
    return _interlocks({h.code: h.orgs for h in holders},
                       _lookup(store, ORG_INFO, bound.get("snapshot")))


class _BodiesOf(Mapping[str, list[str]]):
    """A person's bodies (sorted), looked up on demand: brokers needs the top few only."""

    def __init__(self, a: ActiveNetwork) -> None:
        self.a = a

    def __getitem__(self, code: str) -> list[str]:
        return self.a.orgs_of(bisect.bisect_left(self.a.net.people, code))

    def __iter__(self) -> Iterator[str]:
        return iter(self.a.net.people)

    def __len__(self) -> int:
        return len(self.a.net.people)


def _compute_brokers(store: Store, bound: Mapping[str, Any]) -> list[dict[str, Any]]:
    a = active_network(store, bound)
    return _brokers(network_centrality(a, bound["pivots"]), _BodiesOf(a),
                    _lookup(store, PEOPLE_INFO, bound.get("snapshot")), bound["top"])


def network_centrality(a: ActiveNetwork, pivots: int) -> Mapping[tuple[str, str], float]:
    """:func:`holder_centrality` of the active network ``a``: above EXACT_LIMIT nodes its
    nodes and neighbours are laid out on demand (post_network.NodeOrder, Adjacency), in
    the order :func:`holder_centrality` lays them out, so the figures are the same."""
    nodes, adj = a.layout()
    if len(nodes) > EXACT_LIMIT and 1 <= pivots < len(nodes):
        return sampled_betweenness_of(nodes, adj, pivots, 0)
    return holder_centrality(a.holders(), pivots)


def holder_centrality(holders: list[Holder], pivots: int) -> Mapping[tuple[str, str], float]:
    """:func:`_centrality` of the bipartite network of ``holders`` (ordered by code).

    The network's nodes and adjacency are laid out as networkx would lay out
    ``bipartite()`` over posts sorted by person, then organisation (each person, then its
    bodies first seen; a body's people in code order), so the sampled sources and the
    search order, hence the figures, are networkx's.  Above EXACT_LIMIT nodes no networkx
    graph is built: building one for every post holder cost more than the searches.
    """
    nodes: list[tuple[str, str]] = []
    adj: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for h in holders:
        person = ("p", h.code)
        nodes.append(person)
        bodies = adj[person] = []
        for o in h.orgs:
            org = ("o", o)
            bodies.append(org)
            members = adj.get(org)
            if members is None:
                nodes.append(org)
                members = adj[org] = []
            members.append(person)
    if len(nodes) > EXACT_LIMIT and 1 <= pivots < len(nodes):
        return sampled_betweenness_of(nodes, adj, pivots, 0)
    g = nx.Graph()  # small (or exact asked): networkx's own figures
    g.add_edges_from((("p", h.code), ("o", o)) for h in holders for o in h.orgs)
    return _centrality(g, pivots)


def _compute_overloaded(store: Store, bound: Mapping[str, Any]) -> list[dict[str, Any]]:
    holders = active_network(store, bound).holders(min_posts=bound["threshold"])
    return _overloaded(holders, _lookup(store, PEOPLE_INFO, bound.get("snapshot")),
                       bound["threshold"])


_PERSON_COLUMNS = [
    Column("person_code", "人员编码", "the person's code"),
    Column("person_name", "姓名", "the person's name"),
]
_HOME = [Column("home_code", "居住小区编码", "the compound the person lives in"),
         *_pivot_columns("the person's home compound")]

ANALYTICS: tuple[Question, ...] = (
    Question(
        name="interlocks", title_zh="组织交叉任职关联", title_en="Organisation interlocks",
        rules=["R7"], sources=["003", "004"],
        one_row_per="pair of active organisations sharing at least one person with an "
        "active post (本职 or 兼任) in both",
        description="The people ↔ organisations network projected onto organisations; "
        "components numbered by size (largest first).",
        params=list(COMMON_PARAMS),
        columns=[
            Column("org_a_code", "组织A编码", "the pair's first organisation (lower code)"),
            Column("org_a_name", "组织A名称", "its name"),
            Column("org_a_kind", "组织A类型", "its kind", "org_kind"),
            Column("org_b_code", "组织B编码", "the pair's second organisation"),
            Column("org_b_name", "组织B名称", "its name"),
            Column("org_b_kind", "组织B类型", "its kind", "org_kind"),
            Column("shared", "共同人数", "people with active posts in both", "int"),
            Column("person_codes", "共同人员", "their codes", "codes:person"),
            Column("component", "关联组序号", "the interlock component, 1 = largest", "int"),
            Column("component_size", "关联组规模", "organisations in that component", "int"),
            *_pivot_columns("organisation A's unit"),
        ],
        kind="analytics", compute=_compute_interlocks,
        one_row_per_zh="至少有一人同时在两个在册组织任职（本职或兼任）的一对组织",
        rule_zh="把人员与组织的任职网络投影到组织上：两个组织有共同任职人员即为关联；"
        "关联组按规模编号（1为最大）。用于了解交叉任职形成的组织网络，本身不是问题。",
        finding=Finding(),
    ),
    Question(
        name="brokers", title_zh="跨组织关键人物", title_en="Brokers between bodies",
        rules=["R7"], sources=["003", "004"],
        one_row_per="person with positive betweenness in the people ↔ organisations network",
        description="Raw betweenness centrality on the bipartite network of active posts; "
        f"ties broken by person code. Exact up to {EXACT_LIMIT} nodes, else estimated from "
        "pivots sampled sources (seeded, so repeatable).",
        params=[*COMMON_PARAMS, Param("top", "int", 20, "keep the first N (0 = all)",
                                      "显示前几名（0为全部）"),
                Param("pivots", "int", 100, "sources sampled when the network has more than "
                      f"{EXACT_LIMIT} nodes (0 = exact)", "抽样源点数（0为精确计算）")],
        columns=[
            Column("rank", "排名", "1 = highest betweenness", "int"),
            *_PERSON_COLUMNS,
            Column("bodies", "任职组织数", "distinct organisations with an active post", "int"),
            Column("betweenness", "中介中心度", "shortest paths through the person (raw)",
                   "float"),
            Column("org_codes", "任职组织", "those organisations' codes", "codes:organisation"),
            *_HOME,
        ],
        kind="analytics", compute=_compute_brokers,
        one_row_per_zh="在人员与组织任职网络中中介中心度大于0的人员",
        rule_zh="在在任职务构成的人员—组织网络上计算中介中心度（经过此人的最短路径数），"
        "找出连接最多组织的关键人物；并列时按人员编码排序。网络较大时按固定种子抽样估算，"
        "结果可重复。用于了解情况，本身不是问题。",
        finding=Finding(),
    ),
    Question(
        name="overloaded", title_zh="兼职过多人员", title_en="People holding too many posts",
        rules=["R7"], sources=["003", "004"],
        one_row_per="person with more active posts (本职 and 兼任) than threshold",
        description="Counts active posts, not organisations: two posts in one body count twice.",
        params=[*COMMON_PARAMS, Param("threshold", "int", 3, "flag people above this many posts",
                                      "任职数上限")],
        columns=[
            *_PERSON_COLUMNS,
            Column("posts", "任职数", "active posts", "int"),
            Column("bodies", "任职组织数", "distinct organisations", "int"),
            Column("org_codes", "任职组织", "their codes", "codes:organisation"),
            *_HOME,
        ],
        kind="analytics", compute=_compute_overloaded,
        one_row_per_zh="在任职务（本职和兼任）多于上限的人员",
        rule_zh="统计每人的在任职务数（同一组织的两个职务算两个），多于任职数上限（默认3个）"
        "的人员兼职过多，每一行都是问题。",
        finding=Finding(every_row=True), example="--param threshold=4",
    ),
)
