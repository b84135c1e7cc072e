"""层级 Hierarchy explorer: city → district → street → community → compound.

Breadcrumbs above, the sub-units with a coverage badge each (from the catalog's
``coverage_rollup`` and ``compounds_without_branch``), then the open unit's
organisations, leaders, contracts, catalog gaps and governance network.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd
import streamlit as st

from ...queries.present import present_rows
from .. import data, ui
from ..figures import FINDING_WORK_COVERED
from ..graph_view import (
    NODE_LIMIT,
    gap_answers,
    gap_asks,
    gaps_for_unit,
    network_for_unit,
    network_orgs,
)
from ..i18n import term

__all__ = ["badge", "render"]

LEADER_ROLES = ("secretary", "deputy_secretary", "director", "deputy_director", "head",
                "project_manager", "instructor")
TREE_LIMIT = 400  # grandchildren shown in the outline at most


#: Coverage state → (Chinese/English label key, cell colours).  The word carries the
#: meaning; the colour (CSS on the cell, Streamlit's badge colours elsewhere) only helps.
COVER_CSS: Final[dict[str, str]] = {
    "ok": "background-color:#d8efd9;color:#1b5e20",
    "warn": "background-color:#fff1cc;color:#7a4f00",
    "bad": "background-color:#f9d6d5;color:#8e1b17",
    "none": "background-color:#eeeeee;color:#555555",
}


def badge(rate: float | None) -> str:
    """A unit's coverage rate as a state: full, at least 80 %, less, unknown.

    >>> badge(1.0), badge(0.85), badge(0.2), badge(None)
    ('ok', 'warn', 'bad', 'none')
    """
    if rate is None:
        return "none"
    return "ok" if rate >= 1 else "warn" if rate >= 0.8 else "bad"


_UNIT_WORD: Final = {"ok": "hi.badge_full", "warn": "hi.badge_most", "bad": "hi.badge_low",
                     "none": "hi.badge_none"}


def _ancestors(code: str | None, by_code: dict[str, dict]) -> list[dict]:
    chain = []
    while code and code in by_code:
        chain.append(by_code[code])
        code = by_code[code].get("parent_code")
    return chain[::-1]


def _children(code: str | None, all_units: list[dict], by_code: dict) -> list[dict]:
    if code is None:
        return [u for u in all_units if not u.get("parent_code")
                or u["parent_code"] not in by_code]
    return [u for u in all_units if u.get("parent_code") == code]


def _rollup(key: data.Key, level: str, scope: str | None) -> list[dict]:
    """coverage_rollup rows at ``level``; a city's are its districts' summed.

    Unscoped, the catalog's roll-up walks every compound (seconds on a province); the
    overview has already asked it per district, so the top of the tree reuses that.
    """
    if level != "city":
        return data.ask(key, "coverage_rollup", level=level, scope=scope)["rows"]
    parents = {u["code"]: u.get("parent_code") for u in data.units(key)}
    totals: dict[str, dict] = {}
    for r in data.ask(key, "coverage_rollup", level="district")["rows"]:
        city = parents.get(r["unit_code"])
        if city is None or (scope is not None and city != scope):
            continue
        acc = totals.setdefault(city, {"unit_code": city, "with_party_org": 0, "compounds": 0})
        acc["with_party_org"] += int(r.get("with_party_org") or 0)
        acc["compounds"] += int(r.get("compounds") or 0)
    return list(totals.values())


def _coverage(key: data.Key, scope: str | None, children: list[dict]) -> dict[str, dict]:
    """unit code → {state, word, rate, compounds, text}: the roll-up for higher units,
    the branch status for compounds."""
    out: dict[str, dict] = {}
    levels = {u["level"] for u in children}
    for level in levels - {"compound"}:
        for r in _rollup(key, level, scope):
            n, total = int(r.get("with_party_org") or 0), int(r.get("compounds") or 0)
            rate = n / total if total else None
            state = badge(rate)
            out[r["unit_code"]] = {
                "rate": rate, "state": state, "word": ui.label(_UNIT_WORD[state]),
                "compounds": total,
                "text": ui.label("hi.coverage", rate=ui.rate(rate), n=n, total=total),
            }
    if "compound" in levels:
        missing = {r["compound_code"]: r for r in
                   data.ask(key, "compounds_without_branch", scope=scope)["rows"]}
        for u in children:
            row = missing.get(u["code"])
            if row is None:
                state, word, rate = "ok", "hi.badge_ok", 1.0
            elif row.get("finding") == FINDING_WORK_COVERED:
                state, word, rate = "warn", "hi.badge_work", None
            else:
                state, word, rate = "bad", "hi.badge_gap", 0.0
            out[u["code"]] = {"rate": rate, "state": state, "word": ui.label(word),
                              "compounds": 1, "text": ui.label(word)}
    return out


_NO_COVER: Final = {"state": "none", "rate": None, "compounds": None, "text": ""}


def render() -> None:
    key, snapshot = data.current_key()
    lang = ui.lang()
    st.header(ui.label("hi.header"))
    ui.from_query("unit")
    current = st.session_state.get("sel_unit")
    # A unit's page reads its subtree and the units above it; the top reads every unit.
    all_units = data.units(key) if current is None else data.units_around(key, str(current))
    by_code = {u["code"]: u for u in all_units}
    if current is not None and current not in by_code:
        st.error(ui.label("hi.unknown_unit", code=ui.plain(current)))
        current = st.session_state["sel_unit"] = None
        all_units = data.units(key)
        by_code = {u["code"]: u for u in all_units}
    ui.to_query("unit", current)
    if current is not None:  # the unit's finding questions run while the rest is drawn
        data.prefetch(key, gap_asks(str(current)))
    _breadcrumbs(current, by_code)
    children = _children(current, all_units, by_code)
    if children:
        _children_table(key, current, children)
        _tree(key, current, children, all_units)
    if current is not None:
        _unit_page(key, by_code[current], data.as_of(snapshot), lang)


def _breadcrumbs(current: str | None, by_code: dict[str, dict]) -> None:
    chain = _ancestors(current, by_code)
    with st.container(horizontal=True, gap="small"):
        if st.button(ui.label("hi.root"), key="hi.crumb.__root__", icon=":material/home:",
                     disabled=current is None):
            st.session_state["sel_unit"] = None
            st.rerun()
        for unit in chain:
            if st.button(f"› {ui.plain(unit['name'])}", key=f"hi.crumb.{unit['code']}",
                         disabled=unit["code"] == current):
                st.session_state["sel_unit"] = unit["code"]
                st.rerun()


def _cover_word(info: dict[str, Any]) -> str:
    return info.get("word") or ui.label("hi.badge_none")


def _styled(frame: pd.DataFrame, states: list[str], column: str) -> Any:
    """The coverage column's cells coloured by state (CSS), the word inside each."""
    css = [COVER_CSS[s] for s in states]
    return frame.style.apply(lambda col: css if col.name == column else [""] * len(col))


