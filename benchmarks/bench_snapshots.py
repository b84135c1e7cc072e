"""Snapshot benchmark: a monthly history synced as snapshots, store size, every question
against the latest and the first snapshot.

Usage::

    python benchmarks/bench_snapshots.py [--scale city|district|province] [--months 12]
                                         [--seed 1] [--repeat 3] [--history DIR] [--keep]
                                         [--engines falkordb|neo4j|both] [--store SPEC]

Generates ``--months`` monthly full exports with about 2 % churn each
(``redgov demo --history``'s generator, :mod:`redgov.loaders.demo.history`), then per
engine, on a private server (as bench_sync.py; ``--store`` measures yours and EMPTIES
its graph):

- each month synced in order (one published snapshot each): seconds and changes;
- re-sync of the last, unchanged export (fingerprint shortcut, then ``verify=True``):
  seconds and ratio to the *first* sync (target ≤ 0.2);
- store size: node and relation versions (everything stored) against the elements live
  in the latest and in the first snapshot; FalkorDB's memory for the graph
  (``GRAPH.MEMORY USAGE``, else the server's ``used_memory``), Neo4j's store on disk;
- every catalog question, unscoped, median of ``--repeat``, against the latest snapshot
  and against the first (as of each snapshot's date), with the ratio first ÷ latest
  (target ≤ 2) and, where benchmarks/README.md records today's figure for this scale
  (the audit table's "province unscoped" / "city unscoped" column), latest ÷ recorded
  (target ≤ 1.3).

A question is pinned to a snapshot by a store wrapper that sets ``$snapshot`` on every
read that uses it (the contract of graph/snapshots.py: an unpinned read answers for the
latest); the figures say how many catalog texts use ``$snapshot`` at all, since a text
that does not cannot answer for an earlier snapshot.

``province`` holds every table of the history in memory between months (several GiB):
run it with ``--months 2`` on a machine to spare, not beside other work.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bench_sync import bench_engine, engines_of, wipe  # benchmarks/ is on sys.path
from engine_choice import chosen_engines
from redgov.graph.cypher import cypher
from redgov.graph.snapshots import list_snapshots
from redgov.graph.stores import Store
from redgov.graph.stores.falkordb_store import FalkorStore
from redgov.loaders import sync_export
from redgov.queries import catalog, run_question

README = Path(__file__).resolve().parent / "README.md"

_ALL_NODES = cypher(
    "bench.snapshots.all_nodes",
    "MATCH (n) WHERE n.vf IS NOT NULL RETURN labels(n)[0] AS label, count(*) AS n",
)
_LIVE_NODES = cypher(
    "bench.snapshots.live_nodes",
    "MATCH (n) WHERE @live(n) RETURN labels(n)[0] AS label, count(*) AS n",
)
_ALL_RELS = cypher(
    "bench.snapshots.all_rels",
    "MATCH ()-[r]->() WHERE r.vf IS NOT NULL RETURN type(r) AS type, count(*) AS n",
)
_LIVE_RELS = cypher(
    "bench.snapshots.live_rels",
    "MATCH ()-[r]->() WHERE @live(r) RETURN type(r) AS type, count(*) AS n",
)


class Pinned:
    """A store whose reads answer for one snapshot: ``$snapshot`` set on every read that
    uses it, over any value a layer below filled in (a runner defaulting to the latest)."""

    def __init__(self, store: Store, ordinal: int) -> None:
        self._store, self._ordinal = store, ordinal

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        p = dict(params or {})
        if "$snapshot" in query:
            p["snapshot"] = self._ordinal
        return self._store.read(query, p)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def recorded(scale: str) -> dict[str, float]:
    """Today's unscoped latency per question at ``scale`` from README.md's audit table."""
    lines = README.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("| question |"):
            continue
        header = [c.strip() for c in line.strip("|").split("|")]
        col = next((j for j, h in enumerate(header) if h.startswith(f"{scale} unscoped")), None)
        if col is None:
            continue
        out: dict[str, float] = {}
        for row in lines[i + 2:]:
            if not row.startswith("|"):
                break
            cells = [c.strip() for c in row.strip("|").split("|")]
            name = re.sub(r"[`*]", "", cells[0])
            value = re.match(r"[\d.]+", re.sub(r"[*]", "", cells[col]))
            if value:
                out[name] = float(value.group(0))
        return out
    return {}


def generate(scale: str, seed: int, months: int, out: Path) -> float:
    """The history, in a child process (its memory is not this process's)."""
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c",
         "import sys; from pathlib import Path; "
         "from redgov.loaders.demo.history import generate_history; "
         "generate_history(Path(sys.argv[1]), scale=sys.argv[2], seed=int(sys.argv[3]), "
         "months=int(sys.argv[4]))", str(out), scale, str(seed), str(months)],
        check=True,
    )
    return time.perf_counter() - t0


