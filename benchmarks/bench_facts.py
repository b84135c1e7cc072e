"""Facts at publish time (issue 18): their cost inside the sync, and the reads they speed up.

Usage::

    python benchmarks/bench_facts.py [--scale district|city|province] [--months 2]
                                     [--seed 1] [--repeat 3] [--engines falkordb|neo4j|both]
                                     [--export DIR]

Generates a ``demo --history`` of ``--months`` monthly full exports (about 2 % churn a
month), then on a private server per engine (as ``bench_sync.py``: a temporary data
directory, never a user's graph) syncs them in order and prints, and as one JSON line at
the end:

- per sync: wall time, the phases, and the compound facts written before publishing
  (``SyncReport.facts``: compounds, facts created and closed, compute and write seconds)
  with their share of the sync — the first sync writes every fact, a later month only the
  facts of the compounds it changed;
- at the latest snapshot, for every question with a fact text (``queries/from_facts``),
  unscoped and scoped to the district with the most compounds: rows and the median
  seconds read from the facts and computed from the graph (``use_facts=False``);
- the overview's four questions (``dashboard.figures.FIGURE_QUESTIONS``, as the overview
  asks them) asked once, from the facts and from the graph: what a first overview load
  after a sync waits for at least (``bench_dashboard.py`` times the page itself).

The machine's load average is printed beside the figures: its cores are shared.
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

from bench_reads import _BIGGEST_DISTRICT, _timed  # the same district, timed the same way
from bench_sync import _load, bench_engine, engines_of, wipe
from redgov.graph.stores import Store


def syncs(store: Store, folders: list[Path]) -> list[dict[str, Any]]:
    from redgov.loaders import sync_export

    out = []
    for folder in folders:
        report = sync_export(store, folder)
        assert report.status == "applied", (folder, report.status, report.errors[:5])
        facts = dict(report.facts)
        spent = facts.get("compute_s", 0) + facts.get("write_s", 0)
        row = {"export": folder.name, "seconds": round(report.duration_s, 2),
               "phases": {k: round(v, 2) for k, v in report.phases.items()},
               "facts": facts, "facts_share": round(spent / report.duration_s, 4),
               "load": _load()}
        out.append(row)
        print(f"sync {folder.name}: {report.duration_s:.1f} s; facts {facts} = "
              f"{100 * row['facts_share']:.1f} % of the sync   load {_load()}", flush=True)
    return out


def questions(store: Store, repeat: int) -> dict[str, Any]:
    from redgov.queries import run_question
    from redgov.queries.fact_texts import FACT_TEXTS

    district = store.read(_BIGGEST_DISTRICT)[0]["code"]
    out: dict[str, Any] = {"scope": district}
    asks = [(n, {}) for n in sorted(FACT_TEXTS)] + [("coverage_rollup", {"level": "district"})]
    for name, extra in asks:
        key = name + "".join(f".{v}" for v in extra.values())
        fig: dict[str, Any] = {}
        for label, scope in (("unscoped", None), ("scoped", district)):
            params = {**extra, **({"scope": scope} if scope else {})}
            facts_s, a = _timed(lambda n=name, p=params: run_question(store, n, p), repeat)
            graph_s, b = _timed(lambda n=name, p=params: run_question(
                store, n, p, use_facts=False), repeat)
            assert a.rows == b.rows, (name, params, "facts and definition differ")
            fig[label] = {"rows": a.count, "facts_s": facts_s, "graph_s": graph_s}
        fig["load"] = _load()
        out[key] = fig
        u, s = fig["unscoped"], fig["scoped"]
        print(f"{key:34s} unscoped {u['rows']:>6} rows: facts {u['facts_s']:>7.3f} s, "
              f"graph {u['graph_s']:>7.3f} s | scoped {s['rows']:>5}: facts {s['facts_s']:.3f} s,"
              f" graph {s['graph_s']:.3f} s   load {_load()}", flush=True)
    return out


def overview(store: Store) -> dict[str, Any]:
    from redgov.dashboard.figures import FIGURE_QUESTIONS
    from redgov.queries import run_question

    def ask(use_facts: bool) -> None:
        for name in FIGURE_QUESTIONS:
            params = {"level": "district"} if name == "coverage_rollup" else {}
            run_question(store, name, params, use_facts=use_facts)

    graph_s, _ = _timed(lambda: ask(False), 1)
    facts_s, _ = _timed(lambda: ask(True), 1)
    print(f"overview's four questions: facts {facts_s:.3f} s, graph {graph_s:.3f} s   "
          f"load {_load()}", flush=True)
    return {"facts_s": facts_s, "graph_s": graph_s, "load": _load()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="city", choices=["district", "city", "province"])
    parser.add_argument("--months", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="falkordb", choices=["falkordb", "neo4j", "both"])
    parser.add_argument("--export", type=Path, default=None,
                        help="reuse (or create) the history's folders here")
    args = parser.parse_args()
    from redgov.loaders.demo.history import generate_history

    home = Path(tempfile.mkdtemp(prefix="redgov-bench-facts-"))
    os.environ["REDGOV_HOME"] = str(home)
    out = args.export or home / "history"
    figures: dict[str, Any] = {"scale": args.scale, "months": args.months, "seed": args.seed,
                               "nproc": os.cpu_count(), "load": _load(), "engines": {}}
    try:
        t0 = time.perf_counter()
        _, months = generate_history(out, scale=args.scale, seed=args.seed, months=args.months)
        figures["generation_s"] = round(time.perf_counter() - t0, 2)
        for engine in engines_of(args.engines):
            with bench_engine(engine, home, None) as open_graph:
                store = open_graph("bench_facts")
                try:
                    wipe(store)
                    store.setup_schema()
                    per = {"load_at_start": _load(),
                           "syncs": syncs(store, [m.folder for m in months])}
                    per["questions"] = questions(store, args.repeat)
                    per["overview"] = overview(store)
                    per["load_at_end"] = _load()
                    figures["engines"][engine] = per
                finally:
                    store.close()
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
