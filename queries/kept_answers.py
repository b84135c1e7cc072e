"""Whole answers kept per published snapshot, compressed, so a large answer is read back
instead of computed again.

Why: at province the unscoped catalog answers are 30–60 k rows each, and computing one
(the engine's work, moving the rows, decoding them) takes 1–10 s, while a published
snapshot never changes (graph/summaries.py explains why), so the answer of a question
pinned to it with the same parameters is the same every time.  graph/summaries.py keeps
small answers as JSON (≤ 2 MB); these are larger, so here one entry holds the answer as
``[columns, [each column's values …]]`` JSON (column by column: six times faster to
parse than row by row, and it compresses better), zlib-compressed and base64-encoded
(about fifteen times smaller: a province answer is a few hundred kB), in the same
metadata space and under
the same kind of key (:func:`~redgov.graph.summaries.summary_key`: what, the snapshot's
run id and ordinal, every bound parameter — ``as_of`` included, so a date-dependent
answer is never served for another date — and the code's fingerprint).

What is kept: an answer asked with ``keep=True`` (the post-publish warm step,
dashboard/warm.py) or one that was large or slow to compute (:data:`MIN_ROWS`,
:data:`MIN_SECONDS`); only for the newest :data:`KEEP` published snapshots, whose older
entries are deleted when a new one is written.  ``SnapshotSummary`` nodes like every kept
answer, so ``summaries.forget`` (and the benchmarks' cold figures) delete them too.  Only
plain JSON values are kept (a row holding anything else is computed every time), so what
is read back equals what was computed.  Keeping is best effort: a refused or failed
write leaves the answer computed next time.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ..graph.cypher import cypher
from ..graph.snapshots import Snapshot, list_snapshots
from ..graph.stores.base import Store, StoreError
from ..graph.summaries import summary_key

__all__ = ["HEAD", "KEEP", "MAX_CHARS", "MIN_ROWS", "MIN_SECONDS", "PART", "Split", "answer_key",
           "decode", "decode_columns", "encode", "keep_blob", "kept_rows", "read_blob", "read_kept",
           "read_kept_text", "read_parts"]

#: Answers are kept for the newest this many published snapshots only (a province
#: snapshot's unscoped answers are ≈ 10 MB compressed together).
KEEP = 2
#: A computed answer is kept when it has at least this many rows …
MIN_ROWS = 1000
#: … or took at least this many seconds (small and fast answers are cheaper to compute).
MIN_SECONDS = 0.5
#: An entry's text (compressed, base64) longer than this is not kept.
MAX_CHARS = 16_000_000
#: A kept answer's parts (:data:`Split`) are entries of their own, keyed by the answer's
#: parameters plus this one naming the part; the part :data:`HEAD` lists the parts kept
#: (one ``part`` column), so that a part not kept tells "no rows there" from "not split".
PART = "part"
HEAD = "*"

_KIND = "answer."
_READ = cypher(
    "summaries.answers.read",
    "MATCH (s:SnapshotSummary {key: $key}) RETURN s.z AS z",
)
_WRITE = cypher(
    "summaries.answers.write",
    """
MERGE (s:SnapshotSummary {key: $key})
SET s.z = $z, s.kind = $kind, s.run_id = $run_id, s.ordinal = $ordinal, s.at = $at
""",
)
_PRUNE = cypher(
    "summaries.answers.prune",
    """
MATCH (s:SnapshotSummary)
WHERE s.kind STARTS WITH $prefix AND NOT s.run_id IN $keep
DELETE s
""",
)

#: Some parts of one answer and whether the whole is kept, in one read (the whole's
#: text, up to megabytes, is not sent).
_READ_PARTS = cypher(
    "summaries.answers.read_parts",
    """
MATCH (s:SnapshotSummary)
WHERE s.key IN $keys
RETURN s.key AS key, CASE WHEN s.key = $whole THEN null ELSE s.z END AS z
""",
)
#: An answer and its parts (:data:`Split`), in one write.
_WRITE_PARTS = cypher(
    "summaries.answers.write_parts",
    """
