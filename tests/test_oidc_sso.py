"""Single sign-on against a real OpenID Connect provider process on 127.0.0.1.

The provider is ``oidc-provider-mock`` (PyPI, a ``[test]`` dependency) run as its own
process; the dashboard is ``redgov dashboard --oidc-issuer … --oidc-client-id …
--oidc-secret-file …`` served for real.  The HTTP cases drive the routes with a plain HTTP
client (the browser's part is following redirects and posting the provider's form); one
case signs in through Chromium.  Cases: a linked subject signs in (PKCE, state and nonce
sent, the session cookie set, the link kept); an account linked by a verified e-mail
signs in; an unknown subject is refused and logged; a wrong ``state``; an authorization
code that is no longer valid (used once already) and a sign-in that took too long; an ID
token issued to another client; and the provider down (local password sign-in still
works).  FalkorDB serves; the session store runs on both engines in
test_access_sessions.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from test_access_browser import _serve, _stop
from test_dashboard_browser import CHROMIUM, QUIET_FLAGS, _free_port
from test_dashboard_fixture import fixture_graph

from redgov.access import accounts, oidc, sessions
from redgov.access.log import read_log

requests = pytest.importorskip("requests")

PW = "correct-horse-battery"
CLIENT_ID, SECRET = "redgov-dashboard", "s3cret-of-the-client-0123456789"
USERS = [
    {"sub": "li-sub-0001", "name": "李"},
    {"sub": "wang-sub-0002", "email": "Wang@Example.org", "email_verified": True},
    {"sub": "zhao-sub-0003", "email": "zhao@example.org", "email_verified": False},
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An OpenID Connect provider process (nonce required, tokens for an hour)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("oidc-provider") / "provider.log"
    args = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port),
            "--require-nonce", "true"]
    for user in USERS:
        args += ["--user-claims", json.dumps(user)]
    with log.open("w") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(issuer + "/.well-known/openid-configuration",
                                            timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the provider did not start: {log.read_text()}"
                                         ) from None
                time.sleep(0.2)
        yield issuer
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def site(falkor_engine: Any, provider: str, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[SimpleNamespace]:
    tmp = tmp_path_factory.mktemp("oidc-site")
    secret = tmp / "client-secret"
    secret.write_text(SECRET + "\n")
    secret.chmod(0o600)
    with fixture_graph(falkor_engine, tmp) as g:
        accounts.create(g.store, "li", PW, "viewer", "S1")
        oidc.set_link(g.store, "li", "li-sub-0001", None)
        accounts.create(g.store, "wang", PW, "auditor", "D1")
        oidc.set_link(g.store, "wang", None, "wang@example.org")
        accounts.create(g.store, "zhao", PW, "viewer", "S1")
        oidc.set_link(g.store, "zhao", None, "zhao@example.org")  # e-mail not verified
        log = tmp / "access.jsonl"
        env = {**os.environ, **g.env, "REDGOV_ACCESS_LOG": str(log)}
        proc, url = _serve(env, "--port", str(_free_port()), "--oidc-issuer", provider,
                           "--oidc-client-id", CLIENT_ID, "--oidc-secret-file", str(secret))
        try:
            yield SimpleNamespace(store=g.store, env=env, url=url, log=log, issuer=provider,
                                  secret=secret, tmp=tmp, proc=proc)
        finally:
            _stop(proc)


def _start(site: SimpleNamespace, http: Any, next_path: str = "/") -> str:
    """``/redgov/oidc/start``: the provider's authorization URL it sends the browser to."""
    resp = http.get(site.url + "redgov/oidc/start", params={"next": next_path},
                    allow_redirects=False, timeout=30)
    assert resp.status_code == 303, (resp.status_code, resp.text[:300])
    return resp.headers["location"]


def _authorize(authorize_url: str, sub: str) -> dict[str, str]:
    """The person signs in at the provider as ``sub``; the callback's query."""
    resp = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=30)
    assert resp.status_code == 302, (resp.status_code, resp.text[:300])
    query = parse_qs(urlsplit(resp.headers["location"]).query)
    return {k: v[0] for k, v in query.items()}


def _callback(site: SimpleNamespace, http: Any, params: dict[str, str]) -> Any:
    return http.get(site.url + "redgov/oidc/callback", params=params, allow_redirects=False,
                    timeout=30)


def _events(site: SimpleNamespace, since: int) -> list[dict]:
    return read_log(site.log)[since:]


