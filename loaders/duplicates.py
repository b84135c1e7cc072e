"""duplicate_people's keys and marks, written by the loader so the question walks indexes.

The question (queries/duplicate_people.cypher, rule DQ) pairs two current people with the
same ID-number hash, or with the same name, gender and masked ID number (and a place in one
common district).  Finding those pairs from the people themselves means grouping every
current person of the graph (1.23 M at the province demo: 12–15 s and most of a read's
memory on FalkorDB, whatever the grouping key), so the loader keeps two facts instead:

- ``dup_key`` on every person version with a masked ID number: a digest of (name, gender,
  masked ID) — the second test as one indexed value (``Person.dup_key``; the first test
  already has ``Person.id_hash``).  A declared computed value of the People table
  (:mod:`.schema`), so it follows the person's versions; it is derived from signed values
  only and left out of the signature, so adding it re-versions nobody.  It holds no raw
  personal data: name, gender and masked ID are on the node already, and the digest is
  spelt in the letters ``a``–``p`` (never a digit run that reads as an ID or a phone).
- ``dup_shared = 1`` on a person version that shared one of the two keys with a current
  version of another person when it was written (``Person.dup_shared``, indexed).  For every
  pair of people both current in some snapshot, the version written later was written
  while the other was current, so at least one of the two carries the mark: the question
  starts from the few marked versions and finds each one's partners through the two key
  indexes, rechecking every test (a mark is a hint, never an answer).  Only versions of
  the snapshot being written are marked, so a failed sync leaves nothing behind.

A graph written before these facts existed has neither.  The first sync that writes to it
(:func:`mark_duplicates`, called by :func:`.apply.apply_plan` after its writes) backfills:
``dup_key`` on every person version lacking one (computed from the version's own name,
gender and masked ID, so it is the value the loader would have written) and the marks of
every group of versions sharing a key across people; then the run is flagged
(``SyncRun.dup_marks = 1``).  Until the newest published run carries the flag, the question
falls back to grouping the whole graph (same rows, the old cost).

>>> dup_key("王五", "男", "3502**********3456") == dup_key("王五", "男", "3502**********3456")
True
>>> dup_key("王五", None, "3502**********3456") == dup_key("王五", "", "3502**********3456")
True
>>> dup_key("王五", "男", None) is None
True
>>> set(dup_key("王五", "男", "3502**********3456")) <= set("abcdefghijklmnop")
True
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ..graph.conditions import OPEN
from ..graph.cypher import cypher

__all__ = ["KeyCounts", "SharedKeys", "dup_key", "mark_duplicates"]

_LETTERS: Final = bytes.maketrans(b"0123456789abcdef", b"abcdefghijklmnop")
#: Batch of keys per marking query, of versions per backfill page.
_BATCH: Final = 5000


def dup_key(name: str | None, gender: str | None, masked: str | None) -> str | None:
    """The digest of (name, gender, masked ID); None without a masked ID or a name.

    A missing gender counts as empty, as the question's ``coalesce(gender, '')`` does."""
    if not masked or not name:
        return None
    text = "\x1f".join((name, gender or "", masked)).encode()
    digest = hashlib.blake2b(text, digest_size=16, person=b"redgov-dupkey-v1").hexdigest()
    return digest.encode().translate(_LETTERS).decode()


_LATEST_FLAG = cypher("sync.duplicates.latest_flag", """
MATCH (r:SyncRun)
WHERE r.published = true
RETURN r.dup_marks AS marks
ORDER BY r.ordinal DESC
LIMIT 1
""")
_OTHERS = cypher("sync.duplicates.others", """
MATCH (p:Person)
WHERE p.vt = $open AND p.vf < $ordinal
RETURN p.code AS code
LIMIT 1
""")
_FLAG_RUN = cypher("sync.duplicates.flag_run",
                   "MATCH (r:SyncRun {id: $run}) SET r.dup_marks = 1 RETURN r.id AS id")
# Versions of this snapshot (vf = $ordinal) that share a key with a current version of
# another person.  The index walk per key; versions of the same person never pair.
_MARK = {prop: cypher(f"sync.duplicates.mark.{prop}", f"""
UNWIND $keys AS k
MATCH (p:Person {{{prop}: k}})
WHERE p.vt = $open
WITH k, collect(p) AS ps
WHERE any(x IN ps WHERE x.code <> head(ps).code)
UNWIND ps AS p
WITH p
WHERE p.vf = $ordinal
SET p.dup_shared = 1
""") for prop in ("dup_key", "id_hash")}
_MARK_BY_KEY, _MARK_BY_HASH = _MARK["dup_key"], _MARK["id_hash"]
# The backfill: every version with a masked ID, a page at a time (the scan order is
# stable while the writers' lock is held), then keys and marks by (code, vf).
_VERSIONS = cypher("sync.duplicates.backfill.versions", """
MATCH (p:Person)
WHERE p.id_masked IS NOT NULL
RETURN p.code AS code, p.vf AS vf, p.name AS name, p.gender AS gender,
       p.id_masked AS masked, p.id_hash AS id_hash, p.dup_key AS dup_key
SKIP $skip
LIMIT $limit
""")
_SET_KEYS = cypher("sync.duplicates.backfill.set", """
UNWIND $rows AS row
MATCH (p:Person {code: row.code})
WHERE p.vf = row.vf
SET p.dup_key = row.dup_key
""")
_SET_MARKS = cypher("sync.duplicates.backfill.mark", """
UNWIND $rows AS row
MATCH (p:Person {code: row.code})
WHERE p.vf = row.vf
SET p.dup_shared = 1
""")


