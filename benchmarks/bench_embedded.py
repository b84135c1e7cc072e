"""Embedded FalkorDB: start-up, raw batched write rates, and restart time after a bulk load.

Prints figures; not a test.  Usage:
    python benchmarks/bench_embedded.py [--nodes 1000000] [--rels 2000000]

The restart is timed twice: after a bulk transaction (which compacts the AOF, as every
``redgov sync`` does) and, for comparison, with the compaction skipped, which replays
every write query of the load from the AOF.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from redgov.graph.stores.embedded_server import ensure_server, stop_server
from redgov.graph.stores.falkordb_store import FalkorStore

NODES = "UNWIND $rows AS row CREATE (:Person {code: row.c, name: row.n, standing: row.s})"
RELS = (
    "UNWIND $rows AS row MATCH (a:Person {code: row.a}) MATCH (b:Person {code: row.b}) "
    "CREATE (a)-[:SERVES_AS {start: row.d, role: row.r}]->(b)"
)


def _store(home: Path) -> FalkorStore:
    info = ensure_server(home)
    return FalkorStore(host=info.host, port=info.port, password=info.password,
                       graph="bench", description="bench", compact_after_bulk=True)


def _startups(n: int = 5) -> list[float]:
    times = []
    for _ in range(n):
        with tempfile.TemporaryDirectory() as d:
            info = ensure_server(Path(d))
            times.append(info.startup_s)
            stop_server(Path(d))
    return times


def _load(home: Path, nodes: int, rels: int, *, compact: bool) -> dict[str, float]:
    store = _store(home)
    store._compact = compact
    store.setup_schema()
    t0 = time.perf_counter()
    with store.transaction(bulk=True) as w:
        w.run_batched(NODES, ({"c": f"P{i:08d}", "n": "张三", "s": "full_member"}
                              for i in range(nodes)))
        t1 = time.perf_counter()
        w.run_batched(RELS, ({"a": f"P{i % nodes:08d}", "b": f"P{(i * 7 + 1) % nodes:08d}",
                              "d": "2020-01-01", "r": "secretary"} for i in range(rels)))
        t2 = time.perf_counter()
    t3 = time.perf_counter()
    store.close()
    return {"nodes_per_s": nodes / (t1 - t0), "rels_per_s": rels / (t2 - t1),
            "publish_and_compact_s": t3 - t2}


def _restart(home: Path) -> float:
    stop_server(home)
    info = ensure_server(home)
    store = _store(home)
    store.read("MATCH (p:Person) RETURN count(p) AS n")
    store.close()
    return info.startup_s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("--rels", type=int, default=2_000_000)
    args = ap.parse_args()
    starts = _startups()
    print(f"start-up on an empty data directory: median {statistics.median(starts)*1000:.0f} ms "
          f"(min {min(starts)*1000:.0f}, max {max(starts)*1000:.0f}, n={len(starts)})")
    for compact in (True, False):
        with tempfile.TemporaryDirectory() as d:
            home = Path(d)
            load = _load(home, args.nodes, args.rels, compact=compact)
            aof = sum(f.stat().st_size for f in (home / "appendonlydir").iterdir())
            restart = _restart(home)
            label = "compacted AOF" if compact else "uncompacted AOF (replay)"
            print(f"{label}: {args.nodes:,} nodes at {load['nodes_per_s']:,.0f}/s, "
                  f"{args.rels:,} relations at {load['rels_per_s']:,.0f}/s, publish+compact "
                  f"{load['publish_and_compact_s']:.2f} s, AOF {aof / 2**20:.0f} MiB, "
                  f"restart until ready {restart:.2f} s")
            stop_server(home)


if __name__ == "__main__":
    main()
