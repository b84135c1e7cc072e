"""Audit benchmark: every catalog question on the demo graph, scoped and unscoped.

Usage::

    python benchmarks/bench_audit.py [--scale district|city|province] [--seed 1]
                                     [--repeat 5] [--export DIR] [--keep]
                                     [--engines falkordb|neo4j|both] [--store SPEC]
                                     [--questions NAME,NAME]

Runs on private servers (temporary data directory): an embedded FalkorDB and, for
``neo4j``/``both``, a Neo4j 5.26 started with tests/neo4j/server (heap
``REDGOV_NEO4J_HEAP``), so a user's graph is never touched; ``--store`` measures a server
you run instead (the export is synced into it: a graph already holding it is unchanged).
With ``--engines both`` the same export and questions run on each engine and a table
compares the latencies.  Prints, and as JSON at the end:

- generation and sync (load) time of the demo export;
- per question: rows and median latency unscoped and scoped to the district holding the
  most compounds (targets: scoped < 0.5 s, unscoped < 5 s), and the first ask's latency
  with nothing kept (``*_first_s``: a network question's later asks read its kept answer,
  and so does any other question whose unscoped answer is large or slow:
  queries/kept_answers.py), and the scoped latency once the unscoped answer is kept as the
  post-publish warm step keeps it (``scoped_warm_s``: queries/scoped_answers.py); for a
  network question, the first ask for the day before once the default ask has run
  (``as_of_first_s``: an ``--as-of`` ask, which reads the kept post network), with its
  pandas figure for that date (``as_of_memory_s``, ``as_of_ratio``);
- for a subset of questions, the same answer computed in memory with pandas / networkx
  from the export's CSV files (CSV load time reported separately and excluded), the
  ratio graph ÷ in-memory (``ratio``: a network question's first ask with nothing kept,
  any other question's median ask), the same once the unscoped answer is kept as
  `redgov sync`'s warm step keeps it (``unscoped_warm_s``, ``ratio_after_warm``: what a
  person's first ask after a sync meets once that step is done; it runs by default after
  syncs of graphs of at least ``dashboard.warm.MIN_COMPOUNDS`` compounds, or with
  ``REDGOV_WARM=on``), and whether both agree.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
from bench_sync import (  # the scripts run with benchmarks/ on sys.path
    bench_engine,
    engines_of,
    generate_export,
)
from engine_choice import chosen_engines
from redgov.graph.cypher import cypher
from redgov.graph.stores import Store
from redgov.graph.summaries import forget
from redgov.graph.vocabulary import normalise_role
from redgov.loaders import sync_export
from redgov.queries import catalog, run_question

_BIGGEST_DISTRICT = cypher(
    "bench.audit.biggest_district",
    """
