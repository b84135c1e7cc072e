"""R20 as a catalog question: the year's 命名 list against the ranking (``named_vs_ranked``).

Seed 004 sets yearly quotas (内容四) and asks the department to select by the scoring
tables and the disqualifying rules (内容六).  The official list of who was named (命名) can
drift from that: a named candidate that was not eligible, an eligible candidate within the
quota passed over while one ranked below it was named, a category named fewer times than
its quota.  Each is a finding; the ranking is :func:`.evaluation.evaluate`'s, so it reads
the same snapshot and the same disqualifier questions.

>>> [f for f in FINDINGS]
['命名不符合条件', '名次在前未命名', '命名数不足名额']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..graph.evaluation_rules import CATEGORIES
from ..graph.snapshots import list_snapshots
from ..graph.stores.base import Store
from .catalog import COMMON_PARAMS, Column, Finding, Param, Question
from .evaluation import evaluate

__all__ = ["EVALUATION_ANALYTICS", "FINDINGS", "named_vs_ranked_rows"]

NAMED_INELIGIBLE, PASSED_OVER, SHORTFALL = "命名不符合条件", "名次在前未命名", "命名数不足名额"
FINDINGS = (NAMED_INELIGIBLE, PASSED_OVER, SHORTFALL)
_PIVOT = ("community_code", "community_name", "street_code", "street_name",
          "district_code", "district_name")
_PIVOT_ZH = ("社区编码", "社区名称", "街道编码", "街道名称", "区县编码", "区县名称")


def named_vs_ranked_rows(result: Any) -> list[dict[str, Any]]:
    """The findings of one category's :class:`~.evaluation.EvaluationResult` (pure)."""
    out: list[dict[str, Any]] = []
    base = {"category": result.category, "quota": result.quota,
            "named_count": result.named_count}

    def row(r: Any, finding: str, reason: str | None = None,
            passed_for: str | None = None) -> dict[str, Any]:
        return {**base, "candidate_code": r.code, "candidate_name": r.name, "finding": finding,
                "reason": reason, "rank": r.rank, "total": r.total, "passed_for": passed_for,
                **{k: r.place.get(k) for k in _PIVOT}}

    for r in result.rows:
        if r.named and not r.eligible:
            out.extend(row(r, NAMED_INELIGIBLE, reason) for reason in r.disqualified_by)
    named_ranks = [(r.rank, r.code) for r in result.rows if r.named and r.rank is not None]
    for r in result.rows:
        if r.rank is None or not r.within_quota or r.named:
            continue
        below = [code for rank, code in sorted(named_ranks) if rank > r.rank]
        if below:
            out.append(row(r, PASSED_OVER, passed_for="、".join(below)))
    if result.named_count < result.quota:
        out.append({**base, "candidate_code": None, "candidate_name": None,
                    "finding": SHORTFALL, "reason": None, "rank": None, "total": None,
                    "passed_for": None, **dict.fromkeys(_PIVOT)})
    return out


def _compute(store: Store, bound: Mapping[str, Any]) -> list[dict[str, Any]]:
    year = bound.get("year") or int(str(bound["as_of"])[:4])
    snap = next((s for s in list_snapshots(store.read) if s.ordinal == bound["snapshot"]), None)
    rows: list[dict[str, Any]] = []
    for category in CATEGORIES.values():
        if snap is None:
            continue
        result = evaluate(store, category, year, scope=bound.get("scope"), snapshot=snap)
        rows.extend(named_vs_ranked_rows(result))
    return [{"year": year, **r} for r in rows]


EVALUATION_ANALYTICS: tuple[Question, ...] = (
    Question(
        name="named_vs_ranked", title_zh="命名与评选排名对照", title_en="Named versus ranked",
        rules=["R20", "R19"], sources=["004"],
        one_row_per="finding of a year's 命名 list against its evaluation: a named candidate "
        "that is not eligible (one row per reason), an eligible candidate within the quota not "
        "named while one ranked below it is, a category named fewer times than its quota",
        description="Per category (示范项目, 示范企业, 最美业委会, 最美物业人) the ranking of "
        "redgov evaluate (R19, with the disqualifiers of R16–R18) against the 命名 rows of the "
        "year (default: as_of's year).",
        params=[*COMMON_PARAMS, Param("year", "int", None,
                                      "the evaluation year (default: the year of as_of)",
                                      "评选年度", "截至日期所在年度")],
        columns=[
            Column("candidate_code", "对象编码", "the candidate (null for a quota shortfall)"),
            Column("candidate_name", "对象名称", "its name"),
            Column("year", "年度", "the evaluation year", "int"),
            Column("category", "评选类别", "project, company, committee or person",
                   "eval_category"),
            Column("finding", "结论", "命名不符合条件, 名次在前未命名 or 命名数不足名额",
                   "finding"),
            Column("reason", "不得参评情形", "why a named candidate is not eligible",
                   "disqualifier"),
            Column("rank", "名次", "rank among the eligible (null: not eligible)", "int"),
            Column("total", "总分", "the candidate's total", "float"),
            Column("quota", "名额", "the year's quota of the category", "int"),
            Column("named_count", "命名数", "candidates named in the category that year", "int"),
            Column("passed_for", "排名在后的已命名对象", "named candidates ranked below it",
                   "text"),
            *(Column(n, z, f"{n.replace('_', ' ')} of the candidate's place")
              for n, z in zip(_PIVOT, _PIVOT_ZH, strict=True)),
        ],
        kind="analytics", compute=_compute,
        one_row_per_zh="当年命名名单与评选排名对照的每一条问题：命名了不符合条件的对象（每个情形一行）、"
        "名额内排名在前却未命名而排名在后的被命名、某类命名数少于名额",
        rule_zh="按评选排名（各指标取评分组织平均分、按总分排名，不符合条件的不参加排名）对照当年命名名单："
        "命名了不符合条件的对象、名额以内的对象未被命名而排名在它之后的对象被命名、某一类命名数少于当年名额"
        "（示范项目30个、示范企业10家、最美业委会10个、最美物业人50名），都是问题。",
        finding=Finding(every_row=True), example="--param year=2024",
    ),
)
