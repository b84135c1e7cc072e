"""Demo export generation: wall time, rows per second and peak RSS per scale.

Prints figures; not a test.  Usage:
    python benchmarks/bench_demo.py [--scales district,city,province] [--seed 1] [--keep DIR]

Each scale is generated in a child process so its peak RSS is its own (``ru_maxrss`` of
the child), and the export is checked against the calibration recount (``measure``) for
the district scale.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

from redgov.loaders.demo import generate
from redgov.loaders.demo.measure import measure


def _child(scale: str, seed: int, out: str, queue: mp.Queue) -> None:
    t0 = time.perf_counter()
    summary = generate(Path(out), scale=scale, seed=seed)
    seconds = time.perf_counter() - t0
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mib = sum(p.stat().st_size for p in Path(out).iterdir()) / 2**20
    queue.put({
        "scale": scale, "seconds": round(seconds, 2), "rows": sum(summary.rows.values()),
        "people": summary.people, "compounds": summary.compounds,
        "peak_rss_mib": round(rss_mib, 1), "export_mib": round(size_mib, 1),
    })


def run(scale: str, seed: int, out: Path) -> dict:
    queue: mp.Queue = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(target=_child, args=(scale, seed, str(out), queue))
    proc.start()
    result = queue.get()
    proc.join()
    result["rows_per_s"] = round(result["rows"] / result["seconds"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="district,city,province")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="Write the exports here.")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, {platform.platform()}")
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        for scale in args.scales.split(","):
            out = base / scale
            result = run(scale, args.seed, out)
            if scale == "district":
                m = measure(out)
                result["calibration"] = {k: m[k] for k in (
                    "compound_branches", "managed_compounds", "owners_committee_compounds",
                    "companies_with_party_org", "one_shoulder", "party_member_chairs")}
            print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
