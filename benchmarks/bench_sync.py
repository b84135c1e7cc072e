"""Sync benchmark: generation, first sync, re-sync, raw engine write rate, peak RSS.

Usage::

    python benchmarks/bench_sync.py [--scale district|city|province] [--seed 1]
                                    [--export DIR] [--keep]

Everything runs on a private embedded FalkorDB (a temporary data directory, its own
server), so a user's graph is never touched.  Figures printed (and as JSON at the end):

- generation time of the demo export (in a child process, so its memory is not counted);
- first sync: wall time, rows (graph nodes + relations written) per second;
- re-sync of the same, unchanged export: wall time and its ratio to the first sync
  (target ≤ 0.2) — once as ``redgov sync`` runs it (the export's fingerprint matches the
  newest SyncRun, so no row is read), once with ``verify=True`` (every row read,
  validated and diffed against the graph);
- raw rate: the engine's own ``UNWIND $rows … CREATE`` batched-write rate for the same
  node and relation counts, per label and type, with property maps copied from the
  synced graph (so the payload per row matches), in the same run;
- ratio sync rows/s ÷ raw rows/s (target ≥ 0.5);
- peak RSS of this process (the redgov side: reading, validating, diffing, writing)
  after both syncs, before the raw replay (target ≤ 2 GiB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from redgov.graph.cypher import cypher
from redgov.graph.stores.embedded_server import ensure_server, stop_server
from redgov.graph.stores.falkordb_store import FalkorStore
from redgov.graph.vocabulary import NODE_LABELS

_LABEL_COUNTS = cypher(
    "bench.sync.label_counts", "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS n"
)
_REL_COUNTS = cypher(
    "bench.sync.rel_counts",
    "MATCH (a)-[r]->(b) RETURN type(r) AS type, labels(a)[0] AS a, labels(b)[0] AS b, "
    "count(*) AS n",
)
_SAMPLE_NODE = cypher(
    "bench.sync.sample_node",
    "MATCH (n) WHERE $label IN labels(n) RETURN properties(n) AS p LIMIT 1",
)
_SAMPLE_REL = cypher(
    "bench.sync.sample_rel",
    "MATCH ()-[r]->() WHERE type(r) = $type RETURN properties(r) AS p LIMIT 1",
)
# The raw writes: one text per label / relation shape (labels cannot be parameters).
_RAW_NODE = {
    label: cypher(f"bench.sync.raw_node.{label}",
                  f"UNWIND $rows AS row CREATE (n:{label}) SET n += row.props")
    for label in NODE_LABELS
}
_RAW_KEY = {"Unit": "code", "Organisation": "code", "Person": "code", "Rating": "key",
            "SyncRun": "id"}


def _raw_rel_query(rel: str, a: str, b: str) -> str:
    return cypher(
        f"bench.sync.raw_rel.{rel}.{a}.{b}",
        f"UNWIND $rows AS row MATCH (a:{a} {{{_RAW_KEY[a]}: row.a}}) "
        f"MATCH (b:{b} {{{_RAW_KEY[b]}: row.b}}) CREATE (a)-[r:{rel}]->(b) SET r += row.props",
    )


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate_export(scale: str, seed: int, out: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c",
         "import sys; from pathlib import Path; from redgov.loaders.demo import generate; "
         "generate(Path(sys.argv[1]), scale=sys.argv[2], seed=int(sys.argv[3]))",
         str(out), scale, str(seed)],
        check=True,
    )
    return time.perf_counter() - t0


def graph_counts(store: FalkorStore) -> tuple[dict[str, int], dict[tuple[str, str, str], int]]:
    nodes = {r["label"]: int(r["n"]) for r in store.read(_LABEL_COUNTS)}
    rels = {(r["type"], r["a"], r["b"]): int(r["n"]) for r in store.read(_REL_COUNTS)}
    return nodes, rels


def raw_replay(store: FalkorStore, raw: FalkorStore) -> dict[str, Any]:
    """Write the same numbers of nodes and relations (same payloads) with plain CREATE."""
    nodes, rels = graph_counts(store)
    samples = {label: store.read(_SAMPLE_NODE, {"label": label})[0]["p"] for label in nodes}
    rel_samples = {t: store.read(_SAMPLE_REL, {"type": t})[0]["p"] for t, _, _ in rels}
    size = 5000
    t0 = time.perf_counter()
    written = 0
    with raw.transaction(bulk=True) as w:
        for label, n in nodes.items():
            key, props = _RAW_KEY[label], samples[label]
            for start in range(0, n, size):
                stop = min(n, start + size)
                rows = [{"props": {**props, key: f"r{i}"}} for i in range(start, stop)]
                w.run(_RAW_NODE[label], {"rows": rows})
                written += len(rows)
        for (rel, a, b), n in rels.items():
            query, props = _raw_rel_query(rel, a, b), rel_samples[rel]
            na, nb = nodes[a], nodes[b]
            for start in range(0, n, size):
                rows = [{"a": f"r{i % na}", "b": f"r{(i * 7919) % nb}", "props": props}
                        for i in range(start, min(n, start + size))]
                w.run(query, {"rows": rows})
                written += len(rows)
    seconds = time.perf_counter() - t0
    return {"rows": written, "seconds": seconds, "rows_per_s": written / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="district", choices=["district", "city", "province"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--export", type=Path, default=None,
                        help="reuse (or create) the export in this folder")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="redgov-bench-sync-"))
    os.environ["REDGOV_HOME"] = str(home)
    export = args.export or home / "export"
    figures: dict[str, Any] = {"scale": args.scale, "seed": args.seed, "nproc": os.cpu_count()}
    with open("/proc/meminfo") as fh:
        figures["mem_total_gib"] = round(int(fh.readline().split()[1]) / 2**20, 1)
    if not (export / "清单.csv").exists():
        figures["generation_s"] = round(generate_export(args.scale, args.seed, export), 2)
        print(f"generated {args.scale} export in {figures['generation_s']} s", flush=True)
    from redgov.loaders import sync_export

    info = ensure_server(home)
    store = FalkorStore(host=info.host, port=info.port, password=info.password,
                        graph="bench", description="bench", compact_after_bulk=True)
    raw = FalkorStore(host=info.host, port=info.port, password=info.password,
                      graph="bench_raw", description="bench raw", compact_after_bulk=True)
    try:
        store.setup_schema()
        raw.setup_schema()
        first = sync_export(store, export)
        assert first.status == "applied", first.errors[:10]
        nodes, rels = graph_counts(store)
        written = sum(nodes.values()) + sum(rels.values())
        records = sum(c["added"] for c in first.changes.values())
        figures["first_sync"] = {
            "seconds": round(first.duration_s, 2), "records": records,
            "nodes": sum(nodes.values()), "relations": sum(rels.values()),
            "rows_per_s": round(written / first.duration_s),
        }
        print(f"first sync: {first.duration_s:.1f} s, {written} nodes+relations "
              f"({records} registry records), {written / first.duration_s:,.0f} rows/s", flush=True)
        second = sync_export(store, export)
        assert second.status == "unchanged", second.status
        figures["resync"] = {"seconds": round(second.duration_s, 2),
                             "ratio_to_first": round(second.duration_s / first.duration_s, 3)}
        print(f"re-sync (unchanged): {second.duration_s:.1f} s = "
              f"{second.duration_s / first.duration_s:.3f} × first (target ≤ 0.2)", flush=True)
        third = sync_export(store, export, verify=True)
        assert third.status == "unchanged", third.status
        figures["resync_full_diff"] = {
            "seconds": round(third.duration_s, 2),
            "ratio_to_first": round(third.duration_s / first.duration_s, 3),
        }
        print(f"re-sync with verify=True (reads and diffs every row): {third.duration_s:.1f} s = "
              f"{third.duration_s / first.duration_s:.3f} × first", flush=True)
        figures["peak_rss_mib"] = round(peak_rss_mib())
        print(f"peak RSS of the sync process: {figures['peak_rss_mib']} MiB (target ≤ 2048)",
              flush=True)
        rawfig = raw_replay(store, raw)
        figures["raw_create"] = {k: round(v, 2) for k, v in rawfig.items()}
        ratio = (written / first.duration_s) / rawfig["rows_per_s"]
        figures["sync_to_raw_ratio"] = round(ratio, 3)
        print(f"raw UNWIND…CREATE: {rawfig['rows']} rows in {rawfig['seconds']:.1f} s = "
              f"{rawfig['rows_per_s']:,.0f} rows/s; sync/raw = {ratio:.3f} (target ≥ 0.5)")
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        store.close()
        raw.close()
        stop_server(home)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