@dataclass(frozen=True)
class SharedKeys:
    """Of the people records a scan spooled (every one a sync may write): how many, and
    the ``dup_key`` and ``id_hash`` values two or more of them hold, sorted."""

    rows: int
    keys: list[str]
    hashes: list[str]


@dataclass
class KeyCounts:
    """Counts ``dup_key`` and ``id_hash`` while the people rows are scanned, so that a first
    sync marks its duplicates without reading the people back (:func:`mark_duplicates`:
    with no person left from an earlier snapshot, only keys shared among the written people
    are walked).  In an overlapped sync the validation worker counts and hands over only
    :meth:`shared` (loaders/overlap.py): the sync process then neither reads its 1.2 M
    province people again nor holds their keys."""

    rows: int = 0
    keys: Counter[str] = field(default_factory=Counter)
    hashes: Counter[str] = field(default_factory=Counter)

    def add(self, values: Mapping[str, Any]) -> None:
        self.rows += 1
        if key := values.get("dup_key"):
            self.keys[key] += 1
        if key := values.get("id_hash"):
            self.hashes[key] += 1

    def shared(self) -> SharedKeys:
        return SharedKeys(self.rows, sorted(k for k, n in self.keys.items() if n > 1),
                          sorted(k for k, n in self.hashes.items() if n > 1))


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(items), _BATCH):
        yield items[i:i + _BATCH]


def mark_duplicates(writer: Any, run: str, ordinal: int,
                    written: Iterable[Mapping[str, Any]], shared: SharedKeys | None = None
                    ) -> int:
    """Key and mark the people of the snapshot being written; returns the versions the
    backfill marked (0 when none was needed).

    ``written``: the values of the People records this sync (re)writes.  When no current
    person is left from an earlier snapshot, only keys shared inside ``written`` can pair
    and no index is walked for the others (a first sync).  ``shared``: those keys already
    counted over exactly the records of ``written`` (:class:`KeyCounts`); ``written`` is then
    not read unless another snapshot's people are current.  Runs under the writers' lock,
    after the snapshot's writes, before the run is published."""
    params = {"open": OPEN, "ordinal": ordinal}
    rows = writer.run(_LATEST_FLAG)
    backfilled = 0
    if rows and rows[0]["marks"] != 1:
        backfilled = _backfill(writer)
    else:
        others = bool(writer.run(_OTHERS, params))
        if shared is not None and not others:
            todos = ((_MARK_BY_KEY, shared.keys), (_MARK_BY_HASH, shared.hashes))
        else:
            counted = KeyCounts()
            for values in written:
                counted.add(values)
            todos = tuple(
                (text, sorted(k for k, n in counts.items() if others or n > 1))
                for text, counts in ((_MARK_BY_KEY, counted.keys),
                                     (_MARK_BY_HASH, counted.hashes)))
        for text, todo in todos:
            for chunk in _chunks(todo):
                writer.run(text, {**params, "keys": chunk})
    writer.run(_FLAG_RUN, {"run": run})
    return backfilled


def _backfill(writer: Any) -> int:
    """Keys on every person version lacking one; marks on every version whose key (either)
    another person's version shares.  A superset of what incremental marking gives (any
    two versions, not only those current together): the question rechecks every pair."""
    versions: list[tuple[str, int, str | None, str | None]] = []
    missing: list[dict[str, Any]] = []
    skip = 0
    while True:
        page = writer.run(_VERSIONS, {"skip": skip, "limit": _BATCH * 10})
        for r in page:
            key = r["dup_key"] or dup_key(r["name"], r["gender"], r["masked"])
            if r["dup_key"] is None and key is not None:
                missing.append({"code": r["code"], "vf": r["vf"], "dup_key": key})
            versions.append((r["code"], r["vf"], key, r["id_hash"]))
        if len(page) < _BATCH * 10:
            break
        skip += len(page)
    for chunk in _chunks(missing):
        writer.run(_SET_KEYS, {"rows": chunk})
    codes: dict[tuple[int, str], set[str]] = {}
    for code, _vf, key, id_hash in versions:
        for which, value in ((0, key), (1, id_hash)):
            if value:
                codes.setdefault((which, value), set()).add(code)
    marked = [{"code": code, "vf": vf} for code, vf, key, id_hash in versions
              if (key and len(codes[(0, key)]) > 1)
              or (id_hash and len(codes[(1, id_hash)]) > 1)]
    for chunk in _chunks(marked):
        writer.run(_SET_MARKS, {"rows": chunk})
    return len(marked)
