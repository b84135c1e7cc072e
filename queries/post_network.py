"""The cross-appointment network held as arrays, for any ``as_of`` of one snapshot.

The three network questions (``interlocks``, ``brokers``, ``overloaded``) all start from
the active posts of the active organisations in scope.  What makes a post active on a
date is only its ``start`` and ``end`` (``@active``: current, ``start <= as_of``, ``as_of <
end``); everything else the read matches (the organisation current and 在册, the post
current, the scope) does not depend on the date.  So one read of every *current* post with
its two dates (:data:`~.analytics.NETWORK_POSTS`) serves every date: the date test is
applied here, on arrays, with the same string comparisons the Cypher makes (a missing
``start`` is read as ``''``, below every date; a missing ``end`` as ``'~'``, above every
``YYYY-MM-DD``), so the posts kept are exactly those ``@active`` keeps.

At province (≈ 1.2 M people) regrouping the posts per person in Python dictionaries and
laying out the whole bipartite network as tuples cost more than the engine's read; here
the regrouping is a few numpy sorts, and ``brokers`` builds only what its sampled searches
reach (:class:`NodeOrder`, :class:`Adjacency`: the node order and neighbour order networkx
would have, computed on demand), so the figures are networkx's bit for bit.

>>> net = PostNetwork.from_rows([
...     {"org_code": "O1", "posts": "P1,2020-01-01,~ P2,,2021-01-01"},
...     {"org_code": "O2", "posts": "P1,2020-01-01,~ P1,2022-01-01,~"}])
>>> a = net.at("2020-06-30")
>>> [(h.code, h.posts, h.orgs) for h in a.holders()]
[('P1', 2, ['O1', 'O2']), ('P2', 1, ['O1'])]
>>> [(h.code, h.posts, h.orgs) for h in net.at("2023-01-01").holders(min_posts=2)]
[('P1', 3, ['O1', 'O2'])]
"""

from __future__ import annotations

import bisect
import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ActiveNetwork", "Adjacency", "Holder", "NodeOrder", "PostNetwork"]

#: A missing ``end`` as the read gives it: above every ``YYYY-MM-DD`` (``'~'`` > digits).
OPEN_END = "~"


@dataclass
class Holder:
    """A person with active posts in scope: how many, and in which bodies (sorted)."""

    code: str
    posts: int
    orgs: list[str]