def _open_picked(event: Any, codes: list[str]) -> None:
    """A clicked table row opens its unit (the drill-down)."""
    rows = event.selection.rows if event is not None else []
    if rows and rows[0] < len(codes):
        st.session_state["sel_unit"] = codes[rows[0]]
        st.rerun()


def _children_table(key: data.Key, current: str | None, children: list[dict]) -> None:
    lang = ui.lang()
    cover = _coverage(key, current, children)
    st.subheader(ui.label("hi.children"))
    st.caption(ui.label("hi.click"))
    col_cover, col_rate = ui.label("col.coverage"), ui.label("col.rate")
    infos = [cover.get(u["code"], _NO_COVER) for u in children]
    frame = pd.DataFrame([
        {
            col_cover: _cover_word(info),
            ui.label("col.name"): u["name"],
            ui.label("col.code"): u["code"],
            ui.label("col.level"): term("level", u["level"], lang),
            ui.label("col.compounds"): info.get("compounds"),
            col_rate: None if info.get("rate") is None else round(info["rate"] * 100, 1),
        }
        for u, info in zip(children, infos, strict=True)
    ])
    codes = [u["code"] for u in children]
    event = ui.table(
        _styled(frame, [i["state"] for i in infos], col_cover), hide_index=True,
        key=f"hi.table.{current}", on_select="rerun", selection_mode="single-row",
        column_config={col_rate: st.column_config.ProgressColumn(
            format="%.1f%%", min_value=0, max_value=100)},
    )
    _open_picked(event, codes)
    names = {u["code"]: f"{u['name']} ({u['code']}) · {_cover_word(i)}"
             for u, i in zip(children, infos, strict=True)}
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    with left:
        pick = st.selectbox(ui.label("hi.pick"), codes, key=f"hi.child.{current}",
                            format_func=names.__getitem__)
    with right:
        if st.button(ui.label("hi.open"), key="hi.open", type="primary"):
            st.session_state["sel_unit"] = pick
            st.rerun()


