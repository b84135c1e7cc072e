"""账户 Accounts (admins): who may sign in, with which role and scope, and the access log.

Accounts are created and their passwords set with ``redgov user`` (a password is never
typed into a web page here); this page lists them, disables or re-enables one, and shows
the latest access-log entries of this host.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ...access import accounts as store_accounts
from ...access import sessions
from ...access.audit import AuditUnwritable, audited
from ...access.log import EVENT_ZH, record, tail_log
from ...graph.display import format_time
from ...graph.vocabulary import ACCOUNT_ROLE_ZH
from ...queries import catalog
from .. import data, ui

__all__ = ["LOG_SHOWN", "render"]

LOG_SHOWN = 200
_T = {
    "header": ("账户与访问日志", "Accounts and the access log"),
    "accounts": ("账户", "Accounts"),
    "none": ("尚无账户。", "No account yet."),
    "pick": ("选择账户", "Choose an account"),
    "disable": ("停用", "Disable"),
    "enable": ("启用", "Enable"),
    "log": ("最近的访问记录", "Latest access-log entries"),
    "hint": ("新增账户与设置密码：`redgov user add` / `redgov user passwd`。",
             "Add accounts and set passwords with `redgov user add` / `redgov user passwd`."),
}
_COLS = {
    "name": ("账户", "account"), "role": ("角色", "role"), "scope": ("范围", "scope"),
    "state": ("状态", "state"), "created_at": ("创建时间", "created"),
    "last_login": ("最近登录", "last login"), "time": ("时间", "time"),
    "user": ("用户", "user"), "event": ("事件", "event"), "page": ("页面", "page"),
    "question": ("问题", "question"), "rows": ("行数", "rows"),
}


def _t(key: str, table: dict[str, tuple[str, str]] = _T) -> str:
    zh, en = table[key]
    return en if ui.lang() == "en" else zh


def render() -> None:
    if not data.viewer().at_least("admin"):  # registered for admins only; be sure anyway
        st.stop()
    zh = ui.lang() == "zh"
    st.header(_t("header"))
    st.caption(_t("hint"))
    store = data.store()
    found = store_accounts.list_accounts(store)
    st.subheader(_t("accounts"))
    if not found:
        st.caption(_t("none"))
    else:
        ui.table(pd.DataFrame([{
            _t("name", _COLS): a.name,
            _t("role", _COLS): ACCOUNT_ROLE_ZH[a.role] if zh else a.role,
            _t("scope", _COLS): a.scope or ("全部单位" if zh else "all units"),
            _t("state", _COLS): ("停用" if zh else "disabled") if a.disabled
            else ("正常" if zh else "active"),
            _t("created_at", _COLS): _time(a.created_at),
            _t("last_login", _COLS): _time(a.last_login),
        } for a in found]), hide_index=True, key="ac.table")
        names = [a.name for a in found]
        left, mid, right = st.columns([3, 1, 1], vertical_alignment="bottom")
        with left:
            pick = st.selectbox(_t("pick"), names, key="ac.pick")
        with mid:
            if st.button(_t("disable"), key="ac.disable"):
                _switch(store, pick, True)
        with right:
            if st.button(_t("enable"), key="ac.enable"):
                _switch(store, pick, False)
    st.subheader(_t("log"))
    entries = tail_log(LOG_SHOWN)[0][::-1]
    titles = {q.name: q.title(ui.lang()) for q in catalog()}
    pages = {path: page.title for path, page in ui.PAGES.items()}
    ui.table(pd.DataFrame([{
        _t("time", _COLS): _time(e.get("time")), _t("user", _COLS): e.get("user") or "",
        _t("event", _COLS): EVENT_ZH.get(e.get("event", ""), e.get("event")) if zh
        else e.get("event"),
        _t("page", _COLS): pages.get(e.get("page") or "", e.get("page") or ""),
        _t("question", _COLS): titles.get(e.get("question") or "", e.get("question") or ""),
        _t("rows", _COLS): "" if e.get("rows") is None else e["rows"],
    } for e in entries]), hide_index=True, key="ac.log")


def _switch(store: Any, name: str, disabled: bool) -> None:
    """Disable or enable ``name``, its audit entry written first (none written: no change,
    and the page says so in one line)."""
    try:
        with audited("user_disable" if disabled else "user_enable", data.viewer().name,
                     account=name, page=st.session_state.get("_page")):
            store_accounts.set_disabled(store, name, disabled)
    except AuditUnwritable as exc:
        st.error(ui.plain(exc))
        return
    if disabled:  # like `redgov user disable`: its open tabs end at their next run
        ended = sessions.end_all(store, name)
        if ended:
            record("revoked", name, actor=data.viewer().name, sessions=ended)
    st.rerun()


def _time(value: str | None) -> str:
    """Beijing time, as every page shows times; an empty cell for none."""
    return format_time(value, ui.lang()) if value else ""
