"""审计 Audit: every catalog question with its parameters as widgets, the rows, downloads.

Dates are date pickers, the scope a unit picker, a level a level picker; the answer is
``run_question``'s, downloaded as CSV or XLSX through ``redgov.output`` (which
neutralises spreadsheet formulas).  A row's unit or person opens in the explorer or in
People; a clicked row also shows its evidence (the facts behind it, with their sources).
"""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from ...graph.display import rule_text, source_title
from ...graph.stores import StoreError, StoreUnavailable
from ...graph.vocabulary import LEVEL_ORDER
from ...output import render_cells
from ...queries import ParamError, get_question
from ...queries.present import present_rows
from ...queries.present_changes import fact_rows, subject_lines
from ...queries.runner import QueryResult
from ...report import Answer, ReportContext, write_report
from .. import data, evidence, figures, ui
from ..i18n import term

__all__ = ["PERSON_COLUMNS", "UNIT_COLUMNS", "company_lines", "render", "to_csv", "to_xlsx"]

#: Columns whose codes are units (opened in the explorer) and people (opened in People).
UNIT_COLUMNS = ("compound_code", "unit_code", "community_code", "street_code", "district_code")
PERSON_COLUMNS = ("person_code", "chair_code", "secretary_code", "instructor_code")
#: Opened first: R1, the department's first question (and a fast one).
DEFAULT_QUESTION = "compounds_without_branch"


def to_csv(name: str, rows: list[dict[str, Any]], lang: str = "zh",
           names: dict[str, str] | None = None) -> bytes:
    """The answer as the CLI writes it (``redgov audit NAME --format csv``): Chinese
    headers and values from the display vocabulary, a BOM so Excel reads the Chinese."""
    q = get_question(name)
    return render_cells(*present_rows(q, rows, lang, names), "csv").encode("utf-8-sig")


def to_xlsx(answer: dict[str, Any], ctx: ReportContext, lang: str = "zh",
            names: dict[str, str] | None = None) -> bytes:
    """The answer as the CLI's workbook (``redgov audit NAME --out x.xlsx``): the same
    cover (``ctx`` from :func:`redgov.report.report_context`, through
    ``data.cover_context``), typed cells, a bold frozen header with a filter, a chart where
    there is a rate."""
    q = get_question(answer["query"])
    result = QueryResult(answer["query"], answer["params"], answer["columns"], answer["rows"],
                         answer["count"])
    buf = io.BytesIO()
    write_report(buf, [Answer(q, result, dict(names or {}))], ctx, lang)
    return buf.getvalue()


@st.cache_data(show_spinner=False, ttl=data.TTL_S, max_entries=100)
def _workbook(key: data.Key, name: str, params_json: str, lang: str) -> bytes:
    """The XLSX download, built once per answer and language (it draws a chart); its
    cover says what the CLI's says (snapshot ordinal and run id, engine, scope by name)."""
    answer = data.ask(key, name, **json.loads(params_json))
    params = answer["params"]
    ctx = data.cover_context(key, params.get("as_of"), params.get("scope"))
    return to_xlsx(answer, ctx, lang, data.code_names(key, name, answer["rows"]))


def company_lines(co: figures.CompanyFigures, minimum: int) -> str:
    """R2's three company figures with their denominators, as the overview shows them."""
    return ui.label(
        "au.company", companies=co.companies, with_org=co.with_party_org,
        org_rate=ui.rate(co.with_party_org / co.companies if co.companies else None),
        minimum=minimum, qualified=co.qualified, built=co.built,
        built_rate=ui.rate(co.built / co.qualified if co.qualified else None),
        not_built=co.not_built, uncovered=co.uncovered)


