"""总览 Overview: headline figures against targets, a chart by district or street, a trend.

Figures are arithmetic over catalog answers (``figures.headline``); the change shown
under each is against the same questions asked as of the previous sync run's snapshot.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from .. import data, figures, ui
from ..i18n import term

__all__ = ["figures_as_of", "render"]

TREND_RUNS = 12
TREND_AUTO_COMPOUNDS = 5000  # above this the trend is drawn on request


def figures_as_of(key: data.Key, as_of: str | None, level: str = "district") -> list:
    asks = [(name, {"as_of": as_of, **({"level": level} if name == "coverage_rollup" else {})})
            for name in figures.FIGURE_QUESTIONS]
    got = data.ask_many(key, asks)
    return figures.headline({name: a["rows"] for (name, _), a in zip(asks, got, strict=True)})


def _fmt(fig: figures.Figure) -> str:
    if fig.value is None:
        return "—"
    if fig.kind == "rate":
        return f"{fig.value:.1%} ({fig.numerator}/{fig.denominator})"
    return str(fig.value)


def _target(fig: figures.Figure) -> str:
    if fig.target is None:
        return ui.label("ov.no_target")
    value = f"{fig.target:.0%}" if fig.kind == "rate" else str(fig.target)
    return ui.label("ov.target", target=value)


def _delta(now: figures.Figure, before: figures.Figure | None) -> str | None:
    if before is None or now.value is None or before.value is None:
        return None
    diff = now.value - before.value
    if now.kind == "rate":
        return f"{diff * 100:+.1f} pp"
    return f"{diff:+d}"


def render() -> None:
    key, latest = data.current_key()
    st.header(ui.label("ov.header"))
    if latest is None:
        return
    runs = data.sync_runs(key)
    now = figures_as_of(key, None)
    previous = runs[1] if len(runs) > 1 else None
    before = figures_as_of(key, previous["snapshot_date"]) if previous else None
    help_text = ui.label("ov.delta_help", date=previous["snapshot_date"]) if previous else None
    cols = st.columns(3)
    for i, fig in enumerate(now):
        with cols[i % 3]:
            st.metric(
                f"{ui.label('fig.' + fig.key)} · {fig.rules}", _fmt(fig),
                delta=_delta(fig, before[i] if before else None),
                delta_color="normal" if fig.better == "up" else "inverse",
                help=help_text, border=True,
            )
            st.caption(_target(fig))
    _chart(key)
    _trend(key, runs, now[0].denominator or 0)


def _chart(key: data.Key) -> None:
    # Labels are bound now: a format_func runs again later, outside this script run.
    lang = ui.lang()
    metric_names = {k: ui.label("fig." + k) for k in figures.RATE_METRICS}
    left, right = st.columns(2)
    with left:
        districts = sum(1 for u in data.units(key) if u["level"] == "district")
        level = st.radio(ui.label("ov.by"), ("district", "street"), key="ov.level",
                         index=0 if districts > 1 else 1,  # one district: show its streets
                         horizontal=True, format_func=lambda v: term("level", v, lang))
    with right:
        metric = st.selectbox(ui.label("ov.metric"), list(figures.RATE_METRICS), key="ov.metric",
                              format_func=metric_names.__getitem__)
    rows = data.ask(key, "coverage_rollup", level=level)["rows"]
    names = {u["code"]: u["name"] for u in data.units(key)}
    frame = pd.DataFrame(figures.rollup_rates(rows, metric))
    if frame.empty:
        return
    frame["unit"] = [names.get(c, c) for c in frame["unit_code"]]
    metric_label = ui.label("fig." + metric)
    st.subheader(ui.label("ov.chart", level=term("level", level, lang), metric=metric_label))
    chart = (
        alt.Chart(frame)
        .mark_bar(color="#c0392b")
        .encode(
            x=alt.X("rate:Q", axis=alt.Axis(format="%"), title=metric_label,
                    scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("unit:N", sort="-x", title=None),
            tooltip=["unit", "unit_code", alt.Tooltip("rate:Q", format=".1%"), "numerator",
                     "denominator"],
        )
        .properties(height=max(200, 34 * len(frame)))
    )
    st.altair_chart(chart, width="stretch")


def _trend(key: data.Key, runs: list[dict[str, Any]], compounds: int) -> None:
    st.subheader(ui.label("ov.trend"))
    if len(runs) < 2:
        st.caption(ui.label("ov.trend_one"))
        return
    # Each point is the roll-up asked again as of a run's snapshot: cheap on a district,
    # seconds a point on a province, so there it waits for the user to ask.
    if not st.toggle(ui.label("ov.trend_show"), key="ov.trend_on",
                     value=compounds <= TREND_AUTO_COMPOUNDS):
        return
    dates = sorted({r["snapshot_date"] for r in runs[:TREND_RUNS] if r.get("snapshot_date")})
    points = []
    for day in dates:
        rows = data.ask(key, "coverage_rollup", level="district", as_of=day)["rows"]
        for metric in figures.RATE_METRICS:
            num_col, den_col = figures.RATE_METRICS[metric]
            num = sum(int(r.get(num_col) or 0) for r in rows)
            den = sum(int(r.get(den_col) or 0) for r in rows)
            if den:
                points.append({"snapshot": day, "figure": ui.label("fig." + metric),
                               "value": num / den})
    if not points:
        return
    chart = (
        alt.Chart(pd.DataFrame(points))
        .mark_line(point=True)
        .encode(
            x=alt.X("snapshot:N", title=ui.label("fig.snapshot")),
            y=alt.Y("value:Q", axis=alt.Axis(format="%"), title=ui.label("fig.value")),
            color=alt.Color("figure:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=["snapshot", "figure", alt.Tooltip("value:Q", format=".1%")],
        )
        .properties(height=300)
    )
    st.altair_chart(chart, width="stretch")
    st.caption(ui.label("ov.trend_note"))
