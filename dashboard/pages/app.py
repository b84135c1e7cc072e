"""The Streamlit entry point: ``redgov dashboard`` (``streamlit run dashboard/pages/app.py``).

Pages are functions registered with ``st.navigation``; each is thin and reads through
``data``.  The app only reads the graph.  The sidebar's snapshot picker runs before any
page (and before the link checks): every page then answers for the chosen snapshot.

Access: ``auth.gate`` runs first (the login form, once an account exists); only the pages
the account's role allows are registered (viewer: overview, hierarchy, people; auditor:
+ audit with its downloads, changes,
示范创建; admin: + sync history and accounts), so another page's
address falls back to the default page; links naming a unit or person outside the
account's scope answer "not found" before any page runs.

Why this file sits inside ``pages/``: Streamlit treats a folder named ``pages`` beside
the entry script as an old-style multipage app (every module in it becomes a page run as
a bare script, and ``st.navigation`` is bypassed for them); the package layout fixes the
page modules' folder as ``dashboard/pages``, so the entry script lives inside it, where
no ``pages`` folder is beside it.
"""

from __future__ import annotations

import streamlit as st
from redgov.dashboard import auth, data, ui
from redgov.dashboard.i18n import t
from redgov.dashboard.pages import (
    accounts,
    audit,
    changes,
    hierarchy,
    overview,
    people,
    selection,
    sync,
)
from redgov.graph.stores import StoreUnavailable

# url path, label, icon, page function, the least role that sees it
_PAGES = (
    ("overview", "nav.overview", ":material/dashboard:", overview.render, "viewer"),
    ("hierarchy", "nav.hierarchy", ":material/account_tree:", hierarchy.render, "viewer"),
    ("audit", "nav.audit", ":material/fact_check:", audit.render, "auditor"),
    ("changes", "nav.changes", ":material/difference:", changes.render, "auditor"),
    ("people", "nav.people", ":material/group:", people.render, "viewer"),
    ("selection", "nav.selection", ":material/military_tech:", selection.render, "auditor"),
    ("sync", "nav.sync", ":material/sync:", sync.render, "admin"),
    ("accounts", "nav.accounts", ":material/manage_accounts:", accounts.render, "admin"),
)


def main() -> None:
    st.set_page_config(page_title=t("app.title"), page_icon=ui.favicon(), layout="wide")
    ui.no_export()  # no table offers Streamlit's own CSV download (see ui.table)
    ui.init_state()
    try:
        _run()
    except StoreUnavailable:
        # The server is away (stopped, crashed, restarting): one line, never a traceback.
        # The store finds it again on the next read, wherever it restarted.
        st.warning(t("app.store_away", ui.lang()))


def _run() -> None:
    who = auth.gate(tuple(p[0] for p in _PAGES))
    lang = ui.lang()
    ui.PAGES.clear()
    for path, key, icon, fn, role in _PAGES:
        if not who.at_least(role):
            continue
        title = auth.text(key) if key in auth.TEXT else t(key, lang)
        ui.PAGES[path] = st.Page(fn, title=title, icon=icon, url_path=path,
                                 default=path == "overview")
    nav = st.navigation(list(ui.PAGES.values()))
    st.session_state["_page"] = nav.url_path or "overview"
    st.sidebar.title(t("app.title", lang))
    found = data.snapshots()
    ui.sidebar(data.store().description, found)  # the snapshot picker: before any read
    key, snapshot = data.current_key(found)
    auth.sidebar(who, {u["code"]: u["name"] for u in data.units(key)} if who.scope else {})
    if snapshot is None:
        st.warning(ui.label("app.no_sync"))
    auth.guard_links(key)
    data.log("view")
    nav.run()


if __name__ == "__main__":  # streamlit runs this file as __main__; importing it does nothing
    main()
