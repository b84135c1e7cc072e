"""Sampled betweenness that gives networkx's figures bit for bit, without its O(n) per source.

``networkx.betweenness_centrality(g, k=…, seed=…)`` initialises a predecessor list and a
path count for every node of the graph for each sampled source, although a breadth-first
search only ever reaches the source's component.  The cross-appointment network is
thousands of small components (at province scale ~1 M nodes, none above a few hundred),
so those initialisations were nearly all of the 250 s ``brokers`` took.  This module runs
the same Brandes accumulation with dictionaries filled lazily: same sampled sources (same
``random.Random(seed).sample`` over the same node order), same search order, same floating
point operations in the same order, same rescaling — hence identical values.

>>> import networkx as nx
>>> g = nx.barbell_graph(6, 3)
>>> sampled_betweenness(g, 5, 0) == nx.betweenness_centrality(g, k=5, normalized=False, seed=0)
True
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence

import networkx as nx

__all__ = ["sampled_betweenness", "sampled_betweenness_of"]


def sampled_betweenness(g: nx.Graph, k: int, seed: int) -> dict[Hashable, float]:
    """Raw (unnormalised, endpoints excluded) betweenness estimated from ``k`` sources.

    Equals ``nx.betweenness_centrality(g, k=k, normalized=False, seed=seed)`` on an
    undirected graph for ``1 <= k < len(g)``; outside that range it defers to networkx.
    """
    n = len(g)
    if g.is_directed() or not 1 <= k < n:
        return nx.betweenness_centrality(g, k=k, normalized=False, seed=seed)
    reached = sampled_betweenness_of(list(g.nodes()), g._adj, k, seed)
    out = dict.fromkeys(g, 0.0)
    out.update(reached)
    return out


def sampled_betweenness_of(
    nodes: Sequence[Hashable], adj: Mapping[Hashable, Iterable[Hashable]], k: int, seed: int
) -> dict[Hashable, float]:
    """:func:`sampled_betweenness` of the undirected graph with ``nodes`` (in networkx's node
    order) and neighbours ``adj[v]`` (in networkx's adjacency order), without a networkx
    graph: only the sources and the nodes a sampled search reached are in the answer
    (every other node's value is 0.0).  ``1 <= k < len(nodes)``.

    Building a networkx graph of every post holder costs more than the searches on the
    cross-appointment network (most people hold one post), so ``brokers`` passes plain
    lists here.

    >>> g = nx.barbell_graph(6, 3)
    >>> got = sampled_betweenness_of(list(g), {v: list(g[v]) for v in g}, 5, 0)
    >>> all(got.get(v, 0.0) == x for v, x in sampled_betweenness(g, 5, 0).items())
    True
    """
    n = len(nodes)
    # Sampling positions and then taking those nodes picks what sampling the nodes picks
    # (``Random.sample`` uses only the length and indexing), without a list of them all.
    sources = [nodes[i] for i in random.Random(seed).sample(range(n), k)]
    betweenness: dict[Hashable, float] = {}
    for s in sources:
        order, preds, sigma, dist = [], {}, {s: 1.0}, {s: 0}
        queue = deque([s])
        while queue:
            v = queue.popleft()
            order.append(v)
            dv = dist[v]
            sigmav = sigma[v]
            for w in adj[v]:
                if w not in dist:
                    queue.append(w)
                    dist[w] = dv + 1
                    sigma[w] = 0.0
                    preds[w] = []
                if dist[w] == dv + 1:
                    sigma[w] += sigmav
                    preds[w].append(v)
        delta = dict.fromkeys(order, 0)
        while order:
            w = order.pop()
            coeff = (1 + delta[w]) / sigma[w]
            for v in preds.get(w, ()):
                delta[v] += sigma[v] * coeff
            if w != s:
                betweenness[w] = betweenness.get(w, 0.0) + delta[w]
    # networkx's _rescale for sampled sources without endpoints on an undirected graph.
    big_n = n - 1
    scale_source = big_n / ((k - 1) * 2) if k > 1 else math.nan
    scale_other = big_n / (k * 2)
    sampled = set(sources)
    for s in sources:  # a source is in the answer even if unreached (nan when k = 1)
        betweenness.setdefault(s, 0.0)
    return {v: x * (scale_source if v in sampled else scale_other)
            for v, x in betweenness.items()}
