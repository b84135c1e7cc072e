"""The network above compound level: organisations and how they hang together.

A street has some ninety bodies and hundreds of people; drawn as one force layout they
are a hairball with unreadable labels.  So above compound level the network shows only
what a person can read there (issue 13):

* organisations, joined by their affiliation (隶属) and supervision (监管) relations —
  never posts; the people are folded into each organisation's count;
* each organisation sized by what it covers (the compounds under its unit; for a
  property company the compounds it manages);
* at community level also the compounds, each joined to its bodies;
* laid out left to right in columns (higher bodies first), so every column is a list of
  names at a legible size; bodies with no drawn relation are counted in a note instead.

A pure function of rows, like :mod:`network`, testable without Streamlit or a store.

>>> view = build_org_network(OrgRows(
...     orgs=[{"code": "W", "name": "街道党工委", "kind": "party_working_committee", "tier": 0},
...           {"code": "C", "name": "社区党委", "kind": "party_committee", "tier": 1},
...           {"code": "V", "name": "志愿队", "kind": "volunteer_team", "tier": 1}],
...     affiliations=[{"org_code": "C", "parent_code": "W"}],
...     people={"C": 5}, cover={"W": 10, "C": 4}))
>>> [(n["id"], n["column"], n["label"]) for n in view.nodes]
[('W', 0, '街道党工委\\n10个小区'), ('C', 1, '社区党委\\n4个小区 · 5人')]
>>> view.left_out
{'volunteer_team': 1}
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ..graph.vocabulary import REL
from .contrast import text_on
from .i18n import t, term
from .network import (
    EDGE_STYLE,
    GAP_COLOR,
    KIND_COLOR,
    OTHER_KIND_COLOR,
    STRUCTURE,
    UNIT_COLOR,
    NetworkView,
    offline_html,
)

__all__ = ["OrgRows", "build_org_network", "column_of"]

#: Within a tier (the page's level, the level below), which column a kind takes: the
#: party and administrative bodies first, then the bodies built on companies, then the
#: companies and the compound bodies.
_SUB: Final[dict[str, int]] = {
    "organisation_department": 0, "party_working_committee": 0, "party_committee": 0,
    "general_branch": 0, "residents_committee": 0, "street_office": 0, "regulator": 0,
    "industry_party_committee": 0, "party_branch": 1, "party_work_group": 1,
    "party_group": 1, "property_company": 1,
}
#: At community level the compounds stand in the middle: the community's bodies first,
#: then each compound's party body, the compound, its owners' bodies; companies last.
_COMMUNITY_COLUMNS: Final[dict[tuple[int, str], int]] = {
    (0, "property_company"): 4,
    (1, "party_branch"): 1, (1, "general_branch"): 1, (1, "party_work_group"): 1,
    (1, "party_group"): 1, (1, "owners_committee"): 3, (1, "self_governance_body"): 3,
    (1, "supervisory_committee"): 3,
}
COMPOUND_COLUMN: Final = 2
#: Kinds a supervisor outside the drawn bodies may have and still be drawn (a body above
#: the page: the regulator, the street office); a compound's committee is never pulled in.
ABOVE_KINDS: Final = frozenset({"organisation_department", "party_working_committee",
                                "regulator", "street_office", "industry_party_committee"})
FONT_MIN, FONT_MAX = 14, 17
ROW_PX: Final = 60  # vertical room per node in a column (up to three-line labels)
COLUMN_PX: Final = 215
#: The tallest canvas a view takes: one screen.  Past it, long lists of sibling bodies
#: (a street's dozens of community committees under one working committee) and, at
#: community level, compounds fold into one "另有 N 个…" node each, so the graph fits a
#: screen at a zoom where its labels are still legible (the readable view in
#: :mod:`network` keeps them at MIN_LABEL_PX at least).
SCREEN_PX: Final = 860
MAX_ROWS: Final = (SCREEN_PX - 40) // ROW_PX
#: Fold sizes tried in turn (kept siblings per parent, kept compounds) until it fits.
KEEP_STEPS: Final = (12, 9, 7, 5, 4, 3, 2, 1)
FOLD: Final = "fold:"  # id prefix of a folded node


def column_of(tier: int, kind: str | None, with_compounds: bool = False) -> int:
    """The left-to-right column of a body: tier -1 (above the page), 0 (the page's
    level) or 1 (the level below), then its kind.

    >>> column_of(0, "party_working_committee"), column_of(1, "owners_committee")
    (3, 8)
    >>> column_of(1, "industry_party_committee")
    6
    >>> column_of(1, "owners_committee", with_compounds=True)
    3
    """
    if with_compounds:
        if kind == "property_company":  # wherever it sits, beyond the compounds it manages
            return _COMMUNITY_COLUMNS[(0, kind)]
        return _COMMUNITY_COLUMNS.get((tier, kind or ""), -1 if tier < 0 else 0)
    return 3 * (tier + 1) + _SUB.get(kind or "", 2)


@dataclass
class OrgRows:
    """orgs: code, name, kind, tier (-1/0/1); affiliations: org_code, parent_code[,
    parent_name, parent_kind]; supervisions: source, target, kind, source_person,
    source_name, source_kind; people: org code → people with an active post; cover: org
    (or compound) code → compounds covered; compounds: code, name (community level);
    links: org_code, compound_code, rel (a body's compound, a company's contracts)."""

    orgs: list[dict[str, Any]] = field(default_factory=list)
    affiliations: list[dict[str, Any]] = field(default_factory=list)
    supervisions: list[dict[str, Any]] = field(default_factory=list)
    people: Mapping[str, int] = field(default_factory=dict)
    cover: Mapping[str, int] = field(default_factory=dict)
    compounds: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    gaps: set[str] = field(default_factory=set)
    strip: tuple[str, ...] = ()  # name prefixes the page already says (厦门市, 湖里区 …)
    page_name: str = ""  # the page's unit: stripped from the names of the level below


def short_name(name: str, strip: tuple[str, ...]) -> str:
    """A body's name without the prefixes its place already says, so labels stay short.

    >>> short_name("中共湖里区湖里街道湖明社区委员会", ("中共", "湖里区", "湖里街道"))
    '湖明社区委员会'
    """
    changed = True
    while changed:
        changed = False
        for prefix in sorted(strip, key=len, reverse=True):  # the longest first
            if prefix and name.startswith(prefix) and len(name) > len(prefix) + 1:
                name, changed = name[len(prefix):], True
                break
    return name


def _prefixes(rows: OrgRows, tier: int) -> tuple[str, ...]:
    """What a body's name may lose: 中共 always; the places above the page from the page's
    own bodies; the page's unit too from the bodies of the level below."""
    if tier < 0:
        return ("中共",)
    return ("中共", *rows.strip, *((rows.page_name,) if tier > 0 and rows.page_name else ()))


