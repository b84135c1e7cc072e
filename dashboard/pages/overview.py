"""总览 Overview: headline figures against targets, a chart by district or street, a trend.

Everything answers for the snapshot chosen in the sidebar.  Figures are arithmetic over
catalog answers (``figures.headline``); the change shown under each is against the same
questions asked at the previous published snapshot (its graph, its date).  The trend has
one point per published snapshot up to the chosen one, each computed at that snapshot.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ...graph.snapshots import Snapshot
from ...queries.worst import lowest_first
from .. import data, figures, ui, warm
from ..i18n import term

__all__ = ["axis_domain", "figures_as_of", "met", "render", "trend_domain", "trend_panel",
           "trend_points"]

CARDS_PER_ROW = 4
TREND_RUNS = 12  # the latest snapshots drawn
CHART_BARS = 40  # units the chart by unit draws (the lowest rates)
CHART_LEVELS = warm.CHART_LEVELS  # the levels the chart by unit can draw
TREND_COLUMNS = 2  # the trend's panels per row, one panel per rate
#: The trend's date axis: Chinese dates (numeric in English), never Vega's English months.
TREND_DATE = {"zh": "%Y年%-m月%-d日", "en": "%Y-%m-%d"}
TREND_AUTO_COMPOUNDS = 5000  # above this the trend is drawn on request


def figures_as_of(key: data.Key, as_of: str | None, level: str = "district") -> list:
    got = data.ask_many(key, warm.overview_asks(as_of, level))  # what a sync warms
    answers = dict(zip(figures.FIGURE_QUESTIONS, got, strict=True))
    minimum = answers["company_party_org_status"]["params"].get("min_full_members")
    return figures.headline({name: a["rows"] for name, a in answers.items()},
                            int(minimum or figures.QUALIFYING_MEMBERS))


def _fmt(fig: figures.Figure) -> str:
    """A figure's value, short enough for its card: ``95.5%``, ``22``."""
    if fig.value is None:
        return "—"
    return ui.rate(fig.value) if fig.kind == "rate" else str(fig.value)


def _of(fig: figures.Figure) -> str:
    """What the value is out of, under the card: ``487/510 个小区``, ``共 125 家企业``."""
    if fig.denominator is None:
        return ""
    key = f"fig.{fig.key}.of"
    return ui.label(key, n=fig.numerator, total=fig.denominator)


def met(fig: figures.Figure) -> bool | None:
    """Whether the figure meets its target (None: no target, or nothing to measure).

    >>> met(figures.Figure("overdue", 0, "count", 0, 0, None, "down"))
    True
    >>> met(figures.Figure("party_org", 0.955, "rate", 1.0, 487, 510))
    False
    """
    if fig.target is None or fig.value is None:
        return None
    return fig.value <= fig.target if fig.better == "down" else fig.value >= fig.target


def _target(fig: figures.Figure) -> str:
    """The target line under a card: a coloured mark with its word, then the target."""
    if fig.target is None:
        return f"{ui.mark('none', ui.label('ov.no_target'))}"
    target = ui.rate(fig.target) if fig.kind == "rate" else str(fig.target)
    state = met(fig)
    word = ui.mark("none", "—") if state is None else (
        ui.mark("ok", ui.label("ov.met")) if state else ui.mark("bad", ui.label("ov.missed")))
    return f"{word} {ui.label('ov.target', target=target)}"


def _under(fig: figures.Figure) -> str:
    """The line under a card: the denominator, then the target mark."""
    of = _of(fig)
    return f"{ui.plain(of)} · {_target(fig)}" if of else _target(fig)


def _delta(now: figures.Figure, before: figures.Figure | None) -> str | None:
    """The change since the previous snapshot as the card shows it; ``持平`` (no sign, so no
    arrow) when it is zero at the precision shown.

    >>> rate = figures.Figure("cross", 0.5, "rate", None, 1, 2)
    >>> _delta(rate, figures.Figure("cross", 0.50001, "rate", None, 1, 2))
    '持平'
    >>> _delta(figures.Figure("overdue", 3, "count", 0, 3, None),
    ...        figures.Figure("overdue", 1, "count", 0, 1, None))
    '+2'
    """
    if before is None or now.value is None or before.value is None:
        return None
    diff = now.value - before.value
    if now.kind == "rate":
        shown = f"{diff * 100:+.1f}"
        return ui.label("ov.flat") if float(shown) == 0 else ui.label("ov.pp", diff=shown)
    return ui.label("ov.flat") if diff == 0 else f"{diff:+d}"


def _card(fig: figures.Figure, delta: str | None, help_text: str | None) -> None:
    """One figure's card: its full title as a heading that wraps (a metric's own label is
    cut to one line at this width), the value and its change, the line under it.  A zero
    change reads 持平, grey and without an arrow."""
    title = f"{ui.label('fig.' + fig.key)} · {fig.rules}"
    flat = delta == ui.label("ov.flat")
    with st.container(border=True):
        st.markdown(f"**{ui.plain(title)}**", help=help_text)
        st.metric(title, _fmt(fig), delta=delta, label_visibility="collapsed",
                  delta_color="off" if flat else ("normal" if fig.better == "up" else "inverse"),
                  delta_arrow="off" if flat else "auto")
        st.markdown(_under(fig))


