"""A unit's gaps (from the catalog) and its governance network, composed for the pages.

Gaps are the catalog's own answers scoped to the unit, reduced to the rows that are
findings as each question's header declares them (``Question.finding``): roll-ups and
ratios declare none, a question listing only problems declares every row.  The codes
those rows name (except the pivot columns of the hierarchy) are drawn in red.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import streamlit as st

from ..graph.vocabulary import LEVEL_ORDER
from . import data
from .network import GovernanceRows, NetworkView, build_network
from .orgnet import OrgRows, build_org_network

__all__ = ["NODE_LIMIT", "ORG_LIMIT", "compounds_under", "gap_answers", "gap_asks",
           "gap_questions", "gap_rows", "gaps_for_unit", "in_force", "network_for_unit",
           "network_orgs"]

NODE_LIMIT: Final = 150  # past this many nodes people fold into their organisations
ORG_LIMIT: Final = 400  # organisations drawn at most (a whole district has thousands)
PIVOT_COLUMNS: Final = frozenset({"community_code", "street_code", "district_code",
                                  "city_code", "unit_code"})


def gap_rows(question: Any, rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows of ``question``'s answer that are findings, as its header declares
    (``// finding: COLUMN — values``, ``every row`` or ``none``): nothing is guessed.

    >>> from redgov.queries import get_question
    >>> gap_rows(get_question("one_shoulder"), [{"one_shoulder": True},
    ...                                         {"one_shoulder": False}])
    [{'one_shoulder': False}]
    >>> gap_rows(get_question("coverage_rollup"), [{"compounds": 3}])
    []
    """
    return list(question.finding_rows(rows))


def gap_questions() -> list[Any]:
    """The catalog questions a unit's gaps are asked of (those declaring their findings)."""
    return [q for q in data.catalog() if q.finding.declared and q.kind == "cypher"]


def gap_asks(code: str) -> list[tuple[str, dict[str, Any]]]:
    """What :func:`gap_answers` asks for the unit ``code`` (a page prefetches them)."""
    return [(q.name, {"scope": code}) for q in gap_questions()]


def gap_answers(key: data.Key, code: str) -> list[tuple[Any, list[Mapping[str, Any]]]]:
    """(question, finding rows) for every catalog question with findings in the unit."""
    questions = gap_questions()
    answers = data.ask_many(key, gap_asks(code))
    found = [(q, gap_rows(q, a["rows"])) for q, a in zip(questions, answers, strict=True)]
    return [(q, rows) for q, rows in found if rows]


def gaps_for_unit(key: data.Key, code: str) -> set[str]:
    """Every unit, organisation or person code named by a finding in the unit's subtree."""
    codes: set[str] = set()
    for q, rows in gap_answers(key, code):
        subject = q.columns[0].name  # what one row is about (compound, committee, person …)
        for row in rows:
            for column, value in row.items():
                if not value or not column.endswith("_code") or column in PIVOT_COLUMNS:
                    continue
                # A compound is in red only when the finding is about the compound itself,
                # not when it merely locates a committee's or a person's finding.
                if column == "compound_code" and column != subject:
                    continue
                codes.add(str(value))
    return codes


@st.cache_data(show_spinner=False, ttl=data.TTL_S, max_entries=200)
def _network(key: data.Key, unit: dict[str, Any], orgs: tuple[tuple[str, ...], ...],
             gaps: frozenset[str], as_of: str, lang: str) -> NetworkView:
    codes = tuple(o[0] for o in orgs)
    around = data.network_rows(key, unit["code"], codes, as_of)
    rows = GovernanceRows(
        orgs=[{"code": c, "name": n, "kind": k} for c, n, k, _ in orgs],
        posts=around["posts"], supervisions=around["supervisions"],
        affiliations=around["affiliations"],
        structure=[{"org_code": c, "rel": r} for c, _, _, r in orgs if r],
        unit={"code": unit["code"], "name": unit["name"], "level": unit["level"]},
        gaps=set(gaps),
    )
    return build_network(rows, lang=lang, node_limit=NODE_LIMIT)


