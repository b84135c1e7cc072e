"""The dashboard's own words (issue 19 §3): the sidebar names the store in Chinese and the
time zone of every time shown; a table without rows says so in words (Streamlit's grid
would print "empty"); no table shows Streamlit's toolbar (English tooltips; downloads go
through redgov's own logged buttons).
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
from redgov.dashboard import ui
from streamlit.testing.v1 import AppTest
from test_dashboard_app import _app_env, graph, open_app

__all__ = ["_app_env", "graph"]  # fixtures used by this module's tests


def _tables_app(lang: str) -> None:
    import pandas as pd
    import streamlit as st
    from redgov.dashboard import ui

    st.session_state["lang"] = lang
    ui.table(pd.DataFrame(columns=["单位"]))
    ui.table(pd.DataFrame({"单位": ["红星社区"]}).style)  # a Styler: its frame has rows
    ui.table(pd.DataFrame({"单位": ["红星社区"]}))


def test_an_empty_table_is_a_line_in_words_and_no_table_has_a_toolbar() -> None:
    for lang, empty in (("zh", "（无数据）"), ("en", "(no rows)")):
        at = AppTest.from_function(_tables_app, args=(lang,))
        at.run()
        assert not at.exception, at.exception
        assert [c.value for c in at.caption] == [empty], [c.value for c in at.caption]
        assert len(at.dataframe) == 2, at._tree
        styles = [h.proto.body for h in at.get("html")]
        assert styles and all(s == ui.TOOLBAR_HIDDEN for s in styles), styles
        assert 'stDataFrame"] [data-testid="stElementToolbar' in ui.TOOLBAR_HIDDEN


def test_table_of_no_rows_gives_no_selection() -> None:
    """Pages read ``event.selection`` only when a table was drawn (None otherwise)."""
    at = AppTest.from_function(lambda: ui.table(pd.DataFrame()))
    at.run()
    assert not at.exception and len(at.dataframe) == 0, at._tree


def test_sidebar_names_the_store_and_the_time_zone_in_chinese(graph: SimpleNamespace) -> None:
    at = open_app()
    side = [c.value for c in at.sidebar.caption]
    assert "时间均为北京时间（UTC+8）" in side, side
    store = next(c for c in side if c.startswith("数据库："))
    assert "embedded" not in store, side
    at.session_state["lang"] = "en"
    at.run()
    side = [c.value for c in at.sidebar.caption]
    assert "Times are Beijing time (UTC+8)" in side, side