def render() -> None:
    key, chosen = data.current_key()
    st.header(ui.label("ov.header"))
    if chosen is None:
        return
    history = [s for s in data.snapshots() if s.ordinal <= chosen.ordinal]
    now = figures_as_of(key, None)
    previous = history[-2] if len(history) > 1 else None
    before = figures_as_of(data.key_at(key, previous), previous.date) if previous else None
    help_text = ui.label("ov.delta_help", date=previous.date,
                         ordinal=previous.ordinal) if previous else None
    cols = st.columns(CARDS_PER_ROW)
    for i, fig in enumerate(now):
        with cols[i % CARDS_PER_ROW]:
            _card(fig, _delta(fig, before[i] if before else None), help_text)
    _chart(key)
    _trend(key, history, now[0].denominator or 0)


def _chart(key: data.Key) -> None:
    # Labels are bound now: a format_func runs again later, outside this script run.
    lang = ui.lang()
    metric_names = {k: ui.label("fig." + k) for k in figures.RATE_METRICS}
    left, right = st.columns(2)
    shown = data.units_at(key, CHART_LEVELS)  # not every unit: the chart names these
    with left:
        districts = sum(1 for u in shown if u["level"] == "district")
        level = st.radio(ui.label("ov.by"), ("district", "street"), key="ov.level",
                         index=0 if districts > 1 else 1,  # one district: show its streets
                         horizontal=True, format_func=lambda v: term("level", v, lang))
    with right:
        metric = st.selectbox(ui.label("ov.metric"), list(figures.RATE_METRICS), key="ov.metric",
                              format_func=metric_names.__getitem__)
    rows = data.ask(key, "coverage_rollup", level=level)["rows"]
    names = {u["code"]: u["name"] for u in shown}
    # The worst (lowest rate) on top; a province's streets: only the lowest CHART_BARS.
    ranked = sorted(figures.rollup_rates(rows, metric), key=lambda r: lowest_first(r["rate"]))
    frame = pd.DataFrame(ranked[:CHART_BARS])
    if frame.empty:
        return
    frame["unit"] = [names.get(c, c) for c in frame["unit_code"]]
    frame["label"] = [ui.rate(r) if r == r and r is not None else "—" for r in frame["rate"]]
    metric_label = ui.label("fig." + metric)
    target = figures.RATE_TARGETS.get(metric)
    st.subheader(ui.label("ov.chart", level=term("level", level, lang), metric=metric_label))
    low, high = axis_domain([r for r in frame["rate"] if r == r and r is not None], target)
    x = alt.X("rate:Q", axis=alt.Axis(format=".1%"), title=metric_label,
              scale=alt.Scale(domain=[low, high], clamp=True, nice=False))
    y = alt.Y("unit:N", sort=list(dict.fromkeys(frame["unit"])), title=None,
              axis=alt.Axis(labelLimit=240))
    base = alt.Chart(frame).encode(
        y=y, tooltip=[alt.Tooltip("unit:N", title=ui.label("col.unit")),
                      alt.Tooltip("unit_code:N", title=ui.label("col.code")),
                      alt.Tooltip("label:N", title=metric_label),
                      alt.Tooltip("numerator:Q", title=ui.label("ov.numerator")),
                      alt.Tooltip("denominator:Q", title=ui.label("ov.denominator"))])
    bars = base.mark_bar(color="#c0392b").encode(x=x)
    labels = base.mark_text(align="left", dx=4, color="#222").encode(x=x, text="label:N")
    layers = [bars, labels]
    if target is not None:
        line = pd.DataFrame([{"target": target,
                              "text": ui.label("ov.target", target=ui.rate(target))}])
        rule = alt.Chart(line).mark_rule(color="#1f4e79", strokeDash=[6, 3], size=2)
        layers.append(rule.encode(x=alt.X("target:Q", scale=alt.Scale(domain=[low, high]))))
        layers.append(alt.Chart(line).mark_text(align="right", dx=-4, dy=-6, color="#1f4e79")
                      .encode(x=alt.X("target:Q", scale=alt.Scale(domain=[low, high])),
                              y=alt.value(0), text="text:N"))
    chart = alt.layer(*layers).properties(height=max(200, 34 * len(frame)))
    st.altair_chart(chart, width="stretch")
    st.caption(ui.label("ov.axis_note", low=ui.rate(low), high=ui.rate(high)))
    if len(ranked) > CHART_BARS:
        st.caption(ui.label("ov.worst", metric=metric_label, n=CHART_BARS, total=len(ranked)))


