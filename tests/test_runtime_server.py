"""The embedded server under a careless machine: frozen, killed, forking, two starters.

Each test has a data directory of its own (its server is stopped, frozen or killed), and
compares full graph dumps (every node and relation with every property) before and after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from redgov.graph.stores import StoreError, open_store
from redgov.graph.stores.embedded_server import ensure_server, server_running, stop_server
from test_sync_support import BASIC, copy_export, drop_rows, dump, set_cell, set_manifest


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    h = tmp_path / "home"
    monkeypatch.setenv("REDGOV_HOME", str(h))
    monkeypatch.delenv("REDGOV_STORE", raising=False)
    monkeypatch.delenv("REDGOV_GRAPH", raising=False)
    yield h
    info = _pid(h)
    if info:
        with _suppress():
            os.kill(info, signal.SIGCONT)
    stop_server(h)


def _suppress():  # type: ignore[no-untyped-def]
    import contextlib

    return contextlib.suppress(ProcessLookupError)


def _pid(home: Path) -> int | None:
    import json

    try:
        return int(json.loads((home / "server.json").read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return None


def _redgov(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "redgov", *args], capture_output=True,
                          text=True, timeout=timeout, check=False, env=dict(os.environ))


def _one_line_error(proc: subprocess.CompletedProcess) -> str:
    """The CLI failed with exit 1 and exactly one line on stderr, no traceback."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), proc.stderr
    return lines[0]


