"""Render times of every dashboard page, measured with Streamlit's AppTest.

Usage (after ``redgov demo`` at the scale to measure, same REDGOV_HOME/REDGOV_GRAPH)::

    python benchmarks/bench_dashboard.py [--repeat 3] [--json]

For each page "cold" is a load with empty caches (``st.cache_data`` cleared, a new
AppTest session) and nothing kept in the store; "first" is the same after the sync's
post-publish step (dashboard/warm.py, "warm" its seconds), which is what a user sees right
after a sync of a large graph; "later" is the median
of the following loads of the same page in the same process (the caches keyed by the
sync run id are warm); "kept" is a first load again with only the answers kept in the
store per snapshot (graph/summaries.py) left, as another or a restarted dashboard process
sees them; before "cold" and the warm step, those are deleted.  AppTest runs the script
in-process, without the browser's rendering or the websocket, so the browser adds a little
on top (see the e2e test).
Targets (issue 5): first load < 5 s, later < 2 s per page at district scale.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "pages" / "app.py")


def _pick_units() -> tuple[str, str, str]:
    """A district, a street and a compound of the graph (the first by code)."""
    from redgov.dashboard.reads import units
    from redgov.graph.stores import open_store

    store = open_store()
    try:
        rows = units(store)
    finally:
        store.close()
    first = {}
    for u in rows:
        first.setdefault(u["level"], u["code"])
    return first["district"], first["street"], first["compound"]


def _forget_kept() -> None:
    """Delete the answers kept per snapshot (graph/summaries.py), so that a first load
    computes what it would right after a sync."""
    import contextlib

    from redgov.graph.stores import open_store

    store = open_store()
    try:
        with contextlib.suppress(Exception):  # an older redgov keeps nothing
            store.write_meta("MATCH (s:SnapshotSummary) DELETE s")
    finally:
        store.close()
    with contextlib.suppress(ImportError):  # and the decoded copies this process holds
        from redgov.queries.place_answers import forget

        forget()


def _warm() -> float:
    """The sync's post-publish step (dashboard/warm.py) on the graph: its seconds."""
    from redgov.graph.stores import open_store

    try:
        from redgov.dashboard.warm import warm
    except ImportError:  # an older redgov warms nothing
        return 0.0
    store = open_store()
    try:
        t0 = time.perf_counter()
        warm(store)
        return time.perf_counter() - t0
    finally:
        store.close()


def _load(page: str | None, state: dict) -> float:
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    at = AppTest.from_file(APP, default_timeout=600)
    for key, value in state.items():
        at.session_state[key] = value
    if page is None:
        start = time.perf_counter()
        at.run()
    else:
        at.run()  # lands on the overview first (st.navigation's default page)
        at._page_hash = calc_hash(page)
        start = time.perf_counter()
        at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception}")
    return elapsed


CHROMIUM = "/usr/bin/chromium"
QUIET_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _examples() -> tuple[str, str]:
    """A compound where the secretary chairs the committee, and that secretary."""
    from redgov.graph.stores import open_store
    from redgov.queries import run_question

    store = open_store()
    try:
        rows = run_question(store, "one_shoulder").rows
    finally:
        store.close()
    row = next(r for r in rows if r["one_shoulder"])
    return row["compound_code"], row["secretary_code"]