def in_force(orgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The organisations not revoked at the snapshot (the read's ``@in_force`` flag): a
    body 撤销 is listed in the organisations table with its status, never drawn as
    serving its unit.

    >>> [o["code"] for o in in_force([{"code": "A", "in_force": True},
    ...                               {"code": "B", "in_force": False}])]
    ['A']
    """
    return [o for o in orgs if o.get("in_force")]


def network_orgs(key: data.Key, unit: dict[str, Any],
                 orgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The organisations a unit's network (and its leaders list) shows; see below."""
    level = unit["level"]
    orgs = in_force(orgs)
    if level == "compound":
        chosen = list(orgs)
    else:
        below = LEVEL_ORDER[min(LEVEL_ORDER.index(level) + 1, len(LEVEL_ORDER) - 1)]
        levels = {u["code"]: u["level"] for u in data.units_around(key, unit["code"])}
        chosen = [o for o in orgs if levels.get(o.get("unit_code")) in (level, below)]
    chosen.sort(key=lambda o: (o.get("unit_code") != unit["code"], o["code"]))
    return chosen[:ORG_LIMIT]


@st.cache_data(show_spinner=False, ttl=data.TTL_S, max_entries=50)
def compounds_under(key: data.Key, code: str | None = None) -> dict[str, int]:
    """unit code → compounds in its subtree (a compound counts itself); with ``code``, for
    the units of that unit's page (its subtree and the units above it, whose counts then
    cover that subtree only)."""
    units = data.units(key) if code is None else data.units_around(key, code)
    parents = {u["code"]: u.get("parent_code") for u in units}
    out: dict[str, int] = {}
    for u in units:
        if u["level"] != "compound":
            continue
        code: str | None = u["code"]
        for _ in range(len(LEVEL_ORDER)):
            if not code:
                break
            out[code] = out.get(code, 0) + 1
            code = parents.get(code)
    return out


@st.cache_data(show_spinner=False, ttl=data.TTL_S, max_entries=200)
def _org_network(key: data.Key, unit: dict[str, Any], orgs: tuple[tuple[str, ...], ...],
                 gaps: frozenset[str], as_of: str, lang: str) -> NetworkView:
    """Street, district (and city) pages: bodies and their relations; a community page
    adds its compounds (see :mod:`orgnet`)."""
    code, level = unit["code"], unit["level"]
    codes = tuple(o[0] for o in orgs)
    around = data.network_rows(key, code, codes, as_of)
    people: dict[str, set[str]] = {}
    for p in around["posts"]:
        people.setdefault(p["org_code"], set()).add(p["person_code"])
    under = compounds_under(key, code)
    page_units = data.units_around(key, code)  # the page's subtree and the units above it
    units = {u["code"]: u for u in page_units}
    managed: dict[str, set[str]] = {}
    contracts = data.contracts(key, code, as_of) if level in ("street", "community") else []
    for c in contracts:
        if c["active"]:  # the read's @active and @in_force
            managed.setdefault(c["company_code"], set()).add(c["compound_code"])
    cover = {c: under.get(u, 0) for c, _, _, u, _ in orgs}
    cover.update({c: len(m) for c, m in managed.items()})
    compounds, links = [], []
    if level == "community":
        compounds = [{"code": u["code"], "name": u["name"]} for u in page_units
                     if u.get("parent_code") == code and u["level"] == "compound"]
        links = [{"org_code": c, "compound_code": u, "rel": r} for c, _, _, u, r in orgs
                 if units.get(u, {}).get("level") == "compound"]
        links += [{"org_code": c, "compound_code": u, "rel": "MANAGES"}
                  for c, m in managed.items() for u in sorted(m)]
    bodies = [{"code": c, "name": n, "kind": k,
               "tier": 0 if units.get(u, {}).get("level") == level else 1, "unit": u}
              for c, n, k, u, _ in orgs]
    counts = {c: len(p) for c, p in people.items()}
    supervisions, marked = around["supervisions"], set(gaps)
    if level != "community":
        bodies, supervisions, counts, cover, marked = _group_companies(
            bodies, supervisions, counts, cover, marked, units, lang)
    strip: list[str] = []
    walk = units.get(code, {}).get("parent_code")
    while walk and walk in units:  # the places above the page, by name (厦门市 and 厦门)
        name = str(units[walk]["name"])
        strip += [name] + ([name.removesuffix("市")] if units[walk]["level"] == "city" else [])
        walk = units[walk].get("parent_code")
    rows = OrgRows(
        orgs=bodies, affiliations=around["affiliations"], supervisions=supervisions,
        people=counts, cover=cover, compounds=compounds, links=links, gaps=marked,
        strip=tuple(strip), page_name=str(unit["name"]),
    )
    return build_org_network(rows, lang=lang)


def _group_companies(bodies: list[dict[str, Any]], supervisions: list[dict[str, Any]],
                     people: dict[str, int], cover: dict[str, int], gaps: set[str],
                     units: Mapping[str, Mapping[str, Any]], lang: str) -> tuple:
    """Above community level, a community's property companies become one body
    ("湖明社区物业企业 · 3家"): a street has dozens, and one line per company would make
    the network too tall to read.  Counts add up; a finding on any company marks the group;
    supervisions point at the group (once per supervisor)."""
    group_of: dict[str, str] = {}
    groups: dict[str, dict[str, Any]] = {}
    kept = []
    for b in bodies:
        if b["kind"] != "property_company" or b["tier"] != 1:
            kept.append(b)
            continue
        gid = f"companies:{b['unit']}"
        group_of[b["code"]] = gid
        g = groups.setdefault(gid, {
            "code": gid, "kind": "property_company", "tier": 1, "unit": b["unit"],
            "name": ui_companies(units.get(b["unit"], {}).get("name") or b["unit"], lang),
            "members": 0, "member_names": []})
        g["members"] += 1
        g["member_names"].append(b["name"])
    people = dict(people)
    cover = dict(cover)
    for code, gid in group_of.items():
        people[gid] = people.get(gid, 0) + people.pop(code, 0)
        cover[gid] = cover.get(gid, 0) + cover.pop(code, 0)
        if code in gaps:
            gaps = gaps | {gid}
    seen: set[tuple[str, str, str]] = set()
    moved = []
    for s in supervisions:
        target = group_of.get(s["target"], s["target"])
        if (s["source"], target, str(s.get("kind"))) in seen:
            continue
        seen.add((s["source"], target, str(s.get("kind"))))
        moved.append({**s, "target": target})
    return kept + list(groups.values()), moved, people, cover, gaps


def ui_companies(name: str, lang: str) -> str:
    from .i18n import t

    return t("net.companies", lang, name=name)


def network_for_unit(key: data.Key, unit: dict[str, Any], orgs: list[dict[str, Any]],
                     gaps: set[str], as_of: str, lang: str) -> tuple[NetworkView, int, int]:
    """The unit's network (cached), and how many of its organisations it shows of all.

    A compound shows everything attached to it, people included.  Above that, the bodies
    of the unit's own level and of the level below, drawn by :mod:`orgnet` (a street: its
    working committee, office and its communities' bodies; a community: its compounds
    with their bodies).
    """
    chosen = network_orgs(key, unit, orgs)
    if unit["level"] != "compound":
        packed_orgs = tuple((o["code"], o["name"], o["kind"], o.get("unit_code") or "",
                             o.get("rel") or "") for o in chosen)
        view = _org_network(key, {k: unit[k] for k in ("code", "name", "level")}, packed_orgs,
                            frozenset(gaps), as_of, lang)
        return view, len(chosen), len(in_force(orgs))
    # Structure edges only for organisations attached to the page's unit itself.
    packed = tuple(
        (o["code"], o["name"], o["kind"], o["rel"] if o.get("unit_code") == unit["code"] else "")
        for o in chosen
    )
    view = _network(key, {k: unit[k] for k in ("code", "name", "level")}, packed,
                    frozenset(gaps), as_of, lang)
    return view, len(chosen), len(in_force(orgs))
