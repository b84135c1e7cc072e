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

    ``people`` and ``orgs`` are the distinct codes in sorted order (Python's string order);
    post ``i`` is ``people[person[i]]`` in ``orgs[org[i]]`` from ``start[i]`` to ``end[i]``.
    """

    people: np.ndarray
    orgs: np.ndarray
    person: np.ndarray
    org: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> PostNetwork:
        """From :data:`~.analytics.NETWORK_POSTS` rows: per organisation, its posts as
        ``person,start,end`` joined by spaces (a code holds no space, a date no comma)."""
        org_codes = [r["org_code"] for r in rows]
        per_org = [r["posts"].split() if r["posts"] else [] for r in rows]
        counts = np.fromiter((len(p) for p in per_org), dtype=np.int64, count=len(per_org))
        tokens = [t.rsplit(",", 2) for posts in per_org for t in posts]
        if not tokens:
            empty = np.array([], dtype=np.int64)
            return cls(np.array([], dtype=str), np.array([], dtype=str), empty, empty,
                       np.array([], dtype=str), np.array([], dtype=str))
        person_codes, starts, ends = zip(*tokens, strict=True)
        people, person = np.unique(np.array(person_codes, dtype=str), return_inverse=True)
        orgs, org_of_row = np.unique(np.array(org_codes, dtype=str), return_inverse=True)
        org = np.repeat(org_of_row, counts)
        return cls(people, orgs, person.astype(np.int64), org.astype(np.int64),
                   np.array(starts, dtype=str), np.array(ends, dtype=str))

    def at(self, as_of: str) -> ActiveNetwork:
        """The posts active on ``as_of`` (``start <= as_of < end``, as ``@active`` tests)."""
        if not len(self.person):
            return ActiveNetwork(self, np.array([], dtype=np.int64), np.array([], dtype=np.int64))
        mask = (self.start <= as_of) & (as_of < self.end)
        return ActiveNetwork(self, self.person[mask], self.org[mask])

    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.people, self.orgs, self.person, self.org,
                                      self.start, self.end))

    def encode(self) -> bytes:
        """A compact form to keep per snapshot (queries/kept_answers.py ``keep_blob``): the
        code and date tables as lines, each post as four int32 indexes into them.

        >>> net = PostNetwork.from_rows([{"org_code": "O1", "posts": "P1,,~ P2,2020-01-01,~"}])
        >>> back = PostNetwork.decode(net.encode())
        >>> [h.orgs for h in back.at("2021-01-01").holders()] == [["O1"], ["O1"]]
        True
        """
        dates, inverse = np.unique(np.concatenate((self.start, self.end)), return_inverse=True)
        n = len(self.person)
        tables = ["\n".join(t.tolist()) for t in (self.people, self.orgs, dates)]
        head = json.dumps({"v": 1, "posts": n, "tables": [len(t.encode()) for t in tables]})
        parts = [head.encode(), b"\n", *(t.encode() for t in tables)]
        for column in (self.person, self.org, inverse[:n], inverse[n:]):
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
            for size in head["tables"]:
                text = data[at:at + size].decode()
                tables.append(np.array(text.split("\n") if text else [], dtype=str))
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
        people, orgs, dates = tables
        person, org, start, end = columns
        return cls(people, orgs, person, org, dates[start], dates[end])


class ActiveNetwork:
    """The active posts of one date: per person the post count and the distinct bodies."""

    def __init__(self, net: PostNetwork, person: np.ndarray, org: np.ndarray) -> None:
        self.net = net
        n_orgs = max(len(net.orgs), 1)
        self.posts = np.bincount(person, minlength=len(net.people))
        # Distinct (person, body) pairs, ordered by person code then body code.
        pairs = np.unique(person * n_orgs + org)
        self.pair_person = pairs // n_orgs
        self.pair_org = pairs % n_orgs
        self.bodies = np.bincount(self.pair_person, minlength=len(net.people))
        # Where each person's pairs begin (a person without active posts has none).
        self.first_pair = np.concatenate(([0], np.cumsum(self.bodies)))

    def orgs_of(self, p: int) -> list[str]:
        """Person ``p``'s bodies, sorted."""
        lo, hi = self.first_pair[p], self.first_pair[p + 1]
        return self.net.orgs[self.pair_org[lo:hi]].tolist()

    def holders(self, min_posts: int = 0, min_bodies: int = 1) -> list[Holder]:
        """People with more than ``min_posts`` posts and at least ``min_bodies`` bodies, by
        code (what ``read_holders`` returns)."""
        keep = np.nonzero((self.posts > min_posts) & (self.bodies >= max(min_bodies, 1)))[0]
        people = self.net.people
        return [Holder(people[p].item(), int(self.posts[p]), self.orgs_of(p))
                for p in keep.tolist()]

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
        seen, first_idx = np.unique(a.pair_org, return_index=True)
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
            return ("o", self.a.net.orgs[org].item())
        rank = bisect.bisect_right(self.person_pos, i) - 1
        return ("p", self.a.net.people[self.held[rank]].item())


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
            p = int(np.searchsorted(net.people, code))
            return [("o", o) for o in self.a.orgs_of(p)]
        o = int(np.searchsorted(net.orgs, code))
        members = self.members[self.org_first[o]:self.org_first[o + 1]]
        return [("p", c) for c in net.people[members].tolist()]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        raise TypeError("the adjacency is read node by node")

    def __len__(self) -> int:
        return len(self.a.net.people) + len(self.a.net.orgs)
