"""Neo4j 5 adapter through the official driver (``bolt://``, ``neo4j://``, ``+s`` / ``+ssc``).

Reads run as read transactions, so a cluster (or Aura) routes them to secondaries and the
server itself refuses a write in them.  A ``transaction()`` is one explicit write
transaction: Neo4j gives atomicity natively.  Writers serialise on a ``RedgovLock`` node
that each transaction creates first (a uniqueness constraint makes a second creator wait
for the first to finish) and deletes before it commits, so it never shows in the graph.
Credentials come from the environment (or the keyword arguments) and never appear in
``description`` or in error messages.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..cypher import cypher
from ..schema import (
    NEO4J_LIST_CONSTRAINTS,
    NEO4J_LIST_INDEXES,
    neo4j_meta_missing,
    neo4j_missing,
    neo4j_present,
)
from ..snapshots import with_snapshot
from .base import DEFAULT_BATCH, ReadOnlyViolation, Row, StoreError, StoreUnavailable, batched
from .guard import check_read
from .timeouts import ReadTooLarge, default_read_timeout, out_of_memory, timed_out

__all__ = ["DEFAULT_LANES", "LANES_ENV", "Neo4jStore", "write_lanes"]

# The driver logs each retry of a lost connection as a warning; with no handler configured
# Python prints those to stderr, so a dead server would print a page instead of one line.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


@contextlib.contextmanager
def _connection(store: Neo4jStore) -> Iterator[None]:
    """A lost server (killed, stopped, unreachable) as one printable :class:`StoreError`."""
    errors = store._neo4j.exceptions
    try:
        yield
    except (errors.ServiceUnavailable, errors.SessionExpired, OSError) as exc:
        raise StoreUnavailable(
            f"lost the connection to {store.description} ({type(exc).__name__}): the server "
            "stopped or was killed; nothing unfinished was applied — run the command again"
        ) from None

_TAKE_LOCK = cypher(
    "neo4j.take_lock",
    "MERGE (l:RedgovLock {name: $name}) SET l.holder = $holder RETURN l.name AS name",
)
_DROP_LOCK = cypher("neo4j.drop_lock", "MATCH (l:RedgovLock {name: $name}) DELETE l")


#: The values a read returns as they are: nearly every value of every row (a district's
#: page reads 3,291 organisation rows of ten values; the import and four ``isinstance``
#: tests per value were a third of that read's client time).
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    from neo4j.graph import Node, Path, Relationship
    from neo4j.time import Date, DateTime

    if isinstance(value, Node | Relationship):
        return dict(value.items())
    if isinstance(value, Path):
        return [_plain(n) for n in value.nodes]
    if isinstance(value, Date | DateTime):
        return value.iso_format()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _rows(result: Any) -> list[Row]:
    """A result's records as plain dicts: the keys read once, each record's values zipped
    with them (``rec.items()`` built a tuple per value)."""
    keys = result.keys()
    return [dict(zip(keys, map(_plain, rec.values()), strict=True)) for rec in result]


def _is_out_of_memory(exc: Exception) -> bool:
    """Neo4j's transaction memory limits (db.memory.transaction.max, …total.max)."""
    code = getattr(exc, "code", None) or ""
    return "MemoryPoolOutOfMemoryError" in code or "TransactionOutOfMemoryError" in code


def _write_error(exc: Exception) -> StoreError:
    """A driver/server error inside a write transaction, as a message a user can act on."""
    code = getattr(exc, "code", None) or ""
    message = getattr(exc, "message", None) or str(exc)
    if "MemoryPoolOutOfMemoryError" in code or "TransactionOutOfMemoryError" in code:
        # Measured (benchmarks/README.md): a `city` sync needs more than a 1 GiB heap.
        return StoreError(
            "Neo4j ran out of transaction memory: a sync is one transaction, held in the "
            "server's heap until it commits (dbms.memory.transaction.total.max, by default "
            "70% of the heap); nothing was written. Give the server more heap. "
            f"Neo4j said: {message}"
        )
    return StoreError(f"Neo4j refused a write: {message}")


