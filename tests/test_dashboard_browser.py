"""End to end: `redgov dashboard` as a real server, loaded in headless Chromium.

Streamlit sends its content over a websocket after the page loads, so the test drives
the browser (Playwright for Python on Debian's /usr/bin/chromium, no browser download)
and waits for the content rather than taking a timed snapshot (ENGINE_NOTES.md).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_dashboard_fixture import fixture_graph

CHROMIUM = "/usr/bin/chromium"
QUIET_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing (Debian package `chromium`)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def graph(falkor_engine, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[SimpleNamespace]:
    """FalkorDB only: the app's data reads run on both engines in test_dashboard_app.py."""
    with fixture_graph(falkor_engine, tmp_path_factory.mktemp("dash-browser")) as g:
        yield g


@pytest.fixture
def server_url(graph: SimpleNamespace, server, monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "REDGOV_HOME": str(server.home), "REDGOV_GRAPH": graph.name}
    env.pop("REDGOV_STORE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "redgov", "dashboard", "--port", str(port), "--no-browser"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        assert first.startswith(f"redgov dashboard: {url}"), first
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the dashboard did not start: {proc.poll()}") from None
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # redgov and the streamlit child it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_overview_figures_and_network_canvas_in_chromium(server_url: str, tmp_path: Path
                                                        ) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
            args=QUIET_FLAGS, viewport={"width": 1400, "height": 1000},
        )
        try:
            page = browser.new_page()
            page.goto(server_url, wait_until="domcontentloaded")
            metrics = page.locator('[data-testid="stMetric"]')
            metrics.first.wait_for(timeout=60_000)
            page.get_by_text("66.7% (2/3)").first.wait_for(timeout=30_000)
            text = page.locator('[data-testid="stMain"]').inner_text()
            for want in ("小区党组织覆盖率", "66.7% (2/3)", "“一肩挑”比例", "100.0% (2/2)",
                         "+50.0 pp", "业委会到期未换届"):
                assert want in text, (want, text[:2000])
            assert metrics.count() == 9

            page.goto(server_url + "hierarchy?unit=X1", wait_until="domcontentloaded")
            page.get_by_text("阳光小区 · 小区 · X1").wait_for(timeout=60_000)
            frame = page.frame_locator("iframe").first
            canvas = frame.locator("canvas")
            canvas.wait_for(timeout=60_000)
            box = canvas.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 300, box
            assert frame.locator("#legend").inner_text().count("党支部") == 1
        finally:
            browser.close()
