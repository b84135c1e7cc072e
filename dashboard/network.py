"""The governance network of a unit as a self-contained pyvis page, built from rows.

A pure function of the rows the data module reads (no Streamlit, no store), so the
tests check the nodes, edges and offline HTML directly.  Organisations are coloured by
kind, people by party standing, edges styled by relation; codes named by an audit
finding get a red border.  Past ``node_limit`` nodes the people are folded into their
organisations (each organisation's label counts them, and two organisations that share
people get one dashed edge per pair), which keeps the browser responsive.

The HTML must work without a network: pyvis inlines vis-network with
``cdn_resources='in_line'`` but its template still links bootstrap from a CDN, so those
tags are stripped (the page does not use bootstrap).

>>> rows = GovernanceRows(
...     orgs=[{"code": "B1", "name": "一支部", "kind": "party_branch"}],
...     posts=[{"person_code": "P1", "person_name": "张三", "standing": "full_member",
...             "org_code": "B1", "rel": "SERVES_AS", "role": "secretary", "title": "书记"}])
>>> view = build_network(rows)
>>> sorted(n["id"] for n in view.nodes), view.collapsed
(['B1', 'P1'], False)
"""

from __future__ import annotations

import functools
import html as html_lib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ..graph.vocabulary import REL
from .contrast import DARK_TEXT, text_on
from .i18n import t, term

__all__ = [
    "EDGE_STYLE",
    "GAP_COLOR",
    "KIND_COLOR",
    "MIN_LABEL_PX",
    "STANDING_COLOR",
    "GovernanceRows",
    "NetworkView",
    "build_network",
    "offline_html",
]

GAP_COLOR: Final = "#d62728"
STRUCTURE: Final = "STRUCTURE"  # sits at / built in / manages: drawn thin and grey

KIND_COLOR: Final[dict[str, str]] = {
    "organisation_department": "#8c1c13",
    "party_committee": "#b22222",
    "party_working_committee": "#a52a2a",
    "general_branch": "#cd5c5c",
    "party_branch": "#e9967a",
    "party_work_group": "#f4c2a1",
    "party_group": "#f7d9c4",
    "industry_party_committee": "#c0392b",
    "property_company": "#4e79a7",
    "owners_committee": "#59a14f",
    "supervisory_committee": "#76b7b2",
    "self_governance_body": "#9c9c2e",
    "residents_committee": "#b07aa1",
    "regulator": "#7f7f7f",
    "street_office": "#a0a0a0",
    "volunteer_team": "#f28e2b",
}
OTHER_KIND_COLOR: Final = "#cccccc"
STANDING_COLOR: Final[dict[str, str]] = {
    "full_member": "#c00000",
    "probationary_member": "#ff9f80",
    "non_member": "#6b8eb3",
    "other": "#bbbbbb",
}
UNIT_COLOR: Final = "#ffe699"
FONT_PX: Final = 14  # a label's font at 1:1 (the readable view enlarges it when zoomed out)

#: relation → vis-network edge options.
EDGE_STYLE: Final[dict[str, dict[str, Any]]] = {
    REL.SERVES_AS: {"color": "#555555", "width": 1.5, "dashes": False},
    REL.CROSS_APPOINTED_TO: {"color": "#ff7f0e", "width": 2.5, "dashes": [8, 5]},
    REL.SUPERVISES: {"color": "#1f77b4", "width": 1.5, "dashes": [2, 4]},
    REL.AFFILIATED_UNDER: {"color": "#b22222", "width": 2.0, "dashes": False},
    STRUCTURE: {"color": "#cfcfcf", "width": 1.0, "dashes": False},
}

#: Kept on the node dicts for the tests and the legend, not sent to vis (a vis `group`
#: would recolour the nodes with its own palette).
_NODE_META: Final = ("id", "kind", "standing", "group", "column")
_CDN_TAG = re.compile(
    r"<link\b[^>]*href=\"https?://[^\"]*\"[^>]*/?>|<script\b[^>]*src=\"https?://[^\"]*\"[^>]*>"
    r"\s*</script>",
    re.S,
)
_COMMENTED_LOCAL = re.compile(r"<!--\s*<link[^>]*node_modules.*?-->", re.S)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1></h1>\s*</center>", re.S)


#: Labels are at least this many screen pixels tall at every zoom the view allows.
MIN_LABEL_PX: Final = 12
CANVAS_BACKGROUND: Final = "#ffffff"  # a dot's label is written beside it, on the canvas

