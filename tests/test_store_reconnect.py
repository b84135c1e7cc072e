"""A running dashboard or store follows the embedded server across a restart (issue 17 §2).

Before: a store (and so a running dashboard) kept talking to the server's old port after
the embedded server restarted; every page showed a traceback until the dashboard was
restarted, and redis-py's reconnect sent ``AUTH <password>``, in clear, to whatever process
listened on that old port.  Now every new connection proves from /proc that the process
listening is the server of the data directory (redis-server, holding ``server.lock``, owning
the listening socket) before authenticating; a lost connection finds the server again from
the data directory; while it is away the dashboard shows one Chinese line.

The embedded engine is FalkorDB only, so these run on it; each test has its own data
directory and server (the session's is never restarted).
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redgov.dashboard.i18n import t
from redgov.graph.home import pid_alive
from redgov.graph.stores import StoreUnavailable, falkordb_store, open_store
from redgov.graph.stores.embedded_server import (
    ensure_server,
    is_our_server,
    restart_if_crashed,
    server_running,
    stop_server,
)
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "app.py")


class Stranger:
    """A plain TCP server on a port, recording every byte any client sends it."""

    def __init__(self, port: int) -> None:
        self.received = bytearray()
        self.connections = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.settimeout(0.5)
            try:
                while chunk := conn.recv(65536):
                    self.received += chunk
            except OSError:
                pass
            finally:
                conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data directory of this test's own, with its embedded server (stopped at the end)."""
    path = tmp_path / "home"
    monkeypatch.setenv("REDGOV_HOME", str(path))
    monkeypatch.setenv("REDGOV_STORE", "embedded")
    yield path
    stop_server(path)


def _restart_behind_a_stranger(home: Path) -> tuple[Stranger, int]:
    """Stop the server, let a stranger take its port, start the server again elsewhere."""
    old = server_running(home)
    assert old is not None
    assert stop_server(home)
    stranger = Stranger(old.port)
    new = ensure_server(home)
    assert new.port != old.port, (old.port, new.port)
    return stranger, old.port


def test_is_our_server_needs_the_lock_the_binary_and_the_port(home: Path) -> None:
    info = ensure_server(home)
    assert is_our_server(home, info.pid, info.port)
    other = home.parent / "other"
    other.mkdir()
    (other / "server.lock").touch()
    assert not is_our_server(other, info.pid, info.port)  # not the lock it holds
    assert not is_our_server(home, info.pid, info.port + 1 if info.port < 65535 else 1)
    stranger = Stranger(0)
    try:  # a live process listening on a port, but not a redis-server of this directory
        port = stranger._sock.getsockname()[1]
        assert not is_our_server(home, os.getpid(), port)
    finally:
        stranger.close()


def test_a_live_store_follows_a_restart_and_never_tells_a_stranger_the_password(
    home: Path,
) -> None:
    store = open_store()
    with store.transaction() as w:
        w.run("UNWIND range(1, 3) AS i CREATE (:Unit {code: toString(i)})")
    password = server_running(home).password  # type: ignore[union-attr]
    stranger, old_port = _restart_behind_a_stranger(home)
    try:
        rows = store.read("MATCH (u:Unit) RETURN count(u) AS n")
        assert rows == [{"n": 3}], rows
        assert store.read_meta("MATCH (a:Account) RETURN count(a) AS n") in ([], [{"n": 0}])
        with store.writing() as w:  # writes follow too
            w.run("CREATE (:Unit {code: '4'})")
        assert store.read("MATCH (u:Unit) RETURN count(u) AS n") == [{"n": 4}]
    finally:
        stranger.close()
        store.close()
    assert password.encode() not in stranger.received, (old_port, bytes(stranger.received))
    assert b"AUTH" not in stranger.received.upper(), bytes(stranger.received)


def test_store_away_is_one_line_then_back(home: Path) -> None:
    store = open_store()
    assert store.read("RETURN 1 AS one") == [{"one": 1}]
    stop_server(home)
    with pytest.raises(StoreUnavailable, match="lost the connection") as away:
        store.read("RETURN 1 AS one")
    assert "\n" not in str(away.value)
    ensure_server(home)
    assert store.read("RETURN 1 AS one") == [{"one": 1}]
    store.close()


