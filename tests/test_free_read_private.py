"""No free read returns account, session or throttle data, on either engine (issue 17).

Before: ``redgov cypher 'MATCH (a:Account) RETURN a'`` returned account names and argon2
hashes on Neo4j and nothing on FalkorDB.  Why: on FalkorDB the metadata space is a graph
key of its own (``<graph>__meta``) that a read never selects; Neo4j Community has one
database, so accounts sit beside the governance graph.  Now a free query
(``guard.check_free_read``, run by ``redgov cypher`` before the engine sees it) must reach
every node through a governance label or a relationship (metadata nodes have none), so
the same queries are refused on both engines with the same line, and governance
queries answer as before.  The dashboard and the exports run only registered texts; none
of those outside the account code names a metadata label.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from redgov.graph.cypher import REGISTRY
from redgov.graph.schema import META_KEYS
from redgov.graph.stores.guard import RefusedRead, check_free_read
from test_cypher_lint import _import_everything

from redgov.access import accounts, throttle
from redgov.cli import main

PW = "correct-horse-battery"

REACHING_ACCOUNTS = [
    "MATCH (a:Account) RETURN a",
    "MATCH (a:Account) RETURN a.name AS name, a.hash AS hash",
    "MATCH (t:LoginThrottle) RETURN t.name AS name",
    "MATCH (k:SyncKept) RETURN k.text AS t",
    "MATCH (s:SnapshotSummary) RETURN s.json AS j",
    "MATCH (s:LoginSession) RETURN s.key AS k",
    "MATCH (n) RETURN n",
    "MATCH (n) WHERE n:Account RETURN n.hash AS h",
    "MATCH (n) WHERE 'Account' IN labels(n) RETURN n.hash AS h",
    "MATCH (n {name: 'li'}) RETURN n.hash AS h",
    "MATCH (n:`Account`) RETURN n.hash AS h",
    "MATCH (n:\\u0041ccount) RETURN n.hash AS h",
    "MATCH (n:Unit|Account) RETURN n.hash AS h",
    "MATCH (n:!Unit) RETURN n.hash AS h",
    "MATCH (n:%) RETURN n.hash AS h",
    "MATCH (n) WHERE id(n) >= 0 RETURN properties(n) AS p",
    "MATCH (u:Unit) MATCH (n) RETURN n.hash AS h",
    "MATCH (u:Unit)-[*0..1]-(n) RETURN n.hash AS h",
    "RETURN [(n) WHERE n.hash IS NOT NULL | n.hash] AS h",
    "MATCH (u:Unit) RETURN COUNT { (n) } AS c",
    "MATCH (u:Unit) CALL { MATCH (n) RETURN n.hash AS h } RETURN h",
    "MATCH (u:Unit) OPTIONAL MATCH (x /* c */) RETURN x.hash AS h",
    "MATCH ALL (n) RETURN n.hash AS h",
    "MATCH ANY (n) RETURN n.hash AS h",
    "MATCH ANY SHORTEST (n) RETURN n.hash AS h",
    "MATCH p = (n) RETURN nodes(p) AS ns",
]

GOVERNANCE = [
    "MATCH (u:Unit) RETURN count(u) AS n",
    "MATCH ()-[r]->() RETURN count(r) AS n",
    "MATCH (u:Unit {code: 'S1'})<-[:PART_OF*1..4]-(x:Unit) RETURN count(x) AS n",
    "MATCH (p:Person)-[s]->(u:Unit) RETURN count(s) AS n",
    "RETURN count(*) AS n",
    "MATCH (u:Unit) RETURN all(x IN [1] WHERE x > 0) AS a, any(x IN [1] WHERE x > 0) AS b",
    "MATCH (u:Unit) RETURN count(u) AS n, collect(u.code) AS codes, labels(u) AS l",
]


@pytest.fixture
def with_accounts(store):
    accounts.create(store, "li", PW, "viewer", "S1")
    accounts.create(store, "chief", PW, "admin", None)
    throttle.record_failure(store, "ghost")
    with store.transaction() as w:
        w.run("CREATE (:Unit {code: 'S1', name: '东风街道'})")
    return store


def _cypher(query: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["cypher", query, "--format", "json"],
                                catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("query", REACHING_ACCOUNTS)
def test_no_free_read_returns_account_data(with_accounts, redgov_env: dict,
                                           query: str) -> None:
    code, out = _cypher(query)
    assert code == 1, (query, out)
    with pytest.raises(RefusedRead) as direct:
        check_free_read(query)
    assert out.strip().splitlines() == ["错误：" + str(direct.value)], out
    for secret in ("argon2", "chief", "ghost", "$argon"):
        assert secret not in out, (secret, out)


@pytest.mark.parametrize("query", GOVERNANCE)
def test_governance_reads_still_answer(with_accounts, redgov_env: dict, query: str) -> None:
    code, out = _cypher(query)
    assert code == 0, (query, out)
    assert "argon2" not in out


def test_why_the_engines_differed_underneath(with_accounts) -> None:
    """The plain read path (used only with registered texts) still shows the difference
    the free path hides: FalkorDB keeps accounts in another graph key, Neo4j beside the
    governance graph."""
    rows = with_accounts.read("MATCH (a:Account) RETURN a.name AS name ORDER BY name")
    if with_accounts.version().startswith("Neo4j"):
        assert rows == [{"name": "chief"}, {"name": "li"}], rows
    else:
        assert rows == [], rows


def test_metadata_nodes_have_no_relationships(with_accounts) -> None:
    """The invariant the free-read rule stands on."""
    labels = sorted(META_KEYS)
    rows = with_accounts.read_meta(
        "MATCH (m)-[r]-() WHERE any(l IN labels(m) WHERE l IN $labels) "
        "RETURN count(r) AS n", {"labels": labels})
    assert rows in ([], [{"n": 0}]), rows
    assert with_accounts.read_meta("MATCH (a:Account) RETURN count(a) AS n") == [{"n": 2}]


def test_no_registered_read_outside_the_account_code_names_a_metadata_label() -> None:
    """The dashboard and the exports run registered texts only.  (``summaries.*``: the
    answers kept per snapshot, run only through ``read_meta``/``write_meta``.)"""
    _import_everything()
    label = re.compile(r":\s*`?(" + "|".join(META_KEYS) + r")\b")
    found = [name for name, c in REGISTRY.items()
             if label.search(c.text)
             and not name.startswith(("access.", "schema.", "summaries."))]
    assert found == [], found
