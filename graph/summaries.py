"""Answers kept per published snapshot, so that a costly whole-graph read runs once.

A published snapshot never changes: a sync only adds versions that belong to later
snapshots and closes old ones from a later ordinal on (:mod:`.conditions`), so what a read
pinned to a snapshot answers is the same every time it is asked.  What is costly to
compute and small to keep — ``redgov status``'s node and relation counts (a scan of every
node and relation), the dashboard overview's figures — is therefore kept in the store's
metadata space (beside accounts: :meth:`Store.read_meta` / :meth:`Store.write_meta`, never
copied or replaced by a sync, never read by a catalog question), one entry per (what,
snapshot run id, parameters).  The run id, not only the ordinal, is in the key: a graph
wiped and synced again numbers its snapshots from 1 again, under new run ids.

Every host using the store shares the entries, and a restarted server still has them (the
metadata space is persisted with the graph).  A store that refuses the metadata write (a
read-only account on a server of one's own) just computes every time.  Entries of
snapshots no longer among the newest :data:`KEEP` published are deleted when a new entry
is written, so the space stays small.

The code that computes an answer is in the key too (:func:`code_fingerprint`: a digest of
the question texts and the modules that compute them): after an upgrade that changes a
question, an answer kept by the older code is never read back.

One computation per entry and process: callers asking for an entry that another thread of
the process is computing wait for that answer instead of computing it again (twenty
dashboard sessions or readers opening the same page right after a sync would otherwise
each pay the first computation, and queue the engine behind one another).
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from .cypher import cypher
from .snapshots import Snapshot, list_snapshots
from .stores.base import Store, StoreError

__all__ = ["KEEP", "MAX_CHARS", "forget", "kept", "summary_key"]

#: Entries are kept for the newest this many published snapshots.
KEEP = 36
#: An answer longer than this (as JSON) is computed every time rather than kept.
MAX_CHARS = 2_000_000

T = TypeVar("T")

_READ = cypher(
    "summaries.read",
    "MATCH (s:SnapshotSummary {key: $key}) RETURN s.json AS json",
)
_WRITE = cypher(
    "summaries.write",
    """
MERGE (s:SnapshotSummary {key: $key})
SET s.json = $json, s.kind = $kind, s.run_id = $run_id, s.ordinal = $ordinal, s.at = $at
""",
)
_PRUNE = cypher(
    "summaries.prune",
    "MATCH (s:SnapshotSummary) WHERE NOT s.run_id IN $keep DELETE s",
)
_FORGET = cypher("summaries.forget", "MATCH (s:SnapshotSummary) DELETE s")


class _Flight:
    """An entry being computed by one thread of this process: the others wait for it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.text: str | None = None  # the answer as JSON; None: the computation failed


_FLIGHTS: dict[str, _Flight] = {}
_FLIGHTS_LOCK = threading.Lock()


def forget(store: Store) -> None:
    """Delete every kept answer.  Only needed when a published snapshot was changed by
    hand (a write that bypassed the sync, e.g. a repair or a test): a sync never does."""
    store.write_meta(_FORGET)


@functools.cache
def code_fingerprint() -> str:
    """A digest of every file that decides what a kept answer holds: the Cypher texts and
    Python modules of the graph and question packages (read once per process)."""
    digest = hashlib.sha256()
    for package in (Path(__file__).parent, Path(__file__).parent.parent / "queries"):
        for path in sorted(package.rglob("*")):
            if path.suffix in (".py", ".cypher") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def summary_key(kind: str, snapshot: Snapshot, params: Mapping[str, Any] | None = None) -> str:
    """The entry's key: what, at which snapshot (run id and ordinal), with which parameters.

    >>> a = summary_key("status.counts", Snapshot(1, "2024-12-31", "run-a"))
    >>> a == summary_key("status.counts", Snapshot(1, "2024-12-31", "run-b"))
    False
    """
    text = json.dumps([kind, snapshot.run_id, snapshot.ordinal, dict(params or {}),
                       code_fingerprint()],
                      sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def kept(store: Store, kind: str, snapshot: Snapshot | None, compute: Callable[[], T],
         params: Mapping[str, Any] | None = None) -> T:
    """``compute()``'s value for ``snapshot``, from the kept entry when there is one.

    ``compute`` must answer for ``snapshot`` alone (a read pinned to it) and return plain
    JSON values (dicts, lists, strings, numbers, booleans, None; anything else is kept as
    its text), which is what comes back — the first time too.  Without a snapshot
    (nothing published) nothing is kept.
    """
    if snapshot is None or not snapshot.run_id:
        return compute()
    key = summary_key(kind, snapshot, params)
    try:
        rows = store.read_meta(_READ, {"key": key})
    except StoreError:
        rows = []
    if rows and isinstance(rows[0].get("json"), str):
        try:
            return json.loads(rows[0]["json"])  # type: ignore[no-any-return]
        except ValueError:
            pass  # a damaged entry: compute it again (and overwrite it)
    with _FLIGHTS_LOCK:
        flight = _FLIGHTS.get(key)
        leader = flight is None
        if flight is None:
            flight = _FLIGHTS[key] = _Flight()
    if not leader:
        flight.done.wait()
        if flight.text is not None:
            return json.loads(flight.text)  # type: ignore[no-any-return]
        return kept(store, kind, snapshot, compute, params)  # the leader failed: try again
    try:
        text = json.dumps(compute(), ensure_ascii=False, default=str)
        if len(text) <= MAX_CHARS:
            _keep(store, key, kind, snapshot, text)
        flight.text = text
    finally:
        with _FLIGHTS_LOCK:
            _FLIGHTS.pop(key, None)
        flight.done.set()
    # What is kept, read back: the first answer is exactly what every later one will be.
    return json.loads(text)  # type: ignore[no-any-return]


def _keep(store: Store, key: str, kind: str, snapshot: Snapshot, text: str) -> None:
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    try:
        store.write_meta(_WRITE, {"key": key, "json": text, "kind": kind,
                                  "run_id": snapshot.run_id, "ordinal": snapshot.ordinal,
                                  "at": at})
        newest = [s.run_id for s in list_snapshots(store.read)[-KEEP:]]
        if newest:
            store.write_meta(_PRUNE, {"keep": newest})
    except Exception:  # keeping is best effort: the answer is right anyway
        # Not ours to write (a read-only account), or the store busy: computed next time.
        pass