class _Neo4jWriter:
    def __init__(self, tx: Any, errors: tuple[type[Exception], ...]) -> None:
        self._tx = tx
        self._errors = errors

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        try:
            result = self._tx.run(query, dict(params or {}))
            return _rows(result)
        except self._errors as exc:
            raise _write_error(exc) from None

    def run_batched(
        self, query: str, rows: Iterable[Mapping[str, Any]], *, batch_size: int = DEFAULT_BATCH
    ) -> int:
        sent = 0
        for batch in batched(rows, batch_size):
            self.run(query, {"rows": list(batch)})
            sent += len(batch)
        return sent


#: How many write transactions a sync may keep in flight at once on Neo4j
#: (``REDGOV_NEO4J_LANES``, 1–4; anything else gives the default).
LANES_ENV = "REDGOV_NEO4J_LANES"
DEFAULT_LANES = 2


def write_lanes() -> int:
    """The lanes a Neo4j sync writes on (see :meth:`_Neo4jAutoWriter.lane`).

    Why more than one: Neo4j runs each transaction on one thread, and a sync's writer
    alternates with it, so one transaction at a time leaves the server's other cores (and
    its share of a busy machine's) idle; the raw ``UNWIND … CREATE`` rate it is measured
    against is one thread too (benchmarks/README.md "Neo4j: sending on two lanes").  Read
    when a writer opens; a value that is not one ASCII digit within 1–4 gives the default,
    as the wait settings do (graph/stores/waits.py).
    """
    text = os.environ.get(LANES_ENV, "").strip()
    if len(text) == 1 and text in "1234":
        return int(text)
    return DEFAULT_LANES


class _Neo4jAutoWriter(_Neo4jWriter):
    """Each ``run`` is its own committed transaction (see :meth:`Neo4jStore.writing`)."""

    def __init__(self, session: Any, errors: tuple[type[Exception], ...],
                 open_session: Any = None, lanes: int = 1) -> None:
        self._session = session
        self._errors = errors
        self._open_session = open_session
        self._lane_sessions: list[Any] = []
        #: Batches that may be in flight at once, each on a :meth:`lane` of its own
        #: (loaders/apply.Batches); 1 = one at a time, through this writer.
        self.lanes = lanes if open_session is not None else 1

    def lane(self) -> _Neo4jAutoWriter:
        """Another writer on a session (connection) of its own, under the same writers'
        lock, so that its transactions run beside this one's on the server.  Each of its
        ``run`` commits on its own too; a caller orders what depends on what (a batch
        commits before any batch that reads what it wrote is sent).  Its session ends
        with :meth:`Neo4jStore.writing`."""
        if self._open_session is None:
            raise StoreError("this writer has no lanes")
        session = self._open_session("w")
        self._lane_sessions.append(session)
        return _Neo4jAutoWriter(session, self._errors)

    def afresh(self) -> _Neo4jAutoWriter:
        """This writer on a new session, under the same writers' lock: what undoes an
        interrupted sync's writes when Ctrl-C (a ``KeyboardInterrupt`` inside the driver)
        left the session's connection in the middle of a reply."""
        return self.lane()

    def _close_lanes(self) -> None:
        sessions, self._lane_sessions = self._lane_sessions, []
        for session in sessions:
            with contextlib.suppress(Exception):
                session.close()

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        def work(tx: Any) -> list[Row]:
            result = tx.run(query, dict(params or {}))
            return _rows(result)

        try:
            return self._session.execute_write(work)
        except self._errors as exc:
            raise _write_error(exc) from None


