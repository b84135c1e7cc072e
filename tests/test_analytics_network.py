"""The brokers network laid out without networkx gives networkx's sampled betweenness.

``holder_centrality`` builds the post holders' bipartite network as plain lists above
EXACT_LIMIT nodes (building a networkx graph of every holder cost more than the
searches); its figures must be those of networkx's graph built from the same posts.
No engine: the posts are generated here.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any

from redgov.queries.analytics import (
    EXACT_LIMIT,
    Holder,
    _post,
    bipartite,
    broker_rows,
    holder_centrality,
)
from redgov.queries.betweenness import sampled_betweenness


def _holders(people: int, bodies: int, seed: int) -> list[Holder]:
    rnd = random.Random(seed)
    out = []
    for i in range(people):
        orgs = sorted({f"O{rnd.randrange(bodies):04d}" for _ in range(rnd.choice((1, 1, 2, 3)))})
        out.append(Holder(f"P{i:05d}", len(orgs), orgs))
    return out


def test_holder_centrality_equals_networkx_above_the_exact_limit() -> None:
    holders = _holders(1800, 700, 7)
    posts = [_post(h.code, o) for h in holders for o in h.orgs]
    g = bipartite(posts)
    assert g.number_of_nodes() > EXACT_LIMIT, g.number_of_nodes()
    for pivots in (1, 2, 100):  # one source: networkx gives it nan (0 × nan), so do we
        want = sampled_betweenness(g, pivots, 0)
        got = holder_centrality(holders, pivots)
        assert _nonzero(got) == _nonzero(want) and _nonzero(want), pivots
        assert _nan(got) == _nan(want) and len(_nan(want)) == (pivots == 1), pivots


def _nonzero(values: Mapping[Any, float]) -> dict[Any, float]:
    return {v: x for v, x in values.items() if x != 0 and not math.isnan(x)}


def _nan(values: Mapping[Any, float]) -> set[Any]:
    return {v for v, x in values.items() if math.isnan(x)}


def test_broker_rows_from_posts_and_from_holders_agree() -> None:
    """The reference path (rows per post, networkx) and the questions' path rank the same
    people with the same figures."""
    holders = _holders(1800, 700, 11)
    posts = [_post(h.code, o) for h in holders for o in h.orgs]
    reference = [(r["person_code"], r["betweenness"]) for r in broker_rows(posts, top=0)]
    centrality = holder_centrality(holders, 100)
    ranked = sorted(((round(v, 4), n[1]) for n, v in centrality.items()
                     if n[0] == "p" and v > 0), key=lambda t: (-t[0], t[1]))
    assert [(c, v) for v, c in ranked] == reference and reference, reference[:5]
