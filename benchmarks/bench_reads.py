"""Read-side figures of issue 18 on the graph of the current REDGOV_HOME / REDGOV_GRAPH.

Usage (after ``redgov demo --scale city`` or ``province``, same environment)::

    python benchmarks/bench_reads.py [--repeat 3] [--only duplicate_people,brokers]
                                     [--no-questions] [--restart] [--json]

Prints, and as one JSON line at the end (every figure):

- per catalog question (``--only`` to choose): rows and seconds unscoped and scoped to
  the district holding the most compounds, the first ask with nothing kept (``*_first_s``,
  what the first reader after a sync waits) and the median of the next asks (``*_s``: a
  network question's answer is kept per snapshot after the first);
  for a question with a fact text (``queries/from_facts``) also whether the facts
  answered (``from_facts``) and the same two times computed from the graph
  (``unscoped_graph_s``, ``scoped_graph_s``);
- ``status``: ``graph.introspection.status`` in-process, the first call after the kept
  summaries were removed (what the first ``redgov status`` after a sync pays) and the
  median of the next calls; then the wall time of the ``redgov status`` command (a new
  process each time: interpreter, imports, connection and the read);
- with ``--restart`` (embedded store only): ``redgov stop`` then ``redgov status`` (which
  answers the load's state while the server loads), the time until a read answers (the
  graph queryable), and where the load went (decode and index rebuild per graph, from
  the server's log);
- with ``--pages``: the dashboard's overview and hierarchy pages (a district, a street, a
  compound) through ``bench_dashboard.page_results``: first load right after a sync,
  first load with the kept answers, later loads (``--pages all``: every page).

The ``redgov status`` command's CPU seconds (the child's user + system time) are given
beside its wall time: on a loaded machine the wall time is mostly waiting for a core.

Nothing here is a timed test: the script prints figures; the machine's load average is
printed beside them, because on a shared 2-core machine it moves every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

_BIGGEST_DISTRICT = """
MATCH (c:Unit {level: 'compound'})
RETURN c.district_code AS code, count(*) AS n
ORDER BY n DESC, code
LIMIT 1
"""
_FORGET = "MATCH (s:SnapshotSummary) DELETE s"


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 3), result


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def _cli(*args: str) -> float:
    return _cli_cpu(*args)[0]


#: A command is timed as an installed redgov runs: with its bytecode cached.  pip compiles
#: a wheel's modules when it installs them, and an editable install writes the cache at its
#: first run, unless ``PYTHONDONTWRITEBYTECODE`` is set, as it is on our machines, where every
#: command then compiled ~40 modules from source again (~70 ms of a ~0.4 s status).
_CLI_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _cli_cpu(*args: str) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one ``redgov`` command in a new process."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "redgov", *args], check=True, env=_CLI_ENV,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return round(wall, 3), round(cpu, 3)


def forget(store: Any) -> None:
    """Delete the answers kept per snapshot, so that the next ask computes (as the first
    ask after a sync does)."""
    with contextlib.suppress(Exception):
        store.write_meta(_FORGET)


def questions(store: Any, only: list[str], repeat: int) -> dict[str, Any]:
    from redgov.graph.compound_facts import facts_ready
    from redgov.queries import catalog, run_question
    from redgov.queries.fact_texts import FACT_TEXTS

    district = store.read(_BIGGEST_DISTRICT)[0]["code"]
    out: dict[str, Any] = {"scope": district}
    for q in catalog():
        if only and q.name not in only:
            continue
        if not any(p.name == "scope" for p in q.params):
            continue
        # The first ask after a sync computes; a network question's answer is then kept
        # per snapshot (queries/runner.py), so later asks read it back: both are figures.
        forget(store)
        unscoped_first, _ = _timed(lambda q=q: run_question(store, q.name, None), 1)
        unscoped, a = _timed(lambda q=q: run_question(store, q.name, None), repeat)
        forget(store)
        scoped_first, _ = _timed(lambda q=q: run_question(store, q.name, {"scope": district}), 1)
        scoped, b = _timed(lambda q=q: run_question(store, q.name, {"scope": district}), repeat)
        out[q.name] = {"rows": a.count, "unscoped_first_s": unscoped_first,
                       "unscoped_s": unscoped, "scoped_rows": b.count,
                       "scoped_first_s": scoped_first, "scoped_s": scoped, "load": _load()}
        graph = ""
        if q.name in FACT_TEXTS:  # also computed from the graph, as before facts existed
            out[q.name]["from_facts"] = facts_ready(store.read, a.snapshot and a.snapshot.run_id)
            out[q.name]["unscoped_graph_s"], _ = _timed(
                lambda q=q: run_question(store, q.name, None, use_facts=False), repeat)
            out[q.name]["scoped_graph_s"], _ = _timed(lambda q=q: run_question(
                store, q.name, {"scope": district}, use_facts=False), repeat)
            graph = (f"  (graph {out[q.name]['unscoped_graph_s']:.3f} / "
                     f"{out[q.name]['scoped_graph_s']:.3f} s)")
        print(f"{q.name:32s} {a.count:>7} {unscoped_first:>8.3f} {unscoped:>8.3f} s "
              f"{b.count:>7} {scoped_first:>8.3f} {scoped:>8.3f} s{graph}   load {_load()}",
              flush=True)
    return out


def status_figures(store: Any, repeat: int) -> dict[str, Any]:
    from redgov.graph.introspection import status

    # The first status after a sync finds nothing kept (an older redgov keeps nothing).
    forget(store)
    t0 = time.perf_counter()
    status(store)
    first = round(time.perf_counter() - t0, 3)
    later, _ = _timed(lambda: status(store), repeat)
    _cli_cpu("status")  # writes the bytecode cache, as a user's first run does
    runs = [_cli_cpu("status") for _ in range(repeat)]
    command = statistics.median(w for w, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    imports = statistics.median(_import_s() for _ in range(repeat))
    figures = {"status_first_s": first, "status_later_s": later,
               "status_command_s": round(command, 3), "status_command_cpu_s": round(cpu, 3),
               "status_import_s": imports, "load": _load()}
    print(f"status in-process: first {first} s, later {later} s; `redgov status` "
          f"{command:.3f} s ({cpu:.3f} CPU s), of which starting Python and importing the "
          f"command line {imports:.3f} s   load {_load()}", flush=True)
    return figures


def _import_s() -> float:
    """A new process that imports the command line and ends: what every command pays
    before it does anything (redis-py 8 alone imports asyncio, ~0.15 s)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import redgov.cli"], check=True, env=_CLI_ENV)
    return round(time.perf_counter() - t0, 3)