#: Once the layout is done (physics stabilised and frozen, or a fixed layout drawn), fit
#: the whole graph in the canvas (never above 1:1) and, if that zoom would draw a label
#: below MIN_LABEL_PX screen pixels, enlarge the fonts of those nodes to what the zoom
#: needs and fit again (one round per drawing, until nothing grows).  Zooming out past the
#: fit is refused, so no zoom the view allows shrinks a label below MIN_LABEL_PX and the
#: whole graph is always inside the frame.  ``window.readable`` tells a test (or a person
#: with the console) the zoom reached and the smallest label in screen pixels.
_READABLE_VIEW: Final = """
var readableGo = !PHYSICS, readableRounds = 0, readableScale = null;
network.once("stabilizationIterationsDone", function () { readableGo = true; network.redraw(); });
function readableBox() {
  var l = Infinity, r = -Infinity, t = Infinity, b = -Infinity;
  network.body.nodeIndices.forEach(function (id) {
    var bb = network.body.nodes[id].shape.boundingBox;
    l = Math.min(l, bb.left); r = Math.max(r, bb.right);
    t = Math.min(t, bb.top); b = Math.max(b, bb.bottom);
  });
  return {l: l, r: r, t: t, b: b};
}
var readableSpread = false, readableRow = null;
// A fixed layout's rows (ROW_PX apart): once larger fonts make a row's boxes taller than
// that, the rows move apart (each keeps its order and its alignment across columns).
function readableRows() {
  var ids = network.body.nodeIndices, tall = {}, rows = [];
  if (readableRow === null) {
    readableRow = {};
    ids.forEach(function (id) { readableRow[id] = Math.round(nodes.get(id).y / ROW_PX); });
  }
  var ctx = network.canvas.getContext();
  ids.forEach(function (id) {
    var node = network.body.nodes[id];
    if (node.resize) { node.resize(ctx); }  // the new font's size, not the last drawing's
    var row = readableRow[id], hh = node.shape.height || 0;
    if (!(row in tall)) { rows.push(row); tall[row] = 0; }
    tall[row] = Math.max(tall[row], hh);
  });
  rows.sort(function (a, b) { return a - b; });
  var at = {}, y = 0, moved = [];
  rows.forEach(function (row, i) {
    if (i > 0) {
      var prev = rows[i - 1];
      y += Math.max((row - prev) * ROW_PX, (tall[prev] + tall[row]) / 2 + 10);
    }
    at[row] = y;
  });
  ids.forEach(function (id) {
    var y0 = at[readableRow[id]];
    if (Math.abs(network.body.nodes[id].y - y0) > 0.5) { moved.push({id: id, y: y0}); }
  });
  if (moved.length) { nodes.update(moved); }
  return moved.length > 0;
}
network.on("afterDrawing", function () {
  if (!readableGo || window.readable) { return; }
  var ids = network.body.nodeIndices;
  if (!ids.length) { window.readable = {scale: 1, minLabelPx: null}; return; }
  var box = readableBox(), pad = 16;
  var w = container.clientWidth - 2 * pad, h = container.clientHeight - 2 * pad;
  var scale = Math.min(1.0, w / Math.max(1, box.r - box.l), h / Math.max(1, box.b - box.t));
  var need = MIN_PX / scale, grow = [], least = Infinity;
  ids.forEach(function (id) {
    var node = network.body.nodes[id];
    if (!node.options.label) { return; }
    var size = node.options.font.size;
    if (size < need) {
      var font = Object.assign({}, nodes.get(id).font || {});
      font.size = Math.ceil(need * 1.03);
      grow.push({id: id, font: font});
    }
    least = Math.min(least, size);
  });
  readableRounds += 1;
  if (grow.length && readableRounds < 8) {
    readableSpread = !PHYSICS;  // first: the update below may draw (and call us) at once
    nodes.update(grow);
    return;
  }
  if (readableSpread) {
    readableSpread = false;
    if (readableRows()) { readableRounds = Math.min(readableRounds, 6); network.redraw(); return; }
  }
  readableScale = scale;
  network.moveTo({position: {x: (box.l + box.r) / 2, y: (box.t + box.b) / 2}, scale: scale});
  window.readable = {scale: scale, minLabelPx: least * scale, rounds: readableRounds};
});
network.on("zoom", function (p) {
  if (readableScale !== null && p.scale < readableScale) {
    network.moveTo({scale: readableScale});
  }
});
"""


@functools.cache
def _template_env(template_dir: str) -> Any:
    """pyvis builds a new jinja Environment per network and recompiles its template
    (~0.2 s); one shared Environment keeps the compiled template."""
    from jinja2 import Environment, FileSystemLoader

    return Environment(loader=FileSystemLoader(template_dir))


