"""``redgov demo`` end to end: generate, sync through the real loader, count in the graph.

The figures counted with Cypher in the synced graph must equal those counted from the
CSV files, and a second run with the same seed must find nothing to change.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from redgov.loaders.demo.figures import graph_figures
from redgov.loaders.demo.measure import measure

from redgov.cli import main


def test_demo_syncs_calibrated_and_a_second_run_is_unchanged(
    store, redgov_env, engine, graph_name, monkeypatch
) -> None:
    """On Neo4j through ``--store bolt://…`` (REDGOV_STORE unset), on FalkorDB embedded."""
    runner = CliRunner()
    store_args: list[str] = []
    if engine.name == "neo4j":
        spec, _ = engine.spec(graph_name)
        monkeypatch.delenv("REDGOV_STORE")
        store_args = ["--store", spec]
    first = runner.invoke(main, ["demo", *store_args, "--format", "json"])
    assert first.exit_code == 0, first.output
    payload = json.loads(first.output)
    assert payload["sync"]["status"] == "applied", payload["sync"]["errors"][:5]
    assert payload["sync"]["warnings"] == []
    export = Path(payload["export"]["out_dir"])
    assert export.parent == Path(redgov_env["REDGOV_HOME"]) / "demo"

    counted = measure(export)
    in_graph = graph_figures(store, counted["snapshot_date"])
    want = {k: counted[k] for k in in_graph}
    assert in_graph == want, (in_graph, want)
    assert in_graph["compound_branches"] == 444 and in_graph["one_shoulder"] == 68
    assert payload["graph"] == in_graph
    nodes = payload["nodes"]
    assert nodes["Person"] == counted["people"] and nodes["SyncRun"] == 1

    second = runner.invoke(main, ["demo", *store_args])
    assert second.exit_code == 0, second.output
    assert "sync: unchanged" in second.output, second.output
    assert "redgov dashboard" in second.output
    assert graph_figures(store, counted["snapshot_date"]) == in_graph