def _widget(q: Any, p: Any, key: data.Key, default_as_of: str) -> Any:
    lang = ui.lang()
    wkey = f"au.p.{q.name}.{p.name}"
    label = p.label(lang)
    help_ = p.description if lang == "en" else None  # the catalog describes parameters in English
    if p.type == "date":
        initial = date.fromisoformat(str(p.default or default_as_of))
        value = st.date_input(label, value=initial, key=wkey, format="YYYY-MM-DD",
                              help=help_)
        return value.isoformat() if isinstance(value, date) else None
    if p.type == "unit":
        units = data.units(key)
        names = {u["code"]: f"{u['name']} · {term('level', u['level'], lang)} ({u['code']})"
                 for u in units if u["level"] != "compound"}
        options = ["", *names]
        everything = ui.label("au.scope_all")
        return st.selectbox(label, options, key=wkey, help=help_,
                            index=options.index(p.default) if p.default in options else 0,
                            format_func=lambda c: names.get(c, everything)) or None
    if p.type == "level":
        return st.selectbox(label, LEVEL_ORDER, key=wkey, help=help_,
                            index=LEVEL_ORDER.index(p.default) if p.default in LEVEL_ORDER else 0,
                            format_func=lambda v: term("level", v, lang))
    if p.type == "int":
        return int(st.number_input(label, value=int(p.default or 0), step=1, key=wkey,
                                   help=help_))
    if p.type == "float":
        return float(st.number_input(label, value=float(p.default or 0.0), step=0.05,
                                     format="%.2f", key=wkey, help=help_))
    if p.type == "bool":
        return st.checkbox(label, value=bool(p.default), key=wkey, help=help_)
    return st.text_input(label, value=str(p.default or ""), key=wkey, help=help_) or None


def _follow_snapshot(snapshot: Any) -> None:
    """Another snapshot chosen: the date parameters start again from its date."""
    ordinal = snapshot.ordinal if snapshot is not None else None
    if st.session_state.get("_au_snapshot", ordinal) != ordinal:
        for name in [k for k in st.session_state if str(k).startswith("au.p.")]:
            if isinstance(st.session_state[name], date):
                del st.session_state[name]
    st.session_state["_au_snapshot"] = ordinal


def render() -> None:
    key, snapshot = data.current_key()
    lang = ui.lang()
    _follow_snapshot(snapshot)
    st.header(ui.label("au.header"))
    questions = {q.name: q for q in data.catalog()}
    names = list(questions)
    name = st.selectbox(
        ui.label("au.question"), names, key="au.q",
        index=names.index(DEFAULT_QUESTION) if DEFAULT_QUESTION in names else 0,
        format_func=lambda n: f"{questions[n].title(lang)} · {', '.join(questions[n].rules)}",
    )
    q = questions[name]
    st.caption(f"{ui.label('au.one_row')}：{q.row_is(lang)}")
    with st.expander(ui.label("au.rule_and_sources"), expanded=False):
        st.text("\n".join([q.rule(lang), "",
                            *(f"{r}：{rule_text(r, lang)}" for r in q.rules if r != "DQ"), "",
                            f"{ui.label('au.sources')}："
                            + "、".join(source_title(s) for s in q.sources)]))
    params: dict[str, Any] = {}
    with st.expander(ui.label("au.params"), expanded=True):
        cols = st.columns(min(3, max(1, len(q.params))))
        for i, p in enumerate(q.params):
            with cols[i % len(cols)]:
                params[p.name] = _widget(q, p, key, data.as_of(snapshot))
    try:
        answer = data.ask(key, name, **params)
    except StoreUnavailable:
        raise  # the app's one-line notice
    except (ParamError, StoreError) as exc:  # a bad value or a refused query: say so, stay up
        st.error(ui.plain(exc))
        return
    columns, rows = answer["columns"], answer["rows"]
    count = ui.label("au.count", n=answer["count"])
    if q.finding.declared:
        count += ui.label("au.findings", n=len(q.finding_rows(rows)))
    st.write(count)
    if name == "company_party_org_status":
        minimum = int(answer["params"].get("min_full_members") or figures.QUALIFYING_MEMBERS)
        st.info(company_lines(figures.company_figures(rows, minimum), minimum))
    names_ = data.code_names(key, name, rows)
    header, cells = present_rows(q, rows, lang, names_)
    frame = pd.DataFrame(cells, columns=_unique(header))
    # A row click lists its unit and person below, each opened with one more click.
    event = ui.table(frame, hide_index=True, key="au.table", on_select="rerun",
                      selection_mode="single-row")
    picked = [rows[i] for i in event.selection.rows if i < len(rows)] if event else []
    if data.may_download():
        _downloads(key, name, q, rows, lang, names_, answer, params)
    if picked:
        _open_buttons(key, columns, picked[0])
        _evidence(key, q, picked[0], params)
    _goto(key, columns, rows)