@dataclass
class GovernanceRows:
    """What the data module reads for one unit; every list holds plain dict rows.

    orgs: code, name, kind, [status]; posts: person_code, person_name, standing,
    org_code, rel (SERVES_AS | CROSS_APPOINTED_TO), role, title; supervisions: source,
    source_name, source_kind, source_person (bool), source_standing, target,
    target_name, target_kind, kind; affiliations: org_code, parent_code, parent_name,
    parent_kind; structure: org_code, rel (the unit's SITS_AT/BUILT_IN/MANAGES edges);
    unit: the page's unit (code, name, level) or None; gaps: codes named by a finding.
    """

    orgs: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    supervisions: list[dict[str, Any]] = field(default_factory=list)
    affiliations: list[dict[str, Any]] = field(default_factory=list)
    structure: list[dict[str, Any]] = field(default_factory=list)
    unit: dict[str, Any] | None = None
    gaps: set[str] = field(default_factory=set)


@dataclass
class NetworkView:
    html: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    collapsed: bool
    people: int  # distinct people in the rows, shown or folded
    height_px: int = 560  # the canvas (the page's iframe adds a little)
    left_out: dict[str, int] = field(default_factory=dict)  # kind → bodies not drawn


def _org_node(row: Mapping[str, Any], lang: str, gaps: set[str], folded: int = 0) -> dict:
    kind = row.get("kind")
    label = str(row.get("name") or row["code"])
    if folded:
        label += "\n" + t("legend.collapsed", lang, n=folded)
    fill = KIND_COLOR.get(kind or "", OTHER_KIND_COLOR)
    node = {
        "id": row["code"], "label": label, "shape": "box", "group": "org", "kind": kind,
        "title": f"{row['code']} · {term('kind', kind, lang)}",
        "color": {"background": fill, "border": "#444444"},
        "borderWidth": 1, "font": {"color": text_on(fill), "size": FONT_PX},
    }
    if folded:
        node["mass"] = 1 + folded / 10
    return _mark_gap(node, gaps, lang)


def _person_node(code: str, name: str | None, standing: str | None, lang: str,
                 gaps: set[str]) -> dict:
    node = {
        "id": code, "label": str(name or code), "shape": "dot", "size": 12, "group": "person",
        "standing": standing,
        "title": f"{code} · {term('standing', standing, lang)}",
        "color": {"background": STANDING_COLOR.get(standing or "", STANDING_COLOR["other"]),
                  "border": "#444444"},
        "borderWidth": 1, "font": {"color": DARK_TEXT, "size": FONT_PX},  # beside the dot
    }
    return _mark_gap(node, gaps, lang)


def _mark_gap(node: dict, gaps: set[str], lang: str = "zh") -> dict:
    if node["id"] in gaps:
        node["color"]["border"] = GAP_COLOR
        node["borderWidth"] = 4
        node["title"] += " · " + t("legend.gap_short", lang)
    return node


def _edge(source: str, target: str, rel: str, title: str, width: float | None = None) -> dict:
    style = dict(EDGE_STYLE[rel])
    if width is not None:
        style["width"] = width
    return {"from": source, "to": target, "rel": rel, "title": title, "arrows": "to", **style}


