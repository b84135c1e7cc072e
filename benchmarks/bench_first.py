"""First sync ÷ raw ``UNWIND … CREATE`` only (issue 18's write rate), without the re-syncs.

Usage::

    python benchmarks/bench_first.py [--scale district|city|province] [--seed 1]
                                     [--export DIR] [--engines falkordb|neo4j|both]

Why a script of its own: ``bench_sync.py`` also times two re-syncs and the verify split
(at province ≈ 6 more minutes, under the shared province lock).  This runs only the
first sync and the raw replay on private servers, with ``bench_sync.py``'s own functions,
so its figures (``first_sync`` with its split and CPU seconds, ``raw_create``, the wall,
CPU and longest-chain ratios, the load) are the same figures as there.  JSON at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_sync import (
    _load,
    bench_engine,
    cpu_seconds,
    cpu_spent,
    critical_path_cpu,
    engines_of,
    generate_export,
    graph_counts,
    param_text_timer,
    raw_replay,
    time_split,
    wipe,
)
from engine_choice import chosen_engines


def run_first(engine: str, open_graph: Any, export: Path, home: Path) -> dict[str, Any]:
    from redgov.loaders import sync_export

    figures: dict[str, Any] = {"engine": engine, "load_at_start": _load()}
    store = open_graph("bench")
    raw = store if engine == "neo4j" else open_graph("bench_raw")
    for graph in {id(store): store, id(raw): raw}.values():
        wipe(graph)
        graph.setup_schema()
    cpu0 = cpu_seconds(home)
    with param_text_timer() as param_text:
        first = sync_export(store, export)
    assert first.status == "applied", first.errors[:10]
    nodes, rels = graph_counts(store)
    written = sum(nodes.values()) + sum(rels.values())
    figures["first_sync"] = {
        "seconds": round(first.duration_s, 2), "rows": written,
        "phases": {k: round(v, 2) for k, v in first.phases.items()},
        "facts": dict(first.facts), **cpu_spent(cpu0, cpu_seconds(home)),
        "overlapped": "wait_for_validation_s" in first.split,
        "split": time_split(first.split, param_text),
    }
    print(f"[{engine}] first sync {first.duration_s:.1f} s: {figures['first_sync']}", flush=True)
    cpu0 = cpu_seconds(home)
    rawfig = raw_replay(store, raw)
    figures["raw_create"] = {**{k: round(v, 2) for k, v in rawfig.items()},
                             **cpu_spent(cpu0, cpu_seconds(home))}
    figures["sync_to_raw_ratio"] = round(written / first.duration_s / rawfig["rows_per_s"], 3)
    first_cpu, raw_cpu = figures["first_sync"]["cpu_s"], figures["raw_create"]["cpu_s"]
    if first_cpu and raw_cpu:
        figures["sync_to_raw_cpu_ratio"] = round(raw_cpu / first_cpu, 3)
        path = critical_path_cpu(figures["first_sync"])
        figures["first_sync"]["critical_path_cpu_s"] = path
        if path:
            figures["sync_to_raw_critical_path_ratio"] = round(raw_cpu / path, 3)
    figures["load_at_end"] = _load()
    print(f"[{engine}] raw {rawfig['seconds']:.1f} s; sync ÷ raw {figures['sync_to_raw_ratio']}"
          f" (CPU {figures.get('sync_to_raw_cpu_ratio')})", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="city", choices=["district", "city", "province"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--export", type=Path, default=None,
                        help="reuse (or create) the export in this folder")
    parser.add_argument("--engines", default=None, choices=["falkordb", "neo4j", "both"])
    parser.add_argument("--store", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    choice = chosen_engines(parser, args)
    home = Path(tempfile.mkdtemp(prefix="redgov-bench-first-"))
    os.environ["REDGOV_HOME"] = str(home)
    export = args.export or home / "export"
    figures: dict[str, Any] = {"script": "bench_first", "scale": args.scale, "seed": args.seed,
                               "nproc": os.cpu_count(), "load": os.getloadavg(),
                               "started_at": time.strftime("%Y-%m-%d %H:%M:%S UTC",
                                                           time.gmtime())}
    try:
        if not (export / "清单.csv").exists():
            figures["generation_s"] = round(generate_export(args.scale, args.seed, export), 2)
        figures["engines"] = {}
        for engine in engines_of(choice):
            with bench_engine(engine, home, None) as open_graph:
                figures["engines"][engine] = run_first(engine, open_graph, export, home)
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
