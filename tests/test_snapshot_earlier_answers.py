"""An earlier snapshot answers exactly as the graph did right after it was synced.

The audit fixture is synced in two steps (audit_base, snapshot 2024-01-01; audit_main,
2024-06-30 — which retires branch B7, ends posts and changes standings).  Right after the
first sync every catalog question (defaults, and scoped to each district) and ``redgov
status`` are recorded; after the second, the same questions asked with ``--snapshot
2024-01-01`` (or the first run's id) must give the same rows, and ``status --snapshot``
the same counts.  This needs the versioned loader (docs/model.md, snapshots: changed
records are new versions, the old ones closed, nothing overwritten).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from redgov.graph.introspection import graph_counts
from redgov.graph.stores.base import Store
from redgov.loaders import sync_export
from redgov.queries import catalog, run_question

from redgov.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
_DISTRICTS = ("DIST1", "DIST2")


def _answers(store: Store, snapshot: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in catalog():
        for scope in (None, *_DISTRICTS):
            params: dict[str, Any] = {"scope": scope} if scope else {}
            if q.name == "coverage_rollup":
                params["level"] = "district" if scope is None else "street"
            result = run_question(store, q.name, params, snapshot=snapshot)
            out[f"{q.name}@{scope}"] = (result.params, result.rows)
    return out


def _cli_json(engine: Any, store: Store, *args: str) -> Any:
    env = engine.env(getattr(store, "graph_name", ""))
    res = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_an_earlier_snapshot_answers_as_it_did_then(engine: Any) -> None:
    with engine.fresh_store("snapshot history") as store:
        first = sync_export(store, FIXTURES / "audit_base")
        assert first.status == "applied"
        then = _answers(store)
        counts_then = graph_counts(store)
        cli_then = _cli_json(engine, store, "audit", "secretary_origin", "--format", "json")
        assert sum(1 for _, rows in then.values() if rows) >= 15  # the questions find things
        assert sync_export(store, FIXTURES / "audit_main").status == "applied"
        now = _answers(store)
        assert now != then  # the second export changed answers …
        for spec in ("2024-01-01", first.run_id):
            again = _answers(store, spec)  # … and the first snapshot still answers as then
            differing = [k for k in then if then[k] != again[k]]
            assert differing == [], {k: (then[k], again[k]) for k in differing[:3]}
        assert graph_counts(store, 1) == counts_then
        status = _cli_json(engine, store, "status", "--format", "json", "--snapshot",
                           "2024-03-01")
        assert (status["nodes"], status["relations"]) == counts_then
        cli_again = _cli_json(engine, store, "audit", "secretary_origin", "--format", "json",
                              "--snapshot", first.run_id)
        assert cli_again == cli_then
