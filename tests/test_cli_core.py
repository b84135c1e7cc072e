"""`redgov status`, `redgov cypher`, `redgov stop` and store selection, through the real CLI."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from redgov.graph.stores import StoreError, open_store

from redgov.cli import main


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


_VERSION_PREFIX = {"falkordb": "FalkorDB ", "neo4j": "Neo4j 5."}


def test_status_json_names_engine_and_counts(redgov_env, store, engine) -> None:
    """Counts are of the published snapshot's versions: nothing before a publication."""
    with store.transaction() as w:
        w.run("CREATE (:Unit {code: 'c1', vf: 1, vt: 2147483647})-[:PART_OF {vf: 1, "
              "vt: 2147483647}]->(:Unit {code: 'c0', vf: 1, vt: 2147483647})")
    code, out = _run("status", "--format", "json")
    assert code == 0, out
    info = json.loads(out)
    assert info["engine"] == engine.name
    assert info["engine_version"].startswith(_VERSION_PREFIX[engine.name])
    assert (info["nodes"], info["relations"], info["snapshot"], info["snapshots"]) == (
        {}, {}, None, [])
    assert info["last_sync"] is None
    with store.transaction() as w:  # what a sync's final step does: publish ordinal 1
        w.run("CREATE (:SyncRun {id: 'r1', ordinal: 1, published: true, "
              "snapshot_date: '2024-01-01', kind: 'full'})")
    info = json.loads(_run("status", "--format", "json")[1])
    assert info["nodes"] == {"Unit": 2}  # SyncRun nodes are not counted
    assert info["relations"] == {"PART_OF": 1}
    assert info["snapshot"]["ordinal"] == 1 and len(info["snapshots"]) == 1


def test_status_table_says_no_sync_yet(redgov_env, store, engine) -> None:
    code, out = _run("status")
    assert code == 0
    assert "最近同步：" in out and "尚无同步记录" in out, out
    if engine.name == "neo4j":
        assert store.description in out and engine.neo4j.password not in out
    else:
        assert "内嵌 FalkorDB" in out
    code, out = _run("status", "--lang", "en")
    assert "last sync:" in out and "none yet" in out, out
    if engine.name != "neo4j":
        assert "embedded FalkorDB" in out


def test_status_after_a_sync_is_chinese_and_its_json_nested(redgov_env, store) -> None:
    """The sync run's changes and records are objects in JSON, not JSON text in a string."""
    export = Path(__file__).parent / "fixtures" / "exports" / "sync_basic"
    code, out = _run("sync", str(export))
    assert code == 0, out
    code, out = _run("status")
    assert "已应用" in out and "全量" in out and "北京时间" in out, out
    assert "单位 " in out and "本职 " in out, out
    assert not re.search(r"\b(applied|full|Unit|SERVES_AS)\b", out), out
    run = json.loads(_run("status", "--format", "json")[1])["last_sync"]
    assert run["status"] == "applied" and run["kind"] == "full"
    assert isinstance(run["changes"], dict) and isinstance(run["records"], dict), run
    assert isinstance(run["warnings"], int) and isinstance(run["warnings_list"], list), run
    assert not any(k.endswith("_json") for k in run), run


def test_cypher_formats_and_params(redgov_env, store) -> None:
    with store.transaction() as w:
        w.run("CREATE (:Unit {code: 'u1', name: '=SUM(A1)', households: 12})")
    q = "MATCH (u:Unit {code: $code}) RETURN u.name AS name, u.households AS hh"
    code, out = _run("cypher", q, "--param", "code=u1", "--format", "json")
    assert code == 0, out
    assert json.loads(out) == [{"name": "=SUM(A1)", "hh": 12}]
    code, out = _run("cypher", q, "--param", "code=u1", "--format", "csv")
    assert out.splitlines() == ["name,hh", "'=SUM(A1),12"]
    code, out = _run("cypher", q, "--param", "code=u1")
    assert "=SUM(A1)" in out and "12" in out


def test_cypher_refuses_writes(redgov_env, store) -> None:
    code, out = _run("cypher", "CREATE (:Unit {code: 'x'}) RETURN 1 AS one")
    assert code == 1
    assert "只读" in out, out
    code, out = _run("--lang", "en", "cypher", "CREATE (:Unit {code: 'x'}) RETURN 1 AS one")
    assert code == 1 and "only reads" in out, out
    assert store.read("MATCH (u:Unit) RETURN count(u) AS n") == [{"n": 0}]