def build_network(
    rows: GovernanceRows, *, lang: str = "zh", node_limit: int = 150, height_px: int = 560
) -> NetworkView:
    """Nodes, edges and the offline HTML page for ``rows`` (see the module docstring)."""
    orgs = {o["code"]: o for o in rows.orgs}
    people: dict[str, dict[str, Any]] = {}
    for p in rows.posts:
        people.setdefault(p["person_code"], p)
    for s in rows.supervisions:
        if s.get("source_person"):
            people.setdefault(s["source"], {"person_name": s.get("source_name"),
                                            "standing": s.get("source_standing")})
    extra_orgs: dict[str, dict[str, Any]] = {}
    for a in rows.affiliations:
        if a["parent_code"] not in orgs:
            extra_orgs[a["parent_code"]] = {"code": a["parent_code"], "name": a.get("parent_name"),
                                            "kind": a.get("parent_kind")}
    for s in rows.supervisions:
        if not s.get("source_person") and s["source"] not in orgs:
            extra_orgs[s["source"]] = {"code": s["source"], "name": s.get("source_name"),
                                       "kind": s.get("source_kind")}
        if s["target"] not in orgs and not (rows.unit and s["target"] == rows.unit["code"]):
            extra_orgs[s["target"]] = {"code": s["target"], "name": s.get("target_name"),
                                       "kind": s.get("target_kind")}
    unit_nodes = 1 if rows.unit else 0
    total = len(orgs) + len(extra_orgs) + len(people) + unit_nodes
    collapsed = total > node_limit

    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    if rows.unit:
        u = rows.unit
        unit_node = {
            "id": u["code"], "label": str(u.get("name") or u["code"]), "shape": "ellipse",
            "group": "unit", "title": f"{u['code']} · {term('level', u.get('level'), lang)}",
            "color": {"background": UNIT_COLOR, "border": "#444444"}, "borderWidth": 1,
            "font": {"color": text_on(UNIT_COLOR), "size": FONT_PX},
        }
        nodes.append(_mark_gap(unit_node, rows.gaps, lang))
        for s in rows.structure:
            if s["org_code"] in orgs:
                edges.append(_edge(s["org_code"], u["code"], STRUCTURE, str(s.get("rel", ""))))

    if collapsed:
        per_org: dict[str, set[str]] = defaultdict(set)
        for p in rows.posts:
            per_org[p["org_code"]].add(p["person_code"])
        for code, o in orgs.items():
            nodes.append(_org_node(o, lang, rows.gaps, folded=len(per_org.get(code, ()))))
        # Organisations sharing people: one dashed edge per pair, width by shared people.
        person_orgs: dict[str, set[str]] = defaultdict(set)
        for p in rows.posts:
            person_orgs[p["person_code"]].add(p["org_code"])
        shared: dict[tuple[str, str], int] = defaultdict(int)
        for codes in person_orgs.values():
            ordered = sorted(codes)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1:]:
                    shared[(a, b)] += 1
        for (a, b), n in sorted(shared.items()):
            e = _edge(a, b, REL.CROSS_APPOINTED_TO, f"{n}", width=min(1.5 + n, 8))
            e["arrows"] = ""
            edges.append(e)
    else:
        for o in orgs.values():
            nodes.append(_org_node(o, lang, rows.gaps))
        for code, p in people.items():
            nodes.append(_person_node(code, p.get("person_name"), p.get("standing"), lang,
                                      rows.gaps))
        for p in rows.posts:
            title = " ".join(x for x in (p.get("title"), p.get("start")) if x)
            edges.append(_edge(p["person_code"], p["org_code"], p["rel"], title))
    for o in extra_orgs.values():
        nodes.append(_org_node(o, lang, rows.gaps))
    for a in rows.affiliations:
        edges.append(_edge(a["org_code"], a["parent_code"], REL.AFFILIATED_UNDER, ""))
    node_ids = {n["id"] for n in nodes}
    for s in rows.supervisions:
        if s["source"] in node_ids and s["target"] in node_ids:
            edges.append(_edge(s["source"], s["target"], REL.SUPERVISES,
                               term("supervision", s.get("kind"), lang)))
    page = offline_html(nodes, edges, lang=lang, height_px=height_px, node_limit=node_limit,
                        collapsed=collapsed, people=len(people))
    return NetworkView(page, nodes, edges, collapsed, len(people), height_px)


def _legend(lang: str, kinds: Iterable[str], standings: Iterable[str], rels: Iterable[str],
            has_unit: bool, max_height_px: int) -> str:
    def swatch(color: str, text: str, round_: bool = False) -> str:
        radius = "50%" if round_ else "2px"
        return (f'<div><span style="display:inline-block;width:11px;height:11px;'
                f'background:{color};border-radius:{radius};margin-right:5px;'
                f'border:1px solid #444"></span>{html_lib.escape(text)}</div>')

    def line(style: dict[str, Any], text: str) -> str:
        kind = "dashed" if style["dashes"] else "solid"
        if style["dashes"] and style["dashes"][0] < 4:
            kind = "dotted"
        return (f'<div><span style="display:inline-block;width:26px;margin-right:5px;'
                f'border-top:3px {kind} {style["color"]};vertical-align:middle"></span>'
                f"{html_lib.escape(text)}</div>")

    parts = [f"<b>{html_lib.escape(t('legend.orgs', lang))}</b>"]
    parts += [swatch(KIND_COLOR.get(k, OTHER_KIND_COLOR), term("kind", k, lang)) for k in kinds]
    if has_unit:
        parts.append(swatch(UNIT_COLOR, t("legend.unit", lang), round_=True))
    if standings:
        parts.append(f"<b>{html_lib.escape(t('legend.people', lang))}</b>")
        parts += [swatch(STANDING_COLOR.get(s, STANDING_COLOR["other"]),
                         term("standing", s, lang), round_=True) for s in standings]
    parts.append(f"<b>{html_lib.escape(t('legend.edges', lang))}</b>")
    parts += [line(EDGE_STYLE[r], t("rel.STRUCTURE", lang) if r == STRUCTURE
                   else term("relation", r, lang)) for r in rels]
    parts.append(f'<div><span style="display:inline-block;width:11px;height:11px;'
                 f'border:3px solid {GAP_COLOR};margin-right:5px"></span>'
                 f"{html_lib.escape(t('legend.gap', lang))}</div>")
    # Beside the canvas (a flex column of its own), never over the nodes.
    return ('<div id="legend" style="flex:0 0 176px;box-sizing:border-box;'
            "background:#fafafa;border-right:1px solid #ddd;padding:6px 9px;"
            f'font:13px sans-serif;line-height:1.6;max-height:{max_height_px}px;overflow:auto">'
            + "".join(parts) + "</div>")


