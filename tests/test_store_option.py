"""Every command reaches the store named by ``--store`` (and by ``$REDGOV_STORE``) on both engines.

On Neo4j the value is ``bolt://127.0.0.1:PORT`` with ``NEO4J_USER``/``NEO4J_PASSWORD``;
on FalkorDB ``falkordb://127.0.0.1:PORT/GRAPH`` with ``FALKORDB_PASSWORD``.  The other
engine-dependent tests reach the store through ``$REDGOV_STORE`` (conftest's
``redgov_env``); these pass ``--store`` and leave the variable unset.  ``redgov demo
--store`` is pinned in test_demo_sync.py.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from redgov.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
READ_ONLY = "错误：redgov cypher 只读："


@pytest.fixture
def spec(engine: Any, graph_name: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The ``--store`` value; its secrets in the environment, REDGOV_STORE unset."""
    value, secrets = engine.spec(graph_name)
    for key, secret in secrets.items():
        monkeypatch.setenv(key, secret)
    monkeypatch.delenv("REDGOV_STORE", raising=False)
    return value


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_sync_status_audit_and_cypher_with_store_option(spec: str, engine: Any) -> None:
    for export in ("audit_base", "audit_main"):
        code, out = _run("sync", str(FIXTURES / export), "--store", spec, "--format", "json")
        assert code == 0 and json.loads(out)["status"] == "applied", out
    code, out = _run("status", "--store", spec, "--format", "json")
    info = json.loads(out)
    assert code == 0 and info["engine"] == engine.name, out
    # two published snapshots; status counts the versions of the latest (no SyncRun nodes)
    assert len(info["snapshots"]) == 2 and "SyncRun" not in info["nodes"]
    assert info["last_sync"]["snapshot_date"] == "2024-06-30"
    code, out = _run("audit", "one_shoulder", "--store", spec, "--format", "json")
    assert code == 0, out
    rows = json.loads(out)["rows"]
    assert {r["compound_code"] for r in rows if r["one_shoulder"]} == {"CP01", "CP02"}, out
    code, out = _run("cypher", "MATCH (u:Unit {code: $c}) RETURN u.name AS name",
                     "--param", "c=CM111", "--store", spec, "--format", "json")
    assert code == 0 and json.loads(out) == [{"name": "禾盛社区"}], out


def test_cypher_refuses_writes_with_the_same_message(spec: str, engine: Any) -> None:
    """By read access mode on Neo4j, by GRAPH.RO_QUERY on FalkorDB: one message."""
    outputs = set()
    for query in ("CREATE (:Unit {code: 'x'})", "MATCH (u:Unit) DETACH DELETE u",
                  "MERGE (u:Unit {code: 'y'}) RETURN u.code AS code"):
        code, out = _run("cypher", query, "--store", spec)
        assert code == 1 and out.startswith(READ_ONLY), (engine.name, query, out)
        outputs.add(out)
    assert len(outputs) == 1, outputs  # one message, whatever the write
    code, out = _run("status", "--store", spec, "--format", "json")
    assert json.loads(out)["nodes"] == {}, out


def test_store_from_the_environment(spec: str, engine: Any,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDGOV_STORE", spec)
    code, out = _run("status", "--format", "json")
    assert code == 0 and json.loads(out)["engine"] == engine.name, out
    code, out = _run("cypher", "CREATE (:Unit {code: 'x'})")
    assert code == 1 and out.startswith(READ_ONLY), out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_dashboard_serves_with_store_option(spec: str, engine: Any) -> None:
    """The command opens the store first (its description, never a secret), then serves."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "redgov", "dashboard", "--store", spec, "--port", str(port),
         "--no-browser"],
        env={**os.environ}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        assert first.startswith(f"redgov 看板已启动： http://127.0.0.1:{port}/"), first
        assert ("bolt://127.0.0.1:" if engine.name == "neo4j" else "falkordb://") in first
        for secret in ("NEO4J_PASSWORD", "FALKORDB_PASSWORD"):
            assert not os.environ.get(secret) or os.environ[secret] not in first
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as resp:
                    assert resp.status == 200
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "no dashboard"
                time.sleep(0.3)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
