"""示范创建 Model selection: the year's work of seed 004 on one page — funding guarantees
(R15) and the phase targets (R21) with their trend — and the 评选汇总表 download.

Auditors and admins only (registered in ``app._PAGES`` with role ``auditor``); every read
goes through ``data`` with the viewer's scope, so a scoped account sees its subtree only
and downloads exactly what it sees.  The workbook is :mod:`redgov.selection_report`'s
(cover, typed printable sheets), and the download is logged like every other.
"""

from __future__ import annotations

import io
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ...graph.stores import StoreError
from ...progress import METHOD, Progress, present, trend_table
from ...queries import ParamError, get_question
from ...queries.present import present_rows
from ...selection_report import Sheet, question_sheet, write_tables
from ...targets import DEFAULT_FILE, Target, TargetError
from .. import data, ui

__all__ = ["render", "workbook"]

FUNDING = ("funding_guarantee", "funding_rollup")


def _progress(answer: dict[str, Any]) -> list[Progress]:
    """The cached JSON back into :class:`Progress` rows (for the shared presentation)."""
    out = []
    for item in answer["targets"]:
        target = Target(
            id=item["id"], name=item["name"], metric=item["metric"],
            due=pd.Timestamp(item["due"]).date(), target=item["target"],
            start=pd.Timestamp(item["start"]).date() if item["start"] else None,
            formation=item["formation"], category=item["category"], source=item["source"])
        out.append(Progress(target, item["value"], item["projected"], item["status"],
                            [(t["date"], t["value"]) for t in item["trend"]]))
    return out


def workbook(title: str, facts: list[tuple[str, Any]], sheets: list[Sheet],
             lang: str) -> bytes:
    buf = io.BytesIO()
    write_tables(buf, title, facts, sheets, ["004", "001"], lang)
    return buf.getvalue()


def _funding(key: data.Key, year: int, lang: str) -> list[Sheet]:
    guarantee = data.ask(key, "funding_guarantee", year=year)
    rollup = data.ask(key, "funding_rollup", year=year, level="street")
    rows = rollup["rows"]
    if rows:
        frame = pd.DataFrame({"unit": [r["unit_name"] for r in rows],
                              "rate": [r["guarantee_rate"] or 0.0 for r in rows],
                              "label": [ui.rate(r["guarantee_rate"]) for r in rows]})
        st.caption(ui.label("se.funding_rollup", year=year))
        chart = alt.Chart(frame).mark_bar().encode(
            x=alt.X("rate:Q", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1]),
                    title=get_question("funding_rollup").column("guarantee_rate").title(lang)),
            y=alt.Y("unit:N", sort="-x", title=None),
            tooltip=[alt.Tooltip("unit:N"), alt.Tooltip("label:N")])
        st.altair_chart(chart, width="stretch")
    q = get_question("funding_rollup")
    header, cells = present_rows(q, rows, lang, {})
    st.dataframe(pd.DataFrame(cells, columns=header), hide_index=True, key="se.rollup")
    g = get_question("funding_guarantee")
    short = g.finding_rows(guarantee["rows"])
    st.write(ui.label("se.funding_short", n=len(short),
                      total=sum(r["shortfall"] for r in short)))
    header, cells = present_rows(g, guarantee["rows"], lang, {})
    st.dataframe(pd.DataFrame(cells, columns=header), hide_index=True, key="se.guarantee")
    return [question_sheet(g.title(lang)[:31], g, guarantee["rows"], lang),
            question_sheet(q.title(lang)[:31], q, rows, lang)]


def _targets(key: data.Key, lang: str) -> list[Sheet]:
    try:
        answer = data.targets_progress(key)
    except TargetError as exc:  # the city's file was made invalid by hand: say which line
        st.error(exc.text(lang))
        return []
    found = _progress(answer)
    where = (ui.label("se.targets_default") if answer["file"] == str(DEFAULT_FILE)
             else answer["file"])
    st.caption(ui.label("se.targets_file", file=ui.plain(where)))
    header, cells = present(found, lang)
    st.dataframe(pd.DataFrame(cells, columns=header), hide_index=True, key="se.targets")
    points = [{"target": p.target.name, "date": d,
               "share": (v / p.target.target) if v is not None else None}
              for p in found for d, v in p.trend]
    if points:
        st.caption(ui.label("se.trend"))
        frame = pd.DataFrame(points)
        chart = alt.Chart(frame).mark_line(point=True).encode(
            x=alt.X("date:T", title=ui.label("se.snapshot")),
            y=alt.Y("share:Q", axis=alt.Axis(format=".0%"), title=ui.label("se.share")),
            color=alt.Color("target:N", title=ui.label("se.target")),
            tooltip=["target:N", "date:T", alt.Tooltip("share:Q", format=".1%")])
        goal = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(strokeDash=[4, 4]).encode(y="y:Q")
        st.altair_chart(chart + goal, width="stretch")
    st.caption(METHOD[lang])
    t_header, t_cells = trend_table(found, lang)
    return [(ui.label("se.tab_targets"), header, cells, {}),
            (ui.label("se.trend")[:31], t_header, t_cells, {})]


def render() -> None:
    key, snapshot = data.current_key()
    lang = ui.lang()
    st.header(ui.label("se.header"))
    if snapshot is None:
        st.info(ui.label("se.no_snapshot"))
        return
    year_default = int(str(snapshot.date or data.as_of(snapshot))[:4])
    year = int(st.number_input(ui.label("se.year"), min_value=2000, max_value=2100,
                               value=year_default, step=1, key="se.year"))
    scope = data.viewer().scope
    st.caption(ui.label("se.scope", scope=ui.plain(scope) if scope
                        else ui.label("se.scope_all")))
    sheets: list[Sheet] = []
    funding_tab, targets_tab = st.tabs([ui.label("se.tab_funding"), ui.label("se.tab_targets")])
    try:
        with funding_tab:
            sheets += _funding(key, year, lang)
        with targets_tab:
            sheets += _targets(key, lang)
    except (ParamError, StoreError) as exc:
        st.error(ui.plain(exc))
        return
    facts = [(ui.label("se.snapshot"), snapshot.date or "—"), (ui.label("se.year"), year),
             (ui.label("se.scope", scope="").rstrip("：: "), scope or ui.label("se.scope_all"))]
    rows = sum(len(s[2]) for s in sheets)
    st.download_button(
        ui.label("se.download"), workbook(ui.label("se.workbook"), facts, sheets, lang),
        file_name=f"{ui.label('se.workbook')}.xlsx", key="se.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click=data.downloaded,
        args=("selection_summary", "xlsx", {"params": {"year": year, "scope": scope},
                                            "count": rows}))

