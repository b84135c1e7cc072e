"""The Streamlit entry point: ``redgov dashboard`` (``streamlit run dashboard/pages/app.py``).

Pages are functions registered with ``st.navigation``; each is thin and reads through
``data``.  The app only reads the graph.

Why this file sits inside ``pages/``: Streamlit treats a folder named ``pages`` beside
the entry script as an old-style multipage app (every module in it becomes a page run as
a bare script, and ``st.navigation`` is bypassed for them); the package layout fixes the
page modules' folder as ``dashboard/pages``, so the entry script lives inside it, where
no ``pages`` folder is beside it.
"""

from __future__ import annotations

import streamlit as st
from redgov.dashboard import data, ui
from redgov.dashboard.i18n import t
from redgov.dashboard.pages import audit, hierarchy, overview, people, sync

_PAGES = (
    ("overview", "nav.overview", ":material/dashboard:", overview.render),
    ("hierarchy", "nav.hierarchy", ":material/account_tree:", hierarchy.render),
    ("audit", "nav.audit", ":material/fact_check:", audit.render),
    ("people", "nav.people", ":material/group:", people.render),
    ("sync", "nav.sync", ":material/sync:", sync.render),
)


def main() -> None:
    st.set_page_config(page_title=t("app.title"), page_icon=ui.favicon(), layout="wide")
    ui.init_state()
    lang = ui.lang()
    ui.PAGES.clear()
    for path, key, icon, fn in _PAGES:
        ui.PAGES[path] = st.Page(fn, title=t(key, lang), icon=icon, url_path=path,
                                 default=path == "overview")
    nav = st.navigation(list(ui.PAGES.values()))
    _, latest = data.current_key()
    st.sidebar.title(t("app.title", lang))
    ui.sidebar(data.store().description, data.as_of(latest) if latest else None)
    if latest is None:
        st.warning(ui.label("app.no_sync"))
    nav.run()


if __name__ == "__main__":  # streamlit runs this file as __main__; importing it does nothing
    main()
