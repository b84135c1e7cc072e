"""Single-user mode serves only the browser holding the start-up token (issue 17).

Before: with no account, anyone who could open 127.0.0.1:PORT (another local account, any
process) read people and the admin pages.  Now ``redgov dashboard`` hands the app a fresh
random token (``$REDGOV_DASHBOARD_TOKEN``) and prints it once in the URL it opens; a
session without it gets a refusal page and nothing else.  AppTest on both engines, then
the real server in Chromium.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redgov.dashboard import auth
from streamlit.testing.v1 import AppTest
from test_dashboard_browser import CHROMIUM, QUIET_FLAGS, _free_port

from redgov.access import accounts
from redgov.access.log import read_log

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "pages" / "app.py")
TOKEN = "a-test-token-0123456789abcdef"
PW = "correct-horse-battery"


@pytest.fixture
def app_env(store, redgov_env: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict:
    for key, value in redgov_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("REDGOV_ACCESS_LOG", str(tmp_path / "access.jsonl"))
    monkeypatch.setenv("REDGOV_DASHBOARD_TOKEN", TOKEN)
    with store.transaction() as w:
        w.run("CREATE (:Unit {code: 'C', name: '示范市', level: 'city', vf: 1, vt: 9999})")
    return {**redgov_env, "REDGOV_ACCESS_LOG": str(tmp_path / "access.jsonl")}


def _open(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def _refused(at: AppTest) -> bool:
    return [t.value for t in at.title] == [auth.text("token.title")] and \
        [e.value for e in at.error] == [auth.text("token.refused")]


@pytest.mark.parametrize("query", [{}, {"token": "wrong"}, {"token": ""},
                                   {"token": TOKEN[:-1]}, {"unit": "C"}])
def test_without_the_token_nothing_is_served(app_env: dict, query: dict) -> None:
    at = _open(**query)
    assert _refused(at), ([t.value for t in at.title], [e.value for e in at.error])
    assert "_viewer" not in at.session_state
    assert not at.metric and not at.dataframe and not at.sidebar.caption


def test_with_the_token_the_session_is_served_and_keeps_it(app_env: dict) -> None:
    at = _open(token=TOKEN)
    assert not _refused(at)
    assert at.session_state["_viewer"].name is None  # the single user
    assert "token" not in at.query_params  # dropped from the address bar at once
    at.run()  # the next interaction: still served, with no token in the URL
    assert not _refused(at) and not at.exception
    assert all(TOKEN not in str(e) for e in read_log())


def test_once_an_account_exists_the_login_form_decides(app_env: dict, store) -> None:
    accounts.create(store, "li", PW, "admin", None)
    at = _open(token=TOKEN)
    assert [t.value for t in at.title] == [auth.text("login.title")]


# --- the real server in Chromium ------------------------------------------------------

def _serve(env: dict) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "redgov", "dashboard", "--no-browser",
         "--port", str(_free_port())],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    first = proc.stdout.readline() if proc.stdout else ""
    assert first.startswith("redgov 看板已启动： ") and "单用户模式" in first, first
    url = first.split()[2]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{32}", url), url
    base = url.split("?")[0]
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the dashboard did not start: {proc.poll()}") from None
            time.sleep(0.3)


@pytest.fixture
def served(falkor_engine: Any, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    with falkor_engine.fresh_graph(f"token browser {tmp_path.name}") as name:
        store = falkor_engine.open(name)
        with store.transaction() as w:
            w.run("CREATE (:Unit {code: 'C', name: '示范市', level: 'city', vf: 1, vt: 9999})")
        store.close()
        env = {k: v for k, v in os.environ.items() if k != "REDGOV_DASHBOARD_TOKEN"}
        env.update(falkor_engine.env(name))
        env["REDGOV_ACCESS_LOG"] = str(tmp_path / "access.jsonl")
        proc, url = _serve(env)
        try:
            yield url, proc
        finally:
            import signal

            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing")
def token_of(url: str) -> str:
    return url.split("token=")[1]


def test_chromium_without_the_token_is_refused_with_it_served(
        served: tuple[str, subprocess.Popen], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, _proc = served
    base = url.split("?")[0]
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
            args=QUIET_FLAGS, viewport={"width": 1200, "height": 900},
        )
        try:
            page = browser.new_page()
            page.goto(base, wait_until="domcontentloaded")
            page.get_by_text("需要令牌链接").wait_for(timeout=90_000)
            main = page.locator('[data-testid="stMain"]')
            assert "示范市" not in main.inner_text()
            page.goto(base + "?token=not-the-token", wait_until="domcontentloaded")
            page.get_by_text("需要令牌链接").wait_for(timeout=60_000)

            page.goto(url, wait_until="domcontentloaded")
            page.locator('[data-testid="stSidebar"]').get_by_text(
                "单用户模式", exact=False).first.wait_for(timeout=90_000)
            assert "需要令牌链接" not in main.inner_text()
            time.sleep(1.0)
            assert "token=" not in page.url, page.url  # dropped from the address bar
            # Traded for an HttpOnly cookie: a reload and a link need no token again.
            cookie = {c["name"]: c for c in browser.cookies()}["redgov_token"]
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict", cookie
            assert cookie["value"] != token_of(url), cookie  # a digest, not the token
            page.goto(base + "hierarchy", wait_until="domcontentloaded")
            page.locator('[data-testid="stSidebar"]').get_by_text(
                "单用户模式", exact=False).first.wait_for(timeout=90_000)
            assert "需要令牌链接" not in main.inner_text()
        finally:
            browser.close()
    token = url.split("token=")[1]
    log = tmp_path / "access.jsonl"
    assert not log.exists() or token not in log.read_text(encoding="utf-8")
