"""FalkorDB adapter: the embedded server (default) or a remote ``falkordb://host:port``.

Atomicity.  FalkorDB runs each query atomically but not a series of them, so a
transaction writes into a copy of the live graph (``GRAPH.COPY``) and publishes it by
renaming the copy over the live graph inside one ``MULTI``/``EXEC``.  Readers see the old
graph or the new one, never a half; a crash or ``kill -9`` before ``EXEC`` leaves the
live graph untouched and only an orphaned copy, which the next transaction deletes.
A lock key (holder host:pid:token, refreshed on every write) keeps a second writer waiting.

Forks.  ``GRAPH.COPY`` forks the server to dump the graph, and Redis allows one fork at a
time: a copy that meets an AOF rewrite fails inside the server ("Can't fork for module")
and the command never returns.  So the copy switches automatic rewrites off, waits for
any fork in progress to end, copies, and switches them back (:meth:`_copy`).

Busy.  While the server prepares a fork (an AOF rewrite or a save of a large graph), the
graph module waits for running queries and answers every other command ``BUSY preparing
to fork`` without running it; a province sync met it on its lock refresh after 40
minutes of writing.  Such a command is refused, not half-run, so it is sent again
(:func:`_unbusy`) for up to ``REDGOV_BUSY_WAIT`` seconds.

Reads carry a timeout that the engine enforces (``ro_query``'s timeout), so an abandoned
read stops too, and a lost connection (server killed) is a one-line :class:`StoreError`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import redis
from falkordb import FalkorDB
from falkordb.edge import Edge
from falkordb.node import Node
from falkordb.path import Path as FPath

from ..schema import (
    FALKORDB_LIST_CONSTRAINTS,
    FALKORDB_LIST_INDEXES,
    FalkorSteps,
    Present,
    falkordb_meta_missing,
    falkordb_missing,
    falkordb_present,
)
from ..snapshots import with_snapshot
from .base import DEFAULT_BATCH, ReadOnlyViolation, Row, StoreError, StoreUnavailable, batched
from .falkordb_rows import ro_rows
from .guard import check_read
from .timeouts import default_read_timeout, out_of_memory, timed_out
from .waits import BUSY_WAIT, FORK_WAIT, LOCK_WAIT, busy_wait_s, fork_wait_s, lock_wait_s

__all__ = ["FalkorStore"]

if TYPE_CHECKING:
    from .embedded_server import ServerInfo

T = TypeVar("T")

LOCK_TTL_MS = 120_000
#: A store restarts a crashed embedded server at most once in this many seconds.
RESTART_EVERY_S = 30.0
# The waits' defaults (kept for importers); the values used are read, checked, when a wait
# starts (waits.py: REDGOV_LOCK_WAIT, REDGOV_FORK_WAIT, REDGOV_BUSY_WAIT).
LOCK_WAIT_S = LOCK_WAIT.default
FORK_WAIT_S = FORK_WAIT.default
BUSY_WAIT_S = BUSY_WAIT.default
_LOST = (redis.ConnectionError, redis.TimeoutError, ConnectionError, OSError)


@contextlib.contextmanager
def _connection(description: str) -> Iterator[None]:
    """A dropped connection (server killed, stopped, restarted) as one printable line."""
    try:
        yield
    except _LOST as exc:
        raise StoreUnavailable(
            f"lost the connection to {description} ({type(exc).__name__}): the server "
            "stopped or was killed; nothing unfinished was applied — run the command again"
        ) from None


def _plain(value: Any) -> Any:
    """Turn client objects into JSON-friendly values (nodes and edges → property maps)."""
    if isinstance(value, Node | Edge):
        return dict(value.properties)
    if isinstance(value, FPath):
        return [_plain(n) for n in value.nodes()]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _quote(text: str) -> str:
    """A Cypher string literal, escaped as the client escapes it (backslash, double quote)."""
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


@functools.lru_cache(maxsize=4096)
def _key(name: Any) -> str:
    """A map key or parameter name in backticks (the client's rules: not empty, no backtick).

    Cached: a batch repeats the same few dozen field names on every row."""
    name = name.decode() if isinstance(name, bytes) else str(name)
    if not name or "`" in name:
        raise StoreError(f"a parameter or map key FalkorDB cannot take: {name!r}")
    return f"`{name}`"


def _literal(value: Any) -> str:
    """One parameter value as Cypher text — what the client's ``stringify_param_value``
    makes of it, in one pass, with dates sent as ISO strings (the client breaks on them).

    Why not the client's: it copies nothing but tests every value against each type in
    turn and recurses through a generic join; for a batch of 5,000 rows of 10–20 fields
    that rendering cost more than the server's work on the batch (the profile of a city
    sync: 52 s of Python against 14 s waiting for the server).  Here the common types are
    dispatched on ``type()`` once and dates become ISO strings on the way.
    """
    kind = type(value)
    if kind is str:
        return _quote(value)  # type: ignore[arg-type]
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return str(value)
    if kind is dict:
        return _map(value)  # type: ignore[arg-type]
    if kind is list or kind is tuple:
        return "[" + ",".join(map(_literal, value)) + "]"
    if isinstance(value, date | datetime):
        return _quote(value.isoformat())
    if isinstance(value, str):
        return _quote(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return _literal(dict(value))
    if isinstance(value, list | tuple):
        return _literal(list(value))
    if isinstance(value, bytes):
        return _quote(value.decode())
    return str(value)


#: A text map key → its backticked form (:func:`_key`'s answer, checked once).
_KEY_TEXT: dict[str, str] = {}


def _map(value: dict[Any, Any]) -> str:
    """A map as Cypher text: :func:`_literal` of a dict, with the common leaves (text,
    integers, nested maps: the rows of a sync batch) rendered here without a call each.

    Same text as before, character for character (``_quote``'s escapes, ``_key``'s
    backticks); a key that is not text, or not yet seen, goes through :func:`_key`."""
    parts = []
    keys = _KEY_TEXT
    for k, v in value.items():
        kt = keys.get(k) if type(k) is str else None
        if kt is None:
            kt = _key(k)
            if type(k) is str and len(keys) < 4096:
                keys[k] = kt
        t = type(v)
        if t is str:
            if "\\" in v or '"' in v:
                v = v.replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'{kt}:"{v}"')
        elif t is int:
            parts.append(f"{kt}:{v}")
        elif t is dict:
            parts.append(kt + ":" + _map(v))
        else:
            parts.append(f"{kt}:{_literal(v)}")
    return "{" + ",".join(parts) + "}"


def _with_params(query: str, params: Mapping[str, Any] | None) -> str:
    """``CYPHER `a`=… `b`=… query``: the parameter header FalkorDB reads, rendered here."""
    if not params:
        return query
    return "CYPHER " + "".join(f"{_key(k)}={_literal(v)} " for k, v in params.items()) + query


def _rows(result: Any) -> list[Row]:
    if not result.header:
        return []
    names = [h[1] if isinstance(h, list | tuple) else h for h in result.header]
    names = [n.decode() if isinstance(n, bytes) else n for n in names]
    return [dict(zip(names, (_plain(v) for v in rec), strict=True)) for rec in result.result_set]


def _text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def _is_busy(exc: Exception) -> bool:
    return isinstance(exc, redis.ResponseError) and str(exc).startswith("BUSY")


def _unbusy(call: Callable[[], T], wait: float | None = None) -> T:
    """``call()``, sent again while the server refuses it with BUSY (a fork being
    prepared refuses a command before running it, so sending it again is safe)."""
    deadline = time.monotonic() + (busy_wait_s() if wait is None else wait)
    pause = 0.05
    while True:
        try:
            return call()
        except redis.ResponseError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(1.0, pause * 2)


def _is_out_of_memory(exc: Exception) -> bool:
    """FalkorDB's QUERY_MEM_CAPACITY refusal ("Query's mem consumption exceeded capacity")."""
    return "exceeded capacity" in str(exc).lower()


