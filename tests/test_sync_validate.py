"""Validation: each kind of error, reported at the exact table / row / column, nothing applied.

Each test breaks the hand-made ``sync_basic`` export in one place (row numbers as in the
file, header = row 1) and checks the complete error list, so an error that is reported
twice, or a second error that follows from the first, fails the test too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from redgov.loaders import sync_export
from test_sync_support import (
    add_row,
    copy_export,
    counts,
    drop_rows,
    edit,
    issues,
    set_cell,
    set_manifest,
)


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDGOV_HOME", str(tmp_path_factory.getbasetemp() / "sync-home"))
    (tmp_path_factory.getbasetemp() / "sync-home").mkdir(exist_ok=True)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return copy_export(tmp_path)


def rejected(store, path: Path) -> list[tuple]:  # type: ignore[no-untyped-def]
    before = counts(store)
    report = sync_export(store, path)
    assert report.status == "rejected", report.to_json()
    assert counts(store) == before  # nothing applied
    for e in report.errors:
        assert e.reason_zh and e.reason_en
    return issues(report)


def test_missing_required_table(store, export: Path) -> None:
    (export / "人员.csv").unlink()
    assert rejected(store, export) == [("人员", None, None, None)]


def test_missing_optional_table_is_fine(store, export: Path) -> None:
    (export / "走访.csv").unlink()
    report = sync_export(store, export)
    assert report.status == "applied", report.errors
    assert "走访" not in report.changes


def test_missing_required_column(store, export: Path) -> None:
    edit(export, "单位", lambda rows: [r.pop(0) for r in rows])  # drops 名称
    assert rejected(store, export) == [("单位", 1, "名称", None)]


def test_unknown_level(store, export: Path) -> None:
    set_cell(export, "单位", 3, "层级", "片区")
    assert rejected(store, export) == [("单位", 3, "层级", "片区")]


def test_unknown_org_kind_and_status(store, export: Path) -> None:
    set_cell(export, "组织", 6, "类型", "物业公司")
    set_cell(export, "组织", 8, "状态", "暂停")
    assert rejected(store, export) == [("组织", 6, "类型", "物业公司"), ("组织", 8, "状态", "暂停")]


def test_bad_date(store, export: Path) -> None:
    set_cell(export, "任职", 2, "开始日期", "2021-13-01")
    set_cell(export, "走访", 3, "日期", "上周")
    assert rejected(store, export) == [
        ("任职", 2, "开始日期", "2021-13-01"), ("走访", 3, "日期", "上周")]


def test_end_before_start(store, export: Path) -> None:
    set_cell(export, "物业服务", 2, "结束日期", "2018/1/1")
    set_cell(export, "任职", 4, "结束日期", "2021年5月31日")
    assert rejected(store, export) == [
        ("任职", 4, "结束日期", "2021年5月31日"), ("物业服务", 2, "结束日期", "2018/1/1"),
    ]


def test_required_value_empty(store, export: Path) -> None:
    set_cell(export, "人员", 3, "姓名", " 　")
    assert rejected(store, export) == [("人员", 3, "姓名", "")]


def test_duplicate_code(store, export: Path) -> None:
    row = add_row(export, "人员", {"人员编码": "P1", "姓名": "张三三"})
    assert row == 6
    assert rejected(store, export) == [("人员", 6, "人员编码", "P1")]


def test_duplicate_post(store, export: Path) -> None:
    # Same person, organisation, normalised role (书记 = 党支部书记) and start: one post twice.
    add_row(export, "任职", {"人员编码": "P1", "组织编码": "O_BR1", "职务": "书记",
                             "任职类型": "本职", "开始日期": "2021/1/1"})
    assert rejected(store, export) == [("任职", 7, "人员编码", "P1|O_BR1|secretary|2021-01-01")]


def test_unknown_reference(store, export: Path) -> None:
    set_cell(export, "任职", 3, "组织编码", "O_XX")
    set_cell(export, "人员", 4, "居住单位编码", "K9")
    assert rejected(store, export) == [
        ("人员", 4, "居住单位编码", "K9"), ("任职", 3, "组织编码", "O_XX")]


def test_contract_needs_compound_and_company(store, export: Path) -> None:
    set_cell(export, "物业服务", 2, "小区编码", "M1")
    set_cell(export, "评价", 2, "企业编码", "O_OC1")
    assert rejected(store, export) == [
        ("物业服务", 2, "小区编码", "M1"), ("评价", 2, "企业编码", "O_OC1")]


def test_level_rules(store, export: Path) -> None:
    set_cell(export, "单位", 7, "上级单位编码", "S1")  # a compound under a street
    set_cell(export, "单位", 5, "上级单位编码", "")  # a community without parent
    assert rejected(store, export) == [
        ("单位", 5, "上级单位编码", ""), ("单位", 7, "上级单位编码", "S1")]


def test_one_city_root(store, export: Path) -> None:
    add_row(export, "单位", {"单位编码": "C2", "名称": "泉州市", "层级": "市"})
    assert rejected(store, export) == [("单位", 8, "层级", "市")]


def test_no_city_root(store, export: Path) -> None:
    drop_rows(export, "单位", lambda r: r["层级"] != "市")
    set_cell(export, "单位", 2, "上级单位编码", "")
    assert rejected(store, export) == [
        ("单位", 2, "上级单位编码", ""), ("单位", None, "层级", None)]


def test_affiliation_cycle(store, export: Path) -> None:
    set_cell(export, "组织", 4, "隶属组织编码", "O_BR1")  # O_COMM under its own branch
    assert rejected(store, export) == [("组织", 4, "隶属组织编码", "O_BR1"),
                                       ("组织", 5, "隶属组织编码", "O_COMM")]


def test_affiliation_only_for_party_orgs(store, export: Path) -> None:
    set_cell(export, "组织", 6, "隶属组织编码", "O_COMM")
    assert rejected(store, export) == [("组织", 6, "隶属组织编码", "O_COMM")]


def test_manifest_errors(store, export: Path) -> None:
    set_manifest(export, "类型", "部分")
    assert rejected(store, export) == [("清单", 5, "值", "部分")]
    set_manifest(export, "类型", "全量")
    set_manifest(export, "快照日期", "2024-02-30")
    assert rejected(store, export) == [("清单", 4, "值", "2024-02-30")]


def test_every_error_is_listed(store, export: Path) -> None:
    set_cell(export, "单位", 6, "户数", "很多")
    set_cell(export, "组织", 3, "所在单位编码", "S9")
    set_cell(export, "人员", 3, "姓名", "")
    set_cell(export, "任职", 6, "任职类型", "挂职")
    set_cell(export, "监管", 3, "监管类型", "指导")
    set_cell(export, "评价", 2, "年度", "去年")
    assert rejected(store, export) == [
        ("单位", 6, "户数", "很多"),
        ("组织", 3, "所在单位编码", "S9"),
        ("人员", 3, "姓名", ""),
        ("任职", 6, "任职类型", "挂职"),
        ("监管", 3, "监管类型", "指导"),
        ("评价", 2, "年度", "去年"),
    ]


def test_incremental_modify_of_unknown_record(store, export: Path) -> None:
    assert sync_export(store, export).status == "applied"
    from test_sync_support import make_incremental

    make_incremental(export, "2024-04-01", {
        "人员": [{"人员编码": "P9", "姓名": "钱七", "操作": "修改"},
                 {"人员编码": "P2", "姓名": "李四", "操作": "更新"}],
    })
    assert rejected(store, export) == [("人员", 2, "操作", "修改"), ("人员", 3, "操作", "更新")]


def test_not_an_export(store, tmp_path: Path) -> None:
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"not a zip")
    report = sync_export(store, bad)
    assert report.status == "rejected"
    assert [(e.table, e.row) for e in report.errors] == [("", None)]


def test_incremental_checks_levels_and_cycles_against_the_graph(store, export: Path) -> None:
    """The parent of a new unit, or the affiliation parent of an org, may be in the graph."""
    from test_sync_support import make_incremental

    assert sync_export(store, export).status == "applied"
    make_incremental(export, "2024-04-01", {
        "单位": [
            {"单位编码": "K3", "名称": "海天苑", "层级": "小区", "上级单位编码": "S1",
             "操作": "新增"},  # a compound directly under a street (in the graph)
            {"单位编码": "C2", "名称": "泉州市", "层级": "市", "操作": "新增"},  # second root
        ],
        "组织": [
            {"组织编码": "O_COMM", "名称": "禾盛社区党委", "类型": "党委", "所在单位编码": "M1",
             "隶属组织编码": "O_BR1", "状态": "正常", "操作": "修改"},  # O_BR1 is under O_COMM
        ],
    })
    assert rejected(store, export) == [
        ("单位", 2, "上级单位编码", "S1"), ("单位", 3, "层级", "市"),
        ("组织", 2, "隶属组织编码", "O_BR1"),
    ]
