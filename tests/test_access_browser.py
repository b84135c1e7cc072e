"""With accounts, end to end: `redgov dashboard` as a real server in headless Chromium.

A street viewer of the district demo signs in through the form, sees their street's
figures and tree, and a link into another street answers "not found".  Screenshots of
the overview and the hierarchy go to ``$REDGOV_SCREENSHOT_DIR`` when it is set (the
README's are made that way), else to the test's temporary folder.  A second test serves
over TLS with a throwaway self-signed certificate (Streamlit's own sslCertFile/KeyFile),
signs in and keeps the session across a reload, with a Secure ``__Host-`` cookie.
"""

from __future__ import annotations

import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redgov.loaders import sync_export
from test_dashboard_browser import CHROMIUM, QUIET_FLAGS, _free_port, chromium

from redgov.access import accounts

PW = "correct-horse-battery"
STREET, OTHER_STREET = "350206001", "350206002"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing (Debian package `chromium`)"),
]


@pytest.fixture
def demo_env(falkor_engine: Any, tmp_path: Path, district_demo: Any) -> Iterator[dict]:
    """FalkorDB only (the app's scoped reads run on both engines in the AppTests): the
    district demo with a street viewer; yields the server's environment."""
    export = tmp_path / "export"
    district_demo(export)
    with falkor_engine.fresh_graph(f"access browser {tmp_path.name}") as name:
        env = {**os.environ, **falkor_engine.env(name),
               "REDGOV_ACCESS_LOG": str(tmp_path / "access.jsonl")}
        store = falkor_engine.open(name)
        try:
            with pytest.MonkeyPatch.context() as mp:
                for key, value in env.items():
                    mp.setenv(key, value)
                assert sync_export(store, export).status == "applied"
            accounts.create(store, "street", PW, "viewer", STREET)
        finally:
            store.close()
        yield env


def _serve(env: dict, *args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "redgov", "dashboard", "--no-browser", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    first = proc.stdout.readline() if proc.stdout else ""
    assert first.startswith("redgov 看板已启动： "), first
    url = first.split()[2]
    context = ssl._create_unverified_context()
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2,
                                        context=context) as resp:
                if resp.status == 200:
                    return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the dashboard did not start: {proc.poll()}") from None
            time.sleep(0.3)


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)  # redgov and the streamlit child it started
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def served(demo_env: dict) -> Iterator[str]:
    proc, url = _serve(demo_env, "--port", str(_free_port()))
    try:
        yield url
    finally:
        _stop(proc)


def _sign_in(page: Any) -> None:
    page.get_by_label("账户").fill("street", timeout=60_000)
    page.get_by_label("密码").fill(PW)
    page.get_by_role("button", name="登录").click()


def test_street_viewer_signs_in_and_sees_only_the_street(served: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("REDGOV_SCREENSHOT_DIR") or tmp_path)
    with sync_playwright() as p:
        browser = chromium(p, tmp_path / "profile")
        try:
            page = browser.new_page()
            page.goto(served, wait_until="domcontentloaded")
            _sign_in(page)
            metrics = page.locator('[data-testid="stMetric"]')
            metrics.first.wait_for(timeout=90_000)
            page.get_by_text("湖里街道 (350206001)").first.wait_for(timeout=30_000)
            main = page.locator('[data-testid="stMain"]')
            main.get_by_text("各街道").first.wait_for(timeout=60_000)
            time.sleep(1.0)  # let the charts settle before the picture
            page.screenshot(path=str(shots / "access-street-overview.png"), full_page=False)
            assert "殿前街道" not in main.inner_text()
            assert "当前用户：street（查看员）" in page.locator(
                '[data-testid="stSidebar"]').inner_text()

            # A link opened afresh keeps the sign-in (the session cookie) and is followed.
            page.goto(served + f"hierarchy?unit={STREET}", wait_until="domcontentloaded")
            page.get_by_text("湖里街道 · 街道 · 350206001").wait_for(timeout=90_000)
            frame = page.frame_locator("iframe").first
            frame.locator("canvas").wait_for(timeout=60_000)
            time.sleep(2.0)  # the network's layout settles
            page.screenshot(path=str(shots / "access-street-hierarchy.png"), full_page=False)
            text = main.inner_text()
            assert "殿前街道" not in text and "禾山街道" not in text

            page.goto(served + f"hierarchy?unit={OTHER_STREET}", wait_until="domcontentloaded")
            page.get_by_text(f"找不到单位 {OTHER_STREET}").wait_for(timeout=60_000)
            assert "殿前街道" not in main.inner_text()
        finally:
            browser.close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is missing")
def test_tls_serving(demo_env: dict, tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    proc, url = _serve(demo_env, "--port", str(_free_port()), "--tls-cert", str(cert),
                       "--tls-key", str(key))
    try:
        assert url.startswith("https://127.0.0.1:"), url
        with pytest.raises(OSError):  # plain HTTP is not served
            urllib.request.urlopen(url.replace("https://", "http://") + "_stcore/health",
                                   timeout=5)
        # Under TLS the session cookies are Secure and __Host- prefixed (host-only, path /).
        with urllib.request.urlopen(url, timeout=30, context=ssl._create_unverified_context()
                                    ) as resp:
            cookie = resp.headers.get("set-cookie") or ""
        assert cookie.startswith("__Host-redgov_pre=") and "Secure" in cookie, cookie
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:  # sign in over TLS; the session holds across a reload
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=QUIET_FLAGS)
            try:
                context = browser.new_context(ignore_https_errors=True)
                page = context.new_page()
                page.goto(url + f"hierarchy?unit={STREET}", wait_until="domcontentloaded")
                _sign_in(page)
                page.get_by_text("湖里街道 · 街道 · 350206001").wait_for(timeout=90_000)
                page.reload(wait_until="domcontentloaded")
                page.get_by_text("当前用户：street").wait_for(timeout=90_000)
                held = {c["name"]: c for c in context.cookies()}
                session = held["__Host-redgov_session"]
                assert session["secure"] and session["httpOnly"], session
                assert session["sameSite"] == "Strict", session
            finally:
                browser.close()
    finally:
        _stop(proc)