def test_a_linked_subject_signs_in(site: SimpleNamespace) -> None:
    before = len(read_log(site.log))
    http = requests.Session()
    where = _start(site, http, "/hierarchy?unit=X1")
    query = parse_qs(urlsplit(where).query)
    assert where.startswith(site.issuer + "/oauth2/authorize?"), where
    assert query["client_id"] == [CLIENT_ID] and query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43 and len(query["state"][0]) >= 32
    assert len(query["nonce"][0]) >= 32 and "openid" in query["scope"][0].split()
    assert query["redirect_uri"] == [site.url + "redgov/oidc/callback"]
    assert SECRET not in where
    resp = _callback(site, http, _authorize(where, "li-sub-0001"))
    assert resp.status_code == 200, resp.text[:500]
    assert 'url=/hierarchy?unit=X1"' in resp.text, resp.text
    cookie = http.cookies.get("redgov_session")
    assert cookie, resp.headers
    raw = resp.headers["set-cookie"]
    assert "HttpOnly" in raw and "SameSite=strict" in raw, raw
    found = sessions.check(site.store, cookie)
    assert found.ok and found.account is not None and found.account.name == "li", found
    assert found.session is not None and found.session.via == "oidc"
    logged = [(e["event"], e.get("user"), e.get("via")) for e in _events(site, before)]
    assert logged == [("login", "li", "oidc")], logged
    text = site.log.read_text()
    assert SECRET not in text and cookie not in text


def test_a_verified_email_signs_in_an_unverified_one_does_not(site: SimpleNamespace) -> None:
    http = requests.Session()
    resp = _callback(site, http, _authorize(_start(site, http), "wang-sub-0002"))
    assert resp.status_code == 200, resp.text[:300]
    found = sessions.check(site.store, http.cookies.get("redgov_session"))
    assert found.ok and found.account is not None and found.account.name == "wang", found
    http = requests.Session()
    resp = _callback(site, http, _authorize(_start(site, http), "zhao-sub-0003"))
    assert resp.status_code == 403 and "redgov_session" not in http.cookies, resp.text[:300]


def test_an_unknown_subject_is_refused_and_logged(site: SimpleNamespace) -> None:
    before = len(read_log(site.log))
    http = requests.Session()
    resp = _callback(site, http, _authorize(_start(site, http), "stranger-9999"))
    assert resp.status_code == 403, resp.text[:300]
    assert "未关联" in resp.text and "stranger-9999" in resp.text  # told to the person
    assert "redgov_session" not in http.cookies
    logged = _events(site, before)
    assert [(e["event"], e.get("reason"), e.get("via")) for e in logged] == [
        ("login_failed", "unknown", "oidc")], logged
    assert "stranger-9999" not in json.dumps(logged)  # the log keeps it masked


def test_a_wrong_state_is_refused(site: SimpleNamespace) -> None:
    before = len(read_log(site.log))
    http = requests.Session()
    params = _authorize(_start(site, http), "li-sub-0001")
    resp = _callback(site, http, {**params, "state": params["state"][:-2] + "xx"})
    assert resp.status_code == 400 and "redgov_session" not in http.cookies, resp.text[:300]
    # The transaction was used up by the wrong answer: the right one now fails too.
    resp = _callback(site, http, params)
    assert resp.status_code == 400 and "redgov_session" not in http.cookies
    # Another browser (no transaction cookie) replaying a genuine answer gets nothing.
    thief = requests.Session()
    params = _authorize(_start(site, requests.Session()), "li-sub-0001")
    assert _callback(site, thief, params).status_code == 400
    reasons = [e.get("reason") for e in _events(site, before)]
    assert reasons == ["state", "state", "state"], reasons


def test_a_used_code_and_a_stale_sign_in_are_refused(site: SimpleNamespace) -> None:
    http = requests.Session()
    params = _authorize(_start(site, http), "li-sub-0001")
    assert _callback(site, http, params).status_code == 200
    # The same code again, under a fresh transaction of the same browser.
    fresh = _authorize(_start(site, http), "li-sub-0001")
    resp = _callback(site, http, {"code": params["code"], "state": fresh["state"]})
    assert resp.status_code == 400 and "授权码已失效" in resp.text, resp.text[:300]
    assert read_log(site.log)[-1]["reason"] == "code"
    # A sign-in finished after the transaction's lifetime (the clock moved on).
    provider = oidc.Provider(oidc.OidcConfig(site.issuer, CLIENT_ID, SECRET,
                                             site.url + "redgov/oidc/callback"))
    tx, url = provider.begin("/", now=1000.0)
    answer = _authorize(url, "li-sub-0001")
    with pytest.raises(oidc.OidcError) as late:
        provider.finish(tx, answer, now=1000.0 + oidc.TX_TTL_S + 1)
    assert late.value.reason == "expired"


