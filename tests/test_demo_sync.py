"""``redgov demo`` end to end: generate, sync through the real loader, count in the graph.

The figures counted with Cypher in the synced graph must equal those counted from the
CSV files, and a second run with the same seed must find nothing to change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from redgov.graph.display import english_codes
from redgov.graph.snapshots import list_snapshots
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
    loose = [p for p in (export.parent, *export.rglob("*")) if p.stat().st_mode & 0o077]
    assert not loose, loose  # private like everything in the data directory

    counted = measure(export)
    in_graph = graph_figures(store, counted["snapshot_date"])
    want = {k: counted[k] for k in in_graph}
    assert in_graph == want, (in_graph, want)
    assert in_graph["compound_branches"] == 444 and in_graph["one_shoulder"] == 68
    assert payload["graph"] == in_graph
    nodes = payload["nodes"]
    # counts are of the snapshot's versions (SyncRun nodes are not versioned, not counted)
    assert nodes["Person"] == counted["people"] and "SyncRun" not in nodes
    assert [s.ordinal for s in list_snapshots(store.read)] == [1]

    second = runner.invoke(main, ["demo", *store_args])
    assert second.exit_code == 0, second.output
    assert "同步：无变化" in second.output, second.output
    assert "redgov dashboard" in second.output and "下一步：" in second.output
    closing = second.output[second.output.index("同步："):]
    assert "小区党组织 444" in closing and "书记主任“一肩挑” 68" in closing, closing
    words = set(re.findall(r"[A-Za-z_-]+", closing.replace(str(export), "")))
    assert not words & english_codes(), (words & english_codes(), closing)
    english = runner.invoke(main, ["demo", *store_args, "--lang", "en"])
    assert "sync: unchanged" in english.output and "compound party organisations 444" in (
        english.output), english.output
    assert graph_figures(store, counted["snapshot_date"]) == in_graph