def _wait_dead(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return
        except (ProcessLookupError, FileNotFoundError):
            return
        time.sleep(0.02)
    raise AssertionError(f"pid {pid} still alive")


def _redis_servers_on(home: Path) -> list[int]:
    """Pids of redis-server processes whose working directory is ``home``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if "redis-server" in os.readlink(entry / "exe") and Path(
                os.readlink(entry / "cwd")
            ) == home.resolve():
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_frozen_server_is_reported_never_replaced(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two commands meet a SIGSTOPped server: both say so in one line; still one server."""
    monkeypatch.setenv("REDGOV_PROBE_TIMEOUT", "1")
    info = ensure_server(home)
    os.kill(info.pid, signal.SIGSTOP)
    try:
        procs = [subprocess.Popen(
            [sys.executable, "-m", "redgov", "status"], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=dict(os.environ),
        ) for _ in range(2)]
        for p in procs:
            out, err = p.communicate(timeout=60)
            line = _one_line_error(subprocess.CompletedProcess(p.args, p.returncode, out, err))
            assert f"(pid {info.pid}) is running but not answering" in line, line
            assert "not replaced" in line
        assert _redis_servers_on(home) == [info.pid]
    finally:
        os.kill(info.pid, signal.SIGCONT)
    again = ensure_server(home)  # answers again: the same server is used
    assert (again.pid, again.started) == (info.pid, False)


def test_stop_ends_a_frozen_server_and_the_next_command_starts_one(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDGOV_PROBE_TIMEOUT", "1")
    store = open_store()
    with store.transaction() as w:
        w.run("CREATE (:Unit {code: 'kept'})")
    store.close()
    info = server_running(home)
    os.kill(info.pid, signal.SIGSTOP)
    assert stop_server(home, timeout=10)
    _wait_dead(info.pid)
    store = open_store()
    assert store.read("MATCH (u:Unit) RETURN u.code AS code") == [{"code": "kept"}]
    store.close()


def test_lifetime_lock_is_held_by_the_server_and_freed_by_its_death(home: Path) -> None:
    import fcntl

    info = ensure_server(home)
    with open(home / "server.lock", "a") as fh:
        with pytest.raises(BlockingIOError):
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.kill(info.pid, signal.SIGKILL)
        # Free once the server is gone: its threads release it a moment after it is a zombie.
        deadline = time.monotonic() + 10
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                assert time.monotonic() < deadline, "the lock outlived the server"
                time.sleep(0.02)
        fcntl.flock(fh, fcntl.LOCK_UN)
    assert ensure_server(home).started


def test_a_command_right_after_a_kill_starts_a_new_server(home: Path) -> None:
    """The lock of a killed server lingers for a moment (its threads, or a fork of it):
    a start in that window waits for it instead of calling the dead server unresponsive."""
    for _ in range(3):
        info = ensure_server(home)
        os.kill(info.pid, signal.SIGKILL)
        again = ensure_server(home)
        assert again.started and again.pid != info.pid


def test_graph_copy_waits_for_an_aof_rewrite(home: Path) -> None:
    """A sync whose GRAPH.COPY meets an AOF rewrite completes (it used to hang for good).

    ``rdb-key-save-delay`` slows the rewrite's child to ~2 s, so the copy is sure to meet it.
    """
    store = open_store()
    with store.transaction() as w:
        w.run_batched("UNWIND $rows AS row CREATE (:Person {code: row.c})",
                      [{"c": f"p{i}"} for i in range(2000)])
    info = server_running(home)
    r = redis.Redis(host=info.host, port=info.port, password=info.password)
    r.config_set("rdb-key-save-delay", 200_000)  # µs per key written by the rewrite
    r.execute_command("BGREWRITEAOF")
    assert int(r.info("persistence")["aof_rewrite_in_progress"]) == 1
    done: list[object] = []

    def sync() -> None:
        try:
            with store.transaction() as w:
                w.run("CREATE (:Person {code: 'after'})")
            done.append("ok")
        except Exception as exc:  # pragma: no cover - shown by the assert
            done.append(exc)

    t = threading.Thread(target=sync, daemon=True)
    t.start()
    t.join(60)
    r.config_set("rdb-key-save-delay", 0)
    assert done == ["ok"], done
    assert store.read("MATCH (p:Person) RETURN count(p) AS n") == [{"n": 2001}]
    assert "Can't fork" not in (home / "redis.log").read_text()
    assert r.config_get("auto-aof-rewrite-percentage") == {"auto-aof-rewrite-percentage": "100"}
    store.close()


def _changed_export(tmp_path: Path) -> Path:
    export = copy_export(tmp_path)
    set_manifest(export, "快照日期", "2024-04-01")
    drop_rows(export, "人员", lambda r: r["人员编码"] != "P3")
    drop_rows(export, "任职", lambda r: r["人员编码"] != "P3")
    set_cell(export, "单位", 4, "名称", "湖里街道办")
    return export


# Runs `redgov sync` with the server SIGKILLed at one point of the write.
_KILLER = """
import os, signal, sys
import redis.client
from redgov.graph.stores import falkordb_store as fs
from redgov.graph.stores.embedded_server import server_running

point, n = sys.argv[1], int(sys.argv[2])
calls = {"run": 0}

def kill():
    os.kill(server_running().pid, signal.SIGKILL)

from redgov.loaders import cypher_sync as q
if point == "lock":
    original = fs.FalkorStore._acquire_lock
    def patched(self):
        original(self)
        kill()
    fs.FalkorStore._acquire_lock = patched
else:
    original_run = fs._FalkorWriter.run
    def run(self, query, params=None):
        calls["run"] += 1
        if point == "write" and calls["run"] == n:
            kill()
        if point == "publish" and query == q.PUBLISH:
            kill()
        out = original_run(self, query, params)
        if point == "after-publish" and query == q.PUBLISH:
            kill()
        return out
    fs._FalkorWriter.run = run
from redgov.cli import main
sys.argv = ["redgov", "sync", sys.argv[3], "--format", "json"]
main()
"""


@pytest.mark.parametrize("point", ["lock", "write-1", "write-3", "write-6", "publish",
                                   "after-publish"])
def test_server_killed_mid_sync(home: Path, tmp_path: Path, point: str) -> None:
    """SIGKILL of the server at a point of a sync: one line, exit 1; what readers see is as
    before (or, killed after publishing, as after); the next command recovers and the sync
    applies (removing the unpublished partial version first).
    """
    assert _redgov("sync", str(BASIC)).returncode == 0
    store = open_store()
    before = dump(store)
    store.close()
    export = _changed_export(tmp_path)
    name, _, n = point.partition("-") if point.startswith("write") else (point, "", "0")
    proc = subprocess.run(
        [sys.executable, "-c", _KILLER, name, n or "0", str(export)], capture_output=True,
        text=True, timeout=120, check=False, env=dict(os.environ),
    )
    line = _one_line_error(proc)
    assert "lost the connection" in line or "服务" in line or "server" in line, line
    status = _redgov("status")  # the next command starts a server and replays the AOF
    assert status.returncode == 0, status.stderr
    store = open_store()
    middle = dump(store)
    store.close()
    done = _redgov("sync", str(export), "--format", "json")
    assert done.returncode == 0, done.stderr
    store = open_store()
    after = dump(store)
    graphs = store._redis.execute_command("GRAPH.LIST")
    meta = store.meta_graph_name  # accounts and kept answers: not a sync's leftover
    store.close()
    assert after != before
    assert middle == (after if point == "after-publish" else before), point
    names = sorted(g.decode() if isinstance(g, bytes) else g for g in graphs)
    assert [n for n in names if n != meta] == ["redgov"], names  # no staging copy left


def test_server_killed_during_a_read(home: Path) -> None:
    store = open_store()
    with store.transaction() as w:
        w.run("UNWIND range(1, 2000) AS i CREATE (:Person {code: toString(i)})")
    store.close()
    pid = server_running(home).pid
    slow = subprocess.Popen(
        [sys.executable, "-m", "redgov", "cypher", "--timeout", "60",
         "MATCH (a:Person) MATCH (b:Person) MATCH (c:Person) RETURN count(*) AS n"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    time.sleep(2.0)  # the read has started (Python start-up ~1 s)
    os.kill(pid, signal.SIGKILL)
    out, err = slow.communicate(timeout=60)
    line = _one_line_error(subprocess.CompletedProcess(slow.args, slow.returncode, out, err))
    assert "lost the connection" in line, line
    again = _redgov("cypher", "MATCH (p:Person) RETURN count(p) AS n", "--format", "json")
    assert again.returncode == 0 and '"n": 2000' in again.stdout, (again.stdout, again.stderr)


def test_store_raises_store_error_when_the_server_dies(home: Path) -> None:
    store = open_store()
    assert store.read("RETURN 1 AS one") == [{"one": 1}]
    pid = server_running(home).pid
    os.kill(pid, signal.SIGKILL)
    _wait_dead(pid)
    with pytest.raises(StoreError, match="lost the connection"):
        store.read("RETURN 1 AS one")
    with pytest.raises(StoreError, match="lost the connection"), store.transaction() as w:
        w.run("CREATE (:Unit {code: 'x'})")
    store.close()


def test_an_abandoned_read_stops_on_the_server(home: Path) -> None:
    """The client of a runaway read is killed: the engine still stops the query at the
    read timeout instead of running it for hours (it used to hold a worker until restart)."""
    store = open_store()
    with store.transaction() as w:
        w.run("UNWIND range(1, 3000) AS i CREATE (:Person {code: toString(i)})")
    client = subprocess.Popen(
        [sys.executable, "-m", "redgov", "cypher", "--timeout", "4",
         "MATCH (a:Person) MATCH (b:Person) MATCH (c:Person) RETURN count(*) AS n"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ),
    )

    def running() -> list:
        return store._redis.execute_command("GRAPH.INFO", "RunningQueries")[1]

    deadline = time.monotonic() + 30
    while not running() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running(), "the read never started"
    client.kill()
    client.wait()
    deadline = time.monotonic() + 30
    while running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert running() == []
    store.close()