def memory(store: Store, home: Path) -> dict[str, Any]:
    if isinstance(store, FalkorStore):
        redis = store._redis
        try:
            usage = redis.execute_command("GRAPH.MEMORY", "USAGE", store.graph_name)
            pairs = dict(zip(usage[::2], usage[1::2], strict=False))
            return {"graph_memory": {str(k): v for k, v in pairs.items()}}
        except Exception as exc:  # older FalkorDB: no per-graph figure
            return {"used_memory_mib": round(int(redis.info("memory")["used_memory"]) / 2**20),
                    "graph_memory_error": str(exc)[:200]}
    data = home / "neo4j"
    if data.exists():
        size = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
        return {"neo4j_dir_mib": round(size / 2**20)}
    return {}


def size(store: Store, first: int, last: int) -> dict[str, Any]:
    def counts(query: str, key: str, snapshot: int | None = None) -> dict[str, int]:
        params = {"snapshot": snapshot} if snapshot is not None else {}
        return {r[key]: int(r["n"]) for r in store.read(query, params)}

    out = {"node_versions": counts(_ALL_NODES, "label"),
           "relation_versions": counts(_ALL_RELS, "type"),
           "nodes_live_latest": counts(_LIVE_NODES, "label", last),
           "relations_live_latest": counts(_LIVE_RELS, "type", last),
           "nodes_live_first": counts(_LIVE_NODES, "label", first),
           "relations_live_first": counts(_LIVE_RELS, "type", first)}
    return {**out, **{f"{k}_total": sum(v.values()) for k, v in out.items()}}


def _memory_line(s: dict[str, Any]) -> str:
    if "graph_memory" in s:
        return f"{s['graph_memory'].get('total_graph_sz_mb')} MB (GRAPH.MEMORY USAGE)"
    if "used_memory_mib" in s:
        return f"{s['used_memory_mib']} MiB (server used_memory)"
    if "neo4j_dir_mib" in s:
        return f"{s['neo4j_dir_mib']} MiB (Neo4j folder on disk)"
    return "n/a"


