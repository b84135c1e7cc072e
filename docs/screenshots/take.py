"""Take the screenshots in this folder: ``python docs/screenshots/take.py [NAME…]``.

Starts ``redgov dashboard`` on the graph of the current ``REDGOV_HOME`` (run ``redgov demo``
first: the screenshots are of the district demo), loads each page in headless Chromium
(Debian's /usr/bin/chromium, the same as the browser test) and saves one PNG per page,
plus every level's network on its own — city, district, street, community, compound and
a person's bridges, ``network-*.png``, each taken once its view has settled (the frame's
``window.readable``: every label at least 12 px, the whole graph inside the frame) —
(only the NAMEs given, e.g. ``selection``, when any are).  Chinese needs a CJK font where the
screenshots are taken: Debian's ``fonts-wqy-microhei`` (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "tests"))
from test_dashboard_browser import chromium  # noqa: E402  (one way to open Chromium)


def _examples() -> tuple[str, str, str, str, str, str]:
    """The city, a district, a street, one of its compounds with a 一肩挑 finding, that
    compound's community and its secretary (someone with posts to show)."""
    from redgov.dashboard.reads import units as read_units
    from redgov.graph.stores import open_store
    from redgov.queries import run_question

    store = open_store(os.environ.get("REDGOV_STORE") or "embedded")
    try:
        units = read_units(store)
        city = next(u["code"] for u in units if u["level"] == "city")
        district = next(u["code"] for u in units if u["level"] == "district")
        street = next(u["code"] for u in units if u["level"] == "street")
        rows = run_question(store, "one_shoulder", {"scope": street}).rows
        row = next(r for r in rows if r["one_shoulder"])
        community = next(u["parent_code"] for u in units if u["code"] == row["compound_code"])
        return (city, district, street, row["compound_code"], community,
                row["secretary_code"])
    finally:
        store.close()


def main() -> int:
    from playwright.sync_api import sync_playwright

    wanted = set(sys.argv[1:])  # file names to retake (default: all)
    unit_free = {"overview", "audit", "sync", "changes", "selection"}
    city, district, street, compound, community, person = (
        ("",) * 6 if wanted and wanted <= unit_free else _examples())
    # (file name, path, what shows the page has arrived, element to shoot or None)
    pages = [
        ("overview", "", '[data-testid="stVegaLiteChart"]', None),
        ("hierarchy-district", f"hierarchy?unit={district}", "iframe", None),
        ("network-district", f"hierarchy?unit={district}", "iframe", "iframe"),
        ("hierarchy-street", f"hierarchy?unit={street}", "iframe", None),
        ("network-street", f"hierarchy?unit={street}", "iframe", "iframe"),
        ("hierarchy-compound", f"hierarchy?unit={compound}", "iframe", None),
        ("network-city", f"hierarchy?unit={city}", "iframe", "iframe"),
        ("network-community", f"hierarchy?unit={community}", "iframe", "iframe"),
        ("network-compound", f"hierarchy?unit={compound}", "iframe", "iframe"),
        ("network-person", f"people?person={person}", "iframe", "iframe"),
        ("audit", "audit", '[data-testid="stDataFrame"]', None),
        ("people", f"people?person={person}", "iframe", None),
        ("sync", "sync", '[data-testid="stDataFrame"]', None),
        # needs two snapshots (the demo with --history)
        ("changes", "changes", '[data-testid="stDataFrame"]', None),
        # 示范创建: the year's funding guarantees and the phase targets with their trend
        ("selection", "selection", '[data-testid="stDataFrame"]', None),
    ]
    pages = [p for p in pages if not wanted or p[0] in wanted]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "redgov", "dashboard", "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    # Single-user mode prints a link with its start-up token; opening it once signs in.
    first = proc.stdout.readline() if proc.stdout else ""
    tokened = first.split()[2] if first.startswith("redgov dashboard: ") else url
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            ctx = chromium(p, Path(profile))  # the browser tests' own window
            page = ctx.new_page()
            page.goto(tokened, wait_until="domcontentloaded")
            for name, path, ready, element in pages:
                page.set_viewport_size({"width": 1440, "height": 2300 if element else 1100})
                page.goto(url + path, wait_until="domcontentloaded")
                page.locator(ready).first.wait_for(timeout=120_000)
                # The sidebar's snapshot picker (the latest snapshot) is drawn too.
                page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first \
                    .wait_for(timeout=120_000)
                if ready == "iframe":
                    page.frame_locator("iframe").first.locator("canvas").wait_for(
                        timeout=120_000)
                    page.locator("iframe").first.element_handle().content_frame() \
                        .wait_for_function("() => window.readable", timeout=120_000)
                page.wait_for_timeout(1500)  # the charts settle
                target = HERE / f"{name}.png"
                if element:
                    frame = page.locator(element).first
                    frame.scroll_into_view_if_needed()
                    frame.screenshot(path=str(target))
                else:
                    page.screenshot(path=str(target))
                print(target, flush=True)
            ctx.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
