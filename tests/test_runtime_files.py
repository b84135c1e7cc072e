"""The data directory keeps personal data private: modes, the password, graph copies.

Embedded engine only (these are its files); each test has a data directory of its own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from redgov.graph.home import data_dir, open_private, secure_tree, write_private
from redgov.graph.stores import open_store
from redgov.graph.stores.embedded_server import ensure_server, server_running, stop_server
from redgov.loaders.pii import load_key
from test_sync_support import BASIC


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    h = tmp_path / "home"
    monkeypatch.setenv("REDGOV_HOME", str(h))
    monkeypatch.delenv("REDGOV_STORE", raising=False)
    monkeypatch.delenv("REDGOV_GRAPH", raising=False)
    monkeypatch.delenv("REDGOV_PII_KEY", raising=False)
    yield h
    stop_server(h)


def _modes(root: Path) -> dict[str, str]:
    """Every path under ``root`` (itself included) whose mode is not private."""
    wrong = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, "."]:
            p = Path(folder, name)
            if p.stat().st_mode & 0o777 != 0o700:
                wrong[str(p)] = oct(p.stat().st_mode & 0o777)
        for name in files:
            p = Path(folder, name)
            if p.stat().st_mode & 0o777 != 0o600:
                wrong[str(p)] = oct(p.stat().st_mode & 0o777)
    return wrong


def test_everything_in_the_data_directory_is_private_after_a_sync(home: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "redgov", "sync", str(BASIC)],
                          capture_output=True, text=True, timeout=120, check=False,
                          env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    store = open_store()
    store.compact()  # an AOF rewrite: the base file is written by a fork of the server
    store.close()
    names = {p.name for p in home.iterdir()}
    assert {"password", "pii.key", "redis.conf", "redis.log", "sync-runs.jsonl",
            "server.json", "appendonlydir"} <= names, names
    assert _modes(home) == {}


def test_server_runs_with_a_private_umask_and_no_password_in_its_arguments(home: Path) -> None:
    info = ensure_server(home)
    status = Path(f"/proc/{info.pid}/status").read_text()
    assert "Umask:\t0077" in status, status
    cmdline = Path(f"/proc/{info.pid}/cmdline").read_bytes()
    assert info.password.encode() not in cmdline
    environ = Path(f"/proc/{info.pid}/environ").read_bytes()
    assert info.password.encode() not in environ
    conf = home / "redis.conf"
    assert info.password in conf.read_text()
    assert conf.stat().st_mode & 0o777 == 0o600


def test_password_never_on_the_command_line_while_starting(home: Path) -> None:
    """Watch /proc while the server starts: its arguments are the config file alone."""
    seen: list[bytes] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    with contextlib.suppress(OSError):
                        seen.append((entry / "cmdline").read_bytes())

    t = threading.Thread(target=watch)
    t.start()
    try:
        info = ensure_server(home)
    finally:
        stop.set()
        t.join()
    starts = [c for c in seen if b"redis-server" in c]
    assert starts, "the watcher never saw the server"
    assert not [c for c in starts if info.password.encode() in c or b"requirepass" in c]


def test_graph_copies_stay_in_the_data_directory_and_die_with_the_server(home: Path) -> None:
    """GRAPH.COPY dumps the graph (names included) to a file: it is written 0600 inside the
    data directory, and the dump of a server killed mid-copy is removed at the next start."""
    store = open_store()
    with store.transaction() as w:
        w.run("UNWIND range(1, 400000) AS i CREATE (:Person {code: toString(i), name: '某某'})")
    info = server_running(home)
    tmp = home / "tmp"
    seen: list[tuple[str, int]] = []

    def copy() -> None:
        r = redis.Redis(host=info.host, port=info.port, password=info.password)
        with contextlib.suppress(redis.RedisError):  # the server is killed under it
            r.execute_command("GRAPH.COPY", "redgov", "copy")

    t = threading.Thread(target=copy, daemon=True)
    t.start()
    deadline = time.monotonic() + 30
    while not seen and time.monotonic() < deadline:
        for p in tmp.iterdir():
            try:
                seen.append((p.name, p.stat().st_mode & 0o777))
            except OSError:
                continue
        time.sleep(0.001)
    os.kill(info.pid, signal.SIGKILL)
    t.join(10)
    store.close()
    assert seen and seen[0][0].endswith(".dump") and seen[0][1] == 0o600, seen
    assert not list(Path("/tmp").glob(seen[0][0]))  # never in the shared /tmp
    ensure_server(home)
    assert list(tmp.iterdir()) == []


def test_a_directory_left_open_by_an_older_version_is_tightened(home: Path) -> None:
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    log = home / "sync-runs.jsonl"
    log.write_text("{}\n")
    os.chmod(log, 0o644)
    (home / "appendonlydir").mkdir(mode=0o755)
    ensure_server(home)
    assert _modes(home) == {}


def test_private_file_helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "old.txt"
    old.write_text("x")
    os.chmod(old, 0o644)
    with open_private(old, "a") as fh:
        fh.write("y")
    assert old.stat().st_mode & 0o777 == 0o600 and old.read_text() == "xy"
    write_private(tmp_path / "new.json", "{}")
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("REDGOV_HOME", str(tmp_path / "a" / "b"))
    assert data_dir().stat().st_mode & 0o777 == 0o700
    link = tmp_path / "link"
    link.symlink_to(old)
    os.chmod(old, 0o644)
    secure_tree(tmp_path)
    assert old.stat().st_mode & 0o777 == 0o600  # the file itself, not through the link


def test_pii_key_is_created_private(home: Path) -> None:
    key = load_key()
    assert len(key) == 64
    assert (home / "pii.key").stat().st_mode & 0o777 == 0o600
    assert home.stat().st_mode & 0o777 == 0o700
