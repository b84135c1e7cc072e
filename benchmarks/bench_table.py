"""Issue 18's acceptance table: every figure, one export, one graph per engine.

Usage::

    python benchmarks/bench_table.py [--scale city|province|district] [--seed 1]
                                     [--engines falkordb|neo4j|both] [--repeat 1]
                                     [--neo4j-heap 2g] [--readers 20] [--load-seconds 60]
                                     [--skip PARTS] [--before FILE] [--export DIR]
                                     [--warm] [--keep] [--table FILE]

Why a script of its own: the issue's figures come from six benchmarks that each build
their own graph, so a table assembled from their separate runs mixes machine states
(this machine's 2 cores are shared: the load moves every figure).  Here one demo export
is generated once and each engine gets one private server and one graph, on which the
existing scripts' own functions run one after the other (nothing is copied from them;
their JSON is read with ``.get``, so fields they add later are carried along):

1. ``bench_sync.run_engine``: first sync, unchanged re-sync, ``verify=True`` re-sync, the
   raw ``UNWIND … CREATE`` replay of the same rows (sync ÷ raw, verify ÷ first, in wall
   and CPU seconds).  On Neo4j (one database) the replay replaced the synced graph, so
   the export is synced again into the emptied database (its time is reported too);
2. ``bench_dashboard.main``: overview and hierarchy pages (district, street, compound),
   first load after a sync (kept answers deleted, caches cleared); median of --repeat runs;
3. ``bench_audit.run_engine``: every catalog question unscoped and scoped to the district
   with the most compounds (median of --repeat), and the in-memory pandas answer of the
   compared questions (graph ÷ pandas, answers compared);
4. ``bench_reads.status_figures``: ``status`` in-process (first, later) and the
   ``redgov status`` command;
5. ``bench_load.phase``: --readers scoped readers for --load-seconds, then the same while
   ``redgov sync`` alternates the export with the seed+1 export (p95 during a sync);
6. FalkorDB only, ``bench_reads.restart_figures``: ``redgov stop`` then ``redgov status``
   (the embedded server's restart; a Neo4j server is the operator's to restart).

``--warm``: each engine's server first syncs a small export (district, seed 2) and is
emptied, as ``bench_sync.py --warm`` does: the sync and the raw replay then both meet a
server that has compiled its hot code and planned the write texts once, as a long-lived
server has.  Without it, Neo4j's first sync pays the JVM's and the planner's warm-up alone
and the raw replay after it does not (city: sync ÷ raw 0.544 in the ninth session's cold
run, 1.001 with ``bench_sync.py --warm`` in the eleventh).

``--skip sync,readers,…`` leaves parts out (the reads then run on one plain sync of the
export): a Neo4j province run syncs the export three times (the measured first sync, again
after the raw replay, and seed+1's during the readers), ≈ 50 min each on 2 cores.
Each part that fails is reported (``errors`` in the JSON, "—" in the table) and the rest
still runs.  Prints the markdown table (figure × engine; with ``--before FILE``, a JSON
line of an earlier run, "before" and "after" columns side by side) and ONE JSON line with
every figure.  Nothing here is a timed test.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import bench_audit  # the scripts run with benchmarks/ on sys.path
import bench_dashboard
import bench_load
import bench_reads
import bench_sync
from redgov.loaders import sync_export

#: The dashboard pages of the issue's table (bench_dashboard's labels, prefix-matched).
PAGES = ("overview", "hierarchy district", "hierarchy street", "hierarchy compound")
GRAPH = "bench"  # bench_sync.run_engine syncs into this graph
#: What --skip can leave out (in the order they run).
PARTS = ("sync", "dashboard", "questions", "status", "readers", "restart")


def _load() -> list[float]:
    return [round(x, 1) for x in os.getloadavg()]


def _commit() -> str:
    done = subprocess.run(["git", "-C", str(Path(__file__).resolve().parent), "rev-parse",
                           "--short", "HEAD"], capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "-C", str(Path(__file__).resolve().parent), "status",
                            "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, check=False).stdout.strip()
    if done.returncode != 0:
        return "unknown (not a git checkout)"
    return done.stdout.strip() + ("+dirty" if dirty else "")


@contextlib.contextmanager
def _env(values: dict[str, str | None]) -> Iterator[None]:
    """Set (or, for None, remove) environment variables for the block: the CLI, the
    dashboard and the load readers reach the engine's graph through them."""
    old = {k: os.environ.get(k) for k in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class Parts:
    """Runs each part, timing it and keeping its error instead of ending the run."""

    def __init__(self, engine: str, out: dict[str, Any]) -> None:
        self.engine, self.out = engine, out
        out.setdefault("errors", {})
        out.setdefault("part_seconds", {})

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        print(f"[{self.engine}] {name} … (load {_load()})", flush=True)
        t0 = time.perf_counter()
        try:
            result = fn()
        except Exception as exc:  # one part failing must not lose the others' figures
            self.out["errors"][name] = f"{type(exc).__name__}: {exc}"[:2000]
            print(f"[{self.engine}] {name} FAILED: {exc}\n{traceback.format_exc()}",
                  file=sys.stderr, flush=True)
            result = None
        self.out["part_seconds"][name] = round(time.perf_counter() - t0, 1)
        return result


def dashboard_pages(repeat: int) -> dict[str, Any]:
    """bench_dashboard's JSON for the issue's pages, ``repeat`` times; medians of first."""
    runs: list[list[dict[str, Any]]] = []
    for _ in range(repeat):
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            bench_dashboard.main(["--only", ",".join(PAGES), "--repeat", "1", "--json"])
        text = captured.getvalue()
        start = text.find("[\n") if text.startswith("[") else text.rfind("\n[\n") + 1
        runs.append(json.JSONDecoder().raw_decode(text[start:])[0])
    pages: dict[str, Any] = {}
    for key in PAGES:
        rows = [r for run in runs for r in run if r["page"].startswith(key)]
        if rows:
            pages[key] = {"page": rows[0]["page"],
                          "first_s": round(statistics.median(r["first_s"] for r in rows), 3),
                          "runs": rows}
    return pages


def load_phases(export: Path, second: Path, readers: int, seconds: float, timeout: float
                ) -> list[dict[str, Any]]:
    """bench_load's two phases on the graph of the current environment."""
    from redgov.graph.stores import open_store
    from redgov.queries import catalog

    store = open_store()
    try:
        scopes = [r["code"] for r in store.read(bench_load._DISTRICTS)]
    finally:
        store.close()
    names = [q.name for q in catalog() if any(p.name == "scope" for p in q.params)]
    env = dict(os.environ)
    phases = [bench_load.phase("readers only", readers, seconds, scopes, names, timeout, None,
                               env),
              bench_load.phase("readers during syncs", readers, seconds, scopes, names,
                               timeout, [export, second], env)]
    return phases


def run_engine(engine: str, args: argparse.Namespace, home: Path, export: Path,
               second: Path | None, frames: Any, warm: Path | None = None) -> dict[str, Any]:
    figures: dict[str, Any] = {"engine": engine, "load_at_start": _load()}
    parts = Parts(engine, figures)
    # bench_sync keeps the embedded server's pid in a module global for its CPU figures;
    # left over from the FalkorDB run, it would make the Neo4j server's CPU unreadable.
    if hasattr(bench_sync, "_SERVER_PID"):
        bench_sync._SERVER_PID[0] = None
    with bench_sync.bench_engine(engine, home, None) as open_graph:
        probe = open_graph(GRAPH)
        try:
            if engine == "neo4j":
                password = (home / "neo4j" / "password").read_text().strip()
                env: dict[str, str | None] = {
                    "REDGOV_STORE": probe.description, "NEO4J_USER": "neo4j",
                    "NEO4J_PASSWORD": password, "REDGOV_GRAPH": GRAPH}
            else:
                env = {"REDGOV_STORE": None, "REDGOV_GRAPH": GRAPH}
        finally:
            probe.close()
        with _env(env):
            skip = set(args.skip)
            if "sync" not in skip:
                figures["sync"] = parts.run("sync", lambda: bench_sync.run_engine(
                    engine, open_graph, export, home, one_graph=False, warm=warm))
            store = open_graph(GRAPH)
            try:
                if engine == "neo4j" or "sync" in skip:
                    # Neo4j: the raw replay emptied the one database; --skip sync: no graph
                    # yet.  Either way the reads need the synced graph.
                    def again() -> dict[str, Any]:
                        bench_sync.wipe(store)
                        t0 = time.perf_counter()
                        report = sync_export(store, export)
                        assert report.status == "applied", report.status
                        return {"seconds": round(time.perf_counter() - t0, 2),
                                "load_at_end": _load()}
                    figures["sync_again"] = parts.run("sync again", again)
                if engine == "falkordb" and "sync" not in skip:
                    raw = open_graph(f"{GRAPH}_raw")
                    with contextlib.suppress(Exception):
                        bench_sync.wipe(raw)  # free its memory before the reads
                    raw.close()
                if "dashboard" not in skip:
                    figures["dashboard"] = parts.run("dashboard", lambda: dashboard_pages(
                        args.repeat))
                if "questions" not in skip:
                    figures["audit"] = parts.run("questions", lambda: bench_audit.run_engine(
                        engine, store, export, frames, args.repeat))
                if "status" not in skip:
                    figures["status"] = parts.run("status", lambda: bench_reads.status_figures(
                        store, args.repeat))
            finally:
                store.close()
            if second is not None and "readers" not in skip:
                figures["load"] = parts.run("readers", lambda: load_phases(
                    export, second, args.readers, args.load_seconds, args.timeout))
                for p in figures["load"] or []:
                    p.pop("latencies", None)
            if engine == "falkordb" and "restart" not in skip:
                figures["restart"] = parts.run("restart", lambda: bench_reads.restart_figures(
                    args.repeat))
    figures["load_at_end"] = _load()
    return figures


# -- the table ------------------------------------------------------------------------------
def _get(f: Any, *path: Any) -> Any:
    for key in path:
        if isinstance(f, dict):
            f = f.get(key)
        elif isinstance(f, list) and isinstance(key, int) and -len(f) <= key < len(f):
            f = f[key]
        else:
            return None
    return f


def _run(f: dict[str, Any], page: str, key: str) -> Any:
    """A dashboard page's figure from its first run (None when that run did not have it)."""
    runs = _get(f, "dashboard", page, "runs") or [{}]
    return runs[0].get(key)


def _s(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _questions(f: dict[str, Any]) -> list[dict[str, Any]]:
    return _get(f, "audit", "questions") or []


def _over(f: dict[str, Any], limit: float, key: str = "unscoped_s") -> str:
    rows = _questions(f)
    if not rows:
        return "—"
    slow = [r for r in rows if (r.get(key) or 0) > limit]
    return f"{len(slow)} of {len(rows)}"


def _slowest(f: dict[str, Any], n: int = 5, key: str = "unscoped_s") -> str:
    rows = sorted(_questions(f), key=lambda r: -(r.get(key) or 0))[:n]
    return ", ".join(f"`{r['question']}` {r[key]:.2f}" for r in rows if key in r) or "—"


def _pandas(f: dict[str, Any]) -> str:
    rows = [r for r in _questions(f) if r.get("ratio") is not None]
    if not rows:
        return "—"
    lo = min(rows, key=lambda r: r["ratio"])
    hi = max(rows, key=lambda r: r["ratio"])
    agree = "" if all(r.get("agree") for r in rows) else " (answers DIFFER)"
    return (f"×{lo['ratio']:.2f} (`{lo['question']}`) to ×{hi['ratio']:.2f} "
            f"(`{hi['question']}`){agree}")


def _pandas_warm(f: dict[str, Any]) -> str:
    """graph ÷ pandas once the sync's warm step kept the unscoped answers: the highest,
    and how many of the compared questions are above 1×."""
    rows = [r for r in _questions(f) if r.get("ratio_after_warm") is not None]
    if not rows:
        return "—"
    hi = max(rows, key=lambda r: r["ratio_after_warm"])
    over = sum(r["ratio_after_warm"] > 1 for r in rows)
    return (f"{over} of {len(rows)} over 1×; highest ×{hi['ratio_after_warm']:.2f} "
            f"(`{hi['question']}`)")


def _question(f: dict[str, Any], name: str, key: str) -> Any:
    for r in _questions(f):
        if r.get("question") == name:
            return r.get(key)
    return None


def _phase(f: dict[str, Any], label: str) -> dict[str, Any]:
    for p in f.get("load") or []:
        if p.get("phase") == label:
            return p
    return {}


def _pair(a: Any, b: Any) -> str:
    return "—" if a is None and b is None else f"{_s(a, 3)} / {_s(b, 3)}"


def _sync_vs_raw(f: dict[str, Any]) -> str:
    s = f.get("sync") or {}
    first, raw = _get(s, "first_sync", "seconds"), _get(s, "raw_create", "seconds")
    if first is None:
        return "—"
    return (f"{_s(first, 1)} s vs raw {_s(raw, 1)} s "
            f"({_s(_get(s, 'sync_to_raw_ratio'), 3)}×)")


#: (row label, goal, how to read it from one engine's figures).
ROWS: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
    ("server", "", lambda f: _s(_get(f, "sync", "version"))),
    ("load avg at start → end (1/5/15 min)", "",
     lambda f: f"{_get(f, 'load_at_start')} → {_get(f, 'load_at_end')}"),
    ("first sync ÷ raw `UNWIND … CREATE`, wall / CPU s", "≥ 0.8",
     lambda f: _pair(_get(f, "sync", "sync_to_raw_ratio"),
                     _get(f, "sync", "sync_to_raw_cpu_ratio"))),
    ("first sync s vs raw replay s (same rows, same run)", "",
     _sync_vs_raw),
    ("first sync ÷ raw at most, from the sync's CPU s on all cores", "",
     lambda f: _s(_get(f, "sync", "sync_to_raw_cores_bound"), 3)),
    ("re-sync `verify` ÷ first, wall / CPU s", "≤ 0.1",
     lambda f: _pair(_get(f, "sync", "resync_full_diff", "ratio_to_first"),
                     _get(f, "sync", "verify_to_first_cpu_ratio"))),
    ("unscoped questions over 1 s", "none (FalkorDB)", lambda f: _over(f, 1.0)),
    ("unscoped questions over 2 s", "none (Neo4j)", lambda f: _over(f, 2.0)),
    ("slowest unscoped, s", "", _slowest),
    ("the same, first ask (nothing kept) over 1 s / over 2 s", "",
     lambda f: f"{_over(f, 1.0, 'unscoped_first_s')} / {_over(f, 2.0, 'unscoped_first_s')}"),
    ("slowest unscoped first ask (nothing kept), s", "",
     lambda f: _slowest(f, key="unscoped_first_s")),
    ("graph ÷ pandas, same answer", "≤ 1×", _pandas),
    ("the same, after the sync's warm step kept the answers", "", _pandas_warm),
    ("dashboard overview, first load s", "< 2",
     lambda f: _s(_get(f, "dashboard", "overview", "first_s"))),
    ("hierarchy page district / street / compound, first load s", "< 1",
     lambda f: " / ".join(_s(_get(f, "dashboard", k, "first_s")) for k in PAGES[1:])),
    ("the same, cold (nothing kept or warmed) s: overview; district / street / compound",
     "", lambda f: _s(_run(f, "overview", "cold_s")) + "; " + " / ".join(
         _s(_run(f, k, "cold_s")) for k in PAGES[1:])),
    ("post-publish warm step (dashboard/warm.py) s", "",
     lambda f: _s(_run(f, "overview", "warm_s"))),
    ("`duplicate_people` unscoped / scoped s", "< 1 / < 0.2",
     lambda f: _pair(_question(f, "duplicate_people", "unscoped_s"),
                     _question(f, "duplicate_people", "scoped_s"))),
    ("`duplicate_people` scoped, the whole answer kept (warm step) s", "< 0.2",
     lambda f: _s(_question(f, "duplicate_people", "scoped_warm_s"), 3)),
    ("restart: `redgov stop` → `redgov status` s", "< 2",
     lambda f: _s(_get(f, "restart", "restart_status_s")) if f.get("restart")
     else ("n/a (a server the operator runs)" if f.get("engine") == "neo4j" else "—")),
    ("restart: graph queryable s (load: decode / index rebuild s)", "",
     lambda f: f"{_s(_get(f, 'restart', 'restart_queryable_s'))} ("
               + _pair(_get(f, "restart", "load_breakdown", "graphs", GRAPH, "decode_s"),
                       _get(f, "restart", "load_breakdown", "graphs", GRAPH,
                            "index_rebuild_s")) + ")"
     if _get(f, "restart", "restart_queryable_s") is not None else "—"),
    ("`redgov status` command s (in-process first / later)", "< 0.5",
     lambda f: f"{_s(_get(f, 'status', 'status_command_s'))} ("
               + _pair(_get(f, "status", "status_first_s"), _get(f, "status", "status_later_s"))
               + ")" if f.get("status") else "—"),
    ("readers p95 during a sync s (without a sync)", "< 1",
     lambda f: f"{_s(_phase(f, 'readers during syncs').get('p95_s'))} "
               f"({_s(_phase(f, 'readers only').get('p95_s'))})" if f.get("load") else "—"),
    ("first sync s (rows/s)", "",
     lambda f: f"{_s(_get(f, 'sync', 'first_sync', 'seconds'), 1)} "
               f"({_s(_get(f, 'sync', 'first_sync', 'rows_per_s'))})"),
    ("parts that failed", "", lambda f: ", ".join(f.get("errors") or {}) or "none"),
]


def print_table(after: dict[str, Any], before: dict[str, Any] | None = None) -> list[str]:
    """The markdown table: one row per figure, engines side by side (before, after)."""
    names = list(after["engines"])
    columns: list[tuple[str, dict[str, Any]]] = []
    for name in names:
        if before is not None:
            columns.append((f"{name} before", _get(before, "engines", name) or {}))
        columns.append((f"{name}{' after' if before is not None else ''}",
                        after["engines"][name]))
    lines = ["| figure | " + " | ".join(c for c, _ in columns) + " | goal |",
             "|---|" + "---:|" * len(columns) + "---|"]
    for label, goal, read in ROWS:
        cells = []
        for _, f in columns:
            try:
                cells.append(read(f) if f else "—")
            except Exception:  # a figure an older or newer JSON lacks
                cells.append("—")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {goal} |")
    print("\n".join(lines), flush=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="city", choices=["district", "city", "province"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--engines", default="both", choices=["falkordb", "neo4j", "both"])
    ap.add_argument("--repeat", type=int, default=1,
                    help="median of this many runs for each read figure")
    ap.add_argument("--neo4j-heap", default=os.environ.get("REDGOV_NEO4J_HEAP", "2g"),
                    help="the private Neo4j's heap (REDGOV_NEO4J_HEAP); default 2g")
    ap.add_argument("--readers", type=int, default=20)
    ap.add_argument("--load-seconds", type=float, default=60.0,
                    help="each readers phase; 0 skips the readers (and seed+1's export)")
    ap.add_argument("--timeout", type=float, default=120.0, help="the readers' read timeout")
    ap.add_argument("--export", type=Path, default=None, help="reuse (or create) this export")
    ap.add_argument("--skip", type=lambda v: [x for x in v.split(",") if x], default=[],
                    help="comma-separated parts to leave out: " + ",".join(PARTS))
    ap.add_argument("--before", type=Path, default=None,
                    help="a file whose last line is an earlier run's JSON: before/after table")
    ap.add_argument("--table", type=Path, default=None,
                    help="run nothing: print the table of this earlier run's JSON line")
    ap.add_argument("--warm", action="store_true",
                    help="sync a small export into each server and empty it first")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if unknown := set(args.skip) - set(PARTS):
        ap.error(f"--skip: no part {', '.join(sorted(unknown))}; parts: {', '.join(PARTS)}")
    before = None
    if args.before is not None:
        before = json.loads(args.before.read_text().strip().splitlines()[-1])
    if args.table is not None:
        print_table(json.loads(args.table.read_text().strip().splitlines()[-1]), before)
        return 0

    os.environ["REDGOV_NEO4J_HEAP"] = args.neo4j_heap
    home = Path(tempfile.mkdtemp(prefix="redgov-bench-table-"))
    os.environ["REDGOV_HOME"] = str(home)
    for var in ("REDGOV_STORE", "REDGOV_GRAPH"):
        os.environ.pop(var, None)
    t_all = time.perf_counter()
    figures: dict[str, Any] = {
        "script": "bench_table", "scale": args.scale, "seed": args.seed, "repeat": args.repeat,
        "neo4j_heap": args.neo4j_heap, "commit": _commit(), "nproc": os.cpu_count(),
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "load_at_start": _load(), "readers": args.readers, "load_seconds": args.load_seconds,
        "warm": args.warm,
    }
    export = args.export or home / "export"
    try:
        if not (export / "清单.csv").exists():
            figures["generation_s"] = round(
                bench_sync.generate_export(args.scale, args.seed, export), 2)
        second = None
        if args.load_seconds > 0 and "readers" not in args.skip:
            second = home / "export-seed2"
            bench_sync.generate_export(args.scale, args.seed + 1, second)
        warm = None
        if args.warm and "sync" not in args.skip:
            warm = home / "export-warm"
            bench_sync.generate_export("district", 2, warm)
        frames = bench_audit.load_export(export)
        figures["engines"] = {}
        for engine in bench_sync.engines_of(args.engines):
            figures["engines"][engine] = run_engine(engine, args, home, export, second, frames,
                                                    warm)
        figures["load_at_end"] = _load()
        figures["total_s"] = round(time.perf_counter() - t_all, 1)
        print(f"\n{args.scale}, commit {figures['commit']}, started {figures['started_at']}, "
              f"{figures['total_s']:.0f} s, load {figures['load_at_start']} → "
              f"{figures['load_at_end']}\n")
        figures["table"] = print_table(figures, before)
        print(json.dumps(figures, ensure_ascii=False, default=str))
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