def test_a_token_for_another_client_is_refused(site: SimpleNamespace) -> None:
    config = oidc.OidcConfig(site.issuer, CLIENT_ID, SECRET, site.url + "redgov/oidc/callback")
    other = oidc.Provider(oidc.OidcConfig(site.issuer, "another-client", "its-own-secret",
                                          "http://127.0.0.1:1/cb"))
    tx, url = other.begin("/")
    answer = _authorize(url, "li-sub-0001")
    claims = other.finish(tx, answer)  # a genuine ID token, issued to another-client
    assert claims["aud"] in ("another-client", ["another-client"]), claims
    # Its code at our callback: the provider will not redeem another client's code.
    http = requests.Session()
    ours = _authorize(_start(site, http), "li-sub-0001")
    _, url2 = other.begin("/")
    their_code = _authorize(url2, "li-sub-0001")["code"]
    resp = _callback(site, http, {"code": their_code, "state": ours["state"]})
    assert resp.status_code == 400 and "redgov_session" not in http.cookies
    assert read_log(site.log)[-1]["reason"] == "code"
    # Its ID token, checked as ours: refused for the audience.
    tx3, url3 = other.begin("/")
    token = other._session().fetch_token(other.metadata()["token_endpoint"],
                                         code=_authorize(url3, "li-sub-0001")["code"],
                                         code_verifier=tx3.verifier)
    with pytest.raises(oidc.OidcError, match="another client"):
        oidc.Provider(config).validate_id_token(token["id_token"], tx3.nonce)
    # Sanity: the same check accepts our own token (so the refusal is the audience's).
    mine = oidc.Provider(config)
    tx4, url4 = mine.begin("/")
    assert mine.finish(tx4, _authorize(url4, "li-sub-0001"))["sub"] == "li-sub-0001"


def test_provider_down_local_password_still_works(site: SimpleNamespace,
                                                  tmp_path: Path) -> None:
    """A dashboard whose provider does not answer: single sign-on says so in one page,
    an admin (anyone with a local password) still signs in."""
    from playwright.sync_api import sync_playwright

    dead = f"http://127.0.0.1:{_free_port()}"
    proc, url = _serve(site.env, "--port", str(_free_port()), "--oidc-issuer", dead,
                       "--oidc-client-id", CLIENT_ID, "--oidc-secret-file", str(site.secret))
    try:
        before = len(read_log(site.log))
        t0 = time.monotonic()
        resp = requests.get(url + "redgov/oidc/start", allow_redirects=False, timeout=30)
        assert resp.status_code == 502 and "本地账户" in resp.text, resp.text[:300]
        assert time.monotonic() - t0 < 15
        assert [(e["event"], e.get("reason")) for e in _events(site, before)] == [
            ("login_failed", "down")]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=QUIET_FLAGS)
            try:
                page = browser.new_page()
                page.goto(url + "hierarchy?unit=X1", wait_until="domcontentloaded")
                page.get_by_role("button", name="统一身份认证登录").click(timeout=60_000)
                page.get_by_text("统一身份认证暂不可用").wait_for(timeout=60_000)
                page.goto(url + "hierarchy?unit=X1", wait_until="domcontentloaded")
                page.get_by_label("账户").fill("li", timeout=60_000)
                page.get_by_label("密码").fill(PW)
                page.get_by_role("button", name="登录", exact=True).click()
                page.get_by_text("阳光小区 · 小区 · X1").wait_for(timeout=90_000)
            finally:
                browser.close()
    finally:
        _stop(proc)


def test_sign_in_through_the_provider_in_chromium(site: SimpleNamespace) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=QUIET_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(site.url + "hierarchy?unit=X1", wait_until="domcontentloaded")
            page.get_by_role("button", name="统一身份认证登录").click(timeout=60_000)
            page.locator('input[name="sub"]').fill("li-sub-0001", timeout=60_000)
            page.get_by_role("button", name="Authorize").click()
            page.get_by_text("当前用户：li").wait_for(timeout=90_000)
            page.get_by_text("阳光小区 · 小区 · X1").wait_for(timeout=60_000)
            assert urlsplit(page.url).path == "/hierarchy", page.url
            page.reload(wait_until="domcontentloaded")
            page.get_by_text("当前用户：li").wait_for(timeout=90_000)
        finally:
            browser.close()


def test_the_secret_file_must_be_private(site: SimpleNamespace, tmp_path: Path) -> None:
    loose = tmp_path / "secret"
    loose.write_text(SECRET)
    loose.chmod(0o644)
    done = subprocess.run(
        [sys.executable, "-m", "redgov", "dashboard", "--no-browser", "--port",
         str(_free_port()), "--oidc-issuer", site.issuer, "--oidc-client-id", CLIENT_ID,
         "--oidc-secret-file", str(loose)],
        env=site.env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "chmod 600" in done.stderr, done.stderr
    assert SECRET not in done.stdout + done.stderr