UNWIND $parts AS p
MERGE (s:SnapshotSummary {key: p.key})
SET s.z = p.z, s.kind = $kind, s.run_id = $run_id, s.ordinal = $ordinal, s.at = $at
""",
)

Rows = list[dict[str, Any]]
#: What an answer is also kept split into, besides whole: part name → that part's rows (a
#: subset of the rows, in their order), or None when it is not worth splitting
#: (queries/place_answers.py splits the large narrowable answers by district).
Split = Callable[[list[str], Rows], Mapping[str, Rows] | None]


def answer_key(name: str, snapshot: Snapshot, params: Mapping[str, Any]) -> str:
    """The key of the entry kept for ``name`` at ``snapshot`` with ``params`` (as bound)."""
    return summary_key(_KIND + name, snapshot, params)


def encode(columns: list[str], rows: Rows) -> str | None:
    """The entry's text of ``rows`` (each a dict over ``columns``); None when a value is not
    plain JSON, which would not read back as itself.

    >>> text = encode(["a", "b"], [{"a": 1, "b": "甲"}, {"a": 2.5, "b": None}])
    >>> decode(text)
    (['a', 'b'], [{'a': 1, 'b': '甲'}, {'a': 2.5, 'b': None}])
    >>> encode(["a"], [{"a": object()}]) is None
    True
    """
    try:
        text = json.dumps([columns, [[r[c] for r in rows] for c in columns]],
                          ensure_ascii=False, separators=(",", ":"), allow_nan=True)
    except (TypeError, ValueError):
        return None
    return base64.b64encode(zlib.compress(text.encode(), 3)).decode("ascii")


def decode(text: str) -> tuple[list[str], Rows]:
    """The columns and rows an entry's text holds (see :func:`encode`)."""
    columns, values = json.loads(zlib.decompress(base64.b64decode(text)))
    if len(values) != len(columns) or len({len(v) for v in values}) > 1:
        raise ValueError("a kept answer's columns differ in length")
    # The lengths are checked above, so ``strict`` would only double the cost (0.4 s for a
    # 60 k-row answer of 15 columns under load).
    rows = zip(*values, strict=False)
    return columns, list(map(dict, map(zip, itertools.repeat(columns), rows)))


def _newest(store: Store) -> list[str]:
    return [s.run_id for s in list_snapshots(store.read)[-KEEP:] if s.run_id]


def read_kept(store: Store, name: str, snapshot: Snapshot | None, columns: list[str],
              params: Mapping[str, Any]) -> Rows | None:
    """The rows kept for ``name`` at ``snapshot`` with ``params`` (as bound), None when
    none are (or the entry is damaged, or holds other columns)."""
    text = read_kept_text(store, name, snapshot, params)
    if text is not None:
        try:
            kept_columns, rows = decode(text)
            if kept_columns == list(columns):
                return rows
        except (ValueError, TypeError, zlib.error):
            pass  # a damaged entry: computed again (and overwritten)
    return None


def read_kept_text(store: Store, name: str, snapshot: Snapshot | None,
                   params: Mapping[str, Any]) -> str | None:
    """The text of the entry :func:`read_kept` reads, undecoded (None: not kept), so that
    a caller can tell its size first (queries/place_answers.py)."""
    if snapshot is None or not snapshot.run_id:
        return None
    try:
        found = store.read_meta(_READ, {"key": answer_key(name, snapshot, params)})
    except StoreError:
        return None
    return found[0]["z"] if found and isinstance(found[0].get("z"), str) else None


def read_parts(store: Store, name: str, snapshot: Snapshot | None, params: Mapping[str, Any],
               parts: list[str]) -> tuple[dict[str, str], bool] | None:
    """The texts kept for ``parts`` of the answer :func:`read_kept_text` reads (part →
    text; a part not kept is absent) and whether that whole answer is kept, in one read;
    None when there is no snapshot or the store refused."""
    if snapshot is None or not snapshot.run_id:
        return None
    whole = answer_key(name, snapshot, params)
    keys = {answer_key(name, snapshot, {**params, PART: p}): p for p in parts}
    try:
        found = store.read_meta(_READ_PARTS, {"keys": [whole, *keys], "whole": whole})
    except StoreError:
        return None
    texts = {keys[r["key"]]: r["z"] for r in found
             if r["key"] in keys and isinstance(r.get("z"), str)}
    return texts, any(r["key"] == whole for r in found)


def decode_columns(text: str, columns: list[str]) -> list[list[Any]] | None:
    """Each column's values of an entry's text, in ``columns``' order, without one dict
    per row (:func:`decode` makes them); None when it is damaged or holds other columns."""
    try:
        kept_columns, values = json.loads(zlib.decompress(base64.b64decode(text)))
    except (ValueError, TypeError, zlib.error):
        return None
    if kept_columns != list(columns) or len(values) != len(columns) \
            or len({len(v) for v in values}) > 1:
        return None
    return values