def _label(name: str, cover: int, people: int, lang: str, members: int = 0) -> str:
    parts = []
    if members:
        parts.append(t("net.members", lang, n=members))
    if cover:
        parts.append(t("net.cover", lang, n=cover))
    if people:
        parts.append(t("net.people", lang, n=people))
    return name + ("\n" + " · ".join(parts) if parts else "")


def _font(cover: int, most: int) -> int:
    if most <= 0:
        return FONT_MIN
    return round(FONT_MIN + (FONT_MAX - FONT_MIN) * math.sqrt(cover / most))


def build_org_network(rows: OrgRows, *, lang: str = "zh") -> NetworkView:
    """Nodes, edges and the offline page (see the module docstring)."""
    with_compounds = bool(rows.compounds)
    orgs = {o["code"]: dict(o) for o in rows.orgs}
    for a in rows.affiliations:  # a parent above the page (the district's 组织部 …)
        if with_compounds:  # a community's page keeps to its own bodies
            break
        orgs.setdefault(a["parent_code"], {"code": a["parent_code"], "kind": a.get("parent_kind"),
                                           "name": a.get("parent_name"), "tier": -1})
    for s in rows.supervisions:
        if (not with_compounds and not s.get("source_person")
                and s.get("source_kind") in ABOVE_KINDS):
            orgs.setdefault(s["source"], {"code": s["source"], "kind": s.get("source_kind"),
                                          "name": s.get("source_name"), "tier": -1,
                                          "source_only": True})
    compounds = {c["code"]: c for c in rows.compounds}
    edges: list[dict[str, Any]] = []

    def edge(upper: str, lower: str, rel: str, title: str, arrows: str) -> None:
        # vis lays a tree out from each edge's `from` end: the upper body is always
        # `from`; the arrow still points the way the relation reads.
        style = dict(EDGE_STYLE[rel])
        edges.append({"from": upper, "to": lower, "rel": rel, "title": title,
                      "arrows": arrows, **style})

    for a in rows.affiliations:
        if a["org_code"] in orgs and a["parent_code"] in orgs:
            edge(a["parent_code"], a["org_code"], REL.AFFILIATED_UNDER,
                 term("relation", REL.AFFILIATED_UNDER, lang), "from")
    instructors: Counter[str] = Counter()
    for s in rows.supervisions:
        if s.get("source_person"):
            instructors[s["target"]] += 1
        elif s["source"] in orgs and s["target"] in orgs:
            edge(s["source"], s["target"], REL.SUPERVISES,
                 term("supervision", s.get("kind"), lang), "to")
    for link in rows.links:
        if link["org_code"] in orgs and link["compound_code"] in compounds:
            edge(link["compound_code"], link["org_code"], STRUCTURE,
                 term("relation", link.get("rel"), lang), "")
    # Sources above the page count only where they supervise something drawn.
    linked = {e["from"] for e in edges} | {e["to"] for e in edges}
    left_out = Counter(o.get("kind") or "" for c, o in orgs.items()
                       if c not in linked and not o.get("source_only"))
    drawn = [o for c, o in orgs.items() if c in linked]
    most = max([rows.cover.get(o["code"], 0) for o in drawn] or [0])

    nodes: list[dict[str, Any]] = []
    for o in drawn:
        code, kind = o["code"], o.get("kind")
        cover, people = rows.cover.get(code, 0), rows.people.get(code, 0)
        title = f"{o.get('name') or code} · {code} · {term('kind', kind, lang)}"
        if o.get("member_names"):
            title += " · " + "、".join(o["member_names"])
        if instructors.get(code):
            title += " · " + t("net.instructors", lang, n=instructors[code])
        nodes.append(_gap({
            "id": code, "label": _label(short_name(str(o.get("name") or code),
                                                   _prefixes(rows, int(o.get("tier", 0)))),
                                        cover, people, lang, int(o.get("members") or 0)),
            "shape": "box", "group": "org", "kind": kind, "title": title,
            "level": column_of(int(o.get("tier", 0)), kind, with_compounds),
            "color": {"background": KIND_COLOR.get(kind or "", OTHER_KIND_COLOR),
                      "border": "#444444"},
            "borderWidth": 1, "margin": 6, "widthConstraint": {"maximum": 190},
            "font": {"size": _font(cover, most),
                     "color": text_on(KIND_COLOR.get(kind or "", OTHER_KIND_COLOR))},
        }, rows.gaps, lang))
    for code, c in compounds.items():
        nodes.append(_gap({
            "id": code, "label": str(c.get("name") or code), "shape": "ellipse",
            "group": "unit", "title": f"{code} · {term('level', 'compound', lang)}",
            "level": COMPOUND_COLUMN, "color": {"background": UNIT_COLOR, "border": "#444444"},
            "borderWidth": 1, "font": {"size": FONT_MIN + 1, "color": text_on(UNIT_COLOR)},
        }, rows.gaps, lang))
    nodes, edges = _fold_to_screen(nodes, edges, with_compounds, rows.gaps, rows.cover, lang)
    used_rows = _layout(nodes, edges, with_compounds)
    for n in nodes:
        n.pop("level")  # vis would read it as a hierarchical level
    height = max(360, min(SCREEN_PX, used_rows * ROW_PX + 40))
    options = {
        "layout": {"hierarchical": {"enabled": False}},
        "physics": {"enabled": False},
        "interaction": {"hover": True, "navigationButtons": False, "dragNodes": False},
        "edges": {"smooth": {"type": "cubicBezier", "forceDirection": "horizontal",
                             "roundness": 0.45}},
    }
    note = None
    if left_out:
        parts = "、".join(f"{term('kind', k, lang)} {n}" for k, n in sorted(left_out.items()))
        note = t("net.left_out", lang, n=sum(left_out.values()), kinds=parts)
    page = offline_html(nodes, edges, lang=lang, height_px=height, node_limit=0,
                        collapsed=False, people=sum(rows.people.values()), options=options,
                        note=note, row_px=ROW_PX)
    return NetworkView(page, nodes, edges, False, sum(rows.people.values()), height,
                       dict(left_out))


