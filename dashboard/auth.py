"""The login gate, idle expiry and logout; the sidebar's account box; links out of scope.

With no account defined the dashboard stays single-user (everything, 127.0.0.1 only) and
says so in the sidebar; started by ``redgov dashboard`` it then serves only a browser that
opened the printed link with its secret token (``?token=…``, from
``$REDGOV_DASHBOARD_TOKEN``): the token is checked in constant time, kept in the session
as a flag, removed from the address bar at once and never logged.  Once one exists,
:func:`gate` runs before any page: a session without a live login sees the login form
and nothing else.

A served page signs in into a server-side session (:mod:`redgov.access.sessions`) held by
an HttpOnly cookie (``dashboard/web.py``): it survives reloads, links and new tabs, ends
after ``REDGOV_IDLE_MINUTES`` (default 15) unused or ``REDGOV_SESSION_HOURS`` (default
12) in all, at logout, and at once for every tab when the account is disabled, removed or
its password, role or scope changes (the session is bound to the account's random
``sid``, drawn again on each such change and never reused); each end is logged
(``logout``, ``expired``, ``revoked``).  With single sign-on configured the form also
offers the department's provider (:mod:`redgov.access.oidc`).  Without a cookie (AppTest)
a login lives in the Streamlit session only, with the same idle and ``sid`` checks.
Failed logins are throttled through ``redgov.access.login``; the password field is
cleared on submit and never logged.

Labels are kept here (not in ``i18n``) so this module stays self-contained.
"""

from __future__ import annotations

import hmac
import os
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

from ..access import accounts, sessions
from ..access import log as access_log
from ..access.login import login
from ..graph.vocabulary import ACCOUNT_ROLE_ZH
from . import data, ui, web

__all__ = ["TEXT", "gate", "guard_links", "sidebar", "text"]

_SEEN = "_auth_seen"
_SID = "_auth_sid"
_NOTICE = "_auth_notice"
_VIA_COOKIE = "_auth_cookie"  # this tab's login is the browser's session cookie
_TOKEN_OK = "_auth_token_ok"
#: Set by ``redgov dashboard`` (see redgov/commands/dashboard.py ``TOKEN_ENV``).
_TOKEN_ENV = "REDGOV_DASHBOARD_TOKEN"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")

