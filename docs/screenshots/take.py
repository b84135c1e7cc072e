"""Take the screenshots in this folder: ``python docs/screenshots/take.py [NAME…]``.

Starts ``redgov dashboard`` on the graph of the current ``REDGOV_HOME`` (run ``redgov demo``
first: the screenshots are of the district demo), loads each page in headless Chromium
(Debian's /usr/bin/chromium, the same as the browser test) and saves one PNG per page,
plus the street and district networks on their own (only the NAMEs given, e.g.
``selection``, when any are).  Chinese needs a CJK font where the
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
CHROMIUM = "/usr/bin/chromium"


def _examples() -> tuple[str, str, str, str]:
    """A district, a street, one of its compounds with a 一肩挑 finding, and that
    compound's secretary (someone with posts to show)."""
    from redgov.dashboard.reads import units as read_units
    from redgov.graph.stores import open_store
    from redgov.queries import run_question

    store = open_store(os.environ.get("REDGOV_STORE") or "embedded")
    try:
        units = read_units(store)
        district = next(u["code"] for u in units if u["level"] == "district")
        street = next(u["code"] for u in units if u["level"] == "street")
        rows = run_question(store, "one_shoulder", {"scope": street}).rows
        row = next(r for r in rows if r["one_shoulder"])
        return district, street, row["compound_code"], row["secretary_code"]
    finally:
        store.close()


def main() -> int:
    from playwright.sync_api import sync_playwright

    wanted = set(sys.argv[1:])  # file names to retake (default: all)
    unit_free = {"overview", "audit", "sync", "changes", "selection"}
    district, street, compound, person = (
        ("", "", "", "") if wanted and wanted <= unit_free else _examples())
    # (file name, path, what shows the page has arrived, element to shoot or None)
    pages = [
        ("overview", "", '[data-testid="stVegaLiteChart"]', None),
        ("hierarchy-district", f"hierarchy?unit={district}", "iframe", None),
        ("network-district", f"hierarchy?unit={district}", "iframe", "iframe"),
        ("hierarchy-street", f"hierarchy?unit={street}", "iframe", None),
        ("network-street", f"hierarchy?unit={street}", "iframe", "iframe"),
        ("hierarchy-compound", f"hierarchy?unit={compound}", "iframe", None),
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
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            ctx = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
                viewport={"width": 1440, "height": 1100}, device_scale_factor=1,
            )
            page = ctx.new_page()
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
                page.wait_for_timeout(3000)  # the network's layout and the charts settle
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
