"""Sessions in a real browser: `redgov dashboard` served, driven in headless Chromium.

Sign in once and stay signed in across a reload, a ``?unit=`` link opened in a new tab and
in-app navigation; the cookie is HttpOnly and SameSite=Strict; a copied cookie stops
working at logout; each account command (disable, passwd, remove, set) reaches an open
tab at its next interaction; an idle session expires.  One dashboard per module (a second
one, with a short idle limit, for the expiry).  The session store itself is tested on both
engines in test_access_sessions.py; here FalkorDB serves.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from redgov.dashboard import auth
from test_access_browser import _serve, _stop
from test_dashboard_browser import CHROMIUM, QUIET_FLAGS, _free_port
from test_dashboard_fixture import fixture_graph

from redgov.access import accounts, sessions
from redgov.access.log import read_log

PW = "correct-horse-battery"
NEW_PW = "another-horse-battery"
ACCOUNTS = ("li", "li_idle", "li_disable", "li_passwd", "li_remove", "li_set")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing (Debian package `chromium`)"),
]


@pytest.fixture(scope="module")
def site(falkor_engine: Any, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[SimpleNamespace]:
    tmp = tmp_path_factory.mktemp("session-browser")
    with fixture_graph(falkor_engine, tmp) as g:
        for name in ACCOUNTS:
            accounts.create(g.store, name, PW, "viewer", "S1")
        env = {**os.environ, **g.env, "REDGOV_ACCESS_LOG": str(tmp / "access.jsonl")}
        proc, url = _serve(env, "--port", str(_free_port()))
        try:
            yield SimpleNamespace(store=g.store, env=env, url=url, log=tmp / "access.jsonl",
                                  tmp=tmp)
        finally:
            _stop(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=QUIET_FLAGS)
        try:
            yield b
        finally:
            b.close()


def _sign_in(page: Any, name: str, password: str = PW) -> None:
    page.get_by_label("账户").fill(name, timeout=60_000)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _signed_in_as(page: Any, name: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_text(f"当前用户：{name}").wait_for(
        timeout=90_000)


def _login_form_shows(page: Any, notice: str | None = None) -> None:
    page.get_by_label("密码").wait_for(timeout=60_000)
    if notice is not None:
        page.get_by_text(notice).wait_for(timeout=30_000)
    # The run that draws the form ends by clearing what the last page drew (the sidebar's
    # 当前用户 line): wait for that end, then nothing of the account may be left anywhere.
    with contextlib.suppress(Exception):
        page.wait_for_function(
            "() => !document.documentElement.outerHTML.includes('当前用户')"
            " && !document.body.innerText.includes('阳光小区')", timeout=30_000)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "阳光小区" not in main and "当前用户" not in page.content(), main[:500]


def _session_cookie(context: Any) -> dict:
    found = [c for c in context.cookies() if c["name"] == "redgov_session"]
    assert len(found) == 1, context.cookies()
    return found[0]


def _redgov(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "redgov", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def test_one_sign_in_survives_reload_links_and_tabs_and_a_stolen_cookie_dies_at_logout(
        site: SimpleNamespace, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(site.url + "hierarchy?unit=X1", wait_until="domcontentloaded")
        _sign_in(page, "li")
        page.get_by_text("阳光小区 · 小区 · X1").wait_for(timeout=90_000)  # the link kept
        assert page.url.endswith("/hierarchy?unit=X1"), page.url
        cookie = _session_cookie(context)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"], \
            cookie
        assert cookie["value"] not in page.url and "redgov_session" not in page.content()

        page.reload(wait_until="domcontentloaded")
        _signed_in_as(page, "li")
        page.get_by_text("阳光小区 · 小区 · X1").wait_for(timeout=60_000)

        tab = context.new_page()  # a link from a workbook or a message, in a new tab
        tab.goto(site.url + "hierarchy?unit=X2", wait_until="domcontentloaded")
        _signed_in_as(tab, "li")
        tab.get_by_text("· 小区 · X2").first.wait_for(timeout=60_000)
        assert tab.get_by_label("密码").count() == 0

        stolen = dict(cookie)
        tab.get_by_role("button", name="退出登录").click()
        _login_form_shows(tab)
        assert all(c["name"] != "redgov_session" for c in context.cookies()), context.cookies()
        assert sessions.sessions_of(site.store, "li") == []
    finally:
        context.close()

    thief = browser.new_context()
    try:
        thief.add_cookies([{k: stolen[k] for k in ("name", "value", "domain", "path",
                                                   "httpOnly", "sameSite", "secure")}])
        page = thief.new_page()
        page.goto(site.url + "hierarchy?unit=X1", wait_until="domcontentloaded")
        _login_form_shows(page)
    finally:
        thief.close()
    events = [(e["event"], e.get("via")) for e in read_log(site.log, user="li")
              if e["event"] in ("login", "logout")]
    assert events == [("login", "password"), ("logout", None)], events


@pytest.mark.parametrize("command", ["disable", "passwd", "remove", "set"])
def test_each_account_command_ends_an_open_tab_at_its_next_interaction(
        site: SimpleNamespace, browser: Any, command: str) -> None:
    name = f"li_{command}"
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(site.url, wait_until="domcontentloaded")
        _sign_in(page, name)
        _signed_in_as(page, name)
        args = ["user", command, name, *(["--scope", "M1"] if command == "set" else [])]
        _redgov(site.env, *args, stdin=NEW_PW + "\n" if command == "passwd" else None)
        ended = sessions.sessions_of(site.store, name)
        assert len(ended) == 1 and ended[0].revoked is not None, ended
        # The next interaction: open another page of the app.
        page.locator('[data-testid="stSidebarNav"]').get_by_text("人员").click()
        _login_form_shows(page, auth.TEXT["login.ended"][0])
    finally:
        context.close()
    revoked = [e for e in read_log(site.log, user=name) if e["event"] == "revoked"]
    assert len(revoked) == 1 and revoked[0]["sessions"] == 1, revoked
    assert sessions.sessions_of(site.store, name) == []  # the tab deleted it


def test_an_idle_session_expires(falkor_engine: Any, site: SimpleNamespace,
                                 browser: Any) -> None:
    env = {**site.env, "REDGOV_IDLE_MINUTES": "0.1"}  # six seconds
    proc, url = _serve(env, "--port", str(_free_port()))
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        _sign_in(page, "li_idle")
        _signed_in_as(page, "li_idle")
        time.sleep(7.5)
        page.locator('[data-testid="stSidebarNav"]').get_by_text("人员").click()
        _login_form_shows(page, auth.TEXT["login.expired"][0])
        page.reload(wait_until="domcontentloaded")
        _login_form_shows(page)
    finally:
        context.close()
        _stop(proc)
    assert "expired" in [e["event"] for e in read_log(site.log, user="li_idle")]
