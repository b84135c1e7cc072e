"""示范创建 Model selection: the year's work of seed 004 on one page — the ranking per
category with criterion bars, each disqualified candidate with its reason and evidence, the
quota and the three-year progress, named versus ranked (R16–R20), the red and black lists,
funding guarantees (R15) and the phase targets (R21) with their trend — and the 评选汇总表
download.

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

from ...commands.evaluate import evaluation_table, evidence_text
from ...graph.display import display
from ...graph.evaluation_rules import CATEGORY_ZH
from ...graph.stores import StoreError
from ...queries import ParamError, get_question
from ...queries.present import present_rows
from ...queries.worst import worst_first
from ...selection_report import Sheet, question_sheet, write_tables
from ...target_progress import METHOD, Progress, present, trend_table
from ...targets import DEFAULT_FILE, Target, TargetError
from .. import data, ui

__all__ = ["render", "workbook"]

CHART_ROWS = 30  # candidates a criterion chart shows legibly


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
             lang: str, ctx: Any = None) -> bytes:
    """The 评选汇总表; ``ctx`` (``data.cover_context``) gives its cover the CLI's lines."""
    buf = io.BytesIO()
    write_tables(buf, title, facts, sheets, ["004", "001"], lang, ctx=ctx)
    return buf.getvalue()


def _criterion_chart(result: Any, lang: str) -> None:
    """Stacked bars: each eligible candidate's criterion scores, best rank on top."""
    shown = [r for r in result.rows if r.eligible][:CHART_ROWS]
    if not shown:
        return
    order = [display(c, lang, "criterion") for c in result.criteria]
    frame = pd.DataFrame([
        {"candidate": f"{r.rank}. {r.name or r.code}", "rank": r.rank,
         "criterion": display(c, lang, "criterion"), "score": r.scores[c],
         "position": i}
        for r in shown for i, c in enumerate(result.criteria)])
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("sum(score):Q", title=ui.label("se.total")),
        y=alt.Y("candidate:N", sort=alt.EncodingSortField("rank", order="ascending"),
                title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("criterion:N", sort=order, title=ui.label("se.criterion")),
        order=alt.Order("position:Q"),
        tooltip=["candidate:N", "criterion:N", alt.Tooltip("score:Q", format=".1f")])
    st.caption(ui.label("se.chart", n=len(shown)))
    st.altair_chart(chart, width="stretch")


def _three_year(key: data.Key, category: str) -> str | None:
    """The category's named total against its three-year target (R21), if declared."""
    try:
        answer = data.targets_progress(key)
    except TargetError:
        return None
    for item in answer["targets"]:
        if item["metric"] == "named" and item["category"] == category:
            value = item["value"] if item["value"] is not None else 0
            return ui.label("se.three_year", value=int(value), target=item["target"],
                            due=item["due"], status=ui.plain(display_status(item, ui.lang())))
    return None


def display_status(item: dict[str, Any], lang: str) -> str:
    from ...targets import STATUS

    zh, en = STATUS[item["status"]]
    return en if lang == "en" else zh


def _ranking(key: data.Key, year: int, lang: str) -> list[Sheet]:
    category = st.selectbox(ui.label("se.category"), list(CATEGORY_ZH), key="se.category",
                            format_func=lambda c: display(c, lang, "eval_category"))
    result = data.evaluation(key, category, year)
    st.write(ui.label("se.quota", quota=result.quota, candidates=len(result.rows),
                      eligible=result.eligible_count, named=result.named_count,
                      within=sum(1 for r in result.rows if r.within_quota)))
    three = _three_year(key, category)
    if three:
        st.write(three)
    _criterion_chart(result, lang)
    header, cells = evaluation_table(result, lang)
    # rank is blank for the ineligible: one column type for the table (text)
    ui.table(pd.DataFrame(cells, columns=header).astype(str), hide_index=True,
                 key="se.ranking")
    out = [r for r in result.rows if not r.eligible]
    if out:
        st.subheader(ui.label("se.disqualified", n=len(out)))
        for r in out:
            reasons = "、".join(display(c, lang, "disqualifier") for c in r.disqualified_by)
            lines = "\n".join(f"  - {ui.plain(evidence_text(f, lang))}" for f in r.evidence)
            st.markdown(f"- **{ui.plain(r.name or r.code)}**（{ui.plain(r.code)}）：{reasons}\n"
                        f"{lines}")
    findings = data.ask(key, "named_vs_ranked", year=year)
    q = get_question("named_vs_ranked")
    mine = [r for r in findings["rows"] if r["category"] == category]
    st.caption(ui.label("se.named_vs_ranked", n=len(mine)))
    if mine:
        header_, cells_ = present_rows(q, mine, lang, {})
        ui.table(pd.DataFrame(cells_, columns=header_).astype(str), hide_index=True,
                     key="se.nvr")
    return [question_sheet(q.title(lang)[:31], q, findings["rows"], lang)]


