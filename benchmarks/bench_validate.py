"""The validation worker's CPU per record, without a store.

``python benchmarks/bench_validate.py EXPORT_DIR [--repeat N] [--profile PATH]`` scans the
export into an empty graph state, as the overlapped first sync's worker does (hasher, row
memo, spool in a private folder), and prints per table its rows, CPU seconds and µs per
record, then the spool read-back the writer does (``Spool.records``), and one JSON line.
Why without a store: the worker's CPU is what bounds a first sync on two cores
(benchmarks/README.md, "Validation worker CPU"); this measures it apart from the engine
and from the machine's other load (CPU seconds, the best of ``--repeat`` runs).
``--profile PATH`` writes the first run's cProfile to ``PATH`` (``python -m pstats PATH``).
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


def _one(export: Path, home: Path, profile: Path | None) -> dict[str, Any]:
    from redgov.loaders import kept
    from redgov.loaders.pii import Hasher, load_key
    from redgov.loaders.read import open_export
    from redgov.loaders.state import GraphState
    from redgov.loaders.tables import TABLE_ORDER
    from redgov.loaders.validate import scan

    hasher = Hasher(load_key())
    work = Path(tempfile.mkdtemp(prefix="work-", dir=home))
    per_table: dict[str, float] = {}
    last = [time.process_time()]

    def table_done(_found: Any, name: str) -> None:
        now = time.process_time()
        per_table[name] = per_table.get(name, 0.0) + now - last[0]
        last[0] = now

    prof = None
    if profile is not None:
        import cProfile

        prof = cProfile.Profile()
    with open_export(export, work) as ex:
        cpu0 = time.process_time()
        last[0] = cpu0
        if prof is not None:
            prof.enable()
        found = scan(ex, GraphState(), hasher, work, kept.new_memo(hasher), on_table=table_done)
        cpu = time.process_time() - cpu0
        t0 = time.process_time()
        spooled = 0
        for spec in TABLE_ORDER:
            for _rec in found.spool.records(spec.name):
                spooled += 1
        read_back = time.process_time() - t0
        if prof is not None:
            prof.disable()
            prof.dump_stats(str(profile))
        assert not found.errors, found.errors[:5]
        rows = {name: len(found.sigs.get(name, {})) for name in per_table}
        found.spool.close()
    shutil.rmtree(work, ignore_errors=True)
    records = sum(rows.values())
    return {
        "records": records, "scan_cpu_s": round(cpu, 3),
        "us_per_record": round(cpu / max(records, 1) * 1e6, 1),
        "spool_records": spooled, "spool_read_cpu_s": round(read_back, 3),
        "tables": {name: {"rows": rows[name], "cpu_s": round(s, 3),
                          "us_per_record": round(s / max(rows[name], 1) * 1e6, 1)}
                   for name, s in per_table.items() if rows[name]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="redgov-bench-validate-"))
    os.environ["REDGOV_HOME"] = str(home)
    try:
        runs = [_one(args.export, home, args.profile if i == 0 else None)
                for i in range(max(1, args.repeat))]
    finally:
        shutil.rmtree(home, ignore_errors=True)
    best = min(runs, key=lambda r: r["scan_cpu_s"])
    for name, t in best["tables"].items():
        print(f"{name:6} {t['rows']:>9,} rows  {t['cpu_s']:8.3f} s  "
              f"{t['us_per_record']:6.1f} µs/record")
    print(f"scan: {best['records']:,} records, {best['scan_cpu_s']} CPU s "
          f"({best['us_per_record']} µs/record); spool read-back {best['spool_records']:,} "
          f"records {best['spool_read_cpu_s']} CPU s")
    best["load"] = [round(x, 2) for x in os.getloadavg()]
    best["scan_cpu_s_runs"] = [r["scan_cpu_s"] for r in runs]
    print(json.dumps(best, ensure_ascii=False))


if __name__ == "__main__":
    main()