def test_a_running_dashboard_follows_a_restart(home: Path) -> None:
    """AppTest on a live dashboard: the server stops (one Chinese line, no traceback), then
    comes back on another port behind a stranger on the old one (the next run works, and
    the stranger never receives the password)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    away = t("app.store_away")
    assert away not in [w.value for w in at.warning]

    password = ensure_server(home).password
    old = server_running(home)
    assert old is not None and stop_server(home)
    at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [away], [w.value for w in at.warning]

    stranger = Stranger(old.port)
    try:
        assert ensure_server(home).port != old.port
        at.run()
        assert not at.exception, at.exception
        assert away not in [w.value for w in at.warning], [w.value for w in at.warning]
        assert at.title, "the page drew nothing"
    finally:
        stranger.close()
    assert password.encode() not in stranger.received, bytes(stranger.received)


def _crash(home: Path) -> int:
    """Kill the embedded server as a crash would (no ``redgov stop``); its old port."""
    info = server_running(home)
    assert info is not None
    os.kill(info.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while pid_alive(info.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server_running(home) is None
    assert (home / "server.json").exists()  # what tells a crash from a stop
    return info.port


def test_a_reader_starts_a_crashed_server_again_but_never_a_stopped_one(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: after a crash a held store (a dashboard) failed every read until some
    command started the server. Now a read of a store opened with ``restart_crashed``
    starts it again, with nothing lost; a command's store still reports at once; a store
    restarts at most once per RESTART_EVERY_S; a write only reports; a stop is respected."""
    monkeypatch.setenv("REDGOV_FSYNC", "always")  # kill -9 loses nothing committed
    command = open_store()  # a command's store: reports, never restarts
    store = open_store(restart_crashed=True)  # the dashboard's
    try:
        with store.transaction() as w:
            w.run("UNWIND range(1, 3) AS i CREATE (:Unit {code: toString(i)})")
        first = server_running(home)
        assert first is not None

        _crash(home)
        with pytest.raises(StoreUnavailable, match="lost the connection"):
            command.read("RETURN 1 AS one")
        assert server_running(home) is None
        assert store.read("MATCH (u:Unit) RETURN count(u) AS n") == [{"n": 3}]
        assert command.read("RETURN 1 AS one") == [{"one": 1}]  # follows the restart
        second = server_running(home)
        assert second is not None and second.pid != first.pid

        _crash(home)  # again at once: within RESTART_EVERY_S this store does not restart
        with pytest.raises(StoreUnavailable, match="lost the connection"):
            store.read("RETURN 1 AS one")
        assert server_running(home) is None
        with pytest.raises(StoreUnavailable), store.writing() as w:  # a write only reports
            w.run("CREATE (:Unit {code: '4'})")
        assert server_running(home) is None

        monkeypatch.setattr(falkordb_store, "RESTART_EVERY_S", 0.0)
        assert store.read_meta("MATCH (a:Account) RETURN count(a) AS n") in ([], [{"n": 0}])
        assert store.read("MATCH (u:Unit) RETURN count(u) AS n") == [{"n": 3}]

        assert stop_server(home)  # on purpose: no reader undoes it
        assert not (home / "server.json").exists()
        with pytest.raises(StoreUnavailable, match="lost the connection"):
            store.read("RETURN 1 AS one")
        with pytest.raises(StoreUnavailable):
            store.read_meta("MATCH (a:Account) RETURN count(a) AS n")
        assert server_running(home) is None
        assert restart_if_crashed(home) is None
    finally:
        store.close()
        command.close()


def test_a_running_dashboard_starts_a_crashed_server_again(home: Path) -> None:
    """AppTest on a live dashboard whose server is killed and whose old port a stranger
    takes: the next run starts the server again elsewhere and draws the page, without the
    away line, and the stranger never receives the password."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    password = ensure_server(home).password
    old_port = _crash(home)
    deadline = time.monotonic() + 10  # a dying server's socket can outlive it briefly
    while True:
        try:
            stranger = Stranger(old_port)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    try:
        at.run()
        assert not at.exception, at.exception
        assert t("app.store_away") not in [w.value for w in at.warning]
        assert at.title, "the page drew nothing"
        now = server_running(home)
        assert now is not None and now.port != old_port
    finally:
        stranger.close()
    assert password.encode() not in stranger.received, bytes(stranger.received)
    assert b"AUTH" not in stranger.received.upper(), bytes(stranger.received)
