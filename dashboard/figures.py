"""Headline figures derived from catalog answers — arithmetic only, no query of its own.

Each figure is a ratio or a count over the rows ``run_question`` returned, so the
overview shows exactly what ``redgov audit`` answers.  Targets come from docs/domain.md §5
(R1, R2, R5 and R13 set them; 一肩挑 and cross-appointment have no fixed figure).

>>> answers = {
...     "coverage_rollup": [{"compounds": 4, "with_party_org": 3, "governed": 3,
...                          "with_both": 2, "one_shoulder": 1, "cross": 2, "committee": 5}],
...     "compounds_without_branch": [{"qualified": True, "finding": "应建未建"}],
...     "company_party_org_status": [{"full_members": 3, "party_org_code": None,
...                                   "finding": "ok"}],
...     "overdue_reelection": []}
>>> [(f.key, f.value) for f in headline(answers)][:3]
[('party_org', 0.75), ('work_cover', 0.75), ('qualified_gap', 1)]
>>> [(f.key, f.numerator, f.denominator) for f in headline(answers)][3:6]
[('company_org', 0, 1), ('company_built', 1, 1), ('company_uncovered', 0, 1)]

The company figures are defined once, by :func:`company_figures`, over the rows of
``company_party_org_status`` (one row per active property company): the overview, the
audit page and the CLI (``redgov audit company_party_org_status``) all show these, each
with its denominator.  There are three because the rule (R2) has three parts:

* 有党组织 — companies with any party organisation (单独建, 联合建 or 挂靠), of all
  companies (the demo's "42 of 125");
* 应建尽建 — of the companies with at least ``min_full_members`` full members, those that
  built their own (单独建) organisation (29 of 37 on the district demo);
* 未覆盖 — companies with neither a party organisation nor an instructor, of all (22 of 125).

Before, the overview showed only the last two (29/37 and a bare 22) and the demo summary
the first (42 of 125): three true answers to three questions, none labelled with its
denominator, so they could not be reconciled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "FIGURE_QUESTIONS",
    "RATE_METRICS",
    "RATE_TARGETS",
    "CompanyFigures",
    "Figure",
    "company_figures",
    "headline",
    "rollup_rates",
]

#: The catalog questions the overview needs (coverage_rollup is asked at one level).
FIGURE_QUESTIONS: Final = (
    "coverage_rollup", "compounds_without_branch", "company_party_org_status",
    "overdue_reelection",
)
#: Findings of company_party_org_status (issue 4).
FINDING_NOT_BUILT: Final = "应建未建"
FINDING_NOT_COVERED: Final = "未覆盖"
QUALIFYING_MEMBERS: Final = 3  # company_party_org_status's default min_full_members
#: compounds_without_branch: a work group with an instructor covers the compound (R1).
FINDING_WORK_COVERED: Final = "工作覆盖"


@dataclass(frozen=True)
class Figure:
    key: str  # i18n key suffix: fig.<key>
    value: float | int | None  # None when there is nothing to divide by
    kind: str  # "rate" or "count"
    target: float | int | None
    numerator: int
    denominator: int | None  # of how many (a count's total where it has one)
    better: str = "up"  # which direction is an improvement: "up" or "down"
    rules: str = ""


@dataclass(frozen=True)
class CompanyFigures:
    """R2's three company figures (see the module docstring), each with its denominator."""

    companies: int  # active property companies (the rows)
    with_party_org: int  # of those, with a party organisation of any formation
    qualified: int  # with at least min_full_members full members
    built: int  # of the qualified, with their own (单独建) organisation
    not_built: int  # of the qualified, without: finding 应建未建
    uncovered: int  # no party organisation and no instructor: finding 未覆盖