class Neo4jStore:
    engine = "neo4j"

    def __init__(
        self, uri: str, *, database: str | None = None, user: str | None = None,
        password: str | None = None,
    ) -> None:
        import neo4j

        self._neo4j = neo4j
        user = user or os.environ.get("NEO4J_USER", "neo4j")
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD", "")
        self.database = database or os.environ.get("NEO4J_DATABASE") or None
        scheme, _, rest = uri.partition("://")
        host = rest.rpartition("@")[2]  # never echo userinfo from the URI
        where = f" (database {self.database})" if self.database else ""
        self.description = f"{scheme}://{host}{where}"
        try:
            # Notifications off: the server's hints ("property key does not exist" on an
            # empty graph) would reach the user as driver log warnings on stderr.
            self._driver = neo4j.GraphDatabase.driver(
                uri, auth=(user, password), notifications_min_severity="OFF"
            )
            self._driver.verify_connectivity()
        except Exception as exc:  # the driver's messages do not carry the password
            reason = getattr(exc, "message", None) or exc
            raise StoreError(
                f"无法连接 Neo4j（{self.description}）：{type(exc).__name__}: {reason}",
                en=f"cannot reach Neo4j at {self.description}: {type(exc).__name__}: {reason}",
            ) from None

    def _session(self, mode: str) -> Any:
        access = self._neo4j.READ_ACCESS if mode == "r" else self._neo4j.WRITE_ACCESS
        return self._driver.session(database=self.database, default_access_mode=access)

    #: Seconds a read may run, enforced by the server as the transaction's timeout (so an
    #: abandoned read stops too); None = ``$REDGOV_READ_TIMEOUT`` or its default, 0 = none.
    read_timeout: float | None = None

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        check_read(query)
        params = with_snapshot(self.read, query, params)
        seconds = default_read_timeout() if self.read_timeout is None else self.read_timeout

        neo4j_error = self._neo4j.exceptions.Neo4jError

        @self._neo4j.unit_of_work(timeout=seconds or None)
        def work(tx: Any) -> list[Row]:
            try:
                result = tx.run(query, dict(params or {}))
                return _rows(result)
            except neo4j_error as exc:
                # A transaction over its memory limit is a *transient* error, which
                # execute_read would retry for 30 s: end it here, at once, instead.
                if _is_out_of_memory(exc):
                    raise out_of_memory() from None
                raise

        try:
            with _connection(self), self._session("r") as session:
                return session.execute_read(work)
        except ReadTooLarge:
            raise
        except self._neo4j.exceptions.ClientError as exc:
            code = exc.code or ""
            if "TransactionTimedOut" in code or "Transaction.TransactionTimedOut" in code:
                raise timed_out(seconds) from None
            if "ForbiddenOnReadOnlyDatabase" in code or "WriteOnReadOnlyAccess" in code or (
                "AccessMode" in code
            ):
                raise ReadOnlyViolation(
                    "this entry point only reads: the query tries to write"
                ) from None
            raise StoreError(f"Neo4j 拒绝执行该查询：{exc.message}",
                             en=f"Neo4j refused the query: {exc.message}") from None

    @contextlib.contextmanager
    def transaction(self, *, bulk: bool = False) -> Iterator[_Neo4jWriter]:
        # Server-side refusals only; a lost connection is _connection's to report.
        errors = (self._neo4j.exceptions.Neo4jError,)
        with _connection(self):
            self._ensure_schema()
        with _connection(self), self._session("w") as session:
            tx = session.begin_transaction()
            try:
                writer = _Neo4jWriter(tx, errors)
                writer.run(_TAKE_LOCK, {"name": "sync", "holder": os.getpid()})
                yield writer
                writer.run(_DROP_LOCK, {"name": "sync"})
                try:
                    tx.commit()
                except errors as exc:
                    raise _write_error(exc) from None
            except BaseException:
                with contextlib.suppress(Exception):
                    tx.rollback()
                raise
            finally:
                tx.close()

    @contextlib.contextmanager
    def writing(self) -> Iterator[_Neo4jAutoWriter]:
        """Writes committed one query at a time, under the writers' lock.

        The lock is the ``RedgovLock`` node MERGEd in a transaction of its own that stays
        open (and is rolled back at the end): Neo4j holds its locks until a transaction
        ends, so a second writer's MERGE waits, and a killed writer's connection drop
        rolls the lock back.  Each write then commits on its own, so a large sync never
        holds more than one batch in the server's transaction memory.

        First the schema is ensured (:meth:`ensure_schema`): the lock itself needs its
        uniqueness constraint, and a production server gets its indexes from its first sync.
        """
        errors = (self._neo4j.exceptions.Neo4jError,)
        with _connection(self):
            self._ensure_schema()
        with _connection(self), self._session("w") as lock_session:
            lock_tx = lock_session.begin_transaction()
            try:
                lock_tx.run(_TAKE_LOCK, {"name": "sync", "holder": os.getpid()}).consume()
                with self._session("w") as session:
                    writer = _Neo4jAutoWriter(session, errors, self._session, write_lanes())
                    try:
                        yield writer
                    finally:
                        writer._close_lanes()
            finally:
                with contextlib.suppress(Exception):
                    lock_tx.rollback()
                lock_tx.close()

    #: The schema statements the last check ran (None until one ran; empty when the
    #: store already held everything): what a test or a benchmark can see of it.
    schema_changes: tuple[str, ...] | None = None

    def setup_schema(self) -> None:
        """Create what is missing of graph/schema.py's indexes and constraints; idempotent."""
        with _connection(self):
            self._ensure_schema()

    def ensure_schema(self) -> tuple[str, ...]:
        """:meth:`setup_schema`, returning the statements it ran."""
        with _connection(self):
            return self._ensure_schema()

    def _ensure_schema(self, *, graph: bool = True) -> tuple[str, ...]:
        """List the indexes and constraints the database holds, then run only the
        statements graph/schema.py has and it lacks (none, when all are there: two
        listings).  Called whenever a writer takes the lock and before the first metadata
        write, never on a read, so a read-only account never tries.  An account the server
        forbids schema changes (a role with write rights but no index management) writes
        without them rather than failing: the indexes only make reads faster.
        """
        client_error = self._neo4j.exceptions.ClientError
        ran: list[str] = []
        with self._session("w") as session:
            present = neo4j_present(
                [dict(r) for r in session.run(NEO4J_LIST_INDEXES)],
                [dict(r) for r in session.run(NEO4J_LIST_CONSTRAINTS)],
            )
            todo = (neo4j_missing(present) if graph else []) + neo4j_meta_missing(present)
            for statement in todo:
                try:
                    session.run(statement).consume()
                except client_error as exc:
                    code = exc.code or ""
                    if ".Security." in code:
                        break  # not this account's to change
                    if "AlreadyExists" in code or "EquivalentSchemaRule" in code:
                        continue  # another writer made it meanwhile
                    raise _write_error(exc) from None
                ran.append(statement)
        self._meta_ready = True
        self.schema_changes = tuple(ran)
        return self.schema_changes

    # -- the metadata space ----------------------------------------------------------------
    # Community has one database, so accounts live beside the governance graph under
    # labels (Account, LoginThrottle) that no catalog question or status count reads.
    def read_meta(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self.read(query, params)

    def write_meta(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        if not getattr(self, "_meta_ready", False):
            with _connection(self):
                self._ensure_schema(graph=False)

        def work(tx: Any) -> list[Row]:
            result = tx.run(query, dict(params or {}))
            return _rows(result)

        try:
            with self._session("w") as session:
                return session.execute_write(work)
        except self._neo4j.exceptions.ClientError as exc:
            raise StoreError(f"Neo4j refused a write: {exc.message}") from None

    def version(self) -> str:
        info = self._driver.get_server_info()
        return f"Neo4j {info.agent.partition('/')[2] or info.agent}"

    def close(self) -> None:
        self._driver.close()