def axis_domain(rates: list[float], target: float | None) -> tuple[float, float]:
    """The rate axis zoomed to the data: from a little under the lowest value (and the
    target) to 100 %, in steps of 5 points, so bars at 94–97 % are told apart.

    >>> axis_domain([0.94, 0.97], 1.0)
    (0.85, 1.0)
    >>> axis_domain([0.2, 0.5], None)
    (0.15, 1.0)
    >>> axis_domain([], None)
    (0.0, 1.0)
    """
    values = [*rates, *([target] if target is not None else [])]
    if not values:
        return 0.0, 1.0
    low = max(0.0, (int(min(values) * 20 + 1e-9) - 1) / 20)
    high = max(1.0, max(values))
    return round(low, 2), round(high, 2)


def trend_points(key: data.Key, history: list[Snapshot]) -> list[dict]:
    """One point per snapshot and rate: the district roll-up asked AT that snapshot (its
    graph, as of its date), never today's graph at an old date."""
    points = []
    for snap in history[-TREND_RUNS:]:
        at = data.key_at(key, snap)
        rows = data.ask(at, "coverage_rollup", level="district", as_of=snap.date)["rows"]
        point = ui.label("ov.trend_point", date=snap.date or "—", ordinal=snap.ordinal)
        for metric in figures.RATE_METRICS:
            num_col, den_col = figures.RATE_METRICS[metric]
            num = sum(int(r.get(num_col) or 0) for r in rows)
            den = sum(int(r.get(den_col) or 0) for r in rows)
            if den:
                points.append({"snapshot": snap.date, "ordinal": snap.ordinal, "point": point,
                               "figure": ui.label("fig." + metric), "value": num / den,
                               "label": ui.rate(num / den)})
    return points


def _trend(key: data.Key, history: list[Snapshot], compounds: int) -> None:
    st.subheader(ui.label("ov.trend"))
    if len(history) < 2:
        st.caption(ui.label("ov.trend_one"))
        return
    # Each point is the roll-up asked at a snapshot: cheap on a district, seconds a point
    # on a province, so there it waits for the user to ask.
    if not st.toggle(ui.label("ov.trend_show"), key="ov.trend_on",
                     value=compounds <= TREND_AUTO_COMPOUNDS):
        return
    points = [p for p in trend_points(key, history) if p["snapshot"]]
    if not points:
        return
    # Small multiples: one panel per rate, each on its own scale (a 95-97 % coverage and a
    # 30 % share on one axis would draw the first flat), titled above it where it wraps.
    panels = list(dict.fromkeys(p["figure"] for p in points))
    cols = st.columns(TREND_COLUMNS)
    for i, figure in enumerate(panels):
        with cols[i % TREND_COLUMNS]:
            st.markdown(f"**{ui.plain(figure)}**")
            st.altair_chart(trend_panel([p for p in points if p["figure"] == figure],
                                        ui.lang()), width="stretch")
    st.caption(ui.label("ov.trend_note"))


def trend_domain(values: list[float]) -> list[float]:
    """One panel's rate axis: the values with a margin (a quarter of their spread, at least
    1 point, each side), within 0-100 %, so a small move is visible and a flat series is a
    line inside the panel, not on its edge.

    >>> trend_domain([0.95, 0.97])
    [0.94, 0.98]
    >>> trend_domain([0.2, 0.6])
    [0.1, 0.7]
    >>> trend_domain([1.0, 1.0])
    [0.99, 1.0]
    """
    low, high = min(values), max(values)
    pad = max(0.01, (high - low) / 4)
    return [round(max(0.0, low - pad), 4), round(min(1.0, high + pad), 4)]


def trend_panel(points: list[dict], lang: str) -> alt.Chart:
    """One rate over the snapshots: a tick and a date at each snapshot, dates written the
    Chinese way (``2024年6月30日``) and level, labels that would overlap left out (each
    point's tooltip still names its snapshot)."""
    frame = pd.DataFrame(points)
    frame["date"] = pd.to_datetime(frame["snapshot"])
    ticks = [d.isoformat() for d in sorted(frame["date"].dt.date.unique())]
    day = TREND_DATE["en" if lang == "en" else "zh"]
    x = alt.X("date:T", title=None, axis=alt.Axis(
        values=[alt.DateTime(year=int(t[:4]), month=int(t[5:7]), date=int(t[8:10]))
                for t in ticks],
        format=day, labelAngle=0, labelOverlap="greedy", labelFlush=True,
        labelSeparation=12, grid=False))
    y = alt.Y("value:Q", title=None, axis=alt.Axis(format=".1%", tickCount=4),
              scale=alt.Scale(domain=trend_domain(list(frame["value"])), nice=False))
    return (
        alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(color="#c0392b"), color="#c0392b")
        .encode(x=x, y=y, tooltip=[alt.Tooltip("point:N", title=ui.label("fig.snapshot")),
                                   alt.Tooltip("label:N", title=ui.label("fig.value"))])
        .properties(height=180)
    )