def test_cypher_bad_param_is_a_usage_error(redgov_env, store) -> None:
    code, out = _run("cypher", "RETURN 1 AS one", "--param", "novalue")
    assert code == 2
    assert "k=v" in out


def test_unknown_store_is_refused(redgov_env) -> None:
    code, out = _run("status", "--store", "mysql://root:hunter2@db")
    assert code == 1
    assert "未知的数据库类型 'mysql://db'" in out and "hunter2" not in out, out
    code, out = _run("--lang", "en", "status", "--store", "mysql://root:hunter2@db")
    assert code == 1 and "unknown store" in out and "hunter2" not in out, out


def test_store_from_environment(redgov_env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDGOV_STORE", "ftp://nowhere")
    code, out = _run("status")
    assert code == 1 and "未知的数据库类型" in out, out


def test_remote_falkordb_url(server, falkor_graph_name, monkeypatch: pytest.MonkeyPatch) -> None:
    """falkordb://host:port/graph reaches a FalkorDB it did not start."""
    monkeypatch.setenv("FALKORDB_PASSWORD", server.password)
    store = open_store(f"falkordb://127.0.0.1:{server.port}/{falkor_graph_name}")
    assert store.engine == "falkordb"
    assert server.password not in store.description
    assert store.read("RETURN 7 AS seven") == [{"seven": 7}]
    store.close()
    monkeypatch.setenv("FALKORDB_PASSWORD", "wrong")
    with pytest.raises(StoreError) as err:
        open_store(f"falkordb://127.0.0.1:{server.port}/{falkor_graph_name}")
    assert "wrong" not in str(err.value)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_neo4j_unreachable_error_hides_credentials(
    scheme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEO4J_USER", "auditor")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-pw")
    with pytest.raises(StoreError) as err:
        open_store(f"{scheme}://user:inline-pw@127.0.0.1:{_closed_port()}")
    message = str(err.value) + err.value.text("en")
    assert "无法连接 Neo4j" in str(err.value) and "cannot reach Neo4j" in err.value.text("en")
    for secret in ("s3cret-pw", "inline-pw", "auditor"):
        assert secret not in message, message


def test_stop_reports_when_nothing_runs(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDGOV_HOME", str(tmp_path))
    code, out = _run("stop")
    assert code == 0 and "没有运行中的内嵌服务" in out, out
    code, out = _run("stop", "--lang", "en")
    assert code == 0 and "no embedded server" in out
    _run("status")
    code, out = _run("stop")
    assert code == 0 and "已停止" in out


def test_cypher_help_says_how_to_ask_for_a_snapshot(redgov_env, store) -> None:
    """The help names $snapshot and --param snapshot=N, says the macros are not expanded
    here and shows their expansion; its example runs, at the snapshot it is given."""
    from redgov.graph.conditions import live

    from redgov.commands.common import CYPHER_HELP_EXAMPLE

    code, out = _run("--lang", "en", "cypher", "--help")
    words = " ".join(out.split())  # click wraps the paragraphs to the terminal's width
    assert code == 0 and "--param snapshot=N" in words and "$snapshot" in words, out
    assert "(@live, @current, @active, @in_scope) are NOT available" in words, out
    assert live("x") in words and CYPHER_HELP_EXAMPLE in words, out
    code, out = _run("cypher", "--help")  # the Chinese help says the same
    words = " ".join(out.split())
    assert code == 0 and "--param snapshot=N" in words and "不可用" in words, out
    assert live("x") in words and CYPHER_HELP_EXAMPLE in words, out
    export = Path(__file__).parent / "fixtures" / "exports" / "sync_basic"
    assert _run("sync", str(export))[0] == 0
    code, out = _run("cypher", CYPHER_HELP_EXAMPLE, "--format", "json")
    assert code == 0, out
    latest = {r["level"]: r["units"] for r in json.loads(out)}
    assert sum(latest.values()) == 6, latest  # the export's six units
    pinned = json.loads(_run("cypher", CYPHER_HELP_EXAMPLE, "--param", "snapshot=1",
                             "--format", "json")[1])
    assert {r["level"]: r["units"] for r in pinned} == latest
    assert json.loads(_run("cypher", CYPHER_HELP_EXAMPLE, "--param", "snapshot=0",
                           "--format", "json")[1]) == []
