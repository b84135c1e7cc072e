"""Diff benchmark: ``redgov diff`` latency over a history of monthly snapshots.

Usage::

    python benchmarks/bench_diff.py [--scale district|city|province] [--seed 1]
                                    [--months 12] [--churn 0.02] [--repeat 3]
                                    [--engines falkordb|neo4j|both] [--keep]

Generates the demo export at ``--scale`` as the first month, then ``--months - 1``
further full exports, each derived from the previous one with about ``--churn`` of the
records changed (posts ended and new ones begun, owners' committees re-elected,
compounds moved to another community of their street, supervisions ended), syncs them
in order on a private server (temporary data directory; a user's graph is never touched)
and times, median of ``--repeat``:

- the diff from the first snapshot to the last and from the last-but-one to the last,
  for the district holding the most compounds (target: < 2 s) and for everything;
- its two halves apart: the record changes (versions live at one snapshot and not the
  other) and the figure moves (coverage_rollup and overdue_reelection at both snapshots).

Prints one line per measurement and the figures as JSON at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench_sync import bench_engine, engines_of, generate_export  # benchmarks/ on sys.path
from redgov.graph.cypher import cypher
from redgov.graph.snapshots import list_snapshots
from redgov.graph.stores import Store
from redgov.loaders import sync_export
from redgov.queries.changes import record_changes
from redgov.queries.diff import diff, figure_moves

_BIGGEST_DISTRICT = cypher(
    "bench.diff.biggest_district",
    """