def _layout(nodes: list[dict[str, Any]], edges: list[dict[str, Any]],
            with_compounds: bool) -> int:
    """Place ``nodes`` (x, y, fixed, column; in tree order) and return the rows used.

    Columns numbered densely from 0, then an outline layout of our own (vis's
    hierarchical layout scatters disconnected trees): each body in its column, on or
    below its parent's row and below every earlier subtree, so a tree reads top-down."""
    nodes[:] = _in_tree_order(nodes, edges, with_compounds)
    used = sorted({n["level"] for n in nodes})
    parent = _parents(edges, compounds_first=with_compounds)
    # Right of their parent (not at community level, where columns are fixed by role).
    ranked = set() if with_compounds else {e["to"] for e in edges if e["rel"] != STRUCTURE}
    free: dict[int, int] = {}
    rows_of: dict[str, int] = {}
    col_of: dict[str, int] = {}
    for n in nodes:
        col = used.index(n["level"])
        up = parent.get(n["id"], "")
        if n["id"] in ranked and up in col_of:
            col = max(col, col_of[up] + 1)
        if with_compounds and n["group"] == "unit":  # a compound starts a new block
            row = max(free.values(), default=0)
        elif with_compounds:
            row = max(rows_of.get(up, 0), free.get(col, 0))
        else:
            row = max([rows_of.get(up, 0), *(r for c, r in free.items() if c >= col)])
        rows_of[n["id"]], col_of[n["id"]], free[col] = row, col, row + 1
        n.update({"x": col * COLUMN_PX, "y": row * ROW_PX, "fixed": True, "column": col})
    return max(free.values(), default=1)


