"""Chunks of a streamed table sent on several lanes at once (Neo4j; :class:`.apply.Batches`).

Why: a Neo4j transaction runs on one server thread, so a sync that keeps one batch in
flight uses one core of the server however many it has (and its one thread's share of a
busy machine), while the validation worker and the row building need the other.  The
chunks of a table that is all additions (:class:`.apply.Stream`: people, then each
relation table) do not depend on each other: a chunk creates its own records and links
them to records of the tables before it, never to another chunk's.  So each chunk goes
whole to one lane (a writer on a connection of its own, ``writer.lane()``), in order
there, and the next chunk goes to the next lane while the first is written.

What keeps the result the one a single lane gives:

- **Order inside a chunk**: a lane is one thread sending its chunk's batches one after
  the other, each committed before the next is sent (a link batch finds the records its
  chunk's create batch made).
- **Barriers**: every lane is drained (all their batches committed) before a chunk of
  another table and before any batch sent outside a chunk (:meth:`.apply.Batches.drain`,
  which also runs before the writer is used directly, before publishing and on the
  kill hook).  So a table's writes are all committed before the next table's start.
- **Errors**: a lane's first error stops that lane's later batches and is raised by the
  next send, chunk or drain, before anything else is sent; the sync then fails as it did
  with one lane, and its unpublished snapshot is removed (:mod:`.sync`).  A deadlock
  between two lanes is a transient error the driver retries (the batch was rolled back
  whole).
- **Memory**: a lane takes a new chunk only when its previous one is written, so at most
  one chunk per lane is in flight, plus the one being built.

A store whose writer has no lanes (FalkorDB: one writer thread on the server) sends as
before, one batch in flight.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Any

from ..graph.stores.base import Writer

__all__ = ["Lanes"]

#: ``run(query, params, writer)``: what a lane does with one batch.
Run = Callable[[str, dict[str, Any], Writer], None]


class _Lane:
    def __init__(self, writer: Writer, number: int) -> None:
        self.writer = writer
        self.pool = concurrent.futures.ThreadPoolExecutor(
            1, thread_name_prefix=f"redgov-lane{number}")
        self.futures: list[concurrent.futures.Future[None]] = []
        self.error: BaseException | None = None

    def call(self, run: Run, query: str, params: dict[str, Any]) -> None:
        if self.error is not None:
            return  # this chunk failed: its later batches are not sent
        try:
            run(query, params, self.writer)
        except BaseException as exc:  # raised in the sync's thread (Lanes._raise)
            self.error = exc

    def wait(self) -> None:
        futures, self.futures = self.futures, []
        concurrent.futures.wait(futures)


class Lanes:
    """Up to ``count`` chunks in flight, one per lane; see the module docstring."""

    def __init__(self, writers: list[Writer]) -> None:
        self._lanes = [_Lane(w, i) for i, w in enumerate(writers)]
        self._next = 0
        self._table: str | None = None  # the table of the chunks in flight
        self._current: _Lane | None = None  # the lane of the chunk being sent

    @classmethod
    def of(cls, writer: Writer) -> Lanes | None:
        """Lanes for ``writer`` when it offers more than one (``writer.lanes``), else None."""
        count = int(getattr(writer, "lanes", 1) or 1)
        if count < 2:
            return None
        return cls([writer.lane() for _ in range(count)])  # type: ignore[attr-defined]

    @property
    def open(self) -> bool:
        """A chunk is being sent: its batches go to its lane."""
        return self._current is not None

    def begin(self, table: str) -> None:
        """Start a chunk of ``table`` on the next lane (after a barrier if the table
        changed; after that lane's previous chunk either way)."""
        if table != self._table:
            self.drain()
            self._table = table
        lane = self._lanes[self._next]
        self._next = (self._next + 1) % len(self._lanes)
        lane.wait()
        self._raise()
        self._current = lane

    def end(self) -> None:
        self._current = None

    def submit(self, run: Run, query: str, params: dict[str, Any]) -> None:
        """Queue one batch of the open chunk on its lane."""
        self._raise()
        lane = self._current
        assert lane is not None, "a batch on a lane outside a chunk"
        lane.futures.append(lane.pool.submit(lane.call, run, query, params))

    def drain(self) -> None:
        """Wait until every lane has written all it was given; raise the first error."""
        for lane in self._lanes:
            lane.wait()
        self._table = None
        self._raise()

    def _raise(self) -> None:
        for lane in self._lanes:
            if lane.error is not None:
                raise lane.error

    def close(self) -> None:
        """Wait for what is in flight and end the lanes' threads (errors dropped: the
        first one was raised already, or the sync is leaving on another)."""
        self._current = None
        for lane in self._lanes:
            lane.wait()
            lane.pool.shutdown(wait=True)
