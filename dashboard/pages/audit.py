"""审计 Audit: every catalog question with its parameters as widgets, the rows, downloads.

Dates are date pickers, the scope a unit picker, a level a level picker; the answer is
``run_question``'s, downloaded as CSV or XLSX through ``redgov.output`` (which
neutralises spreadsheet formulas).  A row's unit or person opens in the explorer or in
People.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from ...graph.stores import StoreError
from ...graph.vocabulary import LEVEL_ORDER
from ...output import render as render_rows
from ...output import write_xlsx
from ...queries import ParamError
from .. import data, ui
from ..i18n import term

__all__ = ["PERSON_COLUMNS", "UNIT_COLUMNS", "render", "to_csv", "to_xlsx"]

#: Columns whose codes are units (opened in the explorer) and people (opened in People).
UNIT_COLUMNS = ("compound_code", "unit_code", "community_code", "street_code", "district_code")
PERSON_COLUMNS = ("person_code", "chair_code", "secretary_code", "instructor_code")
#: Opened first: R1, the department's first question (and a fast one).
DEFAULT_QUESTION = "compounds_without_branch"


def to_csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    return render_rows(columns, rows, "csv").encode("utf-8-sig")


def to_xlsx(name: str, header: list[str], columns: list[str], rows: list[dict]) -> bytes:
    buf = io.BytesIO()
    write_xlsx(buf, [(name, header, [[r.get(c) for c in columns] for r in rows])])  # type: ignore[arg-type]
    return buf.getvalue()


def _widget(q: Any, p: Any, key: data.Key, default_as_of: str) -> Any:
    lang = ui.lang()
    wkey = f"au.p.{q.name}.{p.name}"
    label = f"{ui.param_label(p.name)} ({p.name})"
    help_ = p.description
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


def render() -> None:
    key, latest = data.current_key()
    lang = ui.lang()
    st.header(ui.label("au.header"))
    questions = {q.name: q for q in data.catalog()}
    names = list(questions)
    name = st.selectbox(
        ui.label("au.question"), names, key="au.q",
        index=names.index(DEFAULT_QUESTION) if DEFAULT_QUESTION in names else 0,
        format_func=lambda n: f"{questions[n].title_en if lang == 'en' else questions[n].title_zh}"
                              f" · {', '.join(questions[n].rules)} · {n}",
    )
    q = questions[name]
    st.caption(f"{ui.label('au.rules')}: {', '.join(q.rules)} · {ui.label('au.sources')}: "
               f"{', '.join(q.sources)} · {ui.label('au.one_row')}: {q.one_row_per}")
    if q.description:
        st.caption(q.description)
    params: dict[str, Any] = {}
    with st.expander(ui.label("au.params"), expanded=True):
        cols = st.columns(min(3, max(1, len(q.params))))
        for i, p in enumerate(q.params):
            with cols[i % len(cols)]:
                params[p.name] = _widget(q, p, key, data.as_of(latest))
    try:
        answer = data.ask(key, name, **params)
    except (ParamError, StoreError) as exc:  # a bad value or a refused query: say so, stay up
        st.error(str(exc))
        return
    columns, rows = answer["columns"], answer["rows"]
    titles = {c.name: (c.title_zh if lang == "zh" else c.name) for c in q.columns}
    st.write(ui.label("au.count", n=answer["count"]))
    frame = pd.DataFrame(rows, columns=columns).rename(columns=titles)
    # Selecting a row narrows the click-through choices below to that row.
    event = st.dataframe(frame, hide_index=True, key="au.table", on_select="rerun",
                         selection_mode="single-row")
    picked = [rows[i] for i in event.selection.rows if i < len(rows)] if event else []
    header = [c.title_zh for c in q.columns] if lang == "zh" else columns
    left, right, _ = st.columns([1, 1, 4])
    with left:
        st.download_button(ui.label("au.csv"), to_csv(columns, rows), file_name=f"{name}.csv",
                           mime="text/csv", key="au.csv",
                           on_click=data.downloaded, args=(name, "csv", answer))
    with right:
        st.download_button(
            ui.label("au.xlsx"), to_xlsx(name, header, columns, rows), file_name=f"{name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="au.xlsx", on_click=data.downloaded, args=(name, "xlsx", answer),
        )
    _goto(key, columns, picked or rows)


def _goto(key: data.Key, columns: list[str], rows: list[dict[str, Any]]) -> None:
    units = {u["code"]: u["name"] for u in data.units(key)}
    targets: dict[str, str] = {}
    for column in columns:
        if column in UNIT_COLUMNS:
            for r in rows:
                if r.get(column) in units:
                    targets.setdefault(f"unit:{r[column]}", f"🏘 {units[r[column]]} ({r[column]})")
    for column in columns:
        if column in PERSON_COLUMNS:
            for r in rows:
                if r.get(column):
                    targets.setdefault(f"person:{r[column]}", f"👤 {r[column]}")
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