@dataclass
class PostNetwork:
    """Every current post of the snapshot's active organisations in scope, with its dates.

    ``people``, ``orgs`` and ``dates`` are the distinct codes and dates in sorted order
    (Python's string order, the engines' for these ASCII texts); post ``i`` is
    ``people[person[i]]`` in ``orgs[org[i]]`` from ``dates[start[i]]`` to
    ``dates[end[i]]``.  Plain lists and integer arrays: sorting and comparing a million
    strings in numpy cost seconds, Python's own sort and integer arrays a fraction.
    """

    people: list[str]
    orgs: list[str]
    dates: list[str]
    person: np.ndarray
    org: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> PostNetwork:
        """From :data:`~.analytics.NETWORK_POSTS` rows: per organisation, its posts as
        ``person,start,end`` joined by spaces (a code holds no space, a date no comma)."""
        per_org = [r["posts"].split() if r["posts"] else [] for r in rows]
        tokens = [t.rsplit(",", 2) for posts in per_org for t in posts]
        if not tokens:
            empty = np.array([], dtype=np.int64)
            return cls([], [], [], empty, empty, empty, empty)
        person_codes, starts, ends = zip(*tokens, strict=True)
        people, person = _ranked(person_codes)
        orgs, org_of_row = _ranked([r["org_code"] for r in rows])
        counts = np.fromiter((len(p) for p in per_org), dtype=np.int64, count=len(per_org))
        dates, when = _ranked(starts + ends)
        n = len(person_codes)
        return cls(people, orgs, dates, person, np.repeat(org_of_row, counts), when[:n],
                   when[n:])

    def at(self, as_of: str) -> ActiveNetwork:
        """The posts active on ``as_of`` (``start <= as_of < end``, as ``@active`` tests):
        with the dates sorted, ``start <= as_of`` is ``start`` ranked below the first date
        after ``as_of``, and ``as_of < end`` is ``end`` ranked at or above it."""
        after = bisect.bisect_right(self.dates, as_of)
        mask = (self.start < after) & (self.end >= after)
        return ActiveNetwork(self, self.person[mask], self.org[mask])

    def encode(self) -> bytes:
        """A compact form to keep per snapshot (queries/kept_answers.py ``keep_blob``): the
        code and date tables as lines, each post as four int32 indexes into them.

        >>> net = PostNetwork.from_rows([{"org_code": "O1", "posts": "P1,,~ P2,2020-01-01,~"}])
        >>> back = PostNetwork.decode(net.encode())
        >>> back == net, [h.orgs for h in back.at("2021-01-01").holders()]
        (True, [['O1'], ['O1']])
        """
        tables = ["\n".join(t) for t in (self.people, self.orgs, self.dates)]
        blobs = [t.encode() for t in tables]
        head = json.dumps({"v": 1, "posts": len(self.person),
                           "tables": [[len(t), len(b)] for t, b in
                                      zip((self.people, self.orgs, self.dates), blobs,
                                          strict=True)]})
        parts = [head.encode(), b"\n", *blobs]
        for column in (self.person, self.org, self.start, self.end):
            parts.append(column.astype("<i4").tobytes())
        return zlib.compress(b"".join(parts), 1)

    @classmethod
    def decode(cls, blob: bytes) -> PostNetwork:
        """What :meth:`encode` gave (a damaged blob raises ValueError)."""
        try:
            data = zlib.decompress(blob)
            cut = data.index(b"\n")
            head = json.loads(data[:cut])
            if head.get("v") != 1:
                raise ValueError(f"unknown network form {head.get('v')!r}")
            at, tables = cut + 1, []
            for count, size in head["tables"]:
                table = data[at:at + size].decode().split("\n") if count else []
                if len(table) != count:
                    raise ValueError("a kept network's table differs from its head")
                tables.append(table)
                at += size
            n = int(head["posts"])
            columns = []
            for _ in range(4):
                columns.append(np.frombuffer(data, dtype="<i4", count=n, offset=at)
                               .astype(np.int64))
                at += 4 * n
            if at != len(data):
                raise ValueError("a kept network's length differs from its head")
        except (zlib.error, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise ValueError(f"a damaged kept network: {exc}") from None
        return cls(*tables, *columns)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PostNetwork):
            return NotImplemented
        return (self.people == other.people and self.orgs == other.orgs
                and self.dates == other.dates
                and all(np.array_equal(getattr(self, f), getattr(other, f))
                        for f in ("person", "org", "start", "end")))