def company_figures(rows: Sequence[Mapping[str, Any]],
                    min_full_members: int = QUALIFYING_MEMBERS) -> CompanyFigures:
    """The company figures from ``company_party_org_status`` rows (and its parameter).

    >>> company_figures([
    ...     {"full_members": 4, "party_org_code": "D1", "finding": "ok"},
    ...     {"full_members": 3, "party_org_code": "D2", "finding": "应建未建"},
    ...     {"full_members": 0, "party_org_code": None, "finding": "未覆盖"},
    ...     {"full_members": 1, "party_org_code": None, "finding": "ok"}])
    CompanyFigures(companies=4, with_party_org=2, qualified=2, built=1, not_built=1, uncovered=1)
    """
    qualified = [r for r in rows if int(r.get("full_members") or 0) >= min_full_members]
    not_built = sum(1 for r in qualified if r.get("finding") == FINDING_NOT_BUILT)
    return CompanyFigures(
        companies=len(rows),
        with_party_org=sum(1 for r in rows if r.get("party_org_code")),
        qualified=len(qualified), built=len(qualified) - not_built, not_built=not_built,
        uncovered=sum(1 for r in rows if r.get("finding") == FINDING_NOT_COVERED),
    )


def _sum(rows: Sequence[Mapping[str, Any]], column: str) -> int:
    return int(sum(int(r.get(column) or 0) for r in rows))


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def headline(answers: Mapping[str, Sequence[Mapping[str, Any]]],
             min_full_members: int = QUALIFYING_MEMBERS) -> list[Figure]:
    """The overview's figures from the rows of :data:`FIGURE_QUESTIONS`."""
    roll = answers["coverage_rollup"]
    compounds = _sum(roll, "compounds")
    with_org = _sum(roll, "with_party_org")
    without = answers["compounds_without_branch"]
    no_work = sum(1 for r in without if r.get("finding") != FINDING_WORK_COVERED)
    qualified_gap = sum(1 for r in without if r.get("qualified"))
    co = company_figures(answers["company_party_org_status"], min_full_members)
    # A compound has an owners' committee or, where none, a self-governance body (R5).
    committee = _sum(roll, "governed")
    # The roll-up carries one_shoulder's own per-compound answer summed (one question
    # fewer to ask: unscoped, one_shoulder costs seconds on a province).
    shoulders, both = _sum(roll, "one_shoulder"), _sum(roll, "with_both")
    cross, members = _sum(roll, "cross"), _sum(roll, "committee")
    overdue = len(answers["overdue_reelection"])
    return [
        Figure("party_org", _rate(with_org, compounds), "rate", 1.0, with_org, compounds,
               rules="R1"),
        Figure("work_cover", _rate(compounds - no_work, compounds), "rate", 1.0,
               compounds - no_work, compounds, rules="R1"),
        Figure("qualified_gap", qualified_gap, "count", 0, qualified_gap, None, "down", "R1"),
        Figure("company_org", _rate(co.with_party_org, co.companies), "rate", None,
               co.with_party_org, co.companies, rules="R2"),
        Figure("company_built", _rate(co.built, co.qualified), "rate", 1.0, co.built,
               co.qualified, rules="R2"),
        Figure("company_uncovered", co.uncovered, "count", 0, co.uncovered, co.companies,
               "down", "R2"),
        Figure("committee", _rate(committee, compounds), "rate", 1.0, committee, compounds,
               rules="R4, R5"),
        Figure("one_shoulder", _rate(shoulders, both), "rate", None, shoulders, both,
               rules="R6"),
        Figure("cross", _rate(cross, members), "rate", None, cross, members, rules="R7"),
        Figure("overdue", overdue, "count", 0, overdue, None, "down", "R13"),
    ]


#: Per-unit rates the chart offers: figure key → (numerator column, denominator column).
RATE_METRICS: Final[dict[str, tuple[str, str]]] = {
    "party_org": ("with_party_org", "compounds"),
    "committee": ("governed", "compounds"),
    "one_shoulder": ("one_shoulder", "with_both"),
    "cross": ("cross", "committee"),
}


#: The chart's target line per metric (R1 and R5 set 100 %; R6 and R7 set no figure).
RATE_TARGETS: Final[dict[str, float | None]] = {
    "party_org": 1.0, "committee": 1.0, "one_shoulder": None, "cross": None,
}


def rollup_rates(rows: Sequence[Mapping[str, Any]], metric: str) -> list[dict[str, Any]]:
    """``coverage_rollup`` rows → (unit_code, rate, numerator, denominator) for a chart."""
    num_col, den_col = RATE_METRICS[metric]
    out = []
    for r in rows:
        num = int(r.get(num_col) or 0)
        den = int(r.get(den_col) or 0)
        out.append({"unit_code": r["unit_code"], "rate": _rate(num, den), "numerator": num,
                    "denominator": den})
    return out
