"""示范创建 evaluation of one year and category: scores (R19), disqualifiers (R16–R18), rank, quota.

Seed 004 selects 示范项目, 示范企业, 最美业委会 and 最美物业人 every year by scoring tables out of
100 (内容六 附件1–4) with yearly quotas (内容四).  :func:`evaluate` answers one category and
year at one published snapshot:

- the candidates are whoever was scored (评分) or named (命名) in that category and year;
- a criterion's score is the mean over its scorers, kept to one decimal (half up); a
  criterion nobody scored counts 0 and is listed in ``missing``; the total is the sum;
- eligibility comes from the catalog question of the category (``model_project_
  disqualifiers`` R16, ``model_company_disqualifiers`` R17, ``model_award_disqualifiers``
  R18), so every reason code arrives with the fact behind it (table, row, sync run);
- the eligible are ranked by total, ties broken by the criteria in the seed's order, then
  by code (ranks 1…n, never shared); ``within_quota`` is rank ≤ the year's quota.

The disqualifiers are decided by dates (incidents dated in the year or the one before,
contracts and organisations as on 31 December), so asking at a later snapshot gives the
same evaluation as long as the year's records stand.

>>> mean_score([25, 25.5]), mean_score([27, 28, 28]), mean_score([7.5])
(25.3, 27.7, 7.5)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..graph.cypher import cypher
from ..graph.evaluation_rules import CATEGORIES, CRITERIA, QUOTAS
from ..graph.snapshots import Snapshot
from ..graph.stores.base import Store
from .runner import ParamError, choose_snapshot, ordinal, run_question, snapshot_json

__all__ = [
    "DISQUALIFIER_QUESTIONS",
    "KINDS",
    "Candidate",
    "EvaluationResult",
    "evaluate",
    "mean_score",
    "parse_kind",
]

#: KIND as a person may type it: the Chinese category or its machine code.
KINDS: dict[str, str] = {**CATEGORIES, **{v: v for v in CATEGORIES.values()}}
#: The catalog question deciding each category's eligibility.
DISQUALIFIER_QUESTIONS: dict[str, str] = {
    "project": "model_project_disqualifiers",
    "company": "model_company_disqualifiers",
    "committee": "model_award_disqualifiers",
    "person": "model_award_disqualifiers",
}
_PIVOT = ("community_code", "community_name", "street_code", "street_name",
          "district_code", "district_name")

# The candidates are reached from the year's Score and Naming nodes (a label scan of those
# few), never from an unlabelled ``(cand)``: that start scans every node of the graph (1.6 M
# at province, ~2 s per category), whatever the scope.  One arm per label (FalkorDB 4.16
# loses a collected list across a later OPTIONAL MATCH); UNION keeps each row once, and
# :func:`evaluate` orders them by code.
_CANDIDATES = cypher("queries.evaluation.candidates", "UNION\n".join(
    """
MATCH (x:__LABEL__)
WHERE @current(x) AND x.category = $category AND x.year = $year
MATCH (cand)-[e:__REL__]->(x)
WHERE @live(cand, e)
WITH DISTINCT cand
OPTIONAL MATCH (cand)-[st:SITS_AT|LIVES_IN]->(u:Unit)
WITH cand, u, st
WHERE st IS NULL OR @live(st)
WITH cand, CASE WHEN cand.level IS NULL THEN u ELSE cand END AS place
WHERE @in_scope(place)
RETURN cand.code AS code, cand.name AS name,
       place.community_code AS community_code, place.community_name AS community_name,
       place.street_code AS street_code, place.street_name AS street_name,
       place.district_code AS district_code, place.district_name AS district_name
""".replace("__LABEL__", label).replace("__REL__", rel)
    for label, rel in (("Score", "SCORED"), ("Naming", "NAMED"))))
_SCORES = cypher("queries.evaluation.scores", """
MATCH (cand)-[e:SCORED]->(s:Score)
WHERE @live(cand, e) AND @current(s) AND s.category = $category AND s.year = $year
RETURN cand.code AS code, s.criterion AS criterion, s.score AS score,
       s.scorer_code AS scorer
ORDER BY code, criterion, scorer
""")
_NAMINGS = cypher("queries.evaluation.namings", """
MATCH (cand)-[e:NAMED]->(n:Naming)
WHERE @live(cand, e) AND @current(n) AND n.category = $category AND n.year = $year
RETURN cand.code AS code, n.date AS date
ORDER BY code
""")

_TENTH = Decimal("0.1")


def mean_score(values: Sequence[float]) -> float:
    """R19: the mean of the scorers' scores, one decimal kept (half up, as clerks round)."""
    exact = sum((Decimal(str(v)) for v in values), Decimal(0)) / len(values)
    return float(exact.quantize(_TENTH, rounding=ROUND_HALF_UP))


def parse_kind(kind: str) -> str:
    """``示范项目`` or ``project`` → ``project``; anything else is a :class:`ParamError`."""
    code = KINDS.get(kind.strip())
    if code is None:
        raise ParamError(f"评选类别应为 {'、'.join(CATEGORIES)} 或 "
                         f"{'、'.join(CATEGORIES.values())}：{kind!r}")
    return code