def _tree(key: data.Key, current: str | None, children: list[dict],
          all_units: list[dict]) -> None:
    """Two levels below the open unit, each with its coverage word; a row click opens it."""
    kids: dict[str, list[dict]] = {}
    for u in all_units:
        kids.setdefault(u.get("parent_code") or "", []).append(u)
    grandchildren = [g for c in children for g in kids.get(c["code"], [])]
    if not grandchildren or len(grandchildren) > TREE_LIMIT:
        return
    cover = _coverage(key, current, children) | _coverage(key, current, grandchildren)
    entries = [e for c in children for e in ((c, 0), *((g, 1) for g in kids.get(c["code"], [])))]
    col_cover = ui.label("col.coverage")
    infos = [cover.get(u["code"], _NO_COVER) for u, _ in entries]
    frame = pd.DataFrame([{
        ui.label("col.name"): ("\u3000\u3000└ " if depth else "") + u["name"],
        col_cover: _cover_word(info), ui.label("col.detail"): info.get("text", ""),
        ui.label("col.code"): u["code"],
    } for (u, depth), info in zip(entries, infos, strict=True)])
    with st.expander(ui.label("hi.tree"), expanded=False):
        event = ui.table(_styled(frame, [i["state"] for i in infos], col_cover),
                          hide_index=True, key=f"hi.tree.{current}", on_select="rerun",
                          selection_mode="single-row")
        _open_picked(event, [u["code"] for u, _ in entries])


def _unit_page(key: data.Key, unit: dict[str, Any], as_of: str, lang: str) -> None:
    code = unit["code"]
    st.subheader(f"{ui.plain(unit['name'])} · {term('level', unit['level'], lang)} · "
                 f"{ui.plain(code)}")
    orgs = data.unit_orgs(key, code, as_of)
    gaps = gaps_for_unit(key, code)
    tabs = st.tabs([ui.label("hi.network"), ui.label("hi.orgs"), ui.label("hi.leaders"),
                    ui.label("hi.contracts"), ui.label("hi.gaps")])
    with tabs[0]:
        view, shown, total = network_for_unit(key, unit, orgs, gaps, as_of, lang)
        if unit["level"] == "community":
            st.caption(ui.label("net.community_view"))
        elif unit["level"] != "compound":
            st.caption(ui.label("net.org_view"))
        if shown < total:
            st.caption(ui.label("hi.truncated", shown=shown, total=total))
        if view.collapsed:
            st.info(ui.label("hi.collapsed", limit=NODE_LIMIT, people=view.people))
        st.iframe(view.html, height=view.height_px + 40)
    with tabs[1]:
        ui.table(pd.DataFrame([{
            ui.label("col.name"): o["name"], ui.label("col.code"): o["code"],
            ui.label("col.kind"): term("kind", o["kind"], lang),
            ui.label("col.unit"): o.get("unit_name"),
            ui.label("col.status"): term("status", o.get("status"), lang),
        } for o in orgs]), hide_index=True, key="hi.orgs")
    with tabs[2]:
        own = tuple(o["code"] for o in network_orgs(key, unit, orgs))  # as the network
        posts = data.network_rows(key, code, own, as_of)["posts"] if own else []
        st.caption(ui.label("pe.masked"))
        ui.table(pd.DataFrame([{
            ui.label("col.person"): p["person_name"], ui.label("col.person_code"): p["person_code"],
            ui.label("col.standing"): term("standing", p.get("standing"), lang),
            ui.label("col.org"): p["org_name"], ui.label("col.title"): p.get("title"),
            ui.label("col.post_type"): ui.value("relation", p["rel"]),
            ui.label("col.start"): p.get("start"),
        } for p in posts if p.get("role") in LEADER_ROLES]), hide_index=True, key="hi.leaders")
    with tabs[3]:
        ui.table(pd.DataFrame([{
            ui.label("col.company"): c["company_name"], ui.label("col.code"): c["company_code"],
            ui.label("col.compound"): c["compound_name"], ui.label("col.project"): c.get("project"),
            ui.label("col.start"): c.get("start"), ui.label("col.end"): c.get("end_date"),
        } for c in data.contracts(key, code, as_of)]), hide_index=True, key="hi.contracts")
    with tabs[4]:
        _gaps_tab(key, code, lang)


def _gaps_tab(key: data.Key, code: str, lang: str) -> None:
    """Only the questions with findings here, each counting only its finding rows."""
    answers = gap_answers(key, code)
    if not answers:
        st.success(ui.label("hi.no_gaps"))
    for q, rows in answers:
        with st.expander(ui.label("hi.gap_title", title=q.title(lang), rules=", ".join(q.rules),
                                  n=len(rows)), expanded=False):
            header, cells = present_rows(q, rows, lang, data.code_names(key, q.name, rows))
            ui.table(pd.DataFrame(cells, columns=header), hide_index=True,
                      key=f"hi.gap.{q.name}")
