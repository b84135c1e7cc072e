"""Pull benchmark: what fetching, checking and the scope check add to a sync.

Usage::

    python benchmarks/bench_pull.py [--scale district|city] [--seed 1] [--churn 0.02]

On a private embedded FalkorDB in a temporary data directory (a user's graph is never
touched): generate the demo export and a second one with ``--churn`` of the people renamed
and as many posts dropped (as ``bench_review.py``), zip both, serve them from a local HTTP
server (with a ``.sha256`` digest file), then

- ``fetch``: the HTTP fetch alone (digest file, download, SHA-256, zip check);
- ``pull``: ``redgov pull`` of each export (fetch, already-synced check, sync with the
  source's scope checked on the plan) into one graph;
- ``sync``: ``redgov sync`` of the same zips into another graph, for comparison;
- ``nothing new``: a pull when the registry still serves the second export.

Prints a table and the figures as JSON.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import zipfile
from datetime import date, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from redgov.graph.stores.embedded_server import ensure_server, stop_server
from redgov.graph.stores.falkordb_store import FalkorStore


def _churn(src: Path, dst: Path, share: float) -> None:
    shutil.copytree(src, dst)
    with open(dst / "人员.csv", encoding="utf-8-sig", newline="") as fh:
        people = list(csv.reader(fh))
    step = max(1, round(1 / share))
    for i in range(1, len(people), step):
        people[i][people[0].index("姓名")] += "（更名）"
    with open(dst / "人员.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(people)
    with open(dst / "任职.csv", encoding="utf-8-sig", newline="") as fh:
        posts = list(csv.reader(fh))
    kept = [posts[0]] + [r for i, r in enumerate(posts[1:], 1) if i % step]
    with open(dst / "任职.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(kept)
    # a later snapshot date, as a real next export would carry
    manifest = (dst / "清单.csv").read_text("utf-8-sig").splitlines()
    out = []
    for line in manifest:
        key, _, value = line.partition(",")
        if key == "快照日期":  # the next day, or today when that would be in the future
            value = min(date.fromisoformat(value) + timedelta(days=1),
                        date.today()).isoformat()
        out.append(f"{key},{value}")
    (dst / "清单.csv").write_text("\n".join(out) + "\n", "utf-8")


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, p.name)
    return target


def _top_unit(folder: Path) -> str:
    with open(folder / "单位.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if not (row.get("上级单位编码") or "").strip():
                return row["单位编码"]
    raise SystemExit("no top unit in the export")


def _serve(folder: Path, body: Path) -> None:
    shutil.copyfile(body, folder / "export.zip")
    digest = hashlib.sha256(body.read_bytes()).hexdigest()
    (folder / "export.zip.sha256").write_text(f"{digest}  export.zip\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="district", choices=["district", "city"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--churn", type=float, default=0.02)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="redgov-bench-pull-") as tmp_text:
        tmp = Path(tmp_text)
        home = tmp / "home"
        os.environ["REDGOV_HOME"] = str(home)
        from redgov.loaders import sync_export
        from redgov.loaders.demo import generate
        from redgov.loaders.fetch import Retry, fetch_http
        from redgov.loaders.limits import Limits
        from redgov.loaders.pull import pull
        from redgov.loaders.sources import HTTP, Source, add_source

        generate(tmp / "e1", scale=args.scale, seed=args.seed)
        _churn(tmp / "e1", tmp / "e2", args.churn)
        zips = [_zip(tmp / f"e{k}", tmp / f"e{k}.zip") for k in (1, 2)]
        served = tmp / "served"
        served.mkdir()
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(
            type("Quiet", (SimpleHTTPRequestHandler,), {"log_message": lambda *a: None}),
            directory=str(served)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/export.zip"
        info = ensure_server(home)
        stores = {g: FalkorStore(host=info.host, port=info.port, password=info.password,
                                 graph=g, description=g) for g in ("pulled", "synced")}
        figures: dict[str, float | int | str] = {
            "scale": args.scale, "export_bytes": zips[0].stat().st_size}
        try:
            for s in stores.values():
                s.setup_schema()
            source = Source(name="bench", kind=HTTP, location=url, scope=_top_unit(tmp / "e1"))
            add_source(source)
            for k, body in enumerate(zips, 1):
                _serve(served, body)
                scratch = tmp / f"fetch{k}"
                scratch.mkdir()
                t0 = time.perf_counter()
                got = fetch_http(source, {}, scratch, Limits.from_env(), Retry())
                figures[f"fetch{k}_s"] = time.perf_counter() - t0
                assert got.path is not None
                t0 = time.perf_counter()
                out = pull(stores["pulled"])
                figures[f"pull{k}_s"] = time.perf_counter() - t0
                assert [o.status for o in out] == ["applied"], [o.line() for o in out]
                t0 = time.perf_counter()
                report = sync_export(stores["synced"], body)
                figures[f"sync{k}_s"] = time.perf_counter() - t0
                assert report.status == "applied", report.errors[:3]
            t0 = time.perf_counter()
            out = pull(stores["pulled"])
            figures["nothing_new_s"] = time.perf_counter() - t0
            assert [o.status for o in out] == ["nothing-new"], [o.line() for o in out]
        finally:
            httpd.shutdown()
            for s in stores.values():
                s.close()
            stop_server(home)
    size = int(figures["export_bytes"])
    print(f"scale {args.scale}: export {size / 2**20:.1f} MiB zipped")
    print("| step | export 1 (into an empty graph) | export 2 (churn) |")
    print("|---|---:|---:|")
    for step in ("fetch", "pull", "sync"):
        print(f"| {step} | {figures[f'{step}1_s']:.2f} s | {figures[f'{step}2_s']:.2f} s |")
    print(f"| nothing new | — | {figures['nothing_new_s']:.3f} s |")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