def restart_figures(repeat: int) -> dict[str, Any]:
    """``redgov stop``, then three times from the same start (the median of --repeat):

    - ``restart_status_s``: the ``redgov status`` that finds the server stopped, starts it
      in the background and answers (the load's state while it loads);
    - ``restart_queryable_s``: until a read answers (``redgov cypher``, which waits for the
      load as every command but status does) — the graph's own restart time;
    - ``load``: where the load went, from the server's log (:func:`load_breakdown`).
    """
    walls, queryable, stops, states, loads = [], [], [], [], []
    for _ in range(repeat):
        stops.append(_cli("stop"))
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "redgov", "status", "--format", "json"],
                             check=True, capture_output=True, text=True, env=_CLI_ENV).stdout
        walls.append(round(time.perf_counter() - t0, 3))
        with contextlib.suppress(ValueError):
            states.append(json.loads(out).get("state", "ready"))
        _cli("cypher", "MATCH (u:Unit) RETURN count(u) AS n")
        queryable.append(round(time.perf_counter() - t0, 3))
        loads.append(load_breakdown())
    wall = round(statistics.median(walls), 3)
    ready = round(statistics.median(queryable), 3)
    print(f"restart: `redgov stop` then `redgov status` {wall} s (runs {walls}, answered "
          f"{states}); graph queryable after {ready} s (runs {queryable}); stop {stops} s   "
          f"load {_load()}", flush=True)
    print(f"restart load breakdown: {json.dumps(loads[-1], ensure_ascii=False)}", flush=True)
    return {"restart_status_s": wall, "runs": walls, "status_answered": states,
            "restart_queryable_s": ready, "queryable_runs": queryable, "stop_s": stops,
            "load_breakdown": loads[-1], "load": _load()}


