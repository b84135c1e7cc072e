"""变化 What changed: two snapshot pickers, how each headline figure moved per unit, and
the record changes between them, each with its source — ``redgov diff`` on a page.

Only the figures that moved are listed (a unit whose figures held still is not news); the
record changes are units and organisations added, retired, moved or re-affiliated, posts
begun and ended, supervisions and contracts changed.  The viewer's scope narrows both.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ...graph.stores import StoreError, StoreUnavailable
from ...queries import ParamError
from ...queries.diff import DIFF_LEVELS
from ...queries.present_changes import change_rows, diff_heading, figure_rows
from .. import data, evidence, ui
from ..i18n import term

__all__ = ["render"]


def render() -> None:
    key, _latest = data.current_key()
    lang = ui.lang()
    st.header(ui.label("ch.header"))
    snaps = evidence.snapshots(key)
    if len(snaps) < 2:
        st.info(ui.label("ch.need_two", n=len(snaps)))
        return
    by_ordinal = {s.ordinal: s for s in snaps}
    ordinals = list(by_ordinal)

    def name(o: int) -> str:
        s = by_ordinal[o]
        return ui.label("ch.snapshot", date=s.date, n=s.ordinal)

    first_col, second_col, level_col, scope_col = st.columns(4)
    with first_col:
        first = st.selectbox(ui.label("ch.from"), ordinals, index=len(ordinals) - 2,
                             key="ch.from", format_func=name)
    with second_col:
        second = st.selectbox(ui.label("ch.to"), ordinals, index=len(ordinals) - 1,
                              key="ch.to", format_func=name)
    with level_col:
        level = st.selectbox(ui.label("ch.level"), DIFF_LEVELS, key="ch.level",
                             index=DIFF_LEVELS.index("street"),
                             format_func=lambda v: term("level", v, lang))
    with scope_col:
        units = {u["code"]: f"{u['name']} · {term('level', u['level'], lang)} ({u['code']})"
                 for u in data.units(key) if u["level"] != "compound"}
        everything = ui.label("au.scope_all")
        scope = st.selectbox(ui.label("ch.scope"), ["", *units], key="ch.scope",
                             format_func=lambda c: units.get(c, everything)) or None
    if first == second:
        st.info(ui.label("ch.same"))
        return
    try:
        result = evidence.changes(key, first, second, level, scope)
    except StoreUnavailable:
        raise  # the app's one-line notice
    except (ParamError, StoreError, ValueError) as exc:
        st.error(ui.plain(exc))
        return
    data.log("query", question="diff", params={"from": first, "to": second, "level": level,
                                              "scope": scope}, rows=len(result.changes))
    st.write(ui.plain(diff_heading(result, lang)))
    st.subheader(ui.label("ch.figures", n=len(result.moves)))
    headers, cells = figure_rows(result.moves, lang)
    if cells:
        ui.table(pd.DataFrame(cells, columns=headers), hide_index=True, key="ch.fig")
    else:
        st.caption(ui.label("ch.none"))
    st.subheader(ui.label("ch.records", n=len(result.changes)))
    headers, cells = change_rows(result.changes, lang)
    if cells:
        ui.table(pd.DataFrame(cells, columns=headers), hide_index=True, key="ch.rec")
    else:
        st.caption(ui.label("ch.none"))