def _evaluation_sheets(key: data.Key, year: int, lang: str) -> list[Sheet]:
    """Every category's ranking and one sheet of the disqualified with their evidence."""
    sheets: list[Sheet] = []
    out_rows: list[list[Any]] = []
    for category in CATEGORY_ZH:
        result = data.evaluation(key, category, year)
        header, cells = evaluation_table(result, lang)
        name = ui.label("se.sheet_ranking", kind=display(category, lang, "eval_category"))
        sheets.append((name, header, cells, {}))
        for r in result.rows:
            for f in r.evidence:
                out_rows.append([display(category, lang, "eval_category"), r.code,
                                 r.name or "", display(f["reason"], lang, "disqualifier"),
                                 evidence_text(f, lang)])
    headers = [ui.label(k) for k in ("se.category", "se.code", "se.name", "se.reason",
                                     "se.evidence")]
    sheets.append((ui.label("se.sheet_disqualified"), headers, out_rows, {}))
    return sheets


def _lists(key: data.Key, year: int, lang: str) -> list[Sheet]:
    q = get_question("red_black_lists")
    answer = data.ask(key, "red_black_lists", year=year)
    names = data.code_names(key, "red_black_lists", answer["rows"])
    header, cells = present_rows(q, answer["rows"], lang, names)
    black = len(q.finding_rows(answer["rows"]))
    st.write(ui.label("se.lists", n=answer["count"], black=black, year=year))
    ui.table(pd.DataFrame(cells, columns=header), hide_index=True, key="se.lists")
    return [question_sheet(q.title(lang)[:31], q, answer["rows"], lang, names)]


def _funding(key: data.Key, year: int, lang: str) -> list[Sheet]:
    guarantee = data.ask(key, "funding_guarantee", year=year)
    rollup = data.ask(key, "funding_rollup", year=year, level="street")
    rows = rollup["rows"]
    if rows:
        worst = worst_first(get_question("funding_rollup"), rows)  # the lowest rate on top
        frame = pd.DataFrame({"unit": [r["unit_name"] for r in worst],
                              "rate": [r["guarantee_rate"] or 0.0 for r in worst],
                              "label": [ui.rate(r["guarantee_rate"]) for r in worst]})
        st.caption(ui.label("se.funding_rollup", year=year))
        chart = alt.Chart(frame).mark_bar().encode(
            x=alt.X("rate:Q", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1]),
                    title=get_question("funding_rollup").column("guarantee_rate").title(lang)),
            y=alt.Y("unit:N", sort=list(dict.fromkeys(frame["unit"])), title=None),
            tooltip=[alt.Tooltip("unit:N"), alt.Tooltip("label:N")])
        st.altair_chart(chart, width="stretch")
    q = get_question("funding_rollup")
    header, cells = present_rows(q, rows, lang, {})
    ui.table(pd.DataFrame(cells, columns=header), hide_index=True, key="se.rollup")
    g = get_question("funding_guarantee")
    short = g.finding_rows(guarantee["rows"])
    st.write(ui.label("se.funding_short", n=len(short),
                      total=sum(r["shortfall"] for r in short)))
    header, cells = present_rows(g, guarantee["rows"], lang, {})
    ui.table(pd.DataFrame(cells, columns=header), hide_index=True, key="se.guarantee")
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
    ui.table(pd.DataFrame(cells, columns=header), hide_index=True, key="se.targets")
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
    year_default = data.scored_year(key, int(str(snapshot.date or data.as_of(snapshot))[:4]))
    year = int(st.number_input(ui.label("se.year"), min_value=2000, max_value=2100,
                               value=year_default, step=1, key="se.year"))
    scope = data.viewer().scope
    st.caption(ui.label("se.scope", scope=ui.plain(scope) if scope
                        else ui.label("se.scope_all")))
    sheets: list[Sheet] = []
    ranking_tab, lists_tab, funding_tab, targets_tab = st.tabs([
        ui.label("se.tab_ranking"), ui.label("se.tab_lists"), ui.label("se.tab_funding"),
        ui.label("se.tab_targets")])
    try:
        with ranking_tab:
            named_sheet = _ranking(key, year, lang)
        sheets += _evaluation_sheets(key, year, lang) + named_sheet
        with lists_tab:
            sheets += _lists(key, year, lang)
        with funding_tab:
            sheets += _funding(key, year, lang)
        with targets_tab:
            sheets += _targets(key, lang)
    except (ParamError, StoreError) as exc:
        st.error(ui.plain(exc))
        return
    facts = [(ui.label("se.year"), year)]
    rows = sum(len(s[2]) for s in sheets)
    st.download_button(
        ui.label("se.download"), workbook(ui.label("se.workbook"), facts, sheets, lang,
                                          data.cover_context(key)),
        file_name=f"{ui.label('se.workbook')}.xlsx", key="se.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click=data.downloaded,
        args=("selection_summary", "xlsx", {"params": {"year": year, "scope": scope},
                                            "count": rows}))

