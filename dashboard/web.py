"""The dashboard's HTTP side: the session cookie, sign-out and single sign-on routes.

Streamlit's pages run over a websocket and cannot set an HttpOnly cookie (a cookie set by
page JavaScript never can be).  So ``redgov dashboard`` serves the app through Streamlit's
own ASGI application class, ``st.App(script, routes=…, middleware=…)``
(``dashboard/pages/serve.py``), which adds these routes beside Streamlit's:

- ``GET /redgov/claim``: after a password sign-in checked by the page, the browser comes
  here; the server hands it the new session's id as the ``redgov_session`` cookie
  (HttpOnly, SameSite=Strict, Secure under TLS, ``__Host-`` prefixed then) and sends it on
  to the page it was on.  Which session is whose is known from ``redgov_pre``, a random
  HttpOnly cookie the server set on the page before sign-in: the page files the new
  session under that cookie's hash (in this process's memory, for 60 s, used once), so
  no secret ever travels in a URL or through page JavaScript.
- ``GET /redgov/signout``: drops the cookie (the page has already ended the session in the
  store) and goes back to the start page.
- ``GET /redgov/oidc/start`` and ``GET /redgov/oidc/callback``: single sign-on
  (:mod:`redgov.access.oidc`).  The transaction (state, nonce, PKCE verifier) stays in
  this process's memory under a random ``redgov_oidc`` cookie (SameSite=Lax: the provider
  sends the browser back from another site), for at most ten minutes, used once.

The page itself (``dashboard.auth.gate``) reads the session cookie from its websocket's
handshake (``st.context.cookies``), which the browser sends with SameSite=Strict cookies
even when the page was opened from a link on another site.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import os
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from ..access import accounts, oidc, sessions
from ..access import log as access_log

__all__ = ["COOKIE", "PRE", "claim_later", "cookie_name", "middleware", "navigate",
           "routes", "safe_next"]

COOKIE, PRE, OIDC_TX, TOKEN = "redgov_session", "redgov_pre", "redgov_oidc", "redgov_token"
TOKEN_ENV = "REDGOV_DASHBOARD_TOKEN"  # single-user mode's start-up token
SECURE_ENV = "REDGOV_COOKIE_SECURE"  # "1": the browser reaches us over TLS
HANDOFF_TTL_S = 60.0
_MAX_PENDING = 10_000
_STREAMLIT_PREFIXES = ("/_stcore/", "/static/", "/media/", "/component/", "/redgov/",
                       "/auth/", "/oauth2callback")


def secure() -> bool:
    return os.environ.get(SECURE_ENV) == "1"


def cookie_name(base: str) -> str:
    """``__Host-`` names under TLS: the browser then refuses the cookie unless it is
    Secure, host-only and for ``/`` (no sibling host can plant one)."""
    return f"__Host-{base}" if secure() else base


def token_digest(token: str) -> str:
    """What the single-user cookie holds: a digest of the start-up token, not the token."""
    return hashlib.sha256(("redgov-single-user:" + token).encode("utf-8")).hexdigest()


def token_matches(given: str | None, *, digest: bool = False) -> bool:
    """Does ``given`` (the link's token, or with ``digest`` the cookie's value) match this
    server's start-up token?  Constant time; False when no token was set."""
    expected = os.environ.get(TOKEN_ENV, "")
    if not expected or not given or len(given) > 256:
        return False
    want = token_digest(expected) if digest else expected
    return hmac.compare_digest(given.encode("utf-8"), want.encode("utf-8"))


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in: anything else (another host, a scheme, a
    protocol-relative ``//host``) becomes ``/``.

    >>> safe_next("/hierarchy?unit=X1"), safe_next("//evil.example/"), safe_next("http://x/")
    ('/hierarchy?unit=X1', '/', '/')
    """
    if not target or len(target) > 2048 or not target.startswith("/") or \
            target.startswith(("//", "/\\")) or not target.isprintable():
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


# -- hand-offs from the page to the claim route (this process's memory) ---------------
@dataclass(frozen=True)
class _Pending:
    value: Any
    next: str
    until: float


class _Pending_store:
    """Short-lived, single-use entries keyed by the hash of a browser cookie."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._items: dict[str, _Pending] = {}

    @staticmethod
    def _key(cookie: str) -> str:
        return hashlib.sha256(cookie.encode("utf-8")).hexdigest()

    def put(self, cookie: str, value: Any, next_path: str) -> bool:
        now = time.monotonic()
        with self._lock:
            for k in [k for k, v in self._items.items() if v.until < now]:
                del self._items[k]
            if len(self._items) >= _MAX_PENDING:
                return False
            self._items[self._key(cookie)] = _Pending(value, safe_next(next_path),
                                                      now + self.ttl_s)
            return True

    def take(self, cookie: str | None) -> _Pending | None:
        if not cookie or len(cookie) > 128:
            return None
        with self._lock:
            found = self._items.pop(self._key(cookie), None)
        return found if found is not None and found.until >= time.monotonic() else None


_HANDOFFS = _Pending_store(HANDOFF_TTL_S)
_OIDC = _Pending_store(oidc.TX_TTL_S)
_PROVIDER: dict[str, oidc.Provider] = {}
_PROVIDER_LOCK = threading.Lock()


def claim_later(pre_cookie: str, session_id: str, next_path: str) -> bool:
    """Called by the page after a password sign-in: the browser holding ``pre_cookie``
    may claim ``session_id`` at ``/redgov/claim`` within a minute, once."""
    return _HANDOFFS.put(pre_cookie, session_id, next_path)


def navigate(url: str) -> None:
    """Send the browser to ``url`` (a path on this server) from a page run.

    Streamlit has no public call for "go to this URL in this tab"; ``st.login`` and
    ``st.logout`` do it with the ``auth_redirect`` message, which the browser obeys with
    ``window.location.href = url``.  This sends that message (Streamlit is pinned, and the
    Chromium tests exercise it).  Outside a served page (AppTest) it does nothing.
    """
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    msg = ForwardMsg()
    msg.auth_redirect.url = url
    ctx.enqueue(msg)


def provider() -> oidc.Provider | None:
    """This server's provider (None: single sign-on is off); settings read once."""
    with _PROVIDER_LOCK:
        if "p" not in _PROVIDER:
            config = oidc.config_from_env()
            if config is None:
                return None
            _PROVIDER["p"] = oidc.Provider(config)
        return _PROVIDER["p"]


def oidc_enabled() -> bool:
    return bool(os.environ.get("REDGOV_OIDC_ISSUER", "").strip())


# -- responses --------------------------------------------------------------------------
def _set_cookie(response: Any, base: str, value: str, *, samesite: str = "strict",
                path: str = "/", max_age: int | None = None) -> None:
    response.set_cookie(cookie_name(base), value, max_age=max_age, path=path,
                        secure=secure(), httponly=True, samesite=samesite)


def _drop_cookie(response: Any, base: str, *, samesite: str = "strict",
                 path: str = "/") -> None:
    response.delete_cookie(cookie_name(base), path=path, secure=secure(), httponly=True,
                           samesite=samesite)


def _no_store(response: Any) -> Any:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{title}</title>{refresh}<meta name="viewport" content="width=device-width">
<style>body{{font-family:sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}}
</style></head><body><h1>{title}</h1><p>{zh}</p><p lang="en">{en}</p>
<p><a href="{href}">{link}</a></p></body></html>"""


def _page(status: int, title: str, zh: str, en: str, href: str = "/",
          link: str = "返回登录页 · Back to sign-in", refresh: bool = False) -> Any:
    from starlette.responses import HTMLResponse

    body = _PAGE.format(
        title=html.escape(title), zh=html.escape(zh), en=html.escape(en),
        href=html.escape(href, quote=True), link=html.escape(link),
        refresh=f'<meta http-equiv="refresh" content="0;url={html.escape(href, quote=True)}">'
        if refresh else "")
    return _no_store(HTMLResponse(body, status_code=status))


def _client(request: Any) -> str | None:
    return access_log.mask_ip(request.client.host if request.client else None)


def _cookie(request: Any, base: str) -> str | None:
    return request.cookies.get(cookie_name(base))


# -- routes -----------------------------------------------------------------------------
def _claim(request: Any) -> Any:
    from starlette.responses import RedirectResponse

    pending = _HANDOFFS.take(_cookie(request, PRE))
    if pending is None:
        return _no_store(RedirectResponse("/", status_code=303))
    response = RedirectResponse(pending.next, status_code=303)
    _set_cookie(response, COOKIE, str(pending.value))
    _drop_cookie(response, PRE)
    return _no_store(response)


def _signout(request: Any) -> Any:
    from starlette.responses import RedirectResponse

    from . import data

    sid = _cookie(request, COOKIE)
    if sid:  # the page ended it already; a direct visit ends it here
        who = sessions.end(data.store(), sid)
        if who is not None:
            access_log.record("logout", who, client=_client(request))
    response = RedirectResponse("/", status_code=303)
    _drop_cookie(response, COOKIE)
    return _no_store(response)


def _oidc_start(request: Any) -> Any:
    from starlette.responses import RedirectResponse

    try:
        found = provider()
        if found is None:
            return _page(404, "未启用统一身份认证", "本仪表盘未配置统一身份认证。",
                         "Single sign-on is not configured on this dashboard.")
        tx, url = found.begin(safe_next(request.query_params.get("next")))
    except oidc.OidcError as exc:
        access_log.record("login_failed", None, client=_client(request), via="oidc",
                          reason=exc.reason)
        return _down_page()
    handle = secrets.token_urlsafe(32)
    if not _OIDC.put(handle, tx, tx.next):
        return _page(503, "请稍后再试", "登录请求过多，请稍后再试。",
                     "Too many sign-ins in flight: try again shortly.")
    response = RedirectResponse(url, status_code=303)
    _set_cookie(response, OIDC_TX, handle, samesite="lax", path="/redgov/oidc/",
                max_age=int(oidc.TX_TTL_S))
    return _no_store(response)


def _down_page() -> Any:
    return _page(502, "统一身份认证暂不可用",
                 "无法连接统一身份认证服务，请稍后再试；管理员可在登录页用本地账户和密码登录。",
                 "The identity provider cannot be reached: try again later. An admin can "
                 "still sign in with a local account and password on the sign-in page.")


_REFUSED = {
    "state": ("登录请求无效或已过期，请重新登录。",
              "This sign-in answer does not match a sign-in started here: start again."),
    "expired": ("登录耗时过长或授权码已失效，请重新登录。",
                "The sign-in took too long or its code is no longer valid: start again."),
    "code": ("登录耗时过长或授权码已失效，请重新登录。",
             "The sign-in took too long or its code is no longer valid: start again."),
    "denied": ("统一身份认证拒绝了本次登录。", "The identity provider refused the sign-in."),
    "token": ("统一身份认证返回的身份凭证未通过校验，已拒绝登录。",
              "The identity token did not pass the checks: sign-in refused."),
}


def _oidc_callback(request: Any) -> Any:
    from starlette.responses import HTMLResponse

    from . import data

    params = {k: v for k, v in request.query_params.items() if k in ("state", "code", "error")}
    pending = _OIDC.take(_cookie(request, OIDC_TX))
    found = provider()
    try:
        if found is None:
            raise oidc.OidcError("state", "single sign-on is off")
        if pending is None:
            raise oidc.OidcError("state", "no sign-in in flight for this browser")
        claims = found.finish(pending.value, params)
    except oidc.OidcError as exc:
        access_log.record("login_failed", None, client=_client(request), via="oidc",
                          reason=exc.reason)
        if exc.reason == "down":
            return _down_page()
        zh, en = _REFUSED.get(exc.reason, _REFUSED["token"])
        return _page(400, "登录失败", zh, en)
    store = data.store()
    account = oidc.account_for(store, claims)
    if account is None:
        access_log.record("login_failed", None, client=_client(request), via="oidc",
                          reason="unknown", subject=access_log.mask_text(claims["sub"]))
        return _page(403, "未关联账户",
                     f"该统一身份（标识 {claims['sub']}）未关联任何可用的 redgov 账户。"
                     "请把此标识告诉管理员，由其用 redgov user set 关联。",
                     f"This identity (subject {claims['sub']}) is linked to no enabled "
                     "redgov account: give this subject to an admin, who links it with "
                     "redgov user set.")
    session_id, _ = sessions.open_session(store, account, "oidc")
    accounts.touch_login(store, account.name)
    access_log.record("login", account.name, client=_client(request), role=account.role,
                      scope=account.scope, via="oidc")
    target = pending.next if pending is not None else "/"
    # A page that moves on by itself: the next request starts on this site, so the
    # browser sends the SameSite=Strict cookie with it.
    body = _PAGE.format(title="正在进入…", zh="已登录，正在进入仪表盘。",
                        en="Signed in: opening the dashboard.",
                        href=html.escape(target, quote=True), link="继续 · Continue",
                        refresh=f'<meta http-equiv="refresh" content="0;url='
                        f'{html.escape(target, quote=True)}">')
    response = HTMLResponse(body)
    _set_cookie(response, COOKIE, session_id)
    _drop_cookie(response, OIDC_TX, samesite="lax", path="/redgov/oidc/")
    return _no_store(response)


def routes() -> list[Any]:
    from starlette.routing import Route

    return [
        Route("/redgov/claim", _claim, methods=["GET"]),
        Route("/redgov/signout", _signout, methods=["GET"]),
        Route("/redgov/oidc/start", _oidc_start, methods=["GET"]),
        Route("/redgov/oidc/callback", _oidc_callback, methods=["GET"]),
    ]


# -- the pre-sign-in cookie ---------------------------------------------------------------
class _PreCookie:
    """ASGI middleware: a page request without a ``redgov_pre`` cookie gets one (random,
    HttpOnly, SameSite=Strict), so a password sign-in on that page can be handed to
    ``/redgov/claim`` without any secret in a URL.  In single-user mode a page request
    carrying the right ``?token=`` is answered with the same page's address without it
    and a ``redgov_token`` cookie (HttpOnly, SameSite=Strict) holding a digest of it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("method") != "GET" or \
                str(scope.get("path", "")).startswith(_STREAMLIT_PREFIXES):
            await self.app(scope, receive, send)
            return
        from starlette.requests import HTTPConnection
        from starlette.responses import RedirectResponse, Response

        conn = HTTPConnection(scope)
        given = conn.query_params.get("token")
        if given is not None and token_matches(given):
            # Single-user mode: trade the printed link's token for a cookie at once, so
            # reloads and links keep working and the token leaves the address bar.
            rest = [(k, v) for k, v in conn.query_params.multi_items() if k != "token"]
            target = safe_next(str(scope.get("path") or "/") +
                               ("?" + urlencode(rest) if rest else ""))
            response = _no_store(RedirectResponse(target, status_code=303))
            _set_cookie(response, TOKEN, token_digest(given))
            await response(scope, receive, send)
            return
        if conn.cookies.get(cookie_name(PRE)):
            await self.app(scope, receive, send)
            return
        probe = Response()
        _set_cookie(probe, PRE, secrets.token_urlsafe(32))
        header = probe.headers["set-cookie"].encode("latin-1")

        async def send_with_cookie(message: dict) -> None:
            if message.get("type") == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"set-cookie", header)]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def middleware() -> list[Any]:
    from starlette.middleware import Middleware

    return [Middleware(_PreCookie)]


def oidc_start_path(next_path: str) -> str:
    return "/redgov/oidc/start?next=" + quote(safe_next(next_path), safe="")