def offline_html(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], *, lang: str,
                 height_px: int, node_limit: int, collapsed: bool, people: int,
                 options: dict[str, Any] | None = None, note: str | None = None,
                 row_px: int | None = None) -> str:
    """Render with pyvis, inline its scripts and strip every CDN tag; add the legend
    beside the canvas and the readable view (every label at least MIN_LABEL_PX screen
    pixels, the whole graph in the frame).  ``options`` replaces the default vis options
    (a physics layout); ``row_px`` is a fixed layout's row spacing (its rows move apart
    when larger fonts need the room)."""
    from pyvis.network import Network

    net = Network(height=f"{height_px}px", width="100%", directed=True, cdn_resources="in_line")
    net.templateEnv = _template_env(net.template_dir)  # compiled once, not on every page
    for n in nodes:
        attrs = {k: v for k, v in n.items() if k not in _NODE_META}
        net.add_node(n["id"], **attrs)
    for e in edges:
        attrs = {k: v for k, v in e.items() if k not in ("from", "to", "rel")}
        net.add_edge(e["from"], e["to"], **attrs)
    # Past ~100 nodes vis-network's "improved layout" (a Kamada-Kawai seed) costs seconds;
    # fewer stabilisation rounds and straight edges keep a big graph quick to appear.
    big = len(nodes) > 100
    net.set_options(json.dumps(options or {
        "layout": {"improvedLayout": not big},
        "physics": {"barnesHut": {"gravitationalConstant": -6000, "springLength": 120,
                                  "avoidOverlap": 0.3},
                    "stabilization": {"iterations": 80 if big else 200}},
        "interaction": {"hover": True, "navigationButtons": False},
        "edges": {"smooth": False if big else {"type": "continuous"}},
    }))
    page = net.generate_html()
    page = _CDN_TAG.sub("", page)
    page = _COMMENTED_LOCAL.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    # Freeze the layout once stabilised so a big graph stops costing CPU.
    page = page.replace(
        "return network;",
        'network.once("stabilizationIterationsDone", function () {'
        " network.setOptions({physics: false}); });\n return network;",
        1,
    )
    physics = bool((options or {}).get("physics", {}).get("enabled", True))
    page = page.replace("return network;", _READABLE_VIEW.replace("MIN_PX", str(MIN_LABEL_PX))
                        .replace("PHYSICS", "true" if physics else "false")
                        .replace("ROW_PX", str(row_px or 1))
                        + "\n return network;", 1)
    kinds = sorted({n["kind"] for n in nodes if n["group"] == "org" and n.get("kind")})
    standings = sorted({n["standing"] for n in nodes if n["group"] == "person"
                        and n.get("standing")})
    rels = [r for r in EDGE_STYLE if any(e["rel"] == r for e in edges)]
    legend = _legend(lang, kinds, standings, rels, any(n["group"] == "unit" for n in nodes),
                     height_px - 24)
    if collapsed and note is None:
        note = t("hi.collapsed", lang, limit=node_limit, people=people)
    if note:
        legend = legend[:-len("</div>")] + (
            f'<div style="margin-top:8px;color:#8a5a00">{html_lib.escape(note)}</div></div>')
    page = page.replace(
        '<div class="card" style="width: 100%">',
        '<style>#mynetwork{flex:1 1 auto;width:auto !important;min-width:0}</style>'
        '<div class="card" style="width: 100%; display: flex; flex-direction: row">' + legend,
        1)
    return page

