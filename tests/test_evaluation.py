"""示范创建 evaluation (R16–R20) on a hand-built city where every answer is known.

Fixture ``tests/fixtures/evaluation/y2024`` (snapshot 2024-12-31), then ``y2025``
(2025-06-30: 2025 incidents, scores and ratings, a branch founded in 2025, a contract
ended in 2025 — none of which may change the 2024 evaluation).  Scorers: OD1/OD2 (the two
district organisation departments), SW1 (a street committee).  What each candidate pins:

示范项目 (quota 30)
- X06 商圈楼宇 (a 商圈楼宇 is a project): 党建引领好 by three scorers 27, 28, 28 → 27.7.
- X02 and X01 tie at 89.5; X02's first criterion 28 beats X01's 27.5 → X02 ranks first.
  X01 was managed by black-listed CO2 until 2024-06-30 only: not on 12-31, so eligible.
- X10 and X11 tie on every criterion (X10's 党建引领好 is (25 + 25.5) / 2 = 25.25 → 25.3
  half up; X11's is one score 25.3), both miss 群众评价好 (0) → broken by code: X10, X11.
- X03: managed by CO2, 黑榜 in 评价 2024 → company_blacklisted.
- X04: only a 党的工作小组 (its branch B04 is founded 2025-03-01) → no_party_org.
- X05: its branch is 撤销 → no_party_org.
- X07: 安全责任事故 2023-05-01 (Y−1) → safety_incident.
- X08: 黑名单 2024-03-01 → blacklisted; it is nevertheless named → R20 finding.
- X09: its company CO4 had 人员伤亡事故 2024-02-01 → company_safety_incident (its own
  2022-12-31 penalty is outside the two years).
- X10's own 黑名单 is dated 2023-12-31: not in 2024, so it is eligible.
- Named: X06, X02, X10, X11, X08 — X01 (rank 3) is passed over while X10 (4), X11 (5) are.

示范企业 (quota 10)
- CO6 (joint branch with CO5) 91 and CO1 (own branch) 91 tie; 组织建设优 29 > 28 → CO6 first.
- CO2 credit B for 2024 → low_credit; it manages only X03, not named → no_model_project.
- CO3's only branch is 挂靠 → company_party_org_missing.
- CO4: 拒不参加党建活动 and 人员伤亡事故 in 2024 → two reasons, plus no_model_project (X09
  not named); its 劳动保障违法 of 2023 does not count.
- CO5: 经营异常名录 2024-07-01 → labour_or_abnormal (X10 is named, so it has a project).

最美业委会 / 最美物业人: OC2 (100 points) and P03 have a 一票否决 in 2024; P02's is 2023.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from print_check import assert_printable
from redgov.graph.stores.base import Store
from redgov.loaders import sync_export
from redgov.queries import run_question
from redgov.queries.evaluation import evaluate, mean_score

from redgov.cli import main

EVAL = Path(__file__).parent / "fixtures" / "evaluation"


@pytest.fixture(scope="module")
def fx(engine: Any) -> Iterator[Store]:
    with engine.fresh_store("module fixture evaluation") as store:
        for export in ("y2024", "y2025"):
            report = sync_export(store, EVAL / export)
            assert report.status == "applied", (export, report.errors)
        yield store


def table(result: Any) -> list[tuple[Any, ...]]:
    return [(r.code, r.rank, r.total, r.within_quota, r.named, r.disqualified_by)
            for r in result.rows]


def test_project_scores_and_ranks_by_hand(fx: Store) -> None:
    # Hand computation (criteria 党建引领好, 治理机制好, 服务管理好, 实景呈现好, 群众评价好):
    x06 = [round((27 + 28 + 28) / 3 + 1e-9, 1), 30, 18, 9, 7]  # 27.7
    x02 = [28, 29.5, 17, 8, 7]
    x01 = [(28 + 27) / 2, (30 + 29) / 2, (18 + 17) / 2, (9 + 8) / 2, (7 + 6) / 2]
    x10 = [25.3, 30, 18, 9, 0]  # (25 + 25.5) / 2 = 25.25, half up
    assert [sum(x) for x in (x06, x02, x01)] == [pytest.approx(91.7), 89.5, 89.5]
    got = evaluate(fx, "示范项目", 2024, snapshot="2024-12-31")
    assert got.quota == 30 and got.criteria[0] == "party_leadership"
    assert table(got)[:5] == [
        ("X06", 1, 91.7, True, True, []), ("X02", 2, 89.5, True, True, []),
        ("X01", 3, 89.5, True, False, []), ("X10", 4, 82.3, True, True, []),
        ("X11", 5, 82.3, True, True, []),
    ], table(got)
    rows = {r.code: r for r in got.rows}
    assert list(rows["X06"].scores.values()) == x06
    assert list(rows["X01"].scores.values()) == x01
    assert list(rows["X10"].scores.values()) == x10
    assert rows["X10"].missing == ["public_rating"] and rows["X01"].missing == []
    assert rows["X10"].scorers["party_leadership"] == [
        {"scorer": "OD1", "score": 25.5}, {"scorer": "OD2", "score": 25.0}]
    assert {r.code: r.disqualified_by for r in got.rows if not r.eligible} == {
        "X03": ["company_blacklisted"], "X04": ["no_party_org"], "X05": ["no_party_org"],
        "X07": ["safety_incident"], "X08": ["blacklisted"],
        "X09": ["company_safety_incident"],
    }
    assert all(r.rank is None and not r.within_quota for r in got.rows if not r.eligible)
    assert rows["X03"].missing == ["service_management", "presentation", "public_rating"]
    assert rows["X03"].total == 60.0


def test_each_reason_carries_its_fact(fx: Store) -> None:
    got = {r.code: r for r in evaluate(fx, "project", 2024).rows}
    facts = {code: [(f["reason"], f["table"], f["row"], f["key"], f["date"])
                    for f in got[code].evidence] for code in ("X03", "X04", "X07", "X09")}
    assert facts == {
        "X03": [("company_blacklisted", "评价", 2, "CO2|2024", None)],
        "X04": [("no_party_org", "单位", 12, "X04", None)],
        "X07": [("safety_incident", "事件", 2, "X07", "2023-05-01")],
        "X09": [("company_safety_incident", "事件", 4, "CO4", "2024-02-01")],
    }, facts
    assert all(f["run"] for r in got.values() for f in r.evidence)


def test_company_committee_person(fx: Store) -> None:
    companies = evaluate(fx, "company", 2024)
    assert table(companies) == [
        ("CO6", 1, 91.0, True, True, []), ("CO1", 2, 91.0, True, True, []),
        ("CO2", None, 30.0, False, False, ["low_credit", "no_model_project"]),
        ("CO3", None, 30.0, False, False, ["company_party_org_missing"]),
        ("CO4", None, 30.0, False, False,
         ["no_model_project", "refused_party_activity", "safety_incident"]),
        ("CO5", None, 30.0, False, False, ["labour_or_abnormal"]),
    ], table(companies)
    committees = evaluate(fx, "最美业委会", 2024)
    assert table(committees) == [
        ("OC1", 1, 92.0, True, False, []), ("OC3", 2, 90.0, True, True, []),
        ("OC2", None, 100.0, False, False, ["veto"]),
    ], table(committees)
    people = evaluate(fx, "最美物业人", 2024)
    assert table(people) == [
        ("P01", 1, 83.0, True, False, []), ("P02", 2, 77.0, True, True, []),
        ("P03", None, 50.0, False, True, ["veto"]),
    ], table(people)
    assert {r.code: r.missing for r in people.rows}["P02"] == ["personal_honours"]


def test_same_evaluation_at_the_years_snapshot_and_later(fx: Store) -> None:
    """y2025 adds 2025 incidents (X01's accident, CO6's black list, OC3's veto), a branch
    for X04 founded in 2025, ends CO1's contract for X04 in 2025, and changes X11."""
    for kind in ("project", "company", "committee", "person"):
        then = evaluate(fx, kind, 2024, snapshot="2024-12-31")
        later = evaluate(fx, kind, 2024)
        assert (then.snapshot.ordinal, later.snapshot.ordinal) == (1, 2)  # type: ignore[union-attr]
        assert [r.to_json() for r in then.rows] == [r.to_json() for r in later.rows], kind


def test_quota_and_scope(fx: Store) -> None:
    small = evaluate(fx, "project", 2024, quota=3)
    assert [(r.code, r.within_quota) for r in small.rows if r.eligible] == [
        ("X06", True), ("X02", True), ("X01", True), ("X10", False), ("X11", False)]
    d2 = evaluate(fx, "project", 2024, scope="D2")
    assert [(r.code, r.rank) for r in d2.rows] == [
        ("X10", 1), ("X11", 2), ("X07", None), ("X08", None), ("X09", None)]


def test_named_versus_ranked(fx: Store) -> None:
    rows = run_question(fx, "named_vs_ranked", {"year": 2024}).rows
    got = [(r["category"], r["candidate_code"], r["finding"], r["reason"], r["rank"],
            r["passed_for"], r["named_count"], r["quota"]) for r in rows]
    assert got == [
        ("project", "X08", "命名不符合条件", "blacklisted", None, None, 5, 30),
        ("project", "X01", "名次在前未命名", None, 3, "X10、X11", 5, 30),
        ("project", None, "命名数不足名额", None, None, None, 5, 30),
        ("company", None, "命名数不足名额", None, None, None, 2, 10),
        ("committee", "OC1", "名次在前未命名", None, 1, "OC3", 1, 10),
        ("committee", None, "命名数不足名额", None, None, None, 1, 10),
        ("person", "P03", "命名不符合条件", "veto", None, None, 2, 50),
        ("person", "P01", "名次在前未命名", None, 1, "P02", 2, 50),
        ("person", None, "命名数不足名额", None, None, None, 2, 50),
    ], got


def test_red_and_black_lists(fx: Store) -> None:
    rows = run_question(fx, "red_black_lists", {"year": 2024}).rows
    got = [(r["district_code"], r["company_code"], r["list"], r["basis_table"],
            r["project_codes"]) for r in rows]
    assert got == [
        ("D1", "CO2", "black", "评价", ["X03"]),
        ("D2", "CO6", "red", "评价", ["X11"]),
    ], got
    later = run_question(fx, "red_black_lists", {"year": 2025}).rows
    assert [(r["company_code"], r["list"], r["basis_table"], r["listed_on"])
            for r in later] == [("CO1", "black", "评价", None),
                                ("CO6", "black", "事件", "2025-02-02")], later


def test_cli_formats(fx: Store, engine: Any, tmp_path: Path) -> None:
    def cli(_: Store, *args: str) -> Any:
        env = engine.env(getattr(fx, "graph_name", ""))
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    res = cli(fx, "evaluate", "示范项目", "--year", "2024", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    first = data["rows"][0]
    assert {"code", "name", "total", "scores", "eligible", "disqualified_by", "rank",
            "within_quota", "evidence"} <= set(first), first
    assert (first["code"], first["rank"], first["scores"]["party_leadership"]) == (
        "X06", 1, 27.7)
    assert data["snapshot"]["date"] == "2025-06-30"
    res = cli(fx, "evaluate", "project", "--year", "2024", "--snapshot", "2024-12-31")
    assert res.exit_code == 0, res.output
    assert "快照 1（2024-12-31）" in res.output and "无小区党组织：单位 第12行 X04" in res.output
    assert "blacklist" not in res.output and "no_party_org" not in res.output
    en = cli(fx, "evaluate", "company", "--year", "2024", "--lang", "en")
    assert "credit grade B or lower" in en.output and "信用" not in en.output, en.output
    out = tmp_path / "评选.xlsx"
    res = cli(fx, "evaluate", "最美物业人", "--year", "2024", "--out", str(out))
    assert res.exit_code == 0 and out.stat().st_size > 0, res.output
    assert_printable(load_workbook(out), cover=None)
    bad = cli(fx, "evaluate", "最佳小区", "--year", "2024")
    assert bad.exit_code == 2 and "示范项目" in bad.output, bad.output


def test_mean_score_rounds_half_up() -> None:
    assert [mean_score(v) for v in ([25, 25.5], [8.5, 8], [1, 2, 2])] == [25.3, 8.3, 1.7]


def test_demo_tables_are_calibrated_to_the_seed(tmp_path: Path) -> None:
    """A city's year (seed 004 内容四): 40–60 project candidates, 15–25 companies, every
    incident kind planted, namings short of the company quota, funds below the floor."""
    import csv
    from collections import Counter

    from redgov.loaders.demo import generate

    generate(tmp_path, scale="district", seed=1)

    def rows(table: str) -> list[dict[str, str]]:
        with (tmp_path / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    scored = {(r["年度"], r["评选类别"], r["对象编码"]) for r in rows("评分")}
    candidates = Counter((year, category) for year, category, _ in scored)
    for year in ("2022", "2023", "2024"):
        assert 40 <= candidates[(year, "示范项目")] <= 60, candidates
        assert 15 <= candidates[(year, "示范企业")] <= 25, candidates
    kinds = {r["类型"] for r in rows("事件")}
    assert kinds == {"安全责任事故", "安全生产行政处罚", "人员伤亡事故", "劳动保障违法",
                     "经营异常名录", "黑名单", "拒不参加党建活动", "一票否决"}, kinds
    named = Counter((r["年度"], r["评选类别"]) for r in rows("命名"))
    assert named[("2024", "示范企业")] < 10 <= 30 <= named[("2024", "示范项目")], named
    orgs = {r["组织编码"]: r["类型"] for r in rows("组织")}
    floor = {"党委": 10000, "党总支": 5000, "党支部": 3000}
    below = [r for r in rows("经费") if int(r["金额"]) < floor[orgs[r["组织编码"]]]]
    assert 0 < len(below) < len(rows("经费")) / 3, len(below)