def _downloads(key: data.Key, name: str, q: Any, rows: list[dict[str, Any]], lang: str,
               names_: dict[str, str], answer: dict[str, Any], params: dict[str, Any]) -> None:
    """redgov's own CSV and XLSX downloads: offered only to a role that has the right
    (``data.may_download``), each one logged (``data.downloaded``)."""
    left, right, _ = st.columns([1, 1, 4])
    with left:
        st.download_button(ui.label("au.csv"), to_csv(name, rows, lang, names_),
                           file_name=f"{q.title(lang)}.csv", mime="text/csv", key="au.csv",
                           on_click=data.downloaded, args=(name, "csv", answer))
    with right:
        st.download_button(
            ui.label("au.xlsx"),
            _workbook(key, name, json.dumps(params, sort_keys=True, default=str), lang),
            file_name=f"{q.title(lang)}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="au.xlsx", on_click=data.downloaded, args=(name, "xlsx", answer),
        )


def _evidence(key: data.Key, q: Any, row: dict[str, Any], params: dict[str, Any]) -> None:
    """The clicked row's evidence: the facts that produced it, each with its source
    (``redgov audit NAME --explain KEY``)."""
    row_key = row.get(q.columns[0].name)
    if row_key is None:
        return
    lang = ui.lang()
    with st.expander(ui.label("au.evidence", code=ui.plain(row_key)), expanded=True):
        try:
            found = evidence.evidence(key, q.name, str(row_key), params)
        except StoreUnavailable:
            raise  # the app's one-line notice
        except (ParamError, StoreError) as exc:
            st.info(ui.plain(exc))
            return
        st.text("\n".join(subject_lines(found.subject, lang)))
        header, cells = fact_rows(found.facts, lang, with_subject=True)
        if cells:
            ui.table(pd.DataFrame(cells, columns=_unique(header)), hide_index=True,
                      key="au.evidence")
        else:
            st.caption(ui.label("au.evidence_none"))


def _goto(key: data.Key, columns: list[str], rows: list[dict[str, Any]]) -> None:
    units = {u["code"]: u["name"] for u in data.units(key)}
    targets: dict[str, str] = {}
    for column in columns:
        if column in UNIT_COLUMNS:
            for r in rows:
                if r.get(column) in units:
                    targets.setdefault(f"unit:{r[column]}",
                                       f"{ui.label('au.kind_unit')} · {units[r[column]]} "
                                       f"({r[column]})")
    for column in columns:
        if column in PERSON_COLUMNS:
            for r in rows:
                if r.get(column):
                    targets.setdefault(f"person:{r[column]}",
                                       f"{ui.label('au.kind_person')} · {r[column]}")
    if not targets:
        return
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    with left:
        pick = st.selectbox(ui.label("au.goto"), list(targets), key="au.goto",
                            format_func=targets.__getitem__)
    with right:
        if st.button(ui.label("hi.open"), key="au.go", type="primary"):
            kind, _, code = pick.partition(":")
            if kind == "unit":
                ui.go("hierarchy", unit=code)
            else:
                ui.go("people", person=code)


def _unique(header: list[str]) -> list[str]:
    """Column titles made unique (a table cannot show two columns of one name)."""
    seen: dict[str, int] = {}
    out = []
    for h in header:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h}（{seen[h]}）")
    return out


def _open_buttons(key: data.Key, columns: list[str], row: dict[str, Any]) -> None:
    """The clicked row's units and people, one button each (the drill-down)."""
    units = {u["code"]: u["name"] for u in data.units(key)}
    with st.container(horizontal=True, gap="small"):
        for column in columns:
            value = row.get(column)
            if column in UNIT_COLUMNS and value in units:
                if st.button(f"{ui.label('au.goto_unit')}：{ui.plain(units[value])}",
                             key=f"au.row.{column}", icon=":material/account_tree:"):
                    ui.go("hierarchy", unit=value)
            elif column in PERSON_COLUMNS and value and st.button(
                    f"{ui.label('au.goto_person')}：{ui.plain(value)}", key=f"au.row.{column}",
                    icon=":material/person:"):
                ui.go("people", person=value)
