"""Shared fixtures: one embedded FalkorDB server for the session, one fresh graph per test.

A server per test would cost ~50 ms and a port each; a graph per test gives the same
isolation (FalkorDB graphs are independent keys) at no cost.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redgov.graph.stores.embedded_server import ServerInfo, ensure_server, stop_server
from redgov.graph.stores.falkordb_store import FalkorStore


@pytest.fixture(scope="session")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("redgov-home")
    yield home
    stop_server(home)


@pytest.fixture(autouse=True)
def _isolated_home(session_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's real data directory or an inherited store choice."""
    monkeypatch.setenv("REDGOV_HOME", str(session_home))
    monkeypatch.delenv("REDGOV_STORE", raising=False)
    monkeypatch.delenv("REDGOV_GRAPH", raising=False)


@pytest.fixture(scope="session")
def server(session_home: Path) -> ServerInfo:
    return ensure_server(session_home)


@pytest.fixture
def graph_name() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def store(server: ServerInfo, graph_name: str) -> Iterator[FalkorStore]:
    """A FalkorStore on a fresh, empty graph of the session's embedded server."""
    s = FalkorStore(
        host=server.host, port=server.port, password=server.password, graph=graph_name,
        description=f"test graph {graph_name}",
    )
    s.setup_schema()
    yield s
    for name in (graph_name, f"{graph_name}__staging", f"{graph_name}__old"):
        if s._graph_exists(name):
            s._redis.execute_command("GRAPH.DELETE", name)
    s.close()


@pytest.fixture
def redgov_env(server: ServerInfo, graph_name: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Environment for running the CLI against the test graph of the session server."""
    monkeypatch.setenv("REDGOV_HOME", str(server.home))
    monkeypatch.setenv("REDGOV_GRAPH", graph_name)
    monkeypatch.delenv("REDGOV_STORE", raising=False)
    return {**os.environ}