@dataclass
class Candidate:
    """One candidate's row: scores, eligibility with evidence, rank."""

    code: str
    name: str | None
    total: float
    scores: dict[str, float]
    missing: list[str]
    scorers: dict[str, list[dict[str, Any]]]
    eligible: bool
    disqualified_by: list[str]
    evidence: list[dict[str, Any]]
    rank: int | None = None
    within_quota: bool = False
    named: bool = False
    named_on: str | None = None
    place: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON row (machine codes; ``rank`` null when not eligible)."""
        return {"code": self.code, "name": self.name, "total": self.total,
                "scores": dict(self.scores), "missing": list(self.missing),
                "eligible": self.eligible, "disqualified_by": list(self.disqualified_by),
                "rank": self.rank, "within_quota": self.within_quota, "named": self.named,
                "named_on": self.named_on, "evidence": list(self.evidence),
                "scorers": {k: list(v) for k, v in self.scorers.items()}, **self.place}


@dataclass
class EvaluationResult:
    """One category's evaluation of one year at one snapshot."""

    category: str
    year: int
    quota: int
    criteria: list[str]
    rows: list[Candidate]
    snapshot: Snapshot | None
    scope: str | None = None

    @property
    def named_count(self) -> int:
        return sum(1 for r in self.rows if r.named)

    @property
    def eligible_count(self) -> int:
        return sum(1 for r in self.rows if r.eligible)

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, "year": self.year, "quota": self.quota,
                "criteria": list(self.criteria), "scope": self.scope,
                "snapshot": snapshot_json(self.snapshot),
                "candidates": len(self.rows), "eligible": self.eligible_count,
                "named": self.named_count, "rows": [r.to_json() for r in self.rows]}


def _rank_key(row: Candidate, criteria: Sequence[str]) -> tuple[Any, ...]:
    """Higher total first, then each criterion in the seed's order, then the code."""
    return (-row.total, *(-row.scores[c] for c in criteria), row.code)


def _evidence(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["candidate_code"], []).append({
            "reason": r["reason"], "table": r["evidence_table"], "row": r["evidence_row"],
            "key": r["evidence_key"], "date": r["evidence_date"], "note": r["evidence_note"],
            "run": r["evidence_run"]})
    return out


def evaluate(store: Store, kind: str, year: int, *, scope: str | None = None,
             snapshot: Snapshot | str | None = None, quota: int | None = None,
             account_scope: str | None = None) -> EvaluationResult:
    """Evaluate ``kind`` (示范项目 … or project …) for ``year`` at ``snapshot`` (default latest).

    ``quota`` overrides the seed's yearly quota (a city may set its own); ``scope`` keeps
    the candidates in or below that unit (a compound itself, a company or committee where
    it sits, a person where they live); ``account_scope`` narrows it for a dashboard account.
    Raises :class:`ParamError` for an unknown kind or scope.
    """
    category = parse_kind(kind)
    if not isinstance(year, int) or not 1949 <= year <= 9999:
        raise ParamError(f"年度应为四位整数：{year!r}")
    chosen = choose_snapshot(store, snapshot)
    question = DISQUALIFIER_QUESTIONS[category]
    found = run_question(store, question, {"year": year, "scope": scope},
                         snapshot=chosen, account_scope=account_scope)
    scope = found.params["scope"]
    facts = [r for r in found.rows if r.get("category", category) == category]
    evidence = _evidence(facts)
    bound = {"category": category, "year": year, "scope": scope, "snapshot": ordinal(chosen)}
    candidates = sorted(store.read(_CANDIDATES, bound), key=lambda r: r["code"])
    by_code: dict[str, dict[str, list[tuple[str, float]]]] = {}
    for r in store.read(_SCORES, bound):
        by_code.setdefault(r["code"], {}).setdefault(r["criterion"], []).append(
            (r["scorer"], float(r["score"])))
    named = {r["code"]: r["date"] for r in store.read(_NAMINGS, bound)}
    criteria = [c.code for c in CRITERIA[category]]
    rows: list[Candidate] = []
    for c in candidates:
        given = by_code.get(c["code"], {})
        scores = {k: mean_score([s for _, s in given[k]]) if k in given else 0.0
                  for k in criteria}
        total = float(sum((Decimal(str(v)) for v in scores.values()), Decimal(0)))
        reasons = evidence.get(c["code"], [])
        rows.append(Candidate(
            code=c["code"], name=c["name"], total=total, scores=scores,
            missing=[k for k in criteria if k not in given],
            scorers={k: [{"scorer": who, "score": s} for who, s in v] for k, v in given.items()},
            eligible=not reasons, disqualified_by=list(dict.fromkeys(f["reason"] for f in reasons)),
            evidence=reasons, named=c["code"] in named, named_on=named.get(c["code"]),
            place={k: c[k] for k in _PIVOT}))
    limit = QUOTAS[category] if quota is None else quota
    eligible = sorted((r for r in rows if r.eligible), key=lambda r: _rank_key(r, criteria))
    for i, r in enumerate(eligible, 1):
        r.rank, r.within_quota = i, i <= limit
    others = sorted((r for r in rows if not r.eligible), key=lambda r: _rank_key(r, criteria))
    return EvaluationResult(category, year, limit, criteria, eligible + others, chosen, scope)


def rows_for(result: EvaluationResult) -> list[Mapping[str, Any]]:
    """The JSON rows (a convenience for callers that only want the table)."""
    return [r.to_json() for r in result.rows]
