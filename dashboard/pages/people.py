"""人员 People: search by name or code; a person's posts over time and what they bridge.

Only names, codes and party standing are shown: the graph holds no more than masked
identifiers, and the dashboard does not show even those.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ...graph.vocabulary import REL
from .. import data, ui
from ..i18n import term
from ..network import EDGE_STYLE, GovernanceRows, build_network

__all__ = ["PER_PAGE", "active_orgs", "render"]

PER_PAGE = 50  # people listed per page of a search
TIME_FORMAT = "%Y-%m"  # the timeline's axis: numeric, the same in both languages
DAY_FORMAT = "%Y-%m-%d"


def active_orgs(posts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Organisations where a post is held on the page's date: the read's ``serving`` flag
    (``@active`` on the post and ``@in_force`` on the organisation, docs/model.md), so a
    post in a body revoked at the snapshot is not drawn as a bridge.

    >>> active_orgs([{"org_code": "A", "serving": False}, {"org_code": "B", "serving": True}])
    {'B': {'org_code': 'B', 'serving': True}}
    """
    out: dict[str, dict[str, Any]] = {}
    for p in posts:
        if p.get("serving"):
            out.setdefault(p["org_code"], p)
    return out


def render() -> None:
    key, snapshot = data.current_key()
    lang = ui.lang()
    as_of = data.as_of(snapshot)
    st.header(ui.label("pe.header"))
    st.caption(ui.label("pe.masked"))
    ui.from_query("person")
    query = st.text_input(ui.label("pe.search"), key="pe.q").strip()
    selected = st.session_state.get("sel_person")
    if query:
        selected = _results(key, query, selected, lang)
    ui.to_query("person", selected)
    if not selected:
        return
    person = data.person(key, selected)
    if person is None:
        return
    st.subheader(f"{ui.plain(person['name'])} · {ui.plain(person['code'])} · "
                 f"{term('standing', person.get('standing'), lang)}")
    posts = data.person_posts(key, selected, as_of)
    _posts_table(posts, as_of, lang)
    _timeline(posts, as_of, lang)
    _bridges(person, posts, as_of, lang)


def _results(key: data.Key, query: str, selected: str | None, lang: str) -> str | None:
    """How many match, one page of them (a click or the picker opens one), and pages."""
    total = data.count_people(key, query)
    pages = max(1, -(-total // PER_PAGE))
    page = 1
    if pages > 1:
        page = int(st.number_input(ui.label("pe.page", pages=pages), min_value=1,
                                   max_value=pages, value=1, step=1, key=f"pe.page.{query}"))
    found = data.search_people(key, query, page - 1, PER_PAGE) if total else []
    first = (page - 1) * PER_PAGE + 1
    st.write(ui.label("pe.results", n=total, first=first if found else 0,
                      last=first + len(found) - 1 if found else 0))
    if not found:
        return selected
    event = ui.table(pd.DataFrame([{
        ui.label("col.name"): p["name"], ui.label("col.code"): p["code"],
        ui.label("col.standing"): term("standing", p.get("standing"), lang),
    } for p in found]), hide_index=True, key=f"pe.found.{query}.{page}", on_select="rerun",
        selection_mode="single-row")
    clicked = event.selection.rows if event is not None else []
    names = {p["code"]: f"{p['name']} ({p['code']}) · "
                        f"{term('standing', p.get('standing'), lang)}" for p in found}
    codes = list(names)
    # A click counts once: a row left selected must not undo a later pick in the box.
    click = (query, page, clicked[0]) if clicked and clicked[0] < len(codes) else None
    if click is not None and click != st.session_state.get("_pe_click"):
        st.session_state["_pe_click"] = click
        st.session_state.pop("pe.pick", None)  # the box follows the click
        st.session_state["sel_person"] = selected = codes[click[2]]
    pick = st.selectbox(ui.label("pe.pick"), codes, key="pe.pick",
                        index=codes.index(selected) if selected in codes else 0,
                        format_func=names.__getitem__)
    if pick != selected:
        st.session_state["sel_person"] = selected = pick
    return selected


def _posts_table(posts: list[dict[str, Any]], as_of: str, lang: str) -> None:
    st.markdown(f"**{ui.label('pe.posts')}**")
    live = active_orgs(posts)
    ui.table(pd.DataFrame([{
        ui.label("col.org"): p["org_name"], ui.label("col.org_code"): p["org_code"],
        ui.label("col.kind"): term("kind", p.get("org_kind"), lang),
        ui.label("col.unit"): p.get("unit_name"),
        ui.label("col.post_type"): ui.value("relation", p["rel"]),
        ui.label("col.title"): p.get("title"), ui.label("col.start"): p.get("start"),
        ui.label("col.end"): p.get("end_date") or "",
        ui.label("col.state"): ui.label("pe.active") if live.get(p["org_code"]) is p
        else ui.label("pe.ended"),
    } for p in posts]), hide_index=True, key="pe.posts")


def _timeline(posts: list[dict[str, Any]], as_of: str, lang: str) -> None:
    bars = [{
        "org": f"{p['org_name']} ({p['org_code']})",
        "start": p.get("start") or as_of, "end": p.get("end_date") or as_of,
        "post": ui.value("relation", p["rel"]), "title": p.get("title") or "",
    } for p in posts]
    if not bars:
        return
    st.markdown(f"**{ui.label('pe.timeline')}**")
    frame = pd.DataFrame(bars)
    chart = (
        alt.Chart(frame)
        .mark_bar(height=14)
        .encode(
            # Numeric months: Vega's default axis would print English month names.
            x=alt.X("start:T", title=None, axis=alt.Axis(format=TIME_FORMAT, labelAngle=0)),
            x2="end:T",
            y=alt.Y("org:N", title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("post:N", title=None, scale=alt.Scale(
                domain=[ui.value("relation", REL.SERVES_AS),
                        ui.value("relation", REL.CROSS_APPOINTED_TO)],
                range=[EDGE_STYLE[REL.SERVES_AS]["color"],
                       EDGE_STYLE[REL.CROSS_APPOINTED_TO]["color"]])),
            tooltip=[alt.Tooltip("org:N", title=ui.label("col.org")),
                     alt.Tooltip("post:N", title=ui.label("col.post_type")),
                     alt.Tooltip("title:N", title=ui.label("col.title")),
                     alt.Tooltip("start:T", title=ui.label("col.start"), format=DAY_FORMAT),
                     alt.Tooltip("end:T", title=ui.label("col.end"), format=DAY_FORMAT)],
        )
        .properties(height=max(120, 34 * frame["org"].nunique()))
    )
    st.altair_chart(chart, width="stretch")


def _bridges(person: dict[str, Any], posts: list[dict[str, Any]], as_of: str,
             lang: str) -> None:
    st.markdown(f"**{ui.label('pe.bridges')}**")
    live = active_orgs(posts)
    if len(live) < 2:
        st.caption(ui.label("pe.no_bridge"))
        return
    rows = GovernanceRows(
        orgs=[{"code": c, "name": p["org_name"], "kind": p.get("org_kind")}
              for c, p in live.items()],
        posts=[{"person_code": person["code"], "person_name": person["name"],
                "standing": person.get("standing"), "org_code": c, "rel": p["rel"],
                "role": p.get("role"), "title": p.get("title")} for c, p in live.items()],
    )
    view = build_network(rows, lang=lang, height_px=320)
    st.iframe(view.html, height=340)