def _fold_to_screen(nodes: list[dict[str, Any]], edges: list[dict[str, Any]],
                    with_compounds: bool, gaps: set[str], cover: Mapping[str, int],
                    lang: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The graph, folded as little as makes it fit :data:`MAX_ROWS` rows.

    Above community level: the leaf bodies (nothing drawn below them) under one parent,
    past the first ``keep``, become one node "另有 N 个组织" in their column.  At
    community level: the compounds past the first ``keep``, with the bodies drawn only
    for them, become one node "另有 N 个小区".  Bodies and compounds with an audit
    finding are kept first, then the larger ones (compounds covered; at community level
    the bodies drawn) and by code at a tie; a folded node
    lists what it holds in its tooltip and has a red border when one of them has a
    finding.  ``level`` (the column key) stays on every node for :func:`_layout`."""
    got_nodes, got_edges = nodes, edges
    for keep in (None, *KEEP_STEPS):
        got_nodes, got_edges = [dict(n) for n in nodes], list(edges)
        if keep is not None:
            fold = _fold_compounds if with_compounds else _fold_leaves
            got_nodes, got_edges = fold(got_nodes, got_edges, keep, gaps, cover, lang)
        if _layout([dict(n) for n in got_nodes], got_edges, with_compounds) <= MAX_ROWS:
            break
    return got_nodes, got_edges


def _kept_first(codes: list[str], gaps: set[str], size: Mapping[str, int]) -> list[str]:
    return sorted(codes, key=lambda c: (c not in gaps, -size.get(c, 0), c))


def _folded_node(fid: str, label: str, names: list[str], like: dict[str, Any],
                 marked: bool, lang: str) -> dict[str, Any]:
    """One node standing for ``names`` (drawn like ``like``, with a dashed border)."""
    title = "、".join(names[:40]) + ("…" if len(names) > 40 else "")
    node = {**like, "id": fid, "label": label, "title": title,
            "color": dict(like["color"], border=GAP_COLOR if marked else "#444444"),
            "borderWidth": 4 if marked else 1, "shapeProperties": {"borderDashes": [5, 4]}}
    if marked:
        node["title"] += " · " + t("legend.gap_short", lang)
    return node


def _fold_leaves(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], keep: int,
                 gaps: set[str], cover: Mapping[str, int], lang: str
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    by_id = {n["id"]: n for n in nodes}
    parent = _parents(edges)
    uppers = {e["from"] for e in edges}
    children: dict[str, list[str]] = {}
    for child, up in parent.items():
        if child not in uppers and child in by_id:  # a leaf
            children.setdefault(up, []).append(child)
    folded: dict[str, str] = {}
    extra: list[dict[str, Any]] = []
    extra_edges: list[dict[str, Any]] = []
    for up, kids in sorted(children.items()):
        if len(kids) <= keep + 1:
            continue
        gone = _kept_first(kids, gaps, cover)[keep:]
        fid = f"{FOLD}{up}"
        folded.update(dict.fromkeys(gone, fid))
        names = [str(by_id[k]["label"]).split("\n")[0] for k in gone]
        extra.append(_folded_node(fid, t("net.folded", lang, n=len(gone)), names,
                                  by_id[gone[0]], any(k in gaps for k in gone), lang))
        first = next(e for e in edges if e["to"] == gone[0] and e["from"] == up)
        extra_edges.append({**first, "to": fid})
    kept_nodes = [n for n in nodes if n["id"] not in folded] + extra
    kept_edges = [e for e in edges if e["from"] not in folded and e["to"] not in folded]
    return kept_nodes, kept_edges + extra_edges


def _fold_compounds(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], keep: int,
                    gaps: set[str], cover: Mapping[str, int], lang: str
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    compounds = [n["id"] for n in nodes if n["group"] == "unit"]
    if len(compounds) <= keep + 1:
        return nodes, edges
    by_id = {n["id"]: n for n in nodes}
    drawn_for: dict[str, set[str]] = {}  # body → the compounds it is drawn for
    for e in edges:
        if e["rel"] == STRUCTURE:
            drawn_for.setdefault(e["to"], set()).add(e["from"])
    flagged = {c for c in compounds if c in gaps
               or any(b in gaps for b, cs in drawn_for.items() if c in cs)}
    size = {c: sum(1 for cs in drawn_for.values() if c in cs) for c in compounds}
    order = _kept_first(compounds, flagged, size)
    gone = set(order[keep:])
    drop = gone | {b for b, cs in drawn_for.items() if cs <= gone}
    names = [str(by_id[c]["label"]) for c in order[keep:]]
    fold = _folded_node(f"{FOLD}compounds", t("net.folded_compounds", lang, n=len(gone)),
                        names, by_id[order[keep]], bool(gone & flagged), lang)
    kept_nodes = [n for n in nodes if n["id"] not in drop] + [fold]
    kept_edges = [e for e in edges if e["from"] not in drop and e["to"] not in drop]
    return kept_nodes, kept_edges


def _parents(edges: list[dict[str, Any]], compounds_first: bool = False) -> dict[str, str]:
    """Each body's parent in the drawing: the body it is affiliated under, else its
    supervisor, else its compound (the upper end of the edge; the first wins).  At
    community level a body's compound comes first: the rows follow the compounds."""
    parent: dict[str, str] = {}
    order = (REL.AFFILIATED_UNDER, REL.SUPERVISES, STRUCTURE)
    for rel in (STRUCTURE, *order[:2]) if compounds_first else order:
        for e in edges:
            if e["rel"] == rel:
                parent.setdefault(e["to"], e["from"])
    return parent


def _in_tree_order(nodes: list[dict[str, Any]], edges: list[dict[str, Any]],
                   compounds_first: bool = False) -> list[dict[str, Any]]:
    """Nodes ordered depth first under their parent (affiliation: the parent; supervision:
    the supervisor; a body's compound), so vis puts each body beside its parent and the
    edges do not cross the whole column."""
    parent = _parents(edges, compounds_first)

    def path(code: str) -> tuple[str, ...]:
        seen: list[str] = [code]
        while seen[-1] in parent and parent[seen[-1]] not in seen and len(seen) < 8:
            seen.append(parent[seen[-1]])
        return tuple(reversed(seen))

    return sorted(nodes, key=lambda n: path(n["id"]))


def _gap(node: dict[str, Any], gaps: set[str], lang: str) -> dict[str, Any]:
    if node["id"] in gaps:
        node["color"]["border"] = GAP_COLOR
        node["borderWidth"] = 4
        node["title"] += " · " + t("legend.gap_short", lang)
    return node