def _ranked(values: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The distinct values sorted, and each value's rank among them."""
    first: dict[str, int] = {}  # value → the order it was first seen in
    seen = np.fromiter((first.setdefault(v, len(first)) for v in values), dtype=np.int64,
                       count=len(values))
    table = sorted(first)
    rank = np.empty(len(table), dtype=np.int64)  # first-seen order → rank
    rank[np.fromiter((first[v] for v in table), dtype=np.int64, count=len(table))] = \
        np.arange(len(table))
    return table, rank[seen]


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: ``np.unique`` by a sort (numpy 2.4's ``unique`` hashes,
    and took 28 s for a million integers here where sorting takes 0.1 s)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


class ActiveNetwork:
    """The active posts of one date: per person the post count and the distinct bodies."""

    def __init__(self, net: PostNetwork, person: np.ndarray, org: np.ndarray) -> None:
        self.net = net
        n_orgs = max(len(net.orgs), 1)
        self.posts = np.bincount(person, minlength=len(net.people))
        # Distinct (person, body) pairs, ordered by person code then body code.
        pairs = _distinct(person * n_orgs + org)
        self.pair_person = pairs // n_orgs
        self.pair_org = pairs % n_orgs
        self.bodies = np.bincount(self.pair_person, minlength=len(net.people))
        # Where each person's pairs begin (a person without active posts has none).
        self.first_pair = np.concatenate(([0], np.cumsum(self.bodies)))

    def orgs_of(self, p: int) -> list[str]:
        """Person ``p``'s bodies, sorted."""
        orgs = self.net.orgs
        return [orgs[o] for o in self.pair_org[self.first_pair[p]:self.first_pair[p + 1]]
                .tolist()]

    def holders(self, min_posts: int = 0, min_bodies: int = 1) -> list[Holder]:
        """People with more than ``min_posts`` posts and at least ``min_bodies`` bodies, by
        code (what ``read_holders`` returns)."""
        chosen = (self.posts > min_posts) & (self.bodies >= max(min_bodies, 1))
        keep = np.nonzero(chosen)[0]
        orgs, people = self.net.orgs, self.net.people
        # Every kept person's bodies in one pass (their pairs are consecutive, by person).
        codes = [orgs[o] for o in self.pair_org[chosen[self.pair_person]].tolist()]
        out, at = [], 0
        for p, posts, bodies in zip(keep.tolist(), self.posts[keep].tolist(),
                                    self.bodies[keep].tolist(), strict=True):
            out.append(Holder(people[p], posts, codes[at:at + bodies]))
            at += bodies
        return out

    def layout(self) -> tuple[NodeOrder, Adjacency]:
        """The bipartite network's nodes and neighbours in networkx's order (see
        ``analytics.holder_centrality``), computed on demand."""
        return NodeOrder(self), Adjacency(self)


class NodeOrder(Sequence[tuple[str, str]]):
    """The bipartite network's nodes in the order networkx lays them out: each holder (by
    code) as ``("p", code)``, then its bodies not seen before as ``("o", code)``."""

    def __init__(self, a: ActiveNetwork) -> None:
        self.a = a
        held = np.nonzero(a.bodies > 0)[0]
        self.held = held  # holder rank → person index
        # A body is laid out at its first pair (pairs are in holder order).
        order = np.argsort(a.pair_org, kind="stable")  # stable: a body's first pair first
        ordered = a.pair_org[order]
        first = np.ones(len(ordered), dtype=bool)
        first[1:] = ordered[1:] != ordered[:-1]
        seen, first_idx = ordered[first], order[first]
        is_first = np.zeros(len(a.pair_org), dtype=np.int64)
        is_first[first_idx] = 1
        before = np.cumsum(is_first) - is_first  # new bodies laid out before each pair
        rank_of_pair = np.repeat(np.arange(len(held)), a.bodies[held])
        # A holder's position: its rank plus the new bodies laid out before it.
        self.person_pos = (np.arange(len(held)) + before[a.first_pair[held]]).tolist()
        org_pos = rank_of_pair[first_idx] + 1 + before[first_idx]
        self.org_at = dict(zip(org_pos.tolist(), seen.tolist(), strict=True))
        self.n = len(held) + len(seen)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple[str, str]:  # type: ignore[override]
        if not 0 <= i < self.n:
            raise IndexError(i)
        org = self.org_at.get(i)
        if org is not None:
            return ("o", self.a.net.orgs[org])
        rank = bisect.bisect_right(self.person_pos, i) - 1
        return ("p", self.a.net.people[int(self.held[rank])])


class Adjacency(Mapping[tuple[str, str], list[tuple[str, str]]]):
    """Each node's neighbours in networkx's order: a person's bodies by code, a body's
    holders by code (the order they were added)."""

    def __init__(self, a: ActiveNetwork) -> None:
        self.a = a
        by_org = np.argsort(a.pair_org, kind="stable")  # stable: holders stay by code
        self.members = a.pair_person[by_org]
        self.org_first = np.searchsorted(a.pair_org[by_org], np.arange(len(a.net.orgs) + 1))

    def __getitem__(self, node: tuple[str, str]) -> list[tuple[str, str]]:
        kind, code = node
        net = self.a.net
        if kind == "p":
            return [("o", o) for o in self.a.orgs_of(bisect.bisect_left(net.people, code))]
        o = bisect.bisect_left(net.orgs, code)
        people = net.people
        return [("p", people[p]) for p in
                self.members[self.org_first[o]:self.org_first[o + 1]].tolist()]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        raise TypeError("the adjacency is read node by node")

    def __len__(self) -> int:
        return len(self.a.net.people) + len(self.a.net.orgs)
