"""Scoped answers read from the kept unscoped answer, narrowed by place, indexed once per
process.

Why: a unit's dashboard page asks ~22 finding questions scoped to the unit, and 20
readers ask the catalog scoped to districts.  At province most of these texts start from
every organisation or compound of a kind (51k) and test the scope afterwards, so one
compound's answer costs nearly what the province's does (0.05–0.3 s each, queued on the
engine's two threads).  The post-publish warm step keeps every unscoped answer per
snapshot (:mod:`.kept_answers`); for the questions below the scoped answer is a subset of
it that can be told from the rows alone, so it is read from there:

- :data:`PLACE_COLUMNS`: the question's only scope test is ``@in_scope(x)`` on one unit
  ``x`` the row is about (a compound, or the unit an organisation sits at), the test only
  keeps or drops a row (no value depends on the scope), and the row carries ``x``'s code
  (the named column) and its ``community_code``, ``street_code`` and ``district_code``.
  Unit codes are unique across levels, so for a scope that is not a city, "the scope is
  one of those four codes" is exactly ``@in_scope(x)`` (a city scope, which would need
  ``x.city_code``, is answered by the text).
- :data:`BY_ANCESTRY`: the same, but the row carries only ``x``'s ancestry codes, not
  ``x.code``.  The loader gives every unit its own level's code as itself
  (``loaders/diff.ancestry_of`` starts its walk at the unit), so ``x.code`` is among them
  unless ``x`` is a compound, and a compound is the scope only of a compound scope: for a
  district, street or community scope the test is again exactly ``@in_scope(x)``; a
  compound or city scope is answered by the text.
- The rows are the unscoped rows, in their order (the definitions order by columns that
  do not depend on the scope), so the narrowed answer equals the text's answer row for
  row: ``tests/test_questions.py`` (every unit, both snapshots of the audit fixtures) and
  ``tests/test_compound_facts.py`` (every unit at every snapshot of the history fixtures)
  compare them on both engines.

The kept entry of one snapshot never changes (its key holds the run id, the ordinal, every
bound parameter and the code's fingerprint), so a process decodes it once and keeps it,
column by column with an index place code → row numbers (:class:`_Whole`), for snapshots
whose run id the loader made (one sync of one graph); at most :data:`MAX_CELLS` cells are
held, the oldest dropped first.  A large entry (:data:`NOW_CHARS`) is decoded on a thread
of its own while the asks that come meanwhile run the text, so no ask waits for it.
Without a kept entry (nothing warmed, another ``as_of``, an older snapshot) the question's
text runs, so nothing here can answer what the definition would not.

**By district.** A large answer is also kept split by its rows' ``district_code``
(:func:`splitter`, :data:`PART_ROWS`; one entry per district with rows, and a head listing
them), so a process that holds nothing yet — the dashboard right after a sync, whose
warm step ran in the sync's process — reads and decodes one district's part (a few kB,
at once) instead of the whole province answer (up to 1 MB, decoded aside while the text
runs: 2–3 s for a unit's first page at province).  Levels nest (a unit's parent is one
level up, loaders/validate.py), so every unit under a scope has the scope's
``district_code``, and every row the scope keeps is in that district's part, in order; a
district the head does not list has no rows.  A scope without a district code, a part
or head not kept, or a part that does not decode falls back to the whole answer.  The
part, the head and whether the whole is kept come in one read, so an answer that nothing
was kept for (a graph the warm step does not warm) costs one read before its text runs.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Final

from ..graph.cypher import cypher
from ..graph.snapshots import Snapshot
from ..graph.stores.base import Store
from .kept_answers import (
    HEAD,
    PART,
    Rows,
    Split,
    answer_key,
    decode_columns,
    read_kept_text,
    read_parts,
)

__all__ = ["BY_ANCESTRY", "MAX_CELLS", "NOW_CHARS", "PART_ROWS", "PLACE_COLUMNS", "by_place",
           "forget", "splitter"]

#: question → the column holding the code of the unit ``x`` its scope test is on (each
#: text's ``@in_scope(x)``; the row's ancestry columns are ``x``'s).
PLACE_COLUMNS: Final[dict[str, str]] = {
    "compounds_without_branch": "compound_code",
    "compounds_without_governance": "compound_code",
    "dq_dual_primary_posts": "compound_code",
    "dq_unaffiliated_party_orgs": "unit_code",
    "industry_committee_secretary": "unit_code",
    "model_project_disqualifiers": "candidate_code",
    "model_project_eligibility": "compound_code",
    "one_shoulder": "compound_code",
    "overdue_reelection": "compound_code",
    "owners_committee_party_share": "compound_code",
    "supervisory_independence": "compound_code",
}
#: Questions of the second kind (``x`` is the unit the row's organisation or candidate
#: sits at; the row holds ``x``'s community, street and district codes only).
BY_ANCESTRY: Final = frozenset({
    "branch_committee_size", "company_branch_affiliation", "company_party_org_status",
    "dq_posts_in_retired_orgs", "funding_guarantee", "instructor_visits",
    "model_award_disqualifiers", "secretary_origin",
})
_ANCESTRY: Final = ("community_code", "street_code", "district_code")
#: The scope levels a :data:`BY_ANCESTRY` answer is narrowed for.
_ANCESTRY_LEVELS: Final = frozenset({"district", "street", "community"})
#: Cells (rows × columns) of decoded whole answers a process holds at most.  A province
#: snapshot's nineteen answers are 4.07 M cells, 141 MiB held (≈ 36 bytes a cell, each
#: column's repeated texts shared, :func:`_shared`; 298 MiB without); the bound was 3 M
#: cells, so at province a reader going round the questions evicted each answer before
#: it came back to it and read and decoded it again, ≈ 1 s of CPU every time.  8 M cells:
#: two snapshots' answers, ≈ 290 MB.
MAX_CELLS: Final = 8_000_000
#: An entry longer than this (compressed text; ≈ 100 k chars per 4 k rows) is decoded on a
#: thread of its own, the first asks answered by the text meanwhile: a page or reader is
#: never held by a whole province answer's decode (≈ 0.1–0.5 s each).
NOW_CHARS: Final = 200_000
#: An answer of at least this many rows is also kept split by district (a province
#: answer of 30–60 k rows: 83 parts of a few kB; a city's 2–3 k rows: six).
PART_ROWS: Final = 2_000
#: A run id as the loader makes them (loaders/runlog.py ``new_run_id``; queries/runner.py).
_RUN_ID: Final = re.compile(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{6}")

_LEVEL = cypher(
    "queries.place_answers.level",
    "MATCH (u:Unit {code: $scope}) WHERE @live(u) "
    "RETURN u.level AS level, u.district_code AS district LIMIT 1",
)


@dataclass(frozen=True)
class _Whole:
    """One kept unscoped answer, column by column, with the rows of each place code."""

    columns: tuple[str, ...]
    values: tuple[list[Any], ...]
    at: dict[str, list[int]]

    @property
    def cells(self) -> int:
        return len(self.columns) * (len(self.values[0]) if self.values else 0)

    def rows(self, code: str) -> Rows:
        return [dict(zip(self.columns, (v[i] for v in self.values), strict=True))
                for i in self.at.get(code, ())]


def _shared(column: list[Any]) -> list[Any]:
    """The column with each repeated text one object: JSON decoding makes a string per
    cell, and most columns of an answer repeat a few hundred places' codes and names
    (a province's nineteen answers: 298 MiB held as decoded, 4.07 M cells)."""
    seen: dict[str, str] = {}
    return [seen.setdefault(v, v) if type(v) is str else v for v in column]


def _whole(columns: list[str], values: list[list[Any]], place: str | None) -> _Whole | None:
    """The answer indexed by the codes of its place columns (None: a column is missing)."""
    where = {c: i for i, c in enumerate(columns)}
    wanted = ((place,) if place else ()) + _ANCESTRY
    if any(c not in where for c in wanted):
        return None
    values = [_shared(column) for column in values]
    at: dict[str, list[int]] = {}
    for c in wanted:
        for i, code in enumerate(values[where[c]]):
            if code is not None:
                at.setdefault(str(code), []).append(i)
    for code, found in at.items():  # a row under one code twice (x.community_code = x.code)
        if any(a >= b for a, b in itertools.pairwise(found)):
            at[code] = sorted(set(found))
    return _Whole(tuple(columns), tuple(values), at)


_HELD: OrderedDict[tuple[str, ...], _Whole] = OrderedDict()
_LEVELS: dict[tuple[str, ...], tuple[str, str | None]] = {}
_LOCK = threading.Lock()
_DECODING: set[tuple[str, ...]] = set()


def forget() -> None:
    """Drop what this process holds (the benchmarks' cold figures)."""
    with _LOCK:
        _HELD.clear()
        _LEVELS.clear()


def _store_id(store: Store) -> tuple[str, str]:
    return (str(getattr(store, "description", "")), str(getattr(store, "graph_name", "")))


def _level(store: Store, bound: dict[str, Any], snapshot: Snapshot,
           pure: bool) -> tuple[str, str | None] | None:
    """The scope's level and district code (None: no such live unit)."""
    key = (*_store_id(store), snapshot.run_id, str(snapshot.ordinal), str(bound["scope"]))
    found = _LEVELS.get(key)
    if found is None:
        rows = store.read(_LEVEL, bound)
        if rows and rows[0]["level"] is not None:
            district = rows[0]["district"]
            found = (str(rows[0]["level"]), None if district is None else str(district))
        if found is not None and pure:
            with _LOCK:
                if len(_LEVELS) >= 20_000:
                    _LEVELS.clear()
                _LEVELS[key] = found
    return found


def split_by_district(columns: list[str], rows: Rows) -> dict[str, Rows] | None:
    """The rows of each district (``district_code``), in order; None when the answer is
    small (:data:`PART_ROWS`: the whole is read and decoded at once anyway)."""
    if len(rows) < PART_ROWS or "district_code" not in columns:
        return None
    parts: dict[str, Rows] = {}
    for row in rows:
        district = row["district_code"]
        if district is not None:
            parts.setdefault(str(district), []).append(row)
    return parts


def splitter(name: str) -> Split | None:
    """How the unscoped answer of ``name`` is also kept split (None: it is not)."""
    return split_by_district if name in PLACE_COLUMNS or name in BY_ANCESTRY else None


def _key(store: Store, name: str, snapshot: Snapshot,
         params: dict[str, Any]) -> tuple[str, ...]:
    """What a decoded entry is held under: the store and the entry's key."""
    return (*_store_id(store), answer_key(name, snapshot, params))


def _get_held(key: tuple[str, ...]) -> _Whole | None:
    """The entry this process holds decoded under ``key`` (nothing is read)."""
    with _LOCK:
        found = _HELD.get(key)
        if found is not None:
            _HELD.move_to_end(key)
        return found


def _hold(key: tuple[str, ...], whole: _Whole) -> None:
    with _LOCK:
        _HELD[key] = whole
        total = sum(w.cells for w in _HELD.values())
        while total > MAX_CELLS and len(_HELD) > 1:
            _, dropped = _HELD.popitem(last=False)
            total -= dropped.cells


def _decode_later(key: tuple[str, ...], text: str, columns: list[str],
                  place: str | None) -> None:
    """Decode a large entry on a thread of its own; the asks meanwhile run the text."""
    def work() -> None:
        try:
            values = decode_columns(text, columns)
            whole = None if values is None else _whole(columns, values, place)
            if whole is not None:
                _hold(key, whole)
        finally:
            with _LOCK:
                _DECODING.discard(key)

    threading.Thread(target=work, name="redgov-place-answers", daemon=True).start()


def _part(store: Store, name: str, snapshot: Snapshot, columns: list[str],
          params: dict[str, Any], district: str, pure: bool) -> tuple[_Whole | None, bool]:
    """The kept part of the answer for ``district``, decoded and indexed (held when
    ``pure``), or an empty one when the head says the answer has no rows there; else
    None.  And whether the whole answer may be kept (False: nothing is, the text answers)
    — one read for all three."""
    key = _key(store, name, snapshot, {**params, PART: district})
    held = _get_held(key) if pure else None
    if held is not None:
        return held, True
    found = read_parts(store, name, snapshot, params, [district, HEAD])
    if found is None:
        return None, True
    texts, whole_kept = found
    whole = None
    if district in texts:
        values = decode_columns(texts[district], columns)
        if values is not None:
            whole = _whole(columns, values, PLACE_COLUMNS.get(name))
    elif HEAD in texts:
        listed = decode_columns(texts[HEAD], [PART])
        if listed is not None and district not in listed[0]:
            whole = _Whole(tuple(columns), tuple([] for _ in columns), {})
    if whole is not None and pure:
        _hold(key, whole)
    return whole, whole_kept or bool(texts)


def _held(store: Store, name: str, snapshot: Snapshot, columns: list[str],
          params: dict[str, Any], pure: bool) -> _Whole | None:
    """The kept whole answer, decoded and indexed; held per process when ``pure``.  An
    entry over :data:`NOW_CHARS` is decoded on a thread of its own (None meanwhile)."""
    place = PLACE_COLUMNS.get(name)
    key = _key(store, name, snapshot, params)
    if pure:
        held = _get_held(key)
        if held is not None or key in _DECODING:
            return held
    text = read_kept_text(store, name, snapshot, params)
    if text is None:
        return None
    if pure and len(text) > NOW_CHARS:
        with _LOCK:
            if key in _DECODING or key in _HELD:
                return _HELD.get(key)
            _DECODING.add(key)
        _decode_later(key, text, columns, place)
        return None
    values = decode_columns(text, columns)
    whole = None if values is None else _whole(columns, values, place)
    if whole is not None and pure:
        _hold(key, whole)
    return whole


def by_place(store: Store, name: str, snapshot: Snapshot | None, columns: list[str],
             bound: dict[str, Any]) -> Rows | None:
    """The scoped answer of ``name`` (one of :data:`PLACE_COLUMNS` or :data:`BY_ANCESTRY`,
    ``bound["scope"]`` set) from its kept unscoped answer with the same other parameters;
    None when there is none or the scope is a city (a compound too for
    :data:`BY_ANCESTRY`): the text then runs."""
    scope = bound.get("scope")
    if (name not in PLACE_COLUMNS and name not in BY_ANCESTRY) or scope is None \
            or snapshot is None or not snapshot.run_id:
        return None
    pure = bool(_RUN_ID.fullmatch(snapshot.run_id))
    found = _level(store, bound, snapshot, pure)
    if found is None:
        return None
    level, district = found
    if level == "city" or (name in BY_ANCESTRY and level not in _ANCESTRY_LEVELS):
        return None
    params = {**bound, "scope": None}
    whole = _get_held(_key(store, name, snapshot, params)) if pure else None
    if whole is None and district is not None:
        whole, kept = _part(store, name, snapshot, columns, params, district, pure)
        if whole is None and not kept:
            return None  # nothing kept for this answer: its text runs
    if whole is None:
        whole = _held(store, name, snapshot, columns, params, pure)
    if whole is None or list(whole.columns) != list(columns):
        return None
    return whole.rows(str(scope))
