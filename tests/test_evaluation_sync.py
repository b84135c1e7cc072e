"""Sync of the 示范创建 tables (评分, 命名, 事件, 经费): graph shape, validation, versions.

Fixture ``tests/fixtures/evaluation/y2024`` (snapshot 2024-12-31) is described in
test_evaluation.py; here it is the shape that matters: 75 scores, 10 namings, 11 incidents
and 3 funding rows, each a keyed node linked from its candidate / subject / organisation.
Each validation case edits one cell of a copy and checks the error names table, row,
column and value.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from redgov.graph.conditions import expand
from redgov.loaders import sync_export
from test_sync_support import (
    add_row,
    read_rows,
    set_cell,
    set_manifest,
    status_counts,
    write_rows,
)

EVAL = Path(__file__).parent / "fixtures" / "evaluation"


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.getbasetemp() / "eval-sync-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("REDGOV_HOME", str(home))
    return home


@pytest.fixture
def export(tmp_path: Path) -> Path:
    target = tmp_path / "y2024"
    shutil.copytree(EVAL / "y2024", target)
    return target


def _links(store: Any) -> dict[tuple[str, str, str], int]:
    rows = store.read(expand("""
MATCH (x)-[e:SCORED|NAMED|HAD_INCIDENT|FUNDED]->(n)
WHERE @live(e, x) AND @current(n)
RETURN labels(x)[0] AS src, type(e) AS type, labels(n)[0] AS dst, count(*) AS n
"""))
    return {(r["src"], r["type"], r["dst"]): r["n"] for r in rows}


def _node(store: Any, label: str, key: str) -> dict[str, Any]:
    rows = store.read(expand(
        f"MATCH (n:{label} {{key: $key}}) WHERE @live(n) RETURN properties(n) AS p"),
        {"key": key})
    assert len(rows) == 1, rows
    return dict(rows[0]["p"])


def test_four_tables_load_as_keyed_nodes(store: Any, export: Path) -> None:
    report = sync_export(store, export)
    assert report.status == "applied", report.errors
    assert _links(store) == {
        ("Unit", "SCORED", "Score"): 38, ("Organisation", "SCORED", "Score"): 26,
        ("Person", "SCORED", "Score"): 11,
        ("Unit", "NAMED", "Naming"): 5, ("Organisation", "NAMED", "Naming"): 3,
        ("Person", "NAMED", "Naming"): 2,
        ("Unit", "HAD_INCIDENT", "Incident"): 4, ("Organisation", "HAD_INCIDENT", "Incident"): 5,
        ("Person", "HAD_INCIDENT", "Incident"): 2,
        ("Organisation", "FUNDED", "Funding"): 3,
    }
    score = _node(store, "Score", "2024|project|X10|party_leadership|OD1")
    assert {k: score[k] for k in ("year", "category", "criterion", "score", "scorer_code",
                                  "candidate_code", "src_table", "src_row")} == {
        "year": 2024, "category": "project", "criterion": "party_leadership", "score": 25.5,
        "scorer_code": "OD1", "candidate_code": "X10", "src_table": "评分", "src_row": 32}
    incident = _node(store, "Incident", "CO4|casualty|2024-02-01")
    assert (incident["kind"], incident["date"], incident["note"]) == (
        "casualty", "2024-02-01", "外墙维修坠落")
    assert _node(store, "Funding", "JB56|2024")["amount"] == 1000
    assert _node(store, "Naming", "2024|project|X06")["date"] == "2024-12-20"
    assert sync_export(store, export).status == "unchanged"


def _errors(store: Any, export: Path) -> list[tuple[Any, ...]]:
    report = sync_export(store, export)
    assert report.status == "rejected", report
    return sorted((i.table, i.row, i.column, i.value) for i in report.errors)


def test_each_bad_row_is_named(store: Any, export: Path) -> None:
    set_cell(export, "评分", 2, "得分", "31")  # 党建引领好 is out of 30
    set_cell(export, "评分", 3, "得分", "27.25")  # two decimals
    set_cell(export, "评分", 4, "指标", "组织建设优")  # a company criterion on a project
    set_cell(export, "评分", 5, "得分", "-1")
    wrong_kind = [
        add_row(export, "评分", {"年度": "2024", "评选类别": "示范项目", "对象编码": "C1",
                                "指标": "党建引领好", "得分": "20", "评分组织编码": "OD1"}),
        add_row(export, "评分", {"年度": "2024", "评选类别": "示范企业", "对象编码": "OC1",
                                "指标": "组织建设优", "得分": "20", "评分组织编码": "OD1"}),
        add_row(export, "评分", {"年度": "2024", "评选类别": "最美业委会", "对象编码": "CO1",
                                "指标": "制度落实好", "得分": "20", "评分组织编码": "OD1"}),
        add_row(export, "命名", {"年度": "2024", "评选类别": "最美物业人", "对象编码": "OC1"}),
    ]
    dup = add_row(export, "评分", {"年度": "2024", "评选类别": "示范项目", "对象编码": "X02",
                                  "指标": "党建引领好", "得分": "20", "评分组织编码": "OD1"})
    bad_kind = add_row(export, "事件", {"对象编码": "X01", "类型": "火灾", "日期": "2024-01-01"})
    bad_subject = add_row(export, "事件", {"对象编码": "C1", "类型": "黑名单",
                                          "日期": "2024-01-01"})
    set_cell(export, "经费", 2, "金额", "-500")
    non_party = add_row(export, "经费", {"组织编码": "CO1", "年度": "2024", "金额": "3000"})
    got = _errors(store, export)
    assert got == sorted([
        ("评分", 2, "得分", "31"),
        ("评分", 3, "得分", "27.25"),
        ("评分", 4, "指标", "组织建设优"),
        ("评分", 5, "得分", "-1"),
        ("评分", wrong_kind[0], "对象编码", "C1"),
        ("评分", wrong_kind[1], "对象编码", "OC1"),
        ("评分", wrong_kind[2], "对象编码", "CO1"),
        ("命名", wrong_kind[3], "对象编码", "OC1"),
        ("评分", dup, "评分组织编码", "OD1"),
        ("事件", bad_kind, "类型", "火灾"),
        ("事件", bad_subject, "对象编码", "C1"),
        ("经费", 2, "金额", "-500"),
        ("经费", non_party, "组织编码", "CO1"),
    ]), got
    report = sync_export(store, export)
    reasons = {(i.table, i.row, i.column): i.reason_zh for i in report.errors}
    assert "满分 30" in reasons[("评分", 2, "得分")], reasons
    assert "党建引领好" in reasons[("评分", 4, "指标")], reasons
    assert "重复评分" in reasons[("评分", dup, "评分组织编码")], reasons
    assert "党组织" in reasons[("经费", non_party, "组织编码")], reasons
    assert _links(store) == {}  # a rejected sync writes nothing


def test_a_retired_candidate_takes_its_rows_along(store: Any, export: Path) -> None:
    assert sync_export(store, export).status == "applied"
    set_manifest(export, "快照日期", "2025-01-31")
    set_manifest(export, "类型", "增量")
    for path in export.glob("*.csv"):
        if path.stem != "清单":
            path.unlink()
    header = [*read_rows(EVAL / "y2024", "单位")[0], "操作"]
    write_rows(export, "单位", [header, ["X08", "", "", "", "", "", "删除"]])
    report = sync_export(store, export)
    assert report.status == "applied", report.errors
    # X08 has one score, one naming and one incident; its branch B08 stays (it only
    # names X08 as its 依托主体), as do its company's contract rows (物业服务 retires).
    assert status_counts(report) == {
        "单位": {"retired": 1}, "物业服务": {"retired": 1}, "评分": {"retired": 1},
        "命名": {"retired": 1}, "事件": {"retired": 1}}, status_counts(report)
    assert _node(store, "Naming", "2024|project|X08")["retired"] is True


def test_increments_add_change_and_delete_rows(store: Any, export: Path) -> None:
    assert sync_export(store, export).status == "applied"
    set_manifest(export, "快照日期", "2025-01-31")
    set_manifest(export, "类型", "增量")
    for path in export.glob("*.csv"):
        if path.stem != "清单":
            path.unlink()
    header = [*read_rows(EVAL / "y2024", "评分")[0], "操作"]
    write_rows(export, "评分", [
        header,
        ["2024", "示范项目", "X02", "群众评价好", "8", "OD1", "修改"],
        ["2024", "示范项目", "X03", "治理机制好", "", "OD1", "删除"],
        ["2024", "示范项目", "X03", "群众评价好", "5", "OD2", "新增"],
    ])
    write_rows(export, "经费", [["组织编码", "年度", "金额", "操作"],
                                ["JB56", "2024", "5000", "修改"]])
    report = sync_export(store, export)
    assert report.status == "applied", report.errors
    assert status_counts(report) == {
        "评分": {"added": 1, "changed": 1, "retired": 1}, "经费": {"changed": 1}}, \
        status_counts(report)
    assert _node(store, "Score", "2024|project|X02|public_rating|OD1")["score"] == 8.0
    assert _node(store, "Score", "2024|project|X03|governance_mechanism|OD1")["retired"] is True
    assert _node(store, "Funding", "JB56|2024")["amount"] == 5000


def test_review_shows_keys_in_words() -> None:
    from redgov.commands.review import key_text, value_text

    assert key_text("评分", "2024|project|X01|party_leadership|OD1") == (
        "2024|示范项目|X01|党建引领好|OD1")
    assert key_text("事件", "CO4|casualty|2024-02-01", "en") == "CO4|casualty|2024-02-01"
    assert key_text("事件", "CO4|casualty|2024-02-01") == "CO4|人员伤亡事故|2024-02-01"
    assert value_text("事件", "kind", "veto") == "一票否决"
    assert value_text("评分", "criterion", "public_rating") == "群众评价好"