def browser_run(shots: Path | None, port: int = 8599) -> list[dict]:
    """Start `redgov dashboard`, load each page in Chromium twice, time it, screenshot it."""
    import os
    import signal
    import subprocess
    import tempfile
    import urllib.request

    from playwright.sync_api import sync_playwright

    compound, person = _examples()
    district, street, _ = _pick_units()
    # (screenshot name, path, what shows the page has arrived)
    pages = [
        ("overview", "", '[data-testid="stMetric"]'),
        ("hierarchy-street", f"hierarchy?unit={street}", "iframe"),
        ("hierarchy-compound", f"hierarchy?unit={compound}", "iframe"),
        ("hierarchy-district", f"hierarchy?unit={district}", "iframe"),
        ("audit", "audit", '[data-testid="stDataFrame"]'),
        ("people", f"people?person={person}", "iframe"),
        ("sync", "sync", '[data-testid="stDataFrame"]'),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "redgov", "dashboard", "--port", str(port), "--no-browser"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    results = []
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            ctx = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=QUIET_FLAGS,
                viewport={"width": 1440, "height": 1100}, device_scale_factor=1,
            )
            page = ctx.new_page()
            for name, path, ready in pages:
                times = []
                for _attempt in range(2):
                    start = time.perf_counter()
                    page.goto(url + path, wait_until="domcontentloaded")
                    page.locator(ready).first.wait_for(timeout=120_000)
                    if ready == "iframe":
                        page.frame_locator("iframe").first.locator("canvas").wait_for(
                            timeout=120_000)
                    times.append(time.perf_counter() - start)
                if shots is not None:
                    if name == "hierarchy-district":
                        page.locator("iframe").first.scroll_into_view_if_needed()
                    page.wait_for_timeout(2500)  # let the network layout settle
                    shots.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(shots / f"{name}.png"))
                results.append({"page": name, "first_s": round(times[0], 3),
                                "later_s": round(times[1], 3)})
                print(f"  browser {name}", file=sys.stderr, flush=True)
            ctx.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", default="",
                        help="comma-separated page labels to measure (prefix match)")
    parser.add_argument("--browser", action="store_true",
                        help="time page loads in headless Chromium instead of AppTest")
    parser.add_argument("--screenshots", type=Path, default=None,
                        help="with --browser: save a PNG of each page into this folder")
    args = parser.parse_args(argv)
    if args.browser:
        results = browser_run(args.screenshots)
        _print(results, args.json)
        return 1 if any(r["first_s"] >= 5 or r["later_s"] >= 2 for r in results) else 0

    results = page_results([w for w in args.only.split(",") if w], args.repeat)
    _print(results, args.json)
    slow = [r for r in results if r["first_s"] >= 5 or r["later_s"] >= 2]
    return 1 if slow else 0


def page_results(wanted: list[str], repeat: int) -> list[dict]:
    """first / kept / later seconds of each page (labels prefix-matched by ``wanted``; all
    when empty), with the load average after each page (``bench_reads --pages`` puts them
    in its JSON line)."""
    import os

    import streamlit as st

    district, street, _ = _pick_units()
    compound, person = _examples()
    cases = [
        ("overview", None, {}),
        ("hierarchy (top)", "hierarchy", {}),
        (f"hierarchy district {district}", "hierarchy", {"sel_unit": district}),
        (f"hierarchy street {street}", "hierarchy", {"sel_unit": street}),
        (f"hierarchy compound {compound}", "hierarchy", {"sel_unit": compound}),
        ("audit", "audit", {}),
        (f"people {person}", "people", {"sel_person": person}),
        ("sync", "sync", {}),
    ]
    results = []
    for label, page, state in cases:
        if wanted and not any(label.startswith(w) for w in wanted):
            continue
        _forget_kept()
        st.cache_data.clear()
        cold = _load(page, state)  # nothing kept, nothing warmed: a sync that did not warm
        # After a sync: what it kept for the pages once published (dashboard/warm.py; a
        # sync of a large graph runs it), then the page with the process's caches empty.
        _forget_kept()
        warm_s = _warm()
        st.cache_data.clear()
        first = _load(page, state)
        # Again with the process's caches emptied but the answers kept in the store
        # (graph/summaries.py): another dashboard process, or one restarted.
        st.cache_data.clear()
        first_kept = _load(page, state)
        # The overview is drawn before any other page, so its warm time is in every run.
        later = [_load(page, state) for _ in range(repeat)]
        results.append({"page": label, "first_s": round(first, 3), "cold_s": round(cold, 3),
                        "warm_s": round(warm_s, 3),
                        "first_kept_s": round(first_kept, 3),
                        "later_s": round(statistics.median(later), 3),
                        "load": round(os.getloadavg()[0], 1)})
        print(f"  measured {label}", file=sys.stderr, flush=True)
    return results


def _print(results: list[dict], as_json: bool) -> None:
    if as_json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(f"{'page':40} {'cold (s)':>9} {'warm (s)':>9} {'first (s)':>10} {'kept (s)':>10} "
          f"{'later (s)':>10}")
    for r in results:
        cells = [r.get(k) for k in ("cold_s", "warm_s", "first_s", "first_kept_s")]
        text = " ".join(f"{c:>9.3f}" if c is not None else f"{'—':>9}" for c in cells[:2])
        text += "".join(f" {c:>10.3f}" if c is not None else f" {'—':>10}" for c in cells[2:])
        print(f"{r['page']:40} {text} {r['later_s']:>10.3f}")


if __name__ == "__main__":
    sys.exit(main())
