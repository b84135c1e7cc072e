"""Scoped answers of a few data-quality questions, narrowed from their kept unscoped answer.

Why: a unit's dashboard page asks every finding question scoped to the unit, and a few of
them cost the same for one compound as for the province (``duplicate_people`` 0.24 s,
``dq_unaffiliated_party_orgs`` 0.15 s, ``dq_dual_primary_posts`` 0.12 s at province),
because their work starts from whole-graph candidates (people sharing a key, posts held
twice, party organisations without a parent) and the scope is a filter at the end.  Their
unscoped answers are small (tens of rows) and kept per snapshot by the post-publish warm
step (:mod:`.kept_answers`), so when that entry exists the scoped answer is read from it:

- :data:`BY_PLACE`: the scope test is ``@in_scope(x)`` on one unit ``x`` the row is about,
  and the row carries ``x``'s code and its community, street and district codes.  A row is
  in the scope when the scope is one of those four: exactly ``@in_scope(x)`` for a scope
  that is not a city (unit codes are unique, so a non-city scope is never ``x.city_code``);
  a city scope is computed from the graph as before.
- ``duplicate_people``: a pair is in the scope when one of its places (each record's home
  and the units of the bodies it holds an active post in) is; :data:`_PAIRS_IN_SCOPE`
  reads exactly those places for the kept pairs, with the question's own patterns.

The rows are the unscoped rows themselves, in their order: in these questions a row's
values do not depend on the scope (the scope only keeps or drops it).  Without a kept
entry the question's own text runs, so nothing here can answer differently from it;
``tests/test_questions.py`` and ``tests/test_duplicate_people.py`` compare both at every
unit of their fixtures, on both engines.
"""

from __future__ import annotations

from typing import Any, Final

from ..graph.cypher import cypher
from ..graph.snapshots import Snapshot
from ..graph.stores.base import Store
from .kept_answers import Rows, read_kept
from .place_answers import BY_ANCESTRY, PLACE_COLUMNS, by_place

__all__ = ["BY_PLACE", "NARROWED", "narrowed"]

#: question → the column holding the code of the unit its scope test is on (these and
#: nine more: queries/place_answers.py, which narrows them from a decoded copy it holds).
BY_PLACE: Final[dict[str, str]] = PLACE_COLUMNS
NARROWED: Final = frozenset({*BY_PLACE, *BY_ANCESTRY, "duplicate_people"})
# duplicate_people's places of a pair (its `places` list, pattern for pattern).
_PAIRS_IN_SCOPE = cypher(
    "queries.scoped_answers.duplicate_pairs",
    """
UNWIND $pairs AS pair
MATCH (a:Person {code: pair[0]})
WHERE @current(a)
MATCH (b:Person {code: pair[1]})
WHERE @current(b)
WITH pair,
     [(a)-[ha:LIVES_IN]->(ua:Unit) WHERE @live(ha) | ua] +
     [(a)-[pa:SERVES_AS|CROSS_APPOINTED_TO]->(oa1:Organisation)-[sa:SITS_AT]->(va:Unit)
      WHERE @active(pa) AND @live(sa) | va] +
     [(b)-[hb:LIVES_IN]->(ub:Unit) WHERE @live(hb) | ub] +
     [(b)-[pb:SERVES_AS|CROSS_APPOINTED_TO]->(ob1:Organisation)-[sb:SITS_AT]->(vb:Unit)
      WHERE @active(pb) AND @live(sb) | vb] AS places
WHERE any(u IN places WHERE @in_scope(u))
RETURN pair[0] AS person_code, pair[1] AS other_code
""",
)


def narrowed(store: Store, name: str, snapshot: Snapshot | None, columns: list[str],
             bound: dict[str, Any]) -> Rows | None:
    """The scoped answer of ``name`` (``bound["scope"]`` set) from its kept unscoped answer
    with the same other parameters; None when there is none or the scope is a city."""
    scope = bound.get("scope")
    if name not in NARROWED or scope is None:
        return None
    if name in BY_PLACE or name in BY_ANCESTRY:
        return by_place(store, name, snapshot, columns, bound)
    whole = read_kept(store, name, snapshot, columns, {**bound, "scope": None})
    if whole is None:
        return None
    # duplicate_people (the only other one)
    if not whole:
        return []
    pairs = [[r["person_code"], r["other_code"]] for r in whole]
    inside = {(r["person_code"], r["other_code"])
              for r in store.read(_PAIRS_IN_SCOPE, {**bound, "pairs": pairs})}
    return [r for r in whole if (r["person_code"], r["other_code"]) in inside]
