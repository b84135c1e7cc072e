"""Reads under attack, on every engine: the timeout, and what the read-only path refuses.

Engine-dependent tests use the shared ``store`` / ``redgov_env`` fixtures, so they run on
each engine the suite runs on; the message of a refusal is the same on all of them
(it is decided before the engine sees the query).
"""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
from redgov.graph.stores import StoreError
from redgov.graph.stores.guard import RefusedRead, check_read
from redgov.graph.stores.timeouts import ReadTimeout

from redgov.cli import main

# A predicate keeps Neo4j from answering a bare count(*) of a product from its count store.
HEAVY = (
    "MATCH (a:Person) MATCH (b:Person) MATCH (c:Person) "
    "WHERE a.code <> b.code AND b.code <> c.code RETURN count(*) AS n"
)

REFUSED = [
    "LOAD CSV FROM 'https://example.invalid/x.csv' AS row RETURN row",
    "load csv from 'file:///etc/passwd' as row return row",
    "LoAd CsV WITH HEADERS FROM 'http://127.0.0.1:1/' AS row RETURN row",
    "load/**/csv from 'http://127.0.0.1:1/' as r return r",
    "LOAD/* a comment */CSV FROM 'x' AS r RETURN r",
    "LOAD // line comment\n CSV FROM 'x' AS r RETURN r",
    "LOAD\n\t CSV FROM 'x' AS r RETURN r",
    "MATCH (n) WITH n LIMIT 1 LOAD CSV FROM 'x' AS r RETURN r",
    "CALL { LOAD CSV FROM 'x' AS r RETURN r } RETURN 1 AS one",
    "RETURN 1 AS x UNION LOAD CSV FROM 'x' AS r RETURN r AS x",
    "CALL apoc.load.json('http://127.0.0.1:1/') YIELD value RETURN value",
    "call `apoc`.`load`.jsonParams('x', {}, null) yield value return value",
    "CALL apoc . load . csv('x')",
    "CALL /* hidden */ dbms.listConfig()",
    "CALL dbms.components() YIELD name RETURN name",
    "CALL db.createLabel('Evil')",
    "CALL db.idx.fulltext.createNodeIndex('Person', 'name')",
    "RETURN apoc.static.get('x') AS v",
    "RETURN dbms.procedures() AS p",
    "SHOW USERS",
    "show transactions",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "USE system MATCH (n) RETURN n",
    "use system show databases",
]

ALLOWED = [
    "MATCH (n) RETURN n.load AS csv LIMIT 1",
    "RETURN 'LOAD CSV FROM \"http://x\"' AS text",
    "RETURN \"it\\\"s CALL dbms.listConfig()\" AS text",
    "// LOAD CSV FROM 'x'\nRETURN 1 AS one",
    "/* CALL apoc.load.json('x') */ RETURN 1 AS one",
    "MATCH (load) RETURN count(load) AS n",
    "MATCH (n:`LOAD CSV`) RETURN count(n) AS n",
    "WITH 1 AS start, 2 AS show RETURN start + show AS n",
    "CALL db.labels() YIELD label RETURN label",
    "CALL { MATCH (n) RETURN count(n) AS c } RETURN c",
    "RETURN date('2024-01-01') AS d, duration({days: 1}) AS one_day",
]


@pytest.mark.parametrize("query", REFUSED)
def test_outside_reaching_query_is_refused_with_one_message(store, query: str) -> None:
    with pytest.raises(RefusedRead) as caught:
        store.read(query)
    message = str(caught.value)
    assert message.startswith("已拒绝：") and "超出图数据的范围" in message, message
    english = caught.value.text("en")
    assert english.startswith("refused: ") and "reaches outside the graph" in english
    assert "\n" not in message and "\n" not in english


def test_refusal_message_is_the_same_on_every_engine(store) -> None:
    with pytest.raises(RefusedRead) as caught:
        store.read("load/**/csv from 'http://127.0.0.1:1/' as r return r")
    with pytest.raises(RefusedRead) as direct:
        check_read("LOAD CSV FROM 'x' AS r RETURN r")
    assert str(caught.value) == str(direct.value)


@pytest.mark.parametrize("query", ALLOWED)
def test_ordinary_reads_pass_the_guard(query: str) -> None:
    check_read(query)  # raises when wrongly refused


def test_allowed_schema_procedure_runs_on_the_engine(store) -> None:
    with store.transaction() as w:
        w.run("CREATE (:Unit {code: 'u1'})")
    labels = {r["label"] for r in store.read("CALL db.labels() YIELD label RETURN label")}
    assert "Unit" in labels, labels


def _many_nodes(store, n: int = 3000) -> None:  # type: ignore[no-untyped-def]
    with store.transaction() as w:
        w.run_batched("UNWIND $rows AS row CREATE (:Person {code: row.c})",
                      [{"c": f"p{i}"} for i in range(n)])