def _is_write_refusal(exc: Exception) -> bool:
    text = str(exc).lower()
    return "read-only" in text or "readonly" in text or "ro_query" in text


class _FalkorWriter:
    def __init__(self, store: FalkorStore, graph_name: str) -> None:
        self._store = store
        self._graph = store._db.select_graph(graph_name)

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        with _connection(self._store.description):
            self._store._refresh_lock()
            try:
                text = _with_params(query, params)
                return _unbusy(lambda: ro_rows(self._graph, text, None, _plain, write=True))
            except redis.ResponseError as exc:
                raise StoreError(f"FalkorDB refused a write: {exc}") from exc

    def run_batched(
        self, query: str, rows: Iterable[Mapping[str, Any]], *, batch_size: int = DEFAULT_BATCH
    ) -> int:
        sent = 0
        for batch in batched(rows, batch_size):
            self.run(query, {"rows": list(batch)})
            sent += len(batch)
        return sent


class FalkorStore:
    """A FalkorDB graph reached with the native client (not the experimental Bolt port)."""

    engine = "falkordb"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        password: str | None,
        graph: str = "redgov",
        description: str,
        compact_after_bulk: bool = False,
        read_timeout: float | None = None,
        home: Path | None = None,
        pid: int | None = None,
        username: str | None = None,
        restart_crashed: bool = False,
    ) -> None:
        self.description = description
        #: A server account (Redis ACL user) other than the default one, e.g. one allowed
        #: only ``GRAPH.RO_QUERY``: such an account reads, and never tries the schema.
        self._username = username or None
        #: Seconds a read may run (engine-enforced); 0 means no limit.
        self.read_timeout = default_read_timeout() if read_timeout is None else read_timeout
        self.graph_name = graph
        self._compact = compact_after_bulk
        self._lock_key = f"redgov:lock:{graph}"
        self._lock_value: str | None = None
        self._meta_ready = False
        self._meta_lock = threading.Lock()
        #: The embedded server's data directory: the server is found again there after it
        #: restarts (on another port), and proven ours before the password is sent.
        self._home = home
        self._pid = pid
        #: Start the embedded server again when a read finds it crashed (:meth:`_recover`).
        self._restart_crashed = restart_crashed
        self._restarted_at: float | None = None  # monotonic time of this store's last restart
        try:
            self._connect(host, port, password)
        except (redis.RedisError, OSError) as exc:
            # The exception text of redis-py never includes the password.
            raise StoreError(f"无法连接 FalkorDB（{description}）：{exc}",
                             en=f"cannot reach FalkorDB at {description}: {exc}") from exc

    def _connect(self, host: str, port: int, password: str | None) -> None:
        verify = self._verified_connect if self._home is not None else None
        db = FalkorDB(host=host, port=port, username=self._username, password=password,
                      socket_timeout=None, connect_func=verify)
        db.connection.ping()
        self._db = db
        self._redis: redis.Redis = db.connection
        self._graph = db.select_graph(self.graph_name)

    def _verified_connect(self, conn: Any) -> None:
        """Every new connection to the embedded server: prove from /proc that the process
        listening is the server of our data directory, then authenticate (redis-py would
        otherwise send the password to whatever now listens on a stale port)."""
        from .embedded_server import is_our_server

        assert self._home is not None and self._pid is not None
        if not is_our_server(self._home, self._pid, int(conn.port)):
            conn.disconnect()
            raise redis.ConnectionError(
                f"the process on port {conn.port} is not the embedded server of {self._home}"
            )
        conn.on_connect()

    def _relocate(self, info: ServerInfo | None = None) -> bool:
        """Find the embedded server again from the data directory (it may have restarted
        on another port), or take ``info``, the one just started; True when it was found,
        proven ours and reconnected."""
        if self._home is None:
            return False
        if info is None:
            from .embedded_server import server_running

            try:
                info = server_running(self._home)
            except (StoreError, OSError):
                info = None
        if info is None:
            return False
        old = self._redis
        self._pid = info.pid
        try:
            self._connect(info.host, info.port, info.password)
        except (redis.RedisError, OSError):
            return False
        with contextlib.suppress(Exception):
            old.close()
        return True

    def _recover(self) -> bool:
        """A read's lost connection: the server found again, or, for a store opened with
        ``restart_crashed`` and a server that died without ``redgov stop``, started
        again; True when the read may be asked once more.

        Why a reader restarts it: a dashboard holds a store for its whole life, so after
        a crash it showed "temporarily unavailable" until some command happened to start
        the server. A deliberate stop is respected (``restart_if_crashed``). At most one
        restart per :data:`RESTART_EVERY_S` per store: a query that crashes the server
        cannot keep a reader replaying the AOF. A command's store does not restart (its
        read reports the loss at once; the next command starts the server), nor does a
        write (:meth:`_reconnecting`).
        """
        if self._relocate():
            return True
        if self._home is None or not self._restart_crashed:
            return False
        now = time.monotonic()
        if self._restarted_at is not None and now - self._restarted_at < RESTART_EVERY_S:
            return False
        from .embedded_server import restart_if_crashed

        try:
            info = restart_if_crashed(self._home)
        except (StoreError, OSError):
            return False
        if info is None:
            return False
        self._restarted_at = now
        return self._relocate(info)

    @contextlib.contextmanager
    def _reconnecting(self) -> Iterator[None]:
        """A lost connection: find the server again (for the next call), then report it."""
        try:
            with _connection(self.description):
                yield
        except StoreUnavailable:
            self._relocate()
            raise

    # -- reading -----------------------------------------------------------------------
    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        check_read(query)
        params = with_snapshot(self.read, query, params)
        try:
            return self._read(query, params)
        except StoreUnavailable:
            # The embedded server restarted (stop, crash, reboot): find it again and ask
            # once more (a read changes nothing, so asking twice is safe).
            if not self._recover():
                raise
        return self._read(query, params)

    def _read(self, query: str, params: Mapping[str, Any] | None) -> list[Row]:
        timeout_ms = max(1, round(self.read_timeout * 1000)) if self.read_timeout else None
        with _connection(self.description):
            if not self._graph_exists(self.graph_name):
                # A fresh store has no graph key yet; give it its (empty) schema first so
                # reads behave exactly as on an empty graph.
                self.setup_schema()
            try:
                text = _with_params(query, params)
                # decoded in one pass (falkordb_rows.py): the client's cost at large answers
                return _unbusy(lambda: ro_rows(self._graph, text, timeout_ms, _plain))
            except redis.ResponseError as exc:
                if _is_write_refusal(exc):
                    raise ReadOnlyViolation(
                        "this entry point only reads: the query tries to write"
                    ) from exc
                if "timed out" in str(exc).lower():
                    raise timed_out(self.read_timeout) from None
                if _is_out_of_memory(exc):
                    raise out_of_memory() from None
                raise StoreError(f"FalkorDB 拒绝执行该查询：{exc}",
                                 en=f"FalkorDB refused the query: {exc}") from exc

    def _graph_exists(self, name: str) -> bool:
        return bool(self._redis.exists(name))

    # -- writing -----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *, bulk: bool = False) -> Iterator[_FalkorWriter]:
        with self._reconnecting(), self._transaction(bulk) as writer:
            yield writer

    @contextlib.contextmanager
    def _transaction(self, bulk: bool) -> Iterator[_FalkorWriter]:
        live = self.graph_name
        staging, old = f"{live}__staging", f"{live}__old"
        self._acquire_lock()
        try:
            for leftover in (staging, old):  # from a writer that was killed
                if self._graph_exists(leftover):
                    self._redis.execute_command("GRAPH.DELETE", leftover)
            had_live = self._graph_exists(live)
            if had_live:
                self._copy(live, staging)
            self._setup_schema_on(staging)  # a listing, when nothing is missing
            try:
                yield _FalkorWriter(self, staging)
            except BaseException:
                with contextlib.suppress(redis.RedisError):
                    self._redis.execute_command("GRAPH.DELETE", staging)
                raise
            self._refresh_lock()
            pipe = self._redis.pipeline(transaction=True)
            if had_live:
                pipe.rename(live, old)
            pipe.rename(staging, live)
            pipe.execute()
            if had_live:
                self._redis.execute_command("GRAPH.DELETE", old)
            self._graph = self._db.select_graph(live)
            if bulk and self._compact:
                self.compact()
        finally:
            self._release_lock()

    @contextlib.contextmanager
    def writing(self) -> Iterator[_FalkorWriter]:
        """Writes straight into the live graph, one atomic query at a time, under the lock.

        No copy: what a sync writes is a new, unpublished snapshot that readers do not
        see until it is published (:mod:`redgov.graph.conditions`), so the graph need not
        be swapped, and memory does not double.
        """
        with self._reconnecting():
            self._acquire_lock()
            try:
                # Also on an existing graph: an index added to graph/schema.py since the
                # graph was made is created here (two listings, when none is missing).
                self._setup_schema_on(self.graph_name)
                yield _FalkorWriter(self, self.graph_name)
                if self._compact:
                    self.compact()
            finally:
                self._release_lock()

    def _copy(self, source: str, target: str) -> None:
        """``GRAPH.COPY`` with no AOF rewrite (or other fork) running beside it.

        Automatic rewrites are switched off for the copy (the server may refuse CONFIG:
        then only the wait protects), and restored afterwards; a writer killed in between
        leaves them off until the server restarts or the next copy restores them.
        """
        key = "auto-aof-rewrite-percentage"
        previous: str | None = None
        with contextlib.suppress(redis.ResponseError):
            got = self._redis.config_get(key).get(key)
            previous = got.decode() if isinstance(got, bytes) else got
            self._redis.config_set(key, 0)
        try:
            self._wait_for_forks(fork_wait_s())
            self._redis.execute_command("GRAPH.COPY", source, target)
        finally:
            if previous is not None:
                with contextlib.suppress(redis.ResponseError):
                    self._redis.config_set(key, previous)

    def _wait_for_forks(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            info = self._redis.info("persistence")
            busy = [k for k in ("aof_rewrite_in_progress", "aof_rewrite_scheduled",
                                "rdb_bgsave_in_progress", "module_fork_in_progress")
                    if int(info.get(k, 0))]
            if not busy:
                return
            if time.monotonic() > deadline:
                raise StoreError(
                    f"FalkorDB at {self.description} is still busy ({', '.join(busy)}) after "
                    f"{timeout:g} s; the sync did not start — try again later"
                )
            self._refresh_lock()
            time.sleep(0.05)

    #: The schema steps the last check of the live graph ran (None until one ran; empty
    #: when it already held everything): what a test or a benchmark can see of it.
    schema_changes: tuple[str, ...] | None = None

    def setup_schema(self) -> None:
        """Create what is missing of graph/schema.py's indexes and constraints; idempotent."""
        if self._graph_exists(self.graph_name):
            self._setup_schema_on(self.graph_name)
        else:
            with self.transaction():
                pass  # an empty transaction creates the live graph with its schema

    def ensure_schema(self) -> tuple[str, ...]:
        """:meth:`setup_schema`, returning the steps it ran."""
        with self._reconnecting():
            self.setup_schema()
        return self.schema_changes or ()

    def _setup_schema_on(self, graph_name: str) -> None:
        """List the graph's indexes and constraints, then add only what graph/schema.py has
        and it lacks (nothing, when all are there: two listings).  Called whenever a writer
        takes the lock (:meth:`writing`, :meth:`transaction`), never on a read."""
        steps = falkordb_missing(self._present(graph_name))
        self._apply(graph_name, steps)
        if graph_name in (self.graph_name, f"{self.graph_name}__staging"):
            self.schema_changes = steps.describe()

    def _apply(self, graph_name: str, steps: FalkorSteps) -> None:
        graph = self._db.select_graph(graph_name)
        for text in steps.drops:  # retired indexes (graph/schema.py RETIRED)
            try:
                graph.query(text)
            except redis.ResponseError as exc:
                if "no such index" not in str(exc).lower():  # another writer dropped it
                    raise
        for text in steps.indexes:
            try:
                graph.query(text)
            except redis.ResponseError as exc:
                if "already indexed" not in str(exc):  # another writer made it meanwhile
                    raise
        for op, label, prop in steps.constraints:
            # Not Cypher on FalkorDB, deliberately; a concurrent writer's step is fine.
            with contextlib.suppress(redis.ResponseError):
                self._redis.execute_command(
                    "GRAPH.CONSTRAINT", op, graph_name, "UNIQUE", "NODE", label,
                    "PROPERTIES", "1", prop,
                )

    def _present(self, graph_name: str) -> Present:
        """What the graph holds (nothing, when it does not exist yet)."""
        if not self._graph_exists(graph_name):
            return Present()
        graph = self._db.select_graph(graph_name)
        return falkordb_present(_rows(graph.ro_query(FALKORDB_LIST_INDEXES)),
                                _rows(graph.ro_query(FALKORDB_LIST_CONSTRAINTS)))

    def compact(self, timeout: float = 600.0) -> float:
        """Rewrite the AOF so a restart loads a snapshot instead of replaying every query."""
        t0 = time.perf_counter()
        with contextlib.suppress(redis.ResponseError):  # "already in progress" is fine
            self._redis.execute_command("BGREWRITEAOF")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = self._redis.info("persistence")
            if not int(info.get("aof_rewrite_in_progress", 0)) and not int(
                info.get("aof_rewrite_scheduled", 0)
            ):
                break
            time.sleep(0.05)
        return time.perf_counter() - t0

    # -- the lock ------------------------------------------------------------------------
    def _acquire_lock(self) -> None:
        value = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        deadline = time.monotonic() + lock_wait_s()
        while True:
            if _unbusy(lambda: self._redis.set(self._lock_key, value, nx=True, px=LOCK_TTL_MS)):
                self._lock_value = value
                return
            holder = _text(self._redis.get(self._lock_key))
            if holder and self._holder_dead(holder):
                self._redis.delete(self._lock_key)
                continue
            if time.monotonic() > deadline:
                raise StoreError(
                    f"another redgov sync is writing to graph {self.graph_name!r} "
                    f"(holder {holder or '?'}); try again when it ends"
                )
            time.sleep(0.2)

    @staticmethod
    def _holder_dead(holder: str) -> bool:
        host, _, rest = holder.partition(":")
        pid = rest.partition(":")[0]
        if host != socket.gethostname() or not pid.isdigit():
            return False  # another machine's writer: only its TTL can free the lock
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def _refresh_lock(self) -> None:
        if self._lock_value is not None:
            value = self._lock_value
            _unbusy(lambda: self._redis.set(self._lock_key, value, xx=True, px=LOCK_TTL_MS))

    def _release_lock(self) -> None:
        if self._lock_value is None:
            return
        with contextlib.suppress(redis.RedisError):
            if _text(self._redis.get(self._lock_key)) == self._lock_value:
                self._redis.delete(self._lock_key)
        self._lock_value = None

    # -- the metadata space ----------------------------------------------------------------
    # A graph key of its own, never copied or renamed by transaction(): a sync publishes a
    # copy of the live graph, so a write made to the live graph meanwhile would be lost.
    @property
    def meta_graph_name(self) -> str:
        return f"{self.graph_name}__meta"

    def read_meta(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        try:
            with _connection(self.description):
                return self._read_meta(query, params)
        except StoreUnavailable:
            if not self._recover():  # restarted elsewhere or crashed: ask once more
                raise
        with _connection(self.description):
            return self._read_meta(query, params)

    def _read_meta(self, query: str, params: Mapping[str, Any] | None) -> list[Row]:
        name = self.meta_graph_name
        if not self._graph_exists(name):
            return []
        try:
            text = _with_params(query, params)
            return _rows(_unbusy(lambda: self._db.select_graph(name).ro_query(text)))
        except redis.ResponseError as exc:
            if _is_write_refusal(exc):
                raise ReadOnlyViolation("read_meta only reads: the query tries to write") from exc
            raise StoreError(f"FalkorDB refused the query: {exc}") from exc

    def write_meta(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        with self._reconnecting():
            graph = self._db.select_graph(self.meta_graph_name)
            if not self._meta_ready:
                self._setup_meta_schema()
            try:
                text = _with_params(query, params)
                return _rows(_unbusy(lambda: graph.query(text)))
            except redis.ResponseError as exc:
                raise StoreError(f"FalkorDB refused a write: {exc}") from exc

    def _setup_meta_schema(self) -> None:
        # Several threads of one process write the metadata space at once (the dashboard
        # asks its questions three at a time, and keeps their answers there): one of them
        # sets the schema up; another process doing the same at the same moment only
        # finds the index already there.
        with self._meta_lock:
            if not self._meta_ready:
                self._setup_meta_schema_locked()

    def _setup_meta_schema_locked(self) -> None:
        name = self.meta_graph_name
        self._apply(name, falkordb_meta_missing(self._present(name)))
        self._meta_ready = True

    # -- the rest --------------------------------------------------------------------------
    def version(self) -> str:
        for module in self._redis.execute_command("MODULE", "LIST"):
            if not isinstance(module, dict):
                module = dict(zip(module[::2], module[1::2], strict=True))
            entry = module
            entry = {
                (k.decode() if isinstance(k, bytes) else k): v for k, v in entry.items()
            }
            name = entry.get("name")
            name = name.decode() if isinstance(name, bytes) else name
            if name == "graph":
                ver = int(entry.get("ver", 0))
                return f"FalkorDB {ver // 10000}.{ver // 100 % 100}.{ver % 100}"
        return "FalkorDB (version unknown)"

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._redis.close()