def load_breakdown(home: str | None = None) -> dict[str, Any]:
    """The last start's load, from the embedded server's ``redis.log``: per graph, the
    decode (nodes, relations, matrices) and the index rebuild FalkorDB does before the
    server answers; the AOF's base (RDB) and incremental (replayed queries) parts."""
    from datetime import datetime
    from pathlib import Path

    from redgov.graph.home import data_dir

    path = Path(home) if home else data_dir()
    try:
        lines = (path / "redis.log").read_text(errors="replace").splitlines()
    except OSError:
        return {}
    starts = [i for i, line in enumerate(lines) if "Server initialized" in line]
    lines = lines[starts[-1]:] if starts else lines

    def at(line: str) -> float:
        return datetime.strptime(" ".join(line.split()[1:5]), "%d %b %Y %H:%M:%S.%f").timestamp()

    graphs: dict[str, dict[str, float]] = {}
    out: dict[str, Any] = {"graphs": graphs}
    began = None
    for line in lines:
        if "Reading RDB" in line or "Loading RDB" in line:
            began = began or at(line)
        if "Graph '" in line and "processing virtual key: 1/" in line:
            name = line.split("Graph '", 1)[1].split("'", 1)[0]
            graphs.setdefault(name, {})["start"] = at(line)
        elif "Constructing indexes" in line:
            name = line.split("Graph '", 1)[1].split("'", 1)[0]
            graphs.setdefault(name, {})["indexes"] = at(line)
        elif "Done decoding graph" in line:
            name = line.rsplit(" ", 1)[1]
            graphs.setdefault(name, {})["done"] = at(line)
        for key, marker in (("base_s", "DB loaded from base file"),
                            ("incr_s", "DB loaded from incr file"),
                            ("aof_s", "DB loaded from append only file")):
            if marker in line:
                out[key] = float(line.rsplit(":", 1)[1].split()[0])
        if "Ready to accept connections" in line and began is not None:
            out["log_start_to_ready_s"] = round(at(line) - began, 3)
    for name, t in list(graphs.items()):
        figures = {}
        if "start" in t and "indexes" in t:
            figures["decode_s"] = round(t["indexes"] - t["start"], 3)
        if "indexes" in t and "done" in t:
            figures["index_rebuild_s"] = round(t["done"] - t["indexes"], 3)
        graphs[name] = figures
    if "base_s" in out:  # the rest of the base file: other keys (the metadata graph, …)
        out["base_outside_logged_graphs_s"] = round(out["base_s"] - sum(
            sum(f.values()) for f in graphs.values()), 3)
    return out


def page_figures(pages: str, repeat: int) -> list[dict[str, Any]]:
    """bench_dashboard's figures (first / kept / later seconds, load) of the chosen pages."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench_dashboard

    wanted = [] if pages == "all" else [p for p in pages.split(",") if p]
    results = bench_dashboard.page_results(wanted, repeat)
    for r in results:
        print(f"page {r['page']:40s} first {r['first_s']:.3f} s, kept {r['first_kept_s']:.3f} s,"
              f" later {r['later_s']:.3f} s   load {r['load']}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated question names")
    parser.add_argument("--no-questions", action="store_true")
    parser.add_argument("--no-status", action="store_true")
    parser.add_argument("--restart", action="store_true")
    parser.add_argument("--pages", nargs="?", const="overview,hierarchy", default=None,
                        help="dashboard pages to load (bench_dashboard labels, prefix-"
                             "matched; default overview and the hierarchy pages; all: every page)")
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    args = parser.parse_args(argv)
    from redgov.graph.stores import open_store

    store = open_store()
    report: dict[str, Any] = {"home": os.environ.get("REDGOV_HOME"), "engine": store.engine,
                              "load_at_start": _load()}
    try:
        if not args.no_questions:
            only = [n for n in args.only.split(",") if n]
            report["questions"] = questions(store, only, args.repeat)
        if not args.no_status:
            report["status"] = status_figures(store, args.repeat)
    finally:
        store.close()
    if args.pages is not None:
        report["pages"] = page_figures(args.pages, args.repeat)
    if args.restart:
        report["restart"] = restart_figures(args.repeat)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