def test_a_runaway_read_is_stopped_by_the_timeout(store) -> None:
    """27 billion rows would take hours; the engine stops the read at its timeout."""
    _many_nodes(store)
    store.read_timeout = 1.0
    t0 = time.monotonic()
    with pytest.raises(ReadTimeout) as caught:
        store.read(HEAVY)
    assert time.monotonic() - t0 < 30  # bounded (the figure itself is in benchmarks/)
    assert str(caught.value).startswith("查询超过读取时限（1 秒），已被停止"), caught.value
    assert caught.value.text("en").startswith(
        "the query ran longer than the read timeout (1 s) and was stopped")
    store.read_timeout = 30.0
    assert store.read("MATCH (p:Person) RETURN count(p) AS n") == [{"n": 3000}]


def test_cli_timeout_gives_one_line(store, redgov_env: dict) -> None:
    _many_nodes(store)
    result = CliRunner().invoke(main, ["cypher", HEAVY, "--timeout", "1"],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "读取时限（1 秒）" in lines[0], result.output
    result = CliRunner().invoke(main, ["--lang", "en", "cypher", HEAVY, "--timeout", "1"],
                                catch_exceptions=False)
    assert "read timeout (1 s)" in result.output, result.output


def test_timeout_from_the_environment_and_bad_values(
    store, redgov_env: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    _many_nodes(store)
    monkeypatch.setenv("REDGOV_READ_TIMEOUT", "1")
    result = CliRunner().invoke(main, ["cypher", HEAVY], catch_exceptions=False)
    assert result.exit_code == 1 and "读取时限（1 秒）" in result.output, result.output
    monkeypatch.setenv("REDGOV_READ_TIMEOUT", "soon")
    result = CliRunner().invoke(main, ["cypher", "RETURN 1 AS one"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "REDGOV_READ_TIMEOUT 应为秒数" in result.output, result.output
    monkeypatch.delenv("REDGOV_READ_TIMEOUT")
    for bad in ("-1", "x"):
        result = CliRunner().invoke(main, ["audit", "overdue_reelection", "--timeout", bad])
        assert result.exit_code == 2, result.output


def test_audit_takes_a_timeout(store, redgov_env: dict) -> None:
    result = CliRunner().invoke(main, ["audit", "overdue_reelection", "--timeout", "30",
                                       "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_cypher_refusal_is_one_line(store, redgov_env: dict) -> None:
    result = CliRunner().invoke(main, ["cypher", "CALL dbms.listConfig()"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    with pytest.raises(RefusedRead) as direct:
        check_read("CALL dbms.listConfig()")
    assert result.output.strip().splitlines() == ["错误：" + str(direct.value)]


@pytest.mark.parametrize("spec", [
    "bolt://", "falkordb://host:notaport", "nonsense", "falkordb://:99999", "http://x",
    "neo4j://user:secret-pw@:7687", "falkordb://h/a/b", "redis://127.0.0.1:6379?x=1",
])
def test_malformed_store_url_is_one_line(spec: str) -> None:
    result = CliRunner().invoke(main, ["status", "--store", spec], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(("错误：--store 的值", "错误：未知的数据库类型")), result.output
    assert "secret-pw" not in result.output


def test_unreachable_store_is_one_line() -> None:
    for spec in ("falkordb://127.0.0.1:1", "bolt://127.0.0.1:1"):
        result = CliRunner().invoke(main, ["status", "--store", spec], catch_exceptions=False)
        assert result.exit_code == 1, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_store_error_is_the_base_of_every_read_failure() -> None:
    assert issubclass(RefusedRead, StoreError) and issubclass(ReadTimeout, StoreError)


def test_expensive_reads_do_not_starve_a_sync(store) -> None:
    """Two runaway reads (as many as the embedded engine's worker threads) and a sync at
    once: the reads end at their timeout, the sync commits, and the graph is whole."""
    import threading

    _many_nodes(store, 2000)
    store.read_timeout = 2.0
    outcomes: list[object] = []

    def runaway() -> None:
        try:
            store.read(HEAVY)
            outcomes.append("finished")
        except ReadTimeout:
            outcomes.append("timed out")

    readers = [threading.Thread(target=runaway) for _ in range(2)]
    for t in readers:
        t.start()
    time.sleep(0.3)  # the reads hold the engine's threads
    t0 = time.monotonic()
    with store.transaction() as w:
        w.run("CREATE (:Unit {code: 'during'})")
    took = time.monotonic() - t0
    for t in readers:
        t.join(60)
    assert outcomes == ["timed out", "timed out"], outcomes
    assert took < 30, took  # bounded by the read timeout, not by the reads' length
    assert store.read("MATCH (u:Unit {code: 'during'}) RETURN count(u) AS n") == [{"n": 1}]
