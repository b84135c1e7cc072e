"""The network questions from one date-free read (queries/post_network.py) give exactly what
the per-date reads gave.

``read_network`` reads every current post with its dates once and applies ``@active``'s
date test in the client, so one read serves every ``as_of``; the three questions' rows must
equal those computed from ``read_holders`` (the per-body read with the date test in the
engine), and the holders must equal the per-person text's, at both snapshots of the audit
fixture, on dates around its posts' ends, in every scope.  Without an engine: the network
laid out on demand gives ``holder_centrality``'s sampled figures bit for bit.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import networkx as nx
import numpy as np
import pytest
from redgov.graph.stores.base import Store
from redgov.queries import analytics as an
from redgov.queries.post_network import PostNetwork
from test_questions import synced_store

DATES = ("2024-06-30", "2024-06-29", "2023-01-01")


@pytest.fixture(scope="module")
def fx(engine: Any) -> Iterator[Store]:
    yield from synced_store(engine, "post network")


def _old(store: Store, name: str, bound: dict[str, Any]) -> list[dict[str, Any]]:
    """The question as it was computed before the date-free read (read_holders per ask)."""
    snap, as_of, scope = bound.get("snapshot"), bound["as_of"], bound["scope"]
    if name == "interlocks":
        hs = an.read_holders(store, as_of, scope, min_bodies=2, snapshot=snap)
        return an._interlocks({h.code: h.orgs for h in hs}, an._lookup(store, an.ORG_INFO, snap))
    if name == "overloaded":
        hs = an.read_holders(store, as_of, scope, min_posts=bound["threshold"], snapshot=snap)
        return an._overloaded(hs, an._lookup(store, an.PEOPLE_INFO, snap), bound["threshold"])
    hs = an.read_holders(store, as_of, scope, snapshot=snap)
    return an._brokers(an.holder_centrality(hs, bound["pivots"]), {h.code: h.orgs for h in hs},
                       an._lookup(store, an.PEOPLE_INFO, snap), bound["top"])


@pytest.mark.parametrize("scope", [None, "DIST1", "ST21"])
def test_questions_from_the_date_free_read_equal_the_per_date_reads(
        fx: Store, scope: str | None) -> None:
    compute = {"interlocks": an._compute_interlocks, "brokers": an._compute_brokers,
               "overloaded": an._compute_overloaded}
    seen = 0
    for snapshot in (None, 1):
        for as_of in DATES:
            for name, extra in (("interlocks", {}), ("brokers", {"pivots": 0, "top": 0}),
                                ("overloaded", {"threshold": 0}),
                                ("overloaded", {"threshold": 1})):
                bound = {"as_of": as_of, "scope": scope, **extra}
                if snapshot is not None:
                    bound["snapshot"] = snapshot
                want = _old(fx, name, bound)
                got = compute[name](fx, bound)
                assert got == want, (name, snapshot, as_of, got[:3], want[:3])
                seen += len(want)
    assert seen or scope == "ST21", scope


@pytest.mark.parametrize("scope", [None, "CP01"])
def test_holders_of_the_date_free_read_equal_the_per_person_text(
        fx: Store, scope: str | None) -> None:
    for snapshot in (None, 1):
        net = an.read_network(fx, scope, snapshot)
        for as_of in DATES:
            for min_posts, min_bodies in ((0, 1), (1, 2)):
                params = {"as_of": as_of, "scope": scope, "min_posts": min_posts,
                          "min_bodies": min_bodies}
                if snapshot is not None:
                    params["snapshot"] = snapshot
                want = [(r["person_code"], r["posts"], sorted(r["org_codes"]))
                        for r in fx.read(an.HOLDERS, params)]
                got = [(h.code, h.posts, h.orgs)
                       for h in net.at(as_of).holders(min_posts, min_bodies)]
                assert got == want, (snapshot, as_of, min_posts, min_bodies)


def _rows(people: int, bodies: int, seed: int) -> list[dict[str, str]]:
    """A network's read rows: posts with dates (some open, some without a start)."""
    rnd = random.Random(seed)
    posts: dict[str, list[str]] = {}
    for i in range(people):
        for _ in range(rnd.choice((1, 1, 2, 3, 4))):
            start = rnd.choice(("", "2020-01-01", "2022-06-30"))
            end = rnd.choice(("~", "~", "2023-01-01", "2021-05-05"))
            posts.setdefault(f"O{rnd.randrange(bodies):04d}", []).append(f"P{i:05d},{start},{end}")
    return [{"org_code": o, "posts": " ".join(p)} for o, p in posts.items()]


def test_the_network_laid_out_on_demand_gives_holder_centrality() -> None:
    net = PostNetwork.from_rows(_rows(2500, 800, 5))
    for as_of in ("2022-07-01", "2021-01-01"):
        active = net.at(as_of)
        holders = active.holders()
        nodes, adj = active.layout()
        assert len(nodes) > an.EXACT_LIMIT, len(nodes)
        want_nodes = []
        for h in holders:  # networkx's order: a holder, then its bodies first seen
            want_nodes.append(("p", h.code))
            want_nodes += [("o", o) for o in h.orgs if ("o", o) not in want_nodes]
        assert [nodes[i] for i in range(len(nodes))] == want_nodes
        g = nx.Graph()  # as holder_centrality builds it for networkx
        g.add_edges_from((("p", h.code), ("o", o)) for h in holders for o in h.orgs)
        assert list(g) == want_nodes
        assert all(adj[v] == list(g[v]) for v in want_nodes)
        for pivots in (1, 2, 100):
            want = an.holder_centrality(holders, pivots)
            got = an.network_centrality(active, pivots)
            assert {k: v for k, v in got.items() if v == v} == \
                {k: v for k, v in want.items() if v == v} and want, (as_of, pivots)


def test_the_unscoped_network_is_kept_per_snapshot_and_read_back(fx: Store) -> None:
    """Computed for a loader-made snapshot, the unscoped network is kept with its answers;
    a later first ask (another date, another question) reads the kept one, which a planted
    entry shows, and answers as the graph does."""
    from redgov.graph.summaries import forget
    from redgov.queries.kept_answers import keep_blob, read_blob
    from redgov.queries.runner import choose_snapshot

    snap = choose_snapshot(fx, None)
    assert snap is not None and snap.run_id, snap
    forget(fx)
    token = an.COMPUTING_FOR.set(snap)
    try:
        read = an.read_network(fx, None, snap.ordinal)
        blob = read_blob(fx, an.KEPT_NETWORK, snap, {"scope": None})
        assert blob is not None and len(read.person), len(read.person)
        back = an.read_network(fx, None, snap.ordinal)
        assert back == read and back is not read, back
        for as_of in DATES:
            bound = {"as_of": as_of, "scope": None, "snapshot": snap.ordinal, "threshold": 0}
            assert an._compute_overloaded(fx, bound) == _old(fx, "overloaded", bound), as_of
        keep = np.arange(len(read.person)) > 0  # the first post left out
        planted = PostNetwork(read.people, read.orgs, read.dates, read.person[keep],
                              read.org[keep], read.start[keep], read.end[keep])
        keep_blob(fx, an.KEPT_NETWORK, snap, {"scope": None}, planted.encode())
        assert len(an.read_network(fx, None, snap.ordinal).person) == len(read.person) - 1
    finally:
        an.COMPUTING_FOR.reset(token)
        forget(fx)