def kept_rows(store: Store, name: str, snapshot: Snapshot | None, columns: list[str],
              compute: Callable[[], Rows], params: Mapping[str, Any], *,
              keep: bool = False, split: Split | None = None) -> Rows:
    """``compute()``'s rows (dicts over ``columns``) for ``snapshot``, from the kept entry
    when there is one, else computed and, when ``keep`` or large or slow, kept — and, with
    ``split``, its parts too (:data:`PART`), each read without the whole.

    ``compute`` must answer for ``snapshot`` alone with ``params`` (the parameters as bound,
    all of them: they are the key).  Without a snapshot nothing is kept.
    """
    if snapshot is None or not snapshot.run_id:
        return compute()
    found = read_kept(store, name, snapshot, columns, params)
    if found is not None:
        return found
    key = answer_key(name, snapshot, params)
    t0 = time.perf_counter()
    rows = compute()
    seconds = time.perf_counter() - t0
    if keep or len(rows) >= MIN_ROWS or seconds >= MIN_SECONDS:
        _keep(store, key, name, snapshot, columns, rows, params, split)
    return rows


def read_blob(store: Store, name: str, snapshot: Snapshot | None,
              params: Mapping[str, Any]) -> bytes | None:
    """The bytes :func:`keep_blob` kept for ``name`` at ``snapshot`` with ``params``, None
    when none are (or the entry is damaged): what a computation needs besides answers (the
    network questions' posts, queries/post_network.py)."""
    text = read_kept_text(store, name, snapshot, params)
    if text is not None:
        try:
            return base64.b64decode(text, validate=True)
        except ValueError:
            pass  # a damaged entry: computed again (and overwritten)
    return None


def keep_blob(store: Store, name: str, snapshot: Snapshot | None, params: Mapping[str, Any],
              blob: bytes) -> None:
    """Keep ``blob`` for ``name`` at ``snapshot`` (one of the newest :data:`KEEP`), best
    effort, pruned with the answers."""
    if snapshot is None or not snapshot.run_id:
        return
    text = base64.b64encode(blob).decode("ascii")
    if len(text) <= MAX_CHARS:
        _write(store, answer_key(name, snapshot, params), name, snapshot, text)


def _keep(store: Store, key: str, name: str, snapshot: Snapshot, columns: list[str],
          rows: Rows, params: Mapping[str, Any], split: Split | None) -> None:
    if rows and set(rows[0]) != set(columns):
        return  # the runner refuses this answer anyway
    text = encode(list(columns), rows)
    if text is None or len(text) > MAX_CHARS:
        return
    parts = split(list(columns), rows) if split is not None else None
    entries: list[tuple[str, str | None]] = []
    if parts:  # each part, and the head naming them (read_parts)
        entries = [(p, encode(list(columns), r)) for p, r in parts.items()]
        entries.append((HEAD, encode([PART], [{PART: p} for p in sorted(parts)])))
    if any(t is None or len(t) > MAX_CHARS for _, t in entries):
        entries = []  # not split: the whole answers
    _write(store, key, name, snapshot, text,
           [(answer_key(name, snapshot, {**params, PART: p}), str(t))
            for p, t in entries])


def _write(store: Store, key: str, name: str, snapshot: Snapshot, text: str,
           parts: Sequence[tuple[str, str]] = ()) -> None:
    """The entry ``key`` and the entries of its ``parts`` (key, text), in one write: a
    reader that finds the whole finds its parts."""
    try:
        newest = _newest(store)
        if snapshot.run_id not in newest:  # an older snapshot: asked rarely, not kept
            return
        fields = {"kind": _KIND + name, "run_id": snapshot.run_id,
                  "ordinal": snapshot.ordinal,
                  "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
        if parts:
            entries = [{"key": k, "z": z} for k, z in (*parts, (key, text))]
            store.write_meta(_WRITE_PARTS, {"parts": entries, **fields})
        else:
            store.write_meta(_WRITE, {"key": key, "z": text, **fields})
        store.write_meta(_PRUNE, {"prefix": _KIND, "keep": newest})
    except Exception:  # keeping is best effort: the answer is right anyway
        pass