TEXT: dict[str, tuple[str, str]] = {
    "login.title": ("请登录", "Sign in"),
    "login.name": ("账户", "Account"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.bad": ("账户或密码错误。", "Wrong account name or password."),
    "login.wait": ("尝试过于频繁，请 {s} 秒后再试。", "Too many attempts: try again in {s} s."),
    "login.locked": ("登录失败次数过多，该账户已暂时锁定，请 {m} 分钟后再试或联系管理员。",
                     "Too many failed logins: the account is locked for {m} min, or ask an "
                     "admin."),
    "login.expired": ("闲置超时，会话已结束，请重新登录。",
                      "The session ended after being idle: sign in again."),
    "login.ended": ("账户已停用，或其密码、角色、可见范围已更改，请重新登录。",
                    "The account was disabled, or its password, role or scope changed: "
                    "sign in again."),
    "login.invalid": ("账户名无效：须为 2–64 个字母、数字或 _ . @ -，不能为空或含空白。",
                      "Invalid account name: 2–64 letters, digits, '_', '.', '@' or '-', "
                      "not empty, no spaces."),
    "login.out": ("已退出登录。", "Signed out."),
    "login.going": ("登录成功，正在进入…", "Signed in: opening the dashboard…"),
    "login.sso": ("统一身份认证登录", "Sign in with the department's identity provider"),
    "login.sso_or": ("或使用本地账户和密码登录：", "Or sign in with a local account and password:"),
    "side.user": ("当前用户：{name}（{role}）", "Signed in: {name} ({role})"),
    "side.scope": ("可见范围：{scope}", "Scope: {scope}"),
    "side.all": ("全部单位", "all units"),
    "side.logout": ("退出登录", "Sign out"),
    "side.single": ("单用户模式：尚未设置账户，仅限本机（127.0.0.1）访问。"
                    "用 `redgov user add` 设置账户后需登录。",
                    "Single-user mode: no account yet, served on 127.0.0.1 only. "
                    "Once `redgov user add` creates one, everyone signs in."),
    "remote": ("尚未设置账户：仪表盘只能在本机（127.0.0.1）使用。",
               "No account is defined: the dashboard serves 127.0.0.1 only."),
    "token.title": ("需要令牌链接", "A link with its token is needed"),
    "token.refused": ("此仪表盘为单用户模式（尚无账户），只对持有启动时令牌的浏览器开放。"
                      "请打开 `redgov dashboard` 启动时打印的链接（含 ?token=…）；"
                      "刷新页面后需重新打开该链接。",
                      "This dashboard is in single-user mode (no account yet) and serves only "
                      "the browser holding the token it was started with. Open the link that "
                      "`redgov dashboard` printed (with ?token=…); after a reload, open it "
                      "again."),
    "nf.unit": ("找不到单位 {code}", "Unit {code} not found"),
    "nf.person": ("找不到人员 {code}", "Person {code} not found"),
    "nav.accounts": ("账户", "Accounts"),
}


def text(key: str, **values: Any) -> str:
    zh, en = TEXT[key]
    return (en if ui.lang() == "en" else zh).format(**values)


def _client() -> str | None:
    return data.client()


def _served_locally() -> bool:
    address = st.get_option("server.address")
    return not address or address in _LOOPBACK


def _end(event: str | None, notice: str) -> None:
    """End the login: log it (``event``), forget everything the session held."""
    who = data.viewer()
    if event is not None and who.name is not None:
        access_log.record(event, who.name, page=st.session_state.get("_page"),
                          session=data.budget_key(), client=_client())
    lang = st.session_state.get("lang", "zh")
    budget = st.session_state.get(data.LOG_SESSION_KEY)
    st.session_state.clear()
    st.session_state["lang"] = lang
    if budget is not None:  # signing out does not reset the session's log budget
        st.session_state[data.LOG_SESSION_KEY] = budget
    st.session_state[_NOTICE] = notice


def _keep_address(paths: tuple[str, ...]) -> None:
    """While the login form shows, declare the pages (hidden, never run) so the address a
    link opened — ``/hierarchy?unit=…`` — is still there once the login succeeds."""
    if not paths:
        return
    st.navigation([st.Page(lambda: None, title=p, url_path=p, default=i == 0)
                   for i, p in enumerate(paths)], position="hidden")


def _cookie(base: str) -> str | None:
    """A cookie of the websocket's handshake (None outside a served page: AppTest)."""
    try:
        value = st.context.cookies.get(web.cookie_name(base))
    except Exception:  # no request context
        return None
    return value if isinstance(value, str) and value else None


def _here() -> str:
    """This page's local path and query, to come back to after sign-in."""
    try:
        path = urlsplit(st.context.url or "").path or "/"
    except Exception:
        path = "/"
    query = urlencode(st.query_params.to_dict())
    return web.safe_next(path + ("?" + query if query else ""))


def _from_cookie(store: Any) -> data.Viewer | None:
    """The viewer of the browser's session cookie (see :mod:`redgov.access.sessions`), or
    None after showing why it ended (expired, revoked, signed out elsewhere)."""
    sid = _cookie(web.COOKIE)
    if not sid:
        return None
    found = sessions.check(store, sid)
    if found.ok and found.account is not None:
        account = found.account
        who = data.Viewer(account.name, account.role, account.scope)
        st.session_state[data.VIEWER_KEY] = who
        st.session_state[_VIA_COOKIE] = True
        return who
    had = st.session_state.get(_VIA_COOKIE)
    if found.reason == "expired" and found.session is not None:
        access_log.record("expired", found.session.account, client=_client())
        _end(None, "login.expired")
    elif found.reason == "revoked" and found.session is not None:
        if found.session.revoked is None:  # else the account command logged it
            access_log.record("revoked", found.session.account, client=_client())
        _end(None, "login.ended")
    elif had:
        _end(None, "login.out")
    return None


def _token_held() -> bool:
    """Single-user mode: does this session hold the start-up token?  (No token was set:
    the app was not started by ``redgov dashboard``, e.g. AppTest — nothing to check.)"""
    expected = os.environ.get(_TOKEN_ENV, "")
    if not expected or st.session_state.get(_TOKEN_OK):
        return True
    if web.token_matches(_cookie(web.TOKEN), digest=True):  # traded for a cookie (web.py)
        st.session_state[_TOKEN_OK] = True
        return True
    given = st.query_params.get("token")
    if given is not None:
        del st.query_params["token"]  # out of the address bar, links and the log
    if given and hmac.compare_digest(given.encode(), expected.encode()):
        st.session_state[_TOKEN_OK] = True
        return True
    return False


def gate(paths: tuple[str, ...] = ()) -> data.Viewer:
    """The session's viewer, or the login form and a stop (see the module docstring).

    ``paths``: every page's url path, the default first (see :func:`_keep_address`).
    """
    store = data.store()
    if not accounts.accounts_exist(store):
        if not _served_locally():
            st.error(text("remote"))
            st.stop()
        if not _token_held():
            _keep_address(paths)
            st.title(text("token.title"))
            st.error(text("token.refused"))
            st.stop()
        st.session_state[data.VIEWER_KEY] = data.SINGLE_USER
        return data.SINGLE_USER
    from_cookie = _from_cookie(store)
    if from_cookie is not None:
        return from_cookie
    who = st.session_state.get(data.VIEWER_KEY)
    if isinstance(who, data.Viewer) and who.name is not None and \
            not st.session_state.get(_VIA_COOKIE):
        now = time.time()
        if now - float(st.session_state.get(_SEEN, now)) > sessions.idle_s():
            _end("expired", "login.expired")
        else:
            account = accounts.get(store, who.name)
            bound = st.session_state.get(_SID)
            if account is None or account.disabled or not bound or account.sid != bound:
                _end("logout", "login.ended")
            else:
                st.session_state[_SEEN] = now
                return who
    else:
        st.session_state.pop(data.VIEWER_KEY, None)  # e.g. the single-user viewer
    _keep_address(paths)
    _login_form(store)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def _login_form(store: Any) -> None:
    st.title(text("login.title"))
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.info(text(notice))
    if web.oidc_enabled():
        if st.button(text("login.sso"), key="auth.sso", type="primary"):
            web.navigate(web.oidc_start_path(_here()))
            st.stop()
        st.caption(text("login.sso_or"))
    with st.form("auth.login", clear_on_submit=True):
        name = st.text_input(text("login.name"), key="auth.name")
        password = st.text_input(text("login.password"), type="password", key="auth.password")
        submitted = st.form_submit_button(text("login.submit"), type="primary")
    if not submitted:
        return
    name = (name or "").strip()  # never cut: a cut name could end in a space
    result = login(store, name, password or "")
    del password
    if result.ok and result.account is not None:
        account = result.account
        pre = _cookie(web.PRE)
        if pre:  # a served page: the session goes into a cookie (dashboard/web.py)
            session_id, _ = sessions.open_session(store, account, "password")
            if web.claim_later(pre, session_id, _here()):
                access_log.record("login", account.name, client=_client(), role=account.role,
                                  scope=account.scope, via="password")
                web.navigate("/redgov/claim")
                st.info(text("login.going"))
                st.stop()
            sessions.end(store, session_id)
        st.session_state[data.VIEWER_KEY] = data.Viewer(account.name, account.role,
                                                        account.scope)
        st.session_state[_SID] = account.sid
        st.session_state[_SEEN] = time.time()
        access_log.record("login", account.name, client=_client(), role=account.role,
                          scope=account.scope, session=data.budget_key())
        st.rerun()
    event = "login_refused" if result.refused else "login_failed"
    # The typed name is masked and cut by the log itself, and an invalid one (blank,
    # control characters, too long) is not written at all: no hostile text in the log.
    shown = (name or None) if result.reason != "invalid" else None
    access_log.record(event, shown, client=_client(), reason=result.reason,
                      session=data.budget_key())
    if result.reason == "invalid":
        st.error(text("login.invalid"))
    elif result.reason == "locked":
        st.error(text("login.locked", m=max(1, round(result.wait_s / 60))))
    elif result.reason == "wait":
        st.error(text("login.wait", s=max(1, round(result.wait_s))))
    else:
        st.error(text("login.bad"))


def sidebar(who: data.Viewer, unit_names: dict[str, str]) -> None:
    with st.sidebar:
        if who.name is None:
            st.caption(text("side.single"))
            return
        role = ACCOUNT_ROLE_ZH[who.role] if ui.lang() == "zh" else who.role
        st.caption(text("side.user", name=who.name, role=role))
        scope = text("side.all") if who.scope is None else \
            f"{unit_names.get(who.scope, who.scope)} ({who.scope})"
        st.caption(text("side.scope", scope=scope))
        if st.button(text("side.logout"), key="auth.logout"):
            if st.session_state.get(_VIA_COOKIE):
                sessions.end(data.store(), _cookie(web.COOKIE))
                _end("logout", "login.out")
                web.navigate("/redgov/signout")  # drops the cookie, back to sign-in
                st.stop()
            _end("logout", "login.out")
            st.rerun()


def guard_links(key: data.Key) -> None:
    """``?unit=``/``?person=`` naming something the viewer may not see: "not found", and
    the link is dropped before any page (or the session) takes it in."""
    unit = st.query_params.get("unit")
    if unit and not data.unit_visible(key, unit):
        data.log("not_found", unit=unit)
        st.error(ui.plain(text("nf.unit", code=unit)))
        del st.query_params["unit"]
    person = st.query_params.get("person")
    if person and data.person(key, person) is None:
        st.error(ui.plain(text("nf.person", code=person)))
        del st.query_params["person"]


