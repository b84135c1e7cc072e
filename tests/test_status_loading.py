"""``redgov status`` while the embedded server loads its graph: it answers at once with
the load's state (Chinese first, ``--format json`` codes) instead of waiting, and a server
that is not running is started in the background by a status that does not wait for it.

The load is made slow with Redis's own ``key-load-delay`` (a pause per key loaded, here
1.5 s), so a small graph is still loading when status asks; nothing else is changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redgov.graph.display import DOMAINS
from redgov.graph.home import PRIVATE_UMASK, write_private
from redgov.graph.stores import open_store
from redgov.graph.stores.embedded_server import (
    _command,
    _config,
    _free_port,
    _password,
    _start_lock,
    _take_lifetime_lock,
    loading,
    server_running,
    stop_server,
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    h = tmp_path / "home"
    monkeypatch.setenv("REDGOV_HOME", str(h))
    monkeypatch.delenv("REDGOV_STORE", raising=False)
    monkeypatch.setenv("REDGOV_GRAPH", "redgov")
    yield h
    stop_server(h)


def _redgov(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "redgov", *args], capture_output=True,
                          text=True, timeout=120, check=False, env=dict(os.environ))
    return done, time.perf_counter() - t0


def _graph_of_three(home: Path) -> None:
    store = open_store()
    with store.transaction() as w:
        w.run("UNWIND range(1, 3) AS i CREATE (:Unit {code: toString(i)})")
    store.close()
    assert stop_server(home)


def test_status_during_a_load_answers_at_once_with_the_state(home: Path) -> None:
    _graph_of_three(home)
    # Started as ensure_server() starts it (start.lock held for the load, the lifetime lock
    # handed to the server), with a pause per key loaded.
    with _start_lock(home):
        fd = _take_lifetime_lock(home)
        assert fd is not None
        port = _free_port()
        write_private(home / "redis.conf",
                      _config(home, port, _password(home)) + "key-load-delay 1500000\n")
        proc = subprocess.Popen(_command(home), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                cwd=home, umask=PRIVATE_UMASK, pass_fds=(fd,))
        os.close(fd)
        try:
            deadline = time.monotonic() + 20
            while loading(home) is None and time.monotonic() < deadline:
                time.sleep(0.05)
            seen = loading(home)
            assert seen is not None and seen.pid == proc.pid, seen
            assert seen.phase in DOMAINS["load_phase"], seen

            done, took = _redgov("status", "--format", "json")
            assert done.returncode == 0, done.stderr
            info = json.loads(done.stdout)
            assert info["state"] == "loading" and info["pid"] == proc.pid, info
            assert info["phase"] in DOMAINS["load_phase"], info
            assert took < 30, took  # not the load's time: start.lock is held throughout

            zh, _ = _redgov("status")
            assert "正在载入图" in zh.stdout and "重建索引" in DOMAINS["load_phase"][
                "load_indexes"][0], zh.stdout
            assert DOMAINS["load_phase"][info["phase"]][0] in zh.stdout or (
                info["phase"] != loading(home).phase), zh.stdout  # type: ignore[union-attr]
            en, _ = _redgov("status", "--lang", "en")
            assert "loading the graph" in en.stdout, en.stdout

            # Asking did not stop the load: the server still runs. Waiting for the rest of the
            # slowed load would only cost the suite time (the next test covers a finished one).
            assert proc.poll() is None, proc.returncode
        finally:
            proc.kill()  # a loading server answers SIGTERM only when its load ends
            proc.wait(30)


def test_status_of_a_stopped_server_starts_it_and_answers(home: Path) -> None:
    """A small graph loads within status's short wait: the usual answer, one server."""
    _graph_of_three(home)
    assert server_running(home) is None and loading(home) is None
    done, _ = _redgov("status", "--format", "json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    if info.get("state") == "loading":  # a slow machine: the background start finishes it
        deadline = time.monotonic() + 60
        while server_running(home) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        info = json.loads(_redgov("status", "--format", "json")[0].stdout)
    assert info["engine_version"].startswith("FalkorDB") and "state" not in info, info
    running = server_running(home)
    assert running is not None and loading(home) is None, running
    store = open_store()
    try:
        assert store.read("MATCH (u:Unit) RETURN count(u) AS n") == [{"n": 3}]
    finally:
        store.close()


def test_a_large_graph_is_reported_starting_before_its_load_begins(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a large file to load, status does not wait for the background start to reach
    the load (seconds on a busy machine): it reports the start (``load_start``) or the
    load's phase at once; the start then finishes on its own."""
    from redgov.graph.stores import embedded_server

    _graph_of_three(home)
    monkeypatch.setattr(embedded_server, "LARGE_LOAD_BYTES", 1)  # the three nodes' files
    assert embedded_server._data_bytes(home) >= 1
    seen = embedded_server.start_or_loading(home, wait=0.0)
    assert seen is not None and seen.phase in DOMAINS["load_phase"], seen
    deadline = time.monotonic() + 60
    while server_running(home) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server_running(home) is not None and embedded_server.start_or_loading(home) is None