def run_engine(engine: str, store: Store, months: list[Path], home: Path, repeat: int,
               scale: str) -> dict[str, Any]:
    figures: dict[str, Any] = {"engine": engine, "version": store.version()}
    wipe(store)
    store.setup_schema()
    syncs = []
    for folder in months:
        report = sync_export(store, folder)
        assert report.status == "applied", (folder, report.status, report.errors[:5])
        totals = {k: sum(c[k] for c in report.changes.values())
                  for k in ("added", "changed", "retired")}
        syncs.append({"date": folder.name, "seconds": round(report.duration_s, 2), **totals})
        print(f"[{engine}] sync {folder.name}: {report.duration_s:6.1f} s  {totals}", flush=True)
    figures["syncs"] = syncs
    first_s = syncs[0]["seconds"]
    again = sync_export(store, months[-1])
    verify = sync_export(store, months[-1], verify=True)
    assert again.status == verify.status == "unchanged", (again.status, verify.status)
    figures["resync"] = {"seconds": round(again.duration_s, 2),
                         "ratio_to_first": round(again.duration_s / first_s, 3),
                         "verify_seconds": round(verify.duration_s, 2),
                         "verify_ratio_to_first": round(verify.duration_s / first_s, 3)}
    print(f"[{engine}] re-sync unchanged: {again.duration_s:.2f} s "
          f"({again.duration_s / first_s:.3f} × first); verify=True {verify.duration_s:.1f} s "
          f"({verify.duration_s / first_s:.3f} × first)", flush=True)
    snaps = list_snapshots(store.read)
    first, last = snaps[0], snaps[-1]
    figures["snapshots"] = len(snaps)
    figures["size"] = {**size(store, first.ordinal, last.ordinal), **memory(store, home)}
    s = figures["size"]
    print(f"[{engine}] {len(snaps)} snapshots; node versions {s['node_versions_total']:,} "
          f"(live latest {s['nodes_live_latest_total']:,}, first {s['nodes_live_first_total']:,})"
          f"; relation versions {s['relation_versions_total']:,} (live latest "
          f"{s['relations_live_latest_total']:,}, first {s['relations_live_first_total']:,}); "
          f"memory {_memory_line(s)}", flush=True)
    before = recorded(scale)
    questions = list(catalog())
    figures["questions_using_snapshot"] = sum("$snapshot" in (q.text or "") for q in questions
                                              if q.kind != "analytics")
    figures["questions_total"] = len(questions)
    print(f"[{engine}] catalog texts using $snapshot: {figures['questions_using_snapshot']} of "
          f"{sum(q.kind != 'analytics' for q in questions)} Cypher questions "
          f"(+{sum(q.kind == 'analytics' for q in questions)} analytics)", flush=True)
    rows = []
    for q in questions:
        def ask(snap: Any, q: Any = q) -> Any:
            return run_question(Pinned(store, snap.ordinal), q.name, {"as_of": snap.date})
        latest_s, res_l = timed(lambda: ask(last), repeat)
        first_q, res_f = timed(lambda: ask(first), repeat)
        row = {"question": q.name, "latest_rows": res_l.count, "latest_s": round(latest_s, 4),
               "first_rows": res_f.count, "first_s": round(first_q, 4),
               "first_to_latest": round(first_q / latest_s, 2) if latest_s else None}
        if q.name in before:
            row["recorded_s"] = before[q.name]
            row["latest_to_recorded"] = round(latest_s / before[q.name], 2)
        rows.append(row)
        print(f"[{engine}] {q.name:34s} latest {latest_s:7.3f} s ({res_l.count:6d} rows)  "
              f"first {first_q:7.3f} s ({res_f.count:6d} rows)  ×{row['first_to_latest']}"
              + (f"  recorded {before[q.name]:.3f} s ×{row['latest_to_recorded']}"
                 if q.name in before else ""), flush=True)
    figures["questions"] = rows
    return figures


def print_table(per_engine: dict[str, dict[str, Any]]) -> None:
    names = list(per_engine)
    print("| question | " + " | ".join(
        f"{n} latest s | {n} first s | {n} first ÷ latest" for n in names) + " |")
    print("|---|" + "---|---|---|" * len(names))
    by = {n: {r["question"]: r for r in per_engine[n]["questions"]} for n in names}
    for q in by[names[0]]:
        cells = []
        for n in names:
            r = by[n][q]
            cells += [f"{r['latest_s']:.3f}", f"{r['first_s']:.3f}", f"{r['first_to_latest']}"]
        print(f"| `{q}` | " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="city", choices=["district", "city", "province"])
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--history", type=Path, default=None,
                    help="reuse (or create) the history's dated folders here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    ap.add_argument("--engines", default=None, choices=["falkordb", "neo4j", "both"],
                    help="default: the engine of --store, else falkordb")
    ap.add_argument("--store", default=None,
                    help="measure this server instead of a private one (graph EMPTIED)")
    args = ap.parse_args()
    choice = chosen_engines(ap, args)

    home = Path(tempfile.mkdtemp(prefix="redgov-bench-snapshots-"))
    os.environ["REDGOV_HOME"] = str(home)
    out = args.history or home / "history"
    figures: dict[str, Any] = {"scale": args.scale, "months": args.months, "seed": args.seed,
                               "repeat": args.repeat, "load_before": os.getloadavg(),
                               "nproc": os.cpu_count()}
    try:
        months = sorted(p for p in out.glob("????-??-??") if (p / "清单.csv").exists())
        if len(months) != args.months:
            figures["generate_s"] = round(generate(args.scale, args.seed, args.months, out), 2)
            months = sorted(p for p in out.glob("????-??-??") if (p / "清单.csv").exists())
            print(f"generated {len(months)} monthly {args.scale} exports in "
                  f"{figures['generate_s']} s", flush=True)
        figures["engines"] = {}
        for engine in engines_of(choice):
            with bench_engine(engine, home, args.store) as open_graph:
                store = open_graph("bench")
                try:
                    figures["engines"][engine] = run_engine(engine, store, months, home,
                                                            args.repeat, args.scale)
                finally:
                    store.close()
        figures["load_after"] = os.getloadavg()
        print_table(figures["engines"])
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
