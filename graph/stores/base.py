"""The store protocol every engine adapter implements.

Kept narrow on purpose: the catalog runner and the dashboard only ever read rows; a sync
writes through ``writing()`` (batch by batch, under the writers' lock: what it writes is an
unpublished snapshot, invisible until published — docs/model.md "Snapshots and versions");
``transaction()`` remains for small all-or-nothing writes (a whole-graph swap on
FalkorDB, one transaction on Neo4j).  The contract test (tests/test_store_contract.py) runs
the same checks against every adapter that can run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, runtime_checkable

__all__ = ["DEFAULT_BATCH", "ReadOnlyViolation", "Row", "Store", "StoreError", "StoreUnavailable",
           "Writer", "batched"]

Row = dict[str, Any]
#: 5k-row UNWIND batches beat 1k and 20k on FalkorDB here (docs/engine-notes.md).
DEFAULT_BATCH = 5000


class StoreError(RuntimeError):
    """A store could not be reached or refused an operation; the message is safe to print.

    A message a person can cause (a bad ``--store``, a refused free query) is Chinese with
    its English form in ``en``; :meth:`text` picks one (as ``AccountError`` does).  An
    engine's own reason, passed on as it came, has no ``en`` and reads the same in both.
    """

    def __init__(self, message: str, en: str | None = None) -> None:
        super().__init__(message)
        self.en = en

    def text(self, lang: str = "zh") -> str:
        """The message in ``lang`` (the one form when it has no English)."""
        return self.en if lang == "en" and self.en else str(self)


class StoreUnavailable(StoreError):
    """The server is away (stopped, killed, restarting): nothing unfinished was applied, and
    the same call may succeed once it is back.  The dashboard shows a one-line notice."""


class ReadOnlyViolation(StoreError):
    """A read-only entry point (``redgov cypher``, the dashboard) was given a writing query."""


@runtime_checkable
class Writer(Protocol):
    """Writes that become visible together when the enclosing transaction commits."""

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]: ...

    def run_batched(
        self, query: str, rows: Iterable[Mapping[str, Any]], *, batch_size: int = DEFAULT_BATCH
    ) -> int:
        """Run ``query`` with ``$rows`` bound to successive batches; return rows sent."""
        ...


@runtime_checkable
class Store(Protocol):
    engine: str  # "falkordb" or "neo4j"
    description: str  # where it lives, never with credentials

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run a read-only query; a write is refused with :class:`ReadOnlyViolation`."""
        ...

    def transaction(self, *, bulk: bool = False) -> AbstractContextManager[Writer]:
        """All writes in the block become visible at once on success, none on error.

        A second transaction on the same graph waits for the first (up to a timeout,
        then :class:`StoreError`).  ``bulk`` hints that much was written, so the adapter
        may compact its persistence afterwards.
        """
        ...

    def writing(self) -> AbstractContextManager[Writer]:
        """Writes committed one query (batch) at a time, under the writers' lock.

        What a sync writes this way is a new snapshot that stays invisible until the sync
        publishes it (:mod:`redgov.graph.conditions`), so the store need not hold the
        whole sync in one transaction: memory stays bounded on both engines.  A second
        writer waits for the first (up to a timeout, then :class:`StoreError`); a killed
        writer's lock is released (Neo4j: its connection's transaction rolls back;
        FalkorDB: a dead holder's key is taken over).
        """
        ...

    def setup_schema(self) -> None:
        """Create the indexes/constraints graph/schema.py has and the store lacks; safe to
        call any number of times.  ``writing()`` and ``transaction()`` do the same check
        before taking the writers' lock, so a sync needs no separate call; reads never do."""
        ...

    # -- metadata kept beside the synced graph (accounts, login throttling) ---------------
    def read_meta(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Read the metadata space (no write).  An empty space reads as empty.

        The metadata space holds what must be shared by every host using the store but
        is not governance data: dashboard accounts and login throttling.  It is never
        part of a ``transaction()`` — a sync neither copies nor replaces it, so a write
        made while a sync runs is kept — and no catalog question or status count reads it.
        """
        ...

    def write_meta(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one query on the metadata space as its own atomic, committed write.

        Cheap (no graph copy), so account changes and failed logins cost one round trip.
        The metadata schema (unique account names) is in place before the first write.
        """
        ...

    def version(self) -> str: ...

    def close(self) -> None: ...


def batched(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[Sequence[Mapping[str, Any]]]:
    """Yield lists of at most ``size`` rows without materialising the iterable."""
    batch: list[Mapping[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
