"""Every Cypher text in the code base is valid Neo4j 5 Cypher and runs on FalkorDB.

Python modules declare their Cypher with ``graph.cypher.cypher()``; this test imports every
module, then lints the whole registry with Neo4j's offline linter (no errors, no
deprecation warnings) and asks FalkorDB to plan each text.  The catalog's ``.cypher``
files are covered by the catalog tests.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
import redis
from cypher_lint import lint, lint_one
from redgov.graph.cypher import REGISTRY

import redgov

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("graph", "loaders", "queries", "dashboard", "redgov")


def _import_everything() -> None:
    for mod in pkgutil.walk_packages(redgov.__path__, "redgov."):
        if not mod.name.endswith("__main__"):
            importlib.import_module(mod.name)
    for sub in ("graph", "loaders", "queries", "dashboard"):
        pkg = importlib.import_module(f"redgov.{sub}")
        for mod in pkgutil.walk_packages(pkg.__path__, f"redgov.{sub}."):
            if not mod.name.endswith("__main__"):
                importlib.import_module(mod.name)


def test_linter_rejects_bad_and_accepts_good() -> None:
    assert lint_one("MATCH (u:Unit {code: $code}) RETURN u.name AS name") == []
    broken = lint_one("MATCH (u:Unit RETURN u")
    assert broken and {d["severity"] for d in broken} == {"error"}, broken
    deprecated = lint_one("MATCH (n) RETURN id(n) AS i")
    assert deprecated and deprecated[0]["severity"] == "warning", deprecated
    cartesian = lint_one("MATCH (a:Unit), (b:Unit) RETURN a, b")
    assert cartesian, "a cartesian product is flagged"


@pytest.mark.timeout(900)  # the linter's ~2 CPU minutes, when a run starts here on a loaded machine
def test_every_registered_cypher_lints_clean() -> None:
    _import_everything()
    texts = {name: c.text for name, c in REGISTRY.items() if not c.falkordb_only}
    assert len(texts) >= 10, sorted(texts)
    problems = {name: diags for name, diags in lint(texts).items() if diags}
    assert problems == {}, problems


_PLACEHOLDER = {"as_of": "2024-12-31"}


def test_every_registered_cypher_plans_on_falkordb(falkor_store) -> None:
    """EXPLAIN through the client (GRAPH.EXPLAIN plans without executing)."""
    _import_everything()
    failures = {}
    store = falkor_store
    graph = store._db.select_graph(store.graph_name)
    for name, c in REGISTRY.items():
        if c.neo4j_only or c.text.upper().startswith(("CREATE INDEX", "DROP INDEX")):
            continue
        # Plan with placeholder values: lists for batches, a date text for the dates (FalkorDB
        # folds `substring($as_of, 0, 4)` while planning), 1 for other scalars (a LIMIT).
        params = {p: ([] if p == "rows" else _PLACEHOLDER.get(p, 1))
                  for p in re.findall(r"\$(\w+)", c.text)}
        try:
            graph.explain(c.text, params)
        except redis.ResponseError as exc:
            failures[name] = str(exc)
    assert failures == {}, failures


_CYPHER_LIKE = re.compile(r"\b(MATCH|MERGE|UNWIND)\b[^\n]*\(|\bCREATE\s*\(|\bRETURN\b.+\bAS\b")


def _unregistered_cypher(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside_cypher_call: set[int] = set()
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "cypher":
            for arg in ast.walk(node):
                inside_cypher_call.add(id(arg))
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in inside_cypher_call
            and id(node) not in docstrings
            and _CYPHER_LIKE.search(node.value)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}")
    return found


@pytest.mark.parametrize("folder", SOURCE_DIRS)
def test_no_cypher_outside_the_registry(folder: str) -> None:
    """Cypher strings in the product code go through cypher() so the lint test sees them."""
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        offenders += _unregistered_cypher(path)
    assert offenders == [], offenders