MATCH (c:Unit {level: 'compound'})
WHERE @current(c)
RETURN c.district_code AS code, count(*) AS n
ORDER BY n DESC, code
LIMIT 1
""",
)


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerows(rows)


def next_month(src: Path, dst: Path, snapshot: date, churn: float, rng: random.Random) -> None:
    """A full export one month after ``src``: about ``churn`` of its records changed."""
    shutil.copytree(src, dst)
    header, rows = _read(dst / "清单.csv")
    for r in rows:
        if r["项目"] == "快照日期":
            r["值"] = snapshot.isoformat()
        elif r["项目"] == "导出时间":
            r["值"] = f"{snapshot.isoformat()} 18:00:00"
    _write(dst / "清单.csv", header, rows)
    day = snapshot - timedelta(days=rng.randint(1, 27))
    # Posts: some end, as many new ones begin (the same person and body, a new start).
    header, rows = _read(dst / "任职.csv")
    open_posts = [r for r in rows if not r.get("结束日期")
                  and (r.get("开始日期") or "") < day.isoformat()]
    for r in rng.sample(open_posts, int(len(open_posts) * churn / 2)):
        r["结束日期"] = day.isoformat()
        rows.append({**r, "开始日期": day.isoformat(), "结束日期": ""})
    _write(dst / "任职.csv", header, rows)
    # Owners' committees re-elected; compounds moved within their street.
    header, orgs = _read(dst / "组织.csv")
    committees = [r for r in orgs if r["类型"] == "业主委员会" and r.get("届满日期")]
    for r in rng.sample(committees, int(len(committees) * churn)):
        r["成立日期"] = day.isoformat()
        r["届满日期"] = day.replace(year=day.year + 3).isoformat()
    _write(dst / "组织.csv", header, orgs)
    uheader, units = _read(dst / "单位.csv")
    parent = {u["单位编码"]: u["上级单位编码"] for u in units}
    by_street: dict[str, list[str]] = {}
    for u in units:
        if u["层级"] == "社区":
            by_street.setdefault(u["上级单位编码"], []).append(u["单位编码"])
    compounds = [u for u in units if u["层级"] == "小区"]
    for u in rng.sample(compounds, max(1, int(len(compounds) * churn / 4))):
        siblings = [c for c in by_street.get(parent.get(u["上级单位编码"], ""), [])
                    if c != u["上级单位编码"]]
        if siblings:
            u["上级单位编码"] = rng.choice(siblings)
    _write(dst / "单位.csv", uheader, units)
    # Supervisions: a few end.
    if (dst / "监管.csv").exists():
        header, rows = _read(dst / "监管.csv")
        live = [r for r in rows if not r.get("结束日期")
                and (r.get("开始日期") or "") < day.isoformat()]
        for r in rng.sample(live, int(len(live) * churn / 2)):
            r["结束日期"] = day.isoformat()
        _write(dst / "监管.csv", header, rows)


def history(first: Path, root: Path, months: int, churn: float, seed: int) -> list[Path]:
    rng = random.Random(seed)
    _, manifest = _read(first / "清单.csv")
    start = date.fromisoformat(next(r["值"] for r in manifest if r["项目"] == "快照日期"))
    out = [first]
    for k in range(1, months):
        month = start.month - 1 + k  # months since January of the start year
        if start.day > 27:  # month ends: the day before the next month's first
            snapshot = date(start.year + (month + 1) // 12, (month + 1) % 12 + 1, 1) \
                - timedelta(days=1)
        else:
            snapshot = date(start.year + month // 12, month % 12 + 1, start.day)
        nxt = root / f"m{k + 1:02d}"
        next_month(out[-1], nxt, snapshot, churn, rng)
        out.append(nxt)
    return out


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def run_engine(engine: str, store: Store, exports: list[Path], repeat: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"engine": engine, "version": store.version()}
    with store.transaction() as w:
        w.run(_WIPE)
    store.setup_schema()
    t0 = time.perf_counter()
    for export in exports:
        report = sync_export(store, export)
        assert report.status in ("applied", "unchanged"), report.errors[:5]
    figures["sync_all_s"] = round(time.perf_counter() - t0, 1)
    snaps = list_snapshots(store.read)
    district = store.read(_BIGGEST_DISTRICT)[0]["code"]
    figures["snapshots"] = len(snaps)
    figures["district"] = district
    print(f"[{engine}] {len(snaps)} snapshots synced in {figures['sync_all_s']} s; "
          f"district {district}", flush=True)
    pairs = {"first→last": (snaps[0], snaps[-1]), "previous→last": (snaps[-2], snaps[-1])}
    for label, (a, b) in pairs.items():
        for scope_label, scope in (("district", district), ("everything", None)):
            total, d = timed(lambda a=a, b=b, scope=scope: diff(store, a, b, scope=scope),
                             repeat)
            records, _ = timed(lambda a=a, b=b, scope=scope: record_changes(store, a, b, scope),
                               repeat)
            moves, _ = timed(lambda a=a, b=b, scope=scope: figure_moves(
                store, a, b, "street", scope), repeat)
            key = f"{label} {scope_label}"
            figures[key] = {"diff_s": round(total, 3), "record_changes_s": round(records, 3),
                            "figure_moves_s": round(moves, 3),
                            "changes": len(d.changes), "moves": len(d.moves)}
            print(f"[{engine}] diff {key}: {total:.3f} s (records {records:.3f} s, figures "
                  f"{moves:.3f} s); {len(d.changes)} record changes, {len(d.moves)} figure "
                  f"moves", flush=True)
    return figures


_WIPE = cypher("bench.diff.wipe", "MATCH (n) DETACH DELETE n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="district", choices=["district", "city", "province"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--churn", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="falkordb", choices=["falkordb", "neo4j", "both"])
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="redgov-bench-diff-"))
    os.environ["REDGOV_HOME"] = str(home)
    figures: dict[str, Any] = {"scale": args.scale, "months": args.months,
                               "churn": args.churn, "nproc": os.cpu_count(),
                               "load": os.getloadavg()}
    try:
        first = home / "m01"
        figures["generation_s"] = round(generate_export(args.scale, args.seed, first), 2)
        t0 = time.perf_counter()
        exports = history(first, home, args.months, args.churn, args.seed)
        figures["history_s"] = round(time.perf_counter() - t0, 2)
        print(f"generated {args.scale} export and {args.months - 1} monthly successors in "
              f"{figures['generation_s'] + figures['history_s']:.1f} s", flush=True)
        figures["engines"] = {}
        for engine in engines_of(args.engines):
            with bench_engine(engine, home, None) as open_graph:
                store = open_graph("bench_diff")
                try:
                    figures["engines"][engine] = run_engine(engine, store, exports, args.repeat)
                finally:
                    store.close()
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