MATCH (c:Unit {level: 'compound'})
RETURN c.district_code AS code, count(*) AS n
ORDER BY n DESC, code
LIMIT 1
""",
)
PARTY = ("党委", "党总支", "党支部")


def forget_kept(store: Store) -> None:
    """Delete the answers kept per snapshot (graph/summaries.py): the next ask computes."""
    with contextlib.suppress(Exception):
        forget(store)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


# --- the same answers in memory, from the export -------------------------------------------
def load_export(folder: Path) -> dict[str, pd.DataFrame]:
    frames = {}
    for name in ("单位", "组织", "人员", "任职", "物业服务"):
        df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        frames[name] = df.apply(lambda s: s.str.strip())
    return frames


def _active_posts(f: dict[str, pd.DataFrame], as_of: str) -> pd.DataFrame:
    p = f["任职"]
    live = (p["开始日期"] <= as_of) & ((p["结束日期"] == "") | (as_of < p["结束日期"]))
    orgs = f["组织"][f["组织"]["状态"] == "正常"][["组织编码", "类型", "所在单位编码"]]
    return p[live].merge(orgs, on="组织编码")


def _party_compounds(f: dict[str, pd.DataFrame]) -> set[str]:
    o = f["组织"]
    party = o[(o["状态"] == "正常") & o["类型"].isin(PARTY)]
    return {c for codes in party["依托主体编码"] for c in codes.split(";") if c}


def mem_overdue(f: dict[str, pd.DataFrame], as_of: str) -> int:
    o = f["组织"]
    return int(((o["类型"] == "业主委员会") & (o["状态"] == "正常") & (o["届满日期"] != "")
                & (o["届满日期"] < as_of)).sum())


def mem_party_share(f: dict[str, pd.DataFrame], as_of: str) -> dict[str, int]:
    posts = _active_posts(f, as_of)
    posts = posts[posts["类型"] == "业主委员会"]
    standing = f["人员"].set_index("人员编码")["政治面貌"]
    member = {"中共党员", "中共预备党员"}
    ocs = f["组织"][(f["组织"]["类型"] == "业主委员会") & (f["组织"]["状态"] == "正常")]
    out: dict[str, int] = {}
    groups = dict(tuple(posts.groupby("组织编码")))
    for code in ocs["组织编码"]:
        g = groups.get(code)
        if g is None:
            g = posts.iloc[0:0]
        people = set(g["人员编码"])
        party = sum(standing.get(p) in member for p in people)
        chairs = sorted(g[g["职务"].map(normalise_role) == "director"]["人员编码"])
        share = party / len(people) if people else 0.0
        if chairs and standing.get(chairs[0]) not in member:
            finding = "主任非党员"
        elif share < 0.30:
            finding = "党员比例不足"
        else:
            finding = "ok"
        out[finding] = out.get(finding, 0) + 1
    return out


def mem_without_branch(f: dict[str, pd.DataFrame], as_of: str) -> int:
    units = f["单位"]
    compounds = set(units[units["层级"].isin(["小区", "院落"])]["单位编码"])
    return len(compounds - _party_compounds(f))


def mem_rollup(f: dict[str, pd.DataFrame], as_of: str) -> list[tuple[str, int, int, int, int]]:
    units = f["单位"].set_index("单位编码")
    parent = units["上级单位编码"].to_dict()
    compounds = [c for c, lv in units["层级"].items() if lv in ("小区", "院落")]
    street_of = {c: parent[parent[c]] for c in compounds}
    with_party = _party_compounds(f)
    o = f["组织"]
    oc = set(o[(o["类型"] == "业主委员会") & (o["状态"] == "正常")]["所在单位编码"])
    k = f["物业服务"]
    live_co = set(o[(o["类型"] == "物业服务企业") & (o["状态"] == "正常")]["组织编码"])
    live = k[(k["开始日期"] <= as_of) & ((k["结束日期"] == "") | (as_of < k["结束日期"]))
             & k["企业编码"].isin(live_co)]
    managed = set(live["小区编码"])
    rows: dict[str, list[int]] = {}
    for c in compounds:
        r = rows.setdefault(street_of[c], [0, 0, 0, 0])
        r[0] += 1
        r[1] += c in with_party
        r[2] += c in oc
        r[3] += c in managed
    return sorted((s, *v) for s, v in rows.items())


def mem_overloaded(f: dict[str, pd.DataFrame], as_of: str) -> int:
    posts = _active_posts(f, as_of)
    counts = posts.groupby("人员编码").size()
    return int((counts > 3).sum())


def mem_interlocks(f: dict[str, pd.DataFrame], as_of: str) -> int:
    posts = _active_posts(f, as_of)
    g = nx.Graph()
    g.add_edges_from(zip("p" + posts["人员编码"], "o" + posts["组织编码"], strict=True))
    orgs = {n for n in g if n.startswith("o")}
    projected = nx.bipartite.projected_graph(g, orgs)
    return projected.number_of_edges()


def graph_view(name: str) -> Callable[[list[dict[str, Any]]], Any]:
    """How to read the graph question's rows into the in-memory answer's shape."""
    if name == "owners_committee_party_share":
        def share(rows: list[dict[str, Any]]) -> dict[str, int]:
            out: dict[str, int] = {}
            for r in rows:
                out[r["finding"]] = out.get(r["finding"], 0) + 1
            return out
        return share
    if name == "coverage_rollup":
        return lambda rows: sorted((r["unit_code"], r["compounds"], r["with_party_org"],
                                    r["with_owners_committee"], r["managed"]) for r in rows
                                   if r["compounds"])
    return len


IN_MEMORY: dict[str, Callable[[dict[str, pd.DataFrame], str], Any]] = {
    "overdue_reelection": mem_overdue,
    "owners_committee_party_share": mem_party_share,
    "compounds_without_branch": mem_without_branch,
    "coverage_rollup": mem_rollup,
    "overloaded": mem_overloaded,
    "interlocks": mem_interlocks,
}


def run_engine(engine: str, store: Store, export: Path, frames: dict[str, pd.DataFrame],
               repeat: int, only: frozenset[str] = frozenset()) -> dict[str, Any]:
    figures: dict[str, Any] = {"engine": engine, "version": store.version()}
    store.setup_schema()
    t0 = time.perf_counter()
    report = sync_export(store, export)
    figures["sync_s"] = round(time.perf_counter() - t0, 2)
    figures["sync_status"] = report.status
    assert report.status in ("applied", "unchanged"), report.status
    district = store.read(_BIGGEST_DISTRICT)[0]
    figures["district"] = {"code": district["code"], "compounds": district["n"]}
    print(f"[{engine}] sync {figures['sync_s']} s ({report.status}); district "
          f"{district['code']} ({district['n']} compounds)", flush=True)
    as_of = run_question(store, "overdue_reelection").params["as_of"]
    rows = []
    for q in catalog():
        if only and q.name not in only:
            continue
        # A network question's answer is kept per snapshot after its first ask
        # (queries/runner.py): its first ask, with nothing kept, is timed on its own, and
        # the graph ÷ memory ratio uses it (the median of the next asks is a kept read).
        forget_kept(store)
        first, _ = timed(lambda q=q: run_question(store, q.name), 1)
        whole, res = timed(lambda q=q: run_question(store, q.name), repeat)
        forget_kept(store)
        scoped_first, _ = timed(
            lambda q=q: run_question(store, q.name, {"scope": district["code"]}), 1)
        scoped, sres = timed(
            lambda q=q: run_question(store, q.name, {"scope": district["code"]}), repeat)
        # After the post-publish warm step (dashboard/warm.py) every unscoped answer is kept,
        # and a few scoped ones are narrowed from it (queries/scoped_answers.py).
        run_question(store, q.name, keep=True)
        scoped_warm, wres = timed(
            lambda q=q: run_question(store, q.name, {"scope": district["code"]}), repeat)
        assert wres.rows == sres.rows, f"{q.name}: scoped after warming differs"
        # The unscoped ask once `redgov sync`'s warm step has run (dashboard/warm.py: by
        # default at ≥ MIN_COMPOUNDS compounds): its kept answer, the same rows.
        whole_warm, uwres = timed(lambda q=q: run_question(store, q.name), repeat)
        assert uwres.rows == res.rows, f"{q.name}: unscoped after warming differs"
        forget_kept(store)
        row: dict[str, Any] = {"question": q.name, "rules": ",".join(q.rules),
                               "rows": res.count, "unscoped_s": round(whole, 4),
                               "unscoped_first_s": round(first, 4),
                               "scoped_rows": sres.count, "scoped_s": round(scoped, 4),
                               "scoped_first_s": round(scoped_first, 4),
                               "scoped_warm_s": round(scoped_warm, 4),
                               "unscoped_warm_s": round(whole_warm, 4)}
        if q.name in IN_MEMORY:
            mem_s, mem = timed(lambda q=q: IN_MEMORY[q.name](frames, as_of), repeat)
            row["memory_s"] = round(mem_s, 4)
            graph_s = first if q.kind == "analytics" else whole
            row["ratio"] = round(graph_s / mem_s, 2) if mem_s else None
            row["ratio_after_warm"] = round(whole_warm / mem_s, 2) if mem_s else None
            row["agree"] = graph_view(q.name)(res.rows) == mem
        if q.kind == "analytics":
            # Another date's first ask, after this snapshot's first: what an ``--as-of``
            # ask, or any first ask once the network is kept (queries/analytics.py
            # read_network), waits for; compared with pandas on that date too.
            forget_kept(store)
            run_question(store, q.name)
            other = (date.fromisoformat(as_of) - timedelta(days=1)).isoformat()
            as_of_first, _ = timed(lambda q=q, d=other: run_question(store, q.name,
                                                                     {"as_of": d}), 1)
            forget_kept(store)
            row["as_of_first_s"] = round(as_of_first, 4)
            if q.name in IN_MEMORY:
                mem_d, _ = timed(lambda q=q, d=other: IN_MEMORY[q.name](frames, d), repeat)
                row["as_of_memory_s"] = round(mem_d, 4)
                row["as_of_ratio"] = round(as_of_first / mem_d, 2) if mem_d else None
        rows.append(row)
        print(f"[{engine}] {q.name:34s} rows {res.count:7d}  unscoped {whole:8.3f} s  "
              f"(first {first:7.3f} s)  scoped {scoped:7.3f} s  (warmed {scoped_warm:7.3f} s)"
              + (f"  memory {row['memory_s']:7.3f} s  ratio {row['ratio']:6.2f}  "
                 f"(after warm {row['ratio_after_warm']:6.2f})  "
                 f"agree {row['agree']}" if "memory_s" in row else "")
              + (f"  as_of first {row['as_of_first_s']:7.3f} s" if "as_of_first_s" in row
                 else "")
              + (f" ratio {row['as_of_ratio']:6.2f}" if "as_of_ratio" in row else ""),
              flush=True)
    figures["questions"] = rows
    return figures


def print_table(per_engine: dict[str, dict[str, Any]]) -> None:
    """Median seconds per question, unscoped and scoped, side by side."""
    names = list(per_engine)
    print("| question | rows | " + " | ".join(f"{n} unscoped s | {n} scoped s" for n in names)
          + " |")
    print("|---|---|" + "---|---|" * len(names))
    by_engine = {n: {r["question"]: r for r in per_engine[n]["questions"]} for n in names}
    for q in by_engine[names[0]]:
        cells = []
        for n in names:
            r = by_engine[n][q]
            cells += [f"{r['unscoped_s']:.3f}", f"{r['scoped_s']:.3f}"]
        print(f"| `{q}` | {by_engine[names[0]][q]['rows']} | " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="city", choices=["district", "city", "province"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--export", type=Path, default=None, help="reuse this generated export")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    ap.add_argument("--engines", default=None, choices=["falkordb", "neo4j", "both"],
                    help="default: the engine of --store, else falkordb")
    ap.add_argument("--store", default=None, help="measure this server instead")
    ap.add_argument("--questions", default="",
                    help="only these questions (comma-separated; default: the whole catalog)")
    args = ap.parse_args()
    choice = chosen_engines(ap, args)
    only = frozenset(n for n in args.questions.split(",") if n)

    home = Path(tempfile.mkdtemp(prefix="redgov-bench-audit-"))
    os.environ["REDGOV_HOME"] = str(home)
    figures: dict[str, Any] = {"scale": args.scale, "repeat": args.repeat,
                               "load": os.getloadavg(), "questions": sorted(only)}
    export = args.export or home / "export"
    try:
        if not (export / "清单.csv").exists():
            figures["generate_s"] = round(generate_export(args.scale, args.seed, export), 2)
        t0 = time.perf_counter()
        frames = load_export(export)
        figures["csv_load_s"] = round(time.perf_counter() - t0, 2)
        figures["engines"] = {}
        for engine in engines_of(choice):
            with bench_engine(engine, home, args.store) as open_graph:
                store = open_graph("bench")
                try:
                    figures["engines"][engine] = run_engine(engine, store, export, frames,
                                                            args.repeat, only)
                finally:
                    store.close()
        figures["load_at_end"] = os.getloadavg()
        print_table(figures["engines"])
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
