"""Review-before-landing benchmark: staging and approving against a direct sync.

Usage::

    python benchmarks/bench_review.py [--scale district|city] [--seed 1] [--churn 0.02]

On a private embedded FalkorDB in a temporary data directory (a user's graph is never
touched): generate the demo export, sync it (snapshot 1), write a second export with
``--churn`` of the people renamed and as many posts dropped, then

- ``stage``: ``redgov sync --review`` of the second export (copy, validate, diff, read the
  before values, write ``staged.json``): wall time and the size of ``staged.json``;
- ``approve``: ``redgov review approve`` (fingerprint check, then the ordinary sync);
- ``direct``: a direct sync of the same second export into a second graph holding
  snapshot 1, for comparison.

Prints a table and the figures as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import tempfile
import time
from pathlib import Path

from redgov.graph.stores.embedded_server import ensure_server, stop_server
from redgov.graph.stores.falkordb_store import FalkorStore


def _churn(src: Path, dst: Path, share: float) -> tuple[int, int]:
    """Copy the export, renaming ``share`` of the people and dropping as many posts."""
    import shutil

    shutil.copytree(src, dst)
    with open(dst / "人员.csv", encoding="utf-8-sig", newline="") as fh:
        people = list(csv.reader(fh))
    step = max(1, round(1 / share))
    renamed = 0
    for i in range(1, len(people), step):
        people[i][people[0].index("姓名")] += "（更名）"
        renamed += 1
    with open(dst / "人员.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(people)
    with open(dst / "任职.csv", encoding="utf-8-sig", newline="") as fh:
        posts = list(csv.reader(fh))
    kept = [posts[0]] + [r for i, r in enumerate(posts[1:], 1) if i % step]
    with open(dst / "任职.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(kept)
    return renamed, len(posts) - len(kept)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="district", choices=["district", "city"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--churn", type=float, default=0.02)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="redgov-bench-review-") as tmp:
        home = Path(tmp) / "home"
        os.environ["REDGOV_HOME"] = str(home)
        from redgov.loaders import sync_export
        from redgov.loaders.demo import generate
        from redgov.loaders.staging import STAGED_FILE, approve, stage_export, staged_root

        first = Path(tmp) / "e1"
        generate(first, scale=args.scale, seed=args.seed)
        renamed, dropped = _churn(first, Path(tmp) / "e2", args.churn)
        info = ensure_server(home)
        stores = [FalkorStore(host=info.host, port=info.port, password=info.password,
                              graph=g, description=g) for g in ("review", "direct")]
        try:
            for s in stores:
                s.setup_schema()
                assert sync_export(s, first).status == "applied"
            t0 = time.perf_counter()
            staged = stage_export(stores[0], Path(tmp) / "e2")
            t_stage = time.perf_counter() - t0
            assert staged.record is not None, staged.report.errors[:3]
            size = (staged_root() / staged.record["id"] / STAGED_FILE).stat().st_size
            t0 = time.perf_counter()
            _, report = approve(stores[0], staged.record["id"])
            t_approve = time.perf_counter() - t0
            t0 = time.perf_counter()
            direct = sync_export(stores[1], Path(tmp) / "e2")
            t_direct = time.perf_counter() - t0
            assert report.status == direct.status == "applied"
        finally:
            for s in stores:
                s.close()
            stop_server(home)
    figures = {"scale": args.scale, "people_renamed": renamed, "posts_dropped": dropped,
               "stage_s": round(t_stage, 2), "staged_json_kib": round(size / 1024, 1),
               "approve_s": round(t_approve, 2), "direct_sync_s": round(t_direct, 2)}
    print("| scale | renamed | posts dropped | stage | staged.json | approve | direct sync |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.scale} | {renamed} | {dropped} | {t_stage:.2f} s | {size / 1024:.0f} KiB"
          f" | {t_approve:.2f} s | {t_direct:.2f} s |")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
