"""A unit's gaps (from the catalog) and its governance network, composed for the pages.

Gaps are the catalog's own answers scoped to the unit, reduced to the rows that are
findings: where a question has a ``finding`` column, the rows whose finding is not
``ok``; where it has a boolean column named like the question (``one_shoulder``), the
rows where it is false; roll-ups and ratios are not findings; any other question lists
only findings, so every row counts.  The codes those rows name (except the pivot
columns of the hierarchy) are drawn in red in the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import streamlit as st

from ..graph.vocabulary import LEVEL_ORDER
from . import data
from .network import GovernanceRows, NetworkView, build_network

__all__ = ["NODE_LIMIT", "ORG_LIMIT", "gap_answers", "gap_rows", "gaps_for_unit",
           "network_for_unit", "network_orgs"]

NODE_LIMIT: Final = 150  # past this many nodes people fold into their organisations
ORG_LIMIT: Final = 400  # organisations drawn at most (a whole district has thousands)
NOT_FINDINGS: Final = frozenset({"coverage_rollup", "cross_appointment_ratio"})
PIVOT_COLUMNS: Final = frozenset({"community_code", "street_code", "district_code",
                                  "city_code", "unit_code"})
OK: Final = "ok"


def gap_rows(question: Any, rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows of ``question``'s answer that are findings (see the module docstring).

    >>> class Q: name = "one_shoulder"; kind = "cypher"
    >>> gap_rows(Q, [{"one_shoulder": True}, {"one_shoulder": False}])
    [{'one_shoulder': False}]
    """
    if question.name in NOT_FINDINGS or question.kind != "cypher":
        return []
    if not rows:
        return []
    if "finding" in rows[0]:
        return [r for r in rows if r.get("finding") != OK]
    if isinstance(rows[0].get(question.name), bool):
        return [r for r in rows if r.get(question.name) is False]
    return list(rows)


def gap_answers(key: data.Key, code: str) -> list[tuple[Any, list[Mapping[str, Any]]]]:
    """(question, finding rows) for every catalog question that lists findings."""
    questions = [q for q in data.catalog() if q.name not in NOT_FINDINGS and q.kind == "cypher"]
    answers = data.ask_many(key, [(q.name, {"scope": code}) for q in questions])
    return [(q, gap_rows(q, a["rows"])) for q, a in zip(questions, answers, strict=True)]


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


def network_orgs(key: data.Key, unit: dict[str, Any],
                 orgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The organisations a unit's network (and its leaders list) shows; see below."""
    level = unit["level"]
    if level == "compound":
        chosen = list(orgs)
    else:
        below = LEVEL_ORDER[min(LEVEL_ORDER.index(level) + 1, len(LEVEL_ORDER) - 1)]
        levels = {u["code"]: u["level"] for u in data.units(key)}
        chosen = [o for o in orgs if levels.get(o.get("unit_code")) in (level, below)]
    chosen.sort(key=lambda o: (o.get("unit_code") != unit["code"], o["code"]))
    return chosen[:ORG_LIMIT]


def network_for_unit(key: data.Key, unit: dict[str, Any], orgs: list[dict[str, Any]],
                     gaps: set[str], as_of: str, lang: str) -> tuple[NetworkView, int, int]:
    """The unit's network (cached), and how many of its organisations it shows of all.

    A compound shows everything attached to it.  Above that, the bodies of the unit's own
    level and of the level below (a street: its working committee, office and its
    communities' committees) — a street's hundreds of compound bodies would be a blur.
    """
    chosen = network_orgs(key, unit, orgs)
    # Structure edges only for organisations attached to the page's unit itself.
    packed = tuple(
        (o["code"], o["name"], o["kind"], o["rel"] if o.get("unit_code") == unit["code"] else "")
        for o in chosen
    )
    view = _network(key, {k: unit[k] for k in ("code", "name", "level")}, packed,
                    frozenset(gaps), as_of, lang)
    return view, len(chosen), len(orgs)
