"""The login gate, idle expiry and logout; the sidebar's account box; links out of scope.

With no account defined the dashboard stays single-user (everything, 127.0.0.1 only) and
says so in the sidebar.  Once one exists, :func:`gate` runs before any page: a session
without a live login sees the login form and nothing else.  A login lasts while the
session is used: after ``REDGOV_IDLE_MINUTES`` (default 15) without a page run it ends;
it also ends when the account is disabled, removed or its password changed (its
``epoch`` moved).  Failed logins are throttled through ``redgov.access.login``; the
password field is cleared on submit and never logged.

Labels are kept here (not in ``i18n``) so this module stays self-contained.
"""

from __future__ import annotations

import os
import time
from typing import Any

import streamlit as st

from ..access import accounts
from ..access import log as access_log
from ..access.login import login
from ..graph.vocabulary import ACCOUNT_ROLE_ZH
from . import data, ui

__all__ = ["IDLE_S", "TEXT", "gate", "guard_links", "sidebar", "text"]

IDLE_S = float(os.environ.get("REDGOV_IDLE_MINUTES", "15")) * 60
_SEEN = "_auth_seen"
_EPOCH = "_auth_epoch"
_NOTICE = "_auth_notice"
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
    "login.ended": ("账户已停用或密码已更改，请重新登录。",
                    "The account was disabled or its password changed: sign in again."),
    "login.out": ("已退出登录。", "Signed out."),
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


def _end(event: str, notice: str) -> None:
    """End the login: log it, forget everything the session held."""
    who = data.viewer()
    if who.name is not None:
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


def gate(paths: tuple[str, ...] = ()) -> data.Viewer:
    """The session's viewer, or the login form and a stop (see the module docstring).

    ``paths``: every page's url path, the default first (see :func:`_keep_address`).
    """
    store = data.store()
    if not accounts.accounts_exist(store):
        if not _served_locally():
            st.error(text("remote"))
            st.stop()
        st.session_state[data.VIEWER_KEY] = data.SINGLE_USER
        return data.SINGLE_USER
    who = st.session_state.get(data.VIEWER_KEY)
    if isinstance(who, data.Viewer) and who.name is not None:
        now = time.time()
        if now - float(st.session_state.get(_SEEN, now)) > IDLE_S:
            _end("expired", "login.expired")
        else:
            account = accounts.get(store, who.name)
            if account is None or account.disabled or \
                    account.epoch != st.session_state.get(_EPOCH):
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
    with st.form("auth.login", clear_on_submit=True):
        name = st.text_input(text("login.name"), key="auth.name")
        password = st.text_input(text("login.password"), type="password", key="auth.password")
        submitted = st.form_submit_button(text("login.submit"), type="primary")
    if not submitted:
        return
    name = (name or "").strip()[:64]
    result = login(store, name, password or "")
    del password
    if result.ok and result.account is not None:
        account = result.account
        st.session_state[data.VIEWER_KEY] = data.Viewer(account.name, account.role,
                                                        account.scope)
        st.session_state[_EPOCH] = account.epoch
        st.session_state[_SEEN] = time.time()
        access_log.record("login", account.name, client=_client(), role=account.role,
                          scope=account.scope, session=data.budget_key())
        st.rerun()
    event = "login_refused" if result.refused else "login_failed"
    # The typed name is masked and cut by the log itself: an ID number typed here is
    # never written raw.
    access_log.record(event, name or None, client=_client(), reason=result.reason,
                      session=data.budget_key())
    if result.reason == "locked":
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


